from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "bankcrm.interactions"
    label = "interactions"
    default_auto_field = "django.db.models.BigAutoField"
