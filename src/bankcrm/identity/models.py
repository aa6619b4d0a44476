"""Users (staff and customers, one custom model from migration 0001) and API tokens."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.authz.permissions import Perm, Role, permissions_for
from bankcrm.core import clock


class User(AbstractUser):
    """A person who signs in: bank staff or a customer of the online channel (DESIGN decision 1)."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        CUSTOMER = "customer", _("Customer")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STAFF)
    roles = models.JSONField(_("roles"), default=list, blank=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True, default="")
    branch = models.ForeignKey(
        "holdings.Branch", null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )

    def permissions(self) -> frozenset[Perm]:
        """The union of this user's roles' permissions (administrators: all)."""
        if self.is_superuser:
            return frozenset(Perm)
        return permissions_for(tuple(self.roles))

    def has_perm_code(self, perm: Perm) -> bool:
        return self.is_active and perm in self.permissions()

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        for code in self.roles:
            Role(code)


class ApiToken(models.Model):
    """A bearer token: the secret is shown once and stored as a SHA-256 digest with a short
    lookup prefix (DESIGN decision 2). ``scopes`` are permission names (``parties:read``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True, default="")
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(_("SHA-256 digest"), max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.user.username})"

    def is_usable(self) -> bool:
        """True when not revoked and not expired at :func:`clock.now`."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > clock.now()


class CustomerLink(models.Model):
    """Links a customer's portal login to a party it may act for, after identity verification."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="customer_links")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="portal_links")
    verified_at = models.DateTimeField(_("verified at"), default=clock.now)
    method = models.CharField(_("verification method"), max_length=64, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "party"], name="customer_link_unique")]

    def __str__(self) -> str:
        return f"{self.user.username} -> {self.party_id}"
