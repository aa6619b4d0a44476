"""Value types of the screening engine (no Django import): list entries, queries and hits."""

from __future__ import annotations

from dataclasses import dataclass

#: Entity types an entry or a query may carry ("" = unknown).
ENTITY_TYPES = ("person", "organization", "vessel", "aircraft")


@dataclass(frozen=True)
class ListEntry:
    """One watch-list entry as the engine sees it.

    Attributes:
        entry_id: the list's own id (for OFAC lists the entity number ``ent_num`` as a string).
        list_code: the list it comes from, e.g. ``"ofac-sdn"``, ``"ofac-cons"``, ``"314a"``, ``"internal"``.
        name: primary name as listed, e.g. ``"PUTIN, Vladimir Vladimirovich"``.
        aliases: other names as listed (OFAC ``alt.csv``: a.k.a., f.k.a., n.k.a.).
        entity_type: ``"person"``, ``"organization"``, ``"vessel"``, ``"aircraft"`` or ``""`` (unknown).
        programs: sanctions programs, e.g. ``("RUSSIA-EO14024",)``.
        dates_of_birth: ISO ``"YYYY"``, ``"YYYY-MM"`` or ``"YYYY-MM-DD"``.
        countries: ISO 3166-1 alpha-2 codes (nationality, citizenship, address countries).
    """

    entry_id: str
    list_code: str
    name: str
    aliases: tuple[str, ...] = ()
    entity_type: str = ""
    programs: tuple[str, ...] = ()
    dates_of_birth: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScreeningQuery:
    """A name to screen, with optional qualifiers.

    Attributes:
        name: the name in any script and order (``"Smith, John"``, ``"Владимир Путин"``).
        date_of_birth: ISO date, ``"YYYY-MM"`` or year only ``"YYYY"``.
        country: ISO 3166-1 alpha-2 code (nationality or address country) or a country name.
        entity_type: one of :data:`ENTITY_TYPES` or ``None`` when unknown.
    """

    name: str
    date_of_birth: str | None = None
    country: str | None = None
    entity_type: str | None = None


@dataclass(frozen=True)
class Hit:
    """One list entry that matched a query at or above the threshold.

    Attributes:
        entry_id: the list's own id of the entry.
        list_code: the list of the entry.
        name: the entry's primary name as listed.
        matched_name: the name of the entry that matched best (the primary name or an alias), as listed.
        score: in [0, 1]; name similarity adjusted by the date-of-birth, country and entity-type qualifiers.
        programs: the entry's sanctions programs.
        explanation: human-readable account of the score: which tokens aligned and how (exact, edit
            distance, phonetic key, glued/split, transliterated), what was left unmatched, and each qualifier.
    """

    entry_id: str
    list_code: str
    name: str
    matched_name: str
    score: float
    programs: tuple[str, ...]
    explanation: str


class ScreeningInputError(ValueError):
    """A query or entry carries a value the engine cannot use; the message names the field."""
