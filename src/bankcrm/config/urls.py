"""Root URL configuration: console, sign-in (allauth), admin and the REST API."""

from django.contrib import admin
from django.urls import include, path

from bankcrm.api.root import api

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("portal/onboarding/", include("bankcrm.kyc.portal_urls")),
    path("portal/", include("bankcrm.portal.urls")),
    path("cases/", include("bankcrm.cases.urls")),
    path("kyc/", include("bankcrm.kyc.urls")),
    path("screening/", include("bankcrm.screening.urls")),
    path("aml/", include("bankcrm.monitoring.urls")),
    path("", include("bankcrm.console.urls")),
]
