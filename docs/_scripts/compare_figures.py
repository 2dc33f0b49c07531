"""Make the figures of docs/compare.md (run from the repository root)."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

import cxmetrics as cx
from cxmetrics.compare import (
    benchmark_attributes,
    compare_periods,
    decompose_change,
    standardize,
)
from cxmetrics.weighting import rake

OUT = Path(__file__).resolve().parents[1] / "_static"


def save(fig: plt.Figure, name: str) -> None:
    fig.tight_layout()
    fig.savefig(OUT / name, dpi=110)
    plt.close(fig)


def main() -> None:
    truth = cx.datasets.EXAMPLE_SURVEY_TRUTH
    survey = cx.datasets.load_example_survey()
    own = survey[survey["brand"] == "Our bank"]

    size = own.groupby("period", observed=True).size()
    targets = pd.DataFrame(
        [
            (p, s, share * size[p])
            for p, shares in truth.segment_shares.items()
            for s, share in shares.items()
        ],
        columns=["period", "segment", "target"],
    )
    raked = rake(own, [targets], base_weights="weight")
    weighted = own.assign(w=raked.weights)

    fig, ax = plt.subplots(figsize=(7, 3.6))
    compare_periods(own, "nps", "period", calibration=raked).plot(ax=ax)
    save(fig, "compare_trend.png")

    fig, ax = plt.subplots(figsize=(7, 3.8))
    by_segment = compare_periods(own, "nps", "period", calibration=raked, by="segment")
    by_segment.plot(ax=ax, groups=["mass", "affluent", "small_business"])
    save(fig, "compare_trend_segments.png")

    fig, ax = plt.subplots(figsize=(7, 3.4))
    standardize(weighted, "nps", "period", mix="segment", weights="w").plot(ax=ax)
    save(fig, "compare_standardized.png")

    fig, ax = plt.subplots(figsize=(8, 4.2))
    decompose_change(weighted, "nps", "period", mix="segment", weights="w").plot(ax=ax)
    save(fig, "compare_waterfall.png")

    q4 = own[own["period"] == "2025-Q4"]
    regions = {"capital": 0.359, "north": 0.247, "south": 0.250, "west": 0.144}
    q4_raked = rake(
        q4, {"segment": dict(truth.segment_shares["2025-Q4"]), "region": regions}
    )
    fig, ax = plt.subplots(figsize=(7, 4.2))
    q4_raked.plot(ax=ax)
    save(fig, "compare_margins.png")

    attributes = [f"exp_{a}" for a in truth.attributes]
    bench = benchmark_attributes(
        survey,
        attributes,
        "brand",
        own="Our bank",
        importance=[f"imp_{a}" for a in truth.attributes],
        weights="weight",
    )
    fig, ax = plt.subplots(figsize=(7, 4.6))
    bench.plot(ax=ax)
    save(fig, "compare_benchmark.png")


if __name__ == "__main__":
    main()
