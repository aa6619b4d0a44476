"""Tests for the Berka / PKDD'99 parser (bankcrm.datasets.berka.parser): pure parsing, no database.

Fixture directories are built from the real files in data/berka-pkdd99: the real header and a
referentially consistent subset of real rows (all 77 districts; the accounts in ``ACCOUNTS`` with
their dispositions, clients, cards, loans, orders and transactions), written byte for byte with the
original CRLF line endings. Malformed inputs are made by changing one real line.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from tests.berka_subset import ACCOUNTS, REAL, TRANS, make_subset
from tests.berka_subset import field_of as _field
from tests.berka_subset import lines_of as _lines

from bankcrm.core.errors import ValidationFailed
from bankcrm.datasets.berka import parser
from bankcrm.datasets.berka.parser import (
    BerkaData,
    parse_amount_minor,
    parse_birth_number,
    parse_directory,
    parse_yymmdd,
)

#: Accounts kept in the fixture, each chosen for a quirk it carries in the real data:
#: 1 (client 1 "706213", no transactions), 2 (client 2 "450204" + a DISPONENT), 576 (monthly,
#: DUCHOD transfers, interest), 485 (per-transaction statements, type VYBER, k_symbol " "),
#: 1787 (loan 5314), 2099 (weekly statements), 2378 (trans 695247 VKLAD, SIPO), 4034 (negative
#: balances), 4937 (quoted-empty bank), 7753 (card 1005, VYBER KARTOU).


# --- fixture helpers ----------------------------------------------------------------------------


def line_number(path: Path, prefix: bytes) -> int:
    """1-based number of the first line of ``path`` starting with ``prefix``."""
    for n, ln in enumerate(_lines(path), start=1):
        if ln.startswith(prefix):
            return n
    raise AssertionError(f"no line starting with {prefix!r} in {path.name}")


def replace_line(path: Path, number: int, new: bytes) -> None:
    """Replace line ``number`` (1-based) of ``path``, keeping its line terminator."""
    lines = _lines(path)
    old = lines[number - 1]
    ending = old[len(old.rstrip(b"\r\n")) :]
    lines[number - 1] = new + ending
    path.write_bytes(b"".join(lines))


def set_cell(path: Path, number: int, column: int, value: bytes) -> None:
    """Set one semicolon-separated cell of line ``number`` (no semicolons inside the real cells)."""
    cells = _lines(path)[number - 1].rstrip(b"\r\n").split(b";")
    cells[column] = value
    replace_line(path, number, b";".join(cells))


def problems_of(directory: Path) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as info:
        parse_directory(directory)
    return [(p.location, p.field) for p in info.value.problems]


@pytest.fixture(scope="module")
def subset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Read-only fixture directory (tests that corrupt files build their own)."""
    return make_subset(tmp_path_factory.mktemp("berka") / "subset")


@pytest.fixture(scope="module")
def subset(subset_dir: Path) -> BerkaData:
    return parse_directory(subset_dir)


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    """A fresh, writable fixture directory for one test."""
    return make_subset(tmp_path / "berka")


def _trans(data: BerkaData, trans_id: int) -> parser.BerkaTransaction:
    (t,) = [t for t in data.transactions if t.trans_id == trans_id]
    return t


# --- the fixture itself ---------------------------------------------------------------------------


def test_fixture_is_a_consistent_subset_with_the_real_bytes(subset_dir: Path, subset: BerkaData) -> None:
    assert (subset_dir / "district.asc").read_bytes() == (REAL / "district.asc").read_bytes()
    for name in ("account.asc", "client.asc", "disp.asc", "card.asc", "loan.asc", "order.asc", TRANS):
        raw = (subset_dir / name).read_bytes()
        assert raw.startswith(_lines(REAL / name)[0])
        assert raw.count(b"\r\n") == raw.count(b"\n") > 1, name
    assert {a.account_id for a in subset.accounts} == ACCOUNTS
    assert len(subset.districts) == 77
    assert {t.account_id for t in subset.transactions} == ACCOUNTS - {1}
    assert {c.card_id for c in subset.cards} >= {1005}
    assert {x.loan_id for x in subset.loans} >= {5314}


# --- quirks ----------------------------------------------------------------------------------------


def test_question_mark_in_district_is_none(subset: BerkaData) -> None:
    districts = {d.district_id: d for d in subset.districts}
    jesenik = districts[69]
    assert (jesenik.name, jesenik.region) == ("Jesenik", "north Moravia")
    assert jesenik.attributes["unemployment_1995_pct"] is None  # A12 "?"
    assert jesenik.attributes["crimes_1995"] is None  # A15 "?"
    assert jesenik.attributes["unemployment_1996_pct"] == "7.01"
    assert jesenik.attributes["crimes_1996"] == 1358
    assert jesenik.attributes["inhabitants"] == 42821
    assert jesenik.attributes["urban_ratio_pct"] == "48.4"
    assert jesenik.attributes["average_salary_czk"] == 8173
    # Jesenik is the only district with unknown values.
    unknown = {d.district_id for d in subset.districts if None in d.attributes.values()}
    assert unknown == {69}
    prague = districts[1]
    assert prague.name == "Hl.m. Praha"
    assert prague.attributes["unemployment_1995_pct"] == "0.29"
    assert prague.attributes["crimes_1995"] == 85677


@pytest.mark.parametrize(
    ("trans_id", "type_", "direction"),
    [
        (144918, "VYBER", "debit"),  # the third, undocumented type: a cash withdrawal
        (695247, "PRIJEM", "credit"),
        (695560, "VYDAJ", "debit"),
    ],
)
def test_transaction_type_gives_direction(subset: BerkaData, trans_id: int, type_: str, direction: str) -> None:
    t = _trans(subset, trans_id)
    assert (t.type, t.direction) == (type_, direction)


def test_vyber_type_is_a_debit_that_lowers_the_balance(subset: BerkaData) -> None:
    # 144918;485;930326;"VYBER";"VYBER";5166.00;88602.90 follows a balance of 93768.90
    rows = [t for t in subset.transactions if t.account_id == 485]
    i = next(i for i, t in enumerate(rows) if t.trans_id == 144918)
    assert rows[i].amount_minor == 516600
    assert rows[i - 1].balance_minor - rows[i].amount_minor == rows[i].balance_minor == 8860290


@pytest.mark.parametrize(
    ("trans_id", "operation", "is_cash", "channel"),
    [
        (695247, "VKLAD", True, "branch"),
        (695560, "VYBER", True, "branch"),
        (2349940, "VYBER KARTOU", True, "atm"),
        (695340, "PREVOD NA UCET", False, "transfer"),
        (171813, "PREVOD Z UCTU", False, "transfer"),
        (3549613, "", False, "internal"),
    ],
)
def test_operation_gives_cash_and_channel(
    subset: BerkaData, trans_id: int, operation: str, is_cash: bool, channel: str
) -> None:
    t = _trans(subset, trans_id)
    assert (t.operation, t.is_cash, t.channel) == (operation, is_cash, channel)


@pytest.mark.parametrize(
    ("trans_id", "raw", "purpose"),
    [
        (695247, b'"";;', ""),
        (144776, b'" ";"WX"', ""),
        (695340, b'"SIPO";"EF"', "SIPO"),
        (3549613, b'"UROK";;', "UROK"),
    ],
)
def test_k_symbol_empty_or_space_is_none(
    subset_dir: Path, subset: BerkaData, trans_id: int, raw: bytes, purpose: str
) -> None:
    assert raw in _lines(subset_dir / TRANS)[line_number(subset_dir / TRANS, b"%d;" % trans_id) - 1]
    assert _trans(subset, trans_id).purpose == purpose


def test_order_k_symbol_space_is_none(subset: BerkaData) -> None:
    orders = {o.order_id: o for o in subset.orders}
    assert orders[30141].purpose == ""  # " " in the file
    assert orders[30140].purpose == "SIPO"
    assert (orders[29401].bank_to, orders[29401].account_to, orders[29401].amount_minor) == ("YZ", "87144583", 245200)


def test_card_issued_with_midnight_time(subset: BerkaData) -> None:
    cards = {c.card_id: c for c in subset.cards}
    assert cards[1005].issued_on == dt.date(1993, 11, 7)
    assert (cards[1005].disp_id, cards[1005].type) == (9285, "classic")


def test_card_issued_with_another_time_is_an_error(work_dir: Path) -> None:
    n = line_number(work_dir / "card.asc", b"1005;")
    set_cell(work_dir / "card.asc", n, 3, b"931107 12:30:00")
    assert problems_of(work_dir) == [(f"card.asc:{n}", "issued")]


def test_crlf_and_lf_only_parse_identically(subset_dir: Path, subset: BerkaData, tmp_path: Path) -> None:
    lf = tmp_path / "lf"
    lf.mkdir()
    for src in subset_dir.iterdir():
        raw = src.read_bytes()
        assert b"\r\n" in raw
        (lf / src.name).write_bytes(raw.replace(b"\r\n", b"\n"))
    data = parse_directory(lf)
    for name in ("districts", "accounts", "clients", "dispositions", "cards", "loans", "orders", "transactions"):
        assert getattr(data, name) == getattr(subset, name), name
    assert data.file_sha256 != subset.file_sha256  # different bytes, same content
    # No carriage return leaks into the last column of any file.
    assert all("\r" not in t.account for t in subset.transactions)
    assert all(x.status in "ABCD" for x in subset.loans)
    assert all(o.purpose in parser.K_SYMBOLS for o in subset.orders)


def test_amounts_in_minor_units(subset: BerkaData) -> None:
    loans = {x.loan_id: x for x in subset.loans}
    assert loans[5314].amount_minor == 9639600  # "96396"
    assert loans[5314].payment_minor == 803300  # "8033.00"
    assert (loans[5314].account_id, loans[5314].duration_months, loans[5314].status) == (1787, 12, "B")
    assert loans[5314].granted_on == dt.date(1993, 7, 5)
    t = _trans(subset, 695247)
    assert (t.amount_minor, t.balance_minor) == (70000, 70000)  # 700.00;700.00


def test_amounts_are_positive_and_direction_comes_from_type(subset: BerkaData) -> None:
    assert all(t.amount_minor > 0 for t in subset.transactions)
    debit = _trans(subset, 695560)  # "VYDAJ";"VYBER";34700.00
    assert (debit.direction, debit.amount_minor) == ("debit", 3470000)


def test_real_negative_balance(subset: BerkaData) -> None:
    # 1176458;4034;930628;"VYDAJ";"VYBER";31840.00;-2994.60
    t = _trans(subset, 1176458)
    assert (t.amount_minor, t.balance_minor) == (3184000, -299460)


def test_negative_balance_in_file(work_dir: Path) -> None:
    n = line_number(work_dir / TRANS, b"695247;")
    set_cell(work_dir / TRANS, n, 6, b"-123.40")
    assert _trans(parse_directory(work_dir), 695247).balance_minor == -12340


@pytest.mark.parametrize(("column", "fieldname"), [(5, "amount"), (6, "balance")])
def test_amount_with_three_decimals_is_an_error(work_dir: Path, column: int, fieldname: str) -> None:
    n = line_number(work_dir / TRANS, b"695247;")
    set_cell(work_dir / TRANS, n, column, b"700.001")
    assert problems_of(work_dir) == [(f"{TRANS}:{n}", fieldname)]


def test_negative_transaction_amount_is_an_error(work_dir: Path) -> None:
    n = line_number(work_dir / TRANS, b"695247;")
    set_cell(work_dir / TRANS, n, 5, b"-700.00")
    assert problems_of(work_dir) == [(f"{TRANS}:{n}", "amount")]


def test_loan_payment_with_three_decimals_is_an_error(work_dir: Path) -> None:
    n = line_number(work_dir / "loan.asc", b"5314;")
    set_cell(work_dir / "loan.asc", n, 5, b"8033.005")
    assert problems_of(work_dir) == [(f"loan.asc:{n}", "payments")]


@pytest.mark.parametrize(
    ("value", "minor"),
    [("8033.00", 803300), ("96396", 9639600), ("14.60", 1460), ("0.10", 10), ("0", 0), ("3372.7", 337270)],
)
def test_parse_amount_minor(value: str, minor: int) -> None:
    assert parse_amount_minor(value) == minor


@pytest.mark.parametrize("value", ["8033.001", "-1.00", "", "abc", "NaN", "Infinity"])
def test_parse_amount_minor_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        parse_amount_minor(value)


def test_birth_numbers(subset: BerkaData) -> None:
    clients = {c.client_id: c for c in subset.clients}
    assert (clients[1].birth_number, clients[1].date_of_birth, clients[1].sex) == (
        "706213",
        dt.date(1970, 12, 13),
        "F",
    )
    assert (clients[2].birth_number, clients[2].date_of_birth, clients[2].sex) == (
        "450204",
        dt.date(1945, 2, 4),
        "M",
    )
    assert clients[1].district_id == 18


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("706213", (dt.date(1970, 12, 13), "F")),
        ("450204", (dt.date(1945, 2, 4), "M")),
        ("405101", (dt.date(1940, 1, 1), "F")),
        ("401231", (dt.date(1940, 12, 31), "M")),
    ],
)
def test_parse_birth_number(value: str, expected: tuple[dt.date, str]) -> None:
    assert parse_birth_number(value) == expected


@pytest.mark.parametrize("value", ["701301", "706313", "700013", "70121", "7012131", "70121x"])
def test_parse_birth_number_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        parse_birth_number(value)


def test_bad_birth_number_in_file(work_dir: Path) -> None:
    n = line_number(work_dir / "client.asc", b"1;")
    set_cell(work_dir / "client.asc", n, 1, b'"701341"')
    assert problems_of(work_dir) == [(f"client.asc:{n}", "birth_number")]


def test_empty_counterparty_unquoted(subset_dir: Path, subset: BerkaData) -> None:
    n = line_number(subset_dir / TRANS, b"695247;")
    assert _lines(subset_dir / TRANS)[n - 1].endswith(b'"";;\r\n')
    t = _trans(subset, 695247)
    assert (t.bank, t.account) == ("", "")


def test_empty_counterparty_bank_quoted(subset: BerkaData) -> None:
    # 1450116;4937;930424;"VYDAJ";"VYBER";5400.00;45384.20;"";"";"0"
    t = _trans(subset, 1450116)
    assert (t.bank, t.account) == ("", "")  # account "0" with no bank: no counterparty


def test_empty_counterparty_both_quoted(work_dir: Path) -> None:
    n = line_number(work_dir / TRANS, b"695247;")
    replace_line(work_dir / TRANS, n, b'695247;2378;930101;"PRIJEM";"VKLAD";700.00;700.00;"";"";""')
    t = _trans(parse_directory(work_dir), 695247)
    assert (t.bank, t.account, t.purpose) == ("", "", "")


def test_counterparty_kept(subset: BerkaData) -> None:
    t = _trans(subset, 695340)
    assert (t.bank, t.account) == ("EF", "1222903")


def test_trans_head_is_accepted(subset_dir: Path, subset: BerkaData) -> None:
    assert not (subset_dir / "trans.asc").exists()
    assert TRANS in subset.file_sha256
    assert "trans.asc" not in subset.file_sha256
    assert len(subset.transactions) == len(_lines(subset_dir / TRANS)) - 1


def test_trans_asc_preferred_over_trans_head(work_dir: Path) -> None:
    head = _lines(work_dir / TRANS)
    (work_dir / "trans.asc").write_bytes(b"".join(head[:4]))
    data = parse_directory(work_dir)
    assert sorted(t.trans_id for t in data.transactions) == sorted(_field(ln, 0) for ln in head[1:4])
    assert "trans.asc" in data.file_sha256
    assert TRANS not in data.file_sha256
    # Problems then name trans.asc.
    set_cell(work_dir / "trans.asc", 3, 3, b'"XYZ"')
    assert problems_of(work_dir) == [("trans.asc:3", "type")]


def test_find_transactions_file(tmp_path: Path) -> None:
    assert parser.find_transactions_file(tmp_path) is None
    (tmp_path / TRANS).write_bytes(b"")
    assert parser.find_transactions_file(tmp_path) == tmp_path / TRANS
    (tmp_path / "trans.asc").write_bytes(b"")
    assert parser.find_transactions_file(tmp_path) == tmp_path / "trans.asc"


@pytest.mark.parametrize(
    ("account_id", "frequency"),
    [(576, "monthly"), (2099, "weekly"), (485, "per_transaction")],
)
def test_statement_frequency(subset: BerkaData, account_id: int, frequency: str) -> None:
    (a,) = [a for a in subset.accounts if a.account_id == account_id]
    assert a.statement_frequency == frequency


def test_account_fields(subset: BerkaData) -> None:
    (a,) = [a for a in subset.accounts if a.account_id == 576]
    assert (a.district_id, a.opened_on) == (55, dt.date(1993, 1, 1))


def test_dispositions(subset: BerkaData) -> None:
    roles = {(d.account_id, d.client_id): d.role for d in subset.dispositions}
    assert roles[(2, 2)] == "owner"
    assert roles[(2, 3)] == "authorized_user"
    assert roles[(7753, 9593)] == "owner"


def test_parse_yymmdd() -> None:
    assert parse_yymmdd("930705") == dt.date(1993, 7, 5)
    assert parse_yymmdd("960229") == dt.date(1996, 2, 29)
    assert parse_yymmdd("000101") == dt.date(1900, 1, 1)  # always 19YY
    for bad in ("931341", "930230", "000229", "93070", "9307055", "93-705", ""):
        with pytest.raises(ValueError):
            parse_yymmdd(bad)


# --- malformed input ------------------------------------------------------------------------------


def test_bad_date_in_account(work_dir: Path) -> None:
    set_cell(work_dir / "account.asc", 3, 3, b"931341")
    with pytest.raises(ValidationFailed) as info:
        parse_directory(work_dir)
    (problem,) = info.value.problems
    assert problem.location == "account.asc:3"
    assert problem.field == "date"
    assert problem.message == "'931341' is not a calendar date (month must be in 1..12)"


def test_unknown_transaction_type(work_dir: Path) -> None:
    n = line_number(work_dir / TRANS, b"695560;")
    set_cell(work_dir / TRANS, n, 3, b'"XYZ"')
    with pytest.raises(ValidationFailed) as info:
        parse_directory(work_dir)
    (problem,) = info.value.problems
    assert (problem.location, problem.field) == (f"{TRANS}:{n}", "type")
    assert "'XYZ'" in problem.message


def test_unknown_operation(work_dir: Path) -> None:
    n = line_number(work_dir / TRANS, b"695560;")
    set_cell(work_dir / TRANS, n, 4, b'"HOTOVOST"')
    assert problems_of(work_dir) == [(f"{TRANS}:{n}", "operation")]


def test_unknown_k_symbol(work_dir: Path) -> None:
    n = line_number(work_dir / TRANS, b"695340;")
    set_cell(work_dir / TRANS, n, 7, b'"NAJEM"')
    assert problems_of(work_dir) == [(f"{TRANS}:{n}", "k_symbol")]


@pytest.mark.parametrize("change", ["drop", "add"])
def test_wrong_column_count(work_dir: Path, change: str) -> None:
    path = work_dir / TRANS
    n = line_number(path, b"695560;")
    line = _lines(path)[n - 1].rstrip(b"\r\n")
    replace_line(path, n, line.rsplit(b";", 1)[0] if change == "drop" else line + b';""')
    with pytest.raises(ValidationFailed) as info:
        parse_directory(work_dir)
    (problem,) = info.value.problems
    assert (problem.location, problem.field) == (f"{TRANS}:{n}", "row")
    assert problem.message == f"expected 10 fields, found {9 if change == 'drop' else 11}"


def test_wrong_column_count_in_client_also_reports_the_dangling_references(work_dir: Path) -> None:
    path = work_dir / "client.asc"
    n = line_number(path, b"2;")
    replace_line(path, n, b'2;"450204"')
    disp = line_number(work_dir / "disp.asc", b'2;2;2;"OWNER"')
    assert problems_of(work_dir) == [
        (f"client.asc:{n}", "row"),
        (f"disp.asc:{disp}", "client_id"),
        ("disp.asc", "type"),  # account 2 then has no valid OWNER
    ]


def test_wrong_header(work_dir: Path) -> None:
    replace_line(work_dir / "loan.asc", 1, b'"loan_id";"account_id";"date";"amount";"duration";"payment";"status"')
    assert problems_of(work_dir) == [("loan.asc:1", "header")]


def test_header_missing(work_dir: Path) -> None:
    lines = _lines(work_dir / "order.asc")
    (work_dir / "order.asc").write_bytes(b"".join(lines[1:]))
    assert problems_of(work_dir) == [("order.asc:1", "header")]


def test_disp_with_unknown_client(work_dir: Path) -> None:
    path = work_dir / "disp.asc"
    n = line_number(path, b'3;3;2;"DISPONENT"')
    set_cell(path, n, 1, b"999999")
    with pytest.raises(ValidationFailed) as info:
        parse_directory(work_dir)
    (problem,) = info.value.problems
    assert (problem.location, problem.field) == (f"disp.asc:{n}", "client_id")
    assert "unknown client 999999" in problem.message


def test_disp_with_unknown_account(work_dir: Path) -> None:
    path = work_dir / "disp.asc"
    n = line_number(path, b'3;3;2;"DISPONENT"')
    set_cell(path, n, 2, b"3")
    assert problems_of(work_dir) == [(f"disp.asc:{n}", "account_id")]


def test_transaction_for_unknown_account(work_dir: Path) -> None:
    n = line_number(work_dir / TRANS, b"695247;")
    set_cell(work_dir / TRANS, n, 1, b"3")
    assert problems_of(work_dir) == [(f"{TRANS}:{n}", "account_id")]


def test_card_for_unknown_disposition(work_dir: Path) -> None:
    n = line_number(work_dir / "card.asc", b"1005;")
    set_cell(work_dir / "card.asc", n, 1, b"424242")
    assert problems_of(work_dir) == [(f"card.asc:{n}", "disp_id")]


@pytest.mark.parametrize("name", ["order.asc", "district.asc", "client.asc"])
def test_missing_file(work_dir: Path, name: str) -> None:
    (work_dir / name).unlink()
    with pytest.raises(ValidationFailed) as info:
        parse_directory(work_dir)
    (problem,) = info.value.problems
    assert (problem.location, problem.field) == (name, "file")
    assert str(work_dir) in problem.message


def test_missing_transactions_file(work_dir: Path) -> None:
    (work_dir / TRANS).unlink()
    assert problems_of(work_dir) == [("trans.asc", "file")]


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_directory(tmp_path / "nope")
    assert [p.field for p in info.value.problems] == ["directory"]


@pytest.mark.parametrize(
    ("name", "prefix", "fieldname"),
    [
        ("client.asc", b"1;", "client_id"),
        ("account.asc", b"576;", "account_id"),
        ("district.asc", b"69;", "A1"),
        ("loan.asc", b"5314;", "loan_id"),
        ("card.asc", b"1005;", "card_id"),
        ("order.asc", b"29401;", "order_id"),
        (TRANS, b"695247;", "trans_id"),
    ],
)
def test_duplicate_id(work_dir: Path, name: str, prefix: bytes, fieldname: str) -> None:
    path = work_dir / name
    lines = _lines(path)
    path.write_bytes(b"".join(lines) + lines[line_number(path, prefix) - 1])
    with pytest.raises(ValidationFailed) as info:
        parse_directory(work_dir)
    (problem,) = info.value.problems
    assert (problem.location, problem.field) == (f"{name}:{len(lines) + 1}", fieldname)
    assert problem.message == f"duplicate id {int(prefix[:-1])}"


def test_duplicate_disposition_id(work_dir: Path) -> None:
    path = work_dir / "disp.asc"
    n = line_number(path, b'3;3;2;"DISPONENT"')
    path.write_bytes(path.read_bytes() + b'3;1;1;"DISPONENT"\r\n')
    assert n < len(_lines(path))
    assert problems_of(work_dir) == [(f"disp.asc:{len(_lines(path))}", "disp_id")]


def test_non_ascii_bytes(work_dir: Path) -> None:
    path = work_dir / "district.asc"
    line = _lines(path)[1].rstrip(b"\r\n")
    assert line.startswith(b'1;"Hl.m. Praha";')
    replace_line(path, 2, line.replace(b"Praha", "Pr\u00e1ha".encode("latin-1")))
    with pytest.raises(ValidationFailed) as info:
        parse_directory(work_dir)
    problem = info.value.problems[0]
    assert (problem.location, problem.field) == ("district.asc:2", "encoding")
    assert problem.message == "not ASCII text: byte 0xe1 at column 12"  # 1;"Hl.m. Pr|a|ha"
    # The whole file is rejected, so the accounts and clients then refer to unknown districts.
    assert [p.location for p in info.value.problems].count("district.asc:2") == 1
    assert {p.field for p in info.value.problems[1:]} == {"district_id"}


def test_non_ascii_utf8_in_transactions(work_dir: Path) -> None:
    n = line_number(work_dir / TRANS, b"695247;")
    set_cell(work_dir / TRANS, n, 4, '"VKL\u00c1D"'.encode())
    assert problems_of(work_dir) == [(f"{TRANS}:{n}", "encoding")]


def test_non_ascii_position_past_first_chunk(tmp_path: Path) -> None:
    directory = tmp_path / "full"
    shutil.copytree(REAL, directory)
    path = directory / TRANS
    lines = _lines(path)
    lines[999] = lines[999].replace(b"VYDAJ", b"VYD\xc1J", 1)  # line 1000 of the file
    path.write_bytes(b"".join(lines))
    offset = path.read_bytes().index(b"\xc1")
    assert offset == 61949
    with pytest.raises(ValidationFailed) as info:
        parse_directory(directory)
    (problem,) = info.value.problems
    assert (problem.location, problem.field) == (f"{TRANS}:1000", "encoding")
    assert "byte 0xc1" in problem.message


def test_account_without_owner(work_dir: Path) -> None:
    path = work_dir / "disp.asc"
    lines = _lines(path)
    n = line_number(path, b'1;1;1;"OWNER"')
    path.write_bytes(b"".join(lines[: n - 1] + lines[n:]))
    with pytest.raises(ValidationFailed) as info:
        parse_directory(work_dir)
    (problem,) = info.value.problems
    assert (problem.location, problem.field) == ("disp.asc", "type")
    assert problem.message == "account 1 has no OWNER disposition"


def test_account_with_two_owners(work_dir: Path) -> None:
    path = work_dir / "disp.asc"
    n = line_number(path, b'3;3;2;"DISPONENT"')
    set_cell(path, n, 3, b'"OWNER"')
    with pytest.raises(ValidationFailed) as info:
        parse_directory(work_dir)
    (problem,) = info.value.problems
    assert (problem.location, problem.field) == (f"disp.asc:{n}", "type")
    assert problem.message == "account 2 already has an OWNER"


def test_unknown_codes(work_dir: Path) -> None:
    set_cell(work_dir / "account.asc", 2, 2, b'"POPLATEK ROCNE"')
    n_card = line_number(work_dir / "card.asc", b"1005;")
    set_cell(work_dir / "card.asc", n_card, 2, b'"platinum"')
    n_loan = line_number(work_dir / "loan.asc", b"5314;")
    set_cell(work_dir / "loan.asc", n_loan, 6, b'"E"')
    assert problems_of(work_dir) == [
        ("account.asc:2", "frequency"),
        (f"card.asc:{n_card}", "type"),
        (f"loan.asc:{n_loan}", "status"),
    ]


def test_every_problem_is_collected(work_dir: Path) -> None:
    set_cell(work_dir / "account.asc", 3, 3, b"931341")
    n = line_number(work_dir / TRANS, b"695560;")
    set_cell(work_dir / TRANS, n, 3, b'"XYZ"')
    set_cell(work_dir / "district.asc", 70, 10, b"x")
    assert problems_of(work_dir) == [
        ("district.asc:70", "A11"),
        ("account.asc:3", "date"),
        (f"{TRANS}:{n}", "type"),
    ]


def test_empty_line_is_an_error(work_dir: Path) -> None:
    path = work_dir / "loan.asc"
    count = len(_lines(path))
    path.write_bytes(path.read_bytes() + b"\r\n")
    assert problems_of(work_dir) == [(f"loan.asc:{count + 1}", "row")]


# --- the real data set ------------------------------------------------------------------------


def test_full_real_directory() -> None:
    data = parse_directory(REAL)
    assert len(data.districts) == 77
    assert len(data.accounts) == 4500
    assert len(data.clients) == 5369
    assert len(data.dispositions) == 5369
    assert len(data.cards) == 892
    assert len(data.loans) == 682
    assert len(data.orders) == 6471
    assert len(data.transactions) == 49102
    dates = [t.booking_date for t in data.transactions]
    assert (min(dates), max(dates)) == (dt.date(1993, 1, 1), dt.date(1994, 3, 31))
    assert sum(d.role == "owner" for d in data.dispositions) == 4500
    assert sum(d.role == "authorized_user" for d in data.dispositions) == 869
    assert {t.type for t in data.transactions} == {"PRIJEM", "VYDAJ", "VYBER"}
    assert sum(t.type == "VYBER" for t in data.transactions) == 651
    assert len({t.account_id for t in data.transactions}) == 1229
    assert set(data.file_sha256) == {
        "district.asc",
        "account.asc",
        "client.asc",
        "disp.asc",
        "card.asc",
        "loan.asc",
        "order.asc",
        TRANS,
    }
    assert data.file_sha256[TRANS] == "51e826ad355479df75908f85431d1967bddf8199871a92e0162961e5ba38ae62"


def _txn(trans_id: int, direction: str, amount: int, balance: int) -> parser.BerkaTransaction:
    return parser.BerkaTransaction(
        trans_id, 485, dt.date(1994, 3, 31), "PRIJEM", direction, "", False, "internal", amount, balance, "", "", ""
    )


def test_booking_order_follows_the_balance_chain() -> None:
    # Real rows of account 485 on 1994-03-31, in file order: the fee (-100.00 -> 17391.10) is listed
    # before the interest (+43.40 -> 17491.10) that was booked first.
    fee = _txn(145070, "debit", 10000, 1739110)
    interest = _txn(3546697, "credit", 4340, 1749110)
    assert [t.trans_id for t in parser.booking_order([fee, interest])] == [3546697, 145070]


def test_booking_order_keeps_file_order_when_no_single_chain() -> None:
    a = _txn(1, "credit", 100, 1000)
    b = _txn(2, "credit", 100, 5000)  # does not continue from a
    assert [t.trans_id for t in parser.booking_order([a, b])] == [1, 2]


def test_account_id_beyond_the_number_format_is_refused(work_dir: Path) -> None:
    path = work_dir / "account.asc"
    lines = _lines(path)
    replace_line(path, 2, lines[1].replace(lines[1].split(b";")[0], b"100000", 1).rstrip(b"\r\n"))
    with pytest.raises(ValidationFailed) as info:
        parse_directory(work_dir)
    first = info.value.problems[0]
    assert (first.location, first.field) == ("account.asc:2", "account_id")
    assert "outside 1..99999" in first.message
