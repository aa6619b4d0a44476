"""Tests for the Berka loader (bankcrm.datasets.berka.loader.import_berka) and for
bankcrm.holdings.services.bulk_load_transactions, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import pytest
from django.db import IntegrityError, connection, transaction
from tests.berka_subset import make_subset

from bankcrm.audit.models import AuditEvent
from bankcrm.audit.services import verify_chain
from bankcrm.core.errors import ValidationFailed
from bankcrm.datasets.berka.loader import import_berka
from bankcrm.datasets.models import DataLoad
from bankcrm.holdings import services as holdings_services
from bankcrm.holdings.models import (
    Account,
    AccountRole,
    Branch,
    Card,
    Loan,
    Product,
    StandingOrder,
    Transaction,
)
from bankcrm.holdings.numbers import is_valid_account_number, make_account_number
from bankcrm.holdings.services import TransactionRow, bulk_load_transactions
from bankcrm.parties.birth import decrypt_date_of_birth
from bankcrm.parties.models import (
    ContactPoint,
    Household,
    HouseholdMember,
    IdentityDocument,
    Party,
    PartyRelationship,
)
from bankcrm.privacy import crypto

pytestmark = pytest.mark.django_db

TRANS = "trans_head.asc"

#: Every table the loader writes to.
LOADED_MODELS = (
    Branch,
    Product,
    Party,
    ContactPoint,
    IdentityDocument,
    Account,
    AccountRole,
    PartyRelationship,
    Household,
    HouseholdMember,
    Loan,
    Card,
    StandingOrder,
    Transaction,
    DataLoad,
    AuditEvent,
)


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in LOADED_MODELS}


def _assert_nothing_written() -> None:
    assert _counts() == dict.fromkeys(_counts(), 0)


def _minor(value: str) -> int:
    return int(Decimal(value) * 100)


def _yymmdd(value: str) -> dt.date:
    return dt.date(1900 + int(value[:2]), int(value[2:4]), int(value[4:6]))


def _last_transaction_in_file(directory: Path, account_id: int) -> tuple[dt.date, int]:
    """(date, balance in minor units) of the last row of ``account_id`` in the transactions file."""
    last = None
    for line in (directory / TRANS).read_text(encoding="ascii").splitlines()[1:]:
        cells = line.split(";")
        if int(cells[1]) == account_id:
            last = (_yymmdd(cells[2]), _minor(cells[6]))
    assert last is not None
    return last


# --- the real data set -----------------------------------------------------------------------------


@pytest.mark.slow
def test_full_real_import_and_idempotent_reimport(berka_dir: Path) -> None:
    report = import_berka(actor=None, directory=berka_dir)

    assert report.changed_anything
    assert report.created["parties"] == 5369
    assert report.created["accounts"] == 4500
    assert report.created["transactions"] == 49102
    assert Party.objects.filter(source_system="berka").count() == 5369
    assert Account.objects.count() == 4500
    assert Loan.objects.count() == 682
    assert Card.objects.count() == 892
    assert StandingOrder.objects.count() == 6471
    assert Transaction.objects.count() == 49102
    assert Household.objects.count() == 869
    assert AccountRole.objects.count() == 5369
    assert AccountRole.objects.filter(role=AccountRole.Role.OWNER).count() == 4500
    assert AccountRole.objects.filter(role=AccountRole.Role.AUTHORIZED_USER).count() == 869
    assert PartyRelationship.objects.filter(type=PartyRelationship.Type.AUTHORIZED_SIGNER).count() == 869
    assert Branch.objects.filter(source_system="berka").count() == 77
    assert ContactPoint.objects.count() == 3 * 5369
    assert IdentityDocument.objects.count() == 5369
    assert DataLoad.objects.count() == 1
    # Every account with a DISPONENT gives one household of (at least) owner + disponent.
    assert HouseholdMember.objects.filter(role=HouseholdMember.Role.HEAD).count() == 869
    assert HouseholdMember.objects.count() >= 2 * 869

    # Client 1: "706213" -> a woman born 1970-12-13, district 18, synthetic identity.
    party = Party.objects.get(source_system="berka", source_id="client:1")
    assert decrypt_date_of_birth(party.date_of_birth_encrypted) == dt.date(1970, 12, 13)
    assert b"1970-12-13" not in bytes(party.date_of_birth_encrypted)
    assert party.sex == "F"
    assert party.synthetic_identity is True
    assert party.branch is not None
    assert party.branch.code == "CZ018"
    contacts = list(party.contact_points.all())
    assert sorted(c.kind for c in contacts) == ["address", "email", "phone"]
    assert all(c.is_synthetic for c in contacts)
    (email,) = [c for c in contacts if c.kind == "email"]
    assert email.value.endswith("@example.com")
    assert party.source_pii_encrypted is not None
    blob = bytes(party.source_pii_encrypted)
    assert crypto.decrypt(blob, field="party.source_pii") == "706213"
    assert b"706213" not in blob
    male = Party.objects.get(source_system="berka", source_id="client:2")
    assert (decrypt_date_of_birth(male.date_of_birth_encrypted), male.sex) == (dt.date(1945, 2, 4), "M")

    # Loan 5314;1787;930705;96396;12;8033.00;"B"
    loan = Loan.objects.select_related("account").get(source_system="berka", source_id="loan:5314")
    assert loan.account.source_id == "account:1787"
    assert (loan.amount_minor, loan.payment_minor) == (9639600, 803300)
    assert (loan.status, loan.currency, loan.duration_months) == ("B", "CZK", 12)
    assert loan.granted_on == dt.date(1993, 7, 5)

    # Card 1005;9285;"classic";931107 00:00:00 (disposition 9285 = client 9593 on account 7753)
    card = Card.objects.select_related("account", "holder").get(source_system="berka", source_id="card:1005")
    assert (card.type, card.issued_on) == ("classic", dt.date(1993, 11, 7))
    assert (card.account.source_id, card.holder.source_id) == ("account:7753", "client:9593")

    # Account 576;55;"POPLATEK MESICNE";930101 with transactions up to 1994-03-31.
    account = Account.objects.get(source_system="berka", source_id="account:576")
    assert account.statement_frequency == "monthly"
    assert len(account.number) == 12
    assert is_valid_account_number(account.number)
    assert account.number == make_account_number(55, 576)
    assert account.branch.code == "CZ055"
    assert account.opened_on == dt.date(1993, 1, 1)
    as_of, balance = _last_transaction_in_file(berka_dir, 576)
    assert (as_of, balance) == (dt.date(1994, 3, 31), 1855630)  # 172051;...;14.60;18556.30;"SLUZBY"
    assert (account.balance_minor, account.balance_as_of) == (balance, as_of)
    roles = {(r.party.source_id, r.role) for r in account.roles.select_related("party")}
    assert roles == {("client:692", "owner"), ("client:693", "authorized_user")}

    # Account 1 has no transaction in the public (partial) file: balance unknown.
    quiet = Account.objects.get(source_system="berka", source_id="account:1")
    assert (quiet.balance_minor, quiet.balance_as_of) == (None, None)
    assert quiet.statement_frequency == "monthly"
    assert Account.objects.filter(balance_minor__isnull=False).count() == 1229

    # 695247;2378;930101;"PRIJEM";"VKLAD";700.00;700.00;"";;
    t = Transaction.objects.select_related("account").get(source_system="berka", source_id="trans:695247")
    assert (t.direction, t.amount_minor, t.balance_after_minor) == ("credit", 70000, 70000)
    assert (t.is_cash, t.channel, t.operation, t.type) == (True, "branch", "VKLAD", "PRIJEM")
    assert (t.currency, t.purpose, t.counterparty_bank, t.counterparty_account) == ("CZK", "", "", "")
    assert (t.account.source_id, t.booking_date) == ("account:2378", dt.date(1993, 1, 1))
    assert t.load_batch.startswith("berka:")
    assert Transaction.objects.filter(type="VYBER", direction="debit").count() == 651
    assert Transaction.objects.filter(operation="VYBER KARTOU", channel="atm", is_cash=True).count() == 12

    # Second run: nothing new, nothing written, the audit chain intact.
    before = _counts()
    again = import_berka(actor=None, directory=berka_dir)
    assert again.changed_anything is False
    assert again.created
    assert all(n == 0 for n in again.created.values()), again.created
    assert again.unchanged["parties"] == 5369
    assert again.unchanged["transactions"] == 49102
    assert _counts() == before
    checked, broken = verify_chain()
    assert broken is None
    assert checked == before["AuditEvent"] > 0


def test_malformed_directory_writes_nothing(berka_dir: Path, tmp_path: Path) -> None:
    directory = tmp_path / "berka"
    shutil.copytree(berka_dir, directory)
    path = directory / TRANS
    lines = path.read_bytes().splitlines(keepends=True)
    last = len(lines)
    assert last == 49103
    cells = lines[-1].split(b";")
    assert cells[2] == b"940331"
    cells[2] = b"940231"  # 31 February
    lines[-1] = b";".join(cells)
    path.write_bytes(b"".join(lines))

    with pytest.raises(ValidationFailed) as info:
        import_berka(actor=None, directory=directory)
    assert [(p.location, p.field) for p in info.value.problems] == [(f"{TRANS}:{last}", "date")]
    _assert_nothing_written()


def test_failure_half_way_writes_nothing(berka_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = make_subset(tmp_path / "berka", {1, 2, 576, 1787, 7753})
    calls: list[dict[str, object]] = []

    def boom(**kwargs: object) -> NoReturn:
        calls.append(kwargs)
        assert Party.objects.filter(source_system="berka").exists()  # the load is under way
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(holdings_services, "bulk_load_transactions", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_berka(actor=None, directory=directory)
    assert len(calls) == 1
    _assert_nothing_written()


def test_subset_import_then_reimport(berka_dir: Path, tmp_path: Path) -> None:
    directory = make_subset(tmp_path / "berka", {1, 2, 576, 1787, 7753})
    report = import_berka(actor=None, directory=directory)
    assert report.created["accounts"] == 5
    assert report.created["parties"] == 7  # clients 1, 2, 3, 692, 693, 2166, 9593
    assert report.created["households"] == 2  # accounts 2 and 576
    assert report.created["relationships"] == 2
    events = AuditEvent.objects.count()
    again = import_berka(actor=None, directory=directory)
    assert not again.changed_anything
    assert AuditEvent.objects.count() == events
    assert DataLoad.objects.count() == 1
    # The same data set with more accounts: only the new rows are created.
    bigger = make_subset(tmp_path / "bigger", {1, 2, 576, 1787, 7753, 485})
    third = import_berka(actor=None, directory=bigger)
    assert third.created["accounts"] == 1
    assert third.unchanged["accounts"] == 5
    assert third.created["transactions"] == 131
    assert Account.objects.count() == 6
    assert verify_chain()[1] is None


def test_balance_is_the_end_of_day_balance(berka_dir: Path, tmp_path: Path) -> None:
    # Account 485 on 1994-03-31, in file order:
    #   145070;485;940331;"VYDAJ";"VYBER";100.00;17391.10;"SLUZBY"   (17491.10 - 100.00)
    #   3546697;485;940331;"PRIJEM";"";43.40;17491.10;"UROK"         (17447.70 + 43.40)
    # The interest is booked first (17447.70 -> 17491.10), then the fee (-> 17391.10).
    directory = make_subset(tmp_path / "berka", {485})
    import_berka(actor=None, directory=directory)
    account = Account.objects.get(source_system="berka", source_id="account:485")
    assert account.balance_as_of == dt.date(1994, 3, 31)
    assert account.balance_minor == 1739110


# --- bulk_load_transactions ----------------------------------------------------------------------


@pytest.fixture
def account() -> Account:
    branch = Branch.objects.create(code="T001", name="Test branch", country="CZ")
    product = Product.objects.create(code="T-CURRENT", name="Test current", type="checking", currency="CZK")
    return Account.objects.create(
        number=make_account_number(1, 42),
        product=product,
        branch=branch,
        currency="CZK",
        opened_on=dt.date(1995, 1, 1),
    )


def _rows(account_id: uuid.UUID, n: int, first: int = 0, **override: Any) -> list[TransactionRow]:
    """``n`` valid rows with source ids ``t:first`` ...; ``override`` applies to the 7th row."""
    return [
        TransactionRow(
            account_id=account_id,
            booking_date=dt.date(1995, 1, 1) + dt.timedelta(days=i),
            direction="credit" if i % 2 else "debit",
            amount_minor=100 * (i + 1),
            currency="CZK",
            balance_after_minor=-i,
            channel="branch",
            source_system="test",
            source_id=f"t:{first + i}",
        )._replace(**(override if i == 6 else {}))
        for i in range(n)
    ]


def test_bulk_load_in_batches(account: Account) -> None:
    rows = _rows(account.pk, 12)
    result = bulk_load_transactions(
        actor=None, rows=iter(rows), source="test.csv", source_sha256="ab" * 32, batch_size=5
    )
    assert (result.rows, result.batches) == (12, 3)
    events = list(AuditEvent.objects.filter(action="holdings.transactions.bulk_load").order_by("sequence"))
    assert len(events) == 3
    assert AuditEvent.objects.count() == 3
    assert [e.payload["rows"] for e in events] == [5, 5, 2]
    assert [e.payload["batch"] for e in events] == [1, 2, 3]
    assert {e.payload["source"] for e in events} == {"test.csv"}
    assert {e.payload["source_sha256"] for e in events} == {"ab" * 32}
    assert {(e.subject_type, e.subject_id) for e in events} == {("load_batch", result.load_batch)}
    assert len(result.load_batch) == 32
    stored = list(Transaction.objects.filter(account=account).order_by("booking_date"))
    assert len(stored) == 12
    assert {t.load_batch for t in stored} == {result.load_batch}
    assert [t.amount_minor for t in stored] == [100 * (i + 1) for i in range(12)]
    assert stored[11].direction == "credit"
    assert stored[11].balance_after_minor == -11
    assert stored[0].source_id == "t:0"
    assert verify_chain() == (3, None)


def test_bulk_load_with_a_given_label(account: Account) -> None:
    result = bulk_load_transactions(actor=None, rows=_rows(account.pk, 3), source="x", load_batch="my-load")
    assert (result.rows, result.batches, result.load_batch) == (3, 1, "my-load")
    assert Transaction.objects.filter(load_batch="my-load").count() == 3


def test_bulk_load_nothing(account: Account) -> None:
    result = bulk_load_transactions(actor=None, rows=[], source="x")
    assert (result.rows, result.batches) == (0, 0)
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("override", "fieldname"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"currency": "XXX"}, "currency"),
        ({"amount_minor": -1}, "amount_minor"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_bulk_load_invalid_row_writes_nothing(account: Account, override: dict, fieldname: str) -> None:
    rows = _rows(account.pk, 12, **override)  # row 7, in the second batch of 5
    with pytest.raises(ValidationFailed) as info:
        bulk_load_transactions(actor=None, rows=rows, source="test.csv", batch_size=5)
    assert [(p.field, p.location) for p in info.value.problems] == [(fieldname, "row 7")]
    assert Transaction.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_bulk_load_unknown_account_raises_integrity_error(account: Account) -> None:
    # Real commits here: the foreign key is checked when bulk_load_transactions' own transaction
    # commits (deferred constraint on both SQLite and PostgreSQL).
    rows = _rows(account.pk, 4) + _rows(uuid.uuid4(), 1, first=4)
    with pytest.raises(IntegrityError):
        bulk_load_transactions(actor=None, rows=rows, source="test.csv", batch_size=2)
    assert Transaction.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert not connection.in_atomic_block


def test_bulk_load_unknown_account_inside_a_transaction(account: Account) -> None:
    # Inside an enclosing transaction the deferred check runs at its commit; force it here.
    rows = _rows(uuid.uuid4(), 3)
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_load_transactions(actor=None, rows=rows, source="test.csv")
        connection.check_constraints()
    assert Transaction.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_bulk_load_repeated_source_id_writes_nothing(account: Account) -> None:
    bulk_load_transactions(actor=None, rows=_rows(account.pk, 3), source="first")
    events = AuditEvent.objects.count()
    # Rows t:5, t:6 are new, t:2 repeats: the whole second load is rolled back. The error is the
    # Django's IntegrityError (raw-driver errors are wrapped).
    rows = _rows(account.pk, 2, first=5) + _rows(account.pk, 1, first=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_load_transactions(actor=None, rows=rows, source="second", batch_size=2)
    assert Transaction.objects.count() == 3
    assert AuditEvent.objects.count() == events


def test_bulk_load_repeated_source_id_raises_django_integrity_error(account: Account) -> None:
    bulk_load_transactions(actor=None, rows=_rows(account.pk, 3), source="first")
    try:
        with transaction.atomic():
            bulk_load_transactions(actor=None, rows=_rows(account.pk, 1, first=2), source="second")
    except Exception as exc:
        assert isinstance(exc, IntegrityError), type(exc)
    else:
        pytest.fail("no error for a repeated source id")
