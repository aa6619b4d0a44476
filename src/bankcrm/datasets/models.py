"""Records of data-set loads: which files (by SHA-256) were loaded, when, by whom, with what result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import BaseModel


class DataLoad(BaseModel):
    """One completed load of a data set (Berka, synthetic additions, replicas, lists...)."""

    source = models.CharField(_("source"), max_length=64, db_index=True)
    label = models.CharField(_("label"), max_length=128, blank=True, default="")
    files = models.JSONField(_("files (name -> SHA-256)"), default=dict)
    counts = models.JSONField(_("rows created per entity"), default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.label}"
