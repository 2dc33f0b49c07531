"""Figures of business impact: the cost of negative experience, X + O linkage.

Every function takes a result, an optional ``ax`` and returns the Axes it drew on;
matplotlib is imported inside the functions. Nothing here computes statistics:
the numbers come from the result's tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics.errors import InvalidParameterError
from cxmetrics.plotting._axes import axes_or_new

__all__ = ["cost_funnel", "cost_waterfall", "outcome_by_nps_group", "outcome_vs_nps"]

_LOST = "#d7301f"
_RISK = "#fc8d59"
_KEPT = "#9e9e9e"
_SAFE = "#1a9850"
_GROUP_COLOURS = {
    "detractors": "#d7301f",
    "passives": "#969696",
    "promoters": "#1a9850",
}


_axes = axes_or_new


def _money(x: float) -> str:
    """Short money label: 4.9M, 61.6k."""
    magnitude = abs(x)
    if magnitude >= 1e9:
        return f"{x / 1e9:.3g}bn"
    if magnitude >= 1e6:
        return f"{x / 1e6:.3g}M"
    if magnitude >= 1e3:
        return f"{x / 1e3:.3g}k"
    return f"{x:.3g}"


def _check(result: Any, kind: str) -> None:
    if type(result).__name__ != kind:
        raise InvalidParameterError(
            f"`result` must be a {kind} (from cxmetrics); got {type(result).__name__}."
        )


def cost_waterfall(result: Any, ax: Any = None, *, show_intervals: bool = True) -> Any:
    """Waterfall from revenue to secure revenue: lost, then at risk, by path.

    Parameters
    ----------
    result : NegativeExperienceCostResult
        The funnel to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    show_intervals : bool, default: True
        Write each interval under its amount when the rates were estimated.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from cxmetrics.impact import negative_experience_cost
    >>> from cxmetrics.plotting.impact import cost_waterfall
    >>> res = negative_experience_cost(
    ...     50_000_000, 0.22, 0.02, {"at_risk": 0.34, "lost": 0.28, "retained": 0.38},
    ...     {"at_risk": 0.55, "lost": 0.45})
    >>> ax = cost_waterfall(res)
    >>> len(ax.patches)
    7
    """
    _check(result, "NegativeExperienceCostResult")
    ax = _axes(ax, (8, 4.5))
    table = result.table.set_index("measure")
    revenue = result.revenue
    steps = [
        ("lost:\ncomplainers", "revenue_lost_complainers", _LOST),
        ("lost:\nsilent", "revenue_lost_silent", _LOST),
        ("at risk:\ncomplainers", "revenue_at_risk_complainers", _RISK),
        ("at risk:\nsilent", "revenue_at_risk_silent", _RISK),
    ]
    labels = ["revenue"]
    bottoms = [0.0]
    heights = [revenue]
    colours = [_KEPT]
    notes = [_money(revenue)]
    level = revenue
    for position, (label, measure, colour) in enumerate(steps):
        amount = float(table.loc[measure, "estimate"])
        level -= amount
        labels.append(label)
        bottoms.append(level)
        heights.append(amount)
        colours.append(colour)
        text = _money(amount)
        low, high = table.loc[measure, ["ci_low", "ci_high"]]
        if show_intervals and result.sample_sizes and high > low:
            text += f"\n[{_money(low)}, {_money(high)}]"
        notes.append(text)
        if position == 1:
            labels.append("kept")
            bottoms.append(0.0)
            heights.append(level)
            colours.append(_KEPT)
            notes.append(_money(level))
    labels.append("not at risk")
    bottoms.append(0.0)
    heights.append(level)
    colours.append(_SAFE)
    notes.append(_money(level))
    x = np.arange(len(labels))
    ax.bar(x, heights, bottom=bottoms, color=colours, width=0.7)
    for xi, bottom, height, note in zip(x, bottoms, heights, notes, strict=True):
        ax.text(
            xi,
            bottom + height + 0.01 * revenue,
            note,
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(x, labels, fontsize=8)
    from matplotlib.ticker import FuncFormatter

    ax.set_ylim(0, revenue * 1.15)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _money(value)))
    ax.set_ylabel("revenue")
    lost_share = float(table.loc["revenue_lost_total", "share_of_revenue"])
    risk_share = float(table.loc["revenue_at_risk_total", "share_of_revenue"])
    ax.set_title(
        f"Cost of negative experience: {100 * lost_share:.1f}% of revenue lost, "
        f"{100 * risk_share:.1f}% at risk",
        fontsize=10,
    )
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def cost_funnel(result: Any, ax: Any = None) -> Any:
    """Draw the complaint iceberg as stacked bars, each stage split into branches.

    One bar per stage, each the whole (100%) of its parent: all revenue into
    positive and negative experience; negative into complainers and silent;
    complainers and the silent into lost, at risk and retained. Amounts of
    revenue are written in each part.

    Parameters
    ----------
    result : NegativeExperienceCostResult
        The funnel to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from cxmetrics.impact import negative_experience_cost
    >>> from cxmetrics.plotting.impact import cost_funnel
    >>> res = negative_experience_cost(
    ...     50_000_000, 0.22, 0.02, {"at_risk": 0.34, "lost": 0.28, "retained": 0.38},
    ...     {"at_risk": 0.55, "lost": 0.45})
    >>> ax = cost_funnel(res)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['all customers', 'negative experience', 'complainers', 'silent']
    """
    _check(result, "NegativeExperienceCostResult")
    ax = _axes(ax, (8, 3.8))
    stages = result.funnel().set_index("stage")
    revenue = stages["revenue"]
    rows = [
        (
            "all customers",
            [
                ("positive", "positive experience", _SAFE),
                ("negative", "negative experience", _LOST),
            ],
        ),
        (
            "negative experience",
            [("complain", "complainers", "#4575b4"), ("silent", "silent", "#91bfdb")],
        ),
        (
            "complainers",
            [
                ("lost", "complainers: lost", _LOST),
                ("at risk", "complainers: at risk", _RISK),
                ("retained", "complainers: retained", _SAFE),
            ],
        ),
        (
            "silent",
            [
                ("lost", "silent: lost", _LOST),
                ("at risk", "silent: at risk", _RISK),
                ("retained", "silent: retained", _SAFE),
            ],
        ),
    ]
    y = np.arange(len(rows))[::-1]
    for yi, (parent, parts) in zip(y, rows, strict=True):
        whole = float(revenue[parent])
        left = 0.0
        for label, stage, colour in parts:
            amount = float(revenue[stage])
            share = amount / whole if whole > 0 else 0.0
            if share <= 0:
                continue
            ax.barh(
                yi,
                100 * share,
                left=100 * left,
                color=colour,
                height=0.65,
                edgecolor="white",
            )
            if share >= 0.08:
                ax.text(
                    100 * (left + share / 2),
                    yi,
                    f"{label}\n{_money(amount)}",
                    ha="center",
                    va="center",
                    fontsize=8,
                )
            left += share
    ax.set_yticks(y, [r[0] for r in rows])
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the stage's revenue (%)")
    ax.set_title("Where the revenue of negative experience goes", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def outcome_by_nps_group(result: Any, ax: Any = None, *, show_all: bool = True) -> Any:
    """Outcome (or rate) per detractors / passives / promoters, with intervals.

    Parameters
    ----------
    result : OutcomeLinkResult
        The linkage to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    show_all : bool, default: True
        Draw the overall mean as a line with its interval as a band.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from cxmetrics.datasets import load_example_survey
    >>> from cxmetrics.impact import link_outcome
    >>> from cxmetrics.plotting.impact import outcome_by_nps_group
    >>> survey = load_example_survey()
    >>> res = link_outcome(survey, "nps", "churned", weights="weight")
    >>> ax = outcome_by_nps_group(res)
    >>> [t.get_text().split()[0] for t in ax.get_xticklabels()]
    ['detractors', 'passives', 'promoters']
    """
    _check(result, "OutcomeLinkResult")
    ax = _axes(ax, (6, 4))
    table = result.table.reset_index(drop=True)
    groups = table.iloc[:-1]
    overall = table.iloc[-1]
    scale = 100.0 if result.binary else 1.0
    x = np.arange(len(groups))
    est = scale * groups["estimate"].to_numpy(dtype=float)
    low = scale * groups["ci_low"].to_numpy(dtype=float)
    high = scale * groups["ci_high"].to_numpy(dtype=float)
    for xi, name, e, lo, hi in zip(x, groups["nps_group"], est, low, high, strict=True):
        colour = _GROUP_COLOURS.get(str(name), "#3b4cc0")
        ax.errorbar(
            xi,
            e,
            yerr=[[e - lo], [hi - e]],
            fmt="o",
            color=colour,
            capsize=5,
            markersize=8,
            linewidth=2,
        )
    if show_all:
        ax.axhline(
            scale * overall["estimate"],
            color="black",
            linestyle="--",
            linewidth=1,
            label="all customers",
        )
        ax.axhspan(
            scale * overall["ci_low"],
            scale * overall["ci_high"],
            color="black",
            alpha=0.08,
        )
        ax.legend(frameon=False, fontsize=8)
    ax.set_xticks(
        x,
        [
            f"{g}\n{s}"
            for g, s in zip(groups["nps_group"], groups["scores"], strict=True)
        ],
    )
    ax.set_xlim(-0.5, len(groups) - 0.5)
    ax.set_ylabel(f"{result.outcome} ({'%' if result.binary else 'mean'})")
    level = f"{100 * result.confidence_level:g}%"
    ax.set_title(f"{result.outcome} by NPS group, {level} intervals", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def outcome_vs_nps(result: Any, ax: Any = None, *, show_intervals: bool = True) -> Any:
    """Segment mean outcome against segment NPS, with the fitted line.

    Marker area is proportional to the segment's sum of weights; error bars
    are the intervals of both estimates (normal, ± z·SE) when
    ``show_intervals``.

    Parameters
    ----------
    result : OutcomeLinkResult
        A linkage computed with ``segment=``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    show_intervals : bool, default: True
        Draw the sampling error of segment NPS and of the mean outcome.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InvalidParameterError
        The result has no segment-level regression.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from cxmetrics.datasets import load_example_survey
    >>> from cxmetrics.impact import link_outcome
    >>> from cxmetrics.plotting.impact import outcome_vs_nps
    >>> survey = load_example_survey()
    >>> res = link_outcome(survey, "nps", "churned", weights="weight",
    ...                    segment=["brand", "segment"])
    >>> ax = outcome_vs_nps(res)
    >>> ax.get_xlabel()
    'segment NPS (points)'
    """
    from scipy import stats

    _check(result, "OutcomeLinkResult")
    if result.segments is None:
        raise InvalidParameterError(
            "this result has no segment-level regression. Hint: call "
            "`link_outcome(..., segment='your_segment_column')`."
        )
    ax = _axes(ax, (6.5, 4.5))
    seg = result.segments[result.segments["used"]]
    scale = 100.0 if result.binary else 1.0
    x = seg["nps"].to_numpy(dtype=float)
    y = scale * seg["outcome"].to_numpy(dtype=float)
    size = seg["sum_weights"].to_numpy(dtype=float)
    area = 30 + 400 * size / size.max()
    if show_intervals:
        z = float(stats.norm.ppf(0.5 + result.confidence_level / 2))
        ax.errorbar(
            x,
            y,
            xerr=z * seg["nps_std_error"].to_numpy(dtype=float),
            yerr=z * scale * seg["outcome_std_error"].to_numpy(dtype=float),
            fmt="none",
            ecolor="#bdbdbd",
            linewidth=1,
            zorder=1,
        )
    ax.scatter(x, y, s=area, color="#3b4cc0", alpha=0.7, zorder=2, edgecolor="white")
    fit = result.regression[result.regression["level"] == "segment"].set_index("term")
    intercept = float(fit.loc["intercept", "estimate"])
    slope = float(fit.loc["per_nps_point", "estimate"])
    if np.isfinite(slope):
        grid = np.linspace(x.min(), x.max(), 50)
        ax.plot(
            grid,
            scale * (intercept + slope * grid),
            color="black",
            linewidth=1.5,
            label=f"fit: {scale * slope:+.3g} per NPS point",
        )
        ax.legend(frameon=False, fontsize=8)
    ax.set_xlabel("segment NPS (points)")
    ax.set_ylabel(f"{result.outcome} ({'%' if result.binary else 'mean'})")
    ax.set_title(
        f"{result.outcome} vs NPS by {' × '.join(result.segment_names)}", fontsize=10
    )
    ax.spines[["top", "right"]].set_visible(False)
    return ax
