"""Consent and contact preferences (GLBA/Reg P, FCRA affiliate marketing, TCPA/CAN-SPAM) and
privacy-notice deliveries. Consent is an append-only history: the current choice for a party,
purpose and channel is its latest record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core import clock
from bankcrm.core.models import BaseModel


class Consent(models.Model):
    """One recorded choice of a party, with where it came from and who recorded it. Immutable:
    a change of mind is a new record; ``id`` orders records made in the same instant."""

    class Purpose(models.TextChoices):
        MARKETING = "marketing", _("Marketing (per channel)")
        SHARE_NONAFFILIATED = "share_nonaffiliated", _("Sharing with non-affiliated third parties (Reg P)")
        AFFILIATE_MARKETING = "affiliate_marketing", _("Affiliate marketing (FCRA)")
        DO_NOT_CALL = "do_not_call", _("Do not call")
        CHANNEL_BLOCK = "channel_block", _("Never use this channel")

    class Status(models.TextChoices):
        GRANTED = "granted", _("Granted / opted in")
        WITHDRAWN = "withdrawn", _("Withdrawn / opted out")

    class Source(models.TextChoices):
        BRANCH = "branch", _("Branch")
        PHONE = "phone", _("Phone")
        WEB = "web", _("Online banking")
        MAIL = "mail", _("Mail")
        EMAIL = "email", _("E-mail")
        IMPORT = "import", _("Data import")

    id = models.BigAutoField(primary_key=True)
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=8, blank=True, default="")  # "" = all channels
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["party", "purpose", "channel", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.purpose}/{self.channel or '*'}: {self.status}"


class ContactPreference(BaseModel):
    """A party's language, time zone and own quiet hours for calls and texts."""

    party = models.OneToOneField("parties.Party", on_delete=models.CASCADE, related_name="contact_preference")
    language = models.CharField(_("language"), max_length=8, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/New_York")
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)


class PrivacyNoticeDelivery(BaseModel):
    """A privacy notice sent to a party (Reg P 1016.4 initial, 1016.5 annual, opt-out notice)."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial")
        ANNUAL = "annual", _("Annual")
        OPT_OUT = "opt_out", _("Opt-out notice")
        REVISED = "revised", _("Revised")

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="privacy_notices")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    notice_version = models.CharField(_("notice version"), max_length=32)
    channel = models.CharField(_("channel"), max_length=8)
    delivered_at = models.DateTimeField(_("delivered at"), default=clock.now)


class DataRequest(BaseModel):
    """A data-subject request (access, correction, deletion) and its fulfilment."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access")
        CORRECTION = "correction", _("Correction")
        DELETION = "deletion", _("Deletion")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        COMPLETED = "completed", _("Completed")
        REFUSED = "refused", _("Refused")

    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("received at"), default=clock.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)


class LegalHold(BaseModel):
    """A legal hold on a party: retention purges and deletion requests leave its data alone
    until the hold is released."""

    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=500)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"), default=clock.now)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
