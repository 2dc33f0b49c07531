r"""Pure formulas of the gap model: difference scores, priorities and asymmetric impact.

Nothing here sees a DataFrame: inputs are numpy arrays of sums, moments and
replicates, outputs are arrays.

- :func:`difference_reliability`: reliability of a difference score
  :math:`D = X - Y` from the variances, the correlation and the reliabilities of
  :math:`X` and :math:`Y` (Lord, 1958).
- :func:`cronbach_alpha`: coefficient alpha of a composite from an item covariance
  matrix.
- :func:`bootstrap_column_sums`: resample rows within strata and return the column
  sums of a matrix per resample, with one matrix product per chunk of resamples.
- :func:`need_ranks` and :func:`rank_summary`: ranks of priority indices per
  resample, their intervals and the probability of being in the top k.
- :func:`penalty_reward_fit`: weighted least squares of an outcome on dummy
  variables from moments per pattern × stratum, with classical (R ``lm``) or
  design-based (R ``svyglm``) covariance.
- :func:`impact_asymmetry`: impact range and asymmetry indices and the
  basic / performance / excitement classes.

Imports: numpy, scipy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

__all__ = [
    "PenaltyRewardFit",
    "bootstrap_column_sums",
    "cronbach_alpha",
    "difference_reliability",
    "impact_asymmetry",
    "need_ranks",
    "penalty_reward_fit",
    "percentile_limits",
    "rank_summary",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def difference_reliability(
    var_x: FloatArray | float,
    var_y: FloatArray | float,
    correlation: FloatArray | float,
    reliability_x: FloatArray | float,
    reliability_y: FloatArray | float,
) -> FloatArray:
    r"""Reliability of the difference score :math:`D = X - Y`.

    .. math::

        \rho_D = \frac{\sigma_X^2 \rho_X + \sigma_Y^2 \rho_Y
                       - 2\sigma_X\sigma_Y r_{XY}}
                      {\sigma_X^2 + \sigma_Y^2 - 2\sigma_X\sigma_Y r_{XY}}

    (Lord, 1958; Johns, 1981). NaN where the difference has no variance.
    """
    vx = np.asarray(var_x, dtype=np.float64)
    vy = np.asarray(var_y, dtype=np.float64)
    r = np.asarray(correlation, dtype=np.float64)
    cross = 2.0 * np.sqrt(vx * vy) * r
    with np.errstate(divide="ignore", invalid="ignore"):
        num = vx * np.asarray(reliability_x) + vy * np.asarray(reliability_y) - cross
        den = vx + vy - cross
        out = np.where(den > 0, num / den, np.nan)
    return np.asarray(out, dtype=np.float64)


def cronbach_alpha(covariance: FloatArray) -> float:
    r"""Coefficient alpha :math:`\frac{k}{k-1}(1 - \sum_j \sigma_j^2 / \sigma_S^2)`.

    NaN for fewer than two items or a composite without variance.
    """
    cov = np.asarray(covariance, dtype=np.float64)
    k = cov.shape[0]
    total = float(cov.sum())
    if k < 2 or not total > 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.trace(cov) / total))


# --- bootstrap --------------------------------------------------------------------


def bootstrap_column_sums(
    z: FloatArray,
    stratum: IntArray,
    *,
    n_resamples: int,
    rng: np.random.Generator,
    chunk_elements: int = 16_000_000,
    callback: Callable[[int], None] | None = None,
) -> FloatArray:
    r"""Column sums of ``z`` over bootstrap resamples of its rows, within strata.

    Each resample draws :math:`n_h` rows with replacement in every stratum
    :math:`h`; the resample's sums are :math:`c^\top z`, with :math:`c` the
    number of times each row was drawn. A chunk of resamples is one matrix
    product ``counts @ z``, so there is no Python loop over resamples × columns.

    Parameters
    ----------
    z : numpy.ndarray
        Shape ``(n, q)``: per-row contributions (e.g. :math:`w_i x_i` and
        :math:`w_i`).
    stratum : numpy.ndarray
        Stratum code of each row (0 … H−1).
    n_resamples : int
        Number of resamples.
    rng : numpy.random.Generator
        Source of randomness.
    chunk_elements : int
        Bound on resamples × rows drawn at once (memory).
    callback : callable, optional
        Called with the number of resamples finished after each chunk.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_resamples, q)``.
    """
    n, q = z.shape
    order = np.argsort(stratum, kind="stable")
    bounds = np.flatnonzero(np.diff(stratum[order])) + 1
    strata_rows = np.split(order, bounds) if n else []
    out = np.empty((n_resamples, q))
    chunk = max(1, chunk_elements // max(n, 1))
    zf = np.asfortranarray(z)
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        # one block of n counts per resample (local writes for bincount); the
        # product with a Fortran-ordered z is the fast layout for BLAS here
        counts = np.zeros(size * n)
        small = n * size < 2**31  # 32-bit indices are faster to draw and combine
        itype = np.int32 if small else np.intp
        offset = (np.arange(size, dtype=itype) * n)[:, None]
        for rows in strata_rows:
            picks = rng.integers(0, len(rows), size=(size, len(rows)), dtype=itype)
            draws = picks if len(strata_rows) == 1 else rows[picks].astype(itype)
            draws += offset
            counts += np.bincount(draws.ravel(), minlength=size * n)
        out[start : start + size] = counts.reshape(size, n) @ zf
        if callback is not None:
            callback(size)
    return out


def percentile_limits(
    replicates: FloatArray, confidence_level: float
) -> tuple[FloatArray, FloatArray]:
    """Percentile limits per column, ignoring NaN replicates (NaN if all are NaN)."""
    alpha = 1.0 - confidence_level
    reps = np.asarray(replicates, dtype=np.float64)
    low = np.full(reps.shape[1], np.nan)
    high = np.full(reps.shape[1], np.nan)
    for j in range(reps.shape[1]):
        column = reps[:, j]
        column = column[np.isfinite(column)]
        if column.size >= 2:
            low[j], high[j] = np.quantile(column, [alpha / 2, 1 - alpha / 2])
    return low, high


def need_ranks(priority: FloatArray) -> FloatArray:
    r"""Rank priority indices by need, along the last axis (1 = most negative).

    The need of an attribute is :math:`\max(-\text{priority}, 0)`: attributes
    at or above their reference, or with zero importance, need nothing and share
    the last rank (ties take the highest rank). NaN entries get NaN ranks.
    """
    p = np.asarray(priority, dtype=np.float64)
    clipped = np.minimum(p, 0.0)
    ranks = stats.rankdata(clipped, method="max", axis=-1, nan_policy="omit")
    ranks = np.asarray(ranks, dtype=np.float64)
    ranks[np.isnan(p)] = np.nan
    return ranks


def rank_summary(
    ranks: FloatArray, *, top_k: int, confidence_level: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Percentile limits of the ranks and the share of resamples in the top k."""
    low, high = percentile_limits(ranks, confidence_level)
    valid = np.isfinite(ranks)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_top = (valid & (ranks <= top_k)).sum(axis=0) / valid.sum(axis=0)
    return np.floor(low), np.ceil(high), np.asarray(p_top, dtype=np.float64)


# --- penalty-reward contrast analysis -----------------------------------------------


@dataclass(frozen=True, slots=True)
class PenaltyRewardFit:
    """Weighted least squares of an outcome on dummy variables.

    Attributes
    ----------
    coefficients : numpy.ndarray
        One per column of the design (NaN for aliased columns).
    covariance : numpy.ndarray
        Covariance of the coefficients (NaN rows/columns for aliased ones).
    df : float
        Degrees of freedom of the t tests.
    r_squared : float
        Weighted coefficient of determination.
    n : float
        Responses used.
    aliased : numpy.ndarray
        Whether each column was dropped as linearly dependent on earlier ones.
    """

    coefficients: FloatArray
    covariance: FloatArray
    df: float
    r_squared: float
    n: float
    aliased: NDArray[np.bool_]


def _independent_columns(gram: FloatArray, tol: float = 1e-9) -> NDArray[np.bool_]:
    """Greedy choice of linearly independent columns, in order (as R's ``lm``)."""
    p = gram.shape[0]
    keep = np.zeros(p, dtype=bool)
    scale = np.sqrt(np.maximum(np.diag(gram), 0.0))
    for j in range(p):
        if scale[j] <= 0:
            continue
        trial = keep.copy()
        trial[j] = True
        sub = gram[np.ix_(trial, trial)] / np.outer(scale[trial], scale[trial])
        if np.linalg.eigvalsh(sub).min() > tol:
            keep = trial
    return keep


def penalty_reward_fit(
    x: FloatArray,
    n: FloatArray,
    sum_w: FloatArray,
    sum_wy: FloatArray,
    sum_wy2: FloatArray,
    sum_w2: FloatArray,
    sum_w2y: FloatArray,
    sum_w2y2: FloatArray,
    *,
    n_design: FloatArray,
    cov_type: str,
) -> PenaltyRewardFit:
    r"""WLS of :math:`y` on the rows of ``x`` from moments per pattern × stratum.

    Every respondent with the same pattern of dummies shares a row of the
    design, so :math:`X^\top W X = \sum_p x_p x_p^\top \sum w`, and the residual
    sums follow from Σwy, Σwy², Σw²… per pattern and stratum.

    Parameters
    ----------
    x : numpy.ndarray
        Shape ``(P, k)``: the design row of each pattern (intercept included).
    n, sum_w, sum_wy, sum_wy2, sum_w2, sum_w2y, sum_w2y2 : numpy.ndarray
        Shape ``(P, H)``: moments of the outcome per pattern and stratum.
    n_design : numpy.ndarray
        Units per stratum, shape ``(H,)`` (the complete cases: respondents left
        out for missing values are not part of the design).
    cov_type : {'classical', 'design'}
        ``classical``: :math:`\hat\sigma^2 (X^\top W X)^{-1}` with
        :math:`\hat\sigma^2 = \sum w e^2/(n-k)` (R ``lm(weights=)``);
        ``design``: the linearisation sandwich of R ``svyglm`` for
        ``svydesign(ids=~1, strata=~h, weights=~w)``.

    Returns
    -------
    PenaltyRewardFit
    """
    sw = sum_w.sum(axis=1)
    swy = sum_wy.sum(axis=1)
    gram = x.T @ (x * sw[:, None])
    keep = _independent_columns(gram)
    k = x.shape[1]
    xk = x[:, keep]
    inverse = np.linalg.inv(gram[np.ix_(keep, keep)])
    beta_k = inverse @ (xk.T @ swy)
    fitted = xk @ beta_k  # per pattern
    f = fitted[:, None]
    # Σ w e² per pattern × stratum, and Σ w e (the score) per pattern × stratum
    rss_ph = sum_wy2 - 2 * f * sum_wy + f * f * sum_w
    n_total = float(n.sum())
    n_kept = int(keep.sum())
    if cov_type == "classical":
        sigma2 = float(rss_ph.sum()) / (n_total - n_kept)
        cov_k = sigma2 * inverse
        df = n_total - n_kept
    else:
        u1 = sum_wy - f * sum_w  # Σ w e  per pattern × stratum
        u2 = sum_w2y2 - 2 * f * sum_w2y + f * f * sum_w2  # Σ w² e²
        h_count = n_design
        factor = np.where(h_count > 1, h_count / (h_count - 1), np.nan)
        meat = np.zeros((n_kept, n_kept))
        for h in range(n.shape[1]):
            if h_count[h] <= 0:
                continue
            s_h = xk.T @ u1[:, h]  # total score in the stratum
            within = (xk * u2[:, h][:, None]).T @ xk
            meat += factor[h] * (within - np.outer(s_h, s_h) / h_count[h])
        cov_k = inverse @ meat @ inverse
        n_h = n.sum(axis=0)
        df = float(n_h.sum() - np.count_nonzero(n_h) - n_kept + 1)
    beta = np.full(k, np.nan)
    beta[keep] = beta_k
    cov = np.full((k, k), np.nan)
    cov[np.ix_(keep, keep)] = cov_k
    mean_y = swy.sum() / sw.sum()
    tss = float(sum_wy2.sum() - sw.sum() * mean_y**2)
    rss = float(rss_ph.sum())
    r2 = 1.0 - rss / tss if tss > 0 else float("nan")
    return PenaltyRewardFit(
        coefficients=beta,
        covariance=cov,
        df=float(df),
        r_squared=r2,
        n=n_total,
        aliased=~keep,
    )


def impact_asymmetry(
    penalty: FloatArray, reward: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""Impact range and impact asymmetry of each attribute.

    :math:`RI = |\beta_{low}| + |\beta_{high}|` and
    :math:`IA = (|\beta_{high}| - |\beta_{low}|)/RI` in [−1, 1]
    (Mikulić & Prebežac, 2008): −1 a pure basic (dissatisfier), +1 a pure
    excitement factor (delighter). NaN when either coefficient is missing or
    both are 0.
    """
    p = np.abs(np.asarray(penalty, dtype=np.float64))
    r = np.abs(np.asarray(reward, dtype=np.float64))
    impact_range = p + r
    with np.errstate(invalid="ignore", divide="ignore"):
        asymmetry = np.where(impact_range > 0, (r - p) / impact_range, np.nan)
    return impact_range, np.asarray(asymmetry, dtype=np.float64)
