"""Results of business impact: cost of negative experience, X + O linkage.

The cost result keeps the funnel parameters, their sampling covariance (and
simulation draws), so scenarios, lever tables, sensitivity sweeps and intervals
at another level are recomputed from it without the caller's inputs. The linkage
result keeps the design-based group means, so its intervals can be recomputed.

Imports: numpy, pandas, scipy, suffstats, estimators, results.base. Plotting is
imported lazily by the ``plot`` methods only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from cxmetrics.errors import InvalidParameterError
from cxmetrics.estimators.impact import (
    MEASURES,
    OUTCOME_KEYS,
    PARAMETERS,
    apply_changes,
    delta_covariance,
    funnel_outputs,
)
from cxmetrics.estimators.intervals import mean_interval, share_interval
from cxmetrics.estimators.linearization import DomainMeans
from cxmetrics.results._render import format_value
from cxmetrics.results.base import ConfidenceInterval, ResultBase

__all__ = [
    "NegativeExperienceCostResult",
    "OutcomeLinkResult",
    "cost_frame",
    "link_group_frame",
]

FloatArray = NDArray[np.float64]
_INDEX = {name: i for i, name in enumerate(PARAMETERS)}
_N_MEASURES = len(MEASURES)
_MONEY = ("number", 0)


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def _outputs(changes: Mapping[str, Any]) -> Any:
    def function(theta: Any) -> Any:
        return funnel_outputs(apply_changes(theta, changes))

    return function


def _limits(
    estimate: FloatArray,
    std_error: FloatArray,
    draws: FloatArray | None,
    method: str,
    level: float,
    upper: float,
) -> tuple[FloatArray, FloatArray]:
    if method == "simulation" and draws is not None:
        alpha = 1 - level
        low = np.quantile(draws, alpha / 2, axis=-1)
        high = np.quantile(draws, 1 - alpha / 2, axis=-1)
        return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    half = _z(level) * std_error
    return np.clip(estimate - half, 0, upper), np.clip(estimate + half, 0, upper)


def cost_frame(
    parameters: FloatArray,
    changes: Mapping[str, Any],
    covariance: FloatArray,
    draws: FloatArray | None,
    *,
    method: str,
    confidence_level: float,
) -> pd.DataFrame:
    """Build the tidy table of the funnel: one row per path × outcome."""
    function = _outputs(changes)
    values, cov = delta_covariance(function, parameters, covariance)
    revenue = float(np.real(apply_changes(parameters, changes))[_INDEX["revenue"]])
    estimate = values[:_N_MEASURES]
    simulated = None
    if method == "simulation" and draws is not None:
        simulated = np.asarray(function(draws))[:_N_MEASURES]
        std_error = simulated.std(axis=-1, ddof=1)
    else:
        std_error = np.sqrt(np.maximum(np.diag(cov)[:_N_MEASURES], 0.0))
    low, high = _limits(
        estimate, std_error, simulated, method, confidence_level, revenue
    )
    frame = pd.DataFrame(
        {
            "measure": [m[0] for m in MEASURES],
            "path": [m[1] for m in MEASURES],
            "outcome": [m[2] for m in MEASURES],
            "share_of_customers": values[_N_MEASURES:],
            "estimate": estimate,
            "share_of_revenue": estimate / revenue,
            "std_error": std_error,
            "ci_low": low,
            "ci_high": high,
        }
    )
    return frame


@dataclass(frozen=True, slots=True, kw_only=True)
class NegativeExperienceCostResult(ResultBase):
    """Revenue lost and at risk through complainers and silent customers.

    ``to_frame()`` has one row per ``measure`` (``revenue_lost_complainers``,
    ``revenue_at_risk_complainers``, ``revenue_retained_complainers``, the same
    for ``silent`` and ``total``) with ``path``, ``outcome``,
    ``share_of_customers`` (share of all customers in that cell), ``estimate``
    (revenue), ``share_of_revenue``, ``std_error``, ``ci_low`` and ``ci_high``.
    Each measure is also an attribute (``result.revenue_lost_silent``).

    Methods recompute from the stored parameters: :meth:`what_if` (a scenario),
    :meth:`levers` (what each lever is worth), :meth:`sensitivity` (a sweep),
    :meth:`funnel` (the stages), :meth:`confidence_interval`.
    """

    parameters: FloatArray = field(repr=False)
    changes: Mapping[str, Any] = field(default_factory=dict)
    sample_sizes: Mapping[str, float] = field(default_factory=dict)
    method: str = "none"
    confidence_level: float = 0.95
    parameter_covariance: FloatArray = field(
        repr=False, default_factory=lambda: np.zeros((9, 9))
    )
    parameter_draws: FloatArray | None = field(default=None, repr=False)

    # --- the effective inputs -------------------------------------------------------
    @property
    def _effective(self) -> FloatArray:
        return np.asarray(
            np.real(apply_changes(self.parameters, self.changes)), dtype=np.float64
        )

    @property
    def revenue(self) -> float:
        """Annual revenue."""
        return float(self._effective[_INDEX["revenue"]])

    @property
    def negative_rate(self) -> float:
        """Share of customers with a negative experience."""
        return float(self._effective[_INDEX["negative_rate"]])

    @property
    def complaint_rate(self) -> float:
        """Share of negative-experience customers who complain."""
        return float(self._effective[_INDEX["complaint_rate"]])

    @property
    def recovery_rate(self) -> float:
        """Share of complainers satisfied and retained after handling."""
        return float(self._effective[_INDEX["complainer_retained"]])

    @property
    def complainer_outcomes(self) -> dict[str, float]:
        """Outcome shares of complainers after handling."""
        return {
            k: float(self._effective[_INDEX[f"complainer_{k}"]]) for k in OUTCOME_KEYS
        }

    @property
    def silent_outcomes(self) -> dict[str, float]:
        """Outcome shares of silent customers."""
        return {k: float(self._effective[_INDEX[f"silent_{k}"]]) for k in OUTCOME_KEYS}

    def _value(self, measure: str, column: str = "estimate") -> float:
        row = self.table.loc[self.table["measure"] == measure]
        return float(row[column].iloc[0])

    @property
    def revenue_lost_complainers(self) -> float:
        """Revenue lost through complainers."""
        return self._value("revenue_lost_complainers")

    @property
    def revenue_at_risk_complainers(self) -> float:
        """Revenue at risk through complainers."""
        return self._value("revenue_at_risk_complainers")

    @property
    def revenue_retained_complainers(self) -> float:
        """Revenue of complainers retained after handling."""
        return self._value("revenue_retained_complainers")

    @property
    def revenue_lost_silent(self) -> float:
        """Revenue lost through silent customers."""
        return self._value("revenue_lost_silent")

    @property
    def revenue_at_risk_silent(self) -> float:
        """Revenue at risk through silent customers."""
        return self._value("revenue_at_risk_silent")

    @property
    def revenue_lost_total(self) -> float:
        """Revenue lost through complainers and silent customers."""
        return self._value("revenue_lost_total")

    @property
    def revenue_at_risk_total(self) -> float:
        """Revenue at risk through complainers and silent customers."""
        return self._value("revenue_at_risk_total")

    @property
    def revenue_lost_silent_share_of_revenue(self) -> float:
        """Revenue lost through silent customers as a share of revenue."""
        return self._value("revenue_lost_silent", "share_of_revenue")

    @property
    def revenue_lost_total_share_of_revenue(self) -> float:
        """Revenue lost in total as a share of revenue."""
        return self._value("revenue_lost_total", "share_of_revenue")

    @property
    def revenue_at_risk_total_share_of_revenue(self) -> float:
        """Revenue at risk in total as a share of revenue."""
        return self._value("revenue_at_risk_total", "share_of_revenue")

    # --- display --------------------------------------------------------------------
    def _title(self) -> str:
        return "Cost of negative experience" + (" (scenario)" if self.changes else "")

    def _header(self) -> list[tuple[str, str]]:
        def shares(outcomes: Mapping[str, float]) -> str:
            return ", ".join(
                f"{k.replace('_', ' ')} {format_value(v, 'percent', 1)}"
                for k, v in outcomes.items()
                if v > 0
            )

        header = [
            ("revenue", format_value(self.revenue, "number", 0)),
            ("negative experience", format_value(self.negative_rate, "percent", 1)),
            ("complain", format_value(self.complaint_rate, "percent", 1)),
            ("complainers", shares(self.complainer_outcomes)),
            ("silent", shares(self.silent_outcomes)),
        ]
        if self.changes:
            header.append(("scenario", _describe(self.changes)))
        if self.sample_sizes:
            sizes = ", ".join(f"{k} n={v:g}" for k, v in self.sample_sizes.items())
            level = f"{100 * self.confidence_level:g}%"
            header.append(("uncertainty", f"{self.method}, {level} interval; {sizes}"))
        else:
            header.append(("uncertainty", "none: every input treated as exact"))
        return header

    def _display_columns(self) -> list[str]:
        return [
            "measure",
            "share_of_customers",
            "estimate",
            "share_of_revenue",
            "ci_low",
            "ci_high",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {
            "estimate": _MONEY,
            "std_error": _MONEY,
            "ci_low": _MONEY,
            "ci_high": _MONEY,
            "share_of_customers": ("percent", 2),
            "share_of_revenue": ("percent", 2),
        }

    def __repr__(self) -> str:
        lost = self.revenue_lost_total
        risk = self.revenue_at_risk_total
        lost_text = format_value(lost, "number", 0)
        risk_text = format_value(risk, "number", 0)
        lost_share = format_value(lost / self.revenue, "percent", 1)
        risk_share = format_value(risk / self.revenue, "percent", 1)
        return (
            f"NegativeExperienceCostResult(revenue_lost_total={lost_text} "
            f"({lost_share} of revenue), revenue_at_risk_total={risk_text} "
            f"({risk_share}), method={self.method!r})"
        )

    # --- recomputation --------------------------------------------------------------
    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the intervals of every measure at another level.

        Parameters
        ----------
        confidence_level : float, optional
            Defaults to the result's level.

        Returns
        -------
        ConfidenceInterval
            One row per measure (labels in the ``measure`` column).
        """
        from cxmetrics.scores import check_confidence_level

        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        frame = cost_frame(
            self.parameters,
            self.changes,
            self.parameter_covariance,
            self.parameter_draws,
            method=self.method,
            confidence_level=level,
        )
        return ConfidenceInterval(
            low=frame["ci_low"].to_numpy(dtype=float),
            high=frame["ci_high"].to_numpy(dtype=float),
            confidence_level=level,
            method=self.method,
            labels=frame[["measure"]],
        )

    def what_if(self, **changes: Any) -> NegativeExperienceCostResult:
        """Recompute the funnel under a scenario: some inputs set to new values.

        Parameters
        ----------
        **changes
            Any of ``revenue``, ``negative_rate``, ``complaint_rate``,
            ``recovery_rate`` (the share of complainers retained), one outcome
            share (``complainer_lost``, ``complainer_at_risk``,
            ``complainer_retained``, ``silent_lost``, ``silent_at_risk``,
            ``silent_retained``), or a whole mapping (``complainer_outcomes``,
            ``silent_outcomes``). A single outcome share changes the other
            shares of its group in proportion to their sizes (raising the
            recovery rate from 38% to 60% takes the 22 points from "lost" and
            "at risk" in the ratio 28 : 34).

        Returns
        -------
        NegativeExperienceCostResult
            A new result; this one is unchanged. Changed inputs are policy
            targets (known exactly); the others keep their uncertainty.
        """
        from cxmetrics.impact import check_changes

        merged = {**self.changes, **check_changes(changes, self._effective)}
        frame = cost_frame(
            self.parameters,
            merged,
            self.parameter_covariance,
            self.parameter_draws,
            method=self.method,
            confidence_level=self.confidence_level,
        )
        return NegativeExperienceCostResult(
            table=frame,
            parameters=self.parameters,
            changes=merged,
            sample_sizes=self.sample_sizes,
            method=self.method,
            confidence_level=self.confidence_level,
            parameter_covariance=self.parameter_covariance,
            parameter_draws=self.parameter_draws,
            call={**self.call, "what_if": _describe(merged)},
            versions=self.versions,
        )

    def levers(
        self,
        *,
        recovery_rate: float | None = None,
        complaint_rate: float | None = None,
        negative_rate: float | None = None,
        step: float = 0.05,
        combined: bool = True,
    ) -> pd.DataFrame:
        """Tabulate what each lever is worth: revenue saved moving one input.

        Parameters
        ----------
        recovery_rate, complaint_rate, negative_rate : float, optional
            Targets; by default each moves by ``step`` in its favourable
            direction (recovery and complaint rates up, negative rate down),
            kept inside [0, 1].
        step : float, default: 0.05
            Default move, in shares (0.05 = five percentage points).
        combined : bool, default: True
            Add a row with all levers together.

        Returns
        -------
        pandas.DataFrame
            One row per lever: ``lever``, ``parameter``, ``baseline``,
            ``target``, ``revenue_lost_total`` and ``revenue_at_risk_total``
            under the lever, ``revenue_lost_saved`` (baseline minus lever) with
            ``std_error``, ``ci_low``, ``ci_high``, ``revenue_at_risk_saved``
            and ``saved_share_of_revenue``.
        """
        from cxmetrics.impact import check_changes

        if not (isinstance(step, int | float) and 0 < step <= 1):
            raise InvalidParameterError(
                f"`step` must be a number in (0, 1]; got {step!r}."
            )
        base = self._effective
        targets = {
            "recovery_rate": recovery_rate
            if recovery_rate is not None
            else min(1.0, base[_INDEX["complainer_retained"]] + step),
            "complaint_rate": complaint_rate
            if complaint_rate is not None
            else min(1.0, base[_INDEX["complaint_rate"]] + step),
            "negative_rate": negative_rate
            if negative_rate is not None
            else max(0.0, base[_INDEX["negative_rate"]] - step),
        }
        names = {
            "recovery_rate": "raise the recovery rate",
            "complaint_rate": "raise the complaint rate",
            "negative_rate": "lower the negative rate",
        }
        baseline_value = {
            "recovery_rate": base[_INDEX["complainer_retained"]],
            "complaint_rate": base[_INDEX["complaint_rate"]],
            "negative_rate": base[_INDEX["negative_rate"]],
        }
        scenarios: list[tuple[str, str, float, float, dict[str, Any]]] = []
        for key, target in targets.items():
            change = check_changes({key: target}, base)
            scenarios.append(
                (names[key], key, baseline_value[key], float(target), change)
            )
        if combined:
            every = check_changes(dict(targets), base)
            scenarios.append(("all levers", "all", np.nan, np.nan, every))
        rows = []
        lost = next(i for i, m in enumerate(MEASURES) if m[0] == "revenue_lost_total")
        risk = next(
            i for i, m in enumerate(MEASURES) if m[0] == "revenue_at_risk_total"
        )
        before = _outputs(self.changes)
        for label, parameter, old, new, change in scenarios:
            after = _outputs({**self.changes, **change})

            def saving(theta: Any, after: Any = after) -> Any:
                a, b = before(theta), after(theta)
                return np.stack(
                    [a[lost] - b[lost], a[risk] - b[risk], b[lost], b[risk]]
                )

            values, cov = delta_covariance(
                saving, self.parameters, self.parameter_covariance
            )
            if self.method == "simulation" and self.parameter_draws is not None:
                draws = np.asarray(saving(self.parameter_draws))[0]
                se = float(draws.std(ddof=1))
                alpha = 1 - self.confidence_level
                low = float(np.quantile(draws, alpha / 2))
                high = float(np.quantile(draws, 1 - alpha / 2))
            else:
                se = float(np.sqrt(max(cov[0, 0], 0.0)))
                half = _z(self.confidence_level) * se
                low, high = values[0] - half, values[0] + half
            rows.append(
                {
                    "lever": label,
                    "parameter": parameter,
                    "baseline": old,
                    "target": new,
                    "revenue_lost_total": values[2],
                    "revenue_at_risk_total": values[3],
                    "revenue_lost_saved": values[0],
                    "std_error": se,
                    "ci_low": low,
                    "ci_high": high,
                    "revenue_at_risk_saved": values[1],
                    "saved_share_of_revenue": values[0] / self.revenue,
                }
            )
        return pd.DataFrame(rows)

    def sensitivity(self, parameter: str, values: Sequence[float]) -> pd.DataFrame:
        """Sweep one input over ``values`` and recompute the funnel (point values).

        Parameters
        ----------
        parameter : str
            Any input :meth:`what_if` accepts as a number (``revenue``,
            ``negative_rate``, ``complaint_rate``, ``recovery_rate``, or one
            outcome share such as ``silent_lost``).
        values : sequence of float
            The values to try.

        Returns
        -------
        pandas.DataFrame
            One row per value: the value (column named ``parameter``), then the
            revenue of every measure and ``revenue_lost_total_share_of_revenue``.
        """
        from cxmetrics.impact import check_changes

        try:
            grid = [float(v) for v in values]
        except (TypeError, ValueError):
            raise InvalidParameterError(
                f"`values` must be a sequence of numbers; got {values!r}."
            ) from None
        if not grid:
            raise InvalidParameterError("`values` must hold at least one value.")
        rows = []
        base = self._effective
        for value in grid:
            change = check_changes({parameter: value}, base)
            out = np.real(_outputs({**self.changes, **change})(self.parameters))
            revenue = float(np.real(apply_changes(base, change))[_INDEX["revenue"]])
            row: dict[str, float] = {parameter: value}
            row.update({m[0]: float(out[i]) for i, m in enumerate(MEASURES)})
            row["revenue_lost_total_share_of_revenue"] = (
                row["revenue_lost_total"] / revenue
            )
            rows.append(row)
        return pd.DataFrame(rows)

    def funnel(self) -> pd.DataFrame:
        """Tabulate the stages of the funnel: share of customers and revenue.

        Returns
        -------
        pandas.DataFrame
            Columns ``stage``, ``parent``, ``share_of_customers``, ``revenue``:
            all customers; positive / negative experience; complainers / silent;
            and each outcome of complainers and of the silent.
        """
        t = self._effective
        revenue, q, c = t[0], t[1], t[2]
        rows: list[tuple[str, str, float]] = [
            ("all customers", "", 1.0),
            ("positive experience", "all customers", 1 - q),
            ("negative experience", "all customers", q),
            ("complainers", "negative experience", q * c),
            ("silent", "negative experience", q * (1 - c)),
        ]
        for block, parent, share in (
            ("complainer", "complainers", q * c),
            ("silent", "silent", q * (1 - c)),
        ):
            for key in ("lost", "at_risk", "retained"):
                value = t[_INDEX[f"{block}_{key}"]]
                rows.append(
                    (f"{parent}: {key.replace('_', ' ')}", parent, share * value)
                )
        frame = pd.DataFrame(rows, columns=["stage", "parent", "share_of_customers"])
        frame["revenue"] = revenue * frame["share_of_customers"]
        return frame

    def plot(self, ax: Any = None, *, kind: str = "waterfall", **kwargs: Any) -> Any:
        """Plot a waterfall (``kind='waterfall'``) or funnel (``kind='funnel'``).

        Delegates to :func:`cxmetrics.plotting.impact.cost_waterfall` or
        :func:`cxmetrics.plotting.impact.cost_funnel`.
        """
        from cxmetrics.plotting import impact as plots

        if kind == "funnel":
            return plots.cost_funnel(self, ax=ax, **kwargs)
        if kind != "waterfall":
            raise InvalidParameterError(
                f"`kind` must be 'waterfall' or 'funnel'; got {kind!r}."
            )
        return plots.cost_waterfall(self, ax=ax, **kwargs)


def _describe(changes: Mapping[str, Any]) -> str:
    parts = []
    for key, value in changes.items():
        if isinstance(value, Mapping):
            inner = ", ".join(f"{k}={v:g}" for k, v in value.items())
            parts.append(f"{key}=({inner})")
        else:
            parts.append(f"{key}={value:g}")
    return ", ".join(parts)


# --- X + O linkage ---------------------------------------------------------------


def link_group_frame(
    dm: DomainMeans,
    dm_all: DomainMeans,
    *,
    labels: Sequence[str],
    score_ranges: Sequence[str],
    df: FloatArray,
    df_all: float,
    binary: bool,
    confidence_level: float,
    min_n: int,
) -> pd.DataFrame:
    """Outcome per NPS group (and overall) with intervals.

    Binary outcomes (rates) get Wilson intervals on the design-effective size;
    continuous outcomes a t interval on the group's design df.
    """
    estimate = np.concatenate([dm.estimate, dm_all.estimate])
    variance = np.concatenate([dm.variance, dm_all.variance])
    n = np.concatenate([dm.n, dm_all.n])
    dfs = np.concatenate([df, [df_all]])
    with np.errstate(divide="ignore", invalid="ignore"):
        if binary:
            n_star = np.concatenate([dm.n_design_eff, dm_all.n_design_eff])
            low, high = share_interval(
                estimate,
                variance,
                n_star,
                n_obs=n,
                df=dfs,
                confidence_level=confidence_level,
                method="wilson",
            )
        else:
            low, high = mean_interval(
                estimate,
                variance,
                df=dfs,
                confidence_level=confidence_level,
                method="t",
            )
        share = np.concatenate([dm.sum_w / dm.sum_w.sum(), [1.0]])
    notes = []
    for count in n:
        if count == 0:
            notes.append("no responses")
        elif count < min_n:
            notes.append(f"n = {int(count)} < min_n = {min_n}")
        else:
            notes.append("")
    return pd.DataFrame(
        {
            "nps_group": [*labels, "all"],
            "scores": [*score_ranges, "all"],
            "estimate": estimate,
            "std_error": np.sqrt(np.maximum(variance, 0.0)),
            "ci_low": low,
            "ci_high": high,
            "share": share,
            "n": n.astype(np.int64),
            "n_eff": np.concatenate([dm.n_eff, dm_all.n_eff]),
            "sum_weights": np.concatenate([dm.sum_w, dm_all.sum_w]),
            "df": dfs.astype(np.float64),
            "small_sample": n < min_n,
            "note": notes,
        }
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeLinkResult(ResultBase):
    """An operational outcome linked to NPS (X + O).

    ``to_frame()`` gives the outcome by NPS group: one row each for
    ``detractors``, ``passives``, ``promoters`` and ``all``, with ``estimate``
    (mean outcome, or the rate for a 0/1 outcome), ``std_error``, ``ci_low``,
    ``ci_high``, ``share`` (weighted share of customers), ``n``, ``n_eff``,
    ``sum_weights``, ``small_sample``, ``note``.

    Attributes
    ----------
    differences : pandas.DataFrame
        Promoters − detractors, passives − detractors, promoters − passives:
        ``group``, ``reference``, ``estimate``, ``std_error``, ``ci_low``,
        ``ci_high``, ``statistic`` (z), ``p_value``, ``p_adjusted``.
    regression : pandas.DataFrame
        Outcome change per NPS point (or per score point) at customer level
        and, with ``segment``, at segment level: ``level``, ``term``,
        ``estimate``, ``std_error``, ``ci_low``, ``ci_high``, ``statistic`` (t),
        ``df``, ``p_value``, ``n``, ``cov_type``, ``reliability`` and
        ``estimate_corrected`` (segment slope corrected for the sampling error
        of segment NPS).
    segments : pandas.DataFrame or None
        Per segment: the segment columns, ``nps``, ``nps_std_error``,
        ``outcome``, ``outcome_std_error``, ``n``, ``sum_weights``,
        ``fitted``, ``used``, ``note``.
    stake : pandas.DataFrame
        The outcome at stake if detractors behaved like passives:
        ``per_customer`` and ``total`` rows with ``estimate``, ``std_error``,
        ``ci_low``, ``ci_high``, and ``customers`` (the multiplier of the total).
    """

    outcome: str
    score: str
    binary: bool
    differences: pd.DataFrame
    regression: pd.DataFrame
    stake: pd.DataFrame
    segments: pd.DataFrame | None = None
    segment_names: tuple[str, ...] = ()
    weights: str | None = None
    strata: str | None = None
    breaks: tuple[int, int] = (6, 8)
    regressor: str = "nps"
    cov_type: str = "HC1"
    confidence_level: float = 0.95
    min_n: int = 30
    n_omitted: int = 0
    group_means: DomainMeans | None = field(default=None, repr=False)
    overall_mean: DomainMeans | None = field(default=None, repr=False)

    @property
    def difference(self) -> float:
        """Promoters minus detractors."""
        row = self.differences.loc[
            (self.differences["group"] == "promoters")
            & (self.differences["reference"] == "detractors")
        ]
        return float(row["estimate"].iloc[0])

    @property
    def per_nps_point(self) -> float:
        """Customer-level change in the outcome per unit of the regressor."""
        row = self.regression.loc[
            (self.regression["level"] == "customer")
            & (self.regression["term"] != "intercept")
        ]
        return float(row["estimate"].iloc[0])

    def _title(self) -> str:
        kind = "rate" if self.binary else "mean"
        return f"{self.outcome} ({kind}) by NPS group of {self.score}"

    def _header(self) -> list[tuple[str, str]]:
        level = f"{100 * self.confidence_level:g}%"
        interval = "Wilson" if self.binary else "t"
        header = [
            ("weights", self.weights or "none (equal)"),
            (
                "groups",
                f"detractors ≤ {self.breaks[0]} < passives ≤ {self.breaks[1]} "
                "< promoters",
            ),
            ("interval", f"{level} {interval} (design-based SE)"),
        ]
        if self.strata:
            header.append(("strata", self.strata))
        if self.segment_names:
            header.append(("segments", ", ".join(self.segment_names)))
        header.append(("rows omitted", f"{self.n_omitted}"))
        return header

    def _footer(self) -> list[str]:
        lines = []
        for row in self.regression.to_dict(orient="records"):
            if row["term"] == "intercept":
                continue
            unit = "NPS point" if row["term"] == "per_nps_point" else "score point"
            text = (
                f"{row['level']} level: {float(row['estimate']):+.4g} per {unit} "
                f"(SE {float(row['std_error']):.3g}, {row['cov_type']}, "
                f"p = {format_value(row['p_value'], 'pvalue', 4)})"
            )
            reliability = float(row["reliability"])
            if row["level"] == "segment" and np.isfinite(reliability):
                text += (
                    f"; reliability of segment NPS {reliability:.3f}, corrected "
                    f"{float(row['estimate_corrected']):+.4g}"
                )
            lines.append(text)
        per_customer, total = self.stake["estimate"].to_numpy(dtype=float)[:2]
        lines.append(
            "at stake if detractors behaved like passives: "
            f"{per_customer:+.4g} per customer, {total:+.4g} in total"
        )
        small = self.table["small_sample"].to_numpy(dtype=bool)
        if small.any():
            lines.append(f"{int(small.sum())} group(s) below min_n = {self.min_n}.")
        return lines

    def _display_columns(self) -> list[str]:
        return [
            "nps_group",
            "scores",
            "estimate",
            "ci_low",
            "ci_high",
            "share",
            "n",
            "note",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        kind = ("percent", 1) if self.binary else ("number", 2)
        return {"estimate": kind, "ci_low": kind, "ci_high": kind, "std_error": kind}

    def __repr__(self) -> str:
        diff = self.differences.iloc[0]
        kind = "percent" if self.binary else "number"
        decimals = 1 if self.binary else 2

        def fmt(x: float) -> str:
            return format_value(x, kind, decimals)

        slope_unit = "NPS" if self.regressor == "nps" else "score"
        return (
            f"OutcomeLinkResult({self.outcome}: promoters − detractors = "
            f"{fmt(diff['estimate'])} [{fmt(diff['ci_low'])}, {fmt(diff['ci_high'])}], "
            f"p={diff['p_value']:.3g}; per {slope_unit} point = "
            f"{self.per_nps_point:.4g}; n={int(self.table['n'].iloc[-1])})"
        )

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the intervals of the group means (or rates) at another level.

        Parameters
        ----------
        confidence_level : float, optional
            Defaults to the result's level.

        Returns
        -------
        ConfidenceInterval
            One row per NPS group and ``all``.
        """
        from cxmetrics.scores import check_confidence_level

        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        if self.group_means is None or self.overall_mean is None:  # pragma: no cover
            raise InvalidParameterError("this result holds no group statistics.")
        n_groups = len(self.table) - 1
        frame = link_group_frame(
            self.group_means,
            self.overall_mean,
            labels=list(self.table["nps_group"].iloc[:n_groups]),
            score_ranges=list(self.table["scores"].iloc[:n_groups]),
            df=self._df[:n_groups],
            df_all=float(self._df[-1]),
            binary=self.binary,
            confidence_level=level,
            min_n=self.min_n,
        )
        return ConfidenceInterval(
            low=frame["ci_low"].to_numpy(dtype=float),
            high=frame["ci_high"].to_numpy(dtype=float),
            confidence_level=level,
            method="wilson" if self.binary else "t",
            labels=frame[["nps_group"]],
        )

    @property
    def _df(self) -> FloatArray:
        return np.asarray(self.table["df"].to_numpy(dtype=float), dtype=np.float64)

    def plot(self, ax: Any = None, *, kind: str = "groups", **kwargs: Any) -> Any:
        """Outcome by NPS group (``kind='groups'``) or vs segment NPS (``'segments'``).

        Delegates to :func:`cxmetrics.plotting.impact.outcome_by_nps_group` or
        :func:`cxmetrics.plotting.impact.outcome_vs_nps`.
        """
        from cxmetrics.plotting import impact as plots

        if kind == "segments":
            return plots.outcome_vs_nps(self, ax=ax, **kwargs)
        if kind != "groups":
            raise InvalidParameterError(
                f"`kind` must be 'groups' or 'segments'; got {kind!r}."
            )
        return plots.outcome_by_nps_group(self, ax=ax, **kwargs)
