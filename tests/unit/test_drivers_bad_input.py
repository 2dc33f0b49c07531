"""Bad input to driver analysis: every case gets a typed error with a clear message."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from cxmetrics.drivers import drivers
from cxmetrics.errors import (
    ColumnNotFoundError,
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
    RowsRequiredError,
)


@pytest.fixture
def data() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 60
    x = rng.integers(0, 11, size=(n, 3)).astype(float)
    return pd.DataFrame(
        {
            "sat": np.clip(np.round(x.mean(axis=1) + rng.normal(size=n)), 0, 10),
            "a": x[:, 0],
            "b": x[:, 1],
            "c": x[:, 2],
            "w": rng.uniform(0.5, 2, size=n),
            "label": ["x"] * n,
        }
    )


def check(
    data: pd.DataFrame, error: type[Exception], match: str, **kwargs: Any
) -> None:
    before = data.copy()
    args = {"outcome": "sat", "drivers": ["a", "b", "c"], **kwargs}
    with pytest.raises(error, match=match):
        drivers(data, **args)
    pd.testing.assert_frame_equal(before, data)


def test_outcome_among_drivers(data: pd.DataFrame) -> None:
    check(data, InvalidParameterError, "cannot explain itself", drivers=["a", "sat"])


def test_repeated_driver(data: pd.DataFrame) -> None:
    check(
        data, InvalidParameterError, r"\['a'\] more than once", drivers=["a", "a", "b"]
    )


def test_weights_among_drivers(data: pd.DataFrame) -> None:
    check(
        data,
        InvalidParameterError,
        "weight column 'w' is listed",
        drivers=["a", "w"],
        weights="w",
    )


def test_constant_driver(data: pd.DataFrame) -> None:
    check(
        data.assign(b=7.0), InvalidDataError, r"driver\(s\) \['b'\] take a single value"
    )


def test_constant_outcome(data: pd.DataFrame) -> None:
    check(
        data.assign(sat=5.0), InvalidDataError, r"outcome \['sat'\] take a single value"
    )


def test_perfectly_collinear(data: pd.DataFrame) -> None:
    check(
        data.assign(c=data["a"] + data["b"]),
        InvalidDataError,
        r"perfectly collinear: \[\['a', 'b', 'c'\]\]",
    )


def test_more_drivers_than_rows(data: pd.DataFrame) -> None:
    check(data.head(4), InsufficientDataError, r"4 complete row\(s\) for 3 driver\(s\)")


def test_non_numeric_column(data: pd.DataFrame) -> None:
    check(
        data, InvalidDataError, "'label' .* must hold numbers", drivers=["a", "label"]
    )


def test_missing_column(data: pd.DataFrame) -> None:
    check(data, ColumnNotFoundError, "'d' .* not found", drivers=["a", "d"])


def test_all_rows_incomplete(data: pd.DataFrame) -> None:
    broken = data.assign(a=np.where(np.arange(60) % 2 == 0, np.nan, 1.0))
    broken["b"] = np.where(np.arange(60) % 2 == 1, np.nan, 1.0)
    check(broken, InsufficientDataError, r"No complete rows.*'a': 30, 'b': 30")


def test_all_missing_outcome(data: pd.DataFrame) -> None:
    check(data.assign(sat=np.nan), InsufficientDataError, "No complete rows")


def test_binary_model_on_non_binary_outcome(data: pd.DataFrame) -> None:
    check(
        data, InvalidDataError, "logistic model needs a 0/1 outcome", model="logistic"
    )


def test_linear_only_method_with_logistic(data: pd.DataFrame) -> None:
    check(
        data,
        InvalidParameterError,
        "'pratt'.* linear models only",
        positive=[9, 10],
        method="pratt",
    )


def test_bad_positive(data: pd.DataFrame) -> None:
    check(data, InvalidParameterError, "`positive` must list", positive="promoters")


def test_infinite_values(data: pd.DataFrame) -> None:
    check(data.assign(a=data["a"].replace(10.0, np.inf)), InvalidDataError, "±inf")


def test_negative_weights(data: pd.DataFrame) -> None:
    check(
        data.assign(w=data["w"] - 1.0),
        InvalidDataError,
        "must be non-negative",
        weights="w",
    )


def test_missing_weights(data: pd.DataFrame) -> None:
    check(
        data.assign(w=data["w"].where(data.index > 2)),
        InvalidDataError,
        r"3 missing value\(s\)",
        weights="w",
    )


def test_infinite_weights(data: pd.DataFrame) -> None:
    check(
        data.assign(w=data["w"].where(data.index != 2, np.inf)),
        InvalidDataError,
        "holds infinite values",
        weights="w",
    )


def test_nan_policy_raise(data: pd.DataFrame) -> None:
    check(
        data.assign(a=data["a"].where(data.index > 0)),
        InvalidDataError,
        r"1 row\(s\) miss a value",
        nan_policy="raise",
    )


def test_bad_parameters(data: pd.DataFrame) -> None:
    check(data, InvalidParameterError, "`confidence_level`", confidence_level=95)
    check(data, InvalidParameterError, "`method`", method="magic")
    check(data, InvalidParameterError, "`n_resamples`", n_resamples=-1)
    check(data, InvalidParameterError, "`max_exact`", max_exact=40)
    check(data, InvalidParameterError, "`drivers`", drivers=3.5)


def test_not_a_frame() -> None:
    with pytest.raises(InvalidParameterError, match="must be a table"):
        drivers(object(), "sat", ["a"])


def test_lazy_bootstrap_needs_rows(data: pd.DataFrame) -> None:
    pl = pytest.importorskip("polars")
    with pytest.raises(RowsRequiredError, match="needs the rows in memory"):
        drivers(
            pl.from_pandas(data.drop(columns="label")).lazy(),
            "sat",
            ["a", "b"],
            n_resamples=20,
        )
