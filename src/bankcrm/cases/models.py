"""The one case engine's records: cases of every kind, their clocks, notes, attachments,
transitions, teams and routing, internal SLA policies, and the maker-checker approval primitive.

AML investigations are AML-confidential (31 USC 5318(g)(2)): :func:`bankcrm.authz.scoping.restrict`
hides them from anyone without ``aml:read`` through :attr:`Case.aml_confidential_q`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.cases.engine.workflow import CaseKind, Status
from bankcrm.core import clock
from bankcrm.core.models import BaseModel, SourcedModel, unique_source


class Team(BaseModel):
    """A team owning a work queue (e.g. complaints, disputes, BSA/AML); members may be assigned its cases."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="case_teams")
    #: Cases that breach a clock are escalated to this team's lead (a user), if set.
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(BaseModel):
    """First matching rule (lowest ``priority``) picks the team of a new case. Empty criteria match anything."""

    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    kind = models.CharField(_("case kind"), max_length=24, blank=True, default="")
    product_class = models.CharField(_("product class"), max_length=64, blank=True, default="")
    signal = models.CharField(_("signal"), max_length=32, blank=True, default="")
    channel = models.CharField(_("channel"), max_length=16, blank=True, default="")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="routing_rules")

    class Meta:
        ordering = ["priority", "created_at"]


class SlaPolicy(BaseModel):
    """A configurable internal service level (decision: thresholds live in the database, audited).
    ``key`` is ``sla_acknowledgement`` or ``sla_resolution``."""

    kind = models.CharField(_("case kind"), max_length=24, choices=[(k.value, k.value) for k in CaseKind])
    key = models.CharField(_("clock"), max_length=32)
    label = models.CharField(_("label"), max_length=100)
    days = models.PositiveSmallIntegerField(_("days"))
    business_days = models.BooleanField(_("business days"), default=True)
    warn_days = models.PositiveSmallIntegerField(_("warn days before due"), default=2)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="sla_policy_unique_kind_key")]


class Case(SourcedModel):
    """One case: a complaint, service request, dispute or AML investigation (DESIGN data model)."""

    #: AML investigations are AML-confidential rows (see :func:`bankcrm.authz.scoping.restrict`).
    aml_confidential_q = models.Q(kind=CaseKind.AML_INVESTIGATION.value)

    class Channel(models.TextChoices):
        BRANCH = "branch", _("Branch")
        PHONE = "phone", _("Phone")
        WEB = "web", _("Web")
        MOBILE = "mobile", _("Mobile app")
        EMAIL = "email", _("E-mail")
        CHAT = "chat", _("Chat")
        MAIL = "mail", _("Postal mail")
        CFPB_PORTAL = "cfpb_portal", _("CFPB portal")
        SYSTEM = "system", _("System")

    class Priority(models.TextChoices):
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=[(k.value, k.value) for k in CaseKind])
    status = models.CharField(_("status"), max_length=24, default=Status.NEW)
    party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    account = models.ForeignKey(
        "holdings.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"), default=clock.now)
    subject = models.CharField(_("subject"), max_length=200)
    narrative = models.TextField(_("narrative"), max_length=20000)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Classification (CFPB taxonomy): the model's suggestion is kept beside what the agent confirmed.
    suggested_classification = models.JSONField(_("suggested classification"), default=dict, blank=True)
    product_class = models.CharField(_("product class"), max_length=64, blank=True, default="")
    product = models.CharField(_("product"), max_length=120, blank=True, default="")
    sub_product = models.CharField(_("sub-product"), max_length=120, blank=True, default="")
    issue = models.CharField(_("issue"), max_length=160, blank=True, default="")
    sub_issue = models.CharField(_("sub-issue"), max_length=160, blank=True, default="")
    classification_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    classification_confirmed_at = models.DateTimeField(null=True, blank=True)
    #: Regulated-kind signals: ``[{"code", "label", "rule", "evidence"}]``.
    signals = models.JSONField(_("signals"), default=list, blank=True)
    #: Regimes whose legal clocks apply: ``cfpb_portal``, ``reg_e``, ``reg_z``.
    regimes = models.JSONField(_("regimes"), default=list, blank=True)
    # Reg E / Reg Z facts that change the clocks.
    reg_e_new_account = models.BooleanField(default=False)
    reg_e_point_of_sale = models.BooleanField(default=False)
    reg_e_foreign_initiated = models.BooleanField(default=False)
    provisional_credit_on = models.DateField(null=True, blank=True)
    investigation_completed_on = models.DateField(null=True, blank=True)
    billing_cycle_closing_day = models.PositiveSmallIntegerField(null=True, blank=True)
    # Resolution (CFPB "Company response to consumer", relief, root cause).
    company_response = models.CharField(_("company response"), max_length=64, blank=True, default="")
    relief_minor = models.BigIntegerField(_("relief (minor units)"), null=True, blank=True)
    relief_currency = models.CharField(_("relief currency"), max_length=3, blank=True, default="")
    resolution_summary = models.TextField(_("resolution summary"), max_length=8000, blank=True, default="")
    root_causes = models.JSONField(_("root causes"), default=list, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    timely_response = models.BooleanField(_("timely response"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    consumer_disputed = models.BooleanField(null=True, blank=True)
    # Duplicate submissions are flagged and linked, never rejected.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    duplicate_score = models.PositiveSmallIntegerField(null=True, blank=True)
    #: CCDB fields kept from an imported CFPB record (state, ZIP, tags, submitted via, dates...).
    external = models.JSONField(_("external record"), default=dict, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        constraints = [unique_source("case_unique_source")]
        indexes = [
            models.Index(fields=["kind", "status"], name="case_kind_status"),
            models.Index(fields=["assignee", "status"], name="case_assignee_status"),
            models.Index(fields=["party", "-received_at"], name="case_party_received"),
            models.Index(fields=["-received_at"], name="case_received"),
        ]
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class CaseParty(models.Model):
    """Another party linked to a case (joint holder, authorized representative, suspect, ...)."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="linked_parties")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "party", "role"], name="case_party_unique")]

    def __str__(self) -> str:
        return f"{self.role}: {self.party_id}"


class CaseClock(models.Model):
    """One deadline of a case (legal or internal SLA). ``effective_due`` includes pause extensions;
    a running clock has ``stopped_on`` null; ``paused_since`` is set while paused (pausable clocks only)."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    key = models.CharField(_("clock"), max_length=48)
    label = models.CharField(_("label"), max_length=160)
    source = models.CharField(_("source"), max_length=160)
    start = models.DateField(_("start"))
    days = models.PositiveSmallIntegerField(_("days"))
    business_days = models.BooleanField(_("business days"))
    due = models.DateField(_("due"))
    effective_due = models.DateField(_("due after pauses"))
    warn_from = models.DateField(_("warn from"))
    pausable = models.BooleanField(default=False)
    paused_since = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breach_escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="case_clock_unique_key")]
        indexes = [models.Index(fields=["stopped_on", "effective_due"], name="case_clock_open_due")]
        ordering = ["effective_due", "key"]

    def __str__(self) -> str:
        return f"{self.key} due {self.effective_due}"


class CasePause(models.Model):
    """A period during which the case's pausable clocks stood still, with its reason."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("reason"), max_length=200)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.reason} from {self.start}"


class CaseNote(models.Model):
    """An internal note on a case (never shown to the customer)."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("note"), max_length=8000)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.case_id}"


def _attachment_path(instance: CaseAttachment, filename: str) -> str:
    # Content-addressed, so the uploader's file name never becomes a path.
    return f"cases/{instance.case_id}/{instance.sha256}"


class CaseAttachment(models.Model):
    """A file attached to a case; the type is sniffed from the content, not trusted from the name."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.filename


class CaseTransition(models.Model):
    """The status history of a case (who moved it, when, why)."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=24)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500, blank=True, default="")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class Approval(BaseModel):
    """Maker-checker (DESIGN decision 11): an action proposed by one person and carried out only when
    a different person with the checker permission approves it. ``action`` names a registered
    handler (see :mod:`bankcrm.cases.approvals`); ``payload`` holds its arguments (ids, amounts,
    categories; never PII)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    action = models.CharField(_("action"), max_length=64)
    subject_type = models.CharField(max_length=32)
    subject_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    summary = models.CharField(_("summary"), max_length=300)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals_requested"
    )
    requested_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="approvals_decided"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["status", "action"], name="approval_status_action")]
        constraints = [
            # At most one pending approval per action and subject: a second request is a conflict.
            models.UniqueConstraint(
                fields=["action", "subject_type", "subject_id"],
                condition=models.Q(status="pending"),
                name="approval_one_pending",
            )
        ]
