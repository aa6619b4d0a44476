"""Parser for OFAC's CSV list files (SDN and consolidated non-SDN), no Django import.

Layout as OFAC publishes it (and as data/ofac-sdn/PROVENANCE.md describes): no header row, CRLF line
endings, a DOS end-of-file byte ``0x1A`` after the last line, ``-0-`` (with a trailing space) for an
empty field.

=================  ============================================================================
file               columns
=================  ============================================================================
sdn.csv/cons_prim  ent_num, name, type, program, title, call sign, vessel type, tonnage, GRT,
                   vessel flag, vessel owner, remarks
alt.csv/cons_alt   ent_num, alt_num, alt_type (aka/fka/nka), alt_name, alt_remarks
add.csv/cons_add   ent_num, add_num, address, city/state/postal code, country, add_remarks
=================  ============================================================================

Aliases are the a.k.a./f.k.a./n.k.a. names of ``alt.csv``. The "weak" a.k.a.s that OFAC writes only
inside the remarks (``a.k.a. 'DEDO'``: nicknames, one-word names) are not screened, as OFAC itself
calls them low-quality and does not expect them to be screened. Dates of birth come from the remarks
(``DOB 14 Jul 1972; alt. DOB 1970``), countries from ``nationality``/``citizen`` remarks and the address
countries.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from bankcrm.screening.engine.countries import country_code
from bankcrm.screening.engine.dates import ofac_dates_of_birth
from bankcrm.screening.engine.types import ListEntry

#: (primary, aliases, addresses) file names for each layout, tried in this order.
FILE_SETS = (("sdn.csv", "alt.csv", "add.csv"), ("cons_prim.csv", "cons_alt.csv", "cons_add.csv"))
_TYPES = {"individual": "person", "": "organization", "vessel": "vessel", "aircraft": "aircraft"}
_COUNTRY_REMARK = re.compile(r"\b(?:nationality|citizen|nationality of registration)\s+([^;]+?)\s*(?:;|\.?$)", re.I)


@dataclass
class _Draft:
    name: str
    entity_type: str
    programs: tuple[str, ...]
    dobs: list[str]
    countries: list[str]
    aliases: list[str] = field(default_factory=list)


class OFACParseError(ValueError):
    """An OFAC file is missing or malformed; the message starts with ``file:line``."""


def _field(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


def _read_rows(path: Path, columns: int) -> list[tuple[int, list[str]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OFACParseError(f"{path.name}: cannot be read ({exc.strerror})") from None
    data = data.rstrip(b"\x1a\r\n ")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # OFAC's files are ASCII; older downloads were Windows-1252.
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            line = start
            start = reader.line_num + 1
            if not row or row == [""]:
                continue
            if len(row) != columns:
                raise OFACParseError(f"{path.name}:{line}: expected {columns} fields, found {len(row)}")
            rows.append((line, row))
    except csv.Error as exc:
        raise OFACParseError(f"{path.name}:{reader.line_num}: {exc}") from None
    return rows


def _ent_num(value: str, path: Path, line: int) -> str:
    value = value.strip()
    if not value.isdigit():
        raise OFACParseError(f"{path.name}:{line}: ent_num {value!r} is not a number")
    return str(int(value))


def parse_ofac_csv_dir(directory: Path, list_code: str) -> list[ListEntry]:
    """Read one OFAC list version from a folder of CSV files.

    Args:
        directory: a folder holding ``sdn.csv``, ``alt.csv``, ``add.csv`` (SDN) or ``cons_prim.csv``,
            ``cons_alt.csv``, ``cons_add.csv`` (consolidated non-SDN). The alias and address files
            are optional; the primary file is required.
        list_code: stored on every entry, e.g. ``"ofac-sdn"``.

    Returns:
        One :class:`ListEntry` per primary row, in file order; ``entry_id`` is OFAC's ``ent_num``.

    Raises:
        OFACParseError: (a ``ValueError``) no primary file, a row with the wrong number of fields, a
            non-numeric or duplicate ``ent_num``, or an alias/address row for an unknown ``ent_num``;
            the message names ``file:line``.
    """
    directory = Path(directory)
    found = next((names for names in FILE_SETS if (directory / names[0]).exists()), None)
    if found is None:
        names = " or ".join(s[0] for s in FILE_SETS)
        raise OFACParseError(f"{directory}: no {names} in this folder")
    primary, alt, add = found
    prim_path = directory / primary
    entries: dict[str, _Draft] = {}
    for line, row in _read_rows(prim_path, 12):
        ent = _ent_num(row[0], prim_path, line)
        if ent in entries:
            raise OFACParseError(f"{prim_path.name}:{line}: ent_num {ent} appears twice")
        name = _field(row[1])
        if not name:
            raise OFACParseError(f"{prim_path.name}:{line}: ent_num {ent} has no name")
        sdn_type = _field(row[2]).lower()
        if sdn_type not in _TYPES:
            raise OFACParseError(f"{prim_path.name}:{line}: unknown SDN type {row[2].strip()!r}")
        programs = tuple(p.strip() for p in _field(row[3]).strip("[]").split("] [") if p.strip())
        remarks = _field(row[11])
        countries: list[str] = []
        for m in _COUNTRY_REMARK.finditer(remarks):
            code = country_code(m.group(1))
            if code:
                countries.append(code)
        flag = country_code(_field(row[9])) if _field(row[9]) else None
        if flag:
            countries.append(flag)
        dobs = ofac_dates_of_birth(remarks) if sdn_type == "individual" else []
        entries[ent] = _Draft(name, _TYPES[sdn_type], programs, dobs, countries)
    alt_path = directory / alt
    if alt_path.exists():
        for line, row in _read_rows(alt_path, 5):
            ent = _ent_num(row[0], alt_path, line)
            if ent not in entries:
                raise OFACParseError(f"{alt_path.name}:{line}: ent_num {ent} is not in {prim_path.name}")
            alias = _field(row[3])
            if alias:
                entries[ent].aliases.append(alias)
    add_path = directory / add
    if add_path.exists():
        for line, row in _read_rows(add_path, 6):
            ent = _ent_num(row[0], add_path, line)
            if ent not in entries:
                raise OFACParseError(f"{add_path.name}:{line}: ent_num {ent} is not in {prim_path.name}")
            code = country_code(_field(row[4])) if _field(row[4]) else None
            if code:
                entries[ent].countries.append(code)
    return [
        ListEntry(
            entry_id=ent,
            list_code=list_code,
            name=d.name,
            aliases=tuple(a for a in dict.fromkeys(d.aliases) if a != d.name),
            entity_type=d.entity_type,
            programs=d.programs,
            dates_of_birth=tuple(d.dobs),
            countries=tuple(dict.fromkeys(d.countries)),
        )
        for ent, d in entries.items()
    ]
