"""Weighting against R's survey package (fixtures in data/weighting.json).

Each calibration flavour is tested against its own R call: ``rake()`` against
``variance='raking'``, ``calibrate(calfun="raking")`` against ``variance='greg'``,
``postStratify()`` against :func:`poststratify`.

Tolerances (STYLE.md §3.8): weights come from iterative fits converged to 1e-14
relative in R and 1e-13 here → rtol 1e-10 (observed ≤ 5e-13); standard errors
are closed forms of the same weights → rtol 1e-10, atol 1e-12 (observed ≤ 1e-13).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cxmetrics.weighting import calibrated_score, poststratify, rake, trim_weights

pytestmark = pytest.mark.reference

FIXTURE = Path(__file__).parent / "data" / "weighting.json"
CASES: list[dict[str, Any]] = json.loads(FIXTURE.read_text())["cases"]
WEIGHTS = {"rtol": 1e-10, "atol": 0}
CLOSED = {"rtol": 1e-10, "atol": 1e-12}


def cases(kind: str) -> list[Any]:
    return [pytest.param(c, id=c["name"]) for c in CASES if c["kind"] == kind]


def frame(case: dict[str, Any]) -> pd.DataFrame:
    data = pd.DataFrame(case["data"])
    for column in ("score", "csat"):
        if column in data:
            data[column] = data[column].astype(float)
    return data


def weighting(case: dict[str, Any], data: pd.DataFrame) -> Any:
    options = case["options"]
    if case["method"] == "poststratify":
        population = pd.DataFrame(options["population_ab"])
        return poststratify(data, population, base_weights="w0", tol=1e-13)
    variance = "greg" if case["method"] == "calibrate" else "raking"
    return rake(
        data, options["margins"], base_weights="w0", tol=1e-13, variance=variance
    )


def test_fixture_has_provenance() -> None:
    provenance = json.loads(FIXTURE.read_text())["_provenance"]
    assert provenance["note"] == "generated - do not edit"
    assert provenance["survey_version"]
    assert provenance["script"] == "tests/reference/generate/weighting.R"
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", cases("calibration"))
def test_weights_match_r(case: dict[str, Any]) -> None:
    data = frame(case)
    result = weighting(case, data)
    assert result.converged
    assert_allclose(result.weights, case["expected"]["weights"], **WEIGHTS)
    assert result.weights.index.equals(data.index)


@pytest.mark.parametrize("case", cases("calibration"))
@pytest.mark.parametrize(
    ("metric", "column", "key"),
    [("nps", "score", "nps"), ("mean", "csat", "mean"), ("top_box", "csat", "top_box")],
)
def test_overall_calibrated_se_matches_r(
    case: dict[str, Any], metric: str, column: str, key: str
) -> None:
    data = frame(case)
    result = calibrated_score(
        data,
        column,
        weighting(case, data),
        metric=metric,
        strata=case["options"]["strata"],
    )
    expected = case["expected"][key]
    assert_allclose(result.estimate, expected["estimate"], **CLOSED)
    assert_allclose(result.std_error, expected["std_error"], **CLOSED)


@pytest.mark.parametrize("case", cases("calibration"))
def test_domain_estimates_and_covariance_match_r(case: dict[str, Any]) -> None:
    data = frame(case)
    cal = weighting(case, data)
    strata = case["options"]["strata"]
    nps = calibrated_score(data, "score", cal, by="g", strata=strata)
    expected = case["expected"]["nps_by"]
    order = [list(nps.to_frame()["g"]).index(g) for g in expected["group"]]
    table = nps.to_frame().iloc[order]
    assert_allclose(table["estimate"], expected["estimate"], **CLOSED)
    assert_allclose(table["std_error"], expected["std_error"], **CLOSED)
    # after calibration the groups are correlated: the full matrix matches
    assert_allclose(
        nps.covariance[np.ix_(order, order)],
        np.array(expected["covariance"]),
        rtol=1e-9,
        atol=1e-10,
    )
    fixed = case["expected"]["fixed"]["nps_by"]
    assert_allclose(table["std_error_fixed"], fixed["std_error"], **CLOSED)
    mean = calibrated_score(data, "csat", cal, metric="mean", by="g", strata=strata)
    expected = case["expected"]["mean_by"]
    table = mean.to_frame().set_index("g").loc[expected["group"]]
    assert_allclose(table["estimate"], expected["estimate"], **CLOSED)
    assert_allclose(table["std_error"], expected["std_error"], **CLOSED)


@pytest.mark.parametrize("case", cases("calibration"))
def test_fixed_weights_se_matches_r(case: dict[str, Any]) -> None:
    data = frame(case)
    result = calibrated_score(
        data, "score", weighting(case, data), strata=case["options"]["strata"]
    )
    expected = case["expected"]["fixed"]["nps"]
    assert_allclose(
        result.to_frame()["std_error_fixed"].iloc[0], expected["std_error"], **CLOSED
    )


def test_rake_and_calibrate_differ_as_in_r() -> None:
    """Same weights, different linearisations: each flavour matches its own call."""
    rake_case = next(c for c in CASES if c["name"] == "weighted_rake")
    greg_case = next(c for c in CASES if c["name"] == "weighted_calibrate")
    assert_allclose(
        rake_case["expected"]["weights"], greg_case["expected"]["weights"], rtol=1e-10
    )
    r_diff = (
        rake_case["expected"]["nps_by"]["std_error"][0]
        - greg_case["expected"]["nps_by"]["std_error"][0]
    )
    assert abs(r_diff) > 1e-6
    data = frame(rake_case)
    ours = [
        calibrated_score(data, "score", weighting(c, data), by="g")
        .to_frame()
        .set_index("g")
        .loc["g1", "std_error"]
        for c in (rake_case, greg_case)
    ]
    assert_allclose(ours[0] - ours[1], r_diff, rtol=1e-8)


@pytest.mark.parametrize("case", cases("trim"))
def test_trim_weights_matches_trimweights(case: dict[str, Any]) -> None:
    data = frame(case)
    result = trim_weights(
        data, "w0", upper=case["options"]["upper"], relative=False, tol=1e-14
    )
    assert_allclose(result.weights, case["expected"]["weights"], **WEIGHTS)


def test_rake_matches_weightipy() -> None:
    """Raking against the PyPI package weightipy (unit base weights)."""
    weightipy = pytest.importorskip(
        "weightipy", reason="the weightipy peer is a benchmark extra, not a dependency"
    )
    case = next(c for c in CASES if c["name"] == "unit_weights_rake")
    data = frame(case)
    margins = case["options"]["margins"]
    ours = rake(data, margins, kind="shares", tol=1e-14)
    percent = {
        column: {k: 100 * v / sum(spec.values()) for k, v in spec.items()}
        for column, spec in margins.items()
    }
    scheme = weightipy.scheme_from_dict(
        percent, rim_params={"convcrit": 1e-12, "max_iterations": 5000}
    )
    theirs = weightipy.weight(data[list(margins)], scheme)
    assert_allclose(ours.weights.to_numpy(), theirs.to_numpy(), rtol=1e-10)
