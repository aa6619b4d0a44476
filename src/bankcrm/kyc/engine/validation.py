"""Validation of a CIP onboarding application (pure engine, no Django import).

Implements the collection side of the Customer Identification Program, 31 CFR 1020.220(a)(2)(i):
before an account is opened the bank collects the customer's **name, date of birth (individuals),
address and identification number**. Address: a residential street address for an individual (an
APO/FPO box is accepted, a P.O. box is not), the principal place of business for an entity.
Identification number: the TIN for a US person; for a non-US person a TIN, or a passport, alien
identification card or other government-issued photo-ID number with its issuing country. For a
legal-entity customer, 31 CFR 1010.230 adds the beneficial owners (every individual owning
**>= 25%**, so at most four) and **one** control person, each with the CIP elements, and the
certification of the person opening the account (Appendix A).

Input is a JSON-like mapping (what the API receives; the console and portal forms are parsed into
the same shape)::

    {"kind": "person" | "organization", "channel": "branch", "cip_notice_acknowledged": true,
     "person": PERSON,                       # kind person
     "organization": {"legal_name", "formation_date"?, "formation_country", "tax_id_type": "ein" |
                      "foreign", "tax_id", "industry": NAICS code, "address": ADDRESS, "phone"?, "email"?},
     "beneficial_owners": [PERSON + {"ownership_percent": "25"}],   # organization
     "control_person": PERSON + {"title"} | {"owner": <index of a beneficial owner>, "title"},
     "certification": {"name", "title", "certified": true},         # organization
     "cdd": {"occupation"?, "pep_status"?, "products": [...], "purpose"?, "source_of_funds"?,
             "expected_monthly_amount"?, "expected_cash_amount"?, "currency"?, "expected_countries"?}}

    PERSON = {"given_name", "middle_name"?, "family_name", "date_of_birth": "YYYY-MM-DD",
              "nationality", "residence_country"?, "tax_id_type"?: "ssn" | "itin", "tax_id"?,
              "id_document"?: {"type", "number", "issuing_country", "issuing_region"?, "expires_on"?},
              "address": ADDRESS, "phone"?, "email"?}
    ADDRESS = {"line1", "line2"?, "city", "region"?, "postal_code"?, "country"}

:func:`validate_application` returns a typed :class:`Application` or raises
:class:`~bankcrm.core.errors.ValidationFailed` listing **every** problem with a dotted field path
(``person.address.postal_code``, ``beneficial_owners[1].tax_id``). Tax ids use python-stdnum
(SSN, ITIN, EIN and foreign national ids / VAT numbers where stdnum knows the country), phone
numbers use phonenumbers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from stdnum import exceptions as stdnum_errors
from stdnum.us import ein as us_ein
from stdnum.us import itin as us_itin
from stdnum.us import ssn as us_ssn
from stdnum.util import get_cc_module

from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.core.money import MINOR_UNITS, to_minor
from bankcrm.parties.birth import age_on

__all__ = [
    "CHANNELS",
    "ID_DOCUMENT_TYPES",
    "OCCUPATIONS",
    "PEP_STATUSES",
    "PRODUCTS",
    "Address",
    "Application",
    "Cdd",
    "Certification",
    "IdDocument",
    "Organization",
    "Person",
    "is_country",
    "validate_application",
    "validate_cdd",
]

#: Onboarding channels (the risk model rates non-face-to-face channels higher).
CHANNELS = ("branch", "phone", "web", "mobile", "mail", "api", "introducer")
#: Government-issued photo identification accepted as the identification number of a non-US person.
ID_DOCUMENT_TYPES = ("passport", "drivers_license", "national_id", "alien_id")
PERSON_TAX_ID_TYPES = ("ssn", "itin")
ORGANIZATION_TAX_ID_TYPES = ("ein", "foreign")
PEP_STATUSES = ("none", "domestic", "foreign", "international_organization", "associate")
#: Occupation codes of individuals (the risk model maps them to a level).
OCCUPATIONS = (
    "employee",
    "self_employed",
    "business_owner",
    "retired",
    "student",
    "homemaker",
    "unemployed",
    "government_official",
    "military",
    "lawyer",
    "accountant",
    "real_estate_agent",
    "cash_intensive_business",
    "nonprofit_executive",
    "money_services",
    "casino_gaming",
    "precious_metals_dealer",
    "virtual_asset_services",
    "arms_dealer",
    "other",
)
#: Product codes a customer may apply for (the holdings product types plus services that carry risk).
PRODUCTS = (
    "checking",
    "savings",
    "certificate_of_deposit",
    "loan",
    "credit_card",
    "debit_card",
    "prepaid_card",
    "safe_deposit_box",
    "international_wire",
    "remote_deposit_capture",
    "cash_management",
    "trade_finance",
    "private_banking",
    "correspondent_account",
)
PURPOSES = (
    "everyday_banking",
    "savings",
    "business_operations",
    "payroll",
    "investment",
    "borrowing",
    "international_transfers",
    "other",
)
SOURCES_OF_FUNDS = (
    "employment",
    "business_income",
    "pension",
    "savings",
    "investments",
    "inheritance",
    "sale_of_property",
    "gift",
    "loan",
    "other",
)
#: Ages outside this range are implausible for a living customer (the oldest verified human lived 122 years).
MAX_AGE = 120
#: The applicant and the control person contract with the bank, so they must be adults.
MIN_ADULT_AGE = 18
#: 31 CFR 1010.230(d)(1): each individual owning 25% or more of the equity interests.
OWNERSHIP_THRESHOLD_BP = 2500
#: US states, DC, territories and the military "states" AA/AE/AP used with APO/FPO/DPO addresses.
US_REGIONS = frozenset(
    (
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
        "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
        "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
        "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP", "AA", "AE", "AP",
    )
)  # fmt: skip
#: stdnum module names for national identity numbers, by issuing country (others: format check only).
NATIONAL_ID_MODULES = {
    "BR": "cpf",
    "CA": "sin",
    "CN": "ric",
    "CZ": "rc",
    "ES": "dni",
    "FR": "nir",
    "IN": "aadhaar",
    "IT": "codicefiscale",
    "MX": "curp",
    "NL": "bsn",
    "PL": "pesel",
    "SE": "personnummer",
    "SK": "rc",
}

_PO_BOX = re.compile(r"\b(p\.?\s*o\.?\s*box|post\s+office\s+box|postfach|apartado\s+postal)\b", re.IGNORECASE)
_MILITARY_CITY = frozenset({"APO", "FPO", "DPO"})
_PERSON_NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '\u2019.\-])*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EMAIL = re.compile(
    r"^(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$"
)
_US_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")
_CA_POSTAL = re.compile(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$")
_POSTAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,14}$")
_ALNUM = re.compile(r"^[A-Z0-9]+$")
_NAICS = re.compile(r"^\d{2,6}$")
# Region codes phonenumbers knows: ISO 3166-1 alpha-2 countries and territories (no network, no
# extra dependency); "001" is its code for non-geographic numbers, not a country.
_COUNTRIES = frozenset(r for r in phonenumbers.SUPPORTED_REGIONS if len(r) == 2)


def is_country(code: str) -> bool:
    """True when ``code`` is an ISO 3166-1 alpha-2 country or territory code (upper case)."""
    return code in _COUNTRIES


@dataclass(frozen=True)
class Address:
    """A postal address; ``country`` ISO 3166-1 alpha-2, ``region`` a US state code for the US."""

    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str


@dataclass(frozen=True)
class IdDocument:
    """A government-issued identity document; ``number`` compact (upper case, no separators)."""

    type: str
    number: str
    issuing_country: str
    issuing_region: str
    expires_on: dt.date | None


@dataclass(frozen=True)
class Person:
    """An individual: the applicant, a beneficial owner or the control person. ``tax_id`` is
    compact (9 digits) with ``tax_id_type`` ``ssn`` or ``itin``, or empty; ``phone`` is E.164;
    ``ownership_bp`` is set for beneficial owners (2500 = 25%), ``title`` for the control person."""

    given_name: str
    middle_name: str
    family_name: str
    date_of_birth: dt.date
    nationality: str
    residence_country: str
    tax_id_type: str
    tax_id: str
    id_document: IdDocument | None
    address: Address
    phone: str
    email: str
    ownership_bp: int | None = None
    title: str = ""

    @property
    def full_name(self) -> str:
        """Given, middle and family name joined by single spaces."""
        return " ".join(p for p in (self.given_name, self.middle_name, self.family_name) if p)


@dataclass(frozen=True)
class Organization:
    """A legal-entity customer. ``tax_id`` is a compact EIN (``tax_id_type`` ``ein``) or a foreign
    registration / tax number issued by ``formation_country`` (``foreign``); ``industry`` a NAICS code."""

    legal_name: str
    formation_date: dt.date | None
    formation_country: str
    tax_id_type: str
    tax_id: str
    industry: str
    address: Address
    phone: str
    email: str


@dataclass(frozen=True)
class Certification:
    """The beneficial-ownership certification (31 CFR 1010.230 Appendix A) by the person opening
    the account, to the best of their knowledge."""

    name: str
    title: str


@dataclass(frozen=True)
class Cdd:
    """Customer due-diligence answers feeding the risk rating. Amounts are integer minor units of
    ``currency`` (None when not declared)."""

    occupation: str
    pep_status: str
    products: tuple[str, ...]
    purpose: str
    source_of_funds: str
    expected_monthly_minor: int | None
    expected_cash_minor: int | None
    currency: str
    expected_countries: tuple[str, ...]


@dataclass(frozen=True)
class Application:
    """A complete, valid application. ``control_owner_index`` is the index of the beneficial
    owner who is also the control person (then ``control_person`` is that owner with the title)."""

    kind: str
    channel: str
    person: Person | None
    organization: Organization | None
    beneficial_owners: tuple[Person, ...]
    control_person: Person | None
    control_owner_index: int | None
    certification: Certification | None
    cdd: Cdd

    @property
    def individuals(self) -> list[tuple[str, Person]]:
        """``(role, person)`` for every individual to create: the applicant, or each beneficial
        owner and the control person (once when the control person is an owner)."""
        if self.person is not None:
            return [("applicant", self.person)]
        result = [("beneficial_owner", p) for p in self.beneficial_owners]
        if self.control_person is not None and self.control_owner_index is None:
            result.append(("control_person", self.control_person))
        return result


class _Checker:
    """Collects problems while reading a raw mapping; every accessor returns a cleaned value."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.problems: list[FieldProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(FieldProblem(path, message))

    def section(self, raw: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> Mapping[str, Any]:
        value = raw.get(key)
        if value is None or value == {}:
            if required:
                self.add(path, "is required")
            return {}
        if not isinstance(value, Mapping):
            self.add(path, "must be an object")
            return {}
        return value

    def text(self, raw: Mapping[str, Any], key: str, path: str, *, required: bool = True, max_length: int = 100) -> str:
        value = raw.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.add(path, "must be text")
            return ""
        value = " ".join(value.split())
        if not value:
            if required:
                self.add(path, "is required")
        elif len(value) > max_length:
            self.add(path, f"at most {max_length} characters")
        elif _CONTROL.search(value):
            self.add(path, "contains control characters")
        return value

    def choice(
        self, raw: Mapping[str, Any], key: str, path: str, choices: Sequence[str], *, default: str | None = None
    ) -> str:
        value = self.text(raw, key, path, required=default is None, max_length=40).lower()
        if not value:
            return default or ""
        if value not in choices:
            self.add(path, f"must be one of {', '.join(choices)}")
        return value

    def country(self, raw: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
        value = self.text(raw, key, path, required=required, max_length=2).upper()
        if value and not is_country(value):
            self.add(path, "must be a two-letter ISO 3166 country code")
        return value

    def date(self, raw: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> dt.date | None:
        value = raw.get(key)
        if value is None or value == "":
            if required:
                self.add(path, "is required")
            return None
        if isinstance(value, dt.datetime):
            self.add(path, "must be a date without a time")
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.add(path, "must be a date as YYYY-MM-DD")
            return None


def _compact(value: str) -> str:
    return re.sub(r"[\s\-./]", "", value).upper()


def _check_name_part(c: _Checker, raw: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
    value = c.text(raw, key, path, required=required, max_length=100)
    if value and not _PERSON_NAME.match(value):
        c.add(path, "letters, spaces, apostrophes, dots and hyphens only")
    return value


def _check_email(c: _Checker, raw: Mapping[str, Any], key: str, path: str, *, required: bool) -> str:
    value = c.text(raw, key, path, required=required, max_length=254)
    if not value:
        return ""
    found = _EMAIL.match(value)
    if found is None or len(found["local"]) > 64:
        c.add(path, "must be an e-mail address such as name@example.com")
        return value
    return f"{found['local']}@{found['domain'].lower()}"


def _check_phone(c: _Checker, raw: Mapping[str, Any], key: str, path: str, *, country: str) -> str:
    value = c.text(raw, key, path, required=False, max_length=32)
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, country or "US")
    except phonenumbers.NumberParseException:
        c.add(path, "must be a phone number, with its country code when outside the address country")
        return value
    if not phonenumbers.is_valid_number(number):
        c.add(path, "is not a valid phone number for its country")
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _check_address(c: _Checker, raw: Mapping[str, Any], path: str, *, street: bool) -> Address:
    """``street``: CIP wants a residential or business street address, not a P.O. box (an
    APO/FPO/DPO military address is accepted)."""
    a = c.section(raw, "address", path)
    line1 = c.text(a, "line1", f"{path}.line1", max_length=200)
    line2 = c.text(a, "line2", f"{path}.line2", required=False, max_length=200)
    city = c.text(a, "city", f"{path}.city", max_length=100)
    country = c.country(a, "country", f"{path}.country")
    region = c.text(a, "region", f"{path}.region", required=country == "US", max_length=100)
    postal = c.text(a, "postal_code", f"{path}.postal_code", required=country in ("US", "CA"), max_length=16)
    military = city.upper() in _MILITARY_CITY
    if street and not military and (_PO_BOX.search(line1) or _PO_BOX.search(line2)):
        c.add(f"{path}.line1", "a street address is required (CIP); a P.O. box is not accepted, APO/FPO/DPO is")
    if country == "US":
        region = region.upper()
        if region and region not in US_REGIONS:
            c.add(f"{path}.region", "must be a US state or territory code such as NY")
        if postal and not _US_ZIP.match(postal):
            c.add(f"{path}.postal_code", "must be a ZIP code: 5 digits or ZIP+4 (12345-6789)")
        if military and region not in ("AA", "AE", "AP"):
            c.add(f"{path}.region", "an APO/FPO/DPO address uses AA, AE or AP")
    elif country == "CA":
        postal = postal.upper()
        if postal and not _CA_POSTAL.match(postal):
            c.add(f"{path}.postal_code", "must be a Canadian postal code such as K1A 0B1")
    elif postal and not _POSTAL.match(postal):
        c.add(f"{path}.postal_code", "letters, digits, spaces and hyphens only")
    return Address(line1=line1, line2=line2, city=city, region=region, postal_code=postal, country=country)


def _check_tax_id(c: _Checker, kind: str, value: str, path: str) -> str:
    """A US TIN of type ``kind`` (``ssn``, ``itin`` or ``ein``), compact; a problem names the kind."""
    module = {"ssn": us_ssn, "itin": us_itin, "ein": us_ein}[kind]
    compact = _compact(value)
    try:
        return str(module.validate(compact))
    except stdnum_errors.ValidationError:
        pass
    hint = ""
    if kind == "ssn" and us_itin.is_valid(compact):
        hint = " (it is an ITIN: choose ITIN)"
    elif kind == "itin" and us_ssn.is_valid(compact):
        hint = " (it is an SSN: choose SSN)"
    rule = {
        "ssn": "9 digits; area not 000, 666 or 900-999, group not 00, serial not 0000",
        "itin": "9 digits starting with 9 and a group of 50-65, 70-88, 90-92 or 94-99",
        "ein": "9 digits with a valid IRS campus prefix",
    }[kind]
    c.add(path, f"not a valid {kind.upper()}: {rule}{hint}")
    return compact


def _stdnum_module(country: str, names: Sequence[str]) -> Any:
    for name in names:
        module = get_cc_module(country.lower(), name)
        if module is not None:
            return module
    return None


def _check_document(c: _Checker, raw: Mapping[str, Any], path: str, born: dt.date | None) -> IdDocument | None:
    d = c.section(raw, "id_document", path, required=False)
    if not d:
        return None
    doc_type = c.choice(d, "type", f"{path}.type", ID_DOCUMENT_TYPES)
    number = _compact(c.text(d, "number", f"{path}.number", max_length=32))
    country = c.country(d, "issuing_country", f"{path}.issuing_country")
    region = c.text(d, "issuing_region", f"{path}.issuing_region", required=False, max_length=100).upper()
    expires = c.date(d, "expires_on", f"{path}.expires_on", required=False)
    if expires is not None and expires < c.today:
        c.add(f"{path}.expires_on", "the document has expired")
    if doc_type == "drivers_license" and country == "US" and region not in US_REGIONS:
        c.add(f"{path}.issuing_region", "the issuing state of a US driver's license, such as NY")
    if not number:
        return None
    module = None
    if doc_type == "national_id" and country in NATIONAL_ID_MODULES:
        module = _stdnum_module(country, [NATIONAL_ID_MODULES[country]])
    if module is not None:
        try:
            number = str(module.validate(number)).upper()
        except stdnum_errors.ValidationError:
            c.add(f"{path}.number", f"not a valid {country} national identity number")
        else:
            _check_embedded_birth_date(c, module, number, born, f"{path}.number")
    elif doc_type == "passport" and not (_ALNUM.match(number) and 6 <= len(number) <= 9):
        c.add(f"{path}.number", "a passport number has 6 to 9 letters and digits")
    elif doc_type == "alien_id" and country == "US" and not re.match(r"^A?\d{8,9}$", number):
        c.add(f"{path}.number", "an alien registration number: A followed by 8 or 9 digits")
    elif not (_ALNUM.match(number) and 4 <= len(number) <= 20):
        c.add(f"{path}.number", "4 to 20 letters and digits")
    return IdDocument(type=doc_type, number=number, issuing_country=country, issuing_region=region, expires_on=expires)


def _check_embedded_birth_date(c: _Checker, module: Any, number: str, born: dt.date | None, path: str) -> None:
    """Several national numbers encode the birth date (Czech rodné číslo, CURP, PESEL, ...): a
    number that disagrees with the stated date of birth is a red flag worth stopping on."""
    getter = getattr(module, "get_birth_date", None)
    if getter is None or born is None:
        return
    try:
        encoded = getter(number)
    except (stdnum_errors.ValidationError, ValueError):
        return
    if isinstance(encoded, dt.date) and encoded != born:
        c.add(path, "does not match the date of birth")


def _check_person(
    c: _Checker, raw: Mapping[str, Any], path: str, *, adult: bool, ownership: bool = False, title: bool = False
) -> Person | None:
    given = _check_name_part(c, raw, "given_name", f"{path}.given_name")
    middle = _check_name_part(c, raw, "middle_name", f"{path}.middle_name", required=False)
    family = _check_name_part(c, raw, "family_name", f"{path}.family_name")
    born = c.date(raw, "date_of_birth", f"{path}.date_of_birth")
    if born is not None:
        if born > c.today:
            c.add(f"{path}.date_of_birth", "is in the future")
            born = None
        elif age_on(born, c.today) > MAX_AGE:
            c.add(f"{path}.date_of_birth", f"implausible: more than {MAX_AGE} years ago")
        elif adult and age_on(born, c.today) < MIN_ADULT_AGE:
            c.add(f"{path}.date_of_birth", f"must be at least {MIN_ADULT_AGE} years old")
    nationality = c.country(raw, "nationality", f"{path}.nationality")
    residence = c.country(raw, "residence_country", f"{path}.residence_country", required=False)
    tax_type = c.choice(raw, "tax_id_type", f"{path}.tax_id_type", PERSON_TAX_ID_TYPES, default="")
    tax_raw = c.text(raw, "tax_id", f"{path}.tax_id", required=False, max_length=20)
    tax_id = ""
    if tax_raw and not tax_type:
        c.add(f"{path}.tax_id_type", "say whether the tax id is an SSN or an ITIN")
    elif tax_type and not tax_raw:
        c.add(f"{path}.tax_id", "is required when a tax id type is given")
    elif tax_type in PERSON_TAX_ID_TYPES:
        tax_id = _check_tax_id(c, tax_type, tax_raw, f"{path}.tax_id")
    document = _check_document(c, raw, f"{path}.id_document", born)
    # CIP identification number: the TIN for a US person; a TIN or a government photo-ID number
    # with its issuing country for anyone else.
    if nationality == "US" and not (tax_type == "ssn" and tax_raw):
        c.add(f"{path}.tax_id", "a US person's Social Security number is required (CIP)")
    elif nationality and nationality != "US" and not tax_raw and document is None:
        c.add(
            f"{path}.id_document",
            "a non-US person needs a US taxpayer id or a passport, alien id or other government photo-id "
            "number with its issuing country (CIP)",
        )
    address = _check_address(c, raw, f"{path}.address", street=True)
    phone = _check_phone(c, raw, "phone", f"{path}.phone", country=address.country)
    email = _check_email(c, raw, "email", f"{path}.email", required=False)
    ownership_bp = _check_ownership(c, raw, f"{path}.ownership_percent") if ownership else None
    role_title = c.text(raw, "title", f"{path}.title", max_length=100) if title else ""
    if born is None:
        return None
    return Person(
        given_name=given,
        middle_name=middle,
        family_name=family,
        date_of_birth=born,
        nationality=nationality,
        residence_country=residence or address.country,
        tax_id_type=tax_type if tax_id else "",
        tax_id=tax_id,
        id_document=document,
        address=address,
        phone=phone,
        email=email,
        ownership_bp=ownership_bp,
        title=role_title,
    )


def _check_ownership(c: _Checker, raw: Mapping[str, Any], path: str) -> int | None:
    value = raw.get("ownership_percent")
    if value is None or value == "":
        c.add(path, "is required")
        return None
    if isinstance(value, float | bool):
        c.add(path, 'send the percentage as a string or an integer, e.g. "33.5"')
        return None
    try:
        percent = Decimal(str(value).strip())
    except InvalidOperation:
        c.add(path, "must be a number of percent, e.g. 25 or 33.5")
        return None
    bp = percent * 100
    if not percent.is_finite() or bp != bp.to_integral_value():
        c.add(path, "at most two decimals")
        return None
    if not OWNERSHIP_THRESHOLD_BP <= bp <= 10000:
        c.add(path, "a beneficial owner holds 25% to 100% (31 CFR 1010.230); leave out smaller holders")
        return None
    return int(bp)


def _check_organization(c: _Checker, raw: Mapping[str, Any], path: str) -> Organization:
    name = c.text(raw, "legal_name", f"{path}.legal_name", max_length=200)
    formed = c.date(raw, "formation_date", f"{path}.formation_date", required=False)
    if formed is not None and formed > c.today:
        c.add(f"{path}.formation_date", "is in the future")
    country = c.country(raw, "formation_country", f"{path}.formation_country")
    tax_type = c.choice(raw, "tax_id_type", f"{path}.tax_id_type", ORGANIZATION_TAX_ID_TYPES, default="ein")
    tax_raw = c.text(raw, "tax_id", f"{path}.tax_id", max_length=32)
    tax_id = _compact(tax_raw)
    if country == "US" and tax_type != "ein":
        c.add(f"{path}.tax_id_type", "an entity formed in the US is identified by its EIN (CIP)")
    if tax_raw and tax_type == "ein":
        tax_id = _check_tax_id(c, "ein", tax_raw, f"{path}.tax_id")
    elif tax_raw and country:
        module = _stdnum_module(country, ["vat", "tin", "brn"])
        if module is not None and not module.is_valid(tax_id):
            c.add(f"{path}.tax_id", f"not a valid {country} tax or registration number")
        elif module is None and not (_ALNUM.match(tax_id) and 4 <= len(tax_id) <= 20):
            c.add(f"{path}.tax_id", "4 to 20 letters and digits")
    industry = c.text(raw, "industry", f"{path}.industry", max_length=6)
    if industry and not _NAICS.match(industry):
        c.add(f"{path}.industry", "a NAICS code of 2 to 6 digits, e.g. 722511")
    address = _check_address(c, raw, f"{path}.address", street=True)
    phone = _check_phone(c, raw, "phone", f"{path}.phone", country=address.country)
    email = _check_email(c, raw, "email", f"{path}.email", required=False)
    return Organization(
        legal_name=name,
        formation_date=formed,
        formation_country=country,
        tax_id_type=tax_type,
        tax_id=tax_id,
        industry=industry,
        address=address,
        phone=phone,
        email=email,
    )


def _money(c: _Checker, raw: Mapping[str, Any], key: str, path: str, currency: str) -> int | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, float | bool):
        c.add(path, 'send the amount as a decimal string, e.g. "2500.00"')
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        c.add(path, "must be an amount, e.g. 2500.00")
        return None
    if not amount.is_finite() or amount < 0:
        c.add(path, "must be zero or more")
        return None
    if currency not in MINOR_UNITS:
        return None
    if amount != amount.quantize(Decimal(1).scaleb(-MINOR_UNITS[currency])):
        c.add(path, f"at most {MINOR_UNITS[currency]} decimals for {currency}")
        return None
    return to_minor(amount, currency)


def _list_of_text(c: _Checker, raw: Mapping[str, Any], key: str, path: str, *, limit: int) -> list[str]:
    value = raw.get(key) or []
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        c.add(path, "must be a list of codes")
        return []
    if len(value) > limit:
        c.add(path, f"at most {limit} entries")
    return [v.strip() for v in value[:limit] if v.strip()]


def _check_cdd(c: _Checker, raw: Mapping[str, Any], kind: str) -> Cdd:
    d = c.section(raw, "cdd", "cdd")
    occupation = ""
    if kind == "person":
        occupation = c.choice(d, "occupation", "cdd.occupation", OCCUPATIONS)
    pep = c.choice(d, "pep_status", "cdd.pep_status", PEP_STATUSES, default="none")
    products = [p.lower() for p in _list_of_text(c, d, "products", "cdd.products", limit=len(PRODUCTS))]
    unknown = sorted(set(products) - set(PRODUCTS))
    if unknown:
        c.add("cdd.products", f"unknown product(s) {', '.join(unknown)}; choose from {', '.join(PRODUCTS)}")
    if not products and d:
        c.add("cdd.products", "name at least one product the customer is applying for")
    purpose = c.choice(d, "purpose", "cdd.purpose", PURPOSES, default="")
    source = c.choice(d, "source_of_funds", "cdd.source_of_funds", SOURCES_OF_FUNDS, default="")
    currency = (c.text(d, "currency", "cdd.currency", required=False, max_length=3) or "USD").upper()
    if currency not in MINOR_UNITS:
        c.add("cdd.currency", f"must be one of {', '.join(sorted(MINOR_UNITS))}")
    monthly = _money(c, d, "expected_monthly_amount", "cdd.expected_monthly_amount", currency)
    cash = _money(c, d, "expected_cash_amount", "cdd.expected_cash_amount", currency)
    if monthly is not None and cash is not None and cash > monthly:
        c.add("cdd.expected_cash_amount", "cannot exceed the expected monthly amount")
    countries = [v.upper() for v in _list_of_text(c, d, "expected_countries", "cdd.expected_countries", limit=20)]
    for code in countries:
        if not is_country(code):
            c.add("cdd.expected_countries", f"{code!r} is not a two-letter ISO 3166 country code")
    return Cdd(
        occupation=occupation,
        pep_status=pep,
        products=tuple(dict.fromkeys(products)),
        purpose=purpose,
        source_of_funds=source,
        expected_monthly_minor=monthly,
        expected_cash_minor=cash,
        currency=currency,
        expected_countries=tuple(dict.fromkeys(countries)),
    )


def validate_cdd(raw: Mapping[str, Any], kind: str) -> Cdd:
    """Check CDD answers alone (the ``cdd`` section of an application, for a ``person`` or an
    ``organization``), e.g. when a customer's profile is updated.

    Raises:
        ValidationFailed: each bad field, named ``cdd.<field>``.
    """
    c = _Checker(dt.date.min)
    cdd = _check_cdd(c, {"cdd": raw if isinstance(raw, Mapping) else {}}, kind)
    if c.problems:
        raise ValidationFailed(c.problems)
    return cdd


def _person_identity(p: Person) -> str:
    return f"{p.tax_id_type}:{p.tax_id}" if p.tax_id else ""


def validate_application(raw: Mapping[str, Any], *, today: dt.date, require_email: bool = False) -> Application:
    """Check a whole onboarding application and return it cleaned (see the module docstring for
    the input shape and the rules).

    Args:
        raw: the application as decoded JSON.
        today: the bank's business date (expiry, ages and "not in the future" are judged on it).
        require_email: self-service channels need an e-mail address to reach the applicant.

    Raises:
        ValidationFailed: every problem found, each naming its dotted field path; a structural
            problem (wrong kind) stops the check early.
    """
    c = _Checker(today)
    if not isinstance(raw, Mapping):
        raise ValidationFailed([FieldProblem("body", "must be an object")])
    kind = c.choice(raw, "kind", "kind", ("person", "organization"))
    channel = c.choice(raw, "channel", "channel", CHANNELS)
    if raw.get("cip_notice_acknowledged") is not True:
        c.add(
            "cip_notice_acknowledged",
            "the customer must be given the CIP notice (31 CFR 1020.220(a)(5)) and acknowledge it",
        )
    if kind not in ("person", "organization"):
        raise ValidationFailed(c.problems)
    person = organization = control = None
    owners: list[Person] = []
    control_index: int | None = None
    certification = None
    if kind == "person":
        person = _check_person(c, c.section(raw, "person", "person"), "person", adult=True)
        if person is not None and require_email and not person.email:
            c.add("person.email", "is required to apply online")
        for key in ("organization", "beneficial_owners", "control_person", "certification"):
            if raw.get(key):
                c.add(key, "only for a legal-entity (organization) application")
    else:
        organization = _check_organization(c, c.section(raw, "organization", "organization"), "organization")
        if require_email and not organization.email:
            c.add("organization.email", "is required to apply online")
        owners, control, control_index = _check_owners_and_control(c, raw)
        cert = c.section(raw, "certification", "certification")
        if cert.get("certified") is not True:
            c.add(
                "certification.certified",
                "the person opening the account must certify the beneficial owners and control person "
                "(31 CFR 1010.230, Appendix A)",
            )
        certification = Certification(
            name=c.text(cert, "name", "certification.name", max_length=200),
            title=c.text(cert, "title", "certification.title", max_length=100),
        )
        if raw.get("person"):
            c.add("person", "only for an individual (person) application")
    cdd = _check_cdd(c, raw, kind)
    if c.problems:
        raise ValidationFailed(c.problems)
    return Application(
        kind=kind,
        channel=channel,
        person=person,
        organization=organization,
        beneficial_owners=tuple(owners),
        control_person=control,
        control_owner_index=control_index,
        certification=certification,
        cdd=cdd,
    )


def _check_owners_and_control(c: _Checker, raw: Mapping[str, Any]) -> tuple[list[Person], Person | None, int | None]:
    value = raw.get("beneficial_owners") or []
    if not isinstance(value, list | tuple):
        c.add("beneficial_owners", "must be a list")
        value = []
    if len(value) > 4:
        c.add("beneficial_owners", "at most four individuals can each own 25% or more")
    owners: list[Person] = []
    all_ok = True
    for i, item in enumerate(value[:4]):
        path = f"beneficial_owners[{i}]"
        if not isinstance(item, Mapping):
            c.add(path, "must be an object")
            all_ok = False
            continue
        owner = _check_person(c, item, path, adult=False, ownership=True)
        if owner is None:
            all_ok = False
        else:
            owners.append(owner)
    total = sum(o.ownership_bp or 0 for o in owners)
    if total > 10000:
        c.add("beneficial_owners", f"ownership adds up to {Decimal(total) / 100}%, more than 100%")
    seen: dict[str, int] = {}
    for i, owner in enumerate(owners if all_ok else []):
        key = _person_identity(owner)
        if key and key in seen:
            c.add(f"beneficial_owners[{i}].tax_id", f"the same person as beneficial_owners[{seen[key]}]")
        elif key:
            seen[key] = i
    cp = c.section(raw, "control_person", "control_person")
    if not cp:
        return owners, None, None
    if "owner" in cp:
        index = cp.get("owner")
        title = c.text(cp, "title", "control_person.title", max_length=100)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(value):
            c.add("control_person.owner", "must be the index of one of the beneficial owners")
            return owners, None, None
        if not all_ok:
            return owners, None, index
        chosen = owners[index]
        return owners, replace(chosen, title=title, ownership_bp=None), index
    control = _check_person(c, cp, "control_person", adult=True, title=True)
    key = _person_identity(control) if control is not None else ""
    if key and key in seen:
        c.add("control_person", f"is beneficial_owners[{seen[key]}]: send owner {seen[key]} with the title instead")
    return owners, control, None
