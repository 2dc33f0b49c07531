"""Figures of period comparisons, decompositions, weighting and benchmarks.

Every function takes a result, an optional ``ax`` and returns the Axes it drew on;
matplotlib is imported inside the functions. Nothing here computes statistics: the
numbers come from the result's tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxmetrics.errors import InvalidParameterError
from cxmetrics.plotting._axes import axes_or_new

__all__ = ["benchmark_gaps", "trend", "waterfall", "weighted_margins"]

_SIGNAL = "#d7301f"
_NOISE = "#3b4cc0"
_UP = "#1a9850"
_DOWN = "#d7301f"
_GREY = "#9e9e9e"
_PALETTE = ("#3b4cc0", "#e08214", "#1a9850", "#8073ac", "#d7301f", "#35978f")


_axes = axes_or_new


def _check(result: Any, *kinds: str) -> None:
    if type(result).__name__ not in kinds:
        raise InvalidParameterError(
            f"`result` must be a {' or '.join(kinds)} (from cxmetrics); got "
            f"{type(result).__name__}."
        )


def _group_label(row: pd.Series, names: tuple[str, ...]) -> str:
    return " / ".join(str(row[n]) for n in names) if names else "all"


def trend(
    result: Any,
    ax: Any = None,
    *,
    groups: list[Any] | None = None,
    show_limits: bool = True,
) -> Any:
    """Trend lines with interval bands, control limits and flagged moves.

    Parameters
    ----------
    result : PeriodComparisonResult or StandardizedResult
        A period comparison (one line per group; waves flagged ``'signal'`` are
        filled red) or a standardization (crude and standardized lines).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    groups : list, optional
        Only these groups (labels of the first ``by`` column, or tuples).
    show_limits : bool, default: True
        Draw the control limits (with one group only).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> import matplotlib.pyplot
    >>> matplotlib.use("Agg")
    >>> import cxmetrics as cx
    >>> from cxmetrics.compare import compare_periods
    >>> from cxmetrics.plotting.compare import trend
    >>> survey = cx.datasets.load_example_survey()
    >>> res = compare_periods(survey, "nps", "period", weights="weight")
    >>> ax = trend(res)
    >>> len(ax.get_xticks())
    4
    >>> matplotlib.pyplot.close("all")
    """
    _check(result, "PeriodComparisonResult", "StandardizedResult")
    ax = _axes(ax, (7, 3.8))
    if type(result).__name__ == "StandardizedResult":
        return _standardized_trend(result, ax)
    tracking = result.tracking
    scores = result.scores
    names = tuple(result.group_names)
    periods = list(result.periods)
    x_of = {p: i for i, p in enumerate(periods)}
    labels = (
        [_group_label(r, names) for _, r in scores.iterrows()]
        if names
        else ["all"] * len(scores)
    )
    frame = scores.assign(
        __label=labels,
        __flag=tracking["flag"].to_numpy(),
        __x=scores["period"].map(x_of),
    )
    wanted = None if groups is None else {str(g) for g in groups}
    order = list(dict.fromkeys(labels))
    if wanted is not None:
        order = [g for g in order if g in wanted or g.split(" / ")[0] in wanted]
    for k, label in enumerate(order):
        part = frame[(frame["__label"] == label) & (frame["n"] > 0)]
        colour = _PALETTE[k % len(_PALETTE)]
        x = part["__x"].to_numpy(dtype=float)
        ax.fill_between(
            x,
            part["ci_low"].to_numpy(dtype=float),
            part["ci_high"].to_numpy(dtype=float),
            color=colour,
            alpha=0.15,
            linewidth=0,
        )
        ax.plot(x, part["estimate"], "-", color=colour, label=label if names else None)
        signal = (part["__flag"] == "signal").to_numpy()
        ax.plot(
            x[~signal],
            part["estimate"].to_numpy(dtype=float)[~signal],
            "o",
            mfc="white",
            color=colour,
        )
        ax.plot(
            x[signal],
            part["estimate"].to_numpy(dtype=float)[signal],
            "o",
            color=_SIGNAL,
            markersize=8,
        )
        if show_limits and len(order) == 1:
            track = tracking.loc[part.index]
            ax.plot(x, track["center"], color=_GREY, linewidth=1)
            ax.plot(x, track["lower_limit"], "--", color=_GREY, linewidth=1)
            ax.plot(x, track["upper_limit"], "--", color=_GREY, linewidth=1)
    ax.set_xticks(range(len(periods)), [str(p) for p in periods])
    ax.set_ylabel(result.metric)
    level = f"{100 * result.confidence_level:g}%"
    ax.set_title(
        f"{level} intervals; red: signal (significant move or outside "
        f"±{result.control_limits:g} SE limits)",
        fontsize=9,
    )
    if names and len(order) > 1:
        ax.legend(frameon=False, fontsize=8, loc="best")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _standardized_trend(result: Any, ax: Any) -> Any:
    table = result.table
    x = np.arange(len(table))
    ax.plot(x, table["crude"], "o--", color=_GREY, label="crude (own mix)")
    ax.fill_between(
        x,
        table["ci_low"].to_numpy(dtype=float),
        table["ci_high"].to_numpy(dtype=float),
        color=_NOISE,
        alpha=0.15,
        linewidth=0,
    )
    ax.plot(
        x, table["estimate"], "o-", color=_NOISE, label=f"at the {result.standard} mix"
    )
    ax.set_xticks(x, [str(p) for p in table["period"]])
    ax.set_ylabel(result.metric)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(f"standardized to a fixed {' × '.join(result.mix)} mix", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def waterfall(result: Any, ax: Any = None, *, by_segment: bool = True) -> Any:
    """Waterfall of a change into mix and rate effects (per segment).

    Parameters
    ----------
    result : DecompositionResult
        The decomposition to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    by_segment : bool, default: True
        One bar per segment and effect; otherwise one mix and one rate bar.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> import matplotlib.pyplot
    >>> matplotlib.use("Agg")
    >>> import cxmetrics as cx
    >>> from cxmetrics.compare import decompose_change
    >>> from cxmetrics.plotting.compare import waterfall
    >>> survey = cx.datasets.load_example_survey()
    >>> dec = decompose_change(survey, "nps", "period", mix="segment",
    ...                        weights="weight")
    >>> ax = waterfall(dec, by_segment=False)
    >>> len(ax.patches)
    4
    >>> matplotlib.pyplot.close("all")
    """
    _check(result, "DecompositionResult")
    ax = _axes(ax, (8, 4))
    a, b = result.periods
    steps: list[tuple[str, float, float]] = []
    table = result.table
    if by_segment:
        seg = result.segments
        for kind, column, se_column in (
            ("mix", "mix_effect", "mix_std_error"),
            ("rate", "rate_effect", "rate_std_error"),
        ):
            for _, row in seg.iterrows():
                label = " / ".join(str(row[c]) for c in result.mix)
                steps.append((f"{kind}: {label}", row[column], row[se_column]))
    else:
        for name in ("mix_effect", "rate_effect"):
            row = table[table["component"] == name].iloc[0]
            steps.append((name.replace("_", " "), row["estimate"], row["std_error"]))
    labels = [str(a)] + [s[0] for s in steps] + [str(b)]
    ax.bar(0, result.score_a, color=_GREY)
    level = result.score_a
    for i, (_, value, se) in enumerate(steps, start=1):
        colour = _UP if value >= 0 else _DOWN
        ax.bar(i, value, bottom=level, color=colour)
        ax.errorbar(i, level + value, yerr=se, color="black", capsize=2, linewidth=1)
        level += value
    ax.bar(len(steps) + 1, result.score_b, color=_GREY)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(result.metric)
    ax.set_title(
        f"{a} → {b}: rate {result.rate_effect:+.2f}, mix {result.mix_effect:+.2f} "
        f"(bars: ±1 SE)",
        fontsize=9,
    )
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def weighted_margins(result: Any, ax: Any = None) -> Any:
    """Raked (or post-stratified) margins against the unweighted sample and targets.

    Parameters
    ----------
    result : WeightingResult
        The weighting to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> import matplotlib.pyplot
    >>> matplotlib.use("Agg")
    >>> import cxmetrics as cx
    >>> from cxmetrics.weighting import rake
    >>> from cxmetrics.plotting.compare import weighted_margins
    >>> survey = cx.datasets.load_example_survey()
    >>> q1 = survey[survey["period"] == "2025-Q1"]
    >>> shares = dict(cx.datasets.EXAMPLE_SURVEY_TRUTH.segment_shares["2025-Q1"])
    >>> ax = weighted_margins(rake(q1, {"segment": shares}))
    >>> len(ax.patches)
    10
    >>> matplotlib.pyplot.close("all")
    """
    _check(result, "WeightingResult")
    table = result.table
    ax = _axes(ax, (7, 0.6 + 0.4 * max(len(table), 3)))
    y = np.arange(len(table))[::-1].astype(float)
    height = 0.38
    ax.barh(
        y + height / 2,
        100 * table["unweighted_share"].to_numpy(dtype=float),
        height=height,
        color=_GREY,
        label="unweighted sample",
    )
    ax.barh(
        y - height / 2,
        100 * table["weighted_share"].to_numpy(dtype=float),
        height=height,
        color=_NOISE,
        label="weighted",
    )
    ax.plot(
        100 * table["target_share"].to_numpy(dtype=float),
        y - height / 2,
        "|",
        color="black",
        markersize=12,
        label="target",
    )
    ax.set_yticks(
        y,
        [f"{m}: {c}" for m, c in zip(table["margin"], table["category"], strict=True)],
    )
    ax.set_xlabel("share (%)")
    d = result.diagnostics
    ax.set_title(
        f"design effect {d.design_effect:.2f}, effective n {d.n_eff:.0f} of {d.n}",
        fontsize=9,
    )
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def benchmark_gaps(result: Any, ax: Any = None) -> Any:
    """Own-brand gap to each competitor per attribute, with the index.

    Parameters
    ----------
    result : BenchmarkResult
        The benchmark to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> import matplotlib.pyplot
    >>> matplotlib.use("Agg")
    >>> import cxmetrics as cx
    >>> from cxmetrics.compare import benchmark_attributes
    >>> from cxmetrics.plotting.compare import benchmark_gaps
    >>> survey = cx.datasets.load_example_survey()
    >>> res = benchmark_attributes(survey, ["exp_service", "exp_price"], "brand",
    ...                            own="Our bank")
    >>> ax = benchmark_gaps(res)
    >>> ax.get_xlabel()
    'Our bank − competitor'
    >>> matplotlib.pyplot.close("all")
    """
    _check(result, "BenchmarkResult")
    table = result.table
    attributes = list(dict.fromkeys(table["attribute"]))
    competitors = list(dict.fromkeys(table["competitor"]))
    ax = _axes(ax, (7, 0.8 + 0.5 * len(attributes)))
    y_of = {a: i for i, a in enumerate(attributes[::-1])}
    step = 0.6 / max(len(competitors), 1)
    for k, comp in enumerate(competitors):
        part = table[table["competitor"] == comp]
        y = (
            np.array([y_of[a] for a in part["attribute"]])
            + (k - (len(competitors) - 1) / 2) * step
        )
        colour = _PALETTE[k % len(_PALETTE)]
        ax.hlines(y, part["ci_low"], part["ci_high"], color=colour, linewidth=2)
        ax.plot(part["estimate"], y, "o", color=colour, label=str(comp))
    ax.axvline(0, color=_GREY, linestyle="--", linewidth=1)
    ax.set_yticks(range(len(attributes)), attributes[::-1])
    ax.set_xlabel(f"{result.own} − competitor")
    ax.legend(frameon=False, fontsize=8, loc="best")
    ax.spines[["top", "right"]].set_visible(False)
    return ax
