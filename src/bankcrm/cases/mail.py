"""E-mail intake: ``bankcrm mail ingest DIR`` reads a directory of ``.eml`` files (RFC 5322).

Each message is parsed, its sender matched to a party by e-mail address (an address held by exactly
one party; otherwise the case is opened unmatched for triage), and recorded as an inbound e-mail
interaction on a new case. A reply (``In-Reply-To`` / ``References`` naming a message already
ingested, or a case reference such as ``CMP-1A2B3C4D`` in the subject) is added to that case
instead of opening a new one. Attachments are kept when their sniffed type is accepted; a refused
attachment is noted on the case, not fatal.

Idempotent: a message is keyed by its ``Message-ID`` (or the SHA-256 of its bytes when it has
none), so a re-run skips what was ingested. Each message is ingested in its own transaction; a
malformed file is reported with its name and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from django.db import transaction
from django.utils.html import strip_tags

from bankcrm.audit import services as audit
from bankcrm.cases import services
from bankcrm.cases.models import Case, CaseNote
from bankcrm.core import clock
from bankcrm.core.errors import ValidationFailed
from bankcrm.interactions.models import Interaction
from bankcrm.parties.models import ContactPoint, Party

SOURCE = "email"
_REFERENCE = re.compile(r"\b(?:CMP|SR|DSP)-[0-9A-F]{8}\b")


@dataclass
class IngestReport:
    """Per-run counts and the files that could not be ingested (``file: reason``)."""

    opened: int = 0
    replies: int = 0
    unmatched: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    #: ``file: outcome REFERENCE`` per message that opened a case or added a reply.
    references: list[str] = field(default_factory=list)


def _message_id(msg: EmailMessage, raw: bytes) -> str:
    mid = (msg.get("Message-ID") or "").strip().strip("<>")
    return mid[:64] if mid else "sha256:" + hashlib.sha256(raw).hexdigest()[:57]


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    if part.get_content_type() == "text/html":
        text = strip_tags(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _received(msg: EmailMessage) -> dt.datetime:
    now = clock.now()
    try:
        when = email.utils.parsedate_to_datetime(msg["Date"]) if msg["Date"] else None
    except (TypeError, ValueError):
        when = None
    if when is None or when > now:
        return now
    return when if when.tzinfo else when.replace(tzinfo=clock.bank_zone())


def _party_for(address: str) -> Party | None:
    matches = list(
        Party.objects.filter(
            contact_points__kind=ContactPoint.Kind.EMAIL,
            contact_points__value__iexact=address,
            merged_into__isnull=True,
        ).distinct()[:2]
    )
    return matches[0] if len(matches) == 1 else None


def _thread_case(msg: EmailMessage) -> Case | None:
    ids = " ".join(str(msg.get(h, "")) for h in ("In-Reply-To", "References"))
    for mid in re.findall(r"<([^>]+)>", ids):
        found = Case.objects.filter(source_system=SOURCE, source_id=mid[:64]).first()
        if found is not None:
            return found
    ref = _REFERENCE.search(str(msg.get("Subject", "")))
    return Case.objects.filter(reference=ref.group(0)).first() if ref else None


def _attachments(case: Case, msg: EmailMessage) -> None:
    for part in msg.iter_attachments():
        name = part.get_filename() or "attachment"
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        try:
            services.add_attachment(actor=None, case=case, filename=name, content=content)
        except ValidationFailed as exc:
            CaseNote.objects.create(
                case=case,
                author=None,
                body=f"E-mail attachment refused: {exc.problems[0].message}",
                created_at=clock.now(),
            )


def ingest_message(raw: bytes, *, name: str, kind: str = "complaint") -> str:
    """Ingest one message; returns ``opened``, ``unmatched``, ``reply`` or ``skipped``.

    Raises:
        ValidationFailed: as :func:`ingest_message_case`.
    """
    return ingest_message_case(raw, name=name, kind=kind)[0]


def ingest_message_case(raw: bytes, *, name: str, kind: str = "complaint") -> tuple[str, Case | None]:
    """Ingest one message; returns the outcome (``opened``, ``unmatched``, ``reply`` or
    ``skipped``) and the case it opened or added to (None when skipped).

    Raises:
        ValidationFailed: the message has no sender or no text (naming ``name``); nothing is written.
    """
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    source_id = _message_id(msg, raw)
    if (
        Case.objects.filter(source_system=SOURCE, source_id=source_id).exists()
        # Every reply leaves a note keyed by its Message-ID (also when the case has no party, so
        # no timeline interaction): a re-run skips it.
        or CaseNote.objects.filter(body__startswith=f"[{source_id}] ").exists()
    ):
        return "skipped", None
    sender = email.utils.parseaddr(str(msg.get("From", "")))[1].strip().lower()
    subject = str(msg.get("Subject", "")).strip()
    body = _body(msg)
    problems = []
    if "@" not in sender:
        problems.append(f"{name}: From: no sender address")
    if not body and not subject:
        problems.append(f"{name}: the message has no subject and no text")
    if problems:
        from bankcrm.core.errors import FieldProblem

        raise ValidationFailed([FieldProblem("file", p) for p in problems])
    received = _received(msg)
    with transaction.atomic():
        thread = _thread_case(msg)
        if thread is not None:
            if thread.party_id is not None:
                Interaction.objects.create(
                    party_id=thread.party_id,
                    channel=Interaction.Channel.EMAIL,
                    direction=Interaction.Direction.INBOUND,
                    purpose="e-mail reply",
                    summary=f"[{source_id}] {subject}\n\n{body}"[:4000],
                    occurred_at=received,
                    case_id=thread.pk,
                )
            CaseNote.objects.create(
                case=thread,
                author=None,
                body=f"[{source_id}] Customer e-mail: {subject}\n\n{body}"[:8000],
                created_at=clock.now(),
            )
            _attachments(thread, msg)
            audit.record(
                actor=None,
                action="case.email.reply",
                subject_type="case",
                subject_id=str(thread.pk),
                payload={"message": source_id},
            )
            return "reply", thread
        party = _party_for(sender)
        case = services.open_case(
            actor=None,
            kind=kind,
            party=party,
            channel="email",
            subject=subject[:200],
            narrative=body or subject,
            received_at=received,
            source_system=SOURCE,
            source_id=source_id,
            external={"from_domain": sender.rsplit("@", 1)[-1]},
        )
        if party is None:
            CaseNote.objects.create(
                case=case,
                author=None,
                body="Sender not matched to exactly one customer by e-mail address: "
                "identify the customer before replying.",
                created_at=clock.now(),
            )
        _attachments(case, msg)
        return ("opened" if party is not None else "unmatched"), case


def ingest_directory(directory: Path, *, kind: str = "complaint") -> IngestReport:
    """Ingest every ``*.eml`` file of ``directory`` (sorted by name).

    Raises:
        ValidationFailed: the directory does not exist (field ``DIR``).
    """
    if not directory.is_dir():
        from bankcrm.core.errors import FieldProblem

        raise ValidationFailed([FieldProblem("DIR", f"{directory} is not a directory")])
    report = IngestReport()
    for path in sorted(directory.glob("*.eml")):
        try:
            outcome, case = ingest_message_case(path.read_bytes(), name=path.name, kind=kind)
        except ValidationFailed as exc:
            report.errors += [p.message for p in exc.problems]
            continue
        if case is not None:
            report.references.append(f"{path.name}: {outcome} {case.reference}")
        if outcome == "opened":
            report.opened += 1
        elif outcome == "unmatched":
            report.opened += 1
            report.unmatched += 1
        elif outcome == "reply":
            report.replies += 1
        else:
            report.skipped += 1
    return report
