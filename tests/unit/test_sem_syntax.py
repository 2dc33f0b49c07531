"""lavaan model syntax: parsing, lavaan's sem() defaults, and syntax errors."""

from __future__ import annotations

import pytest

from cxmetrics._engines.model_syntax import build_partable, parse_model
from cxmetrics.errors import InvalidParameterError
from cxmetrics.sem import DriverSEM

POLDEM = """
  # measurement model
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + a*y2 + b*y3 + c*y4
  dem65 =~ y5 + a*y6 + b*y7 + c*y8
  dem60 ~ ind60
  dem65 ~ ind60 + dem60
  y1 ~~ y5; y2 ~~ y4 + y6
  ratio := a / b
"""


def rows(model: str) -> dict[tuple[str, str, str], tuple[bool, float, str]]:
    table = build_partable(parse_model(model))
    return {(r.lhs, r.op, r.rhs): (r.free, r.value, r.label) for r in table.rows}


def test_lavaan_defaults_for_a_full_model() -> None:
    table = build_partable(parse_model(POLDEM))
    got = rows(POLDEM)
    # auto.fix.first, labels, auto.var for observed and latent variables
    assert got[("ind60", "=~", "x1")] == (False, 1.0, "")
    assert got[("dem60", "=~", "y2")][2] == "a"
    assert all(got[(v, "~~", v)][0] for v in ("x1", "y8", "ind60", "dem65"))
    # shared labels are one parameter: 28 rows free, 25 parameters (lavaan npar)
    assert sum(r.free for r in table.rows) == 28
    assert table.n_free == 25
    assert table.latent == ("ind60", "dem60", "dem65")
    assert table.observed[:3] == ("x1", "x2", "x3")
    assert [d.name for d in table.definitions] == ["ratio"]


def test_auto_cov_y_and_fixed_x_follow_lavaan() -> None:
    # lavaan: y4 ~~ g free (both pure outcomes), x1 fixed at its sample variance
    got = rows("f =~ y1+y2+y3; g =~ y5+y6+y7; f ~ x1; g ~ x1 + f; y4 ~ f")
    assert ("g", "~~", "y4") in got or ("y4", "~~", "g") in got
    assert ("f", "~~", "g") not in got
    table = build_partable(parse_model("f =~ y1+y2+y3; f ~ x1 + x2"))
    assert table.exogenous_x == ("x1", "x2")
    exo = [(r.lhs, r.rhs) for r in table.rows if r.exo]
    assert exo == [("x1", "x1"), ("x1", "x2"), ("x2", "x2")]


def test_exogenous_latents_covary_unless_fixed() -> None:
    got = rows("f =~ x1 + x2 + x3; g =~ y1 + y2; h =~ y3 + y4; h ~ f; f ~~ 0*g")
    assert got[("f", "~~", "g")] == (False, 0.0, "")
    assert ("f", "~~", "h") not in got


def test_single_indicator_gets_zero_residual_variance() -> None:
    got = rows("f =~ x1 + x2 + x3; h =~ y1; h ~ f")
    assert got[("y1", "~~", "y1")] == (False, 0.0, "")
    assert got[("h", "=~", "y1")] == (False, 1.0, "")


def test_modifiers_fix_free_and_start() -> None:
    table = build_partable(
        parse_model("f =~ NA*x1 + start(0.7)*x2 + 0.5*x3 + label('q')*x4\nf ~~ 1*f")
    )
    by = {(r.lhs, r.op, r.rhs): r for r in table.rows}
    assert by[("f", "=~", "x1")].free
    assert by[("f", "=~", "x2")].start == 0.7
    assert not by[("f", "=~", "x3")].free and by[("f", "=~", "x3")].value == 0.5
    assert by[("f", "=~", "x4")].label == "q"
    assert not by[("f", "~~", "f")].free


def test_equality_constraint_merges_parameters() -> None:
    table = build_partable(parse_model("f =~ x1 + a*x2 + b*x3 + x4\na == b"))
    by = {(r.lhs, r.op, r.rhs): r for r in table.rows}
    assert by[("f", "=~", "x2")].param == by[("f", "=~", "x3")].param


def test_multiline_statements_and_comments() -> None:
    model = "f =~ x1 + x2 +  # the first two\n     x3\n! old comment\ng =~ y1\n + y2"
    table = build_partable(parse_model(model))
    assert table.observed == ("x1", "x2", "x3", "y1", "y2")


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (
            "f =~ x1 + x2\n g = y1 + y2",
            r"line 2: expected an operator(.|\n)*g = y1 \+ y2\n {5}\^",
        ),
        ("f =~ x1 + + x2", r"line 1: expected a variable name, got '\+'\n.*\n {12}\^"),
        ("f =~ x1 x2", r"line 1: expected '\+' between variables, got 'x2'"),
        ("f =~ x1 + x2\ny ~ 1 + f", r"line 2: intercepts and mean structures"),
        ("f =~ x1 + c(1, 2)*x2", r"multiple-group models, which are not supported"),
        ("f =~ x1 + x2\nz ~~ ", r"line 2: missing variable name on the right"),
        ("f =~ a*x1 + x2\nk := a*(2", r"line 2: invalid expression after ':='"),
        ("f =~ x1 + x2\ny | t1", r"thresholds \(\|\) of ordinal indicators"),
        ("f <~ x1 + x2", r"composites \(<~\) are not supported"),
        ("f =~ x1 + x2\nf =~ x1", r"line 2: 'f =~ x1' is specified twice"),
        ("y ~ y", r"'y' is regressed on itself"),
        ("f =~ x1 + x2\nd := a*b", r"unknown label 'a' in ':='"),
        ("f =~ a*x1 + x2\na == zz", r"unknown label 'zz'"),
        ("# nothing here\n", r"holds no statement"),
        ("f =~ x1 + x2\nk := exp(a) + foo(a)", r"only exp\(\), log\(\)"),
    ],
)
def test_syntax_errors_name_the_line_with_a_caret(model: str, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        DriverSEM(model)


def test_model_must_be_a_string() -> None:
    with pytest.raises(InvalidParameterError, match="`model` must be a string"):
        DriverSEM(42)  # type: ignore[arg-type]


def test_latent_without_scale_is_not_identified() -> None:
    with pytest.raises(InvalidParameterError, match="latent variable 'f' has no scale"):
        DriverSEM("f =~ NA*x1 + x2 + x3")


def test_parameter_table_before_fitting() -> None:
    table = DriverSEM("f =~ x1 + x2 + x3\ny ~ f + z").parameter_table()
    assert list(table.columns) == ["lhs", "op", "rhs", "free", "value", "label"]
    assert table.loc[0, "value"] == 1.0
    exo = table[(table["lhs"] == "z") & (table["rhs"] == "z")]
    assert not exo["free"].iloc[0] and exo["value"].isna().all()
