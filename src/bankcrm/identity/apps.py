from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "bankcrm.identity"
    label = "identity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bankcrm.identity import signals  # noqa: F401 - connects the audit receivers
