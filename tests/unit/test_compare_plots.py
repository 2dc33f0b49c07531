"""Plots of period comparisons, decompositions, weighting and benchmarks (Agg)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import cxmetrics as cx
from cxmetrics.compare import (
    benchmark_attributes,
    compare_periods,
    decompose_change,
    standardize,
)
from cxmetrics.errors import InvalidParameterError
from cxmetrics.plotting.compare import (
    benchmark_gaps,
    trend,
    waterfall,
    weighted_margins,
)
from cxmetrics.weighting import rake


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return cx.datasets.load_example_survey()


def test_trend_one_group_draws_bands_limits_and_points(survey: pd.DataFrame) -> None:
    res = compare_periods(survey, "nps", "period", weights="weight")
    _, ax = plt.subplots()
    assert res.plot(ax=ax) is ax
    assert len(ax.collections) == 1  # one interval band
    assert len(ax.lines) == 1 + 2 + 3  # line, markers (noise, signal), 3 limit lines
    assert [t.get_text() for t in ax.get_xticklabels()] == list(res.periods)
    assert len(plt.get_fignums()) == 1


def test_trend_by_group_and_selection(survey: pd.DataFrame) -> None:
    res = compare_periods(survey, "nps", "period", weights="weight", by="segment")
    ax = trend(res)
    assert len(ax.collections) == 5 and ax.get_legend() is not None
    _, ax2 = plt.subplots()
    trend(res, ax=ax2, groups=["mass"])
    assert len(ax2.collections) == 1


def test_trend_of_a_standardization(survey: pd.DataFrame) -> None:
    res = standardize(survey, "nps", "period", mix="segment", weights="weight")
    ax = res.plot()
    assert len(ax.lines) == 2 and len(ax.collections) == 1


def test_waterfall_by_segment(survey: pd.DataFrame) -> None:
    res = decompose_change(survey, "nps", "period", mix="segment", weights="weight")
    _, ax = plt.subplots()
    assert res.plot(ax=ax) is ax
    assert len(ax.patches) == 2 + 2 * 5
    assert len(ax.get_xticklabels()) == 12


def test_weighted_margins_and_benchmark(survey: pd.DataFrame) -> None:
    q1 = survey[survey["period"] == "2025-Q1"]
    shares = dict(cx.datasets.EXAMPLE_SURVEY_TRUTH.segment_shares["2025-Q1"])
    raked = rake(q1, {"segment": shares})
    ax = raked.plot()
    assert len(ax.patches) == 2 * 5
    bench = benchmark_attributes(
        survey, ["exp_service", "exp_price"], "brand", own="Our bank"
    )
    ax = bench.plot()
    assert len(ax.get_yticks()) == 3  # two attributes and the index


def test_plots_reject_other_results(survey: pd.DataFrame) -> None:
    nps = cx.nps(survey, "nps")
    for func in (trend, waterfall, weighted_margins, benchmark_gaps):
        with pytest.raises(InvalidParameterError, match="`result` must be"):
            func(nps)
