"""SEMResult: effects, 0–100 indices, IPMA, reliability, display and plots."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cxmetrics.datasets._acsi import (
    ACSI_CONSTRUCTS,
    ACSI_SURVEY_TRUTH,
    load_acsi_survey,
    make_acsi_survey,
)
from cxmetrics.errors import InvalidParameterError
from cxmetrics.results.sem import IPMAResult, SEMEffectsResult, SEMResult
from cxmetrics.sem import DriverSEM, acsi_model

SCALES = dict(ACSI_SURVEY_TRUTH.scales)
DRIVERS = ["expectation", "quality", "value", "satisfaction"]


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return make_acsi_survey(1200, rng=5)


@pytest.fixture(scope="module")
def result(survey: pd.DataFrame) -> SEMResult:
    constructs = {k: list(v) for k, v in ACSI_CONSTRUCTS.items() if k != "image"}
    return acsi_model(**constructs).fit(survey)


def test_effects_add_up(result: SEMResult) -> None:
    effects = result.effects()
    assert isinstance(effects, SEMEffectsResult)
    assert effects.target == "loyalty"
    wide = effects.wide()
    assert_allclose(wide["direct"] + wide["indirect"], wide["total"], atol=1e-12)
    table = result.to_frame().set_index(["lhs", "op", "rhs"])
    assert_allclose(
        wide.loc["satisfaction", "direct"],
        table.loc[("loyalty", "~", "satisfaction"), "estimate"],
    )
    frame = effects.to_frame()
    assert list(frame.columns[:4]) == ["source", "target", "effect", "estimate"]
    inside = (frame["ci_low"] <= frame["estimate"]) & (
        frame["estimate"] <= frame["ci_high"]
    )
    assert inside.all()
    narrow = result.effects(confidence_level=0.5).to_frame()
    assert (
        (narrow["ci_high"] - narrow["ci_low"])
        <= frame["ci_high"] - frame["ci_low"] + 1e-12
    ).all()
    assert "total effects on loyalty" in repr(effects)
    assert "Effects on loyalty" in effects.summary().as_text()


def test_effects_on_another_target_and_errors(result: SEMResult) -> None:
    on_sat = result.effects("satisfaction").to_frame()
    assert set(on_sat["source"]) == {"expectation", "quality", "value"}
    with pytest.raises(InvalidParameterError, match="`target` must be a variable"):
        result.effects("nope")
    with pytest.raises(InvalidParameterError, match="Nothing in the model acts on"):
        result.effects("expectation")
    with pytest.raises(InvalidParameterError, match="`confidence_level` must be"):
        result.effects(confidence_level=95)


def test_cfa_has_no_effects() -> None:
    data = make_acsi_survey(300, rng=2)
    cfa = DriverSEM("q =~ quality_1 + quality_2 + quality_3").fit(data)
    with pytest.raises(InvalidParameterError, match="has no regressions"):
        cfa.effects()


def test_index_scores_are_weighted_item_means(
    result: SEMResult, survey: pd.DataFrame
) -> None:
    index = result.index_scores(scale=SCALES).set_index("construct")
    assert index["estimate"].between(0, 100).all()
    # recompute the value index by hand from the printed weights
    weights = dict(
        part.split("=") for part in index.loc["value", "weights"].split(", ")
    )
    complete = survey[list(result.observed)].dropna()
    manual = sum(
        float(w) * 100 * (complete[item].mean() - 1) / 9 for item, w in weights.items()
    )
    assert_allclose(index.loc["value", "estimate"], manual, atol=2e-3)
    # the binary complaints item: the index is the complaint rate in points
    assert_allclose(
        index.loc["complaints", "estimate"], 100 * complete["complained"].mean()
    )
    assert (index["ci_low"] < index["estimate"]).all()
    default = result.index_scores()
    assert "scale not given" in default["note"].iloc[0]
    scores = result.respondent_scores(survey.head(20), scale=SCALES)
    assert list(scores.columns) == list(index.index)
    assert scores.shape == (20, 6)
    assert ((scores.dropna() >= 0) & (scores.dropna() <= 100)).all().all()


def test_index_scale_errors(result: SEMResult) -> None:
    with pytest.raises(InvalidParameterError, match="outside its scale"):
        result.index_scores(scale=(2, 10))
    with pytest.raises(InvalidParameterError, match="must have low < high"):
        result.index_scores(scale={"value_1": (10, 1)})
    with pytest.raises(InvalidParameterError, match=r"must be \(low, high\)"):
        result.index_scores(scale={"value_1": "1-10"})  # type: ignore[dict-item]


def test_ipma(result: SEMResult) -> None:
    ipma = result.ipma(drivers=DRIVERS, scale=SCALES)
    assert isinstance(ipma, IPMAResult)
    frame = ipma.to_frame()
    assert list(frame["driver"]) == DRIVERS
    assert {"driver", "importance", "performance", "quadrant", "priority"} <= set(
        frame.columns
    )
    assert sorted(frame["priority"]) == [1, 2, 3, 4]
    # items on one scale: importance equals the unstandardized total effect
    totals = result.effects().to_frame().query("effect == 'total'").set_index("source")
    assert_allclose(
        frame.set_index("driver")["importance"],
        totals.loc[DRIVERS, "estimate"],
        rtol=0.05,
    )
    with pytest.raises(InvalidParameterError, match="`drivers` \\['image'\\] do not"):
        result.ipma(drivers=["image"])
    assert "top priority" in repr(ipma)


def test_ipma_plugs_into_key_experiences(result: SEMResult) -> None:
    frame = result.ipma(drivers=DRIVERS, scale=SCALES).to_frame()
    assert {"driver", "importance"} <= set(frame.columns)
    assert (frame["importance"] > 0).all()


def test_reliability_from_the_fit(result: SEMResult) -> None:
    rel = result.reliability()
    table = rel.to_frame().set_index("construct")
    assert np.isnan(table.loc["complaints", "alpha"])
    assert (table["ave"].between(0, 1)).all()
    assert list(rel.fornell_larcker.index) == list(table.index)
    assert_allclose(np.diag(rel.fornell_larcker), table["sqrt_ave"])
    arithmetic = result.reliability(htmt="arithmetic")
    assert not np.allclose(
        arithmetic.htmt.fillna(0).to_numpy(), rel.htmt.fillna(0).to_numpy()
    )
    with pytest.raises(InvalidParameterError, match="`htmt` must be"):
        result.reliability(htmt="median")


def test_display_and_export(result: SEMResult) -> None:
    text = result.summary().as_text()
    assert "Structural equation model (ML)" in text
    assert "RMSEA 90% CI" in text and "versions:" in text
    assert result._repr_html_().startswith("<div class='cxmetrics-result'>")
    assert "\\begin{tabular}" in result.summary().as_latex()
    exported = result.to_dict()
    json.dumps(exported)
    assert exported["kind"] == "SEMResult"
    assert len(exported["rows"]) == len(result.table)
    assert repr(result).startswith("SEMResult(6 latent, 14 observed")
    std = result.standardized()
    assert list(std.columns[:4]) == ["lhs", "op", "rhs", "label"]
    assert result.residuals().shape == (14, 14)
    assert result.parameters is not result.table


def test_plots_return_axes_without_leaking(result: SEMResult) -> None:
    before = plt.get_fignums()
    ax = result.plot()
    assert len(ax.patches) > 20
    assert len(ax.texts) > 20
    ipma_ax = result.ipma(drivers=DRIVERS, scale=SCALES).plot()
    assert len(ipma_ax.collections) >= 1
    _, own = plt.subplots()
    assert result.plot(ax=own, standardized=False, show_indicators=False) is own
    for number in set(plt.get_fignums()) - set(before):
        plt.close(number)
    assert plt.get_fignums() == before


def test_bundled_survey_is_the_generator_default() -> None:
    from cxmetrics.datasets._acsi import make_acsi_survey as make

    pd.testing.assert_frame_equal(load_acsi_survey(), make())
    assert set(ACSI_SURVEY_TRUTH.constructs) == set(ACSI_CONSTRUCTS)
    assert ACSI_SURVEY_TRUTH.scales["complained"] == (0.0, 1.0)
    with pytest.raises(InvalidParameterError, match="`n_respondents` must be"):
        make(10)
