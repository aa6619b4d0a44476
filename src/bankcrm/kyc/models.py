"""KYC records: CIP onboardings with their subjects and verification evidence, the CDD profile,
the configurable risk model, risk assessments, EDD reviews and periodic reviews.

No plaintext identifiers live here: names, dates of birth, tax ids and document numbers are on the
parties (encrypted where sensitive: :mod:`bankcrm.parties.birth`, :mod:`bankcrm.privacy.crypto`);
evidence points at an :class:`~bankcrm.parties.models.IdentityDocument` and keeps only a vendor
reference. Risk inputs are category codes and counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core import clock
from bankcrm.core.models import BaseModel, MoneyField


class Onboarding(BaseModel):
    """One CIP onboarding of a customer (31 CFR 1020.220): created only from a complete, valid
    application (the party and its relationships are created with it), then verified. ``status``
    is changed only by :func:`bankcrm.kyc.services.transition_onboarding`; ``outcome`` holds the
    last evidence evaluation (missing / conflicting / failed elements and reasons)."""

    class Status(models.TextChoices):
        STARTED = "started", _("Started")
        PENDING = "pending_verification", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        FAILED = "failed", _("Failed")
        MANUAL_REVIEW = "manual_review", _("Manual review")

    class Kind(models.TextChoices):
        PERSON = "person", _("Individual")
        ORGANIZATION = "organization", _("Legal entity")

    reference = models.CharField(_("reference"), max_length=16, unique=True)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="onboardings")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.STARTED)
    channel = models.CharField(_("channel"), max_length=16)
    cip_notice_acknowledged_at = models.DateTimeField(_("CIP notice acknowledged at"))
    cip_notice_version = models.CharField(_("CIP notice version"), max_length=32)
    certified_at = models.DateTimeField(_("beneficial ownership certified at"), null=True, blank=True)
    certifier_name = models.CharField(_("certified by"), max_length=200, blank=True, default="")
    certifier_title = models.CharField(_("certifier's title"), max_length=100, blank=True, default="")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="kyc_applications"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.CharField(_("decision reason"), max_length=500, blank=True, default="")
    outcome = models.JSONField(_("last evaluation"), default=dict, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["status", "-created_at"], name="kyc_onboarding_queue")]

    def __str__(self) -> str:
        return self.reference


class OnboardingSubject(BaseModel):
    """Someone whose identity the onboarding verifies: the applicant (the customer), or, for a
    legal entity, each beneficial owner (``ownership_bp``, 2500 = 25%) and the control person."""

    class Role(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        BENEFICIAL_OWNER = "beneficial_owner", _("Beneficial owner")
        CONTROL_PERSON = "control_person", _("Control person")

    onboarding = models.ForeignKey(Onboarding, on_delete=models.CASCADE, related_name="subjects")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="kyc_subject_of")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    ownership_bp = models.PositiveIntegerField(_("ownership (basis points)"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True, default="")
    reused = models.BooleanField(_("existing customer"), default=False)
    #: Order of entry (applicant, owners, control person): rows are created in one instant.
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["onboarding", "party", "role"], name="kyc_subject_unique"),
        ]


class VerificationEvidence(BaseModel):
    """One documentary or non-documentary check of one subject (31 CFR 1020.220(a)(2)(ii)) and
    the CIP elements it confirmed or contradicted. Kept 5 years after it is made (REGULATORY_FACTS
    1.1, status M)."""

    class Method(models.TextChoices):
        DOCUMENTARY = "documentary", _("Documentary")
        NON_DOCUMENTARY = "non_documentary", _("Non-documentary")

    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        INCONCLUSIVE = "inconclusive", _("Inconclusive")

    onboarding = models.ForeignKey(Onboarding, on_delete=models.CASCADE, related_name="evidence")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="kyc_evidence")
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    kind = models.CharField(_("kind"), max_length=40)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    elements = models.JSONField(_("CIP elements covered"), default=list)
    identity_document = models.ForeignKey(
        "parties.IdentityDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document_expires_on = models.DateField(_("document expires on"), null=True, blank=True)
    reference = models.CharField(_("check reference"), max_length=64, blank=True, default="")
    checked_on = models.DateField(_("checked on"))
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class OnboardingTransition(models.Model):
    """One status change of an onboarding, for the history shown with it."""

    id = models.BigAutoField(primary_key=True)
    onboarding = models.ForeignKey(Onboarding, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=24, blank=True, default="")
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=clock.now)
    reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} -> {self.to_status}"


class CddProfile(BaseModel):
    """The customer risk profile (31 CFR 1020.210(a)(2)(v)): what the risk model rates besides the
    party's own data, and when the next periodic review is due. Expected amounts are monthly,
    integer minor units of ``currency``."""

    party = models.OneToOneField("parties.Party", on_delete=models.CASCADE, related_name="cdd_profile")
    occupation = models.CharField(_("occupation"), max_length=40, blank=True, default="")
    industry = models.CharField(_("industry (NAICS)"), max_length=6, blank=True, default="")
    pep_status = models.CharField(_("PEP status"), max_length=32, default="none")
    products = models.JSONField(_("products"), default=list, blank=True)
    channel = models.CharField(_("onboarding channel"), max_length=16, blank=True, default="")
    purpose = models.CharField(_("purpose of the relationship"), max_length=32, blank=True, default="")
    source_of_funds = models.CharField(_("source of funds"), max_length=32, blank=True, default="")
    expected_monthly_minor = MoneyField(_("expected monthly activity (minor units)"), null=True, blank=True)
    expected_cash_minor = MoneyField(_("expected monthly cash (minor units)"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    expected_countries = models.JSONField(_("expected countries"), default=list, blank=True)
    adverse_media = models.BooleanField(_("adverse media found"), default=False)
    next_review_on = models.DateField(_("next review on"), null=True, blank=True, db_index=True)
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)


class RiskModelVersion(models.Model):
    """One version of the risk-factor model configuration (see :mod:`bankcrm.kyc.engine.risk`).
    A change is proposed by one person and activated only when another approves it (DESIGN
    decision 11); the newest active version rates customers."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")
        REJECTED = "rejected", _("Rejected")

    id = models.BigAutoField(primary_key=True)
    number = models.PositiveIntegerField(_("version"), unique=True)
    config = models.JSONField(_("configuration"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"risk model v{self.number} ({self.status})"


class RiskAssessment(BaseModel):
    """One rating of a party: the rating, the score and each factor's contribution under model
    version ``model_number``; ``inputs`` are the category codes and counts rated (no PII)."""

    class Rating(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="risk_assessments")
    model_number = models.PositiveIntegerField(_("model version"))
    rating = models.CharField(_("rating"), max_length=8, choices=Rating.choices)
    previous_rating = models.CharField(_("previous rating"), max_length=8, blank=True, default="")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    score_rating = models.CharField(_("rating by score alone"), max_length=8)
    factors = models.JSONField(_("factors"), default=list)
    floors_applied = models.JSONField(_("floors applied"), default=list, blank=True)
    inputs = models.JSONField(_("inputs"), default=dict)
    reason = models.CharField(_("reason"), max_length=32)
    assessed_at = models.DateTimeField(_("assessed at"), default=clock.now)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_review_on = models.DateField(_("next review on"))

    class Meta:
        indexes = [models.Index(fields=["party", "-assessed_at"], name="kyc_assessment_latest")]


class EddReview(BaseModel):
    """Enhanced due diligence for a high-risk customer: a checklist worked by the BSA/AML function
    and signed off through maker-checker (DESIGN decision 11). ``items`` are
    ``{"code", "label", "done", "note", "done_by", "done_at"}``."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING_APPROVAL = "pending_approval", _("Awaiting sign-off")
        APPROVED = "approved", _("Signed off")

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="edd_reviews")
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    items = models.JSONField(_("checklist"), default=list)
    approval = models.ForeignKey("cases.Approval", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    rejection_reason = models.CharField(_("last rejection"), max_length=500, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["party"],
                condition=models.Q(status__in=["open", "pending_approval"]),
                name="kyc_one_open_edd",
            )
        ]


class PeriodicReview(BaseModel):
    """A due periodic CDD review (interval by rating, see the risk model's ``review_months``)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="kyc_reviews")
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessment = models.ForeignKey(RiskAssessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["party"], condition=models.Q(status="open"), name="kyc_one_open_review")
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="kyc_review_queue")]
