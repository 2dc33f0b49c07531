"""Make the figures of docs/sem.md (run from the repository root).

    python docs/_scripts/sem_figures.py

Writes docs/_static/sem_*.png from the bundled ACSI survey. Everything is
deterministic (no resampling).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt

from cxmetrics.datasets._acsi import (
    ACSI_CONSTRUCTS,
    ACSI_SURVEY_TRUTH,
    load_acsi_survey,
)
from cxmetrics.measurement import efa
from cxmetrics.plotting.sem import ipma_chart, loadings_heatmap, path_diagram
from cxmetrics.sem import acsi_model

OUT = Path(__file__).resolve().parents[1] / "_static"
DRIVERS = ["expectation", "quality", "value", "satisfaction"]


def save(fig: plt.Figure, name: str) -> None:
    fig.tight_layout()
    fig.savefig(OUT / name, dpi=110)
    plt.close(fig)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    survey = load_acsi_survey()
    constructs = {k: list(v) for k, v in ACSI_CONSTRUCTS.items() if k != "image"}

    items = [
        i
        for k in ("image", "expectation", "quality", "satisfaction")
        for i in ACSI_CONSTRUCTS[k]
    ]
    fig, ax = plt.subplots(figsize=(5.2, 5.2))
    loadings_heatmap(efa(survey, items, 4), ax=ax)
    save(fig, "sem_efa_loadings.png")

    result = acsi_model(**constructs).fit(survey, weights="weight")
    fig, ax = plt.subplots(figsize=(12, 5.2))
    path_diagram(result, ax=ax)
    save(fig, "sem_acsi_path.png")

    ipma = result.ipma(drivers=DRIVERS, scale=dict(ACSI_SURVEY_TRUTH.scales))
    fig, ax = plt.subplots(figsize=(6.8, 4.8))
    ipma_chart(ipma, ax=ax)
    save(fig, "sem_acsi_ipma.png")


if __name__ == "__main__":
    main()
