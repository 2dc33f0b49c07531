r"""Linearisation variances of weighted means after calibration (raking, GREG).

After post-stratification or raking the weights are random (they depend on the
sample), and the variance of an estimate shrinks by what the calibration
variables explain. R's ``survey`` package (``svyrecvar``) replaces each unit's
influence value :math:`x_i = w_i a_i` by a *residual* before the usual
with-replacement variance formula; for a domain mean
:math:`a_i = 1[i \in D]\,(y_i - \hat\theta_D)/\hat W_D` (zero outside the domain).
All three flavours give residuals of the form

.. math::

    e_i = w_i\,(a_i - b_{c(i)}),

where :math:`c(i)` is the unit's joint calibration cell and :math:`b_c` is:

- ``"greg"`` (``calibrate()``, any ``calfun``; stage-0 ``greg_calibration``):
  the fitted value of the base-weighted least-squares regression of :math:`a` on
  the calibration model matrix :math:`X` (``qr.resid(qr(X\sqrt d), x/(g\sqrt d))
  \cdot g\sqrt d``): :math:`b = X (X^\top D X)^{-} X^\top D a` with the base
  weights :math:`d = w/g`;
- ``"poststratify"`` (``postStratify()``): the base-weighted mean of :math:`a`
  in the post-stratum, :math:`b_c = \sum_{i\in c} d_i a_i / \sum_{i\in c} d_i`
  (the GREG residual for cell indicators);
- ``"raking"`` (``rake()``): ten backfitting sweeps over the margins of
  *unweighted* category means, :math:`b \leftarrow b + \overline{(a - b)}_{m}`
  for each margin :math:`m` in turn (exactly ten, as ``svyrecvar`` does).

The variance is then :math:`\sum_h \frac{n_h}{n_h-1}\big(\sum_{i\in h} e_i^2 -
(\sum_{i\in h} e_i)^2/n_h\big)` with :math:`n_h` all units of stratum :math:`h`,
in the domain or not. Because :math:`a` is constant within a domain × scale
point and :math:`b` within a cell, every sum needed is a combination of
:math:`n`, :math:`\sum w`, :math:`\sum w^2` and :math:`\sum d` per domain ×
stratum × joint cell × scale point: no rows are needed. Disjoint domains share
the calibration, so their covariance is not zero; the full matrix is returned.

Imports: numpy, estimators.linearization.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from cxmetrics.estimators.linearization import DomainMeans

__all__ = [
    "CALIBRATION_METHODS",
    "CalibrationCells",
    "calibrated_domain_means",
    "calibration_residual_means",
    "model_matrix",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
CalibrationMethod = Literal["greg", "raking", "poststratify"]
CALIBRATION_METHODS: tuple[CalibrationMethod, ...] = (
    "greg",
    "raking",
    "poststratify",
)
RAKING_SWEEPS = 10  # svyrecvar: ``for (iterations in 1:10)``


@dataclass(frozen=True, slots=True)
class CalibrationCells:
    """Sums per group × stratum × joint calibration cell × scale point.

    Attributes
    ----------
    n, sum_w, sum_w2, sum_d : numpy.ndarray
        Count, Σw (final weights), Σw² and Σd (base weights), each of shape
        ``(G, H, C, K)``.
    codes : numpy.ndarray
        Category position of each joint cell on each calibration margin, shape
        ``(C, M)``.
    domain : numpy.ndarray
        Boolean ``(G,)``: whether group ``g`` is a domain to estimate. Groups
        flagged False are units of the design outside every domain (e.g. rows
        whose score is missing): they enter the calibration residual and the
        stratum sizes but get no estimate.
    """

    n: FloatArray
    sum_w: FloatArray
    sum_w2: FloatArray
    sum_d: FloatArray
    codes: IntArray
    domain: NDArray[np.bool_]

    @property
    def n_design(self) -> FloatArray:
        """Units per stratum, every group included."""
        return np.asarray(self.n.sum(axis=(0, 2, 3)), dtype=np.float64)


def model_matrix(codes: IntArray) -> FloatArray:
    """Intercept plus treatment-coded dummies of every margin (R's model.matrix)."""
    codes = np.asarray(codes, dtype=np.intp)
    columns = [np.ones(codes.shape[0])]
    for j in range(codes.shape[1]):
        size = int(codes[:, j].max()) + 1 if codes.shape[0] else 0
        columns.extend(
            (codes[:, j] == level).astype(np.float64) for level in range(1, size)
        )
    return np.column_stack(columns)


def calibration_residual_means(
    u: FloatArray,
    t: FloatArray,
    count: FloatArray,
    base: FloatArray,
    codes: IntArray,
    method: CalibrationMethod,
    *,
    sweeps: int = RAKING_SWEEPS,
) -> FloatArray:
    """Compute the per-cell term :math:`b_{jc}` removed from each influence variable.

    Parameters
    ----------
    u : numpy.ndarray
        Unweighted cell sums of each influence variable, ``(J, C)``.
    t : numpy.ndarray
        Base-weighted cell sums ``Σ d a`` of each variable, ``(J, C)``.
    count : numpy.ndarray
        Units per cell, ``(C,)``.
    base : numpy.ndarray
        Base-weight total per cell, ``(C,)``.
    codes : numpy.ndarray
        Margin categories of each cell, ``(C, M)``.
    method : {'greg', 'raking', 'poststratify'}
        The residual flavour (module docstring).
    sweeps : int
        Backfitting sweeps of ``'raking'``.

    Returns
    -------
    numpy.ndarray
        ``b``, shape ``(J, C)``.
    """
    n_vars, n_cells = t.shape
    used = base > 0
    if method == "poststratify":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(used[None, :], t / np.where(used, base, 1.0), 0.0)
    if method == "greg":
        x = model_matrix(codes)
        root = np.sqrt(base[used])
        design = x[used] * root[:, None]
        response = (t[:, used] / root[None, :]).T
        beta, *_ = np.linalg.lstsq(design, response, rcond=None)
        return np.asarray((x @ beta).T, dtype=np.float64)
    b = np.zeros((n_vars, n_cells))
    for _ in range(sweeps):
        for j in range(codes.shape[1]):
            levels = codes[:, j]
            size = int(levels.max()) + 1
            den = np.bincount(levels, weights=count, minlength=size)
            num = np.zeros((n_vars, size))
            np.add.at(num.T, levels, (u - count[None, :] * b).T)
            with np.errstate(divide="ignore", invalid="ignore"):
                mean = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
            b = b + mean[:, levels]
    return b


def calibrated_domain_means(
    cells: CalibrationCells,
    scores: FloatArray,
    *,
    method: CalibrationMethod,
) -> DomainMeans:
    """Weighted means of the domains with their covariance after calibration.

    Parameters
    ----------
    cells : CalibrationCells
        Sums per group × stratum × joint cell × scale point.
    scores : numpy.ndarray
        Value of each scale point (e.g. NPS codes +1/0/−1), shape ``(K,)``.
    method : {'greg', 'raking', 'poststratify'}
        Which calibration residual (R's ``calibrate``, ``rake`` or
        ``postStratify``).

    Returns
    -------
    DomainMeans
        One entry per domain (``cells.domain``); ``covariance`` is the full
        calibrated linearisation covariance (disjoint domains correlate).
    """
    y = np.asarray(scores, dtype=np.float64)
    idx = np.flatnonzero(cells.domain)
    sw = cells.sum_w
    sw_dom = sw[idx]  # (J, H, C, K)
    w_dom = sw_dom.sum(axis=(1, 2, 3))
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.einsum("jhck,k->j", sw_dom, y) / w_dom
        # a_jk: influence per unit weight of a unit of domain j at point k
        a = (y[None, :] - theta[:, None]) / w_dom[:, None]
    a = np.where(np.isfinite(a), a, 0.0)
    u = np.einsum("jhck,jk->jc", cells.n[idx], a)
    t = np.einsum("jhck,jk->jc", cells.sum_d[idx], a)
    count = cells.n.sum(axis=(0, 1, 3))
    base = cells.sum_d.sum(axis=(0, 1, 3))
    b = calibration_residual_means(u, t, count, base, cells.codes, method)

    n_h = cells.n_design
    n_strata = len(n_h)
    n_dom = len(idx)
    w2 = cells.sum_w2
    cov = np.zeros((n_dom, n_dom))
    for h in range(n_strata):
        if n_h[h] <= 1:
            continue
        factor = n_h[h] / (n_h[h] - 1)
        # first moments: Σ e_j over stratum h
        w_hc = sw[:, h].sum(axis=(0, 2))  # (C,)
        s1 = np.einsum("jck,jk->j", sw_dom[:, h], a) - b @ w_hc
        # second moments: Σ e_j e_l over stratum h
        w2_dom = w2[idx, h]  # (J, C, K)
        q = w2[:, h].sum(axis=(0, 2))  # (C,)
        diag = np.einsum("jck,jk->j", w2_dom, a * a)
        p = np.einsum("jck,jk->jc", w2_dom, a)  # Σ_k w² a per cell
        cross = p @ b.T  # [j, l] = Σ_c p_jc b_lc
        s2 = np.diag(diag) - cross - cross.T + (b * q[None, :]) @ b.T
        cov += factor * (s2 - np.outer(s1, s1) / n_h[h])
    empty = w_dom <= 0
    cov[empty, :] = np.nan
    cov[:, empty] = np.nan
    n_dom_units = cells.n[idx].sum(axis=(1, 2, 3))
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = w_dom**2 / w2[idx].sum(axis=(1, 2, 3))
        sigma2 = np.einsum("jhck,k->j", sw_dom, y * y) / w_dom - theta**2
    df = int(cells.n.sum() - np.count_nonzero(n_h))
    return DomainMeans.with_covariance(
        estimate=np.asarray(theta, dtype=np.float64),
        covariance=cov,
        n=np.asarray(n_dom_units, dtype=np.float64),
        sum_w=np.asarray(w_dom, dtype=np.float64),
        n_eff=np.asarray(n_eff, dtype=np.float64),
        sigma2=np.maximum(np.asarray(sigma2, dtype=np.float64), 0.0),
        df=df,
    )
