"""Screening engine (bankcrm.screening.engine): normalization, retrieval, scoring, qualifiers, OFAC parser.

The "known failure modes of existing screeners" of issue 7 each have a test below (section
"Known failure modes"). Scores are asserted exactly: they follow from the formula in
``bankcrm.screening.engine.index``'s docstring with the weights of a small index (every token rarer
than 10 entries weighs 1, particles 0.25).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bankcrm.screening.engine import (
    DEFAULT_THRESHOLD,
    ListEntry,
    OFACParseError,
    ScreeningIndex,
    ScreeningInputError,
    ScreeningQuery,
    parse_ofac_csv_dir,
)
from bankcrm.screening.engine.countries import country_code
from bankcrm.screening.engine.dates import DobVerdict, compare_dob, ofac_dates_of_birth, parse_iso
from bankcrm.screening.engine.normalize import normalize_name, phonetic_keys, skeletons

REPO = Path(__file__).resolve().parents[2]
SDN_2023 = REPO / "data" / "ofac-sdn" / "2023-12-28"
CONS_2025 = REPO / "data" / "ofac-consolidated-non-sdn" / "2025-12-19"


def entry(entry_id: str, name: str, **kwargs: object) -> ListEntry:
    return ListEntry(entry_id=entry_id, list_code="test", name=name, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    return ScreeningIndex.build(
        [
            entry("1", "EMMA LLC", entity_type="organization"),
            entry("2", "11420 CORP.", entity_type="organization"),
            entry("3", "JSC ARGUMENT", entity_type="organization"),
            entry("4", "VLADIMIROV, Vladimir Vladimirovich", entity_type="person"),
            entry("5", "KIM, Jong Un", entity_type="person", dates_of_birth=("1984-01-08",), countries=("KP",)),
            entry("6", "SMITH, John", entity_type="person", dates_of_birth=("1952-10-07",)),
            entry(
                "7",
                "PUTIN, Vladimir Vladimirovich",
                entity_type="person",
                dates_of_birth=("1952-10-07",),
                countries=("RU",),
                programs=("RUSSIA-EO14024",),
            ),
            entry(
                "8", "BIN LADIN, Usama", aliases=("BIN LADEN, Osama",), entity_type="person", dates_of_birth=("1957",)
            ),
        ]
    )


def scores(index: ScreeningIndex, name: str, threshold: float = 0.0, **qualifiers: str) -> dict[str, float]:
    return {
        h.entry_id: h.score for h in index.screen(ScreeningQuery(name, **qualifiers), threshold=threshold, limit=50)
    }


# --- Known failure modes (issue 7, item 7) ------------------------------------------------------------


def test_one_token_list_name_does_not_alert_on_a_longer_query(index: ScreeningIndex) -> None:
    assert scores(index, "emma daniels", DEFAULT_THRESHOLD) == {}
    # Only "emma" aligns and "daniels" is left over: 0.85 * 0.7 for a single shared token.
    assert scores(index, "emma daniels")["1"] == 0.595
    assert scores(index, "Emma", DEFAULT_THRESHOLD) == {"1": 1.0}


def test_numbers_are_not_dropped_leaving_only_the_legal_suffix(index: ScreeningIndex) -> None:
    assert scores(index, "BELLETECH CORP", DEFAULT_THRESHOLD) == {}
    assert "2" not in scores(index, "BELLETECH CORP")
    assert scores(index, "11420 Corporation", DEFAULT_THRESHOLD) == {"2": 1.0}
    assert scores(index, "11421 CORP.", DEFAULT_THRESHOLD) == {}  # a number matches only itself


def test_glued_short_tokens_match(index: ScreeningIndex) -> None:
    hits = index.screen(ScreeningQuery("JSCARGUMENT"))
    assert [(h.entry_id, h.score) for h in hits] == [("3", 1.0)]
    # The legal form glued to a known list token is split off during normalization.
    assert hits[0].explanation.startswith("primary name 'JSC ARGUMENT': 'argument' ~ 'argument' (exact)")
    assert [(h.entry_id, h.score) for h in index.screen(ScreeningQuery("ARGUMENTJSC"))] == [("3", 1.0)]


def test_each_list_token_counts_once(index: ScreeningIndex) -> None:
    # "vladimir" aligns with one list token; vladimirov and vladimirovich stay unexplained.
    assert scores(index, "Vladimir", DEFAULT_THRESHOLD) == {}
    assert scores(index, "Vladimir")["4"] == 0.56
    explanation = index.screen(ScreeningQuery("Vladimir"), threshold=0.0)[0].explanation
    assert explanation.count("' ~ '") == 1


def test_kim_jong_il_scores_below_0_9_against_kim_jong_un(index: ScreeningIndex) -> None:
    assert scores(index, "Kim Jong Il")["5"] == 0.6
    assert scores(index, "Kim Jong Il", DEFAULT_THRESHOLD) == {}


def test_jon_smith_scores_high_against_john_smith(index: ScreeningIndex) -> None:
    assert scores(index, "Jon Smith", DEFAULT_THRESHOLD) == {"6": 0.95}
    assert scores(index, "John Smith", DEFAULT_THRESHOLD) == {"6": 1.0}


def test_dates_are_compared_as_dates_and_a_year_matches_a_full_date(index: ScreeningIndex) -> None:
    assert scores(index, "Jon Smith", DEFAULT_THRESHOLD, date_of_birth="1952") == {"6": 1.0}
    assert scores(index, "Jon Smith", DEFAULT_THRESHOLD, date_of_birth="1952-10-07") == {"6": 1.0}
    assert scores(index, "Jon Smith", DEFAULT_THRESHOLD, date_of_birth="1952-10") == {"6": 1.0}
    assert scores(index, "Jon Smith", DEFAULT_THRESHOLD, date_of_birth="1952-11-01") == {"6": 0.95}  # near
    assert scores(index, "Jon Smith", DEFAULT_THRESHOLD, date_of_birth="1960-10-07") == {"6": 0.8}  # conflict
    verdict, listed = compare_dob(parse_iso("1952"), (parse_iso("1952-10-07"),))
    assert (verdict, listed) == (DobVerdict.MATCH, parse_iso("1952-10-07"))
    assert compare_dob(parse_iso("1952-10-07"), (parse_iso("1952"),))[0] is DobVerdict.MATCH
    assert compare_dob(parse_iso("1953-01-01"), (parse_iso("1952-10-07"),))[0] is DobVerdict.NEAR
    assert compare_dob(parse_iso("1954"), (parse_iso("1952-10-07"),))[0] is DobVerdict.CONFLICT
    assert compare_dob(None, (parse_iso("1952"),))[0] is DobVerdict.MISSING


def test_adding_an_address_country_never_removes_a_name_hit(index: ScreeningIndex) -> None:
    for name in ("Jon Smith", "Vladimir Putin", "Usama bin Laden", "JSCARGUMENT"):
        plain = scores(index, name, DEFAULT_THRESHOLD)
        assert plain
        for country in ("US", "RU", "KP", "Czech Republic"):
            with_country = scores(index, name, DEFAULT_THRESHOLD, country=country)
            assert set(with_country) == set(plain)
            assert all(with_country[k] >= plain[k] for k in plain)


def test_a_matching_or_missing_dob_never_pushes_a_hit_below_the_threshold(index: ScreeningIndex) -> None:
    # "Vladimir Putin" is a near-threshold hit (0.90) on a three-word listed name.
    base = scores(index, "Vladimir Putin", DEFAULT_THRESHOLD)
    assert base == {"7": 0.9}
    assert scores(index, "Vladimir Putin", DEFAULT_THRESHOLD, date_of_birth="1952") == {"7": 0.95}
    assert scores(index, "Vladimir Putin", DEFAULT_THRESHOLD, date_of_birth="1952-10-07") == {"7": 0.95}
    # The entry without a date of birth on file ("missing") is never penalised either.
    assert scores(index, "Emma", DEFAULT_THRESHOLD, date_of_birth="1990-01-01") == {"1": 1.0}
    # A conflicting one may.
    assert scores(index, "Vladimir Putin", DEFAULT_THRESHOLD, date_of_birth="1970-01-01") == {}


def test_cyrillic_and_arabic_spellings_match_the_latin_list_name(index: ScreeningIndex) -> None:
    assert scores(index, "Владимир Путин", DEFAULT_THRESHOLD) == {"7": 0.9}
    hits = index.screen(ScreeningQuery("أسامة بن لادن"))
    assert [(h.entry_id, h.score) for h in hits] == [("8", 0.8722)]
    assert "consonant skeleton" in hits[0].explanation


# --- Hits, explanations, qualifiers, errors -------------------------------------------------------------


def test_hit_carries_entry_data_and_an_explanation(index: ScreeningIndex) -> None:
    (hit,) = index.screen(ScreeningQuery("Vladimir Putin", date_of_birth="1952", country="RU"))
    assert (hit.entry_id, hit.list_code, hit.name, hit.matched_name, hit.score, hit.programs) == (
        "7",
        "test",
        "PUTIN, Vladimir Vladimirovich",
        "PUTIN, Vladimir Vladimirovich",
        0.97,
        ("RUSSIA-EO14024",),
    )
    assert hit.explanation == (
        "primary name 'PUTIN, Vladimir Vladimirovich': 'vladimir' ~ 'vladimir' (exact); 'putin' ~ 'putin' (exact); "
        "listed but not in the query: vladimirovich; token similarity 1.00, query covered 1.00, list name covered "
        "0.67; name score 0.90; date of birth 1952 matches listed 1952-10-07 (+0.05); country RU is listed for the "
        "entry (+0.02); score 0.97"
    )


def test_alias_match_names_the_alias(index: ScreeningIndex) -> None:
    (hit,) = index.screen(ScreeningQuery("Osama bin Laden"))
    assert (hit.entry_id, hit.matched_name, hit.name, hit.score) == ("8", "BIN LADEN, Osama", "BIN LADIN, Usama", 1.0)
    assert hit.explanation.startswith("alias 'BIN LADEN, Osama':")


def test_conflicting_entity_type_costs_a_tenth(index: ScreeningIndex) -> None:
    assert scores(index, "Vladimir Putin", 0.0, entity_type="person")["7"] == 0.9
    assert scores(index, "Vladimir Putin", 0.0, entity_type="organization")["7"] == 0.8


def test_hits_are_sorted_by_score_and_limited(index: ScreeningIndex) -> None:
    hits = index.screen(ScreeningQuery("Vladimir"), threshold=0.0, limit=1)
    assert len(hits) == 1
    hits = index.screen(ScreeningQuery("Vladimir Smith"), threshold=0.0, limit=10)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (ScreeningQuery(""), "name"),
        (ScreeningQuery("  ,.- "), "name"),
        (ScreeningQuery("John Smith", date_of_birth="07/10/1952"), "date_of_birth"),
        (ScreeningQuery("John Smith", date_of_birth="1952-02-30"), "date_of_birth"),
        (ScreeningQuery("John Smith", country="Atlantis"), "country"),
        (ScreeningQuery("John Smith", entity_type="company"), "entity_type"),
    ],
)
def test_bad_query_input_names_the_field(index: ScreeningIndex, query: ScreeningQuery, field: str) -> None:
    with pytest.raises(ScreeningInputError, match=rf"^{field}: "):
        index.screen(query)


def test_bad_threshold_is_rejected(index: ScreeningIndex) -> None:
    with pytest.raises(ScreeningInputError, match=r"^threshold: "):
        index.screen(ScreeningQuery("John Smith"), threshold=1.5)


def test_bad_entry_data_is_rejected_at_build() -> None:
    with pytest.raises(ScreeningInputError, match=r"^test:9: dates_of_birth: '7 Oct 1952'"):
        ScreeningIndex.build([entry("9", "X Y", dates_of_birth=("7 Oct 1952",))])
    with pytest.raises(ScreeningInputError, match=r"^test:9: entity_type: 'company'"):
        ScreeningIndex.build([entry("9", "X Y", entity_type="company")])


def test_retrieval_scores_only_names_sharing_tokens_never_the_whole_list(
    index: ScreeningIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    scored: list[str] = []
    original = ScreeningIndex._score_name

    def spy(self: ScreeningIndex, tokens, qmap, pmap, name, *args):  # type: ignore[no-untyped-def]
        scored.append(name.text)
        return original(self, tokens, qmap, pmap, name, *args)

    monkeypatch.setattr(ScreeningIndex, "_score_name", spy)
    index.screen(ScreeningQuery("Zbigniew Brzezinski"))
    assert scored == []
    index.screen(ScreeningQuery("Vladimir Putin"))
    assert scored == ["PUTIN, Vladimir Vladimirovich"]


def test_len_counts_entries(index: ScreeningIndex) -> None:
    assert len(index) == 8
    assert index.name_count == 9


# --- Normalization ---------------------------------------------------------------------------------------


def texts(name: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(t.text, t.kind) for t in normalize_name(name, **kwargs).tokens]  # type: ignore[arg-type]


def test_last_first_order_case_and_diacritics() -> None:
    assert texts("PUTIN, Vladimir Vladimirovich") == [
        ("vladimir", "core"),
        ("vladimirovich", "core"),
        ("putin", "core"),
    ]
    assert texts("Dvořáková Müller-Šimon") == [("dvorakova", "core"), ("muller", "core"), ("simon", "core")]
    assert texts("O'Brien") == [("obrien", "core")]


def test_honorifics_are_dropped_but_not_a_whole_name() -> None:
    assert texts("Dr. Rami Makhlouf") == [("rami", "core"), ("makhlouf", "core")]
    assert texts("President") == [("president", "core")]


def test_legal_forms_are_marked_and_repaired() -> None:
    assert texts("CECOEX, S.A.") == [("cecoex", "core"), ("sa", "legal")]
    assert texts("LIMITED LIABILITY COMPANY TORGRECHTRANS") == [("llc", "legal"), ("torgrechtrans", "core")]
    assert texts("LIMITED LIABILITY COMAPNY TORGRECHTRANS") == [("llc", "legal"), ("torgrechtrans", "core")]
    assert texts("LIMITED LIABILITY COM PANY X5") == [("llc", "legal"), ("x5", "core")]
    assert texts("AIR KORYO TRADINGCORPORATION") == [
        ("air", "core"),
        ("koryo", "core"),
        ("trading", "core"),
        ("corp", "legal"),
    ]
    assert texts("Oboronnye Initsiativy o.O.O.") == [("oboronnye", "core"), ("initsiativy", "core"), ("llc", "legal")]
    # Two-letter forms only at the end of a name that is not a person's.
    assert texts("Kim Sa") == [("kim", "core"), ("sa", "legal")]
    assert texts("Kim Sa", person=True) == [("kim", "core"), ("sa", "core")]
    assert texts("Sa Kim") == [("sa", "core"), ("kim", "core")]


def test_digits_inside_words_are_read_as_letters_and_numbers_kept() -> None:
    assert texts("Ig0r Sech1n") == [("igor", "core"), ("sechin", "core")]
    assert texts("11420 CORP.") == [("11420", "core"), ("corp", "legal")]
    assert texts("A.B.C. Company") == [("abc", "core"), ("co", "legal")]
    assert texts("EP-ITM") == [("epitm", "core")]
    assert texts("AL-ALI") == [("al", "core"), ("ali", "core")]


def test_non_latin_scripts_are_transliterated() -> None:
    assert texts("Владимир Путин") == [("vladimir", "core"), ("putin", "core")]
    tokens = normalize_name("عبد الفتاح السيسي").tokens
    assert [(t.text, t.abjad) for t in tokens] == [
        ("bd", True),
        ("al", True),
        ("ftah", True),
        ("al", True),
        ("sysy", True),
    ]
    assert [t.text for t in normalize_name("习近平").tokens] == ["xijinping"]


def test_phonetic_keys_and_skeletons() -> None:
    assert phonetic_keys("jon")[0] == phonetic_keys("john")[0] == "JUn"
    assert phonetic_keys("kim")[0] != phonetic_keys("kam")[0]
    assert phonetic_keys("mohammed")[1] == phonetic_keys("muhammad")[1] == "mAhAmAd"
    assert skeletons("mohammed") == skeletons("mhmd") == ("mhmd",)
    assert skeletons("hussein") == skeletons("husayn") == skeletons("hsyn") == ("hsn",)
    assert skeletons("khalid") == skeletons("khld") == ("khld",)
    assert skeletons("sazgar") == ("szJr", "szghr")


# --- Dates and countries ------------------------------------------------------------------------------------


def test_ofac_dates_of_birth_from_remarks() -> None:
    remarks = "DOB 14 Jul 1972; alt. DOB 1970; alt. DOB Mar 1968; POB Casanare, Colombia; nationality Colombia."
    assert ofac_dates_of_birth(remarks) == ["1972-07-14", "1970", "1968-03"]
    assert ofac_dates_of_birth("DOB circa 1960") == ["1959", "1960", "1961"]
    assert ofac_dates_of_birth("DOB 1955 to 1957; DOB 01 Jan 1940 to 31 Dec 1970") == ["1955", "1956", "1957"]
    assert ofac_dates_of_birth("DOB 31 Feb 1970") == []


def test_country_codes_from_ofac_names() -> None:
    assert country_code("Korea, North") == "KP"
    assert country_code("Congo, Democratic Republic of the") == "CD"
    assert country_code("of Registration Russia") == "RU"
    assert country_code("ru") == "RU"
    assert country_code("Region: Crimea") is None
    assert country_code("") is None


# --- OFAC CSV parser --------------------------------------------------------------------------------------


def test_parse_the_shipped_sdn_list() -> None:
    entries = parse_ofac_csv_dir(SDN_2023, "ofac-sdn")
    assert len(entries) == 13_821
    assert sum(len(e.aliases) for e in entries) == 17_088
    by_id = {e.entry_id: e for e in entries}
    cuba = by_id["306"]
    assert (cuba.name, cuba.entity_type, cuba.programs, cuba.list_code) == (
        "BANCO NACIONAL DE CUBA",
        "organization",
        ("CUBA",),
        "ofac-sdn",
    )
    assert "NATIONAL BANK OF CUBA" in cuba.aliases
    assert cuba.countries == ("CH", "ES", "JP", "PA")
    person = by_id["11892"]
    assert (person.name, person.entity_type, person.dates_of_birth, person.countries) == (
        "SANCHEZ GONZALEZ, Arnulfo",
        "person",
        ("1972-07-14",),
        ("CO",),
    )
    assert by_id["8239"].dates_of_birth == ("1952-01-05", "1951-01-05", "1954-05-12")


def test_parse_the_consolidated_list() -> None:
    entries = parse_ofac_csv_dir(CONS_2025, "ofac-cons")
    assert len(entries) == 442
    assert {e.list_code for e in entries} == {"ofac-cons"}


def write(folder: Path, name: str, lines: list[str]) -> None:
    (folder / name).write_bytes(("\r\n".join(lines) + "\r\n").encode("ascii") + b"\x1a")


SDN_ROW = '1,"DOE, John",individual,"SDGT] [IRGC",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1960; nationality Iran."'


def test_parse_a_minimal_folder(tmp_path: Path) -> None:
    write(tmp_path, "sdn.csv", [SDN_ROW])
    write(tmp_path, "alt.csv", ['1,10,"aka","DOE, Johnny",-0- '])
    write(tmp_path, "add.csv", ['1,20,-0- ,"Dubai","United Arab Emirates",-0- '])
    (e,) = parse_ofac_csv_dir(tmp_path, "ofac-sdn")
    assert e == ListEntry(
        entry_id="1",
        list_code="ofac-sdn",
        name="DOE, John",
        aliases=("DOE, Johnny",),
        entity_type="person",
        programs=("SDGT", "IRGC"),
        dates_of_birth=("1960",),
        countries=("IR", "AE"),
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"sdn.csv": [SDN_ROW, '2,"X",-0- ,"CUBA"']}, r"^sdn.csv:2: expected 12 fields, found 4$"),
        ({"sdn.csv": [SDN_ROW.replace("1,", "A1,", 1)]}, r"^sdn.csv:1: ent_num 'A1' is not a number$"),
        ({"sdn.csv": [SDN_ROW, SDN_ROW]}, r"^sdn.csv:2: ent_num 1 appears twice$"),
        ({"sdn.csv": [SDN_ROW.replace("individual", "robot")]}, r"^sdn.csv:1: unknown SDN type 'robot'$"),
        ({"sdn.csv": [SDN_ROW], "alt.csv": ['7,10,"aka","X",-0- ']}, r"^alt.csv:1: ent_num 7 is not in sdn.csv$"),
        ({"sdn.csv": [SDN_ROW], "add.csv": ["1,20,-0- ,-0- "]}, r"^add.csv:1: expected 6 fields, found 4$"),
        ({}, r"no sdn.csv or cons_prim.csv in this folder$"),
    ],
)
def test_malformed_files_name_file_and_line(tmp_path: Path, files: dict[str, list[str]], message: str) -> None:
    for name, lines in files.items():
        write(tmp_path, name, lines)
    with pytest.raises(OFACParseError, match=message):
        parse_ofac_csv_dir(tmp_path, "ofac-sdn")


def test_full_sdn_list_finds_real_entries() -> None:
    idx = ScreeningIndex.build(parse_ofac_csv_dir(SDN_2023, "ofac-sdn"))
    hits = idx.screen(ScreeningQuery("Владимир Путин"))
    assert hits[0].entry_id == "35096"
    assert hits[0].score == 1.0
    assert idx.screen(ScreeningQuery("Kathryn Barr", date_of_birth="1966-07-06")) == []
