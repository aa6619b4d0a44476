"""A small real bank (a subset of the Berka files) and tokens for API tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.berka_subset import ACCOUNTS, make_subset

from bankcrm.datasets.berka.loader import import_berka
from bankcrm.identity import services as identity
from bankcrm.parties.models import Party

#: Account 3050: owner client 3687 and disponent 3688 (a household), loan 5595, card 577 (classic,
#: issued 1994-02-15), 4 standing orders and 76 transactions.
API_ACCOUNTS = ACCOUNTS | {3050}


@pytest.fixture
def bank(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import_berka(actor=None, directory=make_subset(tmp_path / "berka", API_ACCOUNTS))


@pytest.fixture
def client_3687(bank) -> Party:  # type: ignore[no-untyped-def]
    return Party.objects.get(source_system="berka", source_id="client:3687")


def bearer(user, scopes: list[str] | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    issued = identity.create_token(actor=None, user=user, scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}


@pytest.fixture
def agent_auth(agent_user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return bearer(agent_user)
