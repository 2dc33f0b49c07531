"""Every kind of bad input gets a typed error with a useful message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxmetrics as cx
from cxmetrics.errors import (
    ColumnNotFoundError,
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
)


def test_missing_column_suggests_close_name(responses: pd.DataFrame) -> None:
    with pytest.raises(ColumnNotFoundError, match=r"'NPS'.*Did you mean 'nps'") as info:
        cx.nps(responses, "NPS")
    assert isinstance(info.value, KeyError)
    assert "Available columns" in str(info.value)


def test_missing_weight_and_group_columns(responses: pd.DataFrame) -> None:
    with pytest.raises(
        ColumnNotFoundError, match=r"'wieght' \(from `weights`\).*'weight'"
    ):
        cx.nps(responses, "nps", weights="wieght")
    with pytest.raises(ColumnNotFoundError, match=r"from `by`"):
        cx.nps(responses, "nps", by="regoin")


def test_non_numeric_scores(responses: pd.DataFrame) -> None:
    data = responses.assign(nps=responses["nps"].astype(str).replace("10", "ten"))
    with pytest.raises(InvalidDataError, match=r"must hold numbers.*'ten'"):
        cx.nps(data, "nps")


def test_fractional_scores(responses: pd.DataFrame) -> None:
    data = responses.assign(nps=responses["nps"].astype(float))
    data.loc[3, "nps"] = 7.5
    with pytest.raises(InvalidDataError, match=r"fractional values \[7.5\]"):
        cx.nps(data, "nps")


@pytest.mark.parametrize("bad", [11, -1, 99])
def test_out_of_scale_scores(responses: pd.DataFrame, bad: int) -> None:
    data = responses.copy()
    data.loc[[0, 5], "nps"] = bad
    with pytest.raises(
        InvalidDataError, match=rf"outside the scale.*\[{bad}\].*na_values"
    ):
        cx.nps(data, "nps")


def test_dont_know_codes_can_be_declared_missing(responses: pd.DataFrame) -> None:
    data = responses.copy()
    data.loc[[0, 5], "nps"] = 99
    res = cx.nps(data, "nps", na_values=[99])
    assert res.to_frame()["n_omitted"].iloc[0] == 2
    assert res.n == len(data) - 2


def test_all_nan_and_empty(responses: pd.DataFrame) -> None:
    with pytest.raises(InsufficientDataError, match="every value is missing"):
        cx.nps(responses.assign(nps=np.nan), "nps")
    with pytest.raises(InsufficientDataError):
        cx.nps(responses.iloc[:0], "nps")


def test_nan_policy_raise_counts_rows(responses: pd.DataFrame) -> None:
    data = responses.astype({"nps": float})
    data.loc[[1, 2, 3], "nps"] = np.nan
    with pytest.raises(InvalidDataError, match="3 row"):
        cx.nps(data, "nps", nan_policy="raise")
    assert cx.nps(data, "nps").to_frame()["n_omitted"].iloc[0] == 3


def test_empty_and_one_response_groups_are_flagged(responses: pd.DataFrame) -> None:
    data = responses.copy()
    data["region"] = pd.Categorical(
        data["region"], categories=["north", "south", "east", "west"]
    )
    data.loc[0, "region"] = "west"
    data["region"] = data["region"].cat.add_categories("islands")
    res = cx.nps(data, "nps", by="region")
    table = res.to_frame().set_index("region")
    assert table.loc["islands", "n"] == 0
    assert np.isnan(table.loc["islands", "estimate"])
    assert table.loc["islands", "note"] == "no responses"
    assert table.loc["west", "n"] == 1
    assert table.loc["west", "small_sample"]
    assert "min_n" in table.loc["west", "note"]


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (lambda w: w.where(w.index != 4, -1.0), "non-negative.*-1"),
        (lambda w: w.where(w.index != 4, np.nan), "1 missing value"),
        (lambda w: w * 0, "sums to zero"),
        (lambda w: w.where(w.index != 4, np.inf), "infinite values"),
    ],
)
def test_bad_weights(responses: pd.DataFrame, weights, message: str) -> None:
    data = responses.assign(weight=weights(responses["weight"]))
    with pytest.raises(InvalidDataError, match=message):
        cx.nps(data, "nps", weights="weight")


def test_non_numeric_weights(responses: pd.DataFrame) -> None:
    with pytest.raises(
        InvalidDataError, match="Weight column 'region' must hold numbers"
    ):
        cx.nps(responses, "nps", weights="region")


def test_confidence_level_hint() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"`confidence_level`.*got 95.*Hint: pass 0.95"
    ):
        cx.nps([1, 9, 10], confidence_level=95)


def test_unknown_method_lists_options() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"`method` must be one of.*'adjusted_wald'"
    ):
        cx.nps([1, 9, 10], method="exact")


@pytest.mark.parametrize("breaks", [(8, 6), (6, 6), (6, 10), (-1, 8), "68"])
def test_breaks_out_of_order(breaks) -> None:
    with pytest.raises(InvalidParameterError, match="`breaks` must be two increasing"):
        cx.nps([1, 9, 10], breaks=breaks)


def test_single_response_stratum(responses: pd.DataFrame) -> None:
    data = responses.copy()
    data.loc[0, "stratum"] = "lonely"
    with pytest.raises(InvalidDataError, match="single response: \\['lonely'\\]"):
        cx.nps(data, "nps", strata="stratum")


def test_top_box_points_must_be_on_scale() -> None:
    with pytest.raises(InvalidParameterError, match="`top` must list points"):
        cx.top_box([1, 2, 5], top=(6,))


def test_unknown_reference_group(responses: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="`reference` must be one of"):
        cx.compare_nps(responses, "nps", by="region", reference="mars")


def test_comparison_needs_two_groups(responses: pd.DataFrame) -> None:
    with pytest.raises(InsufficientDataError, match="at least two groups"):
        cx.compare_nps(responses.assign(region="north"), "nps", by="region")


def test_unsupported_data_type() -> None:
    with pytest.raises(InvalidParameterError, match="`data` must be"):
        cx.nps({"nps": [1, 2]}, "nps")


def test_bootstrap_on_lazy_table_asks_for_rows(responses: pd.DataFrame) -> None:
    pl = pytest.importorskip("polars")
    with pytest.raises(cx.errors.RowsRequiredError, match="collect"):
        cx.nps(
            pl.from_pandas(responses).lazy(), "nps", method="bootstrap", n_resamples=200
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda d: cx.nps(
            d, "nps", weights="weight", by=["region", "channel"], strata="stratum"
        ),
        lambda d: cx.csat(d, "csat", weights="weight", by="region", total=True),
        lambda d: cx.compare_nps(
            d, "nps", by="region", weights="weight", versus="rest"
        ),
        lambda d: cx.compare_nps_paired(d, "nps", "rival", weights="weight"),
        lambda d: cx.nps(d, "nps", method="bootstrap", n_resamples=200, rng=1),
    ],
)
def test_inputs_are_never_modified(responses: pd.DataFrame, call) -> None:
    before = responses.copy(deep=True)
    call(responses)
    pd.testing.assert_frame_equal(responses, before)


def test_warnings_point_at_the_callers_line() -> None:
    with pytest.warns(cx.errors.SmallSampleWarning) as record:
        cx.nps([1, 9, 10, 7], method="wald")
    assert record[0].filename == __file__


def test_score_interval_when_everyone_is_a_passive() -> None:
    res = cx.nps([7, 8, 7, 8, 7], method="score", min_n=0)
    low, high = res.ci
    assert low < 0 < high


def test_constant_weighted_scores_give_a_zero_width_t_interval() -> None:
    rng = np.random.default_rng(13)
    data = pd.DataFrame({"csat": np.full(30, 5), "w": rng.lognormal(0, 0.75, 30)})
    res = cx.mean_score(data, "csat", weights="w")
    assert res.ci == (5.0, 5.0)
    assert res.std_error == 0.0
