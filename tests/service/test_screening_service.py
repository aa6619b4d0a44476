"""Watch-list versions and deltas, party screening with remembered false positives, true matches
that block and open an AML case, 314(a) and internal lists, and the check API."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from tests.api.conftest import bearer
from tests.conftest import make_staff

from bankcrm.audit.models import AuditEvent
from bankcrm.cases import selectors as case_selectors
from bankcrm.core.errors import ValidationFailed
from bankcrm.parties.models import Party
from bankcrm.screening import selectors, services
from bankcrm.screening.models import SanctionsBlock, ScreeningHit, WatchListVersion

E = "-0- "


def _sdn_row(ent: str, name: str, kind: str, program: str, remarks: str = E) -> str:
    kind_cell = f'"{kind}"' if kind else E
    return f'{ent},"{name}",{kind_cell},"{program}",{E},{E},{E},{E},{E},{E},{E},{remarks if remarks == E else chr(34) + remarks + chr(34)}'


def write_sdn(folder: Path, rows: list[str], alts: list[str] = ()) -> Path:  # type: ignore[assignment]
    """An OFAC-format folder: no header, CRLF, a trailing 0x1A byte."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sdn.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("ascii") + b"\x1a")
    (folder / "alt.csv").write_bytes(("\r\n".join(alts) + ("\r\n" if alts else "")).encode("ascii") + b"\x1a")
    (folder / "add.csv").write_bytes(b"\x1a")
    return folder


V1 = [
    _sdn_row("306", "BLAZEK, Vaclav", "individual", "SDGT", "DOB 1961; nationality Czech Republic."),
    _sdn_row("401", "ACME SHIPPING LTD", "", "IRAN"),
    _sdn_row("402", "OLD ENTRY TRADING", "", "CUBA"),
]
V2 = [
    _sdn_row("306", "BLAZEK, Vaclav", "individual", "SDGT", "DOB 1961; nationality Czech Republic."),
    _sdn_row("401", "ACME SHIPPING LTD", "", "IRAN] [SDGT"),  # changed: a program added
    _sdn_row("403", "NEW ENTRY HOLDINGS", "", "RUSSIA-EO14024"),  # added; 402 removed
]


@pytest.fixture
def aml(db):  # type: ignore[no-untyped-def]
    return make_staff("aml", ["bsa_aml_officer"])


@pytest.fixture
def lists_v1(tmp_path: Path, db):  # type: ignore[no-untyped-def]
    return services.import_list(
        actor=None, list_code="ofac-sdn", source=write_sdn(tmp_path / "v1", V1), version="2023-01-05"
    )


def test_versions_are_kept_with_their_delta_and_reimport_is_idempotent(tmp_path: Path, lists_v1) -> None:  # type: ignore[no-untyped-def]
    assert lists_v1.entry_count == 3 and lists_v1.delta is None
    v2 = services.import_list(
        actor=None, list_code="ofac-sdn", source=write_sdn(tmp_path / "v2", V2), version="2023-02-01"
    )
    assert v2.delta == {"previous": "2023-01-05", "added": ["403"], "removed": ["402"], "changed": ["401"]}
    again = services.import_list(actor=None, list_code="ofac-sdn", source=tmp_path / "v2", version="2023-02-01")
    assert again.pk == v2.pk and WatchListVersion.objects.count() == 2
    assert [v.version for v in services.active_versions()] == ["2023-02-01"]
    with pytest.raises(ValidationFailed, match="already imported from other files"):
        services.import_list(actor=None, list_code="ofac-sdn", source=tmp_path / "v1", version="2023-02-01")
    with pytest.raises(ValidationFailed) as exc:
        services.import_list(actor=None, list_code="ofac-sdn", source=tmp_path / "v1", version="latest")
    assert exc.value.problems[0].field == "version"
    event = AuditEvent.objects.filter(action="screening.list.import").latest("sequence")
    assert event.payload["delta"] == {"added": 1, "removed": 1, "changed": 1}


def test_party_hits_false_positive_memory_and_true_match(lists_v1, client_3687, aml) -> None:  # type: ignore[no-untyped-def]
    party = client_3687
    party.legal_name = "Vaclav Blazek"
    party.save(update_fields=["legal_name"])
    hits = services.screen_party(actor=aml, party=party, reason="onboarding")
    assert [h.entry.entry_id for h in hits] == ["306"]
    assert services.screen_party(actor=aml, party=party, reason="again") == []  # an open hit is not duplicated
    decided = services.dispose_hit(actor=aml, hit=hits[0], disposition="false_positive", reason="different person: DOB")
    assert decided.status == "false_positive"
    assert services.screen_party(actor=aml, party=party, reason="rescreen") == []  # remembered
    party.other_names = ["V. Blazek"]
    party.save(update_fields=["other_names"])
    fresh = services.screen_party(actor=aml, party=party, reason="name change")
    assert [h.entry.entry_id for h in fresh] == ["306"]  # the party changed: asked again
    agent = make_staff("agent2", ["call_centre_agent"])
    assert not selectors.hits(agent, status="").exists()  # AML-confidential
    with pytest.raises(PermissionDenied):
        services.dispose_hit(actor=agent, hit=fresh[0], disposition="true_match", reason="x")
    matched = services.dispose_hit(actor=aml, hit=fresh[0], disposition="true_match", reason="same DOB and nationality")
    assert SanctionsBlock.objects.filter(party=party, released_at__isnull=True).exists()
    assert matched.case is not None and matched.case.kind == "aml_investigation"
    officer = make_staff("officer", ["complaints_officer"])
    assert not case_selectors.visible_cases(officer).filter(pk=matched.case.pk).exists()
    with pytest.raises(PermissionDenied, match="blocked"):
        services.ensure_not_blocked(party)


def test_rescreen_all_reports_progress_and_is_idempotent(lists_v1, client_3687) -> None:  # type: ignore[no-untyped-def]
    Party.objects.filter(pk=client_3687.pk).update(legal_name="ACME SHIPPING LTD", kind="organization")
    seen: list[tuple[int, int]] = []
    run = services.rescreen_all(progress=lambda done, total: seen.append((done, total)))
    total = Party.objects.count()
    assert run.status == "done" and run.parties_done == total and seen[-1] == (total, total)
    assert ScreeningHit.objects.filter(party=client_3687, entry__entry_id="401").count() == 1
    assert services.rescreen_all().hits_created == 0


def test_314a_and_internal_lists_validate_rows(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "314a.csv"
    good.write_text(
        "tracking_number,last_name,first_name,middle_name,suffix,alias_last_name,alias_first_name,alias_middle_name,dob,ssn_itin,address,city,state,zip,country\n"
        "T-1001,DOE,JOHN,Q,,DOUGH,JON,,01/02/1970,,1 Main St,Springfield,IL,62701,US\n"
        "T-1001,DOE,JOHN,Q,,,,,,,,,,,US\n"
    )
    version = services.import_list(actor=None, list_code="314a", source=good, version="2026-11-24")
    entry = version.entries.get()
    assert (entry.entry_id, entry.name, entry.aliases, entry.dates_of_birth) == (
        "T-1001",
        "DOE, JOHN Q",
        ["DOUGH, JON"],
        ["1970-01-02"],
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("tracking_number,last_name,first_name,dob\nT-1,SMITH,ANN,31/31/1970\n,,,\n")
    with pytest.raises(ValidationFailed) as exc:
        services.import_list(actor=None, list_code="314a", source=bad, version="2026-11-25")
    assert [(p.field, p.location) for p in exc.value.problems] == [
        ("dob", "bad.csv:2"),
        ("tracking_number", "bad.csv:3"),
    ]
    internal = tmp_path / "internal.csv"
    internal.write_text(
        "entry_id,name,aliases,entity_type,date_of_birth,country,programs\nI-1,Jane Roe,J. Roe|Janet Roe,person,1980,GB,fraud\n"
    )
    entry = services.import_list(actor=None, list_code="internal", source=internal, version="2026-11-01").entries.get()
    assert entry.aliases == ["J. Roe", "Janet Roe"] and entry.programs == ["fraud"] and entry.countries == ["GB"]


def test_check_api(client: Client, lists_v1, agent_user) -> None:  # type: ignore[no-untyped-def]
    auth = bearer(agent_user)
    response = client.post(
        "/api/v1/screening/check", json.dumps({"name": "ACME SHIPPING LTD"}), content_type="application/json", **auth
    )
    body = response.json()
    assert response.status_code == 200 and body["lists"] == [{"list": "ofac-sdn", "version": "2023-01-05"}]
    assert body["hits"][0]["entry_id"] == "401" and body["hits"][0]["list"] == "ofac-sdn"
    assert 0 <= body["hits"][0]["score"] <= 1 and body["hits"][0]["score"] >= body["threshold"]
    assert [h["score"] for h in body["hits"]] == sorted((h["score"] for h in body["hits"]), reverse=True)
    bad = client.post(
        "/api/v1/screening/check",
        json.dumps({"name": "x", "date_of_birth": "yesterday", "country": "Czechia"}),
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"date_of_birth", "country"}
    assert client.get("/api/v1/screening/hits", **auth).status_code == 403


@pytest.mark.slow
def test_real_sdn_list_finds_the_demo_lookalike(db, aml) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import REPO

    from bankcrm.datasets.demo_aml import load_demo_watchlist_lookalikes

    version = services.import_list(
        actor=None, list_code="ofac-sdn", source=REPO / "data" / "ofac-sdn" / "2023-12-28", version="2023-12-28"
    )
    assert version.entry_count == 13_821
    assert load_demo_watchlist_lookalikes() == 2
    likely = Party.objects.get(source_id="screening:1")
    hits = services.screen_party(actor=aml, party=likely, reason="demo")
    best = max(hits, key=lambda h: h.score)
    assert best.entry.entry_id == "7692" and best.score >= Decimal("0.9")
    other = Party.objects.get(source_id="screening:2")
    other_hits = {h.entry.entry_id: h.score for h in services.screen_party(actor=aml, party=other, reason="demo")}
    assert other_hits.get("7692", Decimal(0)) < best.score  # another date of birth scores lower
