"""Business impact: the cost of negative experience and experience linked to operations.

Two questions a CX programme must answer in money:

- :func:`negative_experience_cost`: the complaint iceberg. A share of customers
  has a negative experience; a few complain, most stay silent; after complaint
  handling some complainers are retained, others stay at risk or leave, while the
  silent are at risk or lost. The funnel turns these rates into revenue lost and at
  risk, says what each lever (recovery, complaint, negative rate) is worth, sweeps
  any input, and gives intervals when the rates were estimated from a sample.
- :func:`link_outcome`: experience data (X) tied to operational data (O): an
  outcome such as assets under management, revenue or churn, by promoter / passive
  / detractor with design-based intervals and tests; the outcome change per NPS
  point at customer and at segment level (weighted least squares with sandwich
  standard errors); and the outcome at stake if detractors behaved like passives.

The linkage reduces the rows to weighted moments of the outcome per segment ×
score × stratum inside the caller's engine (:mod:`cxmetrics.data`), and estimates
from those sums; only the HC2/HC3 customer-level covariances need the rows.

Imports: data, errors, _validation, estimators, results, statsmodels (lazily).
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from cxmetrics._validation import (
    ColumnNames,
    Interval,
    Options,
    Seed,
    as_list,
    column_not_found,
    validate_params,
)
from cxmetrics._warnings import warn
from cxmetrics.data.frame import reduce_moments
from cxmetrics.data.native import as_narwhals, is_lazy
from cxmetrics.data.summaries import moments
from cxmetrics.errors import (
    DegenerateDataWarning,
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
    RowsRequiredError,
)
from cxmetrics.estimators.impact import (
    OUTCOME_KEYS,
    PARAMETERS,
    delta_covariance,
    group_totals_covariance,
    parameter_covariance,
    parameter_draws,
    pool_moments,
    recode_moments,
    reliability_ratio,
    wls_from_cells,
)
from cxmetrics.estimators.linearization import domain_means
from cxmetrics.estimators.multiple import adjust_p_values
from cxmetrics.results.base import provenance_versions
from cxmetrics.results.impact import (
    NegativeExperienceCostResult,
    OutcomeLinkResult,
    cost_frame,
    link_group_frame,
)
from cxmetrics.suffstats import Moments

__all__ = [
    "CHANGEABLE",
    "COST_METHODS",
    "SAMPLE_SIZE_KEYS",
    "check_changes",
    "link_outcome",
    "negative_experience_cost",
]

FloatArray = NDArray[np.float64]
COST_METHODS = ("delta", "simulation")
SAMPLE_SIZE_KEYS = (
    "negative_rate",
    "complaint_rate",
    "complainer_outcomes",
    "silent_outcomes",
)
_SHARES = tuple(f"{b}_{k}" for b in ("complainer", "silent") for k in OUTCOME_KEYS)
#: Inputs a scenario (``what_if``) or a sensitivity sweep may change.
CHANGEABLE = (
    "revenue",
    "negative_rate",
    "complaint_rate",
    "recovery_rate",
    *_SHARES,
    "complainer_outcomes",
    "silent_outcomes",
)
_INDEX = {name: i for i, name in enumerate(PARAMETERS)}
_RATE_HINT = "pass shares in [0, 1] (0.22 for 22%), not percentages."
_LEVEL = Interval("real", 0, 1, closed="neither", hint="pass 0.95 for a 95% interval.")
_SUM_TOLERANCE = 1e-6


# --- input checks -------------------------------------------------------------------


def _suggest(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=2, cutoff=0.6)
    return f" Did you mean {' or '.join(map(repr, close))}?" if close else ""


def _is_real(value: object) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool | np.bool_)
        and math.isfinite(float(value))
    )


def _check_outcomes(name: str, value: object) -> dict[str, float]:
    """Validate an outcome mapping: known keys, shares in [0, 1] summing to 1."""
    if isinstance(value, pd.Series):
        value = value.to_dict()
    example = "{'at_risk': 0.34, 'lost': 0.28, 'retained': 0.38}"
    if not isinstance(value, Mapping) or not value:
        raise InvalidParameterError(
            f"`{name}` must be a mapping of outcome shares with keys among "
            f"{list(OUTCOME_KEYS)}, e.g. {example}; got {value!r}."
        )
    for key, share in value.items():
        if key not in OUTCOME_KEYS:
            raise InvalidParameterError(
                f"`{name}` has an unknown outcome {key!r}; allowed: "
                f"{list(OUTCOME_KEYS)}.{_suggest(str(key), OUTCOME_KEYS)}"
            )
        if not _is_real(share) or not 0 <= float(share) <= 1:
            raise InvalidParameterError(
                f"`{name}[{key!r}]` must be a share in [0, 1]; got {share!r}. "
                f"Hint: {_RATE_HINT}"
            )
    total = float(sum(float(v) for v in value.values()))
    if abs(total - 1) > _SUM_TOLERANCE:
        hint = (
            _RATE_HINT
            if 90 <= total <= 110
            else "the outcomes must be exhaustive; add the missing share "
            "(e.g. 'retained')."
        )
        raise InvalidParameterError(
            f"`{name}` shares must sum to 1; they sum to {total:.6g} ({dict(value)}). "
            f"Hint: {hint}"
        )
    return {k: float(value.get(k, 0.0)) for k in OUTCOME_KEYS}


def _check_sizes(sample_sizes: object) -> dict[str, float]:
    if sample_sizes is None:
        return {}
    if not isinstance(sample_sizes, Mapping):
        raise InvalidParameterError(
            "`sample_sizes` must be a mapping from estimated inputs to their sample "
            f"sizes, e.g. {{'negative_rate': 1200}}; got {sample_sizes!r}."
        )
    out = {}
    for key, size in sample_sizes.items():
        if key not in SAMPLE_SIZE_KEYS:
            raise InvalidParameterError(
                f"`sample_sizes` has an unknown key {key!r}; allowed: "
                f"{list(SAMPLE_SIZE_KEYS)}.{_suggest(str(key), SAMPLE_SIZE_KEYS)}"
            )
        if not _is_real(size) or float(size) <= 0:
            raise InvalidParameterError(
                f"`sample_sizes[{key!r}]` must be a positive number (the customers "
                f"the estimate is based on; an effective n may be fractional); got "
                f"{size!r}."
            )
        out[str(key)] = float(size)
    return out


def check_changes(changes: Mapping[str, Any], theta: FloatArray) -> dict[str, Any]:
    """Validate the inputs of a scenario against the current parameters ``theta``.

    Used by :meth:`NegativeExperienceCostResult.what_if`, ``levers`` and
    ``sensitivity``; returns the changes with numbers as floats and outcome
    mappings completed.
    """
    out: dict[str, Any] = {}
    blocks: dict[str, str] = {}
    for key, value in changes.items():
        if key not in CHANGEABLE:
            raise InvalidParameterError(
                f"cannot change {key!r}; allowed: {list(CHANGEABLE)}."
                f"{_suggest(key, CHANGEABLE)}"
            )
        if key in ("complainer_outcomes", "silent_outcomes"):
            block = key.split("_")[0]
            if block in blocks:
                raise InvalidParameterError(
                    f"`{key}` and `{blocks[block]}` both change the {block} outcomes; "
                    f"pass only `{key}`."
                )
            blocks[block] = key
            out[key] = _check_outcomes(key, value)
            continue
        if key == "revenue":
            if not _is_real(value) or float(value) <= 0:
                raise InvalidParameterError(
                    f"`revenue` must be a positive number; got {value!r}."
                )
            out[key] = float(value)
            continue
        if not _is_real(value) or not 0 <= float(value) <= 1:
            raise InvalidParameterError(
                f"`{key}` must be a share in [0, 1]; got {value!r}. Hint: {_RATE_HINT}"
            )
        if key == "recovery_rate" or key in _SHARES:
            name = "complainer_retained" if key == "recovery_rate" else key
            block, share = name.split("_", 1)
            if block in blocks:
                raise InvalidParameterError(
                    f"`{key}` and `{blocks[block]}` both change the {block} outcomes. "
                    f"Hint: pass the whole mapping `{block}_outcomes={{...}}`."
                )
            blocks[block] = key
            rest = sum(
                float(theta[_INDEX[f"{block}_{k}"]]) for k in OUTCOME_KEYS if k != share
            )
            if rest <= 0 and float(value) < 1:
                raise InvalidParameterError(
                    f"cannot set `{key}` to {value!r}: the other {block} outcomes are "
                    f"all 0, so there is nothing to rescale. Hint: pass "
                    f"`{block}_outcomes={{...}}` with every share."
                )
        out[key] = float(value)
    return out


# --- cost of negative experience ----------------------------------------------------


@validate_params(
    {
        "revenue": Interval(
            "real",
            0,
            None,
            closed="neither",
            hint="annual revenue must be a positive amount.",
        ),
        "negative_rate": Interval("real", 0, 1, hint=_RATE_HINT),
        "complaint_rate": Interval("real", 0, 1, hint=_RATE_HINT),
        "method": Options(COST_METHODS),
        "confidence_level": _LEVEL,
        "n_resamples": Interval("integral", 100, None),
        "rng": Seed(),
    }
)
def negative_experience_cost(
    revenue: float,
    negative_rate: float,
    complaint_rate: float,
    complainer_outcomes: Mapping[str, float],
    silent_outcomes: Mapping[str, float],
    *,
    sample_sizes: Mapping[str, float] | None = None,
    method: Literal["delta", "simulation"] = "delta",
    confidence_level: float = 0.95,
    n_resamples: int = 10_000,
    rng: int | np.random.Generator | None = None,
) -> NegativeExperienceCostResult:
    r"""Revenue lost and at risk through complaining and silent customers.

    The complaint iceberg: of all customers a share ``negative_rate`` has a
    negative experience; of those a share ``complaint_rate`` complains and the
    rest stay silent. After complaint handling, complainers are retained,
    remain at risk or are lost (``complainer_outcomes``); silent customers are
    at risk or lost (``silent_outcomes``). Revenue is taken to be spread evenly
    over customers.

    Parameters
    ----------
    revenue : float
        Annual revenue (any currency), positive.
    negative_rate : float
        Share of customers with a negative experience, in [0, 1].
    complaint_rate : float
        Share of negative-experience customers who complain, in [0, 1].
    complainer_outcomes : mapping
        Shares of complainers ``'at_risk'``, ``'lost'`` and ``'retained'``
        (the recovery rate) after handling; they must sum to 1 (a missing key
        counts as 0).
    silent_outcomes : mapping
        Shares of silent customers ``'at_risk'`` and ``'lost'`` (and
        ``'retained'`` if any); they must sum to 1.
    sample_sizes : mapping, optional
        When some inputs were estimated from a sample, the number of customers
        each estimate rests on (an effective n for a weighted survey), keyed by
        ``'negative_rate'``, ``'complaint_rate'``, ``'complainer_outcomes'``,
        ``'silent_outcomes'``. Inputs without a size are treated as exact.
        Without any, intervals have zero width.
    method : {'delta', 'simulation'}, default: 'delta'
        How sampling error in the rates reaches the revenue figures (Notes).
    confidence_level : float, default: 0.95
        Coverage of the intervals.
    n_resamples : int, default: 10000
        Simulation draws (``method='simulation'``).
    rng : int or numpy.random.Generator, optional
        Seed of the simulation.

    Returns
    -------
    NegativeExperienceCostResult
        ``to_frame()``: one row per measure (``revenue_lost_complainers``,
        ``revenue_at_risk_complainers``, ``revenue_retained_complainers``, the
        same for ``silent`` and ``total``) with ``share_of_customers``,
        ``estimate`` (revenue), ``share_of_revenue``, ``std_error``, ``ci_low``,
        ``ci_high``. Every measure is also an attribute; ``what_if``, ``levers``,
        ``sensitivity`` and ``funnel`` recompute from the stored inputs.

    Raises
    ------
    InvalidParameterError
        ``revenue`` not positive; a rate outside [0, 1] (e.g. 22 for 22%);
        outcome shares outside [0, 1], with unknown keys, or not summing to 1;
        a sample size not positive or an unknown key in ``sample_sizes``.

    See Also
    --------
    link_outcome : tie experience scores to an operational outcome.

    Notes
    -----
    With revenue :math:`R`, negative rate :math:`q`, complaint rate :math:`c`,
    complainer outcome shares :math:`(a_c, l_c, r_c)` (at risk, lost,
    retained) and silent shares :math:`(a_s, l_s)`:

    .. math::

        \text{lost}_{\text{complainers}} = R\,q\,c\,l_c, \qquad
        \text{lost}_{\text{silent}} = R\,q\,(1-c)\,l_s,

    and likewise for at risk (:math:`a`) and retained (:math:`r`); totals add
    the two paths. Each share of revenue divides by :math:`R`.

    Scenarios (:meth:`~NegativeExperienceCostResult.what_if`,
    :meth:`~NegativeExperienceCostResult.levers`) set inputs to targets; a
    single outcome share (such as the recovery rate :math:`r_c \to r'`) takes
    the change from the other shares of its group in proportion to their size,
    :math:`l_c' = l_c (1-r')/(l_c + a_c)`, :math:`a_c' = a_c (1-r')/(l_c + a_c)`.
    Raising the complaint rate moves customers from the silent path to the
    complainers' path, where fewer are lost when :math:`l_c < l_s`.

    Uncertainty: a rate estimated from :math:`n` customers has variance
    :math:`p(1-p)/n`; an outcome mapping the multinomial covariance
    :math:`(\mathrm{diag}(p) - pp^\top)/n`; estimates of different stages are
    independent (the stages of a funnel are nested samples, whose conditional
    shares are asymptotically independent). ``'delta'`` propagates this
    covariance with the Jacobian of each output, computed by complex-step
    differentiation (exact to rounding), and gives normal intervals clipped to
    [0, R]. ``'simulation'`` draws each rate from its Jeffreys posterior,
    Beta(:math:`np + 1/2`, :math:`n(1-p) + 1/2`) (Dirichlet for outcome
    mappings), recomputes the funnel for every draw and reports the standard
    deviation and percentile limits; it respects the [0, 1] bounds and suits
    small n, where the delta interval under-covers. Shares of exactly 0 and
    rates of 0 or 1 are treated as structural (not drawn). Coverage of both
    is checked by a seeded simulation in ``tests/unit/test_impact.py``.

    Validation: the worked example (revenue 50,000,000; 22% negative; 2%
    complain; complainers 34/28/38%; silent 55/45%) reproduces the published
    61,600 and 4,851,000 lost, 74,800 and 5,929,000 at risk to rtol 1e-12;
    scenarios and delta-method SEs match an R implementation with symbolic
    gradients (``stats::deriv``) to rtol 1e-10 (``tests/reference/data/impact.json``).

    References
    ----------
    .. [1] TARP (Technical Assistance Research Programs) (1986). Consumer
       Complaint Handling in America: An Update Study. U.S. Office of Consumer
       Affairs, Washington, DC.
    .. [2] Oehlert, G. W. (1992). A note on the delta method. The American
       Statistician, 46(1), 27–29. https://doi.org/10.1080/00031305.1992.10475842
    .. [3] Martins, J. R. R. A., Sturdza, P., & Alonso, J. J. (2003). The
       complex-step derivative approximation. ACM Transactions on Mathematical
       Software, 29(3), 245–262. https://doi.org/10.1145/838250.838251

    Examples
    --------
    >>> from cxmetrics.impact import negative_experience_cost
    >>> res = negative_experience_cost(
    ...     50_000_000, 0.22, 0.02,
    ...     complainer_outcomes={"at_risk": 0.34, "lost": 0.28, "retained": 0.38},
    ...     silent_outcomes={"at_risk": 0.55, "lost": 0.45},
    ... )
    >>> res
    NegativeExperienceCostResult(revenue_lost_total=4 912 600 (9.8% of revenue),
        revenue_at_risk_total=6 003 800 (12.0%), method='none')
    >>> round(res.revenue_lost_silent), round(res.revenue_lost_complainers)
    (4851000, 61600)
    >>> res.to_frame()[["measure", "estimate"]].head(2)
                          measure  estimate
    0     revenue_lost_complainers   61600.0
    1  revenue_at_risk_complainers   74800.0
    >>> better = res.what_if(recovery_rate=0.60)
    >>> round(res.revenue_lost_total - better.revenue_lost_total)
    21858
    >>> res.levers()[["lever", "revenue_lost_saved"]].round(0)
                          lever  revenue_lost_saved
    0   raise the recovery rate              4968.0
    1  raise the complaint rate             93500.0
    2   lower the negative rate           1116500.0
    3                all levers           1202185.0

    With rates estimated from a survey, intervals follow:

    >>> est = negative_experience_cost(
    ...     50_000_000, 0.22, 0.02,
    ...     complainer_outcomes={"at_risk": 0.34, "lost": 0.28, "retained": 0.38},
    ...     silent_outcomes={"at_risk": 0.55, "lost": 0.45},
    ...     sample_sizes={"negative_rate": 1000, "silent_outcomes": 400},
    ... )
    >>> ci = est.confidence_interval(0.90)
    >>> bool(ci.low[6] < est.revenue_lost_total < ci.high[6])
    True
    """
    complainers = _check_outcomes("complainer_outcomes", complainer_outcomes)
    silent = _check_outcomes("silent_outcomes", silent_outcomes)
    sizes = _check_sizes(sample_sizes)
    theta = np.array(
        [
            float(revenue),
            float(negative_rate),
            float(complaint_rate),
            *(complainers[k] for k in OUTCOME_KEYS),
            *(silent[k] for k in OUTCOME_KEYS),
        ]
    )
    covariance = parameter_covariance(theta, sizes)
    used = method if sizes else "none"
    draws = None
    if used == "simulation":
        generator = (
            rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        )
        draws = parameter_draws(theta, sizes, n_resamples, generator)
    frame = cost_frame(
        theta, {}, covariance, draws, method=used, confidence_level=confidence_level
    )
    return NegativeExperienceCostResult(
        table=frame,
        parameters=theta,
        sample_sizes=sizes,
        method=used,
        confidence_level=confidence_level,
        parameter_covariance=covariance,
        parameter_draws=draws,
        call={
            "function": "negative_experience_cost",
            "revenue": float(revenue),
            "negative_rate": float(negative_rate),
            "complaint_rate": float(complaint_rate),
            "complainer_outcomes": str(complainers),
            "silent_outcomes": str(silent),
            "sample_sizes": str(sizes),
            "method": used,
            "confidence_level": confidence_level,
            "n_resamples": n_resamples if used == "simulation" else None,
            "rng": "Generator" if isinstance(rng, np.random.Generator) else rng,
        },
        versions=provenance_versions(),
    )


# --- X + O linkage ------------------------------------------------------------------

_GROUPS = ("detractors", "passives", "promoters")
_ADJUST = ("holm", "fdr_bh", "bonferroni", "none")


def _check_breaks(breaks: Sequence[int]) -> tuple[int, int]:
    try:
        low, high = (int(b) for b in breaks)
        ok = (low, high) == tuple(breaks)
    except (TypeError, ValueError):
        ok = False
    if not ok or not 0 <= low < high < 10:
        raise InvalidParameterError(
            "`breaks` must be two increasing integers (last detractor score, last "
            f"passive score) inside 0–10; got {breaks!r}. Hint: the standard NPS "
            "uses breaks=(6, 8)."
        )
    return low, high


def _check_columns(
    data: Any, named: Mapping[str, str | None], segments: list[str]
) -> Any:
    """Check that the columns exist and are distinct; return the narwhals schema."""
    used: dict[str, str] = {}
    for argument, column in [*named.items(), *(("segment", s) for s in segments)]:
        if column is None:
            continue
        if column in used:
            raise InvalidParameterError(
                f"`{argument}` and `{used[column]}` name the same column {column!r}; "
                "each role needs its own column."
            )
        used[column] = argument
    frame = as_narwhals(data)
    if isinstance(frame, nw.Series):  # pragma: no cover - from_native gives frames here
        raise InvalidParameterError("`data` must be a DataFrame, not a Series.")
    schema = frame.collect_schema()
    names = list(schema.names())
    for column, argument in used.items():
        if column not in names:
            raise column_not_found(column, names, argument=argument)
    return schema


def _score_values(
    m: Moments,
    score: str,
    na_values: Sequence[float],
    nan_policy: str,
) -> tuple[Moments, FloatArray, int]:
    """Read the score of each cell, drop 'don't know' codes, check the 0–10 scale."""
    labels = [g[-1] for g in m.groups]
    try:
        values = np.array([float(v) for v in labels], dtype=np.float64)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        bad = [v for v in labels if not isinstance(v, numbers.Real)][:5]
        raise InvalidDataError(
            f"Column {score!r} (from `score`) must hold 0–10 scores; found {bad}."
        ) from None
    drop = np.isin(values, np.asarray(list(na_values), dtype=np.float64))
    n_dropped = int(m.n[drop].sum() + m.n_omitted[drop].sum())
    if n_dropped and nan_policy == "raise":
        raise InvalidDataError(
            f"`nan_policy='raise'` and {n_dropped} row(s) of {score!r} hold a code in "
            f"`na_values` {list(na_values)}. Hint: pass `nan_policy='omit'`."
        )
    keep = ~drop
    bad_values = sorted(
        {v for v in values[keep] if not (v.is_integer() and 0 <= v <= 10)}
    )
    if bad_values:
        shown = [int(v) if float(v).is_integer() else float(v) for v in bad_values[:5]]
        raise InvalidDataError(
            f"Column {score!r} (from `score`) holds values outside the 0–10 scale: "
            f"{shown}. Hint: 1. recode 'don't know' codes such as 99 with "
            "`na_values=[99]`; 2. or round fractional scores."
        )
    idx = np.flatnonzero(keep)
    kept = m.select(idx)
    n_design = kept.n.sum(axis=0)
    kept = Moments(
        groups=kept.groups,
        group_names=kept.group_names,
        strata=kept.strata,
        n=kept.n,
        sum_w=kept.sum_w,
        sum_wx=kept.sum_wx,
        sum_wx2=kept.sum_wx2,
        sum_w2=kept.sum_w2,
        sum_w2x=kept.sum_w2x,
        sum_w2x2=kept.sum_w2x2,
        n_design=np.asarray(n_design, dtype=np.float64),
        n_omitted=kept.n_omitted,
    )
    return kept, values[keep], n_dropped


def _domain_df(m: Moments) -> FloatArray:
    return np.asarray(m.n.sum(axis=1) - (m.n > 0).sum(axis=1), dtype=np.float64)


def _differences(dm: Any, confidence_level: float, adjust: str) -> pd.DataFrame:
    pairs = ((2, 0), (1, 0), (2, 1))
    z = float(stats.norm.ppf(0.5 + confidence_level / 2))
    rows = []
    for i, j in pairs:
        est = dm.estimate[i] - dm.estimate[j]
        var = dm.covariance[i, i] + dm.covariance[j, j] - 2 * dm.covariance[i, j]
        se = float(np.sqrt(max(var, 0.0))) if np.isfinite(var) else np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            statistic = est / se if se > 0 else np.nan
        rows.append(
            {
                "group": _GROUPS[i],
                "reference": _GROUPS[j],
                "estimate": est,
                "std_error": se,
                "ci_low": est - z * se,
                "ci_high": est + z * se,
                "statistic": statistic,
                "p_value": 2 * stats.norm.sf(abs(statistic))
                if np.isfinite(statistic)
                else np.nan,
                "estimate_group": dm.estimate[i],
                "estimate_reference": dm.estimate[j],
                "n_group": int(dm.n[i]),
                "n_reference": int(dm.n[j]),
            }
        )
    frame = pd.DataFrame(rows)
    p = frame["p_value"].to_numpy(dtype=float)
    adjusted = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if adjust == "none":
        adjusted = p.copy()
    elif ok.any():
        adjusted[ok] = adjust_p_values(p[ok], adjust)
    frame.insert(list(frame.columns).index("p_value") + 1, "p_adjusted", adjusted)
    return frame


def _stake(
    group_m: Moments, customers: float | None, confidence_level: float
) -> pd.DataFrame:
    """Outcome at stake if detractors had the passives' mean outcome."""
    totals, cov = group_totals_covariance(group_m)

    def per_customer(t: Any) -> Any:
        w_d, y_d, w_p, y_p, w_r = t[0], t[1], t[2], t[3], t[4]
        w = w_d + w_p + w_r
        return np.stack([(w_d * y_p / w_p - y_d) / w])

    def total(t: Any) -> Any:
        if customers is not None:
            return customers * per_customer(t)
        return np.stack([t[0] * t[3] / t[2] - t[1]])

    z = float(stats.norm.ppf(0.5 + confidence_level / 2))
    rows = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, function in (("per_customer", per_customer), ("total", total)):
            value, var = delta_covariance(function, totals, cov)
            se = (
                float(np.sqrt(max(var[0, 0], 0.0)))
                if np.isfinite(var[0, 0])
                else np.nan
            )
            rows.append(
                {
                    "measure": name,
                    "estimate": float(value[0]),
                    "std_error": se,
                    "ci_low": float(value[0]) - z * se,
                    "ci_high": float(value[0]) + z * se,
                    "customers": 1.0
                    if name == "per_customer"
                    else (
                        customers
                        if customers is not None
                        else float(totals[0::2].sum())
                    ),
                }
            )
    return pd.DataFrame(rows)


def _t_rows(
    level: str,
    terms: tuple[str, str],
    coef: FloatArray,
    cov: FloatArray,
    df: float,
    n: float,
    cov_type: str,
    confidence_level: float,
) -> list[dict[str, Any]]:
    rows = []
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(np.maximum(np.diag(cov), 0.0))
        statistic = coef / se
    q = stats.t.ppf(0.5 + confidence_level / 2, df) if df > 0 else np.nan
    for k, term in enumerate(terms):
        p = (
            2 * stats.t.sf(abs(statistic[k]), df)
            if df > 0 and np.isfinite(statistic[k])
            else np.nan
        )
        rows.append(
            {
                "level": level,
                "term": term,
                "estimate": coef[k],
                "std_error": se[k],
                "ci_low": coef[k] - q * se[k],
                "ci_high": coef[k] + q * se[k],
                "statistic": statistic[k],
                "df": float(df),
                "p_value": p,
                "n": int(n),
                "cov_type": cov_type,
                "reliability": np.nan,
                "estimate_corrected": np.nan,
            }
        )
    return rows


def _customer_rows_cov(
    data: Any,
    *,
    score: str,
    outcome: str,
    weights: str | None,
    keys: Sequence[str],
    regressor: str,
    breaks: tuple[int, int],
    na_values: Sequence[float],
    cov_type: str,
) -> tuple[FloatArray, FloatArray]:
    """HC2/HC3 need the leverage of each row: fit with statsmodels on the rows."""
    from statsmodels.regression.linear_model import WLS

    frame = as_narwhals(data)
    if is_lazy(frame):
        raise RowsRequiredError(
            f"`cov_type={cov_type!r}` needs each respondent's leverage, so the rows "
            "must be in memory; got a lazy table. Hint: 1. use cov_type='HC1' or "
            "'HC0' (computed from sums, any engine); 2. or collect the table (polars "
            "`.collect()`, DuckDB `.df()`)."
        )
    columns = list(
        dict.fromkeys([score, outcome, *keys, *([weights] if weights else [])])
    )
    rows = frame.select(*columns).to_pandas()
    s = rows[score].to_numpy(dtype=np.float64, na_value=np.nan)
    y = rows[outcome].to_numpy(dtype=np.float64, na_value=np.nan)
    ok = ~(
        np.isnan(s) | np.isnan(y) | np.isin(s, np.asarray(list(na_values), dtype=float))
    )
    for key in keys:
        ok &= rows[key].notna().to_numpy()
    w = (
        rows[weights].to_numpy(dtype=np.float64, na_value=np.nan)[ok]
        if weights
        else np.ones(int(ok.sum()))
    )
    x = s[ok]
    if regressor == "nps":
        x = 100.0 * np.where(x > breaks[1], 1.0, np.where(x <= breaks[0], -1.0, 0.0))
    design = np.column_stack([np.ones_like(x), x])
    fit = WLS(y[ok], design, weights=w).fit(cov_type=cov_type)
    return np.asarray(fit.params, dtype=np.float64), np.asarray(
        fit.cov_params(), dtype=np.float64
    )


def _segment_fit(
    table: pd.DataFrame,
    *,
    weighting: str,
    cov_type: str,
    confidence_level: float,
) -> tuple[list[dict[str, Any]], FloatArray]:
    from statsmodels.regression.linear_model import WLS

    used = table["used"].to_numpy(dtype=bool)
    x = table["nps"].to_numpy(dtype=float)[used]
    y = table["outcome"].to_numpy(dtype=float)[used]
    se_x = table["nps_std_error"].to_numpy(dtype=float)[used]
    omega = (
        table["sum_weights"].to_numpy(dtype=float)[used]
        if weighting == "size"
        else np.ones(len(x))
    )
    fitted = np.full(len(table), np.nan)
    terms = ("intercept", "per_nps_point")
    if np.ptp(x) <= 0:
        warn(
            "Segment NPS is the same in every segment, so the segment-level slope "
            "is undefined (NaN).",
            DegenerateDataWarning,
        )
        nan2 = np.full(2, np.nan)
        return _t_rows(
            "segment",
            terms,
            nan2,
            np.full((2, 2), np.nan),
            len(x) - 2,
            len(x),
            cov_type,
            confidence_level,
        ), fitted
    design = np.column_stack([np.ones_like(x), x])
    fit = WLS(y, design, weights=omega).fit(cov_type=cov_type)
    coef = np.asarray(fit.params, dtype=np.float64)
    rows = _t_rows(
        "segment",
        terms,
        coef,
        np.asarray(fit.cov_params(), dtype=np.float64),
        len(x) - 2,
        len(x),
        cov_type,
        confidence_level,
    )
    reliability = reliability_ratio(x, se_x, omega)
    if reliability > 0:
        corrected = coef[1] / reliability
    else:
        corrected = np.nan
        warn(
            f"Segment NPS varies less between segments than its sampling error "
            f"(reliability {reliability:.3f} ≤ 0): the slope cannot be corrected for "
            "measurement error (NaN). Hint: use fewer, larger segments.",
            DegenerateDataWarning,
        )
    rows[1]["reliability"] = reliability
    rows[1]["estimate_corrected"] = corrected
    full = np.column_stack([np.ones(len(table)), table["nps"].to_numpy(dtype=float)])
    fitted = np.where(used, full @ coef, np.nan)
    return rows, fitted


@validate_params(
    {
        "score": ColumnNames(many=False, none_ok=False),
        "outcome": ColumnNames(many=False, none_ok=False),
        "weights": ColumnNames(many=False),
        "segment": ColumnNames(),
        "strata": ColumnNames(many=False),
        "regressor": Options(("nps", "score")),
        "cov_type": Options(("HC0", "HC1", "HC2", "HC3")),
        "segment_weighting": Options(("size", "equal")),
        "customers": Interval("real", 0, None, closed="neither", none_ok=True),
        "confidence_level": _LEVEL,
        "adjust": Options(_ADJUST),
        "nan_policy": Options(("omit", "raise")),
        "min_n": Interval("integral", 0, None),
    }
)
def link_outcome(
    data: Any,
    score: str,
    outcome: str,
    *,
    weights: str | None = None,
    segment: str | Sequence[str] | None = None,
    strata: str | None = None,
    breaks: tuple[int, int] = (6, 8),
    regressor: Literal["nps", "score"] = "nps",
    cov_type: Literal["HC0", "HC1", "HC2", "HC3"] = "HC1",
    segment_weighting: Literal["size", "equal"] = "size",
    customers: float | None = None,
    confidence_level: float = 0.95,
    adjust: str = "holm",
    nan_policy: Literal["omit", "raise"] = "omit",
    min_n: int = 30,
    na_values: Sequence[float] = (),
) -> OutcomeLinkResult:
    r"""Link an operational outcome to NPS: by group, per NPS point, and at stake.

    Respondents are matched to an outcome from operational data (O-data):
    assets under management, their change, revenue, a 0/1 churn or retention
    flag. The outcome is compared between detractors, passives and promoters,
    regressed on NPS at customer level and (with ``segment``) at segment level,
    and turned into the outcome at stake if detractors behaved like passives.

    Parameters
    ----------
    data : DataFrame-like
        One row per respondent: a pandas, polars (eager or lazy), pyarrow or
        DuckDB table.
    score : str
        Column of 0–10 likelihood-to-recommend scores.
    outcome : str
        Column of the operational outcome (numeric; a 0/1 column gives rates).
    weights : str, optional
        Column of non-negative sampling weights.
    segment : str or list of str, optional
        Column(s) defining the units of the segment-level regression (segment,
        branch, region × period …): each unit's NPS and mean outcome are
        estimated, then the mean outcome is regressed on NPS.
    strata : str, optional
        Stratum column of a stratified design (used by the design-based
        standard errors of means, differences, segment NPS and the stake).
    breaks : (int, int), default: (6, 8)
        Last detractor score and last passive score.
    regressor : {'nps', 'score'}, default: 'nps'
        Customer-level regressor: ``'nps'`` uses :math:`100 z_i` with
        :math:`z_i = +1` (promoter), 0, −1 (detractor), so the slope is the
        change in the outcome per NPS point; ``'score'`` uses the 0–10 score
        (change per scale point).
    cov_type : {'HC0', 'HC1', 'HC2', 'HC3'}, default: 'HC1'
        Sandwich covariance of both regressions (Notes). HC2 and HC3 at
        customer level need the rows in memory.
    segment_weighting : {'size', 'equal'}, default: 'size'
        Weights of the segment-level regression: the segment's sum of weights
        (its estimated size) or equal.
    customers : float, optional
        Number of customers in the population, to turn the per-customer stake
        into a total; by default the sum of the weights (the population size
        when the weights are expansion weights, the sample size when they have
        mean 1).
    confidence_level : float, default: 0.95
        Coverage of every interval.
    adjust : {'holm', 'fdr_bh', 'bonferroni', 'none'}, default: 'holm'
        Adjustment of the three difference tests (``p_adjusted``).
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Rows missing the score, the outcome, a segment or a stratum are left out
        and counted, or raise.
    min_n : int, default: 30
        Groups with fewer respondents are flagged (``small_sample``).
    na_values : sequence of float, default: ()
        Score codes to treat as missing, e.g. ``[99]``.

    Returns
    -------
    OutcomeLinkResult
        ``to_frame()``: outcome (or rate) per NPS group and overall, with
        ``estimate``, ``std_error``, ``ci_low``, ``ci_high``, ``share``, ``n``,
        ``n_eff``; ``.differences`` (tests), ``.regression`` (per NPS point),
        ``.segments`` (segment table) and ``.stake`` (detractors as passives).

    Raises
    ------
    ColumnNotFoundError
        A named column is missing.
    InvalidParameterError
        Two roles name the same column; invalid ``breaks`` or other argument.
    InvalidDataError
        Scores off the 0–10 scale or not numeric; a non-numeric or infinite
        outcome; an outcome with no variation; bad weights; missing values with
        ``nan_policy='raise'``.
    InsufficientDataError
        No usable row; respondents in fewer than two NPS groups; fewer than
        three segments with respondents.
    RowsRequiredError
        ``cov_type='HC2'``/``'HC3'`` on a lazy table.

    Warns
    -----
    DegenerateDataWarning
        An NPS group has no respondents (its row and contrasts are NaN);
        segment NPS does not vary, or varies less than its sampling error (the
        corrected slope is NaN).

    See Also
    --------
    negative_experience_cost : the cost of bad experience from funnel rates.
    cxmetrics.nps : segment NPS on its own.

    Notes
    -----
    **By group.** The mean outcome of group :math:`g` is the domain mean
    :math:`\bar y_g = \sum_{i\in g} w_i y_i / \sum_{i\in g} w_i`, with the
    linearisation variance of R's ``survey`` (``svyby(~y, ~group, design,
    svymean, covmat=TRUE)``); differences use the design covariance
    :math:`V_a + V_b - 2C_{ab}` (zero covariance without strata), with Wald z
    tests. Intervals are t on the group's design df (Wilson on the
    design-effective n for a 0/1 outcome).

    **At stake.** If detractors had the passives' mean outcome, the outcome
    per customer would change by :math:`s = p_D(\bar y_P - \bar y_D)` with
    :math:`p_D` the weighted share of detractors; the total is :math:`N s`
    (``customers``) or :math:`\sum_i w_i\, s = W_D(\bar y_P - \bar y_D)`.
    Variances by the delta method on the group totals
    :math:`(W_g, \sum_{i\in g} w_i y_i)`, whose design covariance comes from the
    same sums. The statement is associational: it assumes detractors would take
    on the passives' outcome, not that NPS causes it.

    **Customer level.** Weighted least squares of :math:`y_i` on
    :math:`x_i` (``regressor``) with weights :math:`w_i`, as R's
    ``lm(y ~ x, weights = w)``. Sandwich covariance
    :math:`A^{-1} \big(\sum_i \omega_i w_i^2 e_i^2 x_i x_i^\top\big) A^{-1}`,
    :math:`A = X^\top W X`: HC0 :math:`\omega_i = 1`; HC1 :math:`n/(n-2)`;
    HC2 :math:`1/(1-h_i)`; HC3 :math:`1/(1-h_i)^2` (:math:`h_i` the leverage
    of the weighted fit) (MacKinnon & White 1985; Long & Ervin 2000). Each
    ``cov_type`` equals R ``sandwich::vcovHC(lm(y ~ x, weights = w), type =
    cov_type)`` and statsmodels ``WLS(...).fit(cov_type=cov_type)``. Because
    the regressor is constant within a score, the fit and HC0/HC1 come from the
    sums per score (any engine); HC2/HC3 use statsmodels on the rows. Tests and
    intervals are t on :math:`n - 2` df, as ``lmtest::coeftest``. With
    sampling weights, R's design-based ``svyglm`` SE (ids = ~1, no strata) is
    HC0 × :math:`\sqrt{n/(n-1)}`; HC1 is that times :math:`\sqrt{(n-1)/(n-2)}`.
    Strata do not enter the HC covariances.

    **Segment level.** Segment NPS (points) and mean outcome are domain
    estimates of the whole design; the mean outcome is regressed on NPS by WLS
    (weights: the segment's sum of weights, or equal), sandwich covariance of
    ``cov_type`` on the segments, t on :math:`S - 2` df. Segment NPS is measured
    with sampling error :math:`\mathrm{SE}_s` (``segments['nps_std_error']``),
    which attenuates the slope by the reliability ratio
    :math:`\lambda = 1 - \sum_s \omega_s \mathrm{SE}_s^2 / \sum_s \omega_s
    (\mathrm{NPS}_s - \overline{\mathrm{NPS}}_\omega)^2` (weights
    :math:`\omega` normalised); ``estimate_corrected`` is
    :math:`\hat\beta/\lambda` (Fuller 1987), whose standard error is roughly
    the reported one divided by :math:`\lambda`. With few segments the HC
    standard errors are themselves noisy; prefer HC3 below about 30 segments.

    Missing values: rows missing the score, the outcome, a segment or a stratum
    are left out (complete cases) and counted in ``n_omitted``.

    Validation: group means, SEs and covariances match R ``survey`` 4.1.1
    ``svyby``/``svycontrast`` to rtol 1e-10; the stake matches
    ``svycontrast`` of a nonlinear expression on ``svymean``/``svytotal``;
    customer- and segment-level coefficients and HC0–HC3 SEs match R
    ``lm`` + ``sandwich::vcovHC`` 3.0-2 and ``lmtest::coeftest`` to rtol 1e-10
    (``tests/reference/data/impact.json``); the moment-based fit matches
    statsmodels ``WLS`` to rtol 1e-10.

    References
    ----------
    .. [1] Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R.
       Wiley, ch. 2 and 5.
    .. [2] MacKinnon, J. G., & White, H. (1985). Some heteroskedasticity-consistent
       covariance matrix estimators with improved finite sample properties.
       Journal of Econometrics, 29(3), 305–325.
       https://doi.org/10.1016/0304-4076(85)90158-7
    .. [3] Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent
       standard errors in the linear regression model. The American
       Statistician, 54(3), 217–224. https://doi.org/10.1080/00031305.2000.10474549
    .. [4] Fuller, W. A. (1987). Measurement Error Models. Wiley, §1.1.
       https://doi.org/10.1002/9780470316665
    .. [5] Zeileis, A. (2004). Econometric computing with HC and HAC covariance
       matrix estimators. Journal of Statistical Software, 11(10).
       https://doi.org/10.18637/jss.v011.i10

    Examples
    --------
    >>> from cxmetrics.datasets import load_example_survey
    >>> from cxmetrics.impact import link_outcome
    >>> survey = load_example_survey()
    >>> ours = survey[survey["brand"] == "Our bank"]
    >>> res = link_outcome(ours, "nps", "churned", weights="weight")
    >>> res
    OutcomeLinkResult(churned: promoters − detractors = -7.3% [-10.2%, -4.4%],
        p=9.42e-07; per NPS point = -0.000357; n=2469)
    >>> res.to_frame()["nps_group"].tolist()
    ['detractors', 'passives', 'promoters', 'all']
    >>> rates = res.to_frame().set_index("nps_group")["estimate"]
    >>> bool(rates["detractors"] > rates["promoters"])
    True
    >>> res.differences[["group", "reference"]].values.tolist()
    [['promoters', 'detractors'], ['passives', 'detractors'], ['promoters', 'passives']]
    >>> bool(res.per_nps_point < 0)  # churn falls as NPS rises
    True
    >>> ci = res.confidence_interval(0.90)
    >>> len(ci.low)
    4

    At segment level (here the 20 segment × quarter cells of Our bank):

    >>> cells = link_outcome(ours, "nps", "churned", weights="weight",
    ...                      segment=["segment", "period"], cov_type="HC3")
    >>> cells.regression[["level", "term", "n"]].values.tolist()
    [['customer', 'intercept', 2469], ['customer', 'per_nps_point', 2469],
     ['segment', 'intercept', 20], ['segment', 'per_nps_point', 20]]
    >>> cells.segments.columns[:4].tolist()
    ['segment', 'period', 'nps', 'nps_std_error']
    """
    segments = as_list(segment)
    breaks_ = _check_breaks(breaks)
    schema = _check_columns(
        data,
        {"score": score, "outcome": outcome, "weights": weights, "strata": strata},
        segments,
    )
    if not schema[score].is_numeric() or schema[score] == nw.Boolean:
        raise InvalidDataError(
            f"Column {score!r} (from `score`) must hold numbers (0–10 scores); got "
            f"dtype {schema[score]}. Hint: map labels to scale points first."
        )
    table = reduce_moments(
        data,
        outcome,
        weights=weights,
        by=[*segments, score],
        strata=strata,
        argument="outcome",
    )
    cells, omissions = moments(table, argument="outcome", nan_policy=nan_policy)
    cells, scores, n_dropped = _score_values(cells, score, na_values, nan_policy)
    if cells.n.sum() == 0:
        raise InsufficientDataError(
            f"No usable rows: every row misses {score!r} or {outcome!r}."
        )
    n_omitted = omissions.total + n_dropped

    # -- outcome by NPS group
    group_index = np.where(
        scores <= breaks_[0], 0, np.where(scores <= breaks_[1], 1, 2)
    )
    group_m = pool_moments(cells, group_index, [(g,) for g in _GROUPS], ("nps_group",))
    all_m = pool_moments(
        cells, np.zeros(len(scores), dtype=np.intp), [("all",)], ("nps_group",)
    )
    dm = domain_means(group_m)
    dm_all = domain_means(all_m)
    present = dm.n > 0
    if present.sum() < 2:
        raise InsufficientDataError(
            f"Linking needs respondents in at least two NPS groups; only "
            f"{[g for g, p in zip(_GROUPS, present, strict=True) if p]} have any. "
            "Hint: check the `score` column and `breaks`."
        )
    spread = dm_all.sigma2[0]
    if not spread > 1e-12 * max(1.0, float(dm_all.estimate[0]) ** 2):
        raise InvalidDataError(
            f"Column {outcome!r} (from `outcome`) has no variation: every usable value "
            f"is {dm_all.estimate[0]:g}, so nothing can be linked to it."
        )
    if not present.all():
        empty = [g for g, p in zip(_GROUPS, present, strict=True) if not p]
        warn(
            f"No respondents among {empty}: their mean, the differences involving "
            "them and (without passives or detractors) the stake are NaN.",
            DegenerateDataWarning,
        )
    binary = bool(
        np.allclose(all_m.sum_wx2, all_m.sum_wx, rtol=1e-9, atol=0)
        and np.allclose(all_m.sum_w2x2, all_m.sum_w2x, rtol=1e-9, atol=0)
    )
    ranges = (
        f"0–{breaks_[0]}",
        f"{breaks_[0] + 1}–{breaks_[1]}",
        f"{breaks_[1] + 1}–10",
    )
    df_groups = _domain_df(group_m)
    df_all = float(_domain_df(all_m)[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        groups_table = link_group_frame(
            dm,
            dm_all,
            labels=_GROUPS,
            score_ranges=ranges,
            df=df_groups,
            df_all=df_all,
            binary=binary,
            confidence_level=confidence_level,
            min_n=min_n,
        )
        differences = _differences(dm, confidence_level, adjust)
    stake = _stake(group_m, customers, confidence_level)

    # -- customer level
    unique_scores, score_index = np.unique(scores, return_inverse=True)
    by_score = pool_moments(cells, score_index, [(s,) for s in unique_scores], (score,))
    if regressor == "nps":
        x = 100.0 * np.where(
            unique_scores > breaks_[1],
            1.0,
            np.where(unique_scores <= breaks_[0], -1.0, 0.0),
        )
    else:
        x = unique_scores
    fit = wls_from_cells(
        x,
        by_score.n.sum(axis=1),
        by_score.sum_w.sum(axis=1),
        by_score.sum_wx.sum(axis=1),
        by_score.sum_w2.sum(axis=1),
        by_score.sum_w2x.sum(axis=1),
        by_score.sum_w2x2.sum(axis=1),
    )
    coef = fit.coef
    if cov_type == "HC0":
        cov = fit.cov_hc0
    elif cov_type == "HC1":
        cov = fit.cov_hc1
    else:
        coef, cov = _customer_rows_cov(
            data,
            score=score,
            outcome=outcome,
            weights=weights,
            keys=[*segments, *([strata] if strata else [])],
            regressor=regressor,
            breaks=breaks_,
            na_values=na_values,
            cov_type=cov_type,
        )
    slope_term = "per_nps_point" if regressor == "nps" else "per_score_point"
    regression_rows = _t_rows(
        "customer",
        ("intercept", slope_term),
        coef,
        cov,
        fit.n - 2,
        fit.n,
        cov_type,
        confidence_level,
    )

    # -- segment level
    segment_table = None
    if segments:
        labels = list(dict.fromkeys(g[:-1] for g in cells.groups))
        position = {label: i for i, label in enumerate(labels)}
        segment_index = np.array(
            [position[g[:-1]] for g in cells.groups], dtype=np.intp
        )
        seg_y = domain_means(
            pool_moments(cells, segment_index, labels, tuple(segments))
        )
        z = np.where(
            scores > breaks_[1], 1.0, np.where(scores <= breaks_[0], -1.0, 0.0)
        )
        seg_z = domain_means(
            pool_moments(
                recode_moments(cells, z), segment_index, labels, tuple(segments)
            )
        )
        segment_table = pd.DataFrame(list(labels), columns=segments)
        segment_table["nps"] = 100 * seg_z.estimate
        segment_table["nps_std_error"] = 100 * seg_z.std_error
        segment_table["outcome"] = seg_y.estimate
        segment_table["outcome_std_error"] = seg_y.std_error
        segment_table["n"] = seg_y.n.astype(np.int64)
        segment_table["sum_weights"] = seg_y.sum_w
        used = (seg_y.n > 0) & (seg_y.sum_w > 0)
        segment_table["used"] = used
        segment_table["note"] = ["" if ok else "no responses" for ok in used]
        if used.sum() < 3:
            raise InsufficientDataError(
                f"The segment-level regression needs at least three segments with "
                f"respondents; `segment`={segments} gives {int(used.sum())}. Hint: use "
                "a finer segmentation (e.g. segment × region), or drop `segment`."
            )
        seg_rows, fitted = _segment_fit(
            segment_table,
            weighting=segment_weighting,
            cov_type=cov_type,
            confidence_level=confidence_level,
        )
        segment_table["fitted"] = fitted
        regression_rows += seg_rows
    regression = pd.DataFrame(regression_rows)
    return OutcomeLinkResult(
        table=groups_table,
        outcome=outcome,
        score=score,
        binary=binary,
        differences=differences,
        regression=regression,
        stake=stake,
        segments=segment_table,
        segment_names=tuple(segments),
        weights=weights,
        strata=strata,
        breaks=breaks_,
        regressor=regressor,
        cov_type=cov_type,
        confidence_level=confidence_level,
        min_n=min_n,
        n_omitted=n_omitted,
        group_means=dm,
        overall_mean=dm_all,
        call={
            "function": "link_outcome",
            "score": score,
            "outcome": outcome,
            "weights": weights,
            "segment": segments,
            "strata": strata,
            "breaks": breaks_,
            "regressor": regressor,
            "cov_type": cov_type,
            "segment_weighting": segment_weighting,
            "customers": customers,
            "confidence_level": confidence_level,
            "adjust": adjust,
            "nan_policy": nan_policy,
        },
        versions=provenance_versions("statsmodels"),
    )
