"""Parser for the shipped CFPB complaint files (no Django import).

Two files, described in ``data/cfpb-complaints/PROVENANCE.md``:

* the **sample** (``complaints_sample.csv.gz``): complaints in the 18-column layout of the CFPB
  Consumer Complaint Database (:data:`~bankcrm.cases.engine.taxonomy.CCDB_COLUMNS`), UTF-8, RFC 4180
  quoting, narratives with embedded newlines, dates ``YYYY-MM-DD``;
* the **supplement** (``supplement_product_narrative.csv.gz``): ``<row index>,Product,Consumer
  complaint narrative`` rows of complaints received 2015-2016, without dates or other fields.

Both may be plain or gzip-compressed (told by the gzip magic bytes, not the file name). Every bad
row is reported as a :class:`~bankcrm.core.errors.FieldProblem` whose location is ``file:line`` (the
physical line where the record starts) and whose field is the CCDB column name.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bankcrm.cases.engine.taxonomy import (
    CCDB_COLUMNS,
    CompanyResponse,
    ConsumerConsent,
    ProductClass,
    SubmittedVia,
    Tag,
    canonical_product,
)
from bankcrm.core.errors import FieldProblem, ValidationFailed

SAMPLE_FILE = "complaints_sample.csv.gz"
SUPPLEMENT_FILE = "supplement_product_narrative.csv.gz"
SUPPLEMENT_HEADER = ("", "Product", "Consumer complaint narrative")
#: At most this many problems are collected before :func:`read_complaints` gives up.
MAX_PROBLEMS = 200


@dataclass(frozen=True, slots=True)
class Complaint:
    """One complaint of the sample, typed. Empty CCDB cells become ``None`` (or ``()`` for tags).

    ``product`` and the sub-fields are the raw CFPB strings of the complaint's era; ``product_class``
    is the canonical class (:func:`~bankcrm.cases.engine.taxonomy.canonical_product`). ``timely`` is
    ``Timely response?`` (Yes/No); ``consumer_disputed`` is ``None`` for ``N/A`` or empty (the CFPB
    stopped asking in April 2017). ``line`` is the line of the source file where the row starts.
    """

    complaint_id: str
    date_received: dt.date
    product: str
    product_class: ProductClass
    sub_product: str | None
    issue: str
    sub_issue: str | None
    narrative: str | None
    company_public_response: str | None
    company: str
    state: str | None
    zip_code: str | None
    tags: tuple[Tag, ...]
    consumer_consent: ConsumerConsent | None
    submitted_via: SubmittedVia
    date_sent: dt.date | None
    company_response: CompanyResponse
    timely: bool
    consumer_disputed: bool | None
    line: int


@dataclass(frozen=True, slots=True)
class SupplementRow:
    """One supplement row: the row index in the 2016 dump it came from (not a Complaint ID), product, narrative."""

    row_index: int
    product: str
    product_class: ProductClass
    narrative: str
    line: int


@dataclass(frozen=True, slots=True)
class LabeledNarrative:
    """A narrative with its CFPB labels, for training and evaluating the classifier.

    ``source`` is ``"sample"`` or ``"supplement"``; ``ref`` the Complaint ID or ``"supplement:<row index>"``.
    Supplement rows carry no sub-product, issue, sub-issue or date (they were received 2015-2016).
    """

    narrative: str
    product: str
    product_class: ProductClass
    sub_product: str | None
    issue: str | None
    sub_issue: str | None
    date_received: dt.date | None
    source: str
    ref: str


# --- cell converters (each raises ValueError with a message that suits "<field>: <message>") -----------

_T = TypeVar("_T")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def _optional(convert: Callable[[str], _T]) -> Callable[[str], _T | None]:
    def parse(value: str) -> _T | None:
        return convert(value) if value.strip() else None

    return parse


def _text(value: str) -> str | None:
    return value if value.strip() else None


def _required(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty")
    return value


def _complaint_id(value: str) -> str:
    if not value.isascii() or not value.isdigit():
        raise ValueError(f"expected a numeric Complaint ID, got {value!r}")
    return value


def _enum(kind: type[Any]) -> Callable[[str], Any]:
    def parse(value: str) -> Any:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in kind)
            raise ValueError(f"unknown value {value!r} (expected one of {allowed})") from None

    return parse


def _yes_no(value: str) -> bool:
    if value not in ("Yes", "No"):
        raise ValueError(f"expected Yes or No, got {value!r}")
    return value == "Yes"


def _disputed(value: str) -> bool | None:
    return None if value in ("", "N/A") else _yes_no(value)


def _tags(value: str) -> tuple[Tag, ...]:
    return tuple(_enum(Tag)(part.strip()) for part in value.split(",")) if value.strip() else ()


def _product(value: str) -> str:
    canonical_product(value)  # raises ValueError naming an unknown product
    return value


def _row_index(value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise ValueError(f"expected the row index of the 2016 dump (digits), got {value!r}")
    return int(value)


# Field name in Complaint -> (CCDB column, converter).
_FIELDS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "date_received": ("Date received", _date),
    "product": ("Product", _product),
    "sub_product": ("Sub-product", _text),
    "issue": ("Issue", _required),
    "sub_issue": ("Sub-issue", _text),
    "narrative": ("Consumer complaint narrative", _text),
    "company_public_response": ("Company public response", _text),
    "company": ("Company", _required),
    "state": ("State", _text),
    "zip_code": ("ZIP code", _text),
    "tags": ("Tags", _tags),
    "consumer_consent": ("Consumer consent provided?", _optional(_enum(ConsumerConsent))),
    "submitted_via": ("Submitted via", _enum(SubmittedVia)),
    "date_sent": ("Date sent to company", _optional(_date)),
    "company_response": ("Company response to consumer", _enum(CompanyResponse)),
    "timely": ("Timely response?", _yes_no),
    "consumer_disputed": ("Consumer disputed?", _disputed),
    "complaint_id": ("Complaint ID", _complaint_id),
}
_COLUMN_INDEX = {column: i for i, column in enumerate(CCDB_COLUMNS)}


# --- reading ----------------------------------------------------------------------------------------


def _decoded(path: Path) -> str:
    """The file's text (gunzipped when it starts with the gzip magic bytes), UTF-8, BOM dropped."""
    name = path.name
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except OSError as exc:
        raise ValidationFailed([FieldProblem("file", f"cannot be read: {exc}", name)]) from None
    except EOFError:
        raise ValidationFailed([FieldProblem("file", "truncated gzip stream", name)]) from None
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ValidationFailed(
            [FieldProblem("encoding", f"not UTF-8: byte 0x{raw[exc.start]:02x}", f"{name}:{line}")]
        ) from None


def _records(path: Path, header: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """Yield (start line, cells) per data record; the header and the field counts are checked."""
    name = path.name
    reader = csv.reader(io.StringIO(_decoded(path), newline=""), strict=True)
    try:
        first = next(reader, None)
        if first is None or tuple(first) != header:
            raise ValidationFailed([FieldProblem("header", f"expected {list(header)!r}, got {first!r}", f"{name}:1")])
        end = reader.line_num
        for cells in reader:
            start, end = end + 1, reader.line_num
            if not cells:
                continue  # a blank line between records carries nothing
            if len(cells) != len(header):
                raise ValidationFailed(
                    [FieldProblem("row", f"expected {len(header)} fields, found {len(cells)}", f"{name}:{start}")]
                )
            yield start, cells
    except csv.Error as exc:
        raise ValidationFailed([FieldProblem("row", f"malformed CSV: {exc}", f"{name}:{reader.line_num}")]) from None


def _complaint(name: str, line: int, cells: list[str]) -> Complaint | list[FieldProblem]:
    values: dict[str, Any] = {"line": line}
    problems: list[FieldProblem] = []
    for attribute, (column, convert) in _FIELDS.items():
        try:
            values[attribute] = convert(cells[_COLUMN_INDEX[column]])
        except ValueError as exc:
            message = str(exc).removeprefix("product: ")
            problems.append(FieldProblem(column, message, f"{name}:{line}"))
    if problems:
        return problems
    values["product_class"] = canonical_product(values["product"])
    return Complaint(**values)


def iter_complaints(path: Path) -> Iterator[Complaint]:
    """Yield the complaints of a sample file (CCDB layout), in file order.

    Args:
        path: ``complaints_sample.csv.gz`` or any CCDB-layout CSV, plain or gzip.

    Raises:
        ValidationFailed: at the first bad record, listing its problems; each names the file and
            line (``complaints_sample.csv.gz:12``) and the CCDB column. Records already yielded stay
            yielded, so callers that must be atomic use :func:`read_complaints`.
    """
    for line, cells in _records(path, CCDB_COLUMNS):
        result = _complaint(path.name, line, cells)
        if isinstance(result, list):
            raise ValidationFailed(result)
        yield result


def read_complaints(path: Path) -> list[Complaint]:
    """All complaints of a sample file, or ValidationFailed listing every bad record (up to 200 problems).

    Complaint IDs must be unique (a repeat is reported at its line).
    """
    complaints: list[Complaint] = []
    problems: list[FieldProblem] = []
    seen: dict[str, int] = {}
    for line, cells in _records(path, CCDB_COLUMNS):
        result = _complaint(path.name, line, cells)
        if isinstance(result, list):
            problems += result
        elif result.complaint_id in seen:
            problems.append(
                FieldProblem(
                    "Complaint ID",
                    f"{result.complaint_id} repeats line {seen[result.complaint_id]}",
                    f"{path.name}:{line}",
                )
            )
        else:
            seen[result.complaint_id] = line
            complaints.append(result)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ValidationFailed(problems[:MAX_PROBLEMS])
    return complaints


def iter_supplement(path: Path) -> Iterator[SupplementRow]:
    """Yield the rows of the product+narrative supplement (header ``,Product,Consumer complaint narrative``).

    Raises:
        ValidationFailed: at the first bad record (unknown product, empty narrative, bad row index),
            naming the file, line and column.
    """
    name = path.name
    for line, (index, product, narrative) in _records(path, SUPPLEMENT_HEADER):
        problems: list[FieldProblem] = []
        for column, value, check in (
            ("row index", index, _row_index),
            ("Product", product, _product),
            ("Consumer complaint narrative", narrative, _required),
        ):
            try:
                check(value)
            except ValueError as exc:
                problems.append(FieldProblem(column, str(exc).removeprefix("product: "), f"{name}:{line}"))
        if problems:
            raise ValidationFailed(problems)
        yield SupplementRow(int(index), product, canonical_product(product), narrative, line)


def find_data_file(data_dir: Path, name: str) -> Path:
    """``data_dir/name``, or the same name without ``.gz`` when only the plain file is there.

    Raises:
        ValidationFailed: neither exists (field ``file``, location the directory).
    """
    for candidate in (data_dir / name, data_dir / name.removesuffix(".gz")):
        if candidate.is_file():
            return candidate
    raise ValidationFailed([FieldProblem("file", f"{name} (or its plain form) not found", str(data_dir))])


def labeled_narratives(data_dir: Path) -> list[LabeledNarrative]:
    """Every narrative shipped in ``data_dir`` with its labels: the sample's first, then the supplement's.

    Sample complaints without a narrative are skipped. In the shipped data: 3,105 + 3,947 = 7,052.

    Raises:
        ValidationFailed: a file is missing or malformed (see the readers above).
    """
    out: list[LabeledNarrative] = [
        LabeledNarrative(
            narrative=c.narrative,
            product=c.product,
            product_class=c.product_class,
            sub_product=c.sub_product,
            issue=c.issue,
            sub_issue=c.sub_issue,
            date_received=c.date_received,
            source="sample",
            ref=c.complaint_id,
        )
        for c in read_complaints(find_data_file(data_dir, SAMPLE_FILE))
        if c.narrative is not None
    ]
    out += [
        LabeledNarrative(
            narrative=r.narrative,
            product=r.product,
            product_class=r.product_class,
            sub_product=None,
            issue=None,
            sub_issue=None,
            date_received=None,
            source="supplement",
            ref=f"supplement:{r.row_index}",
        )
        for r in iter_supplement(find_data_file(data_dir, SUPPLEMENT_FILE))
    ]
    return out
