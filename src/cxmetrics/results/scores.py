"""Results of the score functions (NPS, shares, means) and their comparisons.

The tables are computed here from the stored sufficient statistics, so a result
can recompute its interval at another level or by another method without the data.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxmetrics._validation import check_confidence_level, check_method
from cxmetrics.errors import InvalidParameterError, RowsRequiredError
from cxmetrics.estimators.bootstrap import BootstrapDistribution, bootstrap_limits
from cxmetrics.estimators.intervals import (
    MEAN_METHODS,
    SHARE_METHODS,
    mean_interval,
    share_interval,
)
from cxmetrics.estimators.linearization import (
    DomainMeans,
    domain_means,
    interval_sample_size,
)
from cxmetrics.estimators.nps import NPS_BOOTSTRAP_METHODS, NPS_METHODS, nps_interval
from cxmetrics.results.base import ConfidenceInterval, ResultBase, group_labels_frame
from cxmetrics.suffstats import CategoryCounts

__all__ = [
    "ComparisonResult",
    "MeanResult",
    "NPSResult",
    "PairedComparisonResult",
    "SatisfactionResult",
    "ShareResult",
]

FloatArray = NDArray[np.float64]
BOOTSTRAP_METHODS = NPS_BOOTSTRAP_METHODS


def nps_codes(categories: FloatArray, breaks: tuple[int, int]) -> FloatArray:
    """+1 for promoters (above ``breaks[1]``), −1 for detractors (≤ ``breaks[0]``)."""
    return np.where(
        categories > breaks[1], 1.0, np.where(categories <= breaks[0], -1.0, 0.0)
    )


def domain_df(counts: CategoryCounts) -> FloatArray:
    """Design df of each domain: units minus strata present (as R's svyciprop)."""
    per_stratum = counts.n.sum(axis=2)
    return np.asarray(
        per_stratum.sum(axis=1) - (per_stratum > 0).sum(axis=1), dtype=np.float64
    )


def _notes(n: FloatArray, min_n: int) -> tuple[NDArray[np.bool_], NDArray[np.object_]]:
    small = n < min_n
    notes = np.full(len(n), "", dtype=object)
    notes[small] = [f"n = {int(count)} < min_n = {min_n}" for count in n[small]]
    notes[n == 0] = "no responses"
    return small, notes


def _bootstrap_method(method: str) -> Literal["percentile", "bca"]:
    return "percentile" if method == "bootstrap_percentile" else "bca"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class _GroupedScore(ResultBase):
    """Shared behaviour of grouped score results."""

    counts: CategoryCounts
    method: str
    confidence_level: float
    weights: str | None = None
    strata: str | None = None
    min_n: int = 30
    n_omitted: int = 0
    bootstrap: BootstrapDistribution | None = field(default=None, repr=False)

    @property
    def estimate(self) -> float:
        """The estimate (single-group results only)."""
        return float(self._single_row("estimate")["estimate"])

    @property
    def std_error(self) -> float:
        """The standard error (single-group results only)."""
        return float(self._single_row("std_error")["std_error"])

    @property
    def ci(self) -> tuple[float, float]:
        """The confidence interval (single-group results only)."""
        row = self._single_row("ci")
        return float(row["ci_low"]), float(row["ci_high"])

    @property
    def n(self) -> int:
        """Responses used (single-group results only)."""
        return int(self._single_row("n")["n"])

    @property
    def loc(self) -> _GroupSelector:
        """Select a group's row: ``.loc["north"]`` or ``.loc[("north", "app")]``."""
        return _GroupSelector(self)

    # subclasses name their interval methods and how to rebuild their table
    _METHODS: ClassVar[tuple[str, ...]] = ()

    def _recompute(self, confidence_level: float, method: str) -> pd.DataFrame:
        raise TypeError(f"{type(self).__name__} cannot recompute its interval")

    def _describe(self, row: pd.Series) -> str:
        return f"estimate={row['estimate']:.3f}"

    def __repr__(self) -> str:
        name = type(self).__name__
        level = f"{100 * self.confidence_level:g}%"
        if len(self.table) == 1:
            row = self.table.iloc[0]
            return (
                f"{name}({self._describe(row)}, n={int(row['n'])}, "
                f"n_eff={row['n_eff']:.1f}, method={self.method!r})"
            )
        return (
            f"{name}({len(self.table)} groups by {list(self.group_names)}, "
            f"{level} CI, method={self.method!r}, n={int(self.counts.n_design.sum())})"
        )

    def confidence_interval(
        self, confidence_level: float | None = None, method: str | None = None
    ) -> ConfidenceInterval:
        """Recompute the interval from the stored counts; the result is unchanged.

        Parameters
        ----------
        confidence_level : float, optional
            Defaults to the result's level.
        method : str, optional
            Any interval method of the function that made the result; defaults
            to the result's method (bootstrap methods need a bootstrap result).

        Returns
        -------
        ConfidenceInterval
        """
        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        chosen = check_method(self.method if method is None else method, self._METHODS)
        frame = self._recompute(level, chosen)
        return ConfidenceInterval(
            low=frame["ci_low"].to_numpy(dtype=float),
            high=frame["ci_high"].to_numpy(dtype=float),
            confidence_level=level,
            method=chosen,
            labels=self._labels(),
        )

    def distribution(self) -> pd.DataFrame:
        """Share of responses at each scale point per group, with Wilson intervals."""
        return distribution_frame(self.counts, self.confidence_level)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw a forest plot of the estimates (:func:`cxmetrics.plotting.forest`)."""
        from cxmetrics import plotting

        return plotting.forest(self, ax=ax, **kwargs)

    def _header(self) -> list[tuple[str, str]]:
        level = f"{100 * self.confidence_level:g}%"
        header = [
            ("method", f"{self.method} ({level} interval)"),
            ("weights", self.weights or "none (equal)"),
        ]
        if self.strata:
            header.append(("strata", self.strata))
        if self.group_names:
            header.append(("groups", ", ".join(self.group_names)))
        header.append(("rows omitted", f"{self.n_omitted}"))
        return header

    def _footer(self) -> list[str]:
        small = self.table["small_sample"].to_numpy(dtype=bool)
        if small.any():
            return [
                f"{int(small.sum())} group(s) below min_n = {self.min_n}: "
                "read with care."
            ]
        return []


class _GroupSelector:
    def __init__(self, result: _GroupedScore) -> None:
        self._result = result

    def __getitem__(self, label: Hashable) -> pd.Series:
        result = self._result
        key = label if isinstance(label, tuple) else (label,)
        names = list(result.group_names)
        if not names:
            raise InvalidParameterError("this result has no groups to select from.")
        mask = np.ones(len(result.table), dtype=bool)
        for name, value in zip(names, key, strict=False):
            mask &= (result.table[name] == value).to_numpy()
        if not mask.any():
            raise KeyError(
                f"no group {label!r}; groups: {result.table[names].values.tolist()}"
            )
        return result.table[mask].iloc[0]


# --- NPS ------------------------------------------------------------------------


def nps_frame(
    counts: CategoryCounts,
    *,
    breaks: tuple[int, int],
    method: str,
    confidence_level: float,
    min_n: int,
    bootstrap: BootstrapDistribution | None = None,
) -> tuple[pd.DataFrame, DomainMeans]:
    """Build the tidy NPS table (points) from category counts."""
    cats = counts.categories
    codes = nps_codes(cats, breaks)
    dm = domain_means(counts.moments(codes))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_pos = (counts.sum_w @ (codes > 0)).sum(axis=1) / dm.sum_w
        p_neg = (counts.sum_w @ (codes < 0)).sum(axis=1) / dm.sum_w
    d = np.clip(dm.estimate, -1.0, 1.0)  # rounding can step past ±1
    if method in BOOTSTRAP_METHODS:
        if bootstrap is None:
            raise RowsRequiredError(
                "a bootstrap interval needs the responses; recompute with "
                "`nps(data, ..., method='bootstrap')`."
            )
        low, high = bootstrap_limits(
            bootstrap,
            confidence_level=confidence_level,
            method=_bootstrap_method(method),
        )
    else:
        low, high = nps_interval(
            method,
            d=d,
            p_pos=p_pos,
            p_neg=p_neg,
            variance=dm.variance,
            n_star=interval_sample_size(
                counts,
                codes,
                method=method,
                confidence_level=confidence_level,
                design=dm,
            ),
            confidence_level=confidence_level,
        )
    small, notes = _notes(dm.n, min_n)
    frame = group_labels_frame(
        counts.groups,
        counts.group_names,
        {
            "estimate": 100 * d,
            "std_error": 100 * dm.std_error,
            "ci_low": 100 * low,
            "ci_high": 100 * high,
            "promoters": p_pos,
            "passives": 1 - p_pos - p_neg,
            "detractors": p_neg,
            "n": dm.n.astype(np.int64),
            "n_eff": dm.n_eff,
            "sum_weights": dm.sum_w,
            "n_omitted": counts.n_omitted.astype(np.int64),
            "small_sample": small,
            "note": notes,
        },
    )
    return frame, dm


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class NPSResult(_GroupedScore):
    """Net Promoter Score per group, in points (−100 to 100), with intervals.

    ``to_frame()`` columns: the group columns, ``estimate``, ``std_error``,
    ``ci_low``, ``ci_high`` (points), ``promoters``, ``passives``, ``detractors``
    (shares in [0, 1]), ``n``, ``n_eff`` (Kish), ``sum_weights``, ``n_omitted``,
    ``small_sample`` and ``note`` (why a row is flagged).
    """

    breaks: tuple[int, int] = (6, 8)
    _METHODS: ClassVar[tuple[str, ...]] = NPS_METHODS

    def _recompute(self, confidence_level: float, method: str) -> pd.DataFrame:
        method = {"bootstrap": "bootstrap_bca", "bayes": "bayes_jeffreys"}.get(
            method, method
        )
        frame, _ = nps_frame(
            self.counts,
            breaks=self.breaks,
            method=method,
            confidence_level=confidence_level,
            min_n=self.min_n,
            bootstrap=self.bootstrap,
        )
        return frame

    def _describe(self, row: pd.Series) -> str:
        level = f"{100 * self.confidence_level:g}%"
        return (
            f"nps={row['estimate']:+.1f} pts, {level} CI "
            f"[{row['ci_low']:+.1f}, {row['ci_high']:+.1f}]"
        )

    def _title(self) -> str:
        return "Net Promoter Score"

    def _display_columns(self) -> list[str]:
        return [
            *self.group_names,
            "estimate",
            "ci_low",
            "ci_high",
            "promoters",
            "passives",
            "detractors",
            "n",
            "n_eff",
            "note",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {
            "estimate": ("signed", 1),
            "ci_low": ("signed", 1),
            "ci_high": ("signed", 1),
        }

    def plot(self, ax: Any = None, *, kind: str = "bars", **kwargs: Any) -> Any:
        """Plot stacked NPS bars (``kind='bars'``) or a forest plot (``'forest'``).

        Delegates to :func:`cxmetrics.plotting.nps_bars` or
        :func:`cxmetrics.plotting.forest`.
        """
        from cxmetrics import plotting

        if kind == "forest":
            return plotting.forest(self, ax=ax, **kwargs)
        return plotting.nps_bars(self, ax=ax, **kwargs)


def distribution_frame(counts: CategoryCounts, confidence_level: float) -> pd.DataFrame:
    """Long table: one row per group × scale point with share and Wilson interval."""
    rows = []
    labels = group_labels_frame(counts.groups, counts.group_names)
    df = domain_df(counts)
    for k, value in enumerate(counts.categories):
        indicator = (np.arange(len(counts.categories)) == k).astype(np.float64)
        dm = domain_means(counts.moments(indicator))
        low, high = share_interval(
            dm.estimate,
            dm.variance,
            interval_sample_size(
                counts,
                indicator,
                method="wilson",
                confidence_level=confidence_level,
                design=dm,
            ),
            n_obs=dm.n,
            df=df,
            confidence_level=confidence_level,
            method="wilson",
        )
        part = labels.copy()
        part["value"] = value
        part["share"] = dm.estimate
        part["std_error"] = dm.std_error
        part["ci_low"] = low
        part["ci_high"] = high
        part["n"] = counts.n[:, :, k].sum(axis=1).astype(np.int64)
        part["sum_weights"] = counts.sum_w[:, :, k].sum(axis=1)
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    keys = [*counts.group_names, "value"]
    return (
        out.sort_values(keys, kind="stable").reset_index(drop=True)
        if counts.group_names
        else out
    )


# --- shares and means -----------------------------------------------------------


def share_frame(
    counts: CategoryCounts,
    *,
    top: Sequence[float],
    method: str,
    confidence_level: float,
    min_n: int,
) -> pd.DataFrame:
    """Build the tidy table of a top-box (or any category-set) share."""
    indicator = np.isin(counts.categories, np.asarray(top, dtype=np.float64)).astype(
        float
    )
    dm = domain_means(counts.moments(indicator))
    df = domain_df(counts)
    low, high = share_interval(
        dm.estimate,
        dm.variance,
        interval_sample_size(
            counts,
            indicator,
            method=method,
            confidence_level=confidence_level,
            design=dm,
        ),
        n_obs=dm.n,
        df=df,
        confidence_level=confidence_level,
        method=method,  # type: ignore[arg-type]
    )
    return _interval_table(counts, dm, low, high, df=df, min_n=min_n)


def mean_frame(
    counts: CategoryCounts,
    *,
    method: str,
    confidence_level: float,
    min_n: int,
) -> pd.DataFrame:
    """Build the tidy table of a weighted mean score."""
    dm = domain_means(counts.moments())
    df = domain_df(counts)
    low, high = mean_interval(
        dm.estimate,
        dm.variance,
        df=df,
        confidence_level=confidence_level,
        method=method,  # type: ignore[arg-type]
    )
    return _interval_table(
        counts, dm, low, high, df=df, min_n=min_n, sd=np.sqrt(dm.sigma2)
    )


def _interval_table(
    counts: CategoryCounts,
    dm: DomainMeans,
    low: FloatArray,
    high: FloatArray,
    *,
    df: FloatArray,
    min_n: int,
    sd: FloatArray | None = None,
) -> pd.DataFrame:
    """Build the tidy table of a share or mean: estimate, interval, sizes, flags."""
    small, notes = _notes(dm.n, min_n)
    columns: dict[str, Any] = {
        "estimate": dm.estimate,
        "std_error": dm.std_error,
        "ci_low": low,
        "ci_high": high,
    }
    if sd is not None:
        columns["sd"] = sd
    columns.update(
        n=dm.n.astype(np.int64),
        n_eff=dm.n_eff,
        sum_weights=dm.sum_w,
        df=df,
        n_omitted=counts.n_omitted.astype(np.int64),
        small_sample=small,
        note=notes,
    )
    return group_labels_frame(counts.groups, counts.group_names, columns)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ShareResult(_GroupedScore):
    """Share of responses in a set of scale points (top-box), per group.

    ``to_frame()`` columns: group columns, ``estimate`` (share in [0, 1]),
    ``std_error``, ``ci_low``, ``ci_high``, ``n``, ``n_eff``, ``sum_weights``,
    ``df`` (design df of the group), ``n_omitted``, ``small_sample``, ``note``.
    """

    top: tuple[float, ...] = (4.0, 5.0)
    _METHODS: ClassVar[tuple[str, ...]] = SHARE_METHODS

    def _recompute(self, confidence_level: float, method: str) -> pd.DataFrame:
        return share_frame(
            self.counts,
            top=self.top,
            method=method,
            confidence_level=confidence_level,
            min_n=self.min_n,
        )

    def _describe(self, row: pd.Series) -> str:
        level = f"{100 * self.confidence_level:g}%"
        return (
            f"share={100 * row['estimate']:.1f}%, {level} CI "
            f"[{100 * row['ci_low']:.1f}%, {100 * row['ci_high']:.1f}%]"
        )

    def _title(self) -> str:
        points = ", ".join(f"{t:g}" for t in self.top)
        return f"Top-box share (scale points {points})"

    def _display_columns(self) -> list[str]:
        return [
            *self.group_names,
            "estimate",
            "ci_low",
            "ci_high",
            "n",
            "n_eff",
            "note",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return dict.fromkeys(("estimate", "ci_low", "ci_high"), ("percent", 1))


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class MeanResult(_GroupedScore):
    """Weighted mean score per group with t intervals on the design df.

    ``to_frame()`` columns: group columns, ``estimate``, ``std_error``,
    ``ci_low``, ``ci_high``, ``sd``, ``n``, ``n_eff``, ``sum_weights``, ``df``,
    ``n_omitted``, ``small_sample``, ``note``.
    """

    _METHODS: ClassVar[tuple[str, ...]] = MEAN_METHODS

    def _recompute(self, confidence_level: float, method: str) -> pd.DataFrame:
        return mean_frame(
            self.counts,
            method=method,
            confidence_level=confidence_level,
            min_n=self.min_n,
        )

    def _describe(self, row: pd.Series) -> str:
        level = f"{100 * self.confidence_level:g}%"
        return (
            f"mean={row['estimate']:.3f}, {level} CI "
            f"[{row['ci_low']:.3f}, {row['ci_high']:.3f}]"
        )

    def _title(self) -> str:
        return "Mean score"

    def _display_columns(self) -> list[str]:
        return [
            *self.group_names,
            "estimate",
            "ci_low",
            "ci_high",
            "sd",
            "n",
            "n_eff",
            "note",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return dict.fromkeys(("estimate", "ci_low", "ci_high", "sd"), ("number", 2))


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class SatisfactionResult(ResultBase):
    """A satisfaction score reported two ways: top-box share and mean (CSAT, CES).

    ``to_frame()`` stacks both with a ``measure`` column (``"top_box"``,
    ``"mean"``); the parts are :attr:`top_box` and :attr:`mean`.
    """

    name: str
    top_box: ShareResult
    mean: MeanResult

    def _title(self) -> str:
        return f"{self.name}: top-box share and mean"

    def _header(self) -> list[tuple[str, str]]:
        return self.top_box._header()

    def _display_columns(self) -> list[str]:
        return [
            *self.group_names,
            "measure",
            "estimate",
            "ci_low",
            "ci_high",
            "n",
            "note",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return dict.fromkeys(("estimate", "ci_low", "ci_high"), ("number", 3))

    def __repr__(self) -> str:
        if len(self.top_box.table) == 1:
            t, m = self.top_box.table.iloc[0], self.mean.table.iloc[0]
            return (
                f"SatisfactionResult({self.name}: top-box={100 * t['estimate']:.1f}% "
                f"[{100 * t['ci_low']:.1f}%, {100 * t['ci_high']:.1f}%], "
                f"mean={m['estimate']:.3f} [{m['ci_low']:.3f}, {m['ci_high']:.3f}], "
                f"n={int(t['n'])})"
            )
        return f"SatisfactionResult({self.name}: {len(self.top_box.table)} groups)"

    def confidence_interval(
        self, confidence_level: float | None = None, method: str | None = None
    ) -> dict[str, ConfidenceInterval]:
        """Recompute both intervals: ``{"top_box": ..., "mean": ...}``.

        ``method`` applies to the top-box share; the mean keeps its t interval.
        """
        return {
            "top_box": self.top_box.confidence_interval(confidence_level, method),
            "mean": self.mean.confidence_interval(confidence_level),
        }

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Forest plot of the top-box shares (:func:`cxmetrics.plotting.forest`)."""
        return self.top_box.plot(ax=ax, **kwargs)


# --- comparisons ----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ComparisonResult(ResultBase):
    """Differences between groups, with SE, interval and (adjusted) p-values.

    ``to_frame()`` columns: ``group``, ``reference``, ``estimate`` (group minus
    reference), ``std_error``, ``ci_low``, ``ci_high``, ``statistic`` (z),
    ``p_value``, ``p_adjusted``, ``estimate_group``, ``estimate_reference``,
    ``n_group``, ``n_reference``.
    """

    metric: str
    versus: str
    adjust: str
    confidence_level: float
    weights: str | None = None
    unit: str = ""

    def _title(self) -> str:
        return f"Comparison of {self.metric} between groups"

    def _header(self) -> list[tuple[str, str]]:
        return [
            ("versus", self.versus),
            ("p-value adjustment", self.adjust),
            ("weights", self.weights or "none (equal)"),
            ("interval", f"{100 * self.confidence_level:g}% (normal, design SE)"),
        ]

    def _display_columns(self) -> list[str]:
        return [
            "group",
            "reference",
            "estimate",
            "ci_low",
            "ci_high",
            "statistic",
            "p_value",
            "p_adjusted",
        ]

    def __repr__(self) -> str:
        return (
            f"ComparisonResult({self.metric}, {len(self.table)} contrast(s), "
            f"versus={self.versus!r}, adjust={self.adjust!r})"
        )

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the intervals of the differences at another level."""
        from scipy import stats

        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        z = float(stats.norm.ppf(0.5 + level / 2))
        est = self.table["estimate"].to_numpy(dtype=float)
        se = self.table["std_error"].to_numpy(dtype=float)
        return ConfidenceInterval(
            low=est - z * se,
            high=est + z * se,
            confidence_level=level,
            method="normal",
            labels=self.table[["group", "reference"]],
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Forest plot of the differences (:func:`cxmetrics.plotting.forest`)."""
        from cxmetrics import plotting

        return plotting.forest(self, ax=ax, **kwargs)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class PairedComparisonResult(ResultBase):
    """Difference between two ratings given by the same respondents.

    ``to_frame()`` columns: group columns, ``estimate`` (first minus second),
    ``std_error``, ``ci_low``, ``ci_high``, ``statistic`` (t), ``df``,
    ``p_value``, ``estimate_first``, ``estimate_second``, ``n``, ``n_eff``.
    """

    metric: str
    first: str
    second: str
    confidence_level: float
    weights: str | None = None

    def _title(self) -> str:
        return f"Paired comparison of {self.metric}: {self.first} − {self.second}"

    def _header(self) -> list[tuple[str, str]]:
        return [
            ("weights", self.weights or "none (equal)"),
            ("test", "t on the design df − 1 (as R's svyttest)"),
        ]

    def _display_columns(self) -> list[str]:
        return [
            *self.group_names,
            "estimate",
            "ci_low",
            "ci_high",
            "estimate_first",
            "estimate_second",
            "p_value",
            "n",
        ]

    def __repr__(self) -> str:
        if len(self.table) == 1:
            row = self.table.iloc[0]
            return (
                f"PairedComparisonResult({self.metric}: {self.first} − {self.second} = "
                f"{row['estimate']:+.2f}, "
                f"CI [{row['ci_low']:+.2f}, {row['ci_high']:+.2f}], "
                f"p={row['p_value']:.4g}, n={int(row['n'])})"
            )
        return f"PairedComparisonResult({self.metric}: {len(self.table)} groups)"

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the t intervals of the differences at another level."""
        from scipy import stats

        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        df = self.table["df"].to_numpy(dtype=float)
        q = stats.t.ppf(0.5 + level / 2, df)
        est = self.table["estimate"].to_numpy(dtype=float)
        se = self.table["std_error"].to_numpy(dtype=float)
        return ConfidenceInterval(
            low=est - q * se,
            high=est + q * se,
            confidence_level=level,
            method="t",
            labels=self._labels(),
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Forest plot of the paired differences (:func:`cxmetrics.plotting.forest`)."""
        from cxmetrics import plotting

        return plotting.forest(self, ax=ax, **kwargs)
