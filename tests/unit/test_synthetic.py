"""Tests for the deterministic synthetic identity engine (bankcrm.datasets.synthetic)."""

from __future__ import annotations

import inspect
import re
from datetime import date

import phonenumbers
import pytest
from stdnum.us import ein as us_ein
from stdnum.us import itin as us_itin
from stdnum.us import ssn as us_ssn

from bankcrm.datasets import synthetic
from bankcrm.datasets.synthetic import (
    SyntheticOrganization,
    SyntheticPerson,
    czech_identity,
    us_parties,
)

BERKA_CLIENT_COUNT = 5369
EMAIL_RE = re.compile(r"^[a-z0-9]+(\.[a-z0-9]+)*@example\.com$")
ORG_EMAIL_RE = re.compile(r"^info@[a-z0-9]+(-[a-z0-9]+)*\.example\.com$")
CZ_POSTAL_RE = re.compile(r"^[1-7]\d\d \d\d$")

FEMININE = {f for _, f in synthetic._CZ_SURNAMES}
MASCULINE = {m for m, _ in synthetic._CZ_SURNAMES}


def _cz(client_id: int, sex: str = "F", **kw: str) -> SyntheticPerson:
    kw.setdefault("district_name", "Hl.m. Praha")
    kw.setdefault("region", "Prague")
    return czech_identity(client_id=client_id, sex=sex, **kw)


def _all_berka() -> list[SyntheticPerson]:
    return [_cz(cid, "F" if cid % 2 else "M") for cid in range(1, BERKA_CLIENT_COUNT + 1)]


def _assert_possible_phone(phone: str, country_code: int) -> None:
    parsed = phonenumbers.parse(phone, None)
    assert phonenumbers.is_possible_number(parsed), phone
    assert parsed.country_code == country_code
    assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == phone


# --------------------------------------------------------------------------- #
# Czech identities
# --------------------------------------------------------------------------- #


def test_czech_identity_pinned_for_client_1() -> None:
    # Computed once by the engine and pinned: any change of word lists, key
    # format or hashing changes this and must be handled as a data migration.
    assert _cz(1, "F") == SyntheticPerson(
        given_name="Klára",
        family_name="Vávrová",
        sex="F",
        street_line="Riegrova 118",
        city="Hl.m. Praha",
        postal_code="190 16",
        region="Prague",
        country="CZ",
        email="klara.vavrova.0001@example.com",
        phone="+420793045964",
        id_document_type="passport",
        id_document_number="23207284",
        id_document_country="CZ",
        tax_id=None,
        tax_id_type=None,
        date_of_birth=None,
        id_document_region=None,
        is_synthetic=True,
    )


def test_czech_identity_is_deterministic() -> None:
    for cid in (1, 2, 42, 13998):
        assert _cz(cid, "M") == _cz(cid, "M")
        assert _cz(cid, "F") == _cz(cid, "F")


def test_czech_identity_depends_on_seed_and_client_id() -> None:
    assert _cz(1) != _cz(2)
    assert _cz(1) != czech_identity(client_id=1, sex="F", district_name="Hl.m. Praha", region="Prague", seed="other")


def test_engine_does_not_use_random_module() -> None:
    source = inspect.getsource(synthetic)
    assert "import random" not in source
    assert "from random" not in source


def test_surname_pairs_are_explicit_and_correct() -> None:
    pairs = dict(synthetic._CZ_SURNAMES)
    assert len(pairs) >= 60
    assert pairs["Novák"] == "Nováková"
    assert pairs["Svoboda"] == "Svobodová"
    assert pairs["Černý"] == "Černá"
    assert pairs["Marek"] == "Marková"
    assert pairs["Němec"] == "Němcová"
    assert pairs["Vaněk"] == "Vaňková"
    assert all(f.endswith("á") for f in pairs.values())
    assert len(synthetic._CZ_GIVEN_F) >= 40
    assert len(synthetic._CZ_GIVEN_M) >= 40
    assert len(synthetic._CZ_STREETS) >= 30


def test_feminine_surname_forms_follow_sex() -> None:
    pairs = dict(synthetic._CZ_SURNAMES)
    for cid in range(1, 1001):
        woman, man = _cz(cid, "F"), _cz(cid, "M")
        assert woman.family_name in FEMININE
        assert woman.family_name.endswith("á")
        assert woman.given_name in synthetic._CZ_GIVEN_F
        assert man.family_name in MASCULINE
        assert not man.family_name.endswith("ová")
        assert man.given_name in synthetic._CZ_GIVEN_M
        # Same client id, same family: only the grammatical form differs.
        assert pairs[man.family_name] == woman.family_name


def test_czech_identity_shape() -> None:
    p = _cz(4321, "M", district_name="Brno - mesto", region="south Moravia")
    assert p.sex == "M"
    assert p.city == "Brno - mesto"
    assert p.region == "south Moravia"
    assert p.country == "CZ"
    assert p.postal_code.startswith("6")
    assert p.tax_id is None and p.tax_id_type is None
    assert p.date_of_birth is None
    assert p.id_document_type == "passport"
    assert p.id_document_country == "CZ"
    assert p.email.endswith(".4321@example.com")
    street, number = p.street_line.rsplit(" ", 1)
    assert street in synthetic._CZ_STREETS
    assert 1 <= int(number) <= 199


@pytest.mark.parametrize(
    ("region", "digit"),
    [("Prague", "1"), ("central Bohemia", "2"), ("north Bohemia", "4"), ("north Moravia", "7")],
)
def test_postal_code_first_digit_follows_region(region: str, digit: str) -> None:
    assert _cz(7, region=region).postal_code[0] == digit


def test_unknown_region_still_gives_plausible_postal_code() -> None:
    assert CZ_POSTAL_RE.match(_cz(7, region="Atlantis").postal_code)


def test_invalid_inputs_rejected() -> None:
    with pytest.raises(ValueError):
        _cz(1, "X")
    with pytest.raises(ValueError):
        _cz(-1, "F")


def test_all_berka_clients_valid_unique_and_synthetic() -> None:
    people = _all_berka()
    emails = [p.email for p in people]
    assert len(set(emails)) == BERKA_CLIENT_COUNT
    full_names = {f"{p.given_name} {p.family_name}" for p in people}
    assert len(full_names) >= 500
    assert len({p.street_line for p in people}) >= 500
    for p in people:
        assert p.is_synthetic is True
        assert EMAIL_RE.match(p.email), p.email
        assert p.email.isascii()
        assert CZ_POSTAL_RE.match(p.postal_code), p.postal_code
        assert p.postal_code.startswith("1")  # all in Prague here
        assert re.fullmatch(r"\+4207\d{8}", p.phone), p.phone
        assert re.fullmatch(r"[1-9]\d{7}", p.id_document_number)
    for p in people[:500]:
        _assert_possible_phone(p.phone, 420)


def test_email_strips_diacritics() -> None:
    for cid in range(1, 300):
        p = _cz(cid, "F")
        local = p.email.split("@")[0]
        assert local.isascii()
        assert local.split(".")[2] == f"{cid:04d}"


# --------------------------------------------------------------------------- #
# US parties
# --------------------------------------------------------------------------- #


def _split(parties: list[SyntheticPerson | SyntheticOrganization]):
    persons = [p for p in parties if isinstance(p, SyntheticPerson)]
    orgs = [o for o in parties if isinstance(o, SyntheticOrganization)]
    return persons, orgs


def test_us_parties_default_counts_and_order() -> None:
    parties = us_parties()
    persons, orgs = _split(parties)
    assert len(persons) == 20
    assert len(orgs) == 5
    assert parties[:20] == persons
    assert parties[20:] == orgs


def test_us_parties_is_deterministic_and_seeded() -> None:
    assert us_parties() == us_parties()
    assert us_parties(seed="other") != us_parties()
    # A longer run extends the shorter one: persons depend only on their index.
    assert us_parties(count_persons=30, count_organizations=0)[:20] == us_parties(count_organizations=0)


def test_us_parties_pinned_first_person_and_organization() -> None:
    persons, orgs = _split(us_parties())
    first = persons[0]
    assert (first.given_name, first.family_name, first.sex) == ("Raj", "Rodriguez", "M")
    assert (first.city, first.region, first.postal_code) == ("Brooklyn", "NY", "11201")
    assert first.tax_id == "654682281"
    assert first.date_of_birth == date(1950, 9, 16)
    assert orgs[0].legal_name == "Northern Creek Farms LLC"
    assert orgs[0].ein == "847212535"


def test_us_persons_tax_ids_and_fields() -> None:
    as_of = date(2026, 1, 1)
    persons, _ = _split(us_parties(count_persons=200, count_organizations=0, as_of=as_of))
    tax_ids = [p.tax_id for p in persons]
    assert len(set(tax_ids)) == len(tax_ids)
    assert len({p.email for p in persons}) == len(persons)
    for i, p in enumerate(persons):
        assert p.is_synthetic is True
        assert p.country == "US"
        assert p.sex in ("F", "M")
        assert re.fullmatch(r"\d{9}", p.tax_id or "")
        if (i + 1) % 5 == 0:
            assert p.tax_id_type == "itin"
            assert us_itin.is_valid(p.tax_id)
            assert 70 <= int(p.tax_id[3:5]) <= 88
        else:
            assert p.tax_id_type == "ssn"
            assert us_ssn.is_valid(p.tax_id)
        assert EMAIL_RE.match(p.email), p.email
        assert re.fullmatch(r"\+1\d{3}55501\d{2}", p.phone), p.phone
        _assert_possible_phone(p.phone, 1)
        assert re.fullmatch(r"\d{5}", p.postal_code)
        assert re.fullmatch(r"[A-Z]{2}", p.region)
        assert p.id_document_type == "drivers_license"
        assert p.id_document_country == "US"
        assert p.id_document_region == p.region
        assert p.date_of_birth is not None
        age = (
            as_of.year
            - p.date_of_birth.year
            - ((as_of.month, as_of.day) < (p.date_of_birth.month, p.date_of_birth.day))
        )
        assert 19 <= age <= 90, (p.date_of_birth, age)


def test_us_organizations() -> None:
    as_of = date(2026, 1, 1)
    _, orgs = _split(us_parties(count_persons=0, count_organizations=60, as_of=as_of))
    assert len(orgs) == 60
    assert len({o.legal_name for o in orgs}) == 60
    assert len({o.ein for o in orgs}) == 60
    assert len({o.email for o in orgs}) == 60
    for o in orgs:
        assert o.is_synthetic is True
        assert o.country == "US"
        assert re.fullmatch(r"\d{9}", o.ein)
        assert us_ein.is_valid(o.ein)
        assert ORG_EMAIL_RE.match(o.email), o.email
        _assert_possible_phone(o.phone, 1)
        assert re.fullmatch(r"\+1\d{3}55501\d{2}", o.phone)
        assert date(1950, 1, 1) <= o.formation_date < as_of
        assert re.fullmatch(r"\d{6} .+", o.industry)
        assert o.legal_name.split()[-1] in ("LLC", "Inc.", "Corp.", "LP", "Co.")


def test_us_parties_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        us_parties(count_persons=-1)
