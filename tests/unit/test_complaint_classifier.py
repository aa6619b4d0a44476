"""Tests for the complaint classifier (bankcrm.cases.engine.classifier), trained on a small real subset.

The subset is deterministic: the first ``PER_CLASS`` shipped narratives of each product class, in
file order (sample first, then supplement), so training takes a few seconds.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import sklearn

from bankcrm.cases.engine import classifier as clf
from bankcrm.cases.engine.cfpb_data import SAMPLE_FILE, SUPPLEMENT_FILE, LabeledNarrative, labeled_narratives
from bankcrm.cases.engine.classifier import (
    ComplaintClassifier,
    ModelMismatch,
    Suggestion,
    default_classifier,
    training_data_hash,
)
from bankcrm.cases.engine.taxonomy import CCDB_COLUMNS, ProductClass

DATA = Path(__file__).resolve().parents[2] / "data" / "cfpb-complaints"
PER_CLASS = 40

CLEAR = {
    "I was charged three overdraft fees on my checking account even though my paycheck was deposited "
    "that morning. The bank refuses to refund the overdraft fees.": ProductClass.CHECKING_SAVINGS,
    "Equifax and TransUnion are reporting a late payment on my credit report that is not mine. I disputed "
    "it with the credit bureaus twice and they still have not removed it from my credit report.": (
        ProductClass.CREDIT_REPORTING
    ),
    "A debt collector keeps calling me at work about a debt I do not owe and threatened to sue me. They never "
    "sent me a validation letter for this collection account.": ProductClass.DEBT_COLLECTION,
    "My mortgage servicer misapplied my escrow payment and now says my home loan is in default and "
    "threatens foreclosure on my house.": ProductClass.MORTGAGE,
    "Navient keeps misapplying my student loan payments and will not put my federal student loans into "
    "an income-driven repayment plan.": ProductClass.STUDENT_LOAN,
}


def subset(examples: list[LabeledNarrative], per_class: int = PER_CLASS) -> list[LabeledNarrative]:
    taken: dict[ProductClass, int] = defaultdict(int)
    out = []
    for e in examples:
        if taken[e.product_class] < per_class:
            taken[e.product_class] += 1
            out.append(e)
    return out


@pytest.fixture(scope="module")
def examples() -> list[LabeledNarrative]:
    return subset(labeled_narratives(DATA))


@pytest.fixture(scope="module")
def model(examples: list[LabeledNarrative]) -> ComplaintClassifier:
    return ComplaintClassifier.train(examples, seed=0)


def test_subset_is_what_the_tests_assume(examples: list[LabeledNarrative]) -> None:
    assert len(examples) == 8 * PER_CLASS
    assert len({e.product_class for e in examples}) == 8


@pytest.mark.parametrize(("narrative", "expected"), list(CLEAR.items()))
def test_clear_narratives_get_the_right_product(model: ComplaintClassifier, narrative: str, expected: str) -> None:
    suggestion = model.suggest(narrative)
    assert suggestion.product_class == expected
    assert (
        suggestion.product
        == {
            ProductClass.CHECKING_SAVINGS: "Checking or savings account",
            ProductClass.CREDIT_REPORTING: "Credit reporting or other personal consumer reports",
            ProductClass.DEBT_COLLECTION: "Debt collection",
            ProductClass.MORTGAGE: "Mortgage",
            ProductClass.STUDENT_LOAN: "Student loan",
        }[ProductClass(expected)]
    )


def test_suggestion_shape(model: ComplaintClassifier) -> None:
    s = model.suggest(next(iter(CLEAR)))
    assert 0.0 <= s.confidence <= 1.0
    assert len(s.alternatives) == 3
    confidences = [s.confidence, *(a.confidence for a in s.alternatives)]
    assert confidences == sorted(confidences, reverse=True)
    assert s.product_class not in {a.product_class for a in s.alternatives}
    assert sum(confidences) <= 1.0 + 1e-9
    for field in (s.sub_product, s.issue):
        assert field is not None
        assert 0.0 <= field.confidence <= 1.0
        assert len(field.alternatives) <= 3
        assert all(0.0 <= a.confidence <= field.confidence for a in field.alternatives)
    # The issue is one of those the training data has for this class.
    issues = {e.issue for e in model_examples_of(s.product_class)}
    assert s.issue is not None and s.issue.value in issues
    payload = s.as_dict()
    assert list(payload) == [
        "product",
        "product_class",
        "product_class_name",
        "confidence",
        "sub_product",
        "issue",
        "sub_issue",
        "alternatives",
        "model_version",
    ]
    assert json.loads(json.dumps(payload)) == payload
    assert payload["product_class"] == "checking_savings"
    assert payload["model_version"] == f"{clf.MODEL_KIND}/{clf.MODEL_FORMAT}:{model.data_hash[:12]}"
    assert set(payload["alternatives"][0]) == {"product_class", "product", "confidence"}


def model_examples_of(product_class: str) -> list[LabeledNarrative]:
    return [e for e in subset(labeled_narratives(DATA)) if e.product_class == product_class and e.issue]


def test_merged_class_gives_a_current_product(model: ComplaintClassifier) -> None:
    s = model.suggest(
        "My payday lender charged me a huge fee when I tried to pay off my payday loan early and keeps "
        "debiting my account for the loan payment twice."
    )
    assert s.product_class == ProductClass.CONSUMER_LOAN
    assert s.product in {"Payday loan, title loan, personal loan, or advance loan", "Vehicle loan or lease"}
    assert s.product_class_name == "Payday loan, title loan, personal loan, or advance loan / Vehicle loan or lease"


def test_suggest_many_matches_suggest(model: ComplaintClassifier) -> None:
    texts = list(CLEAR)
    assert model.suggest_many(texts) == [model.suggest(t) for t in texts]
    assert model.predict_classes(texts) == list(CLEAR.values())


@pytest.mark.parametrize("bad", ["", "   \n\t", None, 42])
def test_empty_or_non_text_narrative_is_refused(model: ComplaintClassifier, bad: object) -> None:
    with pytest.raises(ValueError, match=r"^narrative: "):
        model.suggest(bad)  # type: ignore[arg-type]


def test_training_is_deterministic(examples: list[LabeledNarrative], model: ComplaintClassifier) -> None:
    again = ComplaintClassifier.train(examples, seed=0)
    texts = [e.narrative for e in examples[::37]]
    _, p1 = model.product_probabilities(texts)
    _, p2 = again.product_probabilities(texts)
    assert np.array_equal(p1, p2)
    assert again.data_hash == model.data_hash == training_data_hash(examples)


def test_training_refuses_too_little_data(examples: list[LabeledNarrative]) -> None:
    one_class = [e for e in examples if e.product_class == ProductClass.MORTGAGE]
    with pytest.raises(ValueError, match=r"^examples: need >= 2 product classes"):
        ComplaintClassifier.train(one_class)
    with pytest.raises(ValueError, match=r"^examples: "):
        ComplaintClassifier.train(one_class + [e for e in examples if e.product_class == "student_loan"][:2])


def test_save_load_round_trip(tmp_path: Path, model: ComplaintClassifier) -> None:
    path = tmp_path / "sub" / "model.bin"
    model.save(path)
    assert os.listdir(path.parent) == ["model.bin"]  # the temporary file was renamed, none left behind
    loaded = ComplaintClassifier.load(path, expected_data_hash=model.data_hash)
    assert loaded.model_version == model.model_version
    assert (loaded.n_examples, loaded.sklearn_version, loaded.seed) == (model.n_examples, sklearn.__version__, 0)
    texts = list(CLEAR)
    assert [s.as_dict() for s in loaded.suggest_many(texts)] == [s.as_dict() for s in model.suggest_many(texts)]


def _rewrite_header(path: Path, **changes: object) -> None:
    raw = path.read_bytes()
    magic_end = len(clf._MAGIC)
    header_end = raw.index(b"\n", magic_end)
    header = json.loads(raw[magic_end:header_end])
    header.update(changes)
    path.write_bytes(raw[:magic_end] + json.dumps(header).encode() + raw[header_end:])


def test_load_refuses_other_data_version_or_format(tmp_path: Path, model: ComplaintClassifier) -> None:
    path = tmp_path / "model.bin"
    model.save(path)
    with pytest.raises(ModelMismatch, match=r"trained on data [0-9a-f]{12}, expected 000000000000; retrain"):
        ComplaintClassifier.load(path, expected_data_hash="0" * 64)

    _rewrite_header(path, sklearn_version="0.24.2")
    with pytest.raises(ModelMismatch) as info:
        ComplaintClassifier.load(path)
    assert f"made by scikit-learn 0.24.2, this is scikit-learn {sklearn.__version__}; retrain" in str(info.value)

    model.save(path)
    _rewrite_header(path, format=clf.MODEL_FORMAT + 1)
    with pytest.raises(ModelMismatch, match="model format"):
        ComplaintClassifier.load(path)

    path.write_bytes(b"\x80\x04not ours")
    with pytest.raises(ModelMismatch, match="not a complaint classifier file"):
        ComplaintClassifier.load(path)
    with pytest.raises(FileNotFoundError):
        ComplaintClassifier.load(tmp_path / "absent.bin")


# --- default_classifier on a small data directory ------------------------------------------------------


def small_data_dir(target: Path, per_class: int = 6) -> Path:
    """A data directory in the shipped layout with a few real rows: sample rows and supplement rows."""
    target.mkdir(parents=True, exist_ok=True)
    with gzip.open(DATA / SAMPLE_FILE, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    taken: dict[str, int] = defaultdict(int)
    chosen = []
    for r in rows:
        product = r["Product"]
        wanted = product in ("Mortgage", "Student loan", "Debt collection")
        if r["Consumer complaint narrative"] and wanted and taken[product] < per_class:
            taken[product] += 1
            chosen.append(r)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CCDB_COLUMNS)
    writer.writerows([r[c] for c in CCDB_COLUMNS] for r in chosen)
    (target / SAMPLE_FILE).write_bytes(gzip.compress(buf.getvalue().encode("utf-8")))
    with gzip.open(DATA / SUPPLEMENT_FILE, "rt", encoding="utf-8", newline="") as fh:
        supplement = list(csv.reader(fh))
    keep = [supplement[0], *[r for r in supplement[1:] if r[1] in ("Mortgage", "Credit card")][: 2 * per_class]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(keep)
    (target / "supplement_product_narrative.csv").write_text(buf.getvalue(), encoding="utf-8")
    return target


def test_default_classifier_trains_caches_and_reloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = small_data_dir(tmp_path / "data")
    cache = tmp_path / "cache"
    first = default_classifier(data_dir, cache)
    assert isinstance(first.suggest("My mortgage escrow account was miscalculated."), Suggestion)
    assert set(first.product_classes) == {"mortgage", "student_loan", "debt_collection", "credit_card"}
    assert sorted(os.listdir(cache)) == [clf.CACHE_FILE]

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("should have loaded the cache")

    monkeypatch.setattr(ComplaintClassifier, "train", classmethod(no_training))
    second = default_classifier(data_dir, cache)
    assert second.data_hash == first.data_hash
    monkeypatch.undo()

    # Other data: the cache is stale, so the model is retrained and the cache replaced.
    supplement = data_dir / "supplement_product_narrative.csv"
    with supplement.open(encoding="utf-8", newline="") as fh:
        kept = list(csv.reader(fh))[:-1]
    with supplement.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(kept)
    third = default_classifier(data_dir, cache)
    assert third.data_hash != first.data_hash
    assert ComplaintClassifier.load(cache / clf.CACHE_FILE).data_hash == third.data_hash

    # A damaged cache file is replaced too.
    (cache / clf.CACHE_FILE).write_bytes(b"garbage")
    assert default_classifier(data_dir, cache).data_hash == third.data_hash
