"""The raking and trimming estimators on small tables of cells."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose

from cxmetrics.estimators.calibration import model_matrix
from cxmetrics.estimators.raking import ipf, margin_totals, trim

CODES = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def test_ipf_reaches_the_margins_and_keeps_odds_ratios() -> None:
    base = np.array([10.0, 20.0, 30.0, 40.0])
    targets = [np.array([50.0, 50.0]), np.array([40.0, 60.0])]
    fit = ipf(base, CODES, targets, tol=1e-14)
    w = base * fit.factors
    got = margin_totals(w, CODES, [2, 2])
    assert_allclose(got[0], targets[0], rtol=1e-12)
    assert_allclose(got[1], targets[1], rtol=1e-12)
    # raking keeps the cross-product (odds) ratio of the table (Deming–Stephan)
    assert_allclose(w[0] * w[3] / (w[1] * w[2]), 10 * 40 / (20 * 30), rtol=1e-12)
    assert fit.converged and fit.max_error <= 1e-14


def test_ipf_single_margin_is_poststratification() -> None:
    base = np.array([2.0, 3.0, 5.0])
    fit = ipf(base, np.arange(3)[:, None], [np.array([1.0, 1.0, 2.0])])
    assert_allclose(fit.factors, [0.5, 1 / 3, 0.4])
    assert fit.iterations == 1


def test_ipf_reports_non_convergence() -> None:
    base = np.array([10.0, 0.0, 0.0, 20.0])  # structural zeros
    fit = ipf(
        base, CODES, [np.array([60.0, 40.0]), np.array([30.0, 70.0])], max_iter=30
    )
    assert not fit.converged and fit.iterations == 30
    assert fit.max_error > 0.1


def test_trim_without_margins_keeps_the_total() -> None:
    w = np.array([0.2, 0.5, 1.0, 1.0, 4.0, 6.0])
    fit = trim(w, lower=0.4, upper=3.0)
    assert_allclose(fit.weights.sum(), w.sum())
    assert fit.weights.max() <= 3.0 + 1e-9 and fit.weights.min() >= 0.4 - 1e-9
    assert fit.converged and fit.n_trimmed == 3


def test_trim_with_margins() -> None:
    w = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    cells = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    fit = trim(
        w,
        lower=0.0,
        upper=2.2,
        cells=cells,
        codes=CODES,
        targets=[np.array([6.0, 2.0]), np.array([5.0, 3.0])],
        tol=1e-12,
    )
    totals = margin_totals(np.bincount(cells, fit.weights), CODES, [2, 2])
    assert_allclose(totals[0], [6, 2], rtol=1e-10)
    assert_allclose(totals[1], [5, 3], rtol=1e-10)
    assert fit.weights.max() <= 2.2 + 1e-9


def test_model_matrix_is_treatment_coded() -> None:
    x = model_matrix(CODES)
    assert_allclose(x, [[1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1]])
