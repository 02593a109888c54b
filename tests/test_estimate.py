"""Tests for resolve.estimate: EM over comparison levels, shrunk towards the
hand-set weights."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import resolve.estimate as estimate_mod
from resolve.comparisons import ALL_COMPARISONS
from resolve.estimate import MAX_WEIGHT, Estimation, estimate_model
from resolve.scoring import Model
from resolve.settings import Settings

FIELDS = [c.field for c in ALL_COMPARISONS]
TITLE = FIELDS.index("title")
AUTHORS = FIELDS.index("authors")
YEAR = FIELDS.index("year")
NUMBERS = FIELDS.index("title numbers")

# A known generative model: three conditionally independent comparisons (two
# would not identify a two-class latent model), the rest always missing.
# m: level distribution among matches, u: among non-matches.  Each level's
# true weight has the sign of its hand-set weight (EM keeps that direction).
M = {
    TITLE: [0.60, 0.25, 0.08, 0.04, 0.01, 0.01, 0.01],
    AUTHORS: [0.70, 0.17, 0.08, 0.03, 0.02],
    YEAR: [0.80, 0.15, 0.05, 0.0],
}
U = {
    TITLE: [0.02, 0.03, 0.05, 0.03, 0.12, 0.30, 0.45],
    AUTHORS: [0.02, 0.05, 0.05, 0.38, 0.50],
    YEAR: [0.30, 0.30, 0.40, 0.0],  # level 3 ("far apart") never occurs
}
TRUE_SHARE = 0.3

HAND = Model.hand_set(Settings())


def _true_weight(k: int, level: int) -> float:
    return math.log2(M[k][level] / U[k][level])


def _generate(n: int, share: float = TRUE_SHARE, seed: int = 0) -> np.ndarray:
    """A level matrix as :func:`resolve.scoring.compare_pairs` gives one."""
    rng = np.random.default_rng(seed)
    matches = rng.random(n) < share
    rows = np.full((n, len(ALL_COMPARISONS)), -1, dtype=np.int8)
    for p, is_match in enumerate(matches):
        for k in M:
            probs = M[k] if is_match else U[k]
            rows[p, k] = int(rng.choice(len(probs), p=probs))
    return rows


DATA = _generate(3000, seed=7)


@pytest.fixture(scope="module")
def learned() -> Estimation:
    return estimate_model(DATA, Settings(em_prior_pairs=1.0))


# ------------------------------------------------------------------ recovery


def test_em_runs_and_converges(learned: Estimation) -> None:
    assert learned.estimated is True
    assert learned.converged is True
    assert 1 <= learned.iterations <= Settings().em_iterations
    assert learned.pairs == len(DATA)


def test_em_recovers_match_share(learned: Estimation) -> None:
    assert learned.match_share == pytest.approx(TRUE_SHARE, abs=0.03)


@pytest.mark.parametrize(("k", "level"), [
    (TITLE, 0), (TITLE, 1), (TITLE, 2), (TITLE, 3), (TITLE, 4), (TITLE, 5), (TITLE, 6),
    (AUTHORS, 0), (AUTHORS, 1), (AUTHORS, 2), (AUTHORS, 3), (AUTHORS, 4),
    (YEAR, 0), (YEAR, 1), (YEAR, 2),
])
def test_em_recovers_direction_of_weights(learned: Estimation, k: int, level: int) -> None:
    true = _true_weight(k, level)
    got = learned.model.weights[k][level]
    assert math.copysign(1, got) == math.copysign(1, true), (FIELDS[k], level, got, true)


@pytest.mark.parametrize(("k", "level"), [
    # Levels with enough matches and non-matches that 3000 pairs determine
    # their ratio to about a bit (checked over many seeds).
    (TITLE, 0), (TITLE, 1), (TITLE, 2), (TITLE, 3),
    (AUTHORS, 0), (AUTHORS, 1), (AUTHORS, 2), (AUTHORS, 4),
    (YEAR, 0), (YEAR, 1), (YEAR, 2),
])
def test_em_recovers_magnitude_of_weights(learned: Estimation, k: int, level: int) -> None:
    true = _true_weight(k, level)
    got = learned.model.weights[k][level]
    assert got == pytest.approx(true, abs=1.25), (FIELDS[k], level, got, true)


def test_em_moves_weights_away_from_hand_set(learned: Estimation) -> None:
    # The hand-set title "exact" is +10 and year "off by one" -2; the data say
    # about +4.9 and -1.0: a small prior lets the data win.
    assert learned.model.weights[TITLE][0] < 6.5
    assert learned.model.weights[YEAR][1] > -1.9
    assert learned.model != HAND


def test_prior_stays_the_settings_prior() -> None:
    est = estimate_model(DATA, Settings(em_prior_pairs=1.0, prior=-5.5))
    assert est.model.prior == -5.5
    # The estimated share does not leak into the decision prior.
    assert est.match_share == pytest.approx(TRUE_SHARE, abs=0.03)


def test_levels_never_observed_keep_hand_set_weights(learned: Estimation) -> None:
    w = learned.model.weights
    # Year "far apart" never occurs in the data; the levels next to it do.
    assert w[YEAR][3] == HAND.weights[YEAR][3] == -9.0
    assert w[YEAR][2] != HAND.weights[YEAR][2]
    # Comparisons missing on every pair keep all their weights.
    for k in range(len(ALL_COMPARISONS)):
        if k not in M:
            assert w[k] == HAND.weights[k], FIELDS[k]


# ------------------------------------------------------------------ skipping


def test_fewer_pairs_than_minimum_returns_hand_set() -> None:
    settings = Settings(em_min_pairs=200)
    est = estimate_model(DATA[:199], settings)
    assert est.estimated is False
    assert est.model == Model.hand_set(settings)
    assert (est.iterations, est.converged, est.pairs) == (0, False, 199)
    assert math.isnan(est.match_share)
    # At the minimum, estimation runs.
    at_min = estimate_model(DATA[:200], settings)
    assert at_min.estimated is True
    assert at_min.pairs == 200


def test_estimation_switched_off_returns_hand_set() -> None:
    settings = Settings(estimate_weights=False, prior=-7.0)
    est = estimate_model(DATA, settings)
    assert est.estimated is False
    assert est.model == Model.hand_set(settings)
    assert est.model.prior == -7.0
    assert est.pairs == len(DATA)


def test_no_pairs_at_all() -> None:
    est = estimate_model(
        np.empty((0, len(ALL_COMPARISONS)), dtype=np.int8),
        Settings(em_min_pairs=0, estimate_weights=False))
    assert est.estimated is False
    assert est.pairs == 0


# ---------------------------------------------------------------- shrinkage


def test_strong_shrinkage_keeps_hand_set_weights() -> None:
    est = estimate_model(DATA, Settings(em_prior_pairs=1e9))
    assert est.estimated is True
    for got, hand in zip(est.model.weights, HAND.weights, strict=True):
        assert got == pytest.approx(hand, abs=0.01)


def test_shrinkage_is_monotone_in_prior_pairs() -> None:
    # The more pseudo-pairs, the closer title "exact" stays to its +10.
    dist = []
    for alpha in (1.0, 100.0, 1000.0, 100000.0):
        w = estimate_model(DATA, Settings(em_prior_pairs=alpha)).model.weights[TITLE][0]
        dist.append(abs(w - HAND.weights[TITLE][0]))
    assert dist == sorted(dist, reverse=True)
    assert dist[0] > 3.0
    assert dist[-1] < 0.1


# ------------------------------------------------------------ determinism etc.


def test_deterministic() -> None:
    settings = Settings(em_prior_pairs=10.0)
    first = estimate_model(DATA, settings)
    second = estimate_model(DATA.copy(), settings)
    assert first == second
    assert first.model.weights == second.model.weights


def test_weights_are_clipped(monkeypatch: pytest.MonkeyPatch) -> None:
    # With a tiny prior the learned ratio counts almost alone; clipped at 2
    # bits, title "exact" (truly about +4.9) and authors "none" (about -4.6)
    # hit the bounds.
    monkeypatch.setattr(estimate_mod, "MAX_WEIGHT", 2.0)
    est = estimate_model(DATA, Settings(em_prior_pairs=1e-6))
    for k in M:
        for level, w in enumerate(est.model.weights[k]):
            if M[k][level] or U[k][level]:
                assert -2.0 - 1e-3 <= w <= 2.0 + 1e-3, (FIELDS[k], level, w)
    assert est.model.weights[TITLE][0] == pytest.approx(2.0, abs=1e-3)
    assert est.model.weights[AUTHORS][4] == pytest.approx(-2.0, abs=1e-3)


def test_weights_stay_within_max_weight_on_extreme_data() -> None:
    # Perfectly separated levels: matches agree on everything, non-matches on
    # nothing.
    match = np.full(len(ALL_COMPARISONS), -1, dtype=np.int8)
    non = match.copy()
    for k in M:
        match[k] = 0
        non[k] = len(ALL_COMPARISONS[k].levels) - 1
    rows = np.array([match] * 300 + [non] * 3000)
    est = estimate_model(rows, Settings(em_prior_pairs=1e-9))
    assert est.estimated
    flat = [w for ws in est.model.weights for w in ws]
    assert max(abs(w) for w in flat) <= MAX_WEIGHT
    assert est.match_share == pytest.approx(300 / 3300, abs=1e-3)


def test_as_dict_is_json_serializable(learned: Estimation) -> None:
    d = json.loads(json.dumps(learned.as_dict(), allow_nan=False))
    assert d["estimated"] is True
    assert d["pairs"] == len(DATA)
    assert d["match share"] == pytest.approx(TRUE_SHARE, abs=0.03)
    assert d["prior"] == Settings().prior
    assert set(d["weights"]) == set(FIELDS)
    assert d["weights"]["title"]["exact"] == round(learned.model.weights[TITLE][0], 3)
    assert d["weights"]["year"]["far apart"] == -9.0


def test_as_dict_of_skipped_estimation_is_strict_json() -> None:
    est = estimate_model(DATA[:10], Settings())
    assert est.estimated is False
    json.dumps(est.as_dict(), allow_nan=False)


def test_contradictions_keep_their_sign_and_likeness_moves_freely() -> None:
    # Web-scraped data: among the matches a title often has a word changed
    # (hand-set as a penalty), and numbers in titles are often misread.  The
    # data may turn "a word differs" into evidence for a match, but a
    # contradiction (numbers differ, hand-set -8) never becomes one.
    rng = np.random.default_rng(3)
    rows = np.full((4000, len(ALL_COMPARISONS)), -1, dtype=np.int8)
    word_differs, different = 4, 1
    for n in range(4000):
        match = n % 2 == 0
        rows[n, AUTHORS] = 0 if match else int(rng.choice([2, 3, 4]))
        rows[n, YEAR] = 0 if match or rng.random() < 0.3 else 2
        rows[n, TITLE] = (word_differs if rng.random() < 0.5 else 0) if match else \
            int(rng.choice([4, 5, 6], p=[0.05, 0.35, 0.6]))
        rows[n, NUMBERS] = different if match and rng.random() < 0.2 else -1
    w = estimate_model(rows, Settings(em_prior_pairs=1.0)).model.weights
    assert HAND.weights[TITLE][word_differs] < 0 < w[TITLE][word_differs]
    assert not estimate_mod.free_levels()[NUMBERS][different]
    assert w[NUMBERS][different] <= 0


def test_counts_stand_for_repeated_rows() -> None:
    # A row counted 3 times is the same data as the row given 3 times.
    settings = Settings(em_prior_pairs=10.0)
    head, tail = DATA[:2000], DATA[2000:2400]
    repeated = estimate_model(np.concatenate([head, tail, tail, tail]), settings)
    counts = np.concatenate([np.ones(len(head)), np.full(len(tail), 3.0)])
    weighted = estimate_model(np.concatenate([head, tail]), settings, counts)
    assert weighted.pairs == repeated.pairs == 3200
    for a, b in zip(weighted.model.weights, repeated.model.weights, strict=True):
        assert a == pytest.approx(b, abs=1e-3)
    assert weighted.match_share == pytest.approx(repeated.match_share, abs=1e-9)


def test_a_rule_level_is_strengthened_only_against_a_harder_prior(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # "same volume, page missing" beside most exact titles: EM would make it
    # far stronger than hand-set; a rule level is held back ten times harder.
    rows = _generate(3000, seed=11)
    vp = FIELDS.index("volume and pages")
    same_other_missing = 1
    rows[:, vp] = np.where(rows[:, TITLE] == 0, same_other_missing, 2)  # else "one differs"
    settings = Settings(em_prior_pairs=10.0)
    assert not estimate_mod.free_levels()[vp][same_other_missing]
    held = estimate_model(rows, settings).model.weights[vp][same_other_missing]
    monkeypatch.setattr(estimate_mod, "RULE_PRIOR_FACTOR", 1.0)
    loose = estimate_model(rows, settings).model.weights[vp][same_other_missing]
    hand = HAND.weights[vp][same_other_missing]
    assert hand < held < loose
