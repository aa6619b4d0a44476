"""Deterministic synthetic identities for the demo and benchmark data sets.

The Berka (PKDD'99) Czech bank data set identifies clients only by number: it has
no names, addresses, e-mails, phones or identity documents.  BankCRM needs all of
those to exercise its party, KYC and privacy flows, so every Berka client is given
a *synthetic* Czech-style identity (DESIGN decision 9: Berka clients are Czech
residents given synthetic Czech-style identities; e-mails are at ``example.com``
and phones are fictional).  Separately, a small seeded set of synthetic US parties
(persons and organizations) drives the SSN / ITIN / EIN flows.

Determinism rule
----------------
Nothing here uses the :mod:`random` module, whose algorithms are not guaranteed
to be stable across Python versions.  Every choice is derived from
``hashlib.sha256`` of a stable key string such as
``"bankcrm-v1:berka-client:42:given_name"``, read as a big-endian integer and
reduced modulo the size of the list being chosen from.  The same inputs therefore
give the same identity on every platform and Python version; changing any word
list or key format changes the output and must be treated as a data migration.

Everything produced is flagged ``is_synthetic=True`` so that it can never be
mistaken for (or mixed with) real customer data.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from anyascii import anyascii
from stdnum.us import ein as us_ein
from stdnum.us import itin as us_itin
from stdnum.us import ssn as us_ssn

__all__ = [
    "SyntheticOrganization",
    "SyntheticPerson",
    "czech_identity",
    "us_parties",
]


# --------------------------------------------------------------------------- #
# Data shapes
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class SyntheticPerson:
    """A synthetic natural person.

    Czech persons (from :func:`czech_identity`) have ``country="CZ"``, a Czech
    ``region`` (the Berka region name), a ``"NNN NN"`` postal code, a fictional
    ``+4207xxxxxxxx`` phone, a ``"passport"`` document (8 digits, country ``CZ``),
    no tax id and ``date_of_birth=None`` (their birth date comes from the real
    Berka data).

    US persons (from :func:`us_parties`) have ``country="US"``, a two-letter state
    in ``region`` (also in ``id_document_region``), a 5-digit ZIP, a phone in the
    fictional NANP ``555-01XX`` range, a ``"drivers_license"`` document, a compact
    9-digit ``tax_id`` of type ``"ssn"`` or ``"itin"`` and a ``date_of_birth``.

    E-mails are always lowercase ASCII at ``example.com``; phones are E.164
    strings.  ``is_synthetic`` is always ``True``.
    """

    given_name: str
    family_name: str
    sex: str  # "F" or "M"
    street_line: str
    city: str
    postal_code: str
    region: str
    country: str  # ISO 3166-1 alpha-2: "CZ" or "US"
    email: str
    phone: str  # E.164
    id_document_type: str  # "passport" or "drivers_license"
    id_document_number: str
    id_document_country: str
    tax_id: str | None = None  # compact digits, no dashes
    tax_id_type: str | None = None  # "ssn", "itin" or None
    date_of_birth: date | None = None
    id_document_region: str | None = None  # issuing US state for driver's licenses
    is_synthetic: bool = True

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class SyntheticOrganization:
    """A synthetic US legal entity (LLC, Inc., ...).

    ``ein`` is a compact 9-digit EIN with a valid IRS campus prefix (passes
    ``stdnum.us.ein.is_valid``); the phone is in the fictional ``555-01XX`` range;
    the e-mail is ``info@<slug>.example.com``; ``industry`` is a NAICS code and
    title.  ``is_synthetic`` is always ``True``.
    """

    legal_name: str
    formation_date: date
    ein: str
    street_line: str
    city: str
    state: str
    postal_code: str
    country: str
    phone: str
    email: str
    industry: str
    is_synthetic: bool = True


# --------------------------------------------------------------------------- #
# Hash-based choice helpers
# --------------------------------------------------------------------------- #


def _h(key: str) -> int:
    """The stable integer for ``key``: SHA-256 of its UTF-8 bytes, big-endian."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest(), "big")


_T = TypeVar("_T")


def _pick(key: str, options: tuple[_T, ...]) -> _T:
    return options[_h(key) % len(options)]


def _int(key: str, low: int, high: int) -> int:
    """A stable integer in ``low..high`` inclusive."""
    return low + _h(key) % (high - low + 1)


def _digits(key: str, n: int) -> str:
    return f"{_h(key) % 10**n:0{n}d}"


def _ascii_slug(text: str) -> str:
    """Lowercase ASCII letters and digits only (``"Kateřina"`` -> ``"katerina"``)."""
    return re.sub(r"[^a-z0-9]", "", anyascii(text).lower())


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February in a non-leap target year
        return d.replace(year=d.year - years, day=28)


def _date_between(key: str, earliest: date, latest: date) -> date:
    return earliest + timedelta(days=_int(key, 0, (latest - earliest).days))


# --------------------------------------------------------------------------- #
# Czech word lists (order matters: changing it changes every identity)
# --------------------------------------------------------------------------- #

_CZ_GIVEN_F: tuple[str, ...] = (
    "Jana", "Marie", "Eva", "Hana", "Anna", "Lenka", "Kateřina", "Věra", "Lucie", "Alena",
    "Petra", "Jaroslava", "Veronika", "Martina", "Ludmila", "Jitka", "Helena", "Tereza",
    "Michaela", "Zdeňka", "Ivana", "Jarmila", "Monika", "Zuzana", "Jiřina", "Markéta",
    "Eliška", "Marcela", "Barbora", "Dana", "Dagmar", "Kristýna", "Vlasta", "Božena",
    "Irena", "Libuše", "Pavla", "Miroslava", "Marta", "Andrea", "Klára", "Olga", "Blanka",
    "Simona", "Renata", "Iveta", "Milena", "Šárka", "Radka", "Romana",
)  # fmt: skip

_CZ_GIVEN_M: tuple[str, ...] = (
    "Jan", "Jiří", "Petr", "Josef", "Pavel", "Martin", "Tomáš", "Jaroslav", "Miroslav",
    "Zdeněk", "Václav", "Michal", "František", "Jakub", "Milan", "Karel", "Lukáš", "David",
    "Vladimír", "Ladislav", "Ondřej", "Stanislav", "Roman", "Marek", "Radek", "Daniel",
    "Antonín", "Vojtěch", "Filip", "Adam", "Miloslav", "Matěj", "Aleš", "Jaromír", "Libor",
    "Dominik", "Vlastimil", "Oldřich", "Luboš", "Bohumil", "Rudolf", "Štěpán", "Ivan", "Vít",
    "Bohuslav", "Dušan", "Richard", "Kamil", "Zbyněk", "Jindřich",
)  # fmt: skip

# (masculine, feminine) pairs, written out rather than derived: Czech feminine
# surnames drop a mobile "e" (Marek -> Marková, Němec -> Němcová), soften
# (Vaněk -> Vaňková) and turn adjectival -ý into -á (Černý -> Černá).
_CZ_SURNAMES: tuple[tuple[str, str], ...] = (
    ("Novák", "Nováková"), ("Svoboda", "Svobodová"), ("Novotný", "Novotná"),
    ("Dvořák", "Dvořáková"), ("Černý", "Černá"), ("Procházka", "Procházková"),
    ("Kučera", "Kučerová"), ("Veselý", "Veselá"), ("Horák", "Horáková"),
    ("Němec", "Němcová"), ("Marek", "Marková"), ("Pokorný", "Pokorná"),
    ("Pospíšil", "Pospíšilová"), ("Hájek", "Hájková"), ("Král", "Králová"),
    ("Jelínek", "Jelínková"), ("Růžička", "Růžičková"), ("Beneš", "Benešová"),
    ("Fiala", "Fialová"), ("Sedláček", "Sedláčková"), ("Doležal", "Doležalová"),
    ("Zeman", "Zemanová"), ("Kolář", "Kolářová"), ("Navrátil", "Navrátilová"),
    ("Čermák", "Čermáková"), ("Vaněk", "Vaňková"), ("Urban", "Urbanová"),
    ("Blažek", "Blažková"), ("Kříž", "Křížová"), ("Kovář", "Kovářová"),
    ("Kratochvíl", "Kratochvílová"), ("Bartoš", "Bartošová"), ("Vlček", "Vlčková"),
    ("Polák", "Poláková"), ("Musil", "Musilová"), ("Kopecký", "Kopecká"),
    ("Šimek", "Šimková"), ("Konečný", "Konečná"), ("Malý", "Malá"),
    ("Holub", "Holubová"), ("Čech", "Čechová"), ("Štěpánek", "Štěpánková"),
    ("Staněk", "Staňková"), ("Kadlec", "Kadlecová"), ("Dostál", "Dostálová"),
    ("Soukup", "Soukupová"), ("Šťastný", "Šťastná"), ("Mareš", "Marešová"),
    ("Moravec", "Moravcová"), ("Sýkora", "Sýkorová"), ("Tichý", "Tichá"),
    ("Valenta", "Valentová"), ("Vávra", "Vávrová"), ("Matoušek", "Matoušková"),
    ("Bláha", "Bláhová"), ("Říha", "Říhová"), ("Ševčík", "Ševčíková"),
    ("Bureš", "Burešová"), ("Hruška", "Hrušková"), ("Mašek", "Mašková"),
    ("Pavlík", "Pavlíková"), ("Dušek", "Dušková"), ("Janda", "Jandová"),
    ("Hrubý", "Hrubá"), ("Mach", "Machová"), ("Havlíček", "Havlíčková"),
    ("Skála", "Skálová"), ("Šindelář", "Šindelářová"),
)  # fmt: skip

_CZ_STREETS: tuple[str, ...] = (
    "Husova", "Palackého", "Masarykova", "Nádražní", "Školní", "Komenského", "Žižkova",
    "Riegrova", "Smetanova", "Tyršova", "Nerudova", "Jiráskova", "Havlíčkova", "Zahradní",
    "Lipová", "Polní", "Krátká", "Luční", "Sokolská", "Revoluční", "Dlouhá", "Husitská",
    "Purkyňova", "Květná", "Wolkerova", "Čapkova", "Máchova", "Bezručova", "Dvořákova",
    "Fügnerova", "Tylova", "Jungmannova", "Šafaříkova", "Vrchlického", "Sadová", "Lesní",
    "U Školy", "Na Výsluní", "Mírová", "Pražská", "Brněnská", "Zámecká", "Kostelní", "Nová",
)  # fmt: skip

# First digit of the Czech postal code by Berka region name (lowercased).
_CZ_REGION_POSTAL_DIGIT: dict[str, int] = {
    "prague": 1,
    "praha": 1,
    "central bohemia": 2,
    "south bohemia": 3,
    "west bohemia": 3,
    "north bohemia": 4,
    "east bohemia": 5,
    "south moravia": 6,
    "north moravia": 7,
}


def czech_identity(
    *,
    client_id: int,
    sex: str,
    district_name: str,
    region: str,
    seed: str = "bankcrm-v1",
) -> SyntheticPerson:
    """Return the synthetic Czech-style identity of Berka client ``client_id``.

    ``sex`` (``"F"`` or ``"M"``) is an input, taken from the real data (Berka
    encodes it in the birth number); it selects the given-name list and the
    masculine or feminine surname form.  ``city`` is ``district_name`` (the Berka
    district's town, e.g. ``"Hl.m. Praha"``) and ``region`` is passed through.

    Shape of the result: ``street_line`` like ``"Husova 12"`` (house number
    1..199); ``postal_code`` ``"NNN NN"`` whose first digit follows the region
    (1 Prague ... 7 north Moravia; hashed 1..7 for unknown regions); ``phone`` a
    fictional ``"+4207"`` + 8 digits E.164 string; ``email``
    ``"given.family.NNNN@example.com"`` in lowercase ASCII with ``NNNN`` the
    zero-padded client id (so e-mails are unique per client); an 8-digit
    ``"passport"`` number issued by ``"CZ"``; no tax id; ``date_of_birth=None``.

    Deterministic: every choice is SHA-256 of ``f"{seed}:berka-client:{client_id}:{field}"``
    modulo the list size (never :mod:`random`).  The result is flagged
    ``is_synthetic=True``.
    """
    if sex not in ("F", "M"):
        raise ValueError(f"sex must be 'F' or 'M', not {sex!r}")
    if client_id < 0:
        raise ValueError(f"client_id must be non-negative, not {client_id}")

    def key(field: str) -> str:
        return f"{seed}:berka-client:{client_id}:{field}"

    given = _pick(key("given_name"), _CZ_GIVEN_F if sex == "F" else _CZ_GIVEN_M)
    masculine, feminine = _pick(key("family_name"), _CZ_SURNAMES)
    family = feminine if sex == "F" else masculine

    street_line = f"{_pick(key('street'), _CZ_STREETS)} {_int(key('house_number'), 1, 199)}"

    first_digit = _CZ_REGION_POSTAL_DIGIT.get(region.strip().lower())
    if first_digit is None:
        first_digit = _int(key("postal_region"), 1, 7)
    rest = _digits(key("postal_code"), 4)
    postal_code = f"{first_digit}{rest[:2]} {rest[2:]}"

    phone = "+4207" + _digits(key("phone"), 8)
    email = f"{_ascii_slug(given)}.{_ascii_slug(family)}.{client_id:04d}@example.com"
    passport = str(_int(key("passport"), 10_000_000, 99_999_999))

    return SyntheticPerson(
        given_name=given,
        family_name=family,
        sex=sex,
        street_line=street_line,
        city=district_name,
        postal_code=postal_code,
        region=region,
        country="CZ",
        email=email,
        phone=phone,
        id_document_type="passport",
        id_document_number=passport,
        id_document_country="CZ",
        tax_id=None,
        tax_id_type=None,
        date_of_birth=None,
        id_document_region=None,
        is_synthetic=True,
    )


# --------------------------------------------------------------------------- #
# US word lists (order matters)
# --------------------------------------------------------------------------- #

_US_GIVEN_F: tuple[str, ...] = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Lisa", "Nancy", "Maria", "Sofia", "Guadalupe", "Aaliyah", "Keisha",
    "Mei", "Priya", "Aisha", "Hannah", "Emily", "Olivia", "Ava", "Chloe", "Grace", "Yuki",
    "Fatima", "Leilani", "Rosa", "Ngozi", "Ingrid", "Siobhan", "Dakota",
)  # fmt: skip

_US_GIVEN_M: tuple[str, ...] = (
    "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
    "Christopher", "Charles", "Daniel", "Matthew", "Anthony", "Jose", "Luis", "Carlos",
    "DeShawn", "Malik", "Wei", "Hiroshi", "Raj", "Arjun", "Omar", "Mohammed", "Ethan",
    "Noah", "Liam", "Kwame", "Dmitri", "Sean", "Tyrone", "Diego", "Minh",
)  # fmt: skip

_US_FAMILY: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Nguyen",
    "Flores", "Rivera", "Kim", "Patel", "Chen", "Wang", "O'Brien", "Okafor", "Yamamoto",
    "Kowalski", "Cohen", "Begay", "Washington", "Singh", "Haddad",
)  # fmt: skip

_US_STREETS: tuple[str, ...] = (
    "Main Street", "Oak Avenue", "Maple Avenue", "Cedar Lane", "Elm Street", "Pine Street",
    "Washington Avenue", "Lake Drive", "Hill Road", "Park Avenue", "Sunset Boulevard",
    "Lincoln Way", "Jefferson Street", "Church Street", "River Road", "Highland Avenue",
    "Forest Drive", "Meadow Lane", "Spring Street", "Walnut Street", "Chestnut Street",
    "Willow Court", "Franklin Avenue", "Madison Street", "Ridge Road",
)  # fmt: skip

# Real (city, state, ZIP, area code) combinations.
_US_PLACES: tuple[tuple[str, str, str, str], ...] = (
    ("New York", "NY", "10001", "212"),
    ("Brooklyn", "NY", "11201", "718"),
    ("Boston", "MA", "02108", "617"),
    ("Philadelphia", "PA", "19103", "215"),
    ("Baltimore", "MD", "21202", "410"),
    ("Atlanta", "GA", "30303", "404"),
    ("Miami", "FL", "33130", "305"),
    ("Chicago", "IL", "60601", "312"),
    ("Detroit", "MI", "48226", "313"),
    ("Minneapolis", "MN", "55401", "612"),
    ("Houston", "TX", "77002", "713"),
    ("Austin", "TX", "78701", "512"),
    ("Denver", "CO", "80202", "303"),
    ("Phoenix", "AZ", "85004", "602"),
    ("Los Angeles", "CA", "90012", "213"),
    ("San Francisco", "CA", "94103", "415"),
    ("Seattle", "WA", "98101", "206"),
    ("Portland", "OR", "97204", "503"),
    ("Nashville", "TN", "37203", "615"),
    ("Albuquerque", "NM", "87102", "505"),
)

_ORG_FIRST: tuple[str, ...] = (
    "Harbor", "Summit", "Cedar", "Silver", "Blue", "Granite", "Prairie", "Northern",
    "Golden", "Riverbend", "Lakeside", "Redwood", "Beacon", "Ironwood", "Maple",
)  # fmt: skip

_ORG_SECOND: tuple[str, ...] = (
    "Point", "Ridge", "Creek", "Valley", "Stone", "Field", "Crest", "Bay", "Grove", "Peak",
)  # fmt: skip

# (business word in the name, NAICS code and title)
_ORG_BUSINESS: tuple[tuple[str, str], ...] = (
    ("Logistics", "484121 General Freight Trucking, Long-Distance"),
    ("Builders", "236220 Commercial and Institutional Building Construction"),
    ("Software", "541511 Custom Computer Programming Services"),
    ("Dental Group", "621210 Offices of Dentists"),
    ("Bakery", "311811 Retail Bakeries"),
    ("Realty", "531210 Offices of Real Estate Agents and Brokers"),
    ("Farms", "111998 All Other Miscellaneous Crop Farming"),
    ("Consulting", "541611 Administrative Management and General Management Consulting Services"),
    ("Auto Repair", "811111 General Automotive Repair"),
    ("Landscaping", "561730 Landscaping Services"),
    ("Kitchen", "722511 Full-Service Restaurants"),
    ("Machine Works", "332710 Machine Shops"),
    ("Accounting", "541211 Offices of Certified Public Accountants"),
    ("Hardware", "444140 Hardware Retailers"),
)

_ORG_SUFFIXES: tuple[str, ...] = ("LLC", "Inc.", "Corp.", "LP", "Co.")

# IRS campus prefixes that stdnum accepts (every candidate is re-checked anyway).
_EIN_PREFIXES: tuple[str, ...] = (
    "01", "02", "04", "06", "10", "12", "13", "20", "22", "27", "30", "33", "35", "38",
    "41", "45", "46", "52", "56", "59", "61", "62", "65", "71", "74", "76", "80", "81",
    "82", "84", "86", "88", "90", "91", "94", "95", "98", "99",
)  # fmt: skip

_MAX_ATTEMPTS = 1000


def _fictional_us_phone(key: str, area_code: str) -> str:
    """``+1 <area> 555-01XX``: NANP reserves 555-0100..0199 for fiction."""
    return f"+1{area_code}55501{_digits(key, 2)}"


def _derive_ssn(key: str, taken: set[str]) -> str:
    for attempt in range(_MAX_ATTEMPTS):
        k = f"{key}:ssn:{attempt}"
        area = _int(k + ":area", 1, 898)
        if area >= 666:  # skip 666; 900-999 are never issued
            area += 1
        candidate = f"{area:03d}{_int(k + ':group', 1, 99):02d}{_int(k + ':serial', 1, 9999):04d}"
        if us_ssn.is_valid(candidate) and candidate not in taken:
            return candidate
    raise RuntimeError(f"could not derive a valid SSN for {key!r}")  # pragma: no cover


def _derive_itin(key: str, taken: set[str]) -> str:
    for attempt in range(_MAX_ATTEMPTS):
        k = f"{key}:itin:{attempt}"
        candidate = f"9{_digits(k + ':area', 2)}{_int(k + ':group', 70, 88):02d}{_digits(k + ':serial', 4)}"
        if us_itin.is_valid(candidate) and candidate not in taken:
            return candidate
    raise RuntimeError(f"could not derive a valid ITIN for {key!r}")  # pragma: no cover


def _derive_ein(key: str, taken: set[str]) -> str:
    for attempt in range(_MAX_ATTEMPTS):
        k = f"{key}:ein:{attempt}"
        candidate = _pick(k + ":prefix", _EIN_PREFIXES) + _digits(k + ":serial", 7)
        if us_ein.is_valid(candidate) and candidate not in taken:
            return candidate
    raise RuntimeError(f"could not derive a valid EIN for {key!r}")  # pragma: no cover


def _us_person(seed: str, index: int, as_of: date, taken_tax_ids: set[str]) -> SyntheticPerson:
    def key(field: str) -> str:
        return f"{seed}:us-person:{index}:{field}"

    sex = _pick(key("sex"), ("F", "M"))
    given = _pick(key("given_name"), _US_GIVEN_F if sex == "F" else _US_GIVEN_M)
    family = _pick(key("family_name"), _US_FAMILY)
    city, state, zip_code, area_code = _pick(key("place"), _US_PLACES)
    street_line = f"{_int(key('house_number'), 100, 9899)} {_pick(key('street'), _US_STREETS)}"

    # Age 19..90 inclusive on ``as_of``.
    latest = _years_before(as_of, 19)
    earliest = _years_before(as_of, 91) + timedelta(days=1)
    dob = _date_between(key("date_of_birth"), earliest, latest)

    if (index + 1) % 5 == 0:
        tax_id, tax_id_type = _derive_itin(key("tax_id"), taken_tax_ids), "itin"
    else:
        tax_id, tax_id_type = _derive_ssn(key("tax_id"), taken_tax_ids), "ssn"
    taken_tax_ids.add(tax_id)

    license_number = _pick(key("license_letter"), tuple("ABCDEFGHJKLMNPRSTWXY")) + _digits(key("license_number"), 8)
    return SyntheticPerson(
        given_name=given,
        family_name=family,
        sex=sex,
        street_line=street_line,
        city=city,
        postal_code=zip_code,
        region=state,
        country="US",
        email=f"{_ascii_slug(given)}.{_ascii_slug(family)}.{index + 1:04d}@example.com",
        phone=_fictional_us_phone(key("phone"), area_code),
        id_document_type="drivers_license",
        id_document_number=license_number,
        id_document_country="US",
        tax_id=tax_id,
        tax_id_type=tax_id_type,
        date_of_birth=dob,
        id_document_region=state,
        is_synthetic=True,
    )


def _us_organization(
    seed: str, index: int, as_of: date, taken_names: set[str], taken_eins: set[str]
) -> SyntheticOrganization:
    def key(field: str) -> str:
        return f"{seed}:us-org:{index}:{field}"

    for attempt in range(_MAX_ATTEMPTS):
        k = f"{key('name')}:{attempt}"
        first = _pick(k + ":first", _ORG_FIRST)
        second = _pick(k + ":second", _ORG_SECOND)
        business, industry = _pick(k + ":business", _ORG_BUSINESS)
        base = f"{first} {second} {business}"
        if base not in taken_names:
            break
    else:  # pragma: no cover
        raise RuntimeError(f"could not derive a unique organization name for {key('name')!r}")
    taken_names.add(base)
    legal_name = f"{base} {_pick(key('suffix'), _ORG_SUFFIXES)}"
    slug = "-".join(_ascii_slug(word) for word in base.split())

    city, state, zip_code, area_code = _pick(key("place"), _US_PLACES)
    ein = _derive_ein(key("ein"), taken_eins)
    taken_eins.add(ein)
    return SyntheticOrganization(
        legal_name=legal_name,
        formation_date=_date_between(key("formation_date"), date(1950, 1, 1), _years_before(as_of, 1)),
        ein=ein,
        street_line=f"{_int(key('house_number'), 100, 9899)} {_pick(key('street'), _US_STREETS)}",
        city=city,
        state=state,
        postal_code=zip_code,
        country="US",
        phone=_fictional_us_phone(key("phone"), area_code),
        email=f"info@{slug}.example.com",
        industry=industry,
        is_synthetic=True,
    )


def us_parties(
    *,
    count_persons: int = 20,
    count_organizations: int = 5,
    seed: str = "bankcrm-us-v1",
    as_of: date = date(2026, 1, 1),
) -> list[SyntheticPerson | SyntheticOrganization]:
    """Return a deterministic set of synthetic US parties: persons, then organizations.

    Persons (``count_persons``, index ``i`` from 0): US given/family names, a real
    city/state/ZIP, a ``"+1<area>55501XX"`` phone (NANP's fictional 555-0100..0199
    range), ``given.family.NNNN@example.com`` (``NNNN`` = ``i + 1``, so e-mails
    are unique), a ``"drivers_license"`` issued by the person's state, a
    ``date_of_birth`` making them 19..90 years old on ``as_of``, and a compact
    9-digit tax id: every 5th person (``i + 1`` divisible by 5) gets an ITIN
    (``9XX-70..88-XXXX``, passes ``stdnum.us.itin``), the others an SSN (passes
    ``stdnum.us.ssn``).  Tax ids are unique within the set.

    Organizations (``count_organizations``): unique ``legal_name`` such as
    ``"Harbor Point Logistics LLC"``, ``formation_date`` between 1950-01-01 and a
    year before ``as_of``, a unique EIN passing ``stdnum.us.ein``, address,
    fictional phone, ``info@<slug>.example.com`` and a NAICS industry.

    Deterministic: every choice is SHA-256 of a key such as
    ``f"{seed}:us-person:{i}:{field}"`` modulo the list size (never :mod:`random`);
    an invalid or duplicate tax id is re-derived with an attempt counter in the
    key.  Since tax ids take the shape of real ones, they are synthetic test data
    only, and every party is flagged ``is_synthetic=True``.
    """
    if count_persons < 0 or count_organizations < 0:
        raise ValueError("counts must be non-negative")
    taken_tax_ids: set[str] = set()
    parties: list[SyntheticPerson | SyntheticOrganization] = [
        _us_person(seed, i, as_of, taken_tax_ids) for i in range(count_persons)
    ]
    taken_names: set[str] = set()
    taken_eins: set[str] = set()
    parties.extend(_us_organization(seed, i, as_of, taken_names, taken_eins) for i in range(count_organizations))
    return parties
