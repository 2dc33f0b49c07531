"""Make the figures of docs/drivers.md (run from the repository root)."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import cxmetrics as cx
from cxmetrics.drivers import drivers
from cxmetrics.plotting.drivers import (
    importance_bars,
    importance_performance,
)

OUT = Path(__file__).resolve().parents[1] / "_static"


def main() -> None:
    survey = cx.datasets.load_example_survey()
    own = survey[survey["brand"] == "Our bank"]
    exp = [c for c in survey.columns if c.startswith("exp_")]

    result = drivers(own, "satisfaction", exp, weights="weight")
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    importance_bars(result, ax=ax)
    fig.tight_layout()
    fig.savefig(OUT / "drivers_bars.png", dpi=110)

    fig, ax = plt.subplots(figsize=(7, 4.6))
    importance_performance(result, ax=ax)
    fig.tight_layout()
    fig.savefig(OUT / "drivers_performance.png", dpi=110)

    promoters = drivers(
        own, "nps", exp, weights="weight", positive=[9, 10], n_resamples=300, rng=1
    )
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    importance_bars(promoters, ax=ax)
    fig.tight_layout()
    fig.savefig(OUT / "drivers_promoters.png", dpi=110)

    methods = result.methods.set_index("driver")
    shares = methods.abs().div(methods.abs().sum(axis=0), axis=1)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    width = 0.8 / shares.shape[1]
    x = np.arange(len(shares))
    for k, column in enumerate(shares.columns):
        ax.bar(x + k * width, 100 * shares[column], width=width, label=column)
    ax.set_xticks(x + 0.4 - width / 2, [d.removeprefix("exp_") for d in shares.index])
    ax.set_ylabel("share of the method's total (%)")
    ax.set_title("The same data, seven importance measures", fontsize=10)
    ax.legend(ncol=4, fontsize=7, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(OUT / "drivers_methods.png", dpi=110)


if __name__ == "__main__":
    main()
