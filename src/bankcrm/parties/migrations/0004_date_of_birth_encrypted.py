"""Dates of birth encrypted at rest: add ``date_of_birth_encrypted``, encrypt every existing value
with the active key of the field keyring (``BANKCRM_FIELD_KEYS`` or ``var/keys/field_keys.json``,
the same keyring the application uses), then drop the plaintext column. Reversible: going back
decrypts into a recreated ``date_of_birth`` column.

The ciphertext format and field name are written out here rather than imported from
``bankcrm.parties.birth`` so that this migration keeps meaning what it meant when it was written.
"""

import datetime as dt

from django.db import migrations, models

FIELD = "party.date_of_birth"
BATCH = 1000


def _batches(queryset, size):  # type: ignore[no-untyped-def]
    chunk = []
    for row in queryset.iterator(chunk_size=size):
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def encrypt_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    from bankcrm.privacy import crypto

    Party = apps.get_model("parties", "Party")
    rows = Party.objects.using(schema_editor.connection.alias).filter(date_of_birth__isnull=False).order_by("pk")
    if not rows.exists():
        return  # a fresh database: no key file is needed (or created) for nothing
    ring = crypto.keyring()
    for chunk in _batches(rows.only("pk", "date_of_birth"), BATCH):
        for party in chunk:
            party.date_of_birth_encrypted = crypto.encrypt(party.date_of_birth.isoformat(), field=FIELD, ring=ring)
        Party.objects.using(schema_editor.connection.alias).bulk_update(chunk, ["date_of_birth_encrypted"])


def decrypt_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    from bankcrm.privacy import crypto

    Party = apps.get_model("parties", "Party")
    rows = Party.objects.using(schema_editor.connection.alias).filter(date_of_birth_encrypted__isnull=False)
    if not rows.exists():
        return
    ring = crypto.keyring()
    for chunk in _batches(rows.order_by("pk").only("pk", "date_of_birth_encrypted"), BATCH):
        for party in chunk:
            plain = crypto.decrypt(party.date_of_birth_encrypted, field=FIELD, ring=ring)
            party.date_of_birth = dt.date.fromisoformat(plain)
        Party.objects.using(schema_editor.connection.alias).bulk_update(chunk, ["date_of_birth"])


class Migration(migrations.Migration):
    dependencies = [("parties", "0003_partyshare")]

    operations = [
        migrations.AddField(
            model_name="party",
            name="date_of_birth_encrypted",
            field=models.BinaryField(blank=True, null=True, verbose_name="date of birth (encrypted)"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_back),
        migrations.RemoveField(model_name="party", name="date_of_birth"),
    ]
