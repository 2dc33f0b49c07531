"""The gap model against R (fixtures in data/gap.json) and the seven-step example.

Tolerances (STYLE.md §3.8): design-based means, SEs and t quantities are closed
forms computed the same way → rtol 1e-10, atol 1e-12 (the JSON holds 15
significant digits); regression coefficients and sandwich SEs (linear algebra,
condition numbers below 50) → rtol 1e-8, atol 1e-10; R's `na.rm = TRUE`
convention differs by design (zero-weight units kept) → rtol 1e-3; the
seven-step worked example is exact arithmetic → equality.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

import cxmetrics as cx
from cxmetrics.gap import gap, gap_to_target
from cxmetrics.priority import asymmetric_impact, key_experiences

pytestmark = pytest.mark.reference

FIXTURE = Path(__file__).parent / "data" / "gap.json"
# worked example 1 of the mission (copied from shared/reference/seven_steps.json)
SEVEN_STEPS = Path(__file__).parent / "data" / "seven_steps.json"
CASES: list[dict[str, Any]] = json.loads(FIXTURE.read_text())["cases"]
CLOSED = {"rtol": 1e-10, "atol": 1e-12}
LINALG = {"rtol": 1e-8, "atol": 1e-10}
ATTRS = ["product", "service", "relationship", "price", "convenience", "brand_image"]


def cases(kind: str) -> list[Any]:
    return [pytest.param(c, id=c["name"]) for c in CASES if c["kind"] == kind]


def case(name: str) -> dict[str, Any]:
    return next(c for c in CASES if c["name"] == name)


def frame(data: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            k: (np.asarray(v, dtype=float) if k not in ("s", "g") else v)
            for k, v in data.items()
            if v is not None
        }
    )


def test_fixture_has_provenance() -> None:
    provenance = json.loads(FIXTURE.read_text())["_provenance"]
    assert provenance["note"] == "generated - do not edit"
    assert provenance["survey_version"] and provenance["psych_version"]
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", cases("paired"))
def test_paired_gap_matches_svymean(case: dict[str, Any]) -> None:
    data = frame(case["data"])
    result = gap(
        data,
        ["e"],
        ["x"],
        attributes=["a"],
        weights="w" if "w" in data else None,
        strata="s" if "s" in data else None,
        by="g" if "g" in data else None,
        min_n=0,
    )
    table = result.to_frame()
    expected = pd.DataFrame(case["expected"]["groups"])
    if "g" in data:
        table = table.set_index("g").loc[expected["group"]].reset_index()
    for column in (
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "statistic",
        "p_value",
        "experience",
        "expectation",
        "share_negative",
        "share_positive",
        "df",
    ):
        assert_allclose(table[column], expected[column], **CLOSED, err_msg=column)
    assert (table["n"].to_numpy() == expected["n"].to_numpy()).all()
    if "svyby_std_error" in expected:
        assert_allclose(table["estimate"], expected["svyby_estimate"], **CLOSED)
        assert_allclose(table["std_error"], expected["svyby_std_error"], **CLOSED)
    if "std_error_na_rm" in expected:  # R keeps incomplete rows as zero-weight units
        assert_allclose(table["std_error"], expected["std_error_na_rm"], rtol=1e-3)
    if "t_test" in expected:
        tt = expected["t_test"].iloc[0]
        row = table.iloc[0]
        for ours, theirs in (
            ("estimate", "estimate"),
            ("statistic", "statistic"),
            ("df", "df"),
            ("p_value", "p_value"),
            ("ci_low", "ci_low"),
            ("ci_high", "ci_high"),
        ):
            assert_allclose(row[ours], tt[theirs], **CLOSED, err_msg=ours)


@pytest.mark.parametrize("case", cases("target"))
def test_gap_to_target_matches_svymean_and_t_test(case: dict[str, Any]) -> None:
    data = frame(case["data"])
    result = gap_to_target(
        data,
        ["e"],
        target=case["target"],
        attributes=["a"],
        weights="w" if "w" in data else None,
        min_n=0,
    )
    row = result.to_frame().iloc[0]
    expected = case["expected"]["groups"][0]
    for column in (
        "estimate",
        "std_error",
        "df",
        "statistic",
        "p_value",
        "ci_low",
        "ci_high",
        "share_negative",
    ):
        assert_allclose(row[column], expected[column], **CLOSED, err_msg=column)
    if "t_test" in expected:
        assert_allclose(row["statistic"], expected["t_test"]["statistic"], **CLOSED)
        assert_allclose(row["p_value"], expected["t_test"]["p_value"], **CLOSED)


def test_example_survey_gaps_match_svymean() -> None:
    survey = cx.datasets.load_example_survey()
    result = gap(
        survey,
        [f"exp_{a}" for a in ATTRS],
        [f"expct_{a}" for a in ATTRS],
        weights="weight",
        na_values=[99],
    )
    table = result.to_frame()
    expected = pd.DataFrame(
        case("example_survey_gaps_weighted")["expected"]["attributes"]
    )
    assert table["attribute"].tolist() == expected["attribute"].tolist() == ATTRS
    for column in (
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_value",
        "experience",
        "expectation",
        "share_negative",
    ):
        assert_allclose(table[column], expected[column], **CLOSED, err_msg=column)
    assert table["n"].tolist() == expected["n"].tolist()


def test_example_survey_index_reliability_matches_psych() -> None:
    survey = cx.datasets.load_example_survey()
    result = gap(
        survey,
        [f"exp_{a}" for a in ATTRS],
        [f"expct_{a}" for a in ATTRS],
        na_values=[99],
    )
    expected = case("example_survey_index_reliability")["expected"]
    for key in (
        "alpha_experience",
        "alpha_reference",
        "correlation",
        "reliability_gap",
        "n",
    ):
        assert_allclose(
            result.index_reliability[key], expected[key], **CLOSED, err_msg=key
        )


def _prca(case: dict[str, Any], cov_type: str) -> pd.DataFrame:
    data = frame(case["data"])
    result = asymmetric_impact(
        data,
        "y",
        ["a1", "a2", "a3"],
        attributes=["a1", "a2", "a3"],
        weights="w" if "w" in data else None,
        strata="s" if "s" in data else None,
        cov_type=cov_type,
        min_group_n=1,
    )
    return result


PRCA_CASES = [
    pytest.param(c, cov_type, id=f"{c['name']}-{cov_type}")
    for c in CASES
    if c["kind"] == "prca"
    for cov_type in ("classical", "design")
    if cov_type in c["expected"]  # design SEs exist for weighted/stratified cases
]


@pytest.mark.parametrize(("case", "cov_type"), PRCA_CASES)
def test_penalty_reward_matches_lm_and_svyglm(
    case: dict[str, Any], cov_type: str
) -> None:
    result = _prca(case, cov_type)
    expected = case["expected"][cov_type]
    coefs = result.coefficients
    assert_allclose(coefs["estimate"], expected["estimate"], **LINALG)
    assert_allclose(coefs["std_error"], expected["std_error"], **LINALG)
    assert_allclose(coefs["p_value"], expected["p_value"], rtol=1e-8, atol=1e-12)
    assert result.df == expected["df"]
    assert result.n == case["expected"]["n"]
    assert_allclose(result.r_squared, case["expected"]["r_squared"], **LINALG)


def test_penalty_reward_matches_statsmodels_ols() -> None:
    data = frame(case("prca_unweighted")["data"]).dropna()
    design = pd.DataFrame(
        {
            f"{a}_{part}": (data[a] <= 4) if part == "low" else (data[a] >= 8)
            for a in ("a1", "a2", "a3")
            for part in ("low", "high")
        }
    ).astype(float)
    fit = sm.OLS(data["y"], sm.add_constant(design)).fit()
    result = _prca(case("prca_unweighted"), "classical")
    assert_allclose(result.coefficients["estimate"], fit.params.to_numpy(), **LINALG)
    assert_allclose(result.coefficients["std_error"], fit.bse.to_numpy(), **LINALG)


def test_example_survey_penalty_reward_matches_lm() -> None:
    survey = cx.datasets.load_example_survey()
    result = asymmetric_impact(survey, "satisfaction", [f"exp_{a}" for a in ATTRS])
    expected = case("example_survey_prca_unweighted")["expected"]
    assert_allclose(
        result.coefficients["estimate"], expected["classical"]["estimate"], **LINALG
    )
    assert_allclose(
        result.coefficients["std_error"], expected["classical"]["std_error"], **LINALG
    )
    assert result.n == expected["n"]
    # the known truth of the bundled survey: relationship delights, product is a basic
    classes = result.classes
    assert classes["relationship"] == "excitement"
    assert classes["product"] == "basic"


# --- the seven-step worked example (MISSION.md, worked example 1) ----------------------


@pytest.fixture(scope="module")
def seven() -> dict[str, Any]:
    return json.loads(SEVEN_STEPS.read_text())


def test_seven_step_satisfaction_gaps(seven: dict[str, Any]) -> None:
    result = gap(experience=seven["experience"], expectation=seven["expectation"])
    table = result.to_frame().set_index("attribute")
    assert list(table.index) == seven["attributes"]
    for name, value in seven["expected_results"]["satisfaction_gap"].items():
        if value is None:
            assert np.isnan(table.loc[name, "estimate"])
            assert table.loc[name, "note"] == "expectation not given"
        else:
            assert table.loc[name, "estimate"] == value
            assert table.loc[name, "note"] == ""


def test_seven_step_gap_to_ideal(seven: dict[str, Any]) -> None:
    result = gap_to_target(experience=seven["experience"], target=seven["ideal"])
    table = result.to_frame().set_index("attribute")
    expected = seven["expected_results"]["experience_gap_to_ideal"]
    assert table["estimate"].to_dict() == expected
    assert table.loc["convenience", "estimate"] == -5


def test_seven_step_key_experience(seven: dict[str, Any]) -> None:
    result = key_experiences(
        experience=seven["experience"],
        expectation=seven["expectation"],
        importance=seven["importance"],
    )
    table = result.to_frame().set_index("attribute")
    weighted = seven["expected_results"]["weighted_gap"]
    assert table.loc[table["rankable"], "priority"].to_dict() == weighted
    assert result.key_experience == seven["expected_results"]["key_experience"]
    assert table.loc["convenience", "rank"] == 1
    # every other row cannot be ranked, and says why
    unranked = result.unranked.set_index("attribute")["note"]
    assert sorted(unranked.index) == sorted(
        a for a in seven["attributes"] if a != "convenience"
    )
    assert unranked["product"] == "importance not given"
    assert unranked["service"] == "expectation not given; importance not given"
    assert unranked["relationship"] == "expectation not given; importance not given"


def test_seven_step_variant_target(seven: dict[str, Any]) -> None:
    result = key_experiences(
        experience=seven["experience"],
        target=seven["ideal"],
        importance=seven["importance"],
    )
    table = result.to_frame().set_index("attribute")
    assert table.loc["convenience", "priority"] == 9 * -5
    assert result.key_experience == "convenience"


def test_bootstrap_is_reproducible_and_close_to_the_analytic_se() -> None:
    survey = cx.datasets.load_example_survey()
    own = survey[survey["brand"] == "Our bank"]
    kwargs = {
        "importance": dict.fromkeys(ATTRS, 8.0),
        "weights": "weight",
        "na_values": [99],
        "n_resamples": 400,
        "rng": 7,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = key_experiences(
            own, [f"exp_{x}" for x in ATTRS], [f"expct_{x}" for x in ATTRS], **kwargs
        )
        b = key_experiences(
            own, [f"exp_{x}" for x in ATTRS], [f"expct_{x}" for x in ATTRS], **kwargs
        )
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    table = a.to_frame()
    # with a fixed importance, the bootstrap SE of importance × gap ≈ 8 × SE(gap)
    assert_allclose(table["priority_std_error"], 8 * table["std_error"], rtol=0.15)
