"""Risk model version 1: the shipped configuration, active from the start (thresholds live in
the database, audited, changed through maker-checker: DESIGN decision 11)."""

from django.db import migrations


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    from bankcrm.kyc.engine.risk import default_config

    version = apps.get_model("kyc", "RiskModelVersion")
    if not version.objects.filter(number=1).exists():
        version.objects.create(number=1, config=default_config(), status="active", reason="initial configuration")


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("kyc", "RiskModelVersion").objects.filter(number=1, reason="initial configuration").delete()


class Migration(migrations.Migration):
    dependencies = [("kyc", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
