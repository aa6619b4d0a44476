"""Watch-list imports (every version kept, with the delta to the previous one), screening of
parties against the active versions, and hit dispositions.

- The newest imported version of each list (by its ISO-date version label) is the active one.
- A party is screened at onboarding, on every change of name, date of birth or nationality
  (:func:`screen_party`), and every party is re-screened after a list import
  (:func:`rescreen_all`, the ``screening.rescreen`` task, with progress on a
  :class:`~bankcrm.screening.models.ScreeningRun`).
- A false positive is remembered for the party/entry pair until either record changes (party and
  entry fingerprints); a true match blocks the party and opens an AML investigation case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, FieldProblem, ValidationFailed
from bankcrm.identity.models import User
from bankcrm.parties import birth
from bankcrm.parties.models import Party
from bankcrm.screening import lists
from bankcrm.screening.engine import (
    DEFAULT_THRESHOLD,
    Hit,
    ListEntry,
    ScreeningIndex,
    ScreeningQuery,
    parse_ofac_csv_dir,
)
from bankcrm.screening.models import (
    SanctionsBlock,
    ScreeningHit,
    ScreeningRun,
    WatchList,
    WatchListEntry,
    WatchListVersion,
)

LIST_NAMES = {
    "ofac-sdn": "OFAC Specially Designated Nationals (SDN)",
    "ofac-cons": "OFAC Consolidated non-SDN lists",
    "314a": "FinCEN 314(a) subjects",
    "internal": "Internal watch list",
}
BATCH = 2_000


def _require(actor: User | None, perm: Perm) -> None:
    if actor is not None:
        require(actor, perm)


def entry_fingerprint(e: ListEntry) -> str:
    """SHA-256 of an entry's content (names, type, programs, dates, countries)."""
    content = [
        e.name,
        sorted(e.aliases),
        e.entity_type,
        sorted(e.programs),
        sorted(e.dates_of_birth),
        sorted(e.countries),
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def _files_sha256(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def parse_list(list_code: str, source: Path) -> tuple[list[ListEntry], list[Path]]:
    """Entries of a list source: an OFAC CSV folder (``ofac-sdn``: sdn/alt/add.csv; ``ofac-cons``:
    cons_prim/cons_alt/cons_add.csv), a 314(a) CSV or an internal-list CSV (file or folder holding
    one ``.csv``).

    Raises:
        ValidationFailed: unknown list code, missing files, malformed rows (file:line, field).
    """
    if list_code not in LIST_NAMES:
        raise ValidationFailed([FieldProblem("list", f"must be one of {', '.join(LIST_NAMES)}")])
    if not source.exists():
        raise ValidationFailed([FieldProblem("source", f"{source} does not exist")])
    if list_code in ("ofac-sdn", "ofac-cons"):
        if not source.is_dir():
            raise ValidationFailed([FieldProblem("source", f"{source}: an OFAC list is a folder of CSV files")])
        try:
            entries = parse_ofac_csv_dir(source, list_code)
        except ValueError as exc:
            raise ValidationFailed([FieldProblem("file", str(exc))]) from None
        return entries, [p for p in source.glob("*.csv")]
    path = source
    if source.is_dir():
        found = sorted(source.glob("*.csv"))
        if len(found) != 1:
            raise ValidationFailed([FieldProblem("source", f"{source}: expected exactly one .csv file")])
        path = found[0]
    parser = lists.parse_314a if list_code == "314a" else lists.parse_internal
    return parser(path), [path]


@transaction.atomic
def import_list(
    *,
    actor: User | None,
    list_code: str,
    source: Path,
    version: str,
    progress: Callable[[int, int], None] | None = None,
    enqueue_rescreen: bool = True,
) -> WatchListVersion:
    """Import one version of a list, keep it beside the earlier ones and record the delta
    (entry ids added, removed, changed) against the previous version. Importing the same files
    again returns the existing version unchanged; the same version label with other files is refused.

    Args:
        version: the list's publication date, ISO ``YYYY-MM-DD`` (orders versions; newest is active).
        enqueue_rescreen: queue the ``screening.rescreen`` task for the worker (False when the
            caller re-screens inline).

    Raises:
        ValidationFailed: bad version label or source (see :func:`parse_list`); nothing is written.
        PermissionDenied: the actor may not manage lists.
    """
    _require(actor, Perm.LISTS_MANAGE)
    try:
        dt.date.fromisoformat(version)
    except ValueError:
        raise ValidationFailed([FieldProblem("version", "must be the list date, YYYY-MM-DD")]) from None
    entries, files = parse_list(list_code, source)
    digest = _files_sha256(files)
    watch_list, _ = WatchList.objects.get_or_create(code=list_code, defaults={"name": LIST_NAMES[list_code]})
    existing = WatchListVersion.objects.filter(watch_list=watch_list, version=version).first()
    if existing is not None:
        if existing.source_sha256 == digest:
            return existing
        raise ValidationFailed(
            [FieldProblem("version", f"{list_code} {version} was already imported from other files")]
        )
    previous = WatchListVersion.objects.filter(watch_list=watch_list, version__lt=version).order_by("-version").first()
    fingerprints = {e.entry_id: entry_fingerprint(e) for e in entries}
    delta = None
    if previous is not None:
        before = dict(previous.entries.values_list("entry_id", "fingerprint"))
        delta = {
            "previous": previous.version,
            "added": sorted(set(fingerprints) - set(before), key=_id_key),
            "removed": sorted(set(before) - set(fingerprints), key=_id_key),
            "changed": sorted(
                (k for k in fingerprints.keys() & before.keys() if fingerprints[k] != before[k]), key=_id_key
            ),
        }
    row = WatchListVersion.objects.create(
        watch_list=watch_list, version=version, source_sha256=digest, entry_count=len(entries), delta=delta
    )
    objects = [
        WatchListEntry(
            version=row,
            entry_id=e.entry_id,
            name=e.name[:400],
            aliases=list(e.aliases),
            entity_type=e.entity_type,
            programs=list(e.programs),
            dates_of_birth=list(e.dates_of_birth),
            countries=list(e.countries),
            fingerprint=fingerprints[e.entry_id],
        )
        for e in entries
    ]
    for start in range(0, len(objects), BATCH):
        WatchListEntry.objects.bulk_create(objects[start : start + BATCH])
        if progress:
            progress(min(start + BATCH, len(objects)), len(objects))
    audit.record(
        actor=actor,
        action="screening.list.import",
        subject_type="watch_list",
        subject_id=list_code,
        payload={
            "version": version,
            "entries": len(entries),
            "sha256": digest,
            "delta": {k: len(v) for k, v in (delta or {}).items() if isinstance(v, list)} or None,
        },
    )
    invalidate_index()
    run = ScreeningRun.objects.create(reason=f"{list_code} {version} imported")
    if enqueue_rescreen:

        def enqueue() -> None:
            from bankcrm.screening.tasks import rescreen

            rescreen.enqueue(run.pk)

        # The caller that re-screens inline (the CLI) does not also queue it: two writers at once
        # would contend for SQLite's lock.
        transaction.on_commit(enqueue)
    return row


def _id_key(value: str) -> tuple[int, str]:
    return (int(value), value) if value.isdigit() else (10**12, value)


def active_versions() -> list[WatchListVersion]:
    """The active (newest) version of each list."""
    out = []
    for watch_list in WatchList.objects.all():
        newest = watch_list.versions.order_by("-version").first()
        if newest is not None:
            out.append(newest)
    return out


_index_lock = threading.Lock()
_index: tuple[tuple[int, ...], ScreeningIndex] | None = None


def invalidate_index() -> None:
    """Forget the cached index (after an import); the next screening rebuilds it."""
    global _index
    with _index_lock:
        _index = None


def active_index() -> tuple[ScreeningIndex, list[WatchListVersion]]:
    """The screening index over the active versions, cached per process until they change."""
    global _index
    versions = active_versions()
    key = tuple(sorted(v.pk for v in versions))
    with _index_lock:
        if _index is None or _index[0] != key:
            entries = []
            code_of = {v.pk: v.watch_list.code for v in versions}
            for row in WatchListEntry.objects.filter(version__in=versions).iterator(chunk_size=5000):
                entries.append(
                    ListEntry(
                        entry_id=row.entry_id,
                        list_code=code_of[row.version_id],
                        name=row.name,
                        aliases=tuple(row.aliases),
                        entity_type=row.entity_type,
                        programs=tuple(row.programs),
                        dates_of_birth=tuple(row.dates_of_birth),
                        countries=tuple(row.countries),
                    )
                )
            _index = (key, ScreeningIndex.build(entries))
        return _index[1], versions


def check(query: ScreeningQuery, *, threshold: float = DEFAULT_THRESHOLD) -> tuple[list[Hit], list[WatchListVersion]]:
    """Screen one name (no party, nothing stored): hits at or above ``threshold``, best first."""
    index, versions = active_index()
    return index.screen(query, threshold=threshold), versions


def party_query_names(party: Party) -> list[str]:
    """The names a party is screened under: legal name and other names."""
    names = [party.legal_name] + [str(n) for n in (party.other_names or []) if str(n).strip()]
    return list(dict.fromkeys(n.strip() for n in names if n and n.strip()))


def party_fingerprint(party: Party) -> str:
    """SHA-256 over what screening looks at (names, date of birth, nationality, kind): a changed
    party invalidates remembered false positives."""
    born = birth.decrypt_date_of_birth(party.date_of_birth_encrypted)
    content = [party_query_names(party), born.isoformat() if born else "", party.nationality, party.kind]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def party_queries(party: Party) -> list[ScreeningQuery]:
    born = birth.decrypt_date_of_birth(party.date_of_birth_encrypted)
    country = party.nationality or party.residence_country or None
    kind = "organization" if party.kind == Party.Kind.ORGANIZATION else "person"
    return [
        ScreeningQuery(name=n, date_of_birth=born.isoformat() if born else None, country=country, entity_type=kind)
        for n in party_query_names(party)
    ]


def _screen(
    party: Party, index: ScreeningIndex, entries_by_key: dict[tuple[str, str], WatchListEntry], run: ScreeningRun | None
) -> list[ScreeningHit]:
    """Screen one party; create hits not suppressed by a remembered false positive or an open hit."""
    best: dict[tuple[str, str], Hit] = {}
    for query in party_queries(party):
        for hit in index.screen(query):
            key = (hit.list_code, hit.entry_id)
            if key not in best or hit.score > best[key].score:
                best[key] = hit
    if not best:
        return []
    fingerprint = party_fingerprint(party)
    previous = list(
        ScreeningHit.objects.filter(party=party, entry__entry_id__in=[k[1] for k in best]).select_related(
            "entry__version__watch_list"
        )
    )
    created = []
    for key, hit in best.items():
        entry = entries_by_key.get(key)
        if entry is None:
            continue
        same = [p for p in previous if (p.entry.version.watch_list.code, p.entry.entry_id) == key]
        if any(p.status == ScreeningHit.Status.OPEN for p in same):
            continue
        remembered = [
            p
            for p in same
            if p.status == ScreeningHit.Status.FALSE_POSITIVE
            and p.party_fingerprint == fingerprint
            and p.entry.fingerprint == entry.fingerprint
        ]
        if remembered:
            continue
        created.append(
            ScreeningHit(
                party=party,
                entry=entry,
                run=run,
                score=Decimal(str(round(hit.score, 4))),
                matched_name=hit.matched_name[:400],
                explanation=hit.explanation,
                party_fingerprint=fingerprint,
            )
        )
    ScreeningHit.objects.bulk_create(created)
    return created


def _entries_by_key(
    versions: list[WatchListVersion], keys: Iterable[tuple[str, str]] | None = None
) -> dict[tuple[str, str], WatchListEntry]:
    code_of = {v.pk: v.watch_list.code for v in versions}
    qs = WatchListEntry.objects.filter(version__in=versions)
    if keys is not None:
        qs = qs.filter(entry_id__in={k[1] for k in keys})
    return {(code_of[e.version_id], e.entry_id): e for e in qs}


@transaction.atomic
def screen_party(*, actor: User | None, party: Party, reason: str) -> list[ScreeningHit]:
    """Screen one party now (onboarding, a change of name / date of birth / nationality, or on
    demand) and record new hits for review. Audited (``screening.party``: hit count, never names).

    Raises:
        PermissionDenied: the actor may not run checks.
    """
    _require(actor, Perm.SCREENING_CHECK)
    index, versions = active_index()
    if not versions:
        return []
    run = ScreeningRun.objects.create(reason=reason[:64], versions=[v.pk for v in versions], parties_total=1)
    candidates: set[tuple[str, str]] = set()
    for query in party_queries(party):
        candidates |= {(h.list_code, h.entry_id) for h in index.screen(query)}
    created = _screen(party, index, _entries_by_key(versions, candidates), run)
    now = clock.now()
    ScreeningRun.objects.filter(pk=run.pk).update(
        status=ScreeningRun.Status.DONE, parties_done=1, hits_created=len(created), finished_at=now
    )
    audit.record(
        actor=actor,
        action="screening.party",
        subject_type="party",
        subject_id=str(party.pk),
        payload={"reason": reason, "run": run.pk, "hits": len(created)},
    )
    return created


def rescreen_all(
    *, run_id: int | None = None, reason: str = "list import", progress: Callable[[int, int], None] | None = None
) -> ScreeningRun:
    """Re-screen every party against the active versions, in batches (one transaction and one
    audit event per batch), updating the run's progress. Idempotent: open hits and remembered
    false positives are not duplicated, so a re-run after an interruption only adds what is missing."""
    index, versions = active_index()
    run = (
        ScreeningRun.objects.get(pk=run_id)
        if run_id
        else ScreeningRun.objects.create(reason=reason, versions=[v.pk for v in versions])
    )
    started = time.perf_counter()
    parties = Party.objects.filter(merged_into__isnull=True).order_by("pk")
    total = parties.count()
    ScreeningRun.objects.filter(pk=run.pk).update(parties_total=total, versions=[v.pk for v in versions])
    entries = _entries_by_key(versions)
    done = hits = 0
    batch: list[Party] = []

    def flush() -> None:
        nonlocal done, hits
        with transaction.atomic():
            made = 0
            for party in batch:
                made += len(_screen(party, index, entries, run))
            done += len(batch)
            hits += made
            ScreeningRun.objects.filter(pk=run.pk).update(parties_done=done, hits_created=hits)
            audit.record(
                actor=None,
                action="screening.rescreen.batch",
                subject_type="screening_run",
                subject_id=str(run.pk),
                payload={"parties": len(batch), "hits": made},
            )
        if progress:
            progress(done, total)
        batch.clear()

    try:
        for party in parties.iterator(chunk_size=1000):
            batch.append(party)
            if len(batch) >= 500:
                flush()
        if batch:
            flush()
    except Exception:
        # Batches already done are kept (and not redone: open hits are not duplicated); the run
        # is marked failed so the console does not show it running forever.
        ScreeningRun.objects.filter(pk=run.pk).update(status=ScreeningRun.Status.FAILED, finished_at=clock.now())
        raise
    ScreeningRun.objects.filter(pk=run.pk).update(
        status=ScreeningRun.Status.DONE,
        finished_at=clock.now(),
        duration_ms=round((time.perf_counter() - started) * 1000),
    )
    run.refresh_from_db()
    return run


@transaction.atomic
def dispose_hit(*, actor: User, hit: ScreeningHit, disposition: str, reason: str) -> ScreeningHit:
    """Decide a hit. ``true_match``: the party is blocked (:class:`SanctionsBlock`) and an AML
    investigation case is opened; ``false_positive``: remembered for this party/entry pair until
    either record changes. Audited with the decision and reason.

    Raises:
        PermissionDenied: the actor may not manage AML work.
        ValidationFailed: unknown disposition or no reason (fields ``disposition`` / ``reason``).
        Conflict: the hit was already decided.
    """
    require(actor, Perm.AML_MANAGE)
    if disposition not in (ScreeningHit.Status.TRUE_MATCH, ScreeningHit.Status.FALSE_POSITIVE):
        raise ValidationFailed([FieldProblem("disposition", "must be true_match or false_positive")])
    reason = reason.strip()
    if not reason:
        raise ValidationFailed([FieldProblem("reason", "state why")])
    locked = (
        ScreeningHit.objects.select_for_update().select_related("entry__version__watch_list", "party").get(pk=hit.pk)
    )
    if locked.status != ScreeningHit.Status.OPEN:
        raise Conflict(f"this hit was already decided ({locked.status})")
    now = clock.now()
    locked.status = disposition
    locked.decided_by = actor
    locked.decided_at = now
    locked.decision_reason = reason[:500]
    if disposition == ScreeningHit.Status.TRUE_MATCH:
        from bankcrm.cases import services as cases

        SanctionsBlock.objects.create(party=locked.party, hit=locked, placed_by=actor, placed_at=now)
        case = cases.open_case(
            actor=actor,
            kind="aml_investigation",
            party=locked.party,
            channel="system",
            subject=f"Sanctions match: {locked.entry.version.watch_list.code} entry {locked.entry.entry_id}",
            narrative=(
                f"Screening hit confirmed as a true match against {locked.entry.version.watch_list.name} "
                f"{locked.entry.version.version}, entry {locked.entry.entry_id} ({', '.join(locked.entry.programs)}). "
                f"Score {locked.score:.2f}. {locked.explanation}\nReviewer's reason: {reason}"
            ),
        )
        locked.case = case
    locked.save()
    audit.record(
        actor=actor,
        action=f"screening.hit.{disposition}",
        subject_type="party",
        subject_id=str(locked.party_id),
        payload={"hit": locked.pk, "list": locked.entry.version.watch_list.code, "entry": locked.entry.entry_id},
    )
    return locked


def ensure_not_blocked(party: Party) -> None:
    """Refuse new business with a blocked party.

    Raises:
        PermissionDenied: the party is under a sanctions block.
    """
    if SanctionsBlock.objects.filter(party=party, released_at__isnull=True).exists():
        raise PermissionDenied("this customer is blocked: refer to the BSA/AML officer")


def progress_of(run: ScreeningRun) -> dict[str, Any]:
    """A run's progress for the console and the API."""
    return {
        "id": run.pk,
        "status": run.status,
        "done": run.parties_done,
        "total": run.parties_total,
        "hits": run.hits_created,
        "seconds": run.duration_ms / 1000 if run.duration_ms is not None else None,
    }


@transaction.atomic
def request_rescreen(*, actor: User | None, reason: str) -> ScreeningRun:
    """Queue a re-screen of every party (the ``screening.rescreen`` task); returns its run.

    Raises:
        PermissionDenied: the actor may not manage lists.
    """
    _require(actor, Perm.LISTS_MANAGE)
    run = ScreeningRun.objects.create(reason=reason[:64])
    audit.record(actor=actor, action="screening.rescreen.request", subject_type="screening_run", subject_id=str(run.pk))

    def enqueue() -> None:
        from bankcrm.screening.tasks import rescreen

        rescreen.enqueue(run.pk)

    transaction.on_commit(enqueue)
    return run
