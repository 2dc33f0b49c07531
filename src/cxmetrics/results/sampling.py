"""Results of the planning functions: sample sizes, margins, power, plans, quotas.

Each result keeps the inputs it assumed (``assumptions``), so it can redraw its
margin-of-error or power curve (:meth:`curve`) without the caller repeating them.
NPS margins and differences are in points; shares in [0, 1]; means in scale units.

Imports: numpy, pandas, estimators. Plotting is imported lazily by ``plot``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from cxmetrics.estimators.sample_size import (
    mean_difference_power,
    mean_margin,
    nps_difference_power,
    nps_margin,
    nps_unit_variance,
    share_difference_power,
    share_margin,
)
from cxmetrics.results._render import frame_to_html
from cxmetrics.results.base import ResultBase

__all__ = [
    "BenchmarkPlanResult",
    "DetectableDifferenceResult",
    "MarginOfErrorResult",
    "PowerResult",
    "QuotaResult",
    "SampleSizeResult",
    "margin_for",
    "power_for",
]

FloatArray = NDArray[np.float64]

#: Scale factor from the proportion scale of the estimators to the reported unit.
_SCALE = {"nps": 100.0, "share": 1.0, "mean": 1.0}
_UNIT = {"nps": " pts", "share": "", "mean": ""}


# --- computation from stored assumptions (shared with cxmetrics.sampling) -------------


def margin_for(a: Mapping[str, Any], n: ArrayLike) -> FloatArray:
    """Margin of error (reported units) at ``n`` interviews under assumptions ``a``."""
    metric = a["metric"]
    common = {
        "confidence_level": a["confidence_level"],
        "deff": a["deff"],
        "population": a.get("population"),
    }
    if metric == "nps":
        half = nps_margin(
            n, a["promoters"], a["detractors"], method=a["method"], **common
        )
        return np.asarray(100.0 * half, dtype=np.float64)
    if metric == "share":
        return share_margin(n, a["share"], method=a["method"], **common)
    return mean_margin(n, a["sd"], method=a["method"], **common)


def power_for(
    a: Mapping[str, Any], n: ArrayLike, n_other: ArrayLike, difference: ArrayLike
) -> FloatArray:
    """Power at ``n`` and ``n_other`` interviews for ``difference`` (reported units)."""
    metric = a["metric"]
    common = {"alpha": a["alpha"], "alternative": a["alternative"], "deff": a["deff"]}
    diff = np.asarray(difference, dtype=np.float64)
    if metric == "nps":
        v_ref = float(nps_unit_variance(a["promoters"], a["detractors"]))
        if a.get("promoters_other") is None:
            v_other = v_ref
        else:
            v_other = float(
                nps_unit_variance(a["promoters_other"], a["detractors_other"])
            )
        return nps_difference_power(n, n_other, diff / 100.0, v_ref, v_other, **common)
    if metric == "share":
        return share_difference_power(
            n,
            n_other,
            a["share"],
            a["share"] + diff,
            pooled=a["method"] == "pooled",
            **common,
        )
    return mean_difference_power(
        n, n_other, diff, a["sd"], a.get("sd_other"), method=a["method"], **common
    )


def _n_grid(n: float, low: float = 2.0) -> FloatArray:
    top = max(3.0 * n, 20.0)
    return np.unique(np.round(np.geomspace(max(low, n / 20), top, 200)))


def _describe(a: Mapping[str, Any]) -> str:
    """Describe the expected values assumed, in words."""
    metric = a["metric"]
    if metric == "nps":
        if a.get("worst_case"):
            text = "worst case (50% promoters, 50% detractors)"
        else:
            text = (
                f"{100 * a['promoters']:.0f}% promoters, "
                f"{100 * a['detractors']:.0f}% detractors"
            )
        if a.get("promoters_other") is not None:
            text += (
                f" vs {100 * a['promoters_other']:.0f}% / "
                f"{100 * a['detractors_other']:.0f}%"
            )
        return text
    if metric == "share":
        return (
            "worst case (share 50%)"
            if a.get("worst_case")
            else f"share {100 * a['share']:.1f}%"
        )
    sd = f"SD {a['sd']:g}"
    return sd + (f" vs {a['sd_other']:g}" if a.get("sd_other") is not None else "")


def _format_amount(metric: str, value: float) -> str:
    if metric == "share":
        return f"{100 * value:.1f} percentage points"
    return f"{value:.3g}{_UNIT[metric]}"


_FORMATS: dict[str, tuple[str, int]] = {
    "n_exact": ("number", 1),
    "n_eff": ("number", 1),
    "margin": ("number", 2),
    "margin_achieved": ("number", 2),
    "difference": ("number", 2),
    "power": ("number", 3),
    "power_achieved": ("number", 3),
    "power_simulated": ("number", 3),
    "mc_std_error": ("number", 4),
    "alpha": ("number", 3),
    "confidence_level": ("number", 3),
    "deff": ("number", 2),
    "nps": ("signed", 1),
    "nps_other": ("signed", 1),
    "share": ("percent", 1),
    "share_other": ("percent", 1),
    "sd": ("number", 2),
    "sd_other": ("number", 2),
    "n_other": ("integer", 0),
    "population": ("integer", 0),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class _PlanningResult(ResultBase):
    """Shared behaviour: the metric and the inputs assumed."""

    metric: str
    assumptions: Mapping[str, Any] = field(default_factory=dict)

    def _formats(self) -> dict[str, tuple[str, int]]:
        formats = dict(_FORMATS)
        if self.metric == "share":
            for key in ("margin", "margin_achieved", "difference"):
                formats[key] = ("percent", 2)
        return formats

    def _assumed_header(self) -> list[tuple[str, str]]:
        header = [("metric", self.metric), ("assumed", _describe(self.assumptions))]
        deff = self.assumptions.get("deff", 1.0)
        if deff != 1:
            header.append(("design effect", f"{deff:.3g}"))
        return header


# --- sample size ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SampleSizeResult(_PlanningResult):
    """Interviews needed for a margin of error or to detect a difference.

    Attributes
    ----------
    n : int
        Interviews per group, rounded up (the reference group for differences).
    n_exact : float
        The real-valued solution before rounding.
    n_other : int or None
        Interviews in the other group (differences only; ``ratio × n_exact``
        rounded up).
    goal : {'margin', 'difference'}
        What the size was solved for.
    assumptions : dict
        Every input assumed (expected shares or SD, level, power, design effect…).

    ``to_frame()`` has one row per group (``group`` = ``'all'``, or
    ``'reference'`` and ``'other'``) with ``n``, ``n_exact``, the target, the
    precision the rounded ``n`` achieves (``margin_achieved`` or
    ``power_achieved``) and the assumed values.
    """

    goal: str
    n: int
    n_exact: float
    n_other: int | None = None

    @property
    def n_total(self) -> int:
        """Interviews over all groups."""
        return self.n + (self.n_other or 0)

    def _title(self) -> str:
        if self.goal == "margin":
            return f"Sample size for a margin of error ({self.metric})"
        return f"Sample size per group to detect a difference ({self.metric})"

    def _header(self) -> list[tuple[str, str]]:
        a = self.assumptions
        header = self._assumed_header()
        if self.goal == "margin":
            header.insert(
                0,
                (
                    "target",
                    f"±{_format_amount(self.metric, a['margin'])} at "
                    f"{100 * a['confidence_level']:g}% ({a['method']})",
                ),
            )
            if a.get("population") is not None:
                header.append(("population", f"{a['population']:,}"))
        else:
            header.insert(
                0,
                (
                    "target",
                    f"{_format_amount(self.metric, abs(a['difference']))} with "
                    f"{100 * a['power']:g}% power, alpha {a['alpha']:g} "
                    f"({a['alternative']})",
                ),
            )
            header.append(("allocation", f"n_other = {a['ratio']:g} × n"))
        return header

    def _display_columns(self) -> list[str]:
        if self.goal == "margin":
            cols = ["n", "n_exact", "n_eff", "margin", "margin_achieved"]
        else:
            cols = ["group", "n", "n_exact", "difference", "power", "power_achieved"]
        extra = {
            "nps": ["promoters", "detractors", "nps"],
            "share": ["share"],
            "mean": ["sd"],
        }
        return [*cols, *extra[self.metric]]

    def __repr__(self) -> str:
        a = self.assumptions
        if self.goal == "margin":
            return (
                f"SampleSizeResult({self.metric} "
                f"±{_format_amount(self.metric, a['margin'])} "
                f"at {100 * a['confidence_level']:g}%: n={self.n} ({self.n_exact:.1f} "
                f"exact), {_describe(a)}, method={a['method']!r}, deff={a['deff']:.3g})"
            )
        groups = (
            "per group" if self.n_other == self.n else f"and n_other={self.n_other}"
        )
        return (
            f"SampleSizeResult({self.metric} difference of "
            f"{_format_amount(self.metric, abs(a['difference']))}, "
            f"{100 * a['power']:g}% power, alpha={a['alpha']:g} {a['alternative']}: "
            f"n={self.n} {groups} ({self.n_exact:.1f} exact), {_describe(a)})"
        )

    def curve(self, n: ArrayLike | None = None) -> pd.DataFrame:
        """Margin of error (goal ``'margin'``) or power (``'difference'``) against n.

        Parameters
        ----------
        n : array-like, optional
            Interviews per group (the reference group); a grid around
            :attr:`n` by default.

        Returns
        -------
        pandas.DataFrame
            Columns ``n`` and ``margin``, or ``n``, ``n_other`` and ``power``.
        """
        grid = _n_grid(self.n) if n is None else np.asarray(n, dtype=np.float64)
        if self.goal == "margin":
            return pd.DataFrame(
                {"n": grid, "margin": margin_for(self.assumptions, grid)}
            )
        other = grid * float(self.assumptions["ratio"])
        power = power_for(self.assumptions, grid, other, self.assumptions["difference"])
        return pd.DataFrame({"n": grid, "n_other": other, "power": power})

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Margin-of-error curve (goal ``'margin'``) or power curve, with n marked.

        Delegates to :func:`cxmetrics.plotting.sampling.margin_of_error_curve` or
        :func:`cxmetrics.plotting.sampling.power_curve`.
        """
        from cxmetrics.plotting import sampling

        if self.goal == "margin":
            return sampling.margin_of_error_curve(self, ax=ax, **kwargs)
        return sampling.power_curve(self, ax=ax, **kwargs)


# --- margin of error ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MarginOfErrorResult(_PlanningResult):
    """The margin of error (interval half-width) that ``n`` interviews buy.

    Attributes
    ----------
    n : int
        Interviews.
    margin : float
        Half-width of the interval: NPS points, a share (0–1) or scale units.
    """

    n: int
    margin: float

    def _title(self) -> str:
        return f"Margin of error ({self.metric})"

    def _header(self) -> list[tuple[str, str]]:
        a = self.assumptions
        header = [
            ("interval", f"{100 * a['confidence_level']:g}% ({a['method']})"),
            *self._assumed_header(),
        ]
        if a.get("population") is not None:
            header.append(("population", f"{a['population']:,}"))
        return header

    def _display_columns(self) -> list[str]:
        extra = {
            "nps": ["promoters", "detractors", "nps"],
            "share": ["share"],
            "mean": ["sd"],
        }
        return ["n", "n_eff", "margin", *extra[self.metric]]

    def __repr__(self) -> str:
        a = self.assumptions
        return (
            f"MarginOfErrorResult({self.metric}, n={self.n}: "
            f"±{_format_amount(self.metric, self.margin)} at "
            f"{100 * a['confidence_level']:g}%, {_describe(a)}, method={a['method']!r})"
        )

    def curve(self, n: ArrayLike | None = None) -> pd.DataFrame:
        """Margin of error against n (columns ``n``, ``margin``)."""
        grid = _n_grid(self.n) if n is None else np.asarray(n, dtype=np.float64)
        return pd.DataFrame({"n": grid, "margin": margin_for(self.assumptions, grid)})

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Margin-of-error curve with this n marked.

        Delegates to :func:`cxmetrics.plotting.sampling.margin_of_error_curve`.
        """
        from cxmetrics.plotting import sampling

        return sampling.margin_of_error_curve(self, ax=ax, **kwargs)


# --- minimum detectable difference ----------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DetectableDifferenceResult(_PlanningResult):
    """The smallest difference that ``n`` interviews per group detect with given power.

    Attributes
    ----------
    n, n_other : int
        Interviews in the reference and the other group.
    difference : float
        Minimum detectable difference (NPS points, share or scale units);
        NaN when none is detectable within the metric's range.
    """

    n: int
    n_other: int
    difference: float

    def _title(self) -> str:
        return f"Minimum detectable difference ({self.metric})"

    def _header(self) -> list[tuple[str, str]]:
        a = self.assumptions
        return [
            (
                "test",
                f"{100 * a['power']:g}% power, alpha {a['alpha']:g} "
                f"({a['alternative']}, {a['method']})",
            ),
            *self._assumed_header(),
        ]

    def _display_columns(self) -> list[str]:
        extra = {
            "nps": ["promoters", "detractors", "nps"],
            "share": ["share", "share_other"],
            "mean": ["sd"],
        }
        return ["n", "n_other", "difference", "power", *extra[self.metric]]

    def __repr__(self) -> str:
        a = self.assumptions
        return (
            f"DetectableDifferenceResult({self.metric}, n={self.n} vs {self.n_other}: "
            f"{_format_amount(self.metric, self.difference)} with "
            f"{100 * a['power']:g}% power, alpha={a['alpha']:g} {a['alternative']}, "
            f"{_describe(a)})"
        )

    def curve(self, difference: ArrayLike | None = None) -> pd.DataFrame:
        """Return power against the true difference at this n.

        Columns ``difference`` and ``power``.
        """
        if difference is None:
            top = 2.5 * self.difference if np.isfinite(self.difference) else 1.0
            if self.metric == "share":
                p = float(self.assumptions["share"])
                sign = 1.0 if p <= 0.5 else -1.0
                top = min(top, (1 - p) if sign > 0 else p)
                grid = sign * np.linspace(0.0, top, 200)
            else:
                grid = np.linspace(0.0, top, 200)
        else:
            grid = np.asarray(difference, dtype=np.float64)
        power = power_for(self.assumptions, self.n, self.n_other, grid)
        return pd.DataFrame({"difference": grid, "power": power})

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Power against the true difference, with the detectable difference marked.

        Delegates to :func:`cxmetrics.plotting.sampling.power_curve`.
        """
        from cxmetrics.plotting import sampling

        return sampling.power_curve(self, ax=ax, **kwargs)


# --- power ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PowerResult(_PlanningResult):
    """Power to detect a difference, analytic and (optionally) by simulation.

    Attributes
    ----------
    n, n_other : int
        Interviews in the reference and the other group.
    difference : float
        The true difference assumed (other − reference).
    power : float
        Normal-approximation (or noncentral t) power.
    power_simulated : float or None
        Rejection rate of the test over ``n_simulations`` seeded multinomial draws
        (NPS only), with its Monte Carlo standard error ``mc_std_error``.
    """

    n: int
    n_other: int
    difference: float
    power: float
    power_simulated: float | None = None
    mc_std_error: float | None = None
    n_simulations: int = 0

    def _title(self) -> str:
        return f"Power to detect a difference ({self.metric})"

    def _header(self) -> list[tuple[str, str]]:
        a = self.assumptions
        header = [
            ("test", f"alpha {a['alpha']:g} ({a['alternative']}, {a['method']})"),
            *self._assumed_header(),
        ]
        if self.n_simulations:
            header.append(("simulation", f"{self.n_simulations:,} multinomial draws"))
        return header

    def _display_columns(self) -> list[str]:
        cols = ["n", "n_other", "difference", "power"]
        if self.n_simulations:
            cols += ["power_simulated", "mc_std_error"]
        return cols

    def __repr__(self) -> str:
        a = self.assumptions
        text = (
            f"PowerResult({self.metric}, n={self.n} vs {self.n_other}, difference "
            f"{_format_amount(self.metric, self.difference)}: power={self.power:.3f}"
        )
        if self.power_simulated is not None:
            text += f", simulated={self.power_simulated:.3f} ± {self.mc_std_error:.3f}"
        return text + f", alpha={a['alpha']:g} {a['alternative']})"

    def curve(self, n: ArrayLike | None = None) -> pd.DataFrame:
        """Return power against n at the same allocation.

        Columns ``n``, ``n_other`` and ``power``.
        """
        grid = _n_grid(self.n) if n is None else np.asarray(n, dtype=np.float64)
        other = grid * (self.n_other / self.n)
        power = power_for(self.assumptions, grid, other, self.difference)
        return pd.DataFrame({"n": grid, "n_other": other, "power": power})

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Power curve against n, with the analytic and simulated power marked.

        Delegates to :func:`cxmetrics.plotting.sampling.power_curve`.
        """
        from cxmetrics.plotting import sampling

        return sampling.power_curve(self, ax=ax, **kwargs)


# --- benchmark plan -------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BenchmarkPlanResult(ResultBase):
    """A competitor-benchmark plan: interviews per brand and the precision they buy.

    ``to_frame()`` has one row per brand: ``brand``, ``role`` (``'own'`` or
    ``'competitor'``), ``n`` (interviews per wave), ``cost_per_interview``,
    ``cost``, the expected ``promoters``, ``detractors`` and ``nps``, the
    ``margin`` (± NPS points) at ``n``, the ``detectable_gap`` to the own brand
    and the ``detectable_change`` between two waves of the brand (points, with
    the plan's power and alpha), the targets (``target_margin``,
    ``target_gap``), ``meets_target`` and a ``note``.

    Attributes
    ----------
    own : str
        The own brand.
    cadence : pandas.DataFrame
        Per brand: the detectable wave-on-wave change and yearly interviews and
        cost for a monthly and a quarterly cadence (same interviews per year, or
        the same per wave).
    total_n : int
        Interviews per wave over all brands.
    total_cost : float or None
        Cost per wave (when costs are given).
    budget : float or None
        Budget per wave (when given).
    """

    own: str
    cadence: pd.DataFrame
    total_n: int
    total_cost: float | None = None
    budget: float | None = None
    assumptions: Mapping[str, Any] = field(default_factory=dict)

    def _title(self) -> str:
        brands = len(self.table)
        return f"Competitor benchmark plan ({brands} brands, own brand {self.own!r})"

    def _header(self) -> list[tuple[str, str]]:
        a = self.assumptions
        header = [
            ("goal", str(a.get("goal", ""))),
            ("interval", f"{100 * a['confidence_level']:g}% ({a['method']})"),
            (
                "tests",
                f"{100 * a['power']:g}% power, alpha {a['alpha']:g} "
                f"({a['alternative']})",
            ),
            ("cadence", str(a["cadence"])),
            ("interviews per wave", f"{self.total_n:,}"),
        ]
        if a.get("deff", 1) != 1:
            header.append(("design effect", f"{a['deff']:.3g}"))
        if self.total_cost is not None:
            header.append(("cost per wave", f"{self.total_cost:,.0f}"))
        if self.budget is not None:
            header.append(("budget per wave", f"{self.budget:,.0f}"))
        return header

    def _display_columns(self) -> list[str]:
        cols = ["brand", "role", "n"]
        if self.total_cost is not None:
            cols.append("cost")
        return [
            *cols,
            "nps",
            "margin",
            "detectable_gap",
            "detectable_change",
            "meets_target",
            "note",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {
            "nps": ("signed", 0),
            "margin": ("number", 1),
            "detectable_gap": ("number", 1),
            "detectable_change": ("number", 1),
            "cost": ("number", 0),
            "cost_per_interview": ("number", 2),
            "cost_per_year": ("number", 0),
        }

    def _footer(self) -> list[str]:
        own = self.cadence[self.cadence["brand"] == self.own]
        parts = [
            f"{row.cadence} ({row.basis}): n={row.n_per_wave}, "
            f"±{row.detectable_change:.1f} pts"
            for row in own.itertuples(index=False)
        ]
        return ["detectable change between waves, own brand: " + "; ".join(parts)]

    def _repr_html_(self) -> str:
        return ResultBase._repr_html_(self) + frame_to_html(
            self.cadence,
            title="Detectable change between waves by cadence",
            formats=self._formats(),
        )

    def __repr__(self) -> str:
        sizes = ", ".join(
            f"{row.brand}={row.n}" for row in self.table.itertuples(index=False)
        )
        cost = "" if self.total_cost is None else f", cost={self.total_cost:,.0f}"
        total = f"total={self.total_n}{cost}"
        return f"BenchmarkPlanResult(own={self.own!r}: {sizes}; {total})"

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Each brand's expected NPS ± the margin its n buys, with n and gap.

        Delegates to :func:`cxmetrics.plotting.sampling.benchmark_chart`.
        """
        from cxmetrics.plotting import sampling

        return sampling.benchmark_chart(self, ax=ax, **kwargs)


# --- quotas ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotaResult(ResultBase):
    r"""Quotas proportional to market penetration, and the cost of weighting back.

    ``to_frame()`` has one row per cell: ``cell``, ``population_share``,
    ``quota``, ``sample_share``, ``weight`` (population share ÷ sample share,
    mean 1 over the sample) and ``at_minimum`` (quota raised to the minimum).

    Attributes
    ----------
    total : int
        Interviews in all (the quotas add up to it exactly).
    minimum : int
        Minimum per cell.
    deff : float
        Kish design effect of the weights that restore the population shares,
        :math:`\sum_c P_c^2/q_c` (1 for strictly proportional quotas).
    """

    total: int
    minimum: int
    deff: float

    @property
    def n_eff(self) -> float:
        """Effective sample size after weighting back, ``total / deff``."""
        return self.total / self.deff

    def _title(self) -> str:
        return "Quota frame by market penetration"

    def _header(self) -> list[tuple[str, str]]:
        return [
            ("interviews", f"{self.total:,}"),
            ("minimum per cell", f"{self.minimum:,}"),
            ("deff (weighted back)", f"{self.deff:.3f}"),
            ("effective n", f"{self.n_eff:,.0f}"),
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {
            "population_share": ("percent", 1),
            "sample_share": ("percent", 1),
            "quota": ("integer", 0),
            "weight": ("number", 3),
        }

    def __repr__(self) -> str:
        return (
            f"QuotaResult({len(self.table)} cells, total={self.total}, "
            f"minimum={self.minimum}, deff={self.deff:.3f})"
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Plot the population share against the sample share per cell.

        Delegates to :func:`cxmetrics.plotting.sampling.quota_bars`.
        """
        from cxmetrics.plotting import sampling

        return sampling.quota_bars(self, ax=ax, **kwargs)
