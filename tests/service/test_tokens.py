"""API tokens: shown once, stored hashed, scoped, expiring, revocable (DESIGN decision 2)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from bankcrm.audit.models import AuditEvent
from bankcrm.core import clock
from bankcrm.core.errors import NotFound, ValidationFailed
from bankcrm.identity import services as identity
from bankcrm.identity.models import ApiToken

pytestmark = pytest.mark.django_db


def test_secret_is_stored_only_as_sha256(agent_user) -> None:  # type: ignore[no-untyped-def]
    issued = identity.create_token(actor=None, user=agent_user)
    row = ApiToken.objects.get(pk=issued.token.pk)
    assert row.digest == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in str(list(ApiToken.objects.values()))
    assert AuditEvent.objects.filter(action="identity.token.create", subject_id=row.prefix).exists()


def test_many_tokens_all_authenticate(agent_user) -> None:  # type: ignore[no-untyped-def]
    # Regression: secrets whose random part contains "_" were refused.
    for _ in range(40):
        issued = identity.create_token(actor=None, user=agent_user)
        assert identity.authenticate_token(issued.secret) is not None


def test_default_scopes_are_the_users_permissions(agent_user) -> None:  # type: ignore[no-untyped-def]
    issued = identity.create_token(actor=None, user=agent_user)
    assert set(issued.token.scopes) == {p.value for p in agent_user.permissions()}
    assert "aml:read" not in issued.token.scopes


def test_scope_beyond_the_users_permissions_is_refused(agent_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as info:
        identity.create_token(actor=None, user=agent_user, scopes=["aml:read"])
    assert info.value.problems[0].field == "scopes"
    assert ApiToken.objects.count() == 0


def test_unknown_scope_name_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="unknown permission"):
        identity.parse_scopes("parties:read,parties:fly")
    assert identity.parse_scopes(" parties:read , accounts:read ") == ["parties:read", "accounts:read"]


def test_expired_token_is_refused(agent_user) -> None:  # type: ignore[no-untyped-def]
    issued = identity.create_token(actor=None, user=agent_user, expires_days=1)
    later = clock.now() + dt.timedelta(days=1, seconds=1)
    with clock.frozen(later):
        assert identity.authenticate_token(issued.secret) is None
    assert identity.authenticate_token(issued.secret) is not None


def test_revoke_is_idempotent_and_unknown_prefix_is_not_found(agent_user) -> None:  # type: ignore[no-untyped-def]
    issued = identity.create_token(actor=None, user=agent_user)
    first = identity.revoke_token(actor=None, prefix=issued.token.prefix).revoked_at
    second = identity.revoke_token(actor=None, prefix=issued.token.prefix).revoked_at
    assert first == second
    assert AuditEvent.objects.filter(action="identity.token.revoke").count() == 1
    with pytest.raises(NotFound):
        identity.revoke_token(actor=None, prefix="nope")


def test_inactive_user_token_is_refused(agent_user) -> None:  # type: ignore[no-untyped-def]
    issued = identity.create_token(actor=None, user=agent_user)
    agent_user.is_active = False
    agent_user.save()
    assert identity.authenticate_token(issued.secret) is None
