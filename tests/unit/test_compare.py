"""compare_periods, standardize and benchmark_attributes: behaviour and bad input."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxmetrics as cx
from cxmetrics.compare import (
    benchmark_attributes,
    compare_periods,
    decompose_change,
    standardize,
)
from cxmetrics.errors import (
    ColumnNotFoundError,
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
    PlanningWarning,
)
from cxmetrics.weighting import rake


@pytest.fixture
def waves(rng: np.random.Generator) -> pd.DataFrame:
    """Four waves; segment 'a' drops sharply in the last wave."""
    rows = []
    for t, period in enumerate(["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]):
        n = 300
        seg = rng.choice(["a", "b", "c"], n, p=[0.5 - 0.05 * t, 0.3, 0.2 + 0.05 * t])
        base = rng.choice(11, n, p=np.r_[np.full(7, 0.04), 0.1, 0.16, 0.22, 0.24])
        drop = (seg == "a") & (t == 3)
        score = np.where(drop, np.clip(base - 4, 0, 10), base).astype(float)
        rows.append(
            pd.DataFrame(
                {
                    "period": period,
                    "segment": seg,
                    "channel": rng.choice(["app", "web"], n),
                    "nps": score,
                    "csat": np.clip(np.round(score / 2.5) + 1, 1, 5),
                    "w": rng.gamma(4.0, 0.25, n),
                    "stratum": rng.choice(["s1", "s2"], n),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


# --- compare_periods -----------------------------------------------------------------------


def test_changes_against_previous_first_and_label(waves: pd.DataFrame) -> None:
    previous = compare_periods(waves, "nps", "period", weights="w").to_frame()
    assert previous["baseline"].tolist() == ["2024-Q1", "2024-Q2", "2024-Q3"]
    first = compare_periods(waves, "nps", "period", weights="w", baseline="first")
    assert set(first.to_frame()["baseline"]) == {"2024-Q1"}
    label = compare_periods(waves, "nps", "period", weights="w", baseline="2024-Q3")
    assert label.to_frame()["period"].tolist() == ["2024-Q1", "2024-Q2", "2024-Q4"]
    assert label.baseline == "2024-Q3"


def test_change_is_difference_of_period_scores_with_independent_se(
    waves: pd.DataFrame,
) -> None:
    res = compare_periods(waves, "nps", "period", weights="w")
    scores = res.scores.set_index("period")
    for _, row in res.to_frame().iterrows():
        a, b = scores.loc[row["period"]], scores.loc[row["baseline"]]
        assert_allclose(row["estimate"], a["estimate"] - b["estimate"], rtol=1e-12)
        assert_allclose(
            row["std_error"], np.hypot(a["std_error"], b["std_error"]), rtol=1e-12
        )
    # a wave alone gives the NPS of cx.nps on that wave
    q1 = waves[waves["period"] == "2024-Q1"]
    alone = cx.nps(q1, "nps", weights="w", method="wald")
    assert_allclose(scores.loc["2024-Q1", "estimate"], alone.estimate, rtol=1e-12)
    assert_allclose(scores.loc["2024-Q1", "std_error"], alone.std_error, rtol=1e-12)


def test_domains_of_one_sample(waves: pd.DataFrame) -> None:
    res = compare_periods(waves, "nps", "period", weights="w", independent=False)
    grouped = cx.nps(waves, "nps", weights="w", by="period", method="wald").to_frame()
    assert_allclose(res.scores["std_error"], grouped["std_error"], rtol=1e-12)
    assert "domains" in res.summary().as_text()


def test_the_real_drop_is_flagged(waves: pd.DataFrame) -> None:
    res = compare_periods(waves, "nps", "period", weights="w", by="segment")
    changes = res.to_frame().set_index(["segment", "period"])
    assert changes.loc[("a", "2024-Q4"), "significant"]
    assert changes.loc[("a", "2024-Q4"), "estimate"] < -20
    assert not changes.loc[("b", "2024-Q2"), "significant"]
    track = res.tracking.set_index(["segment", "period"])
    assert track.loc[("a", "2024-Q4"), "flag"] == "signal"
    assert track.loc[("b", "2024-Q2"), "flag"] == "noise"
    assert (res.to_frame()["p_adjusted"] >= res.to_frame()["p_value"]).all()


def test_tracking_limits(waves: pd.DataFrame) -> None:
    res = compare_periods(waves, "nps", "period", weights="w", control_limits=2.0)
    t = res.tracking
    assert_allclose(t["upper_limit"] - t["center"], 2 * t["std_error"], rtol=1e-12)
    w = res.scores["sum_weights"]
    assert_allclose(t["center"].iloc[0], (w * res.scores["estimate"]).sum() / w.sum())
    assert t["outside_limits"].tolist() == list(
        (t["estimate"] > t["upper_limit"]) | (t["estimate"] < t["lower_limit"])
    )
    assert np.isnan(t["change"].iloc[0]) and t["flag"].iloc[0] in ("signal", "noise")


@pytest.mark.parametrize(
    ("metric", "score", "kwargs"),
    [("top_box", "csat", {"top": (4, 5)}), ("mean", "csat", {}), ("nps", "nps", {})],
)
def test_metrics(waves: pd.DataFrame, metric: str, score: str, kwargs: Any) -> None:
    res = compare_periods(waves, score, "period", metric=metric, weights="w", **kwargs)
    est = res.scores["estimate"]
    if metric == "top_box":
        assert est.between(0, 1).all()
    elif metric == "mean":
        assert est.between(1, 5).all()
    else:
        assert est.between(-100, 100).all()


def test_strata_within_waves(waves: pd.DataFrame) -> None:
    res = compare_periods(waves, "nps", "period", weights="w", strata="stratum")
    q1 = waves[waves["period"] == "2024-Q1"]
    alone = cx.nps(q1, "nps", weights="w", strata="stratum", method="wald")
    assert_allclose(res.scores["std_error"].iloc[0], alone.std_error, rtol=1e-12)


def test_engines_and_input_unchanged(waves: pd.DataFrame) -> None:
    import polars as pl

    before = waves.copy(deep=True)
    a = compare_periods(waves, "nps", "period", weights="w", by="segment")
    b = compare_periods(
        pl.from_pandas(waves).lazy(), "nps", "period", weights="w", by="segment"
    )
    pd.testing.assert_frame_equal(waves, before)
    key = ["segment", "period"]
    left = a.to_frame().sort_values(key).reset_index(drop=True)
    right = b.to_frame().sort_values(key).reset_index(drop=True)
    assert_allclose(right["estimate"], left["estimate"], rtol=1e-12)
    assert_allclose(right["std_error"], left["std_error"], rtol=1e-12)


def test_ordered_categorical_periods_keep_their_order(waves: pd.DataFrame) -> None:
    order = ["2024-Q4", "2024-Q3", "2024-Q2", "2024-Q1"]
    data = waves.assign(
        period=pd.Categorical(waves["period"], categories=[*order, "x"], ordered=True)
    )
    res = compare_periods(data, "nps", "period", weights="w")
    assert list(res.periods) == order


def test_empty_group_period_is_kept_and_flagged(waves: pd.DataFrame) -> None:
    data = waves[~((waves["segment"] == "c") & (waves["period"] == "2024-Q2"))]
    res = compare_periods(data, "nps", "period", by="segment")
    row = res.scores.set_index(["segment", "period"]).loc[("c", "2024-Q2")]
    assert row["n"] == 0 and row["note"] == "no responses" and np.isnan(row["estimate"])
    changes = res.to_frame()
    c = changes[changes["segment"] == "c"]
    assert c["baseline"].tolist() == ["2024-Q1", "2024-Q3"]  # skips the empty wave


def test_calibrated_comparison(waves: pd.DataFrame) -> None:
    targets = waves.groupby(["period", "segment"]).size().rename("target").reset_index()
    targets["target"] = targets["target"] * 10.0
    cal = rake(waves, [targets], base_weights="w")
    res = compare_periods(waves, "nps", "period", calibration=cal)
    assert "std_error_fixed" in res.scores
    assert res.variance == "calibrated (raking)"
    assert not np.allclose(res.scores["std_error"], res.scores["std_error_fixed"])
    fixed = compare_periods(waves.assign(cw=cal.weights), "nps", "period", weights="cw")
    assert_allclose(res.scores["estimate"], fixed.scores["estimate"], rtol=1e-12)


def test_result_protocol(waves: pd.DataFrame) -> None:
    res = compare_periods(waves, "nps", "period", weights="w", by="segment")
    assert repr(res).startswith(
        "PeriodComparisonResult(NPS (points), 4 periods, 3 groups"
    )
    text = res.summary().as_text()
    assert "tracking:" in text and "independent samples" in text
    assert "<table" in res._repr_html_()
    ci = res.confidence_interval(0.5)
    assert np.all(
        ci.high - ci.low < res.to_frame()["ci_high"] - res.to_frame()["ci_low"]
    )
    assert res.to_dict()["rows"]
    assert res.covariance.shape == (len(res.scores), len(res.scores))


def test_bad_input(waves: pd.DataFrame) -> None:
    one = waves[waves["period"] == "2024-Q1"]
    with pytest.raises(InsufficientDataError, match="holds one period with responses"):
        compare_periods(one, "nps", "period")
    with pytest.raises(
        InvalidParameterError,
        match=r"`baseline` must be 'previous', 'first' or a period of 'period'.*got '2023-Q4'",
    ):
        compare_periods(waves, "nps", "period", baseline="2023-Q4")
    with pytest.raises(InvalidParameterError, match="`baseline` must be"):
        compare_periods(waves, "nps", "period", baseline=["2024-Q1"])
    with pytest.raises(InvalidParameterError, match="must not include the period"):
        compare_periods(waves, "nps", "period", by=["period"])
    with pytest.raises(ColumnNotFoundError, match="'wave'"):
        compare_periods(waves, "nps", "wave")
    with pytest.raises(InvalidDataError, match="outside the scale"):
        compare_periods(waves, "nps", "period", metric="mean", scale=(1, 5))
    single = pd.concat([waves, waves.iloc[:1].assign(period="2025-Q1")])
    with pytest.raises(InvalidDataError, match="hold a single response"):
        compare_periods(single, "nps", "period")
    with pytest.raises(InvalidParameterError, match="`adjust`"):
        compare_periods(waves, "nps", "period", adjust="sidak")
    with pytest.raises(InvalidParameterError, match="`calibration`"):
        compare_periods(waves, "nps", "period", calibration="w")  # type: ignore[arg-type]
    cal = rake(waves, {"segment": {"a": 0.4, "b": 0.3, "c": 0.3}})
    with pytest.raises(
        InvalidParameterError, match="either `weights` or `calibration`"
    ):
        compare_periods(waves, "nps", "period", weights="w", calibration=cal)


# --- standardize --------------------------------------------------------------------------


def test_standardize_to_the_first_mix(waves: pd.DataFrame) -> None:
    res = standardize(waves, "nps", "period", mix="segment", weights="w")
    table = res.to_frame()
    assert_allclose(table["estimate"].iloc[0], table["crude"].iloc[0], rtol=1e-12)
    assert_allclose(res.standard_mix["share"].sum(), 1.0)
    grouped = cx.nps(waves, "nps", weights="w", by=["period", "segment"]).to_frame()
    q4 = grouped[grouped["period"] == "2024-Q4"].set_index("segment")["estimate"]
    shares = res.standard_mix.set_index("segment")["share"]
    assert_allclose(
        table["estimate"].iloc[-1], (shares * q4.loc[shares.index]).sum(), rtol=1e-12
    )
    crude = cx.nps(waves, "nps", weights="w", by="period", method="wald").to_frame()
    assert_allclose(table["crude"], crude["estimate"], rtol=1e-12)
    assert_allclose(
        res.changes["crude_change"],
        (crude["estimate"] - crude["estimate"].iloc[0]).iloc[1:],
        rtol=1e-10,
    )


@pytest.mark.parametrize("standard", ["pooled", "2024-Q3", {"a": 2, "b": 1, "c": 1}])
def test_standard_choices(waves: pd.DataFrame, standard: Any) -> None:
    res = standardize(waves, "nps", "period", mix="segment", standard=standard)
    assert_allclose(res.standard_mix["share"].sum(), 1.0)
    if standard == "2024-Q3":
        row = res.to_frame().iloc[2]
        assert_allclose(row["estimate"], row["crude"], rtol=1e-12)
    assert repr(res).startswith("StandardizedResult(NPS (points) at the")


def test_standardize_two_mix_columns(waves: pd.DataFrame) -> None:
    res = standardize(
        waves, "csat", "period", mix=["segment", "channel"], metric="mean"
    )
    assert len(res.standard_mix) == 6
    assert res.to_frame()["estimate"].between(1, 5).all()


def test_standardize_bad_input(waves: pd.DataFrame) -> None:
    with pytest.raises(InvalidDataError, match=r"no share for the cells \['c'\]"):
        standardize(waves, "nps", "period", mix="segment", standard={"a": 1, "b": 1})
    with pytest.raises(
        InvalidDataError, match=r"names cells \['z'\] that have no responses"
    ):
        standardize(
            waves,
            "nps",
            "period",
            mix="segment",
            standard={"a": 1, "b": 1, "c": 1, "z": 1},
        )
    with pytest.raises(InvalidDataError, match="non-negative finite shares"):
        standardize(
            waves, "nps", "period", mix="segment", standard={"a": -1, "b": 1, "c": 1}
        )
    with pytest.raises(
        InvalidParameterError, match="`standard` must be 'first', 'pooled', a period"
    ):
        standardize(waves, "nps", "period", mix="segment", standard="2020-Q1")
    holed = waves[~((waves["segment"] == "c") & (waves["period"] == "2024-Q2"))]
    with pytest.raises(
        InvalidDataError,
        match=r"no responses in some period: \(period, cell\) = \[\('2024-Q2', 'c'\)\]",
    ):
        standardize(holed, "nps", "period", mix="segment", standard="pooled")
    with pytest.raises(InvalidParameterError, match="must not include the period"):
        standardize(waves, "nps", "period", mix=["period"])
    with pytest.raises(InsufficientDataError, match="one period"):
        standardize(waves[waves["period"] == "2024-Q1"], "nps", "period", mix="segment")


# --- brand benchmarking ----------------------------------------------------------------------


@pytest.fixture
def brands() -> pd.DataFrame:
    return cx.datasets.load_example_survey()


ATTRS = ["exp_service", "exp_price", "exp_convenience"]


def test_attribute_gaps_equal_compare_scores(brands: pd.DataFrame) -> None:
    res = benchmark_attributes(brands, ATTRS, "brand", own="Our bank", weights="weight")
    table = res.to_frame()
    ref = (
        cx.compare_scores(
            brands,
            "exp_price",
            by="brand",
            weights="weight",
            reference="Our bank",
            scale=(0, 10),
        )
        .to_frame()
        .set_index("group")
    )
    rows = table[table["attribute"] == "price"].set_index("competitor")
    assert_allclose(rows["estimate"], -ref.loc[rows.index, "estimate"], rtol=1e-12)
    assert_allclose(rows["std_error"], ref.loc[rows.index, "std_error"], rtol=1e-12)
    assert (table["importance"].iloc[:9] == 1 / 3).all()


def test_index_is_importance_weighted_gap(brands: pd.DataFrame) -> None:
    importance = {"service": 1.0, "price": 2.0, "convenience": 3.0}
    res = benchmark_attributes(
        brands, ATTRS, "brand", own="Our bank", importance=importance
    )
    omega = np.array([1, 2, 3]) / 6
    complete = brands.dropna(subset=ATTRS)
    v = complete[ATTRS].to_numpy() @ omega
    means = pd.Series(v).groupby(complete["brand"].to_numpy()).mean()
    idx = res.index.set_index("competitor")
    assert_allclose(
        idx.loc["Competitor A", "estimate"],
        means["Our bank"] - means["Competitor A"],
        rtol=1e-10,
    )
    ref = (
        cx.compare_scores(
            complete.assign(v=np.round(v * 6).astype(int)),
            "v",
            by="brand",
            reference="Our bank",
            scale=(0, 60),
        )
        .to_frame()
        .set_index("group")
    )
    assert_allclose(idx["std_error"], ref.loc[idx.index, "std_error"] / 6, rtol=1e-10)
    assert repr(res).startswith("BenchmarkResult(Our bank − competitor")


@pytest.mark.parametrize(
    "importance",
    [
        {"exp_service": 1, "exp_price": 1, "exp_convenience": 1},
        pd.Series({"service": 2, "price": 2, "convenience": 2}),
        [5, 5, 5],
        ["imp_service", "imp_price", "imp_convenience"],
    ],
)
def test_importance_inputs(brands: pd.DataFrame, importance: Any) -> None:
    res = benchmark_attributes(
        brands, ATTRS, "brand", own="Our bank", importance=importance
    )
    weights = res.to_frame().drop_duplicates("attribute")["importance"]
    assert len(weights) == 4 and weights.iloc[-1] == 1.0  # the index row
    assert_allclose(weights.iloc[:3].sum(), 1.0)
    assert res.index["estimate"].notna().all()


def test_importance_from_a_driver_like_result(brands: pd.DataFrame) -> None:
    class Drivers:
        def to_frame(self) -> pd.DataFrame:
            return pd.DataFrame(
                {
                    "driver": ["exp_service", "exp_price", "exp_convenience", "ces"],
                    "importance": [0.2, 0.3, 0.5, 0.9],
                }
            )

    res = benchmark_attributes(
        brands, ATTRS, "brand", own="Our bank", importance=Drivers()
    )
    assert res.importance_source == "derived (Drivers)"
    weights = (
        res.to_frame().drop_duplicates("attribute").set_index("attribute")["importance"]
    )
    assert_allclose(weights.loc[["service", "price", "convenience"]], [0.2, 0.3, 0.5])


def test_benchmark_bad_input(brands: pd.DataFrame) -> None:
    with pytest.raises(
        InvalidParameterError, match=r"`own` must be a brand in 'brand'.*got 'Our Bank'"
    ):
        benchmark_attributes(brands, ATTRS, "brand", own="Our Bank")
    with pytest.raises(InvalidParameterError, match="unknown attribute 'speed'"):
        benchmark_attributes(
            brands, ATTRS, "brand", own="Our bank", importance={"speed": 1}
        )
    with pytest.raises(InvalidParameterError, match="no value for the attributes"):
        benchmark_attributes(
            brands, ATTRS, "brand", own="Our bank", importance={"price": 1}
        )
    with pytest.raises(InvalidParameterError, match="non-negative finite"):
        benchmark_attributes(
            brands, ATTRS, "brand", own="Our bank", importance=[1, -1, 1]
        )
    with pytest.raises(InvalidParameterError, match="one value per attribute"):
        benchmark_attributes(brands, ATTRS, "brand", own="Our bank", importance=[1, 1])
    with pytest.raises(InsufficientDataError, match="no competitor"):
        benchmark_attributes(
            brands[brands["brand"] == "Our bank"], ATTRS, "brand", own="Our bank"
        )
    with pytest.raises(InvalidDataError, match="outside the scale"):
        benchmark_attributes(brands, ["expct_price"], "brand", own="Our bank")
    ok = benchmark_attributes(
        brands, ["expct_price"], "brand", own="Our bank", na_values=[99]
    )
    assert ok.index["estimate"].notna().all()


def test_more_than_five_brands_warns(brands: pd.DataFrame) -> None:
    extra = brands.copy()
    extra["brand"] = extra["brand"].astype(str)
    extra.loc[extra.index[:200], "brand"] = "Competitor D"
    extra.loc[extra.index[200:400], "brand"] = "Competitor E"
    with pytest.warns(PlanningWarning, match="never more than 5 brands"):
        benchmark_attributes(extra, ["exp_price"], "brand", own="Our bank")


def test_declared_constraints(waves: pd.DataFrame, brands: pd.DataFrame) -> None:
    calls = {
        compare_periods: lambda **kw: compare_periods(waves, "nps", "period", **kw),
        standardize: lambda **kw: standardize(
            waves, "nps", "period", mix="segment", **kw
        ),
        decompose_change: lambda **kw: decompose_change(
            waves, "nps", "period", mix="segment", **kw
        ),
        benchmark_attributes: lambda **kw: benchmark_attributes(
            brands, ATTRS, "brand", own="Our bank", **kw
        ),
    }
    skip = {"score", "period", "mix", "attributes", "brand", "by"}
    for func, call in calls.items():
        for name, constraint in func.__cxmetrics_constraints__.items():  # type: ignore[attr-defined]
            if name in skip:
                continue
            with pytest.raises(InvalidParameterError, match=f"`{name}`"):
                call(**{name: constraint.invalid_example()})


def test_example_survey_runs_without_warnings() -> None:
    survey = cx.datasets.load_example_survey()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = compare_periods(survey, "nps", "period", weights="weight", by="segment")
    assert len(res.scores) == 20
