r"""Sample-size, margin-of-error and power formulas (pure numpy/scipy).

Everything here is on the proportion scale: a share :math:`p \in [0, 1]`, an NPS
:math:`d = p_+ - p_- \in [-1, 1]` (the capability layer multiplies by 100). The
variance of one response (the *unit variance*) is

- NPS: :math:`V = p_+ + p_- - (p_+ - p_-)^2` (the multinomial variance of the
  codes +1 / 0 / −1), at most 1 when :math:`p_+ = p_- = 1/2`;
- share: :math:`V = p(1 - p)`, at most 1/4;
- mean: :math:`V = \sigma^2`.

A design effect ``deff`` turns ``n`` interviews into :math:`n^* = n/\mathrm{deff}`
effective ones; every formula is the simple-random-sample formula at :math:`n^*`.
A finite population of size :math:`N` multiplies a standard error by
:math:`\sqrt{(N - n)/(N - 1)}`.

Power is that of a z test (or a t test for means) of "no difference", both tails
counted for a two-sided test (as R's ``pwr`` and statsmodels' power classes).
Sample sizes and detectable differences invert these functions exactly (root
finding where no closed form exists), so ``power(n(Δ), Δ)`` gives back the target.

Nothing here sees a DataFrame. Imports: numpy, scipy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

__all__ = [
    "allocate_proportional",
    "ceil_n",
    "detectable_multiplier",
    "equal_variance_mix",
    "fpc_factor",
    "kish_design_effect",
    "mean_difference_power",
    "mean_margin",
    "normal_power",
    "nps_difference_power",
    "nps_margin",
    "nps_unit_variance",
    "quota_design_effect",
    "share_difference_power",
    "share_margin",
    "share_unit_variance",
    "simulate_nps_power",
    "solve_decreasing",
    "solve_increasing",
    "z_quantile",
]

FloatArray = NDArray[np.float64]
Alternative = Literal["two-sided", "one-sided"]
NPSMarginMethod = Literal["wald", "adjusted_wald"]
ShareMarginMethod = Literal["wald", "wilson"]
MeanMethod = Literal["normal", "t"]

#: Upper limit of any sample size search (a billion interviews per group).
N_MAX = 1e12


# --- small helpers --------------------------------------------------------------------


def z_quantile(level: float) -> float:
    r"""Two-sided normal quantile :math:`z_{1-(1-\text{level})/2}`."""
    return float(stats.norm.ppf(0.5 + level / 2))


def ceil_n(x: float) -> int:
    """Round a real sample size up, ignoring floating-point noise below 1e-9 (relative).

    >>> ceil_n(1536.58), ceil_n(400.0000000001)
    (1537, 400)
    """
    if not math.isfinite(x):
        raise ValueError(f"sample size is not finite: {x!r}")  # internal
    return max(math.ceil(x - 1e-9 * max(1.0, abs(x))), 0)


def nps_unit_variance(p_pos: ArrayLike, p_neg: ArrayLike) -> FloatArray:
    """Variance of one NPS code (+1, 0, −1): :math:`p_+ + p_- - (p_+ - p_-)^2`.

    >>> float(nps_unit_variance(0.5, 0.2))
    0.61
    """
    pp = np.asarray(p_pos, dtype=np.float64)
    pn = np.asarray(p_neg, dtype=np.float64)
    return np.asarray(pp + pn - (pp - pn) ** 2, dtype=np.float64)


def share_unit_variance(p: ArrayLike) -> FloatArray:
    """Variance of one 0/1 response: :math:`p(1 - p)`."""
    q = np.asarray(p, dtype=np.float64)
    return np.asarray(q * (1 - q), dtype=np.float64)


def kish_design_effect(weights: ArrayLike) -> float:
    r"""Kish's design effect of unequal weights, :math:`n\sum w^2/(\sum w)^2`.

    This is :math:`1 + CV^2`.

    The coefficient of variation uses the population standard deviation
    (``ddof=0``), so equal weights give exactly 1.

    >>> kish_design_effect([1, 1, 2, 2])
    1.1111111111111112
    """
    w = np.asarray(weights, dtype=np.float64).ravel()
    return float(w.size * np.sum(w * w) / np.sum(w) ** 2)


def fpc_factor(n: ArrayLike, population: float | None) -> FloatArray:
    r"""Finite-population factor of a standard error, :math:`\sqrt{(N-n)/(N-1)}`.

    ``population=None`` means an infinite population (factor 1). ``n > N`` gives NaN.
    """
    nn = np.asarray(n, dtype=np.float64)
    if population is None:
        return np.ones_like(nn)
    big_n = float(population)
    with np.errstate(invalid="ignore"):
        ratio = (big_n - nn) / (big_n - 1) if big_n > 1 else np.zeros_like(nn)
        return np.asarray(
            np.sqrt(np.where(ratio >= 0, ratio, np.nan)), dtype=np.float64
        )


# --- margins of error (half-widths) as functions of the number of interviews ----------


def nps_margin(
    n: ArrayLike,
    p_pos: float,
    p_neg: float,
    *,
    confidence_level: float,
    method: NPSMarginMethod = "wald",
    deff: float = 1.0,
    population: float | None = None,
) -> FloatArray:
    r"""Half-width of the NPS interval (proportion scale) from ``n`` interviews.

    ``wald``: :math:`z\sqrt{V/n^*}`. ``adjusted_wald`` (Rocks 2016): the shares
    expected at :math:`n^*`, shrunk by 3/4 of a response each,
    :math:`\tilde p_\pm = (n^* p_\pm + 3/4)/(n^* + 3)`, and
    :math:`z\sqrt{\tilde V/(n^* + 3)}`. Both times the finite-population factor.
    """
    z = z_quantile(confidence_level)
    n_star = np.asarray(n, dtype=np.float64) / deff
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wald":
            half = z * np.sqrt(float(nps_unit_variance(p_pos, p_neg)) / n_star)
        else:
            m = n_star + 3.0
            pp = (n_star * p_pos + 0.75) / m
            pn = (n_star * p_neg + 0.75) / m
            half = z * np.sqrt((pp + pn - (pp - pn) ** 2) / m)
    return np.asarray(half * fpc_factor(n, population), dtype=np.float64)


def share_margin(
    n: ArrayLike,
    p: float,
    *,
    confidence_level: float,
    method: ShareMarginMethod = "wald",
    deff: float = 1.0,
    population: float | None = None,
) -> FloatArray:
    r"""Half-width of a share's interval expected from ``n`` interviews.

    ``wald``: :math:`z\sqrt{p(1-p)/n^*}`. ``wilson``: half the width of the Wilson
    score interval at :math:`\hat p = p`,
    :math:`\frac{z}{1 + z^2/n^*}\sqrt{p(1-p)/n^* + z^2/(4 n^{*2})}`.
    """
    z = z_quantile(confidence_level)
    n_star = np.asarray(n, dtype=np.float64) / deff
    v = float(share_unit_variance(p))
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wald":
            half = z * np.sqrt(v / n_star)
        else:
            half = (
                z / (1 + z * z / n_star) * np.sqrt(v / n_star + z * z / (4 * n_star**2))
            )
    return np.asarray(half * fpc_factor(n, population), dtype=np.float64)


def mean_margin(
    n: ArrayLike,
    sd: float,
    *,
    confidence_level: float,
    method: MeanMethod = "normal",
    deff: float = 1.0,
    population: float | None = None,
) -> FloatArray:
    r"""Half-width of a mean's interval: :math:`q\,\sigma/\sqrt{n^*}`.

    ``q`` is the normal quantile (``normal``) or Student's t quantile on
    :math:`n^* - 1` degrees of freedom (``t``; infinite for :math:`n^* \le 1`).
    """
    n_star = np.asarray(n, dtype=np.float64) / deff
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "normal":
            q: FloatArray | float = z_quantile(confidence_level)
        else:
            df = n_star - 1
            q = np.where(
                df > 0,
                stats.t.ppf(0.5 + confidence_level / 2, np.where(df > 0, df, 1.0)),
                np.inf,
            )
        half = q * sd / np.sqrt(n_star)
    return np.asarray(half * fpc_factor(n, population), dtype=np.float64)


# --- root finding ---------------------------------------------------------------------


def solve_decreasing(
    f: Callable[[float], float], target: float, *, low: float, high: float | None = None
) -> float:
    """Smallest ``x`` in ``[low, high]`` with ``f(x) = target`` for a decreasing ``f``.

    Returns ``low`` when ``f(low) <= target`` already. Without ``high`` the upper
    bracket is doubled until ``f`` falls below the target (up to :data:`N_MAX`).
    """

    def g(x: float) -> float:
        return f(x) - target

    if g(low) <= 0:
        return low
    if high is None:
        high = max(2.0 * low, 16.0)
        while g(high) > 0:
            if high > N_MAX:
                return math.inf
            high *= 4.0
    elif g(high) > 0:
        return math.inf
    return float(
        optimize.brentq(g, low, high, xtol=1e-12, rtol=4 * np.finfo(float).eps)
    )


def solve_increasing(
    f: Callable[[float], float], target: float, *, low: float, high: float | None = None
) -> float:
    """Smallest ``x`` with ``f(x) = target`` for an increasing ``f`` (see above)."""
    return solve_decreasing(lambda x: -f(x), -target, low=low, high=high)


# --- power ----------------------------------------------------------------------------


def normal_power(
    delta: ArrayLike,
    se_alt: ArrayLike,
    *,
    alpha: float,
    alternative: Alternative,
    se_null: ArrayLike | None = None,
) -> FloatArray:
    r"""Power of a z test of no difference when the true difference is ``delta``.

    :math:`\Phi\big((|\Delta| - z_{1-\alpha/2}\,SE_0)/SE_1\big) +
    \Phi\big((-|\Delta| - z_{1-\alpha/2}\,SE_0)/SE_1\big)` for a two-sided
    test (both tails); the first term only, with :math:`z_{1-\alpha}`, for a
    one-sided test in the direction of :math:`\Delta`. ``se_null`` (the SE under
    the null) defaults to ``se_alt`` (a Wald test).
    """
    d = np.abs(np.asarray(delta, dtype=np.float64))
    s1 = np.asarray(se_alt, dtype=np.float64)
    s0 = s1 if se_null is None else np.asarray(se_null, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if alternative == "two-sided":
            crit = float(stats.norm.isf(alpha / 2))
            out = stats.norm.sf((crit * s0 - d) / s1) + stats.norm.cdf(
                (-crit * s0 - d) / s1
            )
        else:
            crit = float(stats.norm.isf(alpha))
            out = stats.norm.sf((crit * s0 - d) / s1)
    return np.asarray(out, dtype=np.float64)


def detectable_multiplier(
    power: float, *, alpha: float, alternative: Alternative
) -> float:
    r"""Return the ratio :math:`k = \Delta/SE` at which a z test reaches ``power``.

    One-sided: :math:`k = z_{1-\alpha} + z_{\text{power}}`. Two-sided: the root
    of :math:`\Phi(k - z_{1-\alpha/2}) + \Phi(-k - z_{1-\alpha/2}) = \text{power}`,
    a hair below :math:`z_{1-\alpha/2} + z_{\text{power}}` (the far tail).

    >>> round(detectable_multiplier(0.8, alpha=0.05, alternative="two-sided"), 6)
    2.801582
    """
    if alternative == "one-sided":
        return float(stats.norm.isf(alpha) + stats.norm.ppf(power))
    crit = float(stats.norm.isf(alpha / 2))
    start = crit + float(stats.norm.ppf(power))

    def f(k: float) -> float:
        return float(stats.norm.sf(crit - k) + stats.norm.cdf(-crit - k)) - power

    if f(0.0) >= 0:  # power at or below alpha: reached without any difference
        return 0.0
    return float(
        optimize.brentq(
            f, 0.0, max(start + 1.0, 1.0), xtol=1e-14, rtol=4 * np.finfo(float).eps
        )
    )


def nps_difference_power(
    n: ArrayLike,
    n_other: ArrayLike,
    delta: ArrayLike,
    v_ref: float,
    v_other: float,
    *,
    alpha: float,
    alternative: Alternative,
    deff: float = 1.0,
) -> FloatArray:
    r"""Power of the Wald test of two independent NPS (proportion scale).

    :math:`SE = \sqrt{\mathrm{deff}\,(V_1/n_1 + V_2/n_2)}`, unit variances at
    the expected mixes.
    """
    n1 = np.asarray(n, dtype=np.float64)
    n2 = np.asarray(n_other, dtype=np.float64)
    se = np.sqrt(deff * (v_ref / n1 + v_other / n2))
    return normal_power(delta, se, alpha=alpha, alternative=alternative)


def share_difference_power(
    n: ArrayLike,
    n_other: ArrayLike,
    p_ref: float,
    p_other: ArrayLike,
    *,
    alpha: float,
    alternative: Alternative,
    deff: float = 1.0,
    pooled: bool = True,
) -> FloatArray:
    r"""Power of the z test of two independent shares.

    ``pooled=True`` (the classical test, as R's ``power.prop.test`` and statsmodels'
    ``power_proportions_2indep``): SE under the null from the pooled share
    :math:`\bar p = (n_1 p_1 + n_2 p_2)/(n_1 + n_2)`, under the alternative
    :math:`\sqrt{p_1 q_1/n_1 + p_2 q_2/n_2}`. ``pooled=False``: the Wald test
    (alternative SE for both).
    """
    n1 = np.asarray(n, dtype=np.float64)
    n2 = np.asarray(n_other, dtype=np.float64)
    p2 = np.asarray(p_other, dtype=np.float64)
    se1 = np.sqrt(deff * (p_ref * (1 - p_ref) / n1 + p2 * (1 - p2) / n2))
    if pooled:
        pbar = (n1 * p_ref + n2 * p2) / (n1 + n2)
        se0 = np.sqrt(deff * pbar * (1 - pbar) * (1 / n1 + 1 / n2))
    else:
        se0 = se1
    return normal_power(
        p2 - p_ref, se1, alpha=alpha, alternative=alternative, se_null=se0
    )


def mean_difference_power(
    n: ArrayLike,
    n_other: ArrayLike,
    delta: ArrayLike,
    sd: float,
    sd_other: float | None,
    *,
    alpha: float,
    alternative: Alternative,
    deff: float = 1.0,
    method: MeanMethod = "t",
) -> FloatArray:
    r"""Power of the test of two independent means.

    ``normal``: z test with :math:`SE = \sqrt{\mathrm{deff}(\sigma_1^2/n_1 +
    \sigma_2^2/n_2)}`. ``t``: noncentral t with noncentrality
    :math:`|\Delta|/SE`, on :math:`n_1^* + n_2^* - 2` df (pooled t test, equal SDs:
    ``sd_other=None``; as R's ``power.t.test`` and statsmodels' ``TTestIndPower``)
    or on the Welch–Satterthwaite df (``sd_other`` given).
    """
    n1 = np.asarray(n, dtype=np.float64) / deff
    n2 = np.asarray(n_other, dtype=np.float64) / deff
    s2 = sd if sd_other is None else sd_other
    var1, var2 = sd * sd / n1, s2 * s2 / n2
    se = np.sqrt(var1 + var2)
    if method == "normal":
        return normal_power(delta, se, alpha=alpha, alternative=alternative)
    if sd_other is None:
        df = n1 + n2 - 2
    else:
        df = (var1 + var2) ** 2 / (var1**2 / (n1 - 1) + var2**2 / (n2 - 1))
    nc = np.abs(np.asarray(delta, dtype=np.float64)) / se
    with np.errstate(divide="ignore", invalid="ignore"):
        if alternative == "two-sided":
            crit = stats.t.isf(alpha / 2, df)
            out = stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc)
        else:
            crit = stats.t.isf(alpha, df)
            out = stats.nct.sf(crit, df, nc)
    # scipy's noncentral t can return NaN far in the tail (power ~ 1); use the
    # normal approximation there, which is exact to double precision by then.
    fallback = normal_power(delta, se, alpha=alpha, alternative=alternative)
    out = np.where(np.isfinite(out), out, fallback)
    return np.asarray(np.clip(out, 0.0, 1.0), dtype=np.float64)


def equal_variance_mix(
    p_pos: float, p_neg: float, delta: float
) -> tuple[float, float] | None:
    r"""Promoter and detractor shares with NPS :math:`d + \Delta` and the same variance.

    With :math:`V = p_+ + p_- - d^2` fixed, :math:`s' = p_+' + p_-' = V + d'^2` and
    :math:`p_\pm' = (s' \pm d')/2`. Returns ``None`` when no such mix exists
    (e.g. from the worst case :math:`p_+ = p_- = 1/2`, whose variance is maximal).

    >>> tuple(round(x, 4) for x in equal_variance_mix(0.5, 0.2, -0.1))
    (0.425, 0.225)
    """
    v = float(nps_unit_variance(p_pos, p_neg))
    d_new = (p_pos - p_neg) + delta
    s_new = v + d_new * d_new
    pp, pn = (s_new + d_new) / 2, (s_new - d_new) / 2
    tol = 1e-12
    if s_new > 1 + tol or pp < -tol or pn < -tol:
        return None
    return min(max(pp, 0.0), 1.0), min(max(pn, 0.0), 1.0)


def simulate_nps_power(
    n: int,
    n_other: int,
    mix_ref: tuple[float, float],
    mix_other: tuple[float, float],
    *,
    alpha: float,
    alternative: Alternative,
    n_simulations: int,
    rng: np.random.Generator,
    chunk: int = 50_000,
) -> tuple[float, float]:
    r"""Power of the two-sample NPS Wald test by multinomial simulation.

    Each replicate draws promoter/passive/detractor counts for both groups, computes
    each NPS and its unweighted linearisation variance
    :math:`(\hat p_+ + \hat p_- - \hat d^2)/(n - 1)` (what
    :func:`cxmetrics.compare_nps` reports), and rejects when
    :math:`|z| > z_{1-\alpha/2}` (two-sided) or :math:`z\,\mathrm{sign}(\Delta) >
    z_{1-\alpha}` (one-sided). Returns the rejection rate and its Monte Carlo SE.
    """
    p1 = np.array([mix_ref[0], 1 - mix_ref[0] - mix_ref[1], mix_ref[1]])
    p2 = np.array([mix_other[0], 1 - mix_other[0] - mix_other[1], mix_other[1]])
    p1, p2 = np.clip(p1, 0, 1), np.clip(p2, 0, 1)
    p1, p2 = p1 / p1.sum(), p2 / p2.sum()
    direction = np.sign((p2[0] - p2[2]) - (p1[0] - p1[2])) or 1.0
    if alternative == "two-sided":
        crit = float(stats.norm.isf(alpha / 2))
    else:
        crit = float(stats.norm.isf(alpha))
    rejections = 0
    done = 0
    while done < n_simulations:
        size = min(chunk, n_simulations - done)
        x1 = rng.multinomial(n, p1, size=size)
        x2 = rng.multinomial(n_other, p2, size=size)
        d1 = (x1[:, 0] - x1[:, 2]) / n
        d2 = (x2[:, 0] - x2[:, 2]) / n_other
        v1 = ((x1[:, 0] + x1[:, 2]) / n - d1 * d1) / (n - 1)
        v2 = ((x2[:, 0] + x2[:, 2]) / n_other - d2 * d2) / (n_other - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (d2 - d1) / np.sqrt(v1 + v2)
        stat = np.abs(z) if alternative == "two-sided" else direction * z
        rejections += int(np.count_nonzero(stat > crit))  # NaN (0/0) never rejects
        done += size
    rate = rejections / n_simulations
    return rate, math.sqrt(rate * (1 - rate) / n_simulations)


# --- quotas ---------------------------------------------------------------------------


def allocate_proportional(
    shares: ArrayLike, total: int, minimum: int = 0
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Integer quotas proportional to ``shares``, each at least ``minimum``.

    The quotas add up to ``total``.

    Cells whose proportional quota falls below the minimum are fixed at the minimum
    and the rest of the total is shared again among the others, until none falls
    below. The free cells are then rounded by the largest-remainder (Hamilton)
    method: each gets the floor of its quota and the units left go to the largest
    fractional parts (ties to the larger share, then to the earlier cell), so the
    quotas add up to ``total`` exactly. Requires ``minimum * len(shares) <= total``.

    Returns the quotas and a mask of the cells fixed at the minimum.

    >>> q, fixed = allocate_proportional([0.5, 0.3, 0.15, 0.05], 1000, minimum=100)
    >>> q.tolist(), fixed.tolist()
    ([474, 284, 142, 100], [False, False, False, True])
    """
    p = np.asarray(shares, dtype=np.float64)
    k = p.size
    if minimum * k > total:
        raise ValueError("minimum * cells exceeds total")  # internal; checked upstream
    fixed = np.zeros(k, dtype=bool)
    exact = np.zeros(k)
    while True:
        free = ~fixed
        remaining = total - minimum * int(fixed.sum())
        mass = p[free].sum()
        exact = np.where(fixed, float(minimum), 0.0)
        if mass > 0:
            exact[free] = remaining * p[free] / mass
        elif free.any():  # only zero-share cells left: share the rest equally
            exact[free] = remaining / int(free.sum())
        newly = free & (exact < minimum)
        if not newly.any():
            break
        fixed |= newly
    quotas = np.floor(exact + 1e-9).astype(np.int64)
    quotas[fixed] = minimum
    left = total - int(quotas.sum())
    if left > 0:
        remainder = np.where(fixed, -np.inf, exact - quotas)
        order = np.lexsort((np.arange(k), -p, -remainder))
        quotas[order[:left]] += 1
    return quotas, fixed


def quota_design_effect(population_shares: ArrayLike, quotas: ArrayLike) -> float:
    r"""Kish design effect of weighting quota cells back to their population shares.

    With sample shares :math:`q_c = n_c/n` and cell weights :math:`w_c = P_c/q_c`,
    :math:`\mathrm{deff} = n\sum_c n_c w_c^2/(\sum_c n_c w_c)^2 = \sum_c
    P_c^2/q_c` (1 for proportional quotas). Infinite when a cell with a positive
    population share has no interviews.

    >>> round(quota_design_effect([0.5, 0.3, 0.2], [400, 300, 300]), 4)
    1.0583
    """
    big_p = np.asarray(population_shares, dtype=np.float64)
    big_p = big_p / big_p.sum()
    n_c = np.asarray(quotas, dtype=np.float64)
    q = n_c / n_c.sum()
    if np.any((q == 0) & (big_p > 0)):
        return math.inf
    keep = q > 0
    return float(np.sum(big_p[keep] ** 2 / q[keep]))
