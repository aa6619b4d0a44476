"""Staff console shell. The customer search and 360 pages come with the main-job work."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bankcrm.core import clock
from bankcrm.datasets import selectors as datasets


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Landing page: what the bank's database holds, as of the clock's date."""
    return render(request, "console/home.html", {"counts": datasets.holdings_summary(), "as_of": clock.today()})
