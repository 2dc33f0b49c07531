"""Invariants of weighting and period comparisons (hypothesis)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from cxmetrics.compare import compare_periods, decompose_change, standardize
from cxmetrics.errors import WeightingWarning
from cxmetrics.weighting import calibrated_score, poststratify, rake

TOL = {"rtol": 1e-9, "atol": 1e-9}
# each example runs several estimators on a fresh frame; 15 keeps the suite fast
FEW = settings(max_examples=15)


@st.composite
def waves(draw: st.DrawFn) -> pd.DataFrame:
    """Two or three waves, segments a/b/c present in every wave, positive weights."""
    n_periods = draw(st.integers(2, 3))
    rows = []
    for t in range(n_periods):
        n = draw(st.integers(12, 40))
        segment = draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
        score = draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
        weight = draw(st.lists(st.floats(0.2, 5.0), min_size=n, max_size=n))
        channel = draw(
            st.lists(st.sampled_from(["app", "web"]), min_size=n, max_size=n)
        )
        for s in "abc":  # every segment × channel in every wave, twice
            for c in ("app", "web"):
                segment += [s, s]
                channel += [c, c]
                score += [9, 3]
                weight += [1.0, 1.0]
        rows.append(
            pd.DataFrame(
                {
                    "period": f"P{t}",
                    "segment": segment,
                    "channel": channel,
                    "nps": np.asarray(score, dtype=float),
                    "w": weight,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


@FEW
@given(waves(), st.sampled_from(["segment", ["segment", "channel"]]))
def test_rate_plus_mix_equals_total_exactly(data: pd.DataFrame, mix: object) -> None:
    res = decompose_change(data, "nps", "period", mix=mix, weights="w")  # type: ignore[arg-type]
    assert abs(res.rate_effect + res.mix_effect - res.total_change) <= 1e-9
    assert abs(res.score_b - res.score_a - res.total_change) <= 1e-9
    assert abs(res.segments["contribution"].sum() - res.total_change) <= 1e-9


@FEW
@given(waves())
def test_cells_and_das_gupta_agree_on_rate_and_total(data: pd.DataFrame) -> None:
    a = decompose_change(data, "nps", "period", mix=["segment", "channel"], weights="w")
    b = decompose_change(
        data, "nps", "period", mix=["segment", "channel"], weights="w", method="cells"
    )
    assert_allclose(a.total_change, b.total_change, **TOL)
    parts = a.to_frame().drop_duplicates("component").set_index("component")
    mix_parts = parts.loc[["mix_segment", "mix_channel", "mix_association"], "estimate"]
    assert_allclose(mix_parts.sum(), a.mix_effect, **TOL)


@FEW
@given(waves(), st.floats(0.01, 100.0))
def test_scaling_weights_changes_nothing(data: pd.DataFrame, factor: float) -> None:
    a = compare_periods(data, "nps", "period", weights="w", by="segment")
    b = compare_periods(
        data.assign(w=data["w"] * factor), "nps", "period", weights="w", by="segment"
    )
    for column in ("estimate", "std_error", "ci_low", "ci_high"):
        assert_allclose(a.to_frame()[column], b.to_frame()[column], **TOL)
    assert_allclose(a.tracking["center"], b.tracking["center"], **TOL)


@FEW
@given(waves(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(data: pd.DataFrame, random) -> None:
    order = list(range(len(data)))
    random.shuffle(order)
    a = compare_periods(data, "nps", "period", weights="w").to_frame()
    b = compare_periods(data.iloc[order], "nps", "period", weights="w").to_frame()
    assert_allclose(a["estimate"], b["estimate"], **TOL)
    assert_allclose(a["std_error"], b["std_error"], **TOL)
    da = decompose_change(data, "nps", "period", mix="segment", weights="w")
    db = decompose_change(data.iloc[order], "nps", "period", mix="segment", weights="w")
    key = ["component", "segment"]
    left = da.to_frame().sort_values(key)
    right = db.to_frame().sort_values(key)
    assert_allclose(left["estimate"], right["estimate"], **TOL)
    assert_allclose(left["std_error"], right["std_error"], **TOL)


@FEW
@given(waves())
def test_standardizing_to_a_period_own_mix_gives_its_crude_score(
    data: pd.DataFrame,
) -> None:
    res = standardize(data, "nps", "period", mix="segment", weights="w", standard="P1")
    row = res.to_frame().set_index("period").loc["P1"]
    assert_allclose(row["estimate"], row["crude"], **TOL)
    assert res.to_frame()["estimate"].between(-100, 100).all()


@FEW
@given(waves(), st.floats(0.05, 0.6), st.floats(0.2, 0.8))
def test_raking_reaches_every_margin(
    data: pd.DataFrame, a_share: float, app: float
) -> None:
    margins = {
        "segment": {"a": a_share, "b": (1 - a_share) / 2, "c": (1 - a_share) / 2},
        "channel": {"app": app, "web": 1 - app},
    }
    with warnings.catch_warnings():  # extreme draws may warn; not the point here
        warnings.simplefilter("ignore", WeightingWarning)
        res = rake(data, margins, base_weights="w")
        scaled = rake(data.assign(w=3 * data["w"]), margins, base_weights="w")
    w = res.weights
    assert_allclose(w.sum(), data["w"].sum(), rtol=1e-10)
    share = w.groupby(data["segment"]).sum() / w.sum()
    assert_allclose(share["a"], a_share, rtol=1e-8)
    share = w.groupby(data["channel"]).sum() / w.sum()
    assert_allclose(share["app"], app, rtol=1e-8)
    # scaling the base weights scales the weights (shares keep the base total)
    assert_allclose(scaled.weights, 3 * w, rtol=1e-9)


@FEW
@given(waves())
def test_poststratify_se_is_greg_on_the_joint_cells(data: pd.DataFrame) -> None:
    cells = data.groupby(["segment", "channel"])["w"].sum() * 2.0
    targets = {key: float(v) for key, v in cells.items()}
    ps = poststratify(data, {("segment", "channel"): targets}, base_weights="w")
    greg = rake(
        data, {("segment", "channel"): targets}, base_weights="w", variance="greg"
    )
    a = calibrated_score(data, "nps", ps, by="period").to_frame()
    b = calibrated_score(data, "nps", greg, by="period").to_frame()
    assert_allclose(a["std_error"], b["std_error"], **TOL)
    assert_allclose(a["estimate"], b["estimate"], **TOL)


@FEW
@given(waves())
def test_change_intervals_contain_their_estimate(data: pd.DataFrame) -> None:
    res = compare_periods(data, "nps", "period", weights="w", baseline="first")
    t = res.to_frame()
    assert ((t["ci_low"] <= t["estimate"]) & (t["estimate"] <= t["ci_high"])).all()
    assert (t["p_adjusted"] >= t["p_value"] - 1e-15).all()
