"""Benchmark: quality of the complaint classifier (CFPB product class of a narrative), issue 6 item 9.

Run: ``.venv/bin/python benchmarks/complaints.py [--data-dir DIR] [--folds 5] [--seed 0] [--bootstrap 1000]``
(add ``--no-tune`` to skip the nested tuning of C)

No database: the classifier is a pure engine (``bankcrm.cases.engine.classifier``).

Data: every narrative shipped in ``data/cfpb-complaints`` (the CFPB sample's 3,105 and the
supplement's 3,947; ``labeled_narratives``), labelled with its canonical product class
(``taxonomy.canonical_product``: renamed products merged across eras, credit card and prepaid card
one class).

1. **Cross-validation**: stratified 5-fold (``StratifiedGroupKFold``, shuffled with ``--seed``); the
   group of a narrative is its text with whitespace collapsed and case folded, so exact duplicates
   always share a fold. On the same folds:

   * **ours**: ``ComplaintClassifier.train`` on the training folds, then ``suggest_many`` on the test
     fold. Its one tuned hyper-parameter, the SVM's ``C`` from (0.1, 0.3, 1.0), is chosen per outer
     fold by 3-fold grouped stratified CV **inside the training folds** (nested; by accuracy of the
     uncalibrated SVM on TF-IDF features fitted on the outer training folds), never on a test fold;
   * **majority**: the most frequent class of the training folds (``DummyClassifier``);
   * **plain**: ``TfidfVectorizer()`` + ``LogisticRegression(max_iter=1000)``, scikit-learn defaults.

   Figures are computed on the pooled out-of-fold predictions (every narrative predicted once, by
   the model that did not see it). **95% intervals: percentile bootstrap over narratives**
   (``--bootstrap`` resamples of the pooled predictions, the same resamples for every model). The
   per-fold mean and standard deviation are printed too. Macro-F1 is the unweighted mean of the
   per-class F1 over the classes present in the gold labels.
2. **Drift**: train on complaints received before 2020 (sample rows before 2020-01-01 and the whole
   supplement, received 2015-2016), test on sample complaints received 2020-01-01 to 2022-12-31;
   test narratives whose text also occurs in the training set are dropped (count printed). Same
   three models; ours tunes ``C`` by inner CV on the training set.
3. **Other fields** (ours only, from the CV): accuracy of the suggested sub-product, issue and
   sub-issue on the sample narratives (the only ones that carry them), top-1 and within the top 3.
4. **Cost**: training on all narratives (wall-clock), suggest() latency, cached model size.

Targets (issue 6): CV accuracy >= 0.85 and macro-F1 >= 0.70. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy
import sklearn
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

import _harness as h
from bankcrm.cases.engine import classifier as clf
from bankcrm.cases.engine.cfpb_data import LabeledNarrative, labeled_narratives

REPO = Path(__file__).resolve().parent.parent

C_GRID = (0.1, 0.3, 1.0)
TARGET_ACCURACY = 0.85
TARGET_MACRO_F1 = 0.70
MODELS = ("ours", "majority", "plain")
DRIFT_FROM, DRIFT_TO = dt.date(2020, 1, 1), dt.date(2022, 12, 31)


def group_key(text: str) -> str:
    """Exact-duplicate key: whitespace collapsed, case folded."""
    return " ".join(text.split()).casefold()


# --- metrics (vectorised so the bootstrap is cheap) ----------------------------------------------------


def per_class_f1(gold: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """F1 of each class index 0..n-1 (0 where a class has no gold, predicted or correct item)."""
    tp = np.bincount(gold[gold == pred], minlength=n_classes).astype(float)
    gold_n = np.bincount(gold, minlength=n_classes).astype(float)
    pred_n = np.bincount(pred, minlength=n_classes).astype(float)
    denom = gold_n + pred_n
    return np.divide(2 * tp, denom, out=np.zeros(n_classes), where=denom > 0)


def scores(gold: np.ndarray, pred: np.ndarray, n_classes: int) -> tuple[float, float, np.ndarray]:
    """(accuracy, macro-F1 over the classes present in ``gold``, per-class F1)."""
    f1 = per_class_f1(gold, pred, n_classes)
    present = np.bincount(gold, minlength=n_classes) > 0
    return float(np.mean(gold == pred)), float(f1[present].mean()), f1


def bootstrap(
    gold: np.ndarray, preds: dict[str, np.ndarray], n_classes: int, reps: int, seed: int
) -> dict[str, dict[str, np.ndarray]]:
    """Percentile-bootstrap samples of accuracy, macro-F1 and per-class F1 (same resamples per model)."""
    rng = np.random.default_rng(seed)
    out: dict[str, dict[str, list[object]]] = {m: {"acc": [], "macro": [], "f1": []} for m in preds}
    present = np.bincount(gold, minlength=n_classes) > 0
    for _ in range(reps):
        idx = rng.integers(0, len(gold), len(gold))
        g = gold[idx]
        for model, pred in preds.items():
            f1 = per_class_f1(g, pred[idx], n_classes)
            out[model]["acc"].append(float(np.mean(g == pred[idx])))
            out[model]["macro"].append(float(f1[present].mean()))
            out[model]["f1"].append(f1)
    return {m: {k: np.array(v) for k, v in d.items()} for m, d in out.items()}


def interval(samples: np.ndarray) -> str:
    lo, hi = np.percentile(samples, [2.5, 97.5])
    return f"[{lo:.3f}, {hi:.3f}]"


# --- models -------------------------------------------------------------------------------------------


def tune_c(train: Sequence[LabeledNarrative], seed: int) -> tuple[float, dict[float, float]]:
    """``C`` with the best mean accuracy of the uncalibrated SVM over 3 grouped stratified inner folds.

    The TF-IDF features are fitted once on ``train`` (unsupervised, no test-fold text), then each
    inner fold fits the SVM on two thirds and scores the rest.
    """
    texts = [e.narrative for e in train]
    y = np.array([e.product_class.value for e in train])
    matrix = clf._features().fit_transform(texts)
    inner = StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=seed)
    means: dict[float, float] = {}
    splits = list(inner.split(texts, y, [group_key(t) for t in texts]))
    for c in C_GRID:
        accs = []
        for tr, va in splits:
            svm = LinearSVC(C=c, class_weight="balanced", random_state=seed).fit(matrix[tr], y[tr])
            accs.append(float(np.mean(svm.predict(matrix[va]) == y[va])))
        means[c] = statistics.fmean(accs)
    best = max(C_GRID, key=lambda c: (means[c], -c))
    return best, means


def fit_predict(
    model: str, train: Sequence[LabeledNarrative], test: Sequence[LabeledNarrative], seed: int, tune: bool
) -> tuple[list[str], dict[str, object]]:
    """Train ``model`` on ``train`` and return its class predictions for ``test`` plus extras."""
    x_train = [e.narrative for e in train]
    y_train = [e.product_class.value for e in train]
    x_test = [e.narrative for e in test]
    extra: dict[str, object] = {}
    if model == "majority":
        dummy = DummyClassifier(strategy="most_frequent").fit(x_train, y_train)
        return [str(p) for p in dummy.predict(x_test)], extra
    if model == "plain":
        plain = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)).fit(x_train, y_train)
        return [str(p) for p in plain.predict(x_test)], extra
    c = clf.PRODUCT_C
    if tune:
        c, means = tune_c(train, seed)
        extra["inner"] = means
    extra["C"] = c
    started = time.perf_counter()
    model_ = clf.ComplaintClassifier.train(train, seed=seed, product_c=c)
    extra["train_s"] = time.perf_counter() - started
    suggestions = model_.suggest_many(x_test)
    extra["suggestions"] = suggestions
    return [s.product_class.value for s in suggestions], extra


# --- the runs -----------------------------------------------------------------------------------------


def field_hits(examples: Sequence[LabeledNarrative], suggestions: Sequence[clf.Suggestion]) -> dict[str, list[int]]:
    """Per field: [rows with a gold value, top-1 hits, top-3 hits] over the sample narratives."""
    out = {f: [0, 0, 0] for f in ("sub_product", "issue", "sub_issue")}
    for e, s in zip(examples, suggestions, strict=True):
        if e.source != "sample":
            continue
        for name in out:
            gold = getattr(e, name)
            guess = getattr(s, name)
            out[name][0] += 1
            if guess is None:
                continue
            ranked = [guess.value, *(a.value for a in guess.alternatives)]
            out[name][1] += ranked[0] == gold
            out[name][2] += gold in ranked[:3]
    return out


def report_block(
    title: str,
    gold: np.ndarray,
    preds: dict[str, np.ndarray],
    classes: list[str],
    reps: int,
    seed: int,
    fold_scores: dict[str, list[tuple[float, float]]] | None,
) -> None:
    n = len(classes)
    boot = bootstrap(gold, preds, n, reps, seed)
    point = {m: scores(gold, p, n) for m, p in preds.items()}
    rows = []
    for m in MODELS:
        acc, macro, _ = point[m]
        per_fold = ""
        if fold_scores:
            accs = [a for a, _ in fold_scores[m]]
            macros = [f for _, f in fold_scores[m]]
            per_fold = (
                f"{statistics.fmean(accs):.3f} ± {statistics.stdev(accs):.3f} / "
                f"{statistics.fmean(macros):.3f} ± {statistics.stdev(macros):.3f}"
            )
        rows.append(
            [m, f"{acc:.3f}", interval(boot[m]["acc"]), f"{macro:.3f}", interval(boot[m]["macro"]), per_fold or "-"]
        )
    print(
        h.table(
            ["model", "accuracy", "95% CI", "macro-F1", "95% CI", "per fold acc / macro-F1 (mean ± sd)"],
            rows,
            title=f"{title}: {len(gold):,} narratives, {int((np.bincount(gold, minlength=n) > 0).sum())} classes",
        )
    )
    ours = point["ours"]
    ratio_rows = [
        [
            base,
            f"{ours[0] / point[base][0]:.2f}x",
            f"{ours[1] / point[base][1]:.2f}x",
            f"{ours[0] - point[base][0]:+.3f}",
            f"{ours[1] - point[base][1]:+.3f}",
        ]
        for base in ("plain", "majority")
    ]
    print()
    print(h.table(["ours vs", "accuracy ratio", "macro-F1 ratio", "accuracy diff", "macro-F1 diff"], ratio_rows))
    support = np.bincount(gold, minlength=n)
    f1_rows = []
    for i, name in enumerate(classes):
        if support[i] == 0:
            continue
        row: list[object] = [name, f"{support[i]:,}"]
        for m in MODELS:
            row += [f"{point[m][2][i]:.3f}", interval(boot[m]["f1"][:, i])]
        f1_rows.append(row)
    print()
    print(
        h.table(
            ["class", "support", "ours F1", "95% CI", "majority F1", "95% CI", "plain F1", "95% CI"],
            f1_rows,
            title=f"{title}: per-class F1 (95% CI: percentile bootstrap, {reps:,} resamples)",
        )
    )


def target_line(acc: float, macro: float) -> str:
    met = acc >= TARGET_ACCURACY and macro >= TARGET_MACRO_F1
    parts = [
        f"accuracy {acc:.3f} {'>=' if acc >= TARGET_ACCURACY else '<'} {TARGET_ACCURACY}",
        f"macro-F1 {macro:.3f} {'>=' if macro >= TARGET_MACRO_F1 else '<'} {TARGET_MACRO_F1}",
    ]
    return f"target (CV): {'; '.join(parts)}: {'met' if met else 'NOT met'}"


def machine_rows() -> list[list[str]]:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return [
        ["nproc", str(cores)],
        ["cpu", h._cpu_model()],
        ["load (1 min) at start", f"{load:.2f}"],
        ["os", platform.platform()],
        ["python", platform.python_version()],
        ["scikit-learn", sklearn.__version__],
        ["numpy / scipy", f"{np.__version__} / {scipy.__version__}"],
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=REPO / "data" / "cfpb-complaints")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the 95%% intervals")
    p.add_argument("--no-tune", action="store_true", help=f"use C={clf.PRODUCT_C} instead of nested tuning")
    p.add_argument("--skip-cv", action="store_true", help="only the drift check and the cost figures")
    args = p.parse_args()
    tune = not args.no_tune
    print(h.table(["machine", ""], machine_rows(), title="Machine"))
    print()

    examples = labeled_narratives(args.data_dir)
    classes = sorted({e.product_class.value for e in examples})
    index = {c: i for i, c in enumerate(classes)}
    counts = Counter(e.source for e in examples)
    print(
        f"data: {args.data_dir} — {len(examples):,} narratives ({counts['sample']:,} sample, "
        f"{counts['supplement']:,} supplement), {len(classes)} classes: "
        + ", ".join(f"{c} {n:,}" for c, n in sorted(Counter(e.product_class.value for e in examples).items()))
    )
    print()

    if not args.skip_cv:
        gold = np.array([index[e.product_class.value] for e in examples])
        groups = [group_key(e.narrative) for e in examples]
        folds = list(
            StratifiedGroupKFold(n_splits=args.folds, shuffle=True, random_state=args.seed).split(
                examples, gold, groups
            )
        )
        preds = {m: np.full(len(examples), -1) for m in MODELS}
        fold_scores: dict[str, list[tuple[float, float]]] = {m: [] for m in MODELS}
        all_suggestions: list[clf.Suggestion | None] = [None] * len(examples)
        chosen: list[str] = []
        for k, (tr, te) in enumerate(folds, start=1):
            train = [examples[i] for i in tr]
            test = [examples[i] for i in te]
            for m in MODELS:
                started = time.perf_counter()
                labels, extra = fit_predict(m, train, test, args.seed, tune)
                preds[m][te] = [index[v] for v in labels]
                acc, macro, _ = scores(gold[te], preds[m][te], len(classes))
                fold_scores[m].append((acc, macro))
                if m == "ours":
                    for i, s in zip(te, extra["suggestions"], strict=True):  # type: ignore[call-overload]
                        all_suggestions[i] = s
                    inner = extra.get("inner")
                    inner_text = (
                        " (inner acc " + ", ".join(f"C={c}: {a:.3f}" for c, a in inner.items()) + ")"  # type: ignore[attr-defined]
                        if inner
                        else ""
                    )
                    chosen.append(f"fold {k}: C={extra['C']}{inner_text}")
                print(
                    f"... fold {k}/{args.folds} {m:8s} acc {acc:.3f} macro-F1 {macro:.3f} "
                    f"({time.perf_counter() - started:.1f} s)",
                    file=sys.stderr,
                    flush=True,
                )
        report_block(
            f"Stratified {args.folds}-fold CV (duplicates grouped)",
            gold,
            preds,
            classes,
            args.bootstrap,
            args.seed,
            fold_scores,
        )
        print()
        print(("ours, C chosen by nested CV: " if tune else "ours, fixed C: ") + "; ".join(chosen))
        acc, macro, _ = scores(gold, preds["ours"], len(classes))
        print(target_line(acc, macro))
        hits = field_hits(examples, [s for s in all_suggestions if s is not None])
        print()
        print(
            h.table(
                ["field (ours, CV)", "sample narratives", "top-1 accuracy", "in top 3"],
                [[f, f"{n:,}", f"{t1 / n:.3f}", f"{t3 / n:.3f}"] for f, (n, t1, t3) in hits.items()],
                title="Other fields (sample narratives; 'none' counts as the value when a complaint has no sub-issue)",
            )
        )
        print()

    # Drift: before 2020 -> 2020-2022.
    lo, hi = DRIFT_FROM, DRIFT_TO
    train = [e for e in examples if e.date_received is None or e.date_received < lo]
    seen = {group_key(e.narrative) for e in train}
    window = [e for e in examples if e.date_received is not None and lo <= e.date_received <= hi]
    test = [e for e in window if group_key(e.narrative) not in seen]
    gold_d = np.array([index[e.product_class.value] for e in test])
    preds_d: dict[str, np.ndarray] = {}
    c_drift = "-"
    for m in MODELS:
        labels, extra = fit_predict(m, train, test, args.seed, tune)
        preds_d[m] = np.array([index[v] for v in labels])
        if m == "ours":
            c_drift = str(extra["C"])
    print(
        f"Drift: train {len(train):,} narratives received before {DRIFT_FROM} (supplement included), "
        f"test {len(test):,} received {DRIFT_FROM}..{DRIFT_TO} ({len(window) - len(test)} dropped as duplicates "
        f"of training text); ours C={c_drift}"
    )
    report_block("Drift (train < 2020, test 2020-2022)", gold_d, preds_d, classes, args.bootstrap, args.seed, None)
    print()

    # Cost on all narratives.
    started, cpu_started = time.perf_counter(), time.process_time()
    model = clf.ComplaintClassifier.train(examples, seed=args.seed)
    train_s, train_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    load_now = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    sample_texts = [e.narrative for e in examples[:: max(1, len(examples) // 200)]][:200]
    latencies = []
    for text in sample_texts:
        t0 = time.perf_counter()
        model.suggest(text)
        latencies.append((time.perf_counter() - t0) * 1000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / clf.CACHE_FILE
        t0 = time.perf_counter()
        model.save(path)
        save_s = time.perf_counter() - t0
        size = path.stat().st_size
        t0 = time.perf_counter()
        clf.ComplaintClassifier.load(path, expected_data_hash=model.data_hash)
        load_s = time.perf_counter() - t0
    lat = sorted(latencies)
    print(
        h.table(
            ["cost (ours, all narratives)", "value"],
            [
                ["training narratives", f"{len(examples):,}"],
                ["train (wall)", f"{h.secs(train_s)} (load average {load_now:.1f} on {os.cpu_count()} cores)"],
                ["train (CPU time of this process)", h.secs(train_cpu)],
                ["suggest() p50 / p95", f"{lat[len(lat) // 2]:.1f} / {lat[int(len(lat) * 0.95)]:.1f} ms"],
                ["saved model", f"{size / 1024 / 1024:.1f} MiB (save {save_s:.2f} s, load {load_s:.2f} s)"],
                ["model version", model.model_version],
            ],
        )
    )


if __name__ == "__main__":
    main()
