r"""Bootstrap intervals for weighted domain means (NPS, shares, means).

Respondents are resampled with replacement within strata (the whole sample, so a
group's size varies between resamples, as in a domain analysis); each resample's
weighted domain means come from one ``np.bincount`` per chunk of resamples.
Percentile and BCa limits follow Efron & Tibshirani (1993), ch. 13–14; the BCa
acceleration uses the closed-form jackknife of a ratio mean
:math:`\hat\theta_{(i)} = (S_{wx} - w_i x_i)/(S_w - w_i)` over the group's units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats

__all__ = ["BootstrapDistribution", "bootstrap_domain_means", "bootstrap_limits"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class BootstrapDistribution:
    """Bootstrap replicates of domain means and what BCa needs besides.

    Attributes
    ----------
    replicates : numpy.ndarray
        Shape ``(n_resamples, n_groups)``; NaN where a resample left a group empty.
    estimate : numpy.ndarray
        Full-sample estimate per group.
    acceleration : numpy.ndarray
        BCa acceleration per group (jackknife).
    """

    replicates: FloatArray
    estimate: FloatArray
    acceleration: FloatArray

    @property
    def n_failed(self) -> NDArray[np.int64]:
        """Resamples per group in which the group was empty (dropped)."""
        return np.asarray(np.isnan(self.replicates).sum(axis=0), dtype=np.int64)


def bootstrap_domain_means(
    x: FloatArray,
    w: FloatArray,
    group: IntArray,
    stratum: IntArray,
    n_groups: int,
    *,
    n_resamples: int,
    rng: np.random.Generator,
    chunk_elements: int = 4_000_000,
) -> BootstrapDistribution:
    """Resample rows within strata and return the weighted means per group."""
    n = len(x)
    order = np.argsort(stratum, kind="stable")
    bounds = np.flatnonzero(np.diff(stratum[order])) + 1
    strata_rows = np.split(order, bounds)
    wx = w * x
    reps = np.empty((n_resamples, n_groups))
    chunk = max(1, chunk_elements // max(n, 1))
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        draws = np.concatenate(
            [
                rows[rng.integers(0, len(rows), size=(size, len(rows)))]
                for rows in strata_rows
            ],
            axis=1,
        )
        cell = (np.arange(size)[:, None] * n_groups + group[draws]).ravel()
        s_w = np.bincount(cell, weights=w[draws].ravel(), minlength=size * n_groups)
        s_wx = np.bincount(cell, weights=wx[draws].ravel(), minlength=size * n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(s_w > 0, s_wx / s_w, np.nan)
        reps[start : start + size] = means.reshape(size, n_groups)

    s_w = np.bincount(group, weights=w, minlength=n_groups)
    s_wx = np.bincount(group, weights=wx, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = s_wx / s_w
        loo = (s_wx[group] - wx) / (s_w[group] - w)
    acceleration = np.zeros(n_groups)
    for g in range(n_groups):
        values = loo[(group == g) & np.isfinite(loo)]
        if values.size < 3:
            continue
        dev = values.mean() - values
        denom = 6.0 * (np.sum(dev**2)) ** 1.5
        acceleration[g] = np.sum(dev**3) / denom if denom > 0 else 0.0
    return BootstrapDistribution(
        replicates=reps, estimate=np.asarray(estimate, float), acceleration=acceleration
    )


def bootstrap_limits(
    dist: BootstrapDistribution,
    *,
    confidence_level: float,
    method: Literal["percentile", "bca"],
) -> tuple[FloatArray, FloatArray]:
    """Percentile or BCa limits from a :class:`BootstrapDistribution`."""
    alpha = 1 - confidence_level
    n_groups = dist.replicates.shape[1]
    low = np.full(n_groups, np.nan)
    high = np.full(n_groups, np.nan)
    for g in range(n_groups):
        reps = dist.replicates[:, g]
        reps = reps[np.isfinite(reps)]
        if reps.size < 2 or not np.isfinite(dist.estimate[g]):
            continue
        probs = np.array([alpha / 2, 1 - alpha / 2])
        if method == "bca":
            theta = dist.estimate[g]
            share_below = (
                np.sum(reps < theta) + 0.5 * np.sum(reps == theta)
            ) / reps.size
            if 0 < share_below < 1:
                z0 = stats.norm.ppf(share_below)
                a = dist.acceleration[g]
                zq = stats.norm.ppf(probs)
                probs = stats.norm.cdf(z0 + (z0 + zq) / (1 - a * (z0 + zq)))
        low[g], high[g] = np.quantile(reps, probs)
    return low, high
