"""Make the figures and the table of docs/sampling.md.

Run from the repository root:

    .venv/bin/python docs/_scripts/sampling_figures.py

Writes docs/_static/sampling_margin.png, sampling_power.png, sampling_plan.png and
prints the Markdown table "what 500 and 1000 interviews per brand buy", which is
pasted into docs/sampling.md (tests/unit/test_sampling.py checks that the page
and the library agree).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from cxmetrics.plotting.sampling import margin_of_error_curve, power_curve
from cxmetrics.sampling import (
    benchmark_plan,
    margin_of_error,
    min_detectable_difference,
    sample_size_nps_difference,
)

STATIC = Path(__file__).resolve().parents[1] / "_static"
MIXES = [
    ("worst case", {}),
    ("50% / 20%", {"promoters": 0.5, "detractors": 0.2}),
    ("35% / 30%", {"promoters": 0.35, "detractors": 0.3}),
    ("60% / 10%", {"promoters": 0.6, "detractors": 0.1}),
]


def table() -> str:
    lines = [
        "| interviews per brand | promoters / detractors | NPS | margin of error "
        "(95%) | detectable gap (80% power) | detectable change, monthly waves |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for n in (500, 1000):
        for label, mix in MIXES:
            nps = "—"
            if mix:
                nps = f"{100 * (mix['promoters'] - mix['detractors']):+.0f}"
            margin = margin_of_error(n, **mix).margin
            gap = min_detectable_difference(n, **mix).difference
            monthly = min_detectable_difference(n // 3, **mix).difference
            cells = [
                f"{n:,}",
                label,
                nps,
                f"±{margin:.1f}",
                f"{gap:.1f}",
                f"{monthly:.1f}",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def margin_figure() -> None:
    fig, ax = plt.subplots(figsize=(6.5, 4))
    grid = np.arange(100, 2501, 10)
    for label, mix in MIXES[:3]:
        margin_of_error_curve(ax=ax, n=grid, label=label, **mix)
    for n in (500, 1000):
        ax.axvline(n, color="grey", lw=0.8, ls=":")
    ax.set_title("NPS margin of error against interviews per brand", fontsize=10)
    fig.tight_layout()
    fig.savefig(STATIC / "sampling_margin.png", dpi=120)
    plt.close(fig)


def power_figure() -> None:
    fig, ax = plt.subplots(figsize=(6.5, 4))
    grid = np.arange(50, 4001, 10)
    for gap in (5, 8, 10, 15):
        result = sample_size_nps_difference(gap, promoters=0.5, detractors=0.2)
        label = f"gap {gap} points (n = {result.n:,})"
        power_curve(result, ax=ax, grid=grid, label=label)
    ax.set_xlabel("interviews per brand (n)")
    ax.set_title(
        "Power to detect an NPS gap (50% promoters, 20% detractors)", fontsize=10
    )
    fig.tight_layout()
    fig.savefig(STATIC / "sampling_power.png", dpi=120)
    plt.close(fig)


def plan_figure() -> None:
    plan = benchmark_plan(
        ["Us", "Leader", "Rival", "Newcomer"],
        gap=8,
        promoters={"Us": 0.45, "Leader": 0.55, "Rival": 0.40, "Newcomer": 0.35},
        detractors={"Us": 0.20, "Leader": 0.15, "Rival": 0.25, "Newcomer": 0.30},
        cost={"Us": 6.0, "Leader": 8.0, "Rival": 8.0, "Newcomer": 12.0},
    )
    ax = plan.plot()
    ax.set_title("Benchmark plan: 8-point gaps, 80% power", fontsize=10)
    ax.figure.tight_layout()
    ax.figure.savefig(STATIC / "sampling_plan.png", dpi=120)
    plt.close(ax.figure)
    print(plan.summary().as_text())


if __name__ == "__main__":
    mpl.use("Agg")
    STATIC.mkdir(parents=True, exist_ok=True)
    margin_figure()
    power_figure()
    plan_figure()
    print()
    print(table())
