from django.apps import AppConfig


class KycConfig(AppConfig):
    name = "bankcrm.kyc"
    label = "kyc"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the EDD sign-off and risk-model approvals with the maker-checker primitive,
        # and the re-screening receiver for identity changes made outside this app.
        from bankcrm.kyc import services, signals  # noqa: F401
