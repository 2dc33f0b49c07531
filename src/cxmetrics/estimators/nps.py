r"""Interval methods for the Net Promoter Score.

NPS is the difference of two shares of one multinomial, :math:`d = p_+ - p_-`, on
the proportion scale here (the capability layer multiplies by 100). Every method
takes the design-effective sample size :math:`n^*` so that, for weighted or
stratified samples, the "counts" are :math:`x_\pm = n^* p_\pm`; for an unweighted
simple random sample :math:`n^* = n` and the textbook formulas result.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special, stats

__all__ = [
    "NPS_ANALYTIC_METHODS",
    "NPS_BOOTSTRAP_METHODS",
    "NPS_METHODS",
    "nps_adjusted_wald",
    "nps_bayes",
    "nps_score",
    "nps_wald",
]

FloatArray = NDArray[np.float64]
NPS_ANALYTIC_METHODS = (
    "adjusted_wald",
    "wald",
    "score",
    "bayes",
    "bayes_jeffreys",
    "bayes_uniform",
)
NPS_BOOTSTRAP_METHODS = ("bootstrap", "bootstrap_bca", "bootstrap_percentile")
NPS_METHODS = NPS_ANALYTIC_METHODS + NPS_BOOTSTRAP_METHODS


def _z(confidence_level: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence_level / 2))


def nps_wald(
    d: FloatArray, variance: FloatArray, *, confidence_level: float
) -> tuple[FloatArray, FloatArray]:
    r"""Wald interval :math:`d \pm z\sqrt{\hat V}` with the design variance."""
    half = _z(confidence_level) * np.sqrt(np.maximum(variance, 0.0))
    return np.clip(d - half, -1, 1), np.clip(d + half, -1, 1)


def nps_adjusted_wald(
    p_pos: FloatArray,
    p_neg: FloatArray,
    n_star: FloatArray,
    *,
    confidence_level: float,
) -> tuple[FloatArray, FloatArray]:
    r"""Adjusted-Wald interval of Rocks (2016).

    Adds 3/4 of a response to promoters and to detractors and 3/2 to passives
    (3 pseudo-responses in all), then applies the Wald formula:
    :math:`\tilde p_\pm = (x_\pm + 3/4)/(n+3)`,
    :math:`\tilde d \pm z\sqrt{(\tilde p_+ + \tilde p_- - \tilde d^2)/(n+3)}`.
    """
    z = _z(confidence_level)
    m = n_star + 3.0
    pp = (n_star * p_pos + 0.75) / m
    pn = (n_star * p_neg + 0.75) / m
    d = pp - pn
    half = z * np.sqrt((pp + pn - d * d) / m)
    return np.clip(d - half, -1, 1), np.clip(d + half, -1, 1)


def _tango_statistic(delta: float, b: float, c: float, n: float) -> float:
    """Tango's score statistic for H0: p₊ − p₋ = delta."""
    a = 2 * n
    bb = -b - c + (2 * n - b + c) * delta
    cc = -c * delta * (1 - delta)
    q = (-bb + np.sqrt(max(bb * bb - 4 * a * cc, 0.0))) / (2 * a)
    var = n * (2 * q + delta * (1 - delta))
    numerator = b - c - n * delta
    if var <= 0:  # all responses in one category: the statistic is 0 or ±inf
        return 0.0 if numerator == 0 else float(np.sign(numerator) * np.inf)
    return float((b - c - n * delta) / np.sqrt(var))


def nps_score(
    p_pos: FloatArray,
    p_neg: FloatArray,
    n_star: FloatArray,
    *,
    confidence_level: float,
) -> tuple[FloatArray, FloatArray]:
    r"""Score interval: inversion of Tango's (1998) score test.

    NPS has the structure of a matched-pairs difference (promoters and detractors
    play the discordant cells), so Tango's test of :math:`p_+ - p_- = \Delta`, with
    the variance at the restricted maximum-likelihood estimate, inverts to an
    interval that respects [−1, 1] and keeps its coverage near the bounds.
    """
    z = _z(confidence_level)
    p_pos, p_neg, n_star = np.broadcast_arrays(
        np.asarray(p_pos, float), np.asarray(p_neg, float), np.asarray(n_star, float)
    )
    low = np.full(p_pos.shape, np.nan)
    high = np.full(p_pos.shape, np.nan)
    eps = 1e-12
    for i in np.ndindex(p_pos.shape):
        n = float(n_star[i])
        if not (np.isfinite(n) and n > 0):
            continue
        b, c = n * float(p_pos[i]), n * float(p_neg[i])
        d = (b - c) / n

        def f(
            delta: float, target: float, b: float = b, c: float = c, n: float = n
        ) -> float:
            return _tango_statistic(delta, b, c, n) - target

        lo_edge, hi_edge = -1 + eps, 1 - eps
        low[i] = (
            -1.0
            if f(lo_edge, z) <= 0
            else optimize.brentq(f, lo_edge, min(d, hi_edge), args=(z,), xtol=1e-14)
        )
        high[i] = (
            1.0
            if f(hi_edge, -z) >= 0
            else optimize.brentq(f, max(d, lo_edge), hi_edge, args=(-z,), xtol=1e-14)
        )
    return low, high


def _difference_cdf(
    t: FloatArray, a_pos: float, a_mid: float, a_neg: float, nodes: int = 512
) -> FloatArray:
    """P(P₊ − P₋ ≤ t) for (P₊, P₀, P₋) ~ Dirichlet(a_pos, a_mid, a_neg)."""
    return _DifferenceCDF(a_pos, a_mid, a_neg, nodes)(np.asarray(t, dtype=np.float64))


class _DifferenceCDF:
    """CDF of P₊ − P₋ under a Dirichlet(a_pos, a_mid, a_neg) distribution.

    P₋ ~ Beta(a_neg, a_pos + a_mid) and, given P₋ = m, P₊/(1 − m) ~ Beta(a_pos,
    a_mid); the CDF is one integral over m, done by Gauss–Legendre quadrature on
    the central 1 − 2e-13 of P₋'s distribution (nodes computed once).
    """

    def __init__(
        self, a_pos: float, a_mid: float, a_neg: float, nodes: int = 512
    ) -> None:
        marginal = stats.beta(a_neg, a_pos + a_mid)
        lo, hi = marginal.ppf(1e-13), marginal.isf(1e-13)
        x, wq = np.polynomial.legendre.leggauss(nodes)
        self.m = 0.5 * (hi - lo) * x + 0.5 * (hi + lo)
        weight = 0.5 * (hi - lo) * wq * marginal.pdf(self.m)
        self.weight = weight / weight.sum()
        self.a_pos, self.a_mid = a_pos, a_mid

    def __call__(self, t: FloatArray) -> FloatArray:
        ratio = (np.asarray(t, dtype=np.float64)[..., None] + self.m) / (1 - self.m)
        inner = special.betainc(self.a_pos, self.a_mid, np.clip(ratio, 0.0, 1.0))
        return np.asarray(inner @ self.weight, dtype=np.float64)


def nps_bayes(
    p_pos: FloatArray,
    p_neg: FloatArray,
    n_star: FloatArray,
    *,
    confidence_level: float,
    prior: Literal["jeffreys", "uniform"] = "jeffreys",
) -> tuple[FloatArray, FloatArray]:
    """Equal-tailed credible interval from the Dirichlet posterior.

    With prior Dirichlet(a, a, a) (a = 1/2 Jeffreys, a = 1 uniform) and counts
    :math:`x_+, x_0, x_-`, the posterior of (p₊, p₀, p₋) is Dirichlet(x₊+a, x₀+a,
    x₋+a); the interval holds the central ``confidence_level`` of the posterior
    of p₊ − p₋, computed by numerical integration (no simulation).
    """
    a = 0.5 if prior == "jeffreys" else 1.0
    alpha = 1 - confidence_level
    p_pos, p_neg, n_star = np.broadcast_arrays(
        np.asarray(p_pos, float), np.asarray(p_neg, float), np.asarray(n_star, float)
    )
    low = np.full(p_pos.shape, np.nan)
    high = np.full(p_pos.shape, np.nan)
    for i in np.ndindex(p_pos.shape):
        n = float(n_star[i])
        if not (np.isfinite(n) and n > 0):
            continue
        xp, xn = n * float(p_pos[i]), n * float(p_neg[i])
        distribution = _DifferenceCDF(xp + a, max(n - xp - xn, 0.0) + a, xn + a)

        def cdf(t: float, target: float, f: _DifferenceCDF = distribution) -> float:
            return float(f(np.array(t))) - target

        low[i] = optimize.brentq(cdf, -1.0, 1.0, args=(alpha / 2,), xtol=1e-12)
        high[i] = optimize.brentq(cdf, -1.0, 1.0, args=(1 - alpha / 2,), xtol=1e-12)
    return low, high


def nps_interval(
    method: str,
    *,
    d: FloatArray,
    p_pos: FloatArray,
    p_neg: FloatArray,
    variance: FloatArray,
    n_star: FloatArray,
    confidence_level: float,
) -> tuple[FloatArray, FloatArray]:
    """Dispatch to an analytic NPS interval method (proportion scale)."""
    if method == "wald":
        return nps_wald(d, variance, confidence_level=confidence_level)
    if method == "adjusted_wald":
        return nps_adjusted_wald(
            p_pos, p_neg, n_star, confidence_level=confidence_level
        )
    if method == "score":
        return nps_score(p_pos, p_neg, n_star, confidence_level=confidence_level)
    if method in ("bayes", "bayes_jeffreys"):
        return nps_bayes(p_pos, p_neg, n_star, confidence_level=confidence_level)
    if method == "bayes_uniform":
        return nps_bayes(
            p_pos, p_neg, n_star, confidence_level=confidence_level, prior="uniform"
        )
    raise ValueError(f"unknown NPS interval method {method!r}")  # internal
