"""Branches, the product catalog, accounts and their roles, transactions, loans, cards and
standing orders (DESIGN data model; decision 10). Money is integer minor units + currency."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import BaseModel, MoneyField, SourcedModel, unique_source


class Branch(SourcedModel):
    """A branch of the bank. Berka: one per district, with the district's statistics in
    ``attributes`` (``None`` where the source has ``?``)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=100, blank=True, default="")
    country = models.CharField(_("country"), max_length=2, default="US")
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    class Meta:
        verbose_name_plural = "branches"
        constraints = [unique_source("branch_unique_source")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Product(BaseModel):
    """A product of the catalog with its rate, fee schedule and versioned disclosures."""

    class Type(models.TextChoices):
        CHECKING = "checking", _("Checking account")
        SAVINGS = "savings", _("Savings account")
        LOAN = "loan", _("Loan")
        CREDIT_CARD = "credit_card", _("Credit card")
        DEBIT_CARD = "debit_card", _("Debit card")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    currency = models.CharField(_("currency"), max_length=3)
    rate_bp = models.IntegerField(_("rate (basis points, APY or APR)"), null=True, blank=True)
    fee_schedule = models.JSONField(_("fee schedule"), default=dict, blank=True)
    disclosures = models.JSONField(_("disclosures"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    def __str__(self) -> str:
        return self.name


class Account(SourcedModel):
    """A deposit account. ``number`` is synthetic for Berka (see docs/data-model.md for the
    format). ``balance_minor`` is the last known ledger balance, valid as of ``balance_as_of``
    (``None`` when unknown: the public Berka transactions stop at 1994-03-31)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DORMANT = "dormant", _("Dormant")
        CLOSED = "closed", _("Closed")

    class StatementFrequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        WEEKLY = "weekly", _("Weekly")
        PER_TRANSACTION = "per_transaction", _("After each transaction")

    number = models.CharField(_("account number"), max_length=34, unique=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="accounts")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="accounts")
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    statement_frequency = models.CharField(
        _("statement frequency"), max_length=16, choices=StatementFrequency.choices, blank=True, default=""
    )
    balance_minor = MoneyField(_("balance (minor units)"), null=True, blank=True)
    balance_as_of = models.DateField(_("balance as of"), null=True, blank=True)

    class Meta:
        constraints = [unique_source("account_unique_source")]

    def __str__(self) -> str:
        return self.number


class AccountRole(SourcedModel):
    """A party's role on an account (Berka dispositions: OWNER -> owner, DISPONENT -> authorized user)."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        JOINT_OWNER = "joint_owner", _("Joint owner")
        AUTHORIZED_USER = "authorized_user", _("Authorized user")
        SIGNER = "signer", _("Signer")
        BENEFICIARY = "beneficiary", _("Beneficiary")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="roles")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="account_roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    class Meta:
        constraints = [
            unique_source("account_role_unique_source"),
            models.UniqueConstraint(fields=["account", "party", "role"], name="account_role_unique"),
        ]


class Transaction(models.Model):
    """One booked movement on an account: an immutable ledger row.

    ``amount_minor`` is always positive; ``direction`` says credit or debit. ``balance_after_minor``
    is the balance after booking when the source has it. Cash operations carry ``is_cash`` (CTR
    aggregation). A big-integer key (not UUID) keeps million-row bulk loads fast: see
    docs/decisions/0001-transaction-keys.md.
    """

    class Direction(models.TextChoices):
        CREDIT = "credit", _("Credit")
        DEBIT = "debit", _("Debit")

    class Channel(models.TextChoices):
        BRANCH = "branch", _("Branch")
        ATM = "atm", _("ATM / card")
        TRANSFER = "transfer", _("Transfer")
        INTERNAL = "internal", _("Internal posting")
        ONLINE = "online", _("Online")

    id = models.BigAutoField(primary_key=True)
    # No separate FK index: txn_account_date (account, booking_date) serves account look-ups.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transactions", db_index=False)
    booking_date = models.DateField(_("booking date"))
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices)
    amount_minor = MoneyField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    balance_after_minor = MoneyField(_("balance after (minor units)"), null=True, blank=True)
    type = models.CharField(_("source type"), max_length=16, blank=True, default="")
    operation = models.CharField(_("operation"), max_length=24, blank=True, default="")
    purpose = models.CharField(_("purpose (k_symbol)"), max_length=24, blank=True, default="")
    is_cash = models.BooleanField(_("cash"), default=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True, default="")
    counterparty_bank = models.CharField(_("counterparty bank"), max_length=16, blank=True, default="")
    counterparty_account = models.CharField(_("counterparty account"), max_length=34, blank=True, default="")
    country = models.CharField(_("country"), max_length=2, blank=True, default="")
    source_system = models.CharField(_("source system"), max_length=32, blank=True, default="")
    source_id = models.CharField(_("source id"), max_length=64, blank=True, default="")
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    load_batch = models.CharField(_("load batch"), max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            unique_source("transaction_unique_source"),
            models.CheckConstraint(condition=models.Q(amount_minor__gte=0), name="transaction_amount_positive"),
        ]
        indexes = [models.Index(fields=["account", "booking_date"], name="txn_account_date")]

    def __str__(self) -> str:
        return f"{self.booking_date} {self.direction} {self.amount_minor} {self.currency}"


class Loan(SourcedModel):
    """A loan on an account. Berka status: A finished OK, B finished unpaid, C running OK,
    D running in debt."""

    class Status(models.TextChoices):
        FINISHED_OK = "A", _("Contract finished, no problems")
        FINISHED_UNPAID = "B", _("Contract finished, loan not paid")
        RUNNING_OK = "C", _("Running contract, OK so far")
        RUNNING_IN_DEBT = "D", _("Running contract, client in debt")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="loans")
    granted_on = models.DateField(_("granted on"))
    amount_minor = MoneyField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    duration_months = models.PositiveIntegerField(_("duration (months)"))
    payment_minor = MoneyField(_("monthly payment (minor units)"))
    status = models.CharField(_("status"), max_length=1, choices=Status.choices)

    class Meta:
        constraints = [unique_source("loan_unique_source")]


class Card(SourcedModel):
    """A payment card issued to a party on an account."""

    class Type(models.TextChoices):
        JUNIOR = "junior", _("Junior")
        CLASSIC = "classic", _("Classic")
        GOLD = "gold", _("Gold")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="cards")
    holder = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="cards")
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        constraints = [unique_source("card_unique_source")]


class StandingOrder(SourcedModel):
    """A permanent payment order from an account to a counterparty."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="standing_orders")
    counterparty_bank = models.CharField(_("counterparty bank"), max_length=16)
    counterparty_account = models.CharField(_("counterparty account"), max_length=34)
    amount_minor = MoneyField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    purpose = models.CharField(_("purpose (k_symbol)"), max_length=24, blank=True, default="")

    class Meta:
        constraints = [unique_source("standing_order_unique_source")]
