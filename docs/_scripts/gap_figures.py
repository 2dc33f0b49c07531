"""Make the figures of docs/gap.md (run from the repository root)."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt

import cxmetrics as cx
from cxmetrics.gap import gap
from cxmetrics.priority import (
    asymmetric_impact,
    importance_performance,
    key_experiences,
)

OUT = Path(__file__).resolve().parents[1] / "_static"
ATTRS = ["product", "service", "relationship", "price", "convenience", "brand_image"]
EXP = [f"exp_{a}" for a in ATTRS]
EXPCT = [f"expct_{a}" for a in ATTRS]
IMP = [f"imp_{a}" for a in ATTRS]


def save(fig: plt.Figure, name: str) -> None:
    fig.tight_layout()
    fig.savefig(OUT / name, dpi=110)
    plt.close(fig)


def main() -> None:
    survey = cx.datasets.load_example_survey()
    own = survey[survey["brand"] == "Our bank"]

    fig, ax = plt.subplots(figsize=(8, 3.6))
    gap(own, EXP, EXPCT, weights="weight", na_values=[99]).plot(ax=ax, sort=True)
    save(fig, "gap_dumbbell.png")

    fig, ax = plt.subplots(figsize=(8, 3.6))
    key_experiences(
        own, EXP, EXPCT, importance=IMP, weights="weight", na_values=[99], rng=1
    ).plot(ax=ax)
    save(fig, "gap_priority_bars.png")

    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    importance_performance(
        own, EXP, importance=IMP, weights="weight", crosshair="mean", method="diagonal"
    ).plot(ax=ax)
    save(fig, "gap_quadrants.png")

    fig, ax = plt.subplots(figsize=(8, 3.6))
    asymmetric_impact(survey, "satisfaction", EXP).plot(ax=ax)
    save(fig, "gap_penalty_reward.png")


if __name__ == "__main__":
    main()
