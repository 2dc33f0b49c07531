r"""Structural equation models by normal-theory maximum likelihood, in pure numpy.

The model is written in RAM form (McArdle & McDonald 1984): all variables, observed
first then latent, are collected in one vector :math:`v = A v + u` with
:math:`\operatorname{Cov}(u) = S`, so that with :math:`B = (I - A)^{-1}`

.. math::

    \Omega = B S B^\top, \qquad \Sigma(\theta) = \Omega_{[1:p,\,1:p]},

where :math:`A` holds loadings (``=~``) and regressions (``~``) and :math:`S` the
(residual) variances and covariances (``~~``). The ML discrepancy with lavaan's
``likelihood = "normal"`` (divisor N) is

.. math::

    F(\theta) = \log|\Sigma| + \operatorname{tr}(S_{\text{obs}}\Sigma^{-1})
                - \log|S_{\text{obs}}| - p,

with gradient :math:`\partial F/\partial\theta_k =
\operatorname{tr}(W\,\partial\Sigma/\partial\theta_k)`,
:math:`W = \Sigma^{-1}(\Sigma - S_{\text{obs}})\Sigma^{-1}`, and expected
information (per unit of F) :math:`H_{kl} = \operatorname{tr}(\Sigma^{-1}\Sigma_k
\Sigma^{-1}\Sigma_l)`. :func:`fit_ml` minimises F by Fisher scoring with a
backtracking line search and finishes with Newton steps on the exact Hessian
(obtained by complex-step differentiation of the analytic gradient), which reaches
the optimum to machine precision in a few milliseconds for survey-sized models.

Everything that is a smooth function of the parameters (standardized solution,
defined parameters, effects) is differentiated by the complex step
:math:`f'(\theta)e_k = \operatorname{Im} f(\theta + i h e_k)/h` (exact to rounding,
no step-size trade-off), which is how lavaan differentiates too; the delta method
then gives their standard errors.

Nothing here sees a DataFrame. Imports: numpy, scipy.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

__all__ = [
    "FitOutcome",
    "RAMModel",
    "alpha_interval",
    "baseline_fit",
    "casewise_scores",
    "complex_jacobian",
    "discrepancy",
    "effects_matrix",
    "evaluate_expression",
    "expected_information",
    "fit_indices",
    "fit_ml",
    "gradient",
    "implied",
    "is_positive_definite",
    "observed_information",
    "rmsea_interval",
    "standardized_rows",
    "start_values",
    "weighted_covariance",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

#: operator codes of the parameter rows
LOADING, REGRESSION, COVARIANCE = 0, 1, 2
_H = 1e-30  # complex step


@dataclass(frozen=True, slots=True, eq=False)
class RAMModel:
    """Where every parameter row sits in the RAM matrices.

    Attributes
    ----------
    variables : tuple of str
        Observed variables (the first ``n_observed``), then latent ones.
    n_observed : int
        Number of observed variables p.
    op : numpy.ndarray
        Per row: 0 loading (``=~``), 1 regression (``~``), 2 (co)variance (``~~``).
    lhs, rhs : numpy.ndarray
        Per row: index of the left and right variable (as written in the syntax).
    param : numpy.ndarray
        Per row: index of its free parameter, or -1 when fixed.
    value : numpy.ndarray
        Per row: the fixed value (ignored when free).
    n_params : int
        Number of free parameters.
    """

    variables: tuple[str, ...]
    n_observed: int
    op: IntArray
    lhs: IntArray
    rhs: IntArray
    param: IntArray
    value: FloatArray
    n_params: int
    # derived arrays (filled in __post_init__)
    is_a: BoolArray = field(init=False, repr=False)
    a_row: IntArray = field(init=False, repr=False)
    a_col: IntArray = field(init=False, repr=False)
    param_map: FloatArray = field(init=False, repr=False)
    fixed_part: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        is_a = self.op != COVARIANCE
        # A[target, source]: 'f =~ y' -> A[y, f]; 'y ~ x' -> A[y, x]
        a_row = np.where(self.op == LOADING, self.rhs, self.lhs)
        a_col = np.where(self.op == LOADING, self.lhs, self.rhs)
        free = self.param >= 0
        param_map = np.zeros((len(self.op), self.n_params))
        param_map[np.flatnonzero(free), self.param[free]] = 1.0
        object.__setattr__(self, "is_a", is_a)
        object.__setattr__(self, "a_row", a_row)
        object.__setattr__(self, "a_col", a_col)
        object.__setattr__(self, "param_map", param_map)
        object.__setattr__(self, "fixed_part", np.where(free, 0.0, self.value))

    @property
    def n_variables(self) -> int:
        """Number of variables (observed and latent)."""
        return len(self.variables)

    def row_values(self, theta: NDArray[Any]) -> NDArray[Any]:
        """Value of every row (the free parameter or the fixed value).

        ``theta`` may carry leading batch dimensions and be complex.
        """
        return np.asarray(self.fixed_part + np.asarray(theta) @ self.param_map.T)

    def matrices(self, theta: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        """Return the RAM matrices A and S at ``theta`` (batched, complex-safe)."""
        values = self.row_values(theta)
        m = self.n_variables
        shape = (*values.shape[:-1], m, m)
        a = np.zeros(shape, dtype=values.dtype)
        s = np.zeros(shape, dtype=values.dtype)
        ia = self.is_a
        a[..., self.a_row[ia], self.a_col[ia]] = values[..., ia]
        isv = ~ia
        s[..., self.lhs[isv], self.rhs[isv]] = values[..., isv]
        s[..., self.rhs[isv], self.lhs[isv]] = values[..., isv]
        return a, s


def _t(x: NDArray[Any]) -> NDArray[Any]:
    return np.swapaxes(x, -1, -2)


@dataclass(frozen=True, slots=True)
class Implied:
    """Model-implied moments at one (or a batch of) parameter vector(s)."""

    sigma: NDArray[Any]  # (..., p, p)
    omega: NDArray[Any]  # (..., m, m), all variables
    b: NDArray[Any]  # (I - A)^-1
    s: NDArray[Any]
    a: NDArray[Any]


def implied(theta: NDArray[Any], model: RAMModel) -> Implied:
    """Model-implied covariance of the observed (and all) variables."""
    a, s = model.matrices(theta)
    m = model.n_variables
    b = np.linalg.inv(np.eye(m) - a)
    omega = b @ s @ _t(b)
    omega = (omega + _t(omega)) / 2
    p = model.n_observed
    return Implied(sigma=omega[..., :p, :p], omega=omega, b=b, s=s, a=a)


def _logdet(matrix: FloatArray) -> float:
    sign, value = np.linalg.slogdet(matrix)
    return float(value) if sign > 0 else np.inf


def discrepancy(sigma: FloatArray, sample: FloatArray) -> float:
    """ML discrepancy F (``inf`` when Σ is not positive definite)."""
    try:
        chol = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return np.inf
    logdet = 2.0 * float(np.log(np.diag(chol)).sum())
    inv_chol = np.linalg.inv(chol)
    trace = float(np.sum((inv_chol @ sample) * inv_chol))
    p = sample.shape[0]
    return float(logdet + trace - _logdet(sample) - p)


def gradient(theta: NDArray[Any], model: RAMModel, sample: FloatArray) -> NDArray[Any]:
    """Gradient of F with respect to the free parameters (batched, complex-safe)."""
    imp = implied(theta, model)
    inv = np.linalg.inv(imp.sigma)
    w = inv @ (imp.sigma - sample) @ inv
    p = model.n_observed
    g = imp.b[..., :p, :]  # (..., p, m)
    k = imp.omega[..., :p, :]  # (..., p, m)
    gw = _t(g) @ w  # (..., m, p)
    m_a = 2.0 * (gw @ k)  # d/dA[i, j]
    m_s = gw @ g  # d/dS[i, j]
    ia = model.is_a
    isv = ~ia
    values = np.zeros((*m_a.shape[:-2], len(model.op)), dtype=m_a.dtype)
    values[..., ia] = m_a[..., model.a_row[ia], model.a_col[ia]]
    rows, cols = model.lhs[isv], model.rhs[isv]
    values[..., isv] = np.where(rows == cols, 1.0, 2.0) * m_s[..., rows, cols]
    return np.asarray(values @ model.param_map)


def sigma_jacobian(theta: FloatArray, model: RAMModel) -> FloatArray:
    """∂Σ/∂θ_k for every free parameter, shape ``(n_params, p, p)``."""
    imp = implied(theta, model)
    p = model.n_observed
    g = imp.b[:p, :]
    k = imp.omega[:p, :]
    free = model.param >= 0
    out = np.zeros((model.n_params, p, p))
    ia = model.is_a & free
    if ia.any():
        d = np.einsum("ar,br->rab", g[:, model.a_row[ia]], k[:, model.a_col[ia]])
        d = d + _t(d)
        np.add.at(out, model.param[ia], d)
    isv = (~model.is_a) & free
    if isv.any():
        rows, cols = model.lhs[isv], model.rhs[isv]
        d = np.einsum("ar,br->rab", g[:, rows], g[:, cols])
        off = rows != cols
        d[off] = d[off] + _t(d[off])
        np.add.at(out, model.param[isv], d)
    return out


def expected_information(theta: FloatArray, model: RAMModel) -> FloatArray:
    """Return the expected information per unit of F: tr(Σ⁻¹Σ_k Σ⁻¹Σ_l)."""
    # Each row's ∂Σ is c (u vᵀ + v uᵀ); with Σ = L Lᵀ and ũ = L⁻¹u,
    # tr(Σ⁻¹Σ_r Σ⁻¹Σ_s) = 2 c_r c_s [(ũ_r·ũ_s)(ṽ_r·ṽ_s) + (ũ_r·ṽ_s)(ṽ_r·ũ_s)],
    # so the whole matrix comes from four small Gram matrices.
    imp = implied(theta, model)
    p = model.n_observed
    chol = np.linalg.cholesky(imp.sigma)
    g = np.linalg.solve(chol, imp.b[:p, :])  # L⁻¹ G
    k = np.linalg.solve(chol, imp.omega[:p, :])  # L⁻¹ Ω[:p, :]
    free = model.param >= 0
    ia = model.is_a
    u = np.where(ia, model.a_row, model.lhs)[free]
    v = np.where(ia, model.a_col, model.rhs)[free]
    is_a = ia[free]
    big_u = g[:, u]
    big_v = np.where(is_a[None, :], k[:, v], g[:, v])
    c = np.where(is_a | (u != v), 1.0, 0.5)
    uu = big_u.T @ big_u
    vv = big_v.T @ big_v
    uv = big_u.T @ big_v
    rows = 2.0 * np.outer(c, c) * (uu * vv + uv * uv.T)
    pm = model.param_map[free]
    info = pm.T @ rows @ pm
    return np.asarray((info + info.T) / 2, dtype=np.float64)


def observed_information(
    theta: FloatArray, model: RAMModel, sample: FloatArray
) -> FloatArray:
    """Exact Hessian of F by complex-step differentiation of the gradient.

    All parameters are perturbed at once (one batched gradient evaluation).
    """
    q = model.n_params
    shifted = np.broadcast_to(theta.astype(np.complex128), (q, q)).copy()
    shifted[np.arange(q), np.arange(q)] += 1j * _H
    hess = np.imag(gradient(shifted, model, sample)) / _H  # row k: d g / d theta_k
    return np.asarray((hess + hess.T) / 2, dtype=np.float64)


# --- estimation ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FitOutcome:
    """Result of :func:`fit_ml`."""

    theta: FloatArray
    fmin: float
    iterations: int
    converged: bool
    gradient_norm: float
    message: str


def fit_ml(
    model: RAMModel,
    sample: FloatArray,
    start: FloatArray,
    *,
    max_iter: int = 500,
    tol: float = 1e-20,
    newton: bool = True,
) -> FitOutcome:
    """Minimise the ML discrepancy: Fisher scoring, then Newton on the exact Hessian.

    Far from the optimum (Newton decrement above 1e-3) the step uses the expected
    information, which is positive definite and robust; closer in, it uses the
    exact Hessian (complex-step), which converges quadratically. Every step is
    followed by a backtracking line search that keeps Σ positive definite.

    Parameters
    ----------
    model : RAMModel
    sample : numpy.ndarray
        Sample covariance matrix (divisor N), shape ``(p, p)``.
    start : numpy.ndarray
        Starting values.
    max_iter : int
        Maximum number of iterations.
    tol : float
        Convergence when the Newton decrement g'H⁻¹g (about twice the distance of
        F from its minimum) falls below ``tol``.
    newton : bool
        Switch to Newton steps near the optimum (``False``: Fisher scoring only,
        cheaper per step; used for warm-started bootstrap refits).
    """
    theta = np.asarray(start, dtype=np.float64).copy()
    f = discrepancy(implied(theta, model).sigma, sample)
    if not np.isfinite(f):
        return FitOutcome(
            theta, np.inf, 0, False, np.inf, "start not positive definite"
        )
    message = "iteration limit reached"
    converged = False
    use_newton = False
    iterations = 0
    stalls = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - used after the loop
        g = np.real(gradient(theta, model, sample))
        step = None
        if use_newton:
            hess = observed_information(theta, model, sample)
            candidate = _solve(hess, -g)
            if float(-g @ candidate) > 0:
                step = candidate
        if step is None:
            step = _solve(expected_information(theta, model), -g)
        decrement = float(-g @ step)
        if not np.isfinite(decrement):
            message = "non-finite step"
            break
        if decrement < tol or (use_newton and decrement < 1e-14 and stalls):
            converged = True
            message = "converged"
            break
        use_newton = newton and (use_newton or decrement < 1e-3)
        if use_newton and decrement < 1e-8:
            # F cannot resolve changes this small; a full Newton step is safe
            # this close to the optimum (quadratic convergence)
            candidate = theta + step
            f_new = discrepancy(implied(candidate, model).sigma, sample)
            if np.isfinite(f_new) and f_new <= f + 1e-12 * max(abs(f), 1.0):
                stalls = stalls + 1 if f - f_new <= 1e-15 * max(abs(f), 1.0) else 0
                theta, f = candidate, min(f, f_new) if stalls else f_new
                if decrement < 1e-24:
                    converged = True
                    message = "converged"
                    break
                continue
        new, f_new, ok = _line_search(model, sample, theta, f, g, step)
        if not ok:
            # at machine precision the line search cannot improve F any more
            if decrement < 1e-12:
                converged = True
                message = "converged (to machine precision)"
            else:
                message = "line search failed"
            break
        stalls = stalls + 1 if f - f_new <= 1e-15 * max(abs(f), 1.0) else 0
        theta, f = new, f_new
    gnorm = float(np.max(np.abs(np.real(gradient(theta, model, sample)))))
    return FitOutcome(theta, f, iterations, converged, gnorm, message)


def _solve(matrix: FloatArray, rhs: FloatArray) -> FloatArray:
    try:
        out = np.linalg.solve(matrix, rhs)
        if np.all(np.isfinite(out)):
            return np.asarray(out, dtype=np.float64)
    except np.linalg.LinAlgError:
        pass
    ridge = 1e-8 * max(float(np.max(np.abs(np.diag(matrix)))), 1.0)
    out = np.linalg.lstsq(matrix + ridge * np.eye(len(rhs)), rhs, rcond=None)[0]
    return np.asarray(out, dtype=np.float64)


def _line_search(
    model: RAMModel,
    sample: FloatArray,
    theta: FloatArray,
    f: float,
    g: FloatArray,
    step: FloatArray,
) -> tuple[FloatArray, float, bool]:
    slope = float(g @ step)
    alpha = 1.0
    while alpha > 1e-10:
        candidate = theta + alpha * step
        f_new = discrepancy(implied(candidate, model).sigma, sample)
        if np.isfinite(f_new) and f_new <= f + 1e-4 * alpha * slope:
            return candidate, f_new, True
        if np.isfinite(f_new) and f_new <= f and alpha < 1e-3:
            return candidate, f_new, True
        alpha /= 2
    return theta, f, False


# --- starting values -------------------------------------------------------------


def _one_factor(cov: FloatArray) -> FloatArray:
    """Return one-factor loadings (principal axes, a few iterations)."""
    k = cov.shape[0]
    sd = np.sqrt(np.clip(np.diag(cov), 1e-12, None))
    if k == 1:
        return np.array([sd[0]])
    corr = cov / np.outer(sd, sd)
    if k == 2:
        r = float(np.clip(abs(corr[0, 1]), 0.05, 0.999))
        lam = np.array([np.sqrt(r), np.sign(corr[0, 1] or 1.0) * np.sqrt(r)])
        return lam * sd
    try:
        smc = 1.0 - 1.0 / np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        smc = np.full(k, 0.5)
    h2 = np.clip(smc, 0.05, 0.995)
    lam = np.zeros(k)
    for _ in range(8):
        reduced = corr.copy()
        np.fill_diagonal(reduced, h2)
        values, vectors = np.linalg.eigh(reduced)
        lam = vectors[:, -1] * np.sqrt(max(values[-1], 1e-6))
        h2 = np.clip(lam**2, 0.005, 0.995)
    if lam.sum() < 0:
        lam = -lam
    return lam * sd


def start_values(
    model: RAMModel,
    sample: FloatArray,
    user_start: FloatArray,
    *,
    simple: bool = False,
) -> FloatArray:
    """Compute starting values in the spirit of lavaan's defaults.

    Loadings come from a one-factor principal-axis solution per latent variable
    (scaled to its marker), latent covariances from the indicators' covariances,
    regressions from least squares on those covariances, residual variances from
    the unexplained part. ``simple=True`` gives lavaan's "simple" starts instead
    (loadings 1, regressions 0, residual variances half the observed variances,
    latent variances 0.05). ``user_start`` (NaN where not given) overrides.
    """
    p = model.n_observed
    m = model.n_variables
    values = model.value.copy()
    free = model.param >= 0
    op, lhs, rhs = model.op, model.lhs, model.rhs
    diag_s = np.diag(sample)
    latent = range(p, m)
    if simple:
        for r in np.flatnonzero(free):
            if op[r] == LOADING:
                values[r] = 1.0
            elif op[r] == REGRESSION:
                values[r] = 0.0
            elif lhs[r] == rhs[r]:
                values[r] = 0.5 * diag_s[lhs[r]] if lhs[r] < p else 0.05
            else:
                values[r] = 0.0
        return _collect(model, values, user_start)

    # 1. loadings and latent variances, factor by factor
    loading_rows = {
        f: [r for r in range(len(op)) if op[r] == LOADING and lhs[r] == f]
        for f in latent
    }
    lam = np.zeros((m, m))  # lam[y, f]
    psi_total = np.full(m, np.nan)
    psi_total[:p] = diag_s
    fixed_var = {
        int(lhs[r]): float(values[r])
        for r in range(len(op))
        if op[r] == COVARIANCE and lhs[r] == rhs[r] and not free[r]
    }
    for f in latent:
        rows = [r for r in loading_rows[f] if rhs[r] < p]
        if not rows:
            continue
        items = np.array([rhs[r] for r in rows])
        raw = _one_factor(sample[np.ix_(items, items)])  # standardized-latent metric
        marker = next((i for i, r in enumerate(rows) if not free[r]), None)
        if marker is not None and abs(raw[marker]) > 1e-8 and values[rows[marker]]:
            scale = raw[marker] / values[rows[marker]]
        elif f in fixed_var and fixed_var[f] > 0:
            scale = np.sqrt(fixed_var[f])
        else:
            scale = 1.0
        psi_total[f] = scale**2
        for i, row in enumerate(rows):
            lam[rhs[row], f] = raw[i] / scale if free[row] else values[row]
    # higher-order factors: indicators that are latent
    for f in latent:
        rows = [r for r in loading_rows[f] if rhs[r] >= p]
        for row in rows:
            lam[rhs[row], f] = values[row] if not free[row] else 1.0
        if rows and np.isnan(psi_total[f]):
            first = rhs[rows[0]]
            psi_total[f] = 0.5 * (
                psi_total[first] if np.isfinite(psi_total[first]) else 1.0
            )

    # 2. covariances among latent and structural observed variables
    def members(v: int) -> list[tuple[int, float]]:
        if v < p:
            return [(v, 1.0)]
        return [(y, lam[y, v]) for y in range(p) if abs(lam[y, v]) > 1e-10]

    def cov(u: int, v: int) -> float:
        if u == v:
            value = psi_total[u]
            return float(value) if np.isfinite(value) else 1.0
        total, count = 0.0, 0
        for y1, l1 in members(u):
            for y2, l2 in members(v):
                if y1 != y2 and abs(l1 * l2) > 1e-10:
                    total += sample[y1, y2] / (l1 * l2)
                    count += 1
        return total / count if count else 0.0

    # 3. regressions by least squares; residual variances
    resid = {}
    for y in range(m):
        rows = [r for r in range(len(op)) if op[r] == REGRESSION and lhs[r] == y]
        if not rows:
            continue
        preds = [int(rhs[r]) for r in rows]
        c_pp = np.array([[cov(a, b) for b in preds] for a in preds])
        c_py = np.array([cov(a, y) for a in preds])
        try:
            beta = np.linalg.solve(c_pp + 1e-8 * np.eye(len(preds)), c_py)
        except np.linalg.LinAlgError:
            beta = np.zeros(len(preds))
        for row, b in zip(rows, beta, strict=True):
            if free[row]:
                values[row] = b
        total = cov(y, y)
        explained = float(beta @ c_py)
        resid[y] = max(total - explained, 0.1 * total)

    for r in np.flatnonzero(free):
        if op[r] == LOADING:
            values[r] = lam[rhs[r], lhs[r]]
        elif op[r] == COVARIANCE:
            a, b = int(lhs[r]), int(rhs[r])
            if a == b:
                if a < p:
                    communality = float(
                        sum(
                            lam[a, f] ** 2 * cov(f, f) for f in latent if lam[a, f] != 0
                        )
                    )
                    if a in resid:
                        values[r] = resid[a]
                    elif communality > 0:
                        values[r] = max(diag_s[a] - communality, 0.1 * diag_s[a])
                    else:
                        values[r] = diag_s[a]
                else:
                    values[r] = resid.get(a, cov(a, a))
            elif a >= p and b >= p and a not in resid and b not in resid:
                values[r] = cov(a, b)
            elif (
                a < p
                and b < p
                and not _has_loading(model, a)
                and not _has_loading(model, b)
                and a not in resid
                and b not in resid
            ):
                values[r] = sample[a, b]
            else:
                values[r] = 0.0
    return _collect(model, values, user_start)


def _has_loading(model: RAMModel, v: int) -> bool:
    return bool(np.any((model.op == LOADING) & (model.rhs == v)))


def _collect(model: RAMModel, values: FloatArray, user_start: FloatArray) -> FloatArray:
    theta = np.zeros(model.n_params)
    seen = np.zeros(model.n_params, dtype=bool)
    for r in np.flatnonzero(model.param >= 0):
        k = model.param[r]
        if not seen[k]:
            theta[k] = values[r]
            seen[k] = True
    given = np.isfinite(user_start)
    theta[given] = user_start[given]
    return theta


# --- fit indices -----------------------------------------------------------------


def baseline_fit(
    sample: FloatArray, n: float, exogenous: Sequence[int] = ()
) -> tuple[float, int]:
    """χ² and df of lavaan's baseline (independence) model.

    Variances free, covariances zero, except among fixed exogenous covariates,
    whose covariance block stays at its sample values.
    """
    p = sample.shape[0]
    base = np.diag(np.diag(sample))
    x = list(exogenous)
    if x:
        base[np.ix_(x, x)] = sample[np.ix_(x, x)]
    chisq = n * discrepancy(base, sample)
    nx = len(x)
    df = p * (p + 1) // 2 - (p - nx) - nx * (nx + 1) // 2
    return float(chisq), int(df)


def rmsea_interval(
    chisq: float, df: float, n: float, level: float = 0.90
) -> tuple[float, float]:
    """Confidence interval of the RMSEA by inverting the noncentral χ² (lavaan)."""
    if df <= 0 or not np.isfinite(chisq):
        return np.nan, np.nan

    def ncp_for(target: float) -> float:
        if stats.chi2.cdf(chisq, df) < target:
            return 0.0
        return float(special.chndtrinc(chisq, df, target))

    lam_low = ncp_for((1 + level) / 2)
    lam_high = ncp_for((1 - level) / 2)
    return float(np.sqrt(lam_low / (n * df))), float(np.sqrt(lam_high / (n * df)))


def _gfi(sample: FloatArray, sigma: FloatArray, exogenous: Sequence[int]) -> float:
    r"""GFI :math:`1 - e^\top W e / s^\top W s` over the modelled moments.

    :math:`e = \operatorname{vech}(S - \Sigma)`, :math:`s =
    \operatorname{vech}(S)`, :math:`W = \tfrac12 D^\top(\Sigma^{-1}\otimes
    \Sigma^{-1})D`; the moments among fixed exogenous covariates are left out (as
    lavaan does). Without them this is
    :math:`1 - \operatorname{tr}[(\Sigma^{-1}S - I)^2]
    /\operatorname{tr}[(\Sigma^{-1}S)^2]`.
    """
    p = sample.shape[0]
    inv = np.linalg.inv(sigma)
    if not len(exogenous):
        a = inv @ sample
        b = a - np.eye(p)
        return float(1.0 - np.trace(b @ b) / np.trace(a @ a))
    x = set(exogenous)
    rows, cols = np.tril_indices(p)
    keep = np.array([not (i in x and j in x) for i, j in zip(rows, cols, strict=True)])
    rows, cols = rows[keep], cols[keep]
    # W for vech elements: 0.5 * (inv[a,c] inv[b,d] + inv[a,d] inv[b,c]) * mult
    mult = np.where(rows == cols, 1.0, 2.0)
    w = 0.5 * (
        inv[np.ix_(rows, rows)] * inv[np.ix_(cols, cols)]
        + inv[np.ix_(rows, cols)] * inv[np.ix_(cols, rows)]
    )
    w = w * np.outer(mult, mult) / 2.0
    e = (sample - sigma)[rows, cols]
    s = sample[rows, cols]
    return float(1.0 - (e @ w @ e) / (s @ w @ s))


def fit_indices(
    *,
    sample: FloatArray,
    sigma: FloatArray,
    n: float,
    n_params: int,
    exogenous: Sequence[int] = (),
    fmin: float | None = None,
    rmsea_level: float = 0.90,
) -> dict[str, float]:
    """Fit measures as lavaan computes them (``likelihood = "normal"``).

    Parameters
    ----------
    sample, sigma : numpy.ndarray
        Sample (divisor N) and model-implied covariance matrices.
    n : float
        Number of observations N.
    n_params : int
        Free parameters (shared labels counted once; fixed exogenous excluded).
    exogenous : sequence of int
        Indices of fixed exogenous covariates (``fixed.x``).
    """
    p = sample.shape[0]
    nx = len(exogenous)
    f = discrepancy(sigma, sample) if fmin is None else fmin
    chisq = n * f
    pstar = p * (p + 1) // 2
    df = pstar - n_params - nx * (nx + 1) // 2
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    b_chisq, b_df = baseline_fit(sample, n, exogenous)
    b_pvalue = float(stats.chi2.sf(b_chisq, b_df)) if b_df > 0 else np.nan
    t1 = chisq - df
    t2 = b_chisq - b_df
    cfi = 1.0 - max(t1, 0.0) / max(t1, t2, 0.0) if max(t1, t2, 0.0) > 0 else 1.0
    if df > 0 and b_df > 0:
        tli = (b_chisq / b_df - chisq / df) / (b_chisq / b_df - 1.0)
        rfi = (b_chisq / b_df - chisq / df) / (b_chisq / b_df)
    else:
        tli = rfi = 1.0 if df == 0 else np.nan
    nfi = (b_chisq - chisq) / b_chisq
    pnfi = df / b_df * nfi if b_df > 0 else np.nan
    ifi = (b_chisq - chisq) / (b_chisq - df)
    rni = 1.0 - t1 / t2 if t2 != 0 else np.nan
    two_pi = np.log(2 * np.pi)
    _sign, logdet_sigma = np.linalg.slogdet(sigma)
    logl = (
        -n / 2 * (p * two_pi + logdet_sigma + np.trace(np.linalg.solve(sigma, sample)))
    )
    logl_h1 = -n / 2 * (p * two_pi + _logdet(sample) + p)
    if nx:
        # lavaan's fixed.x likelihood is conditional on x: drop the x marginal
        x = list(exogenous)
        sxx = sample[np.ix_(x, x)]
        logl_x = -n / 2 * (nx * two_pi + _logdet(sxx) + nx)
        logl -= logl_x
        logl_h1 -= logl_x
    aic = -2 * logl + 2 * n_params
    bic = -2 * logl + n_params * np.log(n)
    bic2 = -2 * logl + n_params * np.log((n + 2) / 24)
    rmsea = float(np.sqrt(max(t1, 0.0) / (n * df))) if df > 0 else 0.0
    low, high = rmsea_interval(chisq, df, n, rmsea_level)
    if df > 0:
        rmsea_p = float(stats.ncx2.sf(chisq, df, n * df * 0.05**2))
        rmsea_notclose = float(stats.ncx2.cdf(chisq, df, n * df * 0.08**2))
    else:
        rmsea_p = rmsea_notclose = np.nan
    # residuals
    sd = np.sqrt(np.diag(sample))
    resid = sample - sigma
    tri = np.tril_indices(p)
    srmr = float(np.sqrt(np.mean((resid / np.outer(sd, sd))[tri] ** 2)))
    rmr = float(np.sqrt(np.mean(resid[tri] ** 2)))
    gfi = _gfi(sample, sigma, exogenous)
    agfi = 1.0 - pstar / df * (1.0 - gfi) if df > 0 else np.nan
    pgfi = df / pstar * gfi
    mfi = float(np.exp(-0.5 * (chisq - df) / n))
    ecvi = chisq / n + 2 * n_params / n
    return {
        "npar": float(n_params),
        "fmin": f / 2,
        "chisq": chisq,
        "df": float(df),
        "pvalue": pvalue,
        "baseline_chisq": b_chisq,
        "baseline_df": float(b_df),
        "baseline_pvalue": b_pvalue,
        "cfi": cfi,
        "tli": tli,
        "nnfi": tli,
        "rfi": rfi,
        "nfi": nfi,
        "pnfi": pnfi,
        "ifi": ifi,
        "rni": rni,
        "logl": float(logl),
        "unrestricted_logl": float(logl_h1),
        "aic": float(aic),
        "bic": float(bic),
        "bic2": float(bic2),
        "ntotal": float(n),
        "rmsea": rmsea,
        "rmsea_ci_lower": low,
        "rmsea_ci_upper": high,
        "rmsea_ci_level": rmsea_level,
        "rmsea_pvalue": rmsea_p,
        "rmsea_notclose_pvalue": rmsea_notclose,
        "rmr": rmr,
        "srmr": srmr,
        "gfi": float(gfi),
        "agfi": float(agfi),
        "pgfi": float(pgfi),
        "mfi": mfi,
        "ecvi": float(ecvi),
    }


# --- derived quantities ----------------------------------------------------------


def complex_jacobian(
    func: Callable[[NDArray[np.complex128]], NDArray[Any]],
    theta: FloatArray,
) -> FloatArray:
    """Jacobian of ``func`` at ``theta`` by the complex step, shape ``(k, q)``.

    ``func`` must accept a batch of parameter vectors (shape ``(q, q)``) and
    return one row of ``k`` values per vector, and be complex-safe (no
    conjugation, no ``abs``).
    """
    q = len(theta)
    shifted = np.broadcast_to(theta.astype(np.complex128), (q, q)).copy()
    shifted[np.arange(q), np.arange(q)] += 1j * _H
    values = np.asarray(func(shifted))
    return np.asarray(np.imag(values).reshape(q, -1).T / _H, dtype=np.float64)


def _sqrt(x: NDArray[Any]) -> NDArray[Any]:
    return np.asarray(np.sqrt(x.astype(np.complex128) if np.isrealobj(x) else x))


def standardized_rows(theta: NDArray[Any], model: RAMModel) -> NDArray[Any]:
    """Lavaan's ``std.all`` value of every parameter row (batched, complex-safe).

    Loadings and regressions are rescaled by the model-implied standard deviations
    of both variables; variances are divided by the total variance; covariances
    become correlations of the two (residual) variances involved.
    """
    theta = np.asarray(theta)
    imp = implied(theta, model)
    values = model.row_values(theta).astype(np.complex128)
    total = np.diagonal(imp.omega, axis1=-2, axis2=-1).astype(np.complex128)
    s_diag = np.diagonal(imp.s, axis1=-2, axis2=-1).astype(np.complex128)
    sd = _sqrt(total)
    out = np.empty_like(values)
    lhs, rhs = model.lhs, model.rhs
    load = model.op == LOADING
    reg = model.op == REGRESSION
    same = (model.op == COVARIANCE) & (lhs == rhs)
    other = (model.op == COVARIANCE) & (lhs != rhs)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[..., load] = values[..., load] * sd[..., lhs[load]] / sd[..., rhs[load]]
        out[..., reg] = values[..., reg] * sd[..., rhs[reg]] / sd[..., lhs[reg]]
        out[..., same] = values[..., same] / total[..., lhs[same]]
        denom = _sqrt(s_diag[..., lhs[other]] * s_diag[..., rhs[other]])
        out[..., other] = values[..., other] / denom
    if np.iscomplexobj(theta):
        return out
    real = out.real.copy()
    real[np.abs(out.imag) > 1e-12 * np.maximum(np.abs(out.real), 1.0)] = np.nan
    return real


def regression_matrix(theta: NDArray[Any], model: RAMModel) -> NDArray[Any]:
    """Direct effects among all variables through the regressions (``~``).

    ``D[..., i, j]`` is the coefficient of variable j in the equation of i.
    """
    values = model.row_values(theta)
    m = model.n_variables
    a = np.zeros((*values.shape[:-1], m, m), dtype=values.dtype)
    reg = model.op == REGRESSION
    a[..., model.lhs[reg], model.rhs[reg]] = values[..., reg]
    return a


def effects_matrix(theta: NDArray[Any], model: RAMModel) -> NDArray[Any]:
    """Total effects among all variables through the regressions (``~``) only.

    ``T[..., i, j]`` is the total effect of variable j on variable i,
    :math:`T = (I - A_{reg})^{-1} - I`.
    """
    a = regression_matrix(theta, model)
    m = model.n_variables
    return np.asarray(np.linalg.inv(np.eye(m) - a) - np.eye(m))


def casewise_scores(
    theta: FloatArray, model: RAMModel, centred: FloatArray
) -> FloatArray:
    r"""Casewise scores of the log-likelihood, shape ``(n, n_params)``.

    For case i with centred data :math:`d_i`, :math:`s_{ik} = \tfrac12
    (a_i^\top \Sigma_k a_i - \operatorname{tr}(\Sigma^{-1}\Sigma_k))`,
    :math:`a_i = \Sigma^{-1} d_i`; with :math:`\Sigma_r = c_r(u_r v_r^\top +
    v_r u_r^\top)` the quadratic form is :math:`2c_r (a_i\cdot u_r)(a_i\cdot v_r)`.
    """
    imp = implied(theta, model)
    p = model.n_observed
    inv = np.linalg.inv(imp.sigma)
    g = imp.b[:p, :]
    k = imp.omega[:p, :]
    free = model.param >= 0
    ia = model.is_a
    u_idx = np.where(ia, model.a_row, model.lhs)[free]
    v_idx = np.where(ia, model.a_col, model.rhs)[free]
    is_a = ia[free]
    big_u = g[:, u_idx]
    big_v = np.where(is_a[None, :], k[:, v_idx], g[:, v_idx])
    c = np.where(is_a | (u_idx != v_idx), 1.0, 0.5)
    a = centred @ inv  # n x p
    quad = 2.0 * c * (a @ big_u) * (a @ big_v)
    trace = 2.0 * c * np.einsum("ar,ab,br->r", big_u, inv, big_v)
    rows = 0.5 * (quad - trace[None, :])
    return np.asarray(rows @ model.param_map[free], dtype=np.float64)


def weighted_covariance(x: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Weighted mean and covariance with divisor Σw (lavaan's sample statistics)."""
    total = float(w.sum())
    mean = w @ x / total
    centred = x - mean
    cov = (centred * w[:, None]).T @ centred / total
    return np.asarray(mean), np.asarray((cov + cov.T) / 2)


def is_positive_definite(matrix: FloatArray) -> bool:
    """Whether a symmetric matrix is positive definite."""
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return False
    return True


# --- defined parameters (:=) -----------------------------------------------------


def evaluate_expression(expression: str, values: Mapping[str, Any]) -> Any:
    """Evaluate a ``:=`` expression of labels (numpy arrays, complex-safe).

    Only numbers, names, ``+ - * / ^`` (or ``**``), unary minus and ``exp``,
    ``log``, ``sqrt``, ``abs`` are allowed (the parser checked this).
    """
    tree = _parsed_expression(expression)
    return _evaluate(tree, values)


@functools.lru_cache(maxsize=256)
def _parsed_expression(expression: str) -> ast.Expression:
    return ast.parse(expression.replace("^", "**").strip(), mode="eval")


def _evaluate(node: ast.AST, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, values)
    if isinstance(node, ast.Constant):
        return float(node.value)  # type: ignore[arg-type]
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        a = _evaluate(node.left, values)
        b = _evaluate(node.right, values)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a / b
        return a**b
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        arg = _evaluate(node.args[0], values)
        if node.func.id == "abs":  # complex-step safe |x|
            return arg * np.sign(np.real(arg))
        return {"exp": np.exp, "log": np.log, "sqrt": np.sqrt}[node.func.id](arg)
    raise ValueError(f"unsupported expression element {ast.dump(node)}")


# --- measurement: Cronbach's alpha intervals -------------------------------------


def alpha_interval(
    alpha: float, std_error: float, k: int, n: int, level: float, method: str
) -> tuple[float, float]:
    r"""Confidence interval of Cronbach's alpha.

    ``'feldt'`` (Feldt 1965; Feldt, Woodruff & Salih 1987): :math:`1-(1-\alpha)
    F_{1-a/2}`, :math:`1-(1-\alpha)F_{a/2}` with
    :math:`F \sim F(n-1, (n-1)(k-1))`, as R ``psych::alpha.ci``.
    ``'duhachek'``: :math:`\alpha \pm z\,SE` with the asymptotic SE of
    Duhachek & Iacobucci (2004) (psych's ``ase``).
    """
    tail = (1 - level) / 2
    if method == "feldt":
        df1 = n - 1
        df2 = (n - 1) * (k - 1)
        low = 1 - (1 - alpha) * stats.f.ppf(1 - tail, df1, df2)
        high = 1 - (1 - alpha) * stats.f.ppf(tail, df1, df2)
        return float(low), float(high)
    z = float(stats.norm.ppf(1 - tail))
    return alpha - z * std_error, alpha + z * std_error


# --- bootstrap -------------------------------------------------------------------


def with_fixed_values(model: RAMModel, rows: IntArray, sample: FloatArray) -> RAMModel:
    """Copy ``model`` with its fixed exogenous rows set from ``sample``."""
    if len(rows) == 0:
        return model
    value = model.value.copy()
    value[rows] = sample[model.lhs[rows], model.rhs[rows]]
    return RAMModel(
        variables=model.variables,
        n_observed=model.n_observed,
        op=model.op,
        lhs=model.lhs,
        rhs=model.rhs,
        param=model.param,
        value=value,
        n_params=model.n_params,
    )


def bootstrap_fits(
    model: RAMModel,
    exo_rows: IntArray,
    x: FloatArray,
    w: FloatArray,
    indices: IntArray,
    theta0: FloatArray,
    max_iter: int = 100,
) -> tuple[FloatArray, BoolArray]:
    """Refit the model on resampled rows, warm-started at ``theta0``.

    Parameters
    ----------
    indices : numpy.ndarray
        Shape ``(B, n)``: the rows drawn for each resample.

    Returns
    -------
    thetas : numpy.ndarray
        Shape ``(B, q)``; NaN rows where the fit failed.
    ok : numpy.ndarray
        Whether each resample converged (failures are dropped and counted).
    """
    q = model.n_params
    out = np.full((len(indices), q), np.nan)
    ok = np.zeros(len(indices), dtype=bool)
    for b, idx in enumerate(indices):
        _, sample = weighted_covariance(x[idx], w[idx])
        if not is_positive_definite(sample):
            continue
        fitted = with_fixed_values(model, exo_rows, sample)
        result = fit_ml(
            fitted, sample, theta0, max_iter=max_iter, tol=1e-13, newton=False
        )
        if result.converged and np.all(np.isfinite(result.theta)):
            out[b] = result.theta
            ok[b] = True
    return out, ok
