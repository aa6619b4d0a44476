"""Sanctions name-screening engine: plain Python, no Django import (DESIGN.md, "screening/engine/").

Normalization (:mod:`.normalize`), candidate retrieval and scoring (:mod:`.index`), dates of birth
(:mod:`.dates`), country names (:mod:`.countries`) and the OFAC CSV parser (:mod:`.ofac`).
"""

from bankcrm.screening.engine.index import DEFAULT_THRESHOLD, ScreeningIndex
from bankcrm.screening.engine.ofac import OFACParseError, parse_ofac_csv_dir
from bankcrm.screening.engine.types import ENTITY_TYPES, Hit, ListEntry, ScreeningInputError, ScreeningQuery

__all__ = [
    "DEFAULT_THRESHOLD",
    "ENTITY_TYPES",
    "Hit",
    "ListEntry",
    "OFACParseError",
    "ScreeningIndex",
    "ScreeningInputError",
    "ScreeningQuery",
    "parse_ofac_csv_dir",
]
