r"""Sampling: how many interviews, what they buy, and how to spread them.

Sample sizes for a margin of error or to detect a difference (NPS, shares,
means), their inverses (margin of error, minimum detectable difference, power),
power by simulation for NPS, a competitor-benchmark plan under a budget, and
quotas by market penetration.

Units follow the rest of the library: NPS margins and differences in points
(``margin=5`` is ±5 NPS points), shares and their margins as proportions
(``margin=0.05`` is ±5 percentage points), means in scale units. Every function
works from planning values alone (expected shares, an SD); nothing touches data.

Imports: estimators (formulas), results.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from cxmetrics._validation import Constraint, Interval, Options, Seed, validate_params
from cxmetrics._warnings import warn
from cxmetrics.errors import (
    DegenerateDataWarning,
    InvalidParameterError,
    PlanningWarning,
)
from cxmetrics.estimators.sample_size import (
    allocate_proportional,
    ceil_n,
    detectable_multiplier,
    equal_variance_mix,
    kish_design_effect,
    nps_unit_variance,
    quota_design_effect,
    share_unit_variance,
    simulate_nps_power,
    solve_decreasing,
    solve_increasing,
    z_quantile,
)
from cxmetrics.results.base import provenance_versions
from cxmetrics.results.sampling import (
    BenchmarkPlanResult,
    DetectableDifferenceResult,
    MarginOfErrorResult,
    PowerResult,
    QuotaResult,
    SampleSizeResult,
    margin_for,
    power_for,
)

__all__ = [
    "PlanningWarning",
    "benchmark_plan",
    "margin_of_error",
    "min_detectable_difference",
    "power",
    "quota_frame",
    "sample_size_mean",
    "sample_size_mean_difference",
    "sample_size_nps",
    "sample_size_nps_difference",
    "sample_size_share",
    "sample_size_share_difference",
]

Metric = Literal["nps", "share", "mean"]
Alternative = Literal["two-sided", "one-sided"]
DeffLike = float | Sequence[float] | np.ndarray

NPS_MARGIN_METHODS = ("wald", "adjusted_wald")
SHARE_MARGIN_METHODS = ("wald", "wilson")
MEAN_METHODS = ("t", "normal")
SHARE_TEST_METHODS = ("pooled", "unpooled")
_MARGIN_METHODS = {
    "nps": NPS_MARGIN_METHODS,
    "share": SHARE_MARGIN_METHODS,
    "mean": MEAN_METHODS,
}
_TEST_METHODS = {"nps": ("wald",), "share": SHARE_TEST_METHODS, "mean": MEAN_METHODS}
_WAVES_PER_YEAR = {"monthly": 12, "quarterly": 4}
_MAX_BRANDS = 5
_MIN_N = 2


_ANY_POSITIVE = Interval("real", 0, None, closed="neither")


# --- declarative constraints ----------------------------------------------------------


@dataclass(frozen=True)
class _DesignEffect(Constraint):
    """A positive design effect, or a sequence of expected weights (Kish's 1 + CV²)."""

    description: str = (
        "a positive number, or a sequence of expected weights "
        "(non-negative, not all zero)"
    )
    hint: str | None = (
        "pass deff=1.5, or the weights you expect, e.g. deff=survey['weight']."
    )

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` is a usable design effect."""
        if isinstance(value, bool | np.bool_ | str | bytes | Mapping):
            return False
        if isinstance(value, numbers.Real):
            return math.isfinite(float(value)) and float(value) > 0
        try:
            w = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return False
        return bool(
            w.ndim == 1
            and w.size >= 1
            and np.all(np.isfinite(w))
            and np.all(w >= 0)
            and w.sum() > 0
        )

    def invalid_example(self) -> object:
        """Return a non-positive design effect."""
        return 0.0


@dataclass(frozen=True)
class _Names(Constraint):
    """A list of distinct, non-empty strings."""

    description: str = "a list of distinct brand names (non-empty strings)"
    hint: str | None = "pass brands=['Us', 'Leader', 'Rival']."

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` lists distinct names."""
        if isinstance(value, str) or not isinstance(
            value, Sequence | pd.Index | np.ndarray
        ):
            return False
        names = list(value)
        return (
            len(names) >= 1
            and all(isinstance(v, str) and v.strip() for v in names)
            and len(set(names)) == len(names)
        )

    def invalid_example(self) -> object:
        """Return a list with a repeated name."""
        return ["Us", "Us"]


@dataclass(frozen=True)
class _PerBrand(Constraint):
    """A number in an interval, or a mapping from brand to such numbers (or None)."""

    interval: Interval = _ANY_POSITIVE
    hint: str | None = None

    @property
    def description(self) -> str:  # type: ignore[override]
        """Describe what is accepted."""
        return f"{self.interval.description}, a mapping brand -> such a number, or None"

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` is a valid number or mapping of numbers."""
        if value is None:
            return True
        if isinstance(value, Mapping | pd.Series):
            items = list(value.items())
            return bool(items) and all(
                self.interval.is_satisfied_by(v) for _, v in items
            )
        return self.interval.is_satisfied_by(value)

    def invalid_example(self) -> object:
        """Return an invalid value."""
        return self.interval.invalid_example()


@dataclass(frozen=True)
class _Shares(Constraint):
    """A non-empty mapping or Series from cell label to a non-negative number."""

    description: str = (
        "a mapping (or pandas Series) from cell to a non-negative market share, "
        "not all zero"
    )
    hint: str | None = (
        "pass shares={'Leader': 0.4, 'Us': 0.3, 'Rival': 0.2, 'Other': 0.1}."
    )

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` holds usable shares."""
        if not isinstance(value, Mapping | pd.Series):
            return False
        items = list(value.items())
        if not items:
            return False
        try:
            x = np.asarray([float(v) for _, v in items], dtype=np.float64)
        except (TypeError, ValueError):
            return False
        return bool(np.all(np.isfinite(x)) and np.all(x >= 0) and x.sum() > 0)

    def invalid_example(self) -> object:
        """Return a mapping with a negative share."""
        return {"a": -0.5, "b": 1.5}


_LEVEL = Interval("real", 0, 1, closed="neither", hint="pass 0.95 for a 95% interval.")
_POWER = Interval("real", 0, 1, closed="neither", hint="pass 0.8 for 80% power.")
_ALPHA = Interval(
    "real", 0, 1, closed="neither", hint="pass 0.05 for a 5% significance level."
)
_SHARE = Interval(
    "real",
    0,
    1,
    closed="neither",
    none_ok=True,
    hint="shares are proportions in (0, 1): pass 0.3 for 30%.",
)
_NPS_SHARE = Interval(
    "real",
    0,
    1,
    none_ok=True,
    hint="shares are proportions in [0, 1]: pass 0.5 for 50%.",
)
_SD = Interval("real", 0, None, closed="neither", none_ok=True)
_ALTERNATIVE = Options(("two-sided", "one-sided"))
_DEFF = _DesignEffect()
_POPULATION = Interval("integral", 2, None, none_ok=True)
_RATIO = Interval("real", 0, None, closed="neither", hint="n_other = ratio × n.")
_N = Interval("integral", _MIN_N, None)
_N_OTHER = Interval("integral", _MIN_N, None, none_ok=True)
_NPS_MARGIN = Interval(
    "real",
    0,
    200,
    closed="right",
    hint="NPS margins are in points: margin=5 means ±5 NPS points.",
)
_NPS_DIFFERENCE = Interval(
    "real", -200, 200, hint="NPS differences are in points: 10 means 10 NPS points."
)
_SHARE_MARGIN = Interval(
    "real",
    0,
    1,
    closed="neither",
    hint="a share's margin is a proportion: margin=0.05 means ±5 percentage points.",
)
_SHARE_DIFFERENCE = Interval(
    "real",
    -1,
    1,
    closed="neither",
    hint="a difference of shares is a proportion: 0.05 means 5 percentage points.",
)
_POSITIVE = Interval("real", 0, None, closed="neither")
_REAL = Interval("real")


# --- small helpers --------------------------------------------------------------------


def _call(function: str, **arguments: Any) -> dict[str, Any]:
    shown: dict[str, Any] = {"function": function}
    for key, value in arguments.items():
        if isinstance(value, np.random.Generator):
            value = "Generator"
        elif isinstance(value, np.ndarray | pd.Series) or (
            isinstance(value, Sequence) and not isinstance(value, str) and key == "deff"
        ):
            value = f"<{len(value)} values>"
        elif isinstance(value, Mapping):
            value = dict(value)
        shown[key] = value
    return shown


def _deff(deff: DeffLike) -> tuple[float, str]:
    """Return the design effect as a number, and where it came from."""
    if isinstance(deff, numbers.Real):
        return float(deff), "given"
    w = np.asarray(deff, dtype=np.float64)
    return kish_design_effect(w), f"Kish 1 + CV² of {w.size} expected weights"


def _rng(rng: int | np.random.Generator | None) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _nps_mix(
    promoters: float | None,
    detractors: float | None,
    *,
    names: tuple[str, str] = ("promoters", "detractors"),
) -> tuple[float, float, bool]:
    """Check the expected shares; return them and whether they are the worst case."""
    if promoters is None and detractors is None:
        return 0.5, 0.5, True
    if promoters is None or detractors is None:
        missing = names[0] if promoters is None else names[1]
        raise InvalidParameterError(
            f"`{names[0]}` and `{names[1]}` go together; `{missing}` is missing. "
            "Hint: give both expected shares, e.g. promoters=0.5, detractors=0.2, "
            "or neither for the worst case (50% / 50%)."
        )
    total = float(promoters) + float(detractors)
    if total > 1 + 1e-12:
        raise InvalidParameterError(
            f"`{names[0]}` + `{names[1]}` = {promoters:g} + {detractors:g} = {total:g} "
            "is above 1; the shares of promoters, passives and detractors add up to 1. "
            "Hint: pass proportions of all respondents, e.g. promoters=0.5, "
            "detractors=0.2 (30% passives)."
        )
    if float(nps_unit_variance(promoters, detractors)) <= 0:
        raise InvalidParameterError(
            f"`{names[0]}`={promoters:g} and `{names[1]}`={detractors:g} leave no "
            "variation (every respondent in one category), so any sample is exact. "
            "Hint: plan with realistic shares, or the worst case (pass neither)."
        )
    return float(promoters), float(detractors), False


def _check_nps_units(name: str, value: float, *, example: str) -> None:
    if 0 < abs(value) < 1:
        raise InvalidParameterError(
            f"`{name}`={value:g} looks like a proportion, but NPS {example}s are in "
            f"points (from −100 to 100). Hint: pass {name}={100 * value:g} for "
            f"{100 * abs(value):g} NPS points."
        )


def _check_power_alpha(power: float, alpha: float) -> None:
    if power <= alpha:
        raise InvalidParameterError(
            f"`power`={power:g} must exceed `alpha`={alpha:g}: a test rejects with "
            "probability alpha even when there is no difference. Hint: the usual "
            "choice is power=0.8 with alpha=0.05."
        )


def _method(
    metric: str, method: str | None, table: Mapping[str, tuple[str, ...]]
) -> str:
    allowed = table[metric]
    chosen = allowed[0] if method is None else method
    if chosen not in allowed:
        raise InvalidParameterError(
            f"`method` must be one of {', '.join(map(repr, allowed))} for "
            f"metric={metric!r}; got {method!r}."
        )
    return chosen


def _metric_inputs(
    metric: str,
    *,
    promoters: float | None,
    detractors: float | None,
    share: float | None,
    sd: float | None,
    promoters_other: float | None = None,
    detractors_other: float | None = None,
    sd_other: float | None = None,
) -> dict[str, Any]:
    """Check that only the metric's own inputs are given, and fill its defaults."""
    given = {
        "promoters": promoters,
        "detractors": detractors,
        "share": share,
        "sd": sd,
        "promoters_other": promoters_other,
        "detractors_other": detractors_other,
        "sd_other": sd_other,
    }
    own = {
        "nps": ("promoters", "detractors", "promoters_other", "detractors_other"),
        "share": ("share",),
        "mean": ("sd", "sd_other"),
    }[metric]
    stray = [k for k, v in given.items() if v is not None and k not in own]
    if stray:
        raise InvalidParameterError(
            f"{', '.join(f'`{k}`' for k in stray)} do(es) not apply to "
            f"metric={metric!r}; it takes {', '.join(f'`{k}`' for k in own)}."
        )
    out: dict[str, Any] = {"metric": metric}
    if metric == "nps":
        pp, pn, worst = _nps_mix(promoters, detractors)
        out.update(promoters=pp, detractors=pn, worst_case=worst)
        if promoters_other is not None or detractors_other is not None:
            po, no, _ = _nps_mix(
                promoters_other,
                detractors_other,
                names=("promoters_other", "detractors_other"),
            )
            out.update(promoters_other=po, detractors_other=no)
    elif metric == "share":
        out.update(
            share=0.5 if share is None else float(share), worst_case=share is None
        )
    else:
        if sd is None:
            raise InvalidParameterError(
                "metric='mean' needs `sd`, the expected standard deviation of the "
                "ratings. Hint: about 2.5 on a 0–10 scale, or the SD of a past wave."
            )
        out.update(sd=float(sd), sd_other=None if sd_other is None else float(sd_other))
    return out


def _expected_columns(
    a: Mapping[str, Any], frame: pd.DataFrame, *, other: bool = False
) -> None:
    """Add the assumed expected values to a one-row (or two-row) table."""
    metric = a["metric"]
    if metric == "nps":
        pp = [a["promoters"]]
        pn = [a["detractors"]]
        if other:
            pp.append(a.get("promoters_other", a["promoters"]))
            pn.append(a.get("detractors_other", a["detractors"]))
        frame["promoters"] = pp
        frame["detractors"] = pn
        frame["nps"] = [100 * (p - q) for p, q in zip(pp, pn, strict=True)]
        frame["unit_variance"] = [
            float(nps_unit_variance(p, q)) for p, q in zip(pp, pn, strict=True)
        ]
    elif metric == "share":
        shares = [a["share"]]
        if other:
            shares.append(a["share_other"])
        frame["share"] = shares
        frame["unit_variance"] = [float(share_unit_variance(s)) for s in shares]
    else:
        sds = [a["sd"]]
        if other:
            sds.append(a["sd"] if a.get("sd_other") is None else a["sd_other"])
        frame["sd"] = sds
        frame["unit_variance"] = [s * s for s in sds]
    frame["worst_case"] = bool(a.get("worst_case", False))


# --- core computations (no validation; shared by the public functions) ----------------


def _n_for_margin(a: Mapping[str, Any]) -> float:
    """Real n at which the margin equals the target (reported units)."""
    target = float(a["margin"])
    deff = float(a["deff"])
    population = a.get("population")
    metric, method = a["metric"], a["method"]
    z = z_quantile(a["confidence_level"])
    scale = 100.0 if metric == "nps" else 1.0
    if method == "wald" or (metric == "mean" and method == "normal"):
        if metric == "nps":
            v = float(nps_unit_variance(a["promoters"], a["detractors"]))
        elif metric == "share":
            v = float(share_unit_variance(a["share"]))
        else:
            v = a["sd"] ** 2
        n1 = deff * z * z * v / (target / scale) ** 2
        if population is None:
            return float(n1)
        return float(n1 * population / (population - 1 + n1))
    low = 2.0 * deff if method == "t" else 1e-9
    if population is not None and low >= population:
        return float(population)
    return solve_decreasing(
        lambda n: float(margin_for(a, n)),
        target,
        low=low,
        high=None if population is None else float(population),
    )


def _round_margin_n(a: Mapping[str, Any], n_exact: float) -> int:
    n = max(
        ceil_n(n_exact), _MIN_N if a["metric"] == "mean" and a["method"] == "t" else 1
    )
    for _ in range(1000):  # guard against a non-monotone margin near the solution
        if float(margin_for(a, n)) <= a["margin"] * (1 + 1e-12):
            break
        n += 1
    return n


def _n_for_difference(a: Mapping[str, Any]) -> float:
    """Real n (reference group) at which the power equals the target."""
    metric, method = a["metric"], a["method"]
    ratio, deff = float(a["ratio"]), float(a["deff"])
    target = float(a["power"])
    if metric == "nps" or (metric == "mean" and method == "normal"):
        k = detectable_multiplier(
            target, alpha=a["alpha"], alternative=a["alternative"]
        )
        if metric == "nps":
            v1 = float(nps_unit_variance(a["promoters"], a["detractors"]))
            v2 = (
                v1
                if a.get("promoters_other") is None
                else float(
                    nps_unit_variance(a["promoters_other"], a["detractors_other"])
                )
            )
            delta = a["difference"] / 100.0
        else:
            v1 = a["sd"] ** 2
            v2 = v1 if a.get("sd_other") is None else a["sd_other"] ** 2
            delta = a["difference"]
        return float(k * k * deff * (v1 + v2 / ratio) / (delta * delta))
    if metric == "mean":  # t test: at least 2 effective responses per group
        low = 2.0 * deff * max(1.0, 1.0 / ratio)
    else:
        low = 1e-6
    return solve_increasing(
        lambda n: float(power_for(a, n, ratio * n, a["difference"])), target, low=low
    )


def _mdd(a: Mapping[str, Any], n: int, n_other: int) -> float:
    """Smallest positive difference detected with the target power (reported units)."""
    metric, method = a["metric"], a["method"]
    deff = float(a["deff"])
    target = float(a["power"])
    if metric == "nps" or (metric == "mean" and method == "normal"):
        k = detectable_multiplier(
            target, alpha=a["alpha"], alternative=a["alternative"]
        )
        if metric == "nps":
            v = float(nps_unit_variance(a["promoters"], a["detractors"]))
            return 100.0 * k * math.sqrt(deff * (v / n + v / n_other))
        v1 = a["sd"] ** 2
        v2 = v1 if a.get("sd_other") is None else a["sd_other"] ** 2
        return k * math.sqrt(deff * (v1 / n + v2 / n_other))
    if metric == "mean":
        return solve_increasing(
            lambda d: float(power_for(a, n, n_other, d)), target, low=1e-12
        )
    p = float(a["share"])
    sign = 1.0 if p <= 0.5 else -1.0
    top = (1 - p) if sign > 0 else p
    found = solve_increasing(
        lambda d: float(power_for(a, n, n_other, sign * d)),
        target,
        low=1e-12,
        high=top * (1 - 1e-12),
    )
    return sign * found


def _version_info() -> dict[str, str]:
    return provenance_versions()


# --- sample size for a margin of error ------------------------------------------------


def _margin_result(a: dict[str, Any], call: dict[str, Any]) -> SampleSizeResult:
    n_exact = _n_for_margin(a)
    n = _round_margin_n(a, n_exact)
    table = pd.DataFrame({"group": ["all"], "n": [n], "n_exact": [n_exact]})
    table["n_eff"] = n / a["deff"]
    table["margin"] = a["margin"]
    table["margin_achieved"] = float(margin_for(a, n))
    table["confidence_level"] = a["confidence_level"]
    table["method"] = a["method"]
    table["deff"] = a["deff"]
    table["population"] = a.get("population")
    _expected_columns(a, table)
    return SampleSizeResult(
        table=table,
        metric=a["metric"],
        goal="margin",
        n=n,
        n_exact=n_exact,
        assumptions=a,
        call=call,
        versions=_version_info(),
    )


@validate_params(
    {
        "margin": _NPS_MARGIN,
        "promoters": _NPS_SHARE,
        "detractors": _NPS_SHARE,
        "confidence_level": _LEVEL,
        "method": Options(NPS_MARGIN_METHODS),
        "deff": _DEFF,
        "population": _POPULATION,
    }
)
def sample_size_nps(
    margin: float,
    *,
    promoters: float | None = None,
    detractors: float | None = None,
    confidence_level: float = 0.95,
    method: Literal["wald", "adjusted_wald"] = "wald",
    deff: DeffLike = 1.0,
    population: int | None = None,
) -> SampleSizeResult:
    r"""Interviews needed to estimate an NPS within ± ``margin`` points.

    Parameters
    ----------
    margin : float
        Half-width of the interval in NPS points (``5`` means ±5 points), in
        (0, 200]. A value below 1 is rejected as a likely proportion.
    promoters, detractors : float, optional
        Expected shares of promoters and detractors (proportions, summing to at
        most 1). Give both, or neither for the worst case (50% / 50%, the
        largest variance).
    confidence_level : float, default: 0.95
        Coverage of the interval, in (0, 1).
    method : {'wald', 'adjusted_wald'}, default: 'wald'
        The interval the survey will report: Wald, or the adjusted Wald of
        Rocks (2016) [1]_ that :func:`cxmetrics.nps` uses by default.
    deff : float or sequence of float, default: 1
        Design effect: a number, or the weights you expect (Kish's 1 + CV²).
    population : int, optional
        Size of a finite population (customers in the frame), for the
        finite-population correction.

    Returns
    -------
    SampleSizeResult
        ``.n`` (rounded up), ``.n_exact``, ``.assumptions``; ``to_frame()`` also
        gives ``n_eff``, ``margin_achieved`` and the expected shares.

    Raises
    ------
    InvalidParameterError
        ``margin`` ≤ 0, above 200 or below 1 (a proportion such as 0.05 is not a
        margin in points); shares outside [0, 1], only one of them given, summing
        above 1, or leaving no variation; a bad ``confidence_level``, ``method``,
        ``deff`` or ``population``.

    See Also
    --------
    margin_of_error : the inverse, the margin that n interviews buy.
    sample_size_nps_difference : interviews to detect a gap.

    Notes
    -----
    With codes +1 (promoter), 0, −1 (detractor) the variance of one response is
    :math:`V = p_+ + p_- - (p_+ - p_-)^2`, at most 1 (:math:`p_\pm = 1/2`).
    The Wald margin :math:`z\sqrt{V/n}` (proportion scale) gives

    .. math:: n_0 = \frac{z^2 V}{(m/100)^2}.

    At 95% the worst case needs :math:`1.95996^2/0.05^2 = 1536.6`, so 1,537
    interviews for ±5 points; 50% promoters and 20% detractors (:math:`V = 0.61`)
    need 937.3, so 938. ``adjusted_wald`` plans for the interval of Rocks (2016):
    3 pseudo-responses, :math:`z\sqrt{\tilde V/(n + 3)}` with shares shrunk to
    :math:`\tilde p_\pm = (n p_\pm + 3/4)/(n + 3)`, so
    :math:`n = z^2\tilde V/(m/100)^2 - 3`, solved exactly because
    :math:`\tilde V` depends on :math:`n` (the worst case gives 1,533).
    The unit variance :math:`V` is the variance of one response; with a design
    effect the :math:`n` interviews count as :math:`n^* = n/\mathrm{deff}`. A
    number given for ``deff`` is used as is; a sequence of expected weights gives
    Kish's :math:`\mathrm{deff} = n\sum w^2/(\sum w)^2 = 1 + CV^2` [2]_. With a
    finite ``population`` :math:`N` every standard error is multiplied by
    :math:`\sqrt{(N - n)/(N - 1)}`, so for the Wald margin
    :math:`n = n_1 N/(N - 1 + n_1)` with :math:`n_1 = \mathrm{deff}\,n_0`
    (Cochran's correction [3]_). ``n`` is rounded up; ``margin_achieved`` is the
    margin at that ``n``.

    Validation: the closed forms 1,537 and 938 are tested exactly, and n is checked
    against R 4.2.2 ``qnorm`` computations to rtol 1e-10
    (``tests/reference/data/sampling.json``).

    References
    ----------
    .. [1] Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
       The American Statistician, 70(4), 365–372.
       https://doi.org/10.1080/00031305.2016.1158124
    .. [2] Kish, L. (1992). Weighting for unequal Pi. Journal of Official
       Statistics, 8(2), 183–200.
    .. [3] Cochran, W. G. (1977). Sampling Techniques (3rd ed.). Wiley, ch. 4.

    Examples
    --------
    >>> from cxmetrics.sampling import sample_size_nps
    >>> sample_size_nps(5).n
    1537
    >>> plan = sample_size_nps(5, promoters=0.5, detractors=0.2)
    >>> plan.n, round(plan.n_exact, 1)
    (938, 937.3)
    >>> plan
    SampleSizeResult(nps ±5 pts at 95%: n=938 (937.3 exact), 50% promoters, 20% detractors, method='wald', deff=1)
    >>> sample_size_nps(5, promoters=0.5, detractors=0.2, deff=1.3).n
    1219
    >>> round(float(plan.to_frame()["margin_achieved"].iloc[0]), 3)
    4.998
    """  # noqa: E501
    _check_nps_units("margin", margin, example="margin")
    pp, pn, worst = _nps_mix(promoters, detractors)
    deff_value, deff_source = _deff(deff)
    a = {
        "metric": "nps",
        "margin": float(margin),
        "promoters": pp,
        "detractors": pn,
        "worst_case": worst,
        "confidence_level": float(confidence_level),
        "method": method,
        "deff": deff_value,
        "deff_source": deff_source,
        "population": population,
    }
    call = _call(
        "sample_size_nps",
        margin=margin,
        promoters=promoters,
        detractors=detractors,
        confidence_level=confidence_level,
        method=method,
        deff=deff,
        population=population,
    )
    return _margin_result(a, call)


@validate_params(
    {
        "margin": _SHARE_MARGIN,
        "share": _SHARE,
        "confidence_level": _LEVEL,
        "method": Options(SHARE_MARGIN_METHODS),
        "deff": _DEFF,
        "population": _POPULATION,
    }
)
def sample_size_share(
    margin: float,
    *,
    share: float | None = None,
    confidence_level: float = 0.95,
    method: Literal["wald", "wilson"] = "wald",
    deff: DeffLike = 1.0,
    population: int | None = None,
) -> SampleSizeResult:
    r"""Interviews needed to estimate a share (top-box, CSAT) within ± ``margin``.

    Parameters
    ----------
    margin : float
        Half-width of the interval as a proportion (``0.05`` means ±5
        percentage points), in (0, 1).
    share : float, optional
        Expected share, in (0, 1); the worst case 0.5 when omitted.
    confidence_level : float, default: 0.95
        Coverage of the interval, in (0, 1).
    method : {'wald', 'wilson'}, default: 'wald'
        The interval the survey will report: Wald, or Wilson's score interval
        [1]_ (:func:`cxmetrics.top_box`'s default), whose half-width is
        solved for exactly.
    deff : float or sequence of float, default: 1
        Design effect: a number, or the weights you expect (Kish's 1 + CV²).
    population : int, optional
        Size of a finite population, for the finite-population correction.

    Returns
    -------
    SampleSizeResult
        ``.n`` (rounded up), ``.n_exact``, ``.assumptions``.

    Raises
    ------
    InvalidParameterError
        ``margin`` outside (0, 1) (``5`` for 5 points is rejected with a hint);
        ``share`` outside (0, 1); a bad ``confidence_level``, ``method``,
        ``deff`` or ``population``.

    See Also
    --------
    margin_of_error : the margin that n interviews buy.
    sample_size_share_difference : interviews to detect a change in a share.

    Notes
    -----
    Wald: :math:`n_0 = z^2 p(1 - p)/m^2`; the worst case at 95% and ±5 points is
    384.1, so 385. Wilson: the half-width
    :math:`\frac{z}{1 + z^2/n}\sqrt{p(1-p)/n + z^2/(4n^2)}` at :math:`\hat p = p`,
    solved for :math:`n`. With a design effect the :math:`n` interviews count as
    :math:`n^* = n/\mathrm{deff}`; a sequence of expected weights gives Kish's
    :math:`\mathrm{deff} = 1 + CV^2` [2]_. With a finite population :math:`N`
    the standard error is multiplied by :math:`\sqrt{(N-n)/(N-1)}`, so for Wald
    :math:`n = n_1 N/(N - 1 + n_1)`, :math:`n_1 = \mathrm{deff}\,n_0` [3]_.

    Validation: reproduces Krejcie & Morgan's (1970) table [4]_ (N = 100 → 80,
    1,000 → 278, 10,000 → 370; they round to the nearest unit with
    :math:`\chi^2 = 3.841`) within 0.5; the Wilson half-width at ``n`` equals
    statsmodels' ``proportion_confint(method='wilson')`` to rtol 1e-10.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and
       statistical inference. JASA, 22(158), 209–212.
       https://doi.org/10.1080/01621459.1927.10502953
    .. [2] Kish, L. (1992). Weighting for unequal Pi. Journal of Official
       Statistics, 8(2), 183–200.
    .. [3] Cochran, W. G. (1977). Sampling Techniques (3rd ed.). Wiley, ch. 4.
    .. [4] Krejcie, R. V., & Morgan, D. W. (1970). Determining sample size for
       research activities. Educational and Psychological Measurement, 30(3),
       607–610. https://doi.org/10.1177/001316447003000308

    Examples
    --------
    >>> from cxmetrics.sampling import sample_size_share
    >>> sample_size_share(0.05).n
    385
    >>> sample_size_share(0.05, population=1000).n
    278
    >>> sample_size_share(0.03, share=0.8, method="wilson").n
    682
    """
    s = 0.5 if share is None else float(share)
    deff_value, deff_source = _deff(deff)
    a = {
        "metric": "share",
        "margin": float(margin),
        "share": s,
        "worst_case": share is None,
        "confidence_level": float(confidence_level),
        "method": method,
        "deff": deff_value,
        "deff_source": deff_source,
        "population": population,
    }
    call = _call(
        "sample_size_share",
        margin=margin,
        share=share,
        confidence_level=confidence_level,
        method=method,
        deff=deff,
        population=population,
    )
    return _margin_result(a, call)


@validate_params(
    {
        "margin": _POSITIVE,
        "sd": Interval("real", 0, None, closed="neither"),
        "confidence_level": _LEVEL,
        "method": Options(MEAN_METHODS),
        "deff": _DEFF,
        "population": _POPULATION,
    }
)
def sample_size_mean(
    margin: float,
    *,
    sd: float,
    confidence_level: float = 0.95,
    method: Literal["t", "normal"] = "t",
    deff: DeffLike = 1.0,
    population: int | None = None,
) -> SampleSizeResult:
    r"""Interviews needed to estimate a mean score (CSAT, CES) within ± ``margin``.

    Parameters
    ----------
    margin : float
        Half-width of the interval, in scale units (``0.1`` on a 1–5 scale).
    sd : float
        Expected standard deviation of the ratings (from a past wave or a pilot).
    confidence_level : float, default: 0.95
        Coverage of the interval, in (0, 1).
    method : {'t', 'normal'}, default: 't'
        Student's t interval on :math:`n^* - 1` df (as :func:`cxmetrics.mean_score`
        reports) or the normal interval.
    deff : float or sequence of float, default: 1
        Design effect: a number, or the weights you expect (Kish's 1 + CV²).
    population : int, optional
        Size of a finite population, for the finite-population correction.

    Returns
    -------
    SampleSizeResult
        ``.n`` (rounded up), ``.n_exact``, ``.assumptions``.

    Raises
    ------
    InvalidParameterError
        ``margin`` or ``sd`` not positive; a bad ``confidence_level``,
        ``method``, ``deff`` or ``population``.

    See Also
    --------
    margin_of_error : the margin that n interviews buy.
    sample_size_mean_difference : interviews to detect a change in a mean.

    Notes
    -----
    Normal: :math:`n_0 = z^2\sigma^2/m^2`. t: the smallest :math:`n` with
    :math:`t_{1-\alpha/2,\,n^*-1}\,\sigma/\sqrt{n^*} \le m`, a few interviews
    more. Design effect and finite population enter as in
    :func:`sample_size_share`: :math:`n^* = n/\mathrm{deff}` and the factor
    :math:`\sqrt{(N-n)/(N-1)}` on the standard error [1]_.

    Validation: the t solution matches R 4.2.2 ``uniroot`` on ``qt`` to rtol
    1e-8 (``tests/reference/data/sampling.json``); the normal one is the closed
    form, tested to rtol 1e-10.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques (3rd ed.). Wiley, ch. 4.

    Examples
    --------
    >>> from cxmetrics.sampling import sample_size_mean
    >>> sample_size_mean(0.1, sd=1.0, method="normal").n
    385
    >>> result = sample_size_mean(0.1, sd=1.0)
    >>> result.n, round(result.n_exact, 2)
    (387, 386.57)
    """
    deff_value, deff_source = _deff(deff)
    a = {
        "metric": "mean",
        "margin": float(margin),
        "sd": float(sd),
        "sd_other": None,
        "confidence_level": float(confidence_level),
        "method": method,
        "deff": deff_value,
        "deff_source": deff_source,
        "population": population,
    }
    call = _call(
        "sample_size_mean",
        margin=margin,
        sd=sd,
        confidence_level=confidence_level,
        method=method,
        deff=deff,
        population=population,
    )
    return _margin_result(a, call)


# --- sample size to detect a difference -----------------------------------------------


def _difference_result(a: dict[str, Any], call: dict[str, Any]) -> SampleSizeResult:
    n_exact = _n_for_difference(a)
    if not math.isfinite(n_exact):
        raise InvalidParameterError(
            f"no sample size up to 1e12 per group reaches power {a['power']:g} for a "
            f"difference of {a['difference']:g}. Hint: plan for a larger difference."
        )
    ratio = float(a["ratio"])
    n = max(ceil_n(n_exact), _MIN_N)
    n_other = max(ceil_n(ratio * n_exact), _MIN_N)
    for _ in range(1000):  # guard: the rounded sizes must reach the target power
        if float(power_for(a, n, n_other, a["difference"])) >= a["power"] - 1e-12:
            break
        n, n_other = n + 1, max(ceil_n(ratio * (n + 1)), _MIN_N)
    achieved = float(power_for(a, n, n_other, a["difference"]))
    table = pd.DataFrame(
        {
            "group": ["reference", "other"],
            "n": [n, n_other],
            "n_exact": [n_exact, ratio * n_exact],
        }
    )
    table["difference"] = a["difference"]
    table["power"] = a["power"]
    table["power_achieved"] = achieved
    table["alpha"] = a["alpha"]
    table["alternative"] = a["alternative"]
    table["ratio"] = ratio
    table["deff"] = a["deff"]
    table["method"] = a["method"]
    _expected_columns(a, table, other=True)
    return SampleSizeResult(
        table=table,
        metric=a["metric"],
        goal="difference",
        n=n,
        n_exact=n_exact,
        n_other=n_other,
        assumptions=a,
        call=call,
        versions=_version_info(),
    )


def _consistent_other_mix(
    difference: float, pp: float, pn: float, po: float, no: float
) -> None:
    implied = 100 * ((po - no) - (pp - pn))
    if abs(implied - difference) > 0.05:
        raise InvalidParameterError(
            f"`difference`={difference:g} does not match the shares given: the other "
            f"group's NPS ({100 * (po - no):+.1f}) minus the reference NPS "
            f"({100 * (pp - pn):+.1f}) is {implied:+.2f} points. Hint: drop "
            "`promoters_other`/`detractors_other` to assume the same variance in "
            "both groups, or make them agree with `difference`."
        )


@validate_params(
    {
        "difference": _NPS_DIFFERENCE,
        "promoters": _NPS_SHARE,
        "detractors": _NPS_SHARE,
        "promoters_other": _NPS_SHARE,
        "detractors_other": _NPS_SHARE,
        "power": _POWER,
        "alpha": _ALPHA,
        "alternative": _ALTERNATIVE,
        "ratio": _RATIO,
        "deff": _DEFF,
    }
)
def sample_size_nps_difference(
    difference: float,
    *,
    promoters: float | None,
    detractors: float | None,
    promoters_other: float | None = None,
    detractors_other: float | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    ratio: float = 1.0,
    deff: DeffLike = 1.0,
) -> SampleSizeResult:
    r"""Interviews per group to detect an NPS gap between two brands or two waves.

    Parameters
    ----------
    difference : float
        The gap to detect, in NPS points (other − reference; the sign matters
        only with ``promoters_other``). Non-zero, at most 200 in size; a value
        below 1 in size is rejected as a likely proportion.
    promoters, detractors : float or None
        Expected shares in the reference group (own brand, earlier wave). Pass
        ``None`` for both to plan for the worst case (50% / 50%).
    promoters_other, detractors_other : float, optional
        Expected shares in the other group; they must imply ``difference``. By
        default the other group has the same unit variance (the usual planning
        convention).
    power : float, default: 0.8
        Probability of detecting the gap, in (0, 1) and above ``alpha``.
    alpha : float, default: 0.05
        Significance level of the test, in (0, 1).
    alternative : {'two-sided', 'one-sided'}, default: 'two-sided'
        A two-sided test, or one-sided in the direction of the gap.
    ratio : float, default: 1
        Allocation: the other group gets ``ratio`` × n interviews.
    deff : float or sequence of float, default: 1
        Design effect in both groups: a number, or expected weights.

    Returns
    -------
    SampleSizeResult
        ``.n`` (reference group, rounded up), ``.n_other``, ``.n_exact``;
        ``to_frame()`` has a row per group with the expected shares and
        ``power_achieved`` at the rounded sizes.

    Raises
    ------
    InvalidParameterError
        ``difference`` zero, too large, or below 1 point in size (wrong units);
        shares outside [0, 1], summing above 1 or inconsistent with
        ``difference``; ``power`` outside (0, 1) or not above ``alpha``; a bad
        ``alpha``, ``alternative``, ``ratio`` or ``deff``.

    See Also
    --------
    min_detectable_difference : the gap that n interviews per group detect.
    power : power for a given n and gap, also by simulation.

    Notes
    -----
    The Wald test of :math:`\hat d_2 - \hat d_1` has standard error
    :math:`\sqrt{\mathrm{deff}\,(V_1/n_1 + V_2/n_2)}` with
    :math:`V = p_+ + p_- - (p_+ - p_-)^2`, so with :math:`n_2 = r n_1`

    .. math:: n_1 = \frac{(z_{1-\alpha/2} + z_{1-\beta})^2\,
              \mathrm{deff}\,(V_1 + V_2/r)}{(\Delta/100)^2}.

    With 50% promoters and 20% detractors in both groups (:math:`V = 0.61`), a
    10-point gap at 80% power and :math:`\alpha = 0.05` needs
    :math:`7.849 \times 1.22/0.01 = 957.6`, so 958 per group. For a two-sided
    test the power counts both tails, so the multiplier solves
    :math:`\Phi(k - z_{1-\alpha/2}) + \Phi(-k - z_{1-\alpha/2}) = 1 - \beta`
    (2.801582 instead of 2.801585; the far tail is negligible here).

    Validation: matches R ``pwr::pwr.norm.test`` 1.3-0 (power at n to rtol
    1e-10) and statsmodels' ``NormalIndPower`` (n to rtol 1e-6, its root
    finder's precision); the 958 is tested exactly. Simulated power agrees
    within Monte Carlo error (see :func:`power`).

    References
    ----------
    .. [1] Chow, S.-C., Shao, J., & Wang, H. (2008). Sample Size Calculations in
       Clinical Research (2nd ed.). Chapman & Hall/CRC, ch. 3–4.
    .. [2] Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
       The American Statistician, 70(4), 365–372.
       https://doi.org/10.1080/00031305.2016.1158124

    Examples
    --------
    >>> from cxmetrics.sampling import sample_size_nps_difference
    >>> result = sample_size_nps_difference(10, promoters=0.5, detractors=0.2)
    >>> result.n, result.n_other, round(result.n_exact, 1)
    (958, 958, 957.6)
    >>> sample_size_nps_difference(
    ...     10, promoters=0.5, detractors=0.2, ratio=2
    ... ).n_total
    2156
    >>> sample_size_nps_difference(-10, promoters=None, detractors=None).n
    1570
    """
    _check_nps_units("difference", difference, example="difference")
    if difference == 0:
        raise InvalidParameterError(
            "`difference` must be non-zero: no sample detects a gap of 0 points."
        )
    _check_power_alpha(power, alpha)
    pp, pn, worst = _nps_mix(promoters, detractors)
    a: dict[str, Any] = {
        "metric": "nps",
        "difference": float(difference),
        "promoters": pp,
        "detractors": pn,
        "worst_case": worst,
        "power": float(power),
        "alpha": float(alpha),
        "alternative": alternative,
        "ratio": float(ratio),
        "method": "wald",
    }
    if promoters_other is not None or detractors_other is not None:
        po, no, _ = _nps_mix(
            promoters_other,
            detractors_other,
            names=("promoters_other", "detractors_other"),
        )
        _consistent_other_mix(difference, pp, pn, po, no)
        a.update(promoters_other=po, detractors_other=no)
    a["deff"], a["deff_source"] = _deff(deff)
    call = _call(
        "sample_size_nps_difference",
        difference=difference,
        promoters=promoters,
        detractors=detractors,
        promoters_other=promoters_other,
        detractors_other=detractors_other,
        power=power,
        alpha=alpha,
        alternative=alternative,
        ratio=ratio,
        deff=deff,
    )
    return _difference_result(a, call)


@validate_params(
    {
        "difference": _SHARE_DIFFERENCE,
        "share": Interval("real", 0, 1, closed="neither", hint=_SHARE.hint),
        "power": _POWER,
        "alpha": _ALPHA,
        "alternative": _ALTERNATIVE,
        "ratio": _RATIO,
        "method": Options(SHARE_TEST_METHODS),
        "deff": _DEFF,
    }
)
def sample_size_share_difference(
    difference: float,
    *,
    share: float,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    ratio: float = 1.0,
    method: Literal["pooled", "unpooled"] = "pooled",
    deff: DeffLike = 1.0,
) -> SampleSizeResult:
    r"""Interviews per group to detect a change in a share (top-box, CSAT).

    Parameters
    ----------
    difference : float
        Change to detect as a proportion (other − reference; ``0.05`` is 5
        percentage points), non-zero; ``share + difference`` must lie in (0, 1).
    share : float
        Expected share in the reference group, in (0, 1).
    power : float, default: 0.8
        Probability of detecting the change, in (0, 1) and above ``alpha``.
    alpha : float, default: 0.05
        Significance level, in (0, 1).
    alternative : {'two-sided', 'one-sided'}, default: 'two-sided'
        A two-sided test, or one-sided in the direction of the change.
    ratio : float, default: 1
        Allocation: the other group gets ``ratio`` × n interviews.
    method : {'pooled', 'unpooled'}, default: 'pooled'
        The classical z test with the pooled share under the null, or the Wald
        test (unpooled standard error).
    deff : float or sequence of float, default: 1
        Design effect in both groups: a number, or expected weights.

    Returns
    -------
    SampleSizeResult
        ``.n`` (reference group), ``.n_other``, ``.n_exact``.

    Raises
    ------
    InvalidParameterError
        ``difference`` zero, outside (−1, 1) (``5`` for 5 points is rejected
        with a hint) or taking the share outside (0, 1); ``power`` outside
        (0, 1) or not above ``alpha``; other bad arguments.

    See Also
    --------
    min_detectable_difference, power

    Notes
    -----
    With :math:`p_1` the reference share, :math:`p_2 = p_1 + \Delta`, :math:`n_2 =
    r n_1` and :math:`\bar p = (p_1 + r p_2)/(1 + r)`, the pooled test has power

    .. math:: \Phi\!\left(\frac{|\Delta| - z_{1-\alpha/2}\,SE_0}{SE_1}\right) +
              \Phi\!\left(\frac{-|\Delta| - z_{1-\alpha/2}\,SE_0}{SE_1}\right),

    :math:`SE_0^2 = \mathrm{deff}\,\bar p\bar q(1/n_1 + 1/n_2)`,
    :math:`SE_1^2 = \mathrm{deff}\,(p_1q_1/n_1 + p_2q_2/n_2)` (Fleiss [1]_, without
    continuity correction); ``n`` is its root in :math:`n_1`.

    Validation: matches R 4.2.2 ``power.prop.test(strict = TRUE)`` (equal n; n to
    rtol 1e-8) and statsmodels' ``power_proportions_2indep`` (power at n to rtol
    1e-10, any ratio) and ``samplesize_proportions_2indep_onetail`` (rtol 1e-5;
    it ignores the far tail).

    References
    ----------
    .. [1] Fleiss, J. L., Levin, B., & Paik, M. C. (2003). Statistical Methods for
       Rates and Proportions (3rd ed.). Wiley, ch. 4.

    Examples
    --------
    >>> from cxmetrics.sampling import sample_size_share_difference
    >>> sample_size_share_difference(0.05, share=0.6).n
    1471
    >>> sample_size_share_difference(-0.05, share=0.6, alternative="one-sided").n
    1208
    """
    if difference == 0:
        raise InvalidParameterError(
            "`difference` must be non-zero: no sample detects a change of 0."
        )
    other = share + difference
    if not 0 < other < 1:
        raise InvalidParameterError(
            f"`share` + `difference` = {share:g} + {difference:g} = {other:g} is "
            "outside (0, 1). Hint: the difference is other − reference, as a "
            "proportion."
        )
    _check_power_alpha(power, alpha)
    a: dict[str, Any] = {
        "metric": "share",
        "difference": float(difference),
        "share": float(share),
        "share_other": float(other),
        "power": float(power),
        "alpha": float(alpha),
        "alternative": alternative,
        "ratio": float(ratio),
        "method": method,
    }
    a["deff"], a["deff_source"] = _deff(deff)
    call = _call(
        "sample_size_share_difference",
        difference=difference,
        share=share,
        power=power,
        alpha=alpha,
        alternative=alternative,
        ratio=ratio,
        method=method,
        deff=deff,
    )
    return _difference_result(a, call)


@validate_params(
    {
        "difference": _REAL,
        "sd": Interval("real", 0, None, closed="neither"),
        "sd_other": _SD,
        "power": _POWER,
        "alpha": _ALPHA,
        "alternative": _ALTERNATIVE,
        "ratio": _RATIO,
        "method": Options(MEAN_METHODS),
        "deff": _DEFF,
    }
)
def sample_size_mean_difference(
    difference: float,
    *,
    sd: float,
    sd_other: float | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    ratio: float = 1.0,
    method: Literal["t", "normal"] = "t",
    deff: DeffLike = 1.0,
) -> SampleSizeResult:
    r"""Interviews per group to detect a change in a mean score.

    Parameters
    ----------
    difference : float
        Change to detect in scale units (other − reference), non-zero.
    sd : float
        Expected standard deviation (both groups unless ``sd_other``).
    sd_other : float, optional
        Expected SD in the other group (then the t test is Welch's).
    power : float, default: 0.8
        Probability of detecting the change, in (0, 1) and above ``alpha``.
    alpha : float, default: 0.05
        Significance level, in (0, 1).
    alternative : {'two-sided', 'one-sided'}, default: 'two-sided'
        A two-sided test, or one-sided in the direction of the change.
    ratio : float, default: 1
        Allocation: the other group gets ``ratio`` × n interviews.
    method : {'t', 'normal'}, default: 't'
        Noncentral-t power (exact for normal data) or the normal approximation.
    deff : float or sequence of float, default: 1
        Design effect in both groups: a number, or expected weights.

    Returns
    -------
    SampleSizeResult
        ``.n`` (reference group), ``.n_other``, ``.n_exact``.

    Raises
    ------
    InvalidParameterError
        ``difference`` zero; ``sd`` not positive; ``power`` outside (0, 1) or not
        above ``alpha``; other bad arguments.

    See Also
    --------
    min_detectable_difference, power

    Notes
    -----
    Normal: :math:`n_1 = k^2\,\mathrm{deff}\,(\sigma_1^2 + \sigma_2^2/r)/\Delta^2`
    with :math:`k \approx z_{1-\alpha/2} + z_{1-\beta}` (both tails counted). t:
    the power :math:`P(|T'| > t_{1-\alpha/2,\nu})` of a noncentral t with
    noncentrality :math:`|\Delta|/SE` on :math:`\nu = n_1^* + n_2^* - 2` df
    (Welch–Satterthwaite df when ``sd_other`` is given) is solved for
    :math:`n_1` [1]_.

    Validation: matches R 4.2.2 ``power.t.test(strict = TRUE)`` (n to rtol
    1e-8), ``pwr::pwr.t2n.test`` (power at unequal n, rtol 1e-8) and
    statsmodels' ``TTestIndPower`` and ``NormalIndPower``.

    References
    ----------
    .. [1] Cohen, J. (1988). Statistical Power Analysis for the Behavioral
       Sciences (2nd ed.). Lawrence Erlbaum, ch. 2.

    Examples
    --------
    >>> from cxmetrics.sampling import sample_size_mean_difference
    >>> sample_size_mean_difference(0.2, sd=1.0).n
    394
    >>> sample_size_mean_difference(0.2, sd=1.0, method="normal").n
    393
    """
    if difference == 0:
        raise InvalidParameterError(
            "`difference` must be non-zero: no sample detects a change of 0."
        )
    _check_power_alpha(power, alpha)
    a: dict[str, Any] = {
        "metric": "mean",
        "difference": float(difference),
        "sd": float(sd),
        "sd_other": None if sd_other is None else float(sd_other),
        "power": float(power),
        "alpha": float(alpha),
        "alternative": alternative,
        "ratio": float(ratio),
        "method": method,
    }
    a["deff"], a["deff_source"] = _deff(deff)
    call = _call(
        "sample_size_mean_difference",
        difference=difference,
        sd=sd,
        sd_other=sd_other,
        power=power,
        alpha=alpha,
        alternative=alternative,
        ratio=ratio,
        method=method,
        deff=deff,
    )
    return _difference_result(a, call)


# --- inverses: margin of error, detectable difference, power --------------------------


@validate_params(
    {
        "n": _N,
        "metric": Options(("nps", "share", "mean")),
        "promoters": _NPS_SHARE,
        "detractors": _NPS_SHARE,
        "share": _SHARE,
        "sd": _SD,
        "confidence_level": _LEVEL,
        "method": Options((*NPS_MARGIN_METHODS, "wilson", *MEAN_METHODS), none_ok=True),
        "deff": _DEFF,
        "population": _POPULATION,
    }
)
def margin_of_error(
    n: int,
    *,
    metric: Metric = "nps",
    promoters: float | None = None,
    detractors: float | None = None,
    share: float | None = None,
    sd: float | None = None,
    confidence_level: float = 0.95,
    method: str | None = None,
    deff: DeffLike = 1.0,
    population: int | None = None,
) -> MarginOfErrorResult:
    r"""Compute the margin of error (± half-width) that ``n`` interviews buy.

    Parameters
    ----------
    n : int
        Interviews (at least 2).
    metric : {'nps', 'share', 'mean'}, default: 'nps'
        What is estimated. Margins are NPS points, proportions or scale units.
    promoters, detractors : float, optional
        Expected shares (NPS); the worst case 50% / 50% when both are omitted.
    share : float, optional
        Expected share (share); the worst case 0.5 when omitted.
    sd : float, optional
        Expected standard deviation (mean; required).
    confidence_level : float, default: 0.95
        Coverage of the interval, in (0, 1).
    method : str, optional
        Interval: ``'wald'`` (default) or ``'adjusted_wald'`` for NPS;
        ``'wald'`` (default) or ``'wilson'`` for shares; ``'t'`` (default) or
        ``'normal'`` for means.
    deff : float or sequence of float, default: 1
        Design effect: a number, or expected weights (Kish's 1 + CV²).
    population : int, optional
        Size of a finite population (``n`` must not exceed it).

    Returns
    -------
    MarginOfErrorResult
        ``.margin`` and ``.n``; ``.curve()`` gives the margin against n.

    Raises
    ------
    InvalidParameterError
        ``n`` below 2 or above ``population``; inputs of another metric (e.g.
        ``share`` with ``metric='nps'``); ``sd`` missing for means; a method of
        another metric; bad shares or other arguments.

    See Also
    --------
    sample_size_nps, sample_size_share, sample_size_mean : the inverse.

    Notes
    -----
    The formulas of :func:`sample_size_nps`, :func:`sample_size_share` and
    :func:`sample_size_mean` read forwards: e.g. the NPS Wald margin is
    :math:`100\,z\sqrt{\mathrm{deff}\,V/n}\sqrt{(N-n)/(N-1)}` points.

    Validation: inverse of the sample-size functions (round trip tested); Wilson
    half-widths match statsmodels' ``proportion_confint`` to rtol 1e-10.

    Examples
    --------
    >>> from cxmetrics.sampling import margin_of_error
    >>> round(margin_of_error(500).margin, 2)
    8.77
    >>> round(margin_of_error(1000, promoters=0.5, detractors=0.2).margin, 2)
    4.84
    >>> round(100 * margin_of_error(400, metric="share", share=0.8).margin, 2)
    3.92
    """
    a = _metric_inputs(
        metric, promoters=promoters, detractors=detractors, share=share, sd=sd
    )
    if population is not None and n > population:
        raise InvalidParameterError(
            f"`n`={n} is larger than `population`={population}."
        )
    a["method"] = _method(metric, method, _MARGIN_METHODS)
    a["confidence_level"] = float(confidence_level)
    a["deff"], a["deff_source"] = _deff(deff)
    a["population"] = population
    margin = float(margin_for(a, n))
    table = pd.DataFrame({"group": ["all"], "n": [n], "n_eff": [n / a["deff"]]})
    table["margin"] = margin
    table["confidence_level"] = a["confidence_level"]
    table["method"] = a["method"]
    table["deff"] = a["deff"]
    table["population"] = population
    _expected_columns(a, table)
    call = _call(
        "margin_of_error",
        n=n,
        metric=metric,
        promoters=promoters,
        detractors=detractors,
        share=share,
        sd=sd,
        confidence_level=confidence_level,
        method=method,
        deff=deff,
        population=population,
    )
    return MarginOfErrorResult(
        table=table,
        metric=metric,
        n=n,
        margin=margin,
        assumptions=a,
        call=call,
        versions=_version_info(),
    )


@validate_params(
    {
        "n": _N,
        "n_other": _N_OTHER,
        "metric": Options(("nps", "share", "mean")),
        "promoters": _NPS_SHARE,
        "detractors": _NPS_SHARE,
        "share": _SHARE,
        "sd": _SD,
        "sd_other": _SD,
        "power": _POWER,
        "alpha": _ALPHA,
        "alternative": _ALTERNATIVE,
        "method": Options((*SHARE_TEST_METHODS, *MEAN_METHODS, "wald"), none_ok=True),
        "deff": _DEFF,
    }
)
def min_detectable_difference(
    n: int,
    *,
    n_other: int | None = None,
    metric: Metric = "nps",
    promoters: float | None = None,
    detractors: float | None = None,
    share: float | None = None,
    sd: float | None = None,
    sd_other: float | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    method: str | None = None,
    deff: DeffLike = 1.0,
) -> DetectableDifferenceResult:
    r"""Compute the smallest difference that ``n`` interviews per group detect.

    Parameters
    ----------
    n : int
        Interviews in the reference group (at least 2).
    n_other : int, optional
        Interviews in the other group; ``n`` by default.
    metric : {'nps', 'share', 'mean'}, default: 'nps'
        What is compared. The difference is in NPS points, a proportion, or
        scale units.
    promoters, detractors : float, optional
        Expected shares, assumed in both groups (NPS); worst case if omitted.
    share : float, optional
        Expected share in the reference group (share); 0.5 if omitted.
    sd, sd_other : float, optional
        Expected standard deviations (mean; ``sd`` required).
    power : float, default: 0.8
        Probability of detecting the difference, in (0, 1) and above ``alpha``.
    alpha : float, default: 0.05
        Significance level, in (0, 1).
    alternative : {'two-sided', 'one-sided'}, default: 'two-sided'
        Two-sided test, or one-sided in the direction of the difference.
    method : str, optional
        Test: ``'wald'`` for NPS; ``'pooled'`` (default) or ``'unpooled'`` for
        shares; ``'t'`` (default) or ``'normal'`` for means.
    deff : float or sequence of float, default: 1
        Design effect in both groups.

    Returns
    -------
    DetectableDifferenceResult
        ``.difference`` (positive, except for a share above 50%, where the
        harder change, towards 50%, is reported as a negative number); NaN with
        a warning when no difference within the metric's range is detectable.

    Raises
    ------
    InvalidParameterError
        Inputs of another metric; ``sd`` missing for means; ``power`` outside
        (0, 1) or not above ``alpha``; other bad arguments.

    Warns
    -----
    DegenerateDataWarning
        No difference within the metric's range (200 NPS points, or up to a
        share of 0 or 1) reaches the power; NaN is returned.

    See Also
    --------
    sample_size_nps_difference : the inverse.
    power : power for a given difference.

    Notes
    -----
    For NPS and normal-theory means the difference has a closed form,
    :math:`\Delta = k\sqrt{\mathrm{deff}\,(V_1/n_1 + V_2/n_2)}` with
    :math:`k \approx z_{1-\alpha/2} + z_{1-\beta}` (2.8016 for 80% power at
    :math:`\alpha = 0.05`, two-sided, both tails counted); NPS assumes the
    same unit variance in both groups. For shares and t tests the power
    function of :func:`sample_size_share_difference` or
    :func:`sample_size_mean_difference` is solved for :math:`\Delta`; for a
    share :math:`p \le 1/2` the change is upwards, otherwise downwards.

    Validation: inverse of the sample-size functions (round trip tested); NPS
    matches R ``pwr::pwr.norm.test`` for ``d`` (rtol 1e-4, its ``uniroot``
    tolerance).

    Examples
    --------
    >>> from cxmetrics.sampling import min_detectable_difference
    >>> round(min_detectable_difference(500).difference, 1)
    17.7
    >>> result = min_detectable_difference(1000, promoters=0.5, detractors=0.2)
    >>> round(result.difference, 1)
    9.8
    >>> round(min_detectable_difference(500, metric="mean", sd=1.0).difference, 3)
    0.177
    """
    a = _metric_inputs(
        metric,
        promoters=promoters,
        detractors=detractors,
        share=share,
        sd=sd,
        sd_other=sd_other,
    )
    _check_power_alpha(power, alpha)
    other = n if n_other is None else n_other
    a.update(
        power=float(power),
        alpha=float(alpha),
        alternative=alternative,
        method=_method(metric, method, _TEST_METHODS),
    )
    a["deff"], a["deff_source"] = _deff(deff)
    difference = _mdd(a, n, other)
    limit = 200.0 if metric == "nps" else math.inf
    if not math.isfinite(difference) or abs(difference) > limit:
        warn(
            f"no {metric} difference within its range is detectable with "
            f"power {power:g} from n={n} and n_other={other}; NaN returned. Hint: "
            "increase n or lower the power.",
            DegenerateDataWarning,
        )
        difference = math.nan
    if metric == "share":
        a["share_other"] = a["share"] + difference
    table = pd.DataFrame({"n": [n], "n_other": [other], "difference": [difference]})
    table["power"] = a["power"]
    table["alpha"] = a["alpha"]
    table["alternative"] = alternative
    table["method"] = a["method"]
    table["deff"] = a["deff"]
    _expected_columns(a, table)
    if metric == "share":
        table["share_other"] = a["share_other"]
    call = _call(
        "min_detectable_difference",
        n=n,
        n_other=n_other,
        metric=metric,
        promoters=promoters,
        detractors=detractors,
        share=share,
        sd=sd,
        sd_other=sd_other,
        power=power,
        alpha=alpha,
        alternative=alternative,
        method=method,
        deff=deff,
    )
    return DetectableDifferenceResult(
        table=table,
        metric=metric,
        n=n,
        n_other=other,
        difference=difference,
        assumptions=a,
        call=call,
        versions=_version_info(),
    )


@validate_params(
    {
        "n": _N,
        "difference": _REAL,
        "n_other": _N_OTHER,
        "metric": Options(("nps", "share", "mean")),
        "promoters": _NPS_SHARE,
        "detractors": _NPS_SHARE,
        "promoters_other": _NPS_SHARE,
        "detractors_other": _NPS_SHARE,
        "share": _SHARE,
        "sd": _SD,
        "sd_other": _SD,
        "alpha": _ALPHA,
        "alternative": _ALTERNATIVE,
        "method": Options((*SHARE_TEST_METHODS, *MEAN_METHODS, "wald"), none_ok=True),
        "deff": _DEFF,
        "n_simulations": Interval("integral", 100, None, none_ok=True),
        "rng": Seed(),
    }
)
def power(
    n: int,
    difference: float,
    *,
    n_other: int | None = None,
    metric: Metric = "nps",
    promoters: float | None = None,
    detractors: float | None = None,
    promoters_other: float | None = None,
    detractors_other: float | None = None,
    share: float | None = None,
    sd: float | None = None,
    sd_other: float | None = None,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    method: str | None = None,
    deff: DeffLike = 1.0,
    n_simulations: int | None = None,
    rng: int | np.random.Generator | None = None,
) -> PowerResult:
    r"""Power to detect ``difference`` with ``n`` (and ``n_other``) interviews.

    Parameters
    ----------
    n : int
        Interviews in the reference group (at least 2).
    difference : float
        True difference, other − reference: NPS points, a proportion, or scale
        units. Zero gives the size of the test (``alpha``).
    n_other : int, optional
        Interviews in the other group; ``n`` by default.
    metric : {'nps', 'share', 'mean'}, default: 'nps'
        What is compared.
    promoters, detractors : float, optional
        Expected shares in the reference group (NPS); worst case if omitted.
    promoters_other, detractors_other : float, optional
        Expected shares in the other group; they must imply ``difference``.
        By default the other group has the same unit variance.
    share : float, optional
        Expected share in the reference group (share); 0.5 if omitted.
    sd, sd_other : float, optional
        Expected standard deviations (mean; ``sd`` required).
    alpha : float, default: 0.05
        Significance level, in (0, 1).
    alternative : {'two-sided', 'one-sided'}, default: 'two-sided'
        Two-sided test, or one-sided in the direction of ``difference``.
    method : str, optional
        Test, as in :func:`min_detectable_difference`.
    deff : float or sequence of float, default: 1
        Design effect in both groups.
    n_simulations : int, optional
        NPS only: also estimate the power by this many (at least 100) seeded
        multinomial simulations of the Wald test, reported beside the normal
        approximation with its Monte Carlo standard error.
    rng : int or numpy.random.Generator, optional
        Seed of the simulation.

    Returns
    -------
    PowerResult
        ``.power`` (analytic), ``.power_simulated`` and ``.mc_std_error`` (with
        ``n_simulations``); ``.curve()`` gives the power against n.

    Raises
    ------
    InvalidParameterError
        Inputs of another metric; an NPS ``difference`` below 1 point in size
        (wrong units), or inconsistent with the other group's shares; a share
        taken outside (0, 1); ``n_simulations`` for a metric other than NPS, or
        when no mix of the same variance exists for the other group (give
        ``promoters_other`` and ``detractors_other``); other bad arguments.

    See Also
    --------
    sample_size_nps_difference, min_detectable_difference

    Notes
    -----
    The analytic power is the normal (or noncentral t) formula of
    :func:`sample_size_nps_difference`, :func:`sample_size_share_difference`
    and :func:`sample_size_mean_difference`.

    The simulation draws promoter, passive and detractor counts for both groups
    from multinomial distributions, computes each NPS and its variance
    :math:`(\hat p_+ + \hat p_- - \hat d^2)/(n - 1)` (what
    :func:`cxmetrics.compare_nps` reports for unweighted data), and counts the
    rejections of :math:`|z| > z_{1-\alpha/2}`. Without ``promoters_other`` the
    other group gets the mix with NPS moved by ``difference`` and the same unit
    variance, :math:`p_\pm' = (V + d'^2 \pm d')/2`, so both computations
    describe the same populations (e.g. 50%/20% → 42.5%/22.5% for −10 points).
    With a design effect the simulation draws :math:`n/\mathrm{deff}` responses.
    For small n the two may disagree; showing that is what the simulation is
    for.

    Validation: power matches R ``pwr::pwr.norm.test`` 1.3-0,
    ``power.prop.test``, ``power.t.test`` and ``pwr::pwr.t2n.test`` to rtol
    1e-8, and statsmodels' power classes; the simulated power agrees with the
    analytic power within 4 Monte Carlo standard errors for n ≥ 200
    (``tests/unit/test_sampling.py``).

    Examples
    --------
    >>> from cxmetrics.sampling import power
    >>> result = power(958, -10, promoters=0.5, detractors=0.2)
    >>> round(result.power, 3)
    0.8
    >>> sim = power(300, -10, promoters=0.5, detractors=0.2, n_simulations=2000, rng=7)
    >>> round(sim.power, 3), abs(sim.power_simulated - sim.power) < 4 * sim.mc_std_error
    (0.348, True)
    """
    a = _metric_inputs(
        metric,
        promoters=promoters,
        detractors=detractors,
        share=share,
        sd=sd,
        promoters_other=promoters_other,
        detractors_other=detractors_other,
        sd_other=sd_other,
    )
    other = n if n_other is None else n_other
    if metric == "nps":
        _check_nps_units("difference", difference, example="difference")
        if abs(difference) > 200:
            raise InvalidParameterError(
                f"`difference`={difference:g} is outside [−200, 200] NPS points."
            )
        if "promoters_other" in a:
            _consistent_other_mix(
                difference,
                a["promoters"],
                a["detractors"],
                a["promoters_other"],
                a["detractors_other"],
            )
    elif metric == "share":
        target = a["share"] + difference
        if not 0 <= target <= 1:
            raise InvalidParameterError(
                f"`share` + `difference` = {a['share']:g} + {difference:g} = "
                f"{target:g} is outside [0, 1]. Hint: the difference is a proportion."
            )
        a["share_other"] = target
    if n_simulations is not None and metric != "nps":
        raise InvalidParameterError(
            "`n_simulations` is available for metric='nps' only; "
            f"got metric={metric!r}."
        )
    a.update(
        difference=float(difference),
        alpha=float(alpha),
        alternative=alternative,
        method=_method(metric, method, _TEST_METHODS),
    )
    a["deff"], a["deff_source"] = _deff(deff)
    analytic = float(power_for(a, n, other, difference))
    simulated = mc_se = None
    if n_simulations is not None:
        mix_ref = (a["promoters"], a["detractors"])
        if "promoters_other" not in a:
            found = equal_variance_mix(
                a["promoters"], a["detractors"], difference / 100
            )
            if found is None:
                raise InvalidParameterError(
                    "no promoter/detractor mix with the same variance has an NPS "
                    f"{difference:+g} points away from the reference (the reference "
                    "is at or near the worst case). Hint: give `promoters_other` and "
                    "`detractors_other` for the simulation."
                )
            a["promoters_other"], a["detractors_other"] = found
        mix_other = (a["promoters_other"], a["detractors_other"])
        n1 = max(round(n / a["deff"]), _MIN_N)
        n2 = max(round(other / a["deff"]), _MIN_N)
        simulated, mc_se = simulate_nps_power(
            n1,
            n2,
            mix_ref,
            mix_other,
            alpha=alpha,
            alternative=alternative,
            n_simulations=n_simulations,
            rng=_rng(rng),
        )
    table = pd.DataFrame(
        {"n": [n], "n_other": [other], "difference": [float(difference)]}
    )
    table["power"] = analytic
    table["power_simulated"] = np.nan if simulated is None else simulated
    table["mc_std_error"] = np.nan if mc_se is None else mc_se
    table["n_simulations"] = n_simulations or 0
    table["alpha"] = a["alpha"]
    table["alternative"] = alternative
    table["method"] = a["method"]
    table["deff"] = a["deff"]
    _expected_columns(a, table)
    if metric == "nps":
        table["promoters_other"] = a.get("promoters_other", np.nan)
        table["detractors_other"] = a.get("detractors_other", np.nan)
    elif metric == "share":
        table["share_other"] = a["share_other"]
    elif a.get("sd_other") is not None:
        table["sd_other"] = a["sd_other"]
    call = _call(
        "power",
        n=n,
        difference=difference,
        n_other=n_other,
        metric=metric,
        promoters=promoters,
        detractors=detractors,
        promoters_other=promoters_other,
        detractors_other=detractors_other,
        share=share,
        sd=sd,
        sd_other=sd_other,
        alpha=alpha,
        alternative=alternative,
        method=method,
        deff=deff,
        n_simulations=n_simulations,
        rng=rng,
    )
    return PowerResult(
        table=table,
        metric=metric,
        n=n,
        n_other=other,
        difference=float(difference),
        power=analytic,
        power_simulated=simulated,
        mc_std_error=mc_se,
        n_simulations=n_simulations or 0,
        assumptions=a,
        call=call,
        versions=_version_info(),
    )


# --- benchmark plan -------------------------------------------------------------------


def _per_brand(
    value: Any, brands: Sequence[str], name: str, *, cover: Sequence[str] | None = None
) -> dict[str, float] | None:
    """Expand a number or a brand mapping to {brand: value} over ``cover``."""
    if value is None:
        return None
    cover = list(brands) if cover is None else list(cover)
    if isinstance(value, Mapping | pd.Series):
        mapping = {str(k): float(v) for k, v in value.items()}
        unknown = [k for k in mapping if k not in brands]
        if unknown:
            raise InvalidParameterError(
                f"`{name}` names brands not in `brands`: {unknown}. "
                f"Brands: {list(brands)}."
            )
        missing = [b for b in cover if b not in mapping]
        if missing:
            raise InvalidParameterError(
                f"`{name}` has no value for {missing}. Hint: give one number for all "
                "brands, or a value for each."
            )
        return {b: mapping[b] for b in cover}
    return {b: float(value) for b in cover}


def _cadence_rows(
    brand: str,
    n: int,
    cost: float | None,
    base: str,
    change: Any,
    margin: Any,
) -> list[dict[str, Any]]:
    other = "monthly" if base == "quarterly" else "quarterly"
    w_base, w_other = _WAVES_PER_YEAR[base], _WAVES_PER_YEAR[other]
    specs = [
        (base, "plan", n),
        (other, "same interviews per year", (n * w_base) // w_other),
        (other, "same interviews per wave", n),
    ]
    rows = []
    for cadence, basis, per_wave in specs:
        waves = _WAVES_PER_YEAR[cadence]
        ok = per_wave >= _MIN_N
        rows.append(
            {
                "brand": brand,
                "cadence": cadence,
                "basis": basis,
                "waves_per_year": waves,
                "n_per_wave": per_wave,
                "margin": margin(per_wave) if ok else math.nan,
                "detectable_change": change(per_wave) if ok else math.nan,
                "interviews_per_year": per_wave * waves,
                "cost_per_year": math.nan if cost is None else cost * per_wave * waves,
            }
        )
    return rows


@validate_params(
    {
        "brands": _Names(),
        "margin": _PerBrand(_NPS_MARGIN),
        "gap": _PerBrand(
            Interval("real", 0, 200, closed="right", hint=_NPS_MARGIN.hint)
        ),
        "n": _PerBrand(_N),
        "cost": _PerBrand(_POSITIVE),
        "budget": Interval("real", 0, None, closed="neither", none_ok=True),
        "promoters": _PerBrand(_NPS_SHARE),
        "detractors": _PerBrand(_NPS_SHARE),
        "confidence_level": _LEVEL,
        "method": Options(NPS_MARGIN_METHODS),
        "power": _POWER,
        "alpha": _ALPHA,
        "alternative": _ALTERNATIVE,
        "deff": _DEFF,
        "cadence": Options(tuple(_WAVES_PER_YEAR)),
    }
)
def benchmark_plan(
    brands: Sequence[str],
    *,
    own: str | None = None,
    margin: float | Mapping[str, float] | None = None,
    gap: float | Mapping[str, float] | None = None,
    n: int | Mapping[str, int] | None = None,
    cost: float | Mapping[str, float] | None = None,
    budget: float | None = None,
    promoters: float | Mapping[str, float] | None = None,
    detractors: float | Mapping[str, float] | None = None,
    confidence_level: float = 0.95,
    method: Literal["wald", "adjusted_wald"] = "wald",
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    deff: DeffLike = 1.0,
    cadence: Literal["monthly", "quarterly"] = "quarterly",
) -> BenchmarkPlanResult:
    r"""Plan an NPS competitor benchmark: interviews per brand and what they buy.

    Give targets (``margin`` per brand, ``gap`` to detect between the own brand
    and each competitor, or both), a fixed ``n`` per brand, or only a
    ``budget`` with ``cost`` per interview. The plan reports per brand the
    interviews per wave, their cost, the margin of error, the gap to the own
    brand it detects and the change between two waves it detects, and compares
    a monthly with a quarterly cadence.

    Parameters
    ----------
    brands : list of str
        The own brand and its competitors (2–4 competitors is the practice;
        more than 5 brands in all draws a warning).
    own : str, optional
        The own brand; the first of ``brands`` by default.
    margin : float or dict, optional
        Target ± margin of error in NPS points, for all brands or per brand.
    gap : float or dict, optional
        Smallest gap (NPS points) to detect between the own brand and each
        competitor (one number, or per competitor), with ``power`` and ``alpha``.
    n : int or dict, optional
        Interviews per brand per wave, to see what a given sample buys (instead
        of targets).
    cost : float or dict, optional
        Cost per interview, for all brands or per brand (needed with ``budget``).
    budget : float, optional
        Budget per wave. Alone, it is spread so every brand gets the same margin
        of error; with targets or ``n`` that cost more, the interviews are
        scaled down to fit, with a warning.
    promoters, detractors : float or dict, optional
        Expected shares per brand (or for all); the worst case 50% / 50% when
        both are omitted.
    confidence_level : float, default: 0.95
        Coverage of the margins, in (0, 1).
    method : {'wald', 'adjusted_wald'}, default: 'wald'
        NPS interval the margins refer to.
    power : float, default: 0.8
        Power for the gaps and the changes between waves, above ``alpha``.
    alpha : float, default: 0.05
        Significance level of those tests.
    alternative : {'two-sided', 'one-sided'}, default: 'two-sided'
        Sidedness of those tests.
    deff : float or sequence of float, default: 1
        Design effect in every brand's sample (e.g. from weighting quotas back,
        see :func:`quota_frame`).
    cadence : {'quarterly', 'monthly'}, default: 'quarterly'
        How often the ``n`` interviews (and ``budget``) are fielded.

    Returns
    -------
    BenchmarkPlanResult
        ``to_frame()``: one row per brand (``n``, ``cost``, ``margin``,
        ``detectable_gap``, ``detectable_change``, ``meets_target``, ...);
        ``.cadence``: monthly vs quarterly per brand; ``.total_n``,
        ``.total_cost``.

    Raises
    ------
    InvalidParameterError
        Repeated or empty brand names, fewer than 2 brands, ``own`` not among
        them; no target, or ``n`` together with ``margin``/``gap``; ``budget``
        without ``cost``; a budget too small for 2 interviews per brand; per-brand
        mappings naming unknown brands or missing some; bad shares (see
        :func:`sample_size_nps`), a margin or gap below 1 point (wrong units),
        ``power`` outside (0, 1) or not above ``alpha``.

    Warns
    -----
    PlanningWarning
        More than 5 brands in all; targets (or ``n``) that cost more than the
        budget (the plan is scaled down and ``meets_target`` shows the damage).

    See Also
    --------
    sample_size_nps, sample_size_nps_difference, min_detectable_difference,
    quota_frame

    Notes
    -----
    Per brand :math:`b` with unit variance :math:`V_b` (from its expected mix):

    - margin target :math:`m_b`: :math:`n_b` from :func:`sample_size_nps`;
    - gap target :math:`g_c` for competitor :math:`c`: the own brand takes the
      largest equal-allocation size
      :math:`k^2\,\mathrm{deff}\,(V_{own} + V_c)/(g_c/100)^2` (as in
      :func:`sample_size_nps_difference`; its sample serves every comparison),
      and each competitor the smallest :math:`n_c` with
      :math:`\mathrm{deff}\,(V_{own}/n_{own} + V_c/n_c) \le (g_c/100k)^2`;
    - budget :math:`B` alone: :math:`n_b = \lfloor B V_b/\sum_j c_j V_j\rfloor`,
      which equalises the margins of error across brands.

    The detectable gap to the own brand is
    :math:`100\,k\sqrt{\mathrm{deff}(V_{own}/n_{own} + V_c/n_c)}` and the detectable
    change between two waves of one brand
    :math:`100\,k\sqrt{2\,\mathrm{deff}\,V_b/n_b}`, with :math:`k` the multiplier
    of :func:`min_detectable_difference`. The cadence table compares the plan
    with the other cadence at the same interviews per year (a monthly wave gets a
    third of a quarterly one, so its detectable change is :math:`\sqrt 3` times
    larger) and at the same interviews per wave (three times the yearly cost).

    Validation: every number is one of the functions above (each validated
    there); the plan's tables are tested against them.

    Examples
    --------
    >>> from cxmetrics.sampling import benchmark_plan
    >>> plan = benchmark_plan(
    ...     ["Us", "Leader", "Rival", "Newcomer"],
    ...     gap=8,
    ...     promoters={"Us": 0.45, "Leader": 0.55, "Rival": 0.40, "Newcomer": 0.35},
    ...     detractors={"Us": 0.20, "Leader": 0.15, "Rival": 0.25, "Newcomer": 0.30},
    ...     cost={"Us": 6.0, "Leader": 8.0, "Rival": 8.0, "Newcomer": 12.0},
    ... )
    >>> plan
    BenchmarkPlanResult(own='Us': Us=1515, Leader=1263, Rival=1468, Newcomer=1515; total=5761, cost=49,118)
    >>> frame = plan.to_frame()
    >>> frame[["brand", "n", "margin", "detectable_gap"]].round(1)
          brand     n  margin  detectable_gap
    0        Us  1515     3.9             NaN
    1    Leader  1263     4.1             8.0
    2     Rival  1468     4.1             8.0
    3  Newcomer  1515     4.1             8.0
    >>> budget = benchmark_plan(["Us", "Leader", "Rival"], budget=15000, cost=10)
    >>> budget.to_frame()["n"].tolist(), round(float(budget.to_frame()["margin"].iloc[0]), 1)
    ([500, 500, 500], 8.8)
    """  # noqa: E501
    names = [str(b) for b in brands]
    if len(names) < 2:
        raise InvalidParameterError(
            f"`brands` needs the own brand and at least one competitor; got {names}."
        )
    if len(names) > _MAX_BRANDS:
        warn(
            f"{len(names)} brands in all: benchmark against 2–4 competitors (the "
            f"leader and the fiercest rival), never more than {_MAX_BRANDS} brands "
            "including your own; each extra brand costs a full sample.",
            PlanningWarning,
        )
    own_brand = names[0] if own is None else own
    if own_brand not in names:
        raise InvalidParameterError(f"`own`={own!r} is not one of `brands` {names}.")
    competitors = [b for b in names if b != own_brand]
    _check_power_alpha(power, alpha)
    if n is not None and (margin is not None or gap is not None):
        raise InvalidParameterError(
            "give either `n` (to see what a sample buys) or targets (`margin`, `gap`), "
            "not both."
        )
    if n is None and margin is None and gap is None and budget is None:
        raise InvalidParameterError(
            "give a target: `margin=` (± NPS points), `gap=` (NPS points to detect "
            "against each competitor), `n=` (interviews per brand) or `budget=` with "
            "`cost=`."
        )
    if budget is not None and cost is None:
        raise InvalidParameterError(
            "`budget` needs `cost`, the cost per interview (one number or per brand)."
        )
    margins = _per_brand(margin, names, "margin")
    gaps = _per_brand(gap, names, "gap", cover=competitors)
    sizes = _per_brand(n, names, "n")
    costs = _per_brand(cost, names, "cost")
    for label, values in (("margin", margins), ("gap", gaps)):
        for value in (values or {}).values():
            _check_nps_units(
                label, value, example="margin" if label == "margin" else "gap"
            )
    p_map = _per_brand(promoters, names, "promoters")
    d_map = _per_brand(detractors, names, "detractors")
    mixes: dict[str, tuple[float, float, bool]] = {}
    for b in names:
        mixes[b] = _nps_mix(
            None if p_map is None else p_map[b],
            None if d_map is None else d_map[b],
        )
    deff_value, deff_source = _deff(deff)
    level = float(confidence_level)
    variances = {b: float(nps_unit_variance(mixes[b][0], mixes[b][1])) for b in names}
    k = detectable_multiplier(power, alpha=alpha, alternative=alternative)

    def assumptions(b: str) -> dict[str, Any]:
        pp, pn, worst = mixes[b]
        return {
            "metric": "nps",
            "promoters": pp,
            "detractors": pn,
            "worst_case": worst,
            "confidence_level": level,
            "method": method,
            "deff": deff_value,
            "population": None,
        }

    notes = dict.fromkeys(names, "")
    if sizes is not None:
        planned = {b: int(sizes[b]) for b in names}
        goal = "given interviews per brand"
    elif margins is None and gaps is None:
        assert costs is not None
        assert budget is not None
        spend = sum(costs[b] * variances[b] for b in names)
        planned = {b: math.floor(budget * variances[b] / spend + 1e-9) for b in names}
        goal = "equal margins within the budget"
        if min(planned.values()) < _MIN_N:
            needed = _MIN_N * spend / min(variances.values())
            raise InvalidParameterError(
                f"`budget`={budget:,g} is too small: it buys fewer than {_MIN_N} "
                "interviews for some brand (a full round costs "
                f"{sum(costs.values()):,g} "
                f"per interview per brand). Hint: raise the budget to at least "
                f"{math.ceil(needed):,} or drop brands."
            )
    else:
        planned = dict.fromkeys(names, _MIN_N)
        parts = []
        if margins is not None:
            parts.append("margin")
            for b in names:
                a = {**assumptions(b), "margin": margins[b]}
                planned[b] = max(planned[b], _round_margin_n(a, _n_for_margin(a)))
        if gaps is not None:
            parts.append("gap to each competitor")
            budget_var = {
                c: (gaps[c] / 100.0 / k) ** 2 / deff_value for c in competitors
            }
            own_need = max(
                ceil_n((variances[own_brand] + variances[c]) / budget_var[c])
                for c in competitors
            )
            planned[own_brand] = max(planned[own_brand], own_need)
            n_own = planned[own_brand]
            for c in competitors:
                # the smallest n_c with V_own/n_own + V_c/n_c <= (gap/k)^2/deff
                room = budget_var[c] - variances[own_brand] / n_own
                planned[c] = max(planned[c], ceil_n(variances[c] / room))
        goal = " and ".join(parts)

    total_cost = None if costs is None else sum(costs[b] * planned[b] for b in names)
    if (
        budget is not None
        and total_cost is not None
        and total_cost > budget * (1 + 1e-12)
    ):
        factor = budget / total_cost
        scaled = {b: math.floor(planned[b] * factor) for b in names}
        if min(scaled.values()) < _MIN_N:
            raise InvalidParameterError(
                f"`budget`={budget:,g} is too small: scaled to fit, some brand gets "
                f"fewer than {_MIN_N} interviews (the plan costs {total_cost:,.0f})."
            )
        warn(
            f"the plan costs {total_cost:,.0f} per wave, above the budget of "
            f"{budget:,.0f}; interviews are scaled down by {factor:.2f} and the "
            "targets are not met. Hint: 1. raise the budget; 2. relax the targets; "
            "3. drop a brand.",
            PlanningWarning,
        )
        planned = scaled
        notes = dict.fromkeys(names, "scaled down to fit the budget")
        total_cost = sum(costs[b] * planned[b] for b in names) if costs else None

    def change(b: str) -> Any:
        return lambda m: 100.0 * k * math.sqrt(2 * deff_value * variances[b] / m)

    def margin_at(b: str) -> Any:
        a = assumptions(b)
        return lambda m: float(margin_for(a, m))

    rows = []
    for b in names:
        nb = planned[b]
        achieved = margin_at(b)(nb)
        if b == own_brand:
            detect = math.nan
        else:
            detect = (
                100.0
                * k
                * math.sqrt(
                    deff_value
                    * (variances[own_brand] / planned[own_brand] + variances[b] / nb)
                )
            )
        target_margin = math.nan if margins is None else margins[b]
        target_gap = math.nan if gaps is None or b == own_brand else gaps[b]
        if margins is None and gaps is None:
            meets: bool | None = None
        else:
            meets = True
            if margins is not None:
                meets = meets and achieved <= target_margin * (1 + 1e-9)
            if gaps is not None:
                if b == own_brand:
                    worst = max(
                        100.0
                        * k
                        * math.sqrt(
                            deff_value * (variances[b] / nb + variances[c] / planned[c])
                        )
                        / gaps[c]
                        for c in competitors
                    )
                    meets = meets and worst <= 1 + 1e-9
                else:
                    meets = meets and detect <= target_gap * (1 + 1e-9)
        if not notes[b] and nb < 30:
            notes[b] = "fewer than 30 interviews"
        pp, pn, worst = mixes[b]
        rows.append(
            {
                "brand": b,
                "role": "own" if b == own_brand else "competitor",
                "n": nb,
                "cost_per_interview": math.nan if costs is None else costs[b],
                "cost": math.nan if costs is None else costs[b] * nb,
                "promoters": pp,
                "detractors": pn,
                "nps": 100.0 * (pp - pn),
                "worst_case": worst,
                "margin": achieved,
                "detectable_gap": detect,
                "detectable_change": change(b)(nb),
                "target_margin": target_margin,
                "target_gap": target_gap,
                "meets_target": meets,
                "note": notes[b],
            }
        )
    table = pd.DataFrame(rows)
    table["meets_target"] = table["meets_target"].astype("boolean")
    cadence_rows = []
    for b in names:
        cadence_rows += _cadence_rows(
            b,
            planned[b],
            None if costs is None else costs[b],
            cadence,
            change(b),
            margin_at(b),
        )
    cadence_table = pd.DataFrame(cadence_rows)
    a_all: dict[str, Any] = {
        "goal": goal,
        "confidence_level": level,
        "method": method,
        "power": float(power),
        "alpha": float(alpha),
        "alternative": alternative,
        "deff": deff_value,
        "deff_source": deff_source,
        "cadence": cadence,
        "brands": {b: assumptions(b) for b in names},
    }
    call = _call(
        "benchmark_plan",
        brands=names,
        own=own,
        margin=margin,
        gap=gap,
        n=n,
        cost=cost,
        budget=budget,
        promoters=promoters,
        detractors=detractors,
        confidence_level=confidence_level,
        method=method,
        power=power,
        alpha=alpha,
        alternative=alternative,
        deff=deff,
        cadence=cadence,
    )
    return BenchmarkPlanResult(
        table=table,
        own=own_brand,
        cadence=cadence_table,
        total_n=int(sum(planned.values())),
        total_cost=total_cost,
        budget=None if budget is None else float(budget),
        assumptions=a_all,
        call=call,
        versions=_version_info(),
    )


# --- quotas ---------------------------------------------------------------------------


@validate_params(
    {
        "shares": _Shares(),
        "total": Interval("integral", 1, None),
        "minimum": Interval("integral", 0, None),
    }
)
def quota_frame(
    shares: Mapping[Hashable, float] | pd.Series,
    total: int,
    *,
    minimum: int = 0,
) -> QuotaResult:
    r"""Quotas by market penetration, and the design effect of weighting them back.

    Each cell (brand, region, brand × region…) gets interviews in proportion to
    its share of the market, but at least ``minimum`` so that small cells can
    still be read; rounding keeps the total exact. Keeping the same quotas
    wave after wave keeps the structure of the sample stable.

    Parameters
    ----------
    shares : dict or pandas.Series
        Cell label → market share or penetration (any non-negative numbers;
        they are normalised to add up to 1).
    total : int
        Interviews in all.
    minimum : int, default: 0
        Smallest quota of any cell.

    Returns
    -------
    QuotaResult
        ``to_frame()``: ``cell``, ``population_share``, ``quota``,
        ``sample_share``, ``weight``, ``at_minimum``; ``.deff`` and ``.n_eff``
        of the sample weighted back to the population shares.

    Raises
    ------
    InvalidParameterError
        Shares negative, non-numeric or all zero; ``total`` below 1; quotas that
        cannot meet their minimums (``minimum`` × cells > ``total``).

    Warns
    -----
    DegenerateDataWarning
        A cell with a positive share gets no interview (``minimum=0``), so the
        sample cannot be weighted back; ``deff`` is NaN.

    See Also
    --------
    benchmark_plan : pass the quota ``deff`` on as ``deff=``.

    Notes
    -----
    Cells whose proportional quota :math:`n P_c` falls below the minimum are fixed
    at the minimum and the rest is shared again in proportion, until no cell
    falls below. The remaining cells are rounded by the largest-remainder
    (Hamilton) method [1]_: floors first, then one more interview to the largest
    fractional parts, so the quotas add up to ``total``.

    Weighting cell :math:`c` back by :math:`w_c = P_c/q_c` (:math:`q_c = n_c/n`)
    has Kish design effect :math:`\mathrm{deff} = n\sum_c n_c w_c^2/(\sum_c n_c
    w_c)^2 = \sum_c P_c^2/q_c` [2]_: 1 for proportional quotas, larger the more
    the minimums over-sample small cells.

    Validation: the quotas always add up to ``total`` and keep the minimum
    (property-tested); the design effect equals Kish's formula on the implied
    respondent weights to rtol 1e-12.

    References
    ----------
    .. [1] Balinski, M. L., & Young, H. P. (2001). Fair Representation (2nd ed.).
       Brookings Institution Press.
    .. [2] Kish, L. (1992). Weighting for unequal Pi. Journal of Official
       Statistics, 8(2), 183–200.

    Examples
    --------
    >>> from cxmetrics.sampling import quota_frame
    >>> quotas = quota_frame(
    ...     {"Leader": 0.42, "Us": 0.27, "Rival": 0.21, "Newcomer": 0.10},
    ...     1000,
    ...     minimum=150,
    ... )
    >>> quotas.to_frame()[["cell", "quota", "weight"]].round(3)
           cell  quota  weight
    0    Leader    397   1.058
    1        Us    255   1.059
    2     Rival    198   1.061
    3  Newcomer    150   0.667
    >>> round(quotas.deff, 3), round(quotas.n_eff)
    (1.02, 981)
    """
    items = list(shares.items())
    labels = [label for label, _ in items]
    raw = np.asarray([float(v) for _, v in items], dtype=np.float64)
    cells = len(labels)
    if minimum * cells > total:
        raise InvalidParameterError(
            f"quotas cannot meet their minimums: {cells} cells × minimum {minimum} = "
            f"{cells * minimum} > total {total}. Hint: lower `minimum` to at most "
            f"{total // cells}, or raise `total` to at least {cells * minimum}."
        )
    population = raw / raw.sum()
    quotas, fixed = allocate_proportional(population, total, minimum)
    sample = quotas / total
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(
            quotas > 0, population / sample, np.where(population > 0, np.nan, 0)
        )
    deff = quota_design_effect(population, quotas)
    if not math.isfinite(deff):
        empty = [labels[i] for i in np.flatnonzero((quotas == 0) & (population > 0))]
        warn(
            f"cells {empty[:5]} have a market share but no interviews, so the sample "
            "cannot be weighted back to the market; deff is NaN. Hint: set "
            "`minimum` to 1 or more.",
            DegenerateDataWarning,
        )
        deff = math.nan
    table = pd.DataFrame(
        {
            "cell": labels,
            "population_share": population,
            "quota": quotas.astype(np.int64),
            "sample_share": sample,
            "weight": weight,
            "at_minimum": fixed,
        }
    )
    call = _call("quota_frame", shares=dict(shares), total=total, minimum=minimum)
    return QuotaResult(
        table=table,
        total=int(total),
        minimum=int(minimum),
        deff=deff,
        call=call,
        versions=_version_info(),
    )
