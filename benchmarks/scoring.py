"""Scoring for the extraction benchmark.

The body scorer replicates `evaluate.py` of scrapinghub/article-extraction-benchmark
(commit 4a3bc97) exactly: `\\w+` tokens, multisets of 4-token shingles, per-page TP/FP/FN
normalised to sum to 1, precision averaged over pages with a non-empty prediction, recall
over pages with a non-empty truth, F1 of the two means, accuracy = identical token
sequences, and bootstrap standard deviations. The fundus metrics (headline, date, authors)
are ours and are defined next to their functions. Reads no settings.
"""

from __future__ import annotations

import random
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

TpFpFn = tuple[float, float, float]

# Same flags as upstream; only re.UNICODE matters for \w+, the rest is kept for fidelity.
_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


# -- evaluate.py replica ---------------------------------------------------------------


def tokenize(text: str | None) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def ngrams(text: str | None, n: int) -> list[tuple[str, ...]]:
    tokens = tokenize(text)
    # Upstream quirk kept on purpose: a text shorter than n tokens yields one short shingle.
    result = []
    for i in range(0, max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:
            result.append(shingle)
    return result


def string_shingle_matching(true: str | None, pred: str | None, ngram_n: int = 4) -> TpFpFn:
    """TP/FP/FN over shingle multisets, normalised to sum to 1 (all zero if both are empty)."""
    true_shingles = Counter(ngrams(true, ngram_n))
    pred_shingles = Counter(ngrams(pred, ngram_n))
    tp = fp = fn = 0.0
    for key in set(true_shingles) | set(pred_shingles):
        true_count = true_shingles.get(key, 0)
        pred_count = pred_shingles.get(key, 0)
        tp += min(true_count, pred_count)
        fp += max(0, pred_count - true_count)
        fn += max(0, true_count - pred_count)
    total = tp + fp + fn
    if total > 0:
        return (tp / total, fp / total, fn / total)
    return (tp, fp, fn)


def precision_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def recall_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def get_accuracy(true: str | None, pred: str | None) -> float:
    return float(tokenize(true) == tokenize(pred))


def metrics_from_tp_fp_fns(tp_fp_fns: Sequence[TpFpFn]) -> dict[str, float]:
    """Mean precision (pages with a prediction), mean recall (pages with a truth), their F1.

    Upstream raises StatisticsError when no page qualifies; we do the same, since a
    benchmark with no scorable page is a usage error, not a score.
    """
    precision = statistics.mean(
        [precision_score(tp, fp, fn) for tp, fp, fn in tp_fp_fns if tp + fp > 0]
    )
    recall = statistics.mean([recall_score(tp, fp, fn) for tp, fp, fn in tp_fp_fns if tp + fn > 0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


def evaluate(
    ground_truth: Mapping[str, Mapping[str, Any]],
    prediction: Mapping[str, Mapping[str, Any]],
    n_bootstrap: int = 1000,
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """Upstream `evaluate()`: metrics, `tp_fp_fns`, `accuracy` and `<metric>_std` by bootstrap.

    `rng` replaces upstream's global `random` so that runs are repeatable; the point
    estimates do not depend on it.
    """
    if ground_truth.keys() != prediction.keys():
        raise ValueError("prediction keys do not match ground truth")
    trues = [ground_truth[key].get("articleBody", "") for key in ground_truth]
    preds = [prediction[key].get("articleBody", "") for key in ground_truth]
    return evaluate_bodies(trues, preds, n_bootstrap=n_bootstrap, rng=rng)


def evaluate_bodies(
    trues: Sequence[str | None],
    preds: Sequence[str | None],
    n_bootstrap: int = 1000,
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """`evaluate()` over two aligned lists of texts."""
    if len(trues) != len(preds):
        raise ValueError("truths and predictions differ in length")
    rng = rng or random.Random(0)
    tp_fp_fns = [string_shingle_matching(true=t, pred=p) for t, p in zip(trues, preds)]
    accuracies = [get_accuracy(true=t, pred=p) for t, p in zip(trues, preds)]
    metrics: dict[str, Any] = metrics_from_tp_fp_fns(tp_fp_fns)
    metrics["tp_fp_fns"] = tp_fp_fns
    metrics["accuracy"] = statistics.mean(accuracies)

    metrics.update(bootstrap(tp_fp_fns, accuracies, n_bootstrap, rng))
    return metrics


def bootstrap(
    tp_fp_fns: Sequence[TpFpFn],
    accuracies: Sequence[float],
    n_bootstrap: int,
    rng: random.Random,
) -> dict[str, float]:
    """Bootstrap standard deviations, `{"accuracy_std", "f1_std", "precision_std", "recall_std"}`.

    Resamples the per-page scores, computed once: the same numbers upstream gets by
    re-running metrics_from_tp_fp_fns on every resample, at a fraction of the cost.
    """
    precisions = [precision_score(*t) if t[0] + t[1] > 0 else None for t in tp_fp_fns]
    recalls = [recall_score(*t) if t[0] + t[2] > 0 else None for t in tp_fp_fns]
    b_values: dict[str, list[float]] = {"accuracy": [], "f1": [], "precision": [], "recall": []}
    n = len(tp_fp_fns)
    for _ in range(n_bootstrap if n else 0):
        indices = rng.choices(range(n), k=n)
        b_prec = [p for i in indices if (p := precisions[i]) is not None]
        b_rec = [r for i in indices if (r := recalls[i]) is not None]
        if not b_prec or not b_rec:
            # A tiny sample can draw only empty texts; upstream would crash here.
            continue
        precision, recall = sum(b_prec) / len(b_prec), sum(b_rec) / len(b_rec)
        b_values["precision"].append(precision)
        b_values["recall"].append(recall)
        b_values["f1"].append(
            2 * precision * recall / (precision + recall) if precision + recall else 0.0
        )
        b_values["accuracy"].append(sum(accuracies[i] for i in indices) / n)
    return {
        f"{key}_std": statistics.stdev(values) if len(values) > 1 else 0.0
        for key, values in b_values.items()
    }


def page_f1(tp_fp_fn: TpFpFn) -> float:
    """One page's shingle F1, for ranking the worst pages (1.0 when both texts are empty)."""
    tp, fp, fn = tp_fp_fn
    if fp == fn == 0:
        return 1.0
    return 2 * tp / (2 * tp + fp + fn)


# -- fundus metrics ----------------------------------------------------------------------

_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
        "\u2039": "'", "\u203a": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
        "\u00ab": '"', "\u00bb": '"',
    }
)  # fmt: skip
_SPACE_RE = re.compile(r"\s+")


def normalize_text(text: str | None) -> str:
    """NFKC, curly/angle quotes to ' and ", whitespace runs to one space, stripped."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    return _SPACE_RE.sub(" ", text).strip()


def headline_match(truth: str | None, pred: str | None) -> float:
    return float(bool(normalize_text(truth)) and normalize_text(truth) == normalize_text(pred))


def date_match_day(truth: datetime, pred: datetime | date | None) -> float:
    """Same calendar date, seen in the truth's offset.

    An aware prediction is converted to the truth's offset; a naive one (or a bare date, or
    a naive truth) is compared on its wall-clock date, the only reading available.
    """
    if pred is None:
        return 0.0
    if not isinstance(pred, datetime):
        return float(pred == truth.date())
    if truth.tzinfo is not None and pred.tzinfo is not None:
        return float(pred.astimezone(truth.tzinfo).date() == truth.date())
    return float(pred.date() == truth.date())


def date_match_minute(truth: datetime, pred: datetime | date | None) -> float:
    """Same instant to the minute; with an offset in the truth the prediction needs one too.

    A bare date never matches: it does not claim a time of day.
    """
    if pred is None or not isinstance(pred, datetime):
        return 0.0
    if truth.tzinfo is not None:
        if pred.tzinfo is None:
            return 0.0
        # Compare in the truth's offset so that second/microsecond truncation is consistent.
        local = pred.astimezone(truth.tzinfo)
        return float(_to_minute(local) == _to_minute(truth))
    return float(_to_minute(pred.replace(tzinfo=None)) == _to_minute(truth))


def _to_minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def normalize_name(name: str) -> str:
    return normalize_text(name).casefold()


def authors_f1(truth: Iterable[str], pred: Iterable[str]) -> float:
    """F1 between the normalised name sets (1.0 when both are empty)."""
    true_set = {normalize_name(n) for n in truth} - {""}
    pred_set = {normalize_name(n) for n in pred} - {""}
    if not true_set and not pred_set:
        return 1.0
    return 2 * len(true_set & pred_set) / (len(true_set) + len(pred_set))


# -- trafilatura-dev: must / must-not strings ----------------------------------------------

WithWithout = tuple[int, int, int, int]  # TP, FN, FP, TN


def with_without_counts(with_strings: Iterable[str], without_strings: Iterable[str], pred: str | None) -> WithWithout:
    """trafilatura's evaluation: a `with` string found is a TP (else FN), a `without` string found a FP (else TN).

    Exact substring tests, as trafilatura's `tests/comparison.py`; no prediction counts every
    `with` string as missed and every `without` string as absent.
    """
    text = pred or ""
    tp = fn = fp = tn = 0
    for s in with_strings:
        if text and s in text:
            tp += 1
        else:
            fn += 1
    for s in without_strings:
        if text and s in text:
            fp += 1
        else:
            tn += 1
    return tp, fn, fp, tn


def with_without_metrics(counts: Iterable[WithWithout]) -> dict[str, float]:
    """Precision, recall, accuracy and F1 over all strings of all pages pooled (trafilatura's way)."""
    tp = fn = fp = tn = 0
    for a, b, c, d in counts:
        tp, fn, fp, tn = tp + a, fn + b, fp + c, tn + d
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    total = tp + fn + fp + tn
    return {
        "precision": precision,
        "recall": recall,
        "accuracy": (tp + tn) / total if total else 0.0,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


def with_without_page_score(counts: WithWithout) -> float:
    """One page's share of strings handled right ((TP + TN) / all), to rank the worst pages."""
    tp, fn, fp, tn = counts
    total = tp + fn + fp + tn
    return (tp + tn) / total if total else 1.0


def local_day(pred: datetime | date | None) -> date | None:
    """The prediction's own calendar day, in its own offset (htmldate-dev's truth is the page's day)."""
    if pred is None:
        return None
    return pred.date() if isinstance(pred, datetime) else pred
