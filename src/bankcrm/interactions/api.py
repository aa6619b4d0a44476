"""``/api/v1/interactions``: log a contact on a party's timeline."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from bankcrm.api.auth import TokenAuth
from bankcrm.authz.permissions import Perm
from bankcrm.core.idempotency import idempotent_json
from bankcrm.holdings import selectors as holdings
from bankcrm.interactions import services
from bankcrm.interactions.schemas import InteractionCreate
from bankcrm.parties import selectors as parties
from bankcrm.parties.schemas import InteractionRead, interaction_read

router = Router(tags=["interactions"])


@router.post(
    "",
    response={201: InteractionRead},
    auth=TokenAuth(Perm.INTERACTIONS_WRITE),
    summary="Log an interaction",
)
def create(request: HttpRequest, payload: InteractionCreate) -> Any:
    """Record a visit, call, e-mail, chat or message on the party's timeline. Honours
    ``Idempotency-Key``: a retry with the same key and body returns the first result."""
    actor = request.user

    def handler() -> tuple[int, Any]:
        party = parties.get_party(actor, payload.party_id)  # type: ignore[arg-type]
        account = holdings.get_account(actor, payload.account_id) if payload.account_id else None  # type: ignore[arg-type]
        interaction = services.log_interaction(
            actor=actor,  # type: ignore[arg-type]
            party=party,
            channel=payload.channel,
            direction=payload.direction,
            purpose=payload.purpose,
            summary=payload.summary,
            occurred_at=payload.occurred_at,
            account=account,
        )
        return 201, InteractionRead(**interaction_read(interaction)).model_dump(mode="json")

    return idempotent_json(request, handler)
