"""The onboarding status machine (pure engine, no Django import).

DESIGN convention 6: the statuses are an enum and every transition lives in :data:`TRANSITIONS`;
:func:`bankcrm.kyc.services.transition_onboarding` is the only code that changes an onboarding's
status (and mirrors it on ``Party.kyc_status``).

::

    started --submit--> pending_verification --verify--> verified
                                   |  \\--fail----------> failed
                                   \\--refer--> manual_review --verify--> verified
                                                            \\--fail----> failed

``verify`` out of ``pending_verification`` is taken only by the evidence evaluation
(:func:`bankcrm.kyc.engine.verification.evaluate`), never by a person; every decision out of
``manual_review`` and a ``fail`` need a reason and the AML-management permission (the CIP
procedures for a customer whose identity cannot be verified: do not open, restrict or close, and
consider a SAR; REGULATORY_FACTS 1.1, status M).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "DECISIONS",
    "TRANSITIONS",
    "Action",
    "InvalidTransition",
    "Status",
    "allowed_actions",
    "is_open",
    "next_status",
]


class Status(StrEnum):
    """Onboarding statuses (the same codes as ``Party.KycStatus``)."""

    STARTED = "started"
    PENDING_VERIFICATION = "pending_verification"
    VERIFIED = "verified"
    FAILED = "failed"
    MANUAL_REVIEW = "manual_review"


class Action(StrEnum):
    """Transition names (API ``POST /onboarding/{id}/transitions`` and the console)."""

    SUBMIT = "submit"
    VERIFY = "verify"
    FAIL = "fail"
    REFER = "refer"


class InvalidTransition(ValueError):
    """The action is not allowed from the current status."""


TRANSITIONS: dict[Status, dict[Action, Status]] = {
    Status.STARTED: {Action.SUBMIT: Status.PENDING_VERIFICATION},
    Status.PENDING_VERIFICATION: {
        Action.VERIFY: Status.VERIFIED,
        Action.FAIL: Status.FAILED,
        Action.REFER: Status.MANUAL_REVIEW,
    },
    Status.MANUAL_REVIEW: {Action.VERIFY: Status.VERIFIED, Action.FAIL: Status.FAILED},
    Status.VERIFIED: {},
    Status.FAILED: {},
}

#: ``(status, action)`` pairs that are a compliance decision: a reason and ``aml:manage`` needed.
DECISIONS = frozenset(
    {
        (Status.PENDING_VERIFICATION, Action.FAIL),
        (Status.MANUAL_REVIEW, Action.VERIFY),
        (Status.MANUAL_REVIEW, Action.FAIL),
    }
)


def next_status(status: str, action: str) -> Status:
    """The status after ``action`` from ``status``.

    Raises:
        InvalidTransition: unknown status or action, or the action is not allowed from ``status``.
    """
    try:
        return TRANSITIONS[Status(status)][Action(action)]
    except (KeyError, ValueError):
        allowed = ", ".join(a.value for a in allowed_actions(status)) or "none"
        raise InvalidTransition(f"cannot {action} an onboarding that is {status} (allowed: {allowed})") from None


def allowed_actions(status: str) -> list[Action]:
    """Actions allowed from ``status`` (empty for final or unknown statuses)."""
    try:
        return list(TRANSITIONS[Status(status)])
    except ValueError:
        return []


def is_open(status: str) -> bool:
    """True until the onboarding is verified or failed."""
    return bool(allowed_actions(status))
