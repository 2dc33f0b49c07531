"""The boundary with the caller's dataframe library (through narwhals).

Two functions every reduce step uses: :func:`as_narwhals` to wrap any supported
table, and :func:`collect_small` to bring a *reduced* (small) result back as pandas.

Known traps handled here:

- narwhals is moving Dask support into the separate ``narwhals-dask`` package and
  warns about it on every Dask frame; cxmetrics works with either, so the warning
  is silenced for our own calls only.
- PySpark 4.x warns that pandas ≥ 3 is not fully supported when it converts to
  pandas; small results are therefore collected through pyarrow when installed.
- polars' default engine materialises the projected columns before a group-by
  (2.9 GiB extra at 100M rows); the streaming engine aggregates in batches.
- A persisted Dask frame made building the query graph take ~56 s at 10M rows
  (dask-expr issue 907): do not ``persist()`` before calling cxmetrics — the
  reduction is one pass anyway.
"""

from __future__ import annotations

import importlib.util
import warnings
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from cxmetrics.errors import InvalidParameterError

__all__ = ["as_narwhals", "collect_small", "is_lazy"]

SUPPORTED = (
    "pandas, polars (DataFrame or LazyFrame), pyarrow Table, DuckDB relation, "
    "Dask DataFrame, PySpark DataFrame"
)


def as_narwhals(data: Any) -> Any:
    """Wrap ``data`` as a narwhals DataFrame or LazyFrame, or raise a typed error."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*Dask support is moving out of Narwhals.*"
        )
        try:
            return nw.from_native(data)
        except TypeError:
            raise InvalidParameterError(
                f"`data` must be a table ({SUPPORTED}) or a 1-D array; got "
                f"{type(data).__module__}.{type(data).__name__}."
            ) from None


def is_lazy(frame: Any) -> bool:
    """Whether a narwhals frame is lazy (its rows live in an engine)."""
    return isinstance(frame, nw.LazyFrame)


def collect_small(frame: Any) -> pd.DataFrame:
    """Collect a small reduced narwhals frame (eager or lazy) into pandas."""
    if isinstance(frame, nw.LazyFrame):
        options: dict[str, Any] = {}
        if frame.implementation is nw.Implementation.POLARS:
            # the streaming engine aggregates in batches: 610 → 81 MiB at 20M rows
            options["engine"] = "streaming"
        if importlib.util.find_spec("pyarrow"):
            frame = frame.collect(backend="pyarrow", **options)
        else:
            frame = frame.collect(backend="pandas", **options)
    table: pd.DataFrame = frame.to_pandas()
    return table
