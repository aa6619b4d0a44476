"""Parse and validate the Berka / PKDD'99 files (no Django import).

Every file is read completely and checked before anything is loaded: header, field types,
codes, dates and references between files. Problems are collected (file, line, field, message)
and raised together as :class:`~bankcrm.core.errors.ValidationFailed`.

Quirks of the real files handled here (Berka & Sochorová, PKDD'99 guide; observed in the copy):

- semicolon-separated, strings in double quotes, a header row, CRLF line endings;
- dates ``YYMMDD`` meaning 19YY; card ``issued`` as ``YYMMDD 00:00:00``;
- ``birth_number`` ``YYMMDD`` with month + 50 for women;
- ``?`` for unknown values in district.asc (A12 and A15 of Jesenik);
- amounts always positive: the direction is in ``type``: ``PRIJEM`` credit, ``VYDAJ`` debit and a
  third value ``VYBER`` (cash withdrawal, also a debit);
- ``k_symbol`` empty, quoted-empty or a single space, all meaning "none";
- transaction ``bank`` / ``account`` empty (quoted or not) when there is no counterparty;
- the public ``trans`` table is partial (1993-01 to 1994-03), so balances are "as of" a date.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bankcrm.core.errors import FieldProblem, ValidationFailed

MAX_PROBLEMS = 200
#: Limits set by the synthetic account-number format (holdings/numbers.py): BBB SSSSSSSS C.
MAX_DISTRICT_ID = 999
MAX_ACCOUNT_ID = 99_999

#: File name -> expected header (column names, in order).
HEADERS: dict[str, list[str]] = {
    "district.asc": [f"A{i}" for i in range(1, 17)],
    "account.asc": ["account_id", "district_id", "frequency", "date"],
    "client.asc": ["client_id", "birth_number", "district_id"],
    "disp.asc": ["disp_id", "client_id", "account_id", "type"],
    "card.asc": ["card_id", "disp_id", "type", "issued"],
    "loan.asc": ["loan_id", "account_id", "date", "amount", "duration", "payments", "status"],
    "order.asc": ["order_id", "account_id", "bank_to", "account_to", "amount", "k_symbol"],
    "trans.asc": [
        "trans_id",
        "account_id",
        "date",
        "type",
        "operation",
        "amount",
        "balance",
        "k_symbol",
        "bank",
        "account",
    ],
}
#: The public copy ships the first 49,102 transactions as trans_head.asc; either name is accepted.
TRANS_FILE_NAMES = ("trans.asc", "trans_head.asc")

FREQUENCIES = {
    "POPLATEK MESICNE": "monthly",
    "POPLATEK TYDNE": "weekly",
    "POPLATEK PO OBRATU": "per_transaction",
}
TRANSACTION_TYPES = {"PRIJEM": "credit", "VYDAJ": "debit", "VYBER": "debit"}
#: operation -> (is_cash, channel). "" is an internal posting (interest, fees).
OPERATIONS: dict[str, tuple[bool, str]] = {
    "VKLAD": (True, "branch"),  # credit in cash
    "VYBER": (True, "branch"),  # withdrawal in cash
    "VYBER KARTOU": (True, "atm"),  # credit-card withdrawal (cash at an ATM)
    "PREVOD Z UCTU": (False, "transfer"),  # collection from another bank
    "PREVOD NA UCET": (False, "transfer"),  # remittance to another bank
    "": (False, "internal"),
}
K_SYMBOLS = {"POJISTNE", "SLUZBY", "UROK", "SANKC. UROK", "SIPO", "DUCHOD", "UVER", "LEASING", ""}
CARD_TYPES = {"junior", "classic", "gold"}
LOAN_STATUSES = {"A", "B", "C", "D"}
DISP_TYPES = {"OWNER": "owner", "DISPONENT": "authorized_user"}


@dataclass(frozen=True)
class District:
    district_id: int
    name: str
    region: str
    attributes: dict[str, Any]


@dataclass(frozen=True)
class BerkaAccount:
    account_id: int
    district_id: int
    statement_frequency: str
    opened_on: dt.date


@dataclass(frozen=True)
class Client:
    client_id: int
    birth_number: str
    date_of_birth: dt.date
    sex: str
    district_id: int


@dataclass(frozen=True)
class Disposition:
    disp_id: int
    client_id: int
    account_id: int
    role: str


@dataclass(frozen=True)
class BerkaCard:
    card_id: int
    disp_id: int
    type: str
    issued_on: dt.date


@dataclass(frozen=True)
class BerkaLoan:
    loan_id: int
    account_id: int
    granted_on: dt.date
    amount_minor: int
    duration_months: int
    payment_minor: int
    status: str


@dataclass(frozen=True)
class BerkaOrder:
    order_id: int
    account_id: int
    bank_to: str
    account_to: str
    amount_minor: int
    purpose: str


@dataclass(frozen=True)
class BerkaTransaction:
    trans_id: int
    account_id: int
    booking_date: dt.date
    type: str
    direction: str
    operation: str
    is_cash: bool
    channel: str
    amount_minor: int
    balance_minor: int
    purpose: str
    bank: str
    account: str


@dataclass
class BerkaData:
    """The whole validated data set plus the SHA-256 of each file read."""

    districts: list[District] = field(default_factory=list)
    accounts: list[BerkaAccount] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    dispositions: list[Disposition] = field(default_factory=list)
    cards: list[BerkaCard] = field(default_factory=list)
    loans: list[BerkaLoan] = field(default_factory=list)
    orders: list[BerkaOrder] = field(default_factory=list)
    transactions: list[BerkaTransaction] = field(default_factory=list)
    file_sha256: dict[str, str] = field(default_factory=dict)


class _Problems:
    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, location: str, fieldname: str, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(FieldProblem(field=fieldname, message=message, location=location))

    def __bool__(self) -> bool:
        return bool(self.items)


class _Skip(Exception):
    """A row had a problem (already recorded); skip it and keep checking the rest."""


def parse_yymmdd(value: str) -> dt.date:
    """``"930705"`` -> ``date(1993, 7, 5)``; Berka dates are all in the 1900s.

    Raises:
        ValueError: not six digits or not a calendar date.
    """
    if len(value) != 6 or not value.isdigit():
        raise ValueError(f"expected a YYMMDD date, got {value!r}")
    try:
        return dt.date(1900 + int(value[:2]), int(value[2:4]), int(value[4:6]))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a calendar date ({exc})") from None


def parse_birth_number(value: str) -> tuple[dt.date, str]:
    """Berka ``birth_number`` ``YYMMDD`` (month + 50 for women) -> (date of birth, "F"/"M").

    Raises:
        ValueError: not a valid birth number.
    """
    if len(value) != 6 or not value.isdigit():
        raise ValueError(f"expected YYMMDD (month + 50 for women), got {value!r}")
    month = int(value[2:4])
    sex = "M"
    if month > 50:
        month -= 50
        sex = "F"
    return dt.date(1900 + int(value[:2]), month, int(value[4:6])), sex


def parse_amount_minor(value: str) -> int:
    """``"8033.00"`` or ``"96396"`` (CZK) -> haléře (``803300``). Must be >= 0 with at most 2 decimals.

    Raises:
        ValueError: not a non-negative decimal amount with at most two decimals.
    """
    try:
        d = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"expected an amount, got {value!r}") from None
    if not d.is_finite() or d < 0:
        raise ValueError(f"expected a non-negative amount, got {value!r}")
    scaled = d * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"more than two decimals in {value!r}")
    return int(scaled)


def _signed_amount_minor(value: str) -> int:
    negative = value.startswith("-")
    minor = parse_amount_minor(value[1:] if negative else value)
    return -minor if negative else minor


def _int(value: str) -> int:
    if not value.lstrip("-").isdigit():
        raise ValueError(f"expected an integer, got {value!r}")
    return int(value)


def _bounded(maximum: int) -> Callable[[str], int]:
    """An id parser accepting 1..maximum (the synthetic account number has room for no more)."""

    def parse(value: str) -> int:
        number = _int(value)
        if not 1 <= number <= maximum:
            raise ValueError(f"id {number} is outside 1..{maximum}")
        return number

    return parse


def _decimal_text(value: str) -> str:
    """A decimal statistic kept exactly, as text ("48.4")."""
    try:
        d = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not d.is_finite():
        raise ValueError(f"expected a number, got {value!r}")
    return str(d)


def _optional_number(value: str, kind: Callable[[str], Any]) -> Any:
    """District statistics: ``?`` means unknown."""
    if value.strip() == "?":
        return None
    return kind(value)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _rows(path: Path, expected: list[str], problems: _Problems) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) for each data row; header and column counts are checked."""
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.add(name, "file", f"cannot be read: {exc.strerror}")
        return
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.add(f"{name}:{line}", "encoding", f"not ASCII text: byte 0x{raw[exc.start]:02x} at column {column}")
        return
    with io.StringIO(text, newline="") as fh:
        reader = csv.reader(fh, delimiter=";", quotechar='"', strict=True)
        try:
            header = next(reader, None)
            if header != expected:
                problems.add(f"{name}:1", "header", f"expected {';'.join(expected)}, got {header!r}")
                return
            for cells in reader:
                line = reader.line_num
                if not cells:
                    problems.add(f"{name}:{line}", "row", "empty line")
                    continue
                if len(cells) != len(expected):
                    problems.add(f"{name}:{line}", "row", f"expected {len(expected)} fields, found {len(cells)}")
                    continue
                yield line, cells
        except csv.Error as exc:
            problems.add(f"{name}:{reader.line_num}", "row", f"malformed CSV: {exc}")


def _cell(problems: _Problems, location: str, fieldname: str, value: str, convert: Callable[[str], Any]) -> Any:
    try:
        return convert(value)
    except (ValueError, ArithmeticError) as exc:
        problems.add(location, fieldname, str(exc))
        raise _Skip from None


def _code(allowed: dict[str, str] | set[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown code {value!r} (expected one of {', '.join(sorted(allowed))})")
        return value

    return check


def find_transactions_file(directory: Path) -> Path | None:
    """The transactions file in ``directory`` (``trans.asc`` preferred over ``trans_head.asc``)."""
    for name in TRANS_FILE_NAMES:
        if (directory / name).is_file():
            return directory / name
    return None


def parse_directory(directory: Path) -> BerkaData:
    """Read and validate all eight Berka files in ``directory``.

    Returns:
        :class:`BerkaData` with every row typed; money in haléře (CZK minor units).

    Raises:
        ValidationFailed: listing every problem found (file:line, field, message), up to 200.
    """
    problems = _Problems()
    data = BerkaData()
    if not directory.is_dir():
        raise ValidationFailed([FieldProblem("directory", f"{directory} is not a directory")])
    paths: dict[str, Path] = {}
    for name in HEADERS:
        path = find_transactions_file(directory) if name == "trans.asc" else directory / name
        if path is None or not path.is_file():
            problems.add(name, "file", f"missing from {directory}")
        else:
            paths[name] = path
            data.file_sha256[path.name] = _sha256(path)
    if problems:
        raise ValidationFailed(problems.items)

    def each(name: str) -> Iterator[tuple[str, list[str]]]:
        path = paths[name]
        for line, cells in _rows(path, HEADERS[name], problems):
            yield f"{path.name}:{line}", cells

    seen: dict[str, set[int]] = {k: set() for k in HEADERS}

    def unique(kind: str, loc: str, fieldname: str, value: int) -> None:
        if value in seen[kind]:
            problems.add(loc, fieldname, f"duplicate id {value}")
            raise _Skip
        seen[kind].add(value)

    for loc, c in each("district.asc"):
        try:
            did = _cell(problems, loc, "A1", c[0], _bounded(MAX_DISTRICT_ID))
            unique("district.asc", loc, "A1", did)
            attrs: dict[str, Any] = {}
            spec: list[tuple[str, int, Callable[[str], Any]]] = [
                ("inhabitants", 3, _int),
                ("municipalities_lt_500", 4, _int),
                ("municipalities_500_1999", 5, _int),
                ("municipalities_2000_9999", 6, _int),
                ("municipalities_ge_10000", 7, _int),
                ("cities", 8, _int),
                ("urban_ratio_pct", 9, _decimal_text),
                ("average_salary_czk", 10, _int),
                ("unemployment_1995_pct", 11, _decimal_text),
                ("unemployment_1996_pct", 12, _decimal_text),
                ("entrepreneurs_per_1000", 13, _int),
                ("crimes_1995", 14, _int),
                ("crimes_1996", 15, _int),
            ]
            for key, idx, kind in spec:
                attrs[key] = _cell(problems, loc, f"A{idx + 1}", c[idx], functools.partial(_optional_number, kind=kind))
            if not c[1].strip():
                problems.add(loc, "A2", "district name is empty")
                raise _Skip
            data.districts.append(District(did, c[1].strip(), c[2].strip(), attrs))
        except _Skip:
            continue
    district_ids = seen["district.asc"]

    def ref(loc: str, fieldname: str, value: int, kind: str, known: set[int]) -> None:
        if value not in known:
            problems.add(loc, fieldname, f"refers to unknown {kind} {value}")
            raise _Skip

    for loc, c in each("account.asc"):
        try:
            aid = _cell(problems, loc, "account_id", c[0], _bounded(MAX_ACCOUNT_ID))
            unique("account.asc", loc, "account_id", aid)
            did = _cell(problems, loc, "district_id", c[1], _int)
            ref(loc, "district_id", did, "district", district_ids)
            freq = FREQUENCIES[_cell(problems, loc, "frequency", c[2], _code(set(FREQUENCIES)))]
            opened = _cell(problems, loc, "date", c[3], parse_yymmdd)
            data.accounts.append(BerkaAccount(aid, did, freq, opened))
        except _Skip:
            continue
    account_ids = seen["account.asc"]

    for loc, c in each("client.asc"):
        try:
            cid = _cell(problems, loc, "client_id", c[0], _int)
            unique("client.asc", loc, "client_id", cid)
            dob, sex = _cell(problems, loc, "birth_number", c[1], parse_birth_number)
            did = _cell(problems, loc, "district_id", c[2], _int)
            ref(loc, "district_id", did, "district", district_ids)
            data.clients.append(Client(cid, c[1], dob, sex, did))
        except _Skip:
            continue
    client_ids = seen["client.asc"]

    owners: dict[int, int] = {}
    for loc, c in each("disp.asc"):
        try:
            disp_id = _cell(problems, loc, "disp_id", c[0], _int)
            unique("disp.asc", loc, "disp_id", disp_id)
            cid = _cell(problems, loc, "client_id", c[1], _int)
            ref(loc, "client_id", cid, "client", client_ids)
            aid = _cell(problems, loc, "account_id", c[2], _int)
            ref(loc, "account_id", aid, "account", account_ids)
            role = DISP_TYPES[_cell(problems, loc, "type", c[3], _code(set(DISP_TYPES)))]
            if role == "owner":
                if aid in owners:
                    problems.add(loc, "type", f"account {aid} already has an OWNER")
                    raise _Skip
                owners[aid] = cid
            data.dispositions.append(Disposition(disp_id, cid, aid, role))
        except _Skip:
            continue
    for aid in sorted(account_ids - set(owners)):
        problems.add("disp.asc", "type", f"account {aid} has no OWNER disposition")
    disp_ids = seen["disp.asc"]

    for loc, c in each("card.asc"):
        try:
            card_id = _cell(problems, loc, "card_id", c[0], _int)
            unique("card.asc", loc, "card_id", card_id)
            disp_id = _cell(problems, loc, "disp_id", c[1], _int)
            ref(loc, "disp_id", disp_id, "disposition", disp_ids)
            ctype = _cell(problems, loc, "type", c[2], _code(CARD_TYPES))

            def issued(v: str) -> dt.date:
                day, _, time = v.partition(" ")
                if time not in ("", "00:00:00"):
                    raise ValueError(f"expected 'YYMMDD 00:00:00', got {v!r}")
                return parse_yymmdd(day)

            data.cards.append(BerkaCard(card_id, disp_id, ctype, _cell(problems, loc, "issued", c[3], issued)))
        except _Skip:
            continue

    for loc, c in each("loan.asc"):
        try:
            loan_id = _cell(problems, loc, "loan_id", c[0], _int)
            unique("loan.asc", loc, "loan_id", loan_id)
            aid = _cell(problems, loc, "account_id", c[1], _int)
            ref(loc, "account_id", aid, "account", account_ids)
            granted = _cell(problems, loc, "date", c[2], parse_yymmdd)
            amount = _cell(problems, loc, "amount", c[3], parse_amount_minor)
            duration = _cell(problems, loc, "duration", c[4], _int)
            if duration <= 0:
                problems.add(loc, "duration", f"must be a positive number of months, got {duration}")
                raise _Skip
            payment = _cell(problems, loc, "payments", c[5], parse_amount_minor)
            status = _cell(problems, loc, "status", c[6], _code(LOAN_STATUSES))
            data.loans.append(BerkaLoan(loan_id, aid, granted, amount, duration, payment, status))
        except _Skip:
            continue

    for loc, c in each("order.asc"):
        try:
            order_id = _cell(problems, loc, "order_id", c[0], _int)
            unique("order.asc", loc, "order_id", order_id)
            aid = _cell(problems, loc, "account_id", c[1], _int)
            ref(loc, "account_id", aid, "account", account_ids)
            amount = _cell(problems, loc, "amount", c[4], parse_amount_minor)
            purpose = _cell(problems, loc, "k_symbol", c[5].strip(), _code(K_SYMBOLS))
            if not c[2].strip() or not c[3].strip():
                problems.add(loc, "bank_to" if not c[2].strip() else "account_to", "is empty")
                raise _Skip
            data.orders.append(BerkaOrder(order_id, aid, c[2].strip(), c[3].strip(), amount, purpose))
        except _Skip:
            continue

    for loc, c in each("trans.asc"):
        try:
            tid = _cell(problems, loc, "trans_id", c[0], _int)
            unique("trans.asc", loc, "trans_id", tid)
            aid = _cell(problems, loc, "account_id", c[1], _int)
            ref(loc, "account_id", aid, "account", account_ids)
            booked = _cell(problems, loc, "date", c[2], parse_yymmdd)
            ttype = _cell(problems, loc, "type", c[3], _code(set(TRANSACTION_TYPES)))
            operation = _cell(problems, loc, "operation", c[4], _code(set(OPERATIONS)))
            amount = _cell(problems, loc, "amount", c[5], parse_amount_minor)
            balance = _cell(problems, loc, "balance", c[6], _signed_amount_minor)
            purpose = _cell(problems, loc, "k_symbol", c[7].strip(), _code(K_SYMBOLS))
            is_cash, channel = OPERATIONS[operation]
            data.transactions.append(
                BerkaTransaction(
                    tid,
                    aid,
                    booked,
                    ttype,
                    TRANSACTION_TYPES[ttype],
                    operation,
                    is_cash,
                    channel,
                    amount,
                    balance,
                    purpose,
                    *_counterparty(c[8].strip(), c[9].strip()),
                )
            )
        except _Skip:
            continue

    if problems:
        raise ValidationFailed(problems.items)
    data.transactions = booking_order(data.transactions)
    return data


def _counterparty(bank: str, account: str) -> tuple[str, str]:
    """Berka writes "no counterparty" as an empty bank with account "" or "0"."""
    if not bank and account in {"", "0"}:
        return "", ""
    return bank, account


def booking_order(transactions: list[BerkaTransaction]) -> list[BerkaTransaction]:
    """Transactions ordered by (date, account, position in the day's balance chain).

    Within one account and day the file's order is not the booking order (e.g. account 485 on
    1994-03-31 lists the fee before the interest although the interest was booked first). Each
    row's balance before booking is ``balance -/+ amount``; the rows of a day form a chain in
    which each row starts from the previous row's balance. The chain is followed from the row
    whose starting balance is no other row's closing balance; rows that do not fit a single
    chain keep their file order after it.
    """
    groups: dict[tuple[dt.date, int], list[BerkaTransaction]] = {}
    for t in transactions:
        groups.setdefault((t.booking_date, t.account_id), []).append(t)
    ordered: list[BerkaTransaction] = []
    for key in sorted(groups):
        ordered.extend(_chain(groups[key]))
    return ordered


def _chain(rows: list[BerkaTransaction]) -> list[BerkaTransaction]:
    if len(rows) == 1:
        return rows

    def before(t: BerkaTransaction) -> int:
        return t.balance_minor - t.amount_minor if t.direction == "credit" else t.balance_minor + t.amount_minor

    closing = {t.balance_minor for t in rows}
    starts = [t for t in rows if before(t) not in closing]
    if len(starts) != 1:
        return rows
    remaining = list(rows)
    chain = [starts[0]]
    remaining.remove(starts[0])
    while remaining:
        nxt = next((t for t in remaining if before(t) == chain[-1].balance_minor), None)
        if nxt is None:
            return rows
        chain.append(nxt)
        remaining.remove(nxt)
    return chain
