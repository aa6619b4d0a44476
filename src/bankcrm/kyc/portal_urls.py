"""Self-service onboarding in the customer portal, mounted at ``/portal/onboarding/``."""

from django.urls import path

from bankcrm.kyc import portal_views

app_name = "kyc_portal"
urlpatterns = [
    path("", portal_views.apply, name="apply"),
    path("<uuid:onboarding_id>/", portal_views.status, name="status"),
]
