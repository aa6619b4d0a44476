from django.urls import include, path

from bankcrm.console import audit_views, export_views, views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("parties/", views.party_search, name="party_search"),
    path("parties/export.csv", export_views.export_parties_csv, name="party_export"),
    path("parties/<uuid:party_id>/", views.party_360, name="party_360"),
    path("parties/<uuid:party_id>/transactions/", views.party_transactions, name="party_transactions"),
    path("parties/<uuid:party_id>/interactions/", views.log_interaction, name="log_interaction"),
    path("parties/<uuid:party_id>/reveal/", views.reveal, name="reveal"),
    path("", include("bankcrm.console.privacy_urls")),  # /privacy/... and /parties/<id>/privacy/...
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/verify/", audit_views.verify, name="audit_verify"),
    path("audit/export.csv", audit_views.export_csv, name="audit_export"),
]
