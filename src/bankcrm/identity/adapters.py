"""allauth adapters: staff accounts are created by administrators, never by public sign-up."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class ClosedSignupAdapter(DefaultAccountAdapter):
    """Refuses self sign-up (portal enrolment has its own verified flow) and sends customers to
    the portal after sign-in, staff to the console."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if getattr(request.user, "kind", None) == "customer":
            return "/portal/"
        return super().get_login_redirect_url(request)
