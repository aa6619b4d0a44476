"""Generate realistic variations of SDN names (seeded), for the screening recall benchmark.

Writes ``benchmarks/data/screening_variations.csv`` (committed before the engine was tuned; re-running
with the same seed and list gives the same file byte for byte). Each row is one query, the SDN entry it
must find, and the kind of variation:

* ``typo``: one keyboard slip in one word of 4+ letters (neighbouring key, dropped, doubled or swapped letter);
* ``word_order``: a person's name words in another order (``LAST, First`` written ``Last First``, or rotated);
* ``glued``: two neighbouring words written as one;
* ``split``: one word of 6+ letters written as two;
* ``dropped_middle``: a middle word (middle name, patronymic) left out of a person's 3+ word name;
* ``diacritics``: accents added the way they are in other languages (José, Müller, Šimon);
* ``cyrillic``: a person of a Cyrillic-script country written in Cyrillic as a Russian speaker would;
* ``arabic``: a person of an Arabic-script country written in Arabic script (short vowels mostly left out);
* ``title_legal``: an honorific before a person's name, or a different spelling of an organization's legal form.

The transliteration tables here are the benchmark's own and deliberately independent of the engine's.

    .venv/bin/python benchmarks/screening_variations.py [--seed 20240107] [--per-kind 300]
"""

# ruff: noqa: RUF001  (Arabic and Cyrillic letters in the transliteration tables are meant)
from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from bankcrm.screening.engine import ListEntry, parse_ofac_csv_dir  # noqa: E402

SDN_DIR = REPO / "data" / "ofac-sdn" / "2023-12-28"
OUT = REPO / "benchmarks" / "data" / "screening_variations.csv"
KINDS = (
    "typo",
    "word_order",
    "glued",
    "split",
    "dropped_middle",
    "diacritics",
    "cyrillic",
    "arabic",
    "title_legal",
)
CYRILLIC_COUNTRIES = {"RU", "BY", "UA", "KZ", "KG", "TJ", "UZ", "MD", "AM", "AZ", "GE", "TM"}
ARABIC_COUNTRIES = {
    "SA", "AE", "QA", "KW", "BH", "OM", "YE", "IQ", "SY", "LB", "JO", "PS", "EG", "LY", "TN", "DZ", "MA",
    "SD", "MR", "SO", "IR", "AF", "PK",
}  # fmt: skip
_KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
_ACCENTS = {"a": "áàâä", "e": "éèêë", "i": "íï", "o": "óöô", "u": "úüù", "n": "ñ", "c": "ç", "s": "š", "z": "ž"}
_HONORIFICS = ("Mr.", "Dr.", "Mrs.", "Sheikh", "General", "Haji")
_LEGAL_SWAPS = (
    (r"\bLIMITED\b", "LTD"),
    (r"\bLTD\.?", "LIMITED"),
    (r"\bCOMPANY\b", "CO."),
    (r"\bCO\.", "COMPANY"),
    (r"\bCORPORATION\b", "CORP."),
    (r"\bINCORPORATED\b", "INC."),
    (r"\bLIMITED LIABILITY COMPANY\b", "LLC"),
    (r"\bJOINT STOCK COMPANY\b", "JSC"),
    (r"\bS\.A\.", "SA"),
)
# Latin (as OFAC writes Russian names) to Cyrillic, longest first.
_TO_CYRILLIC = (
    ("shch", "щ"), ("sch", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("yu", "ю"),
    ("ya", "я"), ("yo", "ё"), ("ye", "е"), ("iy", "ий"), ("yy", "ый"), ("a", "а"), ("b", "б"), ("v", "в"),
    ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "к"),
    ("w", "в"), ("x", "кс"), ("q", "к"), ("j", "дж"),
)  # fmt: skip
_ARABIC_CONS = (
    ("sh", "ش"), ("kh", "خ"), ("th", "ث"), ("dh", "ذ"), ("gh", "غ"), ("b", "ب"), ("t", "ت"), ("j", "ج"),
    ("h", "ح"), ("d", "د"), ("r", "ر"), ("z", "ز"), ("s", "س"), ("f", "ف"), ("q", "ق"), ("k", "ك"), ("l", "ل"),
    ("m", "م"), ("n", "ن"), ("w", "و"), ("y", "ي"), ("g", "غ"), ("p", "ب"), ("v", "ف"), ("c", "ك"), ("x", "كس"),
)  # fmt: skip


def _words(name: str) -> list[str]:
    """Name words in reading order (``PUTIN, Vladimir`` -> ``Vladimir PUTIN``)."""
    parts = name.split(",")
    if len(parts) == 2 and parts[1].strip():
        name = f"{parts[1]} {parts[0]}"
    return [w for w in name.replace(",", " ").split() if w]


def _typo(rng: random.Random, name: str) -> str | None:
    words = _words(name)
    idx = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 4]
    if not idx:
        return None
    i = rng.choice(idx)
    w = words[i]
    letters = [k for k, c in enumerate(w) if c.isalpha()]
    k = rng.choice(letters[1:] if len(letters) > 1 else letters)
    op = rng.choice(("neighbour", "drop", "double", "swap"))
    c = w[k].lower()
    if op == "neighbour":
        row = next((r for r in _KEYBOARD if c in r), None)
        if row is None:
            return None
        j = row.index(c)
        repl = row[j - 1] if j and (j == len(row) - 1 or rng.random() < 0.5) else row[j + 1]
        w = w[:k] + (repl.upper() if w[k].isupper() else repl) + w[k + 1 :]
    elif op == "drop":
        w = w[:k] + w[k + 1 :]
    elif op == "double":
        w = w[:k] + w[k] + w[k:]
    else:
        if k + 1 >= len(w) or not w[k + 1].isalpha() or w[k] == w[k + 1]:
            return None
        w = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    words[i] = w
    return " ".join(words)


def _word_order(rng: random.Random, name: str) -> str | None:
    words = _words(name)
    if len(words) < 2:
        return None
    if "," in name and rng.random() < 0.5:
        # "PUTIN, Vladimir Vladimirovich" written surname first without the comma.
        last, first = name.split(",", 1)
        return f"{last.strip()} {first.strip()}"
    shuffled = words[:]
    while shuffled == words:
        rng.shuffle(shuffled)
    return " ".join(shuffled)


def _glued(rng: random.Random, name: str) -> str | None:
    words = _words(name)
    pairs = [i for i in range(len(words) - 1) if words[i].isalpha() and words[i + 1].isalpha()]
    if not pairs or len(words) < 2:
        return None
    i = rng.choice(pairs)
    return " ".join([*words[:i], words[i] + words[i + 1], *words[i + 2 :]])


def _split(rng: random.Random, name: str) -> str | None:
    words = _words(name)
    idx = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 6]
    if not idx:
        return None
    i = rng.choice(idx)
    w = words[i]
    cut = rng.randrange(3, len(w) - 2)
    return " ".join([*words[:i], w[:cut], w[cut:], *words[i + 1 :]])


def _dropped_middle(rng: random.Random, name: str) -> str | None:
    words = _words(name)
    if len(words) < 3:
        return None
    i = rng.randrange(1, len(words) - 1)
    return " ".join(words[:i] + words[i + 1 :])


def _diacritics(rng: random.Random, name: str) -> str | None:
    chars = list(name)
    spots = [k for k, c in enumerate(chars) if c.lower() in _ACCENTS]
    if not spots:
        return None
    for k in rng.sample(spots, min(len(spots), rng.randint(1, 3))):
        accented = rng.choice(_ACCENTS[chars[k].lower()])
        chars[k] = accented.upper() if chars[k].isupper() else accented
    return "".join(chars)


def _cyrillic(rng: random.Random, name: str) -> str | None:
    out = []
    for word in _words(name):
        w = word.lower()
        if not w.isalpha():
            return None
        res = ""
        i = 0
        while i < len(w):
            if w[i] == "y" and i > 0 and w[i - 1] in "aeiou" and (i + 1 == len(w) or w[i + 1] not in "aeiou"):
                res += "й"
                i += 1
                continue
            if w[i] == "e" and (i == 0 or w[i - 1] in "aeiou"):
                res += "э" if i == 0 else "е"
                i += 1
                continue
            for lat, cyr in _TO_CYRILLIC:
                if w.startswith(lat, i):
                    res += cyr
                    i += len(lat)
                    break
            else:
                return None
        out.append(res.capitalize())
    return " ".join(out)


def _arabic_word(rng: random.Random, w: str) -> str | None:
    res = ""
    prev = ""  # the Latin consonant just before, to write doubled consonants once (shadda omitted)
    i = 0
    while i < len(w):
        ch = w[i]
        if ch in "aeiou":
            run = re.match(r"[aeiou]+", w[i:])
            assert run is not None
            vowels = run.group(0)
            first, final = i == 0, i + len(vowels) == len(w)
            if first:
                res += "إ" if vowels[0] in "ie" else "أ" if vowels[0] in "a" else "أو"
            elif final:
                res += "ة" if vowels[-1] == "a" and rng.random() < 0.5 else "ا" if vowels[-1] == "a" else "ي"
            elif len(vowels) > 1 or rng.random() < 0.4:
                # Long vowels are written, short ones mostly not.
                res += "ا" if vowels[0] == "a" else "ي" if vowels[0] in "ie" else "و"
            i += len(vowels)
            prev = ""
            continue
        for lat, ara in _ARABIC_CONS:
            if w.startswith(lat, i):
                if lat != prev:
                    res += ara
                prev = lat
                i += len(lat)
                break
        else:
            return None
    return res


def _arabic(rng: random.Random, name: str) -> str | None:
    out: list[str] = []
    words = [w.lower() for w in _words(name)]
    i = 0
    while i < len(words):
        w = words[i]
        if not re.fullmatch(r"[a-z\-']+", w):
            return None
        w = w.replace("'", "")
        if w in ("al", "el") and i + 1 < len(words):
            nxt = _arabic_word(rng, words[i + 1].replace("'", ""))
            if nxt is None:
                return None
            out.append("ال" + nxt)
            i += 2
            continue
        pieces = []
        for part in w.split("-"):
            if part in ("al", "el"):
                pieces.append("ال")
                continue
            conv = _arabic_word(rng, part)
            if conv is None:
                return None
            pieces.append(conv)
        out.append("".join(pieces) if pieces and pieces[0] == "ال" else " ".join(pieces))
        i += 1
    return " ".join(out)


def _title_legal(rng: random.Random, entry: ListEntry) -> str | None:
    if entry.entity_type == "person":
        return f"{rng.choice(_HONORIFICS)} {' '.join(_words(entry.name))}"
    swaps = [(p, r) for p, r in _LEGAL_SWAPS if re.search(p, entry.name)]
    if not swaps:
        return None
    pattern, repl = rng.choice(swaps)
    return re.sub(pattern, repl, entry.name, count=1)


def _eligible(entry: ListEntry) -> bool:
    words = _words(entry.name)
    letters = [w for w in words if sum(c.isalpha() for c in w) >= 2]
    return len(letters) >= 2 or (len(letters) == 1 and len(letters[0]) >= 6)


def generate(seed: int, per_kind: int) -> list[dict[str, str]]:
    """The variation rows for ``seed``: ``per_kind`` per kind (fewer where too few entries qualify)."""
    entries = [e for e in parse_ofac_csv_dir(SDN_DIR, "ofac-sdn") if _eligible(e)]
    rows: list[dict[str, str]] = []
    for kind in KINDS:
        rng = random.Random(f"{seed}:{kind}")
        pool = entries
        if kind in ("word_order", "dropped_middle"):
            pool = [e for e in entries if e.entity_type == "person"]
        elif kind == "cyrillic":
            pool = [e for e in entries if e.entity_type == "person" and CYRILLIC_COUNTRIES & set(e.countries)]
        elif kind == "arabic":
            pool = [e for e in entries if e.entity_type == "person" and ARABIC_COUNTRIES & set(e.countries)]
        order = pool[:]
        rng.shuffle(order)
        made = 0
        for entry in order:
            if made >= per_kind:
                break
            if kind == "title_legal":
                query = _title_legal(rng, entry)
            else:
                func = globals()[f"_{kind}"]
                query = func(rng, entry.name)
            if not query or query.strip().lower() == entry.name.strip().lower():
                continue
            rows.append(
                {
                    "kind": kind,
                    "query": query,
                    "entry_id": entry.entry_id,
                    "listed_name": entry.name,
                    "entity_type": entry.entity_type,
                }
            )
            made += 1
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=20240107)
    p.add_argument("--per-kind", type=int, default=300)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    rows = generate(args.seed, args.per_kind)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["kind", "query", "entry_id", "listed_name", "entity_type"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} variations written to {args.out} (seed {args.seed})")


if __name__ == "__main__":
    main()
