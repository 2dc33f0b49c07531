"""Sampling against R (pwr, stats), statsmodels' power classes and published tables.

Fixtures: data/sampling.json, written by generate/sampling.R (R 4.2.2, pwr 1.3-0).
Tolerances (STYLE.md §3.8): closed forms → rtol 1e-10; root finding and
noncentral t → rtol 1e-8; values from a root finder with a loose default
tolerance (pwr's uniroot, statsmodels' solve_power) → the rtol stated per case.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import (
    power_proportions_2indep,
    proportion_confint,
    samplesize_proportions_2indep_onetail,
)

from cxmetrics.sampling import (
    margin_of_error,
    min_detectable_difference,
    power,
    sample_size_mean,
    sample_size_mean_difference,
    sample_size_nps,
    sample_size_nps_difference,
    sample_size_share,
    sample_size_share_difference,
)

pytestmark = pytest.mark.reference

FIXTURE = Path(__file__).parent / "data" / "sampling.json"
DATA = json.loads(FIXTURE.read_text())
CASES: list[dict[str, Any]] = DATA["cases"]
CLOSED = {"rtol": 1e-10, "atol": 1e-12}
ROOT = {"rtol": 1e-8, "atol": 1e-10}


def cases(kind: str) -> list[Any]:
    return [pytest.param(c, id=c["name"]) for c in CASES if c["kind"] == kind]


def test_fixture_has_provenance() -> None:
    provenance = DATA["_provenance"]
    assert provenance["note"] == "generated - do not edit"
    assert provenance["pwr_version"] == "1.3.0"
    assert provenance["r_version"].startswith("R version 4")
    assert len(CASES) >= 30


# --- R ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("nps_margin"))
def test_nps_margin_matches_r(case: dict[str, Any]) -> None:
    x, e = case["inputs"], case["expected"]
    result = sample_size_nps(
        x["margin"],
        promoters=x["promoters"],
        detractors=x["detractors"],
        confidence_level=x["confidence_level"],
    )
    assert_allclose(result.n_exact, e["n_exact"], **CLOSED)
    assert_allclose(result.to_frame()["unit_variance"], e["unit_variance"], **CLOSED)
    assert result.n == math.ceil(e["n_exact"])


@pytest.mark.parametrize("case", cases("share_margin_fpc"))
def test_share_margin_fpc_matches_r(case: dict[str, Any]) -> None:
    x, e = case["inputs"], case["expected"]
    result = sample_size_share(
        x["margin"],
        share=x["share"],
        confidence_level=x["confidence_level"],
        population=x["population"],
    )
    assert_allclose(result.n_exact, e["n_exact"], **ROOT)
    assert_allclose(result.n_exact, e["n_cochran"], **CLOSED)


@pytest.mark.parametrize("case", cases("mean_margin_t"))
def test_mean_margin_t_matches_r(case: dict[str, Any]) -> None:
    x, e = case["inputs"], case["expected"]
    result = sample_size_mean(
        x["margin"], sd=x["sd"], confidence_level=x["confidence_level"], method="t"
    )
    assert_allclose(result.n_exact, e["n_exact"], **ROOT)


@pytest.mark.parametrize("case", cases("nps_difference_pwr"))
def test_nps_difference_matches_pwr(case: dict[str, Any]) -> None:
    x, e = case["inputs"], case["expected"]
    mix = {"promoters": x["promoters"], "detractors": x["detractors"]}
    test = {"alpha": x["alpha"], "alternative": x["alternative"]}
    got = power(x["n"], x["difference"], **mix, **test)
    assert_allclose(got.power, e["power"], **CLOSED)
    # pwr solves n and d with uniroot's default tolerance (~1e-4 absolute)
    size = sample_size_nps_difference(x["difference"], power=0.8, **mix, **test)
    assert_allclose(size.n_exact, e["n_pwr"], rtol=1e-4)
    mdd = min_detectable_difference(x["n"], power=0.8, **mix, **test)
    # d is solved to uniroot's tol 1.2e-4 on Cohen's d = (delta/100)/sqrt(2V)
    scale = 100 * math.sqrt(2 * got.to_frame()["unit_variance"].iloc[0])
    assert_allclose(mdd.difference, e["mdd_pwr"], rtol=0, atol=1.3e-4 * scale)


@pytest.mark.parametrize("case", cases("share_difference_prop_test"))
def test_share_difference_matches_power_prop_test(case: dict[str, Any]) -> None:
    x, e = case["inputs"], case["expected"]
    diff = x["share_other"] - x["share"]
    test = {"alpha": x["alpha"], "alternative": x["alternative"]}
    size = sample_size_share_difference(diff, share=x["share"], power=0.8, **test)
    assert_allclose(size.n_exact, e["n_exact"], **ROOT)
    got = power(x["n"], diff, metric="share", share=x["share"], **test)
    assert_allclose(got.power, e["power"], **ROOT)


@pytest.mark.parametrize("case", cases("mean_difference_t_test"))
def test_mean_difference_matches_power_t_test(case: dict[str, Any]) -> None:
    x, e = case["inputs"], case["expected"]
    test = {"alpha": x["alpha"], "alternative": x["alternative"]}
    size = sample_size_mean_difference(x["difference"], sd=x["sd"], power=0.8, **test)
    assert_allclose(size.n_exact, e["n_exact"], **ROOT)
    got = power(x["n"], x["difference"], metric="mean", sd=x["sd"], **test)
    assert_allclose(got.power, e["power"], **ROOT)


@pytest.mark.parametrize("case", cases("mean_difference_t2n"))
def test_mean_difference_unequal_n_matches_pwr_t2n(case: dict[str, Any]) -> None:
    x, e = case["inputs"], case["expected"]
    got = power(
        x["n"],
        x["difference"],
        n_other=x["n_other"],
        metric="mean",
        sd=x["sd"],
        alpha=x["alpha"],
        alternative=x["alternative"],
    )
    assert_allclose(got.power, e["power"], **ROOT)


# --- statsmodels ------------------------------------------------------------------------

ALT = {"two-sided": "two-sided", "one-sided": "larger"}


@pytest.mark.parametrize("ratio", [1.0, 0.5, 2.5])
@pytest.mark.parametrize("alternative", ["two-sided", "one-sided"])
def test_nps_difference_matches_normal_ind_power(ratio: float, alternative: str) -> None:
    # equal mixes: the NPS test is a two-sample z test with sigma = sqrt(V)
    v = 0.61
    size = sample_size_nps_difference(
        10, promoters=0.5, detractors=0.2, ratio=ratio, alternative=alternative
    )
    effect = 0.1 / math.sqrt(v)
    sm_n = NormalIndPower().solve_power(
        effect_size=effect, alpha=0.05, power=0.8, ratio=ratio,
        alternative=ALT[alternative],
    )  # fmt: skip
    assert_allclose(size.n_exact, sm_n, rtol=1e-6)  # solve_power's brentq tolerance
    sm_power = NormalIndPower().power(
        effect, nobs1=500, alpha=0.05, ratio=ratio, alternative=ALT[alternative]
    )
    ours = power(
        500, 10, n_other=round(500 * ratio), promoters=0.5, detractors=0.2,
        alternative=alternative,
    )  # fmt: skip
    assert_allclose(ours.power, sm_power, **CLOSED)


@pytest.mark.parametrize(("n", "ratio"), [(400, 1.0), (120, 0.5), (35, 3.0)])
@pytest.mark.parametrize("alternative", ["two-sided", "one-sided"])
def test_mean_difference_matches_ttest_ind_power(
    n: int, ratio: float, alternative: str
) -> None:
    effect = 0.3
    sm_power = TTestIndPower().power(
        effect, nobs1=n, alpha=0.05, ratio=ratio, alternative=ALT[alternative]
    )
    ours = power(
        n, 0.3, n_other=round(n * ratio), metric="mean", sd=1.0, alternative=alternative
    )
    assert_allclose(ours.power, sm_power, **ROOT)
    sm_n = TTestIndPower().solve_power(
        effect_size=effect, alpha=0.05, power=0.8, ratio=ratio,
        alternative=ALT[alternative],
    )  # fmt: skip
    size = sample_size_mean_difference(
        0.3, sd=1.0, ratio=ratio, alternative=alternative
    )
    assert_allclose(size.n_exact, sm_n, rtol=1e-6)


def test_mean_difference_normal_matches_normal_ind_power() -> None:
    size = sample_size_mean_difference(0.25, sd=1.2, method="normal")
    sm_n = NormalIndPower().solve_power(effect_size=0.25 / 1.2, alpha=0.05, power=0.8)
    assert_allclose(size.n_exact, sm_n, rtol=1e-6)


@pytest.mark.parametrize(
    ("share", "diff", "n", "n_other"),
    [(0.6, 0.05, 1000, 1000), (0.3, -0.08, 400, 900), (0.85, 0.07, 250, 120)],
)
@pytest.mark.parametrize("alternative", ["two-sided", "one-sided"])
def test_share_power_matches_power_proportions_2indep(
    share: float, diff: float, n: int, n_other: int, alternative: str
) -> None:
    # statsmodels' group 1 is our "other" group: p1 = prop2 + diff, nobs2 = ratio*nobs1
    sm_alt = alternative if alternative == "two-sided" else (
        "larger" if diff > 0 else "smaller"
    )  # fmt: skip
    sm = power_proportions_2indep(
        diff, share, n_other, ratio=n / n_other, alpha=0.05, alternative=sm_alt,
        return_results=False,
    )  # fmt: skip
    ours = power(
        n, diff, n_other=n_other, metric="share", share=share, alternative=alternative
    )
    assert_allclose(ours.power, sm, **CLOSED)


@pytest.mark.parametrize(("share", "diff"), [(0.6, 0.05), (0.2, 0.1), (0.9, -0.04)])
def test_share_sample_size_near_statsmodels_onetail(share: float, diff: float) -> None:
    # statsmodels ignores the far tail of a two-sided test; we count it, so our
    # n is smaller by a relative 1e-6 or so
    ours = sample_size_share_difference(diff, share=share)
    sm = samplesize_proportions_2indep_onetail(diff, share, 0.8, ratio=1, alpha=0.05)
    assert_allclose(ours.n_exact, sm, rtol=1e-5)
    assert ours.n_exact <= sm * (1 + 1e-12)


@pytest.mark.parametrize("n", [20, 150, 1200])
@pytest.mark.parametrize("share", [0.1, 0.5, 0.83])
def test_wilson_half_width_matches_proportion_confint(n: int, share: float) -> None:
    low, high = proportion_confint(n * share, n, alpha=0.05, method="wilson")
    ours = margin_of_error(n, metric="share", share=share, method="wilson")
    assert_allclose(ours.margin, (high - low) / 2, **CLOSED)
    size = sample_size_share((high - low) / 2, share=share, method="wilson")
    assert_allclose(size.n_exact, n, rtol=1e-9)


# --- published tables and the issue's closed forms -------------------------------------

# Krejcie & Morgan (1970), Table 1: sample size for ±5% at 95% (p = 0.5) from a
# population of N. They used chi-square = 3.841 (we use z^2 = 3.8415) and round
# to the nearest unit, so |n_exact - table| <= 0.5 + 0.05.
KREJCIE_MORGAN = {
    10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 40: 36, 50: 44, 60: 52, 70: 59,
    80: 66, 90: 73, 100: 80, 120: 92, 150: 108, 200: 132, 250: 152, 300: 169,
    400: 196, 500: 217, 600: 234, 700: 248, 800: 260, 900: 269, 1000: 278,
    1200: 291, 1500: 306, 2000: 322, 3000: 341, 4000: 351, 5000: 357, 6000: 361,
    8000: 367, 10000: 370, 15000: 375, 20000: 377, 30000: 379, 40000: 380,
    50000: 381, 75000: 382, 1000000: 384,
}  # fmt: skip


@pytest.mark.parametrize(("population", "table"), list(KREJCIE_MORGAN.items()))
def test_share_fpc_reproduces_krejcie_morgan(population: int, table: int) -> None:
    result = sample_size_share(0.05, population=population)
    assert abs(result.n_exact - table) <= 0.55


def test_issue_closed_forms() -> None:
    worst = sample_size_nps(5)
    assert worst.n == 1537
    assert_allclose(worst.n_exact, 1.959963984540054**2 / 0.05**2, **CLOSED)
    mix = sample_size_nps(5, promoters=0.5, detractors=0.2)
    assert mix.n == 938
    assert_allclose(mix.n_exact, 1.959963984540054**2 * 0.61 / 0.05**2, **CLOSED)
    gap = sample_size_nps_difference(10, promoters=0.5, detractors=0.2)
    assert (gap.n, gap.n_other) == (958, 958)
    textbook = (1.959963984540054 + 0.8416212335729143) ** 2 * 1.22 / 0.01
    # both tails counted: a hair below the one-tail textbook formula
    assert_allclose(gap.n_exact, textbook, rtol=5e-6)
    assert gap.n_exact < textbook
    assert np.ceil(textbook) == gap.n
