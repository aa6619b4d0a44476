from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "bankcrm.monitoring"
    label = "monitoring"
    default_auto_field = "django.db.models.BigAutoField"
