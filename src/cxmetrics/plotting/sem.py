"""Figures of structural equation models and factor analyses (matplotlib only).

:func:`path_diagram` draws a fitted SEM with its standardized estimates (no
graphviz needed), :func:`ipma_chart` the importance–performance map and
:func:`loadings_heatmap` the loadings of an exploratory factor analysis. Each
takes a result object and an optional ``ax`` and returns the Axes it drew on;
matplotlib is imported inside the functions. Nothing here computes statistics:
the numbers come from the result's tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxmetrics._optional import import_optional
from cxmetrics.plotting._axes import axes_or_new

__all__ = ["ipma_chart", "loadings_heatmap", "path_diagram"]

_LATENT = "#dce9f5"
_OBSERVED = "#f2f2f2"
_EDGE = "#33475b"
_NEGATIVE = "#b2182b"
_POSITIVE = "#2166ac"


_axes = axes_or_new


def _layers(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layer of each node (sources at 0); cycles are cut."""
    layer = dict.fromkeys(nodes, 0)
    for _ in range(len(nodes)):
        changed = False
        for source, target in edges:
            if layer[target] < layer[source] + 1 and layer[source] + 1 < len(nodes):
                layer[target] = layer[source] + 1
                changed = True
        if not changed:
            break
    return layer


def path_diagram(
    result: Any,
    ax: Any = None,
    *,
    standardized: bool = True,
    show_indicators: bool = True,
    show_r2: bool = True,
    decimals: int = 2,
) -> Any:
    """Path diagram of a fitted SEM with its (standardized) estimates.

    Constructs are placed in columns by their position in the causal order
    (exogenous on the left); latent variables are ellipses, observed variables
    rectangles. Arrows carry the regression coefficients (blue positive, red
    negative, dashed when not significant at the fit's level), dashed curves the
    covariances between constructs; indicators hang below their construct with
    their loadings.

    Parameters
    ----------
    result : SEMResult
        A fitted model (:meth:`cxmetrics.sem.DriverSEM.fit`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made if omitted.
    standardized : bool, default: True
        Label with ``std_all`` (otherwise the unstandardized estimates).
    show_indicators : bool, default: True
        Draw the items under each latent variable.
    show_r2 : bool, default: True
        Write R² inside every endogenous construct.
    decimals : int, default: 2
        Decimals of the labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    patches = import_optional("matplotlib.patches", "plot", "Plotting")
    table = result.table
    value_col = "std_all" if standardized else "estimate"
    regressions = table[table["op"] == "~"]
    loadings = table[table["op"] == "=~"]
    covariances = table[(table["op"] == "~~") & (table["lhs"] != table["rhs"])]
    latent = list(result.latent)
    structural = list(
        dict.fromkeys(
            [*latent, *regressions["rhs"].tolist(), *regressions["lhs"].tolist()]
        )
    )
    # only latent variables that appear in the structure or alone (a CFA)
    edges = list(zip(regressions["rhs"], regressions["lhs"], strict=True))
    layer = _layers(structural, edges)
    columns: dict[int, list[str]] = {}
    for node in structural:
        columns.setdefault(layer[node], []).append(node)
    n_cols = max(columns) + 1 if columns else 1
    tallest = max(len(v) for v in columns.values()) if columns else 1
    dy = 2.6 if show_indicators else 1.6
    dx = 3.0
    position: dict[str, tuple[float, float]] = {}
    for col, nodes in columns.items():
        if len(nodes) == 1 and n_cols > 2:
            # a chain: zig-zag, so that arrows skipping a column stay visible
            position[nodes[0]] = (col * dx, 0.9 if col % 2 == 0 else -0.9)
            continue
        offset = (len(nodes) - 1) * dy / 2
        for i, node in enumerate(nodes):
            position[node] = (col * dx, offset - i * dy)
    ax = _axes(ax, (max(6.0, 2.4 * n_cols + 1), max(4.0, 1.9 * tallest + 2.5)))
    width, height = 1.7, 0.75
    r2 = result.r2
    for node, (x, y) in position.items():
        if node in latent:
            shape = patches.Ellipse(
                (x, y), width, height, facecolor=_LATENT, edgecolor=_EDGE, lw=1.2
            )
        else:
            shape = patches.Rectangle(
                (x - width / 2, y - height / 2),
                width,
                height,
                facecolor=_OBSERVED,
                edgecolor=_EDGE,
                lw=1.2,
            )
        ax.add_patch(shape)
        label = node
        if show_r2 and node in r2.index and node in set(regressions["lhs"]):
            label += f"\nR² = {r2[node]:.{decimals}f}"
        ax.text(x, y, label, ha="center", va="center", fontsize=8.5, zorder=5)
    level = getattr(result, "confidence_level", 0.95)
    for row in regressions.itertuples(index=False):
        start = np.array(position[row.rhs])
        end = np.array(position[row.lhs])
        value = float(getattr(row, value_col))
        significant = not (row.p_value > 1 - level)
        colour = _NEGATIVE if value < 0 else _POSITIVE
        skip = abs(layer[row.lhs] - layer[row.rhs]) > 1
        rad = 0.18 if skip else 0.06
        arrow = patches.FancyArrowPatch(
            tuple(start),
            tuple(end),
            arrowstyle="-|>",
            mutation_scale=12,
            shrinkA=28,
            shrinkB=28,
            color=colour,
            lw=0.8 + 2.2 * min(abs(value), 1.0),
            linestyle="-" if significant else "--",
            connectionstyle=f"arc3,rad={rad}",
            zorder=2,
        )
        ax.add_patch(arrow)
        # apex of the arc: midpoint + rad/2 x the rotated chord
        chord = end - start
        normal = np.array([chord[1], -chord[0]])
        apex = (start + end) / 2 + rad / 2 * normal
        ax.text(
            apex[0],
            apex[1],
            f"{value:.{decimals}f}",
            ha="center",
            va="center",
            fontsize=8,
            color=colour,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
            zorder=6,
        )
    for row in covariances.itertuples(index=False):
        if row.lhs in position and row.rhs in position:
            a, b = position[row.lhs], position[row.rhs]
            arc = patches.FancyArrowPatch(
                a,
                b,
                arrowstyle="<|-|>",
                mutation_scale=9,
                shrinkA=24,
                shrinkB=24,
                color="#777777",
                lw=0.9,
                linestyle=":",
                connectionstyle="arc3,rad=-0.35",
            )
            ax.add_patch(arc)
            ax.text(
                (a[0] + b[0]) / 2 - 0.35,
                (a[1] + b[1]) / 2,
                f"{float(getattr(row, value_col)):.{decimals}f}",
                fontsize=7,
                color="#555555",
                ha="right",
                va="center",
            )
    ys = [y for _, y in position.values()] or [0.0]
    ymin, ymax = min(ys) - 0.6, max(ys) + 0.6
    centre = (max(ys) + min(ys)) / 2
    if show_indicators:
        for node in latent:
            if node not in position:
                continue
            x, y = position[node]
            items = loadings[loadings["lhs"] == node]
            k = len(items)
            side = 1.0 if y > centre else -1.0
            spacing = 0.42
            iy = y + side * 1.25
            for i, row in enumerate(items.itertuples(index=False)):
                ix = x + (i - (k - 1) / 2) * spacing
                name = str(row.rhs)
                tall = 0.12 + 0.075 * len(name)
                ax.add_patch(
                    patches.Rectangle(
                        (ix - 0.16, iy - tall / 2),
                        0.32,
                        tall,
                        facecolor=_OBSERVED,
                        edgecolor="#8c8c8c",
                        lw=0.7,
                    )
                )
                ax.text(ix, iy, name, ha="center", va="center", fontsize=6, rotation=90)
                ax.annotate(
                    "",
                    xy=(ix, iy - side * tall / 2),
                    xytext=(x, y + side * height / 2),
                    arrowprops={"arrowstyle": "-|>", "color": "#8c8c8c", "lw": 0.6},
                )
                ax.text(
                    ix + 0.03,
                    y + side * (height / 2 + 0.28),
                    f"{float(getattr(row, value_col)):.{decimals}f}",
                    fontsize=5.5,
                    color="#555555",
                    ha="center",
                    va="center",
                    bbox={"boxstyle": "round,pad=0.05", "fc": "white", "ec": "none"},
                )
                ymin = min(ymin, iy - tall / 2 - 0.2)
                ymax = max(ymax, iy + tall / 2 + 0.2)
    xs = [x for x, _ in position.values()] or [0.0]
    ax.set_xlim(min(xs) - 1.6, max(xs) + 1.6)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.axis("off")
    fi = result.fit_indices
    ax.set_title(
        f"{'Standardized' if standardized else 'Unstandardized'} estimates — "
        f"χ²({int(fi['df'])}) = {fi['chisq']:.1f}, CFI = {fi['cfi']:.3f}, "
        f"RMSEA = {fi['rmsea']:.3f}, SRMR = {fi['srmr']:.3f}",
        fontsize=9,
    )
    return ax


def ipma_chart(
    result: Any,
    ax: Any = None,
    *,
    show_intervals: bool = True,
    annotate: bool = True,
) -> Any:
    """Importance–performance map: total effect (x) against 0–100 index (y).

    Dashed lines at the mean importance and mean performance split the map into
    quadrants; the lower-right one (important, performing below average) holds
    the priorities.

    Parameters
    ----------
    result : IPMAResult
        From :meth:`cxmetrics.results.sem.SEMResult.ipma`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    show_intervals : bool, default: True
        Draw the confidence intervals of importance and performance.
    annotate : bool, default: True
        Label each point with its driver.

    Returns
    -------
    matplotlib.axes.Axes
    """
    frame: pd.DataFrame = result.table
    ax = _axes(ax, (6.5, 4.8))
    x = frame["importance"].to_numpy(dtype=np.float64)
    y = frame["performance"].to_numpy(dtype=np.float64)
    if show_intervals:
        xerr = np.vstack(
            [x - frame["importance_ci_low"], frame["importance_ci_high"] - x]
        )
        yerr = np.vstack(
            [y - frame["performance_ci_low"], frame["performance_ci_high"] - y]
        )
        ax.errorbar(
            x,
            y,
            xerr=np.abs(xerr),
            yerr=np.abs(yerr),
            fmt="none",
            ecolor="#9e9e9e",
            elinewidth=1,
            capsize=2,
            zorder=1,
        )
    colours = np.where(
        (x >= result.mean_importance) & (y < result.mean_performance),
        _NEGATIVE,
        _POSITIVE,
    )
    ax.scatter(x, y, s=70, c=colours, edgecolors="white", zorder=3)
    ax.axvline(result.mean_importance, color="#777777", ls="--", lw=0.9)
    ax.axhline(result.mean_performance, color="#777777", ls="--", lw=0.9)
    if annotate:
        for name, xi, yi in zip(frame["driver"], x, y, strict=True):
            ax.annotate(
                str(name),
                (xi, yi),
                xytext=(6, 5),
                textcoords="offset points",
                fontsize=9,
            )
    ax.set_xlabel(f"Importance (total effect on {result.target}, index points)")
    ax.set_ylabel("Performance (0–100 index)")
    ax.set_title(f"Importance–performance map: {result.target}", fontsize=10)
    ax.text(
        0.99,
        0.02,
        "priority: high importance, low performance",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=8,
        color=_NEGATIVE,
    )
    return ax


def loadings_heatmap(
    result: Any,
    ax: Any = None,
    *,
    annotate: bool = True,
    cmap: str = "RdBu",
    colorbar: bool = True,
) -> Any:
    """Heat map of factor loadings (items × factors), blue positive, red negative.

    Parameters
    ----------
    result : EFAResult
        From :func:`cxmetrics.measurement.efa`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    annotate : bool, default: True
        Print each loading in its cell.
    cmap : str, default: 'RdBu'
        Colour map (centred at 0, limits ±1).
    colorbar : bool, default: True
        Add a colour bar.

    Returns
    -------
    matplotlib.axes.Axes
    """
    loadings = result.loadings
    values = loadings.to_numpy(dtype=np.float64)
    ax = _axes(ax, (1.6 + 0.9 * values.shape[1], 1.0 + 0.38 * values.shape[0]))
    image = ax.imshow(values, cmap=cmap, vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(values.shape[1]), labels=list(loadings.columns))
    ax.set_yticks(range(values.shape[0]), labels=list(loadings.index))
    if annotate:
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                ax.text(
                    j,
                    i,
                    f"{v:.2f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if abs(v) > 0.6 else "black",
                )
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.05, pad=0.03, label="loading")
    rotation = result.rotation or "unrotated"
    ax.set_title(f"Loadings ({result.method}, {rotation})", fontsize=10)
    return ax
