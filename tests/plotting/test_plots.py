"""Plot smoke tests on the Agg backend: ax in, Axes out, expected artists, no leaks."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import cxmetrics as cx


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_nps_bars_draws_three_segments_per_group(responses: pd.DataFrame) -> None:
    res = cx.nps(responses, "nps", weights="weight", by="region")
    _, ax = plt.subplots()
    out = res.plot(ax=ax)
    assert out is ax
    assert len(ax.patches) == 3 * 3
    assert len(ax.texts) == 3
    assert len(plt.get_fignums()) == 1


def test_forest_for_every_result_kind(responses: pd.DataFrame) -> None:
    results = [
        cx.nps(responses, "nps", by="region"),
        cx.top_box(responses, "csat", by="region"),
        cx.mean_score(responses, "csat", by="channel"),
        cx.compare_nps(responses, "nps", by="region", versus="pairwise"),
        cx.compare_nps_paired(responses, "nps", "rival"),
    ]
    for res in results:
        fig, ax = plt.subplots()
        out = cx.plotting.forest(res, ax=ax)
        assert out is ax
        assert len(ax.get_yticks()) == len(res.to_frame())
        plt.close(fig)


def test_plot_without_ax_makes_one_figure(responses: pd.DataFrame) -> None:
    ax = cx.nps(responses, "nps", by="channel").plot(kind="forest")
    assert ax.figure is not None
    assert len(plt.get_fignums()) == 1


def test_importing_cxmetrics_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import sys, cxmetrics; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
