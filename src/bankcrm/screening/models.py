"""Watch lists with every imported version and the delta between versions, screening runs,
hits with their explanations, dispositions (remembered false positives) and sanctions blocks.

Hits and blocks are AML-confidential (31 USC 5318(g)(2) protects what would reveal a SAR; OFAC
hit reviews are handled by the BSA/AML function): invisible without ``aml:read``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core import clock


class WatchList(models.Model):
    """A list the bank screens against (``ofac-sdn``, ``ofac-cons``, ``314a``, ``internal``)."""

    id = models.BigAutoField(primary_key=True)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)

    def __str__(self) -> str:
        return self.name


class WatchListVersion(models.Model):
    """One imported version of a list. The newest version (by ``version`` label, an ISO date) is
    the active one. ``delta`` lists the entry ids added, removed and changed against the previous
    version (null for the first)."""

    id = models.BigAutoField(primary_key=True)
    watch_list = models.ForeignKey(WatchList, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(_("version"), max_length=32)
    source_sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(default=clock.now)
    entry_count = models.PositiveIntegerField(default=0)
    delta = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["watch_list", "version"], name="watchlist_version_unique")]
        ordering = ["watch_list", "-version"]

    def __str__(self) -> str:
        return f"{self.watch_list.code} {self.version}"


class WatchListEntry(models.Model):
    """One entry of one list version: names, aliases, dates of birth, countries, programs."""

    id = models.BigAutoField(primary_key=True)
    version = models.ForeignKey(WatchListVersion, on_delete=models.CASCADE, related_name="entries")
    entry_id = models.CharField(_("entry id"), max_length=64)
    name = models.CharField(_("name"), max_length=400)
    aliases = models.JSONField(default=list, blank=True)
    entity_type = models.CharField(max_length=16, blank=True, default="")
    programs = models.JSONField(default=list, blank=True)
    dates_of_birth = models.JSONField(default=list, blank=True)
    countries = models.JSONField(default=list, blank=True)
    #: SHA-256 of the entry's content: a changed entry gets a new fingerprint (delta, dispositions).
    fingerprint = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "entry_id"], name="watchlist_entry_unique")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.name}"


class ScreeningRun(models.Model):
    """One screening pass (a party at onboarding or change, or every party after a list import),
    with progress for the console."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.BigAutoField(primary_key=True)
    reason = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    versions = models.JSONField(default=list)
    parties_total = models.PositiveIntegerField(default=0)
    parties_done = models.PositiveIntegerField(default=0)
    hits_created = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"run {self.pk} ({self.reason})"


class ScreeningHit(models.Model):
    """A possible match of a party against a list entry, waiting for (or carrying) a disposition.
    A false positive is remembered for the party/entry pair until either record changes (the
    fingerprints differ)."""

    aml_confidential = True

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TRUE_MATCH = "true_match", _("True match")
        FALSE_POSITIVE = "false_positive", _("False positive")

    id = models.BigAutoField(primary_key=True)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="screening_hits")
    entry = models.ForeignKey(WatchListEntry, on_delete=models.PROTECT, related_name="hits")
    run = models.ForeignKey(ScreeningRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="hits")
    #: Match score in [0, 1], 4 decimals (exact: no floats in the database).
    score = models.DecimalField(max_digits=5, decimal_places=4)
    matched_name = models.CharField(max_length=400)
    explanation = models.TextField()
    party_fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True, default="")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["status", "-score"], name="screening_hit_queue")]
        ordering = ["-score", "-created_at"]

    def __str__(self) -> str:
        return f"{self.party_id} ~ {self.entry_id} ({self.score:.2f})"


class SanctionsBlock(models.Model):
    """A party blocked after a true sanctions match: no new business until released (OFAC). Not
    AML-confidential: front-line staff must see that the party is blocked (not why)."""

    id = models.BigAutoField(primary_key=True)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="sanctions_blocks")
    hit = models.ForeignKey(ScreeningHit, on_delete=models.PROTECT, related_name="+")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=clock.now)
    released_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"block {self.party_id}"
