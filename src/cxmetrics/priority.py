r"""Key experiences, importance–performance quadrants and asymmetric impact.

Not every experience matters equally: :func:`key_experiences` weights each gap by
its importance (stated, given, or derived from a driver result) and ranks the
attributes with bootstrap intervals on the index and on the rank;
:func:`importance_performance` places the attributes in the classic quadrants;
:func:`asymmetric_impact` separates basics (whose absence hurts) from delighters
(bonus items whose presence pleases) by penalty–reward contrast analysis.

Imports: _validation, _warnings, data, errors, estimators, gap, results.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from cxmetrics._validation import (
    Boolean,
    ColumnNames,
    Constraint,
    Interval,
    Options,
    Seed,
    validate_params,
)
from cxmetrics.data.frame import reduce_moments
from cxmetrics.data.native import as_narwhals
from cxmetrics.data.rows import in_memory_pandas
from cxmetrics.data.scales import ResponseScale
from cxmetrics.data.summaries import moments
from cxmetrics.errors import (
    InsufficientDataError,
    InvalidParameterError,
    MissingDependencyError,
)
from cxmetrics.estimators.gap import (
    bootstrap_column_sums,
    impact_asymmetry,
    need_ranks,
    penalty_reward_fit,
    percentile_limits,
    rank_summary,
)
from cxmetrics.estimators.linearization import domain_means
from cxmetrics.gap import (
    LEVEL,
    Ratings,
    Spec,
    as_scale,
    call_of,
    check_numbers,
    compute_gaps,
    experience_columns,
    pair_columns,
    parse_ratings,
    single_counts,
    summary_names,
    summary_rows,
    weights_label,
)
from cxmetrics.results.base import provenance_versions
from cxmetrics.results.gap import (
    QUADRANTS,
    AsymmetricImpactResult,
    ImportancePerformanceResult,
    KeyExperienceResult,
    t_limits,
)
from cxmetrics.results.scores import domain_df

__all__ = ["asymmetric_impact", "importance_performance", "key_experiences"]

FloatArray = NDArray[np.float64]
NanPolicy = Literal["omit", "raise"]
_REFERENCES = ("expectation", "target", "competitor")


# --- importance -----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportanceSpec(Constraint):
    """Importance: rating columns, numbers per attribute, or a driver result."""

    hint: str | None = (
        "pass importance rating columns, a mapping attribute → importance, a "
        "Series, or a driver result with `to_frame()`."
    )

    @property
    def description(self) -> str:  # type: ignore[override]
        """Describe what is accepted."""
        return (
            "importance rating column(s), numbers per attribute (mapping, Series or "
            "list), or an object whose to_frame() has 'driver' and 'importance'"
        )

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` has an accepted type."""
        if value is None or isinstance(value, bool | np.bool_):
            return False
        if isinstance(value, str | Mapping | pd.Series | np.ndarray | list | tuple):
            return True
        return callable(getattr(value, "to_frame", None))

    def invalid_example(self) -> object:
        """Return a value of a wrong type."""
        return 3.5


@dataclass(frozen=True, slots=True)
class Importance:
    """Importance per attribute, with its source and (optional) interval."""

    values: dict[str, float]
    source: str
    columns: dict[str, str] | None = None  # stated importance rating columns
    std_error: dict[str, float] | None = None
    ci: dict[str, tuple[float, float]] | None = None


def _close(key: str, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, list(names), n=2, cutoff=0.6)
    return f" Did you mean {' or '.join(map(repr, close))}?" if close else ""


def _check_value(key: str, value: object) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(
            f"`importance[{key!r}]` must be a number; got {value!r}."
        )
    x = float(value)
    if math.isinf(x):
        raise InvalidParameterError(f"`importance[{key!r}]` must be finite; got {x}.")
    if x < 0:
        raise InvalidParameterError(
            f"`importance[{key!r}]` must be non-negative; got {x:g}. Hint: use "
            "absolute or squared driver weights (relative importance), not signed "
            "coefficients."
        )
    return x


def parse_importance(
    importance: Any,
    attributes: Sequence[str],
    columns: Mapping[str, str],
) -> Importance:
    """Normalise ``importance`` to numbers or rating columns per attribute.

    ``columns`` maps each attribute to its experience column, so a driver
    result keyed by column names (``exp_price``) maps to ``price``.
    """
    by_column = {c: a for a, c in columns.items()}

    def attribute_of(key: str) -> str | None:
        if key in attributes:
            return key
        return by_column.get(key)

    if isinstance(importance, str):
        importance = [importance]
    if isinstance(importance, list | tuple | np.ndarray) and all(
        isinstance(v, str) for v in importance
    ):
        stated = list(importance)
        if len(stated) != len(attributes):
            raise InvalidParameterError(
                f"`importance` must list one rating column per attribute "
                f"({len(attributes)}: {list(attributes)}); got {len(stated)}."
            )
        return Importance(
            values={},
            source="stated (rating columns)",
            columns=dict(zip(attributes, stated, strict=True)),
        )
    if callable(getattr(importance, "to_frame", None)) and not isinstance(
        importance, pd.Series
    ):
        frame = importance.to_frame()
        if not {"driver", "importance"} <= set(frame.columns):
            raise InvalidParameterError(
                "`importance` given as a result must have `to_frame()` columns "
                f"'driver' and 'importance'; got {list(frame.columns)}."
            )
        values: dict[str, float] = {}
        ci: dict[str, tuple[float, float]] = {}
        for _, row in frame.iterrows():
            name = attribute_of(str(row["driver"]))
            if name is None:
                continue  # controls and other drivers are not attributes
            values[name] = _check_value(name, row["importance"])
            if {"ci_low", "ci_high"} <= set(frame.columns):
                ci[name] = (float(row["ci_low"]), float(row["ci_high"]))
        if not values:
            raise InvalidParameterError(
                "None of the drivers in `importance` matches an attribute "
                f"({list(attributes)}) or an experience column ({list(by_column)})."
            )
        return Importance(
            values=values,
            source=f"derived ({type(importance).__name__})",
            ci=ci or None,
        )
    if isinstance(importance, pd.Series):
        importance = {str(k): v for k, v in importance.items()}
    if isinstance(importance, Mapping):
        values = {}
        for key, value in importance.items():
            name = attribute_of(str(key))
            if name is None:
                raise InvalidParameterError(
                    f"`importance` has an unknown attribute {key!r}; attributes: "
                    f"{list(attributes)}.{_close(str(key), attributes)}"
                )
            if isinstance(value, float) and math.isnan(value):
                value = None
            values[name] = _check_value(name, value)
        return Importance(values=values, source="given")
    items = list(np.asarray(importance).tolist())
    if len(items) != len(attributes):
        raise InvalidParameterError(
            f"`importance` must have one value per attribute ({len(attributes)}: "
            f"{list(attributes)}); got {len(items)}. Hint: pass a mapping "
            "attribute → importance to give only some."
        )
    return Importance(
        values={
            a: _check_value(a, None if v is None or v != v else v)
            for a, v in zip(attributes, items, strict=True)
        },
        source="given",
    )


def _stated_importance(
    data: Any,
    imp: Importance,
    *,
    scale: ResponseScale,
    weights: Any,
    strata: str | None,
    nan_policy: NanPolicy,
    na_values: Sequence[float],
    confidence_level: float,
) -> Importance:
    """Mean stated importance per attribute, with SE and t interval."""
    assert imp.columns is not None  # internal invariant
    values: dict[str, float] = {}
    se: dict[str, float] = {}
    ci: dict[str, tuple[float, float]] = {}
    for name, column in imp.columns.items():
        try:
            counts = single_counts(
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
        except InsufficientDataError:
            values[name] = math.nan
            continue
        dm = domain_means(counts.moments())
        values[name] = float(dm.estimate[0])
        se[name] = float(dm.std_error[0])
        low, high = t_limits(
            dm.estimate, dm.std_error, domain_df(counts), confidence_level
        )
        ci[name] = (float(low[0]), float(high[0]))
    return Importance(
        values=values, source=imp.source, columns=imp.columns, std_error=se, ci=ci
    )


# --- key experiences ------------------------------------------------------------------


def _reference_of(expectation: Any, target: Any, competitor: Any) -> tuple[str, Any]:
    given = [
        (name, value)
        for name, value in zip(
            _REFERENCES, (expectation, target, competitor), strict=True
        )
        if value is not None
    ]
    if len(given) != 1:
        raise InvalidParameterError(
            "Pass exactly one of `expectation` (priority = importance × (experience − "
            "expectation)), `target` or `competitor`; got "
            f"{[g[0] for g in given] or 'none'}."
        )
    return given[0]


def _progress_bar(
    total: int, enabled: bool
) -> tuple[Callable[[int], None] | None, Any]:
    if not enabled:
        return None, None
    try:
        from tqdm.auto import tqdm  # type: ignore[import-untyped,import-not-found]
    except ImportError:
        raise MissingDependencyError(
            "`progress=True` needs tqdm, the optional 'progress' extra. Hint: "
            "`pip install 'cxmetrics[progress]'` (or `pip install tqdm`), or pass "
            "progress=False."
        ) from None
    bar = tqdm(total=total, desc="bootstrap", unit="resample")
    return bar.update, bar


def _bootstrap_priority(
    data: Any,
    rows: Sequence[tuple[str, str, str | float]],
    imp: Importance,
    *,
    weights: str | None,
    strata: str | None,
    na_values: Sequence[float],
    n_resamples: int,
    rng: np.random.Generator,
    progress: bool,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Replicates of gap, importance and priority: one matrix product per chunk."""
    frame = in_memory_pandas(data, "The bootstrap of key experiences")
    n = len(frame)
    codes = np.asarray(na_values, dtype=np.float64)

    def read(column: str) -> FloatArray:
        x = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
        if codes.size:
            x = np.where(np.isin(x, codes), np.nan, x)
        return x

    w = read(weights) if weights is not None else np.ones(n)
    if strata is not None:
        stratum_codes, _ = pd.factorize(frame[strata])
        h = np.asarray(stratum_codes, dtype=np.intp)
        keep = h >= 0
    else:
        h = np.zeros(n, dtype=np.intp)
        keep = np.ones(n, dtype=bool)
    stated = imp.columns is not None
    # columns of z: numerators w·x·m, and one denominator w·m per distinct mask
    # (shared when nothing is missing), so the bootstrap multiplies fewer columns
    numerators: list[FloatArray] = []
    denominators: list[FloatArray] = [w]
    which: list[int] = []

    def add(values: FloatArray) -> None:
        ok = ~np.isnan(values)
        numerators.append(np.where(ok, w * values, 0.0))
        if ok.all():
            which.append(0)
        else:
            denominators.append(np.where(ok, w, 0.0))
            which.append(len(denominators) - 1)

    for name, exp_col, ref in rows:
        e = read(exp_col)
        r = read(ref) if isinstance(ref, str) else np.full(n, float(ref))
        add(e - r)
        if stated:
            assert imp.columns is not None
            add(read(imp.columns[name]))
    z = np.column_stack(numerators + denominators)[keep]
    callback, bar = _progress_bar(n_resamples, progress)
    try:
        sums = bootstrap_column_sums(
            z, h[keep], n_resamples=n_resamples, rng=rng, callback=callback
        )
    finally:
        if bar is not None:
            bar.close()
    k = len(numerators)
    ratio = np.empty((n_resamples, k))
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(k):
            ratio[:, j] = sums[:, j] / sums[:, k + which[j]]
    step = 2 if stated else 1
    gaps = ratio[:, 0::step]
    if stated:
        importance = ratio[:, 1::step]
    else:
        values = np.array([imp.values.get(name, np.nan) for name, _, _ in rows])
        importance = np.broadcast_to(values, gaps.shape).copy()
    return gaps, importance, importance * gaps


@validate_params(
    {
        "experience": Ratings(),
        "expectation": Ratings(),
        "target": Ratings(scalar_ok=True),
        "competitor": Ratings(),
        "importance": ImportanceSpec(),
        "weights": ColumnNames(many=False),
        "strata": ColumnNames(many=False),
        "top_k": Interval("integral", 1, None),
        "n_resamples": Interval("integral", 0, None),
        "confidence_level": LEVEL,
        "rng": Seed(),
        "nan_policy": Options(("omit", "raise")),
        "progress": Boolean(),
    }
)
def key_experiences(
    data: Any = None,
    experience: str | Sequence[str] | Mapping[str, Any] | pd.Series | None = None,
    expectation: str | Sequence[str] | Mapping[str, Any] | pd.Series | None = None,
    *,
    importance: Any,
    target: Any = None,
    competitor: Any = None,
    attributes: Sequence[str] | None = None,
    weights: str | None = None,
    strata: str | None = None,
    scale: tuple[int, int] = (0, 10),
    top_k: int = 3,
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    rng: int | np.random.Generator | None = None,
    nan_policy: NanPolicy = "omit",
    na_values: Sequence[float] = (),
    progress: bool = False,
) -> KeyExperienceResult:
    r"""Rank the key experiences by importance × gap, with bootstrap intervals.

    The priority index of an attribute is importance × (experience −
    reference); the reference is the expectation (the seven-step method's
    weighted gap), a target level, or a competitor's rating. The most negative
    index is the key experience: important and falling short. Attributes are
    ranked by need, with bootstrap intervals on the index and on the rank, and
    the probability that each is among the ``top_k``.

    Parameters
    ----------
    data : DataFrame-like, optional
        Responses (in memory for the bootstrap); omit for a summary table.
    experience, expectation : list of str, or mapping / Series of numbers
        As in :func:`cxmetrics.gap.gap`.
    importance : list of str, mapping, Series, list of numbers, or driver result
        Stated importance rating columns (one per attribute, averaged and
        resampled with the gaps); given numbers per attribute (``None`` = not
        stated); or a driver result whose ``to_frame()`` has ``driver`` and
        ``importance`` columns (drivers may be named by attribute or by
        experience column; other drivers are ignored). Must be non-negative.
    target, competitor : float, mapping / Series, or list of str, optional
        Alternative references (pass exactly one of ``expectation``, ``target``,
        ``competitor``): priority = importance × (experience − target) or
        importance × (experience − competitor).
    attributes : list of str, optional
        Attribute names (see :func:`cxmetrics.gap.gap`).
    weights, strata : str, optional
        Sampling weights and strata (resampling is within strata).
    scale : (int, int), default: (0, 10)
        Scale of the experience, reference and stated importance ratings.
    top_k : int, default: 3
        How many key experiences to report P(top k) for.
    n_resamples : int, default: 1000
        Bootstrap resamples (0 for none).
    confidence_level : float, default: 0.95
        Coverage of the intervals.
    rng : int or numpy.random.Generator, optional
        Seed for the bootstrap.
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Missing ratings are left out per attribute, or raise.
    na_values : sequence of float, default: ()
        Codes to treat as missing (e.g. ``[99]``).
    progress : bool, default: False
        Show a tqdm progress bar for the bootstrap (the ``progress`` extra).

    Returns
    -------
    KeyExperienceResult
        ``to_frame()``: ``attribute``, ``experience``, the reference,
        ``estimate`` (gap) with ``std_error``, ``ci_low``, ``ci_high``,
        ``importance``, ``priority`` with ``priority_std_error``,
        ``priority_ci_low``, ``priority_ci_high``, ``rank``, ``rank_ci_low``,
        ``rank_ci_high``, ``p_top_k``, ``in_top_k``, ``rankable``, ``n``,
        ``note``. ``key_experience`` names the first.

    Raises
    ------
    InvalidParameterError
        Not exactly one reference; importance negative, infinite, of the wrong
        length or naming unknown attributes; lists of different lengths.
    ColumnNotFoundError, InvalidDataError, InsufficientDataError
        As in :func:`cxmetrics.gap.gap`.
    MissingDependencyError
        ``progress=True`` without tqdm.
    RowsRequiredError
        A bootstrap on a lazy table.

    Warns
    -----
    DegenerateDataWarning
        A gap without variation (as in :func:`cxmetrics.gap.gap`).

    See Also
    --------
    importance_performance : the same two numbers as a quadrant chart.

    Notes
    -----
    :math:`P_j = \bar I_j \times \hat g_j`, with :math:`\bar I_j` the (weighted)
    mean stated importance or the given importance and :math:`\hat g_j` the
    weighted mean paired gap (:func:`cxmetrics.gap.gap`). Attributes are ranked
    by need :math:`\max(-P_j, 0)`: rank 1 is the largest importance-weighted
    shortfall; attributes that meet their reference or have zero importance need
    nothing and share the last rank. Rows without a gap or an importance are
    kept, unranked, with the reason in ``note``.

    The bootstrap resamples respondents with replacement within strata
    (Efron & Tibshirani, 1993 [1]_); in each resample the gaps, the stated
    importances and so the indices and ranks are recomputed, giving percentile
    intervals for :math:`P_j` and its rank, and :math:`\Pr(\text{rank}_j \le
    k)` (Hall & Miller, 2009 [2]_, on the instability of ranks). A given or
    derived importance is held fixed. The gap interval in ``ci_low`` /
    ``ci_high`` is the design-based t interval of :func:`cxmetrics.gap.gap`.

    Validation: the seven-step worked example (convenience 9 × −2 = −18, the
    key experience; unranked rows reported) is reproduced exactly, and the gaps
    match R ``survey`` (``tests/reference/data/gap.json``); the bootstrap is
    checked against a seeded self-reference and the analytic SEs.

    References
    ----------
    .. [1] Efron, B., & Tibshirani, R. J. (1993). An Introduction to the
       Bootstrap. Chapman & Hall.
    .. [2] Hall, P., & Miller, H. (2009). Using the bootstrap to quantify the
       authority of an empirical ranking. The Annals of Statistics, 37(6B),
       3929–3959. https://doi.org/10.1214/09-AOS699

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.priority import (
    ...     asymmetric_impact, importance_performance, key_experiences)
    >>> res = key_experiences(
    ...     experience={"product": 6, "price": 7, "convenience": 5},
    ...     expectation={"product": 7, "price": 7, "convenience": 7},
    ...     importance={"convenience": 9})
    >>> res.key_experience
    'convenience'
    >>> res.to_frame()[["attribute", "estimate", "priority", "rank", "note"]]
         attribute  estimate  priority  rank                    note
    0      product      -1.0       NaN   NaN  importance not given
    1        price       0.0       NaN   NaN  importance not given
    2  convenience      -2.0     -18.0   1.0
    >>> survey = cx.datasets.load_example_survey()
    >>> attrs = ["product", "service", "price", "convenience"]
    >>> res = key_experiences(
    ...     survey, [f"exp_{a}" for a in attrs], [f"expct_{a}" for a in attrs],
    ...     importance=[f"imp_{a}" for a in attrs], weights="weight",
    ...     na_values=[99], n_resamples=200, rng=1)
    >>> res.key_experience
    'convenience'
    >>> res.top(2)["attribute"].tolist()
    ['convenience', 'price']
    """
    reference_name, reference = _reference_of(expectation, target, competitor)
    if attributes is not None and (
        isinstance(attributes, str) or not all(isinstance(a, str) for a in attributes)
    ):
        raise InvalidParameterError(
            f"`attributes` must be a list of names (str); got {attributes!r}."
        )
    exp_spec = parse_ratings(experience, "experience", attributes)
    ref_spec = parse_ratings(reference, reference_name, attributes)
    if exp_spec is None or exp_spec.kind == "scalar" or ref_spec is None:
        raise InvalidParameterError(
            "`experience` must name columns or give numbers per attribute."
        )
    scale_ = as_scale(scale, "scale")
    generator = (
        rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    )
    call = call_of(
        "key_experiences",
        experience=experience,
        **{reference_name: reference},
        importance=importance
        if not hasattr(importance, "to_frame") or isinstance(importance, pd.Series)
        else type(importance).__name__,
        attributes=attributes,
        weights=weights,
        strata=strata,
        scale=(scale_.low, scale_.high),
        top_k=top_k,
        n_resamples=n_resamples,
        confidence_level=confidence_level,
        rng=rng,
        na_values=list(na_values),
    )
    if data is None:
        return _key_from_summary(
            exp_spec,
            ref_spec,
            importance,
            reference_name=reference_name,
            attributes=attributes,
            scale=scale_,
            top_k=top_k,
            confidence_level=confidence_level,
            call=call,
        )
    if exp_spec.kind != "columns":
        raise InvalidParameterError(
            "With `data`, `experience` must name rating columns; got numbers."
        )
    if ref_spec.kind == "columns":
        triples = pair_columns(exp_spec, ref_spec, attributes, reference_name)
        names = [t[0] for t in triples]
        exp_of = {a: e for a, e, _ in triples}
        ref_of: dict[str, str | float] = {a: r for a, _, r in triples}
    else:
        pairs = experience_columns(exp_spec, attributes)
        names = [a for a, _ in pairs]
        exp_of = dict(pairs)
        if ref_spec.kind == "scalar":
            ref_of = dict.fromkeys(names, ref_spec.scalar)
        else:
            assert ref_spec.numbers is not None
            ref_of = {a: ref_spec.numbers.get(a, math.nan) for a in names}
    imp = parse_importance(importance, names, exp_of)
    if imp.columns is not None:
        imp = _stated_importance(
            data,
            imp,
            scale=scale_,
            weights=weights,
            strata=strata,
            nan_policy=nan_policy,
            na_values=na_values,
            confidence_level=confidence_level,
        )
    gaps = (
        compute_gaps(
            data,
            exp_spec,
            ref_spec,
            reference_name=reference_name,
            attributes=attributes,
            scale=scale_,
            reference_scale=scale_,
            detect_scales=True,
            weights=weights,
            by=[],
            strata=strata,
            confidence_level=confidence_level,
            alternative="two-sided",
            nan_policy=nan_policy,
            na_values=na_values,
            min_n=0,
            reliability=None,
        )
        .table.set_index("attribute")
        .loc[names]
        .reset_index()
    )
    table, rankable = _priority_frame(gaps, names, imp, reference_name)
    gap_notes = dict(zip(gaps["attribute"], gaps["note"], strict=True))
    replicates = None
    p_se = np.full(len(names), np.nan)
    p_low = np.full(len(names), np.nan)
    p_high = np.full(len(names), np.nan)
    r_low = np.full(len(names), np.nan)
    r_high = np.full(len(names), np.nan)
    p_top = np.full(len(names), np.nan)
    if n_resamples > 0 and rankable.any():
        rows = [
            (a, exp_of[a], ref_of[a])
            for a in names
            if isinstance(ref_of[a], str) or not math.isnan(float(ref_of[a]))
        ]
        index = [names.index(a) for a, _, _ in rows]
        _, _, pri = _bootstrap_priority(
            data,
            rows,
            imp,
            weights=weights,
            strata=strata,
            na_values=na_values,
            n_resamples=n_resamples,
            rng=generator,
            progress=progress,
        )
        replicates = np.full((n_resamples, len(names)), np.nan)
        replicates[:, index] = pri
        replicates[:, ~rankable] = np.nan
        enough = np.isfinite(replicates).sum(axis=0) > 1
        if enough.any():
            p_se[enough] = np.nanstd(replicates[:, enough], axis=0, ddof=1)
        p_low, p_high = percentile_limits(replicates, confidence_level)
        ranks = need_ranks(replicates)
        r_low, r_high, p_top = rank_summary(
            ranks, top_k=top_k, confidence_level=confidence_level
        )
    table["priority_std_error"] = np.where(rankable, p_se, np.nan)
    table["priority_ci_low"] = p_low
    table["priority_ci_high"] = p_high
    notes = [
        _priority_note(
            gap_notes.get(a, ""), imp.values.get(a, math.nan), reference_name
        )
        for a in names
    ]
    result_table = _finish_ranking(
        table, rankable, notes, r_low, r_high, p_top, top_k=top_k
    )
    return KeyExperienceResult(
        table=result_table,
        reference=reference_name,
        importance_source=imp.source,
        top_k=top_k,
        confidence_level=confidence_level,
        n_resamples=n_resamples if replicates is not None else 0,
        weights=weights_label(weights),
        source="data",
        priority_replicates=replicates,
        call=call,
        versions=provenance_versions(),
    )


def _priority_note(gap_note: str, importance: float, reference: str) -> str:
    parts = []
    if gap_note and gap_note.startswith(("no ", "experience", reference)):
        parts.append(gap_note)
    if math.isnan(importance):
        parts.append("importance not given")
    return "; ".join(parts)


def _priority_frame(
    gaps: pd.DataFrame, names: Sequence[str], imp: Any, reference_name: str
) -> tuple[pd.DataFrame, NDArray[np.bool_]]:
    """Gap columns plus importance and priority; which rows can be ranked."""
    table = gaps[
        [
            "attribute",
            "experience",
            reference_name,
            "estimate",
            "std_error",
            "ci_low",
            "ci_high",
            "n",
        ]
    ].copy()
    table["importance"] = [imp.values.get(a, math.nan) for a in names]
    table["priority"] = table["importance"] * table["estimate"]
    return table, table["priority"].notna().to_numpy()


def _finish_ranking(
    table: pd.DataFrame,
    rankable: NDArray[np.bool_],
    notes: Sequence[str],
    r_low: FloatArray,
    r_high: FloatArray,
    p_top: FloatArray,
    *,
    top_k: int,
) -> pd.DataFrame:
    priority = table["priority"].to_numpy(dtype=float)
    rank = np.full(len(table), np.nan)
    if rankable.any():
        rank[rankable] = need_ranks(priority[rankable])
    table["rank"] = rank
    table["rank_ci_low"] = r_low
    table["rank_ci_high"] = r_high
    table["p_top_k"] = p_top
    table["in_top_k"] = rank <= top_k
    table["rankable"] = rankable
    n = table.pop("n")
    table["n"] = n
    table["note"] = list(notes)
    return table


def _key_from_summary(
    exp_spec: Spec,
    ref_spec: Spec,
    importance: Any,
    *,
    reference_name: str,
    attributes: Sequence[str] | None,
    scale: ResponseScale,
    top_k: int,
    confidence_level: float,
    call: dict[str, Any],
) -> KeyExperienceResult:
    if exp_spec.kind == "columns" or ref_spec.kind == "columns":
        raise InvalidParameterError(
            "`data` is needed when `experience` or the reference names columns."
        )
    exp_numbers = dict(exp_spec.numbers or {})
    if ref_spec.kind == "scalar":
        names = summary_names(attributes, exp_numbers)
        ref_numbers = dict.fromkeys(names, ref_spec.scalar)
    else:
        ref_numbers = dict(ref_spec.numbers or {})
        names = summary_names(attributes, exp_numbers, ref_numbers)
    check_numbers(exp_numbers, "experience", scale)
    check_numbers(ref_numbers, reference_name, scale)
    imp = parse_importance(importance, names, {})
    if imp.columns is not None:
        raise InvalidParameterError(
            "`importance` names rating columns, which need `data`; for a summary "
            "table pass numbers per attribute."
        )
    gaps = summary_rows(names, exp_numbers, ref_numbers, reference_name)
    table, rankable = _priority_frame(gaps, names, imp, reference_name)
    nan = np.full(len(names), np.nan)
    table["priority_std_error"] = nan
    table["priority_ci_low"] = nan
    table["priority_ci_high"] = nan
    notes = [
        _priority_note(note, imp.values.get(a, math.nan), reference_name)
        for a, note in zip(names, gaps["note"], strict=True)
    ]
    result_table = _finish_ranking(table, rankable, notes, nan, nan, nan, top_k=top_k)
    return KeyExperienceResult(
        table=result_table,
        reference=reference_name,
        importance_source=imp.source,
        top_k=top_k,
        confidence_level=confidence_level,
        source="summary",
        call=call,
        versions=provenance_versions(),
    )


# --- importance-performance -----------------------------------------------------------


@validate_params(
    {
        "experience": Ratings(),
        "importance": ImportanceSpec(),
        "weights": ColumnNames(many=False),
        "strata": ColumnNames(many=False),
        "confidence_level": LEVEL,
        "method": Options(("crosshair", "diagonal")),
        "nan_policy": Options(("omit", "raise")),
    }
)
def importance_performance(
    data: Any = None,
    experience: str | Sequence[str] | Mapping[str, Any] | pd.Series | None = None,
    *,
    importance: Any,
    attributes: Sequence[str] | None = None,
    weights: str | None = None,
    strata: str | None = None,
    scale: tuple[int, int] = (0, 10),
    importance_scale: tuple[int, int] | None = None,
    crosshair: Literal["scale", "mean", "median"] | tuple[float, float] = "scale",
    method: Literal["crosshair", "diagonal"] = "crosshair",
    confidence_level: float = 0.95,
    nan_policy: NanPolicy = "omit",
    na_values: Sequence[float] = (),
) -> ImportancePerformanceResult:
    r"""Importance–performance analysis: the four quadrants of action.

    Each attribute is a point (performance = mean experience, importance); the
    crosshairs split the plane into "Concentrate here" (important, performing
    poorly), "Keep up the good work", "Low priority" and "Possible overkill"
    (Martilla & James, 1977 [1]_).

    Parameters
    ----------
    data : DataFrame-like, optional
        Responses; omit for a summary table.
    experience : list of str, or mapping / Series of numbers
        Experience rating columns, or mean performance per attribute.
    importance : list of str, mapping, Series, list of numbers, or driver result
        As in :func:`key_experiences`.
    attributes : list of str, optional
        Attribute names.
    weights, strata : str, optional
        Sampling weights and strata.
    scale : (int, int), default: (0, 10)
        Scale of the experience ratings.
    importance_scale : (int, int), optional
        Scale of the importance (default: ``scale`` for stated importance
        columns; none for given numbers).
    crosshair : {'scale', 'mean', 'median'} or (float, float), default: 'scale'
        Where the crosshairs cross: the scale midpoints, the mean or the median
        of the attribute points, or explicit (performance, importance).
    method : {'crosshair', 'diagonal'}, default: 'crosshair'
        Quadrants by the crosshairs, or the iso-priority diagonal through the
        crosshair point: every point above it (importance exceeding performance)
        is "Concentrate here" (Abalo, Varela & Manzano, 2007 [2]_).
    confidence_level : float, default: 0.95
        Coverage of the whiskers.
    nan_policy, na_values
        As in :func:`cxmetrics.gap.gap`.

    Returns
    -------
    ImportancePerformanceResult
        ``to_frame()``: ``attribute``, ``performance`` with
        ``performance_std_error``, ``performance_ci_low``,
        ``performance_ci_high``, ``importance`` with its SE and interval (when
        known), ``quadrant``, ``iso_priority``, ``above_diagonal``, ``n``,
        ``note``.

    Raises
    ------
    InvalidParameterError
        ``crosshair='scale'`` with importance of unknown scale; bad importance
        (as in :func:`key_experiences`); an invalid crosshair.
    ColumnNotFoundError, InvalidDataError, InsufficientDataError
        As in :func:`cxmetrics.gap.gap`.

    Notes
    -----
    Performance is the weighted mean experience with the linearisation SE of R
    ``survey::svymean`` and a t interval on the design df; stated importance
    likewise. The iso-priority line passes through the crosshair point
    :math:`(x_0, y_0)` with slope :math:`s` = 1 when importance and performance
    share a scale, otherwise the ratio of their standard deviations across
    attributes; ``iso_priority`` :math:`= (I - y_0) - s(P - x_0)`, positive
    above the line. Attributes missing either number are kept, without a
    quadrant, with the reason in ``note``.

    Validation: the performance means and SEs are those of
    :func:`cxmetrics.mean_score`, which match R ``survey`` 4.1.1 to rtol 1e-10;
    the quadrant rules are checked on hand-made points.

    References
    ----------
    .. [1] Martilla, J. A., & James, J. C. (1977). Importance–performance
       analysis. Journal of Marketing, 41(1), 77–79.
       https://doi.org/10.1177/002224297704100112
    .. [2] Abalo, J., Varela, J., & Manzano, V. (2007). Importance values for
       importance–performance analysis: A formula for spreading out values
       derived from preference rankings. Journal of Business Research, 60(2),
       115–121. https://doi.org/10.1016/j.jbusres.2006.10.009

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.priority import (
    ...     asymmetric_impact, importance_performance, key_experiences)
    >>> survey = cx.datasets.load_example_survey()
    >>> attrs = ["product", "service", "relationship", "price", "convenience",
    ...          "brand_image"]
    >>> res = importance_performance(
    ...     survey, [f"exp_{a}" for a in attrs],
    ...     importance=[f"imp_{a}" for a in attrs], weights="weight",
    ...     crosshair="mean")
    >>> res.quadrants.to_dict()["convenience"]
    'Concentrate here'
    >>> res.to_frame()[["attribute", "performance", "importance"]].round(2).head(2)
      attribute  performance  importance
    0   product         7.31        8.00
    1   service         6.84        8.12
    """
    if attributes is not None and (
        isinstance(attributes, str) or not all(isinstance(a, str) for a in attributes)
    ):
        raise InvalidParameterError(
            f"`attributes` must be a list of names (str); got {attributes!r}."
        )
    exp_spec = parse_ratings(experience, "experience", attributes)
    if exp_spec is None or exp_spec.kind == "scalar":
        raise InvalidParameterError(
            "`experience` must name columns or give numbers per attribute."
        )
    scale_ = as_scale(scale, "scale")
    call = call_of(
        "importance_performance",
        experience=experience,
        attributes=attributes,
        weights=weights,
        strata=strata,
        scale=(scale_.low, scale_.high),
        crosshair=crosshair,
        method=method,
        confidence_level=confidence_level,
    )
    perf: dict[str, tuple[float, float, float, float, int]] = {}
    if data is None:
        if exp_spec.kind == "columns":
            raise InvalidParameterError(
                "`data` is needed when `experience` names columns."
            )
        numbers_ = dict(exp_spec.numbers or {})
        check_numbers(numbers_, "experience", scale_)
        names = summary_names(attributes, numbers_)
        for a in names:
            perf[a] = (numbers_.get(a, math.nan), math.nan, math.nan, math.nan, 0)
        exp_of: dict[str, str] = {}
    else:
        if exp_spec.kind != "columns":
            raise InvalidParameterError(
                "With `data`, `experience` must name rating columns; got numbers."
            )
        pairs = experience_columns(exp_spec, attributes)
        names = [a for a, _ in pairs]
        exp_of = dict(pairs)
        for name, column in pairs:
            try:
                counts = single_counts(
                    data,
                    column,
                    scale=scale_,
                    weights=weights,
                    by=[],
                    strata=strata,
                    nan_policy=nan_policy,
                    na_values=na_values,
                    argument="experience",
                )
            except InsufficientDataError:
                perf[name] = (math.nan, math.nan, math.nan, math.nan, 0)
                continue
            dm = domain_means(counts.moments())
            low, high = t_limits(
                dm.estimate, dm.std_error, domain_df(counts), confidence_level
            )
            perf[name] = (
                float(dm.estimate[0]),
                float(dm.std_error[0]),
                float(low[0]),
                float(high[0]),
                int(dm.n[0]),
            )
    imp = parse_importance(importance, names, exp_of)
    imp_scale: ResponseScale | None = (
        as_scale(importance_scale, "importance_scale")
        if importance_scale is not None
        else None
    )
    if imp.columns is not None:
        if data is None:
            raise InvalidParameterError(
                "`importance` names rating columns, which need `data`."
            )
        imp_scale = imp_scale or scale_
        imp = _stated_importance(
            data,
            imp,
            scale=imp_scale,
            weights=weights,
            strata=strata,
            nan_policy=nan_policy,
            na_values=na_values,
            confidence_level=confidence_level,
        )
    table = pd.DataFrame({"attribute": names})
    table["performance"] = [perf[a][0] for a in names]
    table["performance_std_error"] = [perf[a][1] for a in names]
    table["performance_ci_low"] = [perf[a][2] for a in names]
    table["performance_ci_high"] = [perf[a][3] for a in names]
    table["importance"] = [imp.values.get(a, math.nan) for a in names]
    table["importance_std_error"] = [
        (imp.std_error or {}).get(a, math.nan) for a in names
    ]
    table["importance_ci_low"] = [
        (imp.ci or {}).get(a, (math.nan,) * 2)[0] for a in names
    ]
    table["importance_ci_high"] = [
        (imp.ci or {}).get(a, (math.nan,) * 2)[1] for a in names
    ]
    x = table["performance"].to_numpy(dtype=float)
    y = table["importance"].to_numpy(dtype=float)
    ok = ~(np.isnan(x) | np.isnan(y))
    if not ok.any():
        raise InsufficientDataError(
            "No attribute has both a performance and an importance."
        )
    x0, y0, how = _crosshair(crosshair, x[ok], y[ok], scale_, imp_scale)
    same_scale = imp_scale is not None and (imp_scale.low, imp_scale.high) == (
        scale_.low,
        scale_.high,
    )
    if same_scale:
        slope = 1.0
    else:
        sx, sy = np.std(x[ok]), np.std(y[ok])
        slope = float(sy / sx) if sx > 0 else 1.0
    iso = (y - y0) - slope * (x - x0)
    quadrant = []
    notes = []
    for xi, yi, di, has in zip(x, y, iso, ok, strict=True):
        if not has:
            quadrant.append("")
            notes.append(
                "performance not available" if np.isnan(xi) else "importance not given"
            )
            continue
        notes.append("")
        if method == "diagonal" and di > 0:
            quadrant.append(QUADRANTS["concentrate"])
            continue
        high_i, high_p = yi >= y0, xi >= x0
        if method == "diagonal" and high_i and not high_p:
            quadrant.append(QUADRANTS["keep"] if di <= 0 else QUADRANTS["concentrate"])
            continue
        if high_i:
            quadrant.append(QUADRANTS["keep"] if high_p else QUADRANTS["concentrate"])
        else:
            quadrant.append(QUADRANTS["overkill"] if high_p else QUADRANTS["low"])
    table["quadrant"] = quadrant
    table["iso_priority"] = iso
    table["above_diagonal"] = np.where(ok, iso > 0, False)
    table["n"] = [perf[a][4] for a in names]
    table["note"] = notes
    return ImportancePerformanceResult(
        table=table,
        crosshair=(float(x0), float(y0)),
        crosshair_method=how,
        method=method,
        slope=slope,
        importance_source=imp.source,
        confidence_level=confidence_level,
        scale=(scale_.low, scale_.high),
        weights=weights_label(weights),
        call=call,
        versions=provenance_versions(),
    )


def _crosshair(
    crosshair: Any,
    x: FloatArray,
    y: FloatArray,
    scale: ResponseScale,
    imp_scale: ResponseScale | None,
) -> tuple[float, float, str]:
    if isinstance(crosshair, tuple | list):
        try:
            x0, y0 = (float(v) for v in crosshair)
        except (TypeError, ValueError):
            x0 = y0 = math.nan
        if not (math.isfinite(x0) and math.isfinite(y0)):
            raise InvalidParameterError(
                "`crosshair` must be 'scale', 'mean', 'median' or a pair of numbers "
                f"(performance, importance); got {crosshair!r}."
            )
        return x0, y0, "given"
    if crosshair == "mean":
        return float(x.mean()), float(y.mean()), "attribute means"
    if crosshair == "median":
        return float(np.median(x)), float(np.median(y)), "attribute medians"
    if crosshair == "scale":
        if imp_scale is None:
            raise InvalidParameterError(
                "`crosshair='scale'` needs the importance scale, which given "
                "importance numbers do not have. Hint: pass "
                "`importance_scale=(0, 10)` if they are ratings, or "
                "crosshair='mean' / 'median'."
            )
        mid = (scale.low + scale.high) / 2
        return mid, (imp_scale.low + imp_scale.high) / 2, "scale midpoints"
    raise InvalidParameterError(
        "`crosshair` must be 'scale', 'mean', 'median' or a pair of numbers; got "
        f"{crosshair!r}."
    )


# --- asymmetric impact ----------------------------------------------------------------


def _default_cuts(scale: ResponseScale) -> tuple[float, float]:
    span = scale.high - scale.low
    return (
        float(scale.low + math.floor(0.4 * span)),
        float(scale.high - math.floor(0.2 * span + 0.5)),
    )


def _pattern_frame(
    data: Any,
    columns: Sequence[str],
    *,
    outcome: str,
    weights: str | None,
    strata: str | None,
    low: float,
    high: float,
    na_values: Sequence[float],
) -> Any:
    """Build a new table: outcome, weights, strata and the pattern code.

    Level per attribute: 0 low (≤ ``low``), 1 middle, 2 high (≥ ``high``); the
    pattern code is Σ level_j 3^j, missing when any rating is missing.
    """
    keep = [outcome, *([weights] if weights else []), *([strata] if strata else [])]
    if isinstance(data, pd.DataFrame):
        codes = np.zeros(len(data))
        na = np.asarray(na_values, dtype=np.float64)
        for j, column in enumerate(columns):
            x = data[column].to_numpy(dtype=np.float64, na_value=np.nan)
            if na.size:
                x = np.where(np.isin(x, na), np.nan, x)
            level = np.where(x <= low, 0.0, np.where(x >= high, 2.0, 1.0))
            codes = codes + np.where(np.isnan(x), np.nan, level * 3.0**j)
        out = pd.DataFrame({c: data[c].to_numpy() for c in dict.fromkeys(keep)})
        out["__pattern"] = codes
        return out
    frame = as_narwhals(data)
    terms: list[Any] = []
    for j, column in enumerate(columns):
        col: Any = nw.col(column).cast(nw.Float64()).fill_nan(None)
        if len(na_values):
            col = nw.when(~col.is_in([float(v) for v in na_values])).then(col)
        level_expr: Any = (
            nw.when(col <= low)
            .then(nw.lit(0.0))
            .when(col >= high)
            .then(nw.lit(2.0))
            .otherwise(nw.lit(1.0))
        )
        terms.append(nw.when(~col.is_null()).then(level_expr * 3.0**j))
    code = terms[0]
    for term in terms[1:]:
        code = code + term
    return frame.select(
        *[nw.col(c) for c in dict.fromkeys(keep)], code.alias("__pattern")
    ).to_native()


@validate_params(
    {
        "outcome": ColumnNames(many=False, none_ok=False),
        "experience": Ratings(none_ok=False),
        "weights": ColumnNames(many=False),
        "strata": ColumnNames(many=False),
        "threshold": Interval("real", 0, 1, closed="left"),
        "min_group_n": Interval("integral", 1, None),
        "cov_type": Options(("classical", "design"), none_ok=True),
        "confidence_level": LEVEL,
        "nan_policy": Options(("omit", "raise")),
    }
)
def asymmetric_impact(
    data: Any,
    outcome: str,
    experience: str | Sequence[str] | Mapping[str, str],
    *,
    attributes: Sequence[str] | None = None,
    weights: str | None = None,
    strata: str | None = None,
    scale: tuple[int, int] = (0, 10),
    low: float | None = None,
    high: float | None = None,
    threshold: float = 0.2,
    min_group_n: int = 30,
    cov_type: Literal["classical", "design"] | None = None,
    confidence_level: float = 0.95,
    nan_policy: NanPolicy = "omit",
    na_values: Sequence[float] = (),
) -> AsymmetricImpactResult:
    r"""Penalty–reward contrast analysis: basics, performance factors, delighters.

    Overall satisfaction is regressed on two dummies per attribute, low and high
    performance (the middle is the reference). The low coefficient is the
    *penalty* of a poor experience, the high coefficient the *reward* of an
    excellent one (Brandt, 1987 [1]_; Matzler et al., 2004 [2]_). A basic
    hurts when missing but earns little when present; a delighter (excitement
    factor, "bonus item") earns a reward without a penalty.

    Parameters
    ----------
    data : DataFrame-like
        Responses (pandas, polars, DuckDB…): reduced to moments per pattern of
        low / middle / high ratings inside the engine.
    outcome : str
        Column of overall satisfaction (any numeric scale).
    experience : list of str or mapping attribute → column
        Experience rating columns, one per attribute.
    attributes : list of str, optional
        Attribute names (default: the columns without their common prefix).
    weights, strata : str, optional
        Sampling weights and strata.
    scale : (int, int), default: (0, 10)
        Scale of the experience ratings.
    low, high : float, optional
        Ratings ≤ ``low`` are "low", ≥ ``high`` "high" (default for 0–10: 4 and
        8; in general the bottom 40% and the top 20% of the scale span).
    threshold : float, default: 0.2
        Impact asymmetry above ``threshold`` is excitement, below −``threshold``
        basic, in between performance.
    min_group_n : int, default: 30
        Fewer respondents in the low or high group leave the attribute
        undetermined.
    cov_type : {'classical', 'design'}, optional
        Standard errors: ``classical`` OLS/WLS (R ``lm``) or ``design``
        (linearisation sandwich, R ``svyglm``). Default: classical without
        weights and strata, design with either.
    confidence_level : float, default: 0.95
        Coverage of the intervals and level of the significance checks.
    nan_policy, na_values
        As in :func:`cxmetrics.gap.gap`; a respondent missing the outcome or
        any rating is left out (listwise).

    Returns
    -------
    AsymmetricImpactResult
        ``to_frame()``: ``attribute``, ``penalty`` and ``reward`` with SE,
        interval and p-value, ``n_low``, ``n_mid``, ``n_high``,
        ``impact_range``, ``impact_asymmetry``, ``classification`` and
        ``reason``; ``coefficients`` holds every model term.

    Raises
    ------
    ColumnNotFoundError, InvalidDataError
        As in :func:`cxmetrics.gap.gap`, also for the outcome.
    InvalidParameterError
        ``low`` not below ``high``, cut points outside the scale, more than 33
        attributes.
    InsufficientDataError
        No respondent with the outcome and every rating.

    Notes
    -----
    The model is :math:`y_i = \beta_0 + \sum_j (\beta^-_j L_{ij} + \beta^+_j
    H_{ij}) + \varepsilon_i` by (weighted) least squares. Everything it needs
    is a set of moments of :math:`y` per pattern of levels (and stratum), so
    the rows never leave the engine. A dummy with no respondent, or aliased
    with others, is dropped (NaN, as R ``lm``). The impact range is
    :math:`|\beta^-| + |\beta^+|`, the impact asymmetry :math:`(|\beta^+| -
    |\beta^-|)/(|\beta^-| + |\beta^+|)` (Mikulić & Prebežac, 2008 [3]_). An
    attribute is *undetermined*, with the reason, when a group has fewer than
    ``min_group_n`` respondents or a dropped dummy, when neither coefficient
    differs from 0 at the level, or when a significant coefficient has the
    wrong sign.

    Validation: coefficients, SEs and p-values match R ``lm`` (classical) and
    ``survey::svyglm`` 4.1.1 (design, weighted and stratified) on the same
    dummies to rtol 1e-8 (``tests/reference/data/gap.json``), and statsmodels
    OLS.

    References
    ----------
    .. [1] Brandt, D. R. (1987). A procedure for identifying value-enhancing
       service components using customer satisfaction survey data. In
       Add Value to Your Service (pp. 61–65). American Marketing Association.
    .. [2] Matzler, K., Bailom, F., Hinterhuber, H. H., Renzl, B., & Pichler,
       J. (2004). The asymmetric relationship between attribute-level
       performance and overall customer satisfaction: a reconsideration of the
       importance–performance analysis. Industrial Marketing Management, 33(4),
       271–277. https://doi.org/10.1016/S0019-8501(03)00055-5
    .. [3] Mikulić, J., & Prebežac, D. (2008). Prioritizing improvement of
       service attributes using impact range-performance analysis and impact-
       asymmetry analysis. Managing Service Quality, 18(6), 559–576.
       https://doi.org/10.1108/09604520810920068

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.priority import (
    ...     asymmetric_impact, importance_performance, key_experiences)
    >>> survey = cx.datasets.load_example_survey()
    >>> attrs = ["product", "service", "relationship", "price", "convenience",
    ...          "brand_image"]
    >>> res = asymmetric_impact(survey, "satisfaction",
    ...                            [f"exp_{a}" for a in attrs])
    >>> res.classes[["relationship", "product"]].to_dict()
    {'relationship': 'excitement', 'product': 'basic'}
    >>> res.to_frame()[["attribute", "penalty", "reward"]].round(2).head(3)
          attribute  penalty  reward
    0       product    -0.26    0.15
    1       service    -0.74    0.68
    2  relationship     0.02    0.83
    """
    if attributes is not None and (
        isinstance(attributes, str) or not all(isinstance(a, str) for a in attributes)
    ):
        raise InvalidParameterError(
            f"`attributes` must be a list of names (str); got {attributes!r}."
        )
    spec = parse_ratings(experience, "experience", attributes)
    if spec is None or spec.kind != "columns":
        raise InvalidParameterError(
            "`experience` must name the rating columns (a list or a mapping "
            f"attribute → column); got {experience!r}."
        )
    pairs = experience_columns(spec, attributes)
    if len(pairs) > 33:
        raise InvalidParameterError(
            f"asymmetric_impact handles up to 33 attributes; got {len(pairs)}."
        )
    scale_ = as_scale(scale, "scale")
    default_low, default_high = _default_cuts(scale_)
    low_ = default_low if low is None else low
    high_ = default_high if high is None else high
    for name, value in (("low", low_), ("high", high_)):
        if not isinstance(value, numbers.Real) or not (
            scale_.low <= float(value) <= scale_.high
        ):
            raise InvalidParameterError(
                f"`{name}` must be a point of the scale {scale_.low}–{scale_.high}; "
                f"got {value!r}."
            )
    if not low_ < high_:
        raise InvalidParameterError(
            f"`low` must be below `high`; got low={low_!r}, high={high_!r}."
        )
    chosen_cov = cov_type or (
        "design" if (weights is not None or strata is not None) else "classical"
    )
    # validate every rating column (scale, codes, weights) with the score layer
    level_counts = []
    for name, column in pairs:
        counts = single_counts(
            data,
            column,
            scale=scale_,
            weights=weights,
            by=[],
            strata=strata,
            nan_policy=nan_policy,
            na_values=na_values,
            argument="experience",
        )
        level_counts.append((name, counts))
    del level_counts
    frame = _pattern_frame(
        data,
        [c for _, c in pairs],
        outcome=outcome,
        weights=weights,
        strata=strata,
        low=float(low_),
        high=float(high_),
        na_values=na_values,
    )
    mt = reduce_moments(
        frame,
        outcome,
        weights=weights,
        by=["__pattern"],
        strata=strata,
        argument="outcome",
    )
    m, omissions = moments(mt, argument="outcome", nan_policy=nan_policy)
    n_design = m.n_design
    codes = np.array([g[0] for g in m.groups], dtype=np.float64)
    n_k = len(pairs)
    levels = np.zeros((len(codes), n_k))
    rest = codes.copy()
    for j in range(n_k):
        levels[:, j] = np.mod(rest, 3)
        rest = np.floor(rest / 3)
    x = np.ones((len(codes), 1 + 2 * n_k))
    x[:, 1::2] = levels == 0
    x[:, 2::2] = levels == 2
    used = m.n.sum(axis=1) > 0
    if not used.any():
        raise InsufficientDataError(
            f"No respondent has both {outcome!r} and every experience rating."
        )
    fit = penalty_reward_fit(
        x[used],
        m.n[used],
        m.sum_w[used],
        m.sum_wx[used],
        m.sum_wx2[used],
        m.sum_w2[used],
        m.sum_w2x[used],
        m.sum_w2x2[used],
        n_design=n_design,
        cov_type=chosen_cov,
    )
    n_pattern = m.n.sum(axis=1)
    se = np.sqrt(np.diag(fit.covariance))
    beta = fit.coefficients
    with np.errstate(invalid="ignore", divide="ignore"):
        t_stat = beta / se
    p = np.where(np.isfinite(t_stat), 2 * stats.t.sf(np.abs(t_stat), fit.df), np.nan)
    lo, hi = t_limits(beta, se, np.full(len(beta), fit.df), confidence_level)
    terms = ["(intercept)"] + [
        f"{name}_{part}" for name, _ in pairs for part in ("low", "high")
    ]
    coefficients = pd.DataFrame(
        {
            "term": terms,
            "estimate": beta,
            "std_error": se,
            "ci_low": lo,
            "ci_high": hi,
            "statistic": t_stat,
            "p_value": p,
            "aliased": fit.aliased,
        }
    )
    names = [a for a, _ in pairs]
    penalty = beta[1::2]
    reward = beta[2::2]
    impact_range, asymmetry = impact_asymmetry(penalty, reward)
    alpha = 1 - confidence_level
    table = pd.DataFrame({"attribute": names})
    for part, index in (("penalty", slice(1, None, 2)), ("reward", slice(2, None, 2))):
        table[part] = beta[index]
        table[f"{part}_std_error"] = se[index]
        table[f"{part}_ci_low"] = lo[index]
        table[f"{part}_ci_high"] = hi[index]
        table[f"{part}_p_value"] = p[index]
    table["n_low"] = [int(n_pattern[levels[:, j] == 0].sum()) for j in range(n_k)]
    table["n_mid"] = [int(n_pattern[levels[:, j] == 1].sum()) for j in range(n_k)]
    table["n_high"] = [int(n_pattern[levels[:, j] == 2].sum()) for j in range(n_k)]
    table["impact_range"] = impact_range
    table["impact_asymmetry"] = asymmetry
    classes, reasons = [], []
    for j in range(n_k):
        label, reason = _classify(
            table.iloc[j], threshold=threshold, min_group_n=min_group_n, alpha=alpha
        )
        classes.append(label)
        reasons.append(reason)
    table["classification"] = classes
    table["reason"] = reasons
    return AsymmetricImpactResult(
        table=table,
        outcome=outcome,
        low=float(low_),
        high=float(high_),
        threshold=threshold,
        min_group_n=min_group_n,
        cov_type=chosen_cov,
        confidence_level=confidence_level,
        r_squared=fit.r_squared,
        n=int(fit.n),
        df=fit.df,
        coefficients=coefficients,
        weights=weights,
        strata=strata,
        n_omitted=omissions.total,
        call=call_of(
            "asymmetric_impact",
            outcome=outcome,
            experience=experience,
            attributes=attributes,
            weights=weights,
            strata=strata,
            scale=(scale_.low, scale_.high),
            low=low_,
            high=high_,
            threshold=threshold,
            min_group_n=min_group_n,
            cov_type=chosen_cov,
        ),
        versions=provenance_versions(),
    )


def _classify(
    row: pd.Series, *, threshold: float, min_group_n: int, alpha: float
) -> tuple[str, str]:
    for group in ("low", "high"):
        count = int(row[f"n_{group}"])
        if count < min_group_n:
            who = "no respondent" if count == 0 else f"only {count} respondent(s)"
            return (
                "undetermined",
                f"{who} in the {group} group (min_group_n = {min_group_n})",
            )
    if np.isnan(row["penalty"]) or np.isnan(row["reward"]):
        return "undetermined", "a dummy is aliased with other attributes"
    sig_p = row["penalty_p_value"] < alpha
    sig_r = row["reward_p_value"] < alpha
    if not (sig_p or sig_r):
        return "undetermined", "neither penalty nor reward differs from 0"
    if sig_p and row["penalty"] > 0:
        return "undetermined", "the penalty has the wrong sign (low performance helps)"
    if sig_r and row["reward"] < 0:
        return "undetermined", "the reward has the wrong sign (high performance hurts)"
    ia = row["impact_asymmetry"]
    if ia > threshold:
        return "excitement", f"impact asymmetry {ia:+.2f} > {threshold:g}"
    if ia < -threshold:
        return "basic", f"impact asymmetry {ia:+.2f} < −{threshold:g}"
    return "performance", f"|impact asymmetry| {abs(ia):.2f} ≤ {threshold:g}"
