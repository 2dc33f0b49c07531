"""Vectorised NPS score and Bayes intervals against the scalar formulas they replace.

``reference_nps_score`` and ``reference_nps_bayes`` are the former per-group
implementations, kept verbatim as oracles (Tango's 1998 score-test inversion with
``brentq``; the Dirichlet posterior quantiles by quadrature and ``brentq``). Only
the Gauss–Legendre nodes are computed once here instead of once per group, which
gives the same nodes.

The former Bayes quadrature (512 Gauss–Legendre nodes over the whole law of P₋)
is off by up to ~1e-4 where the integrand has its kinks among the nodes (small
shapes, few passives). Where it and ``nps_bayes`` differ by more than 1e-10, the
library's limit is checked instead against ``adaptive_cdf`` (adaptive
``scipy.integrate.quad`` between the kinks): the limit must bracket the target
probability to 1e-10. ``tests/reference/test_ref_bayes_quadrature.py`` compares
the quantiles with 30-digit values.
"""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from numpy.typing import NDArray
from scipy import integrate, optimize, special, stats

from cxmetrics.estimators import nps
from cxmetrics.estimators.nps import (
    _brent_roots,
    _halley_roots,
    _tango_statistic,
    nps_bayes,
    nps_score,
)

FloatArray = NDArray[np.float64]
SCORE_ATOL = 1e-12
BAYES_ATOL = 1e-10
LEVELS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)
# scipy's Beta quantile warns (and stays accurate enough) for e.g. Beta(0.5, 3) at
# 1e-13; the reference and the library make the same call
BOOST_WARNING = "ignore:Error in function boost:RuntimeWarning"
# adaptive_cdf's quad may report roundoff at 1e-13; a bad value fails the bracket
QUAD_WARNING = "ignore::scipy.integrate.IntegrationWarning"


from _former_nps import (  # noqa: E402
    reference_nps_bayes,
    reference_nps_score,
    reference_tango_statistic,
)


def adaptive_cdf(t: float, a_pos: float, a_mid: float, a_neg: float) -> float:
    """P(P₊ − P₋ ≤ t) by adaptive quadrature over P₋ = y between the kinks.

    The integrand f_Y(y)·I_r(a_pos, a_mid), r = (t + y)/(1 − y), is 0 below
    y = max(−t, 0) and f_Y above (1 − t)/2, so the rest is a Beta tail; the
    quantiles of Y are break points, so that a narrow law is not missed.
    """
    y_law = stats.beta(a_neg, a_pos + a_mid)
    lo, hi = max(-t, 0.0), (1 - t) / 2
    cuts = y_law.ppf([1e-12, 1e-6, 1e-3, 0.1, 0.5, 0.9, 0.999, 1 - 1e-6, 1 - 1e-12])
    points = [lo, *sorted(c for c in cuts if lo < c < hi), hi]

    def integrand(y: float) -> float:
        ratio = min(max((t + y) / (1 - y), 0.0), 1.0)
        return float(y_law.pdf(y) * special.betainc(a_pos, a_mid, ratio))

    pieces = (
        integrate.quad(integrand, a, b, epsabs=1e-15, epsrel=1e-13, limit=200)[0]
        for a, b in itertools.pairwise(points)
    )
    return float(sum(pieces) + y_law.sf(hi))


def assert_bayes_limits_accurate(
    got: tuple[FloatArray, FloatArray],
    former: tuple[FloatArray, FloatArray],
    shares: tuple[FloatArray, FloatArray, FloatArray],
    *,
    confidence_level: float,
    prior: str,
) -> None:
    """Each limit equals the former one to 1e-10, or brackets its probability.

    Where the former quadrature is off, the limit q must satisfy
    F(q − 1e-10) ≤ target ≤ F(q + 1e-10) for the adaptive CDF, i.e. be within
    1e-10 of the quantile.
    """
    a = 0.5 if prior == "jeffreys" else 1.0
    alpha = 1 - confidence_level
    p_pos, p_neg, n_star = shares
    for limit, old, target in zip(got, former, (alpha / 2, 1 - alpha / 2), strict=True):
        assert_array_equal(np.isnan(limit), np.isnan(old))
        for i in np.flatnonzero(np.abs(limit - old) > BAYES_ATOL):
            xp, xn = n_star[i] * p_pos[i], n_star[i] * p_neg[i]
            shape = (xp + a, max(n_star[i] - xp - xn, 0.0) + a, xn + a)
            below = adaptive_cdf(limit[i] - BAYES_ATOL, *shape)
            above = adaptive_cdf(limit[i] + BAYES_ATOL, *shape)
            assert below <= target <= above, (shape, limit[i], old[i], below, above)


# --- grids -----------------------------------------------------------------------

EDGE_SHARES = [
    (0.0, 0.0),
    (1.0, 0.0),
    (0.0, 1.0),
    (0.5, 0.5),
    (0.3, 0.0),
    (0.0, 0.3),
    (0.6, 0.3),
    (0.2, 0.7),
    (1e-7, 1 - 1e-7),
]
EDGE_N = [0.5, 1.0, 2.0, 3.7, 30.0, 1234.5, 1e6]


def grid(size: int, seed: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Every edge share × edge n*, then random shares (a third of them 0 or 1)."""
    pp_edge, pn_edge = np.array(EDGE_SHARES).T
    pp = np.repeat(pp_edge, len(EDGE_N))
    pn = np.repeat(pn_edge, len(EDGE_N))
    n = np.tile(EDGE_N, len(EDGE_SHARES))
    rng = np.random.default_rng(seed)
    p_pos = rng.uniform(0, 1, size)
    p_neg = rng.uniform(0, 1, size) * (1 - p_pos)
    kind = rng.integers(0, 6, size)
    p_pos[kind == 0] = 0.0
    p_neg[kind == 1] = 0.0
    p_pos[kind == 2], p_neg[kind == 2] = 1.0, 0.0
    p_neg[kind == 3] = 1 - p_pos[kind == 3]
    n_star = np.exp(rng.uniform(np.log(0.5), np.log(1e6), size))
    whole = rng.random(size) < 0.4
    n_star[whole] = np.round(n_star[whole]) + 1
    return np.r_[pp, p_pos], np.r_[pn, p_neg], np.r_[n, n_star]


# --- score -----------------------------------------------------------------------


@pytest.mark.parametrize("confidence_level", LEVELS)
def test_score_equals_scalar_reference(confidence_level: float) -> None:
    p_pos, p_neg, n_star = grid(3000, seed=1)
    expected = reference_nps_score(
        p_pos, p_neg, n_star, confidence_level=confidence_level
    )
    got = nps_score(p_pos, p_neg, n_star, confidence_level=confidence_level)
    for g, e in zip(got, expected, strict=True):
        assert_allclose(g, e, rtol=0, atol=SCORE_ATOL)


def test_score_edge_cases() -> None:
    p_pos = np.array([1.0, 0.0, 0.0, 0.4, 0.4, 0.4, 0.4])
    p_neg = np.array([0.0, 1.0, 0.0, 0.2, 0.2, 0.2, 0.2])
    n_star = np.array([25.0, 25.0, 25.0, 0.0, -3.0, np.nan, np.inf])
    low, high = nps_score(p_pos, p_neg, n_star, confidence_level=0.95)
    assert high[0] == 1.0 and low[1] == -1.0
    assert -1 < low[0] < 1 and -1 < high[1] < 1
    assert low[2] == -high[2] and 0 < high[2] < 1  # only passives
    assert np.isnan(low[3:]).all() and np.isnan(high[3:]).all()


def test_tango_statistic_vectorised_matches_scalar() -> None:
    rng = np.random.default_rng(3)
    n = rng.uniform(0.5, 1e4, 500)
    b = n * rng.choice([0.0, 0.3, 1.0], 500)
    c = (n - b) * rng.choice([0.0, 0.5, 1.0], 500)
    delta = rng.uniform(-1, 1, 500)
    got = _tango_statistic(delta, b, c, n)
    expected = [reference_tango_statistic(*v) for v in zip(delta, b, c, n, strict=True)]
    assert_array_equal(got, expected)


# --- Bayes -----------------------------------------------------------------------


@pytest.mark.filterwarnings(BOOST_WARNING, QUAD_WARNING)
@pytest.mark.parametrize(
    ("prior", "confidence_level"),
    [
        ("jeffreys", 0.95),
        pytest.param("jeffreys", 0.8, marks=pytest.mark.slow),
        ("uniform", 0.99),
        pytest.param("uniform", 0.5, marks=pytest.mark.slow),
    ],
)
def test_bayes_equals_scalar_or_adaptive_reference(
    prior: Literal["jeffreys", "uniform"], confidence_level: float
) -> None:
    check_bayes_on_grid(40, 2, prior, confidence_level)


def check_bayes_on_grid(
    size: int,
    seed: int,
    prior: Literal["jeffreys", "uniform"],
    confidence_level: float,
) -> None:
    """The vectorised Bayes limits on a random grid of posteriors, against the reference."""
    p_pos, p_neg, n_star = grid(size, seed=seed)
    expected = reference_nps_bayes(
        p_pos, p_neg, n_star, confidence_level=confidence_level, prior=prior
    )
    got = nps_bayes(
        p_pos, p_neg, n_star, confidence_level=confidence_level, prior=prior
    )
    assert_bayes_limits_accurate(
        got,
        expected,
        (p_pos, p_neg, n_star),
        confidence_level=confidence_level,
        prior=prior,
    )


@pytest.mark.slow
@pytest.mark.filterwarnings(BOOST_WARNING, QUAD_WARNING)
@pytest.mark.parametrize("prior", ["jeffreys", "uniform"])
@pytest.mark.parametrize("confidence_level", [0.8, 0.95, 0.99])
def test_bayes_equals_scalar_or_adaptive_reference_wide_grid(
    prior: Literal["jeffreys", "uniform"], confidence_level: float
) -> None:
    check_bayes_on_grid(600, 4, prior, confidence_level)


@pytest.mark.filterwarnings(BOOST_WARNING)
def test_bayes_chunks_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    p_pos, p_neg, n_star = grid(20, seed=5)
    whole = nps_bayes(p_pos, p_neg, n_star, confidence_level=0.9)
    nodes = nps._posterior_rule()[0].size
    monkeypatch.setattr(nps, "_CHUNK_CELLS", 7 * nodes)  # chunks of 7 groups
    chunked = nps_bayes(p_pos, p_neg, n_star, confidence_level=0.9)
    assert_array_equal(chunked, whole)


@pytest.mark.filterwarnings(BOOST_WARNING)
@pytest.mark.parametrize("prior", ["jeffreys", "uniform"])
def test_bayes_mirrored_groups_have_negated_swapped_limits(
    prior: Literal["jeffreys", "uniform"],
) -> None:
    """Swapping promoters and detractors negates and swaps the limits exactly."""
    p_pos, p_neg, n_star = grid(200, seed=6)
    n_star[::3] = np.round(n_star[::3])  # and whole counts
    p_neg[::5] = p_pos[::5] * (p_pos[::5] <= 0.5)  # and symmetric posteriors
    low, high = nps_bayes(p_pos, p_neg, n_star, confidence_level=0.9, prior=prior)
    m_low, m_high = nps_bayes(p_neg, p_pos, n_star, confidence_level=0.9, prior=prior)
    assert_array_equal(m_low, -high)
    assert_array_equal(m_high, -low)
    tie = p_pos == p_neg
    assert tie.sum() > 20
    assert_array_equal(low[tie], -high[tie])


def test_bayes_keeps_the_input_shape_and_undefined_groups() -> None:
    p_pos = np.array([[0.5, 0.5], [0.5, 0.5]])
    n_star = np.array([[40.0, 0.0], [np.nan, 40.0]])
    low, high = nps_bayes(p_pos, 0.2, n_star, confidence_level=0.9)
    assert low.shape == high.shape == (2, 2)
    assert np.isnan(low[[0, 1], [1, 0]]).all() and np.isnan(high[[0, 1], [1, 0]]).all()
    assert low[0, 0] == low[1, 1] and high[0, 0] == high[1, 1]
    scalar = nps_bayes(
        np.array(0.5), np.array(0.2), np.array(40.0), confidence_level=0.9
    )
    assert np.shape(scalar[0]) == () and scalar[0] == low[0, 0]


# --- the root finders --------------------------------------------------------------


def test_brent_roots_follow_brentq_and_flag_missing_sign_changes() -> None:
    target = np.array([0.3, -0.7, 0.0, 2.0, 0.5, 0.123456789])

    def f(x: FloatArray, rows: NDArray[np.intp]) -> FloatArray:
        return np.asarray(np.tanh(5 * x) - np.tanh(5 * target[rows]))

    a, b = np.full(6, -1.0), np.full(6, 1.0)
    every = np.arange(6)
    root = _brent_roots(f, a, b, f(a, every), f(b, every), xtol=1e-14)
    expected = [
        optimize.brentq(
            lambda x, t=t: np.tanh(5 * x) - np.tanh(5 * t), -1, 1, xtol=1e-14
        )
        for t in target[[0, 1, 2, 4, 5]]
    ]
    assert_array_equal(root[[0, 1, 2, 4, 5]], expected)
    assert np.isnan(root[3])  # no sign change in [−1, 1]


def test_halley_roots_recover_from_bad_guesses() -> None:
    """Guesses at the bracket ends, where the derivative vanishes, still converge."""
    prob = np.array([0.025, 0.5, 0.975, 0.3, 1e-9])
    scale = np.array([1e-4, 0.1, 1e-3, 0.3, 0.01])

    def f(
        x: FloatArray, rows: NDArray[np.intp]
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        u = x / scale[rows]
        pdf = stats.norm.pdf(u) / scale[rows]
        return stats.norm.cdf(u) - prob[rows], pdf, -u * pdf / scale[rows]

    guess = np.array([-1.0, 0.999, 1.0, 0.0, 0.9])
    root = _halley_roots(f, guess, np.full(5, -1.0), np.full(5, 1.0), xtol=1e-13)
    assert_allclose(root, scale * stats.norm.ppf(prob), rtol=0, atol=1e-12)
