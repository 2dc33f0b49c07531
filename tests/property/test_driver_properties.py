"""Invariants of driver analysis (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from cxmetrics.drivers import drivers
from cxmetrics.estimators import relimp
from cxmetrics.suffstats.crossprod import CrossProducts


@st.composite
def survey_frames(draw: st.DrawFn, max_p: int = 4) -> pd.DataFrame:
    """0–10 ratings: an outcome driven by p drivers, with positive weights."""
    p = draw(st.integers(1, max_p))
    n = draw(st.integers(p + 12, 60))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 11, size=(n, p)).astype(float)
    coef = np.array(draw(st.lists(st.floats(-1, 1), min_size=p, max_size=p)))
    y = np.clip(np.round(5 + (x - 5) @ coef + rng.normal(0, 1.5, size=n)), 0, 10)
    frame = pd.DataFrame(x, columns=[f"d{j}" for j in range(p)])
    frame["y"] = y
    frame["w"] = rng.uniform(0.3, 3.0, size=n)
    return frame


def usable(frame: pd.DataFrame) -> bool:
    cols = [c for c in frame.columns if c.startswith("d")] + ["y"]
    if (frame[cols].std() < 1e-9).any():
        return False
    r = np.corrcoef(frame[cols].to_numpy().T)
    return bool(np.linalg.eigvalsh(r[:-1, :-1])[0] > 1e-6)


def drivers_of(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("d")]


def quiet(frame: pd.DataFrame, order: list[str] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    import warnings

    from cxmetrics.errors import CxMetricsWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxMetricsWarning)  # sign-conflict warnings
        return drivers(frame, "y", order or drivers_of(frame), **kwargs)  # type: ignore[arg-type]


@given(survey_frames())
def test_shapley_and_relative_weights_sum_to_r2(frame: pd.DataFrame) -> None:
    assume(usable(frame))
    res = quiet(frame, weights="w")
    assert_allclose(res.methods["shapley"].sum(), res.r2, rtol=1e-9, atol=1e-12)
    assert_allclose(
        res.methods["relative_weights"].sum(), res.r2, rtol=1e-9, atol=1e-12
    )
    assert_allclose(res.methods["pratt"].sum(), res.r2, rtol=1e-9, atol=1e-12)
    assert (res.methods["shapley"] >= -1e-12).all()
    assert (res.methods["relative_weights"] >= -1e-12).all()


@given(survey_frames(), st.data())
def test_permuting_drivers_permutes_the_result(
    frame: pd.DataFrame, data: st.DataObject
) -> None:
    assume(usable(frame))
    names = drivers_of(frame)
    order = data.draw(st.permutations(names))
    a = quiet(frame, names, weights="w").to_frame().set_index("driver")
    b = quiet(frame, list(order), weights="w").to_frame().set_index("driver")
    assert list(b.index) == list(order)
    for column in ("importance", "std_error", "share", "coefficient"):
        assert_allclose(b.loc[names, column], a[column], rtol=1e-9, atol=1e-12)


@given(survey_frames(max_p=1))
def test_one_driver_standardized_coefficient_is_the_correlation(
    frame: pd.DataFrame,
) -> None:
    assume(usable(frame))
    res = quiet(frame)
    r = np.corrcoef(frame["d0"], frame["y"])[0, 1]
    assert_allclose(res.to_frame()["std_coefficient"].iloc[0], r, rtol=1e-9)
    for method in relimp.LINEAR_METHODS:
        expected = r if method == "beta" else r**2
        assert_allclose(res.methods[method].iloc[0], expected, rtol=1e-9, atol=1e-14)


@given(survey_frames(), st.floats(0.01, 100))
def test_weights_scale_free_and_unit_weights_unweighted(
    frame: pd.DataFrame, c: float
) -> None:
    assume(usable(frame))
    a = quiet(frame, weights="w").to_frame()
    b = quiet(frame.assign(w=frame["w"] * c), weights="w").to_frame()
    numeric = [
        "importance",
        "std_error",
        "ci_low",
        "ci_high",
        "share",
        "coefficient",
        "coef_std_error",
    ]
    # the delta-method SEs come from central differences: ~1e-12 absolute noise
    assert_allclose(b[numeric], a[numeric], rtol=1e-8, atol=1e-9)
    ones = quiet(frame.assign(w=1.0), weights="w").to_frame()
    plain = quiet(frame).to_frame()
    assert_allclose(ones[numeric], plain[numeric], rtol=1e-8, atol=1e-9)


@given(survey_frames(), st.data())
def test_row_order_and_merging_do_not_matter(
    frame: pd.DataFrame, data: st.DataObject
) -> None:
    assume(usable(frame))
    seed = data.draw(st.integers(0, 1000))
    shuffled = frame.sample(frac=1.0, random_state=seed)
    a = quiet(frame, weights="w").to_frame()
    b = quiet(shuffled, weights="w").to_frame()
    assert_allclose(b["importance"], a["importance"], rtol=1e-9, atol=1e-12)
    cols = ["y", *drivers_of(frame)]
    cut = data.draw(st.integers(1, len(frame) - 1))
    x, w = frame[cols].to_numpy(), frame["w"].to_numpy()
    whole = CrossProducts.from_arrays(cols, x, w)
    merged = CrossProducts.from_arrays(
        cols, x[:cut], w[:cut]
    ) + CrossProducts.from_arrays(cols, x[cut:], w[cut:])
    assert_allclose(merged.correlation(), whole.correlation(), rtol=1e-9, atol=1e-12)
    assert (CrossProducts.empty(cols) + whole).n == whole.n


@given(survey_frames())
def test_to_frame_round_trips_through_to_dict(frame: pd.DataFrame) -> None:
    assume(usable(frame))
    res = quiet(frame, weights="w")
    rows = pd.DataFrame(res.to_dict()["rows"])
    assert rows["driver"].tolist() == res.to_frame()["driver"].tolist()
    assert_allclose(rows["importance"], res.to_frame()["importance"])
    ci = res.confidence_interval()
    assert np.all((ci.low <= res.to_frame()["importance"] + 1e-12) | np.isnan(ci.low))
