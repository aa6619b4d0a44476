"""The database cache table (``bankcrm_cache``): rate limits and used-TOTP markers shared by
every web worker. Django creates cache tables with a command, not a model, so run it here."""

from django.core.management import call_command
from django.db import migrations


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name('bankcrm_cache')}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_idempotencyrecord")]
    operations = [migrations.RunPython(create, drop)]
