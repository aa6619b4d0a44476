"""The one permission vocabulary and the roles that bundle it (DESIGN convention 4).

Endpoints and services declare the :class:`Perm` they need; a user's permissions are the union of
their roles' permissions. Record- and field-level scoping builds on this in :mod:`bankcrm.authz.scoping`.
"""

from __future__ import annotations

from enum import StrEnum


class Perm(StrEnum):
    """``area:action`` permission names."""

    PARTIES_READ = "parties:read"
    PARTIES_WRITE = "parties:write"
    ACCOUNTS_READ = "accounts:read"
    ACCOUNTS_WRITE = "accounts:write"
    INTERACTIONS_READ = "interactions:read"
    INTERACTIONS_WRITE = "interactions:write"
    CASES_READ = "cases:read"
    CASES_WRITE = "cases:write"
    CASES_MANAGE = "cases:manage"
    CASES_APPROVE = "cases:approve"
    SCREENING_CHECK = "screening:check"
    LISTS_MANAGE = "lists:manage"
    AML_READ = "aml:read"
    AML_MANAGE = "aml:manage"
    ACCOUNT_NUMBER_READ = "accounts:full_number"
    TAX_ID_READ = "parties:tax_id"
    DATE_OF_BIRTH_READ = "parties:date_of_birth"
    ID_DOCUMENT_READ = "parties:id_document"
    PII_REVEAL = "pii:reveal"
    AUDIT_READ = "audit:read"
    PRIVACY_READ = "privacy:read"
    PRIVACY_MANAGE = "privacy:manage"
    PRIVACY_REQUEST = "privacy:request"
    IMPORTS_RUN = "imports:run"
    USERS_MANAGE = "users:manage"
    TOKENS_MANAGE = "tokens:manage"


class Role(StrEnum):
    """Staff and customer roles."""

    BRANCH_AGENT = "branch_agent"
    CALL_CENTRE_AGENT = "call_centre_agent"
    RELATIONSHIP_MANAGER = "relationship_manager"
    COMPLAINTS_OFFICER = "complaints_officer"
    BSA_AML_OFFICER = "bsa_aml_officer"
    PRIVACY_OFFICER = "privacy_officer"
    MARKETING_ANALYST = "marketing_analyst"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"
    CUSTOMER = "customer"


_SERVICE = {
    Perm.PARTIES_READ,
    Perm.ACCOUNTS_READ,
    Perm.INTERACTIONS_READ,
    Perm.INTERACTIONS_WRITE,
    Perm.CASES_READ,
    # Whoever serves the customer takes their opt-outs and correction requests (TCPA: a
    # do-not-call request made to any representative counts).
    Perm.PRIVACY_REQUEST,
    # Front-line staff take complaints and requests on every channel (intake, notes, attachments).
    Perm.CASES_WRITE,
    # Anyone who opens accounts or serves customers may check a name against the lists.
    Perm.SCREENING_CHECK,
}

#: Full account numbers, tax ids, ID document numbers and dates of birth are masked for roles
#: without these (a date of birth shows its year only).
_IDENTIFIERS = {Perm.ACCOUNT_NUMBER_READ, Perm.TAX_ID_READ, Perm.ID_DOCUMENT_READ, Perm.DATE_OF_BIRTH_READ}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    # Branch staff verify identity documents (number and date of birth) and quote full account
    # numbers at the counter.
    Role.BRANCH_AGENT: frozenset(
        _SERVICE | {Perm.PARTIES_WRITE, Perm.ACCOUNT_NUMBER_READ, Perm.ID_DOCUMENT_READ, Perm.DATE_OF_BIRTH_READ}
    ),
    Role.CALL_CENTRE_AGENT: frozenset(_SERVICE),
    # A relationship manager knows the customers in the book (and only those: BOOK_ROLES).
    Role.RELATIONSHIP_MANAGER: frozenset(
        _SERVICE | {Perm.PARTIES_WRITE, Perm.ACCOUNTS_WRITE, Perm.ACCOUNT_NUMBER_READ, Perm.DATE_OF_BIRTH_READ}
    ),
    # Complaints officers work the queues and act as checkers for each other's relief closures
    # (never their own: the approval primitive refuses a maker approving their own request).
    Role.COMPLAINTS_OFFICER: frozenset(_SERVICE | {Perm.CASES_MANAGE, Perm.CASES_APPROVE}),
    # Investigators see identifiers masked and reveal one at a time, with a stated reason and a
    # fresh re-authentication (step-up), each reveal audited.
    Role.BSA_AML_OFFICER: frozenset(
        _SERVICE
        | {Perm.AML_READ, Perm.AML_MANAGE, Perm.PII_REVEAL, Perm.CASES_MANAGE, Perm.CASES_APPROVE, Perm.LISTS_MANAGE}
    ),
    # Privacy officers run the incident register, decide correction requests and place holds.
    Role.PRIVACY_OFFICER: frozenset(
        _SERVICE | {Perm.PII_REVEAL, Perm.AUDIT_READ, Perm.PRIVACY_READ, Perm.PRIVACY_MANAGE}
    ),
    Role.MARKETING_ANALYST: frozenset({Perm.PARTIES_READ, Perm.ACCOUNTS_READ}),
    # Read-only, everything, including the audit log and AML-confidential records.
    Role.AUDITOR: frozenset(p for p in Perm if p.endswith(":read") or p in _IDENTIFIERS),
    Role.ADMINISTRATOR: frozenset(Perm),
    # A customer sees their own parties and accounts in full (scoping limits them to their own),
    # but not their tax id or date of birth: with the account number and postal code those are
    # what portal enrolment checks, so a hijacked session must not hand them over.
    # Customers file complaints and follow them in the portal (their own only).
    Role.CUSTOMER: frozenset(
        {
            Perm.PARTIES_READ,
            Perm.ACCOUNTS_READ,
            Perm.INTERACTIONS_READ,
            Perm.ACCOUNT_NUMBER_READ,
            Perm.CASES_READ,
            Perm.CASES_WRITE,
        }
    ),
}

#: Roles whose reads are limited to their own book of customers (plus what is shared with them).
BOOK_ROLES = frozenset({Role.RELATIONSHIP_MANAGER})


def permissions_for(roles: list[str] | tuple[str, ...]) -> frozenset[Perm]:
    """Union of the permissions of ``roles`` (role codes; unknown codes raise ``ValueError``)."""
    result: set[Perm] = set()
    for code in roles:
        result |= ROLE_PERMISSIONS[Role(code)]
    return frozenset(result)
