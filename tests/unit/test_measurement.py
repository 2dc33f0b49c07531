"""cxmetrics.measurement: alpha, omega, reliability, HTMT, EFA, parallel analysis."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cxmetrics import measurement
from cxmetrics.datasets._acsi import ACSI_CONSTRUCTS, make_acsi_survey
from cxmetrics.errors import (
    ColumnNotFoundError,
    DegenerateDataWarning,
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
)

DATA = Path(__file__).parents[1] / "reference" / "data"
HS = [f"x{i}" for i in range(1, 10)]
SAT = list(ACSI_CONSTRUCTS["satisfaction"])


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(DATA / "holzinger_swineford.csv")


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return make_acsi_survey(800, rng=3)


# --- alpha ------------------------------------------------------------------------------


def test_alpha_interval_and_recompute(survey: pd.DataFrame) -> None:
    result = measurement.cronbach_alpha(survey, SAT)
    row = result.to_frame().iloc[0]
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    wide = result.confidence_interval(0.99)
    assert wide.low[0] < row["ci_low"] and wide.high[0] > row["ci_high"]
    duhachek = measurement.cronbach_alpha(survey, SAT, method="duhachek")
    ci = duhachek.confidence_interval()
    assert_allclose(ci.high[0] - ci.low[0], 2 * 1.959963984540054 * row["std_error"])
    with pytest.raises(InvalidParameterError, match="`method` must be one of"):
        result.confidence_interval(method="exact")
    assert "Cronbach's alpha" in result.summary().as_text()


def test_alpha_weights_and_inputs_unchanged(survey: pd.DataFrame) -> None:
    data = survey.copy()
    before = data.copy()
    unweighted = measurement.cronbach_alpha(data, SAT)
    ones = measurement.cronbach_alpha(data.assign(weight=1.0), SAT, weights="weight")
    assert_allclose(ones.alpha, unweighted.alpha, rtol=1e-12)
    weighted = measurement.cronbach_alpha(data, SAT, weights="weight")
    assert abs(weighted.alpha - unweighted.alpha) < 0.05
    pd.testing.assert_frame_equal(data, before)


def test_alpha_bad_input(survey: pd.DataFrame) -> None:
    with pytest.raises(
        InvalidParameterError, match="`items` must be a list of at least two"
    ):
        measurement.cronbach_alpha(survey, ["satisfaction_1"])
    with pytest.raises(
        InvalidParameterError, match="lists \\['satisfaction_1'\\] more than once"
    ):
        measurement.cronbach_alpha(survey, ["satisfaction_1", "satisfaction_1"])
    with pytest.raises(ColumnNotFoundError, match="Column 'satisfaction_9'"):
        measurement.cronbach_alpha(survey, ["satisfaction_1", "satisfaction_9"])
    with pytest.raises(InvalidDataError, match=r"Item\(s\) \['flat'\] take a single"):
        measurement.cronbach_alpha(survey.assign(flat=5.0), [*SAT, "flat"])
    with pytest.raises(InsufficientDataError, match="2 complete row"):
        measurement.cronbach_alpha(survey.head(2), SAT)
    gappy = survey.copy()
    gappy.loc[0, "satisfaction_2"] = np.nan
    with pytest.raises(InvalidDataError, match="nan_policy='raise'"):
        measurement.cronbach_alpha(gappy, SAT, nan_policy="raise")


def test_negative_alpha_warns(survey: pd.DataFrame) -> None:
    reversed_item = survey.assign(rev=11 - survey["satisfaction_1"])
    with pytest.warns(DegenerateDataWarning, match="reverse-code"):
        result = measurement.cronbach_alpha(reversed_item, ["rev", "satisfaction_2"])
    assert result.alpha < 0


# --- reliability and HTMT ----------------------------------------------------------------


def test_reliability_and_htmt(survey: pd.DataFrame) -> None:
    constructs = {
        "quality": list(ACSI_CONSTRUCTS["quality"]),
        "satisfaction": SAT,
        "loyalty": list(ACSI_CONSTRUCTS["loyalty"]),
    }
    rel = measurement.reliability(survey, constructs)
    assert rel.to_frame()["fornell_larcker"].all()
    assert "omega" in repr(rel)
    h = measurement.htmt(survey, constructs)
    assert h.matrix.shape == (3, 3)
    assert not h.to_frame()["above_090"].any()
    assert "max HTMT" in repr(h)
    weighted = measurement.reliability(survey, constructs, weights="weight")
    assert weighted.to_frame().shape == rel.to_frame().shape


def test_reliability_and_htmt_bad_input(survey: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="listed for both 'a' and 'b'"):
        measurement.htmt(survey, {"a": SAT, "b": [*SAT[:1], "value_1"]})
    with pytest.raises(InvalidParameterError, match="`constructs` must be a mapping"):
        measurement.htmt(survey, {"a": SAT})
    with pytest.raises(InvalidParameterError, match="`constructs` must be a mapping"):
        measurement.reliability(survey, SAT)  # type: ignore[arg-type]


# --- EFA --------------------------------------------------------------------------------


@pytest.mark.engine_sem
def test_efa_recovers_three_factors(hs: pd.DataFrame) -> None:
    result = measurement.efa(hs, HS, 3)
    top = result.loadings.abs().idxmax(axis=1)
    assert top["x4"] == top["x5"] == top["x6"]
    assert top["x1"] != top["x4"] != top["x7"]
    assert result.phi is not None and result.phi.shape == (3, 3)
    assert_allclose(np.diag(result.phi), 1.0, atol=1e-12)
    varimax = measurement.efa(hs, HS, 3, rotation="varimax", method="ml")
    assert varimax.phi is None
    assert "Exploratory factor analysis (ml, varimax)" in varimax.summary().as_text()


def test_efa_unrotated_and_errors(hs: pd.DataFrame) -> None:
    one = measurement.efa(hs, HS, 1, rotation="varimax")
    assert one.rotation is None
    assert one.loadings.shape == (9, 1)
    with pytest.raises(InvalidParameterError, match="`n_factors` = 6 is too many"):
        measurement.efa(hs, HS, 6, rotation=None)
    with pytest.raises(InvalidParameterError, match="`rotation` must be one of"):
        measurement.efa(hs, HS, 2, rotation="quartimax")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="`items` must be a list"):
        measurement.efa(hs, ["x1", "x2"], 1)
    dup = hs.assign(x10=hs["x1"] + hs["x2"])
    with pytest.raises(
        InvalidDataError, match="correlation matrix of the items is singular"
    ):
        measurement.efa(dup, [*HS, "x10"], 2, rotation=None)


@pytest.mark.engine_sem
def test_efa_heywood_warns(survey: pd.DataFrame) -> None:
    items = [
        i
        for k in ("expectation", "quality", "value", "satisfaction")
        for i in ACSI_CONSTRUCTS[k]
    ]
    data = survey.assign(value_2=survey["value_1"] + 0.05 * survey["value_2"])
    with pytest.warns(DegenerateDataWarning, match="Heywood case"):
        result = measurement.efa(data, items, 4)
    assert "value_1" in result.heywood or "value_2" in result.heywood


@pytest.mark.engine_sem
def test_loadings_heatmap(hs: pd.DataFrame) -> None:
    before = plt.get_fignums()
    ax = measurement.efa(hs, HS, 3).plot()
    assert len(ax.texts) == 27
    for number in set(plt.get_fignums()) - set(before):
        plt.close(number)


# --- parallel analysis and omega ------------------------------------------------------------


def test_parallel_analysis_is_seeded(hs: pd.DataFrame) -> None:
    a = measurement.parallel_analysis(hs, HS, n_resamples=10, rng=5)
    b = measurement.parallel_analysis(hs, HS, n_resamples=10, rng=5)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert a.n_factors == 3
    with pytest.raises(InvalidParameterError, match="`quantile` must be a number in"):
        measurement.parallel_analysis(hs, HS, quantile=95)


@pytest.mark.engine_sem
def test_omega(hs: pd.DataFrame) -> None:
    three = measurement.omega(hs, HS, 3)
    row = three.to_frame().iloc[0]
    assert row["omega_hierarchical"] < row["omega_total"] <= 1
    two = measurement.omega(hs, HS[:6], 2)
    assert list(two.loadings.columns) == [
        "item",
        "g",
        "F1",
        "F2",
        "communality",
        "uniqueness",
    ]
    with pytest.raises(InvalidParameterError, match="`n_factors` = 3 is too many"):
        measurement.omega(hs, HS[:4], 3)
    with pytest.raises(InvalidParameterError, match="`n_factors` must be an integer"):
        measurement.omega(hs, HS, 1)
