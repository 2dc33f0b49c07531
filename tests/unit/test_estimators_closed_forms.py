"""Unweighted intervals against closed forms and statsmodels (rtol 1e-10)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

import cxmetrics as cx
from cxmetrics.estimators.nps import _difference_cdf, _tango_statistic

CLOSED = {"rtol": 1e-10, "atol": 1e-12}
ROOT = {"rtol": 1e-8, "atol": 1e-10}


def expand(counts: dict[int, int]) -> np.ndarray:
    return np.repeat(list(counts), list(counts.values())).astype(float)


@pytest.mark.parametrize(
    ("promoters", "passives", "detractors"),
    [(500, 300, 200), (12, 5, 3), (1, 8, 1), (40, 0, 0), (0, 3, 27)],
)
def test_unweighted_nps_se_and_wald(
    promoters: int, passives: int, detractors: int
) -> None:
    n = promoters + passives + detractors
    scores = expand({10: promoters, 8: passives, 3: detractors})
    res = cx.nps(scores, method="wald", min_n=0) if n >= 30 else None
    if res is None:
        with pytest.warns(cx.errors.SmallSampleWarning):
            res = cx.nps(scores, method="wald", min_n=0)
    pp, pn = promoters / n, detractors / n
    se = 100 * np.sqrt((pp + pn - (pp - pn) ** 2) / (n - 1))  # survey's convention
    assert_allclose(res.estimate, 100 * (pp - pn), **CLOSED)
    assert_allclose(res.std_error, se, **CLOSED)
    z = stats.norm.ppf(0.975)
    expected = np.clip([100 * (pp - pn) - z * se, 100 * (pp - pn) + z * se], -100, 100)
    assert_allclose(res.ci, expected, **CLOSED)


@pytest.mark.parametrize(
    ("promoters", "passives", "detractors"), [(500, 300, 200), (12, 5, 3), (30, 0, 0)]
)
def test_adjusted_wald_is_rocks_formula(
    promoters: int, passives: int, detractors: int
) -> None:
    """Rocks (2016): add 3/4 to promoters and detractors, 3/2 to passives."""
    res = cx.nps_from_counts(promoters, passives, detractors, min_n=0)
    n = promoters + passives + detractors + 3
    pp, pn = (promoters + 0.75) / n, (detractors + 0.75) / n
    d = pp - pn
    half = stats.norm.ppf(0.975) * np.sqrt((pp + pn - d**2) / n)
    assert_allclose(
        res.ci, np.clip([100 * (d - half), 100 * (d + half)], -100, 100), **CLOSED
    )


def test_nps_from_counts_equals_raw_responses() -> None:
    scores = expand({9: 50, 7: 30, 2: 20})
    for method in ("wald", "adjusted_wald", "score", "bayes"):
        a = cx.nps_from_counts(50, 30, 20, method=method)
        b = cx.nps(scores, method=method)
        assert_allclose(a.ci, b.ci, **CLOSED)
        assert_allclose(a.std_error, b.std_error, **CLOSED)


@pytest.mark.parametrize(
    ("b", "c", "n"), [(50, 20, 100), (3, 0, 10), (0, 9, 12), (400, 380, 1000)]
)
def test_score_interval_inverts_tango_test(b: int, c: int, n: int) -> None:
    res = cx.nps_from_counts(b, n - b - c, c, method="score", min_n=0)
    low, high = (x / 100 for x in res.ci)
    z = stats.norm.ppf(0.975)
    if low > -1:
        assert_allclose(_tango_statistic(low, b, c, n), z, **ROOT)
    if high < 1:
        assert_allclose(_tango_statistic(high, b, c, n), -z, **ROOT)


def test_tango_statistic_closed_form_at_null_of_zero() -> None:
    """At Δ = 0 Tango's statistic is McNemar's (b − c)/√(b + c)."""
    assert_allclose(
        _tango_statistic(0.0, 30, 18, 100), (30 - 18) / np.sqrt(48), **CLOSED
    )


def test_bayes_posterior_cdf_against_monte_carlo() -> None:
    rng = np.random.default_rng(1)
    draws = rng.dirichlet([20.5, 10.5, 5.5], size=400_000)
    diff = draws[:, 0] - draws[:, 2]
    for t in (-0.2, 0.2, 0.4, 0.6):
        assert_allclose(
            _difference_cdf(np.array([t]), 20.5, 10.5, 5.5)[0],
            np.mean(diff <= t),
            atol=3e-3,
        )


def test_bayes_interval_quantiles() -> None:
    res = cx.nps_from_counts(20, 10, 5, method="bayes", min_n=0)
    low, high = (x / 100 for x in res.ci)
    assert_allclose(
        _difference_cdf(np.array([low, high]), 20.5, 10.5, 5.5),
        [0.025, 0.975],
        atol=1e-9,
    )


@pytest.mark.parametrize(
    ("x", "n"), [(0, 20), (3, 20), (17, 40), (40, 40), (250, 1000)]
)
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("wilson", "wilson"),
        ("jeffreys", "jeffreys"),
        ("clopper_pearson", "beta"),
        ("wald", "normal"),
    ],
)
def test_unweighted_share_intervals_match_statsmodels(
    x: int, n: int, ours: str, theirs: str
) -> None:
    scores = np.r_[np.full(x, 5.0), np.full(n - x, 2.0)]
    if ours == "wald" and n < 30:
        with pytest.warns(cx.errors.SmallSampleWarning):
            res = cx.top_box(scores, method=ours, min_n=0)
    else:
        res = cx.top_box(scores, method=ours, min_n=0)
    low, high = proportion_confint(x, n, alpha=0.05, method=theirs)
    if ours == "jeffreys" and x in (0, n):
        # Brown, Cai & DasGupta (2001): the limit at a boundary count is 0 (or 1)
        low, high = (0.0, high) if x == 0 else (low, 1.0)
    if ours == "wald":  # survey's SE has n - 1; statsmodels' normal has n
        se = np.sqrt(x / n * (1 - x / n) / (n - 1))
        low, high = x / n - 1.959963984540054 * se, x / n + 1.959963984540054 * se
    assert_allclose(res.ci, np.clip([low, high], 0, 1), rtol=1e-8, atol=1e-10)


def test_mean_matches_statsmodels_descrstats_unweighted() -> None:
    from statsmodels.stats.weightstats import DescrStatsW

    scores = np.array([1, 2, 2, 3, 4, 4, 4, 5, 5, 5, 5, 3, 2], dtype=float)
    res = cx.mean_score(scores)
    d = DescrStatsW(scores)
    assert_allclose(res.estimate, d.mean, **CLOSED)
    assert_allclose(res.std_error, d.std_mean, **CLOSED)
    assert_allclose(res.ci, d.tconfint_mean(alpha=0.05), **CLOSED)


def test_weighted_compare_matches_statsmodels_wls_unstratified(
    responses: pd.DataFrame,
) -> None:
    """Unstratified domain difference = WLS on a group dummy with HC0 × n/(n−1)."""
    import statsmodels.api as sm

    two = responses[responses["channel"].isin(["app", "web"])]
    res = cx.compare_scores(
        two, "csat", by="channel", weights="weight", reference="app"
    )
    x = sm.add_constant((two["channel"] == "web").astype(float).to_numpy())
    fit = sm.WLS(two["csat"].to_numpy(float), x, weights=two["weight"].to_numpy()).fit(
        cov_type="HC0"
    )
    n = len(two)
    assert_allclose(res.to_frame()["estimate"].iloc[0], fit.params[1], **CLOSED)
    assert_allclose(
        res.to_frame()["std_error"].iloc[0],
        fit.bse[1] * np.sqrt(n / (n - 1)),
        rtol=1e-8,
    )
