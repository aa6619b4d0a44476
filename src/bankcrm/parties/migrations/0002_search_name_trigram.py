"""PostgreSQL: a trigram index on the folded name, so "contains" name search does not read every
party (measured 8.3 ms -> under 1 ms on 30,000 parties). pg_trgm is a trusted extension (PG 13+):
the database owner may create it; where it cannot be created the index is skipped and search
still works, only slower. SQLite: nothing to do."""

from django.db import migrations, transaction


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                "CREATE INDEX IF NOT EXISTS party_search_name_trgm ON parties_party "
                "USING gin (search_name gin_trgm_ops)"
            )
    except Exception as exc:  # noqa: BLE001 - optional speed-up, never a reason to fail a migration
        print(f"\n  pg_trgm unavailable ({exc}); name search runs without a trigram index")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS party_search_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
