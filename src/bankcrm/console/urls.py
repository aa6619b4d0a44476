from django.urls import path

from bankcrm.console import views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("parties/", views.party_search, name="party_search"),
    path("parties/<uuid:party_id>/", views.party_360, name="party_360"),
    path("parties/<uuid:party_id>/transactions/", views.party_transactions, name="party_transactions"),
    path("parties/<uuid:party_id>/interactions/", views.log_interaction, name="log_interaction"),
    path("parties/<uuid:party_id>/reveal/", views.reveal, name="reveal"),
]
