r"""Exploratory factor analysis: extraction (our code), rotation (factor_analyzer).

factor_analyzer 0.5.1 (the latest release) fails on scikit-learn ≥ 1.8 inside
``FactorAnalyzer.fit`` (its ``check_array`` call uses a removed keyword), so the
extraction is our own code, written to give R ``psych::fa``'s solutions:

- ``minres``: minimise the sum of squared residuals
  :math:`\sum_{i<j}(r_{ij} - \lambda_i^\top\lambda_j)^2` (the diagonal is fitted
  by the uniquenesses :math:`\psi`, bounded to [0.005, 1] as in psych), that is
  half the sum of the squared discarded eigenvalues of
  :math:`R - \operatorname{diag}(\psi)`; the loadings are the leading
  eigenvectors scaled by the square roots of their eigenvalues;
- ``ml``: minimise the ML discrepancy of the factor model,
  :math:`\log|\Lambda\Lambda^\top+\Psi| + \operatorname{tr}(R(\Lambda\Lambda^\top
  + \Psi)^{-1}) - \log|R| - p`, profiled over the loadings (Jöreskog 1967;
  R ``factanal``), with the same bounds.

Both use scipy's bounded truncated Newton (TNC) with analytic gradients, tightly
converged. factor_analyzer is used for what works in it, and only here: its
``Rotator`` (varimax with Kaiser normalization, oblimin, promax with power 4),
whose warnings are caught. KMO and Bartlett's test are closed forms computed here
(they match psych to 1e-10 and need no extra).

Imports: errors, _optional, numpy, scipy.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from cxmetrics._optional import import_optional
from cxmetrics.errors import EngineError

__all__ = [
    "Extraction",
    "bartlett_sphericity",
    "extract",
    "kmo",
    "order_factors",
    "rotate",
]

FloatArray = NDArray[np.float64]
_LOWER, _UPPER = 0.005, 1.0


@dataclass(frozen=True, slots=True)
class Extraction:
    """An unrotated factor solution."""

    loadings: FloatArray
    uniquenesses: FloatArray
    objective: float
    iterations: int
    converged: bool
    values: FloatArray  # eigenvalues of the reduced correlation matrix


def _smc(corr: FloatArray) -> FloatArray:
    try:
        inv = np.linalg.inv(corr)
        smc = 1.0 - 1.0 / np.diag(inv)
    except np.linalg.LinAlgError:
        smc = np.max(np.abs(corr - np.eye(len(corr))), axis=1)
    return np.asarray(np.clip(smc, 0.0, 1.0))


def _loadings_from_psi(corr: FloatArray, psi: FloatArray, k: int) -> FloatArray:
    reduced = corr - np.diag(psi)
    values, vectors = np.linalg.eigh(reduced)
    order = np.argsort(values)[::-1][:k]
    return np.asarray(vectors[:, order] * np.sqrt(np.clip(values[order], 0.0, None)))


def _ml_discrepancy(psi: FloatArray, corr: FloatArray, k: int) -> float:
    lam = _ml_loadings(psi, corr, k)
    sigma = lam @ lam.T + np.diag(psi)
    sign, logdet = np.linalg.slogdet(sigma)
    if sign <= 0:
        return np.inf
    p = corr.shape[0]
    return float(
        logdet + np.trace(np.linalg.solve(sigma, corr)) - np.linalg.slogdet(corr)[1] - p
    )


def _ml_loadings(psi: FloatArray, corr: FloatArray, k: int) -> FloatArray:
    sc = 1.0 / np.sqrt(psi)
    star = corr * np.outer(sc, sc)
    values, vectors = np.linalg.eigh(star)
    order = np.argsort(values)[::-1][:k]
    lam = vectors[:, order] * np.sqrt(np.clip(values[order] - 1.0, 0.0, None))
    return np.asarray(lam / sc[:, None])


def extract(corr: FloatArray, n_factors: int, method: str) -> Extraction:
    """Extract ``n_factors`` unrotated factors from a correlation matrix.

    Parameters
    ----------
    corr : numpy.ndarray
        Correlation matrix (positive definite).
    n_factors : int
        Number of factors.
    method : {'minres', 'ml'}
        Extraction method.
    """
    p = corr.shape[0]
    start = np.clip(1.0 - _smc(corr), _LOWER, _UPPER)
    bounds = [(_LOWER, _UPPER)] * p
    if method == "minres":

        def fun(psi: FloatArray) -> tuple[float, FloatArray]:
            # ULS with the diagonal fitted by psi: half the sum of the squared
            # discarded eigenvalues of R - diag(psi); d e_j / d psi_m = -v_jm^2
            values, vectors = np.linalg.eigh(corr - np.diag(psi))
            rest = values[: p - n_factors]
            v = vectors[:, : p - n_factors]
            return 0.5 * float(np.sum(rest**2)), -((v**2) @ rest)

    else:

        def fun(psi: FloatArray) -> tuple[float, FloatArray]:
            lam = _ml_loadings(psi, corr, n_factors)
            sigma = lam @ lam.T + np.diag(psi)
            inv = np.linalg.inv(sigma)
            grad = np.asarray(np.diag(inv @ (sigma - corr) @ inv))
            return _ml_discrepancy(psi, corr, n_factors), grad

    # truncated Newton with bounds: as precise as L-BFGS-B here and several
    # times faster on these small problems
    result = optimize.minimize(
        fun,
        start,
        jac=True,
        method="TNC",
        bounds=bounds,
        options={"ftol": 0.0, "xtol": 1e-12, "gtol": 1e-12, "maxfun": 5000},
    )
    psi = np.asarray(result.x, dtype=np.float64)
    lam = (
        _loadings_from_psi(corr, psi, n_factors)
        if method == "minres"
        else _ml_loadings(psi, corr, n_factors)
    )
    lam = _flip(lam)
    reduced = corr - np.diag(psi)
    values = np.sort(np.linalg.eigvalsh(reduced))[::-1]
    return Extraction(
        loadings=lam,
        uniquenesses=1.0 - np.sum(lam**2, axis=1),
        objective=float(result.fun),
        iterations=int(result.nit),
        converged=bool(result.success) or _kkt_ok(result.x, fun(result.x)[1]),
        values=np.asarray(values),
    )


def _kkt_ok(psi: FloatArray, grad: FloatArray) -> bool:
    """Projected gradient small: at a bound only the inward direction counts."""
    projected = np.where((psi <= _LOWER + 1e-12) & (grad > 0), 0.0, grad)
    projected = np.where((psi >= _UPPER - 1e-12) & (projected < 0), 0.0, projected)
    return bool(np.max(np.abs(projected)) < 1e-6)


def _flip(loadings: FloatArray) -> FloatArray:
    signs = np.sign(loadings.sum(axis=0))
    signs[signs == 0] = 1.0
    return np.asarray(loadings * signs)


def rotate(
    loadings: FloatArray, method: str, tol: float = 1e-5
) -> tuple[FloatArray, FloatArray | None, FloatArray]:
    """Rotate loadings with factor_analyzer's ``Rotator``.

    Returns
    -------
    loadings : numpy.ndarray
        Rotated (pattern) loadings.
    phi : numpy.ndarray or None
        Factor correlations for oblique rotations.
    rotation : numpy.ndarray
        The rotation matrix T (pattern = unrotated @ inv(T).T for oblique).
    """
    k = loadings.shape[1]
    if k < 2:
        return loadings, None, np.eye(k)
    module = import_optional(
        "factor_analyzer.rotator", "sem", "Rotating factor loadings"
    )
    normalize = method != "oblimin"  # GPArotation's oblimin: no normalization
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # psych stops its rotations at a relative change of 1e-5
            # (stats::varimax eps, GPArotation eps); so do we, to give its numbers
            rotator = module.Rotator(
                method=method, normalize=normalize, max_iter=1000, tol=tol
            )
            rotated = np.asarray(rotator.fit_transform(np.array(loadings, copy=True)))
            phi = getattr(rotator, "phi_", None)
            matrix = np.asarray(rotator.rotation_)
    except Exception as err:  # any engine failure becomes EngineError
        raise EngineError(
            f"factor_analyzer failed to rotate the loadings ({type(err).__name__}: "
            f"{err}). Hint: try another rotation or rotation=None."
        ) from err
    if method == "varimax":
        phi = None
    elif phi is not None:
        phi = np.asarray(phi, dtype=np.float64)
    return rotated, phi, matrix


def order_factors(
    loadings: FloatArray, phi: FloatArray | None
) -> tuple[FloatArray, FloatArray | None]:
    """Sort factors by variance explained and make every column sum positive (psych)."""
    if phi is None:
        ss = np.sum(loadings**2, axis=0)
    else:
        ss = np.diag(phi @ loadings.T @ loadings)
    order = np.argsort(-ss, kind="stable")
    out = loadings[:, order]
    signs = np.sign(out.sum(axis=0))
    signs[signs == 0] = 1.0
    out = out * signs
    if phi is not None:
        phi = phi[np.ix_(order, order)] * np.outer(signs, signs)
    return np.asarray(out), phi


def kmo(corr: FloatArray) -> tuple[float, FloatArray]:
    """Kaiser–Meyer–Olkin measure of sampling adequacy (overall, per item)."""
    inv = np.linalg.inv(corr)
    d = np.sqrt(np.diag(inv))
    partial = -inv / np.outer(d, d)
    np.fill_diagonal(partial, 0.0)
    r2 = corr**2
    np.fill_diagonal(r2, 0.0)
    p2 = partial**2
    per_item = r2.sum(axis=0) / (r2.sum(axis=0) + p2.sum(axis=0))
    overall = r2.sum() / (r2.sum() + p2.sum())
    return float(overall), np.asarray(per_item)


def bartlett_sphericity(corr: FloatArray, n: int) -> tuple[float, float, float]:
    r"""Bartlett's test that the correlation matrix is the identity.

    :math:`\chi^2 = -(n - 1 - (2p + 5)/6)\log|R|` on :math:`p(p-1)/2` df.
    """
    p = corr.shape[0]
    statistic = -(n - 1 - (2 * p + 5) / 6) * float(np.linalg.slogdet(corr)[1])
    df = p * (p - 1) / 2
    return statistic, df, float(stats.chi2.sf(statistic, df))
