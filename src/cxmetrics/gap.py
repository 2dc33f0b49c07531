r"""Gap model: satisfaction = experience − expectation, and gaps to a target.

Per experience attribute, :func:`gap` compares each respondent's experience rating
with their expectation (the "triangle law" of the seven-step method), and
:func:`gap_to_target` compares experience with an ideal or target level. Both take
respondent data (any narwhals-supported table) or a summary table of numbers per
attribute with missing cells.

Respondent data are reduced, per attribute, to weighted counts per group × stratum ×
(experience, reference) pair inside the caller's engine
(:func:`cxmetrics.data.frame.reduce_values`, validated by
:func:`cxmetrics.data.summaries.category_counts`); the gap is the weighted mean of
the paired difference with the linearisation variance of R's ``survey`` package
(:func:`cxmetrics.estimators.linearization.domain_means`).

Imports: _validation, _warnings, data, errors, estimators, results.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from cxmetrics._validation import (
    Boolean,
    ColumnNames,
    Constraint,
    Interval,
    Options,
    validate_params,
)
from cxmetrics._warnings import warn
from cxmetrics.data.frame import reduce_values
from cxmetrics.data.native import as_narwhals, is_lazy
from cxmetrics.data.paired import PairedCounts, paired_counts
from cxmetrics.data.scales import ResponseScale
from cxmetrics.data.summaries import category_counts, check_strata
from cxmetrics.errors import (
    DegenerateDataWarning,
    InsufficientDataError,
    InvalidParameterError,
)
from cxmetrics.estimators.gap import cronbach_alpha, difference_reliability
from cxmetrics.estimators.linearization import DomainMeans, domain_means
from cxmetrics.results.base import group_labels_frame, provenance_versions
from cxmetrics.results.gap import GapResult, t_limits
from cxmetrics.results.scores import domain_df
from cxmetrics.suffstats import CategoryCounts

__all__ = ["gap", "gap_to_target"]

FloatArray = NDArray[np.float64]
NanPolicy = Literal["omit", "raise"]
Alternative = Literal["two-sided", "less", "greater"]


# --- parameter constraints ------------------------------------------------------------


@dataclass(frozen=True)
class Ratings(Constraint):
    """Column name(s) of ratings, or numbers per attribute (a summary table)."""

    none_ok: bool = True
    scalar_ok: bool = False
    hint: str | None = None

    @property
    def description(self) -> str:  # type: ignore[override]
        """Describe what is accepted."""
        text = (
            "a column name, a list of column names, or numbers per attribute "
            "(a mapping or pandas Series)"
        )
        if self.scalar_ok:
            text += ", or one number for every attribute"
        return text + (" or None" if self.none_ok else "")

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` has an accepted type."""
        if value is None:
            return self.none_ok
        if isinstance(value, bool | np.bool_):
            return False
        if isinstance(value, str | Mapping | pd.Series | np.ndarray):
            return True
        if isinstance(value, numbers.Real):
            return self.scalar_ok
        if isinstance(value, list | tuple):
            return len(value) > 0
        return False

    def invalid_example(self) -> object:
        """Return a value of a wrong type."""
        return {1, 2}


LEVEL = Interval("real", 0, 1, closed="neither", hint="pass 0.95 for a 95% interval.")
COMMON = {
    "weights": ColumnNames(many=False),
    "by": ColumnNames(),
    "strata": ColumnNames(many=False),
    "confidence_level": LEVEL,
    "nan_policy": Options(("omit", "raise")),
    "alternative": Options(("two-sided", "less", "greater")),
    "min_n": Interval("integral", 0, None),
}


# --- input normalisation --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spec:
    """A normalised ratings argument: columns or numbers, per attribute."""

    kind: Literal["columns", "numbers", "scalar"]
    columns: tuple[str, ...] = ()
    names: tuple[str, ...] | None = None  # attribute names when given by a mapping
    numbers: Mapping[str, float] | None = None
    scalar: float = math.nan


def _as_float(value: object, name: str, key: object) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(
            f"`{name}[{key!r}]` must be a number (or None for a missing cell); got "
            f"{value!r}."
        )
    return float(value)


def parse_ratings(
    value: Any, name: str, attributes: Sequence[str] | None
) -> Spec | None:
    """Normalise a ratings argument (columns, mapping, Series, list, scalar)."""
    if value is None:
        return None
    if isinstance(value, str):
        return Spec("columns", columns=(value,))
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        return Spec("scalar", scalar=float(value))
    if isinstance(value, pd.Series):
        if pd.api.types.is_object_dtype(value.dtype) or pd.api.types.is_string_dtype(
            value.dtype
        ):
            if all(isinstance(v, str) for v in value):
                return Spec(
                    "columns",
                    columns=tuple(value),
                    names=tuple(str(k) for k in value.index),
                )
        value = {str(k): v for k, v in value.items()}
    if isinstance(value, Mapping):
        if value and all(isinstance(v, str) for v in value.values()):
            return Spec(
                "columns",
                columns=tuple(value.values()),
                names=tuple(str(k) for k in value),
            )
        return Spec(
            "numbers",
            numbers={
                str(k): _as_float(
                    None if (isinstance(v, float) and math.isnan(v)) else v, name, k
                )
                for k, v in value.items()
            },
        )
    items = list(np.asarray(value).tolist() if isinstance(value, np.ndarray) else value)
    if items and all(isinstance(v, str) for v in items):
        return Spec("columns", columns=tuple(items))
    if attributes is None or len(attributes) != len(items):
        raise InvalidParameterError(
            f"`{name}` given as a list of numbers needs `attributes` of the same "
            f"length to name them; got {len(items)} number(s) and "
            f"{'no' if attributes is None else len(attributes)} attribute name(s). "
            "Hint: pass a mapping such as {'price': 7, 'service': 6}."
        )
    return Spec(
        "numbers",
        numbers={
            str(a): _as_float(v, name, a)
            for a, v in zip(attributes, items, strict=True)
        },
    )


_SEPARATORS = "_ .-"


def _common_prefix(strings: Sequence[str]) -> str:
    """Longest common leading substring (character by character)."""
    if not strings:
        return ""
    first = strings[0]
    for i, ch in enumerate(first):
        if any(i >= len(s) or s[i] != ch for s in strings[1:]):
            return first[:i]
    return first


def attribute_names(first: Sequence[str], second: Sequence[str]) -> list[str]:
    """Names shared by paired columns: 'exp_price'/'expct_price' → 'price'."""
    names = []
    for a, b in zip(first, second, strict=True):
        suffix = _common_prefix([a[::-1], b[::-1]])[::-1]
        prefix = _common_prefix([a, b])
        cut = [i for i, ch in enumerate(suffix) if ch in _SEPARATORS]
        suffix = suffix[cut[0] + 1 :] if cut else ""
        cut = [i for i, ch in enumerate(prefix) if ch in _SEPARATORS]
        prefix = prefix[: cut[-1]] if cut else ""
        names.append(suffix or prefix or a)
    if len(set(names)) != len(names):
        return list(first)
    return names


def pair_columns(
    experience: Spec,
    reference: Spec,
    attributes: Sequence[str] | None,
    reference_name: str,
) -> list[tuple[str, str, str]]:
    """(attribute, experience column, reference column) for paired column input."""
    if experience.names is not None or reference.names is not None:
        if experience.names is None or reference.names is None:
            raise InvalidParameterError(
                f"`experience` and `{reference_name}` must both be lists of columns "
                "or both mappings attribute → column."
            )
        exp_map = dict(zip(experience.names, experience.columns, strict=True))
        ref_map = dict(zip(reference.names, reference.columns, strict=True))
        only_exp = [a for a in exp_map if a not in ref_map]
        only_ref = [a for a in ref_map if a not in exp_map]
        if only_exp or only_ref:
            raise InvalidParameterError(
                f"`experience` and `{reference_name}` must name the same attributes; "
                f"missing from `{reference_name}`: {only_exp}; missing from "
                f"`experience`: {only_ref}."
            )
        names = list(attributes) if attributes is not None else list(exp_map)
        unknown = [a for a in names if a not in exp_map]
        if unknown:
            raise InvalidParameterError(
                f"`attributes` names attributes not in `experience`: {unknown}."
            )
        return [(a, exp_map[a], ref_map[a]) for a in names]
    exp_cols, ref_cols = list(experience.columns), list(reference.columns)
    if len(exp_cols) != len(ref_cols):
        raise InvalidParameterError(
            f"`experience` and `{reference_name}` must list one column per attribute "
            f"in the same order; got {len(exp_cols)} and {len(ref_cols)} columns "
            f"({exp_cols} vs {ref_cols})."
        )
    names = (
        list(attributes)
        if attributes is not None
        else attribute_names(exp_cols, ref_cols)
    )
    if len(names) != len(exp_cols):
        raise InvalidParameterError(
            f"`attributes` must name each of the {len(exp_cols)} attribute(s); got "
            f"{len(names)} name(s)."
        )
    return list(zip(names, exp_cols, ref_cols, strict=True))


def experience_columns(
    experience: Spec, attributes: Sequence[str] | None
) -> list[tuple[str, str]]:
    """(attribute, column) pairs of an experience argument naming columns."""
    if experience.names is not None:
        names = list(attributes) if attributes is not None else list(experience.names)
        lookup = dict(zip(experience.names, experience.columns, strict=True))
        unknown = [a for a in names if a not in lookup]
        if unknown:
            raise InvalidParameterError(
                f"`attributes` names attributes not in `experience`: {unknown}."
            )
        return [(a, lookup[a]) for a in names]
    columns = list(experience.columns)
    if attributes is None:
        stripped = [_strip_prefix(c, columns) for c in columns]
        names = stripped if len(set(stripped)) == len(stripped) else columns
    else:
        names = list(attributes)
    if len(names) != len(columns):
        raise InvalidParameterError(
            f"`attributes` must name each of the {len(columns)} experience column(s); "
            f"got {len(names)} name(s)."
        )
    return list(zip(names, columns, strict=True))


def _strip_prefix(column: str, columns: Sequence[str]) -> str:
    prefix = _common_prefix(list(columns)) if len(columns) > 1 else ""
    if "_" in prefix:
        prefix = prefix[: prefix.rfind("_") + 1]
    elif len(columns) == 1 and "_" in column:
        prefix = column[: column.find("_") + 1]
    else:
        prefix = ""
    return column[len(prefix) :] or column


def as_scale(value: object, name: str) -> ResponseScale:
    """Validate a ``(low, high)`` integer scale."""
    if isinstance(value, ResponseScale):
        return value
    try:
        low, high = (int(v) for v in value)  # type: ignore[attr-defined]
        ok = (low, high) == tuple(value) and low < high  # type: ignore[arg-type]
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InvalidParameterError(
            f"`{name}` must be a pair of integers (low, high) with low < high; got "
            f"{value!r}."
        )
    return ResponseScale(low, high)


def check_numbers(
    values: Mapping[str, float], name: str, scale: ResponseScale | None
) -> None:
    """Summary-table numbers must be finite (or missing) and on the scale."""
    for key, value in values.items():
        if math.isinf(value):
            raise InvalidParameterError(
                f"`{name}[{key!r}]` must be finite or None; got {value!r}."
            )
        if scale is not None and not math.isnan(value):
            if not scale.low <= value <= scale.high:
                raise InvalidParameterError(
                    f"`{name}[{key!r}]` = {value:g} is outside the scale "
                    f"{scale.low}–{scale.high}. Hint: pass the right `scale=` (and "
                    "rescale one side if the two were asked on different scales)."
                )


def weights_label(weights: Any) -> str | None:
    """How to show the weights argument."""
    return weights if isinstance(weights, str | None) else "array"


def as_list(columns: str | Sequence[str] | None) -> list[str]:
    """Return a column argument as a list."""
    if columns is None:
        return []
    return [columns] if isinstance(columns, str) else list(columns)


def single_counts(
    data: Any,
    column: str,
    *,
    scale: ResponseScale,
    weights: Any,
    by: Sequence[str],
    strata: str | None,
    nan_policy: NanPolicy,
    na_values: Sequence[float],
    argument: str,
) -> CategoryCounts:
    """Weighted counts of one rating column (validated on ``scale``)."""
    vt = reduce_values(
        data,
        [column],
        weights=weights,
        by=list(by),
        strata=strata,
        value_arguments=[argument],
        integer_range=(scale.low, scale.high),
    )
    counts, _ = category_counts(
        vt, argument=argument, scale=scale, nan_policy=nan_policy, na_values=na_values
    )
    check_strata(counts, strata)
    return counts


# --- tables ---------------------------------------------------------------------------


def _p_values(statistic: FloatArray, df: FloatArray, alternative: str) -> FloatArray:
    dfs = np.maximum(df, 1)
    with np.errstate(invalid="ignore"):
        if alternative == "less":
            p = stats.t.cdf(statistic, dfs)
        elif alternative == "greater":
            p = stats.t.sf(statistic, dfs)
        else:
            p = 2 * stats.t.sf(np.abs(statistic), dfs)
    return np.asarray(np.where(df > 0, p, np.nan), dtype=np.float64)


def _row_notes(n: FloatArray, se: FloatArray, min_n: int) -> list[str]:
    notes = []
    for count, s in zip(n, se, strict=True):
        if count == 0:
            notes.append("no respondent rated both")
        elif count == 1:
            notes.append("one respondent: no interval")
        elif s == 0:
            notes.append("no variation in the gap: test undefined")
        elif count < min_n:
            notes.append(f"n = {int(count)} < min_n = {min_n}")
        else:
            notes.append("")
    return notes


def gap_rows(
    pc: PairedCounts,
    *,
    attribute: str,
    reference: str,
    reference_values: FloatArray | None,
    confidence_level: float,
    alternative: str,
    min_n: int,
    reliability: tuple[float, float] | None,
) -> pd.DataFrame:
    """Rows of one attribute (one per group) from paired counts."""
    diff = pc.difference
    dm = domain_means(diff.moments())
    dm_a = domain_means(pc.first.moments())
    dm_b = domain_means(pc.second.moments())
    below = domain_means(diff.moments((diff.categories < 0).astype(np.float64)))
    above = domain_means(diff.moments((diff.categories > 0).astype(np.float64)))
    return _table(
        diff,
        dm,
        experience=dm_a,
        reference_mean=dm_b.estimate if reference_values is None else reference_values,
        below=below.estimate,
        above=above.estimate,
        attribute=attribute,
        reference=reference,
        confidence_level=confidence_level,
        alternative=alternative,
        min_n=min_n,
        variances=(dm_a.sigma2, dm_b.sigma2, dm.sigma2),
        reliability=reliability,
    )


def _table(
    counts: CategoryCounts,
    dm: DomainMeans,
    *,
    experience: DomainMeans,
    reference_mean: FloatArray,
    below: FloatArray,
    above: FloatArray,
    attribute: str,
    reference: str,
    confidence_level: float,
    alternative: str,
    min_n: int,
    variances: tuple[FloatArray, FloatArray, FloatArray] | None,
    reliability: tuple[float, float] | None,
) -> pd.DataFrame:
    frame = group_labels_frame(counts.groups, counts.group_names)
    df = domain_df(counts)
    est = dm.estimate
    se = dm.std_error
    low, high = t_limits(est, se, df, confidence_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(se > 0, est / se, np.nan)
    frame["attribute"] = attribute
    frame["experience"] = experience.estimate
    frame[reference] = reference_mean
    frame["estimate"] = est
    frame["std_error"] = se
    frame["ci_low"] = low
    frame["ci_high"] = high
    frame["statistic"] = statistic
    frame["df"] = df
    frame["p_value"] = _p_values(statistic, df, alternative)
    frame["share_negative"] = below
    frame["share_positive"] = above
    frame["n"] = dm.n.astype(np.int64)
    frame["n_eff"] = dm.n_eff
    frame["n_omitted"] = counts.n_omitted.astype(np.int64)
    if variances is not None:
        va, vb, vd = variances
        with np.errstate(divide="ignore", invalid="ignore"):
            corr = np.where(
                va * vb > 0, (va + vb - vd) / (2 * np.sqrt(va * vb)), np.nan
            )
        frame["correlation"] = np.clip(corr, -1.0, 1.0)
        if reliability is not None:
            frame["reliability_gap"] = difference_reliability(
                va, vb, corr, reliability[0], reliability[1]
            )
        else:
            frame["reliability_gap"] = np.nan
    else:
        frame["correlation"] = np.nan
        frame["reliability_gap"] = np.nan
    frame["small_sample"] = dm.n < min_n
    frame["note"] = _row_notes(dm.n, se, min_n)
    return frame


def empty_rows(
    groups: pd.DataFrame, attribute: str, reference: str, note: str
) -> pd.DataFrame:
    """Rows of an attribute that could not be computed."""
    frame = groups.copy().reset_index(drop=True)
    frame["attribute"] = attribute
    for column in (
        "experience",
        reference,
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "statistic",
        "df",
        "p_value",
        "share_negative",
        "share_positive",
    ):
        frame[column] = np.nan
    frame["n"] = 0
    frame["n_eff"] = np.nan
    frame["n_omitted"] = 0
    frame["correlation"] = np.nan
    frame["reliability_gap"] = np.nan
    frame["small_sample"] = True
    frame["note"] = note
    return frame


def summary_rows(
    names: Sequence[str],
    experience: Mapping[str, float],
    reference_values: Mapping[str, float],
    reference: str,
) -> pd.DataFrame:
    """Gap rows from a summary table (numbers per attribute, cells may be missing)."""
    rows = []
    for name in names:
        e = experience.get(name, math.nan)
        r = reference_values.get(name, math.nan)
        missing = [
            label
            for label, value in (("experience", e), (reference, r))
            if math.isnan(value)
        ]
        note = " and ".join(missing) + " not given" if missing else ""
        rows.append(
            {
                "attribute": name,
                "experience": e,
                reference: r,
                "estimate": e - r if not missing else math.nan,
                "note": note,
            }
        )
    frame = pd.DataFrame(rows)
    for column in (
        "std_error",
        "ci_low",
        "ci_high",
        "statistic",
        "df",
        "p_value",
        "share_negative",
        "share_positive",
        "n_eff",
        "correlation",
        "reliability_gap",
    ):
        frame[column] = np.nan
    frame["n"] = np.nan  # a summary table has no respondent counts
    frame["n_omitted"] = 0
    frame["small_sample"] = False
    order = [
        "attribute",
        "experience",
        reference,
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "statistic",
        "df",
        "p_value",
        "share_negative",
        "share_positive",
        "n",
        "n_eff",
        "n_omitted",
        "correlation",
        "reliability_gap",
        "small_sample",
        "note",
    ]
    return frame[order]


def summary_names(
    attributes: Sequence[str] | None, *specs: Mapping[str, float] | None
) -> list[str]:
    """Attributes of a summary table: as given, or the union of the keys in order."""
    if attributes is not None:
        return list(attributes)
    names: list[str] = []
    for spec in specs:
        for key in spec or {}:
            if key not in names:
                names.append(key)
    return names


def _reliability_of(
    reliability: Any, attributes: Sequence[str]
) -> dict[str, tuple[float, float] | None]:
    """Per-attribute (experience, reference) item reliabilities."""

    def pair(value: Any, where: str) -> tuple[float, float]:
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            values = (float(value), float(value))
        elif isinstance(value, tuple | list) and len(value) == 2:
            values = (_as_float(value[0], where, 0), _as_float(value[1], where, 1))
        else:
            raise InvalidParameterError(
                f"`{where}` must be a reliability in (0, 1] or a pair (experience, "
                f"reference); got {value!r}."
            )
        if not all(0 < v <= 1 for v in values):
            raise InvalidParameterError(
                f"`{where}` must hold reliabilities in (0, 1]; got {value!r}."
            )
        return values

    if reliability is None:
        return dict.fromkeys(attributes)
    if isinstance(reliability, Mapping):
        unknown = [k for k in reliability if k not in attributes]
        if unknown:
            raise InvalidParameterError(
                f"`reliability` names unknown attributes {unknown}; attributes: "
                f"{list(attributes)}."
            )
        return {
            a: (
                pair(reliability[a], f"reliability[{a!r}]")
                if a in reliability
                else None
            )
            for a in attributes
        }
    both = pair(reliability, "reliability")
    return dict.fromkeys(attributes, both)


def index_reliability(
    data: Any,
    pairs: Sequence[tuple[str, str, str]],
    *,
    weights: Any,
    na_values: Sequence[float],
) -> dict[str, float]:
    r"""Reliability of the gap index Σ experience − Σ reference (alpha per side).

    Uses the weighted covariance matrix of all the rating columns on the
    respondents who answered all of them. Empty for lazy tables (the rows would
    be needed) or fewer than two attributes.
    """
    if len(pairs) < 2:
        return {}
    columns = [p[1] for p in pairs] + [p[2] for p in pairs]
    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        try:
            native = as_narwhals(data)
        except InvalidParameterError:
            return {}
        if is_lazy(native):
            return {}
        frame = native.to_pandas()
    codes = np.asarray(na_values, dtype=np.float64)
    all_w = (
        frame[weights].to_numpy(dtype=np.float64, na_value=np.nan)
        if isinstance(weights, str)
        else np.ones(len(frame))
    )
    p = len(columns)
    n_used, sum_w = 0, 0.0
    sum_wx = np.zeros(p)
    sum_wxx = np.zeros((p, p))
    arrays = [frame[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in columns]
    for start in range(0, len(frame), 100_000):  # bounded memory on large frames
        x = np.column_stack([a[start : start + 100_000] for a in arrays])
        if codes.size:
            x = np.where(np.isin(x, codes), np.nan, x)
        w = all_w[start : start + 100_000]
        ok = ~np.isnan(x).any(axis=1) & np.isfinite(w)
        x, w = x[ok], w[ok]
        n_used += len(x)
        sum_w += float(w.sum())
        sum_wx += w @ x
        scaled = x * np.sqrt(w)[:, None]
        sum_wxx += scaled.T @ scaled  # A.T @ A: numpy uses BLAS syrk
    if n_used < 3 or sum_w <= 0:
        return {}
    mean = sum_wx / sum_w
    cov = sum_wxx / sum_w - np.outer(mean, mean)
    k = len(pairs)
    cov_e, cov_r = cov[:k, :k], cov[k:, k:]
    alpha_e, alpha_r = cronbach_alpha(cov_e), cronbach_alpha(cov_r)
    var_e, var_r = float(cov_e.sum()), float(cov_r.sum())
    cov_er = float(cov[:k, k:].sum())
    corr = cov_er / math.sqrt(var_e * var_r) if var_e * var_r > 0 else math.nan
    rel = float(difference_reliability(var_e, var_r, corr, alpha_e, alpha_r))
    return {
        "alpha_experience": alpha_e,
        "alpha_reference": alpha_r,
        "correlation": corr,
        "reliability_gap": rel,
        "n": float(n_used),
    }


def warn_degenerate(table: pd.DataFrame) -> None:
    """Warn once when some gaps have no variation (test undefined)."""
    flat = table["note"] == "no variation in the gap: test undefined"
    if flat.any():
        names = sorted(set(table.loc[flat, "attribute"]))
        warn(
            f"The gap of {names} is the same for every respondent (no variation), "
            "so its standard error is 0 and the test is undefined (NaN). Hint: "
            "check that the columns are not copies or constants.",
            DegenerateDataWarning,
        )


@dataclass(frozen=True, slots=True)
class GapData:
    """The gap table of respondent data, and what the result needs besides."""

    table: pd.DataFrame
    group_names: tuple[str, ...]
    n_omitted: int
    index_reliability: dict[str, float]


def compute_gaps(
    data: Any,
    experience: Spec,
    reference: Spec,
    *,
    reference_name: str,
    attributes: Sequence[str] | None,
    scale: ResponseScale,
    reference_scale: ResponseScale,
    detect_scales: bool,
    weights: Any,
    by: Sequence[str],
    strata: str | None,
    confidence_level: float,
    alternative: str,
    nan_policy: NanPolicy,
    na_values: Sequence[float],
    min_n: int,
    reliability: Any,
) -> GapData:
    """Gap rows of every attribute from respondent data (paired or fixed reference)."""
    parts: list[pd.DataFrame] = []
    n_omitted = 0
    groups: pd.DataFrame | None = None
    failed: list[tuple[str, str]] = []
    if reference.kind == "columns":
        pairs = pair_columns(experience, reference, attributes, reference_name)
        all_names = [p[0] for p in pairs]
        rel = _reliability_of(reliability, [p[0] for p in pairs])
        for name, exp_col, ref_col in pairs:
            try:
                pc = paired_counts(
                    data,
                    exp_col,
                    ref_col,
                    scale=scale,
                    second_scale=reference_scale,
                    weights=weights,
                    by=by,
                    strata=strata,
                    nan_policy=nan_policy,
                    na_values=na_values,
                    arguments=("experience", reference_name),
                    detect_scales=detect_scales,
                )
            except InsufficientDataError:
                failed.append(
                    (name, f"no respondent rated both {exp_col!r} and {ref_col!r}")
                )
                continue
            part = gap_rows(
                pc,
                attribute=name,
                reference=reference_name,
                reference_values=None,
                confidence_level=confidence_level,
                alternative=alternative,
                min_n=min_n,
                reliability=rel[name],
            )
            n_omitted += int(pc.difference.n_omitted.sum())
            groups = part[list(pc.difference.group_names)]
            parts.append(part)
        index = index_reliability(data, pairs, weights=weights, na_values=na_values)
    else:
        columns = experience_columns(experience, attributes)
        all_names = [c[0] for c in columns]
        if reliability is not None:
            raise InvalidParameterError(
                "`reliability` applies to paired ratings; a fixed target has no "
                "measurement error."
            )
        index = {}
        for name, exp_col in columns:
            if reference.kind == "scalar":
                target = reference.scalar
            else:
                assert reference.numbers is not None  # internal invariant
                target = reference.numbers.get(name, math.nan)
            if math.isnan(target):
                failed.append((name, f"{reference_name} not given"))
                continue
            if not scale.low <= target <= scale.high:
                raise InvalidParameterError(
                    f"`{reference_name}` for {name!r} = {target:g} is outside the "
                    f"scale {scale.low}–{scale.high}."
                )
            try:
                counts = single_counts(
                    data,
                    exp_col,
                    scale=scale,
                    weights=weights,
                    by=by,
                    strata=strata,
                    nan_policy=nan_policy,
                    na_values=na_values,
                    argument="experience",
                )
            except InsufficientDataError:
                failed.append((name, f"no rating in {exp_col!r}"))
                continue
            shifted = CategoryCounts(
                groups=counts.groups,
                group_names=counts.group_names,
                strata=counts.strata,
                categories=counts.categories - target,
                n=counts.n,
                sum_w=counts.sum_w,
                sum_w2=counts.sum_w2,
                n_omitted=counts.n_omitted,
            )
            dm = domain_means(shifted.moments())
            part = _table(
                shifted,
                dm,
                experience=domain_means(counts.moments()),
                reference_mean=np.full(len(counts.groups), target),
                below=domain_means(
                    shifted.moments((shifted.categories < 0).astype(np.float64))
                ).estimate,
                above=domain_means(
                    shifted.moments((shifted.categories > 0).astype(np.float64))
                ).estimate,
                attribute=name,
                reference=reference_name,
                confidence_level=confidence_level,
                alternative=alternative,
                min_n=min_n,
                variances=None,
                reliability=None,
            )
            part["note"] = [
                n if n != "no respondent rated both" else "no rating"
                for n in part["note"]
            ]
            n_omitted += int(counts.n_omitted.sum())
            groups = part[list(counts.group_names)]
            parts.append(part)
    if not parts:
        reasons = "; ".join(f"{a}: {r}" for a, r in failed)
        raise InsufficientDataError(f"No attribute has usable responses ({reasons}).")
    assert groups is not None  # internal invariant: at least one part
    for name, reason in failed:
        parts.append(empty_rows(groups, name, reference_name, reason))
    order = {name: i for i, name in enumerate(all_names)}
    table = pd.concat(parts, ignore_index=True)
    group_names = tuple(c for c in groups.columns)
    table["__order"] = table["attribute"].map(order)
    keys = [*group_names, "__order"] if group_names else ["__order"]
    if group_names:
        table["__group"] = _group_position(table, groups, group_names)
        keys = ["__group", "__order"]
    table = table.sort_values(keys, kind="stable").drop(
        columns=[c for c in ("__order", "__group") if c in table]
    )
    table = table.reset_index(drop=True)
    warn_degenerate(table)
    return GapData(
        table=table,
        group_names=group_names,
        n_omitted=n_omitted,
        index_reliability=index,
    )


def _group_position(
    table: pd.DataFrame, groups: pd.DataFrame, names: Sequence[str]
) -> NDArray[np.intp]:
    keys = list(groups[list(names)].itertuples(index=False, name=None))
    position = {k: i for i, k in enumerate(keys)}
    rows = table[list(names)].itertuples(index=False, name=None)
    return np.array([position.get(r, len(keys)) for r in rows], dtype=np.intp)


def call_of(function: str, **arguments: Any) -> dict[str, Any]:
    """Normalised call arguments for provenance."""
    shown: dict[str, Any] = {"function": function}
    for key, value in arguments.items():
        if isinstance(value, np.random.Generator):
            value = "Generator"
        elif isinstance(value, pd.Series):
            value = value.to_dict()
        elif isinstance(value, Mapping):
            value = dict(value)
        elif isinstance(value, np.ndarray):
            value = value.tolist()
        shown[key] = value
    return shown


# --- public functions -----------------------------------------------------------------


@validate_params(
    {
        **COMMON,
        "experience": Ratings(),
        "expectation": Ratings(),
        "rescale": Boolean(),
    }
)
def gap(
    data: Any = None,
    experience: str | Sequence[str] | Mapping[str, Any] | pd.Series | None = None,
    expectation: str | Sequence[str] | Mapping[str, Any] | pd.Series | None = None,
    *,
    attributes: Sequence[str] | None = None,
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
    strata: str | None = None,
    scale: tuple[int, int] = (0, 10),
    expectation_scale: tuple[int, int] | None = None,
    rescale: bool = False,
    reliability: float | tuple[float, float] | Mapping[str, Any] | None = None,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
    nan_policy: NanPolicy = "omit",
    na_values: Sequence[float] = (),
    min_n: int = 30,
) -> GapResult:
    r"""Gap between experience and expectation per attribute, with a paired test.

    Satisfaction is the gap between what customers experience and what they
    expected (the "triangle law"): per attribute, the mean experience, the mean
    expectation, their gap = experience − expectation (negative = expectations
    not met), its standard error and interval from the paired difference, a
    paired t-test, and the share of respondents whose experience fell short.

    Parameters
    ----------
    data : DataFrame-like, optional
        Responses, one row per respondent (pandas, polars, DuckDB, pyarrow…).
        Omit it to pass a summary table of numbers as ``experience`` and
        ``expectation``.
    experience, expectation : list of str, or mapping / Series of numbers
        With ``data``: the rating columns, one per attribute and in the same
        order (or mappings attribute → column). Without ``data``: numbers per
        attribute (``{"price": 7, "service": 6}``); ``None`` or NaN marks a
        missing cell, reported in ``note``.
    attributes : list of str, optional
        Attribute names (default: the common part of the paired column names,
        ``exp_price``/``expct_price`` → ``price``; for a summary table, the keys).
    weights : str, optional
        Column of non-negative sampling weights.
    by : str or list of str, optional
        Group columns; each group is a domain of the whole sample.
    strata : str, optional
        Stratum column of a stratified design.
    scale : (int, int), default: (0, 10)
        Scale of the experience ratings (and of the expectations unless
        ``expectation_scale`` says otherwise).
    expectation_scale : (int, int), optional
        Scale of the expectation ratings. Passing it (even equal to ``scale``)
        turns off the check that the observed ranges look like one scale.
    rescale : bool, default: False
        Map expectations linearly from ``expectation_scale`` onto ``scale``
        (required when the two scales differ).
    reliability : float, (float, float) or mapping, optional
        Known reliabilities of the experience and expectation items (one value
        for both, a pair, or a mapping attribute → either), e.g. from a
        test–retest study; gives ``reliability_gap`` per attribute.
    confidence_level : float, default: 0.95
        Coverage of the intervals.
    alternative : {'two-sided', 'less', 'greater'}, default: 'two-sided'
        Alternative hypothesis of the test (``'less'``: experience below
        expectation). Intervals are always two-sided.
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Respondents missing either rating of an attribute are left out of that
        attribute (counted in ``n_omitted``), or raise.
    na_values : sequence of float, default: ()
        Codes to treat as missing, e.g. ``[99]`` for "don't know".
    min_n : int, default: 30
        Rows with fewer respondents are flagged (``small_sample``).

    Returns
    -------
    GapResult
        ``to_frame()``: one row per attribute (× group) with ``attribute``,
        ``experience``, ``expectation``, ``estimate`` (the gap), ``std_error``,
        ``ci_low``, ``ci_high``, ``statistic``, ``df``, ``p_value``,
        ``share_negative``, ``share_positive``, ``n``, ``n_eff``, ``n_omitted``,
        ``correlation``, ``reliability_gap``, ``small_sample``, ``note``.
        ``index_reliability`` holds the reliability of the overall gap index.

    Raises
    ------
    ColumnNotFoundError
        A named column is missing (close names are suggested).
    InvalidDataError
        Non-numeric, fractional or off-scale ratings (declare codes such as 99
        with ``na_values``); the two ratings look like different scales; bad
        weights; a stratum with one response.
    InvalidParameterError
        Lists of different lengths, attributes missing from one side of column
        mappings, ``data`` with numbers or columns without ``data``, different
        declared scales without ``rescale=True``, invalid reliabilities.
    InsufficientDataError
        No attribute has a respondent with both ratings.

    Warns
    -----
    DegenerateDataWarning
        A gap identical for every respondent (no variation): the test is NaN.

    See Also
    --------
    gap_to_target : experience against an ideal or target level.
    key_experiences : importance × gap.

    Notes
    -----
    For respondent :math:`i` with both ratings, :math:`d_i = e_i - x_i`; the gap
    is :math:`\hat g = \sum w_i d_i / \sum w_i` and its variance the
    linearisation variance of a ratio mean under
    ``svydesign(ids=~1, strata=~h, weights=~w)``:
    :math:`\hat V = \sum_h \frac{n_h}{n_h-1}\sum_{i\in h}(u_i - \bar u_h)^2`,
    :math:`u_i = w_i(d_i - \hat g)/\sum w`. Because the difference is taken per
    respondent, the correlation of the two ratings narrows the interval. The
    t-test and interval use the design df (respondents minus strata in the
    group): without weights this is exactly the paired t-test. Experience and
    expectation means are over the same respondents, so they differ by exactly
    the gap. A group from ``by`` is a domain of the whole sample.

    Difference scores are less reliable than their parts when the parts
    correlate (Lord, 1958 [1]_; Peter, Churchill & Brown, 1993 [2]_):
    :math:`\rho_D = (\sigma_e^2\rho_e + \sigma_x^2\rho_x - 2\sigma_e\sigma_x
    r_{ex}) / (\sigma_e^2 + \sigma_x^2 - 2\sigma_e\sigma_x r_{ex})`. The table
    reports :math:`r_{ex}` always and :math:`\rho_D` when item reliabilities are
    given; ``index_reliability`` estimates the reliability of the gap *index*
    (sum of experiences − sum of expectations) with Cronbach's alpha of each
    side, on respondents who answered every rating (in-memory data only).

    Validation: estimates, SEs, t intervals and shares match R ``survey`` 4.1.1
    ``svymean(~I(e - x))`` and ``confint(df = degf)`` to rtol 1e-10, and without
    weights ``t.test(e, x, paired = TRUE)`` (statistic, df, p-value, interval);
    the index reliability matches ``psych::alpha`` and Lord's formula; the
    seven-step worked example is reproduced exactly
    (``tests/reference/data/gap.json``).

    References
    ----------
    .. [1] Lord, F. M. (1958). The utilization of unreliable difference scores.
       Journal of Educational Psychology, 49(3), 150–152.
       https://doi.org/10.1037/h0048346
    .. [2] Peter, J. P., Churchill, G. A., & Brown, T. J. (1993). Caution in
       the use of difference scores in consumer research. Journal of Consumer
       Research, 19(4), 655–662. https://doi.org/10.1086/209329
    .. [3] Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R.
       Wiley.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.gap import gap, gap_to_target
    >>> survey = cx.datasets.load_example_survey()
    >>> attrs = ["product", "service", "relationship", "price", "convenience"]
    >>> res = gap(survey, [f"exp_{a}" for a in attrs],
    ...              [f"expct_{a}" for a in attrs], weights="weight",
    ...              na_values=[99])
    >>> res
    GapResult(5 rows, experience − expectation; largest shortfall convenience -2.25)
    >>> res.to_frame()[["attribute", "estimate", "ci_low", "ci_high"]].round(2)
          attribute  estimate  ci_low  ci_high
    0       product     -0.04   -0.12     0.03
    1       service     -1.00   -1.08    -0.92
    2  relationship     -0.44   -0.53    -0.34
    3         price     -1.11   -1.19    -1.02
    4   convenience     -2.25   -2.33    -2.16
    >>> res.confidence_interval(0.99).method
    't'

    A summary table with missing cells (the seven-step example):

    >>> gap(experience={"product": 6, "service": 6, "convenience": 5},
    ...        expectation={"product": 7, "service": None, "convenience": 7}
    ...        ).to_frame()[["attribute", "estimate", "note"]]
         attribute  estimate                     note
    0      product      -1.0
    1      service       NaN  expectation not given
    2  convenience      -2.0
    """
    return _gap_impl(
        "gap",
        data,
        experience,
        expectation,
        reference_name="expectation",
        attributes=attributes,
        weights=weights,
        by=by,
        strata=strata,
        scale=scale,
        reference_scale=expectation_scale,
        rescale=rescale,
        reliability=reliability,
        confidence_level=confidence_level,
        alternative=alternative,
        nan_policy=nan_policy,
        na_values=na_values,
        min_n=min_n,
    )


def _gap_impl(
    function: str,
    data: Any,
    experience: Any,
    reference: Any,
    *,
    reference_name: str,
    attributes: Sequence[str] | None,
    weights: Any,
    by: Any,
    strata: str | None,
    scale: Any,
    reference_scale: Any,
    rescale: bool,
    reliability: Any,
    confidence_level: float,
    alternative: str,
    nan_policy: NanPolicy,
    na_values: Sequence[float],
    min_n: int,
) -> GapResult:
    if attributes is not None and (
        isinstance(attributes, str) or not all(isinstance(a, str) for a in attributes)
    ):
        raise InvalidParameterError(
            f"`attributes` must be a list of names (str); got {attributes!r}."
        )
    exp_spec = parse_ratings(experience, "experience", attributes)
    ref_spec = parse_ratings(reference, reference_name, attributes)
    if exp_spec is None or ref_spec is None:
        missing = "experience" if exp_spec is None else reference_name
        raise InvalidParameterError(f"`{missing}` is required; got None.")
    if exp_spec.kind == "scalar":
        raise InvalidParameterError(
            "`experience` must name columns or give numbers per attribute; got one "
            "number."
        )
    scale_ = as_scale(scale, "scale")
    ref_scale = (
        scale_
        if reference_scale is None
        else as_scale(reference_scale, f"{reference_name}_scale")
    )
    if (ref_scale.low, ref_scale.high) != (scale_.low, scale_.high) and not rescale:
        raise InvalidParameterError(
            f"`{reference_name}_scale` {ref_scale.low}–{ref_scale.high} differs from "
            f"`scale` {scale_.low}–{scale_.high}: a gap between ratings on different "
            "scales is meaningless. Hint: pass `rescale=True` to map the "
            f"{reference_name} linearly onto `scale`."
        )
    call = call_of(
        function,
        experience=experience,
        **{reference_name: reference},
        attributes=attributes,
        weights=weights_label(weights),
        by=as_list(by),
        strata=strata,
        scale=(scale_.low, scale_.high),
        confidence_level=confidence_level,
        alternative=alternative,
        nan_policy=nan_policy,
        na_values=list(na_values),
    )
    if data is None:
        if exp_spec.kind == "columns" or ref_spec.kind == "columns":
            raise InvalidParameterError(
                "`data` is needed when `experience` or "
                f"`{reference_name}` names columns; got data=None. Hint: pass the "
                "responses, or numbers per attribute for a summary table."
            )
        if by is not None or weights is not None or strata is not None:
            raise InvalidParameterError(
                "`weights`, `by` and `strata` need respondent data; a summary table "
                "has one number per attribute."
            )
        exp_numbers = exp_spec.numbers or {}
        if ref_spec.kind == "scalar":
            names = summary_names(attributes, exp_numbers)
            ref_numbers = dict.fromkeys(names, ref_spec.scalar)
        else:
            ref_numbers = dict(ref_spec.numbers or {})
            names = summary_names(attributes, exp_numbers, ref_numbers)
        check_numbers(exp_numbers, "experience", scale_)
        check_numbers(ref_numbers, reference_name, ref_scale)
        if rescale:
            factor = (scale_.high - scale_.low) / (ref_scale.high - ref_scale.low)
            ref_numbers = {
                k: scale_.low + (v - ref_scale.low) * factor
                for k, v in ref_numbers.items()
            }
        if not names:
            raise InsufficientDataError("The summary table names no attribute.")
        table = summary_rows(names, exp_numbers, ref_numbers, reference_name)
        return GapResult(
            table=table,
            reference=reference_name,
            confidence_level=confidence_level,
            alternative=alternative,
            source="summary",
            min_n=min_n,
            call=call,
            versions=provenance_versions(),
        )
    if exp_spec.kind != "columns":
        raise InvalidParameterError(
            "With `data`, `experience` must name rating columns; got numbers. Hint: "
            "drop `data` to analyse a summary table."
        )
    computed = compute_gaps(
        data,
        exp_spec,
        ref_spec,
        reference_name=reference_name,
        attributes=attributes,
        scale=scale_,
        reference_scale=ref_scale,
        detect_scales=reference_scale is None,
        weights=weights,
        by=as_list(by),
        strata=strata,
        confidence_level=confidence_level,
        alternative=alternative,
        nan_policy=nan_policy,
        na_values=na_values,
        min_n=min_n,
        reliability=reliability,
    )
    return GapResult(
        table=computed.table,
        group_names=computed.group_names,
        reference=reference_name,
        confidence_level=confidence_level,
        alternative=alternative,
        weights=weights_label(weights),
        strata=strata,
        source="data",
        min_n=min_n,
        n_omitted=computed.n_omitted,
        index_reliability=computed.index_reliability,
        call=call,
        versions=provenance_versions(),
    )


@validate_params(
    {
        **COMMON,
        "experience": Ratings(),
        "target": Ratings(none_ok=False, scalar_ok=True),
    }
)
def gap_to_target(
    data: Any = None,
    experience: str | Sequence[str] | Mapping[str, Any] | pd.Series | None = None,
    *,
    target: float | str | Sequence[str] | Mapping[str, Any] | pd.Series,
    attributes: Sequence[str] | None = None,
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
    strata: str | None = None,
    scale: tuple[int, int] = (0, 10),
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
    nan_policy: NanPolicy = "omit",
    na_values: Sequence[float] = (),
    min_n: int = 30,
) -> GapResult:
    r"""Gap between experience and an ideal or target level per attribute.

    Step 4 of the seven-step method: how far the experience is from where the
    company wants it (or from the customer's ideal). Negative = below target.

    Parameters
    ----------
    data : DataFrame-like, optional
        Responses; omit for a summary table.
    experience : list of str, or mapping / Series of numbers
        Experience rating columns (with ``data``) or mean experience per
        attribute (without).
    target : float, mapping / Series of numbers, or list of str
        The target: one level for every attribute, a level per attribute
        (``None`` = not set, reported in ``note``), or columns of each
        respondent's ideal rating (then the gap is paired, as in :func:`gap`).
    attributes : list of str, optional
        Attribute names (default: the experience columns without their common
        prefix, ``exp_price`` → ``price``; for a summary table, the keys).
    weights, by, strata, scale, confidence_level, alternative : optional
        As in :func:`gap`.
    nan_policy, na_values, min_n : optional
        As in :func:`gap`.

    Returns
    -------
    GapResult
        As :func:`gap`, with a ``target`` column instead of ``expectation``;
        ``share_negative`` is the share of respondents below the target.

    Raises
    ------
    ColumnNotFoundError, InvalidDataError, InvalidParameterError, InsufficientDataError
        As in :func:`gap`; also a target outside the scale.

    See Also
    --------
    gap : experience against expectation.

    Notes
    -----
    With a fixed target :math:`\tau`, the gap is :math:`\bar e_w - \tau` with the
    linearisation SE of the weighted mean (the target has no error) and a
    one-sample t-test against :math:`\tau` on the design df; without weights
    this is ``t.test(e, mu = tau)``. With target columns it is the paired gap of
    :func:`gap`.

    Validation: the mean and SE match R ``survey`` 4.1.1 ``svymean`` to rtol
    1e-10 (``tests/reference/data/gap.json``); the seven-step gaps to the ideal
    are reproduced exactly.

    References
    ----------
    .. [1] Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R.
       Wiley, ch. 2.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.gap import gap, gap_to_target
    >>> res = gap_to_target(
    ...     experience={"price": 7, "convenience": 5, "brand_image": 7},
    ...     target={"price": 7, "convenience": 10, "brand_image": None})
    >>> res.to_frame()[["attribute", "experience", "target", "estimate", "note"]]
         attribute  experience  target  estimate            note
    0        price         7.0     7.0       0.0
    1  convenience         5.0    10.0      -5.0
    2  brand_image         7.0     NaN       NaN  target not given
    >>> survey = cx.datasets.load_example_survey()
    >>> res = gap_to_target(survey, ["exp_convenience", "exp_service"],
    ...                        target=8, weights="weight")
    >>> res.to_frame()[["attribute", "estimate"]].round(2)
         attribute  estimate
    0  convenience     -1.94
    1      service     -1.16
    """
    return _gap_impl(
        "gap_to_target",
        data,
        experience,
        target,
        reference_name="target",
        attributes=attributes,
        weights=weights,
        by=by,
        strata=strata,
        scale=scale,
        reference_scale=None,
        rescale=False,
        reliability=None,
        confidence_level=confidence_level,
        alternative=alternative,
        nan_policy=nan_policy,
        na_values=na_values,
        min_n=min_n,
    )
