"""Structural equation models against R lavaan 0.6-14 (fixtures in data/sem.json).

Conventions: lavaan ``sem()`` with ``likelihood = "normal"`` (divisor N),
``information = "expected"`` for standard SEs, ``se = "robust.huber.white"``
(observed information) for robust ones, ``sampling.weights`` for the weighted
case, listwise deletion. See tests/reference/README.md.

Tolerances (STYLE.md §3.8, iterative optimizers; the issue asks for 1e-4):

- estimates, standardized values, R²: rtol 1e-4, atol 1e-4. lavaan's nlminb
  stops when the relative change of F falls below 1e-10; our Newton iterations
  reach the optimum to machine precision, and our χ² is never above lavaan's
  (checked below). Observed: ≤ 3e-6 relative, except the equality-constrained
  PoliticalDemocracy model (≤ 8.5e-5), where lavaan's optimum is 4e-8 above ours
  in χ² along a flat direction.
- standard errors (model-based, robust, of std.all and of := parameters):
  rtol 1e-4 (observed ≤ 1.3e-5).
- fit indices: rtol 1e-4, atol 1e-6 (observed ≤ 5e-6 relative; SRMR and RMR,
  which square residuals, move most with lavaan's convergence).
- p-values: atol 1e-4.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cxmetrics.sem import DriverSEM

pytestmark = pytest.mark.reference

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "sem.json"
SPEC = json.loads(FIXTURE.read_text())
CASES: list[dict[str, Any]] = SPEC["cases"]
EST = {"rtol": 1e-4, "atol": 1e-4}
SE = {"rtol": 1e-4, "atol": 1e-6}
FIT = {"rtol": 1e-4, "atol": 1e-6}
# lavaan fitMeasures name -> cxmetrics fit_indices name
FIT_NAMES = {
    "npar": "npar",
    "fmin": "fmin",
    "chisq": "chisq",
    "df": "df",
    "pvalue": "pvalue",
    "baseline.chisq": "baseline_chisq",
    "baseline.df": "baseline_df",
    "baseline.pvalue": "baseline_pvalue",
    "cfi": "cfi",
    "tli": "tli",
    "nnfi": "nnfi",
    "rfi": "rfi",
    "nfi": "nfi",
    "pnfi": "pnfi",
    "ifi": "ifi",
    "rni": "rni",
    "logl": "logl",
    "unrestricted.logl": "unrestricted_logl",
    "aic": "aic",
    "bic": "bic",
    "bic2": "bic2",
    "ntotal": "ntotal",
    "rmsea": "rmsea",
    "rmsea.ci.lower": "rmsea_ci_lower",
    "rmsea.ci.upper": "rmsea_ci_upper",
    "rmsea.ci.level": "rmsea_ci_level",
    "rmsea.pvalue": "rmsea_pvalue",
    "rmsea.notclose.pvalue": "rmsea_notclose_pvalue",
    "rmr": "rmr",
    "srmr": "srmr",
    "gfi": "gfi",
    "agfi": "agfi",
    "pgfi": "pgfi",
    "mfi": "mfi",
    "ecvi": "ecvi",
}
_CACHE: dict[str, Any] = {}


def fitted(case: dict[str, Any]) -> Any:
    if case["name"] not in _CACHE:
        data = pd.read_csv(DATA / case["data"])
        se = {"standard": "standard", "robust.huber.white": "robust"}[
            case["options"]["se"]
        ]
        _CACHE[case["name"]] = DriverSEM(case["model"]).fit(
            data, se=se, weights=case["options"]["weights"]
        )
    return _CACHE[case["name"]]


def merged(case: dict[str, Any]) -> pd.DataFrame:
    """Our parameter table next to lavaan's, matched by (lhs, op, rhs)."""
    ours = fitted(case).to_frame()
    ref = pd.DataFrame(case["parameters"])

    def key(frame: pd.DataFrame, swap: bool = False) -> pd.Series:
        lhs, rhs = ("rhs", "lhs") if swap else ("lhs", "rhs")
        right = frame[rhs].where(frame["op"] != ":=", "")
        return frame[lhs] + " " + frame["op"] + " " + right

    ours["key"] = key(ours)
    ref["key"] = key(ref)
    ref["key_swapped"] = key(ref, swap=True)
    direct = ref.merge(ours, on="key", suffixes=("_r", ""))
    rest = ref[~ref["key"].isin(direct["key"])]
    swapped = rest.merge(
        ours, left_on="key_swapped", right_on="key", suffixes=("_r", "")
    )
    out = pd.concat([direct, swapped], ignore_index=True)
    assert len(out) == len(ref) == len(ours), "parameter tables differ"
    return out


def cases() -> list[Any]:
    return [pytest.param(c, id=c["name"]) for c in CASES]


def test_fixture_has_provenance() -> None:
    provenance = SPEC["_provenance"]
    assert provenance["note"] == "generated - do not edit"
    assert provenance["lavaan_version"] == "0.6.14"
    assert provenance["script"] == "tests/reference/generate/sem.R"
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", cases())
def test_parameter_table_matches_lavaan_defaults(case: dict[str, Any]) -> None:
    m = merged(case)
    free_lavaan = m["free_r"].astype(bool) | (m["op"] == ":=")
    assert (free_lavaan == m["free"].astype(bool)).all()
    assert fitted(case).n == case["nobs"]


@pytest.mark.parametrize("case", cases())
def test_estimates(case: dict[str, Any]) -> None:
    m = merged(case)
    assert_allclose(m["estimate"], m["est"].astype(float), **EST)


@pytest.mark.parametrize("case", cases())
def test_standard_errors(case: dict[str, Any]) -> None:
    m = merged(case)
    assert_allclose(m["std_error"], m["se"].astype(float), **SE)
    ok = m["pvalue"].notna()
    assert_allclose(m.loc[ok, "p_value"], m.loc[ok, "pvalue"].astype(float), atol=1e-4)
    assert_allclose(m["ci_low"], m["ci_lower"].astype(float), **EST)
    assert_allclose(m["ci_high"], m["ci_upper"].astype(float), **EST)


@pytest.mark.parametrize("case", cases())
def test_standardized_solution(case: dict[str, Any]) -> None:
    m = merged(case)
    assert_allclose(m["std_all"], m["std_all_r"].astype(float), **EST)
    assert_allclose(m["std_all_se"], m["std_all_se_r"].astype(float), **SE)


@pytest.mark.parametrize("case", cases())
def test_fit_indices(case: dict[str, Any]) -> None:
    ours = fitted(case).fit_indices
    for lavaan_name, name in FIT_NAMES.items():
        expected = case["fit"][lavaan_name]
        if expected is None:
            assert not np.isfinite(ours[name]), name
            continue
        assert_allclose(ours[name], expected, err_msg=name, **FIT)


@pytest.mark.parametrize("case", cases())
def test_our_optimum_is_not_above_lavaans(case: dict[str, Any]) -> None:
    # both minimise the same F; ours is converged to machine precision
    assert fitted(case).fit_indices["chisq"] <= case["fit"]["chisq"] * (1 + 1e-12)


@pytest.mark.parametrize("case", cases())
def test_r2(case: dict[str, Any]) -> None:
    r2 = pd.Series(case["r2"], dtype=float)
    ours = fitted(case).r2
    assert sorted(ours.index) == sorted(r2.index)
    assert_allclose(ours[r2.index].to_numpy(), r2.to_numpy(), **EST)


@pytest.mark.parametrize("case", cases())
def test_sample_covariance(case: dict[str, Any]) -> None:
    # weighted covariance with divisor sum(w), as lavaan's sampling.weights
    result = fitted(case)
    order = [result.observed.index(v) for v in case["observed"]]
    ours = result.state.sample_cov[np.ix_(order, order)]
    assert_allclose(ours, np.array(case["sample_cov"]), rtol=1e-12, atol=1e-12)


def test_acsi_effects_match_defined_parameters() -> None:
    case = next(c for c in CASES if c["name"] == "acsi")
    ref = {p["lhs"]: p for p in case["parameters"] if p["op"] == ":="}
    effects = fitted(case).effects("loyalty").to_frame()
    totals = effects[effects["effect"] == "total"].set_index("source")
    for name, source in (
        ("sat_on_loyalty", "satisfaction"),
        ("quality_on_loyalty", "quality"),
    ):
        assert_allclose(totals.loc[source, "estimate"], ref[name]["est"], **EST)
        assert_allclose(totals.loc[source, "std_error"], ref[name]["se"], **SE)
        assert_allclose(totals.loc[source, "std_all"], ref[name]["std_all"], **EST)
    sat = fitted(case).effects("satisfaction").to_frame()
    total = sat[(sat["effect"] == "total") & (sat["source"] == "expectation")]
    expected = ref["expectation_on_satisfaction"]
    assert_allclose(total["estimate"].iloc[0], expected["est"], **EST)
    assert_allclose(total["std_error"].iloc[0], expected["se"], **SE)


def test_weighted_case_uses_robust_standard_errors() -> None:
    case = next(c for c in CASES if c["name"] == "acsi_weighted")
    assert case["options"]["se"] == "robust.huber.white"
    result = fitted(case)
    assert result.se == "robust"
    assert result.weights == "weight"
