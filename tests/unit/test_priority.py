"""key_experiences, importance_performance and asymmetric_impact: behaviour and bad input."""

from __future__ import annotations

import inspect
import sys
import types

import numpy as np
import pandas as pd
import polars as pl
import pytest
from numpy.testing import assert_allclose

import cxmetrics as cx
from cxmetrics.errors import (
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
    MissingDependencyError,
    RowsRequiredError,
)
from cxmetrics.estimators.gap import need_ranks
from cxmetrics.priority import (
    asymmetric_impact,
    importance_performance,
    key_experiences,
)

ATTRS = ["product", "service", "price", "convenience"]
EXP = [f"exp_{a}" for a in ATTRS]
EXPCT = [f"expct_{a}" for a in ATTRS]
IMP = [f"imp_{a}" for a in ATTRS]


@pytest.fixture
def ratings(rng: np.random.Generator) -> pd.DataFrame:
    n = 400
    data: dict[str, np.ndarray] = {}
    for i, a in enumerate(ATTRS):
        data[f"exp_{a}"] = np.clip(
            np.rint(7.5 - 0.8 * i + 2 * rng.normal(size=n)), 0, 10
        )
        data[f"expct_{a}"] = np.clip(np.rint(7.5 + 1.5 * rng.normal(size=n)), 0, 10)
        data[f"imp_{a}"] = np.clip(
            np.rint(6 + 0.7 * i + 1.5 * rng.normal(size=n)), 0, 10
        )
    low = [(data[f"exp_{a}"] <= 4).astype(float) for a in ATTRS]
    high = [(data[f"exp_{a}"] >= 8).astype(float) for a in ATTRS]
    data["satisfaction"] = (
        6
        - 1.0 * low[0]
        + 0.1 * high[0]
        + 0.1 * low[1]
        + 1.0 * high[1]
        - 0.6 * low[3]
        + 0.6 * high[3]
        + rng.normal(size=n)
    )
    data["weight"] = rng.gamma(4.0, 0.25, n)
    data["stratum"] = rng.choice(["s1", "s2"], n)
    return pd.DataFrame(data)


class DriverResult:
    """Stand-in for a cxmetrics.drivers result."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()


# --- key experiences ------------------------------------------------------------------


def test_key_experiences_with_stated_importance(ratings: pd.DataFrame) -> None:
    result = key_experiences(
        ratings, EXP, EXPCT, importance=IMP, weights="weight", n_resamples=300, rng=3
    )
    table = result.to_frame()
    assert_allclose(
        table["priority"], table["importance"] * table["estimate"], rtol=1e-12
    )
    assert result.key_experience == "convenience"
    assert table.loc[table["attribute"] == "convenience", "p_top_k"].iloc[0] == 1.0
    assert (table["priority_ci_low"] <= table["priority"]).all()
    assert (table["priority"] <= table["priority_ci_high"]).all()
    assert (table["rank_ci_low"] <= table["rank"]).all() and (
        table["rank"] <= table["rank_ci_high"]
    ).all()
    assert result.top(1)["attribute"].tolist() == ["convenience"]
    again = result.rank_interval(0.5, top_k=1)
    assert again["p_top_k"].sum() == pytest.approx(1.0)
    ci = result.confidence_interval(0.5)
    assert (ci.low >= table["priority_ci_low"] - 1e-12).all()
    assert "Key experiences" in result.summary().as_text()
    assert repr(result).startswith("KeyExperienceResult(key experience='convenience'")


def test_given_importance_and_driver_results(ratings: pd.DataFrame) -> None:
    given = key_experiences(
        ratings, EXP, EXPCT, importance=[1.0, 2.0, 3.0, 4.0], n_resamples=0
    )
    table = given.to_frame()
    assert table["importance"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert given.n_resamples == 0 and table["p_top_k"].isna().all()
    driver = DriverResult(
        pd.DataFrame(
            {
                "driver": [
                    "exp_product",
                    "exp_service",
                    "exp_price",
                    "exp_convenience",
                    "nps_hinge",
                ],
                "importance": [0.1, 0.2, 0.3, 0.4, 0.9],
            }
        )
    )
    derived = key_experiences(ratings, EXP, EXPCT, importance=driver, n_resamples=0)
    assert derived.to_frame()["importance"].tolist() == [0.1, 0.2, 0.3, 0.4]
    assert derived.importance_source == "derived (DriverResult)"
    series = key_experiences(
        ratings, EXP, EXPCT, importance=pd.Series({"price": 5.0}), n_resamples=0
    )
    assert (
        series.to_frame().set_index("attribute").loc["product", "note"]
        == "importance not given"
    )


def test_importance_bad_input(ratings: pd.DataFrame) -> None:
    with pytest.raises(
        InvalidParameterError, match=r"`importance\['price'\]` must be non-negative"
    ):
        key_experiences(ratings, EXP, EXPCT, importance={"price": -1.0})
    with pytest.raises(InvalidParameterError, match=r"one value per attribute \(4"):
        key_experiences(ratings, EXP, EXPCT, importance=[1.0, 2.0])
    with pytest.raises(InvalidParameterError, match=r"one rating column per attribute"):
        key_experiences(ratings, EXP, EXPCT, importance=IMP[:2])
    with pytest.raises(
        InvalidParameterError, match=r"unknown attribute 'prise'.*Did you mean 'price'"
    ):
        key_experiences(ratings, EXP, EXPCT, importance={"prise": 3.0})
    with pytest.raises(InvalidParameterError, match="must be finite"):
        key_experiences(ratings, EXP, EXPCT, importance={"price": np.inf})
    with pytest.raises(InvalidParameterError, match="'driver' and 'importance'"):
        key_experiences(
            ratings, EXP, EXPCT, importance=DriverResult(pd.DataFrame({"x": [1]}))
        )
    with pytest.raises(InvalidParameterError, match="None of the drivers"):
        key_experiences(
            ratings,
            EXP,
            EXPCT,
            importance=DriverResult(
                pd.DataFrame({"driver": ["age"], "importance": [1.0]})
            ),
        )
    data = ratings.assign(imp_price=ratings["imp_price"] - 20)
    with pytest.raises(InvalidDataError, match="outside the scale"):
        key_experiences(data, EXP, EXPCT, importance=IMP)


def test_exactly_one_reference(ratings: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="exactly one of `expectation`"):
        key_experiences(ratings, EXP, EXPCT, target=8, importance=IMP)
    with pytest.raises(InvalidParameterError, match="exactly one"):
        key_experiences(ratings, EXP, importance=IMP)


def test_target_and_competitor_variants(ratings: pd.DataFrame) -> None:
    target = key_experiences(ratings, EXP, target=9, importance=IMP, n_resamples=0)
    table = target.to_frame()
    assert "target" in table and target.reference == "target"
    assert_allclose(table["estimate"], ratings[EXP].mean().to_numpy() - 9, rtol=1e-12)
    competitor = key_experiences(
        ratings, EXP, competitor=EXPCT, importance=IMP, n_resamples=0
    )
    assert "competitor" in competitor.to_frame()


def test_zero_importance_ranks_last(ratings: pd.DataFrame) -> None:
    result = key_experiences(
        ratings, EXP, EXPCT, importance=[5.0, 0.0, 5.0, 5.0], n_resamples=200, rng=1
    )
    table = result.to_frame().set_index("attribute")
    assert table.loc["service", "rank"] == len(ATTRS)
    assert table.loc["service", "p_top_k"] == 0
    assert_allclose(need_ranks(np.array([-3.0, 0.0, 2.0, -5.0])), [2, 4, 4, 1])


def test_progress_bar_needs_tqdm(ratings: pd.DataFrame, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(
        MissingDependencyError, match=r"'progress' extra.*cxmetrics\[progress\]"
    ):
        key_experiences(
            ratings, EXP, EXPCT, importance=IMP, n_resamples=10, progress=True
        )


def test_progress_bar_is_updated(ratings: pd.DataFrame, monkeypatch) -> None:
    updates: list[int] = []

    class FakeBar:
        def __init__(self, total, **kwargs) -> None:
            self.total = total

        def update(self, k: int) -> None:
            updates.append(k)

        def close(self) -> None:
            updates.append(-1)

    auto = types.ModuleType("tqdm.auto")
    auto.tqdm = FakeBar  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    monkeypatch.setitem(sys.modules, "tqdm.auto", auto)
    key_experiences(
        ratings, EXP, EXPCT, importance=IMP, n_resamples=50, rng=1, progress=True
    )
    assert sum(u for u in updates if u > 0) == 50 and updates[-1] == -1


def test_bootstrap_needs_rows(ratings: pd.DataFrame) -> None:
    lazy = pl.from_pandas(ratings).lazy()
    with pytest.raises(RowsRequiredError, match="needs the rows in memory"):
        key_experiences(lazy, EXP, EXPCT, importance=IMP, n_resamples=10)
    fine = key_experiences(lazy, EXP, EXPCT, importance=IMP, n_resamples=0)
    assert fine.key_experience == "convenience"


def test_bootstrap_within_strata_is_seeded(ratings: pd.DataFrame) -> None:
    kw = {
        "importance": IMP,
        "weights": "weight",
        "strata": "stratum",
        "n_resamples": 100,
    }
    a = key_experiences(
        ratings, EXP, EXPCT, rng=np.random.default_rng(5), **kw
    ).to_frame()
    b = key_experiences(ratings, EXP, EXPCT, rng=5, **kw).to_frame()
    pd.testing.assert_frame_equal(a, b)


def test_inputs_are_never_modified(ratings: pd.DataFrame) -> None:
    before = ratings.copy()
    key_experiences(ratings, EXP, EXPCT, importance=IMP, n_resamples=20, rng=1)
    importance_performance(ratings, EXP, importance=IMP)
    asymmetric_impact(ratings, "satisfaction", EXP, weights="weight")
    pd.testing.assert_frame_equal(ratings, before)


# --- importance-performance -----------------------------------------------------------


POINTS = {
    "experience": {"a": 8.0, "b": 3.0, "c": 2.0, "d": 9.0, "e": 6.0},
    "importance": {"a": 9.0, "b": 9.0, "c": 2.0, "d": 3.0, "e": None},
}


def test_quadrants_on_hand_made_points() -> None:
    result = importance_performance(
        experience=POINTS["experience"],
        importance=POINTS["importance"],
        importance_scale=(0, 10),
    )
    quadrants = result.quadrants.to_dict()
    assert quadrants == {
        "a": "Keep up the good work",
        "b": "Concentrate here",
        "c": "Low priority",
        "d": "Possible overkill",
        "e": "",
    }
    assert result.crosshair == (5.0, 5.0)
    assert (
        result.to_frame().set_index("attribute").loc["e", "note"]
        == "importance not given"
    )
    diagonal = importance_performance(
        experience=POINTS["experience"],
        importance=POINTS["importance"],
        importance_scale=(0, 10),
        method="diagonal",
    )
    table = diagonal.to_frame().set_index("attribute")
    assert (
        table.loc["a", "iso_priority"] == pytest.approx(1.0)
        and table.loc["a", "above_diagonal"]
    )
    assert table.loc["a", "quadrant"] == "Concentrate here"
    assert table.loc["c", "quadrant"] == "Low priority"
    assert diagonal.slope == 1.0


def test_crosshair_options() -> None:
    kw = {"experience": POINTS["experience"], "importance": POINTS["importance"]}
    mean = importance_performance(**kw, crosshair="mean")
    assert mean.crosshair == pytest.approx((5.5, 5.75))
    assert importance_performance(**kw, crosshair="median").crosshair == pytest.approx(
        (5.5, 6.0)
    )
    assert importance_performance(**kw, crosshair=(1, 2)).crosshair == (1.0, 2.0)
    with pytest.raises(InvalidParameterError, match="needs the importance scale"):
        importance_performance(**kw)
    with pytest.raises(InvalidParameterError, match="`crosshair` must be"):
        importance_performance(**kw, crosshair="middle")
    with pytest.raises(InvalidParameterError, match="`crosshair` must be"):
        importance_performance(**kw, crosshair=(1, "x"))


def test_importance_performance_on_data_with_driver_intervals(
    ratings: pd.DataFrame,
) -> None:
    driver = DriverResult(
        pd.DataFrame(
            {
                "driver": ATTRS,
                "importance": [0.1, 0.4, 0.2, 0.3],
                "ci_low": [0.05, 0.3, 0.1, 0.2],
                "ci_high": [0.15, 0.5, 0.3, 0.4],
            }
        )
    )
    result = importance_performance(
        ratings, EXP, importance=driver, crosshair="mean", weights="weight"
    )
    table = result.to_frame()
    assert_allclose(table["importance_ci_low"], [0.05, 0.3, 0.1, 0.2])
    mean = cx.mean_score(ratings, "exp_price", scale=(0, 10), weights="weight")
    row = table.set_index("attribute").loc["price"]
    assert_allclose(row["performance"], mean.estimate, rtol=1e-12)
    assert_allclose(row["performance_std_error"], mean.std_error, rtol=1e-12)
    assert result.slope != 1.0
    with pytest.raises(
        InsufficientDataError, match="both a performance and an importance"
    ):
        importance_performance(
            experience={"a": 5}, importance={"a": None}, crosshair="mean"
        )


# --- asymmetric impact ----------------------------------------------------------------


def test_penalty_reward_recovers_the_simulated_classes(ratings: pd.DataFrame) -> None:
    result = asymmetric_impact(ratings, "satisfaction", EXP, min_group_n=20)
    classes = result.classes
    assert classes["product"] == "basic"
    assert classes["service"] == "excitement"
    assert classes["convenience"] == "performance"
    table = result.to_frame()
    assert (table["n_low"] + table["n_mid"] + table["n_high"] == result.n).all()
    assert result.cov_type == "classical"
    assert (
        asymmetric_impact(ratings, "satisfaction", EXP, weights="weight").cov_type
        == "design"
    )


def test_too_few_in_a_group_is_undetermined(ratings: pd.DataFrame) -> None:
    data = ratings.copy()
    data["exp_price"] = np.where(data["exp_price"] <= 4, 5.0, data["exp_price"])
    data.loc[data.index[:3], "exp_price"] = 2.0
    table = (
        asymmetric_impact(data, "satisfaction", EXP).to_frame().set_index("attribute")
    )
    assert table.loc["price", "classification"] == "undetermined"
    assert (
        table.loc["price", "reason"]
        == "only 3 respondent(s) in the low group (min_group_n = 30)"
    )


def test_constant_attribute_is_undetermined(ratings: pd.DataFrame) -> None:
    data = ratings.assign(exp_price=6.0)
    result = asymmetric_impact(data, "satisfaction", EXP)
    row = result.to_frame().set_index("attribute").loc["price"]
    assert row["classification"] == "undetermined"
    assert row["reason"].startswith("no respondent in the low group")
    assert np.isnan(row["penalty"]) and np.isnan(row["reward"])
    aliased = result.coefficients.set_index("term")["aliased"]
    assert aliased["price_low"] and aliased["price_high"]


def test_asymmetric_impact_bad_input(ratings: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="`low` must be below `high`"):
        asymmetric_impact(ratings, "satisfaction", EXP, low=8, high=4)
    with pytest.raises(
        InvalidParameterError, match="`high` must be a point of the scale"
    ):
        asymmetric_impact(ratings, "satisfaction", EXP, high=12)
    with pytest.raises(InvalidDataError, match=r"'satisfaction'.*must hold numbers"):
        asymmetric_impact(ratings.assign(satisfaction="high"), "satisfaction", EXP)
    with pytest.raises(InvalidDataError, match=r"'exp_price'.*must hold numbers"):
        asymmetric_impact(ratings.assign(exp_price="ok"), "satisfaction", EXP)
    with pytest.raises(
        InvalidParameterError, match="`experience` must name the rating columns"
    ):
        asymmetric_impact(ratings, "satisfaction", {"price": 7.0})


def test_asymmetric_impact_on_polars_matches_pandas(ratings: pd.DataFrame) -> None:
    data = ratings.copy()
    data.loc[[1, 2], "exp_price"] = 99
    a = asymmetric_impact(
        data, "satisfaction", EXP, weights="weight", strata="stratum", na_values=[99]
    )
    b = asymmetric_impact(
        pl.from_pandas(data).lazy(),
        "satisfaction",
        EXP,
        weights="weight",
        strata="stratum",
        na_values=[99],
    )
    assert_allclose(a.coefficients["estimate"], b.coefficients["estimate"], rtol=1e-10)
    assert_allclose(
        a.coefficients["std_error"], b.coefficients["std_error"], rtol=1e-10
    )
    assert a.n == b.n == len(data) - 2 and a.n_omitted == 2


def test_results_protocol(ratings: pd.DataFrame) -> None:
    results = [
        key_experiences(ratings, EXP, EXPCT, importance=IMP, n_resamples=20, rng=1),
        importance_performance(ratings, EXP, importance=IMP),
        asymmetric_impact(ratings, "satisfaction", EXP),
    ]
    for res in results:
        assert "attribute" in res.to_frame()
        assert "<table" in res._repr_html_()
        assert "versions" in res.summary().as_text()
        assert res.to_dict()["rows"]
        assert repr(res).startswith(type(res).__name__)
    ci = results[2].confidence_interval(0.9)
    assert set(ci) == {"penalty", "reward"}


FUNCTIONS = [key_experiences, importance_performance, asymmetric_impact]


def _call(func, ratings):
    if func is key_experiences:
        return lambda **kw: key_experiences(
            ratings, EXP, EXPCT, **{"importance": IMP, "n_resamples": 0, **kw}
        )
    if func is importance_performance:
        return lambda **kw: importance_performance(
            ratings, EXP, **{"importance": IMP, **kw}
        )
    return lambda **kw: asymmetric_impact(ratings, "satisfaction", EXP, **kw)


@pytest.mark.parametrize(
    ("func", "name"),
    [
        pytest.param(f, name, id=f"{f.__name__}-{name}")
        for f in FUNCTIONS
        for name in f.__cxmetrics_constraints__  # type: ignore[attr-defined]
        if name not in ("experience", "expectation", "outcome")  # data arguments
    ],
)
def test_declared_constraints_reject_invalid_values(func, name, ratings) -> None:
    constraint = func.__cxmetrics_constraints__[name]
    with pytest.raises(InvalidParameterError, match=f"`{name}`"):
        _call(func, ratings)(**{name: constraint.invalid_example()})


def test_docstrings_have_the_sections() -> None:
    for func in FUNCTIONS:
        doc = inspect.getdoc(func) or ""
        for section in (
            "Parameters",
            "Returns",
            "Raises",
            "Notes",
            "References",
            "Examples",
        ):
            assert f"\n{section}\n" in doc, (func.__name__, section)
        assert "Validation" in doc


def test_bootstrap_column_sums_resamples_within_strata() -> None:
    from cxmetrics.estimators.gap import bootstrap_column_sums

    stratum = np.repeat([0, 1, 2], [5, 7, 11])
    z = np.column_stack(
        [np.ones(23), (stratum == 0) * 1.0, (stratum == 2) * 1.0, np.arange(23.0)]
    )
    sums = bootstrap_column_sums(
        z, stratum, n_resamples=40, rng=np.random.default_rng(1), chunk_elements=50
    )
    assert sums.shape == (40, 4)
    assert (
        (sums[:, 0] == 23).all()
        and (sums[:, 1] == 5).all()
        and (sums[:, 2] == 11).all()
    )
    assert sums[:, 3].std() > 0
    again = bootstrap_column_sums(
        z, stratum, n_resamples=40, rng=np.random.default_rng(1), chunk_elements=50
    )
    assert_allclose(sums, again)
