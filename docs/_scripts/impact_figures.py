"""Make the figures of docs/impact.md (run from the repository root).

    python docs/_scripts/impact_figures.py

Writes docs/_static/impact_*.png. Everything is deterministic (the simulation
uses a fixed seed).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from cxmetrics.datasets import load_example_survey
from cxmetrics.impact import link_outcome, negative_experience_cost
from cxmetrics.plotting.impact import (
    cost_funnel,
    cost_waterfall,
    outcome_by_nps_group,
    outcome_vs_nps,
)

OUT = Path(__file__).resolve().parents[1] / "_static"
COMPLAINERS = {"at_risk": 0.34, "lost": 0.28, "retained": 0.38}
SILENT = {"at_risk": 0.55, "lost": 0.45}
SIZES = {"negative_rate": 1000, "complaint_rate": 220, "complainer_outcomes": 60,
         "silent_outcomes": 400}


def save(fig: plt.Figure, name: str) -> None:
    fig.tight_layout()
    fig.savefig(OUT / name, dpi=110)
    plt.close(fig)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    estimated = negative_experience_cost(
        50_000_000, 0.22, 0.02, COMPLAINERS, SILENT, sample_sizes=SIZES
    )

    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    cost_waterfall(estimated, ax=ax)
    save(fig, "impact_cost_waterfall.png")

    fig, ax = plt.subplots(figsize=(8.5, 3.6))
    cost_funnel(estimated, ax=ax)
    save(fig, "impact_cost_funnel.png")

    levers = estimated.levers(recovery_rate=0.60, complaint_rate=0.10,
                              negative_rate=0.15)
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    y = np.arange(len(levers))[::-1]
    ax.barh(y, levers["revenue_lost_saved"] / 1e6, color="#1a9850", height=0.6)
    ax.errorbar(levers["revenue_lost_saved"] / 1e6, y,
                xerr=[(levers["revenue_lost_saved"] - levers["ci_low"]) / 1e6,
                      (levers["ci_high"] - levers["revenue_lost_saved"]) / 1e6],
                fmt="none", ecolor="black", capsize=3)
    labels = [
        f"{lever} (→ {target:.0%})" if np.isfinite(target) else lever
        for lever, target in zip(levers["lever"], levers["target"], strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.set_xlabel("revenue no longer lost (millions), 95% interval")
    ax.set_title("What each lever is worth", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    save(fig, "impact_levers.png")

    fig, ax = plt.subplots(figsize=(7, 3.6))
    grid = np.linspace(0.0, 1.0, 21)
    colours = {"recovery_rate": "#4575b4", "complaint_rate": "#d73027",
               "negative_rate": "#1a9850"}
    for parameter, colour in colours.items():
        sweep = estimated.sensitivity(parameter, grid)
        ax.plot(100 * grid, sweep["revenue_lost_total"] / 1e6, label=parameter,
                color=colour)
    ax.axhline(estimated.revenue_lost_total / 1e6, color="grey", linestyle=":",
               linewidth=1)
    ax.set_xlabel("value of the input (%)")
    ax.set_ylabel("revenue lost (millions)")
    ax.set_title("Sensitivity: one input swept, the others as in the example",
                 fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    save(fig, "impact_sensitivity.png")

    survey = load_example_survey()
    ours = survey[survey["brand"] == "Our bank"].assign(
        aum_growth=lambda d: d["aum_change"] / d["aum"]
    )
    churn = link_outcome(ours, "nps", "churned", weights="weight")
    fig, ax = plt.subplots(figsize=(6, 3.8))
    outcome_by_nps_group(churn, ax=ax)
    save(fig, "impact_churn_by_group.png")

    growth = link_outcome(ours, "nps", "aum_growth", weights="weight",
                          segment=["segment", "period"], cov_type="HC3")
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    outcome_vs_nps(growth, ax=ax)
    save(fig, "impact_growth_vs_nps.png")


if __name__ == "__main__":
    main()
