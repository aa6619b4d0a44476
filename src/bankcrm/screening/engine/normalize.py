"""Name normalization and token keys for screening (no Django import).

A name becomes a list of :class:`Token` in five steps:

1. ``"LAST, First"`` is turned into ``"First LAST"`` (a single comma whose second part is not only a
   legal form such as ``"CECOEX, S.A."``).
2. Script: Arabic and Persian letters go through our own consonant table (:data:`_ARABIC`; the article
   ``ال`` becomes a separate ``al``), every other script through anyascii (Cyrillic, Greek, Hebrew,
   Devanagari, Han, Hangul, ...), one word staying one word (``习近平`` gives ``xijinping``, which
   the index reads as the glued ``xi`` + ``jinping``).
   Tokens written in an abjad (Arabic, Hebrew) carry ``abjad=True``: those scripts omit short vowels,
   so they are compared by consonant skeleton only (:func:`skeleton`).
3. Case and punctuation: casefold; apostrophes vanish (``O'Brien`` -> ``obrien``); dotted
   abbreviations close up (``A.B.C.`` -> ``abc``, ``S.A.`` -> ``sa``); other punctuation splits;
   digits inside words that are otherwise letters are read as letters (``Sech1n`` -> ``sechin``),
   numbers on their own stay (``11420 CORP.`` keeps ``11420``).
4. Honorifics (``mr``, ``dr``, ``sheikh``, ``president``, ...) are dropped when other words remain.
5. Legal forms (``ltd``, ``llc``, ``joint stock company``, ``ooo``, ``s a de c v``, ...) are marked
   ``kind="legal"`` with a canonical form; they are not part of the name proper. The two-letter forms
   that are also name parts elsewhere (``sa``, ``ag``, ``as``, ...) count only at the end of a name
   that is not a person's. Particles (``al``, ``bin``, ``de``, ``van``, ``of``, ...) stay but weigh
   little.
"""

# ruff: noqa: RUF001  (Arabic and Cyrillic letters in the transliteration tables are meant)
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz.distance import OSA

CORE = "core"
LEGAL = "legal"

# --- step 2: scripts ------------------------------------------------------------------------------------

# Arabic-script letters (Arabic, Persian, Urdu) to Latin consonants; alef and ya/waw as long vowels. Ours:
# anyascii drops alef and renders the article as a glued "l", which loses the vowel and the word break.
_ARABIC: dict[str, str] = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ؤ": "u", "ئ": "i", "ب": "b", "ت": "t",
    "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh",
    "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l",
    "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "w", "ي": "y", "ى": "a", "پ": "p", "چ": "ch", "ژ": "zh",
    "گ": "g", "ک": "k", "ی": "y", "ۀ": "a", "ہ": "h", "ھ": "h", "ے": "y", "ٹ": "t", "ڈ": "d", "ڑ": "r",
    "ں": "n", "َ": "a", "ِ": "i", "ُ": "u", "ً": "an", "ٍ": "in", "ٌ": "un", "ّ": "", "ْ": "", "ـ": "",
    "\u200c": "", "\u200d": "",
}  # fmt: skip
_ARABIC_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}


def _is_arabic(ch: str) -> bool:
    o = ord(ch)
    return 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0x08A0 <= o <= 0x08FF or 0xFB50 <= o <= 0xFEFF


def _is_hebrew(ch: str) -> bool:
    return 0x0590 <= ord(ch) <= 0x05FF


def _arabic_word(word: str) -> str:
    word = "".join(_ARABIC_DIGITS.get(c, c) for c in word)
    # The article is written joined to its noun; split it so "الأسد" lines up with "al Assad".
    prefix = ""
    if word.startswith("ال") and len(word) > 3:
        prefix, word = "al ", word[2:]
    return prefix + "".join(_ARABIC.get(c, anyascii(c)) for c in word)


def _romanize(word: str) -> tuple[str, bool]:
    """Latin form of one whitespace-separated word and whether it came from an abjad script."""
    if word.isascii():
        return word, False
    if any(_is_arabic(c) for c in word):
        return _arabic_word(word), True
    return anyascii(word), any(_is_hebrew(c) for c in word)


# --- step 3: case and punctuation -------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u02bb`\u00b4]")
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}(?![a-z])|\b(?:[a-z]\.)+[a-z]\b")
_SPLIT = re.compile(r"[^a-z0-9]+")
_SHORT_CODE = re.compile(r"^[a-z0-9]{1,3}(?:-[a-z0-9]{1,3})+$")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g", "8": "b"})

# --- steps 4 and 5: honorifics, legal forms, particles ---------------------------------------------------

HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mister",
        "madam",
        "madame",
        "mme",
        "mlle",
        "sir",
        "dame",
        "lord",
        "lady",
        "dr",
        "doctor",
        "prof",
        "professor",
        "rev",
        "reverend",
        "sheikh",
        "shaikh",
        "sheik",
        "shaykh",
        "cheikh",
        "hajji",
        "alhaji",
        "president",
        "prasident",
        "presidente",
        "general",
        "gen",
        "col",
        "colonel",
        "capt",
        "captain",
        "lt",
        "major",
        "maj",
        "admiral",
        "adm",
        "brigadier",
        "herr",
        "frau",
        "senor",
        "senora",
        "sr",
        "sra",
        "don",
        "dona",
        "excellency",
        "his",
        "her",
        "hon",
        "honorable",
        "honourable",
    ]
)
# Legal forms: (phrase, canonical). Longest phrases are tried first.
_LEGAL_PHRASES: tuple[tuple[str, str], ...] = (
    ("open joint stock company", "ojsc"), ("closed joint stock company", "cjsc"),
    ("public joint stock company", "pjsc"), ("private joint stock company", "jsc"),
    ("joint stock company", "jsc"), ("joint stock co", "jsc"), ("limited liability company", "llc"),
    ("limited liability partnership", "llp"), ("limited liability co", "llc"), ("limited partnership", "lp"),
    ("public limited company", "plc"),
    ("company limited", "ltd"), ("co limited", "ltd"), ("co ltd", "ltd"), ("pty ltd", "ltd"), ("pte ltd", "ltd"),
    ("sdn bhd", "bhd"), ("s a de c v", "sa"), ("sa de cv", "sa"), ("s de rl de cv", "srl"),
    ("s de r l de c v", "srl"), ("s de rl", "srl"), ("sp z o o", "spzoo"), ("spzoo", "spzoo"),
    ("gesellschaft mit beschrankter haftung", "gmbh"), ("aktiengesellschaft", "ag"),
    ("obshchestvo s ogranichennoy otvetstvennostyu", "llc"), ("tovarystvo z obmezhenoyu vidpovidalnistyu", "llc"),
    ("aktsionernoe obshchestvo", "jsc"), ("otkrytoe aktsionernoe obshchestvo", "ojsc"),
    ("zakrytoe aktsionernoe obshchestvo", "cjsc"), ("publichnoe aktsionernoe obshchestvo", "pjsc"),
    ("limited", "ltd"), ("ltd", "ltd"), ("llc", "llc"), ("l l c", "llc"), ("inc", "inc"), ("incorporated", "inc"),
    ("corp", "corp"), ("corporation", "corp"), ("company", "co"), ("gmbh", "gmbh"), ("plc", "plc"),
    ("jsc", "jsc"), ("ojsc", "ojsc"), ("cjsc", "cjsc"), ("pjsc", "pjsc"), ("pao", "pjsc"), ("oao", "ojsc"),
    ("zao", "cjsc"), ("ooo", "llc"), ("tov", "llc"), ("llp", "llp"), ("ltda", "ltd"), ("sarl", "sarl"),
    ("srl", "srl"), ("spa", "spa"), ("sas", "sas"), ("bhd", "bhd"), ("fze", "fze"), ("fzco", "fzco"),
    ("fzc", "fzc"), ("fzllc", "llc"), ("fz llc", "llc"), ("dmcc", "dmcc"), ("pte", "pte"), ("pty", "pty"),
    ("kft", "kft"), ("zrt", "zrt"), ("doo", "doo"), ("d o o", "doo"), ("ead", "ead"), ("eood", "eood"),
    ("cia", "co"), ("cie", "co"), ("sae", "sae"), ("wll", "wll"), ("w l l", "wll"), ("jsco", "jsc"),
    ("eirl", "eirl"), ("e i r l", "eirl"), ("saic", "saic"),
)  # fmt: skip
# Two-letter (and a few three-letter) forms that are also parts of names: only at the end of a
# non-person name.
_WEAK_LEGAL = {
    "sa": "sa", "ag": "ag", "as": "as", "ab": "ab", "oy": "oy", "co": "co", "kg": "kg", "bv": "bv", "nv": "nv",
    "se": "se", "lp": "lp", "ae": "ae", "ao": "jsc", "ou": "ou", "sl": "sl", "spol": "spol", "sro": "sro",
    "sac": "sac", "ca": "ca",
}  # fmt: skip
_LEGAL_BY_LEN: dict[int, dict[tuple[str, ...], str]] = {}
for _phrase, _canon in _LEGAL_PHRASES:
    _ws = tuple(_phrase.split())
    _LEGAL_BY_LEN.setdefault(len(_ws), {})[_ws] = _canon
_LEGAL_LENGTHS = sorted(_LEGAL_BY_LEN, reverse=True)
#: Canonical legal forms, also recognised when glued to a name (``JSCARGUMENT``).
LEGAL_CANONICAL = frozenset(_canon for _, _canon in _LEGAL_PHRASES) | frozenset(_WEAK_LEGAL.values())
#: Every word of a legal-form phrase (``limited``, ``liability``, ``company``, ``sdn``, ...).
LEGAL_WORDS = frozenset(w for phrase, _ in _LEGAL_PHRASES for w in phrase.split())
# Long legal words are split off a glued name on their own (``TRADINGCORPORATION``); the others only when
# what is left is a known list token (``ARGONOOO``), since "stock" also starts "Stockholm".
_GLUE_SAFE = ("aktiengesellschaft", "incorporated", "corporation", "liability", "company", "limited")
_GLUE_KNOWN_BY_LEN = tuple(
    (size, frozenset(w for w in LEGAL_WORDS | LEGAL_CANONICAL if len(w) == size))
    for size in sorted({len(w) for w in LEGAL_WORDS | LEGAL_CANONICAL if len(w) >= 3}, reverse=True)
)
# One-edit neighbourhood of the legal words of 4+ letters, to read a mistyped legal form ("COMAPNY") as one.
_LEGAL_FUZZY: dict[str, set[str]] = {}
for _w in LEGAL_WORDS | LEGAL_CANONICAL:
    if len(_w) >= 4:
        for _k in {_w} | {_w[:_i] + _w[_i + 1 :] for _i in range(len(_w))}:
            _LEGAL_FUZZY.setdefault(_k, set()).add(_w)

#: Name particles: kept, but they weigh little (they say little about who is meant).
PARTICLES = frozenset(
    [
        "al",
        "el",
        "ul",
        "ad",
        "ar",
        "as",
        "ash",
        "at",
        "az",
        "bin",
        "ibn",
        "bint",
        "ben",
        "bn",
        "abu",
        "abd",
        "abdul",
        "abdel",
        "de",
        "la",
        "le",
        "du",
        "di",
        "da",
        "dos",
        "das",
        "del",
        "della",
        "der",
        "den",
        "van",
        "von",
        "ten",
        "ter",
        "y",
        "e",
        "i",
        "of",
        "and",
        "und",
        "et",
        "the",
        "fu",
    ]
)
STOPWORDS = frozenset({"the", "and", "und", "et"})


@dataclass(frozen=True, slots=True)
class Token:
    """One normalized word of a name.

    Attributes:
        text: lowercase ASCII letters and digits.
        kind: ``"core"`` (part of the name proper) or ``"legal"`` (a legal form, canonical in ``text``).
        abjad: the word was written in Arabic or Hebrew script (compare by consonant skeleton).
        raw: the word as written before normalization (for explanations).
    """

    text: str
    kind: str = CORE
    abjad: bool = False
    raw: str = ""


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A normalized name: its tokens in order and what normalization removed (for explanations)."""

    tokens: tuple[Token, ...]
    dropped: tuple[str, ...] = ()
    reordered: bool = False

    @property
    def core(self) -> tuple[Token, ...]:
        """The tokens of the name proper (all tokens when the name is nothing but legal forms)."""
        core = tuple(t for t in self.tokens if t.kind == CORE)
        return core or self.tokens


def _words(text: str) -> list[tuple[str, bool, str]]:
    """(normalized word, abjad, raw word) for each word of ``text`` after script, case and punctuation steps."""
    out: list[tuple[str, bool, str]] = []
    for raw in text.split():
        latin, abjad = _romanize(raw)
        latin = _APOSTROPHES.sub("", latin.casefold())
        latin = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), latin)
        if _SHORT_CODE.match(latin) and not any(p in PARTICLES for p in latin.split("-")):
            latin = latin.replace("-", "")  # registration marks and codes: EP-ITM is one token
        for piece in _SPLIT.split(latin):
            if not piece:
                continue
            if not piece.isdigit() and not piece.isalpha():
                letters = sum(c.isalpha() for c in piece)
                if letters >= 2 and letters > len(piece) - letters:
                    piece = piece.translate(_LEET)
            out.append((piece, abjad, raw))
    return out


def _is_legal_tail(text: str) -> bool:
    words = [w for w, _, _ in _words(text)]
    i = 0
    while i < len(words):
        for n in _LEGAL_LENGTHS:
            if tuple(words[i : i + n]) in _LEGAL_BY_LEN[n]:
                i += n
                break
        else:
            if words[i] in _WEAK_LEGAL or words[i] in STOPWORDS:
                i += 1
                continue
            return False
    return True


def _legal_fix(word: str) -> str | None:
    """The legal word ``word`` is a one-edit misspelling of (6+ letters: shorter words are too often
    real names one letter from a legal word, as "point" is from "joint")."""
    if len(word) < 6 or word.isdigit():
        return None
    found: set[str] = set()
    for key in {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}:
        found.update(_LEGAL_FUZZY.get(key, ()))
    for cand in sorted(found):
        if abs(len(cand) - len(word)) <= 1 and OSA.distance(word, cand, score_cutoff=1) <= 1:
            return cand
    return None


def _split_glued_legal(word: str, known: Callable[[str], bool] | None) -> list[str]:
    """``tradingcorporation`` -> ``[trading, corporation]``; ``argonooo`` -> ``[argon, ooo]`` if ``argon`` is known."""
    if word in LEGAL_WORDS or len(word) < 6 or not word.isalpha() or (known is not None and known(word)):
        return [word]
    for legal in _GLUE_SAFE:
        if word.endswith(legal) and len(word) - len(legal) >= 3:
            return [*_split_glued_legal(word[: -len(legal)], known), legal]
        if word.startswith(legal) and len(word) - len(legal) >= 3:
            return [legal, *_split_glued_legal(word[len(legal) :], known)]
    if known is not None:
        for size, legal_words in _GLUE_KNOWN_BY_LEN:
            if len(word) - size < 3:
                continue
            head, tail = word[:size], word[-size:]
            if tail in legal_words:
                rest = word[:-size]
                if known(rest) or rest in LEGAL_WORDS:
                    return [rest, tail]
            if head in legal_words:
                rest = word[size:]
                if known(rest) or rest in LEGAL_WORDS:
                    return [head, rest]
    return [word]


def _repair_legal(
    words: list[tuple[str, bool, str]], known: Callable[[str], bool] | None
) -> list[tuple[str, bool, str]]:
    """Legal forms written badly: split (``COM PANY``), glued (``LIABILITYCOMPANY``), mistyped (``COMAPNY``)."""
    merged: list[tuple[str, bool, str]] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words):
            joined = words[i][0] + words[i + 1][0]
            if len(joined) >= 5 and joined in LEGAL_WORDS and words[i][0] not in LEGAL_WORDS:
                merged.append((joined, False, f"{words[i][2]} {words[i + 1][2]}"))
                i += 2
                continue
        merged.append(words[i])
        i += 1
    out: list[tuple[str, bool, str]] = []
    for word, abjad, raw in merged:
        if abjad or word in LEGAL_WORDS or word in STOPWORDS:
            out.append((word, abjad, raw))
            continue
        pieces = _split_glued_legal(word, known)
        if len(pieces) > 1:
            out.extend((p, False, raw) for p in pieces)
            continue
        if known is None or not known(word):
            fixed = _legal_fix(word)
            if fixed is not None:
                out.append((fixed, False, raw))
                continue
        out.append((word, abjad, raw))
    return out


def normalize_name(
    name: str, *, person: bool | None = None, known: Callable[[str], bool] | None = None
) -> NormalizedName:
    """Normalize a name for matching (see the module docstring for the steps).

    Args:
        name: the name as written, any script, ``"LAST, First"`` or ``"First Last"``.
        person: ``True`` for a person's name (legal forms are then not repaired and two-letter ones are
            left alone), ``False`` for an organization's, ``None`` when unknown.
        known: tells whether a word is a token of the list being screened; with it, short legal forms
            glued to a known name are split off and known words are never read as misspelled legal forms.

    Returns:
        The tokens; an empty tuple when the name has no letters or digits.
    """
    text = unicodedata.normalize("NFKC", name).strip()
    reordered = False
    parts = text.split(",")
    if len(parts) == 2 and parts[0].strip() and parts[1].strip() and not _is_legal_tail(parts[1]):
        text = f"{parts[1]} {parts[0]}"
        reordered = True
    else:
        text = text.replace(",", " ")
    words = _words(text)
    if person is not True:
        words = _repair_legal(words, known)
    dropped: list[str] = []
    kept = [w for w in words if w[0] not in HONORIFICS and w[0] not in STOPWORDS]
    if kept and len(kept) < len(words):
        dropped = [w[0] for w in words if w[0] in HONORIFICS or w[0] in STOPWORDS]
        words = kept
    # Where the run of legal words closing the name starts ("DONATA CO. D.O.O.": at "co").
    tail = len(words) - 1
    while (
        tail > 0
        and (words[tail - 1][0] in _WEAK_LEGAL or words[tail - 1][0] in LEGAL_WORDS)
        and (words[tail][0] in _WEAK_LEGAL or words[tail][0] in LEGAL_WORDS)
    ):
        tail -= 1
    tokens: list[Token] = []
    i = 0
    while i < len(words):
        for n in _LEGAL_LENGTHS:
            if n <= len(words) - i and len(words) > n:
                key = tuple(w[0] for w in words[i : i + n])
                canon = _LEGAL_BY_LEN[n].get(key)
                if canon is not None:
                    raw = " ".join(w[2] for w in words[i : i + n])
                    tokens.append(Token(canon, LEGAL, False, raw))
                    i += n
                    break
        else:
            word, abjad, raw = words[i]
            weak = _WEAK_LEGAL.get(word)
            if weak is not None and person is not True and i > 0 and i >= tail:
                tokens.append(Token(weak, LEGAL, False, raw))
            else:
                tokens.append(Token(word, CORE, abjad, raw))
            i += 1
    return NormalizedName(tuple(tokens), tuple(dropped), reordered)


# --- token keys --------------------------------------------------------------------------------------------

_VOWELS = frozenset("aeiouy")
_PHON_MULTI = (
    ("tsch", "C"), ("sch", "S"), ("dzh", "J"), ("tch", "C"), ("sh", "S"), ("ch", "C"), ("zh", "J"), ("dj", "J"),
    ("ph", "f"), ("th", "t"), ("dh", "d"), ("gh", "g"), ("kh", "h"), ("ck", "k"), ("cz", "C"), ("ts", "z"),
    ("tz", "z"), ("ks", "x"),
)  # fmt: skip
_PHON_ONE = str.maketrans({"q": "k", "w": "v", "z": "s", "j": "J", "x": "x"})
_VOWEL_CLASS = {"a": "A", "e": "I", "i": "I", "y": "I", "o": "U", "u": "U"}


def _phon_symbols(token: str) -> str:
    s = token
    if s.startswith("x"):
        s = "s" + s[1:]  # Pinyin Xi = Shi = Si
    # Plain replacements in this order (longest spellings first) are several times faster than a regex.
    for spelling, symbol in _PHON_MULTI:
        if spelling in s:
            s = s.replace(spelling, symbol)
    if "c" in s:
        s = s.replace("ce", "se").replace("ci", "si").replace("cy", "sy").replace("c", "k")
    return s.translate(_PHON_ONE)


def phonetic_keys(token: str) -> tuple[str, str]:
    """(strict, loose) phonetic keys of a lowercase ASCII token; ours, in the spirit of Metaphone.

    Both map spellings of one sound to one symbol (``ph``/``f``, ``kh``/``h``, ``sch``/``sh``,
    ``c``/``k``/``q``, ``z``/``s``, ``w``/``v``), drop ``h`` except at the start or between vowels
    and collapse doubled letters. The strict key keeps three vowel classes (a; e/i/y; o/u) so
    ``jon``/``john`` and ``xi``/``shi`` agree but ``kim``/``kam`` do not; the loose key keeps only
    where vowels are, so ``mohammed``/``muhammad`` agree (used for tokens of 5 letters or more).
    Digits are kept as they are.
    """
    s = _phon_symbols(token)
    strict: list[str] = []
    loose: list[str] = []
    prev_vowel = False
    n = len(s)
    for i, ch in enumerate(s):
        if ch in _VOWELS:
            if not prev_vowel:
                strict.append(_VOWEL_CLASS[ch])
                loose.append("A")
            prev_vowel = True
            continue
        if ch == "h" and i > 0 and not (prev_vowel and i + 1 < n and s[i + 1] in _VOWELS):
            continue
        prev_vowel = False
        if strict and strict[-1] == ch:
            continue
        strict.append(ch)
        loose.append(ch)
    return "".join(strict), "".join(loose)


# Only digraphs whose Latin spellings vary are merged: Arabic romanizes one letter as "kh", "sh", "dh",
# "th" or "gh", but two letters in a row can spell the same pairs (د + ح), so those stay two letters
# on both sides.
_SKEL_MULTI_RE = re.compile("sch|ch|ph|zh|dj|ck|ou")
_SKEL_MULTI = {"sch": "sh", "ch": "sh", "ph": "f", "zh": "J", "dj": "J", "ck": "k", "ou": "u"}
_SKEL_ONE = str.maketrans({"q": "k", "c": "k", "x": "K", "j": "J", "p": "b"})
# Letters an abjad writes in more than one way: Latin v is Arabic f (or Persian w, left out like a
# vowel), Latin g is Arabic j or gh. The first letter keeps w/v/y: there they are consonants.
_SKEL_CHOICES = {"v": ("f", ""), "g": ("J", "gh"), "K": ("ks",)}
_SKEL_DROP = frozenset("aeiouyw'")
_MAX_SKELETONS = 4


def skeletons(token: str) -> tuple[str, ...]:
    """Consonant skeletons of a lowercase ASCII token, for names written in an abjad (first one = main).

    Arabic and Hebrew script leave out short vowels and write long ones as consonant letters, so
    ``محمد`` (``mhmd``) and ``Mohammed`` meet only as skeletons: spellings that vary merged (``ch``/``sch``
    -> ``sh``, ``ph`` -> ``f``, ``c``/``k``/``q``, ``p``/``b``), vowels and ``w``/``y`` dropped except as
    the first letter, doubled letters collapsed: ``mohammed`` -> ``mhmd``, ``hussein``/``husayn`` ->
    ``hsn``. Ambiguous letters give more than one skeleton
    (``sazgar`` -> ``szJr``, ``szghr``).
    """
    s = _SKEL_MULTI_RE.sub(lambda m: _SKEL_MULTI[m.group(0)], token).translate(_SKEL_ONE)
    forms = [""]
    for i, ch in enumerate(s):
        if i == 0 and ch in "wvy":
            choices: tuple[str, ...] = ("w", "f") if ch == "v" else (ch,)
        elif ch in _SKEL_DROP:
            continue
        else:
            choices = _SKEL_CHOICES.get(ch, (ch,))
        if len(choices) == 1 or len(forms) * len(choices) > _MAX_SKELETONS:
            forms = [f + choices[0] for f in forms]
        else:
            forms = [f + c for f in forms for c in choices]
    out: list[str] = []
    for form in forms:
        collapsed = "".join(c for k, c in enumerate(form) if k == 0 or form[k - 1] != c)
        if collapsed not in out:
            out.append(collapsed)
    return tuple(out)


def skeleton(token: str) -> str:
    """The main consonant skeleton of a token (see :func:`skeletons`)."""
    return skeletons(token)[0]
