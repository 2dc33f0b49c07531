"""Driver analysis against R (fixtures in data/drivers.json, from generate/drivers.R).

Tolerances (STYLE.md §3.8):
- relative-importance measures and subset R² vs brute-force ``lm`` in base R:
  linear algebra on well-conditioned matrices (condition numbers 1.5–9) →
  rtol 1e-8, atol 1e-10 (observed agreement ~1e-13);
- coefficients and SEs vs ``lm`` and ``survey::svyglm`` → rtol 1e-8, atol 1e-10;
- logistic fits (IRLS in both, glm epsilon 1e-14) → rtol 1e-6, atol 1e-8;
- the published ``rwa`` table is printed to 7 decimals → atol 5e-8.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxmetrics as cx
from cxmetrics.drivers import drivers
from cxmetrics.estimators import relimp
from cxmetrics.results.drivers import DriverResult

pytestmark = pytest.mark.reference

FIXTURE = Path(__file__).parent / "data" / "drivers.json"
DATA: dict[str, Any] = json.loads(FIXTURE.read_text())
CASES: list[dict[str, Any]] = DATA["cases"]
LINALG = {"rtol": 1e-8, "atol": 1e-10}
LOGISTIC = {"rtol": 1e-6, "atol": 1e-8}


def cases(kind: str) -> list[Any]:
    return [pytest.param(c, id=c["name"]) for c in CASES if c["kind"] == kind]


def frame(case: dict[str, Any]) -> pd.DataFrame:
    if case.get("data") is not None:
        return pd.DataFrame(case["data"])
    survey = cx.datasets.load_example_survey()
    return survey.assign(
        promoter=(survey["nps"] >= 9).astype(float).where(survey["nps"].notna())
    )


def run(case: dict[str, Any], **kwargs: Any) -> DriverResult:
    """Fit a case; swiss has a known suppressor (Agriculture: r > 0, b < 0)."""
    args = (frame(case), case["outcome"], case["drivers"])
    if case["name"] == "swiss_fertility":
        with pytest.warns(
            cx.errors.CxMetricsWarning, match="'Agriculture' correlates positively"
        ):
            return drivers(*args, weights=case["weights"], **kwargs)
    return drivers(*args, weights=case["weights"], **kwargs)


def test_fixture_has_provenance() -> None:
    provenance = DATA["_provenance"]
    assert provenance["note"] == "generated - do not edit"
    assert provenance["survey_version"] and provenance["r_version"].startswith(
        "R version"
    )
    assert len(CASES) == 6


@pytest.mark.parametrize("case", cases("linear"))
def test_linear_importance_matches_r(case: dict[str, Any]) -> None:
    expected = case["expected"]
    result = run(case)
    assert result.n == expected["n"]
    assert_allclose(result.r2, expected["r2"], **LINALG)
    for method in (
        "shapley",
        "correlation",
        "last",
        "betasq",
        "pratt",
        "beta",
        "relative_weights",
    ):
        assert_allclose(
            result.methods[method], expected[method], **LINALG, err_msg=method
        )
    assert_allclose(result.to_frame()["importance"], expected["shapley"], **LINALG)


@pytest.mark.parametrize("case", cases("linear"))
def test_subset_r2_match_lm_weights(case: dict[str, Any]) -> None:
    names = [case["outcome"], *case["drivers"]]
    result = run(case)
    assert result.crossproducts is not None
    table = relimp.subset_r2(result.crossproducts.correlation())
    assert_allclose(table, case["expected"]["subset_r2"], **LINALG)
    assert result.crossproducts.names == tuple(names)


@pytest.mark.parametrize("case", cases("linear"))
def test_coefficients_match_lm_and_svyglm(case: dict[str, Any]) -> None:
    expected = case["expected"]
    result = run(case)
    coef = result.coefficients
    assert_allclose(coef["estimate"], expected["coefficients"], **LINALG)
    assert_allclose(coef["estimate"], expected["svyglm_coefficients"], **LINALG)
    assert_allclose(coef["std_error_model"], expected["std_error_model"], **LINALG)
    assert_allclose(coef["std_error"], expected["svyglm_std_error"], **LINALG)
    assert coef["df"].iloc[0] == expected["svyglm_df"]


def test_published_rwa_mtcars() -> None:
    published = DATA["published_rwa_mtcars"]
    case = next(c for c in CASES if c["name"] == "mtcars_mpg")
    result = drivers(
        frame(case), "mpg", published["drivers"], method="relative_weights"
    )
    assert_allclose(
        result.to_frame()["importance"], published["raw_relweight"], rtol=0, atol=5e-8
    )
    assert_allclose(result.r2, published["rsquare"], atol=5e-5)
    # rwa's "Sign" is that of the correlation; ours is the coefficient's, and
    # disp's coefficient is positive (not significant): flagged, not warned
    table = result.to_frame()
    assert table["sign"].tolist() == [-1, 1, -1, -1]
    assert table["sign_conflict"].tolist() == [False, True, False, False]


def test_swiss_ranks_as_in_groemping_2006() -> None:
    case = next(c for c in CASES if c["name"] == "swiss_fertility")
    result = run(case)
    # relaimpo's lmg ranking for swiss: Education, Examination, Infant.Mortality,
    # Catholic, Agriculture
    assert result.to_frame().sort_values("rank")["driver"].tolist() == [
        "Education",
        "Examination",
        "Infant.Mortality",
        "Catholic",
        "Agriculture",
    ]
    assert result.dominance is not None and result.conditional is not None


@pytest.mark.parametrize("case", cases("logistic"))
def test_logistic_matches_glm(case: dict[str, Any]) -> None:
    expected = case["expected"]
    data = frame(case)
    result = drivers(
        data, "promoter", case["drivers"], weights=case["weights"], model="logistic"
    )
    assert result.n == expected["n"]
    assert_allclose(result.r2, expected["mcfadden"], **LOGISTIC)
    assert_allclose(result.methods["shapley"], expected["shapley"], **LOGISTIC)
    assert_allclose(
        result.methods["relative_weights"], expected["relative_weights"], **LOGISTIC
    )
    coef = result.coefficients
    assert_allclose(coef["estimate"], expected["coefficients"], **LOGISTIC)
    assert_allclose(coef["estimate"], expected["svyglm_coefficients"], **LOGISTIC)
    assert_allclose(coef["std_error"], expected["svyglm_std_error"], **LOGISTIC)


def test_logistic_positive_equals_recoded_column() -> None:
    survey = cx.datasets.load_example_survey()
    case = next(c for c in CASES if c["name"] == "survey_promoter_weighted")
    result = drivers(survey, "nps", case["drivers"], weights="weight", positive=[9, 10])
    assert_allclose(result.methods["shapley"], case["expected"]["shapley"], **LOGISTIC)
    assert np.isclose(result.r2, case["expected"]["mcfadden"], rtol=1e-6)
