from django.urls import path

from bankcrm.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("enrol/", views.enrol, name="enrol"),
    path("complaints/", views.complaints, name="complaints"),
]
