"""Kitagawa and Das Gupta decompositions: a hand example, identities, bad input."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cxmetrics.compare import decompose_change
from cxmetrics.errors import InvalidDataError, InvalidParameterError
from cxmetrics.estimators.decomposition import (
    complex_step_jacobian,
    factor_effects,
    mix_factors,
    totals_covariance,
)
from cxmetrics.suffstats import Moments


def hand_data() -> pd.DataFrame:
    """Period A: 60 % of segment x rating 5, 40 % of y rating 8 (mean 6.2).

    Period B: 30 % x rating 4, 70 % y rating 9 (mean 7.5). By hand:
    total = 1.3; rate = .45·(4−5) + .55·(9−8) = 0.1;
    mix = 4.5·(.3−.6) + 8.5·(.7−.4) = 1.2.
    """
    rows = (
        [("A", "x", 5)] * 60
        + [("A", "y", 8)] * 40
        + [("B", "x", 4)] * 30
        + [("B", "y", 9)] * 70
    )
    return pd.DataFrame(rows, columns=["period", "segment", "rating"])


def test_kitagawa_hand_example() -> None:
    data = hand_data()
    before = data.copy()
    res = decompose_change(
        data, "rating", "period", mix="segment", metric="mean", scale=(1, 10)
    )
    assert_allclose(res.total_change, 1.3, rtol=1e-12)
    assert_allclose(res.rate_effect, 0.1, atol=1e-12)
    assert_allclose(res.mix_effect, 1.2, rtol=1e-12)
    assert (res.score_a, res.score_b) == pytest.approx((6.2, 7.5))
    seg = res.segments.set_index("segment")
    assert_allclose(seg.loc["x", "rate_effect"], 0.45 * -1, rtol=1e-12)
    assert_allclose(seg.loc["y", "mix_effect"], 8.5 * 0.3, rtol=1e-12)
    assert_allclose(seg["contribution"].sum(), 1.3, rtol=1e-12)
    assert res.method == "kitagawa"
    pd.testing.assert_frame_equal(data, before)
    # ratings are constant within cells: only the mix varies, by binomial shares
    p, n = 0.6, 100
    se_mix_a = math.sqrt(p * (1 - p) / (n - 1))  # SE of a share, n/(n−1) design
    row = res.to_frame().set_index("component").loc["mix_effect"].iloc[0]
    # mix = Σ r̄ (pB − pA) = (8.5 − 4.5)·(pyB − pyA): SE from both periods' shares
    expected = 4.0 * math.hypot(se_mix_a, math.sqrt(0.3 * 0.7 / 99))
    assert_allclose(row["std_error"], expected, rtol=1e-10)


def test_rate_plus_mix_is_the_change_per_component() -> None:
    rng = np.random.default_rng(7)
    n = 800
    data = pd.DataFrame(
        {
            "period": rng.choice(["p1", "p2", "p3"], n),
            "segment": rng.choice(["a", "b", "c"], n),
            "channel": rng.choice(["app", "web"], n),
            "nps": rng.integers(0, 11, n).astype(float),
            "w": rng.gamma(3.0, 1 / 3, n),
        }
    )
    for mix, method in [
        ("segment", "das_gupta"),
        (["segment", "channel"], "das_gupta"),
        (["segment", "channel"], "cells"),
    ]:
        res = decompose_change(
            data, "nps", "period", mix=mix, weights="w", method=method
        )
        t = res.to_frame().drop_duplicates("component").set_index("component")
        total = t.loc["total_change", "estimate"]
        assert_allclose(res.rate_effect + res.mix_effect, total, atol=1e-10)
        assert_allclose(res.segments["contribution"].sum(), total, atol=1e-10)
        if method == "das_gupta" and isinstance(mix, list):
            parts = [f"mix_{m}" for m in mix] + ["mix_association"]
            assert_allclose(
                sum(t.loc[p, "estimate"] for p in parts), res.mix_effect, atol=1e-10
            )
            assert res.method == "das_gupta"
        elif isinstance(mix, list):
            assert res.method == "cells" and len(res.segments) == 6
    assert res.periods == ("p1", "p3")
    other = decompose_change(data, "nps", "period", mix="segment", periods=("p3", "p2"))
    assert other.periods == ("p3", "p2")


def test_cells_equals_kitagawa_on_a_joint_column() -> None:
    rng = np.random.default_rng(8)
    n = 500
    data = pd.DataFrame(
        {
            "period": rng.choice(["p1", "p2"], n),
            "segment": rng.choice(["a", "b"], n),
            "channel": rng.choice(["app", "web"], n),
            "nps": rng.integers(0, 11, n).astype(float),
        }
    )
    cells = decompose_change(
        data, "nps", "period", mix=["segment", "channel"], method="cells"
    )
    joint = decompose_change(
        data.assign(cell=data["segment"] + "/" + data["channel"]),
        "nps",
        "period",
        mix="cell",
    )
    assert_allclose(cells.mix_effect, joint.mix_effect, rtol=1e-12)
    a = cells.to_frame()["std_error"].iloc[:3].to_numpy()
    b = joint.to_frame()["std_error"].iloc[:3].to_numpy()
    assert_allclose(a, b, rtol=1e-12)


def test_shapley_effects_match_a_brute_force_average_over_orders() -> None:
    rng = np.random.default_rng(1)
    start = [rng.uniform(0.1, 1, (1, 4)).astype(complex) for _ in range(4)]
    end = [rng.uniform(0.1, 1, (1, 4)).astype(complex) for _ in range(4)]
    effects = factor_effects(start, end).real[:, 0]
    brute = np.zeros_like(effects)
    orders = list(itertools.permutations(range(4)))
    for order in orders:
        state = [s.real[0].copy() for s in start]
        for f in order:
            before = np.prod(state, axis=0)
            state[f] = end[f].real[0]
            brute[f] += np.prod(state, axis=0) - before
    assert_allclose(effects, brute / len(orders), rtol=1e-12)
    assert_allclose(
        effects.sum(axis=0),
        np.prod([e.real[0] for e in end], axis=0)
        - np.prod([s.real[0] for s in start], axis=0),
        rtol=1e-12,
    )


def test_mix_factors_multiply_back_to_the_joint_shares() -> None:
    shares = np.array([[0.1, 0.2, 0.05, 0.15, 0.3, 0.2]], dtype=complex)
    factors = mix_factors(shares, [3, 2])
    assert_allclose(np.prod(factors, axis=0).real, shares.real, rtol=1e-12)
    assert_allclose(factors[0].real[0], [0.3, 0.3, 0.2, 0.2, 0.5, 0.5])


def test_complex_step_jacobian_is_exact() -> None:
    x = np.array([0.3, 2.0, -1.5])

    def f(t: np.ndarray) -> np.ndarray:
        return np.column_stack([t[:, 0] * t[:, 1] / (1 + t[:, 2] ** 2), t[:, 1] ** 3])

    value, jac = complex_step_jacobian(f, x)
    assert_allclose(value, [0.6 / 3.25, 8.0])
    assert_allclose(jac[1], [0, 12.0, 0], atol=1e-15)
    assert_allclose(jac[0, 2], -0.6 * 2 * -1.5 / 3.25**2, rtol=1e-14)


def test_totals_covariance_is_the_stratified_formula() -> None:
    m = Moments(
        groups=(("a",), ("b",)),
        group_names=("g",),
        strata=("h",),
        n=np.array([[3.0], [2.0]]),
        sum_w=np.array([[3.0], [2.0]]),
        sum_wx=np.array([[2.0], [1.0]]),
        sum_wx2=np.array([[2.0], [1.0]]),
        sum_w2=np.array([[3.0], [2.0]]),
        sum_w2x=np.array([[2.0], [1.0]]),
        sum_w2x2=np.array([[2.0], [1.0]]),
        n_design=np.array([5.0]),
        n_omitted=np.zeros(2),
    )
    totals, cov = totals_covariance(m)
    assert_allclose(totals, [3, 2, 2, 1])
    # rows: a,a,a (x=1,1,0), b,b (x=1,0); z_i = (1a, 1b, x·1a, x·1b)
    z = np.array(
        [[1, 0, 1, 0], [1, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 1], [0, 1, 0, 0]], float
    )
    centred = z - z.mean(axis=0)
    assert_allclose(cov, 5 / 4 * centred.T @ centred, rtol=1e-12)


def test_bad_input() -> None:
    data = hand_data()
    with pytest.raises(
        InvalidParameterError, match=r"`periods` names 'C', which is not a period"
    ):
        decompose_change(
            data,
            "rating",
            "period",
            mix="segment",
            metric="mean",
            scale=(1, 10),
            periods=("A", "C"),
        )
    with pytest.raises(InvalidParameterError, match="two different periods"):
        decompose_change(
            data,
            "rating",
            "period",
            mix="segment",
            metric="mean",
            scale=(1, 10),
            periods=("A", "A"),
        )
    with pytest.raises(InvalidParameterError, match="must be two period labels"):
        decompose_change(
            data,
            "rating",
            "period",
            mix="segment",
            metric="mean",
            scale=(1, 10),
            periods=("A",),
        )  # type: ignore[arg-type]
    one_sided = pd.concat(
        [data, pd.DataFrame([("B", "z", 3)] * 5, columns=data.columns)]
    )
    with pytest.raises(
        InvalidDataError,
        match=r"responses in one period only, \(cell, period without responses\) = \['z', 'A'\]|\[\('z', 'A'\)\]",
    ):
        decompose_change(
            one_sided, "rating", "period", mix="segment", metric="mean", scale=(1, 10)
        )
    with pytest.raises(InvalidParameterError, match="`method`"):
        decompose_change(data, "rating", "period", mix="segment", method="shapley")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="`mix`"):
        decompose_change(data, "rating", "period", mix=[])
