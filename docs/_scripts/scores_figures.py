"""Make the figures of docs/scores.md (run from the repository root)."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt

import cxmetrics as cx

OUT = Path(__file__).resolve().parents[1] / "_static"


def main() -> None:
    survey = cx.datasets.load_example_survey()
    own = survey[survey["brand"] == "Our bank"]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    cx.nps(own, "nps", weights="weight", by="segment", total=True).plot(ax=ax)
    fig.tight_layout()
    fig.savefig(OUT / "scores_nps_bars.png", dpi=110)

    fig, ax = plt.subplots(figsize=(7, 3))
    cx.compare_nps(
        survey, "nps", by="brand", reference="Our bank", weights="weight"
    ).plot(ax=ax)
    fig.tight_layout()
    fig.savefig(OUT / "scores_brand_forest.png", dpi=110)

    fig, ax = plt.subplots(figsize=(7, 3.2))
    small = own[own["segment"] == "corporate"].head(25)
    methods = ["wald", "adjusted_wald", "score", "bayes", "bootstrap"]
    for i, method in enumerate(methods):
        res = (
            cx.nps(small, "nps", method=method, rng=1, n_resamples=4999, min_n=0)
            if method != "wald"
            else None
        )
        if res is None:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = cx.nps(small, "nps", method=method, min_n=0)
        low, high = res.ci
        ax.hlines(i, low, high, linewidth=2)
        ax.plot(res.estimate, i, "o", color="k")
    ax.set_yticks(range(len(methods)), methods)
    ax.set_xlabel("NPS (points), 25 responses")
    ax.set_title("95% intervals by method on one small sample", fontsize=10)
    fig.tight_layout()
    fig.savefig(OUT / "scores_methods.png", dpi=110)


if __name__ == "__main__":
    main()
