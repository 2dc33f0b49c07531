r"""Period comparisons: tell a real change from mix and noise.

- :func:`compare_periods`: the score per period with intervals, each change against a
  baseline wave with its design-based SE, p-value (adjusted across waves and groups)
  and interval, and a tracking view with control limits that flags which moves are
  signal and which are within noise. Optionally with the calibrated SE of raked or
  post-stratified weights (``calibration=``).
- :func:`standardize`: each period's score at a standard segment mix (direct
  standardization), so a shift in the mix is not read as a change in experience.
- :func:`decompose_change`: the change between two periods split exactly into a rate
  (experience) effect and a mix (composition) effect, per segment (Kitagawa), or for
  several mix factors (Das Gupta).
- :func:`benchmark_attributes`: own brand against each competitor per attribute, with
  an importance-weighted index.

Everything is computed from sums per period × group × stratum × scale point, reduced
where the data live (:func:`cxmetrics.data.frame.reduce_values`). Waves are
independent samples by default: each period is a stratum of the design (R's
``svydesign(ids=~1, strata=~period, weights=~w)``), so waves have zero covariance.

Imports: _validation, _warnings, data, errors, estimators, results, scores,
weighting.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from cxmetrics._validation import (
    CONFIDENCE_LEVEL,
    ColumnNames,
    Constraint,
    Interval,
    Options,
    as_list,
    validate_params,
)
from cxmetrics._warnings import warn
from cxmetrics.data.frame import reduce_moments
from cxmetrics.data.native import as_narwhals
from cxmetrics.data.scales import ResponseScale
from cxmetrics.data.summaries import moments as moments_of
from cxmetrics.errors import (
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
    PlanningWarning,
)
from cxmetrics.estimators.calibration import calibrated_domain_means
from cxmetrics.estimators.decomposition import (
    delta_covariance,
    factor_effects,
    mix_factors,
    totals_covariance,
)
from cxmetrics.estimators.linearization import DomainMeans, domain_means
from cxmetrics.estimators.multiple import ADJUST_METHODS, adjust_p_values
from cxmetrics.results.base import provenance_versions
from cxmetrics.results.compare import (
    BenchmarkResult,
    DecompositionResult,
    PeriodComparisonResult,
    StandardizedResult,
    normal_limits,
)
from cxmetrics.results.weighting import WeightingResult
from cxmetrics.scores import _prepare_counts
from cxmetrics.suffstats import CategoryCounts, Moments
from cxmetrics.weighting import (
    CalibrationSpec,
    calibration_counts,
    check_breaks,
    check_top,
    metric_codes,
    resolve_scale,
)

__all__ = [
    "benchmark_attributes",
    "compare_periods",
    "decompose_change",
    "standardize",
]

FloatArray = NDArray[np.float64]
Metric = Literal["nps", "top_box", "mean"]
NanPolicy = Literal["omit", "raise"]
_METRIC_LABEL = {
    "nps": "NPS (points)",
    "top_box": "top-box share",
    "mean": "mean score",
}


def _plain(value: Any) -> Hashable:
    if isinstance(value, np.generic):
        return value.item()  # type: ignore[no-any-return]
    return value  # type: ignore[no-any-return]


def _adjusted(p: FloatArray, method: str) -> FloatArray:
    out = np.full(len(p), np.nan)
    finite = np.isfinite(p)
    if finite.any():
        out[finite] = adjust_p_values(p[finite], method)
    return out


def _z_test(
    estimate: FloatArray, std_error: FloatArray
) -> tuple[FloatArray, FloatArray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = estimate / std_error
    return statistic, 2 * stats.norm.sf(np.abs(statistic))


@dataclass(frozen=True)
class BaselineSpec(Constraint):
    """``'previous'``, ``'first'`` or a period label."""

    hint: str | None = "pass 'previous', 'first' or the label of a period."

    @property
    def description(self) -> str:  # type: ignore[override]
        """Describe what is accepted."""
        return "'previous', 'first' or a period label"

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` can name a baseline."""
        try:
            hash(value)
        except TypeError:
            return False
        return value is not None and not isinstance(value, float | list)

    def invalid_example(self) -> object:
        """Return a value that cannot be a baseline."""
        return ["Q1"]


# --- counts per period × group ----------------------------------------


@dataclass(frozen=True, slots=True)
class PeriodDomains:
    """Domain means of period × group, ordered, with labels."""

    periods: tuple[Hashable, ...]
    groups: tuple[tuple[Hashable, ...], ...]
    estimate: FloatArray  # (P * G,) period-major within group? group-major below
    covariance: FloatArray
    n: FloatArray
    n_eff: FloatArray
    sum_w: FloatArray
    std_error_fixed: FloatArray | None

    def position(self, p: int, g: int) -> int:
        """Index of period ``p`` of group ``g`` in the flat arrays."""
        return g * len(self.periods) + p


def _period_order(
    data: Any, period: str, labels: Sequence[Hashable]
) -> tuple[Hashable, ...]:
    unique = list(dict.fromkeys(labels))
    if isinstance(data, pd.DataFrame) and isinstance(
        data[period].dtype, pd.CategoricalDtype
    ):
        order = [_plain(c) for c in data[period].cat.categories]
        return tuple(c for c in order if c in set(unique))
    try:
        return tuple(sorted(unique))  # type: ignore[type-var]
    except TypeError:
        return tuple(unique)


def _check_lonely(
    n_design: FloatArray, strata: Sequence[Hashable], period: str
) -> None:
    lonely = [s for s, n in zip(strata, n_design, strict=True) if n == 1]
    if lonely:
        raise InvalidDataError(
            f"Period × stratum cells {lonely[:5]} hold a single response, so their "
            "sampling variance cannot be estimated (R's survey fails here too). "
            f"Hint: 1. merge that wave with a neighbour in {period!r}; 2. or drop "
            "`strata`."
        )


def _domain_counts(
    data: Any,
    score: str,
    period: str,
    *,
    extra: list[str],
    scale: ResponseScale,
    weights: str | None,
    strata: str | None,
    independent: bool,
    nan_policy: NanPolicy,
    na_values: Sequence[float],
) -> tuple[CategoryCounts, list[tuple[Hashable, ...]], FloatArray]:
    """Count responses per (period, *extra) domain × design stratum × scale point.

    Returns the counts (groups = domains), and the stratum sizes of the design
    with rows of a missing score counted (R's ``na.rm=TRUE`` keeps them as units
    outside every domain).
    """
    stratum_keys = [strata] if strata else []
    keys = list(dict.fromkeys([period, *extra, *stratum_keys]))
    counts, _ = _prepare_counts(
        data,
        score,
        scale=scale,
        weights=weights,
        by=keys,
        strata=None,
        nan_policy=nan_policy,
        na_values=na_values,
    )
    position = {k: i for i, k in enumerate(keys)}
    domain_index: dict[tuple[Hashable, ...], int] = {}
    stratum_index: dict[tuple[Hashable, ...], int] = {}
    g_of: list[int] = []
    h_of: list[int] = []
    for group in counts.groups:
        values = tuple(_plain(v) for v in group)
        domain = tuple(values[position[k]] for k in [period, *extra])
        stratum = tuple([values[position[period]]] if independent else []) + tuple(
            values[position[k]] for k in stratum_keys
        )
        g_of.append(domain_index.setdefault(domain, len(domain_index)))
        h_of.append(stratum_index.setdefault(stratum or ("(all)",), len(stratum_index)))
    shape = (len(domain_index), len(stratum_index), len(counts.categories))
    n = np.zeros(shape)
    sw = np.zeros(shape)
    sw2 = np.zeros(shape)
    omitted_h = np.zeros(len(stratum_index))
    omitted_g = np.zeros(len(domain_index))
    g = np.asarray(g_of, dtype=np.intp)
    h = np.asarray(h_of, dtype=np.intp)
    np.add.at(n, (g, h), counts.n[:, 0, :])
    np.add.at(sw, (g, h), counts.sum_w[:, 0, :])
    np.add.at(sw2, (g, h), counts.sum_w2[:, 0, :])
    np.add.at(omitted_h, h, counts.n_omitted)
    np.add.at(omitted_g, g, counts.n_omitted)
    strata_labels = tuple(s[0] if len(s) == 1 else s for s in stratum_index)
    out = CategoryCounts(
        groups=tuple(domain_index),
        group_names=(period, *extra),
        strata=strata_labels,
        categories=counts.categories,
        n=n,
        sum_w=sw,
        sum_w2=sw2,
        n_omitted=omitted_g,
    )
    n_design = n.sum(axis=(0, 2)) + omitted_h
    _check_lonely(n_design, strata_labels, period)
    return out, list(domain_index), n_design


def _with_design(m: Moments, n_design: FloatArray) -> Moments:
    return Moments(
        groups=m.groups,
        group_names=m.group_names,
        strata=m.strata,
        n=m.n,
        sum_w=m.sum_w,
        sum_wx=m.sum_wx,
        sum_wx2=m.sum_wx2,
        sum_w2=m.sum_w2,
        sum_w2x=m.sum_w2x,
        sum_w2x2=m.sum_w2x2,
        n_design=n_design,
        n_omitted=m.n_omitted,
    )


def _grid(
    data: Any,
    period: str,
    labels: Sequence[tuple[Hashable, ...]],
    dm: DomainMeans,
    fixed: DomainMeans | None,
) -> PeriodDomains:
    """Arrange domain means on the full period × group grid (NaN where empty)."""
    used = [i for i, n in enumerate(dm.n) if n > 0]
    periods = _period_order(data, period, [labels[i][0] for i in used])
    groups = tuple(dict.fromkeys(labels[i][1:] for i in used))
    if len(periods) < 2:
        raise InsufficientDataError(
            f"Column {period!r} (from `period`) holds one period with responses "
            f"({list(periods)}); a comparison needs at least two. Hint: check the "
            "filter on the data, or the period column."
        )
    p_index = {p: i for i, p in enumerate(periods)}
    g_index = {g: i for i, g in enumerate(groups)}
    size = len(periods) * len(groups)
    where = np.full(size, -1, dtype=np.intp)
    for i in used:
        label = labels[i]
        where[g_index[label[1:]] * len(periods) + p_index[label[0]]] = i
    ok = where >= 0
    src = where[ok]

    def take(values: FloatArray) -> FloatArray:
        out = np.full(size, np.nan)
        out[ok] = values[src]
        return out

    full = dm.covariance
    sub = full.take(src, axis=0).take(src, axis=1)
    if ok.all():
        cov = sub
    else:
        cov = np.full((size, size), np.nan)
        cov[np.ix_(ok, ok)] = sub
    return PeriodDomains(
        periods=periods,
        groups=groups,
        estimate=take(dm.estimate),
        covariance=cov,
        n=np.where(ok, take(dm.n), 0.0),
        n_eff=take(dm.n_eff),
        sum_w=np.where(ok, take(dm.sum_w), 0.0),
        std_error_fixed=None if fixed is None else take(fixed.std_error),
    )


def _labels_frame(grid: PeriodDomains, by: Sequence[str], period: str) -> pd.DataFrame:
    rows = [
        {**dict(zip(by, group, strict=True)), period: p}
        for group in grid.groups
        for p in grid.periods
    ]
    return pd.DataFrame(rows, columns=[*by, period])


def _scores_frame(
    grid: PeriodDomains,
    by: Sequence[str],
    factor: float,
    confidence_level: float,
) -> pd.DataFrame:
    frame = _labels_frame(grid, by, "period")
    est = factor * grid.estimate
    se = factor * np.sqrt(np.maximum(np.diag(grid.covariance), 0.0))
    low, high = normal_limits(est, se, confidence_level)
    frame["estimate"] = est
    frame["std_error"] = se
    frame["ci_low"] = low
    frame["ci_high"] = high
    if grid.std_error_fixed is not None:
        frame["std_error_fixed"] = factor * grid.std_error_fixed
    frame["n"] = grid.n.astype(np.int64)
    frame["n_eff"] = grid.n_eff
    frame["sum_weights"] = grid.sum_w
    frame["note"] = ["" if n > 0 else "no responses" for n in grid.n]
    return frame


def _pairs(
    grid: PeriodDomains, g: int, baseline: Hashable, mode: str
) -> list[tuple[int, int]]:
    """(period, baseline period) positions to compare for group ``g``."""
    present = [p for p in range(len(grid.periods)) if grid.n[grid.position(p, g)] > 0]
    if not present:
        return []
    if mode == "previous":
        return list(zip(present[1:], present[:-1], strict=True))
    if mode == "first":
        return [(p, present[0]) for p in present[1:]]
    base = grid.periods.index(baseline)
    return [(p, base) for p in range(len(grid.periods)) if p != base]


def _changes(
    grid: PeriodDomains,
    by: Sequence[str],
    *,
    factor: float,
    baseline: Hashable,
    mode: str,
    adjust: str,
    confidence_level: float,
) -> pd.DataFrame:
    rows = []
    for g, group in enumerate(grid.groups):
        for p, b in _pairs(grid, g, baseline, mode):
            i, j = grid.position(p, g), grid.position(b, g)
            c = grid.covariance
            var = c[i, i] + c[j, j] - 2 * c[i, j]
            rows.append(
                {
                    **dict(zip(by, group, strict=True)),
                    "period": grid.periods[p],
                    "baseline": grid.periods[b],
                    "estimate": factor * (grid.estimate[i] - grid.estimate[j]),
                    "std_error": factor * math.sqrt(max(var, 0.0))
                    if np.isfinite(var)
                    else np.nan,
                    "estimate_period": factor * grid.estimate[i],
                    "estimate_baseline": factor * grid.estimate[j],
                    "n_period": int(grid.n[i]),
                    "n_baseline": int(grid.n[j]),
                }
            )
    columns = [
        *by,
        "period",
        "baseline",
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "statistic",
        "p_value",
        "p_adjusted",
        "significant",
        "estimate_period",
        "estimate_baseline",
        "n_period",
        "n_baseline",
    ]
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=columns)
    est = table["estimate"].to_numpy(dtype=float)
    se = table["std_error"].to_numpy(dtype=float)
    low, high = normal_limits(est, se, confidence_level)
    statistic, p_value = _z_test(est, se)
    table["ci_low"] = low
    table["ci_high"] = high
    table["statistic"] = statistic
    table["p_value"] = p_value
    table["p_adjusted"] = _adjusted(p_value, adjust)
    table["significant"] = table["p_adjusted"] < 1 - confidence_level
    return table[columns]


def _tracking(
    grid: PeriodDomains,
    by: Sequence[str],
    *,
    factor: float,
    adjust: str,
    confidence_level: float,
    control_limits: float,
) -> pd.DataFrame:
    frame = _labels_frame(grid, by, "period")
    n_p = len(grid.periods)
    est = factor * grid.estimate
    se = factor * np.sqrt(np.maximum(np.diag(grid.covariance), 0.0))
    center = np.full(len(est), np.nan)
    change = np.full(len(est), np.nan)
    change_se = np.full(len(est), np.nan)
    for g in range(len(grid.groups)):
        block = slice(g * n_p, (g + 1) * n_p)
        w = grid.sum_w[block]
        ok = grid.n[block] > 0
        if ok.any():
            center[block] = float(w[ok] @ est[block][ok]) / float(w[ok].sum())
        for p, b in _pairs(grid, g, None, "previous"):
            i, j = grid.position(p, g), grid.position(b, g)
            c = grid.covariance
            change[i] = est[i] - est[j]
            change_se[i] = factor * math.sqrt(max(c[i, i] + c[j, j] - 2 * c[i, j], 0))
    _, p_value = _z_test(change, change_se)
    p_adj = _adjusted(p_value, adjust)
    lower = center - control_limits * se
    upper = center + control_limits * se
    outside = (est < lower) | (est > upper)
    significant = np.nan_to_num(p_adj, nan=1.0) < 1 - confidence_level
    frame["estimate"] = est
    frame["std_error"] = se
    frame["center"] = center
    frame["lower_limit"] = lower
    frame["upper_limit"] = upper
    frame["outside_limits"] = outside
    frame["change"] = change
    frame["change_std_error"] = change_se
    frame["change_p_adjusted"] = p_adj
    frame["significant_move"] = significant
    frame["flag"] = np.where(
        grid.n <= 0, "", np.where(outside | significant, "signal", "noise")
    )
    return frame


_COMMON = {
    "weights": ColumnNames(many=False),
    "strata": ColumnNames(many=False),
    "metric": Options(("nps", "top_box", "mean")),
    "confidence_level": CONFIDENCE_LEVEL,
    "nan_policy": Options(("omit", "raise")),
}


def _metric_setup(
    metric: str,
    scale: tuple[int, int] | ResponseScale | None,
    breaks: tuple[int, int],
    top: Sequence[float],
) -> tuple[ResponseScale, tuple[int, int], tuple[float, ...]]:
    scale_ = resolve_scale(metric, scale)
    breaks_ = check_breaks(breaks) if metric == "nps" else (6, 8)
    top_ = check_top(top, scale_) if metric == "top_box" else ()
    return scale_, breaks_, top_


@validate_params(
    {
        "score": ColumnNames(many=False, none_ok=False),
        "period": ColumnNames(many=False, none_ok=False),
        "by": ColumnNames(),
        **_COMMON,
        "baseline": BaselineSpec(),
        "adjust": Options(ADJUST_METHODS),
        "calibration": CalibrationSpec(),
        "independent": Options((True, False)),
        "control_limits": Interval("real", 0, None, closed="neither"),
    }
)
def compare_periods(
    data: Any,
    score: str,
    period: str,
    *,
    metric: Metric = "nps",
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
    strata: str | None = None,
    baseline: Hashable = "previous",
    adjust: str = "holm",
    calibration: WeightingResult | None = None,
    independent: bool = True,
    control_limits: float = 3.0,
    breaks: tuple[int, int] = (6, 8),
    top: Sequence[float] = (4, 5),
    scale: tuple[int, int] | ResponseScale | None = None,
    confidence_level: float = 0.95,
    nan_policy: NanPolicy = "omit",
    na_values: Sequence[float] = (),
) -> PeriodComparisonResult:
    r"""Compare a score between survey waves: real change, or noise.

    Parameters
    ----------
    data : DataFrame-like
        Responses of every wave (pandas, polars eager or lazy, pyarrow, DuckDB).
    score : str
        The rating column.
    period : str
        The wave column. An ordered categorical keeps its order; other labels are
        sorted.
    metric : {'nps', 'top_box', 'mean'}, default: 'nps'
        NPS in points, the share in ``top``, or the mean rating.
    weights : str, optional
        Sampling weight column (not with ``calibration``, which carries its own
        weights).
    by : str or list of str, optional
        Groups compared wave on wave separately (segments, channels, brands).
    strata : str, optional
        Stratum column within each wave.
    baseline : 'previous', 'first' or a period label, default: 'previous'
        Each wave against the wave before it, against the first wave, or against
        a named wave.
    adjust : {'holm', 'fdr_bh', 'bonferroni', 'none'}, default: 'holm'
        Multiple-comparison adjustment across waves and groups.
    calibration : WeightingResult, optional
        The result of :func:`cxmetrics.weighting.rake` or
        :func:`~cxmetrics.weighting.poststratify` on ``data`` (with the period in
        its margins, e.g. period × segment targets): the weights are taken from
        it and the standard errors are the calibrated ones (``std_error_fixed``
        in ``scores`` keeps the naive one).
    independent : bool, default: True
        True: each wave is a separate sample (period is a stratum of the design,
        R's ``strata=~period``), so waves are uncorrelated. False: the waves are
        domains of one sample.
    control_limits : float, default: 3.0
        Width of the tracking control limits in standard errors (3: Shewhart).
    breaks : (int, int), default: (6, 8)
        NPS breaks.
    top : sequence of int, default: (4, 5)
        Top box for ``metric='top_box'``.
    scale : (int, int) or ResponseScale, optional
        The rating scale (0–10 for NPS, 1–5 otherwise by default).
    confidence_level : float, default: 0.95
        Level of the (normal) intervals; ``1 − confidence_level`` is the
        significance threshold of ``significant`` and the tracking flags.
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Missing scores are left out (and counted), or raise.
    na_values : sequence of float, default: ()
        Codes treated as missing.

    Returns
    -------
    PeriodComparisonResult
        ``to_frame()``: one row per group × compared wave (change, SE, interval,
        p-values); ``.scores``: the score per wave; ``.tracking``: control limits
        and the signal / noise flag of each wave.

    Raises
    ------
    ColumnNotFoundError
        A column is missing.
    InsufficientDataError
        The period column holds one period with responses.
    InvalidParameterError
        ``baseline`` is not a period of the data, ``weights`` given with
        ``calibration``, or another invalid argument.
    InvalidDataError
        Scores off the scale; bad weights; a wave × stratum with one response;
        ``data`` that do not match ``calibration``.

    See Also
    --------
    standardize : remove the mix shift first.
    decompose_change : how much of a change is mix.
    cxmetrics.compare_nps : comparisons between groups of one wave.

    Notes
    -----
    Each wave's score is a design-based weighted mean (Taylor linearisation, as
    :func:`cxmetrics.nps`); with ``independent=True`` the period is a stratum of
    the design, so a change :math:`\hat\theta_t - \hat\theta_b` has variance
    :math:`V_t + V_b` (plus :math:`-2C_{tb}` for domains of one sample or after
    calibration, where waves share the weighting). The test is a Wald z-test,
    intervals are normal, and the p-values are adjusted across all waves and
    groups (``statsmodels.stats.multitest.multipletests``).

    Tracking view: for each group, the center line is the pooled level over all
    waves, :math:`\bar\theta = \sum_t W_t\hat\theta_t / \sum_t W_t`, and the
    control limits of wave :math:`t` are :math:`\bar\theta \pm k\,SE_t` with
    :math:`k` = ``control_limits`` (the p-chart of statistical process control,
    with the design SE). A wave is flagged ``'signal'`` when it lies outside its
    limits or its move from the previous wave is significant after adjustment;
    everything else is ``'noise'``.

    Rows with a missing score stay in the design as units outside every domain
    (R's ``svymean(na.rm=TRUE)``): they count in the stratum sizes.

    Validation: wave estimates, changes and SEs match R ``survey`` 4.1.1
    (``svydesign(ids=~1, strata=~period, weights=~w)``, domain means with
    ``svyby``/``svyratio(covmat=TRUE)`` + ``svycontrast``) to rtol 1e-10, with
    fixed weights and after ``rake()`` / ``calibrate()`` with period × segment
    and period × region margins (``tests/reference/data/weighting.json``).

    References
    ----------
    .. [1] Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R.
       Wiley, §2.2 and §7.
    .. [2] Montgomery, D. C. (2012). Introduction to Statistical Quality
       Control (7th ed.). Wiley, ch. 7 (the p chart).
    .. [3] Holm, S. (1979). A simple sequentially rejective multiple test
       procedure. Scandinavian Journal of Statistics, 6(2), 65–70.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.compare import compare_periods
    >>> survey = cx.datasets.load_example_survey()
    >>> own = survey[survey["brand"] == "Our bank"]
    >>> res = compare_periods(own, "nps", "period", weights="weight")
    >>> res
    PeriodComparisonResult(NPS (points), 4 periods, baseline='previous',
                           3 change(s), 0 significant (adjust='holm'))
    >>> res.to_frame()[["period", "baseline", "estimate", "p_value"]].round(2)
        period baseline  estimate  p_value
    0  2025-Q2  2025-Q1      0.91     0.86
    1  2025-Q3  2025-Q2     -2.47     0.63
    2  2025-Q4  2025-Q3     -3.37     0.51
    >>> mass = compare_periods(own, "nps", "period", weights="weight",
    ...                        by="segment", baseline="first")
    >>> mass.to_frame().query("segment == 'mass'")[["period", "estimate"]].round(1)
        period  estimate
    0  2025-Q2      -1.5
    1  2025-Q3     -17.0
    2  2025-Q4     -21.9
    >>> res.confidence_interval(0.9).method
    'normal'
    """
    by_columns = as_list(by)
    scale_, breaks_, top_ = _metric_setup(metric, scale, breaks, top)
    if period in by_columns:
        raise InvalidParameterError(
            f"`by` must not include the period column {period!r}."
        )
    fixed: DomainMeans | None = None
    if calibration is not None and weights is not None:
        raise InvalidParameterError(
            "Pass either `weights` or `calibration`, not both: the calibration "
            f"carries its own weights (base weights {calibration.base_weights!r} times "
            "the raking factors)."
        )
    if calibration is not None:
        counts = calibration_counts(
            data,
            score,
            calibration,
            scale=scale_,
            domains=[period, *by_columns],
            strata=([period] if independent else []) + ([strata] if strata else []),
            nan_policy=nan_policy,
            na_values=na_values,
        )
        codes, factor = metric_codes(
            metric, counts.categories, breaks=breaks_, top=top_
        )
        method = (
            calibration.variance
            if calibration.variance != "poststratify"
            else ("poststratify")
        )
        dm = calibrated_domain_means(counts.cells, codes, method=method)  # type: ignore[arg-type]
        fixed = domain_means(counts.fixed_moments(codes))
        labels = list(counts.domains)
        variance = f"calibrated ({calibration.variance})"
        weight_label: str | None = "calibration"
    else:
        cc, labels, n_design = _domain_counts(
            data,
            score,
            period,
            extra=by_columns,
            scale=scale_,
            weights=weights,
            strata=strata,
            independent=independent,
            nan_policy=nan_policy,
            na_values=na_values,
        )
        codes, factor = metric_codes(metric, cc.categories, breaks=breaks_, top=top_)
        dm = domain_means(_with_design(cc.moments(codes), n_design))
        variance = "fixed weights (linearisation)"
        weight_label = weights
    grid = _grid(data, period, labels, dm, fixed)
    if baseline in ("previous", "first"):
        mode = str(baseline)
    else:
        match = [p for p in grid.periods if p == baseline or str(p) == str(baseline)]
        if not match:
            raise InvalidParameterError(
                f"`baseline` must be 'previous', 'first' or a period of {period!r}: "
                f"{list(grid.periods)}; got {baseline!r}."
            )
        baseline = match[0]
        mode = "label"
    table = _changes(
        grid,
        by_columns,
        factor=factor,
        baseline=baseline,
        mode=mode,
        adjust=adjust,
        confidence_level=confidence_level,
    )
    return PeriodComparisonResult(
        table=table,
        group_names=tuple(by_columns),
        scores=_scores_frame(grid, by_columns, factor, confidence_level),
        tracking=_tracking(
            grid,
            by_columns,
            factor=factor,
            adjust=adjust,
            confidence_level=confidence_level,
            control_limits=control_limits,
        ),
        covariance=factor * factor * grid.covariance,
        periods=grid.periods,
        metric=_METRIC_LABEL[metric],
        baseline=str(baseline) if mode == "label" else mode,
        adjust=adjust,
        confidence_level=confidence_level,
        control_limits=control_limits,
        independent=independent,
        variance=variance,
        weights=weight_label,
        call={
            "function": "compare_periods",
            "score": score,
            "period": period,
            "metric": metric,
            "weights": weights,
            "by": by_columns,
            "strata": strata,
            "baseline": baseline if mode == "label" else mode,
            "adjust": adjust,
            "calibration": None if calibration is None else calibration.variance,
            "independent": independent,
        },
        versions=provenance_versions("statsmodels"),
    )


# --- mix: standardization and decomposition ------------------------------


def _mix_counts(
    data: Any,
    score: str,
    period: str,
    mix: list[str],
    *,
    scale: ResponseScale,
    weights: str | None,
    strata: str | None,
    nan_policy: NanPolicy,
    na_values: Sequence[float],
    codes_of: Any,
) -> tuple[Moments, list[tuple[Hashable, ...]], tuple[Hashable, ...], float]:
    """Moments per (period, cell) domain with waves as strata, and the periods."""
    if period in mix:
        raise InvalidParameterError(
            f"`mix` must not include the period column {period!r}."
        )
    cc, labels, n_design = _domain_counts(
        data,
        score,
        period,
        extra=mix,
        scale=scale,
        weights=weights,
        strata=strata,
        independent=True,
        nan_policy=nan_policy,
        na_values=na_values,
    )
    codes, factor = codes_of(cc.categories)
    m = _with_design(cc.moments(codes), n_design)
    used = [labels[i][0] for i in range(len(labels)) if m.n[i].sum() > 0]
    periods = _period_order(data, period, used)
    if len(periods) < 2:
        raise InsufficientDataError(
            f"Column {period!r} (from `period`) holds one period with responses "
            f"({list(periods)}); a comparison needs at least two."
        )
    return m, labels, periods, factor


def _check_mix_columns(mix: str | Sequence[str]) -> list[str]:
    columns = as_list(mix)
    if not columns:
        raise InvalidParameterError("`mix` must name at least one column.")
    return columns


@dataclass(frozen=True)
class StandardSpec(Constraint):
    """'first', 'pooled', a period label, or shares per mix cell."""

    hint: str | None = "pass 'first', 'pooled', a period label or {cell: share}."

    @property
    def description(self) -> str:  # type: ignore[override]
        """Describe what is accepted."""
        return "'first', 'pooled', a period label, or a mapping / Series of shares"

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` can define a standard mix."""
        if isinstance(value, Mapping | pd.Series):
            return len(value) > 0
        if value is None or isinstance(value, list | float | dict):
            return False
        try:
            hash(value)
        except TypeError:
            return False
        return True

    def invalid_example(self) -> object:
        """Return a value that cannot define a mix."""
        return ["first"]


def _cell_key(cell: tuple[Hashable, ...]) -> Hashable:
    return cell[0] if len(cell) == 1 else cell


@validate_params(
    {
        "score": ColumnNames(many=False, none_ok=False),
        "period": ColumnNames(many=False, none_ok=False),
        "mix": ColumnNames(none_ok=False),
        "standard": StandardSpec(),
        **_COMMON,
    }
)
def standardize(
    data: Any,
    score: str,
    period: str,
    *,
    mix: str | Sequence[str],
    standard: Any = "first",
    metric: Metric = "nps",
    weights: str | None = None,
    strata: str | None = None,
    breaks: tuple[int, int] = (6, 8),
    top: Sequence[float] = (4, 5),
    scale: tuple[int, int] | ResponseScale | None = None,
    confidence_level: float = 0.95,
    nan_policy: NanPolicy = "omit",
    na_values: Sequence[float] = (),
) -> StandardizedResult:
    r"""Each period's score at a standard segment mix (direct standardization).

    Parameters
    ----------
    data : DataFrame-like
        Responses of every wave.
    score : str
        The rating column.
    period : str
        The wave column.
    mix : str or list of str
        The composition column(s): segments (or segment × channel cells).
    standard : 'first', 'pooled', period label, mapping or Series, default: 'first'
        The standard mix: the first period's weighted shares, the pooled shares
        of all periods, a named period's shares, or given shares per cell
        (``{segment: share}``; tuples of values for several mix columns);
        normalised to sum 1.
    metric, weights, strata, breaks, top, scale, confidence_level, nan_policy, na_values
        As in :func:`compare_periods`.

    Returns
    -------
    StandardizedResult
        Per period the standardized ``estimate`` with SE and interval, and the
        ``crude`` score at the period's own mix; ``.changes`` from the first
        period; ``.standard_mix``.

    Raises
    ------
    ColumnNotFoundError, InsufficientDataError, InvalidDataError
        As in :func:`compare_periods`; also a mix cell with a positive standard
        share but no responses in some period, a cell missing from the given
        standard, or a negative share.
    InvalidParameterError
        An unknown period label for ``standard``, or another invalid argument.

    See Also
    --------
    decompose_change : the split of a change into mix and rate effects.

    Notes
    -----
    :math:`\hat\theta^{std}_t = \sum_s P_s\,\hat r_{ts}` with the segment scores
    :math:`\hat r_{ts}` (domain means) and the standard shares :math:`P_s`
    treated as fixed, as R's ``svystandardize`` does (it post-stratifies each
    period to the standard mix). Its variance is :math:`P^\top \hat V_t P` with
    the linearisation covariance of the segment scores; waves are independent
    samples (period is a stratum). An estimated standard (``'first'``,
    ``'pooled'``) is also treated as fixed. Shares of the standard are computed
    from the rows with a valid score.

    Validation: standardized scores and SEs match R ``survey`` 4.1.1
    ``svystandardize(design, by=~segment, over=~period)`` + ``svyby`` to rtol
    1e-10, and a hand calculation :math:`\sum_s P_s \bar y_{ts}`
    (``tests/reference/data/weighting.json``).

    References
    ----------
    .. [1] Kitagawa, E. M. (1964). Standardized comparisons in population
       research. Demography, 1(1), 296–315. https://doi.org/10.1007/BF03208469

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.compare import standardize
    >>> survey = cx.datasets.load_example_survey()
    >>> own = survey[survey["brand"] == "Our bank"]
    >>> std = standardize(own, "nps", "period", mix="segment", weights="weight")
    >>> std.to_frame()[["period", "crude", "estimate"]].round(1)
        period  crude  estimate
    0  2025-Q1   10.0      10.0
    1  2025-Q2   10.9      10.8
    2  2025-Q3    8.4       6.8
    3  2025-Q4    5.1       3.7
    >>> std.confidence_interval(0.9).method
    'normal'
    """
    mix_columns = _check_mix_columns(mix)
    scale_, breaks_, top_ = _metric_setup(metric, scale, breaks, top)
    m, labels, periods, factor = _mix_counts(
        data,
        score,
        period,
        mix_columns,
        scale=scale_,
        weights=weights,
        strata=strata,
        nan_policy=nan_policy,
        na_values=na_values,
        codes_of=lambda c: metric_codes(metric, c, breaks=breaks_, top=top_),
    )
    dm = domain_means(m)
    cells = list(dict.fromkeys(labels[i][1:] for i in range(len(labels)) if dm.n[i]))
    p_index = {p: i for i, p in enumerate(periods)}
    c_index = {c: i for i, c in enumerate(cells)}
    n_p, n_c = len(periods), len(cells)
    pos = np.full((n_p, n_c), -1, dtype=np.intp)
    for i, label in enumerate(labels):
        if dm.n[i] > 0 and label[0] in p_index:
            pos[p_index[label[0]], c_index[label[1:]]] = i
    w = np.where(pos >= 0, dm.sum_w[np.maximum(pos, 0)], 0.0)
    shares_by_period = w / w.sum(axis=1, keepdims=True)
    shares, standard_label = _standard_shares(
        standard, periods, cells, shares_by_period, w, mix_columns
    )
    missing = [
        (periods[t], _cell_key(cells[c]))
        for t in range(n_p)
        for c in range(n_c)
        if shares[c] > 0 and pos[t, c] < 0
    ]
    if missing:
        raise InvalidDataError(
            f"The standard mix gives a share to cells with no responses in some "
            f"period: (period, cell) = {missing[:5]}. A standardized score needs "
            "every cell of the standard in every period. Hint: 1. merge sparse "
            f"categories of {mix_columns}; 2. or give those cells a share of 0."
        )
    a = np.zeros((n_p, len(labels)))
    crude_a = np.zeros((n_p, len(labels)))
    for t in range(n_p):
        for c in range(n_c):
            if pos[t, c] >= 0:
                a[t, pos[t, c]] = shares[c]
                crude_a[t, pos[t, c]] = shares_by_period[t, c]
    est = a @ dm.estimate
    cov = a @ dm.covariance @ a.T
    crude = crude_a @ dm.estimate
    crude_dm = domain_means(
        m.pool(
            [i for i, label in enumerate(labels) if label[0] == periods[0]], "x"
        ).stack(_pooled_periods(m, labels, periods[1:]))
    )
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    low, high = normal_limits(factor * est, factor * se, confidence_level)
    table = pd.DataFrame(
        {
            "period": list(periods),
            "estimate": factor * est,
            "std_error": factor * se,
            "ci_low": low,
            "ci_high": high,
            "crude": factor * crude,
            "crude_std_error": factor * crude_dm.std_error,
            "n": [
                int(m.n[[i for i, lab in enumerate(labels) if lab[0] == p]].sum())
                for p in periods
            ],
        }
    )
    diff = factor * (est[1:] - est[0])
    diff_se = factor * np.sqrt(
        np.maximum(np.diag(cov)[1:] + cov[0, 0] - 2 * cov[0, 1:], 0.0)
    )
    d_low, d_high = normal_limits(diff, diff_se, confidence_level)
    _, p_value = _z_test(diff, diff_se)
    changes = pd.DataFrame(
        {
            "period": list(periods[1:]),
            "baseline": periods[0],
            "estimate": diff,
            "std_error": diff_se,
            "ci_low": d_low,
            "ci_high": d_high,
            "p_value": p_value,
            "crude_change": factor * (crude[1:] - crude[0]),
        }
    )
    mix_frame = pd.DataFrame(
        [dict(zip(mix_columns, cell, strict=True)) for cell in cells],
        columns=mix_columns,
    )
    mix_frame["share"] = shares
    return StandardizedResult(
        table=table,
        changes=changes,
        standard_mix=mix_frame,
        covariance=factor * factor * cov,
        mix=tuple(mix_columns),
        standard=standard_label,
        metric=_METRIC_LABEL[metric],
        confidence_level=confidence_level,
        call={
            "function": "standardize",
            "score": score,
            "period": period,
            "mix": mix_columns,
            "standard": standard_label,
            "metric": metric,
            "weights": weights,
            "strata": strata,
        },
        versions=provenance_versions(),
    )


def _pooled_periods(
    m: Moments, labels: Sequence[tuple[Hashable, ...]], periods: Sequence[Hashable]
) -> Moments:
    parts = [
        m.pool([i for i, label in enumerate(labels) if label[0] == p], "x")
        for p in periods
    ]
    out = parts[0]
    for part in parts[1:]:
        out = out.stack(part)
    return out


def _standard_shares(
    standard: Any,
    periods: tuple[Hashable, ...],
    cells: list[tuple[Hashable, ...]],
    shares_by_period: FloatArray,
    w: FloatArray,
    mix: list[str],
) -> tuple[FloatArray, str]:
    if isinstance(standard, str) and standard == "first":
        return shares_by_period[0], "first"
    if isinstance(standard, str) and standard == "pooled":
        total = w.sum(axis=0)
        return total / total.sum(), "pooled"
    if isinstance(standard, Mapping | pd.Series):
        given = dict(standard.items())
        keys = {_cell_key(c): i for i, c in enumerate(cells)}
        unknown = [k for k in given if k not in keys]
        if unknown:
            raise InvalidDataError(
                f"The standard mix names cells {unknown[:5]} that have no responses "
                f"in the data (cells: {list(keys)[:10]})."
            )
        absent = [k for k in keys if k not in given]
        if absent:
            raise InvalidDataError(
                f"The standard mix has no share for the cells {absent[:5]} of "
                f"{mix}. Hint: give every cell a share (0 to leave it out)."
            )
        values = np.array([float(given[_cell_key(c)]) for c in cells])
        if np.any(~np.isfinite(values)) or np.any(values < 0) or values.sum() <= 0:
            raise InvalidDataError(
                "The standard mix must hold non-negative finite shares with a "
                f"positive total; got {dict(zip(keys, values.tolist(), strict=True))}."
            )
        return values / values.sum(), "given"
    match = [
        i for i, p in enumerate(periods) if p == standard or str(p) == str(standard)
    ]
    if not match:
        raise InvalidParameterError(
            f"`standard` must be 'first', 'pooled', a period {list(periods)} or "
            f"shares per cell; got {standard!r}."
        )
    return shares_by_period[match[0]], str(periods[match[0]])


@validate_params(
    {
        "score": ColumnNames(many=False, none_ok=False),
        "period": ColumnNames(many=False, none_ok=False),
        "mix": ColumnNames(none_ok=False),
        "method": Options(("das_gupta", "cells")),
        **_COMMON,
    }
)
def decompose_change(
    data: Any,
    score: str,
    period: str,
    *,
    mix: str | Sequence[str],
    metric: Metric = "nps",
    weights: str | None = None,
    periods: tuple[Hashable, Hashable] | None = None,
    method: Literal["das_gupta", "cells"] = "das_gupta",
    strata: str | None = None,
    breaks: tuple[int, int] = (6, 8),
    top: Sequence[float] = (4, 5),
    scale: tuple[int, int] | ResponseScale | None = None,
    confidence_level: float = 0.95,
    nan_policy: NanPolicy = "omit",
    na_values: Sequence[float] = (),
) -> DecompositionResult:
    r"""Split the change between two periods into rate and mix effects.

    Parameters
    ----------
    data : DataFrame-like
        Responses of every wave.
    score : str
        The rating column.
    period : str
        The wave column.
    mix : str or list of str
        The composition column(s), e.g. ``"segment"`` or
        ``["segment", "channel"]``.
    metric : {'nps', 'top_box', 'mean'}, default: 'nps'
        What changes.
    weights : str, optional
        Sampling weight column.
    periods : (label, label), optional
        The two periods (from, to); default the first and the last.
    method : {'das_gupta', 'cells'}, default: 'das_gupta'
        With one mix column both are Kitagawa's decomposition. With several,
        ``'das_gupta'`` gives a mix effect per factor plus their association;
        ``'cells'`` treats the joint cells as one mix factor.
    strata, breaks, top, scale, confidence_level, nan_policy, na_values
        As in :func:`compare_periods`.

    Returns
    -------
    DecompositionResult
        ``total_change``, ``rate_effect``, ``mix_effect`` (rate + mix = total
        exactly), ``segments`` (per cell), ``to_frame()`` with SEs and intervals.

    Raises
    ------
    ColumnNotFoundError, InsufficientDataError
        As in :func:`compare_periods`.
    InvalidParameterError
        ``periods`` not two periods of the data.
    InvalidDataError
        A mix cell with responses in one period only (its rate change is
        undefined); other data problems as in :func:`compare_periods`.

    See Also
    --------
    standardize : the standardized series.

    Notes
    -----
    With shares :math:`p_{ts}` and segment scores :math:`r_{ts}` of periods
    A and B, Kitagawa's decomposition [1]_

    .. math::

        \bar y_B - \bar y_A
        = \underbrace{\sum_s \tfrac{p_{As}+p_{Bs}}{2}(r_{Bs}-r_{As})}_{\text{rate}}
        + \underbrace{\sum_s \tfrac{r_{As}+r_{Bs}}{2}(p_{Bs}-p_{As})}_{\text{mix}}

    holds exactly. For several mix factors the joint share is factored as
    :math:`p_{ab} = p_a p_b \lambda_{ab}` and each factor's effect is the
    symmetric average of its replacement effect over all orders (Das Gupta [2]_;
    it reduces to Kitagawa's with one factor). Standard errors are delta-method
    ones on the weight and score totals per period × cell, whose covariance is
    the stratified linearisation one (waves independent), with an exact
    complex-step Jacobian.

    Validation: the effects and their SEs match R ``survey`` 4.1.1
    ``svycontrast`` of the same expressions on ``svytotal`` of the period × cell
    totals to rtol 1e-10 (Kitagawa by segment, Das Gupta by segment × region);
    rate + mix = total holds exactly (hypothesis test) and a hand example is
    reproduced (``tests/unit/test_compare_decomposition.py``).

    References
    ----------
    .. [1] Kitagawa, E. M. (1955). Components of a difference between two
       rates. JASA, 50(272), 1168–1194. https://doi.org/10.2307/2281213
    .. [2] Das Gupta, P. (1993). Standardization and Decomposition of Rates: A
       User's Manual. U.S. Bureau of the Census, Current Population Reports
       P23-186.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.compare import decompose_change
    >>> survey = cx.datasets.load_example_survey()
    >>> own = survey[survey["brand"] == "Our bank"]
    >>> dec = decompose_change(own, "nps", "period", mix="segment", weights="weight")
    >>> dec
    DecompositionResult(NPS (points) 2025-Q1 → 2025-Q4: total -4.94 =
                        rate -5.55 + mix +0.61, method='kitagawa')
    >>> dec.to_frame().iloc[:3][["component", "estimate", "std_error"]].round(2)
          component  estimate  std_error
    0  total_change     -4.94       5.08
    1   rate_effect     -5.55       5.05
    2    mix_effect      0.61       0.75
    """
    mix_columns = _check_mix_columns(mix)
    scale_, breaks_, top_ = _metric_setup(metric, scale, breaks, top)
    m, labels, order, factor = _mix_counts(
        data,
        score,
        period,
        mix_columns,
        scale=scale_,
        weights=weights,
        strata=strata,
        nan_policy=nan_policy,
        na_values=na_values,
        codes_of=lambda c: metric_codes(metric, c, breaks=breaks_, top=top_),
    )
    a, b = _two_periods(periods, order)
    chosen = [i for i, label in enumerate(labels) if label[0] in (a, b)]
    present = [i for i in chosen if m.n[i].sum() > 0]
    levels = [
        list(dict.fromkeys(labels[i][1 + f] for i in present))
        for f in range(len(mix_columns))
    ]
    several = len(mix_columns) > 1 and method == "das_gupta"
    if several:
        cells = [tuple(c) for c in _product(levels)]
    else:
        cells = list(dict.fromkeys(labels[i][1:] for i in present))
    n_c = len(cells)
    c_index = {c: i for i, c in enumerate(cells)}
    # domains: period A cells then period B cells (empty cells get zero sums)
    index = np.full(2 * n_c, -1, dtype=np.intp)
    for i in present:
        t = 0 if labels[i][0] == a else 1
        index[t * n_c + c_index[labels[i][1:]]] = i
    mm = _select_or_empty(m, index)
    totals, cov = totals_covariance(mm)
    w_a, w_b = totals[:n_c], totals[n_c : 2 * n_c]
    one_sided = [
        (_cell_key(cells[c]), a if w_a[c] <= 0 else b)
        for c in range(n_c)
        if (w_a[c] > 0) != (w_b[c] > 0)
    ]
    if one_sided:
        raise InvalidDataError(
            "Mix cells with responses in one period only, (cell, period without "
            f"responses) = {one_sided[:5]}: their score change is undefined, so the "
            "change cannot be split. Hint: 1. merge sparse categories of "
            f"{mix_columns}; 2. or use fewer mix columns (or method='cells')."
        )
    keep_a = w_a > 0
    keep_b = w_b > 0
    sizes = [len(level) for level in levels]
    n_factors = (len(mix_columns) + 1) if several else 1
    names = (
        [f"mix_{c}" for c in mix_columns] + ["mix_association"]
        if several
        else ["mix_effect"]
    )

    def function(t: Any) -> Any:
        wa, wb = t[:, :n_c], t[:, n_c : 2 * n_c]
        ya, yb = t[:, 2 * n_c : 3 * n_c], t[:, 3 * n_c :]
        pa = wa / wa.sum(axis=1, keepdims=True)
        pb = wb / wb.sum(axis=1, keepdims=True)
        ra = np.where(keep_a, ya / np.where(keep_a, wa, 1.0), 0.0)
        rb = np.where(keep_b, yb / np.where(keep_b, wb, 1.0), 0.0)
        if several:
            fa = [*mix_factors(pa, sizes), ra]
            fb = [*mix_factors(pb, sizes), rb]
        else:
            fa, fb = [pa, ra], [pb, rb]
        effects = factor_effects(fa, fb)  # (F, B, C)
        mix_parts = effects[:-1]
        rate = effects[-1]
        mix_cell = mix_parts.sum(axis=0)
        score_a = (pa * ra).sum(axis=1)
        score_b = (pb * rb).sum(axis=1)
        overall = [
            score_b - score_a,
            rate.sum(axis=1),
            mix_cell.sum(axis=1),
        ]
        if several:
            overall += [part.sum(axis=1) for part in mix_parts]
        return np.column_stack(
            [
                *overall,
                rate,
                mix_cell,
                score_a,
                score_b,
                pa,
                pb,
                ra,
                rb,
            ]
        )

    value, vcov = delta_covariance(function, totals, cov)
    se_all = np.sqrt(np.maximum(np.diag(vcov), 0.0))
    n_overall = 3 + (n_factors if several else 0)
    components = ["total_change", "rate_effect", "mix_effect"] + (
        names if several else []
    )
    k = n_overall
    rate_cells = slice(k, k + n_c)
    mix_cells = slice(k + n_c, k + 2 * n_c)
    k += 2 * n_c
    score_a_i, score_b_i = k, k + 1
    k += 2
    pa_i, pb_i = slice(k, k + n_c), slice(k + n_c, k + 2 * n_c)
    ra_i, rb_i = slice(k + 2 * n_c, k + 3 * n_c), slice(k + 3 * n_c, k + 4 * n_c)
    keep = list(range(n_overall)) + list(range(k - 2 - 2 * n_c, k - 2))
    est = factor * value[keep]
    se = factor * se_all[keep]
    low, high = normal_limits(est, se, confidence_level)
    rows: list[dict[str, Any]] = []
    all_label = dict.fromkeys(mix_columns, "(all)")
    rows.extend({**all_label, "component": name} for name in components)
    rows.extend(
        {**dict(zip(mix_columns, cell, strict=True)), "component": part}
        for part in ("rate_effect", "mix_effect")
        for cell in cells
    )
    table = pd.DataFrame(rows, columns=[*mix_columns, "component"])
    table["estimate"] = est
    table["std_error"] = se
    table["ci_low"] = low
    table["ci_high"] = high
    segments = pd.DataFrame(
        [dict(zip(mix_columns, cell, strict=True)) for cell in cells],
        columns=mix_columns,
    )
    segments["share_a"] = value[pa_i]
    segments["share_b"] = value[pb_i]
    segments["score_a"] = np.where(keep_a, factor * value[ra_i], np.nan)
    segments["score_b"] = np.where(keep_b, factor * value[rb_i], np.nan)
    segments["rate_effect"] = factor * value[rate_cells]
    segments["rate_std_error"] = factor * se_all[rate_cells]
    segments["mix_effect"] = factor * value[mix_cells]
    segments["mix_std_error"] = factor * se_all[mix_cells]
    segments["contribution"] = segments["rate_effect"] + segments["mix_effect"]
    if several:
        present_cells = keep_a | keep_b
        segments = segments[present_cells].reset_index(drop=True)
        drop = np.concatenate([np.ones(n_overall, bool), present_cells, present_cells])
        table = table[drop].reset_index(drop=True)
        vcov_keep = np.asarray(keep)[drop]
    else:
        vcov_keep = np.asarray(keep)
    label: str = "kitagawa" if len(mix_columns) == 1 else str(method)
    return DecompositionResult(
        table=table,
        total_change=float(factor * value[0]),
        rate_effect=float(factor * value[1]),
        mix_effect=float(factor * value[2]),
        score_a=float(factor * value[score_a_i]),
        score_b=float(factor * value[score_b_i]),
        segments=segments,
        periods=(a, b),
        mix=tuple(mix_columns),
        method=label,
        metric=_METRIC_LABEL[metric],
        confidence_level=confidence_level,
        covariance=factor * factor * vcov[np.ix_(vcov_keep, vcov_keep)],
        call={
            "function": "decompose_change",
            "score": score,
            "period": period,
            "mix": mix_columns,
            "metric": metric,
            "weights": weights,
            "periods": [a, b],
            "method": label,
            "strata": strata,
        },
        versions=provenance_versions(),
    )


def _product(levels: list[list[Hashable]]) -> list[tuple[Hashable, ...]]:
    out: list[tuple[Hashable, ...]] = [()]
    for level in levels:
        out = [(*prefix, value) for prefix in out for value in level]
    return out


def _select_or_empty(m: Moments, index: NDArray[np.intp]) -> Moments:
    """Select the groups at ``index`` (-1: an empty group of zeros)."""
    safe = np.maximum(index, 0)
    mask = (index >= 0)[:, None]

    def pick(a: FloatArray) -> FloatArray:
        return np.where(mask, a[safe], 0.0)

    return Moments(
        groups=tuple(("x",) for _ in index),
        group_names=m.group_names,
        strata=m.strata,
        n=pick(m.n),
        sum_w=pick(m.sum_w),
        sum_wx=pick(m.sum_wx),
        sum_wx2=pick(m.sum_wx2),
        sum_w2=pick(m.sum_w2),
        sum_w2x=pick(m.sum_w2x),
        sum_w2x2=pick(m.sum_w2x2),
        n_design=m.n_design,
        n_omitted=np.zeros(len(index)),
    )


def _two_periods(
    periods: tuple[Hashable, Hashable] | None, order: tuple[Hashable, ...]
) -> tuple[Hashable, Hashable]:
    if periods is None:
        return order[0], order[-1]
    if not isinstance(periods, list | tuple) or len(periods) != 2:
        raise InvalidParameterError(
            f"`periods` must be two period labels (from, to); got {periods!r}."
        )
    out = []
    for label in periods:
        match = [p for p in order if p == label or str(p) == str(label)]
        if not match:
            raise InvalidParameterError(
                f"`periods` names {label!r}, which is not a period with responses: "
                f"{list(order)}."
            )
        out.append(match[0])
    if out[0] == out[1]:
        raise InvalidParameterError(
            f"`periods` must name two different periods; got {periods!r}."
        )
    return out[0], out[1]


# --- brand benchmarking --------------------------------------------------


def _strip_prefix(columns: Sequence[str]) -> list[str]:
    if len(columns) < 2:
        return list(columns)
    prefix = columns[0]
    for column in columns[1:]:
        while not column.startswith(prefix):
            prefix = prefix[:-1]
    cut = prefix.rfind("_") + 1
    names = [c[cut:] for c in columns]
    return names if all(names) and len(set(names)) == len(names) else list(columns)


@dataclass(frozen=True)
class ImportanceArg(Constraint):
    """None, numbers per attribute, stated importance columns or a driver result."""

    hint: str | None = (
        "pass None (equal weights), {attribute: importance}, importance rating "
        "columns, or a driver result with to_frame()."
    )

    @property
    def description(self) -> str:  # type: ignore[override]
        """Describe what is accepted."""
        return (
            "None, a mapping / Series / list of importances, importance rating "
            "column(s), or an object whose to_frame() has 'driver' and 'importance'"
        )

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` has an accepted type."""
        if value is None:
            return True
        if isinstance(value, bool | np.bool_):
            return False
        if isinstance(value, str | Mapping | pd.Series | np.ndarray | list | tuple):
            return True
        return callable(getattr(value, "to_frame", None))

    def invalid_example(self) -> object:
        """Return a value of a wrong type."""
        return 3.5


@validate_params(
    {
        "attributes": ColumnNames(none_ok=False),
        "brand": ColumnNames(many=False, none_ok=False),
        "importance": ImportanceArg(),
        "weights": ColumnNames(many=False),
        "strata": ColumnNames(many=False),
        "adjust": Options(ADJUST_METHODS),
        "confidence_level": CONFIDENCE_LEVEL,
        "nan_policy": Options(("omit", "raise")),
    }
)
def benchmark_attributes(
    data: Any,
    attributes: str | Sequence[str],
    brand: str,
    *,
    own: Hashable,
    importance: Any = None,
    weights: str | None = None,
    strata: str | None = None,
    scale: tuple[int, int] | ResponseScale = (0, 10),
    adjust: str = "holm",
    confidence_level: float = 0.95,
    nan_policy: NanPolicy = "omit",
    na_values: Sequence[float] = (),
) -> BenchmarkResult:
    r"""Benchmark your brand against each competitor on experience attributes.

    Parameters
    ----------
    data : DataFrame-like
        Responses of every brand's customers (one row per respondent).
    attributes : str or list of str
        Attribute rating columns (e.g. the ``exp_*`` experience ratings).
    brand : str
        The column naming each respondent's brand.
    own : label
        Your brand's label in ``brand``; every other brand is a competitor.
    importance : mapping, Series, list, str, driver result or None, default: None
        Weights of the attributes in the index: numbers per attribute (keys are
        attribute names with or without the common prefix), stated importance
        rating column(s) (their weighted means over the whole sample), or a
        driver result whose ``to_frame()`` has ``driver`` and ``importance``.
        None: equal weights.
    weights : str, optional
        Sampling weight column.
    strata : str, optional
        Stratum column.
    scale : (int, int) or ResponseScale, default: (0, 10)
        Rating scale of the attributes (and of stated importance).
    adjust : {'holm', 'fdr_bh', 'bonferroni', 'none'}, default: 'holm'
        Adjustment across attributes × competitors (the index rows are adjusted
        across competitors separately).
    confidence_level : float, default: 0.95
        Level of the normal intervals.
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Missing ratings are left out per attribute, or raise.
    na_values : sequence of float, default: ()
        Codes treated as missing (e.g. ``[99]``).

    Returns
    -------
    BenchmarkResult
        One row per competitor × attribute (own − competitor, SE, interval,
        adjusted p), plus one ``'(index)'`` row per competitor;
        ``.index`` selects those.

    Raises
    ------
    ColumnNotFoundError, InvalidDataError
        As in :func:`cxmetrics.mean_score`.
    InvalidParameterError
        ``own`` is not a brand of the data; no competitor; importance for unknown
        attributes or missing for some; negative importance.
    InsufficientDataError
        No respondent rated every attribute (the index needs complete rows).

    Warns
    -----
    PlanningWarning
        More than five brands including your own (good practice benchmarks
        against two to four competitors).

    Notes
    -----
    Brands are domains of one sample: the gap on attribute :math:`a` is
    :math:`\bar x_{own,a} - \bar x_{c,a}` with variance
    :math:`V_{own} + V_c - 2C` (linearisation; :math:`C = 0` without strata).
    The index is the importance-weighted mean gap
    :math:`I_c = \sum_a \omega_a(\bar x_{own,a} - \bar x_{c,a})` with
    :math:`\omega_a = m_a / \sum m_a`; it is computed as the gap of the
    respondent-level score :math:`v_i = \sum_a \omega_a x_{ia}` over the
    respondents who rated every attribute, so the correlation between
    attributes is in its SE. Importance is treated as fixed.

    Validation: each attribute gap equals :func:`cxmetrics.compare_scores`
    (R ``survey``-validated) on that attribute, and the index equals the same
    on the weighted score ``v`` (tested).

    References
    ----------
    .. [1] Hill, N., & Alexander, J. (2006). The Handbook of Customer
       Satisfaction and Loyalty Measurement (3rd ed.). Gower, ch. 14.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.compare import benchmark_attributes
    >>> survey = cx.datasets.load_example_survey()
    >>> attrs = ["exp_service", "exp_price", "exp_convenience"]
    >>> res = benchmark_attributes(survey, attrs, "brand", own="Our bank",
    ...                            importance={"service": 8.1, "price": 8.5,
    ...                                        "convenience": 8.7},
    ...                            weights="weight")
    >>> res.index[["competitor", "estimate"]].round(2)
         competitor  estimate
    0  Competitor A     -0.55
    1  Competitor B     -0.32
    2  Competitor C      0.13
    """
    columns = as_list(attributes)
    names = _strip_prefix(columns)
    scale_ = resolve_scale("mean", scale)
    by_column = dict(zip(names, columns, strict=True))
    imp_values, source = _importance(
        importance,
        names,
        by_column,
        data=data,
        scale=scale_,
        weights=weights,
        strata=strata,
        nan_policy=nan_policy,
        na_values=na_values,
    )
    omega = imp_values / imp_values.sum()
    rows: list[dict[str, Any]] = []
    brands: list[Hashable] | None = None
    for name, column in zip(names, columns, strict=True):
        counts, _ = _prepare_counts(
            data,
            column,
            scale=scale_,
            weights=weights,
            by=[brand],
            strata=strata,
            nan_policy=nan_policy,
            na_values=na_values,
            argument="attributes",
        )
        dm = domain_means(counts.moments())
        labels = [_plain(g[0]) for g in counts.groups]
        if brands is None:
            brands = _check_brands(labels, own, brand, dm.n)
        rows.extend(
            _gap_rows(dm, labels, own, brands, name, float(omega[names.index(name)]))
        )
    assert brands is not None  # internal invariant: at least one attribute
    index_rows = _index_rows(
        data,
        columns,
        omega,
        brand=brand,
        own=own,
        brands=brands,
        weights=weights,
        strata=strata,
        nan_policy=nan_policy,
        na_values=na_values,
    )
    table = _finish_gaps(rows, adjust, confidence_level)
    index_table = _finish_gaps(index_rows, adjust, confidence_level)
    return BenchmarkResult(
        table=pd.concat([table, index_table], ignore_index=True),
        own=own,
        importance_source=source,
        confidence_level=confidence_level,
        adjust=adjust,
        weights=weights,
        call={
            "function": "benchmark_attributes",
            "attributes": columns,
            "brand": brand,
            "own": own,
            "importance": source,
            "weights": weights,
            "strata": strata,
            "adjust": adjust,
        },
        versions=provenance_versions("statsmodels"),
    )


def _check_brands(
    labels: list[Hashable], own: Hashable, brand: str, n: FloatArray
) -> list[Hashable]:
    present = [label for label, k in zip(labels, n, strict=True) if k > 0]
    if own not in present:
        raise InvalidParameterError(
            f"`own` must be a brand in {brand!r}: {present}; got {own!r}."
        )
    competitors = [b for b in present if b != own]
    if not competitors:
        raise InsufficientDataError(
            f"Column {brand!r} holds no competitor of {own!r} with responses."
        )
    if len(present) > 5:
        warn(
            f"{len(present)} brands including {own!r}: good practice benchmarks "
            "against 2–4 competitors (the industry leader and the fiercest rival), "
            "never more than 5 brands in all. Hint: filter `data` to the brands that "
            "matter most.",
            PlanningWarning,
        )
    return competitors


def _gap_rows(
    dm: DomainMeans,
    labels: list[Hashable],
    own: Hashable,
    competitors: list[Hashable],
    attribute: str,
    weight: float,
) -> list[dict[str, Any]]:
    i = labels.index(own)
    out = []
    for comp in competitors:
        j = labels.index(comp)
        c = dm.covariance
        var = c[i, i] + c[j, j] - 2 * c[i, j]
        out.append(
            {
                "competitor": comp,
                "attribute": attribute,
                "estimate": dm.estimate[i] - dm.estimate[j],
                "std_error": math.sqrt(max(var, 0.0)),
                "estimate_own": dm.estimate[i],
                "estimate_competitor": dm.estimate[j],
                "importance": weight,
                "n_own": int(dm.n[i]),
                "n_competitor": int(dm.n[j]),
            }
        )
    return out


def _finish_gaps(
    rows: list[dict[str, Any]], adjust: str, confidence_level: float
) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    est = table["estimate"].to_numpy(dtype=float)
    se = table["std_error"].to_numpy(dtype=float)
    low, high = normal_limits(est, se, confidence_level)
    statistic, p = _z_test(est, se)
    table.insert(4, "ci_low", low)
    table.insert(5, "ci_high", high)
    table.insert(6, "statistic", statistic)
    table.insert(7, "p_value", p)
    table.insert(8, "p_adjusted", _adjusted(p, adjust))
    return table


def _importance(
    importance: Any,
    names: list[str],
    by_column: dict[str, str],
    *,
    data: Any,
    scale: ResponseScale,
    weights: str | None,
    strata: str | None,
    nan_policy: NanPolicy,
    na_values: Sequence[float],
) -> tuple[FloatArray, str]:
    if importance is None:
        return np.ones(len(names)), "equal weights"
    stated, given, source = _parse_importance(importance, names, by_column)
    if stated is not None:
        values = {}
        for name, column in stated.items():
            counts, _ = _prepare_counts(
                data,
                column,
                scale=scale,
                weights=weights,
                by=[],
                strata=strata,
                nan_policy=nan_policy,
                na_values=na_values,
                argument="importance",
            )
            values[name] = float(domain_means(counts.moments()).estimate[0])
        source = "stated (weighted mean ratings)"
    else:
        values = given
    missing = [n for n in names if not np.isfinite(values.get(n, np.nan))]
    if missing:
        raise InvalidParameterError(
            f"`importance` has no value for the attributes {missing}. Hint: give "
            "every attribute an importance (or pass None for equal weights)."
        )
    out = np.array([values[n] for n in names], dtype=np.float64)
    if out.sum() <= 0:
        raise InvalidParameterError(
            "`importance` must have a positive total; got all zeros."
        )
    return out, source


def _importance_value(key: str, value: object) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        raise InvalidParameterError(
            f"`importance[{key!r}]` must be a number; got {value!r}."
        )
    x = float(value)
    if not math.isfinite(x) or x < 0:
        raise InvalidParameterError(
            f"`importance[{key!r}]` must be a non-negative finite number; got {x:g}. "
            "Hint: use relative importance (shares), not signed coefficients."
        )
    return x


def _parse_importance(
    importance: Any, names: list[str], by_column: dict[str, str]
) -> tuple[dict[str, str] | None, dict[str, float], str]:
    """Stated importance columns, or numbers per attribute, and their source."""
    columns = {c: n for n, c in by_column.items()}

    def name_of(key: object) -> str:
        text = str(key)
        if text in by_column:
            return text
        if text in columns:
            return columns[text]
        raise InvalidParameterError(
            f"`importance` names an unknown attribute {key!r}; attributes: {names} "
            f"(or their columns {list(columns)})."
        )

    if isinstance(importance, str):
        importance = [importance]
    if isinstance(importance, list | tuple) and all(
        isinstance(v, str) for v in importance
    ):
        if len(importance) != len(names):
            raise InvalidParameterError(
                f"`importance` must list one rating column per attribute "
                f"({len(names)}: {names}); got {len(importance)}."
            )
        return dict(zip(names, importance, strict=True)), {}, "stated"
    if callable(getattr(importance, "to_frame", None)) and not isinstance(
        importance, pd.Series
    ):
        frame = importance.to_frame()
        if not {"driver", "importance"} <= set(frame.columns):
            raise InvalidParameterError(
                "`importance` given as a result must have `to_frame()` columns "
                f"'driver' and 'importance'; got {list(frame.columns)}."
            )
        values = {
            str(d): v
            for d, v in zip(frame["driver"], frame["importance"], strict=True)
            if str(d) in by_column or str(d) in columns
        }
        return (
            None,
            {name_of(k): _importance_value(k, v) for k, v in values.items()},
            f"derived ({type(importance).__name__})",
        )
    if isinstance(importance, Mapping | pd.Series):
        return (
            None,
            {name_of(k): _importance_value(str(k), v) for k, v in importance.items()},
            "given",
        )
    items = list(np.asarray(importance).tolist())
    if len(items) != len(names):
        raise InvalidParameterError(
            f"`importance` must have one value per attribute ({len(names)}: "
            f"{names}); got {len(items)}."
        )
    return (
        None,
        {n: _importance_value(n, v) for n, v in zip(names, items, strict=True)},
        "given",
    )


def _index_rows(
    data: Any,
    columns: list[str],
    omega: FloatArray,
    *,
    brand: str,
    own: Hashable,
    brands: list[Hashable],
    weights: str | None,
    strata: str | None,
    nan_policy: NanPolicy,
    na_values: Sequence[float],
) -> list[dict[str, Any]]:
    frame = as_narwhals(data)
    schema = frame.collect_schema()
    terms = []
    for column, w in zip(columns, omega, strict=True):
        x = nw.col(column).cast(nw.Float64())
        if schema[column].is_float():
            x = x.fill_nan(None)
        if len(na_values):
            x = nw.when(~x.is_in([float(v) for v in na_values])).then(x)
        terms.append(x * float(w))
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    keep = [brand, *([weights] if weights else []), *([strata] if strata else [])]
    derived = frame.select(*[nw.col(c) for c in keep], total.alias("__index"))
    mt = reduce_moments(
        derived.to_native(),
        "__index",
        weights=weights,
        by=[brand],
        strata=strata,
        argument="attributes",
    )
    try:
        m, _ = moments_of(mt, argument="attributes", nan_policy=nan_policy)
    except InsufficientDataError:
        raise InsufficientDataError(
            f"No respondent rated every attribute {columns}; the importance index "
            "needs complete rows."
        ) from None
    dm = domain_means(m)
    labels = [_plain(g[0]) for g in m.groups]
    present = [b for b in brands if b in labels]
    if own not in labels:
        raise InsufficientDataError(
            f"No respondent of {own!r} rated every attribute; the index needs "
            "complete rows."
        )
    return _gap_rows(dm, labels, own, present, "(index)", 1.0)
