"""Customer response letters, rendered from templates in the customer's language and sent through
the contact rules (:func:`bankcrm.interactions.services.send_message`), kept on the case as a
text attachment."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from bankcrm.audit import services as audit
from bankcrm.cases.models import Case
from bankcrm.core import clock
from bankcrm.core.money import from_minor
from bankcrm.identity.models import User
from bankcrm.interactions.services import ContactRefused, send_message
from bankcrm.parties.models import ContactPoint

LANGUAGES = {"en", "es", "zh-hans"}


def render_response_letter(case: Case) -> str:
    """The response letter of ``case`` as plain text, in the party's preferred language
    (English, Spanish or Simplified Chinese; English otherwise)."""
    party = case.party
    preference = getattr(party, "contact_preference", None) if party is not None else None
    language = (preference.language if preference is not None else "en").lower().replace("_", "-")
    if language == "zh":
        language = "zh-hans"
    relief = ""
    if case.relief_minor:
        relief = f"{from_minor(case.relief_minor, case.relief_currency):,.2f} {case.relief_currency}"
    context = {
        "case": case,
        "party_name": party.legal_name if party is not None else "",
        "received": case.received_at.astimezone(clock.bank_zone()).date().isoformat(),
        "response": case.company_response,
        "relief": relief,
        "summary": case.resolution_summary,
    }
    with translation.override(language if language in LANGUAGES else "en"):
        return render_to_string("cases/letters/response.txt", context).strip() + "\n"


def send_response_letter(*, actor: User | None, case: Case) -> None:
    """Render the letter, attach it to the case and send it: by e-mail when the party has an
    e-mail address, else by post. Historical imports (no actor) send nothing. A refusal by the
    contact rules is recorded on the case (the letter stays attached for a manual send)."""
    if actor is None or case.party is None:
        return
    from bankcrm.cases.services import add_attachment

    text = render_response_letter(case)
    add_attachment(actor=None, case=case, filename=f"{case.reference}-response-letter.txt", content=text.encode())
    has_email = case.party.contact_points.filter(kind=ContactPoint.Kind.EMAIL).exists()
    try:
        send_message(
            actor=actor,
            party=case.party,
            purpose="service",
            channel="email" if has_email else "post",
            summary=f"{case.reference}: response letter ({case.company_response})",
        )
    except ContactRefused as refused:
        audit.record(
            actor=actor,
            action="case.letter.not_sent",
            subject_type="case",
            subject_id=str(case.pk),
            payload={"reasons": list(refused.reasons)},
        )
