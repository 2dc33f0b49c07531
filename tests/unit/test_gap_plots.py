"""Plots of the gap model on the Agg backend: ax in, Axes out, artists drawn, no leaks."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import cxmetrics as cx
from cxmetrics.gap import gap
from cxmetrics.plotting.gap import (
    gap_dumbbell,
    penalty_reward_bars,
    priority_bars,
    quadrant_chart,
)
from cxmetrics.priority import (
    asymmetric_impact,
    importance_performance,
    key_experiences,
)

ATTRS = ["product", "service", "relationship", "price", "convenience", "brand_image"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def survey():
    return cx.datasets.load_example_survey()


def test_dumbbell(survey) -> None:
    res = gap(
        survey,
        [f"exp_{a}" for a in ATTRS],
        [f"expct_{a}" for a in ATTRS],
        na_values=[99],
    )
    _, ax = plt.subplots()
    assert res.plot(ax=ax, sort=True) is ax
    assert len(ax.get_yticks()) == len(ATTRS)
    assert len(ax.texts) == len(ATTRS)
    assert len(ax.patches) == len(ATTRS)  # one gap interval per attribute
    assert len(plt.get_fignums()) == 1


def test_dumbbell_grouped_and_summary(survey) -> None:
    grouped = gap(survey, ["exp_price"], ["expct_price"], by="segment", na_values=[99])
    ax = gap_dumbbell(grouped)
    assert len(ax.get_yticks()) == survey["segment"].nunique()
    summary = gap(experience={"a": 6, "b": 5}, expectation={"a": 7, "b": None})
    ax = gap_dumbbell(summary)
    assert any("expectation not given" in t.get_text() for t in ax.texts)


def test_quadrant_chart(survey) -> None:
    res = importance_performance(
        survey,
        [f"exp_{a}" for a in ATTRS],
        importance=[f"imp_{a}" for a in ATTRS],
        method="diagonal",
    )
    _, ax = plt.subplots()
    assert res.plot(ax=ax) is ax
    labels = [t.get_text() for t in ax.texts]
    assert sum(name in labels for name in ATTRS) == len(ATTRS)
    assert (
        sum(
            q.strip() in {t.strip() for t in labels}
            for q in (
                "Concentrate here",
                "Keep up the good work",
                "Low priority",
                "Possible overkill",
            )
        )
        == 4
    )
    assert len(ax.lines) >= 3  # two crosshairs and the diagonal
    assert len(ax.collections) >= 2  # points and whiskers


def test_priority_bars(survey) -> None:
    res = key_experiences(
        survey,
        [f"exp_{a}" for a in ATTRS],
        [f"expct_{a}" for a in ATTRS],
        importance={"price": 8, "convenience": 9, "service": 8},
        na_values=[99],
        n_resamples=50,
        rng=1,
    )
    ax = res.plot()
    assert len(ax.patches) == len(ATTRS)
    assert sum("not ranked" in t.get_text() for t in ax.texts) == 3
    assert any("P(top 3)" in t.get_text() for t in ax.texts)
    assert len(plt.get_fignums()) == 1


def test_penalty_reward_bars(survey) -> None:
    res = asymmetric_impact(survey, "satisfaction", [f"exp_{a}" for a in ATTRS])
    _, ax = plt.subplots()
    assert penalty_reward_bars(res, ax=ax) is ax
    assert len(ax.patches) == 2 * len(ATTRS)
    assert {t.get_text() for t in ax.texts} >= {"basic", "excitement", "performance"}


def test_quadrant_and_priority_on_summary_tables() -> None:
    ip = importance_performance(
        experience={"a": 6, "b": 8}, importance={"a": 9, "b": 3}, crosshair="mean"
    )
    assert quadrant_chart(ip, whiskers=True, diagonal=True) is not None
    ke = key_experiences(
        experience={"a": 6, "b": 8},
        expectation={"a": 7, "b": 7},
        importance={"a": 9, "b": 3},
    )
    assert len(priority_bars(ke).patches) == 2
