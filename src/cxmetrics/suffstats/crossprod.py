r"""Weighted cross-product matrix of [outcome, drivers]: the sums driver analysis needs.

Correlation, regression and every relative-importance method in cxmetrics are
functions of the weighted means and the weighted (co)variance matrix of the
outcome and the drivers. :class:`CrossProducts` holds them in the numerically
stable centred form (Chan, Golub & LeVeque 1979): the count of complete rows, Σw,
Σw², the weighted means :math:`\bar x` and the centred cross products
:math:`M_2 = \sum_i w_i (x_i - \bar x)(x_i - \bar x)^\top`. Two summaries of
disjoint chunks merge exactly with ``a + b``:

.. math::

    W = W_a + W_b,\quad \delta = \bar x_b - \bar x_a,\quad
    \bar x = \bar x_a + \delta\,W_b/W,\quad
    M_2 = M_{2a} + M_{2b} + \delta\delta^\top W_a W_b / W,

and :meth:`CrossProducts.empty` is the identity of that addition.

Imports: numpy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["CrossProducts"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CrossProducts:
    """Weighted means and centred cross products of complete rows.

    Attributes
    ----------
    names : tuple of str
        Variable names; by convention the outcome first, then the drivers.
    n : int
        Complete rows (all variables present) that entered the sums.
    sum_w, sum_w2 : float
        Σw and Σw² over those rows.
    mean : numpy.ndarray
        Weighted means, shape ``(q,)``.
    m2 : numpy.ndarray
        Centred weighted cross products Σ w (x − x̄)(x − x̄)ᵀ, shape ``(q, q)``.
    n_omitted : int
        Rows left out because a variable was missing (listwise deletion).
    """

    names: tuple[str, ...]
    n: int
    sum_w: float
    sum_w2: float
    mean: FloatArray
    m2: FloatArray
    n_omitted: int = 0

    # --- construction ------------------------------------------------------------
    @classmethod
    def empty(cls, names: Sequence[str]) -> CrossProducts:
        """Return the identity of ``+`` (no rows)."""
        q = len(names)
        return cls(
            names=tuple(names),
            n=0,
            sum_w=0.0,
            sum_w2=0.0,
            mean=np.zeros(q),
            m2=np.zeros((q, q)),
        )

    @classmethod
    def from_sums(
        cls,
        names: Sequence[str],
        *,
        n: int,
        sum_w: float,
        sum_w2: float,
        sum_wx: FloatArray,
        sum_wxx: FloatArray,
        n_omitted: int = 0,
    ) -> CrossProducts:
        """Build from raw sums Σw·x and Σw·x·xᵀ (as an engine returns them)."""
        q = len(names)
        if sum_w > 0:
            with np.errstate(invalid="ignore"):  # infinite weights: rejected later
                mean = np.asarray(sum_wx, dtype=np.float64) / sum_w
                m2 = np.asarray(sum_wxx, dtype=np.float64) - sum_w * np.outer(
                    mean, mean
                )
            m2 = (m2 + m2.T) / 2
        else:
            mean = np.zeros(q)
            m2 = np.zeros((q, q))
        return cls(
            names=tuple(names),
            n=int(n),
            sum_w=float(sum_w),
            sum_w2=float(sum_w2),
            mean=mean,
            m2=m2,
            n_omitted=int(n_omitted),
        )

    @classmethod
    def from_arrays(
        cls,
        names: Sequence[str],
        x: FloatArray,
        w: FloatArray | None = None,
        *,
        n_omitted: int = 0,
    ) -> CrossProducts:
        """Build from complete rows ``x`` (shape ``(n, q)``) and weights ``w``."""
        x = np.asarray(x, dtype=np.float64)
        weights = np.ones(len(x)) if w is None else np.asarray(w, dtype=np.float64)
        sum_w = float(weights.sum())
        if len(x) == 0 or sum_w <= 0:
            out = cls.empty(names)
            return cls(
                names=out.names,
                n=len(x),
                sum_w=sum_w,
                sum_w2=float(np.dot(weights, weights)),
                mean=out.mean,
                m2=out.m2,
                n_omitted=n_omitted,
            )
        with np.errstate(invalid="ignore"):  # infinite weights: rejected later
            mean = weights @ x / sum_w
            centred = x - mean
            m2 = (centred * weights[:, None]).T @ centred
        return cls(
            names=tuple(names),
            n=len(x),
            sum_w=sum_w,
            sum_w2=float(np.dot(weights, weights)),
            mean=np.asarray(mean, dtype=np.float64),
            m2=(m2 + m2.T) / 2,
            n_omitted=n_omitted,
        )

    # --- merging -----------------------------------------------------------------
    def __add__(self, other: object) -> CrossProducts:
        if not isinstance(other, CrossProducts):
            return NotImplemented
        if self.names != other.names:
            raise ValueError("cross products to merge must have the same variables")
        n = self.n + other.n
        omitted = self.n_omitted + other.n_omitted
        total = self.sum_w + other.sum_w
        if other.sum_w == 0 or total == 0:
            mean, m2 = self.mean, self.m2
        elif self.sum_w == 0:
            mean, m2 = other.mean, other.m2
        else:
            delta = other.mean - self.mean
            mean = self.mean + delta * (other.sum_w / total)
            m2 = (
                self.m2
                + other.m2
                + np.outer(delta, delta) * (self.sum_w * other.sum_w / total)
            )
        return CrossProducts(
            names=self.names,
            n=n,
            sum_w=total,
            sum_w2=self.sum_w2 + other.sum_w2,
            mean=np.asarray(mean, dtype=np.float64),
            m2=np.asarray(m2, dtype=np.float64),
            n_omitted=omitted,
        )

    # --- derived quantities ------------------------------------------------------
    @property
    def n_eff(self) -> float:
        """Kish's effective sample size (Σw)²/Σw²."""
        return self.sum_w**2 / self.sum_w2 if self.sum_w2 > 0 else float("nan")

    def covariance(self) -> FloatArray:
        """Weighted covariance matrix with divisor Σw (the population form)."""
        if self.sum_w <= 0:
            return np.full_like(self.m2, np.nan)
        return np.asarray(self.m2 / self.sum_w, dtype=np.float64)

    def variances(self) -> FloatArray:
        """Weighted variances (divisor Σw)."""
        return np.asarray(np.diag(self.covariance()), dtype=np.float64)

    def correlation(self) -> FloatArray:
        """Weighted correlation matrix (NaN rows for constant variables)."""
        d = np.sqrt(np.diag(self.m2))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = self.m2 / np.outer(d, d)
        np.fill_diagonal(r, 1.0)
        r[d == 0, :] = np.nan
        r[:, d == 0] = np.nan
        return np.asarray(np.clip(r, -1.0, 1.0), dtype=np.float64)

    def select(self, indices: Sequence[int]) -> CrossProducts:
        """Keep (and reorder) the variables at ``indices``."""
        idx = np.asarray(indices, dtype=np.intp)
        return CrossProducts(
            names=tuple(self.names[i] for i in idx),
            n=self.n,
            sum_w=self.sum_w,
            sum_w2=self.sum_w2,
            mean=self.mean[idx],
            m2=self.m2[np.ix_(idx, idx)],
            n_omitted=self.n_omitted,
        )
