"""Parties (persons and organizations), typed effective-dated relationships, households and
contact points (DESIGN data model; decision 8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import BaseModel, SourcedModel, unique_source


class Party(SourcedModel):
    """A person or an organization the bank knows.

    ``search_name`` is the case- and accent-folded legal name (see :func:`bankcrm.parties.text.fold`)
    used for accent-insensitive search on both databases. Sensitive identifiers are stored only
    encrypted (``*_encrypted``) with a keyed blind index (``*_index``) for exact look-up.
    The date of birth is encrypted too, without a blind index (see :mod:`bankcrm.parties.birth`).
    ``sex`` is a restricted field derived from source data: never a model feature (ECOA).
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANIZATION = "organization", _("Organization")

    class KycStatus(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        STARTED = "started", _("Started")
        PENDING = "pending_verification", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        FAILED = "failed", _("Failed")
        MANUAL_REVIEW = "manual_review", _("Manual review")

    class RiskRating(models.TextChoices):
        UNRATED = "unrated", _("Unrated")
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        UNKNOWN = "", _("Unknown")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    legal_name = models.CharField(_("legal name"), max_length=200)
    given_name = models.CharField(_("given name"), max_length=100, blank=True, default="")
    family_name = models.CharField(_("family name"), max_length=100, blank=True, default="")
    other_names = models.JSONField(_("other names"), default=list, blank=True)
    search_name = models.CharField(_("search name"), max_length=200, db_index=True)
    # Only encrypted (ISO date, field "party.date_of_birth"; see bankcrm.parties.birth).
    date_of_birth_encrypted = models.BinaryField(_("date of birth (encrypted)"), null=True, blank=True)
    formation_date = models.DateField(_("formation date"), null=True, blank=True)
    sex = models.CharField(_("sex (restricted)"), max_length=1, choices=Sex.choices, blank=True, default="")
    nationality = models.CharField(_("nationality"), max_length=2, blank=True, default="")
    residence_country = models.CharField(_("country of residence"), max_length=2, blank=True, default="")
    tax_id_type = models.CharField(_("tax id type"), max_length=16, blank=True, default="")
    tax_id_encrypted = models.BinaryField(_("tax id (encrypted)"), null=True, blank=True)
    tax_id_index = models.CharField(_("tax id blind index"), max_length=64, blank=True, default="", db_index=True)
    source_pii_encrypted = models.BinaryField(_("source identifier (encrypted)"), null=True, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True, default="")
    segment = models.CharField(_("segment"), max_length=32, blank=True, default="retail")
    risk_rating = models.CharField(
        _("risk rating"), max_length=16, choices=RiskRating.choices, default=RiskRating.UNRATED
    )
    kyc_status = models.CharField(
        _("KYC status"), max_length=24, choices=KycStatus.choices, default=KycStatus.NOT_STARTED
    )
    language = models.CharField(_("language"), max_length=8, blank=True, default="en")
    preferred_channel = models.CharField(_("preferred channel"), max_length=16, blank=True, default="")
    vulnerability_flags = models.JSONField(_("vulnerability flags"), default=list, blank=True)
    synthetic_identity = models.BooleanField(
        _("synthetic identity"),
        default=False,
        help_text=_("Names and contact data are generated (the source is anonymised): DESIGN decision 9."),
    )
    branch = models.ForeignKey(
        "holdings.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="parties"
    )
    relationship_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="book"
    )
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from")

    class Meta:
        verbose_name_plural = "parties"
        constraints = [
            unique_source("party_unique_source"),
        ]
        indexes = [models.Index(fields=["branch", "relationship_manager"])]

    def __str__(self) -> str:
        return self.legal_name


class Household(BaseModel):
    """A group of parties treated together (e.g. owner and disponent of one account)."""

    name = models.CharField(_("name"), max_length=200)
    source_system = models.CharField(_("source system"), max_length=32, blank=True, default="")
    source_id = models.CharField(_("source id"), max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            unique_source("household_unique_source"),
        ]

    def __str__(self) -> str:
        return self.name


class HouseholdMember(BaseModel):
    """Membership of a party in a household, with its role and effective dates."""

    class Role(models.TextChoices):
        HEAD = "head", _("Head")
        MEMBER = "member", _("Member")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="household_memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "party"], name="household_member_unique")]


class PartyRelationship(SourcedModel):
    """A typed, effective-dated link from one party to another (``from_party`` is the
    ``type`` of ``to_party``: "A is authorized signer for B", "A is beneficial owner of B")."""

    class Type(models.TextChoices):
        SPOUSE = "spouse", _("Spouse")
        DEPENDANT = "dependant", _("Dependant")
        BENEFICIAL_OWNER = "beneficial_owner", _("Beneficial owner")
        CONTROL_PERSON = "control_person", _("Control person")
        AUTHORIZED_SIGNER = "authorized_signer", _("Authorized signer")
        POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")
        TRUSTEE = "trustee", _("Trustee")
        EMPLOYER = "employer", _("Employer")

    from_party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="relationships_out")
    to_party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="relationships_in")
    type = models.CharField(_("type"), max_length=24, choices=Type.choices)
    ownership_bp = models.PositiveIntegerField(
        _("ownership (basis points)"), null=True, blank=True, help_text=_("2500 = 25%")
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(from_party=models.F("to_party")), name="rel_not_self"),
            models.CheckConstraint(
                condition=models.Q(ownership_bp__isnull=True) | models.Q(ownership_bp__lte=10000),
                name="rel_ownership_range",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_from__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="rel_dates_ordered",
            ),
            unique_source("relationship_unique_source"),
        ]


class ContactPoint(SourcedModel):
    """An address, phone number or e-mail address of a party, with validation and consent flags."""

    class Kind(models.TextChoices):
        ADDRESS = "address", _("Address")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")

    class Purpose(models.TextChoices):
        HOME = "home", _("Home")
        WORK = "work", _("Work")
        MOBILE = "mobile", _("Mobile")
        MAILING = "mailing", _("Mailing")
        REGISTERED = "registered", _("Registered office")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.HOME)
    value = models.CharField(_("value"), max_length=254, blank=True, default="")
    line1 = models.CharField(_("address line 1"), max_length=200, blank=True, default="")
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True, default="")
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    region = models.CharField(_("region / state"), max_length=100, blank=True, default="")
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True, default="")
    country = models.CharField(_("country"), max_length=2, blank=True, default="")
    is_primary = models.BooleanField(_("primary"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"])]
        constraints = [
            unique_source("contact_unique_source"),
        ]


class IdentityDocument(SourcedModel):
    """An identification document of a party; the number is stored only encrypted, with a blind
    index for exact look-up (CIP, 31 CFR 1020.220)."""

    class Type(models.TextChoices):
        PASSPORT = "passport", _("Passport")
        DRIVERS_LICENSE = "drivers_license", _("Driver's license")
        NATIONAL_ID = "national_id", _("National identity card")
        ALIEN_ID = "alien_id", _("Alien identification card")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="identity_documents")
    type = models.CharField(_("type"), max_length=24, choices=Type.choices)
    number_encrypted = models.BinaryField(_("number (encrypted)"))
    number_index = models.CharField(_("number blind index"), max_length=64, db_index=True)
    issuing_country = models.CharField(_("issuing country"), max_length=2)
    issuing_region = models.CharField(_("issuing region / state"), max_length=100, blank=True, default="")
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        constraints = [
            unique_source("identity_document_unique_source"),
        ]


class PartyShare(BaseModel):
    """A party shared into another user's view (e.g. a relationship manager covering a colleague's
    book), optionally until a date."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shared_parties")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["party", "user"], name="party_share_unique")]
