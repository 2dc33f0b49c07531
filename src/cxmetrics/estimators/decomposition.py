r"""Mix (composition) and rate effects: standardization and decomposition of change.

A period's score is a mix-weighted average of segment scores,
:math:`\bar y_t = \sum_s p_{ts} r_{ts}` with segment shares
:math:`p_{ts} = W_{ts}/W_t` and segment scores :math:`r_{ts} = Y_{ts}/W_{ts}`
(:math:`W` weight totals, :math:`Y` weighted sums of the score). Everything here is
a smooth function of the totals :math:`T = (W_{ts}, Y_{ts})`, whose design
covariance comes from the same sums as a weighted mean (:func:`totals_covariance`);
standard errors follow by the delta method with an exact (complex-step) Jacobian.

- **Direct standardization**: :math:`\sum_s P_s r_{ts}` with a fixed standard mix
  :math:`P` (R's ``svystandardize``).
- **Kitagawa (1955)**: the change from period A to B splits exactly into a rate
  effect :math:`\sum_s \tfrac{p_{As}+p_{Bs}}{2}(r_{Bs}-r_{As})` and a mix effect
  :math:`\sum_s \tfrac{r_{As}+r_{Bs}}{2}(p_{Bs}-p_{As})`, with no residual.
- **Das Gupta (1993)** for several mix factors: the joint share of a cell of
  factors :math:`(a, b, \dots)` is written as the product of the factors' marginal
  shares and an association term, :math:`p_{ab} = p_a\,p_b\,\lambda_{ab}`, so the
  score is a sum over cells of a product of factors; each factor's effect is its
  symmetric average over all orders of replacing A's factors by B's (the Shapley
  value, which is Das Gupta's symmetric formula and reduces to Kitagawa's with one
  mix factor). Effects add up exactly to the change, per cell and in total.

Imports: numpy, suffstats.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from cxmetrics.suffstats import Moments

__all__ = [
    "complex_step_jacobian",
    "delta_covariance",
    "factor_effects",
    "mix_factors",
    "totals_covariance",
]

FloatArray = NDArray[np.float64]
ComplexArray = NDArray[np.complex128]
_STEP = 1e-30


def totals_covariance(m: Moments) -> tuple[FloatArray, FloatArray]:
    r"""Weight totals and weighted score totals per group, with their covariance.

    Parameters
    ----------
    m : Moments
        Sums per group × stratum.

    Returns
    -------
    totals : numpy.ndarray
        :math:`(W_1, \dots, W_G, Y_1, \dots, Y_G)`.
    covariance : numpy.ndarray
        Stratified with-replacement covariance
        :math:`\sum_h \frac{n_h}{n_h-1}(\sum_i z_i z_i^\top - \bar z_h \bar z_h^\top
        n_h)` of the unit totals :math:`z_i = w_i(1[g], y_i 1[g])` (R's
        ``svytotal``), shape ``(2G, 2G)``.
    """
    n_groups, n_strata = m.sum_w.shape
    size = 2 * n_groups
    totals = np.concatenate([m.sum_w.sum(axis=1), m.sum_wx.sum(axis=1)])
    cov = np.zeros((size, size))
    g = np.arange(n_groups)
    for h in range(n_strata):
        n_h = float(m.n_design[h])
        if n_h <= 1:
            continue
        s = np.concatenate([m.sum_w[:, h], m.sum_wx[:, h]])
        second = np.zeros((size, size))
        second[g, g] = m.sum_w2[:, h]
        second[g, g + n_groups] = m.sum_w2x[:, h]
        second[g + n_groups, g] = m.sum_w2x[:, h]
        second[g + n_groups, g + n_groups] = m.sum_w2x2[:, h]
        cov += n_h / (n_h - 1) * (second - np.outer(s, s) / n_h)
    return np.asarray(totals, dtype=np.float64), cov


def complex_step_jacobian(
    function: Callable[[ComplexArray], ComplexArray], x: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Value and exact Jacobian of ``function`` at ``x`` by the complex step.

    ``function`` maps a ``(B, D)`` batch of points to ``(B, P)`` outputs using only
    arithmetic, so ``Im f(x + i h e_j) / h`` is the derivative to machine precision.
    """
    x = np.asarray(x, dtype=np.float64)
    dim = len(x)
    points = np.tile(x.astype(np.complex128), (dim + 1, 1))
    points[1:] += 1j * _STEP * np.eye(dim)
    out = np.asarray(function(points))
    value = np.real(out[0])
    jacobian = np.imag(out[1:]).T / _STEP
    return np.asarray(value, dtype=np.float64), np.asarray(jacobian, dtype=np.float64)


def delta_covariance(
    function: Callable[[ComplexArray], ComplexArray],
    x: FloatArray,
    covariance: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Value of ``function`` at ``x`` and its delta-method covariance."""
    value, jac = complex_step_jacobian(function, x)
    return value, jac @ covariance @ jac.T


def mix_factors(shares: ComplexArray, sizes: Sequence[int]) -> list[ComplexArray]:
    r"""Write joint shares as marginal shares times an association term.

    Parameters
    ----------
    shares : numpy.ndarray
        Joint shares of the cells, ``(B, C)`` with ``C = prod(sizes)`` in
        row-major order of the mix factors.
    sizes : sequence of int
        Number of categories of each mix factor.

    Returns
    -------
    list of numpy.ndarray
        One ``(B, C)`` array per factor holding the cell's marginal share on that
        factor, then the association :math:`\lambda = p / \prod_f p_f` (0 where a
        marginal is 0). The product of all of them is ``shares``.
    """
    batch = shares.shape[0]
    cube = shares.reshape(batch, *sizes)
    out: list[ComplexArray] = []
    product = np.ones_like(shares)
    for f in range(len(sizes)):
        axes = tuple(a + 1 for a in range(len(sizes)) if a != f)
        marginal = cube.sum(axis=axes, keepdims=True)
        full = np.broadcast_to(marginal, cube.shape).reshape(batch, -1)
        out.append(full)
        product = product * full
    if len(sizes) > 1:
        positive = np.real(product) > 0
        safe = np.where(positive, product, 1.0)
        out.append(np.where(positive, shares / safe, 0.0))
    return out


def factor_effects(
    start: Sequence[ComplexArray], end: Sequence[ComplexArray]
) -> ComplexArray:
    r"""Symmetric (Das Gupta / Shapley) effects of factors on a sum of products.

    The value is :math:`\sum_c \prod_f x_{fc}`. Parameters ``start`` and ``end``
    hold each factor's values (``(B, C)``) in the two periods.

    Returns
    -------
    numpy.ndarray
        Effect of each factor per cell, shape ``(F, B, C)``; summed over factors it
        equals ``prod(end) - prod(start)`` cell by cell.
    """
    n_factors = len(start)
    effects = np.zeros((n_factors, *start[0].shape), dtype=np.complex128)
    for f in range(n_factors):
        others = [k for k in range(n_factors) if k != f]
        for size in range(n_factors):
            weight = (
                math.factorial(size)
                * math.factorial(n_factors - size - 1)
                / math.factorial(n_factors)
            )
            for subset in itertools.combinations(others, size):
                chosen = set(subset)
                common = np.ones_like(start[0])
                for k in others:
                    common = common * (end[k] if k in chosen else start[k])
                effects[f] += weight * common * (end[f] - start[f])
    return effects
