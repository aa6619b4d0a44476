"""Regulated-kind signals on a complaint (pure engine, no Django import).

:func:`detect_signals` reads a complaint's narrative, product class, channel, CFPB tags and the
consumer's age, and flags the kinds that carry legal duties, so that an agent confirms them and the
right clocks start:

- ``reg_e_error`` (12 CFR 1005.11(a)): an EFT error (unauthorized or wrong transfer, ATM, debit card,
  ACH, Zelle, missing deposit...) on a deposit, prepaid or money-transfer product (on a card class,
  only a prepaid or debit card story).
- ``reg_z_billing_error`` (12 CFR 1026.13(a)): a credit-card billing error (charge not made or
  authorized, wrong amount, goods not delivered, duplicate, payment not credited, statement not sent).
- ``cfpb_portal`` (CFPB company portal): the complaint came through the CFPB portal (channel).
- ``udaap`` (12 USC 5531, 5536): deceptive, unfair or abusive practice words.
- ``fair_lending`` (ECOA 15 USC 1691(a), 12 CFR 1002.4; Fair Housing Act): a prohibited basis tied to a
  credit decision (a discrimination cue near the basis, or "because of my <basis>").
- ``elder_abuse`` (FinCEN FIN-2022-A002): an older victim (Older American tag, age >= 62, elderly
  words) together with exploitation words.

These are *signals* for a person to confirm, not determinations. Matching is on word-boundary,
case-insensitive regular expressions over the narrative with whitespace collapsed; a phrase that a
nearby "not / no / never / n't / without" negates (same clause, at most two content words before it;
"I was not discriminated against", "there were no hidden fees") does not count. Phrases that state
the negation themselves ("I did not authorize") are written as such and are not negation-checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CREDIT_CARD_PRODUCT_MARKERS",
    "CREDIT_PRODUCT_MARKERS",
    "EFT_IMPLIED_PRODUCT_MARKERS",
    "EFT_PRODUCT_MARKERS",
    "OLDER_AMERICAN_AGE",
    "Signal",
    "SignalCode",
    "detect_signals",
]

# --- product classes this module depends on -------------------------------------------------------
# Kept here in one place so they can be aligned with engine/taxonomy.py's canonical classes. A
# product class is normalised (lower case; "_", "-", "," and "/" become spaces) and matched on these
# word markers, so the taxonomy's ProductClass values (checking_savings, credit_card -- which also
# holds prepaid cards --, money_transfer, mortgage, consumer_loan, student_loan; credit_reporting,
# debt_collection and debt_management match nothing) and raw CFPB product names of every era
# ("Checking or savings account", "Bank account or service", "Credit card or prepaid card",
# "Money transfers") all work.

EFT_PRODUCT_MARKERS: tuple[str, ...] = (
    "checking",
    "savings",
    "bank account",
    "deposit",
    "prepaid",
    "payroll card",
    "debit card",
    "money transfer",
    "money service",
    "remittance",
)
"""Products whose accounts take electronic fund transfers (Reg E, 12 CFR 1005.2(b), 1005.3)."""

EFT_IMPLIED_PRODUCT_MARKERS: tuple[str, ...] = (
    "prepaid",
    "payroll card",
    "money transfer",
    "money service",
    "remittance",
)
"""Products where every disputed movement is an EFT, so the narrative need not name the instrument
(ignored when the class also names "credit card", e.g. the combined "credit card or prepaid card")."""

CREDIT_CARD_PRODUCT_MARKERS: tuple[str, ...] = ("credit card",)
"""Credit card products (Reg Z billing errors, 12 CFR 1026.13). A card class may also hold prepaid
cards, so a prepaid or debit card story on it is a Reg E signal instead."""

CREDIT_PRODUCT_MARKERS: tuple[str, ...] = (
    "credit card",
    "mortgage",
    "loan",
    "lease",
    "line of credit",
    "home equity",
    "heloc",
)
"""Credit products: a complaint about one is already about a credit decision (ECOA, 12 CFR 1002)."""

OLDER_AMERICAN_AGE = 62
"""CFPB "Older American" tag: consumers aged 62 and over (REGULATORY_FACTS 3.1)."""


class SignalCode(StrEnum):
    """Regulated kinds :func:`detect_signals` can flag."""

    REG_E_ERROR = "reg_e_error"
    REG_Z_BILLING_ERROR = "reg_z_billing_error"
    CFPB_PORTAL = "cfpb_portal"
    UDAAP = "udaap"
    FAIR_LENDING = "fair_lending"
    ELDER_ABUSE = "elder_abuse"


@dataclass(frozen=True)
class Signal:
    """One regulated-kind signal.

    Attributes:
        code: :class:`SignalCode` value (a ``str``).
        label: human-readable name.
        rule: the rule the signal points to (citation).
        evidence: the matched phrases as they appear in the (whitespace-collapsed) narrative, in
            order of appearance and de-duplicated, or ``"channel=..."``, ``"tag=..."``, ``"age=..."``
            for non-text evidence.
    """

    code: SignalCode
    label: str
    rule: str
    evidence: tuple[str, ...]


_LABELS: dict[SignalCode, tuple[str, str]] = {
    SignalCode.REG_E_ERROR: ("Reg E error notice (electronic fund transfer)", "12 CFR 1005.11(a)"),
    SignalCode.REG_Z_BILLING_ERROR: ("Reg Z billing error (credit card)", "12 CFR 1026.13(a)"),
    SignalCode.CFPB_PORTAL: (
        "Received through the CFPB complaint portal",
        "CFPB company portal: respond within 15 days, close within 60 (12 USC 5534(b))",
    ),
    SignalCode.UDAAP: ("UDAAP signal (unfair, deceptive or abusive)", "12 USC 5531, 5536"),
    SignalCode.FAIR_LENDING: (
        "Fair-lending signal (prohibited basis in a credit decision)",
        "ECOA 15 USC 1691(a), 12 CFR 1002.4(a); Fair Housing Act 42 USC 3605",
    ),
    SignalCode.ELDER_ABUSE: (
        "Elder financial exploitation signal",
        "FinCEN Advisory FIN-2022-A002; CFPB Older American tag (62+)",
    ),
}

_CFPB_CHANNELS = frozenset({"cfpb_portal", "cfpb"})

# --- matching helpers --------------------------------------------------------------------------------

_FLAGS = re.IGNORECASE
# "didn't", "didnt", "did not"... narratives often drop the apostrophe.
_NEG_VERB = (
    r"(?:did not|didn'?t|do not|don'?t|does not|doesn'?t|never|was not|wasn'?t|were not|weren'?t|"
    r"has not|hasn'?t|have not|haven'?t|had not|hadn'?t|failed to)"
)
# "I did not make / authorize this": the consumer denies the transfer (not "it doesn't make sense").
_NOT_MINE = (
    r"\b(?:did not|didn'?t|never|have not|haven'?t|had not|hadn'?t) "
    r"(?:make|made|authori[sz]e|authori[sz]ed|approve|approved|initiate|initiated)\b(?! (?:any )?sense)|"
    r"\b(?:do not|don'?t|did not|didn'?t|does not|doesn'?t) recogni[sz]e\b"
)
# A consumer disputing a transaction is giving the error notice itself (1005.11(b), 1026.13(b)).
_DISPUTE_OF = (
    r"\bdisput(?:e|ed|ing) (?:the |a |this |that |these |those |my |an |several |two |three |all )?"
    r"(?:\w+ )?(?:{objects})\b"
)
_DISPUTE_FILED = r"\b(?:submitted|filed|opened|made|initiated|file|open|submit|make) (?:a |an )?(?:dispute|claim)\b"
_NEGATORS = frozenset({"not", "no", "never", "without", "nor", "neither", "none", "cannot"})
_NEGATOR_CONTRACTIONS = frozenset(
    {"dont", "didnt", "doesnt", "wasnt", "werent", "isnt", "arent", "cant", "couldnt", "wouldnt", "havent", "hasnt"}
)
# Words skipped when looking back for a negator: they sit between "not" and the phrase it negates
# ("I don't think I was discriminated against") without changing the meaning.
_FILLERS = frozenset(
    {
        "i", "we", "you", "he", "she", "it", "they", "me", "us", "him", "her", "them", "was", "were", "is",
        "are", "am", "be", "been", "being", "do", "does", "did", "have", "has", "had", "that", "this",
        "really", "actually", "ever", "a", "an", "the", "think", "believe", "feel", "say", "saying",
        "would", "will", "could", "should", "can", "may", "might", "any", "at", "all",
    }
)  # fmt: skip
# "no doubt I was discriminated" is an assertion, not a denial.
_NEGATION_BREAKERS = frozenset({"doubt", "question", "only"})
_CLAUSE_BREAK = re.compile(r"[.;:!?,()\"]|\bbut\b|\bhowever\b|\bthough\b", _FLAGS)
_WORD = re.compile(r"[a-z']+")


def _negated(text: str, start: int) -> bool:
    """Whether the phrase at ``text[start:]`` is negated within its clause (see the module docstring)."""
    clause = _CLAUSE_BREAK.split(text[max(0, start - 80) : start])[-1]
    content_words = 0
    for word in reversed(_WORD.findall(clause.lower())):
        if word in _NEGATION_BREAKERS:
            return False
        if word in _NEGATORS or word in _NEGATOR_CONTRACTIONS or word.endswith("n't"):
            return True
        if word in _FILLERS:
            continue
        content_words += 1
        if content_words >= 2:
            return False
    return False


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    negatable: bool


def _p(*regexes: str, negatable: bool = True) -> list[_Pattern]:
    """One alternation of ``regexes`` (one scan of the text instead of one per phrase).

    At a given position the first listed alternative that matches wins, so list longer phrases first.
    """
    return [_Pattern(re.compile("|".join(f"(?:{r})" for r in regexes), _FLAGS), negatable)]


@dataclass(frozen=True)
class _Hit:
    phrase: str
    start: int
    end: int


def _find(patterns: Iterable[_Pattern], text: str) -> list[_Hit]:
    """Non-negated matches of ``patterns`` in ``text``, in order of position."""
    hits = []
    for pat in patterns:
        for m in pat.regex.finditer(text):
            if pat.negatable and _negated(text, m.start()):
                continue
            hits.append(_Hit(m.group(0), m.start(), m.end()))
    hits.sort(key=lambda h: (h.start, -h.end))
    return hits


def _evidence(*groups: Iterable[_Hit], extra: Iterable[str] = ()) -> tuple[str, ...]:
    """``extra`` then the hits' phrases by position, without repeats or phrases inside an earlier hit."""
    out: list[str] = list(extra)
    covered_to = -1
    for hit in sorted((h for g in groups for h in g), key=lambda h: (h.start, -h.end)):
        if hit.end <= covered_to:
            continue
        covered_to = max(covered_to, hit.end)
        if hit.phrase not in out:
            out.append(hit.phrase)
    return tuple(out)


def _normalise_product(product_class: str | None) -> str:
    if not product_class:
        return ""
    return " ".join(re.sub(r"[_\-,/]", " ", product_class.lower()).split())


def _has_marker(product: str, markers: Iterable[str]) -> bool:
    return any(re.search(rf"\b{re.escape(m)}", product) for m in markers)


# --- Reg E (12 CFR 1005.11(a)) ---------------------------------------------------------------------

# Instruments that make a transfer electronic even when the product is unknown.
_EFT_STRONG = _p(
    r"\batms?\b",
    r"\bdebit cards?\b",
    r"\bcheck cards?\b",
    r"\bprepaid cards?\b",
    r"\bpayroll cards?\b",
    r"\bach\b",
    r"\bzelle\b",
    r"\bvenmo\b",
    r"\bcash ?app\b",
    r"\bpaypal\b",
    r"\belectronic (?:funds? |money )?transfers?\b",
    r"\beft\b",
    r"\bdirect deposits?\b",
    r"\b(?:online|mobile|electronic|p2p|person[- ]to[- ]person) (?:banking )?(?:transfers?|payments?)\b",
    r"\bpoint[- ]of[- ]sale\b",
    r"\bpos\b",
    r"\bbill ?pay\b",
    r"\bauto(?:matic)?[- ]?(?:pay|payments?|debits?|withdrawals?)\b",
    negatable=False,
)
# Words that name an EFT only on a deposit / prepaid / money-transfer product.
_EFT_WEAK = _p(
    r"\btransfer(?:s|red)?\b",
    r"\bwithdrawals?\b",
    r"\bdeposits?\b",
    r"\bcards?\b",
    r"\bdebit(?:s|ed)?\b",
    r"\bpin\b",
    negatable=False,
)
_REG_E_ERRORS = _p(
    r"\bunauthori[sz]ed\b",
    r"\bfraud(?:ulent|ulently)?\b",
    r"\bstolen\b",
    r"\bunrecogni[sz]ed\b",
    r"\b(?:wrong|incorrect) amount\b",
    r"\b(?:charged|debited|withdrawn|taken out) twice\b",
    r"\bdouble[- ]?(?:charged|debited)\b",
    r"\bduplicate (?:charges?|transactions?|withdrawals?|debits?|payments?|transfers?)\b",
    r"\b(?:bookkeeping|computational|posting) errors?\b",
    r"\berrors? (?:on|in) my (?:bank )?(?:statement|account)\b",
    r"\bmissing (?:deposits?|funds|money|transfers?|payments?)\b",
    _DISPUTE_OF.format(objects=r"charges?|transactions?|transfers?|withdrawals?|debits?|payments?|deposits?"),
    _DISPUTE_FILED,
) + _p(
    _NOT_MINE,
    rf"\b{_NEG_VERB} (?:receive|get) (?:the |my |any |our )?(?:money|funds|cash|deposits?|transfers?|payments?)\b",
    r"\bwithout my (?:permission|authori[sz]ation|consent|knowledge)\b",
    r"\bnot authori[sz]ed by me\b",
    r"\b(?:deposits?|transfers?|funds|money|payments?) (?:is |was |were |are |has been |have been |had been )?"
    r"(?:missing|never (?:received|credited|posted|arrived)|not (?:received|credited|posted))\b",
    rf"\b(?:atm|machine) (?:{_NEG_VERB}|failed to) (?:dispense|give|pay)\b",
    r"\bdispensed (?:less|only|the wrong|no)\b",
    negatable=False,
)

# --- Reg Z (12 CFR 1026.13(a)) ---------------------------------------------------------------------

_PREPAID_OR_DEBIT = _p(r"\bprepaid\b", r"\bdebit cards?\b", r"\bpayroll cards?\b", negatable=False)
_CREDIT_CARD_WORDS = _p(r"\bcredit cards?\b", negatable=False)
_REG_Z_ERRORS = _p(
    # 13(a)(1): an extension of credit not made by the consumer
    r"\b(?:unauthori[sz]ed|fraudulent|unrecogni[sz]ed) (?:charges?|transactions?|purchases?)\b",
    # 13(a)(5): computational errors, wrong amounts
    r"\b(?:wrong|incorrect) (?:amounts?|charges?|balance|interest|finance charges?)\b",
    r"\bovercharg(?:ed|ing)\b",
    r"\bmiscalculat\w*",
    r"\bbilling errors?\b",
    r"\b(?:charged|billed) twice\b",
    r"\bdouble[- ]?(?:charged|billed)\b",
    r"\bduplicate (?:charges?|transactions?|billing|purchases?)\b",
    # a consumer's dispute of a charge is the billing-error notice itself
    _DISPUTE_OF.format(objects=r"charges?|transactions?|purchases?"),
    _DISPUTE_FILED,
    r"\bcharge ?backs?\b",
) + _p(
    _NOT_MINE,
    # 13(a)(3): property or services not accepted or not delivered as agreed
    r"\b(?:items?|orders?|merchandise|products?|goods|packages?|services?|tickets?)\b[^.;!?]{0,25}"
    r"\b(?:never|not|wasn'?t|weren'?t) (?:received|delivered|shipped|arrived|provided|rendered)\b",
    rf"\b{_NEG_VERB} (?:receive|get) (?:the|my|any) "
    r"(?:items?|orders?|merchandise|products?|goods|packages?|refunds?)\b",
    r"\brefunds? (?:was |were |has |have )?(?:not|never) (?:been )?(?:credited|issued|received|posted|applied)\b",
    # 13(a)(4): failure to credit a payment
    r"\bpayments? (?:was |were |has |have |had )?(?:not|never) (?:been )?(?:credited|posted|applied|received)\b",
    rf"\b{_NEG_VERB} (?:credit|post|apply) (?:my|the|a) payments?\b",
    r"\bpayments? (?:was |were )?misapplied\b",
    # 13(a)(7): statement not received at the address
    rf"\b{_NEG_VERB} (?:receive|get) (?:a |my |the |any )?(?:billing |monthly )?statements?\b",
    negatable=False,
)

# --- UDAAP (12 USC 5531, 5536) ---------------------------------------------------------------------

_UDAAP = _p(
    r"\bdecepti(?:ve|on|vely)\b",
    r"\bdeceiv(?:e|ed|ing)\b",
    r"\bmislead(?:ing)?\b",
    r"\bmisled\b",
    r"\bmisrepresent\w*",
    r"\bmisinform\w*",
    r"\bl(?:ied|ying)\b",
    r"\bbait[- ]and[- ]switch\b",
    r"\bhidden (?:fees?|charges?|costs?|terms?)\b",
    r"\bjunk fees?\b",
    r"\bfalse (?:promises?|advertis\w*|statements?|information|claims?|pretenses)\b",
    r"\btrick(?:ed|ery)\b",
    r"\bpredatory\b",
    r"\bunfair(?:ly)?\b",
    r"\babusive\b",
    r"\b(?:took|taking|take) advantage\b",
    r"\bpressured\b",
) + _p(
    r"\b(?:never|not|wasn'?t|weren'?t) (?:disclosed|told|informed|explained)\b",
    r"\b(?:did not|didn'?t|never|failed to) (?:disclose|tell|inform|explain|mention)\b",
    r"\bopened (?:an? |new |several |multiple )?(?:accounts?|credit cards?|cards?|lines? of credit)\b[^.;!?]{0,60}"
    r"\bwithout my (?:consent|knowledge|permission|authori[sz]ation)\b",
    r"\benrolled me\b[^.;!?]{0,60}\bwithout my (?:consent|knowledge|permission)\b",
    negatable=False,
)

# --- fair lending (ECOA 12 CFR 1002.4; FHA) -------------------------------------------------------

_BASES: dict[str, re.Pattern[str]] = {
    name: re.compile(regex, _FLAGS)
    for name, regex in {
        "race or color": r"\b(?:race|racial(?:ly)?|racis[tm]|colou?r|skin|"
        r"black(?! ?(?:marks?|list|listed|friday))|african[- ]americans?|hispanics?|"
        r"latin[oax]s?|asians?|native americans?|minorit(?:y|ies))\b",
        "religion": r"\b(?:religion|religious|muslims?|islam(?:ic)?|jewish|jews?|christians?|hindus?|sikhs?|"
        r"catholics?)\b",
        "national origin": r"\b(?:national origin|ethnicity|ethnic|immigrants?|immigration status|accent|"
        r"foreign[- ]born|nationality|citizenship|mexicans?|spanish[- ]speaking)\b",
        "sex": r"\b(?:sex|gender|wom[ae]n|female|pregnan(?:t|cy)|maternity|sexual orientation|gay|lesbian|"
        r"transgender|lgbtq?)\b",
        "marital status": r"\b(?:marital status|married|unmarried|divorced|widow(?:ed|er)?|"
        r"single (?:mother|father|parent|woman|man)|spouse)\b",
        "age": r"\b(?:(?:my|his|her|their|our) age|age discrimination|ageism|ageist|too old|elderly|senior citizens?|"
        r"\d{2,3}[- ]years?[- ]old)\b",
        "public assistance": r"\b(?:public assistance|welfare|food stamps|snap benefits|"
        r"social security(?! (?:numbers?|no|card|#))|ssi|ssdi|"
        r"section 8|housing vouchers?|disability (?:income|benefits|payments)|child support|alimony)\b",
        "disability": r"\b(?:disabled|disabilit(?:y|ies)|handicap(?:ped)?|wheelchair|blind|deaf)\b",
        "familial status": r"\b(?:familial status|(?:have|having) (?:young )?(?:children|kids))\b",
    }.items()
}
_DISCRIMINATION_CUES = _p(
    r"\bdiscriminat\w*",
    r"\bredlin(?:e|ed|ing)\b",
    r"\bracis[tm]\b",
    r"\bbias(?:ed)?\b",
    r"\bprejudic\w*",
    r"\bprofil(?:ed|ing)\b",
    r"\btreated (?:me |us |them )?differently\b",
    r"\bunequal treatment\b",
)
# "denied because I am a woman", "because of my age", "based on my race".
_ATTRIBUTION = re.compile(
    r"\b(?:because(?: of)?|due to|based (?:up)?on|on account of|on the basis of) (?:the fact that )?"
    r"(?:(?:my|our|his|her|their) |(?:i am|i'm|im|we are|we're|he is|she is|he's|she's|they are) |"
    r"(?:i|we|he|she|they) (?:receive|received|get|got|collect|am on|was on|were on|have|had) )?"
    r"(?:an? |the )?$",
    _FLAGS,
)
_ATTRIBUTION_LOOKBACK = 60
_ATTRIBUTION_WORD = re.compile(r"\b(?:because|due to|based (?:up)?on|on account of|on the basis of)\b", _FLAGS)
_CUE_WINDOW = 150
_CREDIT_CONTEXT = _p(
    r"\b(?:loans?|credit|mortgages?|lend(?:s|ing|er|ers)?|underwrit\w*|applications?|appl(?:y|ied|ying)|"
    r"approv(?:e|ed|al)|denied|deny|denial|declined?|refinanc\w*|interest rates?|apr|financing|financed)\b",
    negatable=False,
)

# --- elder financial exploitation ------------------------------------------------------------------

_ELDER_VICTIM = _p(
    r"\b(?:elderly|aging|aged|senior|older) (?:mother|father|mom|dad|parents?|grandmother|grandfather|"
    r"grandparents?|aunt|uncle|relatives?|neighbou?r|woman|man|lady|gentleman|customers?|persons?|people|"
    r"citizens?|consumers?)\b",
    r"\belderly\b",
    r"\bsenior citizens?\b",
    r"\bdementia\b",
    r"\balzheimer'?s\b",
    r"\bnursing home\b",
    r"\bassisted living\b",
    negatable=False,
)
_STATED_AGE = re.compile(
    r"\b(?:(\d{2,3})[- ]years?[- ]old|(?:i am|i'm|im|aged?) (\d{2,3})(?! ?(?:%|percent|dollars|days|weeks|months))\b)",
    _FLAGS,
)
_EXPLOITATION = _p(
    r"\bscam(?:s|med|mers?)?\b",
    r"\bfraud(?:sters?|ulent|ulently)?\b",
    r"\bexploit\w*",
    r"\b(?:took|taking|take) advantage\b",
    r"\bst(?:ole|olen|ealing)\b",
    r"\btheft\b",
    r"\b(?:abus\w*|misus\w*) (?:of )?(?:the |her |his |my |their )?power of attorney\b",
    r"\bgift cards?\b",
    r"\bimpersonat\w*",
    r"\bcoerc\w*",
    r"\bmanipulat\w*",
    r"\bundue influence\b",
    r"\bforg(?:ed|ery)\b",
    r"\bdrained\b",
    r"\bunauthori[sz]ed (?:withdrawals?|transfers?|transactions?|charges?|checks?)\b",
    r"\b(?:lottery|sweepstakes)\b",
)
_OLDER_AMERICAN_TAG = "older american"


def _signal(code: SignalCode, evidence: tuple[str, ...]) -> Signal:
    label, rule = _LABELS[code]
    return Signal(code=code, label=label, rule=rule, evidence=evidence)


def _reg_e(text: str, product: str) -> Signal | None:
    errors = _find(_REG_E_ERRORS, text)
    if not errors:
        return None
    strong = _find(_EFT_STRONG, text)
    if product:
        if _has_marker(product, CREDIT_CARD_PRODUCT_MARKERS):
            # Card classes also hold prepaid cards (taxonomy's credit_card, CFPB's "Credit card or
            # prepaid card"): only a prepaid / debit card story is Reg E.
            instrument = _find(_PREPAID_OR_DEBIT, text)
        elif not _has_marker(product, EFT_PRODUCT_MARKERS):
            return None
        else:
            instrument = strong or _find(_EFT_WEAK, text)
        implied = _has_marker(product, EFT_IMPLIED_PRODUCT_MARKERS) and not _has_marker(
            product, CREDIT_CARD_PRODUCT_MARKERS
        )
        if not instrument and not implied:
            return None
    else:
        # Unknown product: only an explicitly electronic instrument counts, and not on a credit card.
        instrument = strong
        if not instrument or (_find(_CREDIT_CARD_WORDS, text) and not _find(_PREPAID_OR_DEBIT, text)):
            return None
    return _signal(SignalCode.REG_E_ERROR, _evidence(errors, instrument))


def _reg_z(text: str, product: str) -> Signal | None:
    errors = _find(_REG_Z_ERRORS, text)
    if not errors:
        return None
    card_words = _find(_CREDIT_CARD_WORDS, text)
    if product:
        if not _has_marker(product, CREDIT_CARD_PRODUCT_MARKERS):
            return None
        # The combined "credit card or prepaid card" class: a prepaid or debit card story is Reg E.
        if _find(_PREPAID_OR_DEBIT, text) and not card_words:
            return None
    elif not card_words:
        return None
    return _signal(SignalCode.REG_Z_BILLING_ERROR, _evidence(errors, card_words))


def _udaap(text: str) -> Signal | None:
    hits = _find(_UDAAP, text)
    return _signal(SignalCode.UDAAP, _evidence(hits)) if hits else None


def _fair_lending(text: str, product: str) -> Signal | None:
    credit = _find(_CREDIT_CONTEXT, text)
    if not credit and not _has_marker(product, CREDIT_PRODUCT_MARKERS):
        return None
    cues = _find(_DISCRIMINATION_CUES, text)
    if not cues and not _ATTRIBUTION_WORD.search(text):
        return None
    # "I don't think I was discriminated against because of my race" denies the attribution too.
    denied_cues = [m.start() for p in _DISCRIMINATION_CUES for m in p.regex.finditer(text) if _negated(text, m.start())]
    found: list[_Hit] = []
    bases: list[str] = []
    for basis, regex in _BASES.items():
        for m in regex.finditer(text):
            near_cue = [c for c in cues if abs(c.start - m.start()) <= _CUE_WINDOW]
            lookback = max(0, m.start() - _ATTRIBUTION_LOOKBACK)
            attribution = _ATTRIBUTION.search(text, lookback, m.start())
            if attribution is not None and (
                _negated(text, attribution.start())  # "not because of my race"
                or any(0 <= attribution.start() - c <= _ATTRIBUTION_LOOKBACK for c in denied_cues)
            ):
                attribution = None
            if attribution is not None:
                found.append(_Hit(text[attribution.start() : m.end()], attribution.start(), m.end()))
            elif near_cue:
                found.append(_Hit(m.group(0), m.start(), m.end()))
            else:
                continue
            found.extend(near_cue)
            if basis not in bases:
                bases.append(basis)
    if not bases:
        return None
    return _signal(SignalCode.FAIR_LENDING, _evidence(found, extra=[f"basis={b}" for b in bases]))


def _elder(text: str, tags: str, consumer_age: int | None) -> Signal | None:
    exploitation = _find(_EXPLOITATION, text)
    if not exploitation:
        return None
    victim: list[str] = []
    if _OLDER_AMERICAN_TAG in {t.strip().lower() for t in tags.split(",")}:
        victim.append("tag=Older American")
    if consumer_age is not None and consumer_age >= OLDER_AMERICAN_AGE:
        victim.append(f"age={consumer_age}")
    victim_hits = _find(_ELDER_VICTIM, text)
    for m in _STATED_AGE.finditer(text):
        age = int(m.group(1) or m.group(2))
        if OLDER_AMERICAN_AGE <= age <= 120:
            victim_hits.append(_Hit(m.group(0), m.start(), m.end()))
    if not victim and not victim_hits:
        return None
    return _signal(SignalCode.ELDER_ABUSE, _evidence(victim_hits, exploitation, extra=victim))


def detect_signals(
    narrative: str,
    *,
    product_class: str | None,
    channel: str | None,
    tags: str = "",
    consumer_age: int | None = None,
) -> list[Signal]:
    """Regulated-kind signals of one complaint, in :class:`SignalCode` order, at most one per code.

    Args:
        narrative: the complaint text (may be empty).
        product_class: the product class (a canonical class of ``engine.taxonomy`` or a CFPB product
            name; see the ``*_PRODUCT_MARKERS`` constants); ``None`` when not yet classified, in which
            case Reg E / Reg Z need the narrative to name the instrument (ATM, debit card, Zelle...;
            "credit card").
        channel: intake channel; ``"cfpb_portal"`` (or ``"cfpb"``, any case) flags ``cfpb_portal``.
        tags: CFPB tags, comma-separated (e.g. ``"Older American, Servicemember"``).
        consumer_age: the consumer's age in whole years, if known.

    Returns:
        ``[Signal, ...]``; see the module docstring for what each code needs.

    Raises:
        TypeError: ``narrative`` or ``tags`` is not a string.
        ValueError: ``consumer_age`` is not an integer in 0-150.
    """
    if not isinstance(narrative, str):
        raise TypeError(f"narrative: expected str, got {type(narrative).__name__}")
    if not isinstance(tags, str):
        raise TypeError(f"tags: expected str, got {type(tags).__name__}")
    if consumer_age is not None and (
        isinstance(consumer_age, bool) or not isinstance(consumer_age, int) or not 0 <= consumer_age <= 150
    ):
        raise ValueError(f"consumer_age: expected an integer 0-150 or None, got {consumer_age!r}")

    # Curly apostrophes and line breaks would defeat the phrase patterns.
    text = " ".join(narrative.replace("\u2019", "'").replace("\u2018", "'").split())
    product = _normalise_product(product_class)

    found: list[Signal | None] = [
        _reg_e(text, product),
        _reg_z(text, product),
    ]
    if channel is not None and "_".join(channel.strip().lower().replace("-", " ").split()) in _CFPB_CHANNELS:
        found.append(_signal(SignalCode.CFPB_PORTAL, (f"channel={channel}",)))
    found += [_udaap(text), _fair_lending(text, product), _elder(text, tags, consumer_age)]
    return [s for s in found if s is not None]
