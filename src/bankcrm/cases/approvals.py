"""The maker-checker approval primitive (DESIGN decision 11).

A *maker* proposes an action (:func:`request_approval`); a *checker*, who must be a different person
holding the checker permission registered for that action, approves or rejects it. Approval runs the
registered handler in the same transaction as the decision, so the action and its approval are
audited together and either both happen or neither does. Used by case closures with monetary relief
(here), and later by SAR filing, EDD sign-off and scenario threshold changes.

Handlers are registered per action name with :func:`register`:
``register("case.close_with_relief", perm=Perm.CASES_APPROVE, on_approve=fn, on_reject=fn)`` where
``fn(*, actor, approval)`` performs (or unwinds) the action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.cases.models import Approval
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, FieldProblem, ValidationFailed
from bankcrm.identity.models import User

Handler = Callable[..., Any]


@dataclass(frozen=True)
class ApprovalKind:
    """What an action needs: the checker permission and the handlers run on each decision."""

    perm: Perm
    on_approve: Handler
    on_reject: Handler | None = None


_REGISTRY: dict[str, ApprovalKind] = {}


def register(action: str, *, perm: Perm, on_approve: Handler, on_reject: Handler | None = None) -> None:
    """Register the handlers of an approvable ``action`` (idempotent; the last registration wins)."""
    _REGISTRY[action] = ApprovalKind(perm=perm, on_approve=on_approve, on_reject=on_reject)


def kind_of(action: str) -> ApprovalKind:
    """The registration of ``action``.

    Raises:
        ValidationFailed: no such approvable action (field ``action``).
    """
    try:
        return _REGISTRY[action]
    except KeyError:
        raise ValidationFailed([FieldProblem("action", f"{action!r} is not an approvable action")]) from None


@transaction.atomic
def request_approval(
    *, actor: User, action: str, subject_type: str, subject_id: str, summary: str, payload: dict[str, Any]
) -> Approval:
    """Propose ``action`` on a subject; nothing happens until a checker approves.

    Raises:
        ValidationFailed: unknown action or empty summary.
        Conflict: an approval of the same action on the same subject is already pending.
    """
    kind_of(action)
    summary = summary.strip()
    if not summary:
        raise ValidationFailed([FieldProblem("summary", "must not be empty")])
    now = clock.now()
    try:
        with transaction.atomic():
            approval = Approval.objects.create(
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                payload=payload,
                summary=summary[:300],
                requested_by=actor,
                requested_at=now,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise Conflict(f"an approval of {action} for this {subject_type} is already pending") from None
    audit.record(
        actor=actor,
        action="approval.request",
        subject_type=subject_type,
        subject_id=subject_id,
        payload={"approval": str(approval.pk), "action": action},
    )
    return approval


def _decide(*, actor: User, approval: Approval, approve: bool, reason: str) -> Approval:
    kind = kind_of(approval.action)
    require(actor, kind.perm)
    locked = Approval.objects.select_for_update().get(pk=approval.pk)
    if locked.status != Approval.Status.PENDING:
        raise Conflict(f"this approval is already {locked.status}")
    if locked.requested_by_id == actor.pk:
        # Four eyes: the maker may never be the checker, whatever their roles.
        raise PermissionDenied("you cannot decide an approval you requested")
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationFailed([FieldProblem("reason", "a rejection needs a reason")])
    now = clock.now()
    locked.status = Approval.Status.APPROVED if approve else Approval.Status.REJECTED
    locked.decided_by = actor
    locked.decided_at = now
    locked.decision_reason = reason[:500]
    locked.updated_at = now
    locked.version += 1
    locked.save()
    audit.record(
        actor=actor,
        action="approval.approve" if approve else "approval.reject",
        subject_type=locked.subject_type,
        subject_id=locked.subject_id,
        payload={"approval": str(locked.pk), "action": locked.action, "requested_by": str(locked.requested_by_id)},
    )
    handler = kind.on_approve if approve else kind.on_reject
    if handler is not None:
        handler(actor=actor, approval=locked)
    return locked


@transaction.atomic
def approve(*, actor: User, approval: Approval, reason: str = "") -> Approval:
    """Approve and carry out the action, in one transaction.

    Raises:
        PermissionDenied: the actor lacks the checker permission, or requested it themselves.
        Conflict: the approval was already decided.
    """
    return _decide(actor=actor, approval=approval, approve=True, reason=reason)


@transaction.atomic
def reject(*, actor: User, approval: Approval, reason: str) -> Approval:
    """Reject with a reason; the registered reject handler unwinds the pending state.

    Raises:
        PermissionDenied, Conflict: as :func:`approve`; ValidationFailed: no reason.
    """
    return _decide(actor=actor, approval=approval, approve=False, reason=reason)
