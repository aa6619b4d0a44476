"""A small, clearly flagged set of synthetic cash activity so the CTR and structuring scenarios
can be seen working (issue 8): Berka's largest cash operation is about 76,500 CZK (about
$2,400), so no real Berka activity reaches the $10,000 CTR threshold.

All rows are ``is_synthetic`` with source ``synthetic-aml``, dated in December 1998 (the demo's
clock stands at 1998-12-31), on synthetic US parties' USD accounts:

- **CTR**: party US-1 deposits $6,000.00 cash on Saturday 5 December (it counts on Monday 7
  December, the next business day) and $4,500.00 on Monday 7 December at a second branch, and
  withdraws $3,000.00 the same Monday (cash out is not netted against cash in): $10,500.00 in.
- **Structuring**: party US-2 deposits $9,500.00, $9,800.00 and $9,400.00 cash on three
  consecutive business days, each just under the threshold.
- **Near miss**: party US-3 deposits $6,000.00 and $4,000.00 cash on 21 December: exactly
  $10,000.00, which does not trigger a CTR (the rule is *more than* $10,000).

Two flagged synthetic customers resemble a real SDN entry (see :data:`WATCHLIST_LOOKALIKES`) so the
screening review queue has something to decide.

Idempotent by source id.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from bankcrm.audit import services as audit
from bankcrm.holdings.models import Account, AccountRole, Branch, Product, Transaction
from bankcrm.holdings.numbers import make_account_number
from bankcrm.parties.models import Party

SOURCE = "synthetic-aml"
SECOND_BRANCH = 901
#: (party source id, account slot, date, direction, USD cents, label)
PLAN: tuple[tuple[str, int, dt.date, str, int, str], ...] = (
    ("person:1", 0, dt.date(1998, 12, 5), "credit", 600_000, "ctr-saturday"),
    ("person:1", 1, dt.date(1998, 12, 7), "credit", 450_000, "ctr-monday-second-branch"),
    ("person:1", 0, dt.date(1998, 12, 7), "debit", 300_000, "ctr-cash-out"),
    ("person:2", 0, dt.date(1998, 12, 14), "credit", 950_000, "structuring-1"),
    ("person:2", 0, dt.date(1998, 12, 15), "credit", 980_000, "structuring-2"),
    ("person:2", 0, dt.date(1998, 12, 16), "credit", 940_000, "structuring-3"),
    ("person:3", 0, dt.date(1998, 12, 21), "credit", 600_000, "near-miss-1"),
    ("person:3", 0, dt.date(1998, 12, 21), "credit", 400_000, "near-miss-2"),
)


def _second_account(party: Party, first: Account) -> Account:
    branch, _ = Branch.objects.get_or_create(
        code="US901",
        defaults={
            "name": "Newark (synthetic)",
            "region": "NJ",
            "country": "US",
            "is_synthetic": True,
            "source_system": SOURCE,
            "source_id": "branch:901",
        },
    )
    account, created = Account.objects.get_or_create(
        source_system=SOURCE,
        source_id=f"{party.source_id}:savings",
        defaults={
            "number": make_account_number(SECOND_BRANCH, 91_000_000 + int(party.source_id.rsplit(":", 1)[-1])),
            "product": Product.objects.get(pk=first.product_id),
            "branch": branch,
            "currency": "USD",
            "opened_on": dt.date(1998, 6, 1),
            "is_synthetic": True,
        },
    )
    if created:
        AccountRole.objects.create(
            account=account,
            party=party,
            role=AccountRole.Role.OWNER,
            effective_from=account.opened_on,
            is_synthetic=True,
            source_system=SOURCE,
            source_id=f"{party.source_id}:savings:owner",
        )
    return account


@transaction.atomic
def load_demo_cash_activity() -> int:
    """Create the planned synthetic cash transactions not yet present; returns how many."""
    if Transaction.objects.filter(source_system=SOURCE).exists():
        return 0
    created = []
    for source_id, slot, day, direction, cents, label in PLAN:
        party = Party.objects.filter(source_system="synthetic-us", source_id=source_id).first()
        if party is None:
            continue
        first = Account.objects.filter(roles__party=party, currency="USD").order_by("opened_on").first()
        if first is None:
            continue
        account = first if slot == 0 else _second_account(party, first)
        created.append(
            Transaction(
                account=account,
                booking_date=day,
                direction=direction,
                amount_minor=cents,
                currency="USD",
                type="cash",
                operation="cash deposit" if direction == "credit" else "cash withdrawal",
                is_cash=True,
                channel="branch",
                is_synthetic=True,
                source_system=SOURCE,
                source_id=f"{source_id}:{label}",
            )
        )
    Transaction.objects.bulk_create(created)
    audit.record(
        actor=None,
        action="datasets.load.batch",
        subject_type="transactions",
        payload={"rows": len(created), "source": SOURCE, "synthetic": True},
    )
    return len(created)


#: Synthetic customers that resemble a real SDN entry (entry 7692, "HASANI, Zhavit", DOB 05 May
#: 1957, program BALKANS), so the demo's screening review queue has work: one with the same date
#: of birth (a likely true match) and one with another (a likely false positive).
WATCHLIST_LOOKALIKES: tuple[tuple[str, str, str, dt.date, str], ...] = (
    ("screening:1", "Zhavit", "Hasani", dt.date(1957, 5, 5), "MK"),
    ("screening:2", "Javit", "Hasani", dt.date(1984, 2, 2), "US"),
)


@transaction.atomic
def load_demo_watchlist_lookalikes() -> int:
    """Create the flagged synthetic look-alike customers not yet present; returns how many."""
    from bankcrm.parties.birth import encrypt_date_of_birth
    from bankcrm.parties.text import fold

    branch = Branch.objects.filter(code="US900").first()
    created = 0
    for source_id, given, family, born, nationality in WATCHLIST_LOOKALIKES:
        if Party.objects.filter(source_system=SOURCE, source_id=source_id).exists():
            continue
        name = f"{given} {family}"
        Party.objects.create(
            kind=Party.Kind.PERSON,
            legal_name=name,
            given_name=given,
            family_name=family,
            search_name=fold(name),
            date_of_birth_encrypted=encrypt_date_of_birth(born),
            nationality=nationality,
            residence_country="US",
            branch=branch,
            synthetic_identity=True,
            is_synthetic=True,
            source_system=SOURCE,
            source_id=source_id,
        )
        created += 1
    if created:
        audit.record(
            actor=None,
            action="datasets.load.batch",
            subject_type="parties",
            payload={"rows": created, "source": SOURCE, "synthetic": True},
        )
    return created
