"""The screening index: candidate retrieval through postings, token-alignment scoring, qualifiers (no Django import).

Retrieval never scans the list. Every distinct name token of the list (the vocabulary) is indexed
by its exact form, its two phonetic keys, its consonant skeletons (and their one-deletion
neighbourhood) and its one-deletion neighbourhood (``putin`` is filed under ``utin``, ``ptin``,
``puin``, ...). A query token finds its vocabulary neighbours through those keys (a few dictionary
look-ups, cached per token), and each vocabulary token has postings: the list names that contain it
(particles such as ``al`` have none: they reach everything). Names reached by enough query tokens are
scored; the rest cannot reach the threshold and are skipped (see :meth:`ScreeningIndex._candidates`).

Scoring of one query name against one list name:

* **Token similarity** (:meth:`ScreeningIndex._similar`): 1 when equal; else ``1 - d / L`` for an
  optimal-string-alignment edit distance ``d`` within the length's tolerance (0 edits up to 3 letters,
  1 up to 6, 2 up to 9, 3 beyond); at least 0.9 when the strict phonetic keys agree and 0.85 when the
  loose ones do (5+ letters; two-letter tokens also need to be one edit apart); numbers only ever
  match themselves. Tokens from an abjad script are compared by consonant skeleton (0.9 when equal,
  0.85 for skeletons of one or two consonants, 0.8 one consonant off for four or more).
  Similarities under :data:`MIN_TOKEN_SIMILARITY` do not count.
* **Alignment**: options are single tokens, two or three adjacent query tokens glued (split
  variations: ``patr ushev`` = ``patrushev``), one query token spelling two list tokens (glued
  variations: ``vladimirputin``, ``jscargument``), and initials (``j`` for ``joachim``, 0.7). They are
  taken greedily by similarity; every token on either side is used at most once.
* **Name score**: with ``w`` the token weights (rarity in the list: :func:`token_weight`; particles
  such as ``al``/``bin``/``de`` weigh :data:`PARTICLE_WEIGHT`), ``quality`` the weighted mean
  similarity of the aligned tokens and ``cover_q``/``cover_l`` the share of query/list weight that
  aligned: ``quality * hi * (MU + (1 - MU) * lo)`` with ``hi``/``lo`` the larger/smaller of the two
  covers. A name missing from the query (a dropped middle name) costs little; tokens unexplained on
  both sides cost a lot. When at most one non-particle list token aligns while a non-particle token
  is left over on either side, the score is multiplied by :data:`SINGLE_TOKEN_FACTOR` (a given name
  alone is not a hit). Legal forms (``LLC``, ``JSC``) are not name tokens: they neither count nor cost.
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

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bankcrm.screening.engine.countries import country_code
from bankcrm.screening.engine.dates import DobVerdict, PartialDate, compare_dob, parse_iso
from bankcrm.screening.engine.normalize import (
    LEGAL_CANONICAL,
    LEGAL_WORDS,
    PARTICLES,
    STOPWORDS,
    NormalizedName,
    Token,
    normalize_name,
    phonetic_keys,
    skeletons,
)
from bankcrm.screening.engine.types import ENTITY_TYPES, Hit, ListEntry, ScreeningInputError, ScreeningQuery

#: Alert threshold: hits scoring at or above it are returned. Chosen on the committed synthetic
#: variations, the negatives and the nomenklatura pairs (pair F1 is best at 0.79-0.80; recall 99 %
#: with 1.4 % of the negatives alerting): benchmarks/README.md, section "screening.py".
DEFAULT_THRESHOLD = 0.80
MIN_TOKEN_SIMILARITY = 0.7
PHONETIC_STRICT = 0.9
PHONETIC_LOOSE = 0.85
SKELETON_EQUAL = 0.9
SKELETON_SHORT = 0.85
SKELETON_NEAR = 0.8
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
    strong: tuple[bool, ...]  # per token: not a particle
    strong_count: int  # distinct non-particle tokens
    initials: bool  # has a one-letter token


# A query-side alignment unit: the query positions it covers, the vocabulary tokens it is similar to
# (id -> (similarity, how)) and the pairs of vocabulary tokens it spells glued (-1: a legal form or
# a stopword that aligns with nothing).
_Unit = tuple[tuple[int, ...], dict[int, tuple[float, str]], dict[tuple[int, int], tuple[float, str]]]
# An alignment option / choice: (similarity, size, query positions, list positions, how).
_Choice = tuple[float, int, tuple[int, ...], tuple[int, ...], str]


@dataclass(frozen=True, slots=True)
class _Scored:
    score: float
    name: int
    chosen: tuple[_Choice, ...]
    quality: float
    cover_q: float
    cover_l: float
    single: bool


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
        self._skeletons: list[tuple[str, ...]] = []
        self._by_strict: dict[str, list[int]] = {}
        self._by_loose: dict[str, list[int]] = {}
        self._by_skeleton: dict[str, list[int]] = {}
        self._by_skeleton_deletion: dict[str, list[int]] = {}
        self._by_deletion: dict[str, list[int]] = {}
        self._has_abjad = False
        self._cache: dict[tuple[str, bool], dict[int, tuple[float, str]]] = {}
        self._glue_cache: dict[str, dict[tuple[int, int], tuple[float, str]]] = {}
        self._single_token_names: set[int] = set()

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
                strong = tuple(index._tokens[vid] not in PARTICLES for vid in ids)
                for vid in dict.fromkeys(ids):
                    if index._tokens[vid] not in PARTICLES:
                        index._postings[vid].append(name_id)
                strong_count = len({v for v, st in zip(ids, strong, strict=True) if st})
                initials = any(len(index._tokens[v]) == 1 for v in ids)
                index._names.append(_Name(number, text, k == 0, ids, (), strong, strong_count, initials))
                seen.update(ids)
            df.update(seen)
        index._single_token_names = {i for i, n in enumerate(index._names) if n.strong_count <= 1}
        index._weights = [
            PARTICLE_WEIGHT if index._tokens[v] in PARTICLES else token_weight(df[v]) for v in range(len(index._tokens))
        ]
        index._names = [
            _Name(
                n.entry,
                n.text,
                n.primary,
                n.tokens,
                tuple(index._weights[v] for v in n.tokens),
                n.strong,
                n.strong_count,
                n.initials,
            )
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
        skels = skeletons(text)
        self._strict.append(strict)
        self._loose.append(loose)
        self._skeletons.append(skels)
        if not text.isdigit():
            self._by_strict.setdefault(strict, []).append(vid)
            if len(text) >= 5:
                self._by_loose.setdefault(loose, []).append(vid)
            for skel in skels:
                if skel:
                    self._by_skeleton.setdefault(skel, []).append(vid)
                if len(skel) >= 4:
                    for key in _deletions(skel):
                        self._by_skeleton_deletion.setdefault(key, []).append(vid)
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
        if vid is not None:
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
        tokens = self._tokens
        for vid in self._by_strict.get(strict, ()):
            if vid not in found:
                other = tokens[vid]
                if min(len(text), len(other)) <= 2 and OSA.distance(text, other, score_cutoff=1) > 1:
                    continue  # two letters sharing a key ("xu", "so") say too little
                found[vid] = (PHONETIC_STRICT, f"phonetic key {strict}")
        if len(text) >= 5:
            for vid in self._by_loose.get(loose, ()):
                # The loose key forgets vowels, so it also asks for the same first letter (muhammad, mohammed).
                if vid not in found and len(tokens[vid]) >= 5 and tokens[vid][0] == text[0]:
                    found[vid] = (PHONETIC_LOOSE, f"loose phonetic key {loose}")
        by_deletion = self._by_deletion
        candidates: set[int] = set(by_deletion.get(text, ()))
        if len(text) >= 4:
            for i in range(len(text)):
                candidates.update(by_deletion.get(text[:i] + text[i + 1 :], ()))
        candidates.update(found)
        if not candidates:
            return
        ids = list(candidates)
        # One C-level pass over the candidates; the length-dependent tolerance is applied below.
        for _, dist, k in process.extract(
            text, [tokens[v] for v in ids], scorer=OSA.distance, score_cutoff=3, limit=None
        ):
            vid = ids[k]
            length = max(len(text), len(tokens[vid]))
            if 0 < dist <= _tolerance(length):
                sim = 1.0 - dist / length
                if sim >= MIN_TOKEN_SIMILARITY and sim > found.get(vid, (0.0, ""))[0]:
                    found[vid] = (sim, f"edit distance {int(dist)}")

    def _similar_skeleton(self, text: str, found: dict[int, tuple[float, str]], only_abjad: bool = False) -> None:
        """Vocabulary tokens sharing a consonant skeleton with ``text`` (one consonant off for 4+)."""
        tokens = self._tokens
        for skel in skeletons(text):
            if not skel:
                continue
            short = len(skel) == 1  # one consonant ("ali"): only short words, and less sure
            sim = SKELETON_SHORT if len(skel) <= 2 else SKELETON_EQUAL
            for vid in self._by_skeleton.get(skel, ()):
                if (only_abjad and not self._abjad[vid]) or (short and len(tokens[vid]) > 4):
                    continue
                if sim > found.get(vid, (0.0, ""))[0]:
                    found[vid] = (sim, f"consonant skeleton {skel}")
            if len(skel) >= 4:
                near: set[int] = set(self._by_skeleton_deletion.get(skel, ()))
                for i in range(len(skel)):
                    near.update(self._by_skeleton.get(skel[:i] + skel[i + 1 :], ()))
                    near.update(self._by_skeleton_deletion.get(skel[:i] + skel[i + 1 :], ()))
                for vid in near:
                    if vid in found or (only_abjad and not self._abjad[vid]):
                        continue
                    if any(OSA.distance(skel, other, score_cutoff=1) <= 1 for other in self._skeletons[vid]):
                        found[vid] = (SKELETON_NEAR, f"consonant skeleton {skel}, one consonant off")

    # --- query ---------------------------------------------------------------------------------------

    def _units(self, tokens: tuple[Token, ...]) -> list[_Unit]:
        units: list[_Unit] = []
        for i, tok in enumerate(tokens):
            matches = self._similar(tok.text, tok.abjad)
            pairs = {} if tok.abjad else self._glued_pairs(tok.text)
            units.append(((i,), matches, pairs))
        # Split variations: two or three adjacent query tokens may spell one list token.
        for size in (2, 3):
            for i in range(len(tokens) - size + 1):
                group = tokens[i : i + size]
                if any(t.abjad for t in group):
                    continue
                joined = "".join(t.text for t in group)
                similar = self._similar(joined, False)
                if similar:
                    parts = " + ".join(t.text for t in group)
                    matches = {
                        vid: (sim, f"split in the query ({parts}), {how}") for vid, (sim, how) in similar.items()
                    }
                    units.append((tuple(range(i, i + size)), matches, {}))
        return units

    def _glued_pairs(self, text: str) -> dict[tuple[int, int], tuple[float, str]]:
        """Two list tokens that one query token spells glued together (``vladimirputin``). Cached.

        One of the two parts must be a list token, legal form or stopword as written; the other may
        then be misspelt (``fridrichbuchenberg``).
        """
        cached = self._glue_cache.get(text)
        if cached is not None:
            return cached
        pairs: dict[tuple[int, int], tuple[float, str]] = {}
        if len(text) >= 5 and not text.isdigit():
            for cut in range(2, len(text) - 1):
                left, right = text[:cut], text[cut:]
                lefts, rights = self._glue_exact(left), self._glue_exact(right)
                if not lefts and not rights:
                    continue
                # A misspelt part only next to an exact one of 3+ letters (two letters say too little).
                if not rights and len(right) >= 5 and len(left) >= 3:
                    rights = {vid: sim for vid, (sim, _) in self._similar(right, False).items()}
                elif not lefts and len(left) >= 5 and len(right) >= 3:
                    lefts = {vid: sim for vid, (sim, _) in self._similar(left, False).items()}
                for lv, ls in lefts.items():
                    for rv, rs in rights.items():
                        if lv == -1 and rv == -1:
                            continue
                        sim = min(ls, rs)
                        if sim > pairs.get((lv, rv), (0.0, ""))[0]:
                            pairs[(lv, rv)] = (sim, f"glued in the query ({left} + {right})")
        if len(self._glue_cache) < _CACHE_LIMIT:
            self._glue_cache[text] = pairs
        return pairs

    def _glue_exact(self, part: str) -> dict[int, float]:
        found: dict[int, float] = {}
        if part in LEGAL_CANONICAL or part in STOPWORDS or part in LEGAL_WORDS:
            found[-1] = 1.0  # a legal form or a stopword: aligns with nothing on the list side
        vid = self._vocab.get(part)
        if vid is not None:
            found[vid] = 1.0
        return found

    def _reach(self, units: list[_Unit]) -> Counter[int]:
        """Names reached by the query and how strongly: query tokens covered, a glued pair counting twice."""
        counts: Counter[int] = Counter()
        postings = self._postings
        for positions, matches, pairs in units:
            hit: set[int] = set()
            for vid in matches:
                hit.update(postings[vid])
            for lv, rv in pairs:
                left = postings[lv] if lv >= 0 else ()
                right = postings[rv] if rv >= 0 else ()
                hit.update(left)
                hit.update(right)
                if left and right:
                    counts.update(set(left).intersection(right))
            for _ in positions:
                counts.update(hit)
        return counts

    def _candidates(self, units: list[_Unit], query_strong: int, threshold: float) -> list[int]:
        """Names that can reach ``threshold``.

        A name aligned on at most one non-particle token while something non-particle is left over on
        either side scores at most ``SINGLE_TOKEN_FACTOR`` plus the qualifier bonuses, under the default
        threshold. So a name needs two query units reaching it, or a single strong token of its own
        reached by a one-token query or by a unit spanning the query (``delr uba`` for ``DELRUBA``).
        """
        postings = self._postings
        seen: set[int] = set()
        multi: set[int] = set()
        spanning: set[int] = set()  # names reached by one unit covering two or more query tokens
        same: set[object] = set()
        for positions, matches, pairs in units:
            if len(positions) == 1:
                # A repeated query token ("Muhammad ... Muhammad", or two spellings of it) reaches the
                # same names again: once is enough.
                key = frozenset(matches) if len(matches) > 8 else (id(matches), id(pairs))
                if key in same:
                    continue
                same.add(key)
            hit: set[int] = set()
            for vid in matches:
                hit.update(postings[vid])
            for lv, rv in pairs:
                left = postings[lv] if lv >= 0 else ()
                right = postings[rv] if rv >= 0 else ()
                hit.update(left)
                hit.update(right)
                if left and right:
                    multi.update(set(left).intersection(right))
            if len(positions) > 1:
                spanning |= hit
            multi |= hit & seen
            seen |= hit
        if threshold <= SINGLE_TOKEN_FACTOR + DOB_MATCH_BONUS + COUNTRY_BONUS:
            chosen = seen
        elif query_strong <= 1:
            chosen = multi | (seen & self._single_token_names)
        else:
            chosen = multi | (spanning & self._single_token_names)
        if len(chosen) > MAX_CANDIDATES:
            counts = self._reach(units)
            return sorted(chosen, key=lambda n: (-counts[n], n))[:MAX_CANDIDATES]
        return list(chosen)

    @staticmethod
    def _query_map(units: list[_Unit]) -> dict[int, list[tuple[float, int, int, tuple[int, ...], str]]]:
        """Vocabulary id -> the query units similar to it: (similarity, size, query mask, positions, how)."""
        qmap: dict[int, list[tuple[float, int, int, tuple[int, ...], str]]] = {}
        for positions, matches, _ in units:
            qmask = 0
            for i in positions:
                qmask |= 1 << i
            size = len(positions) + 1
            for vid, (sim, how) in matches.items():
                qmap.setdefault(vid, []).append((sim, size, qmask, positions, how))
        return qmap

    @staticmethod
    def _pair_map(units: list[_Unit]) -> dict[int, list[tuple[int, float, int, tuple[int, ...], str]]]:
        """Vocabulary id -> glued pairs it starts: (other id or -1, similarity, query mask, positions, how).

        A pair with a legal form or stopword (-1) on one side is filed under its name token.
        """
        pmap: dict[int, list[tuple[int, float, int, tuple[int, ...], str]]] = {}
        for positions, _, pairs in units:
            qmask = 0
            for i in positions:
                qmask |= 1 << i
            for (lv, rv), (sim, how) in pairs.items():
                if lv == -1:
                    lv, rv = rv, -1
                pmap.setdefault(lv, []).append(
                    (rv, sim, qmask, positions, how + (", legal form or stopword glued" if rv == -1 else ""))
                )
        return pmap

    def _score_name(
        self,
        tokens: tuple[Token, ...],
        qmap: dict[int, list[tuple[float, int, int, tuple[int, ...], str]]],
        pmap: dict[int, list[tuple[int, float, int, tuple[int, ...], str]]],
        name: _Name,
        q_weights: list[float],
        q_strong: list[bool],
        q_initials: bool,
        floor: float,
    ) -> _Scored | None:
        # Options: (similarity, size, query mask, list mask, query positions, list positions, how).
        options: list[tuple[float, int, int, int, tuple[int, ...], tuple[int, ...], str]] = []
        name_tokens = name.tokens
        for j, vid in enumerate(name_tokens):
            found = qmap.get(vid)
            if found is not None:
                for sim, size, qmask, positions, how in found:
                    options.append((sim, size, qmask, 1 << j, positions, (j,), how))
        if pmap:
            for j, vid in enumerate(name_tokens):
                found_pairs = pmap.get(vid)
                if found_pairs is None:
                    continue
                for rv, sim, qmask, positions, how in found_pairs:
                    if rv == -1:
                        options.append((sim, 2, qmask, 1 << j, positions, (j,), how))
                        continue
                    for k, vid2 in enumerate(name_tokens):
                        if vid2 == rv and k != j:
                            options.append((sim, 3, qmask, (1 << j) | (1 << k), positions, (j, k), how))
        if not options and not (q_initials or name.initials):
            return None
        options.sort(reverse=True)
        used_q = 0
        used_l = 0
        chosen: list[_Choice] = []
        for sim, size, qmask, lmask, qpos, lpos, how in options:
            if not (qmask & used_q) and not (lmask & used_l):
                chosen.append((sim, size, qpos, lpos, how))
                used_q |= qmask
                used_l |= lmask
        if q_initials or name.initials:
            # A one-letter token on one side for a word starting with that letter on the other.
            for i, tok in enumerate(tokens):
                if used_q >> i & 1:
                    continue
                for j, vid in enumerate(name_tokens):
                    if used_l >> j & 1:
                        continue
                    other = self._tokens[vid]
                    if (len(tok.text) == 1 and len(other) > 1 and other[0] == tok.text) or (
                        len(other) == 1 and len(tok.text) > 1 and tok.text[0] == other
                    ):
                        chosen.append((INITIAL_SIMILARITY, 2, (i,), (j,), "initial"))
                        used_q |= 1 << i
                        used_l |= 1 << j
                        break
        if not chosen:
            return None
        weights = name.weights
        strong = name.strong
        matched_w = 0.0
        weighted_sim = 0.0
        strong_matched = 0
        for sim, _, _, lpos, _ in chosen:
            for j in lpos:
                matched_w += weights[j]
                weighted_sim += weights[j] * sim
                strong_matched += strong[j]
        if matched_w <= 0.0:
            return None
        unmatched_q = 0.0
        leftover_strong = False
        for i in range(len(tokens)):
            if not used_q >> i & 1:
                unmatched_q += q_weights[i]
                leftover_strong = leftover_strong or q_strong[i]
        unmatched_l = 0.0
        for j in range(len(name_tokens)):
            if not used_l >> j & 1:
                unmatched_l += weights[j]
                leftover_strong = leftover_strong or strong[j]
        quality = weighted_sim / matched_w
        cover_q = matched_w / (matched_w + unmatched_q)
        cover_l = matched_w / (matched_w + unmatched_l)
        hi, lo = (cover_q, cover_l) if cover_q >= cover_l else (cover_l, cover_q)
        score = quality * hi * (MU + (1.0 - MU) * lo)
        single = strong_matched <= 1 and leftover_strong
        if single:
            score *= SINGLE_TOKEN_FACTOR
        if score < floor:
            return None
        return _Scored(score, -1, tuple(chosen), quality, cover_q, cover_l, single)

    def _explain_name(self, tokens: tuple[Token, ...], name: _Name, scored: _Scored) -> str:
        parts = []
        used_q: set[int] = set()
        used_l: set[int] = set()
        for sim, _, qpos, lpos, how in sorted(scored.chosen, key=lambda c: c[3]):
            used_q.update(qpos)
            used_l.update(lpos)
            q = " ".join(tokens[i].text for i in qpos)
            lst = " + ".join(self._tokens[name.tokens[j]] for j in lpos)
            parts.append(f"'{q}' ~ '{lst}' ({'exact' if how == 'exact' else f'{how}, {sim:.2f}'})")
        text = "; ".join(parts)
        missing_l = [self._tokens[v] for j, v in enumerate(name.tokens) if j not in used_l]
        missing_q = [t.text for i, t in enumerate(tokens) if i not in used_q]
        if missing_l:
            text += f"; listed but not in the query: {', '.join(missing_l)}"
        if missing_q:
            text += f"; in the query but not listed: {', '.join(missing_q)}"
        text += (
            f"; token similarity {scored.quality:.2f}, query covered {scored.cover_q:.2f}, "
            f"list name covered {scored.cover_l:.2f}"
        )
        if scored.single:
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
                type, a threshold outside [0, 1] (the message names the field).
        """
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
        pmap = self._pair_map(units)
        q_weights: list[float] = []
        q_strong: list[bool] = []
        for tok in tokens:
            if tok.text in PARTICLES:
                q_weights.append(PARTICLE_WEIGHT)
                q_strong.append(False)
            else:
                vid = self._vocab.get(tok.text)
                q_weights.append(self._weights[vid] if vid is not None else 1.0)
                q_strong.append(True)
        q_initials = any(len(t.text) == 1 for t in tokens)
        qmap = self._query_map(units)
        best: dict[int, _Scored] = {}
        floor = max(1e-9, threshold - DOB_MATCH_BONUS - COUNTRY_BONUS)
        for name_id in self._candidates(units, sum(q_strong), threshold):
            name = self._names[name_id]
            scored = self._score_name(tokens, qmap, pmap, name, q_weights, q_strong, q_initials, floor)
            if scored is None:
                continue
            current = best.get(name.entry)
            if current is None or scored.score > current.score:
                best[name.entry] = _Scored(
                    scored.score, name_id, scored.chosen, scored.quality, scored.cover_q, scored.cover_l, scored.single
                )
        hits: list[Hit] = []
        for entry_no, scored in best.items():
            entry = self._entries[entry_no]
            final, notes = self._qualify(scored.score, entry, self._dobs[entry_no], dob, country, query.entity_type)
            final = round(final, 4)  # the score as reported is the one compared (0.95 - 0.15 is 0.8)
            if final < threshold or final <= 0.0:
                continue
            name = self._names[scored.name]
            which = "primary name" if name.primary else "alias"
            explanation = (
                f"{which} '{name.text}': {self._explain_name(tokens, name, scored)}; name score {scored.score:.2f}"
                + "".join(f"; {n}" for n in notes)
                + f"; score {final:.2f}"
            )
            hits.append(
                Hit(
                    entry_id=entry.entry_id,
                    list_code=entry.list_code,
                    name=entry.name,
                    matched_name=name.text,
                    score=final,
                    programs=entry.programs,
                    explanation=explanation,
                )
            )
        hits.sort(key=lambda h: (-h.score, h.list_code, h.entry_id))
        return hits[:limit]

    def candidates(self, query: ScreeningQuery, *, limit: int = 50) -> list[tuple[ListEntry, str]]:
        """Entries and names the retrieval step reaches, most query tokens first (before any scoring).

        For benchmarks that score the same candidates with other algorithms; ``limit`` caps the names.
        """
        counts = self._reach(self._units(self._query_tokens(query)))
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [(self._entries[self._names[n].entry], self._names[n].text) for n, _ in ranked]

    def _query_tokens(self, query: ScreeningQuery) -> tuple[Token, ...]:
        if not isinstance(query.name, str) or not query.name.strip():
            raise ScreeningInputError("name: must not be empty")
        person = None if query.entity_type is None else query.entity_type == "person"
        norm: NormalizedName = normalize_name(query.name, person=person, known=self._vocab.__contains__)
        tokens = norm.core
        if not tokens:
            raise ScreeningInputError(f"name: {query.name!r} has no letters or digits")
        return tokens

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
