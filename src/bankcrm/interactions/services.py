"""Writes to the interaction timeline."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.holdings.models import Account
from bankcrm.identity.models import User
from bankcrm.interactions.models import Interaction
from bankcrm.parties.models import Party

MAX_SUMMARY = 4000
MAX_PURPOSE = 64


@transaction.atomic
def log_interaction(
    *,
    actor: User,
    party: Party,
    channel: str,
    direction: str,
    purpose: str,
    summary: str,
    occurred_at: dt.datetime | None = None,
    account: Account | None = None,
) -> Interaction:
    """Record one contact with ``party`` on its timeline (audited as ``interaction.create``).

    Args:
        channel: one of :class:`Interaction.Channel` (branch, phone, email, chat, web, mobile, letter, sms).
        direction: ``inbound`` or ``outbound``.
        purpose: short reason (1-64 characters), e.g. "balance enquiry".
        summary: what was said or done (1-4,000 characters).
        occurred_at: timezone-aware instant, not in the future; default now (the clock's).
        account: optional account the contact was about; must be one the party holds.

    Raises:
        ValidationFailed: naming each invalid field; nothing is written.
        PermissionDenied: the actor may not write interactions.
    """
    require(actor, Perm.INTERACTIONS_WRITE)
    problems: list[FieldProblem] = []
    if channel not in Interaction.Channel.values:
        problems.append(FieldProblem("channel", f"must be one of {', '.join(Interaction.Channel.values)}"))
    if direction not in Interaction.Direction.values:
        problems.append(FieldProblem("direction", "must be inbound or outbound"))
    purpose, summary = purpose.strip(), summary.strip()
    if not purpose or len(purpose) > MAX_PURPOSE:
        problems.append(FieldProblem("purpose", f"must be 1 to {MAX_PURPOSE} characters"))
    if not summary or len(summary) > MAX_SUMMARY:
        problems.append(FieldProblem("summary", f"must be 1 to {MAX_SUMMARY} characters"))
    now = clock.now()
    when = occurred_at or now
    if when.tzinfo is None:
        problems.append(FieldProblem("occurred_at", "must include a time zone"))
    elif when > now + dt.timedelta(minutes=5):
        problems.append(FieldProblem("occurred_at", "must not be in the future"))
    if account is not None and not account.roles.filter(party=party).exists():
        problems.append(FieldProblem("account_id", "is not an account of this party"))
    if problems:
        raise ValidationFailed(problems)
    interaction = Interaction.objects.create(
        party=party,
        account=account,
        channel=channel,
        direction=direction,
        purpose=purpose,
        summary=summary,
        occurred_at=when,
        staff=actor if actor.kind == User.Kind.STAFF else None,
        created_at=now,
        updated_at=now,
    )
    audit.record(
        actor=actor,
        action="interaction.create",
        subject_type="party",
        subject_id=str(party.pk),
        payload={"interaction": str(interaction.pk), "channel": channel, "direction": direction},
    )
    return interaction


class ContactRefused(ValidationFailed):
    """The contact rules refuse this message; ``reasons`` are the rule codes."""

    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__([FieldProblem("contact", f"refused: {', '.join(reasons)}")])
        self.reasons = reasons


_MESSAGE_CHANNELS = {"email": "email", "sms": "sms", "phone": "phone", "post": "letter"}


def send_message(
    *,
    actor: User,
    party: Party,
    purpose: str,
    channel: str,
    summary: str,
    uses_affiliate_data: bool = False,
) -> Interaction:
    """Every outbound message goes through here: the contact decision
    (:func:`bankcrm.privacy.selectors.may_contact`) first, then the message is recorded on the
    timeline. A refusal is audited (with its reasons) and nothing is sent.

    Args:
        purpose: ``service`` or ``marketing``; channel: ``email``, ``sms``, ``phone`` or ``post``.

    Raises:
        ContactRefused: the rules refuse it (e.g. ``no_marketing_consent``, ``do_not_call``).
    """
    from bankcrm.privacy.selectors import may_contact

    decision = may_contact(party, purpose=purpose, channel=channel, uses_affiliate_data=uses_affiliate_data)
    if not decision.allowed:
        audit.record_standalone(
            actor=actor,
            action="interaction.message.refused",
            subject_type="party",
            subject_id=str(party.pk),
            payload={"purpose": purpose, "channel": channel, "reasons": list(decision.reasons)},
        )
        raise ContactRefused(decision.reasons)
    return log_interaction(
        actor=actor,
        party=party,
        channel=_MESSAGE_CHANNELS[channel],
        direction=Interaction.Direction.OUTBOUND,
        purpose=f"{purpose} message",
        summary=summary,
    )
