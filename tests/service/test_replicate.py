"""The replication rule behind the 1,000,000-transaction benchmark load (docs/data-model.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import Count

from bankcrm.audit.services import verify_chain
from bankcrm.core.errors import ValidationFailed
from bankcrm.datasets.berka.loader import import_berka
from bankcrm.datasets.replicate import replicate_berka
from bankcrm.holdings.models import Account, Transaction
from bankcrm.holdings.numbers import is_valid_account_number

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_replicate_requires_berka() -> None:
    with pytest.raises(ValidationFailed, match="load the Berka data first"):
        replicate_berka(actor=None, transactions=10)


def test_replicas_copy_the_ledger_and_rerun_is_a_no_op(berka_dir: Path) -> None:
    import_berka(actor=None, directory=berka_dir)
    result = replicate_berka(actor=None, transactions=60_000)  # one full replica (49,102) + part of a second
    assert result.transactions == 60_000
    replicas = Transaction.objects.filter(load_batch="replica:60000")
    assert replicas.count() == 60_000
    assert not replicas.exclude(is_synthetic=True).exists()
    accounts = Account.objects.filter(source_system="replica")
    assert accounts.count() == result.accounts
    # Every replica account received transactions (no empty accounts in the partial replica).
    assert accounts.annotate(n=Count("transactions")).filter(n=0).count() == 0
    # Replica 1 of Berka account 576 carries the same ledger as the original.
    original = Transaction.objects.filter(account__source_id="account:576", account__source_system="berka")
    copy = Transaction.objects.filter(account__source_id=f"account:{10_000_000 + 100_000 + 576}")
    fields = ("booking_date", "direction", "amount_minor", "balance_after_minor", "operation", "purpose")
    assert list(copy.order_by("id").values_list(*fields)) == list(original.order_by("id").values_list(*fields))
    assert all(is_valid_account_number(n) for n in accounts.values_list("number", flat=True)[:100])
    again = replicate_berka(actor=None, transactions=60_000)
    assert again.skipped and Transaction.objects.filter(load_batch="replica:60000").count() == 60_000
    assert verify_chain()[1] is None


def test_non_positive_target_is_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        replicate_berka(actor=None, transactions=0)
    assert info.value.problems[0].field == "transactions"
