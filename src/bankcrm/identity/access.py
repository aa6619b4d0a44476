"""View decorators by kind of user: the staff console is for staff, the portal for customers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from bankcrm.identity.models import User

View = Callable[..., HttpResponseBase]


def kind_required(kind: str) -> Callable[[View], View]:
    """Anonymous users go to sign-in; signed-in users of another kind get 403."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if getattr(request.user, "kind", None) != kind:
                raise PermissionDenied(f"{kind} users only")
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


#: The staff console; customers have the portal.
staff_only = kind_required(User.Kind.STAFF)
#: The customer portal; staff have the console.
customer_only = kind_required(User.Kind.CUSTOMER)
