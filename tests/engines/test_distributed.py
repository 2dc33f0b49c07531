"""Dask and PySpark (local[2]) give the pandas numbers: the reduce runs in the engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxmetrics as cx

pa = pytest.importorskip("pyarrow")


def sample(n: int = 1500) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    data = pd.DataFrame(
        {
            "nps": rng.integers(0, 11, n).astype(float),
            "rival": rng.integers(0, 11, n).astype(float),
            "csat": rng.integers(1, 6, n).astype(float),
            "segment": rng.choice(["a", "b", "c"], n),
            "stratum": rng.choice(["x", "y"], n),
            "weight": rng.gamma(3.0, 0.4, n),
            "value": rng.lognormal(2.0, 1.0, n),
        }
    )
    data.loc[[4, 9], "nps"] = np.nan
    return data


CALLS: dict[str, Callable[[Any], Any]] = {
    "nps": lambda d: cx.nps(
        d, "nps", weights="weight", by="segment", strata="stratum", sort=True
    ),
    "top_box": lambda d: cx.top_box(
        d, "csat", weights="weight", by="segment", sort=True
    ),
    "mean": lambda d: cx.mean_score(
        d, "csat", weights="weight", by="segment", sort=True
    ),
    "compare": lambda d: cx.compare_nps(
        d, "nps", by="segment", weights="weight", reference="a"
    ),
    "paired": lambda d: cx.compare_nps_paired(d, "nps", "rival", weights="weight"),
    "link": lambda d: cx.link_outcome(d, "nps", "value", weights="weight"),
    "drivers": lambda d: cx.drivers(
        d, "csat", ["nps", "rival", "value"], weights="weight"
    ),
}


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.select_dtypes("number").reset_index(drop=True)


def check_same(make: Callable[[pd.DataFrame], Any], call: str) -> None:
    data = sample()
    expected = numeric(CALLS[call](data).to_frame())
    got = numeric(CALLS[call](make(data)).to_frame())
    if call == "drivers":  # intervals need rows; a lazy table gets point estimates
        got = got.dropna(axis=1, how="all")
        expected = expected[got.columns]
    assert list(got.columns) == list(expected.columns)
    assert_allclose(
        got.to_numpy(float), expected.to_numpy(float), rtol=1e-10, atol=1e-12
    )


@pytest.mark.dask
@pytest.mark.parametrize("call", list(CALLS))
def test_dask_matches_pandas(call: str) -> None:
    dd = pytest.importorskip("dask.dataframe")
    check_same(lambda d: dd.from_pandas(d, npartitions=3), call)


@pytest.mark.spark
@pytest.mark.parametrize("call", list(CALLS))
def test_spark_matches_pandas(spark: Any, call: str) -> None:
    check_same(
        lambda d: spark.createDataFrame(pa.Table.from_pandas(d, preserve_index=False)),
        call,
    )


@pytest.mark.spark
def test_spark_bootstrap_asks_for_rows(spark: Any) -> None:
    frame = spark.createDataFrame(pa.Table.from_pandas(sample(), preserve_index=False))
    with pytest.raises(cx.errors.RowsRequiredError, match=r"Spark `\.toPandas"):
        cx.nps(frame, "nps", method="bootstrap", n_resamples=200)
