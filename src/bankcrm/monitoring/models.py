"""AML transaction-monitoring alerts. AML-confidential (31 USC 5318(g)(2): a SAR and anything that
would reveal one must not be disclosed): invisible to roles without ``aml:read``: not listed, not
counted, not searchable, 404 on direct access (:func:`bankcrm.authz.scoping.restrict`). The
scenarios that raise alerts come with the monitoring work."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core import clock
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
    #: Stable dedupe key from the scenario engine (scenario + subject + period): one alert per activity.
    key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    explanation = models.TextField(blank=True, default="")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    run = models.ForeignKey(
        "monitoring.MonitoringRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["party", "status"])]

    def __str__(self) -> str:
        return f"{self.scenario} ({self.score})"


class FxRate(models.Model):
    """Conversion of an ISO currency to USD for monitoring thresholds, effective from a date.
    ``usd_per_unit_micro`` is USD per one unit of ``currency`` times 1,000,000 (integer, exact).
    ``source`` says where the rate comes from and whether it is approximate."""

    id = models.BigAutoField(primary_key=True)
    currency = models.CharField(max_length=3)
    valid_from = models.DateField()
    usd_per_unit_micro = models.BigIntegerField()
    source = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["currency", "valid_from"], name="fx_rate_unique")]
        ordering = ["currency", "valid_from"]

    def __str__(self) -> str:
        return f"{self.currency} {self.valid_from}"


class ScenarioThreshold(models.Model):
    """One scenario parameter (decision 11: thresholds live in the database, changed only through
    the maker-checker approval, audited). ``value`` is a decimal string."""

    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=64, unique=True)
    value = models.CharField(max_length=32)
    description = models.CharField(max_length=300, blank=True, default="")
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class MonitoringRun(models.Model):
    """One execution of the scenarios over a period."""

    id = models.BigAutoField(primary_key=True)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField()
    started_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    transactions = models.PositiveIntegerField(default=0)
    alerts_new = models.PositiveIntegerField(default=0)
    alerts_open = models.PositiveIntegerField(default=0)
    alerts_suppressed = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"monitoring run {self.pk}"


class CurrencyTransactionReport(models.Model):
    """A CTR (31 CFR 1010.311): cash in or out over $10,000 in one business day by or for one
    person, aggregated across accounts and branches (1010.313); due 15 calendar days after the
    transaction date. ``report`` holds the FinCEN CTR parts (JSON). Not AML-confidential (a CTR
    is a routine report), but visible to AML roles only in the console."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FILED = "filed", _("Filed")

    id = models.BigAutoField(primary_key=True)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="ctrs")
    business_day = models.DateField()
    cash_in_usd_minor = models.BigIntegerField()
    cash_out_usd_minor = models.BigIntegerField()
    txn_ids = models.JSONField(default=list)
    report = models.JSONField(default=dict)
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=clock.now)
    filed_at = models.DateTimeField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["party", "business_day"], name="ctr_party_day_unique")]

    def __str__(self) -> str:
        return f"CTR {self.party_id} {self.business_day}"


class SuspiciousActivityReport(models.Model):
    """A SAR in preparation on an AML case (31 CFR 1020.320). Due 30 calendar days after initial
    detection, 60 when no suspect is identified (30 + 30, never beyond 60). Never filed
    automatically: a second person approves, then the filer records the BSA E-Filing
    acknowledgement. Kept 5 years from filing. AML-confidential."""

    aml_confidential = True

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Pending approval")
        APPROVED = "approved", _("Approved for filing")
        FILED = "filed", _("Filed")

    id = models.BigAutoField(primary_key=True)
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="sar")
    party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    detected_on = models.DateField()
    suspect_identified = models.BooleanField(default=True)
    due_on = models.DateField()
    activity_from = models.DateField(null=True, blank=True)
    activity_to = models.DateField(null=True, blank=True)
    amount_usd_minor = models.BigIntegerField(default=0)
    narrative = models.TextField(max_length=17000, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    filed_at = models.DateTimeField(null=True, blank=True)
    bsa_id = models.CharField(max_length=32, blank=True, default="")
    continuing_review_on = models.DateField(null=True, blank=True)
    retain_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"SAR for {self.case_id}"


class Fincen314aSearch(models.Model):
    """One search of a FinCEN 314(a) subject list version against the bank's records (31 CFR
    1010.520): current accounts, accounts held in the past 12 months and transactions of the past
    6 months, relative to ``as_of``. Positive matches must be reported within 14 days of the request
    (``due_on``); nothing is filed when there is no match. AML-confidential."""

    aml_confidential = True

    id = models.BigAutoField(primary_key=True)
    list_version = models.ForeignKey("screening.WatchListVersion", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField()
    due_on = models.DateField()
    searched_at = models.DateTimeField(default=clock.now)
    parties_searched = models.PositiveIntegerField(default=0)
    matches = models.JSONField(default=list)
    reported_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"314(a) search {self.pk}"
