r"""Weighting: post-stratification, raking, trimming, diagnostics, calibrated SEs.

Raking factors are constant within a joint cell of the margin variables, so the rows
are reduced once, inside the caller's engine, to the base-weight totals per joint
cell (pandas: factorised codes and ``np.bincount``; polars, DuckDB, …: one narwhals
``group_by``); the small table is raked (:func:`cxmetrics.estimators.raking.ipf`)
and the factors are mapped back to the rows. The same cell table later gives the
*calibrated* standard errors of scores computed with the weights
(:func:`calibrated_score`, and ``calibration=`` of
:func:`cxmetrics.compare.compare_periods`): they need only counts, Σw, Σw² and Σd
per group × stratum × joint cell × scale point
(:mod:`cxmetrics.estimators.calibration`).

Imports: _validation, _warnings, data, errors, estimators, results.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from cxmetrics._validation import (
    CONFIDENCE_LEVEL,
    Boolean,
    ColumnNames,
    Constraint,
    Interval,
    Options,
    as_list,
    column_not_found,
    validate_params,
)
from cxmetrics._warnings import warn
from cxmetrics.data.frame import VALUE_PREFIX, reduce_values
from cxmetrics.data.native import as_narwhals
from cxmetrics.data.scales import CSAT_SCALE, NPS_SCALE, ResponseScale
from cxmetrics.data.summaries import Omissions, infinite_weights, prepare_table
from cxmetrics.errors import (
    ConvergenceError,
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
    RowsRequiredError,
    WeightingWarning,
)
from cxmetrics.estimators.calibration import (
    CalibrationCells,
    calibrated_domain_means,
)
from cxmetrics.estimators.linearization import DomainMeans, domain_means
from cxmetrics.estimators.raking import ipf, margin_totals, trim
from cxmetrics.results.base import group_labels_frame, provenance_versions
from cxmetrics.results.scores import nps_codes
from cxmetrics.results.weighting import (
    CalibratedScoreResult,
    Margin,
    WeightDiagnostics,
    WeightDiagnosticsResult,
    WeightingResult,
    diagnostics_of,
)
from cxmetrics.suffstats import Moments

__all__ = [
    "calibrated_score",
    "poststratify",
    "rake",
    "trim_weights",
    "weight_diagnostics",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
Kind = Literal["auto", "counts", "shares"]
Metric = Literal["nps", "top_box", "mean"]
NanPolicy = Literal["omit", "raise"]

_DEFF_WARN = 3.0
_RATIO_WARN = 10.0
_TARGET_NAMES = ("target", "Freq", "freq", "count", "share", "population")


# --- parameter constraints ------------------------------------------------------------


@dataclass(frozen=True)
class MarginSpec(Constraint):
    """Margins: ``{column: {category: target}}``, or data frames of targets."""

    single: bool = False
    none_ok: bool = False
    hint: str | None = (
        "pass e.g. {'segment': {'mass': 0.5, 'affluent': 0.5}}, or a DataFrame "
        "with the margin column(s) and a 'target' column."
    )

    @property
    def description(self) -> str:  # type: ignore[override]
        """Describe what is accepted."""
        text = (
            "a mapping {column: {category: target}} (a tuple of columns for a joint "
            "margin), or a DataFrame (or list of DataFrames) of categories and targets"
        )
        return text + (" or None" if self.none_ok else "")

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` has an accepted type."""
        if value is None:
            return self.none_ok
        if isinstance(value, pd.DataFrame):
            return True
        if isinstance(value, Mapping):
            return len(value) > 0
        if isinstance(value, list | tuple):
            return len(value) > 0 and all(isinstance(v, pd.DataFrame) for v in value)
        return False

    def invalid_example(self) -> object:
        """Return a value of a wrong type."""
        return 3.5


@dataclass(frozen=True)
class WeightsSpec(Constraint):
    """A weight column name or a :class:`WeightingResult`."""

    hint: str | None = "pass a column name or the result of rake()/poststratify()."

    @property
    def description(self) -> str:  # type: ignore[override]
        """Describe what is accepted."""
        return "a weight column name or a WeightingResult"

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` names or holds weights."""
        return isinstance(value, str | WeightingResult)

    def invalid_example(self) -> object:
        """Return a value of a wrong type."""
        return 3.5


@dataclass(frozen=True)
class CalibrationSpec(Constraint):
    """``None`` or a :class:`WeightingResult` with margins."""

    none_ok: bool = True
    hint: str | None = "pass the result of rake() or poststratify() on the same data."

    @property
    def description(self) -> str:  # type: ignore[override]
        """Describe what is accepted."""
        return "a WeightingResult" + (" or None" if self.none_ok else "")

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` is a weighting result."""
        if value is None:
            return self.none_ok
        return isinstance(value, WeightingResult)

    def invalid_example(self) -> object:
        """Return a value of a wrong type."""
        return "weights"


_FIT = {
    "base_weights": ColumnNames(many=False),
    "kind": Options(("auto", "counts", "shares")),
    "tol": Interval("real", 0, 1e-2, closed="neither"),
    "max_iter": Interval("integral", 1, None),
}


# --- margins --------------------------------------------------------------------------


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _label(value: Any) -> Hashable:
    if isinstance(value, np.generic):
        return value.item()  # type: ignore[no-any-return]
    if isinstance(value, tuple):
        return tuple(_label(v) for v in value)
    return value  # type: ignore[no-any-return]


def _check_target(name: str, label: Hashable, value: object) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InvalidDataError(
            f"Margin {name!r}: the target of category {label!r} must be a number; "
            f"got {value!r}."
        )
    x = float(value)
    if not math.isfinite(x) or x < 0:
        raise InvalidDataError(
            f"Margin {name!r}: the target of category {label!r} must be a "
            f"non-negative finite number; got {x:g}."
        )
    return x


def _frame_margin(frame: pd.DataFrame, argument: str) -> tuple[tuple[str, ...], Any]:
    targets = [c for c in frame.columns if str(c) in _TARGET_NAMES]
    if len(frame.columns) < 2:
        raise InvalidParameterError(
            f"`{argument}` given as a DataFrame needs the margin column(s) and a "
            f"target column; got columns {list(frame.columns)}."
        )
    target = targets[-1] if targets else frame.columns[-1]
    columns = tuple(str(c) for c in frame.columns if c != target)
    if len(columns) == 1:
        keys: list[Any] = frame[columns[0]].tolist()
    else:
        keys = list(frame[list(columns)].itertuples(index=False, name=None))
    return columns, dict(zip(keys, frame[target].tolist(), strict=True))


def parse_margins(margins: Any, argument: str = "margins") -> list[Margin]:
    """Normalise the margins argument to :class:`Margin` objects (raw targets)."""
    items: list[tuple[tuple[str, ...], Any]] = []
    if isinstance(margins, pd.DataFrame):
        items.append(_frame_margin(margins, argument))
    elif isinstance(margins, list | tuple):
        items.extend(_frame_margin(frame, argument) for frame in margins)
    else:
        for key, spec in margins.items():
            if isinstance(spec, pd.DataFrame):
                items.append(_frame_margin(spec, argument))
                continue
            columns = (
                (key,)
                if isinstance(key, str)
                else tuple(key)
                if isinstance(key, tuple | list)
                else ()
            )
            if not columns or not all(isinstance(c, str) for c in columns):
                raise InvalidParameterError(
                    f"`{argument}` keys must be column names (or tuples of names); "
                    f"got {key!r}."
                )
            if isinstance(spec, pd.Series):
                spec = dict(zip(spec.index.tolist(), spec.tolist(), strict=True))
            if not isinstance(spec, Mapping) or not spec:
                raise InvalidParameterError(
                    f"`{argument}[{key!r}]` must be a non-empty mapping "
                    f"{{category: target}} or a Series; got {spec!r}."
                )
            items.append((columns, spec))
    out = []
    for columns, spec in items:
        name = " × ".join(columns)
        labels: list[Hashable] = []
        values: list[float] = []
        for raw_label, value in spec.items():
            label = _label(raw_label)
            if len(columns) > 1 and (
                not isinstance(label, tuple) or len(label) != len(columns)
            ):
                raise InvalidParameterError(
                    f"Margin {name!r} spans {len(columns)} columns, so each category "
                    f"must be a tuple of {len(columns)} values; got {raw_label!r}."
                )
            labels.append(label)
            values.append(_check_target(name, label, value))
        out.append(
            Margin(
                columns=columns,
                labels=tuple(labels),
                targets=np.asarray(values, dtype=np.float64),
            )
        )
    seen: set[tuple[str, ...]] = set()
    for margin in out:
        if margin.columns in seen:
            raise InvalidParameterError(
                f"`{argument}` names the margin {margin.name!r} twice."
            )
        seen.add(margin.columns)
    return out


def _scale_targets(
    margins: list[Margin], kind: str, base_total: float
) -> tuple[list[Margin], str]:
    totals = [float(m.targets.sum()) for m in margins]
    for margin, total in zip(margins, totals, strict=True):
        if total <= 0:
            raise InvalidDataError(
                f"Margin {margin.name!r}: the targets sum to {total:g}; they must "
                "have a positive total."
            )
    largest = max(totals)
    if any(abs(t - largest) > 1e-6 * largest for t in totals):
        listed = ", ".join(
            f"{m.name!r}: {t:g}" for m, t in zip(margins, totals, strict=True)
        )
        raise InvalidDataError(
            f"The margins do not sum to the same total ({listed}). Every margin "
            "describes the same population. Hint: 1. give every margin as shares "
            "(each summing to 1) or as counts of the same population; 2. check for a "
            "missing or duplicated category."
        )
    if kind == "auto":
        kind = "shares" if all(abs(t - 1) <= 1e-6 for t in totals) else "counts"
    out = []
    for margin, total in zip(margins, totals, strict=True):
        scale = base_total / total if kind == "shares" else totals[0] / total
        out.append(
            Margin(
                columns=margin.columns,
                labels=margin.labels,
                targets=margin.targets * scale,
            )
        )
    return out, kind


def _sums(index: IntArray, *, weights: Any, minlength: int) -> FloatArray:
    """Weighted counts per index as float64 (``np.bincount`` with weights)."""
    return np.bincount(index, weights=weights, minlength=minlength).astype(np.float64)


# --- reduction to joint cells ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CellTable:
    """Rows reduced to joint cells of the margin columns."""

    cells: pd.DataFrame  # the columns' values per cell
    n: FloatArray
    base: FloatArray
    base2: FloatArray
    base_min: FloatArray
    base_max: FloatArray
    row_cell: IntArray | None  # cell of each row (in-memory input)
    row_base: FloatArray | None  # base weight of each row
    index: pd.Index | None  # the rows' index


def _base_array(frame: pd.DataFrame, column: str | None) -> FloatArray:
    if column is None:
        return np.ones(len(frame))
    series = frame[column]
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(
        series.dtype
    ):
        raise InvalidDataError(
            f"Weight column {column!r} must hold numbers; got dtype {series.dtype}."
        )
    d = series.to_numpy(dtype=np.float64, na_value=np.nan)
    present = d[~np.isnan(d)]
    _check_base(
        column,
        int(d.size - present.size),
        float(present.min()) if present.size else 0.0,
        float(present.max()) if present.size else 0.0,
    )
    return d


def _check_base(
    column: str, n_missing: int, minimum: float, maximum: float = 0.0
) -> None:
    if n_missing:
        raise InvalidDataError(
            f"Weight column {column!r} has {n_missing} missing value(s). Hint: drop "
            "those rows or fill them before weighting."
        )
    if minimum < 0:
        raise InvalidDataError(
            f"Weight column {column!r} must be non-negative; its smallest value is "
            f"{minimum:g}."
        )
    if maximum == np.inf:
        raise infinite_weights(column)


def _missing_key_error(column: str, count: int) -> InvalidDataError:
    return InvalidDataError(
        f"Margin column {column!r} has {count} missing value(s); a row without a "
        "category cannot be weighted. Hint: 1. drop those rows; 2. or give the "
        "missing values their own category (e.g. 'unknown') with its target."
    )


def _pandas_cells(
    frame: pd.DataFrame, columns: Sequence[str], base: str | None
) -> CellTable:
    n_rows = len(frame)
    levels: list[pd.Index] = []
    joint = np.zeros(n_rows, dtype=np.intp)
    for column in columns:
        series = frame[column]
        code: NDArray[np.integer[Any]]
        if isinstance(series.dtype, pd.CategoricalDtype):
            code = series.cat.codes.to_numpy()
            level = pd.Index(series.cat.categories)
        else:
            code, uniques = pd.factorize(series, sort=False)
            level = pd.Index(uniques)
        missing = int(np.count_nonzero(code < 0))
        if missing:
            raise _missing_key_error(column, missing)
        # row-major joint code, accumulated in place (no per-column int64 copies)
        joint *= max(len(level), 1)
        joint += code
        levels.append(level)
    sizes = [max(len(level), 1) for level in levels]
    product = math.prod(sizes)
    if product <= max(4 * n_rows, 1_000_000):
        counts = np.bincount(joint, minlength=product)
        used = np.flatnonzero(counts)
        lookup = np.full(product, -1, dtype=np.intp)
        lookup[used] = np.arange(len(used))
        row_cell = lookup[joint]
    else:
        used, inverse = np.unique(joint, return_inverse=True)
        row_cell = inverse.astype(np.intp)
    parts = np.unravel_index(used, sizes)
    cells = pd.DataFrame(
        {
            column: level.take(part)
            for column, level, part in zip(columns, levels, parts, strict=True)
        }
    )
    d = _base_array(frame, base)
    n_cells = len(used)
    n = np.bincount(row_cell, minlength=n_cells).astype(np.float64)
    if base is None:
        total = total2 = n
        low = high = np.ones(n_cells)
    else:
        total = _sums(row_cell, weights=d, minlength=n_cells)
        total2 = _sums(row_cell, weights=d * d, minlength=n_cells)
        low = np.full(n_cells, np.inf)
        high = np.full(n_cells, -np.inf)
        np.minimum.at(low, row_cell, d)
        np.maximum.at(high, row_cell, d)
    return CellTable(
        cells=cells,
        n=n,
        base=total,
        base2=total2,
        base_min=low,
        base_max=high,
        row_cell=row_cell,
        row_base=d,
        index=frame.index,
    )


def _narwhals_frame(data: Any) -> Any:
    return as_narwhals(data)


def _check_columns(available: Sequence[str], wanted: Sequence[tuple[str, str]]) -> None:
    for column, argument in wanted:
        if column not in available:
            raise column_not_found(column, available, argument=argument)


def reduce_cells(
    data: Any,
    columns: Sequence[str],
    base: str | None,
    *,
    argument: str = "margins",
    rows: bool = True,
) -> CellTable:
    """Reduce ``data`` to one row per joint cell of ``columns``.

    In-memory tables (pandas, eager polars / pyarrow) also return each row's cell,
    so the weights can be mapped back; lazy tables are reduced by one narwhals
    ``group_by`` in their engine.
    """
    wanted = [(c, argument) for c in columns]
    if base is not None:
        wanted.append((base, "base_weights"))
    if isinstance(data, pd.DataFrame):
        _check_columns([str(c) for c in data.columns], wanted)
        return _pandas_cells(data, columns, base)
    frame = _narwhals_frame(data)
    schema = frame.collect_schema()
    _check_columns(list(schema.names()), wanted)
    if base is not None and not schema[base].is_numeric():
        raise InvalidDataError(
            f"Weight column {base!r} must hold numbers; got dtype {schema[base]}."
        )
    needed = list(dict.fromkeys([*columns, *([base] if base else [])]))
    if isinstance(frame, nw.DataFrame) and rows:
        native = frame.select(*needed).to_pandas()
        table = _pandas_cells(native, columns, base)
        return CellTable(
            cells=table.cells,
            n=table.n,
            base=table.base,
            base2=table.base2,
            base_min=table.base_min,
            base_max=table.base_max,
            row_cell=table.row_cell,
            row_base=table.row_base,
            index=pd.RangeIndex(len(native)),
        )
    lazy = frame.lazy() if isinstance(frame, nw.DataFrame) else frame
    d = nw.col(base).cast(nw.Float64()) if base else nw.lit(1.0)
    prepared = lazy.select(*[nw.col(c) for c in columns], d.alias("__d")).with_columns(
        nw.lit(1).cast(nw.Int64()).alias("__n"),
        (nw.col("__d") * nw.col("__d")).alias("__d2"),
        nw.col("__d").is_null().cast(nw.Int64()).alias("__dmiss"),
    )
    reduced = prepared.group_by(*columns, drop_null_keys=False).agg(
        nw.col("__n").sum(),
        nw.col("__d").sum(),
        nw.col("__d2").sum(),
        nw.col("__d").min().alias("__dmin"),
        nw.col("__d").max().alias("__dmax"),
        nw.col("__dmiss").sum(),
    )
    summary: pd.DataFrame = reduced.collect(backend="pandas").to_pandas()
    for column in columns:
        missing = summary[column].isna()
        if missing.any():
            raise _missing_key_error(column, int(summary.loc[missing, "__n"].sum()))
    if base is not None:
        _check_base(
            base,
            int(summary["__dmiss"].sum()),
            float(summary["__dmin"].min()),
            float(summary["__dmax"].max()),
        )
    summary = summary.sort_values(list(columns), kind="stable").reset_index(drop=True)
    return CellTable(
        cells=summary[list(columns)],
        n=summary["__n"].to_numpy(dtype=np.float64),
        base=summary["__d"].to_numpy(dtype=np.float64),
        base2=summary["__d2"].to_numpy(dtype=np.float64),
        base_min=summary["__dmin"].to_numpy(dtype=np.float64),
        base_max=summary["__dmax"].to_numpy(dtype=np.float64),
        row_cell=None,
        row_base=None,
        index=None,
    )


def _cell_keys(cells: pd.DataFrame, columns: Sequence[str]) -> list[Hashable]:
    if len(columns) == 1:
        return [_label(v) for v in cells[columns[0]].tolist()]
    return [
        _label(tuple(row))
        for row in cells[list(columns)].itertuples(index=False, name=None)
    ]


def _label_positions(cells: pd.DataFrame, margin: Margin) -> IntArray:
    """Position of each cell's category in the margin's labels (−1: none)."""
    try:
        if len(margin.columns) == 1:
            labels = pd.Index(list(margin.labels), dtype=object)
            values = pd.Index(cells[margin.columns[0]].to_numpy(), dtype=object)
        else:
            tuples = cast(list[tuple[Hashable, ...]], list(margin.labels))
            labels = pd.MultiIndex.from_tuples(tuples)
            values = pd.MultiIndex.from_frame(cells[list(margin.columns)])
        if labels.is_unique:
            return np.asarray(labels.get_indexer(values), dtype=np.intp)
    except (TypeError, ValueError):
        pass
    index = {label: i for i, label in enumerate(margin.labels)}
    keys = _cell_keys(cells, margin.columns)
    return np.array([index.get(k, -1) for k in keys], dtype=np.intp)


def margin_codes(
    cells: pd.DataFrame, base: FloatArray, margins: Sequence[Margin]
) -> tuple[IntArray, list[FloatArray]]:
    """Each cell's category on each margin, and the targets of the present ones.

    Raises for data categories missing from a margin, and for margin categories
    with a positive target but no (positively weighted) responses.
    """
    codes = np.zeros((len(cells), len(margins)), dtype=np.intp)
    targets = []
    for j, margin in enumerate(margins):
        code = _label_positions(cells, margin)
        if (code < 0).any():
            keys = _cell_keys(cells, margin.columns)
            absent = list(
                dict.fromkeys(k for k, c in zip(keys, code, strict=True) if c < 0)
            )
            raise InvalidDataError(
                f"Margin {margin.name!r} has no target for the data categor"
                f"{'y' if len(absent) == 1 else 'ies'} {absent[:5]}"
                f"{' (and more)' if len(absent) > 5 else ''}. Every category in the "
                f"data needs a target. Margin categories: {list(margin.labels)[:10]}."
                " Hint: 1. add the missing categories; 2. or recode them into one "
                "that has a target."
            )
        totals = _sums(code, weights=base, minlength=len(margin.labels))
        empty = [
            label
            for label, total, target in zip(
                margin.labels, totals, margin.targets, strict=True
            )
            if target > 0 and total <= 0
        ]
        if empty:
            raise InvalidDataError(
                f"Margin {margin.name!r}: categor{'y' if len(empty) == 1 else 'ies'} "
                f"{empty[:5]} ha{'s' if len(empty) == 1 else 've'} a positive target "
                "but no responses (with a positive base weight) in the data, so no "
                "weight can reach the target. Hint: 1. merge the category with a "
                "neighbour in the data and the margin; 2. or drop it from the margin "
                "and rescale the rest."
            )
        zero = [
            label
            for label, total, target in zip(
                margin.labels, totals, margin.targets, strict=True
            )
            if target == 0 and total > 0
        ]
        if zero:
            raise InvalidDataError(
                f"Margin {margin.name!r}: categor{'y' if len(zero) == 1 else 'ies'} "
                f"{zero[:5]} ha{'s' if len(zero) == 1 else 've'} a target of 0 but "
                "responses in the data. Hint: drop those responses first, or give "
                "the category a positive target."
            )
        codes[:, j] = code
        targets.append(margin.targets)
    return codes, targets


# --- the public functions -------------------------------------------------------------


def _row_weights(table: CellTable, factors: FloatArray) -> pd.Series | None:
    if table.row_cell is None or table.row_base is None:
        return None
    return pd.Series(
        table.row_base * factors[table.row_cell], index=table.index, name="weight"
    )


def _diagnostics(
    table: CellTable, factors: FloatArray, weights: pd.Series | None
) -> tuple[WeightDiagnostics, WeightDiagnostics]:
    constant = np.allclose(table.base_min, table.base_max, rtol=1e-12, atol=0)
    if table.row_base is not None and weights is not None and not constant:
        return (
            row_diagnostics(weights.to_numpy()),
            row_diagnostics(table.row_base),
        )
    if constant:
        per_unit = table.base / np.where(table.n > 0, table.n, 1)
        return (
            diagnostics_of(per_unit * factors, table.n),
            diagnostics_of(per_unit, table.n),
        )
    n = float(table.n.sum())
    final = _moment_diagnostics(
        n,
        float(table.base @ factors),
        float(table.base2 @ factors**2),
        float((table.base_min * factors).min()),
        float((table.base_max * factors).max()),
    )
    base = _moment_diagnostics(
        n,
        float(table.base.sum()),
        float(table.base2.sum()),
        float(table.base_min.min()),
        float(table.base_max.max()),
    )
    return final, base


def row_diagnostics(w: FloatArray) -> WeightDiagnostics:
    """Diagnostics of row weights in O(n) (no sort: the top 1% by partition)."""
    n = len(w)
    if n == 0:
        return diagnostics_of(np.zeros(0), np.zeros(0))
    k = math.ceil(n / 100)
    top = float(np.partition(w, n - k)[n - k :].sum())
    d = _moment_diagnostics(
        float(n), float(w.sum()), float(w @ w), float(w.min()), float(w.max())
    )
    return WeightDiagnostics(
        n=d.n,
        sum_weights=d.sum_weights,
        mean=d.mean,
        min=d.min,
        max=d.max,
        ratio=d.ratio,
        cv=d.cv,
        design_effect=d.design_effect,
        n_eff=d.n_eff,
        efficiency=d.efficiency,
        top1_share=top / d.sum_weights if d.sum_weights > 0 else math.nan,
    )


def _moment_diagnostics(
    n: float, sw: float, sw2: float, low: float, high: float
) -> WeightDiagnostics:
    mean = sw / n
    deff = n * sw2 / sw**2
    return WeightDiagnostics(
        n=int(n),
        sum_weights=sw,
        mean=mean,
        min=low,
        max=high,
        ratio=high / low if low > 0 else math.inf,
        cv=math.sqrt(max(deff - 1, 0.0)),
        design_effect=deff,
        n_eff=sw**2 / sw2,
        efficiency=1 / deff,
        top1_share=math.nan,  # needs the weight distribution (rows)
    )


def _warn_extreme(d: WeightDiagnostics, function: str) -> None:
    if d.design_effect > _DEFF_WARN or d.max > _RATIO_WARN * d.mean:
        warn(
            f"The weights from {function}() are extreme: design effect "
            f"{d.design_effect:.2f} (effective n {d.n_eff:.0f} of {d.n}), largest "
            f"weight {d.max / d.mean:.1f} × the mean. Hint: 1. merge sparse "
            "categories of the margins; 2. cap the weights with "
            "trim_weights(data, result, upper=5).",
            WeightingWarning,
        )


def _margin_table(
    margins: Sequence[Margin],
    codes: IntArray,
    table: CellTable,
    weighted: FloatArray,
) -> pd.DataFrame:
    rows = []
    n_total = float(table.n.sum())
    base_total = float(table.base.sum())
    weight_total = float(weighted.sum())
    for j, margin in enumerate(margins):
        size = len(margin.labels)
        n = _sums(codes[:, j], weights=table.n, minlength=size)
        base = _sums(codes[:, j], weights=table.base, minlength=size)
        achieved = _sums(codes[:, j], weights=weighted, minlength=size)
        target_total = float(margin.targets.sum())
        for k, label in enumerate(margin.labels):
            rows.append(
                {
                    "margin": margin.name,
                    "category": label
                    if not isinstance(label, tuple)
                    else " / ".join(map(str, label)),
                    "target": margin.targets[k],
                    "target_share": margin.targets[k] / target_total,
                    "n": int(n[k]),
                    "unweighted_share": n[k] / n_total,
                    "base_share": base[k] / base_total,
                    "weighted_share": achieved[k] / weight_total,
                    "weighted_total": achieved[k],
                }
            )
    return pd.DataFrame(rows)


def _cells_frame(table: CellTable, factors: FloatArray) -> pd.DataFrame:
    out = table.cells.reset_index(drop=True).copy()
    out["n"] = table.n.astype(np.int64)
    out["base_total"] = table.base
    out["base_total2"] = table.base2
    out["factor"] = factors
    out["weighted_total"] = table.base * factors
    return out


def _fit(
    data: Any,
    margins: Any,
    *,
    base_weights: str | None,
    kind: str,
    tol: float,
    max_iter: int,
    method: str,
    variance: str,
    call: dict[str, Any],
) -> WeightingResult:
    parsed = parse_margins(margins)
    columns = list(dict.fromkeys(c for m in parsed for c in m.columns))
    table = reduce_cells(data, columns, base_weights)
    if table.n.sum() == 0:
        raise InsufficientDataError("`data` has no rows to weight.")
    base_total = float(table.base.sum())
    if base_total <= 0:
        raise InvalidDataError(
            f"The base weights {base_weights!r} sum to zero: nothing to weight."
        )
    scaled, kind = _scale_targets(parsed, kind, base_total)
    codes, targets = margin_codes(table.cells, table.base, scaled)
    fit = ipf(table.base, codes, targets, tol=tol, max_iter=max_iter)
    if not fit.converged:
        margin = scaled[fit.worst[0]]
        label = margin.labels[fit.worst[1]]
        achieved = margin_totals(
            table.base * fit.factors, codes, [len(t) for t in targets]
        )
        raise ConvergenceError(
            f"Raking did not converge in {fit.iterations} iterations: margin "
            f"{margin.name!r}, category {label!r} reaches "
            f"{achieved[fit.worst[0]][fit.worst[1]]:.6g} against a target of "
            f"{margin.targets[fit.worst[1]]:.6g} (relative error {fit.max_error:.2g} "
            f"> tol={tol:g}). The margins probably conflict with empty cells: a "
            "combination of categories the targets need is missing from the data. "
            "Hint: 1. cross-tabulate the margin columns and look for empty cells; "
            "2. merge sparse categories; 3. or raise `max_iter` if the error is "
            "still falling."
        )
    weights = _row_weights(table, fit.factors)
    final, base = _diagnostics(table, fit.factors, weights)
    _warn_extreme(final, method)
    weighted = table.base * fit.factors
    return WeightingResult(
        table=_margin_table(scaled, codes, table, weighted),
        weights=weights,
        method=method,
        variance=variance,
        margins=tuple(scaled),
        cells=_cells_frame(table, fit.factors),
        cell_codes=codes,
        base_weights=base_weights,
        diagnostics=final,
        base_diagnostics=base,
        iterations=fit.iterations,
        converged=fit.converged,
        max_error=fit.max_error,
        kind=kind,
        call=call,
        versions=provenance_versions(),
    )


@validate_params(
    {
        "margins": MarginSpec(),
        **_FIT,
        "variance": Options(("raking", "greg")),
    }
)
def rake(
    data: Any,
    margins: Any,
    *,
    base_weights: str | None = None,
    kind: Kind = "auto",
    tol: float = 1e-10,
    max_iter: int = 1000,
    variance: Literal["raking", "greg"] = "raking",
) -> WeightingResult:
    r"""Rake weights to several margins (iterative proportional fitting).

    Parameters
    ----------
    data : DataFrame-like
        Responses, one row per respondent: pandas, polars (eager or lazy),
        pyarrow or a DuckDB relation. Never modified.
    margins : mapping or DataFrame or list of DataFrame
        Population targets per margin: ``{column: {category: target}}``; a tuple
        of columns as key makes a joint margin (``{("period", "segment"):
        {("Q1", "mass"): 0.5, ...}}``); a Series per column also works. A
        DataFrame holds the margin column(s) and a target column (``target``,
        ``Freq``, ``share`` … or the last column), as R's population tables.
    base_weights : str, optional
        Column of base (design) weights to start from; default 1 for everyone.
    kind : {'auto', 'counts', 'shares'}, default: 'auto'
        ``'counts'``: the weights sum to the population total (as R's
        ``calibrate`` and ``rake``); ``'shares'``: each margin is normalised and
        the weights sum to the base weights' total (n without base weights).
        ``'auto'`` reads targets as shares when every margin sums to 1.
    tol : float, default: 1e-10
        Stop when every margin category is within ``tol`` × total of its target.
    max_iter : int, default: 1000
        Maximum raking sweeps; :class:`~cxmetrics.errors.ConvergenceError` beyond.
    variance : {'raking', 'greg'}, default: 'raking'
        Which calibrated standard error the result gives to the estimates that
        use it as ``calibration=``: ``'raking'`` reproduces R's ``rake()``,
        ``'greg'`` R's ``calibrate(..., calfun="raking")`` (same weights, a
        slightly different linearisation). See Notes.

    Returns
    -------
    WeightingResult
        ``.weights`` (a new Series aligned with ``data``; None for a lazy table),
        the margins table (``to_frame()``), ``.cells`` (factors per joint cell),
        ``.diagnostics`` (Kish design effect, effective n, efficiency, min / max,
        top 1% weight share).

    Raises
    ------
    ColumnNotFoundError
        A margin or weight column is missing.
    InvalidDataError
        Margins that do not sum to the same total; negative targets; a data
        category without a target (naming margin and category); a margin
        category with a target but no responses; missing margin values; bad base
        weights.
    ConvergenceError
        Raking did not converge (naming the margin and category furthest off).
    InvalidParameterError
        An argument is invalid.

    Warns
    -----
    WeightingWarning
        The weights are extreme (Kish design effect above 3, or a weight above 10
        times the mean).

    See Also
    --------
    poststratify : weighting to joint cells.
    trim_weights : cap the weights and rake again.
    calibrated_score : scores with the calibrated standard errors.

    Notes
    -----
    Iterative proportional fitting [1]_ on the table of base-weight totals per
    joint cell of the margin columns (the factors are constant within a joint
    cell): each sweep multiplies the factors of every cell by
    :math:`T_{jl} / \hat T_{jl}` for each margin :math:`j` in turn (target over
    current total of the cell's category :math:`l`), until
    :math:`\max_{jl} |\hat T_{jl} - T_{jl}| / N \le` ``tol``. The fit is
    the raking-ratio (multiplicative) calibration of Deville & Särndal [2]_, so
    it gives R's ``calibrate(calfun="raking")`` and ``rake()`` weights once both
    have converged. Rows are never iterated over, which is what makes it fast
    (``benchmarks/bench_weighting.py``).

    Standard errors after raking: an estimate computed with raked weights has a
    smaller variance than the fixed-weights formula says, because the margins
    no longer vary. :func:`calibrated_score` and
    :func:`cxmetrics.compare.compare_periods` (``calibration=``) give the
    calibrated linearisation SE beside the naive one: ``variance='raking'``
    removes from each influence value the backfitted margin means (ten sweeps, as
    ``survey:::svyrecvar`` does for ``rake()``), ``'greg'`` the fitted value of
    the base-weighted regression on the margin dummies (as for
    ``calibrate()``). After raking, disjoint groups are no longer independent.

    Validation: weights equal R ``survey`` 4.1.1 ``rake()`` and
    ``calibrate(calfun="raking")`` to rtol 1e-10, and the PyPI package
    ``weightipy`` (unit base weights) to 1e-10
    (``tests/reference/data/weighting.json``, ``benchmarks/bench_weighting.py``).

    References
    ----------
    .. [1] Deming, W. E., & Stephan, F. F. (1940). On a least squares adjustment
       of a sampled frequency table when the expected marginal totals are known.
       Annals of Mathematical Statistics, 11(4), 427–444.
       https://doi.org/10.1214/aoms/1177731829
    .. [2] Deville, J.-C., & Särndal, C.-E. (1992). Calibration estimators in
       survey sampling. JASA, 87(418), 376–382.
       https://doi.org/10.1080/01621459.1992.10475217
    .. [3] Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R.
       Wiley, ch. 7.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.weighting import rake
    >>> survey = cx.datasets.load_example_survey()
    >>> q4 = survey[survey["period"] == "2025-Q4"]
    >>> segments = cx.datasets.EXAMPLE_SURVEY_TRUTH.segment_shares["2025-Q4"]
    >>> regions = {"capital": 0.359, "north": 0.247, "south": 0.250, "west": 0.144}
    >>> raked = rake(q4, {"segment": dict(segments), "region": regions})
    >>> raked
    WeightingResult(method='rake', margins=[segment, region], n=1000,
                    deff=1.222, n_eff=818.4, weights 0.234–1.92, converged=True)
    >>> bool(raked.weights.index.equals(q4.index))
    True
    >>> raked.to_frame()[["margin", "category", "weighted_share"]].head(2)
        margin  category  weighted_share
    0  segment      mass            0.41
    1  segment  affluent            0.28
    """
    return _fit(
        data,
        margins,
        base_weights=base_weights,
        kind=kind,
        tol=tol,
        max_iter=max_iter,
        method="rake",
        variance=variance,
        call={
            "function": "rake",
            "margins": [m.name for m in parse_margins(margins)],
            "base_weights": base_weights,
            "kind": kind,
            "tol": tol,
            "max_iter": max_iter,
            "variance": variance,
        },
    )


@validate_params({"population": MarginSpec(), **_FIT})
def poststratify(
    data: Any,
    population: Any,
    *,
    base_weights: str | None = None,
    kind: Kind = "auto",
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> WeightingResult:
    r"""Post-stratify weights to known totals of joint cells.

    Parameters
    ----------
    data : DataFrame-like
        Responses (any narwhals-supported table). Never modified.
    population : mapping or DataFrame
        Targets of the post-strata: ``{column: {category: target}}`` for one
        column, ``{("segment", "region"): {("mass", "north"): 0.13, ...}}`` for
        joint cells, or a DataFrame of the cell columns and a target column (R's
        ``postStratify`` population table). Exactly one margin.
    base_weights, kind, tol, max_iter
        As in :func:`rake`.

    Returns
    -------
    WeightingResult
        As :func:`rake`; the factor of a cell is target / base-weight total.

    Raises
    ------
    ColumnNotFoundError, InvalidDataError, InvalidParameterError
        As in :func:`rake`; also when ``population`` holds more than one margin.

    Warns
    -----
    WeightingWarning
        Extreme weights.

    See Also
    --------
    rake : several margins instead of joint cells.

    Notes
    -----
    :math:`w_i = d_i\,N_c / \sum_{j \in c} d_j` for the cell :math:`c` of unit
    :math:`i`. Calibrated SEs (``calibration=``) use R's ``postStratify``
    residual: the influence value minus its base-weighted post-stratum mean
    (module :mod:`cxmetrics.estimators.calibration`).

    Validation: weights and the SEs of means, shares and NPS after them match R
    ``survey`` 4.1.1 ``postStratify()`` to rtol 1e-10
    (``tests/reference/data/weighting.json``).

    References
    ----------
    .. [1] Holt, D., & Smith, T. M. F. (1979). Post stratification. JRSS A,
       142(1), 33–46. https://doi.org/10.2307/2344652

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.weighting import poststratify
    >>> survey = cx.datasets.load_example_survey()
    >>> q1 = survey[survey["period"] == "2025-Q1"]
    >>> shares = cx.datasets.EXAMPLE_SURVEY_TRUTH.segment_shares["2025-Q1"]
    >>> ps = poststratify(q1, {"segment": dict(shares)})
    >>> ps.to_frame()["weighted_share"].round(3).tolist()
    [0.5, 0.22, 0.05, 0.17, 0.06]
    >>> round(float(ps.weights.sum()), 6)
    1000.0
    """
    parsed = parse_margins(population, argument="population")
    if len(parsed) != 1:
        raise InvalidParameterError(
            "`population` must hold one margin (the post-strata; a tuple of columns "
            f"for joint cells); got {len(parsed)}: {[m.name for m in parsed]}. "
            "Hint: use rake() for several margins."
        )
    return _fit(
        data,
        population,
        base_weights=base_weights,
        kind=kind,
        tol=tol,
        max_iter=max_iter,
        method="poststratify",
        variance="poststratify",
        call={
            "function": "poststratify",
            "population": parsed[0].name,
            "base_weights": base_weights,
            "kind": kind,
        },
    )


@validate_params(
    {
        "weights": WeightsSpec(),
        "upper": Interval("real", 0, None, closed="neither", none_ok=True),
        "lower": Interval("real", 0, None, closed="left", none_ok=True),
        "relative": Boolean(),
        "margins": MarginSpec(none_ok=True),
        "kind": Options(("auto", "counts", "shares")),
        "tol": Interval("real", 0, 1e-2, closed="neither"),
        "max_iter": Interval("integral", 1, None),
    }
)
def trim_weights(
    data: Any,
    weights: str | WeightingResult,
    *,
    upper: float | None = None,
    lower: float | None = None,
    relative: bool = True,
    margins: Any = None,
    kind: Kind = "auto",
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> WeightingResult:
    r"""Cap extreme weights, then rake again so the margins still hold.

    Parameters
    ----------
    data : DataFrame-like
        The responses the weights belong to (in memory: pandas, or an eager
        polars / pyarrow table). Never modified.
    weights : str or WeightingResult
        A weight column, or the result of :func:`rake` / :func:`poststratify`
        (its ``.weights``; its margins are kept unless ``margins`` is given).
    upper, lower : float, optional
        Bounds on the weights; with ``relative=True`` (default) in multiples of
        the mean weight (``upper=3``: no weight above three times the mean).
    relative : bool, default: True
        Whether the bounds are relative to the mean weight.
    margins : mapping or DataFrame, optional
        Margins to rake to after capping (as in :func:`rake`). Without margins
        (and with a column for ``weights``) the total is kept: the excess is
        spread equally over the untrimmed weights, as R's ``trimWeights``.
    kind, tol, max_iter
        As in :func:`rake`; ``tol`` applies to the bounds and the margins.

    Returns
    -------
    WeightingResult
        ``method='trim'``, the trimmed ``.weights``, ``n_trimmed`` and the
        diagnostics.

    Raises
    ------
    InvalidParameterError
        Neither bound given, ``lower >= upper``, or bounds that no set of weights
        with this total can meet (``upper`` below or ``lower`` above the mean).
    InvalidDataError
        As in :func:`rake`.
    ConvergenceError
        The bounds and the margins cannot both hold.
    RowsRequiredError
        ``data`` is a lazy table.

    Warns
    -----
    WeightingWarning
        The trimmed weights are still extreme.

    Notes
    -----
    Each round caps the weights at :math:`[L, U]`, then either rakes the capped
    weights to the margins (:func:`rake` on their joint-cell totals) or, with no
    margins, adds :math:`(\sum w^{(0)} - \sum w)/n_{free}` to every untrimmed
    weight (R's ``trimWeights`` redistribution). Rounds repeat until no weight is
    outside the bounds and every margin is within ``tol``. Trimming trades a little
    bias for a lower design effect.

    Validation: without margins the weights equal R ``survey`` 4.1.1
    ``trimWeights(..., strict=TRUE)`` (``tests/reference/data/weighting.json``);
    with margins the bounds and margins hold to ``tol`` (tested).

    References
    ----------
    .. [1] Potter, F. J. (1990). A study of procedures to identify and trim
       extreme sampling weights. Proceedings of the Survey Research Methods
       Section, ASA, 225–230.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.weighting import trim_weights
    >>> survey = cx.datasets.load_example_survey()
    >>> trimmed = trim_weights(survey, "weight", upper=1.5)
    >>> round(float(trimmed.weights.max()), 6)
    1.5
    >>> bool(abs(trimmed.weights.sum() - survey["weight"].sum()) < 1e-9)
    True
    """
    if upper is None and lower is None:
        raise InvalidParameterError(
            "`trim_weights` needs `upper` or `lower` (or both); got neither. "
            "Hint: upper=5 caps the weights at five times the mean."
        )
    if upper is not None and lower is not None and lower >= upper:
        raise InvalidParameterError(
            f"`lower` must be below `upper`; got lower={lower:g}, upper={upper:g}."
        )
    if isinstance(weights, WeightingResult):
        if weights.weights is None:
            raise RowsRequiredError(
                "Trimming changes single weights and needs them in memory; the "
                "weighting result came from a lazy table. Hint: collect the data "
                "(polars `.collect()`, DuckDB `.df()`) and weight again."
            )
        frame = _in_memory(data)
        if len(weights.weights) != len(frame):
            raise InvalidDataError(
                f"`weights` holds {len(weights.weights)} weights but `data` has "
                f"{len(frame)} rows: pass the data the weights were computed on."
            )
        w0 = weights.weights.to_numpy(dtype=np.float64)
        index = weights.weights.index
        parsed = (
            parse_margins(margins) if margins is not None else list(weights.margins)
        )
        base_name = weights.base_weights
        kind_: str = kind if margins is not None else "counts"
    else:
        frame = _in_memory(data)
        if weights not in frame.columns:
            raise column_not_found(weights, frame.columns, argument="weights")
        w0 = _base_array(frame, weights)
        index = frame.index
        parsed = parse_margins(margins) if margins is not None else []
        base_name = weights
        kind_ = str(kind)
    n = len(w0)
    total0 = float(w0.sum())
    columns = list(dict.fromkeys(c for m in parsed for c in m.columns))
    codes: IntArray | None = None
    targets: list[FloatArray] = []
    row_cell: IntArray | None = None
    table: CellTable | None = None
    scaled: list[Margin] = []
    if parsed:
        table = reduce_cells(frame, columns, None)
        scaled, kind_ = _scale_targets(parsed, kind_, total0)
        weighted_base = _sums(
            table.row_cell if table.row_cell is not None else np.zeros(0, np.intp),
            weights=w0,
            minlength=len(table.n),
        )
        codes, targets = margin_codes(table.cells, weighted_base, scaled)
        row_cell = table.row_cell
    total = float(np.sum(targets[0])) if targets else total0
    mean = total / n
    hi = (upper * mean if relative else upper) if upper is not None else np.inf
    lo = (lower * mean if relative else lower) if lower is not None else 0.0
    if hi * n < total * (1 - 1e-12) or lo * n > total * (1 + 1e-12):
        raise InvalidParameterError(
            f"No weights with total {total:g} over {n} units fit in "
            f"[{lo:g}, {hi:g}]: the mean weight is {mean:g}. Hint: put `upper` above "
            "and `lower` below the mean (relative bounds: upper > 1 > lower)."
        )
    fit = trim(
        w0,
        lower=lo,
        upper=hi,
        cells=row_cell,
        codes=codes,
        targets=targets,
        tol=tol,
        max_iter=max_iter,
    )
    if not fit.converged:
        raise ConvergenceError(
            f"Trimming did not converge in {fit.iterations} rounds: the bounds "
            f"[{lo:.4g}, {hi:.4g}] and the margins cannot both hold (largest margin "
            f"error {fit.max_error:.2g}). Hint: 1. loosen the bounds; 2. merge "
            "sparse margin categories."
        )
    final = pd.Series(fit.weights, index=index, name="weight")
    diag = row_diagnostics(fit.weights)
    _warn_extreme(diag, "trim_weights")
    if table is None or codes is None or row_cell is None:
        table = _single_cell(n, w0)
        codes = np.zeros((1, 0), dtype=np.intp)
        row_cell = np.zeros(n, dtype=np.intp)
    base_rows = (
        _base_array(frame, base_name)
        if base_name is not None and base_name in frame.columns
        else np.ones(n)
    )
    factors, constant = _cell_factors(fit.weights, base_rows, row_cell, len(table.n))
    cells = _cells_frame(
        CellTable(
            cells=table.cells,
            n=table.n,
            base=_sums(row_cell, weights=base_rows, minlength=len(table.n)),
            base2=_sums(row_cell, weights=base_rows**2, minlength=len(table.n)),
            base_min=table.base_min,
            base_max=table.base_max,
            row_cell=row_cell,
            row_base=base_rows,
            index=index,
        ),
        factors,
    )
    weighted = _sums(row_cell, weights=fit.weights, minlength=len(table.n))
    margin_table = (
        _margin_table(scaled, codes, table, weighted)
        if scaled
        else pd.DataFrame(
            columns=[
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
        )
    )
    return WeightingResult(
        table=margin_table,
        weights=final,
        method="trim",
        variance=weights.variance if isinstance(weights, WeightingResult) else "raking",
        margins=tuple(scaled),
        cells=cells,
        cell_codes=codes,
        base_weights=base_name,
        diagnostics=diag,
        base_diagnostics=row_diagnostics(w0),
        iterations=fit.iterations,
        converged=fit.converged,
        max_error=fit.max_error,
        kind=kind_ if scaled else "counts",
        cell_constant=constant and bool(scaled),
        n_trimmed=fit.n_trimmed,
        call={
            "function": "trim_weights",
            "weights": weights if isinstance(weights, str) else "WeightingResult",
            "upper": upper,
            "lower": lower,
            "relative": relative,
            "margins": [m.name for m in scaled],
        },
        versions=provenance_versions(),
    )


def _single_cell(n: int, w: FloatArray) -> CellTable:
    return CellTable(
        cells=pd.DataFrame(index=range(1)),
        n=np.array([float(n)]),
        base=np.array([float(w.sum())]),
        base2=np.array([float(w @ w)]),
        base_min=np.array([float(w.min())]),
        base_max=np.array([float(w.max())]),
        row_cell=np.zeros(n, dtype=np.intp),
        row_base=w,
        index=None,
    )


def _cell_factors(
    final: FloatArray, base: FloatArray, cell: IntArray, n_cells: int
) -> tuple[FloatArray, bool]:
    """Factor final/base per cell, and whether it is constant within every cell."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(base > 0, final / base, np.nan)
    low = np.full(n_cells, np.inf)
    high = np.full(n_cells, -np.inf)
    ok = np.isfinite(ratio)
    np.minimum.at(low, cell[ok], ratio[ok])
    np.maximum.at(high, cell[ok], ratio[ok])
    constant = bool(np.all((high - low) <= 1e-12 * np.abs(high)))
    sums = _sums(cell, weights=final, minlength=n_cells)
    bases = _sums(cell, weights=base, minlength=n_cells)
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = np.where(bases > 0, sums / bases, 1.0)
    return factors, constant


def _in_memory(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    frame = _narwhals_frame(data)
    if not isinstance(frame, nw.DataFrame):
        raise RowsRequiredError(
            "Trimming changes single weights and needs the rows in memory; got a "
            f"lazy table ({type(data).__module__}.{type(data).__name__}). Hint: "
            "collect it first (polars `.collect()`, DuckDB `.df()`)."
        )
    table: pd.DataFrame = frame.to_pandas()
    return table


@validate_params(
    {"weights": ColumnNames(many=False, none_ok=False), "by": ColumnNames()}
)
def weight_diagnostics(
    data: Any,
    weights: str,
    *,
    by: str | Sequence[str] | None = None,
) -> WeightDiagnosticsResult:
    r"""Summarise a weight column: design effect, effective n, extremes.

    Parameters
    ----------
    data : DataFrame-like
        Any narwhals-supported table (reduced where it lives).
    weights : str
        The weight column.
    by : str or list of str, optional
        Group columns: one row of diagnostics per group.

    Returns
    -------
    WeightDiagnosticsResult
        ``n``, ``sum_weights``, ``mean``, ``min``, ``max``, ``ratio``, ``cv``,
        ``design_effect``, ``n_eff``, ``efficiency``, ``top1_share`` per group.

    Raises
    ------
    ColumnNotFoundError
        A column is missing.
    InvalidDataError
        Missing, negative or non-numeric weights.

    Notes
    -----
    Kish's design effect due to unequal weighting is
    :math:`\mathrm{deff} = n\sum w^2/(\sum w)^2 = 1 + cv^2`, the effective sample
    size :math:`n_{eff} = (\sum w)^2/\sum w^2 = n/\mathrm{deff}` and the
    weighting efficiency :math:`n_{eff}/n`. ``top1_share`` is the share of the
    total weight held by the :math:`\lceil n/100\rceil` largest weights. The data
    are reduced to counts per distinct weight value, so lazy tables work too.

    Validation: closed forms; ``design_effect`` equals R ``survey``'s
    ``deff(svymean(~1…))`` convention of Kish (1965), checked against direct
    numpy computation on the rows (tested).

    References
    ----------
    .. [1] Kish, L. (1965). Survey Sampling. Wiley, §11.7.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.weighting import weight_diagnostics
    >>> survey = cx.datasets.load_example_survey()
    >>> weight_diagnostics(survey, "weight")
    WeightDiagnosticsResult(n=4000, deff=1.179, n_eff=3392.8, efficiency=84.8%,
                            min=0.25, max=1.89, top1_share=1.89%)
    """
    by_columns = [by] if isinstance(by, str) else list(by or [])
    table = (
        reduce_cells(
            data, [*by_columns, weights], None, argument="by/weights", rows=False
        )
        if not isinstance(data, pd.DataFrame)
        else None
    )
    if isinstance(data, pd.DataFrame):
        _check_columns(
            [str(c) for c in data.columns],
            [(weights, "weights"), *((b, "by") for b in by_columns)],
        )
        w = _base_array(data, weights)
        frame = pd.DataFrame({"__w": w})
        for column in by_columns:
            frame[column] = data[column].to_numpy()
        counts = (
            frame.groupby([*by_columns, "__w"], sort=False, observed=True, dropna=False)
            .size()
            .rename("__n")
            .reset_index()
        )
    else:
        assert table is not None  # internal invariant
        counts = table.cells.copy()
        counts["__w"] = counts.pop(weights).astype(np.float64)
        counts["__n"] = table.n
        if counts["__w"].isna().any():
            _check_base(weights, int(counts.loc[counts["__w"].isna(), "__n"].sum()), 0)
        _check_base(weights, 0, float(counts["__w"].min()), float(counts["__w"].max()))
    rows: list[dict[str, Any]] = []
    if by_columns:
        groups = counts.groupby(by_columns, sort=False, observed=True, dropna=False)
        for key, part in groups:
            label = key if isinstance(key, tuple) else (key,)
            d = diagnostics_of(
                part["__w"].to_numpy(np.float64), part["__n"].to_numpy(np.float64)
            )
            rows.append({**dict(zip(by_columns, label, strict=True)), **d.to_dict()})
    else:
        d = diagnostics_of(
            counts["__w"].to_numpy(np.float64), counts["__n"].to_numpy(np.float64)
        )
        rows.append(d.to_dict())
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype(np.int64)
    return WeightDiagnosticsResult(
        table=out,
        group_names=tuple(by_columns),
        weights=weights,
        call={"function": "weight_diagnostics", "weights": weights, "by": by_columns},
        versions=provenance_versions(),
    )


# --- calibrated standard errors ----------------------------------------


@dataclass(frozen=True, slots=True)
class CalibratedCounts:
    """Sums per domain × stratum × cell × scale point, and what labels them."""

    cells: CalibrationCells
    domains: tuple[tuple[Hashable, ...], ...]
    strata: tuple[Hashable, ...]
    categories: FloatArray
    omissions: Omissions

    def fixed_moments(self, scores: FloatArray) -> Moments:
        """Moments of the domains with the final weights held fixed (no calibration).

        Units outside every domain (missing values) count in the stratum sizes,
        as in R's ``svymean(..., na.rm=TRUE)``.
        """
        c = self.cells
        idx = np.flatnonzero(c.domain)
        n = c.n[idx].sum(axis=(2, 3))
        sw = c.sum_w[idx].sum(axis=2)
        sw2 = c.sum_w2[idx].sum(axis=2)
        y = np.asarray(scores, dtype=np.float64)
        return Moments(
            groups=self.domains,
            group_names=(),
            strata=self.strata,
            n=n,
            sum_w=sw.sum(axis=2),
            sum_wx=sw @ y,
            sum_wx2=sw @ (y * y),
            sum_w2=sw2.sum(axis=2),
            sum_w2x=sw2 @ y,
            sum_w2x2=sw2 @ (y * y),
            n_design=c.n_design,
            n_omitted=np.zeros(len(idx)),
        )


def calibration_counts(
    data: Any,
    score: str,
    calibration: WeightingResult,
    *,
    scale: ResponseScale,
    domains: Sequence[str],
    strata: Sequence[str],
    nan_policy: NanPolicy,
    na_values: Sequence[float],
    argument: str = "score",
) -> CalibratedCounts:
    """Reduce ``data`` to the sums a calibrated variance needs.

    One reduction (where the data live) by the domain columns, the stratum
    columns and the calibration's margin columns, with the base weights; the
    final weights are the base weights times the calibration factor of each joint
    cell. Rows with a missing score or domain stay in the design as units
    outside every domain (as R's ``svymean(na.rm=TRUE)`` on a calibrated design).
    """
    if not calibration.margins or not calibration.cell_constant:
        raise InvalidParameterError(
            "`calibration` must come from rake() or poststratify() (or from "
            "trim_weights() with margins and equal base weights within cells), so "
            "that each weight is a base weight times a factor of its joint cell. "
            "Hint: pass the weights as `weights=` for fixed-weight standard errors."
        )
    margin_columns = list(calibration.margin_columns)
    keys = list(dict.fromkeys([*domains, *strata, *margin_columns]))
    vt = reduce_values(
        data,
        [score],
        weights=calibration.base_weights,
        by=keys,
        value_arguments=[argument],
        integer_range=(scale.low, scale.high),
    )
    _, omissions = prepare_table(
        vt,
        arguments=[argument],
        scale=scale,
        nan_policy=nan_policy,
        na_values=na_values,
    )
    table = vt.table
    value = table[f"{VALUE_PREFIX}0"].to_numpy(dtype=np.float64)
    if len(na_values):
        value = np.where(np.isin(value, np.asarray(na_values, float)), np.nan, value)
    for column in margin_columns:
        if table[column].isna().any():
            raise _missing_key_error(
                column, int(table.loc[table[column].isna(), "n"].sum())
            )
    cell_index = {
        k: i for i, k in enumerate(_cell_keys(calibration.cells, margin_columns))
    }
    row_keys = _cell_keys(table, margin_columns)
    cell = np.array([cell_index.get(k, -1) for k in row_keys], dtype=np.intp)
    if (cell < 0).any():
        unknown = [k for k, c in zip(row_keys, cell, strict=True) if c < 0][:3]
        raise InvalidDataError(
            f"`data` holds margin categories {unknown} that the weighting in "
            "`calibration` did not see. Pass the same data the weights were computed "
            "on."
        )
    n_cells = len(calibration.cells)
    d_cells = _sums(cell, weights=table["sum_w"].to_numpy(), minlength=n_cells)
    expected = calibration.cells["base_total"].to_numpy(dtype=np.float64)
    if not np.allclose(d_cells, expected, rtol=1e-9, atol=1e-9 * expected.sum()):
        raise InvalidDataError(
            "`data` differ from the data the weights in `calibration` were computed "
            "on (the base-weight totals of the joint cells do not match). Hint: pass "
            "the whole weighted sample and select groups with `by=`, not by "
            "filtering the rows."
        )
    domain_missing = (
        table[list(domains)].isna().any(axis=1).to_numpy()
        if domains
        else np.zeros(len(table), bool)
    )
    outside = np.isnan(value) | domain_missing
    domain_keys = (
        list(table[list(domains)].itertuples(index=False, name=None))
        if domains
        else [("(all)",)] * len(table)
    )
    labels: list[tuple[Hashable, ...]] = []
    index: dict[tuple[Hashable, ...], int] = {}
    order = (
        [tuple(r) for r in vt.groups[list(domains)].itertuples(index=False, name=None)]
        if domains
        else [("(all)",)]
    )
    present = {
        tuple(_label(v) for v in k)
        for k, o in zip(domain_keys, outside, strict=True)
        if not o
    }
    for key in order:
        norm = tuple(_label(v) for v in key)
        if norm in present and norm not in index:
            index[norm] = len(labels)
            labels.append(norm)
    for key in sorted(present - set(index), key=str):
        index[key] = len(labels)
        labels.append(key)
    if not labels:
        raise InsufficientDataError(
            f"No usable responses in {score!r}: every value is missing."
        )
    n_dom = len(labels)
    g = np.array(
        [
            n_dom if o else index[tuple(_label(v) for v in k)]
            for k, o in zip(domain_keys, outside, strict=True)
        ],
        dtype=np.intp,
    )
    if strata:
        strata_keys = [
            tuple(_label(v) for v in k)
            for k in table[list(strata)].itertuples(index=False, name=None)
        ]
        if any(any(_is_missing(v) for v in k) for k in strata_keys):
            raise InvalidDataError(
                f"The stratum column(s) {list(strata)} have missing values."
            )
        strata_labels: tuple[Hashable, ...] = tuple(sorted(set(strata_keys), key=str))
        s_index = {s: i for i, s in enumerate(strata_labels)}
        h = np.array([s_index[k] for k in strata_keys], dtype=np.intp)
    else:
        strata_labels = ("(all)",)
        h = np.zeros(len(table), dtype=np.intp)
    points = scale.points
    k = np.where(
        outside, 0, np.searchsorted(points, np.where(outside, points[0], value))
    )
    shape = (n_dom + 1, len(strata_labels), n_cells, len(points))
    n = np.zeros(shape)
    sd = np.zeros(shape)
    sd2 = np.zeros(shape)
    at = (g, h, cell, k)
    np.add.at(n, at, table["n"].to_numpy(dtype=np.float64))
    np.add.at(sd, at, table["sum_w"].to_numpy(dtype=np.float64))
    np.add.at(sd2, at, table["sum_w2"].to_numpy(dtype=np.float64))
    factor = calibration.cells["factor"].to_numpy(dtype=np.float64)
    f = factor[None, None, :, None]
    lonely = [
        s for s, m in zip(strata_labels, n.sum(axis=(0, 2, 3)), strict=True) if m == 1
    ]
    if strata and lonely:
        raise InvalidDataError(
            f"Strata {lonely[:5]} hold a single response; a stratum needs two or "
            "more to estimate its variance. Hint: merge it with a similar stratum."
        )
    cells = CalibrationCells(
        n=n,
        sum_w=sd * f,
        sum_w2=sd2 * f * f,
        sum_d=sd,
        codes=calibration.cell_codes,
        domain=np.array([True] * n_dom + [False]),
    )
    return CalibratedCounts(
        cells=cells,
        domains=tuple(labels),
        strata=strata_labels,
        categories=points,
        omissions=omissions,
    )


def metric_codes(
    metric: str,
    categories: FloatArray,
    *,
    breaks: tuple[int, int],
    top: Sequence[float],
) -> tuple[FloatArray, float]:
    """Per-point codes of a metric and its display scale (100 for NPS points)."""
    if metric == "nps":
        return nps_codes(categories, breaks), 100.0
    if metric == "top_box":
        return np.isin(categories, np.asarray(top, dtype=np.float64)).astype(
            np.float64
        ), 1.0
    return np.asarray(categories, dtype=np.float64), 1.0


def resolve_scale(
    metric: str, scale: tuple[int, int] | ResponseScale | None
) -> ResponseScale:
    """Return the response scale of a metric (0–10 for NPS, else 1–5 by default)."""
    if scale is None:
        return NPS_SCALE if metric == "nps" else CSAT_SCALE
    if isinstance(scale, ResponseScale):
        return scale
    try:
        low, high = (int(v) for v in scale)
        ok = (low, high) == tuple(scale) and low < high
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InvalidParameterError(
            "`scale` must be a pair of integers (low, high) with low < high; "
            f"got {scale!r}."
        )
    return ResponseScale(low, high)


def check_breaks(breaks: Sequence[int]) -> tuple[int, int]:
    """Validate NPS breaks (last detractor, last passive score)."""
    try:
        low, high = (int(b) for b in breaks)
        ok = (low, high) == tuple(breaks) and 0 <= low < high < 10
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InvalidParameterError(
            "`breaks` must be two increasing integers inside 0–10 (last detractor, "
            f"last passive score); got {breaks!r}. Hint: the standard NPS uses "
            "breaks=(6, 8)."
        )
    return low, high


def check_top(top: Sequence[float], scale: ResponseScale) -> tuple[float, ...]:
    """Validate top-box points against the scale."""
    try:
        values = tuple(float(t) for t in top)
    except (TypeError, ValueError):
        values = ()
    if not values or any(
        not (scale.low <= v <= scale.high and v.is_integer()) for v in values
    ):
        raise InvalidParameterError(
            f"`top` must list points of the scale ({scale.describe()}); got {top!r}."
        )
    return values


_METRIC_LABEL = {
    "nps": "NPS (points)",
    "top_box": "top-box share",
    "mean": "mean score",
}


@validate_params(
    {
        "score": ColumnNames(many=False, none_ok=False),
        "calibration": CalibrationSpec(none_ok=False),
        "metric": Options(("nps", "top_box", "mean")),
        "by": ColumnNames(),
        "strata": ColumnNames(many=False),
        "confidence_level": CONFIDENCE_LEVEL,
        "nan_policy": Options(("omit", "raise")),
    }
)
def calibrated_score(
    data: Any,
    score: str,
    calibration: WeightingResult,
    *,
    metric: Metric = "nps",
    by: str | Sequence[str] | None = None,
    strata: str | None = None,
    breaks: tuple[int, int] = (6, 8),
    top: Sequence[float] = (4, 5),
    scale: tuple[int, int] | ResponseScale | None = None,
    confidence_level: float = 0.95,
    nan_policy: NanPolicy = "omit",
    na_values: Sequence[float] = (),
) -> CalibratedScoreResult:
    r"""Estimate a score after raking or post-stratification, with calibrated SE.

    Parameters
    ----------
    data : DataFrame-like
        The responses the weights were computed on (any narwhals-supported
        table; lazy tables work, since only cell sums are needed).
    score : str
        The rating column.
    calibration : WeightingResult
        The result of :func:`rake` or :func:`poststratify` on ``data``; its
        ``variance`` picks R's ``rake()``, ``calibrate()`` or ``postStratify()``
        residual.
    metric : {'nps', 'top_box', 'mean'}, default: 'nps'
        NPS in points, the share in ``top``, or the mean rating.
    by : str or list of str, optional
        Group columns (domains of the calibrated sample).
    strata : str, optional
        Stratum column of the design.
    breaks : (int, int), default: (6, 8)
        NPS breaks (last detractor and last passive score).
    top : sequence of int, default: (4, 5)
        Scale points of the top box.
    scale : (int, int) or ResponseScale, optional
        Rating scale (default 0–10 for NPS, 1–5 otherwise).
    confidence_level : float, default: 0.95
        Level of the normal intervals.
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Missing scores are left out of the estimates (the rows stay in the
        calibration, as in R) or raise.
    na_values : sequence of float, default: ()
        Codes treated as missing.

    Returns
    -------
    CalibratedScoreResult
        Per group: ``estimate``, calibrated ``std_error`` and interval,
        ``std_error_fixed`` (weights treated as fixed), ``variance_ratio``,
        ``n``, ``n_eff``, ``sum_weights``; ``.covariance`` between groups.

    Raises
    ------
    ColumnNotFoundError, InvalidDataError, InsufficientDataError
        As in :func:`cxmetrics.nps`; also when ``data`` are not the data the
        weights were computed on.
    InvalidParameterError
        An invalid argument, or a ``calibration`` without margins.

    See Also
    --------
    rake, poststratify : make the calibration.
    cxmetrics.compare.compare_periods : period changes with ``calibration=``.

    Notes
    -----
    For a domain mean :math:`\hat\theta_D` the influence value of unit :math:`i`
    is :math:`w_i a_i`, :math:`a_i = 1[i\in D](y_i-\hat\theta_D)/\hat W_D`. The
    calibrated variance replaces it by the residual :math:`w_i(a_i - b_{c(i)})`
    of :mod:`cxmetrics.estimators.calibration` (R ``survey``'s
    ``svyrecvar``) before the stratified with-replacement formula; the fixed
    weights SE (``std_error_fixed``) skips that step (R's ``svymean`` on
    ``svydesign(ids=~1, weights=~w)`` with the final weights). The calibrated SE
    is usually smaller, markedly so when the margins predict the score. Rows with
    a missing score stay in the design as units outside every domain, as R's
    ``na.rm=TRUE`` treats them (they count in the stratum sizes :math:`n_h`).

    Validation: estimates and SEs match R ``survey`` 4.1.1 ``svymean`` /
    ``svyby(covmat=TRUE)`` after ``rake()``, ``calibrate(calfun="raking")`` and
    ``postStratify()``, each against its own call, to rtol 1e-10
    (``tests/reference/data/weighting.json``).

    References
    ----------
    .. [1] Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R.
       Wiley, §7.2–7.4.
    .. [2] Särndal, C.-E., Swensson, B., & Wretman, J. (1992). Model Assisted
       Survey Sampling. Springer, §6.6.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.weighting import calibrated_score, rake
    >>> survey = cx.datasets.load_example_survey()
    >>> q4 = survey[survey["period"] == "2025-Q4"]
    >>> segments = cx.datasets.EXAMPLE_SURVEY_TRUTH.segment_shares["2025-Q4"]
    >>> raked = rake(q4, {"segment": dict(segments)})
    >>> res = calibrated_score(q4, "nps", raked)
    >>> bool(res.std_error < res.to_frame()["std_error_fixed"].iloc[0])
    True
    >>> res.confidence_interval(0.9).method
    'normal'
    """
    by_columns = as_list(by)
    scale_ = resolve_scale(metric, scale)
    breaks_ = check_breaks(breaks) if metric == "nps" else (6, 8)
    top_ = check_top(top, scale_) if metric == "top_box" else ()
    counts = calibration_counts(
        data,
        score,
        calibration,
        scale=scale_,
        domains=by_columns,
        strata=[strata] if strata else [],
        nan_policy=nan_policy,
        na_values=na_values,
    )
    codes, factor = metric_codes(metric, counts.categories, breaks=breaks_, top=top_)
    dm = calibrated_domain_means(counts.cells, codes, method=_flavour(calibration))
    fixed = domain_means(counts.fixed_moments(codes))
    table = score_table(dm, fixed, counts.domains, by_columns, factor, confidence_level)
    return CalibratedScoreResult(
        table=table,
        group_names=tuple(by_columns),
        covariance=factor * factor * dm.covariance,
        metric=_METRIC_LABEL[metric],
        variance=calibration.variance,
        confidence_level=confidence_level,
        call={
            "function": "calibrated_score",
            "score": score,
            "metric": metric,
            "by": by_columns,
            "strata": strata,
            "variance": calibration.variance,
        },
        versions=provenance_versions(),
    )


def _flavour(calibration: WeightingResult) -> Any:
    return (
        calibration.variance
        if calibration.variance in ("greg", "raking")
        else ("poststratify")
    )


def score_table(
    dm: DomainMeans,
    fixed: DomainMeans,
    domains: Sequence[tuple[Hashable, ...]],
    names: Sequence[str],
    factor: float,
    confidence_level: float,
) -> pd.DataFrame:
    """Tidy table of calibrated estimates beside their fixed-weights SEs."""
    z = float(stats.norm.ppf(0.5 + confidence_level / 2))
    frame = group_labels_frame(list(domains), list(names))
    est = factor * dm.estimate
    se = factor * dm.std_error
    se_fixed = factor * fixed.std_error
    frame["estimate"] = est
    frame["std_error"] = se
    frame["ci_low"] = est - z * se
    frame["ci_high"] = est + z * se
    frame["std_error_fixed"] = se_fixed
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["variance_ratio"] = (se / se_fixed) ** 2
    frame["n"] = dm.n.astype(np.int64)
    frame["n_eff"] = dm.n_eff
    frame["sum_weights"] = dm.sum_w
    return frame
