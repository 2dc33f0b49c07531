"""Figures of the gap model: dumbbells, quadrants, priority and penalty/reward bars.

Every function takes a result, an optional ``ax`` and returns the Axes it drew on.
matplotlib is imported inside the functions; nothing here computes statistics.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxmetrics.plotting._axes import axes_or_new

__all__ = ["gap_dumbbell", "penalty_reward_bars", "priority_bars", "quadrant_chart"]

_BLUE = "#3b4cc0"
_RED = "#d7301f"
_GREEN = "#1a9850"
_GREY = "#9e9e9e"


_axes = axes_or_new


def _labels(frame: pd.DataFrame, group_names: tuple[str, ...]) -> list[str]:
    labels = []
    for _, row in frame.iterrows():
        parts = [str(row[g]) for g in group_names] + [str(row["attribute"])]
        labels.append(" / ".join(parts))
    return labels


def _nan_to(values: Any, fill: float = 0.0) -> Any:
    return np.nan_to_num(np.asarray(values, dtype=float), nan=fill)


def gap_dumbbell(
    result: Any, ax: Any = None, *, sort: bool = False, show_interval: bool = True
) -> Any:
    """Dumbbell chart: expectation (or target) and experience per attribute.

    A line joins the two means; the shaded bar on the experience side shows the
    gap interval (reference + [ci_low, ci_high]); the gap is written at the right.

    Parameters
    ----------
    result : GapResult
        From :func:`cxmetrics.gap` or :func:`cxmetrics.gap_to_target`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    sort : bool, default: False
        Order rows by gap, largest shortfall at the top.
    show_interval : bool, default: True
        Draw the gap intervals.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import cxmetrics as cx
    >>> from cxmetrics.gap import gap
    >>> from cxmetrics.priority import (
    ...     asymmetric_impact, importance_performance, key_experiences)
    >>> from cxmetrics.plotting.gap import gap_dumbbell
    >>> res = gap(experience={"price": 7, "convenience": 5},
    ...              expectation={"price": 7, "convenience": 7})
    >>> ax = gap_dumbbell(res)
    >>> len(ax.get_yticks())
    2
    """
    frame = result.table.reset_index(drop=True)
    if sort:
        frame = frame.sort_values("estimate", ascending=True, kind="stable")
        frame = frame.reset_index(drop=True)
    ax = _axes(ax, (7.5, 0.8 + 0.45 * len(frame)))
    reference = result.reference
    y = np.arange(len(frame))[::-1]
    exp = frame["experience"].to_numpy(dtype=float)
    ref = frame[reference].to_numpy(dtype=float)
    ax.hlines(
        y, np.fmin(exp, ref), np.fmax(exp, ref), color=_GREY, linewidth=2, zorder=1
    )
    if show_interval and "ci_low" in frame:
        low = ref + frame["ci_low"].to_numpy(dtype=float)
        high = ref + frame["ci_high"].to_numpy(dtype=float)
        ok = np.isfinite(low) & np.isfinite(high)
        ax.barh(
            y[ok],
            (high - low)[ok],
            left=low[ok],
            height=0.35,
            color=_BLUE,
            alpha=0.25,
            label="gap interval",
            zorder=0,
        )
    ax.scatter(
        ref, y, s=45, color="white", edgecolor="black", zorder=2, label=reference
    )
    shortfall = exp < ref
    colours = np.where(shortfall, _RED, _GREEN)
    ax.scatter(exp, y, s=45, color=colours, zorder=3, label="experience")
    right = np.nanmax(np.r_[exp, ref, 0.0])
    for yi, (_, row) in zip(y, frame.iterrows(), strict=True):
        text = "n/a" if pd.isna(row["estimate"]) else f"{row['estimate']:+.2f}"
        if row.get("note"):
            text += f"  ({row['note']})"
        ax.text(right * 1.03 + 0.05, yi, text, va="center", fontsize=8)
    ax.set_yticks(y, _labels(frame, result.group_names))
    ax.set_xlabel(f"mean rating (experience − {reference} written at right)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def quadrant_chart(
    result: Any,
    ax: Any = None,
    *,
    labels: bool = True,
    whiskers: bool = True,
    diagonal: bool | None = None,
) -> Any:
    """Importance–performance chart with crosshairs, quadrant labels and whiskers.

    Parameters
    ----------
    result : ImportancePerformanceResult
        From :func:`cxmetrics.importance_performance`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    labels : bool, default: True
        Write the attribute names beside the points.
    whiskers : bool, default: True
        Draw the intervals of performance (and of importance, when known).
    diagonal : bool, optional
        Draw the iso-priority diagonal (default: when ``method='diagonal'``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import cxmetrics as cx
    >>> from cxmetrics.gap import gap
    >>> from cxmetrics.priority import (
    ...     asymmetric_impact, importance_performance, key_experiences)
    >>> from cxmetrics.plotting.gap import quadrant_chart
    >>> res = importance_performance(
    ...     experience={"price": 6, "service": 8},
    ...     importance={"price": 9, "service": 4},
    ...     importance_scale=(0, 10))
    >>> ax = quadrant_chart(res)
    >>> len(ax.texts) >= 4
    True
    """
    from cxmetrics.results.gap import QUADRANTS

    ax = _axes(ax, (6.5, 5.5))
    frame = result.table
    ok = frame["performance"].notna() & frame["importance"].notna()
    shown = frame[ok]
    x = shown["performance"].to_numpy(dtype=float)
    y = shown["importance"].to_numpy(dtype=float)
    colour = {
        QUADRANTS["concentrate"]: _RED,
        QUADRANTS["keep"]: _GREEN,
        QUADRANTS["low"]: _GREY,
        QUADRANTS["overkill"]: "#fdae61",
    }
    colours = [colour.get(q, _BLUE) for q in shown["quadrant"]]
    if whiskers:
        xerr = np.vstack(
            [
                x - _nan_to(shown["performance_ci_low"], np.nan),
                _nan_to(shown["performance_ci_high"], np.nan) - x,
            ]
        )
        yerr = np.vstack(
            [
                y - _nan_to(shown["importance_ci_low"], np.nan),
                _nan_to(shown["importance_ci_high"], np.nan) - y,
            ]
        )
        ax.errorbar(
            x,
            y,
            xerr=np.nan_to_num(xerr),
            yerr=np.nan_to_num(yerr),
            fmt="none",
            ecolor=_GREY,
            elinewidth=1,
            zorder=1,
        )
    ax.scatter(x, y, s=60, c=colours, zorder=2, edgecolor="black", linewidth=0.5)
    if labels:
        for xi, yi, name in zip(x, y, shown["attribute"], strict=True):
            ax.annotate(
                str(name),
                (xi, yi),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=9,
            )
    x0, y0 = result.crosshair
    ax.axvline(x0, color="black", linewidth=0.8, linestyle="--")
    ax.axhline(y0, color="black", linewidth=0.8, linestyle="--")
    pad_x = max(np.ptp(np.r_[x, x0]) * 0.25, 0.5)
    pad_y = max(np.ptp(np.r_[y, y0]) * 0.25, 0.05 * max(abs(y0), 1e-9) + 1e-9)
    x_lo, x_hi = min(x.min(), x0) - pad_x, max(x.max(), x0) + pad_x
    y_lo, y_hi = min(y.min(), y0) - pad_y, max(y.max(), y0) + pad_y
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    draw_diagonal = result.method == "diagonal" if diagonal is None else diagonal
    if draw_diagonal:
        xs = np.array([x_lo, x_hi])
        ax.plot(
            xs, y0 + result.slope * (xs - x0), color=_BLUE, linewidth=1, linestyle=":"
        )
    corners = [
        (x_lo, y_hi, "left", "top", QUADRANTS["concentrate"]),
        (x_hi, y_hi, "right", "top", QUADRANTS["keep"]),
        (x_lo, y_lo, "left", "bottom", QUADRANTS["low"]),
        (x_hi, y_lo, "right", "bottom", QUADRANTS["overkill"]),
    ]
    for cx_, cy, ha, va, text in corners:
        ax.text(
            cx_,
            cy,
            f" {text} ",
            ha=ha,
            va=va,
            fontsize=9,
            color=colour[text],
            alpha=0.9,
        )
    ax.set_xlabel("performance (mean experience)")
    ax.set_ylabel(f"importance ({result.importance_source})")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def priority_bars(result: Any, ax: Any = None, *, show_probability: bool = True) -> Any:
    """Priority index per attribute with bootstrap intervals, key experiences first.

    Parameters
    ----------
    result : KeyExperienceResult
        From :func:`cxmetrics.key_experiences`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    show_probability : bool, default: True
        Write P(top k) beside each bar (when bootstrapped).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import cxmetrics as cx
    >>> from cxmetrics.gap import gap
    >>> from cxmetrics.priority import (
    ...     asymmetric_impact, importance_performance, key_experiences)
    >>> from cxmetrics.plotting.gap import priority_bars
    >>> res = key_experiences(
    ...     experience={"price": 6, "convenience": 5},
    ...     expectation={"price": 7, "convenience": 7},
    ...     importance={"price": 8, "convenience": 9})
    >>> len(priority_bars(res).patches)
    2
    """
    frame = result.table.copy()
    frame["__order"] = frame["rank"].fillna(np.inf)
    frame = frame.sort_values(["__order", "priority"], kind="stable").reset_index(
        drop=True
    )
    ax = _axes(ax, (7, 0.8 + 0.45 * len(frame)))
    y = np.arange(len(frame))[::-1]
    priority = frame["priority"].to_numpy(dtype=float)
    top = frame["in_top_k"].to_numpy(dtype=bool)
    colours = np.where(top, _RED, np.where(priority < 0, "#fc9272", _GREY))
    ax.barh(y, _nan_to(priority), color=colours, height=0.6)
    low = frame["priority_ci_low"].to_numpy(dtype=float)
    high = frame["priority_ci_high"].to_numpy(dtype=float)
    ok = np.isfinite(low) & np.isfinite(high)
    ax.hlines(y[ok], low[ok], high[ok], color="black", linewidth=1.2)
    ax.axvline(0, color="black", linewidth=0.8)
    span = np.nanmax(np.abs(np.r_[priority, low, high, 1.0]))
    for yi, (_, row) in zip(y, frame.iterrows(), strict=True):
        if not row["rankable"]:
            text = f"not ranked: {row['note']}"
        else:
            text = f"#{int(row['rank'])}"
            if show_probability and pd.notna(row["p_top_k"]):
                text += f"  P(top {result.top_k}) {100 * row['p_top_k']:.0f}%"
        ax.text(span * 0.05, yi, text, va="center", fontsize=8)
    ax.set_yticks(y, [str(a) for a in frame["attribute"]])
    ax.set_xlim(-span * 1.1, span * 0.9)
    ax.set_xlabel(f"priority = importance × (experience − {result.reference})")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def penalty_reward_bars(result: Any, ax: Any = None) -> Any:
    """Penalty (left) and reward (right) per attribute, with intervals and classes.

    Parameters
    ----------
    result : AsymmetricImpactResult
        From :func:`cxmetrics.asymmetric_impact`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import cxmetrics as cx
    >>> from cxmetrics.gap import gap
    >>> from cxmetrics.priority import (
    ...     asymmetric_impact, importance_performance, key_experiences)
    >>> from cxmetrics.plotting.gap import penalty_reward_bars
    >>> survey = cx.datasets.load_example_survey()
    >>> res = asymmetric_impact(survey, "satisfaction", ["exp_price", "exp_service"])
    >>> len(penalty_reward_bars(res).patches)
    4
    """
    frame = result.table.reset_index(drop=True)
    ax = _axes(ax, (7.5, 0.8 + 0.5 * len(frame)))
    y = np.arange(len(frame))[::-1]
    penalty = -np.abs(frame["penalty"].to_numpy(dtype=float))
    reward = np.abs(frame["reward"].to_numpy(dtype=float))
    ax.barh(
        y, _nan_to(penalty), color=_RED, height=0.6, label="penalty (low performance)"
    )
    ax.barh(
        y, _nan_to(reward), color=_GREEN, height=0.6, label="reward (high performance)"
    )
    for part, sign in (("penalty", -1.0), ("reward", 1.0)):
        est = frame[part].to_numpy(dtype=float)
        flip = np.where(sign * est < 0, -1.0, 1.0)  # draw on the bar's side
        low = flip * frame[f"{part}_ci_low"].to_numpy(dtype=float)
        high = flip * frame[f"{part}_ci_high"].to_numpy(dtype=float)
        ok = np.isfinite(low) & np.isfinite(high)
        ax.hlines(y[ok], low[ok], high[ok], color="black", linewidth=1.2)
    ax.axvline(0, color="black", linewidth=0.8)
    right = np.nanmax(
        np.r_[reward, 0.1, np.abs(frame["reward_ci_high"].to_numpy(dtype=float))]
    )
    for yi, label in zip(y, frame["classification"], strict=True):
        ax.text(right * 1.1, yi, str(label), va="center", fontsize=9)
    ax.set_yticks(y, [str(a) for a in frame["attribute"]])
    ax.set_xlabel(f"effect on {result.outcome} versus the middle group")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
