"""The onboarding form of the console and the portal: field specifications for the templates and
the parsing of a posted form into the application shape the engine validates.

Form field names are the engine's dotted paths (``person.address.postal_code``,
``beneficial_owners[1].tax_id``), so every field-level problem lands next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bankcrm.kyc.engine import validation

MAX_OWNERS = 4
_TOKEN = re.compile(r"^(?P<key>[a-z_][a-z0-9_]*)(?:\[(?P<index>\d)\])?$")
_CHECKBOXES = {"cip_notice_acknowledged", "certification.certified", "submit"}
_LISTS = {"cdd.products"}


@dataclass(frozen=True)
class Field:
    """One form control: ``name`` is the engine path; ``choices`` are ``(value, label)`` pairs."""

    name: str
    label: str | Promise
    value: Any
    error: str
    kind: str = "text"
    choices: tuple[tuple[str, str | Promise], ...] = ()
    required: bool = False
    autocomplete: str = ""

    @property
    def id(self) -> str:
        """An HTML id derived from the name."""
        return "f-" + re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def _set(target: dict[str, Any], tokens: list[str], value: Any) -> None:
    node: Any = target
    for i, token in enumerate(tokens):
        match = _TOKEN.match(token)
        if match is None:
            return
        key, index = match["key"], match["index"]
        last = i == len(tokens) - 1
        if index is None:
            if last:
                node[key] = value
            else:
                node = node.setdefault(key, {})
                if not isinstance(node, dict):
                    return
        else:
            items = node.setdefault(key, [])
            if not isinstance(items, list):
                return
            while len(items) <= int(index):
                items.append({})
            if last:
                return
            node = items[int(index)]


def _prune(value: Any) -> Any:
    """Drop blank strings, empty objects and blank list entries (unused owner slots)."""
    if isinstance(value, dict):
        kept = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ("", {}, None, [])}
    if isinstance(value, list):
        return [v for v in (_prune(v) for v in value) if v not in ("", {}, None, [])]
    return value


def application_from_post(post: QueryDict, *, kind: str, channel: str | None = None) -> dict[str, Any]:
    """The application posted by the onboarding form, in the engine's shape. Blank fields are
    left out (the engine then reports the required ones); checkboxes become booleans; a control
    person chosen among the owners keeps only ``owner`` and ``title``."""
    raw: dict[str, Any] = {}
    for name in post:
        if name in ("csrfmiddlewaretoken", "kind") or name in _CHECKBOXES:
            continue
        if name in _LISTS:
            value: Any = [v for v in post.getlist(name) if v]
        else:
            value = post.get(name, "").strip()
        _set(raw, name.split("."), value)
    data = _prune(raw)
    data["kind"] = kind
    if channel is not None:
        data["channel"] = channel
    data["cip_notice_acknowledged"] = post.get("cip_notice_acknowledged") in ("on", "true", "1")
    if kind == "organization":
        cert = data.setdefault("certification", {})
        cert["certified"] = post.get("certification.certified") in ("on", "true", "1")
        control = data.get("control_person")
        if isinstance(control, dict) and str(control.get("owner", "")).isdigit():
            data["control_person"] = {"owner": int(control["owner"]), "title": control.get("title", "")}
        elif isinstance(control, dict):
            control.pop("owner", None)
    else:
        for key in ("organization", "beneficial_owners", "control_person", "certification"):
            data.pop(key, None)
    return data


def _choices(values: tuple[str, ...], *, blank: bool = True) -> tuple[tuple[str, str | Promise], ...]:
    pairs = tuple((v, v.replace("_", " ")) for v in values)
    return (("", "—"), *pairs) if blank else pairs


def _f(post: Mapping[str, Any], errors: Mapping[str, str], name: str, label: str | Promise, **kw: Any) -> Field:
    if kw.get("kind") == "multi":
        value: Any = post.getlist(name) if isinstance(post, QueryDict) else post.get(name, [])
    else:
        value = post.get(name, "")
    return Field(name=name, label=label, value=value, error=errors.get(name, ""), **kw)


def person_fields(
    prefix: str, post: Mapping[str, Any], errors: Mapping[str, str], *, owner: bool = False, control: bool = False
) -> list[Field]:
    """The controls of one individual (applicant, owner or control person) under ``prefix``."""

    def f(name: str, label: str | Promise, **kw: Any) -> Field:
        return _f(post, errors, f"{prefix}.{name}", label, **kw)

    fields = []
    if control:
        fields += [
            f(
                "owner",
                _("Is one of the owners above"),
                kind="select",
                choices=(("", "—"), *((str(i), _("Owner %(n)s") % {"n": i + 1}) for i in range(MAX_OWNERS))),
            ),
            f("title", _("Title (CEO, CFO, managing member, ...)"), required=True),
        ]
    fields += [
        f("given_name", _("Given name"), required=not owner, autocomplete="given-name"),
        f("middle_name", _("Middle name"), autocomplete="additional-name"),
        f("family_name", _("Family name"), required=not owner, autocomplete="family-name"),
        f("date_of_birth", _("Date of birth"), kind="date", required=not owner, autocomplete="bday"),
        f("nationality", _("Nationality (country code, e.g. US)"), required=not owner),
        f("residence_country", _("Country of residence")),
        f("tax_id_type", _("Tax id type"), kind="select", choices=_choices(validation.PERSON_TAX_ID_TYPES)),
        f("tax_id", _("SSN or ITIN")),
        f("id_document.type", _("Identity document"), kind="select", choices=_choices(validation.ID_DOCUMENT_TYPES)),
        f("id_document.number", _("Document number")),
        f("id_document.issuing_country", _("Issuing country")),
        f("id_document.issuing_region", _("Issuing state")),
        f("id_document.expires_on", _("Expires on"), kind="date"),
        f("address.line1", _("Street address"), required=not owner, autocomplete="address-line1"),
        f("address.line2", _("Address line 2"), autocomplete="address-line2"),
        f("address.city", _("City"), required=not owner, autocomplete="address-level2"),
        f("address.region", _("State / region"), autocomplete="address-level1"),
        f("address.postal_code", _("ZIP / postal code"), autocomplete="postal-code"),
        f("address.country", _("Country"), required=not owner, autocomplete="country"),
        f("phone", _("Phone"), kind="tel", autocomplete="tel"),
        f("email", _("E-mail"), kind="email", autocomplete="email"),
    ]
    if owner:
        fields.insert(0, f("ownership_percent", _("Ownership (%)"), kind="number"))
    return fields


def organization_fields(post: Mapping[str, Any], errors: Mapping[str, str]) -> list[Field]:
    """The controls of a legal-entity customer."""

    def f(name: str, label: str | Promise, **kw: Any) -> Field:
        return _f(post, errors, f"organization.{name}", label, **kw)

    return [
        f("legal_name", _("Legal name"), required=True, autocomplete="organization"),
        f("formation_date", _("Date of formation"), kind="date"),
        f("formation_country", _("Country of formation"), required=True),
        f("tax_id_type", _("Tax id type"), kind="select", choices=_choices(("ein", "foreign"), blank=False)),
        f("tax_id", _("EIN or foreign registration number"), required=True),
        f("industry", _("Industry (NAICS code)"), required=True),
        f("address.line1", _("Principal place of business: street"), required=True),
        f("address.line2", _("Address line 2")),
        f("address.city", _("City"), required=True),
        f("address.region", _("State / region")),
        f("address.postal_code", _("ZIP / postal code")),
        f("address.country", _("Country"), required=True),
        f("phone", _("Phone"), kind="tel"),
        f("email", _("E-mail"), kind="email"),
    ]


def certification_fields(post: Mapping[str, Any], errors: Mapping[str, str]) -> list[Field]:
    """The beneficial-ownership certification (31 CFR 1010.230 Appendix A)."""
    return [
        _f(post, errors, "certification.name", _("Name of the person opening the account"), required=True),
        _f(post, errors, "certification.title", _("Their title"), required=True),
        Field(
            name="certification.certified",
            label=_(
                "I certify that, to the best of my knowledge, the information on the owners and the control "
                "person is complete and correct."
            ),
            value=post.get("certification.certified", "") in ("on", "true", "1", True),
            error=errors.get("certification.certified", ""),
            kind="checkbox",
            required=True,
        ),
    ]


def cdd_fields(post: Mapping[str, Any], errors: Mapping[str, str], *, kind: str) -> list[Field]:
    """The customer due-diligence questions."""

    def f(name: str, label: str | Promise, **kw: Any) -> Field:
        return _f(post, errors, f"cdd.{name}", label, **kw)

    fields = []
    if kind == "person":
        fields.append(
            f("occupation", _("Occupation"), kind="select", choices=_choices(validation.OCCUPATIONS), required=True)
        )
    fields += [
        f(
            "pep_status",
            _("Politically exposed person"),
            kind="select",
            choices=_choices(validation.PEP_STATUSES, blank=False),
        ),
        f(
            "products",
            _("Products applied for"),
            kind="multi",
            choices=_choices(validation.PRODUCTS, blank=False),
            required=True,
        ),
        f("purpose", _("Purpose of the relationship"), kind="select", choices=_choices(validation.PURPOSES)),
        f("source_of_funds", _("Source of funds"), kind="select", choices=_choices(validation.SOURCES_OF_FUNDS)),
        f("expected_monthly_amount", _("Expected monthly activity"), kind="number"),
        f("expected_cash_amount", _("Of which cash"), kind="number"),
        f("currency", _("Currency")),
        f("expected_countries", _("Countries of expected cross-border activity (codes, comma-separated)")),
    ]
    return fields


def error_map(problems: list[Any]) -> dict[str, str]:
    """``{field path: message}``; several problems on one field are joined."""
    result: dict[str, str] = {}
    for p in problems:
        result[p.field] = f"{result[p.field]}; {p.message}" if p.field in result else p.message
    return result


def error_items(errors: Mapping[str, str]) -> list[dict[str, str]]:
    """The problems as ``{"field", "message", "id"}`` for the summary above the form (``id`` is
    the control's HTML id, for a link to it)."""
    return [
        {"field": name, "message": message, "id": Field(name=name, label="", value="", error="").id}
        for name, message in errors.items()
    ]
