"""Figures of sampling plans: margin of error against n, power curves, quotas.

Each function takes a result of :mod:`cxmetrics.sampling` (or the plain
parameters of one, from which that function builds it), an optional ``ax``,
and returns the Axes. The numbers come from the result's ``curve()``; nothing
is computed here. matplotlib is imported inside the functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from cxmetrics.plotting._axes import axes_or_new

__all__ = ["benchmark_chart", "margin_of_error_curve", "power_curve", "quota_bars"]

_LINE = "#2c7fb8"
_MARK = "#d95f0e"


def _axes(ax: Any) -> Any:
    return axes_or_new(ax, (6.5, 4))


def _scale(metric: str) -> tuple[float, str]:
    """Display factor and axis label of a margin or difference."""
    if metric == "nps":
        return 1.0, "NPS points"
    if metric == "share":
        return 100.0, "percentage points"
    return 1.0, "scale units"


def margin_of_error_curve(
    result: Any = None,
    ax: Any = None,
    *,
    n: ArrayLike | None = None,
    label: str | None = None,
    **params: Any,
) -> Any:
    """Margin of error against the number of interviews.

    Parameters
    ----------
    result : SampleSizeResult or MarginOfErrorResult, optional
        The result to draw: its curve, with its ``n`` marked (and the target
        margin for a sample size). Without
        a result, ``params`` go to :func:`cxmetrics.sampling.margin_of_error`
        (e.g. ``metric='nps', promoters=0.5, detractors=0.2``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    n : array-like, optional
        Interviews at which to draw the curve.
    label : str, optional
        Legend label of the curve.
    **params
        Parameters of :func:`cxmetrics.sampling.margin_of_error` (no result).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from cxmetrics.plotting.sampling import margin_of_error_curve
    >>> from cxmetrics.sampling import sample_size_nps
    >>> ax = margin_of_error_curve(sample_size_nps(5, promoters=0.5, detractors=0.2))
    >>> len(ax.lines) >= 1
    True
    >>> ax = margin_of_error_curve(
    ...     n=range(100, 2001, 100), promoters=0.5, detractors=0.2
    ... )
    >>> ax.get_xlabel()
    'interviews (n)'
    """
    from cxmetrics.results.sampling import (
        MarginOfErrorResult,
        SampleSizeResult,
        margin_for,
    )

    ax = _axes(ax)
    marked = result is not None
    if result is None:
        from cxmetrics.sampling import margin_of_error

        if n is None:
            n = np.arange(50, 2001, 10)
        result = margin_of_error(int(np.max(np.asarray(n))), **params)
    elif not isinstance(result, SampleSizeResult | MarginOfErrorResult) or (
        isinstance(result, SampleSizeResult) and result.goal != "margin"
    ):
        raise TypeError(
            "margin_of_error_curve draws a margin-of-error result or a sample "
            "size for a margin; got " + type(result).__name__
        )
    factor, unit = _scale(result.metric)
    frame = result.curve(n)
    style: dict[str, Any] = {"lw": 1.8, "label": label}
    if label is None:
        style["color"] = _LINE
    ax.plot(frame["n"], factor * frame["margin"], **style)
    if marked:
        at = float(margin_for(result.assumptions, result.n))
        ax.plot([result.n], [factor * at], "o", color=_MARK)
        ax.annotate(
            f"n = {result.n:,}",
            (result.n, factor * at),
            textcoords="offset points",
            xytext=(6, 6),
            fontsize=9,
        )
        if isinstance(result, SampleSizeResult):
            target = factor * result.assumptions["margin"]
            ax.axhline(target, color=_MARK, lw=0.8, ls="--")
    level = result.assumptions["confidence_level"]
    ax.set_xlabel("interviews (n)")
    ax.set_ylabel(f"margin of error (± {unit}, {100 * level:g}%)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    if label:
        ax.legend(frameon=False, fontsize=8)
    return ax


def power_curve(
    result: Any = None,
    ax: Any = None,
    *,
    grid: ArrayLike | None = None,
    label: str | None = None,
    **params: Any,
) -> Any:
    """Power against the number of interviews (or against the true difference).

    Parameters
    ----------
    result : SampleSizeResult, PowerResult or DetectableDifferenceResult, optional
        A sample size for a difference or a power result: power against n, with
        n (and a simulated power, with a ±2 Monte Carlo SE bar) marked. A
        detectable difference: power against the true difference at its n.
        Without a result, ``params`` go to :func:`cxmetrics.sampling.power`
        (e.g. ``n=500, difference=10``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    grid : array-like, optional
        Values of n (or of the difference) at which to draw the curve.
    label : str, optional
        Legend label of the curve.
    **params
        Parameters of :func:`cxmetrics.sampling.power` (no result).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from cxmetrics.plotting.sampling import power_curve
    >>> from cxmetrics.sampling import sample_size_nps_difference
    >>> result = sample_size_nps_difference(10, promoters=0.5, detractors=0.2)
    >>> ax = power_curve(result)
    >>> ax.get_ylabel()
    'power'
    """
    from cxmetrics.results.sampling import (
        DetectableDifferenceResult,
        PowerResult,
        SampleSizeResult,
    )

    ax = _axes(ax)
    if result is None:
        from cxmetrics.sampling import power

        result = power(**params)
    if isinstance(result, DetectableDifferenceResult):
        factor, unit = _scale(result.metric)
        frame = result.curve(grid)
        ax.plot(
            factor * frame["difference"].abs(),
            frame["power"],
            color=_LINE,
            lw=1.8,
            label=label,
        )
        if np.isfinite(result.difference):
            x = factor * abs(result.difference)
            ax.plot([x], [result.assumptions["power"]], "o", color=_MARK)
            ax.annotate(
                f"detectable: {x:.3g}",
                (x, result.assumptions["power"]),
                textcoords="offset points",
                xytext=(6, -12),
                fontsize=9,
            )
        ax.set_xlabel(
            f"true difference ({unit}), n = {result.n:,} vs {result.n_other:,}"
        )
    elif isinstance(result, SampleSizeResult | PowerResult):
        if isinstance(result, SampleSizeResult) and result.goal != "difference":
            raise TypeError(
                "power_curve draws a sample size for a difference, not a margin"
            )
        frame = result.curve(grid)
        style: dict[str, Any] = {"lw": 1.8, "label": label}
        if label is None:
            style["color"] = _LINE
        (line,) = ax.plot(frame["n"], frame["power"], **style)
        mark = _MARK if label is None else line.get_color()
        if isinstance(result, SampleSizeResult):
            target = result.assumptions["power"]
            ax.axhline(target, color="grey", lw=0.8, ls="--")
            achieved = float(result.table["power_achieved"].iloc[0])
            ax.plot([result.n], [achieved], "o", color=mark)
            ax.annotate(
                f"n = {result.n:,}",
                (result.n, achieved),
                textcoords="offset points",
                xytext=(6, -12),
                fontsize=9,
            )
        else:
            ax.plot(
                [result.n],
                [result.power],
                "o",
                color=mark,
                label="normal approximation",
            )
            if result.power_simulated is not None and result.mc_std_error is not None:
                ax.errorbar(
                    [result.n],
                    [result.power_simulated],
                    yerr=[2 * result.mc_std_error],
                    fmt="s",
                    color="black",
                    capsize=3,
                    label="simulated (±2 MC SE)",
                )
                ax.legend(frameon=False, fontsize=8)
        factor, unit = _scale(result.metric)
        diff = factor * abs(float(result.assumptions["difference"]))
        ax.set_xlabel(f"interviews per group (n), difference {diff:.3g} {unit}")
    else:
        raise TypeError(
            "power_curve draws a sample size for a difference, a power or a "
            "detectable-difference result; got " + type(result).__name__
        )
    ax.set_ylabel("power")
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    if label:
        ax.legend(frameon=False, fontsize=8)
    return ax


def quota_bars(result: Any, ax: Any = None) -> Any:
    """Market share against sample share per quota cell.

    Parameters
    ----------
    result : QuotaResult
        The quota frame to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from cxmetrics.plotting.sampling import quota_bars
    >>> from cxmetrics.sampling import quota_frame
    >>> ax = quota_bars(quota_frame({"a": 0.7, "b": 0.2, "c": 0.1}, 600, minimum=100))
    >>> len(ax.patches)
    6
    """
    ax = _axes(ax)
    table = result.table
    x = np.arange(len(table))
    width = 0.4
    ax.bar(
        x - width / 2,
        100 * table["population_share"],
        width,
        color="#bdbdbd",
        label="market share",
    )
    ax.bar(
        x + width / 2,
        100 * table["sample_share"],
        width,
        color=_LINE,
        label="sample share (quota)",
    )
    for xi, quota in zip(x, table["quota"], strict=True):
        ax.annotate(
            f"{int(quota)}",
            (xi + width / 2, 0),
            textcoords="offset points",
            xytext=(0, 3),
            ha="center",
            fontsize=8,
            color="white",
        )
    ax.set_xticks(x, [str(c) for c in table["cell"]])
    ax.set_ylabel("share (%)")
    ax.set_title(
        f"quotas (n = {result.total:,}), deff if weighted back = {result.deff:.2f}",
        fontsize=10,
    )
    ax.legend(frameon=False, fontsize=8)
    return ax


def benchmark_chart(result: Any, ax: Any = None) -> Any:
    """Each brand's expected NPS with the margin of error its planned n buys.

    Parameters
    ----------
    result : BenchmarkPlanResult
        The plan to draw: one row per brand (own brand first and highlighted),
        the expected NPS ± margin, and the interviews and detectable gap to the
        own brand written beside it.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from cxmetrics.plotting.sampling import benchmark_chart
    >>> from cxmetrics.sampling import benchmark_plan
    >>> ax = benchmark_chart(benchmark_plan(["Us", "Leader", "Rival"], n=800))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Us', 'Leader', 'Rival']
    """
    ax = _axes(ax)
    table = result.table.reset_index(drop=True)
    y = np.arange(len(table))[::-1]
    for yi, row in zip(y, table.itertuples(index=False), strict=True):
        own = row.role == "own"
        ax.errorbar(
            [row.nps],
            [yi],
            xerr=[row.margin],
            fmt="o",
            color=_MARK if own else _LINE,
            capsize=4,
            lw=2,
        )
        text = f"n = {row.n:,}, ±{row.margin:.1f}"
        if not own:
            text += f", gap ≥ {row.detectable_gap:.1f}"
        ax.annotate(
            text,
            (row.nps + row.margin, yi),
            textcoords="offset points",
            xytext=(8, -3),
            fontsize=8,
        )
    ax.set_yticks(y, [str(b) for b in table["brand"]])
    low = float((table["nps"] - table["margin"]).min())
    high = float((table["nps"] + table["margin"]).max())
    ax.set_xlim(low - 5, high + 0.6 * (high - low) + 25)
    ax.set_ylim(-0.7, len(table) - 0.3)
    level = result.assumptions["confidence_level"]
    ax.set_xlabel(f"expected NPS ± margin of error ({100 * level:g}%)")
    ax.grid(True, axis="x", alpha=0.3)
    return ax
