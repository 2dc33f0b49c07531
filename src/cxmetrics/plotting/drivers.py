"""Figures of driver analyses: importance bars and importance vs performance.

Every function takes a :class:`~cxmetrics.results.drivers.DriverResult`, an optional
``ax`` and returns the Axes it drew on; matplotlib is imported inside the functions.
Nothing here computes statistics: the numbers come from the result's table.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics.errors import InvalidParameterError
from cxmetrics.plotting._axes import axes_or_new

__all__ = ["importance_bars", "importance_performance"]

_POSITIVE = "#1a9850"
_NEGATIVE = "#d7301f"
_NEUTRAL = "#3b4cc0"


_axes = axes_or_new


def _outcome(result: Any) -> str:
    positive = result.call.get("positive") if result.call else None
    if not positive:
        return str(result.outcome)
    values = ", ".join(f"{v:g}" for v in positive)
    return f"{result.outcome} in {{{values}}}"


def _check(result: Any) -> None:
    if type(result).__name__ != "DriverResult":
        raise InvalidParameterError(
            "`result` must be a DriverResult (from cxmetrics.drivers); got "
            f"{type(result).__name__}."
        )


def importance_bars(
    result: Any,
    ax: Any = None,
    *,
    signed: bool = True,
    sort: bool = True,
    show_share: bool = True,
) -> Any:
    """Horizontal bars of driver importance with their intervals.

    Parameters
    ----------
    result : DriverResult
        The analysis to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    signed : bool, default: True
        Point a bar left (red) when the driver's coefficient is negative, so the
        direction of the effect shows beside its size.
    sort : bool, default: True
        Most important driver on top; otherwise the drivers keep their order.
    show_share : bool, default: True
        Write each driver's share of R² beside its bar.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import cxmetrics as cx
    >>> from cxmetrics.drivers import drivers
    >>> from cxmetrics.plotting.drivers import importance_bars
    >>> survey = cx.datasets.load_example_survey()
    >>> exp = [c for c in survey.columns if c.startswith("exp_")]
    >>> ax = importance_bars(drivers(survey, "satisfaction", exp))
    >>> len(ax.patches)
    6
    """
    _check(result)
    frame = result.table.reset_index(drop=True)
    if sort:
        frame = frame.sort_values("rank", kind="stable").reset_index(drop=True)
    ax = _axes(ax, (7, 0.6 + 0.45 * len(frame)))
    sign = np.where(frame["sign"].to_numpy() < 0, -1.0, 1.0) if signed else 1.0
    value = sign * frame["importance"].to_numpy(dtype=float)
    low = sign * frame["ci_low"].to_numpy(dtype=float)
    high = sign * frame["ci_high"].to_numpy(dtype=float)
    y = np.arange(len(frame))[::-1]
    colours = [_NEGATIVE if v < 0 else _POSITIVE for v in value] if signed else _NEUTRAL
    ax.barh(y, value, color=colours, height=0.65)
    has_ci = np.isfinite(low) & np.isfinite(high)
    if has_ci.any():
        lo, hi = np.minimum(low, high), np.maximum(low, high)
        ax.hlines(y[has_ci], lo[has_ci], hi[has_ci], color="black", linewidth=1.2)
    if show_share:
        span = float(np.nanmax(np.abs(np.r_[value, high[has_ci], low[has_ci]])))
        for yi, v, share, h in zip(
            y,
            value,
            frame["share"],
            np.where(has_ci, np.abs(high), np.abs(value)),
            strict=True,
        ):
            x = np.sign(v or 1.0) * (max(abs(v), h) + 0.02 * span)
            ax.text(
                x,
                yi,
                f"{100 * share:.0f}%",
                va="center",
                ha="left" if v >= 0 else "right",
                fontsize=8,
            )
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(y, frame["driver"].tolist())
    ax.set_xlabel(f"importance ({result.method}; share of {result.r2_label})")
    level = f"{100 * result.confidence_level:g}%"
    interval = "" if result.interval == "none" else f", {level} {result.interval} CI"
    ax.set_title(
        f"Drivers of {_outcome(result)}: {result.r2_label} = {result.r2:.3f}{interval}",
        fontsize=10,
    )
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def importance_performance(
    result: Any,
    ax: Any = None,
    *,
    quadrants: bool = True,
    label: bool = True,
) -> Any:
    """Plot importance (share) against performance (mean rating) per driver.

    The classic key-driver map: drivers in the upper left matter much and score
    low (fix first); upper right matter and score well (keep); lower left matter
    little and score low; lower right may be over-invested.

    Parameters
    ----------
    result : DriverResult
        The analysis to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    quadrants : bool, default: True
        Dashed lines at the mean importance and mean performance, and quadrant
        labels.
    label : bool, default: True
        Write the driver names beside the points.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import cxmetrics as cx
    >>> from cxmetrics.drivers import drivers
    >>> from cxmetrics.plotting.drivers import importance_performance
    >>> survey = cx.datasets.load_example_survey()
    >>> exp = [c for c in survey.columns if c.startswith("exp_")]
    >>> ax = importance_performance(drivers(survey, "satisfaction", exp))
    >>> len(ax.collections[0].get_offsets())
    6
    """
    _check(result)
    frame = result.table.reset_index(drop=True)
    ax = _axes(ax, (6.5, 4.5))
    x = frame["performance"].to_numpy(dtype=float)
    y = 100 * frame["share"].to_numpy(dtype=float)
    colours = [_NEGATIVE if s < 0 else _NEUTRAL for s in frame["sign"]]
    ax.scatter(x, y, s=60, color=colours, zorder=3)
    low = 100 * frame["share_ci_low"].to_numpy(dtype=float)
    high = 100 * frame["share_ci_high"].to_numpy(dtype=float)
    ok = np.isfinite(low) & np.isfinite(high)
    if ok.any():
        ax.vlines(x[ok], low[ok], high[ok], color=_NEUTRAL, linewidth=1, alpha=0.6)
    if label:
        for xi, yi, name in zip(x, y, frame["driver"], strict=True):
            ax.annotate(
                str(name),
                (xi, yi),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=8,
            )
    if quadrants and len(frame) > 1:
        mx, my = float(np.mean(x)), float(np.mean(y))
        ax.axvline(mx, color="grey", linestyle="--", linewidth=0.8)
        ax.axhline(my, color="grey", linestyle="--", linewidth=0.8)
        for text, hx, vy in (
            ("fix first", 0.02, 0.97),
            ("keep up", 0.98, 0.97),
            ("low priority", 0.02, 0.03),
            ("possible overkill", 0.98, 0.03),
        ):
            ax.text(
                hx,
                vy,
                text,
                transform=ax.transAxes,
                ha="left" if hx < 0.5 else "right",
                va="top" if vy > 0.5 else "bottom",
                fontsize=8,
                color="grey",
            )
    ax.set_xlabel("performance (weighted mean rating)")
    ax.set_ylabel(f"importance (% of {result.r2_label}, {result.method})")
    ax.set_title(
        f"Importance vs performance: drivers of {_outcome(result)}", fontsize=10
    )
    ax.spines[["top", "right"]].set_visible(False)
    return ax
