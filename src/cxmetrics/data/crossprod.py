"""Reduce a table to the weighted cross products of [outcome, drivers].

Driver analysis needs, over the rows where the outcome and every driver are present
(listwise deletion, counted): n, Σw, Σw², Σw·x and Σw·x·xᵀ. One narwhals code path
computes them inside the caller's engine (polars, DuckDB, pyarrow, Dask, …): the
product columns are built with ``with_columns`` and only plain ``.sum()`` calls
reduce them, after NaN is turned into null. Eager input is made lazy first. pandas
input takes a vectorised numpy path (chunks of rows, merged exactly), which gives
the same numbers to rounding. Either way only a one-row table comes back.

A second pass, :func:`reduce_score_products`, gives Σ w²·e²·x̃·x̃ᵀ (x̃ = [1, x]) for
given coefficients: the "meat" of the design-based (sandwich) variance of the
regression coefficients, again computed where the data live.

Imports: narwhals, numpy, pandas, errors, suffstats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxmetrics._validation import column_not_found
from cxmetrics.data.frame import _check_pandas_columns, _make_lazy, _non_numeric_error
from cxmetrics.data.native import as_narwhals, collect_small
from cxmetrics.errors import InvalidDataError
from cxmetrics.suffstats.crossprod import CrossProducts

__all__ = [
    "CrossProductReduction",
    "check_reduction",
    "complete_rows",
    "reduce_crossprod",
    "reduce_score_products",
]

FloatArray = NDArray[np.float64]
_CHUNK = 500_000


@dataclass(frozen=True, slots=True)
class CrossProductReduction:
    """Cross products of complete rows and what the validator needs besides.

    Attributes
    ----------
    stats : CrossProducts
        Sums over complete rows (listwise deletion; ``stats.n_omitted`` counts the
        rest).
    n_rows : int
        Rows in the input.
    missing : dict of str to int
        Rows with a missing value, per column.
    n_nonfinite : int
        Rows with ±inf in a column.
    n_weight_missing : int
        Rows with a missing weight.
    min_weight : float
        Smallest weight (NaN without weights).
    """

    stats: CrossProducts
    n_rows: int
    missing: dict[str, int]
    n_nonfinite: int
    n_weight_missing: int
    min_weight: float


def _frame(data: Any) -> Any:
    return as_narwhals(data)


def _check_narwhals(
    frame: Any,
    columns: Sequence[str],
    arguments: Sequence[str],
    weights: str | None,
) -> Any:
    schema = frame.collect_schema()
    available = list(schema.names())
    wanted = list(zip(columns, arguments, strict=True))
    if weights is not None:
        wanted.append((weights, "weights"))
    for column, argument in wanted:
        if column not in available:
            raise column_not_found(column, available, argument=argument)
    for column, argument in zip(columns, arguments, strict=True):
        if not schema[column].is_numeric():
            sample = frame.select(nw.col(column)).head(5)
            if isinstance(sample, nw.LazyFrame):
                sample = sample.collect()
            raise _non_numeric_error(column, argument, list(sample[column].to_list()))
    if weights is not None and not schema[weights].is_numeric():
        raise InvalidDataError(
            f"Weight column {weights!r} must hold numbers; got dtype {schema[weights]}."
        )
    return schema


def reduce_crossprod(
    data: Any,
    columns: Sequence[str],
    *,
    weights: str | None = None,
    arguments: Sequence[str] | None = None,
    positive: Sequence[float] | None = None,
) -> CrossProductReduction:
    """Weighted cross products of ``columns`` over the rows where all are present.

    Parameters
    ----------
    data : DataFrame-like
        Any frame narwhals supports (pandas takes a numpy fast path).
    columns : sequence of str
        The outcome first, then the drivers.
    weights : str, optional
        Weight column.
    arguments : sequence of str, optional
        Public argument each column came from (for messages).
    positive : sequence of float, optional
        Recode the first column to 1 where its value is in ``positive``, else 0
        (missing stays missing).

    Returns
    -------
    CrossProductReduction
    """
    names = [str(c) for c in columns]
    args = list(arguments or ["columns"] * len(names))
    if isinstance(data, pd.DataFrame):
        _check_pandas_columns(data, names, args, weights, (), None)
        return _reduce_pandas(data, names, weights, positive)
    frame = _frame(data)
    schema = _check_narwhals(frame, names, args, weights)
    if isinstance(frame, nw.DataFrame):
        frame = _make_lazy(frame)
    return _reduce_narwhals(frame, schema, names, weights, positive)


# --- pandas: vectorised numpy ---------------------------------------------------------


def _matrix(
    data: pd.DataFrame, names: Sequence[str], positive: Sequence[float] | None
) -> FloatArray:
    x = np.column_stack(
        [data[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in names]
    )
    if positive is not None:
        y = x[:, 0]
        hit = np.isin(y, np.asarray(positive, dtype=np.float64))
        x[:, 0] = np.where(np.isnan(y), np.nan, hit.astype(np.float64))
    return x


def _weights_array(data: pd.DataFrame, weights: str | None) -> FloatArray:
    if weights is None:
        return np.ones(len(data))
    return np.asarray(
        data[weights].to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64
    )


def _reduce_pandas(
    data: pd.DataFrame,
    names: Sequence[str],
    weights: str | None,
    positive: Sequence[float] | None,
) -> CrossProductReduction:
    n_rows = len(data)
    stats = CrossProducts.empty(names)
    missing = np.zeros(len(names), dtype=np.int64)
    n_nonfinite = 0
    n_weight_missing = 0
    min_weight = np.inf
    for start in range(0, max(n_rows, 1), _CHUNK):
        part = data.iloc[start : start + _CHUNK]
        x = _matrix(part, names, positive)
        w = _weights_array(part, weights)
        nan = np.isnan(x)
        missing += nan.sum(axis=0)
        n_nonfinite += int(np.isinf(x).any(axis=1).sum())
        w_nan = np.isnan(w)
        n_weight_missing += int(w_nan.sum())
        if weights is not None and (~w_nan).any():
            min_weight = min(min_weight, float(np.nanmin(w)))
        ok = ~nan.any(axis=1) & ~w_nan & np.isfinite(x).all(axis=1)
        stats = stats + CrossProducts.from_arrays(
            names, x[ok], w[ok], n_omitted=int(len(x) - ok.sum())
        )
    return CrossProductReduction(
        stats=stats,
        n_rows=n_rows,
        missing={c: int(m) for c, m in zip(names, missing, strict=True)},
        n_nonfinite=n_nonfinite,
        n_weight_missing=n_weight_missing,
        min_weight=float(min_weight) if np.isfinite(min_weight) else np.nan,
    )


def complete_rows(
    data: pd.DataFrame,
    names: Sequence[str],
    *,
    weights: str | None,
    positive: Sequence[float] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Complete rows of ``names`` (outcome first) and their weights, as arrays."""
    x = _matrix(data, names, positive)
    w = _weights_array(data, weights)
    ok = np.isfinite(x).all(axis=1) & ~np.isnan(w)
    return x[ok], w[ok]


# --- any engine: narwhals --------------------------------------------------------


def _as_float(column: str, schema: Any) -> Any:
    expr = nw.col(column).cast(nw.Float64())
    return expr.fill_nan(None) if schema[column].is_float() else expr


def _prepared(
    frame: Any,
    schema: Any,
    names: Sequence[str],
    weights: str | None,
    positive: Sequence[float] | None,
) -> Any:
    """Select the variables as floats (x0, x1, …) and the weight (__w)."""
    exprs = []
    for i, column in enumerate(names):
        expr = _as_float(column, schema)
        if i == 0 and positive is not None:
            hit = expr.is_in([float(v) for v in positive]).cast(nw.Float64())
            expr = (
                nw.when(expr.is_null())
                .then(nw.lit(None, dtype=nw.Float64()))
                .otherwise(hit)
            )
        exprs.append(expr.alias(f"__x{i}"))
    weight = _as_float(weights, schema) if weights is not None else nw.lit(1.0)
    return frame.select(*exprs, weight.alias("__w"))


def _complete(q: int) -> Any:
    present = [~nw.col(f"__x{i}").is_null() for i in range(q)]
    finite = [
        (nw.col(f"__x{i}").abs() != float("inf")).fill_null(False) for i in range(q)
    ]
    return nw.all_horizontal(
        *present, *finite, ~nw.col("__w").is_null(), ignore_nulls=True
    )


def _collect(reduced: Any) -> pd.DataFrame:
    return collect_small(reduced)


def _reduce_narwhals(
    frame: Any,
    schema: Any,
    names: Sequence[str],
    weights: str | None,
    positive: Sequence[float] | None,
) -> CrossProductReduction:
    q = len(names)
    base = _prepared(frame, schema, names, weights, positive)
    flags = base.with_columns(
        _complete(q).cast(nw.Int64()).alias("__n"),
        nw.col("__w").is_null().cast(nw.Int64()).alias("__w_missing"),
        nw.any_horizontal(
            *[(nw.col(f"__x{i}").abs() == float("inf")) for i in range(q)],
            ignore_nulls=True,
        )
        .fill_null(False)
        .cast(nw.Int64())
        .alias("__nonfinite"),
        *[
            nw.col(f"__x{i}").is_null().cast(nw.Int64()).alias(f"__miss{i}")
            for i in range(q)
        ],
    )
    usable = flags.with_columns(
        nw.when(nw.col("__n") == 1)
        .then(nw.col("__w"))
        .otherwise(nw.lit(0.0))
        .alias("__wu"),
        *[
            nw.when(nw.col("__n") == 1)
            .then(nw.col(f"__x{i}"))
            .otherwise(nw.lit(0.0))
            .alias(f"__u{i}")
            for i in range(q)
        ],
    )
    products = [
        (nw.col("__wu") * nw.col(f"__u{i}")).alias(f"__s{i}") for i in range(q)
    ] + [
        (nw.col("__wu") * nw.col(f"__u{i}") * nw.col(f"__u{j}")).alias(f"__s{i}_{j}")
        for i in range(q)
        for j in range(i, q)
    ]
    prepared = usable.with_columns(
        (nw.col("__wu") * nw.col("__wu")).alias("__sw2"),
        nw.lit(1).cast(nw.Int64()).alias("__rows"),
        *products,
    )
    sums = [
        "__rows",
        "__n",
        "__wu",
        "__sw2",
        "__w_missing",
        "__nonfinite",
        *[f"__miss{i}" for i in range(q)],
        *[f"__s{i}" for i in range(q)],
        *[f"__s{i}_{j}" for i in range(q) for j in range(i, q)],
    ]
    aggregates = [nw.col(c).sum() for c in sums]
    aggregates.append(nw.col("__w").min().alias("__w_min"))
    row = _collect(prepared.select(*aggregates)).iloc[0]
    sum_wxx = np.zeros((q, q))
    for i in range(q):
        for j in range(i, q):
            sum_wxx[i, j] = sum_wxx[j, i] = float(row[f"__s{i}_{j}"])
    n_rows = int(row["__rows"])
    n = int(row["__n"])
    stats = CrossProducts.from_sums(
        names,
        n=n,
        sum_w=float(row["__wu"]),
        sum_w2=float(row["__sw2"]),
        sum_wx=np.array([float(row[f"__s{i}"]) for i in range(q)]),
        sum_wxx=sum_wxx,
        n_omitted=n_rows - n,
    )
    w_min = row["__w_min"]
    return CrossProductReduction(
        stats=stats,
        n_rows=n_rows,
        missing={c: int(row[f"__miss{i}"]) for i, c in enumerate(names)},
        n_nonfinite=int(row["__nonfinite"]),
        n_weight_missing=int(row["__w_missing"]),
        min_weight=float(w_min) if weights is not None and pd.notna(w_min) else np.nan,
    )


# --- second pass: score products for sandwich variances ------------------------


def reduce_score_products(
    data: Any,
    columns: Sequence[str],
    coefficients: FloatArray,
    *,
    weights: str | None = None,
    positive: Sequence[float] | None = None,
) -> FloatArray:
    """Σ w²·e²·x̃·x̃ᵀ over complete rows, e = y − x̃·b, x̃ = [1, drivers].

    Parameters
    ----------
    data : DataFrame-like
        The same table (already validated by :func:`reduce_crossprod`).
    columns : sequence of str
        The outcome first, then the drivers.
    coefficients : numpy.ndarray
        Intercept first, then one slope per driver.

    Returns
    -------
    numpy.ndarray
        Shape ``(p + 1, p + 1)``.
    """
    names = [str(c) for c in columns]
    b = np.asarray(coefficients, dtype=np.float64)
    q = len(names)
    if isinstance(data, pd.DataFrame):
        out = np.zeros((q, q))
        for start in range(0, len(data), _CHUNK):
            x, w = complete_rows(
                data.iloc[start : start + _CHUNK],
                names,
                weights=weights,
                positive=positive,
            )
            design = np.column_stack([np.ones(len(x)), x[:, 1:]])
            e = x[:, 0] - design @ b
            v = (w * e) ** 2
            out += (design * v[:, None]).T @ design
        return out
    frame = _frame(data)
    schema = frame.collect_schema()
    if isinstance(frame, nw.DataFrame):
        frame = _make_lazy(frame)
    base = _prepared(frame, schema, names, weights, positive)
    fitted = nw.lit(float(b[0]))
    for i in range(1, q):
        fitted = fitted + nw.col(f"__x{i}") * float(b[i])
    scored = base.with_columns(
        nw.when(_complete(q))
        .then((nw.col("__x0") - fitted) * nw.col("__w"))
        .otherwise(nw.lit(0.0))
        .alias("__we"),
        *[
            nw.when(_complete(q))
            .then(nw.col(f"__x{i}"))
            .otherwise(nw.lit(0.0))
            .alias(f"__u{i}")
            for i in range(1, q)
        ],
    ).with_columns((nw.col("__we") * nw.col("__we")).alias("__v"))
    terms = ["1", *[f"__u{i}" for i in range(1, q)]]

    def term(name: str) -> Any:
        return nw.lit(1.0) if name == "1" else nw.col(name)

    products = scored.with_columns(
        *[
            (nw.col("__v") * term(terms[i]) * term(terms[j])).alias(f"__m{i}_{j}")
            for i in range(q)
            for j in range(i, q)
        ]
    )
    row = _collect(
        products.select(
            *[nw.col(f"__m{i}_{j}").sum() for i in range(q) for j in range(i, q)]
        )
    ).iloc[0]
    out = np.zeros((q, q))
    for i in range(q):
        for j in range(i, q):
            out[i, j] = out[j, i] = float(row[f"__m{i}_{j}"])
    return out


def check_reduction(
    reduction: CrossProductReduction,
    *,
    weights: str | None,
    nan_policy: str,
    variables: str,
    listwise_note: str = "listwise; they are counted",
) -> None:
    """Raise for unusable weights, infinite values, missing values under ``raise``.

    The shared data checks of every analysis built on cross products (drivers,
    SEM, reliability); ``variables`` names the columns in messages.
    """
    cp = reduction.stats
    if weights is not None:
        if reduction.n_weight_missing:
            raise InvalidDataError(
                f"Weight column {weights!r} has {reduction.n_weight_missing} missing "
                "value(s). Hint: drop those rows or fill the weights first."
            )
        if np.isfinite(reduction.min_weight) and reduction.min_weight < 0:
            raise InvalidDataError(
                f"Weight column {weights!r} must be non-negative; its smallest value "
                f"is {reduction.min_weight:g}."
            )
    if reduction.n_nonfinite:
        raise InvalidDataError(
            f"{reduction.n_nonfinite} row(s) hold ±inf in {variables}. Hint: "
            "replace infinite values by NaN (they are then left out) or fix them."
        )
    if nan_policy == "raise" and cp.n_omitted:
        missing = {k: v for k, v in reduction.missing.items() if v}
        raise InvalidDataError(
            f"`nan_policy='raise'` and {cp.n_omitted} row(s) miss a value; missing "
            f"per column: {missing}. Hint: pass `nan_policy='omit'` to leave them "
            f"out ({listwise_note})."
        )
