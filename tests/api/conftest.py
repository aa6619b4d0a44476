"""A small real bank (a subset of the Berka files) and tokens for API tests."""

from __future__ import annotations

import pytest

from bankcrm.identity import services as identity


def bearer(user, scopes: list[str] | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    issued = identity.create_token(actor=None, user=user, scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}


@pytest.fixture
def agent_auth(agent_user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return bearer(agent_user)
