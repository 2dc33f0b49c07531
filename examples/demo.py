"""End-to-end demo on the bundled example survey (run with `make demo`).

Prints NPS and CSAT by segment with intervals, a comparison of channels, and saves
figures under examples/output/.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

import cxmetrics as cx

OUT = Path(__file__).parent / "output"


def section(title: str) -> None:
    print(f"\n{title}\n{'-' * len(title)}")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    pd.set_option("display.width", 120)
    survey = cx.datasets.load_example_survey()
    own = survey[survey["brand"] == "Our bank"]
    print(f"Example survey: {len(survey)} responses, {own.shape[0]} for our bank.")

    section("NPS by segment (weighted, 95% adjusted-Wald intervals)")
    nps = cx.nps(own, "nps", weights="weight", by="segment", total=True)
    print(nps.summary().as_text())

    section("CSAT by segment: top-2-box share and mean (weighted)")
    csat = cx.csat(own, "csat", weights="weight", by="segment")
    print(csat.summary().as_text())

    section("Customer effort (CES, 1–7)")
    print(cx.ces(own, "ces", weights="weight"))

    section("Was it real? NPS by quarter, changes vs the previous wave")
    periods = cx.compare_periods(own, "nps", "period", weights="weight", by="segment")
    print(periods.summary().as_text())
    change = cx.decompose_change(own, "nps", "period", mix="segment", weights="weight")
    print(change.summary().as_text())

    section("NPS by channel against the rest of the sample (Holm-adjusted)")
    print(
        cx.compare_nps(
            own, "nps", by="channel", weights="weight", versus="rest"
        ).summary()
    )

    section("Our NPS against the competitor the same customers know best")
    print(cx.compare_nps_paired(own, "nps", "nps_competitor", weights="weight"))

    section("Key experiences: importance × (experience − expectation), 1,000 resamples")
    attributes = [
        "product",
        "service",
        "relationship",
        "price",
        "convenience",
        "brand_image",
    ]
    key = cx.key_experiences(
        own,
        [f"exp_{a}" for a in attributes],
        [f"expct_{a}" for a in attributes],
        importance=[f"imp_{a}" for a in attributes],
        weights="weight",
        na_values=[99],
        rng=1,
    )
    print(key.summary().as_text())
    quadrants = cx.importance_performance(
        own,
        [f"exp_{a}" for a in attributes],
        importance=[f"imp_{a}" for a in attributes],
        weights="weight",
        crosshair="mean",
    )

    section("What drives overall satisfaction? (Shapley / LMG, weighted)")
    experience = [c for c in own.columns if c.startswith("exp_")]
    satisfaction = cx.drivers(own, "satisfaction", experience, weights="weight")
    print(satisfaction.summary().as_text())

    section("What makes a promoter? (logistic drivers of NPS 9–10)")
    promoter = cx.drivers(
        own,
        "nps",
        experience,
        weights="weight",
        positive=[9, 10],
        n_resamples=200,
        rng=1,
    )
    print(promoter.summary().as_text())

    section("An ACSI model: what drives satisfaction and loyalty (SEM)")
    acsi_survey = cx.datasets.load_acsi_survey()
    constructs = {
        k: list(v) for k, v in cx.datasets.ACSI_CONSTRUCTS.items() if k != "image"
    }
    acsi = cx.acsi_model(**constructs).fit(acsi_survey, weights="weight")
    print(acsi.summary().as_text())
    print(acsi.effects().summary().as_text())
    ipma = acsi.ipma(
        drivers=["expectation", "quality", "value", "satisfaction"],
        scale=dict(cx.datasets.ACSI_SURVEY_TRUTH.scales),
    )

    section("Planning the next competitor benchmark (own brand + 3 competitors)")
    by_brand = cx.nps(survey, "nps", weights="weight", by="brand").to_frame()
    mix = by_brand.set_index("brand")
    plan = cx.benchmark_plan(
        [str(b) for b in mix.index],
        own="Our bank",
        gap=8,
        cost=10.0,
        promoters={str(b): p for b, p in mix["promoters"].items()},
        detractors={str(b): d for b, d in mix["detractors"].items()},
        cadence="quarterly",
    )
    print(plan.summary().as_text())

    section("What a bad experience costs (worked example of the mission)")
    cost = cx.negative_experience_cost(
        50_000_000,
        0.22,
        0.02,
        complainer_outcomes={"at_risk": 0.34, "lost": 0.28, "retained": 0.38},
        silent_outcomes={"at_risk": 0.55, "lost": 0.45},
    )
    print(cost.summary().as_text())

    section("Experience linked to operations: churn by NPS group")
    print(cx.link_outcome(own, "nps", "churned", weights="weight").summary().as_text())

    fig, axes = plt.subplots(1, 2, figsize=(13, 4))
    nps.plot(ax=axes[0])
    cx.nps(own, "nps", weights="weight", by="channel").plot(ax=axes[1], kind="forest")
    fig.tight_layout()
    fig.savefig(OUT / "nps_by_segment.png", dpi=120)
    satisfaction.plot().figure.savefig(OUT / "drivers_satisfaction.png", dpi=120)
    quadrants.plot().figure.savefig(OUT / "importance_performance.png", dpi=120)
    ipma.plot().figure.savefig(OUT / "acsi_ipma.png", dpi=120)
    periods.plot().figure.savefig(OUT / "nps_trend.png", dpi=120)
    change.plot().figure.savefig(OUT / "nps_change_waterfall.png", dpi=120)
    print(f"\nFigures saved in {OUT}/")


if __name__ == "__main__":
    main()
