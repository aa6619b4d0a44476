"""allauth adapters: staff accounts are created by administrators, never by public sign-up."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class ClosedSignupAdapter(DefaultAccountAdapter):
    """Refuses self sign-up; portal enrolment has its own verified flow."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
