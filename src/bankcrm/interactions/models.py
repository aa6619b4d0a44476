"""The omnichannel interaction timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core import clock
from bankcrm.core.models import BaseModel


class Interaction(BaseModel):
    """One contact with a party: a visit, call, e-mail, chat or message, in or out."""

    class Channel(models.TextChoices):
        BRANCH = "branch", _("Branch visit")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        CHAT = "chat", _("Chat")
        WEB = "web", _("Online banking")
        MOBILE = "mobile", _("Mobile app")
        LETTER = "letter", _("Letter")
        SMS = "sms", _("SMS")

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="interactions")
    account = models.ForeignKey(
        "holdings.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    purpose = models.CharField(_("purpose"), max_length=64)
    summary = models.TextField(_("summary"), max_length=4000)
    occurred_at = models.DateTimeField(_("occurred at"), default=clock.now)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case_id = models.UUIDField(_("linked case"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["party", "-occurred_at"], name="interaction_timeline")]
        ordering = ["-occurred_at"]
