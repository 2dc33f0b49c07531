"""Invariants of the score estimators (hypothesis)."""

from __future__ import annotations

import warnings

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import cxmetrics as cx
from cxmetrics.suffstats import CategoryCounts

TOL = {"rtol": 1e-9, "atol": 1e-9}
METHODS = ["wald", "adjusted_wald", "score", "bayes"]


@st.composite
def survey(draw: st.DrawFn, min_size: int = 30) -> pd.DataFrame:
    n = draw(st.integers(min_size, 120))
    scores = draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
    weights = draw(st.lists(st.floats(0.2, 5.0), min_size=n, max_size=n))
    groups = draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n))
    data = pd.DataFrame({"nps": scores, "w": weights, "g": groups})
    # every group needs two responses for a meaningful design
    for label in ("a", "b"):
        if (data["g"] == label).sum() < 2:
            data.loc[len(data)] = [9, 1.0, label]
            data.loc[len(data)] = [3, 1.0, label]
    return data


def run(data: pd.DataFrame, **kw) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.errors.SmallSampleWarning)
        return (
            cx.nps(data, "nps", min_n=0, **kw)
            .to_frame()
            .sort_values("g" if "by" in kw else "n")
            .reset_index(drop=True)
        )


@given(survey(), st.sampled_from(METHODS))
def test_unit_weights_equal_unweighted(data: pd.DataFrame, method: str) -> None:
    a = run(data.assign(w=1.0), weights="w", method=method)
    b = run(data, method=method)
    assert_allclose(
        a[["estimate", "std_error", "ci_low", "ci_high"]],
        b[["estimate", "std_error", "ci_low", "ci_high"]],
        **TOL,
    )


@given(survey(), st.floats(0.01, 100.0), st.sampled_from(METHODS))
def test_scaling_weights_changes_nothing(
    data: pd.DataFrame, factor: float, method: str
) -> None:
    a = run(data, weights="w", by="g", method=method)
    b = run(data.assign(w=data["w"] * factor), weights="w", by="g", method=method)
    assert_allclose(
        a[["estimate", "std_error", "ci_low", "ci_high"]],
        b[["estimate", "std_error", "ci_low", "ci_high"]],
        **TOL,
    )


@given(survey(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(data: pd.DataFrame, random) -> None:
    order = list(range(len(data)))
    random.shuffle(order)
    a = run(data, weights="w", by="g")
    b = run(data.iloc[order], weights="w", by="g")
    assert_allclose(
        a[["estimate", "std_error", "ci_low", "ci_high"]],
        b[["estimate", "std_error", "ci_low", "ci_high"]],
        **TOL,
    )


@given(survey(), survey())
def test_merged_sums_equal_pooled_data(
    first: pd.DataFrame, second: pd.DataFrame
) -> None:
    from cxmetrics.data.frame import reduce_values
    from cxmetrics.data.scales import NPS_SCALE
    from cxmetrics.data.summaries import category_counts

    def counts(d: pd.DataFrame) -> CategoryCounts:
        vt = reduce_values(d, ["nps"], weights="w", integer_range=(0, 10))
        return category_counts(vt, argument="nps", scale=NPS_SCALE, nan_policy="omit")[
            0
        ]

    merged = counts(first) + counts(second)
    pooled = counts(pd.concat([first, second], ignore_index=True))
    assert_allclose(merged.n, pooled.n)
    assert_allclose(merged.sum_w, pooled.sum_w, rtol=1e-12)
    assert_allclose(merged.sum_w2, pooled.sum_w2, rtol=1e-12)


@given(survey(), st.sampled_from(METHODS))
def test_swapping_promoters_and_detractors_negates_nps(
    data: pd.DataFrame, method: str
) -> None:
    swapped = data.assign(
        nps=data["nps"].map(lambda s: 10 if s <= 6 else (0 if s >= 9 else s))
    )
    a = run(data, weights="w", method=method)
    b = run(swapped, weights="w", method=method)
    assert_allclose(a["estimate"], -b["estimate"], **TOL)
    assert_allclose(a["std_error"], b["std_error"], **TOL)
    if (
        method != "bayes"
    ):  # the posterior interval is symmetric too, to quadrature accuracy
        assert_allclose(a["ci_low"], -b["ci_high"], **TOL)
    else:
        assert_allclose(a["ci_low"], -b["ci_high"], atol=1e-6)


@given(survey(min_size=2), st.sampled_from(METHODS), st.floats(0.5, 0.99))
def test_interval_contains_estimate_and_stays_in_range(
    data: pd.DataFrame, method: str, level: float
) -> None:
    res = (
        cx.nps(
            data,
            "nps",
            weights="w",
            by="g",
            method=method,
            min_n=0,
            confidence_level=level,
        )
        if method != "wald"
        else None
    )
    if res is None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cx.errors.SmallSampleWarning)
            res = cx.nps(
                data,
                "nps",
                weights="w",
                by="g",
                method=method,
                min_n=0,
                confidence_level=level,
            )
    t = res.to_frame()
    assert ((t["estimate"] >= -100) & (t["estimate"] <= 100)).all()
    assert ((t["ci_low"] >= -100) & (t["ci_high"] <= 100)).all()
    # the adjusted-Wald and Bayes intervals shrink towards 0: with an NPS of
    # ±100 they exclude it by design (pseudo-counts / prior)
    if method not in ("adjusted_wald", "bayes"):
        assert (
            (t["ci_low"] <= t["estimate"] + 1e-9)
            & (t["estimate"] <= t["ci_high"] + 1e-9)
        ).all()


@given(survey(), st.sampled_from(METHODS))
def test_interval_widens_with_confidence_level(data: pd.DataFrame, method: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.errors.SmallSampleWarning)
        res = cx.nps(data, "nps", weights="w", method=method, min_n=0)
    narrow = res.confidence_interval(0.80)
    wide = res.confidence_interval(0.99)
    assert wide.low[0] <= narrow.low[0] + 1e-9
    assert wide.high[0] >= narrow.high[0] - 1e-9


@given(survey(), st.integers(2, 4))
def test_frequency_replication_equals_repeated_rows_estimate(
    data: pd.DataFrame, k: int
) -> None:
    """Integer weights give the NPS of replicated rows (the estimate; SEs differ by design)."""
    a = cx.nps(data.assign(w=float(k)), "nps", weights="w").estimate
    b = cx.nps(pd.concat([data] * k, ignore_index=True), "nps").estimate
    assert_allclose(a, b, **TOL)


@given(survey())
def test_to_frame_round_trips_through_to_dict(data: pd.DataFrame) -> None:
    res = cx.nps(data, "nps", weights="w", by="g")
    rebuilt = pd.DataFrame(res.to_dict()["rows"])
    frame = res.to_frame()
    assert list(rebuilt.columns) == list(frame.columns)
    assert_allclose(
        rebuilt["estimate"].to_numpy(float), frame["estimate"].to_numpy(float)
    )


@given(survey())
def test_share_interval_bounds(data: pd.DataFrame) -> None:
    for method in ("wilson", "jeffreys", "clopper_pearson"):
        t = cx.top_box(
            data, "nps", top=(9, 10), scale=(0, 10), weights="w", method=method, min_n=0
        ).to_frame()
        assert ((t["ci_low"] >= 0) & (t["ci_high"] <= 1)).all()
        assert (
            (t["ci_low"] <= t["estimate"] + 1e-12)
            & (t["estimate"] <= t["ci_high"] + 1e-12)
        ).all()
