"""Complaint classifier: suggests the CFPB product, sub-product, issue and sub-issue of a narrative (no Django).

Trained on the real CFPB narratives shipped in ``data/cfpb-complaints`` (see
:func:`~bankcrm.cases.engine.cfpb_data.labeled_narratives`); the agent confirms or corrects the
suggestion. Everything runs locally: no network, no downloaded model.

Model (``MODEL_KIND``):

* **text features**: the narrative with the CFPB masks normalised (``XXXX`` -> ``maskx``, ``XX/XX/2019``
  -> ``maskdate``, ``{$25.00}`` -> ``moneyamt``, four-digit years -> ``yearnum``: the year says when a
  complaint was filed, which in the shipped data says which source it came from, not what it is
  about), lower-cased; TF-IDF of word 1-2-grams (sublinear tf, min_df 2) next to TF-IDF of
  character 3-5-grams inside word boundaries (sublinear tf, min_df 3);
* **product class** (:class:`~bankcrm.cases.engine.taxonomy.ProductClass`): a linear SVM (one vs rest,
  class weights inversely proportional to class frequency, ``C`` = :data:`PRODUCT_C`) whose scores
  are turned into probabilities by per-class sigmoid calibration on 3 internal folds of the training
  data (scikit-learn ``CalibratedClassifierCV``), so ``confidence`` is a calibrated probability;
* **within the predicted class**, one multinomial logistic regression per field and class, on the
  training rows of that class that carry the field: the current CFPB product (only the two merged
  classes, credit card / prepaid card and payday-personal / vehicle loans), the sub-product, the issue
  and the sub-issue ("none" is a label of its own, because most issues have no sub-issue). The
  sub-issue is restricted to those seen with the suggested issue. These confidences are therefore
  conditional: P(field value | narrative, suggested class [, suggested issue]).

Only the CFPB sample rows carry sub-product, issue and sub-issue, so those fields are suggested from
3,105 narratives of the 2017-2023 vocabulary; the product class uses all 7,052.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import chi2
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from bankcrm.cases.engine.cfpb_data import LabeledNarrative, labeled_narratives
from bankcrm.cases.engine.taxonomy import (
    PRODUCT_CLASSES,
    ProductClass,
    current_product,
    display_name,
)

MODEL_KIND = "tfidf-word12-char35-linsvc-sigmoid"
#: Bump when the model or the file layout changes: old cache files are then refused and retrained.
MODEL_FORMAT = 1
_MAGIC = b"BANKCRM-COMPLAINT-CLASSIFIER\n"
#: Regularisation of the product SVM. Chosen by 3-fold CV inside the training folds of
#: benchmarks/complaints.py (nested; never on a test fold), from (0.1, 0.3, 1.0); see benchmarks/README.md.
PRODUCT_C = 0.3
#: Per-class field models: logistic regression with this ``C`` on the FIELD_FEATURES features of the
#: class's rows with the highest chi-squared score (keeps them fast to fit and small to store).
FIELD_C = 1.0
FIELD_FEATURES = 2000
CACHE_FILE = "complaint_classifier.bin"
_NONE = "\x00none"  # label for "no sub-issue"; cannot collide with a CFPB string

_MONEY = re.compile(r"\{\$[\d,]*(?:\.\d+)?\}")
_MASKED_DATE = re.compile(r"\b(?:XX/){1,2}(?:XX|XXXX|\d{2,4})\b")
_MASK = re.compile(r"X{2,}")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def normalize_narrative(text: str) -> str:
    """The narrative as the model sees it: CFPB masks and years replaced by tokens, lower-cased."""
    text = _MONEY.sub(" moneyamt ", text)
    text = _MASKED_DATE.sub(" maskdate ", text)
    text = _MASK.sub(" maskx ", text)
    text = _YEAR.sub(" yearnum ", text)
    return text.lower()


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    preprocessor=normalize_narrative,
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    min_df=2,
                    max_df=0.9,
                    dtype=np.float32,
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    preprocessor=normalize_narrative,
                    analyzer="char_wb",
                    ngram_range=(3, 5),
                    sublinear_tf=True,
                    min_df=3,
                    dtype=np.float32,
                ),
            ),
        ]
    )


class ModelMismatch(ValueError):
    """A saved model cannot be used here: another format, scikit-learn version or training data."""


@dataclass(frozen=True, slots=True)
class Alternative:
    """One ranked candidate: the value (a CFPB string; ``None`` = no sub-issue) and its probability."""

    value: str | None
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        """``{"value": str | None, "confidence": float}`` (rounded to 4 decimals)."""
        return {"value": self.value, "confidence": round(self.confidence, 4)}


@dataclass(frozen=True, slots=True)
class FieldSuggestion:
    """A suggested value of one CFPB field with its probability and the next (up to) 3 candidates."""

    value: str | None
    confidence: float
    alternatives: tuple[Alternative, ...]

    def as_dict(self) -> dict[str, Any]:
        """``{"value", "confidence", "alternatives": [{"value", "confidence"}, ...]}``."""
        return {
            "value": self.value,
            "confidence": round(self.confidence, 4),
            "alternatives": [a.as_dict() for a in self.alternatives],
        }


@dataclass(frozen=True, slots=True)
class ProductAlternative:
    """A product class ranked below the suggestion, with its display name and probability."""

    product_class: ProductClass
    product: str
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        """``{"product_class", "product", "confidence"}``."""
        return {
            "product_class": self.product_class.value,
            "product": self.product,
            "confidence": round(self.confidence, 4),
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What the classifier suggests for one narrative.

    ``product`` is a current CFPB product name (e.g. ``"Credit card"``; for the two merged classes the
    one the within-class model prefers), ``product_class`` the canonical class and ``confidence`` its
    probability in [0, 1]; ``alternatives`` are the next 3 classes. ``sub_product``, ``issue`` and
    ``sub_issue`` are ``None`` when the training data has no such labels for the suggested class.
    """

    product: str
    product_class: ProductClass
    product_class_name: str
    confidence: float
    alternatives: tuple[ProductAlternative, ...]
    sub_product: FieldSuggestion | None
    issue: FieldSuggestion | None
    sub_issue: FieldSuggestion | None
    model_version: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``product``, ``product_class``, ``product_class_name``, ``confidence``,
        ``sub_product``/``issue``/``sub_issue`` (each ``FieldSuggestion.as_dict()`` or ``None``),
        ``alternatives`` (list of ``ProductAlternative.as_dict()``) and ``model_version``."""
        return {
            "product": self.product,
            "product_class": self.product_class.value,
            "product_class_name": self.product_class_name,
            "confidence": round(self.confidence, 4),
            "sub_product": self.sub_product.as_dict() if self.sub_product else None,
            "issue": self.issue.as_dict() if self.issue else None,
            "sub_issue": self.sub_issue.as_dict() if self.sub_issue else None,
            "alternatives": [a.as_dict() for a in self.alternatives],
            "model_version": self.model_version,
        }


@dataclass
class _FieldModel:
    """P(label | narrative) inside one product class: a fitted model, or a constant when one label only."""

    labels: tuple[str, ...]
    columns: np.ndarray | None = None  # the feature columns the model reads
    model: LogisticRegression | None = None

    def proba(self, features: Any) -> np.ndarray:
        if self.model is None or self.columns is None:
            return np.ones((features.shape[0], 1))
        return np.asarray(self.model.predict_proba(features[:, self.columns]))


@dataclass
class _Fitted:
    features: FeatureUnion
    product: CalibratedClassifierCV
    classes: tuple[ProductClass, ...]
    # field name -> product class -> model
    fields: dict[str, dict[ProductClass, _FieldModel]] = field(default_factory=dict)
    # (class, issue) -> sub-issues seen with it (``_NONE`` for none)
    sub_issues_of: dict[tuple[ProductClass, str], frozenset[str]] = field(default_factory=dict)


def training_data_hash(examples: Iterable[LabeledNarrative]) -> str:
    """SHA-256 (hex) over every example's narrative and labels, in order: identifies the training data."""
    h = hashlib.sha256()
    for e in examples:
        for part in (e.narrative, e.product, e.sub_product, e.issue, e.sub_issue, e.ref):
            h.update((part or "").encode("utf-8"))
            h.update(b"\x1f")
        h.update(b"\x1e")
    return h.hexdigest()


def _ranked(labels: Sequence[str], probs: np.ndarray) -> list[tuple[str, float]]:
    order = np.argsort(-probs, kind="stable")
    return [(labels[i], float(probs[i])) for i in order]


def _field_suggestion(ranked: list[tuple[str, float]]) -> FieldSuggestion:
    def value(label: str) -> str | None:
        return None if label == _NONE else label

    top, rest = ranked[0], ranked[1:4]
    return FieldSuggestion(
        value=value(top[0]),
        confidence=min(1.0, max(0.0, top[1])),
        alternatives=tuple(Alternative(value(v), min(1.0, max(0.0, p))) for v, p in rest),
    )


class ComplaintClassifier:
    """Suggests the CFPB classification of a complaint narrative. Build with :meth:`train` or :meth:`load`.

    Attributes:
        data_hash: :func:`training_data_hash` of the training examples.
        n_examples: number of training narratives.
        train_seconds: wall-clock seconds :meth:`train` took.
        sklearn_version: the scikit-learn version that trained it.
    """

    def __init__(
        self, fitted: _Fitted, *, data_hash: str, n_examples: int, train_seconds: float, sklearn_version: str, seed: int
    ) -> None:
        self._fitted = fitted
        self.data_hash = data_hash
        self.n_examples = n_examples
        self.train_seconds = train_seconds
        self.sklearn_version = sklearn_version
        self.seed = seed

    @property
    def model_version(self) -> str:
        """``"<kind>/<format>:<first 12 hex digits of the data hash>"``, stored with each suggestion."""
        return f"{MODEL_KIND}/{MODEL_FORMAT}:{self.data_hash[:12]}"

    @property
    def product_classes(self) -> tuple[ProductClass, ...]:
        """The classes the model can suggest (those present in its training data)."""
        return self._fitted.classes

    # --- training -----------------------------------------------------------------------------------

    @classmethod
    def train(
        cls, examples: Sequence[LabeledNarrative], *, seed: int = 0, product_c: float = PRODUCT_C
    ) -> ComplaintClassifier:
        """Fit the model on labelled narratives (see the module docstring for what is fitted).

        Args:
            examples: at least two product classes, each with at least 3 narratives (the calibration
                folds need them); sub-fields are learnt from the examples that carry them.
            seed: seeds the SVM and the logistic regressions (same data + seed -> same model).
            product_c: ``C`` of the product SVM (the default was chosen by nested CV, see PRODUCT_C).

        Raises:
            ValueError: too few examples or classes, or an empty narrative (naming ``narrative``).
        """
        started = time.perf_counter()
        texts = [e.narrative for e in examples]
        if any(not t or not t.strip() for t in texts):
            raise ValueError("narrative: training examples must not have empty narratives")
        counts = Counter(e.product_class for e in examples)
        if len(counts) < 2 or min(counts.values()) < 3:
            raise ValueError(f"examples: need >= 2 product classes with >= 3 narratives each, got {dict(counts)}")
        features = _features()
        matrix = features.fit_transform(texts)
        y = np.array([e.product_class.value for e in examples])
        # ensemble=False: one SVM on all rows, its scores calibrated on 3 internal folds (a third of
        # the size of the default ensemble of 3 SVMs).
        product = CalibratedClassifierCV(
            LinearSVC(C=product_c, class_weight="balanced", random_state=seed), method="sigmoid", cv=3, ensemble=False
        )
        product.fit(matrix, y)
        for _, vectorizer in features.transformer_list:
            # Every pruned n-gram, kept only for introspection: tens of MB in the pickle.
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_
        fitted = _Fitted(
            features=features,
            product=product,
            classes=tuple(ProductClass(c) for c in product.classes_),
        )
        rows_of: dict[ProductClass, list[int]] = defaultdict(list)
        for i, e in enumerate(examples):
            rows_of[e.product_class].append(i)

        def label_current(e: LabeledNarrative) -> str | None:
            found = current_product(e.product, e.sub_product)
            return found.value if found else None

        def label_sub_issue(e: LabeledNarrative) -> str | None:
            if e.issue is None:
                return None
            return e.sub_issue or _NONE

        getters = {
            "current_product": label_current,
            "sub_product": lambda e: e.sub_product,
            "issue": lambda e: e.issue,
            "sub_issue": label_sub_issue,
        }
        for name, get in getters.items():
            per_class: dict[ProductClass, _FieldModel] = {}
            for product_class, rows in rows_of.items():
                if name == "current_product" and len(PRODUCT_CLASSES[product_class].current_products) == 1:
                    continue
                labelled = [(i, label) for i in rows if (label := get(examples[i])) is not None]
                if labelled:
                    per_class[product_class] = _fit_field(matrix, labelled, seed)
            fitted.fields[name] = per_class
        seen: dict[tuple[ProductClass, str], set[str]] = defaultdict(set)
        for e in examples:
            if e.issue is not None:
                seen[(e.product_class, e.issue)].add(e.sub_issue or _NONE)
        fitted.sub_issues_of = {k: frozenset(v) for k, v in seen.items()}
        return cls(
            fitted,
            data_hash=training_data_hash(examples),
            n_examples=len(examples),
            train_seconds=time.perf_counter() - started,
            sklearn_version=sklearn.__version__,
            seed=seed,
        )

    # --- suggesting ---------------------------------------------------------------------------------

    def product_probabilities(self, narratives: Sequence[str]) -> tuple[tuple[ProductClass, ...], np.ndarray]:
        """(classes, probabilities of shape (len(narratives), len(classes))) for many narratives at once.

        Raises:
            ValueError: naming ``narrative`` when one is empty or blank.
        """
        for text in narratives:
            _check_narrative(text)
        matrix = self._fitted.features.transform(list(narratives))
        return self._fitted.classes, np.asarray(self._fitted.product.predict_proba(matrix))

    def predict_classes(self, narratives: Sequence[str]) -> list[ProductClass]:
        """The most probable product class of each narrative (batch form of ``suggest(...).product_class``)."""
        classes, probs = self.product_probabilities(narratives)
        return [classes[i] for i in probs.argmax(axis=1)]

    def suggest(self, narrative: str) -> Suggestion:
        """Suggest product, sub-product, issue and sub-issue for one narrative.

        Args:
            narrative: the consumer's complaint text (any length; CFPB masks like ``XXXX`` are fine).

        Returns:
            A :class:`Suggestion`; every confidence is a probability in [0, 1].

        Raises:
            ValueError: naming ``narrative`` when it is not a string, empty or blank.
        """
        return self.suggest_many([narrative])[0]

    def suggest_many(self, narratives: Sequence[str]) -> list[Suggestion]:
        """:meth:`suggest` for many narratives at once (one vectorisation pass; same results).

        Raises:
            ValueError: naming ``narrative`` when one is not a string, empty or blank.
        """
        for text in narratives:
            _check_narrative(text)
        fitted = self._fitted
        matrix = fitted.features.transform(list(narratives))
        all_probs = np.asarray(fitted.product.predict_proba(matrix))
        return [self._suggestion(matrix[i], all_probs[i]) for i in range(len(narratives))]

    def _suggestion(self, row: Any, probs: np.ndarray) -> Suggestion:
        fitted = self._fitted
        ranked = _ranked([c.value for c in fitted.classes], probs)
        product_class = ProductClass(ranked[0][0])
        alternatives = tuple(
            ProductAlternative(ProductClass(c), display_name(c), min(1.0, max(0.0, p))) for c, p in ranked[1:4]
        )

        def field_ranked(name: str, allowed: frozenset[str] | None = None) -> list[tuple[str, float]] | None:
            model = fitted.fields.get(name, {}).get(product_class)
            if model is None:
                return None
            pairs = _ranked(model.labels, model.proba(row)[0])
            if allowed is not None:
                pairs = [(v, p) for v, p in pairs if v in allowed]
                total = sum(p for _, p in pairs)
                if not pairs or total <= 0:
                    return None
                pairs = [(v, p / total) for v, p in pairs]
            return pairs

        current = field_ranked("current_product")
        product = current[0][0] if current else PRODUCT_CLASSES[product_class].current_products[0].value
        sub_product = field_ranked("sub_product")
        issue = field_ranked("issue")
        sub_issue = None
        if issue is not None:
            allowed = fitted.sub_issues_of.get((product_class, issue[0][0]))
            sub_issue = field_ranked("sub_issue", allowed) if allowed else None
        return Suggestion(
            product=product,
            product_class=product_class,
            product_class_name=display_name(product_class),
            confidence=min(1.0, max(0.0, ranked[0][1])),
            alternatives=alternatives,
            sub_product=_field_suggestion(sub_product) if sub_product else None,
            issue=_field_suggestion(issue) if issue else None,
            sub_issue=_field_suggestion(sub_issue) if sub_issue else None,
            model_version=self.model_version,
        )

    # --- persistence --------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the model to ``path`` atomically (temporary file in the same folder, then rename).

        Layout: a magic line, one JSON header line (format, model kind, scikit-learn version, data
        hash, example count, train seconds, seed), then the pickled model. The header is checked by
        :meth:`load` before anything is unpickled.
        """
        header = {
            "format": MODEL_FORMAT,
            "kind": MODEL_KIND,
            "sklearn_version": self.sklearn_version,
            "data_hash": self.data_hash,
            "n_examples": self.n_examples,
            "train_seconds": self.train_seconds,
            "seed": self.seed,
        }
        payload = _MAGIC + json.dumps(header, sort_keys=True).encode("utf-8") + b"\n"
        payload += pickle.dumps(self._fitted, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, *, expected_data_hash: str | None = None) -> ComplaintClassifier:
        """Read a model written by :meth:`save`.

        Only load files this application wrote (its cache folder): the model part is a pickle, and
        unpickling runs code. The header is checked first, so a file of another format, scikit-learn
        version or training data is refused before any unpickling.

        Args:
            path: the file.
            expected_data_hash: when given, the file must have been trained on data with this
                :func:`training_data_hash`.

        Raises:
            FileNotFoundError: no such file.
            ModelMismatch: not a classifier file, another format, another scikit-learn version
                (the message names both versions) or another training-data hash.
        """
        with path.open("rb") as fh:
            magic = fh.read(len(_MAGIC))
            if magic != _MAGIC:
                raise ModelMismatch(f"{path}: not a complaint classifier file")
            try:
                header = json.loads(fh.readline().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise ModelMismatch(f"{path}: unreadable header") from None
            if header.get("format") != MODEL_FORMAT or header.get("kind") != MODEL_KIND:
                raise ModelMismatch(
                    f"{path}: model format {header.get('kind')}/{header.get('format')}, "
                    f"this code reads {MODEL_KIND}/{MODEL_FORMAT}; retrain"
                )
            if header.get("sklearn_version") != sklearn.__version__:
                raise ModelMismatch(
                    f"{path}: made by scikit-learn {header.get('sklearn_version')}, this is "
                    f"scikit-learn {sklearn.__version__}; retrain"
                )
            if expected_data_hash is not None and header.get("data_hash") != expected_data_hash:
                raise ModelMismatch(
                    f"{path}: trained on data {str(header.get('data_hash'))[:12]}, expected "
                    f"{expected_data_hash[:12]}; retrain"
                )
            # Safe enough: the header proved the file is ours (written by save() into our cache folder).
            fitted = pickle.load(fh)  # noqa: S301
        if not isinstance(fitted, _Fitted):
            raise ModelMismatch(f"{path}: unexpected content")
        return cls(
            fitted,
            data_hash=str(header["data_hash"]),
            n_examples=int(header["n_examples"]),
            train_seconds=float(header["train_seconds"]),
            sklearn_version=str(header["sklearn_version"]),
            seed=int(header["seed"]),
        )


def _fit_field(matrix: Any, labelled: list[tuple[int, str]], seed: int) -> _FieldModel:
    rows = [i for i, _ in labelled]
    labels = [label for _, label in labelled]
    distinct = sorted(set(labels))
    if len(distinct) == 1:
        return _FieldModel(labels=(distinct[0],))
    sub = matrix[rows]
    scores, _ = chi2(sub, labels)
    scores = np.nan_to_num(scores, nan=0.0)
    # Keep the column indices only: SelectKBest would pickle a score for every feature.
    columns = np.sort(np.argsort(-scores, kind="stable")[:FIELD_FEATURES]).astype(np.int32)
    model = LogisticRegression(C=FIELD_C, max_iter=1000, random_state=seed)
    model.fit(sub[:, columns], labels)
    return _FieldModel(labels=tuple(str(c) for c in model.classes_), columns=columns, model=model)


def _check_narrative(narrative: object) -> None:
    if not isinstance(narrative, str):
        raise ValueError(f"narrative: expected text, got {type(narrative).__name__}")
    if not narrative.strip():
        raise ValueError("narrative: is empty")


def default_classifier(data_dir: Path, cache_dir: Path) -> ComplaintClassifier:
    """The classifier for the shipped data: loaded from ``cache_dir`` or trained and cached there.

    The cache file (``cache_dir/complaint_classifier.bin``) is used when its header matches this
    code's model format, this scikit-learn version and the hash of the narratives in ``data_dir``;
    otherwise the model is trained from ``data_dir`` (about half a minute on 2 cores) and written
    atomically, so concurrent callers never see a half-written file.

    Raises:
        ValidationFailed: the data files in ``data_dir`` are missing or malformed.
    """
    examples = labeled_narratives(data_dir)
    data_hash = training_data_hash(examples)
    path = cache_dir / CACHE_FILE
    try:
        return ComplaintClassifier.load(path, expected_data_hash=data_hash)
    except (FileNotFoundError, ModelMismatch, pickle.UnpicklingError, EOFError, AttributeError):
        pass  # absent, stale or damaged: retrain below
    classifier = ComplaintClassifier.train(examples, seed=0)
    classifier.save(path)
    return classifier
