r"""Business-impact formulas: the funnel, the delta method, linkage regressions.

Pure numpy functions of plain numbers and of :class:`~cxmetrics.suffstats.Moments`;
nothing here sees a DataFrame.

- **Funnel.** The parameters of the cost of negative experience are held in one
  vector :math:`\theta` (:data:`PARAMETERS`); :func:`funnel_outputs` maps it to the
  revenue lost, at risk and retained through complainers and through silent
  customers. Every formula is a product or ratio of the parameters, so it also
  accepts complex arguments and arrays of simulation draws.
- **Delta method.** :func:`delta_covariance` propagates a parameter covariance
  through any such function with a Jacobian computed by complex-step
  differentiation, :math:`\partial f/\partial\theta_j = \operatorname{Im}
  f(\theta + i h e_j)/h` with :math:`h = 10^{-30}`, which is exact to rounding
  error for analytic functions (Squire & Trapp 1998; Martins, Sturdza & Alonso
  2003) and needs no step-size tuning.
- **Totals.** :func:`group_totals_covariance` gives the design-based covariance of
  the weighted totals :math:`(W_g, Y_g)` of disjoint groups under a stratified
  with-replacement design, the linearisation that R's ``survey`` uses; any smooth
  function of the totals (domain means, the revenue at stake) then gets its
  variance by the delta method.
- **Regression from moments.** :func:`wls_from_cells` fits a weighted least-squares
  line when the regressor takes one value per cell (a score), from the cell sums
  Σw, Σwy, Σw², Σw²y, Σw²y², with the HC0 and HC1 sandwich covariances.

Imports: numpy, suffstats.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics.suffstats import Moments

__all__ = [
    "MEASURES",
    "OUTCOME_KEYS",
    "PARAMETERS",
    "WLSFit",
    "apply_changes",
    "delta_covariance",
    "funnel_outputs",
    "group_totals_covariance",
    "jacobian",
    "parameter_covariance",
    "parameter_draws",
    "pool_moments",
    "recode_moments",
    "reliability_ratio",
    "wls_from_cells",
]

FloatArray = NDArray[np.float64]

#: Order of the funnel parameter vector.
PARAMETERS: tuple[str, ...] = (
    "revenue",
    "negative_rate",
    "complaint_rate",
    "complainer_at_risk",
    "complainer_lost",
    "complainer_retained",
    "silent_at_risk",
    "silent_lost",
    "silent_retained",
)
#: Keys of an outcome mapping, in vector order.
OUTCOME_KEYS: tuple[str, ...] = ("at_risk", "lost", "retained")
_INDEX = {name: i for i, name in enumerate(PARAMETERS)}

#: The funnel's measures: (name, path, outcome), in table order.
MEASURES: tuple[tuple[str, str, str], ...] = (
    ("revenue_lost_complainers", "complainers", "lost"),
    ("revenue_at_risk_complainers", "complainers", "at_risk"),
    ("revenue_retained_complainers", "complainers", "retained"),
    ("revenue_lost_silent", "silent", "lost"),
    ("revenue_at_risk_silent", "silent", "at_risk"),
    ("revenue_retained_silent", "silent", "retained"),
    ("revenue_lost_total", "total", "lost"),
    ("revenue_at_risk_total", "total", "at_risk"),
    ("revenue_retained_total", "total", "retained"),
)


def funnel_outputs(theta: Any) -> Any:
    """Revenue of every measure in :data:`MEASURES` and the customer shares.

    Parameters
    ----------
    theta : array-like, shape (9, ...) or (9,)
        Parameters in :data:`PARAMETERS` order; trailing axes (simulation draws)
        and complex values (complex-step derivatives) are carried through.

    Returns
    -------
    numpy.ndarray
        Shape ``(18, ...)``: the nine revenues, then the nine shares of all
        customers, in :data:`MEASURES` order.
    """
    t = np.asarray(theta)
    revenue, q, c = t[0], t[1], t[2]
    complainers = q * c
    silent = q * (1 - c)
    shares = [
        complainers * t[4],
        complainers * t[3],
        complainers * t[5],
        silent * t[7],
        silent * t[6],
        silent * t[8],
    ]
    shares += [shares[0] + shares[3], shares[1] + shares[4], shares[2] + shares[5]]
    return np.stack([revenue * s for s in shares] + shares)


def _set_share(theta: Any, block: str, key: str, value: float) -> Any:
    """Set one outcome share and rescale the others of its block to sum to 1 − value."""
    idx = [_INDEX[f"{block}_{k}"] for k in OUTCOME_KEYS]
    target = _INDEX[f"{block}_{key}"]
    others = [i for i in idx if i != target]
    rest = theta[others[0]] + theta[others[1]]
    factor = (1 - value) / rest
    out = theta.copy()
    for i in others:
        out[i] = theta[i] * factor
    out[target] = value + 0 * theta[target]
    return out


def apply_changes(theta: Any, changes: Mapping[str, Any]) -> Any:
    """Apply a validated scenario to parameter vectors (or draws).

    Parameters
    ----------
    theta : numpy.ndarray
        Shape ``(9,)`` or ``(9, n_draws)``, real or complex.
    changes : mapping
        Keys are parameter names (:data:`PARAMETERS`), ``'recovery_rate'`` (an
        alias of ``complainer_retained``), or ``'complainer_outcomes'`` /
        ``'silent_outcomes'`` (a mapping that replaces the whole block). A single
        outcome share set alone rescales the other shares of its block in
        proportion to their sizes, so the block still sums to one.

    Returns
    -------
    numpy.ndarray
        The changed parameters (a new array).
    """
    out = np.array(theta, copy=True)
    for name, value in changes.items():
        key = "complainer_retained" if name == "recovery_rate" else name
        if key in ("complainer_outcomes", "silent_outcomes"):
            block = key.split("_")[0]
            for k in OUTCOME_KEYS:
                out[_INDEX[f"{block}_{k}"]] = float(value.get(k, 0.0)) + 0 * out[0]
        elif key.startswith(("complainer_", "silent_")):
            block, share = key.split("_", 1)
            out = _set_share(out, block, share, float(value))
        else:
            out[_INDEX[key]] = float(value) + 0 * out[0]
    return out


def jacobian(function: Callable[[Any], Any], theta: FloatArray) -> FloatArray:
    """Jacobian of ``function`` at ``theta`` by complex-step differentiation.

    ``function`` maps a parameter vector to a vector of outputs and must be
    analytic (sums, products and ratios of the parameters); the derivative is
    then exact to rounding error.
    """
    h = 1e-30
    theta = np.asarray(theta, dtype=np.float64)
    base = np.asarray(function(theta.astype(np.complex128)))
    columns = []
    for j in range(theta.size):
        step = theta.astype(np.complex128)
        step[j] += 1j * h
        columns.append(np.imag(np.asarray(function(step))) / h)
    return np.asarray(np.stack(columns, axis=-1).reshape(base.size, theta.size))


def delta_covariance(
    function: Callable[[Any], Any], theta: FloatArray, covariance: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Values of ``function`` at ``theta`` and their delta-method covariance.

    Returns
    -------
    (values, covariance) : tuple of numpy.ndarray
        ``J Σ Jᵀ`` with the complex-step Jacobian ``J``.
    """
    values = np.real(np.asarray(function(np.asarray(theta, dtype=np.float64)))).ravel()
    jac = jacobian(function, theta)
    return values.astype(np.float64), np.asarray(
        jac @ covariance @ jac.T, dtype=np.float64
    )


def parameter_covariance(theta: FloatArray, sizes: Mapping[str, float]) -> FloatArray:
    r"""Return the sampling covariance of the estimated funnel parameters.

    A rate estimated from ``n`` customers has variance :math:`p(1-p)/n`; an outcome
    mapping estimated from ``n`` customers has the multinomial covariance
    :math:`(\operatorname{diag}(p) - pp^\top)/n`. Estimates from different
    samples (or from the nested stages of one funnel) are independent. Parameters
    without a sample size are known constants (zero variance).
    """
    cov = np.zeros((len(PARAMETERS), len(PARAMETERS)))
    for rate in ("negative_rate", "complaint_rate"):
        if rate in sizes:
            p = theta[_INDEX[rate]]
            cov[_INDEX[rate], _INDEX[rate]] = p * (1 - p) / sizes[rate]
    for block in ("complainer", "silent"):
        key = f"{block}_outcomes"
        if key in sizes:
            idx = [_INDEX[f"{block}_{k}"] for k in OUTCOME_KEYS]
            p = theta[idx]
            cov[np.ix_(idx, idx)] = (np.diag(p) - np.outer(p, p)) / sizes[key]
    return cov


def parameter_draws(
    theta: FloatArray,
    sizes: Mapping[str, float],
    n_draws: int,
    rng: np.random.Generator,
) -> FloatArray:
    r"""Draw the funnel parameters from their Jeffreys posteriors.

    A rate :math:`p` estimated from ``n`` customers is drawn from
    :math:`\mathrm{Beta}(np + 1/2,\ n(1-p) + 1/2)`; an outcome mapping from
    :math:`\mathrm{Dirichlet}(n p_k + 1/2)` over its categories with a positive
    share (a share of exactly 0, and a rate of exactly 0 or 1, is structural and
    kept fixed). Parameters without a sample size stay at their values.

    Returns
    -------
    numpy.ndarray
        Shape ``(9, n_draws)``.
    """
    draws = np.repeat(np.asarray(theta, dtype=np.float64)[:, None], n_draws, axis=1)
    for rate in ("negative_rate", "complaint_rate"):
        p = theta[_INDEX[rate]]
        if rate in sizes and 0 < p < 1:
            n = sizes[rate]
            draws[_INDEX[rate]] = rng.beta(n * p + 0.5, n * (1 - p) + 0.5, size=n_draws)
    for block in ("complainer", "silent"):
        key = f"{block}_outcomes"
        idx = [
            _INDEX[f"{block}_{k}"]
            for k in OUTCOME_KEYS
            if theta[_INDEX[f"{block}_{k}"]] > 0
        ]
        if key in sizes and len(idx) > 1:
            alpha = sizes[key] * theta[idx] + 0.5
            draws[idx] = rng.dirichlet(alpha, size=n_draws).T
    return draws


# --- design-based totals and linkage regressions --------------------------------


def recode_moments(m: Moments, values: FloatArray) -> Moments:
    """Moments of a variable that is constant within each group (``values[g]``).

    Built from the counts and weight sums only: Σw·v = v Σw, Σw²·v² = v² Σw², ….
    """
    v = np.asarray(values, dtype=np.float64)[:, None]
    return Moments(
        groups=m.groups,
        group_names=m.group_names,
        strata=m.strata,
        n=m.n,
        sum_w=m.sum_w,
        sum_wx=v * m.sum_w,
        sum_wx2=v * v * m.sum_w,
        sum_w2=m.sum_w2,
        sum_w2x=v * m.sum_w2,
        sum_w2x2=v * v * m.sum_w2,
        n_design=m.n_design,
        n_omitted=m.n_omitted,
    )


def pool_moments(
    m: Moments,
    index: NDArray[np.intp],
    labels: Sequence[tuple[Any, ...]],
    group_names: tuple[str, ...],
) -> Moments:
    """Add up the groups of ``m`` into ``len(labels)`` groups (``index[g]`` each).

    The design counts ``n_design`` stay those of the whole sample, so the pooled
    groups are domains of the same design.
    """
    size = (len(labels), m.n.shape[1])

    def pooled(a: FloatArray) -> FloatArray:
        out = np.zeros(size)
        np.add.at(out, index, a)
        return out

    omitted = np.zeros(len(labels))
    np.add.at(omitted, index, m.n_omitted)
    return Moments(
        groups=tuple(labels),
        group_names=group_names,
        strata=m.strata,
        n=pooled(m.n),
        sum_w=pooled(m.sum_w),
        sum_wx=pooled(m.sum_wx),
        sum_wx2=pooled(m.sum_wx2),
        sum_w2=pooled(m.sum_w2),
        sum_w2x=pooled(m.sum_w2x),
        sum_w2x2=pooled(m.sum_w2x2),
        n_design=m.n_design,
        n_omitted=omitted,
    )


def group_totals_covariance(m: Moments) -> tuple[FloatArray, FloatArray]:
    r"""Weighted totals of disjoint groups and their design covariance.

    With :math:`z_i = w_i\,(1[i\in g],\ 1[i\in g]\,y_i)_g` stacked over the
    groups, the totals are :math:`t = \sum_i z_i` and, under a stratified
    with-replacement design (R's ``svydesign(ids=~1, strata=~h, weights=~w)``),

    .. math::

        \hat V(t) = \sum_h \frac{n_h}{n_h-1}\Big(\sum_{i\in h} z_i z_i^\top
            - \frac{1}{n_h} S_h S_h^\top\Big), \qquad S_h = \sum_{i\in h} z_i,

    where :math:`n_h` counts every unit of stratum :math:`h`. Within a stratum
    :math:`\sum z_i z_i^\top` is block diagonal (the groups are disjoint) with
    blocks :math:`[[\Sigma w^2, \Sigma w^2 y], [\Sigma w^2 y, \Sigma w^2 y^2]]`.

    Returns
    -------
    (totals, covariance) : tuple of numpy.ndarray
        ``totals = [W_0, Y_0, W_1, Y_1, ...]`` (shape ``(2G,)``) and its covariance.
    """
    n_groups, n_strata = m.sum_w.shape
    totals = np.empty(2 * n_groups)
    totals[0::2] = m.sum_w.sum(axis=1)
    totals[1::2] = m.sum_wx.sum(axis=1)
    cov = np.zeros((2 * n_groups, 2 * n_groups))
    for h in range(n_strata):
        n_h = float(m.n_design[h])
        if n_h < 2:
            continue
        s = np.empty(2 * n_groups)
        s[0::2] = m.sum_w[:, h]
        s[1::2] = m.sum_wx[:, h]
        inner = np.zeros_like(cov)
        for g in range(n_groups):
            a, b = 2 * g, 2 * g + 1
            inner[a, a] = m.sum_w2[g, h]
            inner[a, b] = inner[b, a] = m.sum_w2x[g, h]
            inner[b, b] = m.sum_w2x2[g, h]
        cov += n_h / (n_h - 1) * (inner - np.outer(s, s) / n_h)
    return totals, cov


@dataclass(frozen=True, slots=True)
class WLSFit:
    r"""A weighted least-squares line fitted from cell sums.

    Attributes
    ----------
    coef : numpy.ndarray
        Intercept and slope.
    cov_hc0 : numpy.ndarray
        White's HC0 sandwich covariance
        :math:`A^{-1} (\sum w_i^2 e_i^2 x_i x_i^\top) A^{-1}` with
        :math:`A = X^\top W X`.
    n : float
        Observations (rows).
    """

    coef: FloatArray
    cov_hc0: FloatArray
    n: float

    @property
    def cov_hc1(self) -> FloatArray:
        """HC1: HC0 times n / (n − 2)."""
        return np.asarray(self.cov_hc0 * self.n / (self.n - 2), dtype=np.float64)


def wls_from_cells(
    x: FloatArray,
    n: FloatArray,
    sum_w: FloatArray,
    sum_wy: FloatArray,
    sum_w2: FloatArray,
    sum_w2y: FloatArray,
    sum_w2y2: FloatArray,
) -> WLSFit:
    r"""Weighted least squares of ``y`` on ``x`` when ``x`` is constant in each cell.

    The normal equations need only :math:`\sum w` and :math:`\sum w y` per cell;
    with fitted value :math:`f_k` in cell :math:`k`, the HC0 "meat" needs
    :math:`\sum_{i\in k} w_i^2 e_i^2 = \Sigma w^2y^2 - 2 f_k \Sigma w^2 y + f_k^2
    \Sigma w^2`. So the fit and its HC0/HC1 covariances come from the cell sums,
    exactly as from the rows.

    Parameters
    ----------
    x : numpy.ndarray
        Regressor value of each cell, shape ``(K,)``.
    n, sum_w, sum_wy, sum_w2, sum_w2y, sum_w2y2 : numpy.ndarray
        Sums per cell, shape ``(K,)``.

    Returns
    -------
    WLSFit
        Coefficients are NaN when ``x`` does not vary.
    """
    design = np.column_stack([np.ones_like(x), x])
    a = design.T @ (sum_w[:, None] * design)
    b = design.T @ sum_wy
    total_n = float(n.sum())
    if abs(np.linalg.det(a)) <= 1e-12 * max(1.0, float(np.abs(a).max()) ** 2):
        nan2 = np.full((2, 2), np.nan)
        return WLSFit(coef=np.full(2, np.nan), cov_hc0=nan2, n=total_n)
    coef = np.asarray(np.linalg.solve(a, b), dtype=np.float64)
    fitted = design @ coef
    e2 = sum_w2y2 - 2 * fitted * sum_w2y + fitted * fitted * sum_w2
    meat = design.T @ (e2[:, None] * design)
    bread = np.linalg.inv(a)
    return WLSFit(coef=coef, cov_hc0=bread @ meat @ bread, n=total_n)


def reliability_ratio(
    values: FloatArray, std_errors: FloatArray, weights: FloatArray
) -> float:
    r"""Share of the spread of a regressor that is not sampling error.

    :math:`\lambda = 1 - \sum_s \omega_s \mathrm{SE}_s^2 / \sum_s \omega_s (x_s -
    \bar x_\omega)^2`, with weights :math:`\omega` normalised to sum to 1. The
    least-squares slope on an error-prone regressor is attenuated by
    :math:`\lambda` (Fuller 1987, §1.1), so :math:`\hat\beta/\lambda` corrects it.
    NaN when the regressor does not vary.
    """
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    centre = float(w @ values)
    spread = float(w @ (values - centre) ** 2)
    if spread <= 0:
        return float("nan")
    return 1.0 - float(w @ np.asarray(std_errors) ** 2) / spread
