"""The benchmark scorer: evaluate.py semantics on hand-made cases, the fundus metrics,
and the reproduction of the published scrapinghub table from the stored tool outputs."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

# `benchmarks/` is not an installed package; make the repo root importable under plain pytest.

from benchmarks import scoring  # noqa: E402
from benchmarks.corpora import default_corpora_root, load_scrapinghub_truth, load_tool_output  # noqa: E402

PLUS1 = timezone(timedelta(hours=1))
PLUS5 = timezone(timedelta(hours=5))


# -- evaluate.py replica -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Hello, world!", ["Hello", "world"]),
        ("snake_case — 2024", ["snake_case", "2024"]),
        ("Größe café 東京", ["Größe", "café", "東京"]),
        ("", []),
        (None, []),
    ],
)
def test_tokenize_is_unicode_word_regex(text: str | None, tokens: list[str]) -> None:
    assert scoring.tokenize(text) == tokens


def test_short_text_gives_one_short_shingle() -> None:
    # Upstream quirk: fewer than 4 tokens still make one (shorter) shingle.
    assert scoring.ngrams("a b", 4) == [("a", "b")]
    assert scoring.ngrams("", 4) == []
    assert scoring.ngrams("a b c d e", 4) == [("a", "b", "c", "d"), ("b", "c", "d", "e")]


@pytest.mark.parametrize(
    ("true", "pred", "expected"),
    [
        ("a b c d e", "a b c d e", (1.0, 0.0, 0.0)),
        ("", "", (0.0, 0.0, 0.0)),
        ("a b c d e", "", (0.0, 0.0, 1.0)),
        ("", "a b c d e", (0.0, 1.0, 0.0)),
        ("a b c d e", "a b c d", (0.5, 0.0, 0.5)),
        ("a b c d", "a b c d e", (0.5, 0.5, 0.0)),
        # Multisets: the repeated shingle counts twice in the truth, once in the prediction.
        ("a b c d a b c d", "a b c d", (0.2, 0.0, 0.8)),
        # Punctuation and line breaks are not tokens.
        ("a, b. c\n\nd!", "a b c d", (1.0, 0.0, 0.0)),
    ],
)
def test_shingle_matching_normalised(true: str, pred: str, expected: tuple[float, ...]) -> None:
    assert scoring.string_shingle_matching(true, pred) == pytest.approx(expected)


def test_precision_and_recall_edge_cases() -> None:
    assert scoring.precision_score(0, 0, 0) == 1.0
    assert scoring.recall_score(0, 0, 0) == 1.0
    assert scoring.precision_score(0, 0, 1) == 0.0
    assert scoring.recall_score(0, 1, 0) == 0.0
    assert scoring.precision_score(0.25, 0.75, 0) == 0.25
    assert scoring.recall_score(0.25, 0, 0.75) == 0.25


def test_means_skip_empty_predictions_and_truths() -> None:
    pages = [(1.0, 0.0, 0.0), (0.0, 0.0, 1.0), (0.0, 0.0, 0.0), (0.0, 1.0, 0.0)]
    metrics = scoring.metrics_from_tp_fp_fns(pages)
    # precision over pages 1 and 4 (non-empty prediction), recall over pages 1 and 2.
    assert metrics["precision"] == pytest.approx(0.5)
    assert metrics["recall"] == pytest.approx(0.5)
    assert metrics["f1"] == pytest.approx(0.5)


def test_f1_is_of_the_means_not_mean_of_f1() -> None:
    pages = [(0.5, 0.5, 0.0), (0.5, 0.0, 0.5)]  # P=(.5+1)/2, R=(1+.5)/2
    metrics = scoring.metrics_from_tp_fp_fns(pages)
    assert metrics["f1"] == pytest.approx(0.75)
    assert sum(scoring.page_f1(p) for p in pages) / 2 == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("true", "pred", "accuracy"),
    [
        ("Hello, world!", "Hello world", 1.0),
        ("Hello world", "hello world", 0.0),  # case matters
        ("Hello world", "Hello world again", 0.0),
        ("", "", 1.0),
    ],
)
def test_accuracy_is_token_sequence_equality(true: str, pred: str, accuracy: float) -> None:
    assert scoring.get_accuracy(true, pred) == accuracy


def test_evaluate_matches_hand_computation_and_reports_stds() -> None:
    truth = {"a": {"articleBody": "one two three four five"}, "b": {"articleBody": "six seven eight nine"}}
    pred = {"a": {"articleBody": "one two three four"}, "b": {"articleBody": "six seven eight nine"}}
    metrics = scoring.evaluate(truth, pred, n_bootstrap=50, rng=random.Random(1))
    assert metrics["precision"] == pytest.approx(1.0)
    assert metrics["recall"] == pytest.approx(0.75)
    assert metrics["f1"] == pytest.approx(2 * 0.75 / 1.75)
    assert metrics["accuracy"] == pytest.approx(0.5)
    assert metrics["tp_fp_fns"] == [(0.5, 0.0, 0.5), (1.0, 0.0, 0.0)]
    for key in ("f1_std", "precision_std", "recall_std", "accuracy_std"):
        assert 0.0 <= metrics[key] <= 1.0
    assert metrics["recall_std"] > 0
    again = scoring.evaluate(truth, pred, n_bootstrap=50, rng=random.Random(1))
    assert again["f1_std"] == metrics["f1_std"]


def test_evaluate_rejects_mismatched_keys() -> None:
    with pytest.raises(ValueError, match="keys"):
        scoring.evaluate({"a": {"articleBody": "x"}}, {"b": {"articleBody": "x"}}, n_bootstrap=0)


def test_missing_article_body_counts_as_empty() -> None:
    metrics = scoring.evaluate(
        {"a": {"articleBody": "w x y z"}, "b": {"articleBody": "p q r s"}},
        {"a": {}, "b": {"articleBody": "p q r s"}},
        n_bootstrap=0,
    )
    assert metrics["precision"] == 1.0  # page a has no prediction: not in the precision mean
    assert metrics["recall"] == 0.5


# -- published table -----------------------------------------------------------------------


def _scrapinghub() -> Path:
    root = default_corpora_root() / "scrapinghub"
    if not (root / "tool-outputs").is_dir():
        pytest.skip(f"scrapinghub corpus not found at {root} (set NEWSPIPE_CORPORA)")
    return root


@pytest.mark.parametrize(
    ("tool", "published_f1"),
    [("trafilatura", 0.958), ("AutoExtract", 0.970), ("rs_trafilatura", 0.970), ("newspaper", 0.949)],
)
def test_rescoring_tool_outputs_reproduces_published_f1(tool: str, published_f1: float) -> None:
    root = _scrapinghub()
    prediction, _ = load_tool_output(root / "tool-outputs" / f"{tool}.json.gz")
    metrics = scoring.evaluate(load_scrapinghub_truth(root), prediction, n_bootstrap=0)
    assert round(metrics["f1"], 3) == published_f1


# -- fundus metrics ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("\u201cQuoted\u201d  \u2018words\u2019\n", "\"Quoted\" 'words'"),
        ("\u00abGuillemets\u00bb \u2039x\u203a \u201eDE\u201c", "\"Guillemets\" 'x' \"DE\""),
        ("ﬁ\u00a0Ｆｕｌｌ", "fi Full"),  # NFKC: ligature, no-break space, full-width letters
        (None, ""),
    ],
)
def test_normalize_text(raw: str | None, normalised: str) -> None:
    assert scoring.normalize_text(raw) == normalised


def test_headline_match() -> None:
    assert scoring.headline_match("It\u2019s  here", "It's here\n") == 1.0
    assert scoring.headline_match("It's here", "It's here - Site") == 0.0
    assert scoring.headline_match("", "") == 0.0  # nothing to match is not a match


TRUTH_AWARE = datetime(2024, 12, 2, 0, 30, 35, tzinfo=PLUS1)
TRUTH_NAIVE = datetime(2024, 12, 2, 10, 56, 35)


@pytest.mark.parametrize(
    ("truth", "pred", "day", "minute"),
    [
        (TRUTH_AWARE, datetime(2024, 12, 1, 23, 30, 2, tzinfo=timezone.utc), 1.0, 1.0),  # same instant
        (TRUTH_AWARE, datetime(2024, 12, 2, 0, 30, tzinfo=timezone.utc), 1.0, 0.0),  # wrong offset
        (TRUTH_AWARE, datetime(2024, 12, 2, 0, 31, tzinfo=PLUS1), 1.0, 0.0),
        (TRUTH_AWARE, datetime(2024, 12, 2, 0, 30), 1.0, 0.0),  # naive: wall date only
        (TRUTH_AWARE, date(2024, 12, 2), 1.0, 0.0),  # bare date never matches the minute
        (TRUTH_AWARE, date(2024, 12, 1), 0.0, 0.0),
        (TRUTH_AWARE, None, 0.0, 0.0),
        (TRUTH_NAIVE, datetime(2024, 12, 2, 10, 56, tzinfo=PLUS5), 1.0, 1.0),  # wall time
        (TRUTH_NAIVE, datetime(2024, 12, 2, 10, 57), 1.0, 0.0),
        (TRUTH_NAIVE, datetime(2024, 12, 3, 10, 56), 0.0, 0.0),
    ],
)
def test_date_matching(truth: datetime, pred: datetime | date | None, day: float, minute: float) -> None:
    assert scoring.date_match_day(truth, pred) == day
    assert scoring.date_match_minute(truth, pred) == minute


@pytest.mark.parametrize(
    ("truth", "pred", "f1"),
    [
        (["Marta Cañete"], ["marta  cañete"], 1.0),
        (["A Writer", "B Writer"], ["A Writer"], 2 / 3),
        (["A Writer"], [], 0.0),
        ([], [], 1.0),
        (["A Writer"], ["Someone Else", "A Writer", "A  writer"], 2 / 3),  # sets, not lists
    ],
)
def test_authors_f1(truth: list[str], pred: list[str], f1: float) -> None:
    assert scoring.authors_f1(truth, pred) == pytest.approx(f1)
