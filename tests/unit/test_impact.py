"""Business impact: the cost of negative experience and the X + O linkage.

Closed forms and cross-checks run here; the comparisons with R and with the
published worked example are in tests/reference/test_ref_impact.py.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

from cxmetrics.errors import (
    ColumnNotFoundError,
    DegenerateDataWarning,
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
    RowsRequiredError,
)
from cxmetrics.estimators.impact import (
    group_totals_covariance,
    jacobian,
    pool_moments,
    reliability_ratio,
    wls_from_cells,
)
from cxmetrics.estimators.linearization import domain_means
from cxmetrics.impact import link_outcome, negative_experience_cost
from cxmetrics.results.impact import NegativeExperienceCostResult, OutcomeLinkResult

mpl.use("Agg")

COMPLAINERS = {"at_risk": 0.34, "lost": 0.28, "retained": 0.38}
SILENT = {"at_risk": 0.55, "lost": 0.45}
SIZES = {
    "negative_rate": 1000,
    "complaint_rate": 220,
    "complainer_outcomes": 60,
    "silent_outcomes": 400,
}


def example(**kwargs: Any) -> NegativeExperienceCostResult:
    return negative_experience_cost(50_000_000, 0.22, 0.02, COMPLAINERS, SILENT, **kwargs)


# --- the funnel -------------------------------------------------------------------------


def test_worked_example_figures() -> None:
    res = example()
    assert_allclose(res.revenue_lost_complainers, 61_600, rtol=1e-12)
    assert_allclose(res.revenue_lost_silent, 4_851_000, rtol=1e-12)
    assert_allclose(res.revenue_lost_total, 4_912_600, rtol=1e-12)
    assert_allclose(res.revenue_at_risk_complainers, 74_800, rtol=1e-12)
    assert_allclose(res.revenue_at_risk_silent, 5_929_000, rtol=1e-12)
    assert_allclose(res.revenue_at_risk_total, 6_003_800, rtol=1e-12)
    assert_allclose(res.revenue_retained_complainers, 83_600, rtol=1e-12)
    assert_allclose(res.revenue_lost_silent_share_of_revenue, 0.09702, rtol=1e-12)
    assert_allclose(res.revenue_lost_total_share_of_revenue, 4_912_600 / 50e6, rtol=1e-12)
    assert_allclose(res.revenue_at_risk_total_share_of_revenue, 6_003_800 / 50e6,
                    rtol=1e-12)
    assert res.method == "none"
    assert res.recovery_rate == 0.38
    assert res.silent_outcomes == {"at_risk": 0.55, "lost": 0.45, "retained": 0.0}


def test_table_shape_and_exact_inputs_give_zero_width_intervals() -> None:
    frame = example().to_frame()
    assert frame.columns.tolist() == [
        "measure", "path", "outcome", "share_of_customers", "estimate",
        "share_of_revenue", "std_error", "ci_low", "ci_high",
    ]
    assert len(frame) == 9
    assert (frame["std_error"] == 0).all()
    assert_allclose(frame["ci_low"], frame["estimate"])
    assert_allclose(frame["ci_high"], frame["estimate"])
    total = frame.set_index("measure")
    for outcome in ("lost", "at_risk", "retained"):
        assert_allclose(
            total.loc[f"revenue_{outcome}_total", "estimate"],
            total.loc[f"revenue_{outcome}_complainers", "estimate"]
            + total.loc[f"revenue_{outcome}_silent", "estimate"],
        )
    # every negative-experience customer ends in one of the six cells
    assert_allclose(frame["share_of_customers"].iloc[:6].sum(), 0.22, rtol=1e-12)


def test_inputs_are_not_modified() -> None:
    complainers, silent, sizes = dict(COMPLAINERS), dict(SILENT), dict(SIZES)
    res = negative_experience_cost(50e6, 0.22, 0.02, complainers, silent,
                                   sample_sizes=sizes)
    res.what_if(recovery_rate=0.5)
    res.levers()
    assert complainers == COMPLAINERS
    assert silent == SILENT
    assert sizes == SIZES


def test_outcomes_accept_a_series_and_missing_keys_count_as_zero() -> None:
    res = negative_experience_cost(1000.0, 0.5, 0.5, pd.Series({"lost": 1.0}),
                                   {"retained": 1.0})
    assert_allclose(res.revenue_lost_complainers, 250.0)
    assert_allclose(res.revenue_lost_silent, 0.0)
    assert_allclose(res.revenue_at_risk_total, 0.0)


def test_funnel_stages_add_up() -> None:
    stages = example().funnel().set_index("stage")
    assert_allclose(stages.loc["positive experience", "revenue"]
                    + stages.loc["negative experience", "revenue"], 50e6)
    assert_allclose(stages.loc["complainers", "revenue"] + stages.loc["silent", "revenue"],
                    stages.loc["negative experience", "revenue"])
    parts = stages[stages["parent"] == "silent"]["revenue"].sum()
    assert_allclose(parts, stages.loc["silent", "revenue"])
    assert_allclose(stages.loc["silent: lost", "revenue"], 4_851_000)


# --- scenarios, levers, sensitivity --------------------------------------------------


def test_raising_the_recovery_rate_takes_from_lost_and_at_risk_in_proportion() -> None:
    res = example()
    better = res.what_if(recovery_rate=0.60)
    shares = better.complainer_outcomes
    assert_allclose(shares["retained"], 0.60)
    assert_allclose(shares["lost"], 0.28 * 0.40 / 0.62, rtol=1e-14)
    assert_allclose(shares["at_risk"], 0.34 * 0.40 / 0.62, rtol=1e-14)
    assert_allclose(sum(shares.values()), 1.0, rtol=1e-14)
    assert_allclose(better.revenue_lost_complainers, 220_000 * 0.28 * 0.40 / 0.62)
    assert better.revenue_lost_silent == res.revenue_lost_silent
    assert res.changes == {}  # the original is unchanged
    assert "scenario" in better.summary().as_text()


def test_raising_the_complaint_rate_moves_customers_to_the_complainer_path() -> None:
    better = example().what_if(complaint_rate=0.10)
    assert_allclose(better.revenue_lost_complainers, 50e6 * 0.22 * 0.10 * 0.28)
    assert_allclose(better.revenue_lost_silent, 50e6 * 0.22 * 0.90 * 0.45)
    assert_allclose(example().revenue_lost_total - better.revenue_lost_total,
                    50e6 * 0.22 * 0.08 * (0.45 - 0.28))


def test_scenarios_chain_and_whole_mappings_replace_a_group() -> None:
    res = example().what_if(negative_rate=0.11).what_if(
        silent_outcomes={"lost": 0.25, "at_risk": 0.5, "retained": 0.25}
    )
    assert res.negative_rate == 0.11
    assert_allclose(res.revenue_lost_silent, 50e6 * 0.11 * 0.98 * 0.25)
    assert set(res.changes) == {"negative_rate", "silent_outcomes"}
    assert_allclose(example().what_if(revenue=100e6).revenue_lost_total, 2 * 4_912_600)


def test_levers_table() -> None:
    levers = example().levers()
    assert levers["lever"].tolist() == [
        "raise the recovery rate", "raise the complaint rate",
        "lower the negative rate", "all levers",
    ]
    assert_allclose(levers["target"].iloc[:3], [0.43, 0.07, 0.17])
    assert_allclose(levers["revenue_lost_saved"].iloc[1], 11e6 * 0.05 * 0.17)
    assert_allclose(levers["revenue_lost_saved"].iloc[2], 4_912_600 * 0.05 / 0.22)
    assert (levers["revenue_lost_saved"] > 0).all()
    assert (levers["revenue_at_risk_saved"] > 0).all()
    assert (levers["std_error"] == 0).all()
    assert_allclose(levers["revenue_lost_total"] + levers["revenue_lost_saved"], 4_912_600)
    explicit = example().levers(recovery_rate=0.6, complaint_rate=0.1, negative_rate=0.15,
                                combined=False)
    assert len(explicit) == 3
    assert_allclose(explicit["target"], [0.6, 0.1, 0.15])


def test_sensitivity_sweep_matches_what_if() -> None:
    res = example()
    sweep = res.sensitivity("silent_lost", [0.3, 0.45, 0.6])
    assert sweep.columns[0] == "silent_lost"
    assert_allclose(sweep["revenue_lost_total"].iloc[1], 4_912_600)
    assert_allclose(sweep["revenue_lost_silent"].iloc[2],
                    res.what_if(silent_lost=0.6).revenue_lost_silent)
    # the other silent share follows: at risk = 1 - lost
    assert_allclose(sweep["revenue_at_risk_silent"].iloc[0], 50e6 * 0.22 * 0.98 * 0.7)
    revenue = res.sensitivity("revenue", [1e6, 2e6])
    assert_allclose(revenue["revenue_lost_total_share_of_revenue"], 0.098252, rtol=1e-12)


# --- intervals -------------------------------------------------------------------------


def test_delta_standard_error_closed_form() -> None:
    res = example(sample_sizes=SIZES)
    q, c, sl, n = 0.22, 0.02, 0.45, SIZES
    var = (50e6**2) * (
        ((1 - c) * sl) ** 2 * q * (1 - q) / n["negative_rate"]
        + (q * sl) ** 2 * c * (1 - c) / n["complaint_rate"]
        + (q * (1 - c)) ** 2 * sl * (1 - sl) / n["silent_outcomes"]
    )
    table = res.to_frame().set_index("measure")
    assert_allclose(table.loc["revenue_lost_silent", "std_error"], np.sqrt(var), rtol=1e-12)
    low, high = table.loc["revenue_lost_silent", ["ci_low", "ci_high"]]
    assert_allclose([low, high], 4_851_000 + np.array([-1, 1]) * 1.959963984540054
                    * np.sqrt(var), rtol=1e-12)
    assert res.method == "delta"
    # intervals are clipped at zero revenue
    assert (table["ci_low"] >= 0).all()


def test_confidence_interval_recomputes_at_another_level() -> None:
    res = example(sample_sizes=SIZES)
    ci90 = res.confidence_interval(0.90)
    frame = res.to_frame()
    assert ci90.confidence_level == 0.90
    assert ci90.labels["measure"].tolist() == frame["measure"].tolist()
    inner = frame["ci_low"] > 0
    assert (ci90.low[inner] > frame["ci_low"][inner]).all()
    with pytest.raises(InvalidParameterError, match="confidence_level"):
        res.confidence_interval(95)


def test_simulation_is_reproducible_and_agrees_with_delta_for_large_n() -> None:
    big = {k: 50 * v for k, v in SIZES.items()}
    sim = example(sample_sizes=big, method="simulation", rng=7, n_resamples=4000)
    again = example(sample_sizes=big, method="simulation", rng=7, n_resamples=4000)
    pd.testing.assert_frame_equal(sim.to_frame(), again.to_frame())
    delta = example(sample_sizes=big).to_frame().set_index("measure")
    table = sim.to_frame().set_index("measure")
    for measure in ("revenue_lost_silent", "revenue_lost_total", "revenue_at_risk_total"):
        assert_allclose(table.loc[measure, "std_error"], delta.loc[measure, "std_error"],
                        rtol=0.06)
        assert table.loc[measure, "ci_low"] < table.loc[measure, "estimate"]
        assert table.loc[measure, "estimate"] < table.loc[measure, "ci_high"]
    assert sim.parameter_draws is not None
    assert sim.parameter_draws.shape == (9, 4000)
    levers = sim.levers(recovery_rate=0.6)
    assert (levers["ci_low"] < levers["revenue_lost_saved"]).all()
    ci = sim.confidence_interval(0.5)
    assert (ci.high - ci.low <= table["ci_high"] - table["ci_low"] + 1e-9).all()


def test_simulation_respects_structural_zeros() -> None:
    sim = example(sample_sizes=SIZES, method="simulation", rng=1, n_resamples=500)
    table = sim.to_frame().set_index("measure")
    assert table.loc["revenue_retained_silent", "std_error"] == 0
    assert (sim.parameter_draws[8] == 0).all()


def test_lever_standard_errors_by_delta_are_positive() -> None:
    levers = example(sample_sizes=SIZES).levers()
    assert (levers["std_error"] > 0).all()
    assert (levers["ci_low"] < levers["revenue_lost_saved"]).all()


def _coverage(n_reps: int, method: str, seed: int) -> float:
    rng = np.random.default_rng(seed)
    truth = example().revenue_lost_total
    sizes = {"negative_rate": 400, "silent_outcomes": 150}
    hits = 0
    for _ in range(n_reps):
        q = rng.binomial(400, 0.22) / 400
        lost = rng.binomial(150, 0.45) / 150
        res = negative_experience_cost(
            50e6, q, 0.02, COMPLAINERS, {"lost": lost, "at_risk": 1 - lost},
            sample_sizes=sizes, method=method, n_resamples=400, rng=rng,  # type: ignore[arg-type]
        )
        row = res.to_frame().set_index("measure").loc["revenue_lost_total"]
        hits += row["ci_low"] <= truth <= row["ci_high"]
    return hits / n_reps


def test_delta_interval_coverage_short() -> None:
    assert 0.90 <= _coverage(300, "delta", 11) <= 0.98


@pytest.mark.slow
@pytest.mark.parametrize("method", ["delta", "simulation"])
def test_interval_coverage_long(method: str) -> None:
    assert 0.935 <= _coverage(3000, method, 12) <= 0.965


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "match"),
    [
        ({"at_risk": 0.34, "lost": 0.28}, r"must sum to 1; they sum to 0\.62.*'retained'"),
        ({"at_risk": 34, "lost": 28, "retained": 38}, r"share in \[0, 1\].*percentages"),
        ({"at_risk": 0.5, "gone": 0.5}, r"unknown outcome 'gone'"),
        ({"at_risk": -0.1, "lost": 1.1}, r"share in \[0, 1\]"),
        ({}, r"must be a mapping"),
        ([0.34, 0.28, 0.38], r"must be a mapping"),
        ({"at_risk": 0.5, "lost": "half"}, r"share in \[0, 1\]"),
    ],
)
def test_bad_outcome_shares(outcomes: Any, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        negative_experience_cost(50e6, 0.22, 0.02, outcomes, SILENT)
    with pytest.raises(InvalidParameterError, match=match):
        negative_experience_cost(50e6, 0.22, 0.02, COMPLAINERS, outcomes)


def test_percentages_summing_to_100_get_a_hint() -> None:
    with pytest.raises(InvalidParameterError, match=r"not percentages"):
        negative_experience_cost(50e6, 0.22, 0.02, COMPLAINERS,
                                 {"at_risk": 0.55, "lost": 0.45, "retained": 99.0})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"negative_rate": 22}, r"`negative_rate` must be a number in \[0, 1\]; got 22"),
        ({"negative_rate": -0.1}, r"`negative_rate`"),
        ({"complaint_rate": 1.5}, r"`complaint_rate` must be a number in \[0, 1\]"),
        ({"revenue": -5.0}, r"`revenue` must be a number in \(0, inf\)"),
        ({"revenue": 0.0}, r"`revenue`"),
        ({"revenue": float("nan")}, r"`revenue`"),
        ({"method": "bootstrap"}, r"`method` must be one of 'delta', 'simulation'"),
        ({"confidence_level": 95}, r"pass 0.95"),
        ({"sample_sizes": {"negative": 100}}, r"unknown key 'negative'.*'negative_rate'"),
        ({"sample_sizes": {"negative_rate": 0}}, r"positive number"),
        ({"sample_sizes": [100]}, r"must be a mapping"),
        ({"n_resamples": 10, "method": "simulation"}, r"`n_resamples`"),
        ({"rng": "seed"}, r"`rng`"),
    ],
)
def test_bad_cost_arguments(kwargs: dict[str, Any], match: str) -> None:
    args = {"revenue": 50e6, "negative_rate": 0.22, "complaint_rate": 0.02,
            "complainer_outcomes": COMPLAINERS, "silent_outcomes": SILENT}
    args.update(kwargs)
    with pytest.raises(InvalidParameterError, match=match):
        negative_experience_cost(**args)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"recovery": 0.5}, r"cannot change 'recovery'.*'recovery_rate'"),
        ({"recovery_rate": 60}, r"share in \[0, 1\].*percentages"),
        ({"revenue": -1}, r"`revenue` must be a positive number"),
        ({"recovery_rate": 0.5, "complainer_lost": 0.1}, r"both change the complainer"),
        ({"recovery_rate": 0.5, "complainer_outcomes": COMPLAINERS}, r"both change"),
        ({"silent_outcomes": {"lost": 0.5}}, r"must sum to 1"),
        ({"silent_retained": 0.5}, None),
    ],
)
def test_bad_scenarios(changes: dict[str, Any], match: str | None) -> None:
    if match is None:  # valid: the other silent shares are rescaled
        res = example().what_if(**changes)
        assert_allclose(res.silent_outcomes["lost"], 0.225)
        return
    with pytest.raises(InvalidParameterError, match=match):
        example().what_if(**changes)


def test_a_share_cannot_be_rescaled_when_the_others_are_zero() -> None:
    res = negative_experience_cost(1e6, 0.2, 0.1, {"retained": 1.0}, SILENT)
    with pytest.raises(InvalidParameterError, match=r"nothing to rescale"):
        res.what_if(recovery_rate=0.5)


def test_bad_lever_and_sensitivity_arguments() -> None:
    res = example()
    with pytest.raises(InvalidParameterError, match=r"`step`"):
        res.levers(step=0)
    with pytest.raises(InvalidParameterError, match=r"share in \[0, 1\]"):
        res.levers(recovery_rate=1.2)
    with pytest.raises(InvalidParameterError, match=r"sequence of numbers"):
        res.sensitivity("negative_rate", ["a"])
    with pytest.raises(InvalidParameterError, match=r"at least one value"):
        res.sensitivity("negative_rate", [])
    with pytest.raises(InvalidParameterError, match=r"cannot change 'neg'"):
        res.sensitivity("neg", [0.1])
    with pytest.raises(InvalidParameterError, match=r"`kind`"):
        res.plot(kind="pie")


# --- display -------------------------------------------------------------------------


def test_cost_display_and_export() -> None:
    res = example(sample_sizes=SIZES)
    assert repr(res).startswith("NegativeExperienceCostResult(revenue_lost_total=4 912 600")
    text = res.summary().as_text()
    assert "Cost of negative experience" in text
    assert "negative_rate n=1000" in text
    assert "<table" in res._repr_html_()
    assert res.summary().as_latex().startswith("% Cost of negative experience")
    exported = res.to_dict()
    assert exported["kind"] == "NegativeExperienceCostResult"
    assert exported["rows"][0]["measure"] == "revenue_lost_complainers"
    assert "none: every input treated as exact" in example().summary().as_text()


# --- X + O linkage --------------------------------------------------------------------


def link_data(n: int = 900, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    labels = np.array(list("abcdefgh"))
    seg = rng.choice(labels, n)
    shift = dict(zip(labels, np.linspace(-2, 2, len(labels)), strict=True))
    latent = 7 + np.vectorize(shift.get)(seg) + rng.normal(0, 2.2, n)
    score = np.clip(np.round(latent), 0, 10)
    return pd.DataFrame(
        {
            "score": score,
            "value": 1000 + 60 * score + rng.normal(0, 250, n),
            "churn": (rng.random(n) < 1 / (1 + np.exp(1.2 + 0.3 * (score - 7)))).astype(int),
            "w": rng.lognormal(0, 0.4, n),
            "segment": seg,
            "stratum": rng.choice(["s1", "s2", "s3"], n),
        }
    )


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return link_data()


def test_group_means_are_weighted_means(data: pd.DataFrame) -> None:
    res = link_outcome(data, "score", "value", weights="w")
    group = np.where(data["score"] <= 6, 0, np.where(data["score"] <= 8, 1, 2))
    table = res.to_frame()
    for g in range(3):
        mask = group == g
        expected = np.average(data["value"][mask], weights=data["w"][mask])
        assert_allclose(table["estimate"].iloc[g], expected, rtol=1e-12)
        assert table["n"].iloc[g] == mask.sum()
    assert_allclose(table["estimate"].iloc[3], np.average(data["value"], weights=data["w"]))
    assert_allclose(table["share"].iloc[:3].sum(), 1.0)
    assert not res.binary
    assert isinstance(res, OutcomeLinkResult)
    assert_allclose(res.difference, table["estimate"].iloc[2] - table["estimate"].iloc[0])


def test_binary_outcome_gives_rates_with_wilson_intervals(data: pd.DataFrame) -> None:
    res = link_outcome(data, "score", "churn", weights="w")
    table = res.to_frame()
    assert res.binary
    assert ((table["ci_low"] >= 0) & (table["ci_high"] <= 1)).all()
    assert "rate" in res.summary().as_text()
    assert "%" in res._repr_html_()


def test_customer_regression_from_sums_equals_statsmodels_wls(data: pd.DataFrame) -> None:
    for regressor in ("nps", "score"):
        x = data["score"].to_numpy()
        if regressor == "nps":
            x = 100.0 * np.where(x >= 9, 1, np.where(x <= 6, -1, 0))
        fit = sm.WLS(data["value"], sm.add_constant(x), weights=data["w"])
        for cov_type in ("HC0", "HC1", "HC2", "HC3"):
            res = link_outcome(data, "score", "value", weights="w", regressor=regressor,
                               cov_type=cov_type)
            rows = res.regression
            expected = fit.fit(cov_type=cov_type)
            assert_allclose(rows["estimate"], expected.params, rtol=1e-10)
            assert_allclose(rows["std_error"], expected.bse, rtol=1e-10)
            assert rows["term"].iloc[1] == ("per_nps_point" if regressor == "nps"
                                            else "per_score_point")


def test_unweighted_is_all_ones_weights(data: pd.DataFrame) -> None:
    plain = link_outcome(data, "score", "value", segment="segment")
    ones = link_outcome(data.assign(one=1.0), "score", "value", weights="one",
                        segment="segment")
    pd.testing.assert_frame_equal(plain.to_frame(), ones.to_frame())
    pd.testing.assert_frame_equal(plain.regression, ones.regression)
    pd.testing.assert_frame_equal(plain.stake, ones.stake)


def test_row_order_does_not_matter(data: pd.DataFrame) -> None:
    a = link_outcome(data, "score", "value", weights="w", segment="segment")
    shuffled = data.sample(frac=1.0, random_state=4)
    b = link_outcome(shuffled, "score", "value", weights="w", segment="segment")
    assert_allclose(a.to_frame()["estimate"], b.to_frame()["estimate"], rtol=1e-12)
    assert_allclose(a.regression["estimate"], b.regression["estimate"], rtol=1e-10)
    seg_a = a.segments.set_index("segment").sort_index()
    seg_b = b.segments.set_index("segment").sort_index()
    assert_allclose(seg_a["nps"], seg_b["nps"], rtol=1e-12)


def test_stake_per_customer_and_total(data: pd.DataFrame) -> None:
    res = link_outcome(data, "score", "value", weights="w", customers=10_000)
    table = res.to_frame().set_index("nps_group")
    p_d = table.loc["detractors", "share"]
    expected = p_d * (table.loc["passives", "estimate"] - table.loc["detractors", "estimate"])
    stake = res.stake.set_index("measure")
    assert_allclose(stake.loc["per_customer", "estimate"], expected, rtol=1e-12)
    assert_allclose(stake.loc["total", "estimate"], 10_000 * expected, rtol=1e-12)
    assert_allclose(stake.loc["total", "std_error"],
                    10_000 * stake.loc["per_customer", "std_error"], rtol=1e-12)
    assert stake.loc["total", "customers"] == 10_000


def test_group_totals_covariance_reproduces_domain_means(data: pd.DataFrame) -> None:
    res = link_outcome(data, "score", "value", weights="w", strata="stratum")
    dm = res.group_means
    # the delta method on the totals gives the same variances as domain_means
    from cxmetrics.data.frame import reduce_moments
    from cxmetrics.data.summaries import moments

    mt = reduce_moments(data.assign(g=np.where(data["score"] <= 6, 0,
                                               np.where(data["score"] <= 8, 1, 2))),
                        "value", weights="w", by=["g"], strata="stratum")
    m, _ = moments(mt, argument="value", nan_policy="omit")
    order = np.argsort([g[0] for g in m.groups])
    m = pool_moments(m, np.argsort(order), [(i,) for i in range(3)], ("g",))
    totals, cov = group_totals_covariance(m)

    def means(t: Any) -> Any:
        return np.stack([t[1] / t[0], t[3] / t[2], t[5] / t[4]])

    jac = jacobian(means, totals)
    assert_allclose(jac @ cov @ jac.T, dm.covariance, rtol=1e-10, atol=1e-12)
    assert_allclose(domain_means(m).covariance, dm.covariance, rtol=1e-12)


def test_wls_from_cells_and_reliability_closed_forms() -> None:
    x = np.array([0.0, 1.0, 2.0])
    ones = np.ones(3)
    fit = wls_from_cells(x, ones, ones, np.array([1.0, 3.0, 5.0]), ones,
                         np.array([1.0, 3.0, 5.0]), np.array([1.0, 9.0, 25.0]))
    assert_allclose(fit.coef, [1.0, 2.0])
    assert_allclose(fit.cov_hc0, 0.0, atol=1e-12)
    flat = wls_from_cells(np.ones(3), ones, ones, ones, ones, ones, ones)
    assert np.isnan(flat.coef).all()
    assert_allclose(reliability_ratio(np.array([0.0, 10.0]), np.array([3.0, 3.0]),
                                      np.array([1.0, 1.0])), 1 - 9 / 25)
    assert np.isnan(reliability_ratio(np.ones(3), np.ones(3), np.ones(3)))


def test_segment_level_regression_and_measurement_error(data: pd.DataFrame) -> None:
    res = link_outcome(data, "score", "value", weights="w", segment="segment",
                       cov_type="HC3")
    seg = res.segments
    assert seg.columns[:3].tolist() == ["segment", "nps", "nps_std_error"]
    assert len(seg) == 8
    assert seg["used"].all()
    slope = res.regression.set_index(["level", "term"]).loc[("segment", "per_nps_point")]
    assert 0 < slope["reliability"] < 1
    assert_allclose(slope["estimate_corrected"], slope["estimate"] / slope["reliability"])
    assert slope["n"] == 8
    assert slope["df"] == 6
    equal = link_outcome(data, "score", "value", weights="w", segment="segment",
                         segment_weighting="equal")
    fit = sm.WLS(seg["outcome"], sm.add_constant(seg["nps"])).fit(cov_type="HC1")
    rows = equal.regression[equal.regression["level"] == "segment"]
    assert_allclose(rows["estimate"], fit.params, rtol=1e-10)
    assert_allclose(rows["std_error"], fit.bse, rtol=1e-10)
    text = res.summary().as_text()
    assert "segment level" in text
    assert "reliability of segment NPS" in text


def test_confidence_interval_and_display(data: pd.DataFrame) -> None:
    res = link_outcome(data, "score", "value", weights="w")
    ci = res.confidence_interval(0.80)
    table = res.to_frame()
    assert (ci.low > table["ci_low"]).all()
    assert ci.labels["nps_group"].tolist() == ["detractors", "passives", "promoters", "all"]
    assert repr(res).startswith("OutcomeLinkResult(value: promoters − detractors = ")
    assert "at stake if detractors behaved like passives" in res.summary().as_text()
    assert res.to_dict()["rows"][0]["nps_group"] == "detractors"
    diffs = res.differences
    assert (diffs["p_adjusted"] >= diffs["p_value"]).all()
    none = link_outcome(data, "score", "value", adjust="none")
    assert_allclose(none.differences["p_adjusted"], none.differences["p_value"])


def test_engines_give_the_same_numbers(data: pd.DataFrame) -> None:
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    expected = link_outcome(data, "score", "value", weights="w", segment="segment",
                            strata="stratum")
    frames = [pl.from_pandas(data), pl.from_pandas(data).lazy()]
    frames.append(duckdb.from_df(data))
    for frame in frames:
        got = link_outcome(frame, "score", "value", weights="w", segment="segment",
                           strata="stratum")
        assert_allclose(got.to_frame()["estimate"], expected.to_frame()["estimate"],
                        rtol=1e-12)
        assert_allclose(got.to_frame()["std_error"], expected.to_frame()["std_error"],
                        rtol=1e-10)
        assert_allclose(got.regression["std_error"], expected.regression["std_error"],
                        rtol=1e-10)
        assert_allclose(got.stake["std_error"], expected.stake["std_error"], rtol=1e-10)
    with pytest.raises(RowsRequiredError, match=r"cov_type='HC3'.*lazy"):
        link_outcome(pl.from_pandas(data).lazy(), "score", "value", cov_type="HC3")


def test_linkage_does_not_modify_the_data(data: pd.DataFrame) -> None:
    frame = data.copy()
    frame.loc[frame.index[:5], "value"] = np.nan
    before = frame.copy(deep=True)
    columns = list(frame.columns)
    link_outcome(frame, "score", "value", weights="w", segment="segment", cov_type="HC3")
    pd.testing.assert_frame_equal(frame, before)
    assert list(frame.columns) == columns


def test_missing_values_are_omitted_and_counted(data: pd.DataFrame) -> None:
    frame = data.copy()
    frame.loc[frame.index[:4], "value"] = np.nan
    frame.loc[frame.index[4:7], "score"] = np.nan
    frame.loc[frame.index[7:9], "score"] = 99
    res = link_outcome(frame, "score", "value", na_values=[99])
    assert res.n_omitted == 9
    assert res.to_frame()["n"].iloc[-1] == len(frame) - 9
    hc3 = link_outcome(frame, "score", "value", na_values=[99], cov_type="HC3")
    assert hc3.regression["n"].iloc[0] == len(frame) - 9
    assert_allclose(hc3.regression["estimate"], res.regression["estimate"], rtol=1e-10)
    with pytest.raises(InvalidDataError, match=r"nan_policy='raise'"):
        link_outcome(frame, "score", "value", na_values=[99], nan_policy="raise")
    with pytest.raises(InvalidDataError, match=r"nan_policy='raise'.*na_values"):
        link_outcome(frame.dropna(), "score", "value", na_values=[99],
                     nan_policy="raise")


# --- bad linkage input -------------------------------------------------------------------


def test_missing_columns_and_repeated_roles(data: pd.DataFrame) -> None:
    with pytest.raises(ColumnNotFoundError, match=r"'valeu'.*from `outcome`.*'value'"):
        link_outcome(data, "score", "valeu")
    with pytest.raises(ColumnNotFoundError, match=r"from `score`"):
        link_outcome(data, "nps", "value")
    with pytest.raises(ColumnNotFoundError, match=r"from `segment`"):
        link_outcome(data, "score", "value", segment="segmnt")
    with pytest.raises(InvalidParameterError, match=r"name the same column 'score'"):
        link_outcome(data, "score", "score")
    with pytest.raises(InvalidParameterError, match=r"`data` must be a table"):
        link_outcome([1, 2, 3], "score", "value")


def test_scores_off_the_scale_or_not_numbers(data: pd.DataFrame) -> None:
    with pytest.raises(InvalidDataError, match=r"outside the 0–10 scale: \[99\].*na_values"):
        link_outcome(data.assign(score=data["score"].replace(10, 99)), "score", "value")
    with pytest.raises(InvalidDataError, match=r"outside the 0–10 scale: \[7\.5\]"):
        link_outcome(data.assign(score=data["score"].replace(7, 7.5)), "score", "value")
    with pytest.raises(InvalidDataError, match=r"must hold numbers"):
        link_outcome(data.assign(score=data["score"].astype(str)), "score", "value")
    with pytest.raises(InvalidDataError, match=r"must hold numbers"):
        link_outcome(data.assign(value=data["value"].astype(str)), "score", "value")
    with pytest.raises(InvalidDataError, match=r"infinite"):
        link_outcome(data.assign(value=data["value"].replace(
            data["value"].iloc[0], np.inf)), "score", "value")


def test_outcome_with_no_variation(data: pd.DataFrame) -> None:
    with pytest.raises(InvalidDataError, match=r"'value'.*no variation.*every usable value is 5"):
        link_outcome(data.assign(value=5.0), "score", "value")


def test_respondents_in_a_single_nps_group(data: pd.DataFrame) -> None:
    with pytest.raises(InsufficientDataError, match=r"at least two NPS groups"):
        link_outcome(data.assign(score=10.0), "score", "value")


def test_an_empty_nps_group_is_flagged(data: pd.DataFrame) -> None:
    no_passives = data[(data["score"] <= 6) | (data["score"] >= 9)]
    with pytest.warns(DegenerateDataWarning, match=r"No respondents among \['passives'\]"):
        res = link_outcome(no_passives, "score", "value")
    row = res.to_frame().set_index("nps_group").loc["passives"]
    assert row["n"] == 0
    assert row["note"] == "no responses"
    assert np.isnan(row["estimate"])
    assert np.isnan(res.stake["estimate"]).all()
    diffs = res.differences.set_index(["group", "reference"])
    assert np.isfinite(diffs.loc[("promoters", "detractors"), "estimate"])
    assert np.isnan(diffs.loc[("passives", "detractors"), "estimate"])


def test_warning_points_at_the_callers_line(data: pd.DataFrame) -> None:
    no_passives = data[(data["score"] <= 6) | (data["score"] >= 9)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        link_outcome(no_passives, "score", "value")
    assert caught[0].filename == __file__


def test_too_few_segments(data: pd.DataFrame) -> None:
    two = data[data["segment"].isin(["a", "b"])]
    with pytest.raises(InsufficientDataError, match=r"at least three segments"):
        link_outcome(two, "score", "value", segment="segment")


def test_segment_nps_without_signal(data: pd.DataFrame) -> None:
    rng = np.random.default_rng(5)
    noise = data.assign(segment=rng.choice(list("abcdefghijklmnop"), len(data)))
    with pytest.warns(DegenerateDataWarning, match=r"reliability"):
        res = link_outcome(noise[noise["score"] != 8], "score", "value",
                           segment="segment", regressor="score")
    slope = res.regression.iloc[-1]
    assert np.isnan(slope["estimate_corrected"])
    same = data.assign(segment=np.where(data["score"] >= 9, "x", "y"))
    same = pd.concat([same.assign(segment=same["segment"] + str(k)) for k in range(3)])
    with pytest.warns(DegenerateDataWarning, match=r"same in every segment"):
        flat = link_outcome(
            same.assign(segment=np.repeat(["p", "q", "r"], len(data))), "score", "value",
            segment="segment")
    assert np.isnan(flat.regression["estimate"].iloc[-1])


def test_bad_weights(data: pd.DataFrame) -> None:
    with pytest.raises(InvalidDataError, match=r"non-negative"):
        link_outcome(data.assign(w=-data["w"]), "score", "value", weights="w")
    with pytest.raises(InvalidDataError, match=r"missing value"):
        link_outcome(data.assign(w=data["w"].where(data.index > 0)), "score", "value",
                     weights="w")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"breaks": (8, 6)}, r"`breaks` must be two increasing integers"),
        ({"breaks": (6, 10)}, r"`breaks`"),
        ({"cov_type": "HC5"}, r"`cov_type` must be one of"),
        ({"regressor": "z"}, r"`regressor`"),
        ({"segment_weighting": "pop"}, r"`segment_weighting`"),
        ({"customers": -5}, r"`customers`"),
        ({"confidence_level": 1.0}, r"`confidence_level`"),
        ({"adjust": "sidak"}, r"`adjust`"),
        ({"min_n": -1}, r"`min_n`"),
        ({"segment": 3}, r"`segment`"),
        ({"nan_policy": "drop"}, r"`nan_policy`"),
    ],
)
def test_bad_linkage_arguments(data: pd.DataFrame, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        link_outcome(data, "score", "value", **kwargs)


def test_empty_data(data: pd.DataFrame) -> None:
    with pytest.raises(InsufficientDataError):
        link_outcome(data.iloc[:0], "score", "value")
    with pytest.raises(InsufficientDataError):
        link_outcome(data.assign(value=np.nan), "score", "value")


def test_example_survey_links_churn_to_nps() -> None:
    from cxmetrics.datasets import load_example_survey

    survey = load_example_survey()
    snapshot = copy.deepcopy(survey)
    res = link_outcome(survey, "nps", "churned", weights="weight",
                       segment=["brand", "segment"])
    pd.testing.assert_frame_equal(survey, snapshot)
    rates = res.to_frame().set_index("nps_group")["estimate"]
    assert rates["detractors"] > rates["passives"] > rates["promoters"]
    assert res.per_nps_point < 0
    assert res.n_omitted == int(survey["nps"].isna().sum())


# --- plots ---------------------------------------------------------------------------


def test_plots_return_axes(data: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    res = example(sample_sizes=SIZES)
    for kind in ("waterfall", "funnel"):
        ax = res.plot(kind=kind)
        assert ax.get_title()
    _, ax = plt.subplots()
    assert res.plot(ax=ax) is ax
    link = link_outcome(data, "score", "churn", weights="w", segment="segment")
    assert len(link.plot().lines) >= 1
    ax = link.plot(kind="segments")
    assert ax.get_xlabel() == "segment NPS (points)"
    with pytest.raises(InvalidParameterError, match=r"`kind`"):
        link.plot(kind="pie")
    no_segments = link_outcome(data, "score", "value")
    with pytest.raises(InvalidParameterError, match=r"no segment-level regression"):
        no_segments.plot(kind="segments")
    from cxmetrics.plotting.impact import cost_waterfall

    with pytest.raises(InvalidParameterError, match=r"NegativeExperienceCostResult"):
        cost_waterfall(link)
    plt.close("all")


def test_results_follow_the_protocol(data: pd.DataFrame) -> None:
    results = [example(sample_sizes=SIZES), link_outcome(data, "score", "value")]
    for res in results:
        frame = res.to_frame()
        assert {"estimate", "std_error", "ci_low", "ci_high"} <= set(frame.columns)
        assert "\\begin{tabular}" in res.summary().as_latex()
        assert "versions" in res.summary().as_text()
        assert repr(res).startswith(type(res).__name__)
        assert np.isfinite(res.confidence_interval(0.9).low).all()
        with pytest.raises((AttributeError, TypeError)):
            res.table = None  # type: ignore[misc]
        with pytest.raises(TypeError):
            iter(res)  # type: ignore[call-overload]
