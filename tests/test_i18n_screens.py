"""Spanish and Simplified Chinese on the case, screening and portal screens and in the customer
response letter (DESIGN decision 12), and the app catalogues complete and compiled."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.test import Client

from bankcrm.cases import services
from bankcrm.cases.letters import render_response_letter
from bankcrm.privacy.services import set_contact_preference
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parent.parent / "src" / "bankcrm"
CATALOGUE_APPS = ("console", "cases", "kyc", "screening", "monitoring", "portal")
NARRATIVE = "The bank charged me a monthly maintenance fee on my savings account that I was told would be free."


@pytest.mark.parametrize(
    ("language", "heading", "nav"),
    [
        ("es", '<h2 id="clocks-h">Plazos</h2>', ">Casos</a>"),
        ("zh-hans", '<h2 id="clocks-h">时限</h2>', ">案件</a>"),
    ],
)
def test_case_page_is_translated(client: Client, client_3687, language: str, heading: str, nav: str) -> None:  # type: ignore[no-untyped-def]
    officer = make_staff("officer", ["complaints_officer"])
    case = services.open_case(actor=officer, kind="complaint", party=client_3687, channel="phone", narrative=NARRATIVE)
    client.force_login(officer)
    body = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert heading in body
    assert nav in body  # the console navigation link to the case queue


@pytest.mark.parametrize(
    ("language", "heading"),
    [("es", "<h1>Comprobar un nombre en las listas de vigilancia</h1>"), ("zh-hans", "<h1>在观察名单中查询名称</h1>")],
)
def test_screening_page_is_translated(client: Client, agent_user, language: str, heading: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(agent_user)
    response = client.get("/screening/check/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert heading in response.content.decode()


@pytest.mark.parametrize(
    ("language", "cfpb", "closing"),
    [
        ("es", "Oficina para la Protección Financiera del Consumidor (CFPB)", "Atentamente,"),
        (
            "zh-hans",
            "消费者金融保护局\N{FULLWIDTH LEFT PARENTHESIS}CFPB\N{FULLWIDTH RIGHT PARENTHESIS}",
            "此致\n敬礼\N{FULLWIDTH EXCLAMATION MARK}",
        ),
    ],
)
def test_response_letter_in_the_customers_language(client_3687, language: str, cfpb: str, closing: str) -> None:  # type: ignore[no-untyped-def]
    officer = make_staff("officer", ["complaints_officer"])
    case = services.open_case(actor=officer, kind="complaint", party=client_3687, channel="phone", narrative=NARRATIVE)
    set_contact_preference(actor=None, party=client_3687, language=language)
    client_3687.refresh_from_db()
    case.party = client_3687
    case.company_response, case.relief_minor, case.relief_currency = "Closed with monetary relief", 2500, "USD"
    letter = render_response_letter(case)
    assert cfpb in letter and closing in letter
    assert "25.00 USD" in letter  # the relief amount survives the translated sentence
    assert "Consumer Financial Protection Bureau" not in letter


def _po_messages(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, first msgstr, fuzzy) of each entry of a .po file; obsolete entries skipped."""
    out = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        text = "\n".join(line for line in lines if not line.startswith("#"))
        parts = re.split(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) ", text, flags=re.M)[1:]
        fields: dict[str, str] = {}
        for key, value in zip(parts[::2], parts[1::2], strict=True):
            fields.setdefault(key, "".join(ast.literal_eval(s) for s in value.split("\n") if s.strip()))
        if "msgid" in fields:
            out.append((fields["msgid"], fields.get("msgstr", fields.get("msgstr[0]", "")), fuzzy))
    return out


@pytest.mark.parametrize("app", CATALOGUE_APPS)
@pytest.mark.parametrize("language", ["es", "zh_Hans"])
def test_catalogue_is_complete_and_compiled(app: str, language: str) -> None:
    directory = SRC / app / "locale" / language / "LC_MESSAGES"
    messages = [m for m in _po_messages(directory / "django.po") if m[0]]
    assert messages
    assert [m[0] for m in messages if m[2] or not m[1]] == []  # nothing fuzzy, nothing untranslated
    with (directory / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert [m[0] for m in messages if compiled.gettext(m[0]) != m[1]] == []  # the .mo matches the .po
