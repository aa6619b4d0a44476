"""Data-subject access: a complete export for a real Berka client, AML records withheld."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from tests.conftest import make_staff

from bankcrm.audit.models import AuditEvent
from bankcrm.holdings.models import Transaction
from bankcrm.monitoring.models import Alert
from bankcrm.privacy import dsar
from bankcrm.privacy.models import DataRequest

pytestmark = pytest.mark.django_db


def test_access_report_for_a_berka_client_is_complete(client_3687) -> None:  # type: ignore[no-untyped-def]
    officer = make_staff("privacy1", ["privacy_officer"])
    Alert.objects.create(party=client_3687, scenario="structuring", score=80)
    report = dsar.access_report(actor=officer, party=client_3687)
    counts = {k: len(v) for k, v in report.items() if isinstance(v, list)}
    expected_transactions = Transaction.objects.filter(account__roles__party=client_3687).count()
    assert expected_transactions == 76
    assert counts | {"withheld": 1} == {
        "contact_points": 3,
        "identity_documents": 1,
        "relationships": 1,
        "households": 1,
        "accounts": 1,
        "account_roles": 1,
        "loans": 1,
        "cards": 1,
        "standing_orders": 4,
        "transactions": 76,
        "interactions": 0,
        "consents": 0,
        "contact_preferences": 0,
        "privacy_notices": 0,
        "online_access": 0,
        "withheld": 1,
    }
    assert report["party"]["source_identifier"] == "720206"  # birth number, decrypted for the subject
    assert len(report["identity_documents"][0]["number"]) == 8
    assert "structuring" not in str(report) and "5318(g)(2)" in report["withheld"][0]["legal_basis"]
    html = dsar.render_html(report)
    assert client_3687.legal_name in html and "<script" not in html
    assert DataRequest.objects.get(party=client_3687).status == "completed"
    event = AuditEvent.objects.get(action="privacy.dsar.access")
    assert event.payload["sections"]["transactions"] == 76 and "720206" not in str(event.payload)


def test_only_privacy_roles_fulfil_access_requests(client_3687, agent_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        dsar.access_report(actor=agent_user, party=client_3687)
