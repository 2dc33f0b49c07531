"""From a reduced :class:`ValueTable` to validated sufficient statistics.

This is where the data rules are enforced once for every engine: values on the
declared scale, the missing-value policy, usable weights.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxmetrics.data.frame import VALUE_PREFIX, MomentTable, ValueTable
from cxmetrics.data.scales import ResponseScale
from cxmetrics.errors import InsufficientDataError, InvalidDataError
from cxmetrics.suffstats import CategoryCounts, Moments

__all__ = [
    "Omissions",
    "category_counts",
    "check_scale",
    "check_strata",
    "moments",
]

NanPolicy = Literal["omit", "raise"]


@dataclass(frozen=True, slots=True)
class Omissions:
    """Rows left out of an analysis, by reason."""

    missing_value: int = 0
    missing_key: int = 0

    @property
    def total(self) -> int:
        """All omitted rows."""
        return self.missing_value + self.missing_key


def _few(values: Sequence[float], k: int = 5) -> str:
    shown = [int(v) if float(v).is_integer() else float(v) for v in values[:k]]
    more = f" (and {len(values) - k} more)" if len(values) > k else ""
    return f"{shown}{more}"


def infinite_weights(name: str) -> InvalidDataError:
    """Build the error for a weight column holding ±inf (its sums are not finite)."""
    return InvalidDataError(
        f"Weight column {name!r} holds infinite values. Hint: cap or drop them; "
        "a weight must be a finite non-negative number."
    )


def check_weights(vt: ValueTable | MomentTable) -> None:
    """Raise for missing, negative, infinite or all-zero weights."""
    if vt.weights is None:
        return
    name = vt.weights
    if vt.n_weight_missing:
        raise InvalidDataError(
            f"Weight column {name!r} has {vt.n_weight_missing} missing value(s). "
            "Hint: 1. drop those rows; or 2. fill them (e.g. with the mean weight "
            "of their cell) before the analysis."
        )
    if vt.min_weight < 0:  # NaN (unknown) compares False
        raise InvalidDataError(
            f"Weight column {name!r} must be non-negative; its smallest value is "
            f"{vt.min_weight:g}."
        )
    if not np.isfinite(vt.table["sum_w"].to_numpy(dtype=np.float64)).all():
        raise infinite_weights(name)
    if vt.table["sum_w"].sum() <= 0:
        raise InvalidDataError(
            f"Weight column {name!r} sums to zero: every weight is 0, so no "
            "response carries information."
        )


def check_scale(
    values: pd.Series, column: str, argument: str, scale: ResponseScale
) -> None:
    """Raise for fractional or off-scale values, naming a few of them."""
    present = np.unique(values.dropna().to_numpy(dtype=np.float64))
    fractional = present[present != np.rint(present)]
    if fractional.size:
        raise InvalidDataError(
            f"Column {column!r} (from `{argument}`) must hold whole scale points "
            f"({scale.describe()}); found fractional values {_few(list(fractional))}. "
            "Hint: round the ratings, or use `mean_score` for a continuous measure."
        )
    outside = present[(present < scale.low) | (present > scale.high)]
    if outside.size:
        raise InvalidDataError(
            f"Column {column!r} (from `{argument}`) holds values outside the scale "
            f"({scale.describe()}): {_few(list(outside))}. Hint: 1. recode "
            "'don't know' or 'not applicable' codes (such as 99) as missing, e.g. "
            "with `na_values=[99]`; 2. or pass the right `scale=(low, high)`."
        )


def prepare_table(
    vt: ValueTable,
    *,
    arguments: Sequence[str],
    scale: ResponseScale | None,
    nan_policy: NanPolicy,
    na_values: Sequence[float] = (),
) -> tuple[pd.DataFrame, Omissions]:
    """Validate a value table and split off the omitted rows."""
    check_weights(vt)
    table = vt.table
    value_columns = [f"{VALUE_PREFIX}{i}" for i in range(len(vt.value_names))]
    if len(na_values):
        table = table.copy()
        for column in value_columns:
            table.loc[table[column].isin(list(na_values)), column] = np.nan
    if scale is not None:
        for column, name, argument in zip(
            value_columns, vt.value_names, arguments, strict=True
        ):
            check_scale(table[column], name, argument, scale)
    key_columns = [*vt.group_names, *(["__stratum"] if vt.stratified else [])]
    key_missing = _any_missing(table, key_columns)
    value_missing = _any_missing(table, value_columns) & ~key_missing
    n = table["n"].to_numpy()
    omissions = Omissions(
        missing_value=int(n[value_missing].sum()),
        missing_key=int(n[key_missing].sum()),
    )
    if nan_policy == "raise" and omissions.total:
        parts = []
        if omissions.missing_value:
            parts.append(
                f"{omissions.missing_value} row(s) with a missing value in "
                f"{list(vt.value_names)}"
            )
        if omissions.missing_key:
            parts.append(
                f"{omissions.missing_key} row(s) with a missing group or stratum"
            )
        raise InvalidDataError(
            "`nan_policy='raise'` and the data have " + " and ".join(parts) + ". "
            "Hint: pass `nan_policy='omit'` to leave them out (they are counted)."
        )
    if int(n[~(key_missing | value_missing)].sum()) == 0:
        raise InsufficientDataError(
            f"No usable responses in {list(vt.value_names)}: the data are empty or "
            "every value is missing."
        )
    if key_missing.any():
        table = table[~key_missing]
    return table, omissions


def _any_missing(table: pd.DataFrame, columns: Sequence[str]) -> NDArray[np.bool_]:
    """Rows of ``table`` with a missing value in any of ``columns``."""
    missing = np.zeros(len(table), dtype=bool)
    for column in columns:
        missing |= table[column].isna().to_numpy()
    return missing


def category_counts(
    vt: ValueTable,
    *,
    argument: str,
    scale: ResponseScale,
    nan_policy: NanPolicy,
    na_values: Sequence[float] = (),
    recode: Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]]
    | None = None,
    categories: NDArray[np.float64] | None = None,
) -> tuple[CategoryCounts, Omissions]:
    """Validate ``vt`` and build :class:`CategoryCounts` on the scale's points.

    With two value columns (paired ratings), ``recode(v0, v1)`` maps each pair to
    one value among ``categories`` (e.g. the difference of their NPS codes).
    """
    arguments = (
        [argument]
        if len(vt.value_names) == 1
        else [f"{argument}[{i}]" for i in range(len(vt.value_names))]
    )
    table, omissions = prepare_table(
        vt, arguments=arguments, scale=scale, nan_policy=nan_policy, na_values=na_values
    )
    values = table[f"{VALUE_PREFIX}0"].to_numpy(dtype=np.float64)
    if recode is not None:
        values = recode(values, table[f"{VALUE_PREFIX}1"].to_numpy(dtype=np.float64))
    cats = scale.points if categories is None else categories

    groups = _group_labels(vt)
    groups, g = group_positions(groups, table, vt.group_names)

    if vt.stratified:
        strata_values = table["__stratum"]
        strata: tuple[Hashable, ...] = tuple(
            sorted(strata_values.dropna().unique().tolist(), key=str)
        )
        stratum_index = {label: i for i, label in enumerate(strata)}
        h = strata_values.map(stratum_index).to_numpy(dtype=np.intp)
    else:
        strata = ("(all)",)
        h = np.zeros(len(table), dtype=np.intp)

    shape = (len(groups), len(strata), len(cats))
    omitted = np.zeros(len(groups))
    missing = np.isnan(values)
    if missing.any():
        np.add.at(omitted, g[missing], table["n"].to_numpy()[missing])
    ok = ~missing
    k = np.searchsorted(cats, values[ok])
    cell = np.ravel_multi_index((g[ok], h[ok], k), shape)
    n, sw, sw2 = (
        np.bincount(
            cell,
            weights=table[column].to_numpy(dtype=np.float64)[ok],
            minlength=int(np.prod(shape)),
        )
        .astype(np.float64, copy=False)
        .reshape(shape)
        for column in ("n", "sum_w", "sum_w2")
    )
    counts = CategoryCounts(
        groups=groups,
        group_names=vt.group_names,
        strata=strata,
        categories=np.asarray(cats, dtype=np.float64),
        n=n,
        sum_w=sw,
        sum_w2=sw2,
        n_omitted=omitted,
    )
    return counts, omissions


def group_positions(
    groups: tuple[tuple[Hashable, ...], ...],
    table: pd.DataFrame,
    names: Sequence[str],
) -> tuple[tuple[tuple[Hashable, ...], ...], NDArray[np.intp]]:
    """Position of each table row's group in ``groups`` (vectorised).

    Groups present in ``table`` but missing from ``groups`` are appended (sorted).
    """
    if not names:
        return groups, np.zeros(len(table), dtype=np.intp)
    if len(names) == 1:
        g = _positions_of_one_key([group[0] for group in groups], table[names[0]])
        if (g >= 0).all():
            return groups, g
    keys = pd.MultiIndex.from_frame(table[list(names)].astype(object))
    lookup = pd.MultiIndex.from_tuples(list(groups), names=list(names))
    g = lookup.get_indexer(keys)
    if (g < 0).any():  # a group the order table missed: append it
        extra = sorted(set(keys[g < 0]), key=str)
        groups = groups + tuple(extra)
        lookup = pd.MultiIndex.from_tuples(list(groups), names=list(names))
        g = lookup.get_indexer(keys)
    return groups, np.asarray(g, dtype=np.intp)


def _positions_of_one_key(labels: list[Hashable], keys: pd.Series) -> NDArray[np.intp]:
    """Position of each key among ``labels`` (−1 if absent), per category once."""
    lookup = pd.Index(labels, dtype=object)
    if isinstance(keys.dtype, pd.CategoricalDtype):
        codes = keys.cat.codes.to_numpy()
        of_category = lookup.get_indexer(keys.cat.categories.astype(object))
        return np.asarray(np.where(codes >= 0, of_category[codes], -1), dtype=np.intp)
    return np.asarray(lookup.get_indexer(pd.Index(keys, dtype=object)), dtype=np.intp)


def _group_labels(vt: ValueTable | MomentTable) -> tuple[tuple[Hashable, ...], ...]:
    return group_labels(vt.groups, vt.group_names)


def group_labels(
    groups: pd.DataFrame, names: Sequence[str]
) -> tuple[tuple[Hashable, ...], ...]:
    """Group key tuples from a frame of distinct keys (``("(all)",)`` if none)."""
    if not names:
        return (("(all)",),)
    return tuple(zip(*(groups[c].tolist() for c in names), strict=True))


def moments(
    mt: MomentTable,
    *,
    argument: str,
    nan_policy: NanPolicy,
) -> tuple[Moments, Omissions]:
    """Validate a :class:`MomentTable`; build :class:`Moments` per group × stratum."""
    check_weights(mt)
    if mt.n_nonfinite:
        raise InvalidDataError(
            f"Column {mt.value_name!r} (from `{argument}`) holds {mt.n_nonfinite} "
            "infinite value(s). Hint: replace them with NaN or a finite value."
        )
    table = mt.table
    key_columns = [*mt.group_names, *(["__stratum"] if mt.stratified else [])]
    key_missing = (
        table[key_columns].isna().any(axis=1)
        if key_columns
        else pd.Series(False, index=table.index)
    )
    omissions = Omissions(
        missing_value=int(table.loc[~key_missing, "n_missing"].sum()),
        missing_key=int(
            (table.loc[key_missing, "n"] + table.loc[key_missing, "n_missing"]).sum()
        ),
    )
    if nan_policy == "raise" and omissions.total:
        raise InvalidDataError(
            f"`nan_policy='raise'` and the data have {omissions.total} row(s) with a "
            f"missing value in {mt.value_name!r} or a missing group/stratum. "
            "Hint: pass "
            "`nan_policy='omit'` to leave them out (they are counted)."
        )
    table = table[~key_missing]
    if int(table["n"].sum()) == 0:
        raise InsufficientDataError(
            f"No usable values in {mt.value_name!r}: the data are empty or every value "
            "is missing."
        )
    groups = group_labels(mt.groups, mt.group_names)
    groups, g = group_positions(groups, table, mt.group_names)
    if mt.stratified:
        strata: tuple[Hashable, ...] = tuple(
            sorted(table["__stratum"].unique().tolist(), key=str)
        )
        h = (
            table["__stratum"]
            .map({s: i for i, s in enumerate(strata)})
            .to_numpy(dtype=np.intp)
        )
    else:
        strata = ("(all)",)
        h = np.zeros(len(table), dtype=np.intp)
    shape = (len(groups), len(strata))
    arrays = {}
    for column in ("n", "sum_w", "sum_wx", "sum_wx2", "sum_w2", "sum_w2x", "sum_w2x2"):
        out = np.zeros(shape)
        np.add.at(out, (g, h), table[column].to_numpy(dtype=np.float64))
        arrays[column] = out
    omitted = np.zeros(len(groups))
    np.add.at(omitted, g, table["n_missing"].to_numpy(dtype=np.float64))
    result = Moments(
        groups=groups,
        group_names=mt.group_names,
        strata=strata,
        n_design=arrays["n"].sum(axis=0),
        n_omitted=omitted,
        **arrays,
    )
    return result, omissions


def check_strata(counts: CategoryCounts, strata: str | None) -> None:
    """Raise when a stratum holds a single response (its variance is undefined)."""
    lonely = [
        label for label, n in zip(counts.strata, counts.n_design, strict=True) if n == 1
    ]
    if strata is not None and lonely:
        raise InvalidDataError(
            f"Stratum column {strata!r} has strata with a single response: "
            f"{lonely[:5]}. A stratum needs two or more responses to estimate its "
            "variance (R's survey fails here too). Hint: 1. merge each such stratum "
            "with a similar one; 2. or drop `strata`."
        )
