"""Figures of score results: NPS stacked bars and forest plots."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxmetrics.plotting._axes import axes_or_new

__all__ = ["forest", "nps_bars"]

_COLOURS = {"detractors": "#d7301f", "passives": "#bdbdbd", "promoters": "#1a9850"}


def _axes(ax: Any) -> Any:
    return axes_or_new(ax, (7, 0.5 + 0.45 * 6))


def _row_labels(frame: pd.DataFrame, names: tuple[str, ...]) -> list[str]:
    if not names:
        return ["all"] * len(frame)
    return [
        " / ".join(str(v) for v in row)
        for row in frame[list(names)].itertuples(index=False)
    ]


def nps_bars(result: Any, ax: Any = None, *, show_interval: bool = True) -> Any:
    """Stacked bars of detractors / passives / promoters per group, with the NPS.

    Parameters
    ----------
    result : NPSResult
        The result to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    show_interval : bool, default: True
        Write the NPS interval beside each bar.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import cxmetrics as cx
    >>> survey = cx.datasets.load_example_survey()
    >>> ax = cx.plotting.nps_bars(cx.nps(survey, "nps", weights="weight", by="segment"))
    >>> len(ax.patches) == 3 * survey["segment"].nunique()
    True
    """
    ax = _axes(ax)
    frame = result.table.reset_index(drop=True)
    labels = _row_labels(frame, result.group_names)
    y = np.arange(len(frame))[::-1]
    left = np.zeros(len(frame))
    for column in ("detractors", "passives", "promoters"):
        share = 100 * frame[column].to_numpy(dtype=float)
        ax.barh(y, share, left=left, color=_COLOURS[column], label=column, height=0.7)
        left = left + np.nan_to_num(share)
    for yi, (_, row) in zip(y, frame.iterrows(), strict=True):
        text = f"NPS {row['estimate']:+.0f}"
        if show_interval:
            text += f"  [{row['ci_low']:+.0f}, {row['ci_high']:+.0f}]"
        if row.get("small_sample", False):
            text += "  (small n)"
        ax.text(101, yi, text, va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of respondents (%)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def forest(result: Any, ax: Any = None, *, reference: float | None = None) -> Any:
    """Forest plot: one point and interval per group (or contrast).

    Parameters
    ----------
    result : NPSResult, ShareResult, MeanResult, ComparisonResult, ...
        Any result whose table has ``estimate``, ``ci_low`` and ``ci_high``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    reference : float, optional
        Draw a vertical reference line (default 0 for comparisons).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import cxmetrics as cx
    >>> survey = cx.datasets.load_example_survey()
    >>> ax = cx.plotting.forest(cx.nps(survey, "nps", weights="weight", by="channel"))
    >>> ax.get_xlabel()
    'NPS (points)'
    """
    ax = _axes(ax)
    frame = result.table.reset_index(drop=True)
    if "group" in frame.columns and "reference" in frame.columns:
        labels = [
            f"{g} vs {r}"
            for g, r in zip(frame["group"], frame["reference"], strict=True)
        ]
        reference = 0.0 if reference is None else reference
    else:
        labels = _row_labels(frame, result.group_names)
    est = frame["estimate"].to_numpy(dtype=float)
    low = frame["ci_low"].to_numpy(dtype=float)
    high = frame["ci_high"].to_numpy(dtype=float)
    y = np.arange(len(frame))[::-1]
    small = (
        frame["small_sample"].to_numpy(dtype=bool)
        if "small_sample" in frame
        else np.zeros(len(frame), bool)
    )
    ax.hlines(y, low, high, color="#3b4cc0", linewidth=2)
    ax.plot(est[~small], y[~small], "o", color="#3b4cc0")
    ax.plot(
        est[small], y[small], "o", mfc="white", color="#3b4cc0", label="small sample"
    )
    if reference is not None:
        ax.axvline(reference, color="grey", linestyle="--", linewidth=1)
    ax.set_yticks(y, labels)
    name = type(result).__name__
    unit = {
        "NPSResult": "NPS (points)",
        "ShareResult": "share",
        "MeanResult": "mean score",
    }.get(name, f"difference in {getattr(result, 'metric', 'estimate')}")
    ax.set_xlabel(unit)
    level = getattr(result, "confidence_level", 0.95)
    ax.set_title(f"estimates with {100 * level:g}% intervals", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
