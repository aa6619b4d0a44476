"""The screening index: candidate retrieval through postings, token-alignment scoring, qualifiers (no Django import).

Retrieval never scans the list. Every distinct name token of the list (the vocabulary) is indexed
by its exact form, its two phonetic keys, its consonant skeleton and its one-deletion neighbourhood
(``putin`` is filed under ``utin``, ``ptin``, ``puin``, ...). A query token finds its vocabulary
neighbours through those keys (a few dictionary look-ups), and each vocabulary token has postings:
the list names that contain it. Names reached by enough query tokens are scored; the rest cannot reach
the threshold and are skipped (see :meth:`ScreeningIndex._candidates`).

Scoring of one query name against one list name:

* **Token similarity** (:meth:`ScreeningIndex._similar`): 1 when equal; else ``1 - d / L`` for an
  optimal-string-alignment edit distance ``d`` within the length's tolerance (0 edits up to 3 letters,
  1 up to 6, 2 up to 9, 3 beyond); at least 0.9 when the strict phonetic keys agree and 0.85 when the
  loose ones do (5+ letters); numbers only ever match themselves. Tokens from an abjad script are
  compared by consonant skeleton (0.9 when equal). Similarities under :data:`MIN_TOKEN_SIMILARITY`
  do not count.
* **Alignment**: options are single tokens, two or three adjacent query tokens glued (split
  variations: ``patr ushev`` = ``patrushev``), one query token spelling two list tokens (glued
  variations: ``vladimirputin``, ``jscargument``), and initials (``j`` for ``joachim``, 0.7). They are
  taken greedily by similarity; every token on either side is used at most once.
* **Name score**: with ``w`` the token weights (rarity in the list: :func:`token_weight`; particles
  such as ``al``/``bin``/``de`` weigh :data:`PARTICLE_WEIGHT`), ``quality`` the weighted mean
  similarity of the aligned tokens and ``cover_q``/``cover_l`` the share of query/list weight that
  aligned: ``quality * hi * (MU + (1 - MU) * lo)`` with ``hi``/``lo`` the larger/smaller of the two
  covers. A name missing from the query (a dropped middle name) costs little; tokens unexplained on
  both sides cost a lot. When only one non-particle token aligns and either side has two or more,
  the score is multiplied by :data:`SINGLE_TOKEN_FACTOR` (a given name alone is not a hit).
* **Qualifiers** (per entry): date of birth compared as dates (match ``+DOB_MATCH_BONUS``, conflict
  ``-DOB_CONFLICT_PENALTY``; near or missing: no change); the query's country among the entry's
  countries ``+COUNTRY_BONUS`` (never a penalty: an address or nationality elsewhere does not clear a
  name); conflicting entity types ``-ENTITY_TYPE_PENALTY``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bankcrm.screening.engine.countries import country_code
from bankcrm.screening.engine.dates import DobVerdict, PartialDate, compare_dob, parse_iso
from bankcrm.screening.engine.normalize import (
    LEGAL_CANONICAL,
    PARTICLES,
    NormalizedName,
    Token,
    normalize_name,
    phonetic_keys,
    skeleton,
)
from bankcrm.screening.engine.types import ENTITY_TYPES, Hit, ListEntry, ScreeningInputError, ScreeningQuery

#: Alert threshold: hits scoring at or above it are returned. Chosen on the committed synthetic
#: variations and negatives (benchmarks/README.md, "Screening").
DEFAULT_THRESHOLD = 0.80
MIN_TOKEN_SIMILARITY = 0.7
PHONETIC_STRICT = 0.9
PHONETIC_LOOSE = 0.85
SKELETON_EQUAL = 0.9
INITIAL_SIMILARITY = 0.7
PARTICLE_WEIGHT = 0.25
MU = 0.7
SINGLE_TOKEN_FACTOR = 0.7
DOB_MATCH_BONUS = 0.05
DOB_CONFLICT_PENALTY = 0.15
COUNTRY_BONUS = 0.02
ENTITY_TYPE_PENALTY = 0.10
#: Most names scored per query (the ones reached by the most query tokens).
MAX_CANDIDATES = 3000
_CACHE_LIMIT = 50_000
_PERSONLIKE = {"person": "person", "organization": "other", "vessel": "other", "aircraft": "other"}


def token_weight(df: int) -> float:
    """Weight of a token found in ``df`` entries: 1 up to 10 entries, then down by 0.35 per tenfold, at least 0.3.

    So a surname held by a handful of entries counts fully and ``mohammad`` (hundreds) about a third.
    """
    if df <= 10:
        return 1.0
    return max(0.3, 1.0 - 0.35 * math.log10(df / 10))


def _tolerance(length: int) -> int:
    return 0 if length <= 3 else 1 if length <= 6 else 2 if length <= 9 else 3


def _deletions(token: str) -> set[str]:
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


@dataclass(frozen=True, slots=True)
class _Name:
    entry: int
    text: str
    primary: bool
    tokens: tuple[int, ...]  # vocabulary ids of the core tokens, in order
    weights: tuple[float, ...]
    strong: int  # core tokens that are not particles


@dataclass(slots=True)
class _Unit:
    """A query-side alignment unit: one token or adjacent tokens glued (query positions covered)."""

    positions: tuple[int, ...]
    text: str
    matches: dict[int, tuple[float, str]]  # vocabulary id -> (similarity, how)
    pairs: dict[tuple[int, int], tuple[float, str]]  # two vocabulary tokens this unit spells glued


@dataclass(slots=True)
class _Option:
    sim: float
    q: tuple[int, ...]
    l: tuple[int, ...]  # noqa: E741
    how: str


@dataclass(frozen=True, slots=True)
class _Scored:
    score: float
    name: int
    explanation: str


class ScreeningIndex:
    """An in-memory index of watch-list names for fast fuzzy screening.

    Build once per set of list versions with :meth:`build`; :meth:`screen` is then safe to call from
    many threads (the look-up cache only ever adds complete values).
    """

    def __init__(self) -> None:
        self._entries: list[ListEntry] = []
        self._dobs: list[tuple[PartialDate, ...]] = []
        self._names: list[_Name] = []
        self._vocab: dict[str, int] = {}
        self._tokens: list[str] = []
        self._abjad: list[bool] = []
        self._weights: list[float] = []
        self._postings: list[list[int]] = []
        self._strict: list[str] = []
        self._loose: list[str] = []
        self._skeleton: list[str] = []
        self._by_strict: dict[str, list[int]] = {}
        self._by_loose: dict[str, list[int]] = {}
        self._by_skeleton: dict[str, list[int]] = {}
        self._by_deletion: dict[str, list[int]] = {}
        self._has_abjad = False
        self._cache: dict[tuple[str, bool], dict[int, tuple[float, str]]] = {}

    # --- building ------------------------------------------------------------------------------------

    @classmethod
    def build(cls, entries: Iterable[ListEntry]) -> ScreeningIndex:
        """Index the entries (primary names and aliases).

        Args:
            entries: list entries; ``dates_of_birth`` must be ISO (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``).

        Raises:
            ScreeningInputError: an entry with a malformed date of birth or an unknown entity type
                (the message names the list, entry and field).
        """
        index = cls()
        df: Counter[int] = Counter()
        for entry in entries:
            where = f"{entry.list_code}:{entry.entry_id}"
            if entry.entity_type and entry.entity_type not in ENTITY_TYPES:
                raise ScreeningInputError(f"{where}: entity_type: {entry.entity_type!r} is not one of {ENTITY_TYPES}")
            dobs = tuple(parse_iso(d, field=f"{where}: dates_of_birth") for d in entry.dates_of_birth)
            number = len(index._entries)
            index._entries.append(entry)
            index._dobs.append(dobs)
            person = None if not entry.entity_type else entry.entity_type == "person"
            seen: set[int] = set()
            for k, text in enumerate(dict.fromkeys((entry.name, *entry.aliases))):
                norm = normalize_name(text, person=person)
                ids = tuple(index._intern(t) for t in norm.core)
                if not ids:
                    continue
                name_id = len(index._names)
                strong = 0
                for vid in dict.fromkeys(ids):
                    if index._tokens[vid] not in PARTICLES:
                        index._postings[vid].append(name_id)
                        strong += 1
                index._names.append(_Name(number, text, k == 0, ids, (), strong))
                seen.update(ids)
            df.update(seen)
        index._weights = [
            PARTICLE_WEIGHT if index._tokens[v] in PARTICLES else token_weight(df[v]) for v in range(len(index._tokens))
        ]
        index._names = [
            _Name(n.entry, n.text, n.primary, n.tokens, tuple(index._weights[v] for v in n.tokens), n.strong)
            for n in index._names
        ]
        return index

    def _intern(self, token: Token) -> int:
        vid = self._vocab.get(token.text)
        if vid is not None:
            if token.abjad and not self._abjad[vid]:
                self._abjad[vid] = True
                self._has_abjad = True
            return vid
        vid = len(self._tokens)
        text = token.text
        self._vocab[text] = vid
        self._tokens.append(text)
        self._abjad.append(token.abjad)
        self._has_abjad = self._has_abjad or token.abjad
        self._postings.append([])
        strict, loose = phonetic_keys(text)
        skel = skeleton(text)
        self._strict.append(strict)
        self._loose.append(loose)
        self._skeleton.append(skel)
        if not text.isdigit():
            self._by_strict.setdefault(strict, []).append(vid)
            if len(text) >= 5:
                self._by_loose.setdefault(loose, []).append(vid)
            if len(skel) >= 2:
                self._by_skeleton.setdefault(skel, []).append(vid)
            if len(text) >= 4:
                for key in _deletions(text) | {text}:
                    self._by_deletion.setdefault(key, []).append(vid)
        return vid

    def __len__(self) -> int:
        """Number of entries indexed."""
        return len(self._entries)

    @property
    def name_count(self) -> int:
        """Number of names indexed (primary names and aliases)."""
        return len(self._names)

    # --- token look-up ---------------------------------------------------------------------------------

    def _similar(self, text: str, abjad: bool) -> dict[int, tuple[float, str]]:
        """Vocabulary tokens similar to a query token: id -> (similarity, how). Cached per token."""
        key = (text, abjad)
        found = self._cache.get(key)
        if found is not None:
            return found
        found = {}
        vid = self._vocab.get(text)
        if vid is not None and not abjad:
            found[vid] = (1.0, "exact")
        if not text.isdigit():
            if abjad:
                self._similar_skeleton(text, found)
            else:
                self._similar_latin(text, found)
                if self._has_abjad:
                    self._similar_skeleton(text, found, only_abjad=True)
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[key] = found
        return found

    def _similar_latin(self, text: str, found: dict[int, tuple[float, str]]) -> None:
        strict, loose = phonetic_keys(text)
        candidates: set[int] = set(self._by_strict.get(strict, ()))
        if len(text) >= 5:
            candidates.update(self._by_loose.get(loose, ()))
        if len(text) >= 3:
            for key in _deletions(text) | {text}:
                candidates.update(self._by_deletion.get(key, ()))
        for vid in candidates:
            if vid in found:
                continue
            other = self._tokens[vid]
            length = max(len(text), len(other))
            allowed = _tolerance(length)
            sim, how = 0.0, ""
            if allowed:
                dist = OSA.distance(text, other, score_cutoff=allowed)
                if dist <= allowed:
                    sim, how = 1.0 - dist / length, f"edit distance {dist}"
            if strict == self._strict[vid] and sim < PHONETIC_STRICT:
                sim, how = PHONETIC_STRICT, f"phonetic key {strict}"
            elif len(text) >= 5 and len(other) >= 5 and loose == self._loose[vid] and sim < PHONETIC_LOOSE:
                sim, how = PHONETIC_LOOSE, f"loose phonetic key {loose}"
            if sim >= MIN_TOKEN_SIMILARITY:
                found[vid] = (sim, how)

    def _similar_skeleton(self, text: str, found: dict[int, tuple[float, str]], only_abjad: bool = False) -> None:
        skel = skeleton(text)
        if len(skel) < 2:
            return
        for vid in self._by_skeleton.get(skel, ()):
            if only_abjad and not self._abjad[vid]:
                continue
            if vid not in found:
                found[vid] = (SKELETON_EQUAL, f"consonant skeleton {skel}")

    # --- query ---------------------------------------------------------------------------------------

    def _units(self, tokens: tuple[Token, ...]) -> list[_Unit]:
        units: list[_Unit] = []
        for i, tok in enumerate(tokens):
            matches = self._similar(tok.text, tok.abjad)
            units.append(_Unit((i,), tok.text, matches, self._glued_pairs(tok) if not tok.abjad else {}))
        # Split variations: two or three adjacent query tokens may spell one list token.
        for size in (2, 3):
            for i in range(len(tokens) - size + 1):
                group = tokens[i : i + size]
                if any(t.abjad for t in group):
                    continue
                joined = "".join(t.text for t in group)
                matches = {
                    vid: (sim, f"split in the query ({' + '.join(t.text for t in group)}), {how}")
                    for vid, (sim, how) in self._similar(joined, False).items()
                }
                if matches:
                    units.append(_Unit(tuple(range(i, i + size)), joined, matches, {}))
        return units

    def _glued_pairs(self, token: Token) -> dict[tuple[int, int], tuple[float, str]]:
        """Two list tokens that one query token spells glued together (``vladimirputin``)."""
        text = token.text
        pairs: dict[tuple[int, int], tuple[float, str]] = {}
        if len(text) < 5 or text.isdigit() or text in self._vocab:
            return pairs
        for cut in range(2, len(text) - 1):
            left, right = text[:cut], text[cut:]
            lefts = self._glue_part(left)
            if not lefts:
                continue
            rights = self._glue_part(right)
            for lv, ls in lefts.items():
                for rv, rs in rights.items():
                    sim = min(ls, rs)
                    if sim > pairs.get((lv, rv), (0.0, ""))[0]:
                        pairs[(lv, rv)] = (sim, f"glued in the query ({left} + {right})")
        return pairs

    def _glue_part(self, part: str) -> dict[int, float]:
        if part in LEGAL_CANONICAL:
            return {-1: 1.0}  # a legal form: aligns with the list's legal form, not with a name token
        if len(part) < 4:
            vid = self._vocab.get(part)
            return {vid: 1.0} if vid is not None else {}
        return {vid: sim for vid, (sim, _) in self._similar(part, False).items()}

    def _reach(self, units: list[_Unit]) -> Counter[int]:
        """For each name reached by the query: how many query units reach it (a glued pair counts twice)."""
        counts: Counter[int] = Counter()
        for unit in units:
            hit: set[int] = set()
            for vid in unit.matches:
                hit.update(self._postings[vid])
            for lv, rv in unit.pairs:
                if lv >= 0 and rv >= 0:
                    both = set(self._postings[lv]).intersection(self._postings[rv])
                    hit.update(both)
                    counts.update(both)
                elif max(lv, rv) >= 0:
                    hit.update(self._postings[max(lv, rv)])
            counts.update(hit)
        return counts

    def _candidates(self, units: list[_Unit], query_strong: int, threshold: float) -> list[int]:
        """Names that can reach ``threshold``: reached by two query units, or by one when it can suffice.

        A name aligned on a single non-particle token scores at most ``SINGLE_TOKEN_FACTOR`` plus the
        qualifier bonuses unless both it and the query have one such token, so with the default
        threshold single-token names are only candidates for single-token queries.
        """
        counts = self._reach(units)
        single_can_alert = threshold <= SINGLE_TOKEN_FACTOR + DOB_MATCH_BONUS + COUNTRY_BONUS
        names = self._names
        chosen: list[tuple[int, int]] = []
        for name_id, count in counts.items():
            if count >= 2 or single_can_alert or (query_strong <= 1 and names[name_id].strong <= 1):
                chosen.append((count, name_id))
        if len(chosen) > MAX_CANDIDATES:
            chosen.sort(reverse=True)
            chosen = chosen[:MAX_CANDIDATES]
        return [name_id for _, name_id in chosen]

    def _score_name(
        self, tokens: tuple[Token, ...], units: list[_Unit], name: _Name, q_weights: list[float]
    ) -> tuple[float, str]:
        options: list[_Option] = []
        vocab_pos: dict[int, list[int]] = {}
        for j, vid in enumerate(name.tokens):
            vocab_pos.setdefault(vid, []).append(j)
        for unit in units:
            for vid, (sim, how) in unit.matches.items():
                for j in vocab_pos.get(vid, ()):
                    options.append(_Option(sim, unit.positions, (j,), how))
            for (lv, rv), (sim, how) in unit.pairs.items():
                if lv == -1 or rv == -1:
                    other = rv if lv == -1 else lv
                    for j in vocab_pos.get(other, ()):
                        options.append(_Option(sim, unit.positions, (j,), how + ", legal form glued"))
                    continue
                for j in vocab_pos.get(lv, ()):
                    for k in vocab_pos.get(rv, ()):
                        if j != k:
                            options.append(_Option(sim, unit.positions, (j, k), how))
        options.sort(key=lambda o: (o.sim, len(o.q) + len(o.l)), reverse=True)
        used_q: set[int] = set()
        used_l: set[int] = set()
        chosen: list[_Option] = []
        for opt in options:
            if used_q.isdisjoint(opt.q) and used_l.isdisjoint(opt.l):
                chosen.append(opt)
                used_q.update(opt.q)
                used_l.update(opt.l)
        # Initials: a one-letter token on one side for a word starting with it on the other.
        for i, tok in enumerate(tokens):
            if i in used_q:
                continue
            for j, vid in enumerate(name.tokens):
                if j in used_l:
                    continue
                other = self._tokens[vid]
                if (len(tok.text) == 1 and other[0] == tok.text and len(other) > 1) or (
                    len(other) == 1 and tok.text[0] == other and len(tok.text) > 1
                ):
                    chosen.append(_Option(INITIAL_SIMILARITY, (i,), (j,), "initial"))
                    used_q.add(i)
                    used_l.add(j)
                    break
        if not chosen:
            return 0.0, ""
        weights = name.weights
        matched_w = 0.0
        weighted_sim = 0.0
        strong = 0
        for opt in chosen:
            w = sum(weights[j] for j in opt.l)
            matched_w += w
            weighted_sim += w * opt.sim
            strong += sum(1 for j in opt.l if self._tokens[name.tokens[j]] not in PARTICLES)
        unmatched_q = sum(q_weights[i] for i in range(len(tokens)) if i not in used_q)
        unmatched_l = sum(weights[j] for j in range(len(weights)) if j not in used_l)
        if matched_w <= 0.0:
            return 0.0, ""
        quality = weighted_sim / matched_w
        cover_q = matched_w / (matched_w + unmatched_q)
        cover_l = matched_w / (matched_w + unmatched_l)
        hi, lo = max(cover_q, cover_l), min(cover_q, cover_l)
        score = quality * hi * (MU + (1.0 - MU) * lo)
        query_strong = sum(1 for t in tokens if t.text not in PARTICLES)
        single = strong <= 1 and max(query_strong, name.strong) >= 2
        if single:
            score *= SINGLE_TOKEN_FACTOR
        return score, self._explain_name(tokens, name, chosen, used_q, used_l, quality, cover_q, cover_l, single)

    def _explain_name(
        self,
        tokens: tuple[Token, ...],
        name: _Name,
        chosen: list[_Option],
        used_q: set[int],
        used_l: set[int],
        quality: float,
        cover_q: float,
        cover_l: float,
        single: bool,
    ) -> str:
        parts = []
        for opt in sorted(chosen, key=lambda o: o.l):
            q = " ".join(tokens[i].text for i in opt.q)
            lst = " + ".join(self._tokens[name.tokens[j]] for j in opt.l)
            how = "exact" if opt.how == "exact" else f"{opt.how}, {opt.sim:.2f}"
            parts.append(f"'{q}' ~ '{lst}' ({how})")
        text = "; ".join(parts)
        missing_l = [self._tokens[v] for j, v in enumerate(name.tokens) if j not in used_l]
        missing_q = [t.text for i, t in enumerate(tokens) if i not in used_q]
        if missing_l:
            text += f"; listed but not in the query: {', '.join(missing_l)}"
        if missing_q:
            text += f"; in the query but not listed: {', '.join(missing_q)}"
        text += f"; token similarity {quality:.2f}, query covered {cover_q:.2f}, list name covered {cover_l:.2f}"
        if single:
            text += f"; only one name token aligned (x{SINGLE_TOKEN_FACTOR})"
        return text

    def screen(self, query: ScreeningQuery, *, threshold: float = DEFAULT_THRESHOLD, limit: int = 20) -> list[Hit]:
        """Screen one name against the index.

        Args:
            query: the name and optional qualifiers (date of birth, country, entity type).
            threshold: only entries scoring at or above it are returned, in [0, 1].
            limit: at most this many hits, best first.

        Returns:
            Hits sorted by score descending (ties by list and entry id), one per entry, each with the
            best-matching name of the entry and an explanation.

        Raises:
            ScreeningInputError: an empty name, a malformed date of birth, an unknown country or entity
                type (the message names the field).
        """
        return [hit for hit, _ in self._screen(query, threshold=threshold, limit=limit)]

    def candidates(self, query: ScreeningQuery, *, limit: int = 50) -> list[tuple[ListEntry, str]]:
        """Entries and names the retrieval step puts forward for scoring, most query tokens first.

        For benchmarks that score the same candidates with other algorithms; ``limit`` caps the names.
        """
        counts = self._reach(self._units(self._query_tokens(query)))
        out = []
        for name_id, _ in counts.most_common(limit):
            name = self._names[name_id]
            out.append((self._entries[name.entry], name.text))
        return out

    def _query_tokens(self, query: ScreeningQuery) -> tuple[Token, ...]:
        if not isinstance(query.name, str) or not query.name.strip():
            raise ScreeningInputError("name: must not be empty")
        person = None if query.entity_type is None else query.entity_type == "person"
        norm: NormalizedName = normalize_name(query.name, person=person)
        tokens = norm.core
        if not tokens:
            raise ScreeningInputError(f"name: {query.name!r} has no letters or digits")
        return tokens

    def _screen(self, query: ScreeningQuery, *, threshold: float, limit: int) -> list[tuple[Hit, float]]:
        if not 0.0 <= threshold <= 1.0:
            raise ScreeningInputError(f"threshold: {threshold} is not in [0, 1]")
        if query.entity_type is not None and query.entity_type not in ENTITY_TYPES:
            raise ScreeningInputError(f"entity_type: {query.entity_type!r} is not one of {ENTITY_TYPES}")
        dob = parse_iso(query.date_of_birth) if query.date_of_birth else None
        country = None
        if query.country:
            country = country_code(query.country)
            if country is None:
                raise ScreeningInputError(f"country: {query.country!r} is not an ISO 3166-1 alpha-2 code or country")
        tokens = self._query_tokens(query)
        units = self._units(tokens)
        q_weights = []
        for tok in tokens:
            if tok.text in PARTICLES:
                q_weights.append(PARTICLE_WEIGHT)
            else:
                vid = self._vocab.get(tok.text)
                q_weights.append(self._weights[vid] if vid is not None else 1.0)
        query_strong = sum(1 for t in tokens if t.text not in PARTICLES)
        best: dict[int, _Scored] = {}
        for name_id in self._candidates(units, query_strong, threshold):
            name = self._names[name_id]
            score, explanation = self._score_name(tokens, units, name, q_weights)
            if score <= 0.0:
                continue
            current = best.get(name.entry)
            if current is None or score > current.score:
                best[name.entry] = _Scored(score, name_id, explanation)
        hits: list[tuple[Hit, float]] = []
        for entry_no, scored in best.items():
            if scored.score + DOB_MATCH_BONUS + COUNTRY_BONUS < threshold:
                continue
            entry = self._entries[entry_no]
            final, notes = self._qualify(scored.score, entry, self._dobs[entry_no], dob, country, query.entity_type)
            if final < threshold:
                continue
            name = self._names[scored.name]
            which = "primary name" if name.primary else "alias"
            explanation = (
                f"{which} '{name.text}': {scored.explanation}; name score {scored.score:.2f}"
                + "".join(f"; {n}" for n in notes)
                + f"; score {final:.2f}"
            )
            hit = Hit(
                entry_id=entry.entry_id,
                list_code=entry.list_code,
                name=entry.name,
                matched_name=name.text,
                score=round(final, 4),
                programs=entry.programs,
                explanation=explanation,
            )
            hits.append((hit, scored.score))
        hits.sort(key=lambda h: (-h[0].score, h[0].list_code, h[0].entry_id))
        return hits[:limit]

    @staticmethod
    def _qualify(
        score: float,
        entry: ListEntry,
        entry_dobs: tuple[PartialDate, ...],
        dob: PartialDate | None,
        country: str | None,
        entity_type: str | None,
    ) -> tuple[float, list[str]]:
        notes: list[str] = []
        verdict, date = compare_dob(dob, entry_dobs)
        if verdict is DobVerdict.MATCH and dob is not None and date is not None:
            score += DOB_MATCH_BONUS
            notes.append(f"date of birth {dob.iso()} matches listed {date.iso()} (+{DOB_MATCH_BONUS:.2f})")
        elif verdict is DobVerdict.CONFLICT and dob is not None:
            score -= DOB_CONFLICT_PENALTY
            listed = ", ".join(d.iso() for d in entry_dobs[:5])
            notes.append(f"date of birth {dob.iso()} conflicts with listed {listed} (-{DOB_CONFLICT_PENALTY:.2f})")
        elif verdict is DobVerdict.NEAR and dob is not None and date is not None:
            notes.append(f"date of birth {dob.iso()} is close to listed {date.iso()} (no change)")
        if country is not None and country in entry.countries:
            score += COUNTRY_BONUS
            notes.append(f"country {country} is listed for the entry (+{COUNTRY_BONUS:.2f})")
        if entity_type and entry.entity_type and _PERSONLIKE[entity_type] != _PERSONLIKE[entry.entity_type]:
            score -= ENTITY_TYPE_PENALTY
            notes.append(f"entity type {entity_type} vs listed {entry.entity_type} (-{ENTITY_TYPE_PENALTY:.2f})")
        return min(1.0, max(0.0, score)), notes
