from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "bankcrm.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"
