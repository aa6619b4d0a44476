from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bankcrm.core"
    label = "core"
    verbose_name = "Core"
