"""The matcher keeps its measured quality on a small, fixed part of the evaluation set.

bench/clustering_eval.py builds the set from the real sample records in ../shared/data
(see docs/clustering.md); here 90 of them, with a fixed seed, give some 1,700 labelled
pairs. The bounds are a little below the full set's (precision 0.99, recall 0.95) so that
a small set's chance does not fail the build, but a real regression does.
"""

from __future__ import annotations

import pytest

from bench import clustering_eval
from simpul.catalog import matching


def test_the_shared_sample_records_are_here() -> None:
    assert clustering_eval.DATA.is_dir(), "clone the project beside ../shared"


@pytest.fixture(scope="module")
def dataset() -> clustering_eval.Dataset:
    return clustering_eval.build_dataset(seed=20260501, limit=90)


def test_the_subset_is_deterministic(dataset: clustering_eval.Dataset) -> None:
    again = clustering_eval.build_dataset(seed=20260501, limit=90)
    assert [(p.a.title, p.b.title, p.same) for p in again.pairs] == [
        (p.a.title, p.b.title, p.same) for p in dataset.pairs
    ]


def test_the_subset_has_both_kinds_of_pairs(dataset: clustering_eval.Dataset) -> None:
    kinds = {p.kind for p in dataset.pairs}
    assert len(dataset.pairs) >= 1000
    assert {"positive", "other-edition", "translation", "same-title-other-author"} <= kinds
    assert {"generic-title-other-book", "other-format-ebook"} <= kinds


def test_precision_and_recall_stay_within_bounds(dataset: clustering_eval.Dataset) -> None:
    scores = clustering_eval.score_pairs(dataset)
    assert scores.precision >= 0.98, scores
    assert scores.recall >= 0.92, scores


def test_records_of_one_edition_almost_always_share_a_blocking_key(
    dataset: clustering_eval.Dataset,
) -> None:
    positives = [p for p in dataset.pairs if p.same]
    sharing = sum(
        1 for p in positives if clustering_eval.record_keys(p.a) & clustering_eval.record_keys(p.b)
    )
    assert sharing / len(positives) >= 0.97


def test_the_quick_veto_only_rules_out_what_the_full_comparison_vetoes(
    dataset: clustering_eval.Dataset,
) -> None:
    """Clustering skips the full comparison when a cheap veto applies; it must never rule
    out a pair the full comparison would have let through."""
    quick = 0
    for pair in dataset.pairs:
        fa, fb = matching.features(pair.a), matching.features(pair.b)
        if matching.quick_veto(fa, fb) is not None:
            quick += 1
            assert matching.compare(fa, fb).vetoed, (pair.a.title, pair.b.title)
    assert quick >= 100  # the shortcut is taken on the pairs it exists for
