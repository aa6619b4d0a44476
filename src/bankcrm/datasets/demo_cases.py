"""A handful of *current* complaints for the demo (flagged synthetic), so the queues show live
clocks: the CFPB sample's complaints are history (2012-2023) while the demo clock stands at
1998-12-31. Each uses a real CFPB narrative (named in its external record) and goes through the
normal intake: model classification, signals, legal clocks, routing. Idempotent (source ``demo``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings

from bankcrm.cases import services
from bankcrm.cases.engine.cfpb_data import find_data_file, iter_complaints
from bankcrm.cases.models import Case
from bankcrm.core import clock
from bankcrm.parties.models import Party

#: (days before the clock's date, channel, CFPB product class to borrow a narrative from)
PLAN: tuple[tuple[int, str, str], ...] = (
    (1, "phone", "checking_savings"),
    (4, "web", "credit_card"),
    (9, "cfpb_portal", "mortgage"),
    (13, "cfpb_portal", "credit_reporting"),
    (14, "email", "checking_savings"),
    (20, "branch", "debt_collection"),
    (40, "mail", "consumer_loan"),
    (70, "cfpb_portal", "credit_card"),
)


def open_demo_complaints() -> int:
    """Open the demo's current complaints that are not there yet; returns how many were opened."""
    if Case.objects.filter(source_system="demo").exists():
        return 0
    parties = list(Party.objects.filter(source_system="berka").order_by("source_id")[:40])
    if not parties:
        return 0
    sample = find_data_file(Path(settings.DATA_DIR) / "cfpb-complaints", "complaints_sample.csv.gz")
    wanted = {product for _, _, product in PLAN}
    narratives: dict[str, list[tuple[str, str]]] = {p: [] for p in wanted}
    for c in iter_complaints(sample):
        if c.narrative and 300 < len(c.narrative) < 2500 and str(c.product_class) in narratives:
            narratives[str(c.product_class)].append((c.complaint_id, c.narrative))
    today = clock.today()
    opened = 0
    for i, (days_ago, channel, product) in enumerate(PLAN):
        pool = narratives.get(product) or []
        if not pool:
            continue
        complaint_id, narrative = pool[i % len(pool)]
        received = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(10, 30), tzinfo=clock.bank_zone())
        services.open_case(
            actor=None,
            kind="complaint",
            party=parties[(i * 5) % len(parties)],
            channel=channel,
            narrative=narrative,
            received_at=received,
            source_system="demo",
            source_id=f"current-{i + 1}",
            is_synthetic=True,
            external={"narrative_from": f"CFPB complaint {complaint_id}"},
        )
        opened += 1
    return opened
