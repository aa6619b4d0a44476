"""Staff console shell. The customer search and 360 pages come with the main-job work."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bankcrm.core import clock
from bankcrm.datasets import selectors as datasets


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Landing page: what the bank's database holds, as of the clock's date."""
    berka = datasets.berka_counts()
    synthetic = datasets.synthetic_counts()
    counts = [
        (_("Parties (Berka clients)"), berka["parties"]),
        (_("Households"), berka["households"]),
        (_("Accounts"), berka["accounts"]),
        (_("Loans"), berka["loans"]),
        (_("Cards"), berka["cards"]),
        (_("Standing orders"), berka["standing_orders"]),
        (_("Transactions"), berka["transactions"]),
        (_("Synthetic US parties"), synthetic["us_parties"]),
        (_("Synthetic replica transactions"), synthetic["replica_transactions"]),
    ]
    return render(request, "console/home.html", {"counts": counts, "as_of": clock.today()})
