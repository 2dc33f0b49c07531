"""Results of weighting: raked / post-stratified / trimmed weights and diagnostics.

A :class:`WeightingResult` keeps the small table of joint cells (base-weight totals
and raking factors), so it can serve as the ``calibration=`` of the estimators that
follow (their calibrated standard errors need only that table and the data).

Imports: numpy, pandas, results.base. Plotting is imported lazily by ``plot``.
"""

from __future__ import annotations

import math
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
    "CalibratedScoreResult",
    "Margin",
    "WeightDiagnostics",
    "WeightDiagnosticsResult",
    "WeightingResult",
    "diagnostics_of",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Margin:
    """One weighting margin: its columns, categories and targets (weight units).

    Attributes
    ----------
    columns : tuple of str
        The column(s) of the margin (several for a joint margin such as
        period × segment).
    labels : tuple
        The categories (tuples of values for a joint margin).
    targets : numpy.ndarray
        Target weight total per category, in the units of the final weights.
    """

    columns: tuple[str, ...]
    labels: tuple[Hashable, ...]
    targets: FloatArray

    @property
    def name(self) -> str:
        """The margin's name: its column, or the columns joined by " × "."""
        return " × ".join(self.columns)


@dataclass(frozen=True, slots=True)
class WeightDiagnostics:
    """Summary of a set of weights.

    Attributes
    ----------
    n : int
        Units with a weight.
    sum_weights : float
        Σw.
    mean, min, max : float
        Mean, smallest and largest weight.
    ratio : float
        max / min (inf when a weight is 0).
    cv : float
        Coefficient of variation of the weights (population form).
    design_effect : float
        Kish's design effect n Σw² / (Σw)² = 1 + cv².
    n_eff : float
        Kish's effective sample size (Σw)² / Σw².
    efficiency : float
        n_eff / n = 1 / design_effect.
    top1_share : float
        Share of the total weight held by the 1% of units with the largest
        weights (⌈n/100⌉ units).
    """

    n: int
    sum_weights: float
    mean: float
    min: float
    max: float
    ratio: float
    cv: float
    design_effect: float
    n_eff: float
    efficiency: float
    top1_share: float

    def to_dict(self) -> dict[str, float]:
        """Return the diagnostics as plain floats."""
        return {
            name: float(getattr(self, name))
            for name in (
                "n",
                "sum_weights",
                "mean",
                "min",
                "max",
                "ratio",
                "cv",
                "design_effect",
                "n_eff",
                "efficiency",
                "top1_share",
            )
        }


def diagnostics_of(values: FloatArray, counts: FloatArray) -> WeightDiagnostics:
    """Diagnostics of weights given as distinct ``values`` with their ``counts``."""
    v = np.asarray(values, dtype=np.float64)
    c = np.asarray(counts, dtype=np.float64)
    keep = c > 0
    v, c = v[keep], c[keep]
    n = float(c.sum())
    if n == 0:
        nan = math.nan
        return WeightDiagnostics(0, 0.0, nan, nan, nan, nan, nan, nan, nan, nan, nan)
    sw = float(c @ v)
    sw2 = float(c @ (v * v))
    mean = sw / n
    vmin, vmax = float(v.min()), float(v.max())
    order = np.argsort(-v, kind="stable")
    k = math.ceil(n / 100)
    taken = np.minimum(np.cumsum(c[order]), k)
    used = np.diff(np.concatenate([[0.0], taken]))
    top = float(used @ v[order])
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = n * sw2 / sw**2 if sw > 0 else math.nan
        cv = math.sqrt(max(sw2 / n - mean**2, 0.0)) / mean if mean > 0 else math.nan
        ratio = vmax / vmin if vmin > 0 else math.inf
    return WeightDiagnostics(
        n=int(n),
        sum_weights=sw,
        mean=mean,
        min=vmin,
        max=vmax,
        ratio=ratio,
        cv=cv,
        design_effect=deff,
        n_eff=sw**2 / sw2 if sw2 > 0 else math.nan,
        efficiency=1 / deff if deff and deff > 0 else math.nan,
        top1_share=top / sw if sw > 0 else math.nan,
    )


_DIAGNOSTIC_FORMATS = {
    "mean": ("number", 3),
    "min": ("number", 3),
    "max": ("number", 3),
    "ratio": ("number", 2),
    "cv": ("number", 3),
    "design_effect": ("number", 3),
    "efficiency": ("percent", 1),
    "top1_share": ("percent", 2),
}


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class WeightingResult(ResultBase):
    """Weights from raking, post-stratification or trimming, with diagnostics.

    ``to_frame()`` gives one row per margin × category: ``margin``,
    ``category``, ``target`` (weight units), ``target_share``, ``n``,
    ``unweighted_share``, ``base_share`` (base weights), ``weighted_share``
    (final weights) and ``weighted_total``.

    Attributes
    ----------
    weights : pandas.Series or None
        The final weight of every row, a new Series aligned with the data (its
        index for pandas input, 0…n−1 otherwise); None for a lazy table (use the
        result as ``calibration=``, which needs only :attr:`cells`).
    method : str
        ``'rake'``, ``'poststratify'`` or ``'trim'``.
    variance : str
        The calibrated-variance flavour the result gives downstream:
        ``'raking'`` (R's ``rake()``), ``'greg'`` (R's ``calibrate()``) or
        ``'poststratify'`` (R's ``postStratify()``).
    margins : tuple of Margin
        The margins, with targets in weight units.
    cells : pandas.DataFrame
        One row per joint cell of the margin columns: the columns, ``n``,
        ``base_total`` (Σ base weights), ``factor`` and ``weighted_total``.
    cell_codes : numpy.ndarray
        Category position of each cell on each margin, ``(C, M)``.
    base_weights : str or None
        The base weight column (None: equal base weights of 1).
    diagnostics, base_diagnostics : WeightDiagnostics
        Diagnostics of the final and of the base weights.
    iterations : int
        Raking sweeps (or trimming rounds).
    converged : bool
        Whether the margins (and bounds) hold within ``tol``.
    max_error : float
        Largest |achieved − target| / total over the margin categories.
    kind : str
        ``'counts'`` (weights sum to the population total) or ``'shares'``
        (weights sum to the base weights' total).
    cell_constant : bool
        Whether the final weight is the base weight times a factor constant
        within each joint cell (always, except after trimming unequal base
        weights); calibrated SEs need it.
    n_trimmed : int
        Units at a trimming bound (trimming only).
    """

    weights: pd.Series | None
    method: str
    variance: str
    margins: tuple[Margin, ...]
    cells: pd.DataFrame
    cell_codes: NDArray[np.intp]
    base_weights: str | None
    diagnostics: WeightDiagnostics
    base_diagnostics: WeightDiagnostics
    iterations: int
    converged: bool
    max_error: float
    kind: str
    cell_constant: bool = True
    n_trimmed: int = 0

    @property
    def margin_columns(self) -> tuple[str, ...]:
        """Every column used by a margin, in order of first use."""
        seen: list[str] = []
        for margin in self.margins:
            seen.extend(c for c in margin.columns if c not in seen)
        return tuple(seen)

    @property
    def factors(self) -> pd.DataFrame:
        """The weighting factor of every joint cell (final / base weight)."""
        return self.cells[[*self.margin_columns, "factor"]].copy()

    def _title(self) -> str:
        names = {
            "rake": "Raking",
            "poststratify": "Post-stratification",
            "trim": "Trimmed weights",
        }
        return f"{names.get(self.method, self.method)}: weighted margins"

    def _header(self) -> list[tuple[str, str]]:
        d = self.diagnostics
        header = [
            ("margins", ", ".join(m.name for m in self.margins) or "none"),
            ("targets", self.kind),
            ("base weights", self.base_weights or "none (equal)"),
            ("converged", f"{self.converged} ({self.iterations} iterations)"),
            ("n", f"{d.n}"),
            ("sum of weights", f"{d.sum_weights:,.1f}".replace(",", " ")),
            ("design effect (Kish)", f"{d.design_effect:.3f}"),
            ("effective n", f"{d.n_eff:.1f} (efficiency {100 * d.efficiency:.1f}%)"),
            ("min / max weight", f"{d.min:.4g} / {d.max:.4g}"),
            ("top 1% weight share", f"{100 * d.top1_share:.2f}%"),
            ("calibrated SE", self.variance),
        ]
        if self.method == "trim":
            header.append(("units trimmed", f"{self.n_trimmed}"))
        return header

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {
            "target": ("number", 1),
            "weighted_total": ("number", 1),
            **dict.fromkeys(
                ("target_share", "unweighted_share", "base_share", "weighted_share"),
                ("percent", 1),
            ),
        }

    def diagnostics_frame(self) -> pd.DataFrame:
        """Diagnostics of the base and final weights, one row each."""
        return pd.DataFrame(
            [
                {"weights": "base", **self.base_diagnostics.to_dict()},
                {"weights": "final", **self.diagnostics.to_dict()},
            ]
        )

    def __repr__(self) -> str:
        d = self.diagnostics
        margins = ", ".join(m.name for m in self.margins)
        return (
            f"WeightingResult(method={self.method!r}, margins=[{margins}], "
            f"n={d.n}, deff={d.design_effect:.3f}, n_eff={d.n_eff:.1f}, "
            f"weights {d.min:.3g}–{d.max:.3g}, converged={self.converged})"
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Raked vs unweighted margins (:func:`cxmetrics.plotting.weighted_margins`)."""
        from cxmetrics.plotting.compare import weighted_margins

        return weighted_margins(self, ax=ax, **kwargs)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class WeightDiagnosticsResult(ResultBase):
    """Diagnostics of a weight column, overall or per group.

    ``to_frame()`` columns: group columns, ``n``, ``sum_weights``, ``mean``,
    ``min``, ``max``, ``ratio``, ``cv``, ``design_effect``, ``n_eff``,
    ``efficiency``, ``top1_share``.
    """

    weights: str

    def _title(self) -> str:
        return f"Weight diagnostics of {self.weights!r}"

    def _formats(self) -> dict[str, tuple[str, int]]:
        return dict(_DIAGNOSTIC_FORMATS)

    @property
    def design_effect(self) -> float:
        """Kish's design effect (single-group results only)."""
        return float(self._single_row("design_effect")["design_effect"])

    @property
    def n_eff(self) -> float:
        """Kish's effective sample size (single-group results only)."""
        return float(self._single_row("n_eff")["n_eff"])

    def __repr__(self) -> str:
        if len(self.table) == 1:
            row = self.table.iloc[0]
            return (
                f"WeightDiagnosticsResult(n={int(row['n'])}, "
                f"deff={row['design_effect']:.3f}, n_eff={row['n_eff']:.1f}, "
                f"efficiency={100 * row['efficiency']:.1f}%, "
                f"min={row['min']:.3g}, max={row['max']:.3g}, "
                f"top1_share={100 * row['top1_share']:.2f}%)"
            )
        return (
            f"WeightDiagnosticsResult({len(self.table)} groups by "
            f"{list(self.group_names)})"
        )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class CalibratedScoreResult(ResultBase):
    """A score per group with its calibrated (and its fixed-weights) standard error.

    ``to_frame()`` columns: group columns, ``estimate``, ``std_error``
    (calibrated), ``ci_low``, ``ci_high`` (normal interval on the calibrated SE),
    ``std_error_fixed`` (weights treated as fixed), ``variance_ratio``
    (calibrated / fixed variance), ``n``, ``n_eff``, ``sum_weights``.

    Attributes
    ----------
    covariance : numpy.ndarray
        Calibrated covariance matrix of the estimates (rows of the table); groups
        are correlated after calibration.
    metric : str
        What was estimated.
    variance : str
        The calibration flavour (``'raking'``, ``'greg'``, ``'poststratify'``).
    confidence_level : float
        Level of the intervals.
    """

    covariance: FloatArray
    metric: str
    variance: str
    confidence_level: float

    @property
    def estimate(self) -> float:
        """The estimate (single-group results only)."""
        return float(self._single_row("estimate")["estimate"])

    @property
    def std_error(self) -> float:
        """The calibrated standard error (single-group results only)."""
        return float(self._single_row("std_error")["std_error"])

    def _title(self) -> str:
        return f"{self.metric} after weighting, calibrated standard errors"

    def _header(self) -> list[tuple[str, str]]:
        return [
            ("calibrated SE", self.variance),
            ("interval", f"{100 * self.confidence_level:g}% normal"),
            ("std_error_fixed", "weights treated as fixed (naive)"),
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {"std_error_fixed": ("number", 2), "variance_ratio": ("number", 3)}

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the normal intervals at another level."""
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
            labels=self._labels(),
        )

    def __repr__(self) -> str:
        if len(self.table) == 1:
            row = self.table.iloc[0]
            return (
                f"CalibratedScoreResult({self.metric}={row['estimate']:.4g}, "
                f"SE={row['std_error']:.4g} ({self.variance}), "
                f"fixed-weights SE={row['std_error_fixed']:.4g}, n={int(row['n'])})"
            )
        return (
            f"CalibratedScoreResult({self.metric}: {len(self.table)} groups by "
            f"{list(self.group_names)}, calibrated SE ({self.variance}))"
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Forest plot of the estimates (:func:`cxmetrics.plotting.forest`)."""
        from cxmetrics.plotting.scores import forest

        return forest(self, ax=ax, **kwargs)
