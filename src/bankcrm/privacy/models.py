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
    """A legal hold on a party, or on one case (then ``case`` is set and ``party`` is the case's
    party): retention purges and deletion requests leave the party's data alone until the hold is
    released."""

    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="legal_holds")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=500)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"), default=clock.now)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)


class CorrectionRequest(BaseModel):
    """The details of a correction :class:`DataRequest`: which field the customer says is wrong
    and the value they propose. The proposed value is stored only encrypted (it may be a date of
    birth) and is erased once the request is decided: approved, it lives in the party record;
    rejected, it is not needed any more."""

    request = models.OneToOneField(DataRequest, on_delete=models.CASCADE, related_name="correction")
    field = models.CharField(_("field"), max_length=32)
    proposed_value_encrypted = models.BinaryField(_("proposed value (encrypted)"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=12)
    due_at = models.DateTimeField(_("respond by"))
    decision_reason = models.CharField(_("decision reason"), max_length=500, blank=True, default="")


class Incident(BaseModel):
    """An incident of unauthorized access to or use of customer information, its affected parties
    and the facts its notification clocks depend on (:mod:`bankcrm.privacy.incident_rules`).
    ``description`` and ``resolution`` are staff notes: never customer data."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONTAINED = "contained", _("Contained")
        CLOSED = "closed", _("Closed")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    data_categories = models.JSONField(_("data categories"), default=list)
    sensitive_information = models.BooleanField(_("sensitive customer information involved"), default=False)
    reg_sp_applies = models.BooleanField(_("SEC Reg S-P applies (broker-dealer affiliate)"), default=False)
    discovered_at = models.DateTimeField(_("discovered at"))
    determined_at = models.DateTimeField(_("determined a notification incident at"), null=True, blank=True)
    customer_target_hours = models.PositiveIntegerField(_("customer notice target (hours from discovery)"))
    customer_notice_exemption = models.CharField(
        _("why no customer notice is owed"), max_length=500, blank=True, default=""
    )
    regulator_notified_at = models.DateTimeField(_("regulator notified at"), null=True, blank=True)
    regulator = models.CharField(_("regulator"), max_length=64, blank=True, default="")
    regulator_reference = models.CharField(_("regulator reference"), max_length=100, blank=True, default="")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), max_length=4000, blank=True, default="")
    affected_parties = models.ManyToManyField("parties.Party", through="IncidentParty", related_name="incidents")

    class Meta:
        indexes = [models.Index(fields=["status", "-discovered_at"])]

    def __str__(self) -> str:
        return self.title


class IncidentParty(models.Model):
    """A party whose information an incident reached, and when that party was notified."""

    id = models.BigAutoField(primary_key=True)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="affected")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added at"), default=clock.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    notice_channel = models.CharField(_("notice channel"), max_length=8, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "party"], name="incident_party_unique")]

    def __str__(self) -> str:
        return f"{self.incident_id}/{self.party_id}"


class IncidentReminder(models.Model):
    """A reminder that a notification deadline is near or has come: the in-app list of due items.
    One per incident, clock, slot and deadline (a changed deadline gets its own reminders)."""

    id = models.BigAutoField(primary_key=True)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("clock"), max_length=16)  # an incident_rules.ClockKind
    slot = models.CharField(_("slot"), max_length=16)
    due_at = models.DateTimeField(_("deadline"))
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind", "slot", "due_at"], name="incident_reminder_unique")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.kind} {self.slot}"
