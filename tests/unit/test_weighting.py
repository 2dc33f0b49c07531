"""Raking, post-stratification, trimming, diagnostics: behaviour and bad input."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxmetrics as cx
from cxmetrics.errors import (
    ColumnNotFoundError,
    ConvergenceError,
    InvalidDataError,
    InvalidParameterError,
    RowsRequiredError,
    WeightingWarning,
)
from cxmetrics.results.weighting import WeightingResult
from cxmetrics.weighting import (
    calibrated_score,
    poststratify,
    rake,
    trim_weights,
    weight_diagnostics,
)

MARGINS = {
    "region": {"north": 0.3, "south": 0.45, "east": 0.25},
    "channel": {"app": 0.6, "web": 0.4},
}


@pytest.fixture
def survey(responses: pd.DataFrame) -> pd.DataFrame:
    out = responses.copy()
    out.index = pd.RangeIndex(100, 100 + len(out))  # a non-default index
    return out


def achieved(result: WeightingResult, data: pd.DataFrame, column: str) -> pd.Series:
    return result.weights.groupby(data[column]).sum()


# --- rake -----------------------------------------------------------------------------


def test_rake_hits_share_targets_and_keeps_the_total(survey: pd.DataFrame) -> None:
    result = rake(survey, MARGINS)
    assert result.kind == "shares" and result.converged
    total = result.weights.sum()
    assert_allclose(total, len(survey), rtol=1e-12)
    for column, targets in MARGINS.items():
        got = achieved(result, survey, column) / total
        for category, share in targets.items():
            assert_allclose(got[category], share, rtol=1e-9)


def test_rake_counts_sum_to_population_total(survey: pd.DataFrame) -> None:
    counts = {
        column: {k: 1e6 * v for k, v in targets.items()}
        for column, targets in MARGINS.items()
    }
    result = rake(survey, counts, base_weights="weight")
    assert result.kind == "counts"
    assert_allclose(result.weights.sum(), 1e6, rtol=1e-12)
    assert_allclose(achieved(result, survey, "region")["south"], 450_000, rtol=1e-9)


def test_rake_shares_with_base_weights_sum_to_base_total(survey: pd.DataFrame) -> None:
    result = rake(survey, MARGINS, base_weights="weight")
    assert_allclose(result.weights.sum(), survey["weight"].sum(), rtol=1e-12)
    # factors are constant within a joint cell: weight / base weight
    ratio = result.weights / survey["weight"]
    spread = ratio.groupby([survey["region"], survey["channel"]]).agg(["min", "max"])
    assert_allclose(spread["min"], spread["max"], rtol=1e-12)


def test_percent_shares_with_kind_shares(survey: pd.DataFrame) -> None:
    percent = {c: {k: 100 * v for k, v in t.items()} for c, t in MARGINS.items()}
    a = rake(survey, percent, kind="shares")
    b = rake(survey, MARGINS)
    assert_allclose(a.weights, b.weights, rtol=1e-12)


def test_weights_are_a_new_aligned_series_and_input_is_untouched(
    survey: pd.DataFrame,
) -> None:
    before = survey.copy(deep=True)
    result = rake(survey, MARGINS, base_weights="weight")
    pd.testing.assert_frame_equal(survey, before)
    assert result.weights.index.equals(survey.index)
    assert result.weights.name == "weight"
    assert "weight" in survey and result.weights is not survey["weight"]


def test_joint_margin_as_tuple_and_as_frame(survey: pd.DataFrame) -> None:
    cells = survey.groupby(["region", "channel"]).size()
    targets = {key: float(n) * 2 for key, n in cells.items()}
    as_tuple = rake(survey, {("region", "channel"): targets})
    frame = pd.DataFrame(
        [(r, c, t) for (r, c), t in targets.items()],
        columns=["region", "channel", "target"],
    )
    as_frame = rake(survey, frame)
    assert_allclose(as_tuple.weights, as_frame.weights, rtol=1e-12)
    assert_allclose(as_tuple.weights, 2.0)
    assert as_tuple.margins[0].name == "region × channel"


def test_series_margin_and_list_of_frames(survey: pd.DataFrame) -> None:
    series = {c: pd.Series(t) for c, t in MARGINS.items()}
    frames = [
        pd.DataFrame({c: list(t), "Freq": list(t.values())}) for c, t in MARGINS.items()
    ]
    a, b, c = rake(survey, series), rake(survey, frames), rake(survey, MARGINS)
    assert_allclose(a.weights, c.weights, rtol=1e-12)
    assert_allclose(b.weights, c.weights, rtol=1e-12)


def test_categorical_columns_with_unused_categories(survey: pd.DataFrame) -> None:
    data = survey.assign(
        region=pd.Categorical(
            survey["region"], categories=["north", "south", "east", "x"]
        )
    )
    result = rake(data, MARGINS)
    assert_allclose(result.weights, rake(survey, MARGINS).weights, rtol=1e-12)


@pytest.mark.parametrize("engine", ["polars", "polars_lazy", "duckdb", "pyarrow"])
def test_other_engines_give_the_same_weights(survey: pd.DataFrame, engine: str) -> None:
    data = survey.reset_index(drop=True)
    expected = rake(data, MARGINS, base_weights="weight")
    if engine.startswith("polars"):
        import polars as pl

        native: Any = pl.from_pandas(data)
        if engine == "polars_lazy":
            native = native.lazy()
    elif engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.register("t", data)
        native = con.sql("select * from t")
    else:
        import pyarrow as pa

        native = pa.Table.from_pandas(data)
    result = rake(native, MARGINS, base_weights="weight")
    factors = result.cells.set_index(["region", "channel"])["factor"]
    ref = expected.cells.set_index(["region", "channel"])["factor"]
    assert_allclose(factors.loc[ref.index], ref, rtol=1e-12)
    if engine in ("polars", "pyarrow"):
        assert_allclose(result.weights, expected.weights, rtol=1e-12)
    else:
        assert result.weights is None
    assert_allclose(
        result.diagnostics.design_effect, expected.diagnostics.design_effect, rtol=1e-10
    )


def test_result_protocol(survey: pd.DataFrame) -> None:
    result = rake(survey, MARGINS, base_weights="weight")
    frame = result.to_frame()
    assert list(frame.columns) == [
        "margin",
        "category",
        "target",
        "target_share",
        "n",
        "unweighted_share",
        "base_share",
        "weighted_share",
        "weighted_total",
    ]
    assert len(frame) == 5
    assert "design effect" in result.summary().as_text()
    assert "<table" in result._repr_html_()
    assert repr(result).startswith("WeightingResult(method='rake'")
    assert result.to_dict()["kind"] == "WeightingResult"
    assert set(result.factors.columns) == {"region", "channel", "factor"}
    assert result.diagnostics_frame()["weights"].tolist() == ["base", "final"]
    with pytest.raises((AttributeError, TypeError)):
        result.weights = None  # type: ignore[misc]


def test_diagnostics_match_numpy(survey: pd.DataFrame) -> None:
    result = rake(survey, MARGINS, base_weights="weight")
    w = result.weights.to_numpy()
    d = result.diagnostics
    n = len(w)
    assert_allclose(d.design_effect, n * (w**2).sum() / w.sum() ** 2, rtol=1e-12)
    assert_allclose(d.n_eff, w.sum() ** 2 / (w**2).sum(), rtol=1e-12)
    assert_allclose(d.efficiency, 1 / d.design_effect, rtol=1e-12)
    assert_allclose(d.cv, w.std() / w.mean(), rtol=1e-10)
    k = math.ceil(n / 100)
    assert_allclose(d.top1_share, np.sort(w)[-k:].sum() / w.sum(), rtol=1e-12)
    assert (d.min, d.max) == (w.min(), w.max())
    base = result.base_diagnostics
    assert_allclose(base.sum_weights, survey["weight"].sum(), rtol=1e-12)


def test_variance_flavour_is_recorded(survey: pd.DataFrame) -> None:
    assert rake(survey, MARGINS).variance == "raking"
    assert rake(survey, MARGINS, variance="greg").variance == "greg"


def test_extreme_weights_warn() -> None:
    data = pd.DataFrame({"g": ["a"] * 98 + ["b"] * 2})
    with pytest.warns(WeightingWarning, match="extreme"):
        rake(data, {"g": {"a": 0.5, "b": 0.5}})


# --- post-stratification -------------------------------------------------------------


def test_poststratify_is_target_over_base_total(survey: pd.DataFrame) -> None:
    cells = survey.groupby(["region", "channel"])["weight"].sum()
    targets = {key: 1000.0 + 10 * i for i, key in enumerate(cells.index)}
    result = poststratify(
        survey, {("region", "channel"): targets}, base_weights="weight"
    )
    keys = list(zip(survey["region"], survey["channel"], strict=True))
    expected = [
        w * targets[k] / cells[k] for w, k in zip(survey["weight"], keys, strict=True)
    ]
    assert_allclose(result.weights, expected, rtol=1e-12)
    assert result.iterations <= 1 and result.variance == "poststratify"


def test_poststratify_needs_one_margin(survey: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="must hold one margin"):
        poststratify(survey, MARGINS)


# --- bad input ----------------------------------------------------------------------------


def test_margins_with_different_totals(survey: pd.DataFrame) -> None:
    bad = {
        "region": {"north": 30, "south": 45, "east": 25},
        "channel": {"app": 60, "web": 50},
    }
    with pytest.raises(
        InvalidDataError,
        match=r"do not sum to the same total \('region': 100, 'channel': 110\)",
    ):
        rake(survey, bad)


def test_margin_category_absent_from_data(survey: pd.DataFrame) -> None:
    bad = {"region": {"north": 0.3, "south": 0.3, "east": 0.2, "west": 0.2}}
    with pytest.raises(
        InvalidDataError,
        match=r"Margin 'region': category \['west'\] has a positive target but no responses",
    ):
        rake(survey, bad)


def test_data_category_absent_from_margin(survey: pd.DataFrame) -> None:
    bad = {"region": {"north": 0.5, "south": 0.5}}
    with pytest.raises(
        InvalidDataError,
        match=r"Margin 'region' has no target for the data category \['east'\]",
    ):
        rake(survey, bad)


def test_negative_target(survey: pd.DataFrame) -> None:
    bad = {"channel": {"app": 1.2, "web": -0.2}}
    with pytest.raises(
        InvalidDataError,
        match=r"Margin 'channel': the target of category 'web' must be a non-negative",
    ):
        rake(survey, bad)


def test_non_numeric_target(survey: pd.DataFrame) -> None:
    with pytest.raises(InvalidDataError, match="must be a number"):
        rake(survey, {"channel": {"app": "60%", "web": 0.4}})


def test_zero_target_with_responses(survey: pd.DataFrame) -> None:
    with pytest.raises(InvalidDataError, match=r"category \['web'\] has a target of 0"):
        rake(survey, {"channel": {"app": 1.0, "web": 0.0}})


def test_zero_target_absent_from_data_is_fine(survey: pd.DataFrame) -> None:
    result = rake(survey, {"channel": {"app": 0.6, "web": 0.4, "phone": 0.0}})
    assert result.converged


def test_non_convergence_names_margin_and_category() -> None:
    # a1 occurs only with b1, so a1 cannot reach 60% while b1 is held at 30%
    data = pd.DataFrame(
        {"a": ["a1"] * 20 + ["a2"] * 40, "b": ["b1"] * 20 + ["b2"] * 40}
    )
    margins = {"a": {"a1": 0.6, "a2": 0.4}, "b": {"b1": 0.3, "b2": 0.7}}
    with pytest.raises(
        ConvergenceError,
        match=r"did not converge in 50 iterations: margin '(a|b)', category '(a|b)[12]'",
    ):
        rake(data, margins, max_iter=50)


def test_missing_margin_values(survey: pd.DataFrame) -> None:
    data = survey.copy()
    data.loc[data.index[:3], "region"] = None
    with pytest.raises(
        InvalidDataError, match="Margin column 'region' has 3 missing value"
    ):
        rake(data, MARGINS)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1.0, "must be non-negative"),
        (np.nan, "1 missing value"),
        (np.inf, "holds infinite values"),
    ],
)
def test_bad_base_weights(survey: pd.DataFrame, value: float, message: str) -> None:
    data = survey.copy()
    data.loc[data.index[0], "weight"] = value
    with pytest.raises(InvalidDataError, match=message):
        rake(data, MARGINS, base_weights="weight")


def test_unknown_columns(survey: pd.DataFrame) -> None:
    with pytest.raises(
        ColumnNotFoundError, match=r"Column 'regoin'.*Did you mean 'region'"
    ):
        rake(survey, {"regoin": {"north": 1.0}})
    with pytest.raises(ColumnNotFoundError, match="base_weights"):
        rake(survey, MARGINS, base_weights="wt")


@pytest.mark.parametrize(
    ("margins", "message"),
    [
        ({("region", "channel"): {"north": 1.0}}, "must be a tuple of 2 values"),
        ({"region": []}, "must be a non-empty mapping"),
        ({3: {"a": 1.0}}, "keys must be column names"),
        ([pd.DataFrame({"region": ["north"]})], "needs the margin column"),
    ],
)
def test_malformed_margins(survey: pd.DataFrame, margins: Any, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        rake(survey, margins)


def test_duplicated_margin(survey: pd.DataFrame) -> None:
    frames = [pd.DataFrame({"channel": ["app", "web"], "target": [0.5, 0.5]})] * 2
    with pytest.raises(InvalidParameterError, match="names the margin 'channel' twice"):
        rake(survey, frames)


# --- trimming ---------------------------------------------------------------------


def test_trim_without_margins_keeps_total_and_bounds(survey: pd.DataFrame) -> None:
    before = survey.copy(deep=True)
    result = trim_weights(survey, "weight", upper=1.6, lower=0.5)
    w = result.weights
    mean = survey["weight"].mean()
    assert w.max() <= 1.6 * mean * (1 + 1e-9) and w.min() >= 0.5 * mean * (1 - 1e-9)
    assert_allclose(w.sum(), survey["weight"].sum(), rtol=1e-12)
    assert result.n_trimmed > 0 and result.method == "trim"
    assert w.index.equals(survey.index)
    pd.testing.assert_frame_equal(survey, before)
    # additive redistribution (R's trimWeights): untrimmed weights move together
    inside = (survey["weight"] > 0.5 * mean) & (survey["weight"] < 1.0)
    shift = (w - survey["weight"])[inside]
    assert_allclose(shift, shift.iloc[0], rtol=1e-9)


def test_trim_absolute_bounds(survey: pd.DataFrame) -> None:
    result = trim_weights(survey, "weight", upper=1.5, relative=False)
    assert result.weights.max() <= 1.5 + 1e-9


def test_trim_rerakes_to_the_margins(survey: pd.DataFrame) -> None:
    raked = rake(survey, MARGINS, base_weights="weight")
    trimmed = trim_weights(survey, raked, upper=1.8)
    w = trimmed.weights
    assert w.max() <= 1.8 * w.mean() * (1 + 1e-9)
    assert trimmed.diagnostics.design_effect < raked.diagnostics.design_effect
    for column, targets in MARGINS.items():
        got = achieved(trimmed, survey, column) / w.sum()
        for category, share in targets.items():
            assert_allclose(got[category], share, rtol=1e-8)
    again = trim_weights(survey, "weight", upper=1.8, margins=MARGINS)
    assert again.to_frame()["weighted_share"].round(8).tolist() == [
        0.3,
        0.45,
        0.25,
        0.6,
        0.4,
    ]


def test_trimmed_equal_base_weights_serve_as_calibration(survey: pd.DataFrame) -> None:
    trimmed = trim_weights(survey, rake(survey, MARGINS), upper=1.65)
    assert trimmed.n_trimmed > 0
    assert trimmed.cell_constant
    result = calibrated_score(survey, "nps", trimmed)
    assert np.isfinite(result.std_error)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, InvalidParameterError, "needs `upper` or `lower`"),
        ({"upper": 1.2, "lower": 1.5}, InvalidParameterError, "must be below `upper`"),
        ({"upper": 0.9}, InvalidParameterError, "put `upper` above"),
        ({"lower": 1.1}, InvalidParameterError, "put `upper` above"),
    ],
)
def test_trim_bad_bounds(
    survey: pd.DataFrame, kwargs: dict[str, float], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        trim_weights(survey, "weight", **kwargs)


def test_trim_conflicting_with_margins() -> None:
    data = pd.DataFrame({"g": ["a"] * 90 + ["b"] * 10})
    with pytest.raises(
        ConvergenceError, match=r"bounds .* and the margins cannot both hold"
    ):
        trim_weights(
            data.assign(w=1.0),
            "w",
            upper=2.0,
            margins={"g": {"a": 0.5, "b": 0.5}},
            max_iter=20,
        )


def test_trim_needs_rows(survey: pd.DataFrame) -> None:
    import polars as pl

    lazy = pl.from_pandas(survey.reset_index(drop=True)).lazy()
    with pytest.raises(RowsRequiredError, match="needs the rows in memory"):
        trim_weights(lazy, "weight", upper=2)
    lazy_result = rake(lazy, MARGINS)
    with pytest.raises(RowsRequiredError, match="came from a lazy table"):
        trim_weights(survey, lazy_result, upper=2)


def test_trim_result_length_mismatch(survey: pd.DataFrame) -> None:
    raked = rake(survey, MARGINS)
    with pytest.raises(
        InvalidDataError, match="pass the data the weights were computed on"
    ):
        trim_weights(survey.iloc[:-5], raked, upper=2)


# --- weight diagnostics ----------------------------------------------------------------


def test_weight_diagnostics_overall_and_by_group(survey: pd.DataFrame) -> None:
    overall = weight_diagnostics(survey, "weight")
    w = survey["weight"].to_numpy()
    assert_allclose(overall.design_effect, len(w) * (w**2).sum() / w.sum() ** 2)
    assert_allclose(overall.n_eff, w.sum() ** 2 / (w**2).sum())
    by = weight_diagnostics(survey, "weight", by="region").to_frame()
    assert set(by["region"]) == {"north", "south", "east"}
    north = survey.loc[survey["region"] == "north", "weight"].to_numpy()
    row = by.set_index("region").loc["north"]
    assert_allclose(row["n_eff"], north.sum() ** 2 / (north**2).sum())
    assert repr(overall).startswith("WeightDiagnosticsResult(n=600")
    assert "groups by ['region']" in repr(
        weight_diagnostics(survey, "weight", by="region")
    )


def test_weight_diagnostics_on_a_lazy_table(survey: pd.DataFrame) -> None:
    import polars as pl

    lazy = pl.from_pandas(survey.reset_index(drop=True)).lazy()
    a = weight_diagnostics(lazy, "weight").to_frame()
    b = weight_diagnostics(survey, "weight").to_frame()
    assert_allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float), rtol=1e-12)


def test_weight_diagnostics_bad_weights(survey: pd.DataFrame) -> None:
    import polars as pl

    data = survey.copy()
    data.loc[data.index[0], "weight"] = -2.0
    with pytest.raises(InvalidDataError, match="must be non-negative"):
        weight_diagnostics(data, "weight")
    data.loc[data.index[0], "weight"] = np.inf
    with pytest.raises(InvalidDataError, match="holds infinite values"):
        weight_diagnostics(data, "weight")
    with pytest.raises(InvalidDataError, match="holds infinite values"):
        weight_diagnostics(pl.from_pandas(data.reset_index(drop=True)).lazy(), "weight")
    with pytest.raises(ColumnNotFoundError):
        weight_diagnostics(survey, "wieght")


def test_example_survey_design_effect() -> None:
    survey = cx.datasets.load_example_survey()
    assert_allclose(weight_diagnostics(survey, "weight").design_effect, 1.18, atol=0.01)


# --- declared constraints -----------------------------------------------------------------

CALLS = {
    rake: lambda d, **kw: rake(d, MARGINS, **kw),
    poststratify: lambda d, **kw: poststratify(
        d, {"channel": {"app": 1, "web": 1}}, **kw
    ),
    trim_weights: lambda d, **kw: trim_weights(d, "weight", **{"upper": 2.0, **kw}),
    weight_diagnostics: lambda d, **kw: weight_diagnostics(d, "weight", **kw),
}


@pytest.mark.parametrize(
    ("func", "name", "constraint"),
    [
        pytest.param(f, n, c, id=f"{f.__name__}-{n}")
        for f in CALLS
        for n, c in f.__cxmetrics_constraints__.items()  # type: ignore[attr-defined]
        if n not in ("margins", "population", "weights")
    ],
)
def test_invalid_parameters_raise(
    survey: pd.DataFrame, func: Any, name: str, constraint: Any
) -> None:
    with pytest.raises(InvalidParameterError, match=f"`{name}`"):
        CALLS[func](survey, **{name: constraint.invalid_example()})


@pytest.mark.parametrize("bad", [3.5, "segment", ["x"]])
def test_invalid_margins_argument(survey: pd.DataFrame, bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match="`margins` must be a mapping"):
        rake(survey, bad)


def test_no_warnings_on_ordinary_raking(survey: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rake(survey, MARGINS, base_weights="weight")
