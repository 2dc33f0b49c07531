"""Tests of the bundled example survey, its generator and its recorded truth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cxmetrics.datasets import (
    EXAMPLE_SURVEY_TRUTH,
    ExampleSurveyTruth,
    describe_example_survey,
    load_example_survey,
    make_example_survey,
)
from cxmetrics.datasets._generate import (
    ATTRIBUTES,
    BRANDS,
    CHANNELS,
    COLUMNS,
    PERIODS,
    REGIONS,
    SEGMENTS,
    simulate_population_nps,
)

RATING_SCALES = {
    "nps": (0, 10),
    "satisfaction": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
    "nps_competitor": (0, 10),
    **{f"{p}_{a}": (0, 10) for p in ("exp", "expct", "imp") for a in ATTRIBUTES},
}
TRUTH = EXAMPLE_SURVEY_TRUTH


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return load_example_survey()


def weighted_nps(data: pd.DataFrame) -> float:
    valid = data.dropna(subset=["nps"])
    w = valid["weight"].to_numpy()
    score = valid["nps"].to_numpy()
    return float(100 * (w @ (score >= 9) - w @ (score <= 6)) / w.sum())


# -- the bundled file ------------------------------------------------------------


def test_bundled_file_equals_fresh_generation(survey: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(survey, make_example_survey(), check_exact=True)


def test_load_returns_a_new_frame_each_time(survey: pd.DataFrame) -> None:
    other = load_example_survey()
    other.loc[0, "nps"] = -1.0
    assert survey.loc[0, "nps"] != -1.0


def test_shape_and_columns(survey: pd.DataFrame) -> None:
    assert survey.shape == (4000, 35)
    assert tuple(survey.columns) == COLUMNS
    assert survey["respondent_id"].is_unique
    assert survey.index.equals(pd.RangeIndex(4000))


def test_dtypes(survey: pd.DataFrame) -> None:
    expected = {
        "period": (PERIODS, True),
        "brand": (BRANDS, False),
        "segment": (SEGMENTS, False),
        "region": (REGIONS, False),
        "channel": (CHANNELS, False),
    }
    for column, (labels, ordered) in expected.items():
        dtype = survey[column].dtype
        assert isinstance(dtype, pd.CategoricalDtype), column
        assert tuple(dtype.categories) == labels
        assert dtype.ordered is ordered
    for column in ("respondent_id", "churned", "complained"):
        assert survey[column].dtype == np.int64
    for column in set(COLUMNS) - set(expected) - {"respondent_id", "churned"}:
        if column != "complained":
            assert survey[column].dtype == np.float64, column


def test_describe_covers_every_column(survey: pd.DataFrame) -> None:
    info = describe_example_survey()
    assert list(info.columns) == ["column", "dtype", "scale", "description"]
    assert tuple(info["column"]) == COLUMNS
    actual = ["category" if str(d) == "category" else str(d) for d in survey.dtypes]
    assert info["dtype"].tolist() == actual
    assert info["description"].str.len().min() > 10


# -- value ranges, missing values and codes ------------------------------------


@pytest.mark.parametrize("column", sorted(RATING_SCALES))
def test_ratings_are_integers_on_their_scale(survey: pd.DataFrame, column: str) -> None:
    low, high = RATING_SCALES[column]
    values = survey[column].dropna()
    if column == TRUTH.dont_know_column:
        values = values[values != TRUTH.dont_know_code]
    assert (values == np.round(values)).all()
    assert values.between(low, high).all()
    # every scale point is used except perhaps the extreme low ones
    assert values.max() == high


def test_missing_values_and_codes(survey: pd.DataFrame) -> None:
    share = survey.isna().mean()
    for column, expected in TRUTH.missing_share.items():
        assert abs(share[column] - expected) < 0.012, column
    allowed = {*TRUTH.missing_share, "nps_competitor"}
    assert set(share[share > 0].index) == allowed
    codes = (survey[list(RATING_SCALES)] == TRUTH.dont_know_code).sum()
    assert set(codes[codes > 0].index) == {"expct_price"}
    assert 0 < codes["expct_price"] < 0.005 * len(survey)
    # nps_competitor: only Our bank customers with a second bank
    own = survey["brand"] == "Our bank"
    assert survey.loc[~own, "nps_competitor"].isna().all()
    assert 0.6 < survey.loc[own, "nps_competitor"].notna().mean() < 0.8


def test_weights(survey: pd.DataFrame) -> None:
    w = survey["weight"]
    assert (w > 0).all()
    assert w.mean() == pytest.approx(1.0, abs=1e-5)
    assert 5 < w.max() / w.min() < 10
    # constant within period x segment x region cells (post-stratification)
    cells = survey.groupby(["period", "segment", "region"], observed=True)["weight"]
    assert (cells.nunique() == 1).all()
    # weighted segment shares estimate the population shares
    for period in PERIODS:
        rows = survey[survey["period"] == period]
        weighted = rows.groupby("segment", observed=True)["weight"].sum()
        weighted = weighted / weighted.sum()
        for segment in SEGMENTS:
            expected = TRUTH.segment_shares[period][segment]
            assert weighted[segment] == pytest.approx(expected, abs=0.04)


def test_design(survey: pd.DataFrame) -> None:
    assert survey.groupby("period", observed=True).size().tolist() == [1000] * 4
    brand_share = survey["brand"].value_counts(normalize=True)
    assert brand_share["Our bank"] > 0.55
    assert (brand_share[list(BRANDS[1:])] > 0.1).all()
    segment_share = survey["segment"].value_counts(normalize=True)
    assert segment_share.max() > 2 * segment_share.min()
    assert set(survey["channel"]) == set(CHANNELS)
    assert set(survey["region"]) == set(REGIONS)


def test_operational_outcomes(survey: pd.DataFrame) -> None:
    assert (survey["aum"] > 0).all()
    assert (survey["revenue"] > 0).all()
    aum = survey["aum"].to_numpy()
    assert np.mean(aum) > 2 * np.median(aum)  # right-skewed
    assert set(survey["churned"]) == {0, 1}
    assert set(survey["complained"]) == {0, 1}
    churned = survey["churned"] == 1
    assert (survey.loc[churned, "aum_change"] == -survey.loc[churned, "aum"]).all()
    for column in ("aum", "aum_change", "revenue"):
        cents = survey[column] * 100
        assert np.allclose(cents, np.round(cents), rtol=0, atol=1e-6)


def test_experience_items_correlate_realistically(survey: pd.DataFrame) -> None:
    corr = survey[[f"exp_{a}" for a in ATTRIBUTES]].corr().to_numpy()
    off_diagonal = corr[~np.eye(len(ATTRIBUTES), dtype=bool)]
    assert off_diagonal.min() > 0.2
    assert off_diagonal.max() < 0.75
    assert np.median(off_diagonal) > 0.3


# -- determinism -----------------------------------------------------------------


def test_same_seed_same_data() -> None:
    first = make_example_survey(300, rng=5)
    pd.testing.assert_frame_equal(first, make_example_survey(300, rng=5))
    from_generator = make_example_survey(300, rng=np.random.default_rng(5))
    pd.testing.assert_frame_equal(first, from_generator)
    assert not first.equals(make_example_survey(300, rng=6))


def test_small_and_odd_sizes() -> None:
    data = make_example_survey(7, rng=1)
    assert data.shape == (7, 35)
    assert data.groupby("period", observed=True).size().tolist() == [2, 2, 2, 1]
    assert make_example_survey(1, rng=1).shape == (1, 35)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_respondents": 0}, "`n_respondents` must be an integer"),
        ({"n_respondents": 10.5}, "`n_respondents` must be an integer"),
        ({"rng": "seed"}, "`rng` must be None, a non-negative int seed"),
    ],
)
def test_invalid_parameters(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make_example_survey(**kwargs)  # type: ignore[arg-type]


# -- the truth is recoverable -----------------------------------------------------


def test_driver_regression_recovers_true_coefficients(survey: pd.DataFrame) -> None:
    exp = [f"exp_{a}" for a in ATTRIBUTES]
    expct = [f"expct_{a}" for a in ATTRIBUTES]
    data = survey.dropna(subset=[*exp, *expct, "satisfaction"])
    data = data[data[TRUTH.dont_know_column] != TRUTH.dont_know_code]
    delighter = data[f"exp_{TRUTH.delighter}"]
    X = data[exp].assign(
        hinge=np.maximum(delighter - TRUTH.delighter_threshold, 0.0),
        expectation=data[expct].mean(axis=1) - TRUTH.expectation_centre,
    )
    fit = sm.OLS(data["satisfaction"], sm.add_constant(X)).fit()
    for attr, beta in TRUTH.driver_coefficients.items():
        assert fit.params[f"exp_{attr}"] == pytest.approx(beta, abs=0.04), attr
    assert fit.params["hinge"] == pytest.approx(TRUTH.delighter_coefficient, abs=0.06)
    assert fit.params["expectation"] == pytest.approx(
        TRUTH.expectation_coefficient, abs=0.05
    )
    # the story: convenience and service lead, the basic has no effect
    coefficients = dict(TRUTH.driver_coefficients)
    ranked = sorted(coefficients, key=lambda attr: coefficients[attr])
    assert ranked[-2:] == ["service", "convenience"]
    assert abs(fit.params[f"exp_{TRUTH.basic}"]) < 0.03
    assert survey[f"imp_{TRUTH.basic}"].mean() > 7.5  # but it is called important


def test_nps_follows_satisfaction(survey: pd.DataFrame) -> None:
    data = survey.dropna(subset=["nps"])
    corr = data["nps"].corr(data["satisfaction"])
    assert corr > 0.6
    fit = sm.OLS(data["nps"], sm.add_constant(data["satisfaction"])).fit()
    assert fit.params["satisfaction"] == pytest.approx(TRUTH.nps_slope, abs=0.25)


def test_promoters_outperform_detractors(survey: pd.DataFrame) -> None:
    data = survey.dropna(subset=["nps"])
    category = pd.cut(
        data["nps"], [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"]
    )
    growth = (data["aum_change"] / data["aum"]).groupby(category, observed=True)
    churn = data["churned"].groupby(category, observed=True).mean()
    complained = data["complained"].groupby(category, observed=True).mean()
    assert growth.mean()["promoter"] > 0 > growth.mean()["detractor"]
    assert churn["detractor"] > 2 * churn["promoter"]
    assert complained["detractor"] > 2 * complained["promoter"]
    retained = data["churned"] == 0
    retained_growth = (data["aum_change"] / data["aum"])[retained]
    means = retained_growth.groupby(category[retained], observed=True).mean()
    for name, expected in TRUTH.aum_growth.items():
        assert means[name] == pytest.approx(expected, abs=0.015)


def test_weighted_nps_near_true_nps(survey: pd.DataFrame) -> None:
    own = survey[survey["brand"] == "Our bank"]
    assert weighted_nps(own) == pytest.approx(TRUTH.nps_by_brand()["Our bank"], abs=6)
    for brand in BRANDS:
        rows = survey[survey["brand"] == brand]
        assert weighted_nps(rows) == pytest.approx(TRUTH.nps_by_brand()[brand], abs=10)
    assert 10 <= TRUTH.nps_by_brand()["Our bank"] <= 30


def test_real_change_in_one_segment_is_visible(survey: pd.DataFrame) -> None:
    own = survey[survey["brand"] == "Our bank"]
    segment = own[own["segment"] == TRUTH.changed_segment]
    after = segment["period"].isin(TRUTH.changed_periods)
    observed = weighted_nps(segment[after]) - weighted_nps(segment[~after])
    truth = TRUTH.nps_by_segment_period()[TRUTH.changed_segment]
    true_change = truth[TRUTH.changed_periods[0]] - truth[PERIODS[0]]
    assert true_change < -10
    assert observed < -8
    # the changed experience moved in the sample too
    column = f"exp_{TRUTH.changed_attribute}"
    moved = segment.loc[after, column].mean() - segment.loc[~after, column].mean()
    assert moved == pytest.approx(TRUTH.change_size, abs=0.5)


# -- the recorded truth -------------------------------------------------------------


def test_truth_is_immutable() -> None:
    assert isinstance(TRUTH, ExampleSurveyTruth)
    with pytest.raises(dataclasses.FrozenInstanceError):
        TRUTH.basic = "price"  # type: ignore[misc]
    with pytest.raises(TypeError):
        TRUTH.driver_coefficients["price"] = 1.0  # type: ignore[index]
    assert all(type(v) is float for v in TRUTH.driver_coefficients.values())


def test_truth_story() -> None:
    assert TRUTH.delighter == "relationship"
    assert TRUTH.basic == "product"
    assert TRUTH.driver_coefficients[TRUTH.basic] == 0.0
    assert TRUTH.driver_coefficients[TRUTH.delighter] == 0.0
    for period, shares in TRUTH.segment_shares.items():
        assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12), period
    by_period = TRUTH.nps_by_period()
    fixed = TRUTH.nps_by_period(fixed_mix=PERIODS[0])
    first, last = PERIODS[0], PERIODS[-1]
    real = fixed[last] - fixed[first]
    mix = by_period[last] - fixed[last]
    assert real < -5  # a real fall (in one segment) ...
    assert mix > 1  # ... partly hidden by the shift to richer segments
    assert fixed[PERIODS[1]] == pytest.approx(fixed[first], abs=1e-12)
    segments = TRUTH.nps_by_segment()
    assert max(segments.values()) - min(segments.values()) > 15
    brands = TRUTH.nps_by_brand()
    assert brands["Competitor A"] == max(brands.values())
    assert TRUTH.nps_competitor() < brands["Our bank"]


def test_truth_matches_a_fresh_population_simulation() -> None:
    # 100 000 customers per cell: Monte Carlo standard error about 0.3 points
    simulated = simulate_population_nps(100_000, 12345)
    table = TRUTH.nps_by_brand_period_segment
    for (brand, segment, changed), (nps, nps_competitor) in simulated.items():
        period = TRUTH.changed_periods[0] if changed else PERIODS[0]
        assert nps == pytest.approx(table[brand][period][segment], abs=1.5)
        if brand == "Our bank":
            expected = TRUTH.nps_competitor_by_period_segment[period][segment]
            assert nps_competitor == pytest.approx(expected, abs=1.5)
        else:
            assert np.isnan(nps_competitor)
    assert len(simulated) == len(BRANDS) * len(SEGMENTS) + 1
