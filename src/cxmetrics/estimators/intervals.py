"""Confidence intervals for shares (proportions) and means.

All functions are vectorised over groups: ``p``, ``variance``, ``n_star`` are arrays
of the same shape. ``n_star`` is the effective sample size implied by the design
(:attr:`DomainMeans.n_design_eff`): ``n`` for an unweighted simple random sample, so
the unweighted intervals are the textbook ones.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

__all__ = [
    "MEAN_METHODS",
    "SHARE_METHODS",
    "mean_interval",
    "share_interval",
]

FloatArray = NDArray[np.float64]
ShareMethod = Literal["wilson", "logit", "clopper_pearson", "jeffreys", "wald"]
SHARE_METHODS: tuple[ShareMethod, ...] = (
    "wilson",
    "logit",
    "clopper_pearson",
    "jeffreys",
    "wald",
)


MEAN_METHODS = ("t", "normal")


def _z(confidence_level: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence_level / 2))


def share_interval(
    p: FloatArray,
    variance: FloatArray,
    n_star: FloatArray,
    *,
    n_obs: FloatArray,
    df: FloatArray | float,
    confidence_level: float,
    method: ShareMethod,
) -> tuple[FloatArray, FloatArray]:
    """Interval for a weighted share.

    Parameters
    ----------
    p : numpy.ndarray
        Estimated shares.
    variance : numpy.ndarray
        Design-based variance of ``p``.
    n_star : numpy.ndarray
        Effective sample sizes implied by the design.
    n_obs : numpy.ndarray
        Unweighted responses (the Korn–Graubard df correction uses ``n_obs − 1``).
    df : numpy.ndarray or float
        Design degrees of freedom (used by ``logit`` and ``clopper_pearson``).
    confidence_level : float
        In (0, 1).
    method : {'wilson', 'logit', 'clopper_pearson', 'jeffreys', 'wald'}
        See Notes of :func:`cxmetrics.top_box`.

    Returns
    -------
    (low, high) : tuple of numpy.ndarray
    """
    p = np.asarray(p, dtype=np.float64)
    alpha = 1 - confidence_level
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wald":
            half = _z(confidence_level) * np.sqrt(variance)
            return np.clip(p - half, 0, 1), np.clip(p + half, 0, 1)
        if method == "wilson":
            z = _z(confidence_level)
            z2 = z * z
            centre = (p + z2 / (2 * n_star)) / (1 + z2 / n_star)
            half = (z / (1 + z2 / n_star)) * np.sqrt(
                p * (1 - p) / n_star + z2 / (4 * n_star**2)
            )
            return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
        if method == "logit":
            q = np.where(np.asarray(df) > 0, stats.t.ppf(1 - alpha / 2, df), np.nan)
            se_logit = np.sqrt(variance) / (p * (1 - p))
            centre = special.logit(p)
            low = special.expit(centre - q * se_logit)
            high = special.expit(centre + q * se_logit)
            degenerate = (p <= 0) | (p >= 1)
            return np.where(degenerate, np.nan, low), np.where(degenerate, np.nan, high)
        if method == "clopper_pearson":
            # Korn & Graubard (1998): Clopper–Pearson on the design-effective n,
            # rescaled by (t_{n-1} / t_df)^2 so it widens when the design has few df.
            t_n = stats.t.ppf(1 - alpha / 2, np.maximum(n_obs - 1, 1))
            t_df = np.where(np.asarray(df) > 0, stats.t.ppf(1 - alpha / 2, df), np.nan)
            m = n_star * (t_n / t_df) ** 2
            x = p * m
            low = np.where(x > 0, stats.beta.ppf(alpha / 2, x, m - x + 1), 0.0)
            high = np.where(x < m, stats.beta.ppf(1 - alpha / 2, x + 1, m - x), 1.0)
            return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
        if method == "jeffreys":
            x = p * n_star
            low = np.where(
                x > 0, stats.beta.ppf(alpha / 2, x + 0.5, n_star - x + 0.5), 0
            )
            high = np.where(
                x < n_star, stats.beta.ppf(1 - alpha / 2, x + 0.5, n_star - x + 0.5), 1
            )
            return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    raise ValueError(f"unknown share interval method {method!r}")  # internal


def mean_interval(
    estimate: FloatArray,
    variance: FloatArray,
    *,
    df: FloatArray | float,
    confidence_level: float,
    method: Literal["t", "normal"] = "t",
) -> tuple[FloatArray, FloatArray]:
    """Interval for a weighted mean: ``t`` with design df (default) or ``normal``."""
    alpha = 1 - confidence_level
    q: FloatArray | float
    if method == "t":
        q = np.where(np.asarray(df) > 0, stats.t.ppf(1 - alpha / 2, df), np.nan)
    else:
        q = _z(confidence_level)
    half = q * np.sqrt(variance)
    return estimate - half, estimate + half
