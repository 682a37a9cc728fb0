"""Clustering metrics against values worked out by hand."""

from __future__ import annotations

import pytest

from kabar.metrics import bcubed, nmi, pairwise

GOLD = {"a": "1", "b": "1", "c": "2", "d": "2", "e": "3"}
PREDICTED = {"a": "x", "b": "y", "c": "y", "d": "y", "e": "y"}


def test_bcubed_matches_the_hand_computed_example():
    # precision per item: a 1, b 1/4, c 2/4, d 2/4, e 1/4 -> 2.5/5; recall: a 1/2, b 1/2, c 1, d 1, e 1 -> 4/5
    precision, recall, f1 = bcubed(GOLD, PREDICTED)
    assert precision == pytest.approx(0.5)
    assert recall == pytest.approx(0.8)
    assert f1 == pytest.approx(2 * 0.5 * 0.8 / 1.3)


def test_pairwise_counts_pairs_put_together():
    # predicted pairs: 6 within {b,c,d,e}, of which only (c,d) is a gold pair; gold pairs: (a,b), (c,d)
    precision, recall, f1 = pairwise(GOLD, PREDICTED)
    assert precision == pytest.approx(1 / 6)
    assert recall == pytest.approx(1 / 2)
    assert f1 == pytest.approx(0.25)


def test_nmi_is_one_for_a_relabelled_perfect_clustering_and_matches_the_textbook_value():
    assert nmi(GOLD, {k: v + "!" for k, v in GOLD.items()}) == pytest.approx(1.0)
    # H(G) = 1.0549, H(P) = 0.5004, H(P|G) = 0.4 ln 2 = 0.2773, so I = 0.2231 nats; 0.2231 / mean(H(G), H(P))
    assert nmi(GOLD, PREDICTED) == pytest.approx(0.2869418, abs=1e-6)


def test_perfect_and_all_singleton_clusterings():
    assert bcubed(GOLD, GOLD) == pytest.approx((1.0, 1.0, 1.0))
    precision, recall, _ = bcubed(GOLD, {k: k for k in GOLD})
    assert precision == pytest.approx(1.0)
    assert recall == pytest.approx((0.5 + 0.5 + 0.5 + 0.5 + 1) / 5)


def test_items_missing_from_the_prediction_count_as_singletons_and_extra_items_are_ignored():
    predicted = {"a": "x", "b": "x", "c": "y", "d": "y", "zzz": "x"}
    precision, recall, _ = bcubed(GOLD, predicted)
    assert precision == pytest.approx(1.0)
    assert recall == pytest.approx(1.0)
