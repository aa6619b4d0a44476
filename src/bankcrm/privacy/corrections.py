"""Correction requests: a customer (portal) or a member of staff records which field is wrong and
the correct value; a privacy officer approves (the parties service applies the change) or
rejects with a reason.

Deadlines: GLBA and Reg P give customers no right to have their records corrected and so set no
deadline; FCRA's 30-day dispute clock concerns information furnished to consumer reporting
agencies, a different flow. The bank answers within :data:`RESPONSE_DAYS` calendar days, an
internal target borrowed from CCPA 1798.130 (45 days; REGULATORY_FACTS.md 2.6, marked M), which
does apply to non-GLBA data of California residents.

Controls: the person who recorded a request may not decide it (four eyes); a party under legal
hold is not changed (the request waits or is rejected); the proposed value is held only
encrypted and is erased when the request is decided; audit events carry field names, never values.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction

from bankcrm.audit import services as audit
from bankcrm.authz import masking
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require, visible_party_ids
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.identity.models import CustomerLink, User
from bankcrm.parties import services as parties
from bankcrm.parties.models import Party
from bankcrm.privacy import crypto
from bankcrm.privacy.contact_rules import CHANNELS
from bankcrm.privacy.models import CorrectionRequest, DataRequest, LegalHold

RESPONSE_DAYS = 45
FIELD = "correction.proposed_value"
#: Where a request came in: the portal ("web"), a branch, or a contact channel.
REQUEST_CHANNELS = ("web", "branch", *CHANNELS)


def _may_request_for(actor: User, party: Party) -> bool:
    if actor.kind == User.Kind.CUSTOMER:
        return CustomerLink.objects.filter(user=actor, party=party).exists()
    if not actor.has_perm_code(Perm.PRIVACY_REQUEST):
        return False
    visible = visible_party_ids(actor)
    return visible is None or Party.objects.filter(pk=party.pk, pk__in=visible).exists()


@transaction.atomic
def request_correction(*, actor: User, party: Party, field: str, proposed_value: str, channel: str) -> DataRequest:
    """Record a correction request for ``party``: ``field`` (one of
    :data:`bankcrm.parties.services.CORRECTABLE_FIELDS`) should be ``proposed_value``.

    Customers may ask for their own parties only; staff need ``privacy:request`` and must be able
    to see the party. The request is due :data:`RESPONSE_DAYS` calendar days after receipt.

    Returns:
        The new :class:`DataRequest` (kind ``correction``, status ``received``) with its
        :class:`CorrectionRequest`.

    Raises:
        PermissionDenied: the actor may not make requests for this party.
        ValidationFailed: unknown field or channel, or an invalid value (fields ``field``,
            ``channel``, ``proposed_value``); nothing is written.
    """
    if not actor.is_authenticated or not _may_request_for(actor, party):
        raise PermissionDenied("privacy:request required for this party")
    problems: list[FieldProblem] = []
    if channel not in REQUEST_CHANNELS:
        problems.append(FieldProblem("channel", f"must be one of {', '.join(REQUEST_CHANNELS)}"))
    try:
        value = parties.clean_correction(field, proposed_value)
    except ValidationFailed as exc:
        problems += exc.problems
    if problems:
        raise ValidationFailed(problems)
    received = clock.now()
    request = DataRequest.objects.create(party=party, kind=DataRequest.Kind.CORRECTION, received_at=received)
    CorrectionRequest.objects.create(
        request=request,
        field=field,
        proposed_value_encrypted=crypto.encrypt(value, field=FIELD),
        requested_by=actor,
        channel=channel,
        due_at=received + dt.timedelta(days=RESPONSE_DAYS),
    )
    audit.record(
        actor=actor,
        action="privacy.correction.request",
        subject_type="party",
        subject_id=str(party.pk),
        payload={"request": str(request.pk), "field": field, "channel": channel},
    )
    return request


def proposed_value(request: DataRequest) -> str | None:
    """The decrypted proposed value of an undecided correction request (None once decided).
    For the deciding officer's screen: the caller must hold ``privacy:manage``."""
    blob = request.correction.proposed_value_encrypted
    return crypto.decrypt(blob, field=FIELD) if blob else None


def proposed_value_for(actor: User, request: DataRequest) -> str | None:
    """The proposed value as the deciding officer may see it: a date of birth follows the
    date-of-birth masking (in full, audited as ``pii.read``, only with ``parties:date_of_birth``;
    else ``YYYY-••-••``); other fields in full. None once decided, or without ``privacy:manage``."""
    if not actor.has_perm_code(Perm.PRIVACY_MANAGE):
        return None
    value = proposed_value(request)
    if value is None or request.correction.field != "date_of_birth":
        return value
    born = dt.date.fromisoformat(value)
    if not actor.has_perm_code(Perm.DATE_OF_BIRTH_READ):
        return masking.mask_date_of_birth(born)
    audit.record_standalone(
        actor=actor,
        action="pii.read",
        subject_type="party",
        subject_id=str(request.party_id),
        payload={"field": FIELD, "request": str(request.pk)},
    )
    return value


@transaction.atomic
def decide_correction(*, actor: User, request: DataRequest, approve: bool, reason: str = "") -> DataRequest:
    """Approve (apply through :func:`bankcrm.parties.services.correct_party`) or reject (with a
    stated ``reason``) a received correction request; the proposed value is then erased.

    Returns:
        The request, ``completed`` (approved) or ``refused`` (rejected); ``outcome`` holds the
        decision, the field and the columns changed or the reason.

    Raises:
        PermissionDenied: the actor lacks ``privacy:manage``.
        ValidationFailed: not a correction or already decided (field ``request``); the actor
            recorded the request (field ``actor``); a rejection without a reason (field
            ``reason``); the party is under legal hold (field ``party``); the value is no longer
            valid (as the parties service says). Nothing changes.
    """
    require(actor, Perm.PRIVACY_MANAGE)
    locked = DataRequest.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None or locked.kind != DataRequest.Kind.CORRECTION:
        raise ValidationFailed([FieldProblem("request", "is not a correction request")])
    request = locked
    correction = request.correction
    if request.status != DataRequest.Status.RECEIVED:
        raise ValidationFailed([FieldProblem("request", f"was already decided ({request.status})")])
    if correction.requested_by_id == actor.pk:
        raise ValidationFailed([FieldProblem("actor", "the person who recorded a request may not decide it")])
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationFailed([FieldProblem("reason", "state why the correction is rejected")])
    party = request.party
    payload: dict[str, object] = {"request": str(request.pk), "field": correction.field}
    if approve:
        if LegalHold.objects.filter(party=party, released_at__isnull=True).exists():
            raise ValidationFailed([FieldProblem("party", "is under legal hold: the record may not be changed")])
        value = proposed_value(request) or ""
        changed = parties.correct_party(
            actor=actor, party=party, field=correction.field, value=value, request_id=str(request.pk)
        )
        request.status = DataRequest.Status.COMPLETED
        request.outcome = {"decision": "approved", "field": correction.field, "changed": changed}
        payload["changed"] = changed
    else:
        request.status = DataRequest.Status.REFUSED
        request.outcome = {"decision": "rejected", "field": correction.field, "reason": reason[:500]}
        correction.decision_reason = reason[:500]
    now = clock.now()
    request.completed_at, request.handled_by, request.updated_at = now, actor, now
    request.version += 1
    request.save()
    correction.proposed_value_encrypted = None  # no longer needed either way (data minimisation)
    correction.updated_at = now
    correction.save()
    audit.record(
        actor=actor,
        action="privacy.correction.approve" if approve else "privacy.correction.reject",
        subject_type="party",
        subject_id=str(party.pk),
        payload=payload,
    )
    return request
