"""Relative-importance estimators and the cross-product reduce layer."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cxmetrics.data.crossprod import reduce_crossprod, reduce_score_products
from cxmetrics.estimators import relimp
from cxmetrics.suffstats.crossprod import CrossProducts


def correlation(p: int, seed: int = 0, n: int = 400) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p + 1)) @ rng.normal(size=(p + 1, p + 1))
    return np.corrcoef(x.T)


def brute_r2(r: np.ndarray, cols: list[int]) -> float:
    if not cols:
        return 0.0
    idx = [c + 1 for c in cols]
    rxy = r[idx, 0]
    return float(rxy @ np.linalg.solve(r[np.ix_(idx, idx)], rxy))


@pytest.mark.parametrize("p", [1, 2, 5, 8])
def test_subset_r2_equals_refitting(p: int) -> None:
    r = correlation(p, seed=p)
    expected = [brute_r2(r, [j for j in range(p) if m >> j & 1]) for m in range(1 << p)]
    assert_allclose(relimp.subset_r2(r), expected, rtol=1e-12, atol=1e-14)
    # tiny memory budget: the chunked path gives the same numbers
    assert_allclose(
        relimp.subset_r2(r, max_elements=16), expected, rtol=1e-12, atol=1e-14
    )


def test_shapley_equals_the_average_over_orders() -> None:
    p = 5
    r = correlation(p, seed=9)
    table = relimp.subset_r2(r)
    phi = np.zeros(p)
    for order in itertools.permutations(range(p)):
        mask = 0
        for k in order:
            phi[k] += table[mask | 1 << k] - table[mask]
            mask |= 1 << k
    phi /= math.factorial(p)
    assert_allclose(relimp.shapley_from_subsets(table, p), phi, rtol=1e-12)
    assert_allclose(
        relimp.conditional_dominance(table, p).mean(axis=1), phi, rtol=1e-12
    )


def test_batched_equals_single() -> None:
    stack = np.stack([correlation(4, seed=s) for s in range(3)])
    for method in relimp.LINEAR_METHODS:
        batched = relimp.importance(stack, method)
        single = np.stack([relimp.importance(r, method) for r in stack])
        assert_allclose(batched, single, rtol=1e-12, atol=1e-15)


def test_complete_dominance_on_a_designed_case() -> None:
    # x0 strong, x1 weak, x2 useless and uncorrelated
    r = np.array(
        [
            [1.0, 0.6, 0.2, 0.0],
            [0.6, 1.0, 0.1, 0.0],
            [0.2, 0.1, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ]
    )
    dom = relimp.complete_dominance(relimp.subset_r2(r), 3)
    assert dom[0, 1] and dom[0, 2] and dom[1, 2]
    assert not dom[1, 0] and not dom.diagonal().any()


def test_sampled_shapley_error_is_honest() -> None:
    r = correlation(7, seed=4)
    exact = relimp.importance(r, "shapley")
    est = relimp.shapley_sampled(r, n_permutations=2000, rng=np.random.default_rng(1))
    z = (est.estimate - exact) / est.std_error
    assert np.all(np.abs(z) < 4.5) and est.n_permutations == 2000
    assert_allclose(est.estimate.sum(), exact.sum(), rtol=1e-10)


def test_diagnostics() -> None:
    r = correlation(3, seed=2)
    assert_allclose(relimp.vif(r), np.diag(np.linalg.inv(r[1:, 1:])))
    lam = np.linalg.eigvalsh(r[1:, 1:])
    assert relimp.condition_number(r) == pytest.approx(np.sqrt(lam[-1] / lam[0]))
    singular = np.array([[1.0, 1.0], [1.0, 1.0]])
    assert relimp.dependent_sets(singular) == [[0, 1]]


def test_logistic_fit_matches_statsmodels() -> None:
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(500, 2))
    y = (x @ [1.0, -0.5] + rng.logistic(size=500) > 0).astype(float)
    fit = relimp.logistic_fit(x, y, np.ones(500))
    ref = sm.Logit(y, sm.add_constant(x)).fit(disp=0)
    assert_allclose(fit.coef, ref.params, rtol=1e-8)
    assert fit.loglik == pytest.approx(ref.llf, rel=1e-10)


# --- sufficient statistics and the reduce layer ------------------------------------


def test_crossproducts_merge_is_exact() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(loc=50, size=(300, 4))
    w = rng.uniform(0.2, 3, size=300)
    names = ("y", "a", "b", "c")
    whole = CrossProducts.from_arrays(names, x, w)
    parts = CrossProducts.empty(names)
    for chunk in np.array_split(np.arange(300), 7):
        parts = parts + CrossProducts.from_arrays(names, x[chunk], w[chunk])
    assert parts.n == 300
    assert_allclose(parts.mean, whole.mean, rtol=1e-13)
    assert_allclose(parts.m2, whole.m2, rtol=1e-11)
    assert (whole + CrossProducts.empty(names)).sum_w == whole.sum_w
    with pytest.raises(ValueError, match="same variables"):
        _ = whole + CrossProducts.empty(("y", "a", "b", "d"))


def test_reduce_paths_agree_and_count_listwise_deletion() -> None:
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(6)
    frame = pd.DataFrame(rng.normal(size=(1000, 3)), columns=["y", "a", "b"])
    frame.loc[::7, "a"] = np.nan
    frame.loc[::11, "y"] = np.nan
    frame["w"] = rng.uniform(0.5, 2, size=1000)
    fast = reduce_crossprod(frame, ["y", "a", "b"], weights="w")
    lazy = reduce_crossprod(pl.from_pandas(frame).lazy(), ["y", "a", "b"], weights="w")
    complete = frame[["y", "a", "b"]].notna().all(axis=1)
    assert fast.stats.n == lazy.stats.n == int(complete.sum())
    assert fast.stats.n_omitted == lazy.stats.n_omitted == 1000 - int(complete.sum())
    assert fast.missing == lazy.missing == {"y": 91, "a": 143, "b": 0}
    assert_allclose(lazy.stats.m2, fast.stats.m2, rtol=1e-10)
    assert_allclose(lazy.stats.mean, fast.stats.mean, rtol=1e-10, atol=1e-14)
    coef = np.array([0.1, 0.2, -0.3])
    assert_allclose(
        reduce_score_products(
            pl.from_pandas(frame).lazy(), ["y", "a", "b"], coef, weights="w"
        ),
        reduce_score_products(frame, ["y", "a", "b"], coef, weights="w"),
        rtol=1e-10,
    )
