"""Replicate the real Berka transactions onto new synthetic accounts and parties, to reach a
volume such as 1,000,000 transactions (``bankcrm import replicate --transactions N``).

Rule (documented in docs/data-model.md): replica ``r`` = 1, 2, ... creates, for every Berka
account that has transactions (in account order), one synthetic person party (a deterministic
Czech-style identity keyed by ``10_000_000 + 100_000 * r + account_id``, same branch as the source
account) owning one synthetic account (the same number as serial), and copies every
transaction of the source account with the same booking date, direction, amount, balance,
operation and purpose. Replicas are added, account by account, until ``N`` transactions exist:
the last replica covers only the lowest account ids needed to reach ``N`` (the last of them cut
at ``N`` in booking order), so no replica account is left without transactions. All rows are
flagged synthetic and carry the load batch label ``replica:N``; a second run with the same ``N``
does nothing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction

from bankcrm.audit import services as audit
from bankcrm.core import clock
from bankcrm.core.bulk import analyze, insert_instances
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.datasets.common import Progress, no_progress
from bankcrm.datasets.models import DataLoad
from bankcrm.datasets.synthetic import czech_identity
from bankcrm.holdings import services as holdings
from bankcrm.holdings.models import Account, AccountRole, Transaction
from bankcrm.holdings.numbers import make_account_number
from bankcrm.identity.models import User
from bankcrm.parties.models import Party
from bankcrm.parties.text import fold

SOURCE = "replica"
SERIAL_BASE = 10_000_000
SERIAL_STRIDE = 100_000  # Berka account ids stay below 100,000
_FIELDS = (
    "account_id",
    "booking_date",
    "direction",
    "amount_minor",
    "currency",
    "balance_after_minor",
    "type",
    "operation",
    "purpose",
    "is_cash",
    "channel",
    "counterparty_bank",
    "counterparty_account",
    "country",
)


@dataclass(frozen=True)
class ReplicaResult:
    """Rows loaded, accounts and parties created, and seconds spent in set-up and bulk load."""

    transactions: int
    accounts: int
    setup_seconds: float
    load_seconds: float
    skipped: bool = False

    @property
    def rows_per_second(self) -> float:
        return self.transactions / self.load_seconds if self.load_seconds else 0.0


def replicate_berka(
    *, actor: User | None, transactions: int, progress: Progress = no_progress, batch_size: int = 50_000
) -> ReplicaResult:
    """Add synthetic replicas of the Berka ledger until ``transactions`` rows are loaded.

    Raises:
        ValidationFailed: ``transactions`` is not positive, or the Berka data is not loaded yet.
    """
    if transactions <= 0:
        raise ValidationFailed([FieldProblem("transactions", "must be a positive number")])
    label = f"replica:{transactions}"
    if DataLoad.objects.filter(source=SOURCE, label=label).exists():
        return ReplicaResult(0, 0, 0.0, 0.0, skipped=True)
    started = time.perf_counter()
    source_rows = list(Transaction.objects.filter(source_system="berka").order_by("id").values_list(*_FIELDS))
    if not source_rows:
        raise ValidationFailed([FieldProblem("berka", "load the Berka data first (bankcrm import berka)")])
    accounts = {
        a["id"]: a
        for a in Account.objects.filter(source_system="berka").values(
            "id",
            "source_id",
            "branch_id",
            "branch__code",
            "branch__name",
            "branch__region",
            "product_id",
            "currency",
            "opened_on",
        )
    }
    by_account: dict[uuid.UUID, list[tuple]] = {}
    for row in source_rows:
        by_account.setdefault(row[0], []).append(row)
    ordered = sorted(by_account, key=lambda a: int(accounts[a]["source_id"].split(":")[1]))
    replicas = -(-transactions // len(source_rows))

    with transaction.atomic():
        new_accounts: list[Account] = []
        new_parties: list[Party] = []
        new_roles: list[AccountRole] = []
        mapping: list[tuple[int, uuid.UUID, uuid.UUID]] = []  # (replica, source account, new account)
        planned = 0
        for r in range(1, replicas + 1):
            for src in ordered:
                if planned >= transactions:
                    break
                planned += len(by_account[src])
                a = accounts[src]
                berka_id = int(a["source_id"].split(":")[1])
                key = SERIAL_BASE + SERIAL_STRIDE * r + berka_id
                sex = "F" if key % 2 else "M"
                ident = czech_identity(
                    client_id=key, sex=sex, district_name=a["branch__name"], region=a["branch__region"]
                )
                name = f"{ident.given_name} {ident.family_name}"
                party = Party(
                    kind=Party.Kind.PERSON,
                    legal_name=name,
                    given_name=ident.given_name,
                    family_name=ident.family_name,
                    search_name=fold(name),
                    residence_country="CZ",
                    nationality="CZ",
                    language="cs",
                    branch_id=a["branch_id"],
                    is_synthetic=True,
                    synthetic_identity=True,
                    source_system=SOURCE,
                    source_id=f"party:{key}",
                )
                account = Account(
                    number=make_account_number(int(a["branch__code"][2:]), key),
                    product_id=a["product_id"],
                    branch_id=a["branch_id"],
                    currency=a["currency"],
                    opened_on=a["opened_on"],
                    is_synthetic=True,
                    source_system=SOURCE,
                    source_id=f"account:{key}",
                )
                new_parties.append(party)
                new_accounts.append(account)
                new_roles.append(
                    AccountRole(
                        account=account,
                        party=party,
                        role=AccountRole.Role.OWNER,
                        effective_from=a["opened_on"],
                        is_synthetic=True,
                        source_system=SOURCE,
                        source_id=f"role:{key}",
                    )
                )
                mapping.append((r, src, account.id))
        insert_instances(Party, new_parties)
        insert_instances(Account, new_accounts)
        insert_instances(AccountRole, new_roles)
        audit.record(
            actor=actor,
            action="datasets.replicate.setup",
            subject_type="load_batch",
            subject_id=label,
            payload={"parties": len(new_parties), "accounts": len(new_accounts), "replicas": replicas},
        )
        setup_seconds = time.perf_counter() - started

        def rows() -> Iterator[holdings.TransactionRow]:
            emitted = 0
            for _, src, new in mapping:
                for row in by_account[src]:
                    if emitted >= transactions:
                        return
                    yield holdings.TransactionRow._make((new, *row[1:], "", "", True))
                    emitted += 1
                    if emitted % batch_size == 0:
                        progress("transactions", emitted, transactions)

        t0 = time.perf_counter()
        result = holdings.bulk_load_transactions(
            actor=actor,
            rows=rows(),
            source=f"berka replica rule, N={transactions}",
            load_batch=label,
            batch_size=batch_size,
            validate=False,
        )
        load_seconds = time.perf_counter() - t0
        progress("transactions", result.rows, transactions)
        DataLoad.objects.create(
            source=SOURCE,
            label=label,
            counts={"transactions": result.rows, "accounts": len(new_accounts), "parties": len(new_parties)},
            actor=actor,
            finished_at=clock.now(),
        )
    analyze((Party, Account, AccountRole, Transaction))
    return ReplicaResult(result.rows, len(new_accounts), setup_seconds, load_seconds)
