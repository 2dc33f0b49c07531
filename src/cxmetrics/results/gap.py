"""Results of the gap model: gaps, key experiences, quadrants and asymmetric impact.

Every table has an ``attribute`` column; gaps are in ``estimate`` (experience minus
its reference, negative = shortfall), the priority index in ``priority``. Rows that
could not be computed stay in the table with NaN numbers and the reason in ``note``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from cxmetrics.errors import InvalidParameterError
from cxmetrics.estimators.gap import percentile_limits, rank_summary
from cxmetrics.results.base import ConfidenceInterval, ResultBase

__all__ = [
    "QUADRANTS",
    "AsymmetricImpactResult",
    "GapResult",
    "ImportancePerformanceResult",
    "KeyExperienceResult",
]

FloatArray = NDArray[np.float64]

#: Quadrant labels of importance–performance analysis (Martilla & James, 1977).
QUADRANTS = {
    "concentrate": "Concentrate here",
    "keep": "Keep up the good work",
    "low": "Low priority",
    "overkill": "Possible overkill",
}


def _check_level(value: object) -> float:
    from cxmetrics.scores import check_confidence_level

    return check_confidence_level(value)


def t_limits(
    estimate: FloatArray, std_error: FloatArray, df: FloatArray, level: float
) -> tuple[FloatArray, FloatArray]:
    """Two-sided t limits; NaN where df ≤ 0."""
    with np.errstate(invalid="ignore"):
        q = np.where(df > 0, stats.t.ppf(0.5 + level / 2, np.maximum(df, 1)), np.nan)
    return estimate - q * std_error, estimate + q * std_error


@dataclass(frozen=True, slots=True, kw_only=True)
class GapResult(ResultBase):
    """Gap between experience and a reference (expectation or target) per attribute.

    ``to_frame()`` columns: the group columns, ``attribute``, ``experience``, the
    reference (``expectation`` or ``target``), ``estimate`` (experience minus
    reference), ``std_error``, ``ci_low``, ``ci_high``, ``statistic`` (t),
    ``df``, ``p_value``, ``share_negative`` and ``share_positive`` (weighted
    shares of respondents below / above their reference), ``n``, ``n_eff``,
    ``n_omitted``, ``correlation`` (of the two ratings), ``reliability_gap``
    (reliability of the difference score when item reliabilities are given),
    ``small_sample`` and ``note`` (why a row is empty or flagged).
    """

    reference: str
    confidence_level: float
    alternative: str = "two-sided"
    weights: str | None = None
    strata: str | None = None
    source: str = "data"
    min_n: int = 30
    n_omitted: int = 0
    index_reliability: Mapping[str, float] = field(default_factory=dict)

    @property
    def estimate(self) -> float:
        """The gap (single-attribute, ungrouped results only)."""
        return float(self._single_row("estimate")["estimate"])

    @property
    def gaps(self) -> pd.Series:
        """Gaps indexed by attribute (and group)."""
        keys = [*self.group_names, "attribute"]
        return self.table.set_index(keys)["estimate"]

    def _title(self) -> str:
        return f"Gap: experience − {self.reference}"

    def _header(self) -> list[tuple[str, str]]:
        header = [
            ("input", "respondent data" if self.source == "data" else "summary table"),
            ("gap", f"experience − {self.reference} (negative = shortfall)"),
        ]
        if self.source == "data":
            header += [
                ("weights", self.weights or "none (equal)"),
                (
                    "interval",
                    f"{100 * self.confidence_level:g}% t, design df; "
                    f"test {self.alternative}",
                ),
                ("rows omitted", str(self.n_omitted)),
            ]
        if self.group_names:
            header.append(("groups", ", ".join(self.group_names)))
        rel = self.index_reliability
        if rel:
            header.append(
                (
                    "index reliability",
                    f"alpha experience {rel['alpha_experience']:.2f}, "
                    f"alpha {self.reference} {rel['alpha_reference']:.2f}, "
                    f"r {rel['correlation']:.2f} → gap index "
                    f"{rel['reliability_gap']:.2f}",
                )
            )
        return header

    def _display_columns(self) -> list[str]:
        if self.source == "summary":
            return ["attribute", "experience", self.reference, "estimate", "note"]
        columns = [
            *self.group_names,
            "attribute",
            "experience",
            self.reference,
            "estimate",
            "ci_low",
            "ci_high",
            "p_value",
            "share_negative",
            "n",
            "note",
        ]
        if self.table["reliability_gap"].notna().any():
            columns.insert(-2, "reliability_gap")
        return columns

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {
            "experience": ("number", 2),
            self.reference: ("number", 2),
            "estimate": ("signed", 2),
            "ci_low": ("signed", 2),
            "ci_high": ("signed", 2),
            "share_negative": ("percent", 1),
            "reliability_gap": ("number", 2),
        }

    def _footer(self) -> list[str]:
        empty = self.table["note"].astype(str).str.len() > 0
        if empty.any():
            return [f"{int(empty.sum())} row(s) flagged: see `note`."]
        return []

    def __repr__(self) -> str:
        frame = self.table
        if len(frame) == 1:
            row = frame.iloc[0]
            return (
                f"GapResult({row['attribute']}: experience − {self.reference} = "
                f"{row['estimate']:+.2f}, CI [{row['ci_low']:+.2f}, "
                f"{row['ci_high']:+.2f}], p={row['p_value']:.4g}, n={row['n']})"
            )
        worst = (
            frame.iloc[int(np.nanargmin(frame["estimate"].to_numpy(dtype=float)))]
            if frame["estimate"].notna().any()
            else None
        )
        text = f"GapResult({len(frame)} rows, experience − {self.reference}"
        if worst is not None:
            text += f"; largest shortfall {worst['attribute']} {worst['estimate']:+.2f}"
        return text + ")"

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the t intervals of the gaps at another level."""
        level = _check_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        low, high = t_limits(
            self.table["estimate"].to_numpy(dtype=float),
            self.table["std_error"].to_numpy(dtype=float),
            self.table["df"].to_numpy(dtype=float),
            level,
        )
        return ConfidenceInterval(
            low=low,
            high=high,
            confidence_level=level,
            method="t",
            labels=self.table[[*self.group_names, "attribute"]].reset_index(drop=True),
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Dumbbell chart (:func:`cxmetrics.plotting.gap.gap_dumbbell`)."""
        from cxmetrics.plotting.gap import gap_dumbbell

        return gap_dumbbell(self, ax=ax, **kwargs)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyExperienceResult(ResultBase):
    """Priority index = importance × gap per attribute, ranked by need.

    ``to_frame()`` columns: ``attribute``, ``experience``, the reference
    (``expectation``, ``target`` or ``competitor``), ``estimate`` (the gap),
    ``std_error``, ``ci_low``, ``ci_high`` (gap interval), ``importance``,
    ``priority`` (importance × gap), ``priority_std_error``,
    ``priority_ci_low``, ``priority_ci_high`` (bootstrap), ``rank`` (1 = the
    largest importance-weighted shortfall), ``rank_ci_low``, ``rank_ci_high``,
    ``p_top_k`` (share of resamples in which the attribute ranks in the top
    ``top_k``), ``in_top_k``, ``rankable``, ``n`` and ``note`` (why a row
    cannot be ranked).
    """

    reference: str
    importance_source: str
    top_k: int
    confidence_level: float
    n_resamples: int = 0
    weights: str | None = None
    source: str = "data"
    priority_replicates: FloatArray | None = field(default=None, repr=False)

    @property
    def key_experience(self) -> str | None:
        """The attribute ranked first (``None`` when nothing can be ranked)."""
        first = self.table[self.table["rank"] == 1]
        if len(first) == 0:
            return None
        return str(first["attribute"].iloc[0])

    @property
    def unranked(self) -> pd.DataFrame:
        """Rows that could not be ranked, with the reason."""
        return self.table.loc[~self.table["rankable"], ["attribute", "note"]]

    def top(self, k: int | None = None) -> pd.DataFrame:
        """Return the ``k`` attributes with the largest need (default ``top_k``)."""
        k = self.top_k if k is None else k
        ranked = self.table[self.table["rankable"]].sort_values(
            ["rank", "priority"], kind="stable"
        )
        return ranked.head(k).reset_index(drop=True)

    def _title(self) -> str:
        return f"Key experiences: importance × (experience − {self.reference})"

    def _header(self) -> list[tuple[str, str]]:
        header = [
            ("importance", self.importance_source),
            ("priority", f"importance × (experience − {self.reference})"),
            ("ranked", f"{int(self.table['rankable'].sum())} of {len(self.table)}"),
        ]
        if self.n_resamples:
            header.append(
                (
                    "intervals",
                    f"{100 * self.confidence_level:g}% bootstrap percentile, "
                    f"{self.n_resamples} resamples; P(top {self.top_k})",
                )
            )
        key = self.key_experience
        header.append(("key experience", key if key is not None else "none"))
        return header

    def _display_columns(self) -> list[str]:
        columns = [
            "attribute",
            "estimate",
            "importance",
            "priority",
            "priority_ci_low",
            "priority_ci_high",
            "rank",
            "rank_ci_low",
            "rank_ci_high",
            "p_top_k",
            "note",
        ]
        if not self.n_resamples:
            columns = [
                c
                for c in columns
                if not c.startswith(("priority_ci", "rank_ci", "p_top"))
            ]
        return columns

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {
            "estimate": ("signed", 2),
            "importance": ("number", 2),
            "priority": ("signed", 2),
            "priority_ci_low": ("signed", 2),
            "priority_ci_high": ("signed", 2),
            "rank": ("integer", 0),
            "rank_ci_low": ("integer", 0),
            "rank_ci_high": ("integer", 0),
            "p_top_k": ("percent", 0),
        }

    def __repr__(self) -> str:
        ranked = int(self.table["rankable"].sum())
        return (
            f"KeyExperienceResult(key experience={self.key_experience!r}, "
            f"{ranked} of {len(self.table)} attributes ranked, "
            f"priority = importance × (experience − {self.reference}))"
        )

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the bootstrap percentile intervals of the priority index."""
        level = _check_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        if self.priority_replicates is None:
            n = len(self.table)
            low = np.full(n, np.nan)
            high = np.full(n, np.nan)
        else:
            low, high = percentile_limits(self.priority_replicates, level)
        return ConfidenceInterval(
            low=low,
            high=high,
            confidence_level=level,
            method="bootstrap_percentile",
            labels=self.table[["attribute"]].reset_index(drop=True),
        )

    def rank_interval(
        self, confidence_level: float | None = None, top_k: int | None = None
    ) -> pd.DataFrame:
        """Rank intervals and P(top k) at another level or k, from the replicates."""
        from cxmetrics.estimators.gap import need_ranks

        level = _check_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        k = self.top_k if top_k is None else top_k
        if not isinstance(k, int) or k < 1:
            raise InvalidParameterError(f"`top_k` must be a positive int; got {k!r}.")
        out = self.table[["attribute", "rank"]].copy()
        if self.priority_replicates is None:
            out["rank_ci_low"] = np.nan
            out["rank_ci_high"] = np.nan
            out["p_top_k"] = np.nan
            return out
        ranks = need_ranks(self.priority_replicates)
        low, high, p_top = rank_summary(ranks, top_k=k, confidence_level=level)
        out["rank_ci_low"] = low
        out["rank_ci_high"] = high
        out["p_top_k"] = p_top
        return out

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Priority bars (:func:`cxmetrics.plotting.gap.priority_bars`)."""
        from cxmetrics.plotting.gap import priority_bars

        return priority_bars(self, ax=ax, **kwargs)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportancePerformanceResult(ResultBase):
    """Importance–performance quadrants per attribute.

    ``to_frame()`` columns: ``attribute``, ``performance`` (mean experience),
    ``performance_std_error``, ``performance_ci_low``, ``performance_ci_high``,
    ``importance``, ``importance_std_error``, ``importance_ci_low``,
    ``importance_ci_high``, ``quadrant`` (one of :data:`QUADRANTS`),
    ``iso_priority`` (signed distance above the iso-priority diagonal, in
    importance units: positive = improvement priority), ``above_diagonal``,
    ``n`` and ``note``.
    """

    crosshair: tuple[float, float]
    crosshair_method: str
    method: str
    slope: float
    importance_source: str
    confidence_level: float
    scale: tuple[float, float] | None = None
    weights: str | None = None

    @property
    def quadrants(self) -> pd.Series:
        """Quadrant label by attribute."""
        return self.table.set_index("attribute")["quadrant"]

    def _title(self) -> str:
        return "Importance–performance analysis"

    def _header(self) -> list[tuple[str, str]]:
        x, y = self.crosshair
        return [
            ("importance", self.importance_source),
            (
                "crosshair",
                f"{self.crosshair_method}: performance {x:.2f}, importance {y:.2f}",
            ),
            (
                "classes",
                "quadrants"
                if self.method == "crosshair"
                else f"iso-priority diagonal (slope {self.slope:.3g})",
            ),
        ]

    def _display_columns(self) -> list[str]:
        return [
            "attribute",
            "performance",
            "performance_ci_low",
            "performance_ci_high",
            "importance",
            "quadrant",
            "iso_priority",
            "note",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {
            "performance": ("number", 2),
            "performance_ci_low": ("number", 2),
            "performance_ci_high": ("number", 2),
            "importance": ("number", 2),
            "iso_priority": ("signed", 2),
        }

    def __repr__(self) -> str:
        counts = self.table["quadrant"].value_counts().to_dict()
        shown = ", ".join(f"{k}: {v}" for k, v in counts.items())
        return f"ImportancePerformanceResult({len(self.table)} attributes; {shown})"

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the normal intervals of the performance means at another level."""
        level = _check_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        z = float(stats.norm.ppf(0.5 + level / 2))
        est = self.table["performance"].to_numpy(dtype=float)
        se = self.table["performance_std_error"].to_numpy(dtype=float)
        return ConfidenceInterval(
            low=est - z * se,
            high=est + z * se,
            confidence_level=level,
            method="normal",
            labels=self.table[["attribute"]].reset_index(drop=True),
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Quadrant chart (:func:`cxmetrics.plotting.gap.quadrant_chart`)."""
        from cxmetrics.plotting.gap import quadrant_chart

        return quadrant_chart(self, ax=ax, **kwargs)


@dataclass(frozen=True, slots=True, kw_only=True)
class AsymmetricImpactResult(ResultBase):
    """Penalty–reward contrast analysis: basics, performance factors, delighters.

    ``to_frame()`` columns: ``attribute``, ``penalty`` (effect on the outcome
    of low performance versus the middle), ``penalty_std_error``,
    ``penalty_ci_low``, ``penalty_ci_high``, ``penalty_p_value``, the same for
    ``reward`` (high performance versus the middle), ``n_low``, ``n_mid``,
    ``n_high``, ``impact_range``, ``impact_asymmetry``, ``classification``
    (``'basic'``, ``'performance'``, ``'excitement'`` or ``'undetermined'``) and
    ``reason``.
    """

    outcome: str
    low: float
    high: float
    threshold: float
    min_group_n: int
    cov_type: str
    confidence_level: float
    r_squared: float
    n: int
    df: float
    coefficients: pd.DataFrame = field(repr=False)
    weights: str | None = None
    strata: str | None = None
    n_omitted: int = 0

    @property
    def classes(self) -> pd.Series:
        """Classification by attribute."""
        return self.table.set_index("attribute")["classification"]

    def _title(self) -> str:
        return f"Asymmetric impact on {self.outcome} (penalty–reward contrasts)"

    def _header(self) -> list[tuple[str, str]]:
        return [
            ("groups", f"low ≤ {self.low:g} · middle · high ≥ {self.high:g}"),
            (
                "model",
                f"WLS of {self.outcome} on low/high dummies, R² {self.r_squared:.3f}",
            ),
            ("standard errors", self.cov_type),
            ("weights", self.weights or "none (equal)"),
            ("n", f"{self.n} (rows omitted: {self.n_omitted})"),
            (
                "classes",
                f"impact asymmetry > {self.threshold:g} excitement, "
                f"< −{self.threshold:g} basic",
            ),
        ]

    def _display_columns(self) -> list[str]:
        return [
            "attribute",
            "penalty",
            "penalty_ci_low",
            "penalty_ci_high",
            "reward",
            "reward_ci_low",
            "reward_ci_high",
            "impact_range",
            "impact_asymmetry",
            "classification",
            "reason",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return dict.fromkeys(
            (
                "penalty",
                "penalty_ci_low",
                "penalty_ci_high",
                "reward",
                "reward_ci_low",
                "reward_ci_high",
                "impact_asymmetry",
            ),
            ("signed", 2),
        ) | {"impact_range": ("number", 2)}

    def __repr__(self) -> str:
        classes = self.classes
        parts = [
            f"{label}: {', '.join(classes.index[classes == label])}"
            for label in ("basic", "performance", "excitement", "undetermined")
            if (classes == label).any()
        ]
        return f"AsymmetricImpactResult({self.outcome}; " + "; ".join(parts) + ")"

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> dict[str, ConfidenceInterval]:
        """Recompute the t intervals of penalties and rewards at another level."""
        level = _check_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        out = {}
        for part in ("penalty", "reward"):
            low, high = t_limits(
                self.table[part].to_numpy(dtype=float),
                self.table[f"{part}_std_error"].to_numpy(dtype=float),
                np.full(len(self.table), self.df),
                level,
            )
            out[part] = ConfidenceInterval(
                low=low,
                high=high,
                confidence_level=level,
                method="t",
                labels=self.table[["attribute"]].reset_index(drop=True),
            )
        return out

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Penalty/reward bars (:func:`cxmetrics.plotting.gap.penalty_reward_bars`)."""
        from cxmetrics.plotting.gap import penalty_reward_bars

        return penalty_reward_bars(self, ax=ax, **kwargs)
