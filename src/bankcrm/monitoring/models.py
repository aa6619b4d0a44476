"""AML transaction-monitoring alerts. AML-confidential (31 USC 5318(g)(2): a SAR and anything that
would reveal one must not be disclosed): invisible to roles without ``aml:read``: not listed, not
counted, not searchable, 404 on direct access (:func:`bankcrm.authz.scoping.restrict`). The
scenarios that raise alerts come with the monitoring work."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import BaseModel


class Alert(BaseModel):
    """One alert raised by a monitoring scenario on a party, with its score and evidence."""

    aml_confidential = True

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ESCALATED = "escalated", _("Escalated to a case")
        CLOSED = "closed", _("Closed")

    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="alerts")
    scenario = models.CharField(_("scenario"), max_length=64)
    score = models.PositiveSmallIntegerField(_("score"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        indexes = [models.Index(fields=["party", "status"])]

    def __str__(self) -> str:
        return f"{self.scenario} ({self.score})"
