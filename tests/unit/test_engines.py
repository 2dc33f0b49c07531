"""The same numbers from pandas, polars (eager and lazy), DuckDB and pyarrow input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxmetrics as cx

pl = pytest.importorskip("polars")
duckdb = pytest.importorskip("duckdb")
pa = pytest.importorskip("pyarrow")

ENGINES: dict[str, Callable[[pd.DataFrame], Any]] = {
    "polars": lambda d: pl.from_pandas(d),
    "polars_lazy": lambda d: pl.from_pandas(d).lazy(),
    "duckdb": lambda d: duckdb.from_arrow(
        pa.Table.from_pandas(d, preserve_index=False)
    ),
    "pyarrow": lambda d: pa.Table.from_pandas(d, preserve_index=False),
}
NUMERIC = ["estimate", "std_error", "ci_low", "ci_high", "n", "n_eff", "sum_weights"]


def with_missing(responses: pd.DataFrame) -> pd.DataFrame:
    data = responses.astype({"nps": float, "csat": float})
    data.loc[[3, 17, 40], "nps"] = np.nan
    data.loc[[5], "csat"] = np.nan
    return data


CALLS: dict[str, Callable[[Any], Any]] = {
    "nps": lambda d: cx.nps(
        d,
        "nps",
        weights="weight",
        by=["region", "channel"],
        strata="stratum",
        sort=True,
    ),
    "nps_score": lambda d: cx.nps(d, "nps", weights="weight", method="score"),
    "top_box": lambda d: cx.top_box(
        d, "csat", weights="weight", by="region", method="logit", sort=True
    ),
    "mean": lambda d: cx.mean_score(
        d, "csat", weights="weight", by="region", total=True, sort=True
    ),
    "compare": lambda d: cx.compare_nps(
        d, "nps", by="region", weights="weight", strata="stratum", reference="north"
    ),
    "paired": lambda d: cx.compare_nps_paired(
        d, "nps", "rival", weights="weight", by="channel"
    ),
}


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("call", list(CALLS))
def test_engines_agree_with_pandas(
    responses: pd.DataFrame, engine: str, call: str
) -> None:
    data = with_missing(responses)
    expected = CALLS[call](data).to_frame()
    got = CALLS[call](ENGINES[engine](data)).to_frame()
    keys = [
        c
        for c in expected.columns
        if expected[c].dtype == object
        or str(expected[c].dtype) in ("str", "string", "category")
    ]
    keys = [k for k in keys if k != "note"]
    if keys:
        expected = expected.sort_values(keys).reset_index(drop=True)
        got = got.sort_values(keys).reset_index(drop=True)
    for column in expected.columns:
        if column in keys or column == "note":
            assert (
                expected[column].astype(str).tolist()
                == got[column].astype(str).tolist()
            )
        elif pd.api.types.is_numeric_dtype(expected[column]):
            assert_allclose(
                got[column].to_numpy(float),
                expected[column].to_numpy(float),
                rtol=1e-10,
                atol=1e-12,
                err_msg=column,
            )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({4: -1.0}, "non-negative; its smallest value is -1"),
        ({4: np.nan, 9: np.nan}, "has 2 missing value"),
        ({4: np.inf}, "infinite values"),
        ({4: -np.inf}, "non-negative; its smallest value is -inf"),
    ],
)
def test_bad_weights_get_the_pandas_error(
    responses: pd.DataFrame, engine: str, bad: dict[int, float], message: str
) -> None:
    weights = responses["weight"].copy()
    for row, value in bad.items():
        weights[row] = value
    data = responses.assign(weight=weights)
    for frame in (data, ENGINES[engine](data)):
        with pytest.raises(cx.errors.InvalidDataError, match=message):
            cx.nps(frame, "nps", weights="weight", by="region")


def test_moments_reduce_agrees_across_engines(responses: pd.DataFrame) -> None:
    from cxmetrics.data.frame import reduce_moments
    from cxmetrics.data.summaries import moments
    from cxmetrics.estimators.linearization import domain_means

    data = responses.assign(x=np.random.default_rng(0).lognormal(size=len(responses)))
    data.loc[[1, 2], "x"] = np.nan

    def by_group(frame: Any) -> dict[Any, tuple[float, float]]:
        m, omitted = moments(
            reduce_moments(
                frame, "x", weights="weight", by=["region"], strata="stratum"
            ),
            argument="x",
            nan_policy="omit",
        )
        assert omitted.missing_value == 2
        dm = domain_means(m)
        return {
            g: (e, s)
            for g, e, s in zip(m.groups, dm.estimate, dm.std_error, strict=True)
        }

    expected = by_group(data)
    for make in ENGINES.values():
        got = by_group(make(data))
        assert sorted(got) == sorted(expected)
        for group, values in expected.items():
            assert_allclose(got[group], values, rtol=1e-10)


def test_pandas_fast_path_equals_narwhals_path(responses: pd.DataFrame) -> None:
    """The bincount path and the generic group-by give identical sums."""
    from cxmetrics.data.frame import _reduce_narwhals, reduce_values

    data = with_missing(responses)
    fast = reduce_values(
        data,
        ["nps"],
        weights="weight",
        by=["region"],
        strata="stratum",
        integer_range=(0, 10),
    )
    slow = _reduce_narwhals(data, ["nps"], ["score"], "weight", ["region"], "stratum")
    keys = ["region", "__stratum", "__value0"]
    a = fast.table.sort_values(keys).reset_index(drop=True)
    b = slow.table.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(a[keys], b[keys], check_dtype=False)
    for column in ("n", "sum_w", "sum_w2"):
        assert_allclose(
            a[column].to_numpy(float), b[column].to_numpy(float), rtol=1e-13
        )


def test_pandas_fast_path_in_threads_equals_one_pass(
    responses: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row chunks reduced in threads add up to the single-pass sums."""
    from cxmetrics.data import frame

    data = with_missing(responses)

    def reduced() -> pd.DataFrame:
        vt = frame.reduce_values(
            data,
            ["nps"],
            weights="weight",
            by=["region"],
            strata="stratum",
            integer_range=(0, 10),
        )
        keys = ["region", "__stratum", "__value0"]
        return vt.table.sort_values(keys).reset_index(drop=True)

    one_pass = reduced()
    monkeypatch.setattr(frame, "_ROWS_PER_THREAD", 7)
    monkeypatch.setattr(frame, "available_threads", lambda: 4)
    chunked = reduced()
    pd.testing.assert_frame_equal(
        one_pass.drop(columns=["sum_w", "sum_w2"]),
        chunked.drop(columns=["sum_w", "sum_w2"]),
    )
    for column in ("sum_w", "sum_w2"):
        assert_allclose(chunked[column], one_pass[column], rtol=1e-13)


def test_thread_count_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxmetrics.data import frame

    monkeypatch.setenv("CXMETRICS_NUM_THREADS", "1")
    assert frame.available_threads() == 1
    monkeypatch.setenv("CXMETRICS_NUM_THREADS", "many")
    with pytest.raises(cx.errors.InvalidParameterError, match="whole number"):
        frame.available_threads()
