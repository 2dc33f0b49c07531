r"""Relative importance of drivers: pure numpy functions of a correlation matrix.

Every linear method here is a function of the correlation matrix ``R`` of
``[outcome, driver_1, ..., driver_p]`` (outcome first), so it runs on the small
summary the reduce layer returns, whatever engine held the rows. Functions accept a
stack of matrices (shape ``(..., q, q)``, ``q = p + 1``) and return one row per
matrix, so bootstrap replicates and the perturbed matrices of a numerical Jacobian
are computed in one vectorised call.

Exact Shapley values (LMG, general dominance) need the R² of all :math:`2^p`
sub-models. :func:`subset_r2` gets them without refitting: it walks the drivers in
order and keeps, for every subset ``T`` of the drivers seen so far, the Schur
complement of ``R`` on ``T`` (the residual covariance of the remaining drivers and
the outcome given ``T``); adding driver ``k`` is one rank-one update (a sweep
step), applied to all subsets at once. The work is about :math:`12\cdot 2^p`
multiply-adds and the subsets are processed in memory-bounded chunks, so
:math:`p = 25` (33.5 million sub-models) takes seconds.

Logistic variants (binary outcomes) need the rows: a weighted IRLS fit, McFadden's
pseudo-R² of every sub-model, and the relative weights of Tonidandel & LeBreton
(2010).

Imports: numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "LINEAR_METHODS",
    "LogisticFit",
    "complete_dominance",
    "condition_number",
    "conditional_dominance",
    "correlation_influence",
    "delta_covariance",
    "dependent_sets",
    "full_model",
    "importance",
    "logistic_fit",
    "logistic_relative_weights",
    "mcfadden_subsets",
    "relative_weights",
    "shapley_from_subsets",
    "shapley_sampled",
    "subset_r2",
    "vif",
]

FloatArray = NDArray[np.float64]
LINEAR_METHODS = (
    "shapley",
    "relative_weights",
    "pratt",
    "beta",
    "correlation",
    "last",
    "betasq",
)


# --- the full model -------------------------------------------------------------


def _split(r: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Correlations of the drivers with the outcome, and among themselves."""
    return r[..., 1:, 0], r[..., 1:, 1:]


def full_model(r: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Standardized coefficients and R² of the model with every driver."""
    rxy, rxx = _split(np.asarray(r, dtype=np.float64))
    beta = np.asarray(np.linalg.solve(rxx, rxy[..., None])[..., 0], dtype=np.float64)
    r2 = np.asarray(np.einsum("...i,...i->...", beta, rxy), dtype=np.float64)
    return beta, r2


def vif(r: FloatArray) -> FloatArray:
    """Variance inflation factors: the diagonal of the inverse driver correlation."""
    _, rxx = _split(np.asarray(r, dtype=np.float64))
    return np.asarray(np.diagonal(np.linalg.inv(rxx), axis1=-2, axis2=-1))


def condition_number(r: FloatArray) -> float:
    """sqrt(largest / smallest eigenvalue) of the driver correlation matrix."""
    _, rxx = _split(np.asarray(r, dtype=np.float64))
    lam = np.linalg.eigvalsh(rxx)
    return float(np.sqrt(lam[-1] / lam[0])) if lam[0] > 0 else float("inf")


def dependent_sets(rxx: FloatArray, tol: float = 1e-10) -> list[list[int]]:
    """Drivers involved in each exact linear dependency (near-zero eigenvalue)."""
    lam, q = np.linalg.eigh(np.asarray(rxx, dtype=np.float64))
    sets = []
    for k in np.flatnonzero(lam < tol * max(1.0, float(lam[-1]))):
        v = np.abs(q[:, k])
        sets.append([int(i) for i in np.flatnonzero(v > 0.05 * v.max())])
    return sets


# --- closed-form methods ----------------------------------------------------------


def relative_weights(r: FloatArray) -> FloatArray:
    r"""Johnson's (2000) relative weights, :math:`\sum_k \lambda_{jk}^2 \beta_k^{*2}`.

    With :math:`R_{xx} = Q \Lambda Q^\top`, :math:`\Lambda^{1/2}_{xz} = Q \Lambda^{1/2}
    Q^\top` correlates the drivers with their closest orthonormal counterparts
    :math:`Z`, and :math:`\beta^* = R_{xx}^{-1/2} r_{xy}` regresses the outcome on
    :math:`Z`. The weights sum to R².
    """
    rxy, rxx = _split(np.asarray(r, dtype=np.float64))
    lam, q = np.linalg.eigh(rxx)
    lam = np.clip(lam, 0.0, None)
    root = np.sqrt(lam)
    half = (q * root[..., None, :]) @ np.swapaxes(q, -1, -2)
    with np.errstate(divide="ignore"):
        inv_root = np.where(root > 0, 1.0 / root, 0.0)
    inv_half = (q * inv_root[..., None, :]) @ np.swapaxes(q, -1, -2)
    beta_z = (inv_half @ rxy[..., None])[..., 0]
    return np.asarray((half**2) @ (beta_z**2)[..., None])[..., 0]


def importance(
    r: FloatArray,
    method: str,
    *,
    subsets: FloatArray | None = None,
) -> FloatArray:
    """Compute the importance of each driver by ``method`` (a linear method).

    Parameters
    ----------
    r : numpy.ndarray
        Correlation matrix (or stack) of [outcome, drivers].
    method : str
        One of :data:`LINEAR_METHODS`.
    subsets : numpy.ndarray, optional
        Precomputed sub-model R² for ``'shapley'`` (else computed here).
    """
    r = np.asarray(r, dtype=np.float64)
    rxy, _ = _split(r)
    if method == "correlation":
        return np.asarray(rxy**2)
    if method == "relative_weights":
        return relative_weights(r)
    if method == "shapley":
        p = r.shape[-1] - 1
        table = subset_r2(r) if subsets is None else subsets
        return shapley_from_subsets(table, p).reshape((*r.shape[:-2], p))
    beta, _ = full_model(r)
    if method == "beta":
        return beta
    if method == "betasq":
        return np.asarray(beta**2)
    if method == "pratt":
        return np.asarray(beta * rxy)
    if method == "last":
        _, rxx = _split(r)
        inv_diag = np.diagonal(np.linalg.inv(rxx), axis1=-2, axis2=-1)
        return np.asarray(beta**2 / inv_diag)
    raise ValueError(f"unknown method {method!r}")


# --- all-subsets R² and Shapley values ---------------------------------------------


def subset_r2(r: FloatArray, *, max_elements: int = 1 << 23) -> FloatArray:
    """R² of every sub-model, indexed by bit mask (bit ``j`` = driver ``j``).

    Parameters
    ----------
    r : numpy.ndarray
        Correlation matrix of [outcome, drivers], shape ``(q, q)`` or ``(B, q, q)``.
    max_elements : int
        Largest working array (floats); subsets are processed in chunks beyond it.

    Returns
    -------
    numpy.ndarray
        Shape ``(2**p,)`` or ``(B, 2**p)``; entry 0 (no driver) is 0.
    """
    r = np.asarray(r, dtype=np.float64)
    single = r.ndim == 2
    stack = r[None] if single else r.reshape((-1, *r.shape[-2:]))
    q = stack.shape[-1]
    p = q - 1
    order = [*range(1, q), 0]  # drivers first, the outcome last
    a = stack[:, order, :][:, :, order]
    out = np.empty((len(stack), 1 << p))
    _fill(a[:, None], 0, p, np.zeros(1, dtype=np.int64), out, max_elements)
    out[:, 0] = 0.0
    return out[0] if single else out.reshape((*r.shape[:-2], 1 << p))


def _fill(
    a: FloatArray,
    k: int,
    p: int,
    index: NDArray[np.int64],
    out: FloatArray,
    max_elements: int,
) -> None:
    """Expand Schur complements from driver ``k`` on; write 1 − residual variance.

    ``a`` has shape ``(B, N, m, m)``: for each of ``N`` subsets of the first ``k``
    drivers (bit masks ``index``), the residual covariance of drivers ``k..p-1``
    and the outcome. The R² of every extension lands in ``out[:, mask]``.
    """
    while k < p:
        batch, n_sub, m, _ = a.shape
        if 2 * batch * n_sub * (m - 1) ** 2 > max_elements and n_sub > 1:
            half = n_sub // 2
            _fill(a[:, :half], k, p, index[:half], out, max_elements)
            _fill(a[:, half:], k, p, index[half:], out, max_elements)
            return
        pivot = a[..., 0, 0]
        col = a[..., 1:, 0]
        rest = a[..., 1:, 1:]
        with np.errstate(divide="ignore", invalid="ignore"):
            added = rest - col[..., :, None] * (col / pivot[..., None])[..., None, :]
        a = np.concatenate([rest, added], axis=1)
        index = np.concatenate([index, index + (1 << k)])
        k += 1
    out[:, index] = 1.0 - a[..., 0, 0]


def _shapley_weights(p: int) -> FloatArray:
    """s!(p−s−1)!/p! for s = 0..p−1: weight of a subset of size s (driver absent)."""
    s = np.arange(p)
    logw = np.array([math.lgamma(k + 1) + math.lgamma(p - k) for k in s]) - math.lgamma(
        p + 1
    )
    return np.asarray(np.exp(logw), dtype=np.float64)


def _popcount(p: int) -> NDArray[np.uint8]:
    return np.asarray(np.bitwise_count(np.arange(1 << p, dtype=np.uint64)), np.uint8)


def shapley_from_subsets(r2: FloatArray, p: int) -> FloatArray:
    r"""Shapley values (LMG) from the R² of all sub-models.

    :math:`\phi_j = \sum_{S \ni j} R^2_S\,w_{|S|-1} - \sum_{S \not\ni j} R^2_S\,w_{|S|}`
    with :math:`w_s = s!(p-s-1)!/p!`; they sum to the full-model R².
    """
    table = np.asarray(r2, dtype=np.float64).reshape(-1, 1 << p)
    pop = _popcount(p)
    w = _shapley_weights(p)
    w_in = np.zeros(p + 1)
    w_in[1:] = w
    w_out = np.zeros(p + 1)
    w_out[:p] = w
    absent_total = table @ w_out[pop]
    c = table * (w_in + w_out)[pop]
    phi = np.empty((table.shape[0], p))
    for j in range(p):
        view = c.reshape(table.shape[0], 1 << (p - 1 - j), 2, 1 << j)[:, :, 1, :]
        phi[:, j] = view.sum(axis=(1, 2)) - absent_total
    return phi[0] if np.asarray(r2).ndim == 1 else phi


def conditional_dominance(r2: FloatArray, p: int) -> FloatArray:
    """Average R² gain of each driver over the sub-models of each size.

    Returns ``C`` of shape ``(p, p)``: ``C[j, k]`` is the mean increase in R² when
    driver ``j`` joins a sub-model of ``k`` other drivers (``k = 0`` is its squared
    correlation; ``k = p − 1`` its usefulness). The row means are the Shapley values.
    """
    table = np.asarray(r2, dtype=np.float64)
    pop = _popcount(p)
    total = np.bincount(pop, weights=table, minlength=p + 1)
    out = np.empty((p, p))
    counts = np.array([math.comb(p - 1, k) for k in range(p)], dtype=np.float64)
    for j in range(p):
        shape = (1 << (p - 1 - j), 2, 1 << j)
        with_j = np.bincount(
            pop.reshape(shape)[:, 1, :].ravel(),
            weights=table.reshape(shape)[:, 1, :].ravel(),
            minlength=p + 1,
        )
        without_j = total - with_j
        out[j] = (with_j[1:] - without_j[:p]) / counts
    return out


def complete_dominance(r2: FloatArray, p: int, tol: float = 1e-12) -> NDArray[np.bool_]:
    """Return ``D[i, j]``: ``i`` adds more R² than ``j`` to every sub-model."""
    cube = np.asarray(r2, dtype=np.float64).reshape([2] * p)
    out = np.zeros((p, p), dtype=bool)
    for i in range(p):
        for j in range(i + 1, p):
            ai, aj = p - 1 - i, p - 1 - j
            with_i: list[int | slice] = [slice(None)] * p
            with_j: list[int | slice] = [slice(None)] * p
            with_i[ai], with_i[aj] = 1, 0
            with_j[ai], with_j[aj] = 0, 1
            diff = cube[tuple(with_i)] - cube[tuple(with_j)]
            out[i, j] = bool(np.all(diff > tol))
            out[j, i] = bool(np.all(diff < -tol))
    return out


@dataclass(frozen=True, slots=True)
class SampledShapley:
    """Shapley values from random permutations, with their Monte Carlo error."""

    estimate: FloatArray
    std_error: FloatArray
    n_permutations: int


def shapley_sampled(
    r: FloatArray,
    *,
    n_permutations: int,
    rng: np.random.Generator,
    batch: int = 256,
) -> SampledShapley:
    """Shapley values estimated from random driver orders (antithetic pairs).

    Each permutation adds the drivers in its order; the R² gains come from one
    sweep step per driver on the correlation matrix. Every order is paired with its
    reverse, and the Monte Carlo standard error is computed from the pair means.
    """
    r = np.asarray(r, dtype=np.float64)
    q = r.shape[0]
    p = q - 1
    order = [*range(1, q), 0]
    base = r[np.ix_(order, order)]
    pairs = max(1, n_permutations // 2)
    total = np.zeros(p)
    total_sq = np.zeros(p)
    done = 0
    while done < pairs:
        size = min(batch, pairs - done)
        perms = rng.permuted(np.tile(np.arange(p), (size, 1)), axis=1)
        both = np.concatenate([perms, perms[:, ::-1]])
        gains = _permutation_gains(base, both)
        pair_mean = (gains[:size] + gains[size:]) / 2
        total += pair_mean.sum(axis=0)
        total_sq += (pair_mean**2).sum(axis=0)
        done += size
    mean = total / pairs
    var = (total_sq - pairs * mean**2) / max(pairs - 1, 1)
    return SampledShapley(
        estimate=mean,
        std_error=np.sqrt(np.clip(var, 0, None) / pairs),
        n_permutations=2 * pairs,
    )


def _permutation_gains(base: FloatArray, perms: NDArray[np.int64]) -> FloatArray:
    count, p = perms.shape
    a = np.broadcast_to(base, (count, p + 1, p + 1)).copy()
    rows = np.arange(count)
    gains = np.empty((count, p))
    previous = np.zeros(count)
    for t in range(p):
        k = perms[:, t]
        pivot = a[rows, k, k]
        col = a[rows, :, k]
        a -= col[:, :, None] * (col / pivot[:, None])[:, None, :]
        now = 1.0 - a[:, p, p]
        gains[rows, k] = now - previous
        previous = now
    return gains


# --- delta method (linearisation) ---------------------------------------------------


def correlation_influence(
    x: FloatArray, w: FloatArray, *, chunk: int = 200_000
) -> tuple[FloatArray, FloatArray]:
    r"""Weighted correlation matrix and the linearisation covariance of its entries.

    The influence of row ``i`` on :math:`r_{jk}` is
    :math:`z_{ij}z_{ik} - r_{jk}(z_{ij}^2 + z_{ik}^2)/2` (``z`` standardized with
    the weighted mean and SD); as in R's ``survey`` for ``ids = ~1``, the covariance
    of the upper-triangle entries is
    :math:`\frac{n}{n-1}\sum_i u_i u_i^\top` with :math:`u_i = w_i\,IF_i / \sum w`.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``R`` of shape ``(q, q)`` and the covariance of ``R[triu_indices(q, 1)]``.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    n, q = x.shape
    total = w.sum()
    mean = w @ x / total
    m2 = np.zeros((q, q))
    for start in range(0, n, chunk):
        xc = x[start : start + chunk] - mean
        m2 += (xc * w[start : start + chunk, None]).T @ xc
    d = np.sqrt(np.diag(m2))
    r = m2 / np.outer(d, d)
    r = (r + r.T) / 2
    np.fill_diagonal(r, 1.0)
    sd = d / np.sqrt(total)
    iu = np.triu_indices(q, 1)
    m = len(iu[0])
    cross = np.zeros((m, m))
    mean_u = np.zeros(m)
    for start in range(0, n, chunk):
        z = (x[start : start + chunk] - mean) / sd
        inf = (
            z[:, iu[0]] * z[:, iu[1]]
            - r[iu] * (z[:, iu[0]] ** 2 + z[:, iu[1]] ** 2) / 2
        )
        u = inf * (w[start : start + chunk] / total)[:, None]
        cross += u.T @ u
        mean_u += u.sum(axis=0)
    mean_u /= n
    cov = n / max(n - 1, 1) * (cross - n * np.outer(mean_u, mean_u))
    return r, cov


def delta_covariance(
    func: Callable[[FloatArray], FloatArray],
    r: FloatArray,
    cov_r: FloatArray,
    *,
    step: float = 1e-5,
) -> tuple[FloatArray, FloatArray]:
    """Delta-method covariance of ``func(R)`` by central differences in ``R``.

    ``func`` maps a stack of correlation matrices ``(B, q, q)`` to ``(B, k)``; all
    ``2m`` perturbed matrices go through it in one call.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The Jacobian ``(k, m)`` and the covariance ``(k, k)``.
    """
    q = r.shape[0]
    iu = np.triu_indices(q, 1)
    m = len(iu[0])
    stack = np.broadcast_to(r, (2 * m, q, q)).copy()
    idx = np.arange(m)
    stack[idx, iu[0], iu[1]] += step
    stack[idx, iu[1], iu[0]] += step
    stack[m + idx, iu[0], iu[1]] -= step
    stack[m + idx, iu[1], iu[0]] -= step
    values = np.asarray(func(stack), dtype=np.float64)
    jac = (values[:m] - values[m:]).T / (2 * step)
    return jac, jac @ cov_r @ jac.T


# --- logistic regression ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogisticFit:
    """A weighted logistic regression (intercept first)."""

    coef: FloatArray
    loglik: float
    fitted: FloatArray
    information: FloatArray
    converged: bool
    n_iter: int


def logistic_fit(
    x: FloatArray,
    y: FloatArray,
    w: FloatArray,
    *,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> LogisticFit:
    """Weighted maximum likelihood by Newton–Raphson; ``x`` without intercept."""
    design = np.column_stack([np.ones(len(y)), x])
    mean_y = float(w @ y / w.sum())
    coef = np.zeros(design.shape[1])
    coef[0] = math.log(mean_y / (1 - mean_y)) if 0 < mean_y < 1 else 0.0
    converged = False
    it = 0
    info = np.eye(design.shape[1])
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        eta = design @ coef
        mu = 1.0 / (1.0 + np.exp(-eta))
        weight = w * mu * (1 - mu)
        info = (design * weight[:, None]).T @ design
        grad = design.T @ (w * (y - mu))
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            break
        coef = coef + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(coef))):
            converged = True
            break
    eta = design @ coef
    mu = 1.0 / (1.0 + np.exp(-eta))
    info = (design * (w * mu * (1 - mu))[:, None]).T @ design
    return LogisticFit(
        coef=coef,
        loglik=_loglik(y, w, eta),
        fitted=mu,
        information=info,
        converged=converged and bool(np.all(np.abs(coef) < 50)),
        n_iter=it,
    )


def _loglik(y: FloatArray, w: FloatArray, eta: FloatArray) -> float:
    # log(1 + exp(eta)) computed stably
    return float(np.sum(w * (y * eta - np.logaddexp(0.0, eta))))


def null_loglik(y: FloatArray, w: FloatArray) -> float:
    """Weighted log-likelihood of the intercept-only model."""
    p = float(w @ y / w.sum())
    if p <= 0 or p >= 1:
        return 0.0
    return float(w.sum() * (p * math.log(p) + (1 - p) * math.log(1 - p)))


def mcfadden_subsets(
    x: FloatArray, y: FloatArray, w: FloatArray
) -> tuple[FloatArray, bool]:
    """McFadden's pseudo-R² of every sub-model (bit mask order) and convergence."""
    p = x.shape[1]
    ll0 = null_loglik(y, w)
    out = np.zeros(1 << p)
    ok = True
    for mask in range(1, 1 << p):
        cols = [j for j in range(p) if mask >> j & 1]
        fit = logistic_fit(x[:, cols], y, w)
        ok &= fit.converged
        out[mask] = 1.0 - fit.loglik / ll0
    return out, ok


def logistic_relative_weights(
    x: FloatArray, y: FloatArray, w: FloatArray
) -> tuple[FloatArray, FloatArray, bool]:
    r"""Relative weights on the logit scale (Tonidandel & LeBreton 2010).

    The standardized drivers are replaced by their closest orthonormal counterparts
    :math:`Z = X_s R_{xx}^{-1/2}`, the outcome is regressed on :math:`Z` by logistic
    regression, and the coefficients are fully standardized,
    :math:`\beta = b\,R/s_{\hat\eta}` (``R``: correlation of the fitted
    probabilities with the outcome; :math:`s_{\hat\eta}`: SD of the linear
    predictor). Then :math:`\epsilon_j = \sum_k \lambda_{jk}^2 \beta_k^2` with
    :math:`\lambda = R_{xx}^{1/2}`. Weighted moments use the divisor Σw.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, bool)
        The weights, the standardized coefficients on ``Z``, convergence.
    """
    total = w.sum()
    mean = w @ x / total
    sd = np.sqrt(w @ (x - mean) ** 2 / total)
    xs = (x - mean) / sd
    rxx = (xs * w[:, None]).T @ xs / total
    lam, q = np.linalg.eigh((rxx + rxx.T) / 2)
    lam = np.clip(lam, 1e-300, None)
    half = (q * np.sqrt(lam)) @ q.T
    inv_half = (q / np.sqrt(lam)) @ q.T
    z = xs @ inv_half
    fit = logistic_fit(z, y, w)
    eta = np.column_stack([np.ones(len(y)), z]) @ fit.coef
    mu = fit.fitted
    r_fit = _wcorr(mu, y, w)
    s_eta = math.sqrt(float(w @ (eta - w @ eta / total) ** 2 / total))
    beta = fit.coef[1:] * r_fit / s_eta
    return (half**2) @ beta**2, beta, fit.converged


def _wcorr(a: FloatArray, b: FloatArray, w: FloatArray) -> float:
    total = w.sum()
    da = a - w @ a / total
    db = b - w @ b / total
    return float((w @ (da * db)) / math.sqrt(float(w @ da**2) * float(w @ db**2)))
