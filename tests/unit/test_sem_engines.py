"""The semopy adapter: starting values, cross-check, failures wrapped (sem extra)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cxmetrics._engines.model_syntax import build_partable, parse_model
from cxmetrics._engines.semopy_engine import fit_semopy, semopy_syntax
from cxmetrics.errors import EngineError, MissingDependencyError
from cxmetrics.sem import DriverSEM

pytestmark = pytest.mark.engine_sem

DATA = Path(__file__).parents[1] / "reference" / "data"
MODEL = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"""


@pytest.fixture(scope="module")
def poldem() -> pd.DataFrame:
    return pd.read_csv(DATA / "political_democracy.csv")


def test_semopy_starts_reach_the_same_optimum(poldem: pd.DataFrame) -> None:
    model = DriverSEM(MODEL)
    default = model.fit(poldem)
    semopy_start = model.fit(poldem, start="semopy")
    assert_allclose(
        semopy_start.to_frame()["estimate"], default.to_frame()["estimate"], rtol=1e-8
    )
    assert semopy_start.call["start"] == "semopy"


def test_semopy_slsqp_stops_short_of_lavaans_optimum(poldem: pd.DataFrame) -> None:
    table = build_partable(parse_model(MODEL))
    x = poldem[list(table.observed)].to_numpy(dtype=float)
    sample = np.cov(x, rowvar=False, bias=True)
    fitted = fit_semopy(table.rows, table.observed, sample, len(x))
    ours = DriverSEM(MODEL).fit(poldem).to_frame().set_index(["lhs", "op", "rhs"])
    diffs = [
        abs(value - ours.loc[key, "estimate"])
        for key, value in fitted.estimates.items()
        if key in ours.index
    ]
    assert len(diffs) >= 31
    # close (a good start) but not lavaan's optimum to 1e-4
    assert max(diffs) < 0.1
    assert max(diffs) > 1e-4


def test_syntax_written_for_semopy() -> None:
    table = build_partable(parse_model("f =~ x1 + x2 + x3\ny ~ f"))
    text = semopy_syntax(table.rows)
    assert "f =~ 1.0*x1" in text
    assert "y ~ f" in text


def test_semopy_failure_becomes_engine_error(
    poldem: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import semopy

    class Broken:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise ValueError("boom")

    monkeypatch.setattr(semopy, "Model", Broken)
    with pytest.raises(
        EngineError, match=r"semopy failed to fit the model \(ValueError: boom\)"
    ) as info:
        DriverSEM(MODEL).fit(poldem, start="semopy")
    assert isinstance(info.value.__cause__, ValueError)


def test_missing_semopy_names_the_extra(
    poldem: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "semopy", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'cxmetrics\[sem\]'"):
        DriverSEM(MODEL).fit(poldem, start="semopy")
