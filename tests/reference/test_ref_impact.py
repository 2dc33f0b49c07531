"""Business impact against the published worked example and R (data/impact.json).

Fixture: tests/reference/generate/impact.R (R survey 4.1.1, sandwich 3.0-2, lmtest
0.9-40; see the file's ``_provenance``).

Tolerances (STYLE.md §3.8):
- the worked example is a product of the inputs: rtol 1e-12 against the published
  figures and against R's products;
- delta-method SEs, design-based means, SEs, covariances, contrasts and the stake
  are closed forms computed the same way (R: symbolic gradients, svyby,
  svycontrast): rtol 1e-10;
- regressions: R's ``lm`` solves by QR, cxmetrics by normal equations on sums, a
  different algorithm but a closed form: rtol 1e-10 (observed ≤ 4e-14); p-values of
  ~0 compared with atol 1e-12.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cxmetrics.impact import link_outcome, negative_experience_cost

pytestmark = pytest.mark.reference

FIXTURE = Path(__file__).parent / "data" / "impact.json"
DATA: dict[str, Any] = json.loads(FIXTURE.read_text())
COST = DATA["cost"]
LINK = DATA["link_cases"]
EXACT = {"rtol": 1e-12, "atol": 1e-9}
CLOSED = {"rtol": 1e-10, "atol": 1e-12}
FIT = {"rtol": 1e-10, "atol": 1e-12}


def test_fixture_has_provenance() -> None:
    prov = DATA["_provenance"]
    assert prov["note"] == "generated - do not edit"
    assert prov["script"] == "tests/reference/generate/impact.R"
    for key in ("r_version", "survey_version", "sandwich_version", "date", "seed"):
        assert prov[key]


# --- cost of negative experience ----------------------------------------------------


def cost(**kwargs: Any) -> Any:
    inputs = COST["inputs"]
    return negative_experience_cost(
        inputs["revenue"],
        inputs["negative_rate"],
        inputs["complaint_rate"],
        inputs["complainer_outcomes"],
        inputs["silent_outcomes"],
        **kwargs,
    )


@pytest.mark.parametrize("measure", list(COST["published"]))
def test_worked_example_reproduces_the_published_figures(measure: str) -> None:
    assert_allclose(getattr(cost(), measure), COST["published"][measure], **EXACT)


@pytest.mark.parametrize("measure", list(COST["expected"]))
def test_worked_example_matches_r(measure: str) -> None:
    assert_allclose(getattr_or_share(cost(), measure), COST["expected"][measure], **EXACT)


def getattr_or_share(result: Any, measure: str) -> float:
    if measure.endswith("_share_of_revenue"):
        name = measure.removesuffix("_share_of_revenue")
        table = result.to_frame().set_index("measure")
        return float(table.loc[name, "share_of_revenue"])
    table = result.to_frame().set_index("measure")
    return float(table.loc[measure, "estimate"])


@pytest.mark.parametrize("scenario", COST["scenarios"], ids=lambda s: s["name"])
def test_scenarios_match_r(scenario: dict[str, Any]) -> None:
    result = cost().what_if(**scenario["changes"])
    for measure, expected in scenario["expected"].items():
        assert_allclose(getattr_or_share(result, measure), expected, **EXACT)


@pytest.mark.parametrize("block", ["delta", "delta_negative_rate_only"])
def test_delta_method_standard_errors_match_r(block: str) -> None:
    spec = COST[block]
    result = cost(sample_sizes=spec["n"], method="delta")
    table = result.to_frame().set_index("measure")
    for measure, expected in spec["std_error"].items():
        if measure.endswith("_share_of_revenue"):
            name = measure.removesuffix("_share_of_revenue")
            got = table.loc[name, "std_error"] / result.revenue
        else:
            got = table.loc[measure, "std_error"]
        assert_allclose(got, expected, **CLOSED)


def test_recovery_lever_saving_and_its_standard_error_match_r() -> None:
    spec = COST["delta"]
    result = cost(sample_sizes=spec["n"])
    levers = result.levers(recovery_rate=0.6, combined=False).set_index("parameter")
    row = levers.loc["recovery_rate"]
    assert_allclose(row["revenue_lost_saved"], spec["recovery_0_6_saving"]["estimate"],
                    **CLOSED)
    assert_allclose(row["std_error"], spec["recovery_0_6_saving"]["std_error"], **CLOSED)


# --- X + O linkage --------------------------------------------------------------------


def frame(case: dict[str, Any]) -> pd.DataFrame:
    data = case["data"]
    out = pd.DataFrame(
        {
            "score": np.asarray(data["score"], dtype=float),
            "outcome": np.asarray(data["outcome"], dtype=float),
            "segment": data["segment"],
        }
    )
    if data.get("weights") is not None:
        out["w"] = data["weights"]
    if data.get("strata") is not None:
        out["s"] = data["strata"]
    return out


CASE_BY_NAME = {c["name"]: c for c in LINK}


@functools.cache
def linked(name: str, cov_type: str = "HC1", regressor: str = "nps",
           weighting: str = "size") -> Any:
    case = CASE_BY_NAME[name]
    data = frame(case)
    return link_outcome(
        data, "score", "outcome",
        weights="w" if "w" in data else None,
        strata="s" if "s" in data else None,
        segment="segment", regressor=regressor, cov_type=cov_type,  # type: ignore[arg-type]
        segment_weighting=weighting,  # type: ignore[arg-type]
    )


CASES = [pytest.param(c["name"], id=c["name"]) for c in LINK]


@pytest.mark.parametrize("name", CASES)
def test_group_means_match_svyby(name: str) -> None:
    expected = CASE_BY_NAME[name]["expected"]
    table = linked(name).to_frame().set_index("nps_group")
    for group in expected["groups"]:
        row = table.loc[group["group"]]
        assert_allclose(row["estimate"], group["estimate"], **CLOSED)
        assert_allclose(row["std_error"], group["std_error"], **CLOSED)
        assert row["n"] == group["n"]
        assert_allclose(row["sum_weights"], group["sum_weights"], **CLOSED)
    assert_allclose(table.loc["all", "estimate"], expected["overall"]["estimate"], **CLOSED)
    assert_allclose(table.loc["all", "std_error"], expected["overall"]["std_error"], **CLOSED)


@pytest.mark.parametrize("name", CASES)
def test_group_covariance_matches_svyby_covmat(name: str) -> None:
    expected = np.asarray(CASE_BY_NAME[name]["expected"]["covariance"], dtype=float)
    got = linked(name).group_means.covariance
    assert_allclose(got, expected, rtol=1e-10, atol=1e-10 * np.abs(expected).max())


@pytest.mark.parametrize("name", CASES)
def test_differences_match_svycontrast(name: str) -> None:
    expected = {c["name"]: c for c in CASE_BY_NAME[name]["expected"]["contrasts"]}
    diffs = linked(name).differences
    for row in diffs.itertuples(index=False):
        key = f"{row.group}_vs_{row.reference}"
        assert_allclose(row.estimate, expected[key]["estimate"], **CLOSED)
        assert_allclose(row.std_error, expected[key]["std_error"], **CLOSED)


@pytest.mark.parametrize("name", CASES)
def test_stake_matches_svycontrast_of_a_nonlinear_expression(name: str) -> None:
    expected = CASE_BY_NAME[name]["expected"]["stake"]
    stake = linked(name).stake.set_index("measure")
    for measure, key in (("per_customer", "per_customer"), ("total", "total_sum_weights")):
        assert_allclose(stake.loc[measure, "estimate"], expected[key]["estimate"], **CLOSED)
        assert_allclose(stake.loc[measure, "std_error"], expected[key]["std_error"], **CLOSED)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("regressor", ["nps", "score"])
@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "HC2", "HC3"])
def test_customer_regression_matches_lm_and_vcovhc(
    name: str, regressor: str, cov_type: str
) -> None:
    expected = CASE_BY_NAME[name]["expected"]["customer"][regressor]
    rows = linked(name, cov_type, regressor).regression
    fit = rows[rows["level"] == "customer"]
    assert_allclose(fit["estimate"], expected["coef"], **FIT)
    assert_allclose(fit["std_error"], expected[cov_type]["std_error"], **FIT)
    assert (fit["n"] == expected["n"]).all()


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("regressor", ["nps", "score"])
def test_customer_tests_match_coeftest(name: str, regressor: str) -> None:
    expected = CASE_BY_NAME[name]["expected"]["customer"][regressor]
    rows = linked(name, "HC1", regressor).regression
    fit = rows[rows["level"] == "customer"]
    test = expected["HC1_test"]
    assert_allclose(fit["statistic"], test["statistic"], **FIT)
    assert_allclose(fit["p_value"], test["p_value"], rtol=1e-10, atol=1e-12)
    assert_allclose(fit["ci_low"], test["ci_low"], **FIT)
    assert_allclose(fit["ci_high"], test["ci_high"], **FIT)
    assert (fit["df"] == test["df"]).all()
    rows3 = linked(name, "HC3", regressor).regression
    fit3 = rows3[rows3["level"] == "customer"]
    assert_allclose(fit3["statistic"], expected["HC3_test"]["statistic"], **FIT)


@pytest.mark.parametrize("name", [c["name"] for c in LINK if not c["options"]["stratified"]])
def test_svyglm_standard_error_is_hc0_times_sqrt_n_over_n_minus_1(name: str) -> None:
    expected = CASE_BY_NAME[name]["expected"]["customer"]["nps"]
    n = expected["n"]
    rows = linked(name, "HC0").regression
    fit = rows[rows["level"] == "customer"]
    assert_allclose(fit["std_error"] * np.sqrt(n / (n - 1)), expected["svyglm_std_error"],
                    rtol=1e-10)


@pytest.mark.parametrize("name", CASES)
def test_segment_table_matches_svyby(name: str) -> None:
    expected = pd.DataFrame(CASE_BY_NAME[name]["expected"]["segment"]["table"])
    got = linked(name).segments.set_index("segment").loc[expected["seg"]]
    assert_allclose(got["nps"], expected["nps"], **CLOSED)
    assert_allclose(got["nps_std_error"], expected["nps_se"], **CLOSED)
    assert_allclose(got["outcome"], expected["mean"], **CLOSED)
    assert_allclose(got["outcome_std_error"], expected["mean_se"], **CLOSED)
    assert_allclose(got["sum_weights"], expected["sum_w"], **CLOSED)
    assert (got["n"].to_numpy() == expected["n"].to_numpy()).all()


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("weighting", ["size", "equal"])
@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "HC2", "HC3"])
def test_segment_regression_matches_lm_and_vcovhc(
    name: str, weighting: str, cov_type: str
) -> None:
    expected = CASE_BY_NAME[name]["expected"]["segment"][weighting]
    rows = linked(name, cov_type, "nps", weighting).regression
    fit = rows[rows["level"] == "segment"]
    assert_allclose(fit["estimate"], expected["coef"], **FIT)
    assert_allclose(fit["std_error"], expected[cov_type]["std_error"], **FIT)
    slope = fit[fit["term"] == "per_nps_point"].iloc[0]
    assert_allclose(slope["reliability"], expected["reliability"], **CLOSED)
    assert_allclose(slope["estimate_corrected"], expected["slope_corrected"], **FIT)
    if cov_type == "HC1":
        test = expected["HC1_test"]
        assert_allclose(fit["statistic"], test["statistic"], **FIT)
        assert_allclose(fit["p_value"], test["p_value"], **FIT)
        assert_allclose(fit["ci_low"], test["ci_low"], **FIT)
        assert_allclose(fit["ci_high"], test["ci_high"], **FIT)


def test_mission_worked_example_file_reproduced() -> None:
    """shared/reference/negative_experience_cost.json, every stated figure."""
    import json
    from pathlib import Path

    import cxmetrics as cx

    case = json.loads(
        (Path(__file__).parent / "data" / "negative_experience_cost.json").read_text()
    )
    res = cx.negative_experience_cost(**case["inputs"])
    expected = case["expected_results"]
    for name in (
        "revenue_lost_complainers",
        "revenue_lost_silent",
        "revenue_lost_total",
        "revenue_at_risk_complainers",
        "revenue_at_risk_silent",
    ):
        np.testing.assert_allclose(getattr(res, name), expected[name], rtol=1e-12)
    np.testing.assert_allclose(
        res.revenue_lost_silent / case["inputs"]["revenue"],
        expected["revenue_lost_silent_share_of_revenue"],
        rtol=1e-12,
    )
