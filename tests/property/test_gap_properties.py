"""Invariants of the gap model (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from cxmetrics.gap import gap
from cxmetrics.priority import key_experiences

TOL = {"rtol": 1e-9, "atol": 1e-9}
COLUMNS = ["estimate", "std_error", "ci_low", "ci_high"]


@st.composite
def pairs(draw: st.DrawFn, high: int = 10) -> pd.DataFrame:
    n = draw(st.integers(5, 60))
    k = draw(st.integers(1, 3))
    data = {}
    for j in range(k):
        data[f"e{j}"] = draw(st.lists(st.integers(0, high), min_size=n, max_size=n))
        data[f"x{j}"] = draw(st.lists(st.integers(0, high), min_size=n, max_size=n))
    data["w"] = draw(st.lists(st.floats(0.2, 5.0), min_size=n, max_size=n))
    return pd.DataFrame(data).astype(float)


def run(data: pd.DataFrame, first: str, second: str, **kw) -> pd.DataFrame:
    k = sum(c.startswith("e") for c in data.columns)
    import warnings

    from cxmetrics.errors import DegenerateDataWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        return gap(
            data,
            [f"{first}{j}" for j in range(k)],
            [f"{second}{j}" for j in range(k)],
            attributes=[f"a{j}" for j in range(k)],
            weights="w",
            expectation_scale=(0, 10),
            min_n=0,
            **kw,
        ).to_frame()


@settings(max_examples=20)
@given(pairs())
def test_swapping_experience_and_expectation_negates_every_gap(
    data: pd.DataFrame,
) -> None:
    a = run(data, "e", "x")
    b = run(data, "x", "e")
    assert_allclose(a["estimate"], -b["estimate"], **TOL)
    assert_allclose(a["std_error"], b["std_error"], **TOL)
    assert_allclose(a["ci_low"], -b["ci_high"], **TOL)
    assert_allclose(a["share_negative"], b["share_positive"], **TOL)


@settings(max_examples=20)
@given(pairs(high=7), st.integers(0, 3))
def test_a_constant_shift_of_both_leaves_gaps_unchanged(
    data: pd.DataFrame, shift: int
) -> None:
    shifted = data.copy()
    rating = [c for c in data.columns if c != "w"]
    shifted[rating] = shifted[rating] + shift
    a = run(data, "e", "x")
    b = run(shifted, "e", "x")
    assert_allclose(a[COLUMNS], b[COLUMNS], **TOL)
    assert_allclose(b["experience"] - a["experience"], shift, **TOL)


@settings(max_examples=20)
@given(pairs(), st.floats(0.01, 100.0))
def test_scaling_weights_changes_nothing(data: pd.DataFrame, factor: float) -> None:
    a = run(data, "e", "x")
    b = run(data.assign(w=data["w"] * factor), "e", "x")
    assert_allclose(a[COLUMNS], b[COLUMNS], **TOL)


@settings(max_examples=20)
@given(pairs(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(data: pd.DataFrame, random) -> None:
    order = list(range(len(data)))
    random.shuffle(order)
    a = run(data, "e", "x")
    b = run(data.iloc[order], "e", "x")
    assert_allclose(a[COLUMNS], b[COLUMNS], **TOL)


@given(
    st.lists(st.floats(0, 10), min_size=3, max_size=6),
    st.lists(st.floats(0, 10), min_size=6, max_size=6),
    st.lists(st.floats(0.1, 10), min_size=6, max_size=6),
    st.data(),
)
def test_a_zero_importance_attribute_ranks_last(exp, ref, imp, data) -> None:
    k = len(exp)
    names = [f"a{j}" for j in range(k)]
    zero = data.draw(st.integers(0, k - 1))
    importance = {n: (0.0 if j == zero else imp[j]) for j, n in enumerate(names)}
    result = key_experiences(
        experience=dict(zip(names, exp, strict=True)),
        expectation=dict(zip(names, ref[:k], strict=True)),
        importance=importance,
    )
    table = result.to_frame().set_index("attribute")
    assert table.loc[names[zero], "rank"] == table["rank"].max() == k
    assert np.all(table["rank"].between(1, k))
