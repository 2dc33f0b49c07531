"""Counts of two ratings given by the same respondents (paired designs).

One joint reduce of the two rating columns (any engine) gives the sufficient
statistics of the paired difference and of each rating on the complete pairs:
the gap model (experience − expectation) and paired score comparisons (your brand
vs a competitor) both start here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from cxmetrics.data.frame import VALUE_PREFIX, ValueTable, reduce_values
from cxmetrics.data.scales import ResponseScale
from cxmetrics.data.summaries import category_counts, check_scale, check_strata
from cxmetrics.errors import InvalidDataError
from cxmetrics.suffstats import CategoryCounts

__all__ = ["PairedCounts", "check_pair_scales", "paired_counts", "rescaler"]

FloatArray = NDArray[np.float64]
NanPolicy = Literal["omit", "raise"]


@dataclass(frozen=True, slots=True)
class PairedCounts:
    """Counts of the paired difference and of each rating, on complete pairs."""

    difference: CategoryCounts
    first: CategoryCounts
    second: CategoryCounts


def rescaler(
    source: ResponseScale, target: ResponseScale
) -> tuple[FloatArray, FloatArray]:
    """Points of ``source`` and their images on ``target`` (linear map)."""
    points = source.points
    if (source.low, source.high) == (target.low, target.high):
        return points, points
    factor = (target.high - target.low) / (source.high - source.low)
    return points, target.low + (points - source.low) * factor


def check_pair_scales(
    vt: ValueTable,
    arguments: Sequence[str],
    scales: Sequence[ResponseScale],
    na_values: Sequence[float],
    detect: bool,
) -> None:
    """Each value column on its own scale; warn-free error when scales look mixed."""
    table = vt.table
    observed = []
    for i, (name, argument, scale) in enumerate(
        zip(vt.value_names, arguments, scales, strict=True)
    ):
        values = table[f"{VALUE_PREFIX}{i}"]
        if len(na_values):
            values = values.where(~values.isin(list(na_values)))
        check_scale(values, name, argument, scale)
        present = values.notna() & (table["n"] > 0)
        observed.append(
            (
                values[present].max() if present.any() else np.nan,
                int(table.loc[present, "n"].sum()),
            )
        )
    if not detect or len(observed) != 2:
        return
    scale = scales[0]
    half = scale.low + 0.5 * (scale.high - scale.low)
    top = scale.high - 0.1 * (scale.high - scale.low)
    (max_a, n_a), (max_b, n_b) = observed
    if min(n_a, n_b) < 30 or np.isnan(max_a) or np.isnan(max_b):
        return
    if (max_a <= half and max_b >= top) or (max_b <= half and max_a >= top):
        low_side = vt.value_names[0] if max_a <= half else vt.value_names[1]
        raise InvalidDataError(
            f"Columns {vt.value_names[0]!r} and {vt.value_names[1]!r} seem to use "
            f"different scales: {low_side!r} never exceeds {min(max_a, max_b):g} "
            f"while the other reaches {max(max_a, max_b):g} on the declared "
            f"{scale.low}–{scale.high} scale. A gap between ratings on different "
            "scales is meaningless. Hint: 1. declare the other scale, e.g. "
            "`expectation_scale=(1, 5), rescale=True` to map it linearly onto "
            "`scale`; 2. or pass `expectation_scale=scale` explicitly if the ratings "
            "really share one scale."
        )


def paired_counts(
    data: Any,
    first: str,
    second: str,
    *,
    scale: ResponseScale,
    second_scale: ResponseScale,
    weights: Any,
    by: Sequence[str],
    strata: str | None,
    nan_policy: NanPolicy,
    na_values: Sequence[float],
    arguments: tuple[str, str],
    detect_scales: bool,
    codes: Callable[[FloatArray], FloatArray] | None = None,
) -> PairedCounts:
    """Weighted counts of a paired difference, from one joint reduce.

    The second rating may be on another scale and is then mapped linearly onto
    ``scale``. Only respondents with both ratings count. With ``codes`` (a map
    from scale points to codes, e.g. NPS codes +1/0/−1 or top-box indicators)
    the difference is taken between the codes of the two ratings.
    """
    union = ResponseScale(
        min(scale.low, second_scale.low), max(scale.high, second_scale.high)
    )
    vt = reduce_values(
        data,
        [first, second],
        weights=weights,
        by=list(by),
        strata=strata,
        value_arguments=list(arguments),
        integer_range=(union.low, union.high),
    )
    check_pair_scales(vt, arguments, (scale, second_scale), na_values, detect_scales)
    code = codes if codes is not None else (lambda x: x)
    _, image = rescaler(second_scale, scale)
    first_values = np.unique(code(scale.points))
    second_values = np.unique(code(image))
    span = np.unique(np.subtract.outer(first_values, second_values).ravel())

    def coded(values: FloatArray) -> FloatArray:
        out = np.full(values.shape, np.nan)
        ok = ~np.isnan(values)
        out[ok] = code(values[ok])
        return out

    def mapped(b: FloatArray) -> FloatArray:
        out = np.full(b.shape, np.nan)
        ok = ~np.isnan(b)
        out[ok] = image[(b[ok] - second_scale.low).astype(int)]
        return coded(out)

    def recode_difference(a: FloatArray, b: FloatArray) -> FloatArray:
        return coded(a) - mapped(b)

    def recode_first(a: FloatArray, b: FloatArray) -> FloatArray:
        return np.where(np.isnan(b), np.nan, coded(a))

    def recode_second(a: FloatArray, b: FloatArray) -> FloatArray:
        return np.where(np.isnan(a), np.nan, mapped(b))

    def counts_of(recode: Any, categories: FloatArray) -> CategoryCounts:
        counts, _ = category_counts(
            vt,
            argument=f"{arguments[0]}/{arguments[1]}",
            scale=union,
            nan_policy=nan_policy,
            na_values=na_values,
            recode=recode,
            categories=categories,
        )
        return counts

    difference = counts_of(recode_difference, span)
    check_strata(difference, strata)
    return PairedCounts(
        difference=difference,
        first=counts_of(recode_first, first_values),
        second=counts_of(recode_second, second_values),
    )
