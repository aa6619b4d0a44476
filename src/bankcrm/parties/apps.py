from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "bankcrm.parties"
    label = "parties"
    default_auto_field = "django.db.models.BigAutoField"
