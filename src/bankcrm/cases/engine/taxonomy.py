"""CFPB complaint vocabulary as data (no Django import): product classes, responses, channels, CCDB columns.

Source: the CFPB Consumer Complaint Database (CCDB) field reference and product lists, as summarised in
REGULATORY_FACTS.md section 3.1. The CFPB renamed and regrouped its products twice (April 2017 and
2023), so a complaint's raw ``Product`` string depends on when it was filed. This module maps every
raw product name of every era onto one **canonical product class**, so complaints, models and reports
compare across eras.

Mapping (raw CFPB product, any era -> class). Raw names are matched after trimming and case folding.

=====================  ==========================================================================
class                  raw product names
=====================  ==========================================================================
checking_savings       "Checking or savings account" (2017-); "Bank account or service" (-2017)
credit_card            "Credit card" (-2017 and 2023-); "Prepaid card" (-2017 and 2023-);
                       "Credit card or prepaid card" (2017-2023). One class, as issue 6 asks: the
                       CFPB itself filed both under one product from 2017 to 2023, so no
                       era-consistent split exists.
credit_reporting       "Credit reporting" (-2017); "Credit reporting, credit repair services, or other
                       personal consumer reports" (2017-2023); "Credit reporting or other personal
                       consumer reports" (2023-). Credit repair complaints of 2017-2023 therefore land
                       here, although the 2023 taxonomy moved credit repair to "Debt or credit
                       management".
debt_collection        "Debt collection" (all eras)
debt_management        "Debt or credit management" (2023-; no earlier name covers it exactly)
money_transfer         "Money transfer, virtual currency, or money service" (2017-); "Money
                       transfers" and "Virtual currency" (-2017); "Other financial service" (-2017):
                       in April 2017 the CFPB moved most of its sub-products (check cashing, money
                       orders, foreign currency exchange, traveler's and cashier's checks, refund
                       anticipation checks, debt settlement) into the money-service product.
mortgage               "Mortgage" (all eras)
consumer_loan          "Payday loan" and "Consumer Loan" (-2017); "Payday loan, title loan, or
                       personal loan" and "Vehicle loan or lease" (2017-2023); "Payday loan, title
                       loan, personal loan, or advance loan" (2023-). Merged because the pre-2017
                       "Consumer Loan" held vehicle loans and leases *and* installment, title and
                       pawn loans and lines of credit, which 2017 split across the two current
                       products; a product-only row of that era (the supplement has 226, about half
                       of them about vehicles) cannot be assigned to either.
student_loan           "Student loan" (all eras)
=====================  ==========================================================================

Each class has a display name made of its current CFPB product name(s), and :func:`current_product`
gives the one current CFPB product of a row when its sub-product settles it (for the two merged
classes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProductClass(StrEnum):
    """Canonical product class: CFPB products merged across the eras (see the module docstring)."""

    CHECKING_SAVINGS = "checking_savings"
    CREDIT_CARD = "credit_card"
    CREDIT_REPORTING = "credit_reporting"
    DEBT_COLLECTION = "debt_collection"
    DEBT_MANAGEMENT = "debt_management"
    MONEY_TRANSFER = "money_transfer"
    MORTGAGE = "mortgage"
    CONSUMER_LOAN = "consumer_loan"
    STUDENT_LOAN = "student_loan"


class CurrentProduct(StrEnum):
    """The CFPB product values in use since the 2023 renaming (REGULATORY_FACTS.md 3.1)."""

    CHECKING_SAVINGS = "Checking or savings account"
    CREDIT_CARD = "Credit card"
    CREDIT_REPORTING = "Credit reporting or other personal consumer reports"
    DEBT_COLLECTION = "Debt collection"
    DEBT_MANAGEMENT = "Debt or credit management"
    MONEY_TRANSFER = "Money transfer, virtual currency, or money service"
    MORTGAGE = "Mortgage"
    PAYDAY_PERSONAL_LOAN = "Payday loan, title loan, personal loan, or advance loan"
    PREPAID_CARD = "Prepaid card"
    STUDENT_LOAN = "Student loan"
    VEHICLE_LOAN = "Vehicle loan or lease"


@dataclass(frozen=True, slots=True)
class ProductClassInfo:
    """One class: its current CFPB product(s) (the first is the default) and every raw name mapped to it."""

    product_class: ProductClass
    current_products: tuple[CurrentProduct, ...]
    raw_names: tuple[str, ...]

    @property
    def display_name(self) -> str:
        """The current CFPB product name; ``" / "``-joined for the two merged classes."""
        return " / ".join(p.value for p in self.current_products)


_C, _P = ProductClass, CurrentProduct

#: Every class with its current products and the raw product names (all eras) that map to it.
PRODUCT_CLASSES: dict[ProductClass, ProductClassInfo] = {
    info.product_class: info
    for info in (
        ProductClassInfo(
            _C.CHECKING_SAVINGS, (_P.CHECKING_SAVINGS,), ("Checking or savings account", "Bank account or service")
        ),
        ProductClassInfo(
            _C.CREDIT_CARD,
            (_P.CREDIT_CARD, _P.PREPAID_CARD),
            ("Credit card", "Prepaid card", "Credit card or prepaid card"),
        ),
        ProductClassInfo(
            _C.CREDIT_REPORTING,
            (_P.CREDIT_REPORTING,),
            (
                "Credit reporting or other personal consumer reports",
                "Credit reporting, credit repair services, or other personal consumer reports",
                "Credit reporting",
            ),
        ),
        ProductClassInfo(_C.DEBT_COLLECTION, (_P.DEBT_COLLECTION,), ("Debt collection",)),
        ProductClassInfo(_C.DEBT_MANAGEMENT, (_P.DEBT_MANAGEMENT,), ("Debt or credit management",)),
        ProductClassInfo(
            _C.MONEY_TRANSFER,
            (_P.MONEY_TRANSFER,),
            (
                "Money transfer, virtual currency, or money service",
                "Money transfers",
                "Virtual currency",
                "Other financial service",
            ),
        ),
        ProductClassInfo(_C.MORTGAGE, (_P.MORTGAGE,), ("Mortgage",)),
        ProductClassInfo(
            _C.CONSUMER_LOAN,
            (_P.PAYDAY_PERSONAL_LOAN, _P.VEHICLE_LOAN),
            (
                "Payday loan, title loan, personal loan, or advance loan",
                "Payday loan, title loan, or personal loan",
                "Payday loan",
                "Vehicle loan or lease",
                "Consumer Loan",
            ),
        ),
        ProductClassInfo(_C.STUDENT_LOAN, (_P.STUDENT_LOAN,), ("Student loan",)),
    )
}

_RAW_TO_CLASS: dict[str, ProductClass] = {
    name.casefold(): info.product_class for info in PRODUCT_CLASSES.values() for name in info.raw_names
}

#: Sub-products (folded) that make a row of a merged class a "Prepaid card" or a "Vehicle loan or lease".
#: Prepaid: the 2017-2023 sub-products of "Credit card or prepaid card" that are prepaid products.
#: Vehicle: the pre-2017 "Consumer Loan" sub-products "Vehicle loan" and "Vehicle lease".
_PREPAID_SUB_PRODUCTS = frozenset(
    s.casefold()
    for s in (
        "General-purpose prepaid card",
        "Government benefit card",
        "Gift card",
        "Payroll card",
        "Student prepaid card",
    )
)
_VEHICLE_SUB_PRODUCTS = frozenset(s.casefold() for s in ("Vehicle loan", "Vehicle lease"))


def canonical_product(raw: str) -> ProductClass:
    """The canonical class of a raw CFPB ``Product`` value of any era (see the module docstring).

    Args:
        raw: a CFPB product name, e.g. ``"Bank account or service"``; surrounding spaces and case
            are ignored.

    Returns:
        The :class:`ProductClass` (a ``str``), e.g. ``"checking_savings"``.

    Raises:
        ValueError: naming the unknown value (and the field ``product``).
    """
    key = raw.strip().casefold() if isinstance(raw, str) else None
    if key is None or key not in _RAW_TO_CLASS:
        raise ValueError(f"product: unknown CFPB product {raw!r}")
    return _RAW_TO_CLASS[key]


def display_name(product_class: str) -> str:
    """Display name of a class: its current CFPB product name(s). Raises ValueError for an unknown class."""
    try:
        return PRODUCT_CLASSES[ProductClass(product_class)].display_name
    except ValueError:
        raise ValueError(f"product_class: unknown product class {product_class!r}") from None


def current_product(raw: str, sub_product: str | None = None) -> CurrentProduct | None:
    """The current (2023-) CFPB product of a row, or ``None`` when its era's names do not settle it.

    A one-product class gives that product. In the two merged classes, the raw name decides when it
    is specific ("Prepaid card", "Vehicle loan or lease", "Payday loan", ...); otherwise the
    sub-product does: "Credit card or prepaid card" is a prepaid card when the sub-product is a
    prepaid product, else a credit card; "Consumer Loan" is a vehicle loan or lease when the
    sub-product is "Vehicle loan"/"Vehicle lease", another known sub-product makes it a personal
    loan, and without a sub-product it is ``None`` (about half of that era's rows are vehicle loans).

    Raises:
        ValueError: the raw product is unknown (see :func:`canonical_product`).
    """
    product_class = canonical_product(raw)
    info = PRODUCT_CLASSES[product_class]
    if len(info.current_products) == 1:
        return info.current_products[0]
    key = raw.strip().casefold()
    sub = (sub_product or "").strip().casefold()
    for product in info.current_products:
        if key == product.value.casefold():
            return product
    if key == "payday loan, title loan, or personal loan" or key == "payday loan":
        return CurrentProduct.PAYDAY_PERSONAL_LOAN
    if key == "credit card or prepaid card":
        return CurrentProduct.PREPAID_CARD if sub in _PREPAID_SUB_PRODUCTS else CurrentProduct.CREDIT_CARD
    # "Consumer Loan": only its sub-product tells a vehicle from a personal loan.
    if not sub:
        return None
    return CurrentProduct.VEHICLE_LOAN if sub in _VEHICLE_SUB_PRODUCTS else CurrentProduct.PAYDAY_PERSONAL_LOAN


def class_of_current_product(product: str) -> ProductClass:
    """The class a current CFPB product belongs to. Raises ValueError naming an unknown product."""
    try:
        current = CurrentProduct(product)
    except ValueError:
        raise ValueError(f"product: {product!r} is not a current CFPB product") from None
    return next(info.product_class for info in PRODUCT_CLASSES.values() if current in info.current_products)


class CompanyResponse(StrEnum):
    """CCDB ``Company response to consumer`` values, current and legacy (REGULATORY_FACTS.md 3.1)."""

    CLOSED_WITH_EXPLANATION = "Closed with explanation"
    CLOSED_WITH_MONETARY_RELIEF = "Closed with monetary relief"
    CLOSED_WITH_NON_MONETARY_RELIEF = "Closed with non-monetary relief"
    IN_PROGRESS = "In progress"
    UNTIMELY_RESPONSE = "Untimely response"
    # Legacy values: still present on old complaints, no longer offered.
    CLOSED = "Closed"
    CLOSED_WITH_RELIEF = "Closed with relief"
    CLOSED_WITHOUT_RELIEF = "Closed without relief"

    @property
    def is_legacy(self) -> bool:
        """True for the values the CFPB no longer offers (``Closed``, ``Closed with/without relief``)."""
        return self in _LEGACY_RESPONSES

    @property
    def is_closed(self) -> bool:
        """True when the response closes the complaint (everything but ``In progress`` and ``Untimely``)."""
        return self not in (CompanyResponse.IN_PROGRESS, CompanyResponse.UNTIMELY_RESPONSE)


_LEGACY_RESPONSES = frozenset(
    {CompanyResponse.CLOSED, CompanyResponse.CLOSED_WITH_RELIEF, CompanyResponse.CLOSED_WITHOUT_RELIEF}
)


class SubmittedVia(StrEnum):
    """CCDB ``Submitted via``: how the consumer sent the complaint to the CFPB (REGULATORY_FACTS.md 3.1)."""

    WEB = "Web"
    PHONE = "Phone"
    EMAIL = "Email"
    POSTAL_MAIL = "Postal mail"
    FAX = "Fax"
    REFERRAL = "Referral"


class Tag(StrEnum):
    """CCDB ``Tags`` values (several may be joined by ``", "``): Older American = 62 or older."""

    OLDER_AMERICAN = "Older American"
    SERVICEMEMBER = "Servicemember"


class ConsumerConsent(StrEnum):
    """CCDB ``Consumer consent provided?``: whether the consumer agreed to publish the narrative."""

    PROVIDED = "Consent provided"
    NOT_PROVIDED = "Consent not provided"
    WITHDRAWN = "Consent withdrawn"
    OTHER = "Other"
    NOT_APPLICABLE = "N/A"


#: The 18 columns of the CCDB public export (``complaints.csv``), in the CFPB's order.
CCDB_COLUMNS: tuple[str, ...] = (
    "Date received",
    "Product",
    "Sub-product",
    "Issue",
    "Sub-issue",
    "Consumer complaint narrative",
    "Company public response",
    "Company",
    "State",
    "ZIP code",
    "Tags",
    "Consumer consent provided?",
    "Submitted via",
    "Date sent to company",
    "Company response to consumer",
    "Timely response?",
    "Consumer disputed?",
    "Complaint ID",
)
