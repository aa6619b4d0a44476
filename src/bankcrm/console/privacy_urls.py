"""The console's privacy screens (included into the ``console`` namespace by console/urls.py)."""

from django.urls import path

from bankcrm.console import privacy_views

urlpatterns = [
    path("parties/<uuid:party_id>/privacy/", privacy_views.party_privacy, name="party_privacy"),
    path("parties/<uuid:party_id>/privacy/consents/", privacy_views.party_consent, name="party_consent"),
    path("parties/<uuid:party_id>/privacy/corrections/", privacy_views.party_correction, name="party_correction"),
    path("parties/<uuid:party_id>/privacy/holds/", privacy_views.party_hold_place, name="party_hold_place"),
    path(
        "parties/<uuid:party_id>/privacy/holds/<uuid:hold_id>/release/",
        privacy_views.party_hold_release,
        name="party_hold_release",
    ),
    path("privacy/", privacy_views.privacy_desk, name="privacy_desk"),
    path("privacy/incidents/", privacy_views.incident_open, name="incident_open"),
    path("privacy/incidents/<uuid:incident_id>/", privacy_views.incident_detail, name="incident"),
    path("privacy/incidents/<uuid:incident_id>/update/", privacy_views.incident_update, name="incident_update"),
    path("privacy/incidents/<uuid:incident_id>/parties/", privacy_views.incident_add_parties, name="incident_parties"),
    path(
        "privacy/incidents/<uuid:incident_id>/parties/<uuid:party_id>/remove/",
        privacy_views.incident_remove_party,
        name="incident_remove_party",
    ),
    path(
        "privacy/incidents/<uuid:incident_id>/regulator-notice/",
        privacy_views.incident_regulator_notice,
        name="incident_regulator_notice",
    ),
    path(
        "privacy/incidents/<uuid:incident_id>/customer-notices/",
        privacy_views.incident_customer_notices,
        name="incident_customer_notices",
    ),
    path("privacy/incidents/<uuid:incident_id>/close/", privacy_views.incident_close, name="incident_close"),
    path(
        "privacy/reminders/<int:reminder_id>/acknowledge/",
        privacy_views.reminder_acknowledge,
        name="reminder_acknowledge",
    ),
    path("privacy/requests/<uuid:request_id>/decide/", privacy_views.request_decide, name="request_decide"),
]
