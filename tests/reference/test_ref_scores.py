"""Scores against R's survey package (fixtures in data/scores_survey.json).

Tolerances (STYLE.md §3.8): closed forms computed the same way → rtol 1e-10,
atol 1e-12; R's logit interval comes from glm IRLS → rtol 1e-8; quantile
functions (qbeta) → rtol 1e-8.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import cxmetrics as cx
from cxmetrics.estimators.intervals import share_interval

pytestmark = pytest.mark.reference

FIXTURE = Path(__file__).parent / "data" / "scores_survey.json"
CASES: list[dict[str, Any]] = json.loads(FIXTURE.read_text())["cases"]
CLOSED = {"rtol": 1e-10, "atol": 1e-12}
ITERATIVE = {"rtol": 1e-8, "atol": 1e-10}


def cases(*metrics: str) -> list[Any]:
    return [pytest.param(c, id=c["name"]) for c in CASES if c["metric"] in metrics]


def frame(case: dict[str, Any]) -> pd.DataFrame:
    data = case["data"]
    out = pd.DataFrame({"score": np.asarray(data["score"], dtype=float)})
    for key in ("weights", "group", "strata", "score_b"):
        if data.get(key) is not None:
            out[key] = data[key]
    return out


def design(case: dict[str, Any]) -> dict[str, Any]:
    data = case["data"]
    return {
        "weights": "weights" if data.get("weights") is not None else None,
        "strata": "strata" if data.get("strata") is not None else None,
        "by": "group" if data.get("group") is not None else None,
    }


def rows(
    result: cx.NPSResult | cx.ShareResult | cx.MeanResult, case: dict[str, Any]
) -> pd.DataFrame:
    table = result.to_frame()
    expected = pd.DataFrame(case["expected"]["groups"])
    if "group" not in table:
        table["group"] = expected["group"].iloc[0]
    return expected.merge(table, on="group", suffixes=("_r", ""))


def test_fixture_has_provenance() -> None:
    provenance = json.loads(FIXTURE.read_text())["_provenance"]
    assert provenance["note"] == "generated - do not edit"
    assert provenance["survey_version"]
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", cases("nps"))
def test_nps_matches_svymean(case: dict[str, Any]) -> None:
    if "tiny" in case["name"]:
        with pytest.warns(cx.errors.SmallSampleWarning, match="effective sample size"):
            result = cx.nps(
                frame(case), "score", method="wald", min_n=0, **design(case)
            )
    else:
        result = cx.nps(frame(case), "score", method="wald", min_n=0, **design(case))
    merged = rows(result, case)
    for column in (
        "estimate",
        "std_error",
        "promoters",
        "passives",
        "detractors",
        "sum_weights",
    ):
        assert_allclose(merged[column], merged[f"{column}_r"], **CLOSED, err_msg=column)
    assert (merged["n"] == merged["n_r"]).all()
    # Wald interval = R's confint(normal) on the same SE
    assert_allclose(
        merged["ci_low"], merged["ci_normal_low"].clip(lower=-100), **CLOSED
    )
    assert_allclose(
        merged["ci_high"], merged["ci_normal_high"].clip(upper=100), **CLOSED
    )


@pytest.mark.parametrize("case", cases("share"))
def test_share_matches_svyciprop(case: dict[str, Any]) -> None:
    top = tuple(case["options"]["top"])
    scale = tuple(case["options"]["scale"])
    data, kw = frame(case), design(case)
    logit = cx.top_box(
        data, "score", top=top, scale=scale, method="logit", min_n=0, **kw
    )
    merged = rows(logit, case)
    assert_allclose(merged["estimate"], merged["estimate_r"], **CLOSED)
    assert_allclose(merged["std_error"], merged["std_error_r"], **CLOSED)
    assert_allclose(merged["df"], merged["ci_df"], **CLOSED)
    ci = pd.DataFrame(list(merged["ci_logit"]))
    assert_allclose(merged["ci_low"], ci["ci_low"], **ITERATIVE)
    assert_allclose(merged["ci_high"], ci["ci_high"], **ITERATIVE)
    at90 = logit.confidence_interval(0.90).to_frame()
    if "group" not in at90:
        at90["group"] = merged["group"].iloc[0]
    both = at90.merge(merged[["group", "ci_logit_90"]], on="group")
    ci90 = pd.DataFrame(list(both["ci_logit_90"]))
    assert_allclose(both["ci_low"], ci90["ci_low"], **ITERATIVE)
    assert_allclose(both["ci_high"], ci90["ci_high"], **ITERATIVE)


@pytest.mark.parametrize("case", cases("share"))
def test_share_korn_graubard_matches_svyciprop_beta(case: dict[str, Any]) -> None:
    top = tuple(case["options"]["top"])
    scale = tuple(case["options"]["scale"])
    result = cx.top_box(
        frame(case),
        "score",
        top=top,
        scale=scale,
        method="clopper_pearson",
        min_n=0,
        **design(case),
    )
    merged = rows(result, case)
    n = merged["n"].to_numpy(float)
    # our design-effective n uses n/(n-1) × R's p(1-p)/V (textbook n when unweighted)
    from cxmetrics.estimators.linearization import domain_means

    counts = result.counts
    indicator = np.isin(counts.categories, top).astype(float)
    dm = domain_means(counts.moments(indicator))
    n_star = pd.Series(dm.n_design_eff, index=[g[0] for g in counts.groups])
    labels = merged["group"] if "group" in merged else None
    ours = n_star.loc[labels].to_numpy() if design(case)["by"] else n_star.to_numpy()
    df = merged["ci_df"].to_numpy(float)
    kg = (stats.t.ppf(0.025, n - 1) / stats.t.ppf(0.025, df)) ** 2
    assert_allclose(ours * (n - 1) / n * kg, merged["beta_n_eff"], **CLOSED)
    r_n_eff = merged["beta_n_eff"].to_numpy() / kg
    # the same formula fed R's effective n reproduces R's limits
    for level, key in ((0.95, "ci_beta"), (0.90, "ci_beta_90")):
        low, high = share_interval(
            merged["estimate"].to_numpy(),
            merged["std_error"].to_numpy() ** 2,
            r_n_eff,
            n_obs=n,
            df=df,
            confidence_level=level,
            method="clopper_pearson",
        )
        ci = pd.DataFrame(list(merged[key]))
        assert_allclose(low, ci["ci_low"], **ITERATIVE)
        assert_allclose(high, ci["ci_high"], **ITERATIVE)


@pytest.mark.parametrize("case", cases("mean"))
def test_mean_matches_svymean(case: dict[str, Any]) -> None:
    scale = tuple(case["options"]["scale"])
    data, kw = frame(case), design(case)
    result = cx.mean_score(data, "score", scale=scale, method="normal", min_n=0, **kw)
    merged = rows(result, case)
    for column in ("estimate", "std_error", "sum_weights"):
        assert_allclose(merged[column], merged[f"{column}_r"], **CLOSED, err_msg=column)
    assert_allclose(merged["ci_low"], merged["ci_normal_low"], **CLOSED)
    assert_allclose(merged["ci_high"], merged["ci_normal_high"], **CLOSED)
    if kw["by"] is None:  # ungrouped: the group's df is the design's df
        t = cx.mean_score(data, "score", scale=scale, min_n=0, **kw)
        assert_allclose(t.ci, (merged["ci_low_r"][0], merged["ci_high_r"][0]), **CLOSED)


@pytest.mark.parametrize(
    "case", cases("nps_difference", "share_difference", "mean_difference")
)
def test_differences_match_svycontrast(case: dict[str, Any]) -> None:
    data, kw = frame(case), design(case)
    kw.pop("by")
    reference = case["options"]["reference"]
    if case["metric"] == "nps_difference":
        result = cx.compare_nps(data, "score", by="group", reference=reference, **kw)
    else:
        metric = "mean" if case["metric"] == "mean_difference" else "top_box"
        result = cx.compare_scores(
            data,
            "score",
            by="group",
            metric=metric,
            reference=reference,
            scale=tuple(case["options"]["scale"]),
            top=tuple(case["options"].get("top", (4, 5))),
            **kw,
        )
    expected = pd.DataFrame(case["expected"]["contrasts"])
    merged = expected.merge(
        result.to_frame(), on=["group", "reference"], suffixes=("_r", "")
    )
    assert len(merged) == len(expected)
    for column in ("estimate", "std_error", "estimate_group", "estimate_reference"):
        assert_allclose(merged[column], merged[f"{column}_r"], **CLOSED, err_msg=column)


@pytest.mark.parametrize("case", cases("nps_paired", "mean_paired"))
def test_paired_matches_svyttest(case: dict[str, Any]) -> None:
    data, kw = frame(case), design(case)
    kw.pop("by")
    if case["metric"] == "nps_paired":
        result = cx.compare_nps_paired(data, "score", "score_b", **kw)
    else:
        result = cx.compare_scores_paired(
            data, "score", "score_b", scale=tuple(case["options"]["scale"]), **kw
        )
    row = result.to_frame().iloc[0]
    expected = case["expected"]
    assert_allclose(row["estimate"], expected["estimate"], **CLOSED)
    assert_allclose(row["std_error"], expected["std_error"], **CLOSED)
    assert_allclose(row["estimate_first"], expected["estimate_a"], **CLOSED)
    assert_allclose(row["estimate_second"], expected["estimate_b"], **CLOSED)
    test = expected["ttest"]
    assert row["df"] == test["df"]
    assert_allclose(row["statistic"], test["statistic"], **CLOSED)
    assert_allclose(row["p_value"], test["p_value"], rtol=1e-10, atol=1e-12)
    assert_allclose(
        [row["ci_low"], row["ci_high"]], [test["ci_low"], test["ci_high"]], **CLOSED
    )
