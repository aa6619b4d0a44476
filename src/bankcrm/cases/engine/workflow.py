"""Case status machines, one per case kind (pure engine, no Django import).

DESIGN convention 6: statuses are enums and each workflow's transitions live in one table here; the
``cases.services.transition`` function is the only caller that changes a case's status, and it
also starts and stops the clocks named by :func:`clocks_stopped_by`.

Shape of a workflow: ``{status: {action: next_status}}``. An action that needs more than a status
change (a reason, a CFPB company response, a second person's approval) says so in
:data:`REQUIREMENTS`; the service enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "REQUIREMENTS",
    "WORKFLOWS",
    "Action",
    "CaseKind",
    "InvalidTransition",
    "Status",
    "allowed_actions",
    "clocks_stopped_by",
    "is_open",
    "next_status",
]


class CaseKind(StrEnum):
    """What a case is about; each kind has its own status machine."""

    COMPLAINT = "complaint"
    SERVICE_REQUEST = "service_request"
    DISPUTE = "dispute"
    AML_INVESTIGATION = "aml_investigation"


class Status(StrEnum):
    """Every status any case kind may be in."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    AWAITING_CUSTOMER = "awaiting_customer"
    RESPONDED = "responded"
    PENDING_APPROVAL = "pending_approval"
    CLOSED = "closed"


class Action(StrEnum):
    """Transition names, as used by the API (``POST /complaints/{id}/transitions``) and the console."""

    START = "start"
    AWAIT_CUSTOMER = "await_customer"
    RESUME = "resume"
    RESPOND = "respond"
    CLOSE = "close"
    REOPEN = "reopen"
    # Only the approval primitive takes these (a person cannot approve their own request).
    APPROVE_CLOSURE = "approve_closure"
    REJECT_CLOSURE = "reject_closure"


S, A = Status, Action

_COMPLAINT: dict[Status, dict[Action, Status]] = {
    S.NEW: {A.START: S.IN_PROGRESS, A.RESPOND: S.RESPONDED, A.CLOSE: S.CLOSED},
    S.IN_PROGRESS: {A.AWAIT_CUSTOMER: S.AWAITING_CUSTOMER, A.RESPOND: S.RESPONDED, A.CLOSE: S.CLOSED},
    S.AWAITING_CUSTOMER: {A.RESUME: S.IN_PROGRESS, A.RESPOND: S.RESPONDED, A.CLOSE: S.CLOSED},
    # A customer who answers the response puts the case back in work.
    S.RESPONDED: {A.CLOSE: S.CLOSED, A.RESUME: S.IN_PROGRESS},
    S.PENDING_APPROVAL: {A.APPROVE_CLOSURE: S.CLOSED, A.REJECT_CLOSURE: S.IN_PROGRESS},
    S.CLOSED: {A.REOPEN: S.IN_PROGRESS},
}

_SERVICE_REQUEST: dict[Status, dict[Action, Status]] = {
    S.NEW: {A.START: S.IN_PROGRESS, A.CLOSE: S.CLOSED},
    S.IN_PROGRESS: {A.AWAIT_CUSTOMER: S.AWAITING_CUSTOMER, A.CLOSE: S.CLOSED},
    S.AWAITING_CUSTOMER: {A.RESUME: S.IN_PROGRESS, A.CLOSE: S.CLOSED},
    S.CLOSED: {A.REOPEN: S.IN_PROGRESS},
}

_AML: dict[Status, dict[Action, Status]] = {
    S.NEW: {A.START: S.IN_PROGRESS, A.CLOSE: S.PENDING_APPROVAL},
    S.IN_PROGRESS: {A.CLOSE: S.PENDING_APPROVAL},
    # Every AML disposition (SAR or no SAR) is signed off by a second person.
    S.PENDING_APPROVAL: {A.APPROVE_CLOSURE: S.CLOSED, A.REJECT_CLOSURE: S.IN_PROGRESS},
    S.CLOSED: {A.REOPEN: S.IN_PROGRESS},
}

WORKFLOWS: dict[CaseKind, dict[Status, dict[Action, Status]]] = {
    CaseKind.COMPLAINT: _COMPLAINT,
    # Reg E / Reg Z disputes follow the complaint machine; their extra clocks come from the facts.
    CaseKind.DISPUTE: _COMPLAINT,
    CaseKind.SERVICE_REQUEST: _SERVICE_REQUEST,
    CaseKind.AML_INVESTIGATION: _AML,
}


@dataclass(frozen=True)
class Requirement:
    """What an action needs besides a permitted status: a free-text reason and/or a CFPB company
    response category."""

    reason: bool = False
    company_response: bool = False


REQUIREMENTS: dict[Action, Requirement] = {
    Action.AWAIT_CUSTOMER: Requirement(reason=True),
    Action.REOPEN: Requirement(reason=True),
    Action.RESPOND: Requirement(company_response=True),
    Action.REJECT_CLOSURE: Requirement(reason=True),
}

#: Kinds whose closure must carry a CFPB company-response category (CCDB "Company response to consumer").
RESPONSE_KINDS = frozenset({CaseKind.COMPLAINT, CaseKind.DISPUTE})


class InvalidTransition(ValueError):
    """The action is not allowed from the case's current status; ``allowed`` lists what is."""

    def __init__(self, kind: str, status: str, action: str, allowed: tuple[str, ...]) -> None:
        listed = ", ".join(allowed) or "none"
        super().__init__(f"cannot {action} a {kind} that is {status}; allowed: {listed}")
        self.allowed = allowed


def allowed_actions(kind: str, status: str, *, include_system: bool = False) -> tuple[str, ...]:
    """Actions a person may take on a ``kind`` case in ``status`` (approval outcomes excluded unless
    ``include_system``). Unknown kind or status -> ``()``."""
    table = WORKFLOWS.get(CaseKind(kind)) if kind in CaseKind.__members__.values() else None
    if table is None or status not in Status.__members__.values():
        return ()
    system = {Action.APPROVE_CLOSURE, Action.REJECT_CLOSURE}
    return tuple(a.value for a in table.get(Status(status), {}) if include_system or a not in system)


def next_status(kind: str, status: str, action: str) -> Status:
    """The status a ``kind`` case in ``status`` moves to on ``action``.

    Raises:
        InvalidTransition: the action is unknown or not allowed from ``status``.
    """
    allowed = allowed_actions(kind, status, include_system=True)
    if action not in allowed:
        raise InvalidTransition(kind, status, action, allowed_actions(kind, status))
    return WORKFLOWS[CaseKind(kind)][Status(status)][Action(action)]


def is_open(status: str) -> bool:
    """True for every status but closed."""
    return status != Status.CLOSED


#: Clock keys stopped when a case reaches a status. A response stops the answer-type clocks (CFPB
#: 15-day response, Reg Z acknowledgement, internal acknowledgement); closure stops every clock.
_RESPONSE_CLOCKS = frozenset({"cfpb_response", "reg_z_acknowledgement", "sla_acknowledgement"})


def clocks_stopped_by(new_status: str, running: frozenset[str] | set[str]) -> frozenset[str]:
    """Which of the ``running`` clock keys stop when a case enters ``new_status``."""
    if new_status == Status.CLOSED:
        return frozenset(running)
    if new_status in (Status.RESPONDED, Status.PENDING_APPROVAL):
        return frozenset(running) & _RESPONSE_CLOCKS
    return frozenset()


MONETARY_RELIEF = "Closed with monetary relief"


def closure_needs_approval(kind: str, company_response: str) -> bool:
    """Maker-checker (DESIGN decision 11): a complaint or dispute closed with monetary relief, and
    every AML investigation disposition, is closed only when a second person approves."""
    if kind == CaseKind.AML_INVESTIGATION:
        return True
    return kind in RESPONSE_KINDS and company_response == MONETARY_RELIEF
