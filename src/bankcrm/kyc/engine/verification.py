"""Evaluating CIP verification evidence (pure engine, no Django import).

31 CFR 1020.220(a)(2)(ii): the bank verifies identity, risk-based, through **documentary**
methods (an unexpired government-issued photo ID for an individual; certified articles,
a government business licence, a partnership agreement or trust instrument for an entity) and/or
**non-documentary** methods (checking a consumer reporting agency, a public database or other
source, references with other financial institutions, a financial statement). REGULATORY_FACTS
1.1 lists verification as risk-based, documentary or non-documentary (status M).

Each *subject* (the applicant, or the entity, each beneficial owner and the control person: 31 CFR
1010.230(b)(2) verifies them with at least the CIP elements) must have every required element
(name, date of birth for individuals, address, identification number) confirmed by passing
evidence. :func:`evaluate` decides, in this order of precedence:

1. ``failed``: a confirmed sanctions match, or an element that failed a check and passed none;
2. ``manual_review``: a possible watch-list match awaiting its disposition, or an element that both
   passed and failed (conflicting sources);
3. ``pending``: an element not yet confirmed, or, for a high-risk customer, the applicant not
   confirmed by both a documentary and a non-documentary method;
4. ``verified``: otherwise.

Evidence from an expired document, or dated after the evaluation day, does not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "DOCUMENTARY_KINDS",
    "ELEMENTS",
    "NON_DOCUMENTARY_KINDS",
    "SCREENING_REASONS",
    "Evidence",
    "Outcome",
    "Subject",
    "evaluate",
    "required_elements",
]

ELEMENTS = ("name", "date_of_birth", "address", "id_number")
DOCUMENTARY_KINDS = (
    "passport",
    "drivers_license",
    "national_id",
    "alien_id",
    "articles_of_incorporation",
    "business_license",
    "partnership_agreement",
    "trust_instrument",
)
NON_DOCUMENTARY_KINDS = (
    "consumer_reporting_agency",
    "public_database",
    "financial_institution_reference",
    "financial_statement",
    "address_verification",
)
METHODS = ("documentary", "non_documentary")
RESULTS = ("pass", "fail", "inconclusive")
#: Watch-list screening states that hold up verification (see :func:`evaluate`).
SCREENING_STATES = ("clear", "false_positive", "not_screened", "open", "true_match")
#: The reasons :func:`evaluate` gives for a screening state. They reveal watch-list results, which
#: are AML-confidential: readers without ``aml:read`` see them redacted.
SCREENING_REASONS = {
    "true_match": "a confirmed watch-list (sanctions) match",
    "open": "a possible watch-list match awaits its disposition",
}


def required_elements(subject_kind: str) -> tuple[str, ...]:
    """The CIP elements to verify: individuals all four, entities all but the date of birth."""
    return ELEMENTS if subject_kind == "person" else ("name", "address", "id_number")


def method_of(kind: str) -> str:
    """``documentary`` or ``non_documentary`` for an evidence kind.

    Raises:
        ValueError: unknown kind.
    """
    if kind in DOCUMENTARY_KINDS:
        return "documentary"
    if kind in NON_DOCUMENTARY_KINDS:
        return "non_documentary"
    raise ValueError(f"kind: unknown evidence kind {kind!r}")


@dataclass(frozen=True)
class Subject:
    """Someone whose identity must be verified: ``key`` identifies them (a party id),
    ``kind`` is ``person`` or ``organization``, ``role`` applicant / beneficial_owner / control_person."""

    key: str
    kind: str
    role: str


@dataclass(frozen=True)
class Evidence:
    """One check of one subject: ``kind`` (see :data:`DOCUMENTARY_KINDS` /
    :data:`NON_DOCUMENTARY_KINDS`), ``result`` pass / fail / inconclusive, and the CIP
    ``elements`` it covers. ``expires_on`` is the document's expiry (documentary evidence)."""

    subject: str
    kind: str
    result: str
    elements: frozenset[str]
    checked_on: dt.date
    expires_on: dt.date | None = None

    @property
    def method(self) -> str:
        """``documentary`` or ``non_documentary``."""
        return method_of(self.kind)


@dataclass
class Outcome:
    """The decision and why: ``missing`` maps subject key -> elements not yet confirmed;
    ``conflicts`` and ``failures`` subject key -> elements; ``reasons`` are plain sentences."""

    decision: str
    missing: dict[str, list[str]] = field(default_factory=dict)
    conflicts: dict[str, list[str]] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


def evaluate(
    subjects: Sequence[Subject],
    evidence: Iterable[Evidence],
    *,
    on: dt.date,
    screening: str = "clear",
    both_methods: bool = False,
) -> Outcome:
    """Decide ``verified`` / ``failed`` / ``manual_review`` / ``pending`` (rules in the module
    docstring).

    Args:
        subjects: everyone to verify; the first ``applicant`` is the one ``both_methods`` applies to.
        evidence: every recorded check; checks of unknown subjects are ignored.
        on: the evaluation day (expiry is judged on the day of the check; later checks are ignored).
        screening: the watch-list state of the subjects (worst of them), one of :data:`SCREENING_STATES`.
        both_methods: require a documentary and a non-documentary pass for the applicant (high risk).

    Raises:
        ValueError: an unknown screening state or evidence kind.
    """
    if screening not in SCREENING_STATES:
        raise ValueError(f"screening: must be one of {', '.join(SCREENING_STATES)}")
    keys = {s.key for s in subjects}
    passed: dict[str, dict[str, set[str]]] = {s.key: {} for s in subjects}
    failed: dict[str, set[str]] = {s.key: set() for s in subjects}
    reasons: list[str] = []
    for ev in evidence:
        if ev.subject not in keys or ev.checked_on > on:
            continue
        if ev.method == "documentary" and ev.expires_on is not None and ev.expires_on < ev.checked_on:
            reasons.append(f"{ev.kind} of {ev.subject} had expired when checked; it does not count")
            continue
        for element in ev.elements & set(ELEMENTS):
            if ev.result == "pass":
                passed[ev.subject].setdefault(element, set()).add(ev.method)
            elif ev.result == "fail":
                failed[ev.subject].add(element)
    outcome = Outcome(decision="verified")
    for s in subjects:
        required = required_elements(s.kind)
        missing = [e for e in required if e not in passed[s.key]]
        fails = sorted(e for e in failed[s.key] if e in required and e not in passed[s.key])
        conflicts = sorted(e for e in failed[s.key] if e in required and e in passed[s.key])
        if missing:
            outcome.missing[s.key] = missing
        if fails:
            outcome.failures[s.key] = fails
        if conflicts:
            outcome.conflicts[s.key] = conflicts
    applicant = next((s for s in subjects if s.role == "applicant"), None)
    if both_methods and applicant is not None:
        methods = set().union(*passed[applicant.key].values()) if passed[applicant.key] else set()
        if methods != set(METHODS):
            outcome.missing.setdefault(applicant.key, []).append("second_method")
            reasons.append("high risk: the applicant needs both a documentary and a non-documentary check")
    if screening == "true_match":
        outcome.decision = "failed"
        reasons.append(SCREENING_REASONS["true_match"])
    elif outcome.failures:
        outcome.decision = "failed"
        reasons.append("identity could not be verified: a check failed and none confirmed the element")
    elif screening == "open":
        outcome.decision = "manual_review"
        reasons.append(SCREENING_REASONS["open"])
    elif outcome.conflicts:
        outcome.decision = "manual_review"
        reasons.append("sources disagree: an element both passed and failed a check")
    elif outcome.missing:
        outcome.decision = "pending"
    outcome.reasons = reasons
    return outcome
