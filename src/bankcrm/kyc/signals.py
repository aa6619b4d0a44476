"""Re-screening a party whose name, date of birth or nationality changed outside this app.

OFAC screening is due on every change of name, date of birth or nationality (REGULATORY_FACTS 1.7,
"Practice", status M). :func:`bankcrm.kyc.services.update_identity` screens itself; other writers
(for example an approved privacy correction of the legal name) save the party directly, so this
receiver compares the saved values with the stored ones and, when one of the three changed,
screens the party once the transaction commits (system actor, reason ``identity_change``).
Bulk loads (``bulk_create`` / ``update``) send no signals: importers screen in their own batch.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver

from bankcrm.kyc import integration
from bankcrm.parties.birth import decrypt_date_of_birth
from bankcrm.parties.models import Party

WATCHED = frozenset({"legal_name", "given_name", "family_name", "nationality", "date_of_birth_encrypted"})


def identity_changed(old: Party, new: Party) -> bool:
    """True when a screened attribute differs (the date of birth compared decrypted: every
    encryption of the same date gives different bytes)."""
    if any(getattr(old, f) != getattr(new, f) for f in WATCHED - {"date_of_birth_encrypted"}):
        return True
    return decrypt_date_of_birth(old.date_of_birth_encrypted) != decrypt_date_of_birth(new.date_of_birth_encrypted)


@receiver(pre_save, sender=Party, dispatch_uid="kyc.rescreen_on_identity_change")
def rescreen_on_identity_change(sender: type[Party], instance: Party, raw: bool = False, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if raw or instance._state.adding or getattr(instance, "_kyc_screening_done", False):
        return
    if update_fields is not None and not (set(update_fields) & WATCHED):
        return
    if integration.screening_function() is None:
        return
    old = Party.objects.filter(pk=instance.pk).first()
    if old is None or not identity_changed(old, instance):
        return
    party_id = instance.pk

    def screen() -> None:
        party = Party.objects.filter(pk=party_id).first()
        if party is not None:
            with transaction.atomic():
                integration.screen(actor=None, party=party, reason="identity_change")

    transaction.on_commit(screen)
