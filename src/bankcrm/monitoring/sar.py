"""The SAR workflow on an AML case (31 CFR 1020.320; REGULATORY_FACTS 1.5).

- The clock starts at initial detection: file within 30 calendar days; when no suspect is
  identified, 30 more days (never beyond 60). It appears on the case as the ``sar_filing`` clock.
- A SAR is never filed automatically: the preparer requests filing, a second person approves
  (maker-checker), then the filer records the BSA E-Filing acknowledgement (BSA id).
- After filing: a continuing-activity review is due 90 days later (a further SAR within 120 days
  of the prior one), and the SAR with its documentation is kept 5 years from filing.
- AML-confidential throughout: never shown to roles without ``aml:read``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.cases import approvals
from bankcrm.cases.models import Case, CaseClock
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, FieldProblem, ValidationFailed
from bankcrm.identity.models import User
from bankcrm.monitoring.models import SuspiciousActivityReport

SAR_APPROVAL = "monitoring.sar_filing"
FILE_WITHIN_DAYS = 30
NO_SUSPECT_EXTRA_DAYS = 30
CONTINUING_REVIEW_DAYS = 90
RETAIN_YEARS = 5
MAX_NARRATIVE = 17_000


def due_date(detected_on: dt.date, *, suspect_identified: bool) -> dt.date:
    """31 CFR 1020.320(b)(3): 30 calendar days after initial detection; 60 when no suspect was
    identified (the 30-day delay to identify one, never beyond 60)."""
    days = FILE_WITHIN_DAYS if suspect_identified else FILE_WITHIN_DAYS + NO_SUSPECT_EXTRA_DAYS
    return detected_on + dt.timedelta(days=days)


def _sync_clock(sar: SuspiciousActivityReport) -> None:
    days = (sar.due_on - sar.detected_on).days
    CaseClock.objects.update_or_create(
        case=sar.case,
        key="sar_filing",
        defaults={
            "label": "File the SAR" + ("" if sar.suspect_identified else " (no suspect identified: 60 days)"),
            "source": "31 CFR 1020.320(b)(3)",
            "start": sar.detected_on,
            "days": days,
            "business_days": False,
            "due": sar.due_on,
            "effective_due": sar.due_on,
            "warn_from": sar.due_on - dt.timedelta(days=7),
            "pausable": False,
        },
    )


@transaction.atomic
def start_sar(
    *, actor: User, case: Case, detected_on: dt.date, suspect_identified: bool = True
) -> SuspiciousActivityReport:
    """Open the SAR of an AML case with its filing clock.

    Raises:
        ValidationFailed: not an AML case, or a detection date in the future.
        Conflict: the case already has a SAR.
        PermissionDenied: the actor may not manage AML work.
    """
    require(actor, Perm.AML_MANAGE)
    if case.kind != "aml_investigation":
        raise ValidationFailed([FieldProblem("case", "a SAR belongs to an AML investigation case")])
    if detected_on > clock.today():
        raise ValidationFailed([FieldProblem("detected_on", "must not be in the future")])
    if SuspiciousActivityReport.objects.filter(case=case).exists():
        raise Conflict("this case already has a SAR")
    sar = SuspiciousActivityReport.objects.create(
        case=case,
        party=case.party,
        detected_on=detected_on,
        suspect_identified=suspect_identified,
        due_on=due_date(detected_on, suspect_identified=suspect_identified),
    )
    _sync_clock(sar)
    audit.record(
        actor=actor,
        action="sar.start",
        subject_type="case",
        subject_id=str(case.pk),
        payload={"sar": sar.pk, "due_on": str(sar.due_on)},
    )
    return sar


@transaction.atomic
def update_sar(
    *,
    actor: User,
    sar: SuspiciousActivityReport,
    narrative: str | None = None,
    activity_from: dt.date | None = None,
    activity_to: dt.date | None = None,
    amount_usd: str | None = None,
    suspect_identified: bool | None = None,
) -> SuspiciousActivityReport:
    """Edit a draft SAR (narrative up to 17,000 characters, activity period, amount). Changing
    whether a suspect is identified moves the due date (never beyond 60 days from detection).

    Raises:
        ValidationFailed: bad fields (named); Conflict: the SAR is no longer a draft.
    """
    require(actor, Perm.AML_MANAGE)
    sar = SuspiciousActivityReport.objects.select_for_update().get(pk=sar.pk)
    if sar.status != SuspiciousActivityReport.Status.DRAFT:
        raise Conflict(f"the SAR is {sar.status}; only a draft can change")
    problems = []
    if narrative is not None:
        if len(narrative) > MAX_NARRATIVE:
            problems.append(FieldProblem("narrative", f"at most {MAX_NARRATIVE:,} characters"))
        sar.narrative = narrative.strip()
    if activity_from and activity_to and activity_from > activity_to:
        problems.append(FieldProblem("activity_from", "must not be after activity_to"))
    if amount_usd is not None:
        try:
            cents = int((Decimal(amount_usd) * 100).to_integral_value())
            if cents < 0:
                raise ValueError
            sar.amount_usd_minor = cents
        except (ArithmeticError, ValueError):
            problems.append(FieldProblem("amount_usd", "must be a non-negative decimal amount"))
    if problems:
        raise ValidationFailed(problems)
    sar.activity_from = activity_from or sar.activity_from
    sar.activity_to = activity_to or sar.activity_to
    if suspect_identified is not None and suspect_identified != sar.suspect_identified:
        sar.suspect_identified = suspect_identified
        sar.due_on = due_date(sar.detected_on, suspect_identified=suspect_identified)
        _sync_clock(sar)
    sar.save()
    audit.record(
        actor=actor, action="sar.update", subject_type="case", subject_id=str(sar.case_id), payload={"sar": sar.pk}
    )
    return sar


@transaction.atomic
def request_filing(*, actor: User, sar: SuspiciousActivityReport) -> Any:
    """Ask a second person to approve the SAR for filing (maker-checker); nothing is filed.

    Raises:
        ValidationFailed: no narrative or activity period yet; Conflict: not a draft / already pending.
    """
    require(actor, Perm.AML_MANAGE)
    sar = SuspiciousActivityReport.objects.select_for_update().get(pk=sar.pk)
    if sar.status != SuspiciousActivityReport.Status.DRAFT:
        raise Conflict(f"the SAR is {sar.status}")
    problems = []
    if len(sar.narrative) < 50:
        problems.append(FieldProblem("narrative", "describe the activity (who, what, when, where, why) before filing"))
    if not (sar.activity_from and sar.activity_to):
        problems.append(FieldProblem("activity_from", "the activity period is required"))
    if problems:
        raise ValidationFailed(problems)
    sar.status = SuspiciousActivityReport.Status.PENDING_APPROVAL
    sar.save(update_fields=["status"])
    return approvals.request_approval(
        actor=actor,
        action=SAR_APPROVAL,
        subject_type="sar",
        subject_id=str(sar.pk),
        summary=f"File SAR for case {sar.case.reference}",
        payload={"sar": sar.pk},
    )


def _approved(*, actor: User, approval: Any) -> None:
    SuspiciousActivityReport.objects.filter(pk=approval.payload["sar"]).update(
        status=SuspiciousActivityReport.Status.APPROVED
    )


def _rejected(*, actor: User, approval: Any) -> None:
    SuspiciousActivityReport.objects.filter(pk=approval.payload["sar"]).update(
        status=SuspiciousActivityReport.Status.DRAFT
    )


approvals.register(SAR_APPROVAL, perm=Perm.AML_MANAGE, on_approve=_approved, on_reject=_rejected)


@transaction.atomic
def record_filing(*, actor: User, sar: SuspiciousActivityReport, bsa_id: str) -> SuspiciousActivityReport:
    """Record that the approved SAR was filed through BSA E-Filing (the acknowledgement's BSA id):
    stops the filing clock, sets the continuing-activity review (90 days) and retention (5 years).

    Raises:
        Conflict: the SAR is not approved; ValidationFailed: no BSA id.
    """
    require(actor, Perm.AML_MANAGE)
    sar = SuspiciousActivityReport.objects.select_for_update().get(pk=sar.pk)
    if sar.status != SuspiciousActivityReport.Status.APPROVED:
        raise Conflict("only an approved SAR can be recorded as filed")
    if not bsa_id.strip():
        raise ValidationFailed([FieldProblem("bsa_id", "the BSA E-Filing acknowledgement id is required")])
    now = clock.now()
    today = clock.today()
    sar.status = SuspiciousActivityReport.Status.FILED
    sar.filed_at = now
    sar.bsa_id = bsa_id.strip()[:32]
    sar.continuing_review_on = today + dt.timedelta(days=CONTINUING_REVIEW_DAYS)
    sar.retain_until = (
        today.replace(year=today.year + RETAIN_YEARS)
        if not (today.month == 2 and today.day == 29)
        else dt.date(today.year + RETAIN_YEARS, 3, 1)
    )
    sar.save()
    CaseClock.objects.filter(case=sar.case, key="sar_filing", stopped_on__isnull=True).update(stopped_on=today)
    CaseClock.objects.update_or_create(
        case=sar.case,
        key="sar_continuing_review",
        defaults={
            "label": "Continuing-activity review",
            "source": "FinCEN SAR FAQ: 90-day review, next SAR within 120 days",
            "start": today,
            "days": CONTINUING_REVIEW_DAYS,
            "business_days": False,
            "due": sar.continuing_review_on,
            "effective_due": sar.continuing_review_on,
            "warn_from": sar.continuing_review_on - dt.timedelta(days=14),
            "pausable": False,
        },
    )
    audit.record(
        actor=actor,
        action="sar.filed",
        subject_type="case",
        subject_id=str(sar.case_id),
        payload={"sar": sar.pk, "bsa_id": sar.bsa_id, "retain_until": str(sar.retain_until)},
    )
    return sar


def sar_document(sar: SuspiciousActivityReport) -> dict[str, Any]:
    """The SAR as structured JSON following the FinCEN SAR parts (Part I subject information,
    Part II suspicious activity information, Part III information about the financial institution
    where the activity occurred, Part IV filing institution contact information, Part V narrative)."""
    party = sar.party
    alerts = list(sar.case.alerts.values("scenario", "period_start", "period_end", "evidence"))
    return {
        "form": "FinCEN SAR",
        "filing_type": "initial",
        "part_i_subjects": (
            [{"party_id": str(party.pk), "name": party.legal_name, "kind": party.kind}]
            if party and sar.suspect_identified
            else [{"unknown_subject": True}]
        ),
        "part_ii_activity": {
            "date_range": {"from": str(sar.activity_from or ""), "to": str(sar.activity_to or "")},
            "total_amount_usd": f"{Decimal(sar.amount_usd_minor) / 100:.2f}",
            "categories": sorted({a["scenario"] for a in alerts}),
            "transactions": sorted({t for a in alerts for t in a["evidence"].get("txn_ids", [])}),
        },
        "part_iii_institution": {"name": "BankCRM Demo Bank"},
        "part_iv_filer": {"name": "BankCRM Demo Bank BSA Office", "contact": "BSA/AML officer"},
        "part_v_narrative": sar.narrative,
        "case": sar.case.reference,
        "detected_on": str(sar.detected_on),
        "due_on": str(sar.due_on),
        "status": sar.status,
    }


def sar_report_html(sar: SuspiciousActivityReport) -> str:
    """A readable HTML rendering of :func:`sar_document` (for the reviewer and the file)."""
    return render_to_string("monitoring/sar_report.html", {"doc": sar_document(sar), "sar": sar})
