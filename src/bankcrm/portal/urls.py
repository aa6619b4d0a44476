from django.urls import path

from bankcrm.portal import correction_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("enrol/", views.enrol, name="enrol"),
    path("corrections/", correction_views.corrections_page, name="corrections"),
    path("complaints/", views.complaints, name="complaints"),
]
