"""DriverSEM.fit: fitting, bad input, weights, bootstrap, lazy tables."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cxmetrics.datasets._acsi import ACSI_CONSTRUCTS, make_acsi_survey
from cxmetrics.errors import (
    ColumnNotFoundError,
    ConvergenceError,
    DegenerateDataWarning,
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
    RowsRequiredError,
)
from cxmetrics.estimators import sem as est
from cxmetrics.sem import DriverSEM, acsi_model, ecsi_model

DATA = Path(__file__).parents[1] / "reference" / "data"
CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
MEDIATION = "m ~ a*x\ny ~ b*m + c*x\nindirect := a*b\ntotal := c + a*b"


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(DATA / "holzinger_swineford.csv")


@pytest.fixture(scope="module")
def acsi_data() -> pd.DataFrame:
    return make_acsi_survey(1500, rng=7)


@pytest.fixture(scope="module")
def acsi() -> DriverSEM:
    constructs = {k: list(v) for k, v in ACSI_CONSTRUCTS.items() if k != "image"}
    return acsi_model(**constructs)


@pytest.fixture
def mediation_data(rng: np.random.Generator) -> pd.DataFrame:
    n = 400
    x = rng.standard_normal(n)
    m = 0.5 * x + rng.standard_normal(n)
    y = 0.4 * m + 0.2 * x + rng.standard_normal(n)
    return pd.DataFrame({"x": x, "m": m, "y": y, "w": rng.uniform(0.5, 2.0, n)})


# --- fitting --------------------------------------------------------------------------


def test_path_model_equals_least_squares(mediation_data: pd.DataFrame) -> None:
    result = DriverSEM(MEDIATION).fit(mediation_data)
    table = result.to_frame().set_index(["lhs", "op", "rhs"])
    x = np.column_stack([np.ones(400), mediation_data[["m", "x"]].to_numpy()])
    beta = np.linalg.lstsq(x, mediation_data["y"].to_numpy(), rcond=None)[0]
    assert_allclose(table.loc[("y", "~", "m"), "estimate"], beta[1], rtol=1e-8)
    assert_allclose(table.loc[("y", "~", "x"), "estimate"], beta[2], rtol=1e-8)
    # a saturated model fits perfectly
    assert result.fit_indices["df"] == 0
    assert_allclose(result.fit_indices["chisq"], 0.0, atol=1e-9)
    # defined parameters and effects agree, delta-method SEs included
    effects = result.effects("y").to_frame().set_index(["source", "effect"])
    indirect = result.to_frame().set_index("lhs").loc["indirect"]
    assert_allclose(
        effects.loc[("x", "indirect"), "estimate"], indirect["estimate"], rtol=1e-12
    )
    assert_allclose(
        effects.loc[("x", "indirect"), "std_error"], indirect["std_error"], rtol=1e-10
    )
    total = result.to_frame().set_index("lhs").loc["total"]
    assert_allclose(effects.loc[("x", "total"), "std_error"], total["std_error"])


def test_fit_returns_immutable_result_and_keeps_input(hs: pd.DataFrame) -> None:
    data = hs.copy()
    data.loc[[3, 8], "x2"] = np.nan
    before = data.copy()
    result = DriverSEM(CFA).fit(data)
    pd.testing.assert_frame_equal(data, before)
    assert result.n == len(data) - 2 and result.n_omitted == 2
    with pytest.raises(AttributeError):
        result.n = 3  # type: ignore[misc]
    assert result.converged
    assert set(result.fit_indices.index) >= {"chisq", "cfi", "rmsea", "srmr", "aic"}


def test_weights_scale_free_and_robust_by_default(
    mediation_data: pd.DataFrame,
) -> None:
    model = DriverSEM(MEDIATION)
    a = model.fit(mediation_data, weights="w")
    doubled = mediation_data.assign(w=mediation_data["w"] * 3.0)
    b = model.fit(doubled, weights="w")
    assert a.se == "robust"
    assert_allclose(a.to_frame()["estimate"], b.to_frame()["estimate"], rtol=1e-10)
    assert_allclose(a.to_frame()["std_error"], b.to_frame()["std_error"], rtol=1e-8)
    ones = model.fit(mediation_data.assign(w=1.0), weights="w")
    robust = model.fit(mediation_data, se="robust")
    assert_allclose(ones.to_frame()["std_error"], robust.to_frame()["std_error"])
    assert "weighted fit" in a.summary().as_text()


def test_weights_require_robust_or_bootstrap(mediation_data: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="se='standard'` ignores"):
        DriverSEM(MEDIATION).fit(mediation_data, weights="w", se="standard")


def test_lazy_table_gives_the_same_fit(hs: pd.DataFrame) -> None:
    pl = pytest.importorskip("polars")
    lazy = pl.from_pandas(hs).lazy()
    model = DriverSEM(CFA)
    expected = model.fit(hs).to_frame()
    got = model.fit(lazy).to_frame()
    assert_allclose(got["estimate"], expected["estimate"], rtol=1e-10)
    with pytest.raises(RowsRequiredError, match="needs the rows in memory"):
        model.fit(lazy, se="robust")


def test_templates(acsi: DriverSEM, acsi_data: pd.DataFrame) -> None:
    assert acsi.latent == (
        "expectation",
        "quality",
        "value",
        "satisfaction",
        "complaints",
        "loyalty",
    )
    result = acsi.fit(acsi_data)
    assert result.default_target() == "loyalty"
    ecsi = ecsi_model(**{k: list(v) for k, v in ACSI_CONSTRUCTS.items()})
    assert "loyalty ~ image + satisfaction + complaints" in ecsi.model
    no_complaints = acsi_model(
        expectation=["e1", "e2"],
        quality=["q1", "q2"],
        value=["v1", "v2"],
        satisfaction=["s1", "s2"],
        loyalty="l1",
        extra="e1 ~~ q1",
    )
    assert "loyalty ~ satisfaction" in no_complaints.model
    assert no_complaints.model.endswith("e1 ~~ q1")
    with pytest.raises(InvalidParameterError, match="Item 'q1' is given for both"):
        acsi_model(
            expectation=["q1"],
            quality=["q1", "q2"],
            value=["v1"],
            satisfaction=["s1"],
            loyalty=["l1"],
        )
    with pytest.raises(InvalidParameterError, match="`value` must be a column name"):
        acsi_model(
            expectation=["e1"],
            quality=["q1"],
            value=3,  # type: ignore[arg-type]
            satisfaction=["s1"],
            loyalty=["l1"],
        )


def test_acsi_recovers_the_true_paths() -> None:
    from cxmetrics.datasets._acsi import ACSI_SURVEY_TRUTH, load_acsi_survey

    constructs = {k: list(v) for k, v in ACSI_CONSTRUCTS.items() if k != "image"}
    result = acsi_model(**constructs).fit(load_acsi_survey())
    table = result.to_frame().set_index(["lhs", "op", "rhs"])
    for (source, target), value in ACSI_SURVEY_TRUTH.paths.items():
        if "complaints" in (source, target) or "image" in (source, target):
            continue  # binary indicator; image not in the ACSI model
        estimate = table.loc[(target, "~", source), "std_all"]
        assert abs(estimate - value) < 0.06, (source, target, estimate, value)


# --- bad input -------------------------------------------------------------------------


def test_unknown_column_in_the_model(hs: pd.DataFrame) -> None:
    with pytest.raises(
        ColumnNotFoundError,
        match=r"Column 'x10' \(from `model`\) not found in `data`. Did you mean 'x1'",
    ):
        DriverSEM("f =~ x1 + x2 + x10").fit(hs)


def test_unidentified_model_negative_df(hs: pd.DataFrame) -> None:
    with pytest.raises(
        InvalidParameterError, match=r"not identified: 7 free parameters .*\(df = -1\)"
    ):
        DriverSEM("f =~ x1 + x2 + x3\nx1 ~~ x2").fit(hs)


def test_unidentified_model_singular_information(hs: pd.DataFrame) -> None:
    # two factors with two indicators each and their covariance fixed at zero:
    # df = 0 but each factor's loading and variance are confounded
    model = "f =~ x1 + x2\ng =~ x4 + x5\nf ~~ 0*g"
    with pytest.raises(InvalidParameterError, match="information matrix is singular"):
        DriverSEM(model).fit(hs)


def test_non_convergence_raises_with_hints(hs: pd.DataFrame) -> None:
    with pytest.raises(
        ConvergenceError,
        match=r"did not converge(.|\n)*start='simple' or start='semopy'"
        r"(.|\n)*raise max_iter \(now 1\)",
    ):
        DriverSEM(CFA).fit(hs, max_iter=1)


def test_scaling_hint_when_variances_differ(hs: pd.DataFrame) -> None:
    data = hs.assign(x1=hs["x1"] * 1000)
    with pytest.raises(ConvergenceError, match="rescale the variables"):
        DriverSEM(CFA).fit(data, max_iter=1)


def heywood_data() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    n = 40
    f = rng.standard_normal(n)
    return pd.DataFrame(
        {
            "a": 0.98 * f + 0.2 * rng.standard_normal(n),
            "b": 0.6 * f + 0.8 * rng.standard_normal(n),
            "c": 0.5 * f + 0.87 * rng.standard_normal(n),
        }
    )


def test_heywood_case_warns_and_is_flagged() -> None:
    with pytest.warns(DegenerateDataWarning, match=r"Heywood case: a ~~ a"):
        result = DriverSEM("f =~ a + b + c").fit(heywood_data())
    assert result.heywood == ("a ~~ a",)
    flagged = result.to_frame().query("heywood")
    assert flagged[["lhs", "op", "rhs"]].values.tolist() == [["a", "~~", "a"]]
    assert flagged["estimate"].iloc[0] < 0
    assert "Heywood case(s) flagged: a ~~ a" in result.summary().as_text()


def test_too_few_rows(hs: pd.DataFrame) -> None:
    with pytest.raises(InsufficientDataError, match=r"5 complete row.* 9 observed"):
        DriverSEM(CFA).fit(hs.head(5))
    with pytest.raises(InsufficientDataError, match=r"12 complete row.* 21 free"):
        DriverSEM(CFA).fit(hs.head(12))


def test_constant_indicator(hs: pd.DataFrame) -> None:
    with pytest.raises(
        InvalidDataError, match=r"Indicator\(s\) \['x2'\] take a single"
    ):
        DriverSEM(CFA).fit(hs.assign(x2=3.0))


def test_collinear_items(hs: pd.DataFrame) -> None:
    data = hs.assign(x3=hs["x1"] + hs["x2"])
    with pytest.raises(InvalidDataError, match="covariance matrix of the items is"):
        DriverSEM(CFA).fit(data)


def test_non_numeric_and_missing_policy(hs: pd.DataFrame) -> None:
    with pytest.raises(InvalidDataError, match="x1"):
        DriverSEM(CFA).fit(hs.assign(x1="high"))
    data = hs.copy()
    data.loc[0, "x4"] = np.nan
    with pytest.raises(InvalidDataError, match="nan_policy='raise'` and 1 row"):
        DriverSEM(CFA).fit(data, nan_policy="raise")


def test_bad_weights(mediation_data: pd.DataFrame) -> None:
    bad = mediation_data.assign(w=-mediation_data["w"])
    with pytest.raises(InvalidDataError, match="must be non-negative"):
        DriverSEM(MEDIATION).fit(bad, weights="w")
    with pytest.raises(ColumnNotFoundError, match="Column 'weight'"):
        DriverSEM(MEDIATION).fit(mediation_data, weights="weight")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"se": "sandwich"}, "`se` must be one of"),
        ({"confidence_level": 95}, "`confidence_level` must be a number in"),
        ({"n_resamples": 1}, "`n_resamples` must be an integer in"),
        ({"start": "random"}, "`start` must be one of"),
        ({"n_jobs": 0}, "`n_jobs` must be a positive integer or -1"),
        ({"rng": "seed"}, "`rng` must be None"),
    ],
)
def test_invalid_arguments(
    hs: pd.DataFrame, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        DriverSEM(CFA).fit(hs, **kwargs)


# --- bootstrap ---------------------------------------------------------------------------


def test_bootstrap_is_seeded_and_independent_of_jobs(
    mediation_data: pd.DataFrame,
) -> None:
    model = DriverSEM(MEDIATION)
    a = model.fit(mediation_data, se="bootstrap", n_resamples=60, rng=11)
    b = model.fit(mediation_data, se="bootstrap", n_resamples=60, rng=11, n_jobs=2)
    assert_allclose(a.to_frame()["std_error"], b.to_frame()["std_error"], rtol=1e-12)
    assert a.n_failed == 0 and a.n_resamples == 60
    analytic = model.fit(mediation_data)
    ratio = a.to_frame()["std_error"] / analytic.to_frame()["std_error"]
    assert ratio[analytic.to_frame()["free"]].between(0.7, 1.3).all()
    effects = a.effects("y")
    assert effects.method == "bootstrap percentile"
    ci = a.confidence_interval(0.9)
    assert ci.method == "percentile bootstrap"


def test_bootstrap_drops_and_counts_failed_resamples(
    mediation_data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = est.fit_ml
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> est.FitOutcome:
        out = real(*args, **kwargs)
        if kwargs.get("newton") is False:
            calls["n"] += 1
            if calls["n"] % 5 == 0:
                return est.FitOutcome(out.theta, out.fmin, 1, False, 1.0, "forced")
        return out

    monkeypatch.setattr(est, "fit_ml", flaky)
    result = DriverSEM(MEDIATION).fit(
        mediation_data, se="bootstrap", n_resamples=40, rng=3
    )
    assert result.n_failed == 8
    assert len(result.state.boot_theta) == 32
    assert "8 failed, dropped" in result.summary().as_text()


def test_weighted_bootstrap(mediation_data: pd.DataFrame) -> None:
    result = DriverSEM(MEDIATION).fit(
        mediation_data, weights="w", se="bootstrap", n_resamples=30, rng=1
    )
    assert result.se == "bootstrap" and result.weights == "w"
    assert np.isfinite(result.to_frame()["std_error"]).all()


# --- no optional dependencies --------------------------------------------------------------


def test_sem_runs_without_semopy_and_factor_analyzer() -> None:
    script = f"""
import sys
sys.modules['semopy'] = None
sys.modules['factor_analyzer'] = None
sys.modules['factor_analyzer.rotator'] = None
import pandas as pd
from cxmetrics.sem import DriverSEM
from cxmetrics import measurement
from cxmetrics.errors import MissingDependencyError
hs = pd.read_csv({str(DATA / "holzinger_swineford.csv")!r})
res = DriverSEM({CFA!r}).fit(hs)
assert abs(res.fit_indices['chisq'] - 85.3055) < 1e-3
measurement.efa(hs, ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'], 2, rotation=None)
try:
    measurement.efa(hs, ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'], 2)
except MissingDependencyError as err:
    assert "cxmetrics[sem]" in str(err)
else:
    raise AssertionError("rotation without factor_analyzer should raise")
try:
    DriverSEM({CFA!r}).fit(hs, start="semopy")
except MissingDependencyError as err:
    assert "cxmetrics[sem]" in str(err)
else:
    raise AssertionError("semopy start without semopy should raise")
print("ok")
"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True
        )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
