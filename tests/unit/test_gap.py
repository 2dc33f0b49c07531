"""gap and gap_to_target: behaviour, summary tables and every kind of bad input."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import polars as pl
import pytest
from numpy.testing import assert_allclose

import cxmetrics as cx
from cxmetrics.errors import (
    ColumnNotFoundError,
    DegenerateDataWarning,
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
)
from cxmetrics.estimators.gap import cronbach_alpha, difference_reliability
from cxmetrics.gap import attribute_names, gap, gap_to_target

ATTRS = ["product", "service", "price"]
EXP = [f"exp_{a}" for a in ATTRS]
EXPCT = [f"expct_{a}" for a in ATTRS]


@pytest.fixture
def ratings(rng: np.random.Generator) -> pd.DataFrame:
    n = 300
    level = rng.normal(size=n)
    data = {}
    for i, a in enumerate(ATTRS):
        data[f"exp_{a}"] = np.clip(
            np.rint(6 + i * 0.3 + 1.8 * (0.5 * level + rng.normal(size=n))), 0, 10
        )
        data[f"expct_{a}"] = np.clip(np.rint(7 + 1.5 * rng.normal(size=n)), 0, 10)
    data["weight"] = rng.gamma(4.0, 0.25, n)
    data["segment"] = rng.choice(["a", "b"], n)
    data["stratum"] = rng.choice(["s1", "s2"], n)
    return pd.DataFrame(data)


def test_gap_is_experience_minus_expectation(ratings: pd.DataFrame) -> None:
    result = gap(ratings, EXP, EXPCT)
    table = result.to_frame()
    assert table["attribute"].tolist() == ATTRS
    assert_allclose(
        table["estimate"], table["experience"] - table["expectation"], rtol=1e-12
    )
    direct = (ratings[EXP].to_numpy() - ratings[EXPCT].to_numpy()).mean(axis=0)
    assert_allclose(table["estimate"], direct, rtol=1e-12)
    assert (table["share_negative"] + table["share_positive"] <= 1).all()
    assert {"estimate", "std_error", "ci_low", "ci_high", "n", "n_eff"} <= set(table)


def test_gap_matches_compare_scores_paired(ratings: pd.DataFrame) -> None:
    ours = (
        gap(ratings, ["exp_price"], ["expct_price"], weights="weight")
        .to_frame()
        .iloc[0]
    )
    theirs = (
        cx.compare_scores_paired(
            ratings, "exp_price", "expct_price", scale=(0, 10), weights="weight"
        )
        .to_frame()
        .iloc[0]
    )
    assert_allclose(ours["estimate"], theirs["estimate"], rtol=1e-12)
    assert_allclose(ours["std_error"], theirs["std_error"], rtol=1e-12)


def test_attribute_names_are_derived_from_column_pairs() -> None:
    assert attribute_names(
        ["exp_price", "exp_service"], ["expct_price", "expct_service"]
    ) == ["price", "service"]
    assert attribute_names(["price_exp"], ["price_expct"]) == ["price"]
    assert attribute_names(["a", "b"], ["x", "y"]) == ["a", "b"]


def test_grouped_gaps_keep_every_group(ratings: pd.DataFrame) -> None:
    result = gap(ratings, EXP, EXPCT, by="segment", weights="weight", strata="stratum")
    table = result.to_frame()
    assert len(table) == 2 * len(ATTRS)
    assert table.columns[0] == "segment"
    assert "GapResult(6 rows" in repr(result)


def test_summary_table_with_missing_cells() -> None:
    result = gap(
        experience=pd.Series({"price": 7.0, "service": 6.0, "brand": np.nan}),
        expectation={"price": 7, "service": None, "convenience": 8},
    )
    table = result.to_frame().set_index("attribute")
    assert table.loc["price", "estimate"] == 0
    assert table.loc["service", "note"] == "expectation not given"
    assert table.loc["brand", "note"] == "experience and expectation not given"
    assert table.loc["convenience", "note"] == "experience not given"
    assert "summary table" in result.summary().as_text()


def test_summary_numbers_as_lists_need_attributes() -> None:
    result = gap(experience=[6, 5], expectation=[7, 7], attributes=["a", "b"])
    assert result.to_frame()["estimate"].tolist() == [-1, -2]
    with pytest.raises(InvalidParameterError, match="needs `attributes`"):
        gap(experience=[6, 5], expectation=[7, 7])


def test_inputs_are_never_modified(ratings: pd.DataFrame) -> None:
    before = ratings.copy()
    exp = list(EXP)
    gap(ratings, exp, EXPCT, weights="weight", by="segment", reliability=0.8)
    gap_to_target(ratings, exp, target=8)
    pd.testing.assert_frame_equal(ratings, before)
    assert exp == EXP


def test_lists_of_different_length(ratings: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match=r"same order; got 3 and 2 columns"):
        gap(ratings, EXP, EXPCT[:2])


def test_attribute_missing_from_one_side_of_column_mappings(
    ratings: pd.DataFrame,
) -> None:
    with pytest.raises(
        InvalidParameterError, match=r"missing from `expectation`: \['service'\]"
    ):
        gap(
            ratings,
            {"price": "exp_price", "service": "exp_service"},
            {"price": "expct_price"},
        )


def test_non_numeric_ratings(ratings: pd.DataFrame) -> None:
    data = ratings.assign(
        exp_price=ratings["exp_price"].astype(str).replace("7.0", "good")
    )
    with pytest.raises(
        InvalidDataError, match=r"'exp_price'.*must hold numbers.*'good'"
    ):
        gap(data, EXP, EXPCT)


def test_missing_column_suggests_a_name(ratings: pd.DataFrame) -> None:
    with pytest.raises(
        ColumnNotFoundError, match=r"'exp_prise'.*Did you mean 'exp_price'"
    ):
        gap(ratings, ["exp_prise"], ["expct_price"])


def test_dont_know_codes_need_na_values(ratings: pd.DataFrame) -> None:
    data = ratings.copy()
    data.loc[[0, 1], "expct_price"] = 99
    with pytest.raises(InvalidDataError, match=r"outside the scale.*\[99\].*na_values"):
        gap(data, EXP, EXPCT)
    table = gap(data, EXP, EXPCT, na_values=[99]).to_frame().set_index("attribute")
    assert table.loc["price", "n"] == len(data) - 2
    assert table.loc["price", "n_omitted"] == 2


def test_constant_attribute_warns_and_flags(ratings: pd.DataFrame) -> None:
    data = ratings.assign(exp_price=5.0, expct_price=7.0)
    with pytest.warns(DegenerateDataWarning, match=r"\['price'\].*no variation"):
        table = gap(data, EXP, EXPCT).to_frame().set_index("attribute")
    assert table.loc["price", "estimate"] == -2
    assert np.isnan(table.loc["price", "p_value"])
    assert table.loc["price", "note"] == "no variation in the gap: test undefined"


def test_all_missing_attribute_is_a_flagged_row(ratings: pd.DataFrame) -> None:
    data = ratings.assign(expct_service=np.nan)
    table = gap(data, EXP, EXPCT).to_frame().set_index("attribute")
    assert table.index.tolist() == ATTRS
    assert np.isnan(table.loc["service", "estimate"])
    assert "no respondent rated both" in table.loc["service", "note"]
    with pytest.raises(
        InsufficientDataError, match="No attribute has usable responses"
    ):
        gap(ratings.assign(**dict.fromkeys(EXPCT, np.nan)), EXP, EXPCT)


def test_nan_policy_raise(ratings: pd.DataFrame) -> None:
    data = ratings.copy()
    data.loc[3, "exp_price"] = np.nan
    with pytest.raises(InvalidDataError, match="nan_policy='raise'"):
        gap(data, EXP, EXPCT, nan_policy="raise")


def test_different_declared_scales_need_rescale(ratings: pd.DataFrame) -> None:
    with pytest.raises(
        InvalidParameterError, match=r"differs from `scale`.*rescale=True"
    ):
        gap(ratings, EXP, EXPCT, expectation_scale=(1, 5))


def test_ratings_that_look_like_different_scales(ratings: pd.DataFrame) -> None:
    five = ratings.assign(
        expct_price=np.clip(np.rint(ratings["expct_price"] / 2), 1, 5)
    )
    with pytest.raises(
        InvalidDataError, match=r"seem to use different scales.*rescale=True"
    ):
        gap(five, ["exp_price"], ["expct_price"])
    rescaled = gap(
        five, ["exp_price"], ["expct_price"], expectation_scale=(1, 5), rescale=True
    )
    row = rescaled.to_frame().iloc[0]
    expected = (five["expct_price"] - 1) * 10 / 4
    assert_allclose(row["expectation"], expected.mean(), rtol=1e-12)
    assert_allclose(row["estimate"], (five["exp_price"] - expected).mean(), rtol=1e-12)


def test_summary_numbers_off_the_scale() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"`experience\['price'\]` = 70 is outside"
    ):
        gap(experience={"price": 70}, expectation={"price": 7})


def test_data_and_summary_arguments_must_match(ratings: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="`data` is needed"):
        gap(experience=EXP, expectation=EXPCT)
    with pytest.raises(InvalidParameterError, match="must name rating columns"):
        gap(ratings, {"price": 7}, {"price": 7})
    with pytest.raises(InvalidParameterError, match="need respondent data"):
        gap(experience={"price": 7}, expectation={"price": 7}, weights="weight")
    with pytest.raises(InvalidParameterError, match="`expectation` is required"):
        gap(ratings, EXP)


def test_alternatives(ratings: pd.DataFrame) -> None:
    two = gap(ratings, EXP, EXPCT).to_frame()
    less = gap(ratings, EXP, EXPCT, alternative="less").to_frame()
    greater = gap(ratings, EXP, EXPCT, alternative="greater").to_frame()
    assert_allclose(less["p_value"] + greater["p_value"], 1.0, rtol=1e-12)
    assert_allclose(
        np.minimum(less["p_value"], greater["p_value"]) * 2, two["p_value"], rtol=1e-9
    )


def test_reliability_of_the_difference(ratings: pd.DataFrame) -> None:
    result = gap(ratings, EXP, EXPCT, reliability={"price": (0.8, 0.7)})
    table = result.to_frame().set_index("attribute")
    assert np.isnan(table.loc["service", "reliability_gap"])
    e, x = ratings["exp_price"], ratings["expct_price"]
    r = np.corrcoef(e, x)[0, 1]
    expected = difference_reliability(e.var(ddof=0), x.var(ddof=0), r, 0.8, 0.7)
    assert_allclose(table.loc["price", "reliability_gap"], expected, rtol=1e-10)
    assert_allclose(table.loc["price", "correlation"], r, rtol=1e-10)
    # equal variances and reliabilities: (rho - r) / (1 - r)
    assert_allclose(difference_reliability(1.0, 1.0, 0.5, 0.8, 0.8), 0.6)
    assert result.index_reliability["alpha_experience"] > 0
    with pytest.raises(InvalidParameterError, match=r"reliabilities in \(0, 1\]"):
        gap(ratings, EXP, EXPCT, reliability=1.5)
    with pytest.raises(InvalidParameterError, match="unknown attributes"):
        gap(ratings, EXP, EXPCT, reliability={"prise": 0.8})


def test_cronbach_alpha_closed_form() -> None:
    cov = np.array([[1.0, 0.5], [0.5, 1.0]])
    assert_allclose(cronbach_alpha(cov), 2 * (1 - 2 / 3))
    assert np.isnan(cronbach_alpha(np.eye(1)))


def test_gap_to_target(ratings: pd.DataFrame) -> None:
    result = gap_to_target(
        ratings, EXP, target={"product": 8, "service": 7, "price": None}
    )
    table = result.to_frame().set_index("attribute")
    assert_allclose(
        table.loc["product", "estimate"], ratings["exp_product"].mean() - 8, rtol=1e-12
    )
    assert table.loc["price", "note"] == "target not given"
    assert_allclose(
        table.loc["product", "share_negative"], (ratings["exp_product"] < 8).mean()
    )
    paired = gap_to_target(ratings, EXP, target=EXPCT).to_frame()
    assert_allclose(paired["estimate"], gap(ratings, EXP, EXPCT).to_frame()["estimate"])
    with pytest.raises(InvalidParameterError, match="outside the scale"):
        gap_to_target(ratings, EXP, target=12)
    from cxmetrics.gap import _gap_impl  # reliability with a fixed target

    with pytest.raises(InvalidParameterError, match="fixed target"):
        _gap_impl(
            "gap_to_target",
            ratings,
            EXP,
            8,
            reference_name="target",
            attributes=None,
            weights=None,
            by=None,
            strata=None,
            scale=(0, 10),
            reference_scale=None,
            rescale=False,
            reliability=0.8,
            confidence_level=0.95,
            alternative="two-sided",
            nan_policy="omit",
            na_values=(),
            min_n=30,
        )


def test_polars_lazy_input_matches_pandas(ratings: pd.DataFrame) -> None:
    a = gap(ratings, EXP, EXPCT, weights="weight", by="segment").to_frame()
    b = gap(
        pl.from_pandas(ratings).lazy(), EXP, EXPCT, weights="weight", by="segment"
    ).to_frame()
    assert_allclose(a["estimate"], b["estimate"], rtol=1e-12)
    assert_allclose(a["std_error"], b["std_error"], rtol=1e-12)


def test_result_protocol(ratings: pd.DataFrame) -> None:
    result = gap(ratings, EXP, EXPCT, weights="weight")
    assert "<table" in result._repr_html_()
    summary = result.summary()
    assert "versions" in summary.as_text() and "\\begin{tabular}" in summary.as_latex()
    data = result.to_dict()
    assert data["kind"] == "GapResult" and len(data["rows"]) == 3
    ci = result.confidence_interval(0.8)
    assert (ci.low >= result.to_frame()["ci_low"]).all()
    assert result.gaps.index.tolist() == ATTRS
    with pytest.raises((AttributeError, TypeError)):
        result.table = None  # type: ignore[misc]
    single = gap(ratings, ["exp_price"], ["expct_price"])
    assert repr(single).startswith("GapResult(price: experience − expectation")
    assert isinstance(single.estimate, float)


FUNCTIONS = [gap, gap_to_target]


def _call(func, ratings):
    if func is gap:
        return lambda **kw: gap(ratings, EXP, EXPCT, **kw)
    return lambda **kw: gap_to_target(ratings, EXP, **{"target": 8, **kw})


@pytest.mark.parametrize(
    ("func", "name"),
    [
        pytest.param(f, name, id=f"{f.__name__}-{name}")
        for f in FUNCTIONS
        for name in f.__cxmetrics_constraints__  # type: ignore[attr-defined]
        if name not in ("by", "experience", "expectation", "target")  # data arguments
    ],
)
def test_declared_constraints_reject_invalid_values(func, name, ratings) -> None:
    constraint = func.__cxmetrics_constraints__[name]
    with pytest.raises(InvalidParameterError, match=f"`{name}`"):
        _call(func, ratings)(**{name: constraint.invalid_example()})


def test_ratings_arguments_reject_other_types(ratings: pd.DataFrame) -> None:
    with pytest.raises(
        InvalidParameterError, match="`experience` must be a column name"
    ):
        gap(ratings, {1, 2}, EXPCT)
    with pytest.raises(InvalidParameterError, match="`target` must be"):
        gap_to_target(ratings, EXP, target={1, 2})


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
