"""Parsers for the non-OFAC lists (pure, no Django import): FinCEN 314(a) subject lists and the
bank's internal list, both CSV with a header row. Errors name the file, line and field.

314(a) layout (one row per subject or alias; rows sharing a tracking number are one subject):
``tracking_number,last_name,first_name,middle_name,suffix,alias_last_name,alias_first_name,
alias_middle_name,dob,ssn_itin,address,city,state,zip,country`` — the columns of FinCEN's 314(a)
subject file as banks receive it through the secure transfer system; unknown extra columns are
ignored, missing optional ones are empty.

Internal list: ``entry_id,name,aliases,entity_type,date_of_birth,country,programs`` with
``aliases`` and ``programs`` separated by ``|``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.screening.engine import ListEntry

FINCEN_314A_REQUIRED = ("tracking_number", "last_name", "first_name")
INTERNAL_REQUIRED = ("entry_id", "name")
ENTITY_TYPES = {"", "person", "organization", "vessel", "aircraft"}


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed([FieldProblem("file", str(exc), path.name)]) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationFailed([FieldProblem("header", f"missing column(s): {', '.join(missing)}", f"{path.name}:1")])
    out = []
    for row in reader:
        clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        out.append((reader.line_num, clean))
    return out


def _iso_date(value: str, where: str, problems: list[FieldProblem]) -> str | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%Y"):
        try:
            parsed = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        return str(parsed.year) if fmt == "%Y" else parsed.isoformat()
    problems.append(FieldProblem("dob", f"not a date: {value!r} (YYYY-MM-DD, MM/DD/YYYY or YYYY)", where))
    return None


def parse_314a(path: Path) -> list[ListEntry]:
    """Subjects of a FinCEN 314(a) subject list (``list_code`` ``314a``; ``entry_id`` the tracking
    number, persons only; aliases from the alias columns; SSNs are not kept on the entry).

    Raises:
        ValidationFailed: missing columns or bad values (file:line, field); nothing is returned.
    """
    problems: list[FieldProblem] = []
    subjects: dict[str, dict[str, object]] = {}
    for line, row in _rows(path, FINCEN_314A_REQUIRED):
        where = f"{path.name}:{line}"
        tracking = row.get("tracking_number", "")
        last, first = row.get("last_name", ""), row.get("first_name", "")
        if not tracking:
            problems.append(FieldProblem("tracking_number", "is empty", where))
            continue
        if not (last or first):
            problems.append(FieldProblem("last_name", "a subject needs a name", where))
            continue
        name = f"{last}, {' '.join(p for p in (first, row.get('middle_name', ''), row.get('suffix', '')) if p)}".strip(
            ", "
        )
        subject = subjects.setdefault(tracking, {"name": name, "aliases": [], "dobs": [], "countries": []})
        alias_last, alias_first = row.get("alias_last_name", ""), row.get("alias_first_name", "")
        if alias_last or alias_first:
            alias = f"{alias_last}, {' '.join(p for p in (alias_first, row.get('alias_middle_name', '')) if p)}".strip(
                ", "
            )
            subject["aliases"].append(alias)  # type: ignore[attr-defined]
        if name != subject["name"] and name not in subject["aliases"]:  # type: ignore[operator]
            subject["aliases"].append(name)  # type: ignore[attr-defined]
        dob = _iso_date(row.get("dob", ""), where, problems)
        if dob and dob not in subject["dobs"]:  # type: ignore[operator]
            subject["dobs"].append(dob)  # type: ignore[attr-defined]
        country = row.get("country", "").upper()[:2]
        if country and country not in subject["countries"]:  # type: ignore[operator]
            subject["countries"].append(country)  # type: ignore[attr-defined]
    if problems:
        raise ValidationFailed(problems)
    return [
        ListEntry(
            entry_id=tracking,
            list_code="314a",
            name=str(s["name"]),
            aliases=tuple(s["aliases"]),  # type: ignore[arg-type]
            entity_type="person",
            programs=("314(a)",),
            dates_of_birth=tuple(s["dobs"]),  # type: ignore[arg-type]
            countries=tuple(s["countries"]),  # type: ignore[arg-type]
        )
        for tracking, s in subjects.items()
    ]


def parse_internal(path: Path) -> list[ListEntry]:
    """Entries of the bank's internal list (``list_code`` ``internal``).

    Raises:
        ValidationFailed: missing columns, duplicate ids, bad entity types or dates (file:line, field).
    """
    problems: list[FieldProblem] = []
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for line, row in _rows(path, INTERNAL_REQUIRED):
        where = f"{path.name}:{line}"
        entry_id, name = row.get("entry_id", ""), row.get("name", "")
        if not entry_id or not name:
            problems.append(FieldProblem("entry_id" if not entry_id else "name", "is empty", where))
            continue
        if entry_id in seen:
            problems.append(FieldProblem("entry_id", f"{entry_id} appears twice", where))
            continue
        seen.add(entry_id)
        kind = row.get("entity_type", "").lower()
        if kind not in ENTITY_TYPES:
            problems.append(
                FieldProblem("entity_type", f"must be one of {', '.join(sorted(ENTITY_TYPES - {''}))}", where)
            )
        dob = _iso_date(row.get("date_of_birth", ""), where, problems)
        entries.append(
            ListEntry(
                entry_id=entry_id,
                list_code="internal",
                name=name,
                aliases=tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip()),
                entity_type=kind,
                programs=tuple(p.strip() for p in row.get("programs", "").split("|") if p.strip()) or ("internal",),
                dates_of_birth=(dob,) if dob else (),
                countries=(row.get("country", "").upper()[:2],) if row.get("country") else (),
            )
        )
    if problems:
        raise ValidationFailed(problems)
    return entries
