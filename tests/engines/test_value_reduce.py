"""The three engine routes of the value reduce give the same table.

On DuckDB the sums go out as one ``aggregate`` step (``_sums_in_duckdb``), on
polars and Spark as narwhals expressions inside ``agg`` (``_sums_in_agg``), and on
Dask, or when a column plays two roles, through a projection first
(``_sums_after_select``). The data hold missing and NaN values, a missing group,
and integer weights; bad weights must flag their cells in every route.
"""

from __future__ import annotations

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pytest

from cxmetrics.data import frame as reduce
from cxmetrics.data.frame import VALUE_PREFIX, reduce_values

duckdb = pytest.importorskip("duckdb")
pl = pytest.importorskip("polars")


def sample(n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    data = pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "east"], n).astype(object),
            "score": rng.integers(0, 11, n).astype(float),
            "w": rng.gamma(2.0, 0.5, n),
            "iw": rng.integers(1, 4, n),
        }
    )
    data.loc[[3, 40, 700], "score"] = np.nan
    data.loc[[8, 900], "region"] = None
    return data


def canonical(table: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            key: table[column].astype(object).where(table[column].notna(), None)
            if key == "region"
            else table[column].to_numpy(dtype=np.float64, na_value=np.nan)
            for key, column in names.items()
            if column in table
        }
    )
    return out.sort_values(["region", "score"], na_position="last").reset_index(
        drop=True
    )


AGG_NAMES = {
    "region": "region",
    "score": "score",
    "n": "__n",
    "sum_w": "__sum_w",
    "sum_w2": "__sum_w2",
}
SELECT_NAMES = {
    "region": "region",
    "score": f"{VALUE_PREFIX}0",
    "n": "n",
    "sum_w": "sum_w",
    "sum_w2": "sum_w2",
}


@pytest.mark.parametrize("weights", ["w", "iw", None])
def test_duckdb_aggregate_equals_narwhals_expressions(weights):
    data = sample()
    relation = nw.from_native(duckdb.from_df(data))
    schema = relation.collect_schema()
    native = reduce._sums_in_duckdb(relation, ["region", "score"], weights, schema)
    narwhals = reduce._sums_in_agg(relation, ["region", "score"], weights, schema)
    pd.testing.assert_frame_equal(
        canonical(native, AGG_NAMES), canonical(narwhals, AGG_NAMES)
    )


@pytest.mark.parametrize("weights", ["w", "iw"])
def test_expressions_in_agg_equal_projection_first(weights):
    data = sample()
    lazy = nw.from_native(pl.from_pandas(data).lazy())
    schema = lazy.collect_schema()
    in_agg = reduce._sums_in_agg(lazy, ["region", "score"], weights, schema)
    selected = reduce._sums_after_select(
        lazy, ["region", "score"], ["region", f"{VALUE_PREFIX}0"], weights, schema
    )
    pd.testing.assert_frame_equal(
        canonical(in_agg, AGG_NAMES), canonical(selected, SELECT_NAMES)
    )


@pytest.mark.parametrize("bad", ["nan", "null", "negative"])
def test_a_bad_weight_turns_its_cell_sum_into_nan(bad):
    data = sample()
    if bad == "null":  # a true null in both engines (NaN would stay NaN)
        data["w"] = data["w"].astype("Float64")
        data.loc[10, "w"] = pd.NA
    else:
        data.loc[10, "w"] = np.nan if bad == "nan" else -0.5
    relation = nw.from_native(duckdb.from_df(data))
    lazy = nw.from_native(pl.from_pandas(data, nan_to_null=False).lazy())
    for table in (
        reduce._sums_in_duckdb(
            relation, ["region", "score"], "w", relation.collect_schema()
        ),
        reduce._sums_in_agg(lazy, ["region", "score"], "w", lazy.collect_schema()),
    ):
        flagged = canonical(table, AGG_NAMES)
        assert flagged["sum_w"].isna().sum() == 1
        row = flagged[flagged["sum_w"].isna()].iloc[0]
        assert (row["region"], row["score"]) == (
            data.loc[10, "region"],
            data.loc[10, "score"],
        )


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_weight_faults_are_counted_exactly(engine):
    data = sample()
    data.loc[[5, 6], "w"] = np.nan
    data.loc[[7], "w"] = -2.0
    native = duckdb.from_df(data) if engine == "duckdb" else pl.from_pandas(data).lazy()
    table = reduce_values(native, ["score"], weights="w", by=["region"])
    pandas = reduce_values(data, ["score"], weights="w", by=["region"])
    assert table.n_weight_missing == pandas.n_weight_missing == 2
    assert table.min_weight == pandas.min_weight == -2.0


def test_a_column_in_two_roles_takes_the_projection_route():
    data = sample().assign(score=lambda d: d["score"].fillna(0))
    got = reduce_values(
        duckdb.from_df(data), ["score"], weights="w", by=["score"]
    ).table
    want = reduce_values(data, ["score"], weights="w", by=["score"]).table
    assert got["n"].sum() == want["n"].sum() == len(data)
    assert np.isclose(got["sum_w"].sum(), want["sum_w"].sum(), rtol=1e-12)
