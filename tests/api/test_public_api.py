"""The public surface: names, signatures, declared constraints, result protocol."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import cxmetrics as cx
from cxmetrics.errors import InvalidParameterError

EXPECTED_ALL = {
    "ComparisonResult", "ConfidenceInterval", "MeanResult", "NPSResult",
    "PairedComparisonResult", "SatisfactionResult", "ShareResult", "Summary",
    "__version__", "ces", "compare_nps", "compare_nps_paired", "compare_scores",
    "compare_scores_paired", "csat", "datasets", "errors", "mean_score", "nps",
    "nps_from_counts", "plotting", "top_box",
}  # fmt: skip


def public_functions() -> list[Callable[..., Any]]:
    return [
        getattr(cx, name)
        for name in cx.__all__
        if inspect.isfunction(getattr(cx, name, None))
    ]


def result_classes() -> list[type]:
    return [
        getattr(cx, name)
        for name in cx.__all__
        if inspect.isclass(getattr(cx, name)) and name.endswith("Result")
    ]


def test_all_snapshot() -> None:
    assert EXPECTED_ALL <= set(cx.__all__)
    for name in cx.__all__:
        assert hasattr(cx, name), name


@pytest.mark.parametrize("func", public_functions(), ids=lambda f: f.__name__)
def test_docstring_sections(func: Callable[..., Any]) -> None:
    doc = inspect.getdoc(func) or ""
    for section in ("Parameters", "Returns", "Examples"):
        assert f"\n{section}\n" in doc, f"{func.__name__} lacks {section}"
    if func.__name__ not in ("nps_from_counts",):
        assert "Validation" in doc or "validation" in doc.lower(), func.__name__


@pytest.mark.parametrize("func", public_functions(), ids=lambda f: f.__name__)
def test_keyword_only_after_data_arguments(func: Callable[..., Any]) -> None:
    params = inspect.signature(func).parameters.values()
    kinds = [p.kind for p in params]
    assert inspect.Parameter.KEYWORD_ONLY in kinds


def valid_arguments(responses: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """A valid call of every public function, as keyword arguments."""
    ces_data = responses.assign(e=responses["csat"] + 2)
    acsi = cx.datasets.load_acsi_survey()
    items = list(cx.datasets.ACSI_CONSTRUCTS["quality"])
    constructs = {
        k: list(v)
        for k, v in cx.datasets.ACSI_CONSTRUCTS.items()
        if k in ("quality", "value", "satisfaction")
    }
    return {
        "nps": {"data": responses, "score": "nps"},
        "nps_from_counts": {"promoters": 50, "passives": 30, "detractors": 20},
        "top_box": {"data": responses, "score": "csat"},
        "csat": {"data": responses, "score": "csat"},
        "ces": {"data": ces_data, "score": "e"},
        "mean_score": {"data": responses, "score": "csat"},
        "compare_nps": {"data": responses, "score": "nps", "by": "region"},
        "compare_scores": {"data": responses, "score": "csat", "by": "region"},
        "compare_nps_paired": {"data": responses, "first": "nps", "second": "rival"},
        "compare_scores_paired": {"data": responses, "first": "csat", "second": "csat"},
        "sample_size_nps": {"margin": 5},
        "sample_size_nps_difference": {
            "difference": 10,
            "promoters": 0.5,
            "detractors": 0.2,
        },
        "sample_size_share": {"margin": 0.05},
        "sample_size_share_difference": {"difference": 0.1, "share": 0.5},
        "sample_size_mean": {"margin": 0.1, "sd": 1.0},
        "sample_size_mean_difference": {"difference": 0.2, "sd": 1.0},
        "margin_of_error": {"n": 500},
        "min_detectable_difference": {"n": 500},
        "power": {"n": 500, "difference": 10},
        "benchmark_plan": {"brands": ["own", "rival"], "margin": 5},
        "quota_frame": {"shares": {"a": 0.6, "b": 0.4}, "total": 100},
        "negative_experience_cost": {
            "revenue": 5e7,
            "negative_rate": 0.22,
            "complaint_rate": 0.02,
            "complainer_outcomes": {"at_risk": 0.34, "lost": 0.28, "retained": 0.38},
            "silent_outcomes": {"at_risk": 0.55, "lost": 0.45},
        },
        "link_outcome": {"data": responses, "score": "nps", "outcome": "csat"},
        "drivers": {"data": responses, "outcome": "csat", "drivers": ["nps", "rival"]},
        "cronbach_alpha": {"data": acsi, "items": items},
        "reliability": {"data": acsi, "constructs": constructs},
        "htmt": {"data": acsi, "constructs": constructs},
        "omega": {
            "data": acsi,
            "items": [*items, *constructs["value"]],
            "n_factors": 2,
        },
        "efa": {
            "data": acsi,
            "items": [*items, *constructs["satisfaction"]],
            "n_factors": 2,
        },
        "parallel_analysis": {"data": acsi, "items": items, "n_resamples": 5, "rng": 1},
        "acsi_model": {
            "expectation": list(cx.datasets.ACSI_CONSTRUCTS["expectation"]),
            "quality": items,
            "value": constructs["value"],
            "satisfaction": constructs["satisfaction"],
            "loyalty": list(cx.datasets.ACSI_CONSTRUCTS["loyalty"]),
        },
        "ecsi_model": {
            "image": list(cx.datasets.ACSI_CONSTRUCTS["image"]),
            "expectation": list(cx.datasets.ACSI_CONSTRUCTS["expectation"]),
            "quality": items,
            "value": constructs["value"],
            "satisfaction": constructs["satisfaction"],
            "loyalty": list(cx.datasets.ACSI_CONSTRUCTS["loyalty"]),
        },
        "rake": {
            "data": responses,
            "margins": {"region": {"north": 0.4, "south": 0.35, "east": 0.25}},
        },
        "poststratify": {
            "data": responses,
            "population": {"region": {"north": 400, "south": 350, "east": 250}},
        },
        "trim_weights": {"data": responses, "weights": "weight", "upper": 3.0},
        "weight_diagnostics": {"data": responses, "weights": "weight"},
        "calibrated_score": {
            "data": responses,
            "score": "nps",
            "calibration": cx.rake(
                responses, {"region": {"north": 0.4, "south": 0.35, "east": 0.25}}
            ),
        },
        "compare_periods": {"data": responses, "score": "nps", "period": "channel"},
        "standardize": {
            "data": responses,
            "score": "nps",
            "period": "channel",
            "mix": "region",
        },
        "decompose_change": {
            "data": responses,
            "score": "nps",
            "period": "channel",
            "mix": "region",
        },
        "benchmark_attributes": {
            "data": responses,
            "attributes": ["nps", "rival"],
            "brand": "channel",
            "own": "app",
        },
        "gap": {"data": responses, "experience": ["nps"], "expectation": ["rival"]},
        "gap_to_target": {"data": responses, "experience": ["nps"], "target": 9},
        "key_experiences": {
            "data": responses,
            "experience": ["nps", "rival"],
            "expectation": ["rival", "nps"],
            "importance": {"nps": 2.0, "rival": 1.0},
            "n_resamples": 100,
            "rng": 1,
        },
        "importance_performance": {
            "data": responses,
            "experience": ["nps", "rival"],
            "importance": {"nps": 2.0, "rival": 1.0},
            "crosshair": "mean",
        },
        "asymmetric_impact": {
            "data": responses,
            "outcome": "csat",
            "experience": ["nps", "rival"],
        },
    }


def declared(func: Callable[..., Any]) -> list[tuple[str, Any]]:
    constraints = getattr(func, "__cxmetrics_constraints__", {})
    return [(name, c) for name, c in constraints.items()]


CASES = [
    pytest.param(f, name, c, id=f"{f.__name__}-{name}")
    for f in public_functions()
    for name, c in declared(f)
    if name
    not in ("score", "first", "second", "by")  # data arguments: tested elsewhere
]


@pytest.mark.parametrize(("func", "name", "constraint"), CASES)
def test_invalid_parameter_values_raise(func, name, constraint, responses) -> None:
    arguments = valid_arguments(responses)[func.__name__]
    with pytest.raises(InvalidParameterError, match=f"`{name}`"):
        func(**{**arguments, name: constraint.invalid_example()})


def test_every_public_function_has_a_valid_call(responses: pd.DataFrame) -> None:
    calls = valid_arguments(responses)
    for func in public_functions():
        assert func.__name__ in calls, f"add a valid call of {func.__name__}"
        func(**calls[func.__name__])


def test_every_public_function_declares_constraints() -> None:
    for func in public_functions():
        if func.__module__.startswith("cxmetrics.datasets"):
            continue
        assert declared(func), func.__name__


@pytest.fixture
def results(responses: pd.DataFrame) -> list[Any]:
    return [
        cx.nps(responses, "nps", weights="weight", by="region"),
        cx.nps(responses, "nps"),
        cx.top_box(responses, "csat", weights="weight"),
        cx.mean_score(responses, "csat", by="channel"),
        cx.csat(responses, "csat", by="channel"),
        cx.compare_nps(responses, "nps", by="region"),
        cx.compare_nps_paired(responses, "nps", "rival"),
    ]


def test_results_follow_the_protocol(results: list[Any]) -> None:
    for res in results:
        frame = res.to_frame()
        assert isinstance(frame, pd.DataFrame) and len(frame)
        assert {"estimate", "std_error", "ci_low", "ci_high"} <= set(frame.columns)
        assert "<table" in res._repr_html_()
        summary = res.summary()
        assert (
            summary.as_text()
            and summary.as_html()
            and "\\begin{tabular}" in summary.as_latex()
        )
        assert "versions" in summary.as_text()
        assert repr(res).startswith(type(res).__name__)
        data = res.to_dict()
        assert data["kind"] == type(res).__name__ and data["rows"]
        ci = res.confidence_interval(0.9)
        low = ci["top_box"].low if isinstance(ci, dict) else ci.low
        assert np.all(np.isfinite(low) | np.isnan(low))
        with pytest.raises((AttributeError, TypeError)):
            res.table = None  # frozen
        with pytest.raises(TypeError):
            iter(res)


def test_recomputed_interval_does_not_change_result(responses: pd.DataFrame) -> None:
    res = cx.nps(responses, "nps")
    before = res.to_frame()
    other = res.confidence_interval(0.8, method="score")
    pd.testing.assert_frame_equal(before, res.to_frame())
    assert other.method == "score" and other.confidence_level == 0.8


def test_single_value_accessors(responses: pd.DataFrame) -> None:
    res = cx.nps(responses, "nps")
    assert isinstance(res.estimate, float) and res.n == len(responses)
    grouped = cx.nps(responses, "nps", by="region")
    with pytest.raises(InvalidParameterError, match="single estimate"):
        _ = grouped.estimate
    row = grouped.loc["north"]
    assert row["region"] == "north"


def test_no_global_state_and_no_printing(responses: pd.DataFrame, capsys) -> None:
    cx.nps(responses, "nps", by="region", weights="weight")
    assert capsys.readouterr().out == ""
