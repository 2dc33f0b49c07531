"""Calibrated SEs from cell sums against a row-level re-implementation of svyrecvar.

The reference here works on rows, exactly as ``survey:::svyrecvar`` does: the
influence values ``x_i = w_i 1[i∈D](y_i − θ)/W`` are replaced by the calibration
residual (GREG: ``qr.resid`` on the base-weighted model matrix; postStratify:
minus the base-weighted post-stratum mean; rake: ten sweeps of unweighted margin
means), then the stratified with-replacement variance is taken. The estimator
under test never sees rows. Closed forms of the same numbers → rtol 1e-10.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cxmetrics.errors import InvalidDataError, InvalidParameterError
from cxmetrics.estimators.calibration import (
    CalibrationCells,
    calibrated_domain_means,
    calibration_residual_means,
    model_matrix,
)
from cxmetrics.estimators.linearization import domain_means
from cxmetrics.weighting import calibrated_score, poststratify, rake, trim_weights

CLOSED = {"rtol": 1e-10, "atol": 1e-12}


@pytest.fixture
def data(rng: np.random.Generator) -> pd.DataFrame:
    n = 400
    a = rng.choice(["a1", "a2", "a3"], n, p=[0.5, 0.3, 0.2])
    b = rng.choice(["b1", "b2"], n)
    shift = np.select([a == "a2", a == "a3"], [2, -2], 0) + (b == "b2")
    score = np.clip(rng.integers(0, 11, n) + shift, 0, 10).astype(float)
    score[rng.choice(n, 15, replace=False)] = np.nan
    return pd.DataFrame(
        {
            "a": a,
            "b": b,
            "g": rng.choice(["g1", "g2", "g3"], n),
            "s": rng.choice(["s1", "s2"], n),
            "score": score,
            "w0": rng.gamma(3.0, 1 / 3, n),
        }
    )


MARGINS = {
    "a": {"a1": 300.0, "a2": 400.0, "a3": 300.0},
    "b": {"b1": 450.0, "b2": 550.0},
}


def row_variance(
    data: pd.DataFrame,
    w: np.ndarray,
    method: str,
    *,
    domain: str | None,
    codes: np.ndarray,
    strata: str | None,
) -> np.ndarray:
    """Variance-covariance of NPS domain means, row by row (svyrecvar)."""
    y = np.where(data["score"] >= 9, 1.0, np.where(data["score"] <= 6, -1.0, 0.0))
    ok = data["score"].notna().to_numpy()
    d = data["w0"].to_numpy()
    groups = sorted(data[domain].unique()) if domain else ["all"]
    columns = []
    for g in groups:
        inside = ok & ((data[domain] == g).to_numpy() if domain else True)
        wd = np.where(inside, w, 0.0)
        theta = (wd * np.where(ok, y, 0)).sum() / wd.sum()
        columns.append(
            np.where(inside, w * (np.where(ok, y, 0) - theta) / wd.sum(), 0.0)
        )
    x = np.column_stack(columns)
    a = x / w[:, None]
    if method == "greg":
        design = model_matrix(codes) * np.sqrt(d)[:, None]
        beta, *_ = np.linalg.lstsq(design, a * np.sqrt(d)[:, None], rcond=None)
        e = x - w[:, None] * (model_matrix(codes) @ beta)
    elif method == "poststratify":
        cell = pd.Series(list(map(tuple, codes)))
        means = pd.DataFrame(a * d[:, None]).groupby(cell).transform("sum").to_numpy()
        totals = pd.Series(d).groupby(cell).transform("sum").to_numpy()
        e = x - w[:, None] * means / totals[:, None]
    else:
        for _ in range(10):
            for j in range(codes.shape[1]):
                mean = (
                    pd.DataFrame(x / w[:, None]).groupby(codes[:, j]).transform("mean")
                )
                x = x - w[:, None] * mean.to_numpy()
        e = x
    h = data[strata].to_numpy() if strata else np.zeros(len(data))
    cov = np.zeros((len(groups), len(groups)))
    for level in np.unique(h):
        block = e[h == level]
        n_h = len(block)
        centred = block - block.mean(axis=0)
        cov += n_h / (n_h - 1) * centred.T @ centred
    return cov


def codes_of(result: Any, data: pd.DataFrame) -> np.ndarray:
    cells = result.cells[list(result.margin_columns)]
    index = {tuple(r): i for i, r in enumerate(cells.itertuples(index=False))}
    row_cell = [
        index[tuple(r)]
        for r in data[list(result.margin_columns)].itertuples(index=False)
    ]
    return result.cell_codes[np.asarray(row_cell)]


@pytest.mark.parametrize("variance", ["raking", "greg", "poststratify"])
@pytest.mark.parametrize("domain", [None, "g"])
@pytest.mark.parametrize("strata", [None, "s"])
def test_cell_sums_reproduce_row_level_svyrecvar(
    data: pd.DataFrame, variance: str, domain: str | None, strata: str | None
) -> None:
    if variance == "poststratify":
        joint = data.groupby(["a", "b"])["w0"].sum() * 1.3
        cal = poststratify(data, {("a", "b"): joint.to_dict()}, base_weights="w0")
    else:
        cal = rake(data, MARGINS, base_weights="w0", variance=variance, tol=1e-13)
    ours = calibrated_score(data, "score", cal, by=domain, strata=strata)
    expected = row_variance(
        data,
        cal.weights.to_numpy(),
        variance,
        domain=domain,
        codes=codes_of(cal, data),
        strata=strata,
    )
    table = ours.to_frame()
    order = np.argsort(table[domain].to_numpy()) if domain else [0]
    assert_allclose(
        ours.covariance[np.ix_(order, order)], 1e4 * expected, rtol=1e-9, atol=1e-10
    )


def test_calibration_lowers_the_se_when_margins_predict_the_score(
    data: pd.DataFrame,
) -> None:
    cal = rake(data, MARGINS, base_weights="w0")
    row = calibrated_score(data, "score", cal).to_frame().iloc[0]
    assert row["std_error"] < row["std_error_fixed"]
    assert 0 < row["variance_ratio"] < 1


def test_poststratify_residual_is_greg_on_cell_dummies() -> None:
    rng = np.random.default_rng(3)
    codes = np.array([[i, j] for i in range(3) for j in range(2)])
    joint = np.arange(6)[:, None]
    u = rng.normal(size=(2, 6))
    t = rng.normal(size=(2, 6))
    count = rng.integers(1, 9, 6).astype(float)
    base = rng.uniform(1, 5, 6)
    ps = calibration_residual_means(u, t, count, base, codes, "poststratify")
    greg = calibration_residual_means(u, t, count, base, joint, "greg")
    assert_allclose(ps, greg, rtol=1e-10)


def test_cells_without_calibration_margins_equal_plain_domain_means() -> None:
    """One cell, intercept only: GREG residual = centring, i.e. no change."""
    rng = np.random.default_rng(5)
    shape = (2, 1, 1, 3)
    n = rng.integers(5, 20, shape).astype(float)
    sw = n * rng.uniform(0.5, 2, shape)
    sw2 = sw**2 / n
    cells = CalibrationCells(
        n=n,
        sum_w=sw,
        sum_w2=sw2,
        sum_d=sw,
        codes=np.zeros((1, 0), dtype=np.intp),
        domain=np.array([True, True]),
    )
    y = np.array([-1.0, 0.0, 1.0])
    cal = calibrated_domain_means(cells, y, method="greg")
    from cxmetrics.suffstats import Moments

    m = Moments(
        groups=(("a",), ("b",)),
        group_names=("g",),
        strata=("(all)",),
        n=n.sum(axis=(2, 3)),
        sum_w=sw.sum(axis=(2, 3)),
        sum_wx=sw[:, :, 0, :] @ y,
        sum_wx2=sw[:, :, 0, :] @ (y * y),
        sum_w2=sw2.sum(axis=(2, 3)),
        sum_w2x=sw2[:, :, 0, :] @ y,
        sum_w2x2=sw2[:, :, 0, :] @ (y * y),
        n_design=n.sum(axis=(0, 2, 3)),
        n_omitted=np.zeros(2),
    )
    # a total-only calibration removes the estimated total's variance only:
    # domain means (ratios) keep their linearisation variance
    plain = domain_means(m)
    assert_allclose(cal.estimate, plain.estimate, **CLOSED)
    assert_allclose(cal.covariance, plain.covariance, **CLOSED)


def test_lazy_input_gives_the_same_calibrated_se(data: pd.DataFrame) -> None:
    import polars as pl

    cal = rake(data, MARGINS, base_weights="w0")
    lazy = pl.from_pandas(data).lazy()
    a = calibrated_score(data, "score", cal, by="g").to_frame()
    b = calibrated_score(lazy, "score", rake(lazy, MARGINS, base_weights="w0"), by="g")
    b_frame = b.to_frame().set_index("g").loc[a["g"]]
    assert_allclose(b_frame["std_error"], a["std_error"], rtol=1e-10)


def test_metrics_and_input_unchanged(data: pd.DataFrame) -> None:
    before = data.copy(deep=True)
    cal = rake(data, MARGINS, base_weights="w0")
    data2 = data.assign(c5=np.clip(np.round(data["score"].fillna(5) / 2.5) + 1, 1, 5))
    mean = calibrated_score(data2, "c5", cal, metric="mean")
    top = calibrated_score(data2, "c5", cal, metric="top_box", top=(4, 5))
    assert 1 <= mean.estimate <= 5 and 0 <= top.estimate <= 1
    pd.testing.assert_frame_equal(data, before)
    assert "calibrated" in mean.summary().as_text()
    assert repr(mean).startswith("CalibratedScoreResult(mean score=")
    ci = top.confidence_interval(0.8)
    assert ci.low[0] < top.estimate < ci.high[0]


def test_data_must_be_the_weighted_data(data: pd.DataFrame) -> None:
    cal = rake(data, MARGINS, base_weights="w0")
    with pytest.raises(InvalidDataError, match="differ from the data the weights"):
        calibrated_score(data.iloc[:-20], "score", cal)
    other = data.copy()
    other.loc[other.index[0], "b"] = "b9"
    with pytest.raises(InvalidDataError, match="did not see"):
        calibrated_score(other, "score", cal)


def test_calibration_needs_cell_constant_factors(data: pd.DataFrame) -> None:
    trimmed = trim_weights(data, "w0", upper=2.0)
    with pytest.raises(
        InvalidParameterError, match="`calibration` must come from rake"
    ):
        calibrated_score(data, "score", trimmed)
    with pytest.raises(
        InvalidParameterError, match="`calibration` must be a WeightingResult"
    ):
        calibrated_score(data, "score", "w0")  # type: ignore[arg-type]


def test_bad_metric_arguments(data: pd.DataFrame) -> None:
    cal = rake(data, MARGINS, base_weights="w0")
    with pytest.raises(InvalidParameterError, match="`breaks`"):
        calibrated_score(data, "score", cal, breaks=(8, 6))
    with pytest.raises(InvalidParameterError, match="`top`"):
        calibrated_score(data, "score", cal, metric="top_box", top=(11,), scale=(0, 10))
    with pytest.raises(InvalidParameterError, match="`scale`"):
        calibrated_score(data, "score", cal, metric="mean", scale=(5, 1))
    with pytest.raises(InvalidParameterError, match="`metric`"):
        calibrated_score(data, "score", cal, metric="median")  # type: ignore[arg-type]
    with pytest.raises(InvalidDataError, match="nan_policy='raise'"):
        calibrated_score(data, "score", cal, nan_policy="raise")
