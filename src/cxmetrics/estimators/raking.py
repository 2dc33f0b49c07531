r"""Raking (iterative proportional fitting) and trimming on small tables of cells.

Raking factors are constant within a *joint cell* of the margin variables (one cell
per observed combination of their categories), so the whole fit runs on the table of
base-weight totals per joint cell, never on rows: with :math:`d_c` the base-weight
total of cell :math:`c` and :math:`m_j(c)` its category on margin :math:`j`, one
sweep of iterative proportional fitting (Deming & Stephan 1940) multiplies, for each
margin in turn,

.. math::

    f_c \leftarrow f_c \, \frac{T_{j, m_j(c)}}
        {\sum_{c': m_j(c') = m_j(c)} d_{c'} f_{c'}},

until every margin total of :math:`d_c f_c` is within ``tol`` (relative to the
population total) of its target. Each row's weight is its base weight times the
factor of its cell.

Trimming caps unit weights, redistributes the excess and (optionally) rakes again,
repeating until both the bounds and the margins hold.

Imports: numpy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["RakingFit", "TrimFit", "ipf", "margin_totals", "trim"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class RakingFit:
    """The outcome of iterative proportional fitting on a table of cells.

    Attributes
    ----------
    factors : numpy.ndarray
        Multiplier of each cell's base weights, shape ``(C,)``.
    iterations : int
        Full sweeps over the margins.
    converged : bool
        Whether every margin is within ``tol`` of its target.
    max_error : float
        Largest ``|achieved − target| / total`` over all margin categories.
    worst : tuple of int
        ``(margin, category)`` positions of that largest error.
    """

    factors: FloatArray
    iterations: int
    converged: bool
    max_error: float
    worst: tuple[int, int]


def margin_totals(
    weights: FloatArray, codes: IntArray, sizes: Sequence[int]
) -> list[FloatArray]:
    """Weight totals per category of every margin (``codes`` is ``(C, M)``)."""
    return [
        np.bincount(codes[:, j], weights=weights, minlength=size).astype(np.float64)
        for j, size in enumerate(sizes)
    ]


def _errors(
    weights: FloatArray,
    codes: IntArray,
    targets: Sequence[FloatArray],
    total: float,
) -> tuple[float, tuple[int, int]]:
    achieved = margin_totals(weights, codes, [len(t) for t in targets])
    worst = (0, 0)
    largest = 0.0
    for j, (a, t) in enumerate(zip(achieved, targets, strict=True)):
        if not len(t):
            continue
        err = np.abs(a - t) / total
        k = int(np.argmax(err))
        if err[k] > largest:
            largest = float(err[k])
            worst = (j, k)
    return largest, worst


def ipf(
    base: FloatArray,
    codes: IntArray,
    targets: Sequence[FloatArray],
    *,
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> RakingFit:
    """Rake cell totals ``base`` to the margin ``targets``.

    Parameters
    ----------
    base : numpy.ndarray
        Base-weight total of each joint cell, shape ``(C,)``.
    codes : numpy.ndarray
        Category position of each cell on each margin, shape ``(C, M)``.
    targets : sequence of numpy.ndarray
        Target total per category of each margin (all margins share one total).
    tol : float
        Convergence tolerance on ``max |achieved − target| / total``.
    max_iter : int
        Maximum number of sweeps.

    Returns
    -------
    RakingFit
    """
    base = np.asarray(base, dtype=np.float64)
    codes = np.asarray(codes, dtype=np.intp)
    total = float(np.sum(targets[0])) if len(targets) else float(base.sum())
    scale = total if total > 0 else 1.0
    factors = np.ones(len(base))
    weights = base.copy()
    error, worst = _errors(weights, codes, targets, scale)
    iterations = 0
    while error > tol and iterations < max_iter:
        iterations += 1
        for j, target in enumerate(targets):
            current = np.bincount(codes[:, j], weights=weights, minlength=len(target))
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(current > 0, target / current, 1.0)
            factors = factors * ratio[codes[:, j]]
            weights = base * factors
        error, worst = _errors(weights, codes, targets, scale)
    return RakingFit(
        factors=factors,
        iterations=iterations,
        converged=bool(error <= tol),
        max_error=error,
        worst=worst,
    )


@dataclass(frozen=True, slots=True)
class TrimFit:
    """The outcome of trimming (and re-raking) unit weights.

    Attributes
    ----------
    weights : numpy.ndarray
        The final weight of every unit.
    iterations : int
        Rounds of capping (and raking).
    converged : bool
        Whether the bounds and margins hold within ``tol``.
    n_trimmed : int
        Units at a bound at the end.
    max_error : float
        Largest relative margin error (0 without margins).
    """

    weights: FloatArray
    iterations: int
    converged: bool
    n_trimmed: int
    max_error: float


def trim(
    weights: FloatArray,
    *,
    lower: float,
    upper: float,
    cells: IntArray | None = None,
    codes: IntArray | None = None,
    targets: Sequence[FloatArray] = (),
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> TrimFit:
    """Cap unit weights at ``[lower, upper]``, keeping the total or the margins.

    Without margins the excess removed by the caps is spread equally over the
    units inside the bounds (the total is kept, as R's ``trimWeights``). With
    margins (``cells`` maps each unit to a joint cell, ``codes`` each cell to its
    margin categories) the capped weights are raked again; capping and raking
    alternate until both hold.

    Parameters
    ----------
    weights : numpy.ndarray
        Unit weights before trimming.
    lower, upper : float
        Absolute bounds (``0`` and ``inf`` for none).
    cells : numpy.ndarray, optional
        Joint cell of each unit.
    codes : numpy.ndarray, optional
        Margin categories of each cell, ``(C, M)``.
    targets : sequence of numpy.ndarray
        Margin targets (empty: keep the total only).
    tol : float
        Relative tolerance for bounds and margins.
    max_iter : int
        Maximum rounds.

    Returns
    -------
    TrimFit
    """
    w = np.array(weights, dtype=np.float64)
    total = float(w.sum()) if not len(targets) else float(np.sum(targets[0]))
    scale = total if total > 0 else 1.0
    rake = cells is not None and codes is not None and len(targets) > 0
    n_cells = int(codes.shape[0]) if rake and codes is not None else 0
    iterations = 0
    error = 0.0
    slack = tol * max(upper if np.isfinite(upper) else 1.0, 1.0)

    def outside(x: FloatArray) -> bool:
        return bool(np.any(x > upper + slack) or np.any(x < lower - slack))

    while iterations < max_iter:
        iterations += 1
        at_bound = (w >= upper) | (w <= lower)
        w = np.clip(w, lower, upper)
        if rake and cells is not None and codes is not None:
            base = np.bincount(cells, weights=w, minlength=n_cells).astype(np.float64)
            fit = ipf(base, codes, targets, tol=tol, max_iter=max_iter)
            w = w * fit.factors[cells]
            error = fit.max_error
        else:
            free = ~at_bound
            n_free = int(np.count_nonzero(free))
            if n_free:
                w[free] = w[free] + (total - float(w.sum())) / n_free
            error = abs(float(w.sum()) - total) / scale
        if not outside(w) and error <= tol:
            break
    converged = not outside(w) and error <= tol
    high = (w >= upper - slack) if np.isfinite(upper) else np.zeros(len(w), bool)
    low = (w <= lower + slack) if lower > 0 else np.zeros(len(w), bool)
    return TrimFit(
        weights=w,
        iterations=iterations,
        converged=converged,
        n_trimmed=int(np.count_nonzero(high | low)),
        max_error=error,
    )
