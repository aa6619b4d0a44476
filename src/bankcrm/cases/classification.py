"""The complaint classifier as the application uses it: one model per process, trained on the CFPB
narratives shipped in ``data/cfpb-complaints`` (no network) and cached under ``var/models``.

The model only *suggests*; the agent confirms or corrects (:func:`bankcrm.cases.services.confirm_classification`).
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings

from bankcrm.cases.engine import taxonomy
from bankcrm.cases.engine.classifier import ComplaintClassifier, default_classifier

_lock = threading.Lock()
_model: ComplaintClassifier | None = None


def model() -> ComplaintClassifier:
    """The process-wide classifier (trained on first use, then loaded from the cache)."""
    global _model
    with _lock:
        if _model is None:
            _model = default_classifier(settings.DATA_DIR / "cfpb-complaints", settings.VAR_DIR / "models")
        return _model


def classify(narrative: str) -> dict[str, Any]:
    """JSON-ready suggestion for ``narrative``: ``{"product", "product_class", "confidence",
    "sub_product", "issue", "sub_issue", "alternatives", "model_version"}``.

    Raises:
        ValueError: blank narrative.
    """
    return model().suggest(narrative).as_dict()


def validate_product_class(product: str) -> str:
    """The canonical product class of ``product`` (a class code such as ``credit_card`` or a CFPB
    product name of any era).

    Raises:
        ValueError: unknown product, naming it.
    """
    value = (product or "").strip()
    if value in taxonomy.ProductClass.__members__.values():
        return value
    return str(taxonomy.canonical_product(value))


def product_display_name(product: str) -> str:
    """The CFPB product name to record: a current CFPB name as given, else the class's display name."""
    value = (product or "").strip()
    if value in taxonomy.CurrentProduct.__members__.values():
        return value
    return taxonomy.display_name(validate_product_class(value))
