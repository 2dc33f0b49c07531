"""Row-level arrays for the methods that resample respondents (bootstrap).

Only in-memory tables are accepted: a lazy table (polars LazyFrame, DuckDB
relation, Dask, Spark) raises :class:`~cxmetrics.errors.RowsRequiredError` telling
the caller how to collect or sample it; nothing is ever collected silently.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxmetrics.data.native import as_narwhals, is_lazy
from cxmetrics.errors import RowsRequiredError

__all__ = ["RowArrays", "row_arrays"]


@dataclass(frozen=True, slots=True)
class RowArrays:
    """Values, weights and group / stratum codes of the usable rows."""

    values: NDArray[np.float64]
    weights: NDArray[np.float64]
    group: NDArray[np.intp]
    stratum: NDArray[np.intp]


def in_memory_pandas(data: Any, purpose: str) -> pd.DataFrame:
    """Return ``data`` as a pandas frame if it is held in memory."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame()
    if isinstance(data, np.ndarray | list | tuple):
        return pd.DataFrame({"__value": np.asarray(data)})
    frame = as_narwhals(data)
    if is_lazy(frame):
        raise RowsRequiredError(
            f"{purpose} resamples respondents and needs the rows in memory; got a lazy "
            f"table ({type(data).__module__}.{type(data).__name__}). Hint: 1. collect "
            "it if it fits in memory (polars `.collect()`, DuckDB `.df()`, Dask "
            "`.compute()`, Spark `.toPandas()`); 2. or draw a random sample first "
            "(DuckDB `USING SAMPLE 100000 ROWS`, polars `.collect().sample(100_000)`, "
            "Dask/Spark `.sample(fraction=...)`); 3. or use an analytic method."
        )
    table: pd.DataFrame = frame.to_pandas()
    return table


def row_arrays(
    data: pd.DataFrame,
    value: str,
    *,
    weights: str | None,
    by: Sequence[str],
    strata: str | None,
    groups: Sequence[tuple[Hashable, ...]],
    strata_labels: Sequence[Hashable],
    codes: NDArray[np.float64] | None = None,
    categories: NDArray[np.float64] | None = None,
    na_values: Sequence[float] = (),
) -> RowArrays:
    """Usable rows of ``data`` coded to the groups and strata of a counts table.

    With ``codes`` and ``categories``, each value is replaced by the code of its
    category (e.g. NPS codes +1/0/−1).
    """
    x = data[value].to_numpy(dtype=np.float64, na_value=np.nan)
    if len(na_values):
        x = np.where(np.isin(x, np.asarray(na_values, dtype=np.float64)), np.nan, x)
    ok = ~np.isnan(x)
    if by:
        keys = pd.MultiIndex.from_frame(data[list(by)].astype(object))
        lookup = pd.MultiIndex.from_tuples(list(groups), names=list(by))
        g = lookup.get_indexer(keys)
    else:
        g = np.zeros(len(data), dtype=np.intp)
    ok &= g >= 0
    if strata is not None:
        h = pd.Index(list(strata_labels)).get_indexer(pd.Index(data[strata]))
    else:
        h = np.zeros(len(data), dtype=np.intp)
    ok &= h >= 0
    w = (
        data[weights].to_numpy(dtype=np.float64, na_value=np.nan)
        if weights is not None
        else np.ones(len(data))
    )
    values = x[ok]
    if codes is not None and categories is not None:
        values = codes[np.searchsorted(categories, values)]
    return RowArrays(
        values=values,
        weights=w[ok],
        group=np.asarray(g[ok], dtype=np.intp),
        stratum=np.asarray(h[ok], dtype=np.intp),
    )
