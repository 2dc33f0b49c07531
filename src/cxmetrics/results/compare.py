"""Results of period comparisons, standardization, decomposition and benchmarking.

Each result keeps the estimates and their covariance, so intervals at another level
are recomputed without the data.

Imports: numpy, pandas, scipy, results.base. Plotting is imported lazily by the
``plot`` methods only.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from cxmetrics._validation import check_confidence_level
from cxmetrics.results.base import ConfidenceInterval, ResultBase

__all__ = [
    "BenchmarkResult",
    "DecompositionResult",
    "PeriodComparisonResult",
    "StandardizedResult",
    "normal_limits",
]

FloatArray = NDArray[np.float64]


def normal_limits(
    estimate: FloatArray, std_error: FloatArray, confidence_level: float
) -> tuple[FloatArray, FloatArray]:
    """Return normal (Wald) limits ``estimate ± z · std_error``."""
    z = float(stats.norm.ppf(0.5 + confidence_level / 2))
    est = np.asarray(estimate, dtype=np.float64)
    se = np.asarray(std_error, dtype=np.float64)
    return est - z * se, est + z * se


def _recomputed(
    table: pd.DataFrame,
    labels: pd.DataFrame,
    level: float | None,
    default: float,
) -> ConfidenceInterval:
    chosen = check_confidence_level(default if level is None else level)
    low, high = normal_limits(
        table["estimate"].to_numpy(dtype=float),
        table["std_error"].to_numpy(dtype=float),
        chosen,
    )
    return ConfidenceInterval(
        low=low,
        high=high,
        confidence_level=chosen,
        method="normal",
        labels=labels.reset_index(drop=True),
    )


def _signed(decimals: int) -> tuple[str, int]:
    return ("signed", decimals)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class PeriodComparisonResult(ResultBase):
    """Scores per period, changes against a baseline, and a tracking view.

    ``to_frame()`` gives the changes, one row per group × period compared:
    group columns, ``period``, ``baseline``, ``estimate`` (period minus
    baseline), ``std_error``, ``ci_low``, ``ci_high``, ``statistic`` (z),
    ``p_value``, ``p_adjusted``, ``significant``, ``estimate_period``,
    ``estimate_baseline``, ``n_period``, ``n_baseline``.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per group × period: ``estimate``, ``std_error``, ``ci_low``,
        ``ci_high``, ``n``, ``n_eff``, ``sum_weights`` (and ``std_error_fixed``
        with a calibration), ``note``.
    tracking : pandas.DataFrame
        One row per group × period: ``estimate``, ``std_error``, ``center`` (the
        pooled level over all periods), ``lower_limit`` and ``upper_limit``
        (``center ± control_limits × std_error``), ``outside_limits``,
        ``change`` from the previous period, its ``change_std_error`` and
        ``change_p_adjusted``, ``significant_move`` and ``flag`` (``'signal'`` or
        ``'noise'``).
    covariance : numpy.ndarray
        Covariance of the ``scores`` estimates (rows in the same order).
    periods : tuple
        The periods, in order.
    metric : str
        What is compared (NPS in points, a share, a mean).
    baseline : str
        ``'previous'``, ``'first'`` or the label of the baseline period.
    adjust : str
        Multiple-comparison adjustment of ``p_adjusted``.
    confidence_level : float
        Level of the intervals (and 1 − level is the significance threshold).
    control_limits : float
        Width of the control limits in standard errors.
    independent : bool
        Whether the waves were treated as independent samples.
    variance : str
        ``'fixed weights'`` or the calibration flavour.
    """

    scores: pd.DataFrame
    tracking: pd.DataFrame
    covariance: FloatArray
    periods: tuple[Hashable, ...]
    metric: str
    baseline: str
    adjust: str
    confidence_level: float
    control_limits: float
    independent: bool
    variance: str
    weights: str | None = None

    def _title(self) -> str:
        return f"Period comparison of {self.metric}"

    def _header(self) -> list[tuple[str, str]]:
        level = f"{100 * self.confidence_level:g}%"
        return [
            ("periods", ", ".join(map(str, self.periods))),
            ("baseline", self.baseline),
            ("waves", "independent samples" if self.independent else "domains"),
            ("weights", self.weights or "none (equal)"),
            ("standard errors", self.variance),
            ("p-value adjustment", f"{self.adjust} (across periods and groups)"),
            ("interval", f"{level} normal"),
        ]

    def _display_columns(self) -> list[str]:
        return [
            *self.group_names,
            "period",
            "baseline",
            "estimate_baseline",
            "estimate_period",
            "estimate",
            "ci_low",
            "ci_high",
            "p_adjusted",
            "significant",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        decimals = 1 if "NPS" in self.metric else 3
        return {
            "estimate": _signed(decimals),
            "ci_low": _signed(decimals),
            "ci_high": _signed(decimals),
            "estimate_period": ("number", decimals),
            "estimate_baseline": ("number", decimals),
        }

    def _footer(self) -> list[str]:
        flagged = int(self.tracking["flag"].eq("signal").sum())
        return [
            f"tracking: {flagged} of {len(self.tracking)} group-periods flagged as "
            f"signal (move significant after adjustment, or outside ±"
            f"{self.control_limits:g} SE control limits)"
        ]

    def __repr__(self) -> str:
        n_sig = int(self.table["significant"].sum()) if len(self.table) else 0
        groups = (
            f", {self.table[list(self.group_names)].drop_duplicates().shape[0]} groups"
            if self.group_names
            else ""
        )
        return (
            f"PeriodComparisonResult({self.metric}, {len(self.periods)} periods"
            f"{groups}, baseline={self.baseline!r}, {len(self.table)} change(s), "
            f"{n_sig} significant (adjust={self.adjust!r}))"
        )

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the intervals of the changes at another level."""
        return _recomputed(
            self.table,
            self.table[[*self.group_names, "period", "baseline"]],
            confidence_level,
            self.confidence_level,
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Trend with interval bands and flagged moves (:func:`plotting.trend`)."""
        from cxmetrics.plotting.compare import trend

        return trend(self, ax=ax, **kwargs)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class StandardizedResult(ResultBase):
    """Each period's score at a standard mix (direct standardization).

    ``to_frame()`` columns: ``period``, ``estimate`` (standardized),
    ``std_error``, ``ci_low``, ``ci_high``, ``crude`` (the period's own mix),
    ``crude_std_error``, ``n``.

    Attributes
    ----------
    changes : pandas.DataFrame
        Standardized change of each period from the first: ``period``,
        ``baseline``, ``estimate``, ``std_error``, ``ci_low``, ``ci_high``,
        ``p_value``, ``crude_change``.
    standard_mix : pandas.DataFrame
        The standard mix: the mix columns and ``share``.
    covariance : numpy.ndarray
        Covariance of the standardized estimates.
    mix : tuple of str
        The mix columns.
    standard : str
        ``'first'``, ``'pooled'``, a period label or ``'given'``.
    """

    changes: pd.DataFrame
    standard_mix: pd.DataFrame
    covariance: FloatArray
    mix: tuple[str, ...]
    standard: str
    metric: str
    confidence_level: float

    def _title(self) -> str:
        return f"{self.metric} standardized to a fixed {' × '.join(self.mix)} mix"

    def _header(self) -> list[tuple[str, str]]:
        return [
            ("standard mix", self.standard),
            ("mix", ", ".join(self.mix)),
            ("interval", f"{100 * self.confidence_level:g}% normal"),
            ("crude", "each period at its own mix"),
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        decimals = 1 if "NPS" in self.metric else 3
        return dict.fromkeys(
            ("estimate", "ci_low", "ci_high", "crude"), ("number", decimals)
        )

    def __repr__(self) -> str:
        first, last = self.table.iloc[0], self.table.iloc[-1]
        return (
            f"StandardizedResult({self.metric} at the {self.standard} "
            f"{' × '.join(self.mix)} mix: {first['period']} {first['estimate']:.4g} → "
            f"{last['period']} {last['estimate']:.4g} (crude {first['crude']:.4g} → "
            f"{last['crude']:.4g}))"
        )

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the intervals of the standardized scores at another level."""
        return _recomputed(
            self.table, self.table[["period"]], confidence_level, self.confidence_level
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Crude and standardized trend (:func:`plotting.trend`)."""
        from cxmetrics.plotting.compare import trend

        return trend(self, ax=ax, **kwargs)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class DecompositionResult(ResultBase):
    """The change between two periods split into rate (experience) and mix effects.

    ``to_frame()`` is long: one row per component, first the totals (mix
    columns ``'(all)'``: ``total_change``, ``rate_effect``, ``mix_effect`` and,
    with several mix factors, ``mix_<factor>`` and ``mix_association``), then
    per cell ``rate_effect`` and ``mix_effect``; columns ``estimate``,
    ``std_error``, ``ci_low``, ``ci_high``.

    Attributes
    ----------
    total_change, rate_effect, mix_effect : float
        The change and its two parts (rate + mix = total, exactly).
    score_a, score_b : float
        The scores of the two periods.
    segments : pandas.DataFrame
        One row per cell of the mix: ``share_a``, ``share_b``, ``score_a``,
        ``score_b``, ``rate_effect``, ``mix_effect``, ``contribution`` (their
        sum), with standard errors.
    periods : tuple
        The two periods (from, to).
    mix : tuple of str
        The mix columns.
    method : str
        ``'kitagawa'``, ``'das_gupta'`` or ``'cells'``.
    covariance : numpy.ndarray
        Covariance of the ``to_frame()`` estimates (rows in the same order).
    """

    total_change: float
    rate_effect: float
    mix_effect: float
    score_a: float
    score_b: float
    segments: pd.DataFrame
    periods: tuple[Hashable, Hashable]
    mix: tuple[str, ...]
    method: str
    metric: str
    confidence_level: float
    covariance: FloatArray

    def _title(self) -> str:
        a, b = self.periods
        return f"Change in {self.metric} from {a} to {b}: rate and mix effects"

    def _header(self) -> list[tuple[str, str]]:
        a, b = self.periods
        return [
            ("method", self.method),
            ("mix", " × ".join(self.mix)),
            (f"{a}", f"{self.score_a:.4g}"),
            (f"{b}", f"{self.score_b:.4g}"),
            ("total change", f"{self.total_change:+.4g}"),
            ("rate (experience) effect", f"{self.rate_effect:+.4g}"),
            ("mix (composition) effect", f"{self.mix_effect:+.4g}"),
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        decimals = 2 if "NPS" in self.metric else 4
        return dict.fromkeys(("estimate", "ci_low", "ci_high"), _signed(decimals))

    def __repr__(self) -> str:
        a, b = self.periods
        return (
            f"DecompositionResult({self.metric} {a} → {b}: total "
            f"{self.total_change:+.2f} = rate {self.rate_effect:+.2f} + mix "
            f"{self.mix_effect:+.2f}, method={self.method!r})"
        )

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the intervals of every component at another level."""
        return _recomputed(
            self.table,
            self.table[[*self.mix, "component"]],
            confidence_level,
            self.confidence_level,
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Waterfall of the change into mix and rate effects (:func:`waterfall`)."""
        from cxmetrics.plotting.compare import waterfall

        return waterfall(self, ax=ax, **kwargs)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class BenchmarkResult(ResultBase):
    """Own brand against each competitor per attribute, and an importance index.

    ``to_frame()`` columns: ``competitor``, ``attribute`` (``'(index)'`` for
    the importance-weighted index), ``estimate`` (own minus competitor),
    ``std_error``, ``ci_low``, ``ci_high``, ``statistic``, ``p_value``,
    ``p_adjusted``, ``estimate_own``, ``estimate_competitor``, ``importance``
    (normalised weight), ``n_own``, ``n_competitor``.

    Attributes
    ----------
    own : label
        The own brand.
    importance_source : str
        Where the importance weights came from.
    """

    own: Hashable
    importance_source: str
    confidence_level: float
    adjust: str
    weights: str | None = None

    @property
    def index(self) -> pd.DataFrame:
        """The importance-weighted index rows (one per competitor)."""
        return self.table[self.table["attribute"] == "(index)"].reset_index(drop=True)

    def _title(self) -> str:
        return f"Attribute benchmark: {self.own} against competitors"

    def _header(self) -> list[tuple[str, str]]:
        return [
            ("own brand", str(self.own)),
            ("importance", self.importance_source),
            ("weights", self.weights or "none (equal)"),
            ("p-value adjustment", self.adjust),
            ("interval", f"{100 * self.confidence_level:g}% normal"),
        ]

    def _display_columns(self) -> list[str]:
        return [
            "competitor",
            "attribute",
            "estimate_own",
            "estimate_competitor",
            "estimate",
            "ci_low",
            "ci_high",
            "p_adjusted",
            "importance",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {
            **dict.fromkeys(("estimate", "ci_low", "ci_high"), _signed(2)),
            "estimate_own": ("number", 2),
            "estimate_competitor": ("number", 2),
            "importance": ("percent", 1),
        }

    def __repr__(self) -> str:
        idx = self.index
        parts = ", ".join(
            f"{row['competitor']} {row['estimate']:+.2f}" for _, row in idx.iterrows()
        )
        return (
            f"BenchmarkResult({self.own} − competitor, importance-weighted index: "
            f"{parts})"
        )

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the intervals of the gaps at another level."""
        return _recomputed(
            self.table,
            self.table[["competitor", "attribute"]],
            confidence_level,
            self.confidence_level,
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Gaps per attribute and competitor (:func:`plotting.benchmark_gaps`)."""
        from cxmetrics.plotting.compare import benchmark_gaps

        return benchmark_gaps(self, ax=ax, **kwargs)
