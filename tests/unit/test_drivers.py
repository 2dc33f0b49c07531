"""Driver analysis: the result protocol, engines, intervals, methods, figures."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats

import cxmetrics as cx
from cxmetrics.drivers import drivers
from cxmetrics.errors import (
    ApproximationWarning,
    CxMetricsWarning,
    InvalidParameterError,
    RowsRequiredError,
)
from cxmetrics.plotting.drivers import importance_bars, importance_performance
from cxmetrics.results.drivers import DriverResult

EXP = [
    "exp_product",
    "exp_service",
    "exp_relationship",
    "exp_price",
    "exp_convenience",
    "exp_brand_image",
]


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return cx.datasets.load_example_survey()


@pytest.fixture(scope="module")
def result(survey: pd.DataFrame) -> DriverResult:
    return drivers(survey, "satisfaction", EXP, weights="weight")


def synthetic(n: int = 300, p: int = 4, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) + 0.4 * rng.normal(size=(n, 1))
    y = x @ np.linspace(1.0, 0.2, p) + rng.normal(size=n)
    frame = pd.DataFrame(x, columns=[f"x{j}" for j in range(p)])
    frame["y"] = y
    frame["w"] = rng.gamma(3.0, 1 / 3.0, size=n)
    return frame


# --- the result -------------------------------------------------------------------


def test_table_columns_and_protocol(result: DriverResult) -> None:
    frame = result.to_frame()
    assert frame.columns[:4].tolist() == ["driver", "importance", "std_error", "ci_low"]
    for column in (
        "share",
        "rank",
        "sign",
        "coefficient",
        "vif",
        "performance",
        "n_eff",
    ):
        assert column in frame
    assert frame["driver"].tolist() == EXP
    assert sorted(frame["rank"]) == list(range(1, 7))
    assert_allclose(frame["share"].sum(), 1.0, rtol=1e-12)
    assert_allclose(frame["importance"].sum(), result.r2, rtol=1e-12)
    assert (frame["ci_low"] < frame["importance"]).all()
    assert (frame["importance"] < frame["ci_high"]).all()
    assert result.interval == "delta" and result.n_omitted == 129
    summary = result.summary()
    assert "Driver analysis of satisfaction" in summary.as_text()
    assert "versions" in summary.as_text() and "<table" in result._repr_html_()
    assert "\\begin{tabular}" in summary.as_latex()
    data = result.to_dict()
    assert data["kind"] == "DriverResult" and len(data["rows"]) == 6
    assert (
        pd.DataFrame(data["rows"])["importance"].tolist()
        == frame["importance"].tolist()
    )
    with pytest.raises((AttributeError, TypeError)):
        result.table = None  # type: ignore[misc]
    assert repr(result).startswith("DriverResult(satisfaction ~ 6 drivers")


@pytest.mark.parametrize(
    ("method", "square_root"), [("shapley", True), ("last", True), ("pratt", False)]
)
def test_delta_limits_closed_form(
    survey: pd.DataFrame, method: str, square_root: bool
) -> None:
    """Non-negative measures: (√θ ± z·SE/2√θ)², floored at 0; signed: θ ± z·SE."""
    frame = drivers(survey, "satisfaction", EXP, weights="weight", method=method)
    frame = frame.to_frame()
    theta, se = frame["importance"].to_numpy(), frame["std_error"].to_numpy()
    z = stats.norm.ppf(0.975)
    if square_root:
        half = z * se / (2 * np.sqrt(theta))
        low = np.maximum(np.sqrt(theta) - half, 0) ** 2
        high = (np.sqrt(theta) + half) ** 2
    else:
        low, high = theta - z * se, theta + z * se
    assert_allclose(frame["ci_low"], low, rtol=1e-12)
    assert_allclose(frame["ci_high"], high, rtol=1e-12)


def test_recomputed_interval(result: DriverResult) -> None:
    before = result.to_frame()
    ci90 = result.confidence_interval(0.90)
    ci95 = result.confidence_interval()
    assert (ci90.high - ci90.low < ci95.high - ci95.low).all()
    assert_allclose(ci95.low, before["ci_low"])
    pd.testing.assert_frame_equal(before, result.to_frame())
    with pytest.raises(InvalidParameterError, match="confidence_level"):
        result.confidence_interval(95)


def test_truth_recovered(result: DriverResult) -> None:
    # convenience (0.30) > service (0.25) > price (0.15) > brand image; product 0
    coef = result.coefficients.set_index("term")["estimate"]
    truth = cx.datasets.EXAMPLE_SURVEY_TRUTH
    assert abs(coef["exp_convenience"] - 0.30) < 0.04
    assert abs(coef["exp_service"] - 0.25) < 0.04
    assert abs(coef["exp_product"]) < 0.04
    assert truth is not None
    assert result.to_frame().set_index("driver")["rank"]["exp_convenience"] == 1


def test_other_tables(result: DriverResult) -> None:
    assert result.methods.columns.tolist() == [
        "driver",
        "shapley",
        "relative_weights",
        "pratt",
        "beta",
        "correlation",
        "last",
        "betasq",
    ]
    assert result.dominance is not None and len(result.dominance) == 15
    assert set(result.dominance.columns) == {
        "driver",
        "other",
        "complete",
        "conditional",
        "general",
    }
    conv = result.dominance.query(
        "driver == 'exp_service' and other == 'exp_convenience'"
    )
    assert conv["general"].item() == "exp_convenience"
    assert result.conditional is not None
    assert_allclose(
        result.conditional.iloc[:, 1:].mean(axis=1),
        result.methods["shapley"],
        rtol=1e-10,
    )
    assert result.differences is not None and len(result.differences) == 15


def test_statsmodels_wls_cross_check(
    survey: pd.DataFrame, result: DriverResult
) -> None:
    d = survey[["satisfaction", *EXP, "weight"]].dropna()
    fit = sm.WLS(d["satisfaction"], sm.add_constant(d[EXP]), weights=d["weight"]).fit()
    assert_allclose(result.coefficients["estimate"], fit.params, rtol=1e-10)
    assert_allclose(result.coefficients["std_error_model"], fit.bse, rtol=1e-10)
    hc0 = fit.get_robustcov_results("HC0").bse * np.sqrt(len(d) / (len(d) - 1))
    assert_allclose(result.coefficients["std_error"], hc0, rtol=1e-10)
    assert_allclose(result.r2, fit.rsquared, rtol=1e-10)


def test_inputs_not_modified(survey: pd.DataFrame) -> None:
    before = survey.copy()
    drivers(survey, "satisfaction", EXP, weights="weight", n_resamples=50, rng=1)
    drivers(survey, "nps", EXP[:3], weights="weight", positive=[9, 10])
    pd.testing.assert_frame_equal(before, survey)


def test_defaults_and_aliases() -> None:
    data = synthetic()
    default = drivers(data, "y", weights="w")
    assert default.drivers == ("x0", "x1", "x2", "x3")
    lmg = drivers(data, "y", ["x0", "x1", "x2", "x3"], weights="w", method="lmg")
    assert lmg.method == "shapley"
    assert_allclose(lmg.to_frame()["importance"], default.to_frame()["importance"])
    first = drivers(data, "y", ["x0", "x1"], method="first")
    assert first.method == "correlation"
    assert_allclose(
        first.to_frame()["importance"], data[["x0", "x1"]].corrwith(data["y"]) ** 2
    )


@pytest.mark.parametrize(
    "method", ["relative_weights", "pratt", "beta", "correlation", "last", "betasq"]
)
def test_every_method_has_delta_intervals(method: str) -> None:
    res = drivers(
        synthetic(), "y", ["x0", "x1", "x2", "x3"], weights="w", method=method
    )
    frame = res.to_frame()
    assert res.interval == "delta" and np.isfinite(frame["std_error"]).all()
    if method == "beta":
        assert_allclose(frame["importance"], frame["std_coefficient"], rtol=1e-10)
        # the delta SE also carries the sampling error of the SDs; the coefficient
        # table's std_coefficient_se treats them as fixed (as lm.beta does)
        assert_allclose(
            frame["std_error"],
            res.coefficients["std_coefficient_se"].iloc[1:],
            rtol=0.15,
        )


def test_bootstrap_intervals_and_seed() -> None:
    data = synthetic()
    a = drivers(data, "y", ["x0", "x1", "x2"], weights="w", n_resamples=400, rng=7)
    b = drivers(data, "y", ["x0", "x1", "x2"], weights="w", n_resamples=400, rng=7)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    frame = a.to_frame()
    assert a.interval == "bootstrap" and a.n_failed == 0
    assert (
        frame["rank_ci_low"].notna().all()
        and (frame["rank_ci_low"] <= frame["rank"]).all()
    )
    delta = drivers(data, "y", ["x0", "x1", "x2"], weights="w").to_frame()
    assert_allclose(frame["std_error"], delta["std_error"], rtol=0.2)
    assert a.differences is not None and {"p_value", "ci_low"} <= set(a.differences)
    ci = a.confidence_interval(0.8)
    assert (ci.high - ci.low < frame["ci_high"] - frame["ci_low"]).all()


def test_degenerate_resamples_are_dropped_and_counted() -> None:
    rng = np.random.default_rng(5)
    n = 40
    rare = np.zeros(n)
    rare[:2] = 1.0  # a rarely ticked box: constant in many resamples
    x1 = rng.normal(size=n)
    data = pd.DataFrame({"y": x1 + rare + rng.normal(size=n), "x1": x1, "rare": rare})
    res = drivers(data, "y", ["x1", "rare"], n_resamples=300, rng=2)
    assert res.n_failed > 0
    assert any("degenerate" in note for note in res.notes)
    assert len(res.bootstrap.r2) == 300 - res.n_failed  # type: ignore[union-attr]


def test_unit_weights_equal_unweighted() -> None:
    data = synthetic().assign(one=1.0)
    a = drivers(data, "y", ["x0", "x1", "x2"], weights="one").to_frame()
    b = drivers(data, "y", ["x0", "x1", "x2"]).to_frame()
    pd.testing.assert_frame_equal(a, b, rtol=1e-10)


# --- engines ---------------------------------------------------------------------------


def test_polars_and_duckdb_give_the_same_numbers(
    survey: pd.DataFrame, result: DriverResult
) -> None:
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    eager = drivers(pl.from_pandas(survey), "satisfaction", EXP, weights="weight")
    lazy = drivers(pl.from_pandas(survey).lazy(), "satisfaction", EXP, weights="weight")
    rel = drivers(duckdb.from_df(survey), "satisfaction", EXP, weights="weight")
    for other in (eager, lazy, rel):
        assert_allclose(
            other.to_frame()["importance"], result.to_frame()["importance"], rtol=1e-10
        )
        assert_allclose(
            other.coefficients["std_error"],
            result.coefficients["std_error"],
            rtol=1e-10,
        )
    assert eager.interval == "delta"
    assert lazy.interval == "none" and any("lazy table" in n for n in lazy.notes)
    with pytest.raises(RowsRequiredError, match="collect"):
        drivers(pl.from_pandas(survey).lazy(), "satisfaction", EXP, n_resamples=10)
    with pytest.raises(RowsRequiredError, match="logistic"):
        drivers(pl.from_pandas(survey).lazy(), "nps", EXP, positive=[9, 10])


# --- large p and logistic -----------------------------------------------------------------


def test_sampled_shapley_above_the_exact_limit() -> None:
    data = synthetic(n=400, p=8)
    names = [f"x{j}" for j in range(8)]
    exact = drivers(data, "y", names).methods["shapley"].to_numpy()
    with pytest.warns(ApproximationWarning, match="exceed the exact limit"):
        approx = drivers(data, "y", names, max_exact=6, rng=3)
    assert approx.interval == "none"
    assert_allclose(approx.to_frame()["importance"], exact, atol=5e-3)
    assert approx.dominance is None or len(approx.dominance)


def test_logistic_promoters(survey: pd.DataFrame) -> None:
    res = drivers(survey, "nps", EXP, weights="weight", positive=[9, 10])
    assert res.model == "logistic" and res.r2_label == "McFadden R²"
    assert res.interval == "none" and any("n_resamples" in n for n in res.notes)
    assert_allclose(res.to_frame()["importance"].sum(), res.r2, rtol=1e-10)
    assert "odds_ratio" in res.coefficients
    det = drivers(survey, "nps", EXP[:3], positive=range(0, 7), method="correlation")
    assert (det.to_frame()["sign"] < 0).all()  # better experience, fewer detractors


def test_logistic_bootstrap_and_fallback() -> None:
    rng = np.random.default_rng(11)
    n, p = 300, 13
    x = rng.normal(size=(n, p))
    y = (x[:, 0] + 0.5 * x[:, 1] + rng.logistic(size=n) > 0).astype(float)
    data = pd.DataFrame(x, columns=[f"x{j}" for j in range(p)]).assign(y=y)
    with pytest.warns(ApproximationWarning, match="relative weights"):
        res = drivers(data, "y", [f"x{j}" for j in range(p)], model="logistic")
    assert res.method == "relative_weights"
    boot = drivers(
        data,
        "y",
        ["x0", "x1", "x2"],
        model="logistic",
        method="relative_weights",
        n_resamples=60,
        rng=1,
    )
    frame = boot.to_frame()
    assert (
        boot.interval == "bootstrap" and (frame["ci_low"] <= frame["importance"]).all()
    )


def test_sign_conflict_flag_and_warning() -> None:
    rng = np.random.default_rng(8)
    n = 500
    z = rng.normal(size=n)
    x1 = z + 0.3 * rng.normal(size=n)
    x2 = z + 0.3 * rng.normal(size=n)  # a suppressor: r > 0, coefficient < 0
    y = 2 * x1 - 0.8 * x2 + rng.normal(size=n)
    data = pd.DataFrame({"y": y, "x1": x1, "x2": x2})
    with pytest.warns(CxMetricsWarning, match="'x2' correlates positively"):
        res = drivers(data, "y", ["x1", "x2"])
    frame = res.to_frame()
    assert frame["sign_conflict"].tolist() == [False, True]
    assert "differ in sign" in frame["note"].iloc[1]


# --- figures ----------------------------------------------------------------------------


def test_figures(result: DriverResult) -> None:
    ax = importance_bars(result)
    assert len(ax.patches) == 6 and len(ax.collections) == 1
    ax2 = importance_performance(result, quadrants=False)
    assert len(ax2.collections[0].get_offsets()) == 6
    _fig, axes = plt.subplots(1, 2)
    assert result.plot(ax=axes[0]) is axes[0]
    assert result.plot(ax=axes[1], kind="performance") is axes[1]
    with pytest.raises(InvalidParameterError, match="DriverResult"):
        importance_bars(cx.nps([9, 10, 3], method="score"))
    plt.close("all")
    assert plt.get_fignums() == []


def test_signed_bars_point_left_for_negative_drivers() -> None:
    data = synthetic()
    data["x1"] = -data["x1"]
    res = drivers(data, "y", ["x0", "x1", "x2"])
    ax: Any = importance_bars(res, sort=False)
    widths = [patch.get_width() for patch in ax.patches]
    assert widths[1] < 0 < widths[0]
    plt.close("all")
