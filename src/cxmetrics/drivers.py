r"""Drivers: which experiences move satisfaction and NPS, and by how much.

Correlation only shows association; a regression gives each driver's direction and
size holding the others fixed; relative-importance methods split the explained
variance fairly among correlated drivers. :func:`drivers` does all three from one
small summary: the weighted cross-product matrix of [outcome, drivers], reduced
inside the caller's engine (:mod:`cxmetrics.data.crossprod`). Everything for a
linear model is a function of that matrix (and of one more pass for the
design-based coefficient SEs); only intervals by the delta method or the bootstrap
and logistic models need the rows in memory.

Imports: data, errors, _validation, estimators, results, suffstats.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from cxmetrics._validation import (
    ColumnNames,
    Interval,
    Options,
    Seed,
    validate_params,
)
from cxmetrics._warnings import warn
from cxmetrics.data.crossprod import (
    CrossProductReduction,
    check_reduction,
    complete_rows,
    reduce_crossprod,
    reduce_score_products,
)
from cxmetrics.data.native import as_narwhals, is_lazy
from cxmetrics.data.rows import in_memory_pandas
from cxmetrics.errors import (
    ApproximationWarning,
    ConvergenceWarning,
    CxMetricsWarning,
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
)
from cxmetrics.estimators import relimp
from cxmetrics.results.base import provenance_versions
from cxmetrics.results.drivers import (
    ADDITIVE,
    NONNEGATIVE,
    DriverBootstrap,
    DriverResult,
    difference_frame,
    interval_columns,
    ranks,
    shares,
)
from cxmetrics.suffstats.crossprod import CrossProducts

__all__ = [
    "DOMINANCE_LIMIT",
    "EXACT_LIMIT",
    "LOGISTIC_EXACT_LIMIT",
    "LOGISTIC_METHODS",
    "METHODS",
    "drivers",
]

FloatArray = NDArray[np.float64]
NanPolicy = Literal["omit", "raise"]

METHODS = relimp.LINEAR_METHODS
ALIASES = {
    "lmg": "shapley",
    "general_dominance": "shapley",
    "first": "correlation",
    "usefulness": "last",
    "johnson": "relative_weights",
}
LOGISTIC_METHODS = ("shapley", "relative_weights", "beta", "correlation", "last")
#: Largest number of drivers for exact Shapley values (2**25 sub-models, ~6 s).
EXACT_LIMIT = 25
#: Exact logistic Shapley refits 2**p logistic models.
LOGISTIC_EXACT_LIMIT = 12
#: Conditional and complete dominance tables are computed up to this many drivers.
DOMINANCE_LIMIT = 20
#: Exact Shapley values are computed for the methods table up to this size.
_AUTO_SUBSETS = 15
#: Delta-method intervals of exact Shapley values up to this many drivers.
_DELTA_SHAPLEY = 15
_BATCH_SUBSETS = 12

_LEVEL = Interval("real", 0, 1, closed="neither", hint="pass 0.95 for a 95% interval.")


# --- input checks ---------------------------------------------------------------


def _numeric_columns(data: Any, exclude: Sequence[str]) -> list[str]:
    if isinstance(data, pd.DataFrame):
        names = [
            str(c)
            for c in data.columns
            if pd.api.types.is_numeric_dtype(data[c].dtype)
            and not pd.api.types.is_bool_dtype(data[c].dtype)
        ]
    else:
        schema = as_narwhals(data).collect_schema()
        names = [n for n, d in schema.items() if d.is_numeric()]
    return [n for n in names if n not in exclude]


def _driver_names(
    data: Any, outcome: str, drivers: str | Sequence[str] | None, weights: str | None
) -> list[str]:
    if drivers is None:
        names = _numeric_columns(data, [outcome, *([weights] if weights else [])])
        if not names:
            raise InvalidParameterError(
                "`drivers` was not given and `data` has no other numeric column. "
                "Hint: pass `drivers=[...]`, the columns of the experience ratings."
            )
        return names
    names = [drivers] if isinstance(drivers, str) else [str(d) for d in drivers]
    if outcome in names:
        raise InvalidParameterError(
            f"The outcome {outcome!r} is also listed among the `drivers`; a variable "
            "cannot explain itself. Hint: remove it from `drivers`."
        )
    if weights is not None and weights in names:
        raise InvalidParameterError(
            f"The weight column {weights!r} is listed among the `drivers`."
        )
    seen = {d for d in names if names.count(d) > 1}
    if seen:
        raise InvalidParameterError(
            f"`drivers` lists {sorted(seen)} more than once; each driver enters once."
        )
    return names


def _check_positive(positive: Any) -> tuple[float, ...] | None:
    if positive is None:
        return None
    values = [positive] if isinstance(positive, int | float) else positive
    try:
        out = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        out = ()
    if not out or any(isinstance(v, bool) for v in values):
        raise InvalidParameterError(
            "`positive` must list the outcome values that count as 1, e.g. "
            f"`positive=[9, 10]` for promoters; got {positive!r}."
        )
    return out


def _resolve(
    method: str, model: str | None, positive: tuple[float, ...] | None
) -> tuple[str, str]:
    chosen = ALIASES.get(method, method)
    kind = model or ("logistic" if positive is not None else "linear")
    if kind == "logistic" and chosen not in LOGISTIC_METHODS:
        raise InvalidParameterError(
            f"`method={method!r}` is defined for linear models only; a logistic "
            f"model supports {', '.join(map(repr, LOGISTIC_METHODS))}."
        )
    return chosen, kind


def _validated(
    reduction: CrossProductReduction,
    names: Sequence[str],
    *,
    weights: str | None,
    nan_policy: str,
) -> CrossProducts:
    cp = reduction.stats
    check_reduction(
        reduction, weights=weights, nan_policy=nan_policy, variables=str(list(names))
    )
    missing = {k: v for k, v in reduction.missing.items() if v}
    if cp.n == 0:
        raise InsufficientDataError(
            f"No complete rows: each of the {reduction.n_rows} row(s) misses the "
            f"outcome or a driver (missing per column: {missing})."
        )
    if weights is not None and cp.sum_w <= 0:
        raise InvalidDataError(f"Weight column {weights!r} sums to zero.")
    p = len(names) - 1
    if cp.n <= p + 1:
        raise InsufficientDataError(
            f"{cp.n} complete row(s) for {p} driver(s): a regression needs more "
            f"rows than drivers + 1 (at least {p + 2}). Hint: use fewer drivers "
            "or pool groups."
        )
    var = cp.variances()
    scale = np.maximum(1.0, cp.mean**2)
    constant = [names[int(i)] for i in np.flatnonzero(var <= 1e-12 * scale)]
    if constant:
        role = "outcome" if constant[0] == names[0] else "driver(s)"
        raise InvalidDataError(
            f"The {role} {constant} take a single value in the {cp.n} complete rows, "
            "so they explain nothing (and nothing can explain a constant outcome). "
            "Hint: drop them; in a small segment, pool segments first."
        )
    rxx = cp.correlation()[1:, 1:]
    sets = relimp.dependent_sets(rxx)
    if sets:
        groups = [[names[1 + int(i)] for i in s] for s in sets]
        raise InvalidDataError(
            f"The drivers are perfectly collinear: {groups} — one is an exact linear "
            "combination of the others (a total, a duplicate or a recoded copy). "
            "Hint: drop one driver of each group."
        )
    return cp


def _in_memory(data: Any) -> bool:
    if isinstance(data, pd.DataFrame):
        return True
    try:
        return not is_lazy(as_narwhals(data))
    except InvalidParameterError:
        return False


def _rng(rng: int | np.random.Generator | None) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


# --- linear ------------------------------------------------------------------------


def _linear_coefficients(
    data: Any,
    cp: CrossProducts,
    names: Sequence[str],
    *,
    weights: str | None,
    positive: tuple[float, ...] | None,
) -> pd.DataFrame:
    """WLS coefficients with design-based (svyglm) and model-based (lm) SEs."""
    p = len(names) - 1
    r = cp.correlation()
    beta_std, r2 = relimp.full_model(r)
    sd = np.sqrt(cp.variances())
    slopes = beta_std * sd[0] / sd[1:]
    intercept = cp.mean[0] - slopes @ cp.mean[1:]
    coef = np.r_[intercept, slopes]
    w_total = cp.sum_w
    m = cp.mean[1:]
    xtwx = np.empty((p + 1, p + 1))
    xtwx[0, 0] = w_total
    xtwx[0, 1:] = xtwx[1:, 0] = w_total * m
    xtwx[1:, 1:] = cp.m2[1:, 1:] + w_total * np.outer(m, m)
    bread = np.linalg.inv(xtwx)
    df = cp.n - p - 1
    rss = cp.m2[0, 0] * (1 - r2)
    cov_model = rss / df * bread
    meat = reduce_score_products(data, names, coef, weights=weights, positive=positive)
    cov_design = cp.n / (cp.n - 1) * bread @ meat @ bread
    se = np.sqrt(np.diag(cov_design))
    t = coef / se
    frame = pd.DataFrame(
        {
            "term": ["(intercept)", *names[1:]],
            "estimate": coef,
            "std_error": se,
            "statistic": t,
            "df": float(df),
            "p_value": 2 * stats.t.sf(np.abs(t), df),
            "std_error_model": np.sqrt(np.diag(cov_model)),
            "std_coefficient": np.r_[np.nan, beta_std],
            "std_coefficient_se": np.r_[np.nan, se[1:] * sd[1:] / sd[0]],
        }
    )
    return frame


def _importance_table(
    r: FloatArray,
    subsets: FloatArray | None,
    names: Sequence[str],
) -> pd.DataFrame:
    table: dict[str, Any] = {"driver": list(names)}
    for m in METHODS:
        if m == "shapley":
            if subsets is None:
                continue
            table[m] = relimp.shapley_from_subsets(subsets, len(names))
        else:
            table[m] = relimp.importance(r, m)
    return pd.DataFrame(table)


def _dominance_tables(
    subsets: FloatArray, shapley: FloatArray, names: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = len(names)
    cond = relimp.conditional_dominance(subsets, p)
    complete = relimp.complete_dominance(subsets, p)
    rows = []
    for i in range(p):
        for j in range(i + 1, p):

            def winner(i_wins: bool, j_wins: bool, a: int = i, b: int = j) -> Any:
                return names[a] if i_wins else (names[b] if j_wins else None)

            rows.append(
                {
                    "driver": names[i],
                    "other": names[j],
                    "complete": winner(bool(complete[i, j]), bool(complete[j, i])),
                    "conditional": winner(
                        bool(np.all(cond[i] > cond[j])), bool(np.all(cond[j] > cond[i]))
                    ),
                    "general": winner(
                        bool(shapley[i] > shapley[j]), bool(shapley[j] > shapley[i])
                    ),
                }
            )
    conditional = pd.DataFrame(cond, columns=[f"k={k}" for k in range(p)])
    conditional.insert(0, "driver", list(names))
    return pd.DataFrame(rows), conditional


def _stack_importance(
    rs: FloatArray, method: str, p: int
) -> tuple[FloatArray, FloatArray]:
    """Compute importance and R² for a stack of correlation matrices."""
    _, r2 = relimp.full_model(rs)
    if method == "shapley" and p > _BATCH_SUBSETS:
        imp = np.stack([relimp.importance(r, "shapley") for r in rs])
    else:
        imp = relimp.importance(rs, method)
    return np.asarray(imp), np.asarray(r2)


def _delta(x: FloatArray, w: FloatArray, r: FloatArray, method: str) -> FloatArray:
    p = r.shape[0] - 1
    _, cov_r = relimp.correlation_influence(x, w)

    def func(rs: FloatArray) -> FloatArray:
        imp, r2 = _stack_importance(rs, method, p)
        return np.column_stack([imp, shares(imp, r2, method), r2])

    _, cov = relimp.delta_covariance(func, r, cov_r)
    return cov


def _bootstrap_linear(
    x: FloatArray,
    w: FloatArray,
    method: str,
    *,
    n_resamples: int,
    rng: np.random.Generator,
) -> DriverBootstrap:
    n, q = x.shape
    p = q - 1
    xc = x - w @ x / w.sum()
    iu = np.triu_indices(q)
    products = xc[:, iu[0]] * xc[:, iu[1]]
    scale = np.diag(xc.T @ (xc * w[:, None])) / w.sum()
    chunk = max(1, 4_000_000 // max(n, 1))
    keep_imp, keep_r2 = [], []
    failed = 0
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=size)
        ww = counts * w
        s0 = ww.sum(axis=1)
        mean = ww @ xc / s0[:, None]
        upper = ww @ products / s0[:, None] - mean[:, iu[0]] * mean[:, iu[1]]
        cov = np.zeros((size, q, q))
        cov[:, iu[0], iu[1]] = upper
        cov[:, iu[1], iu[0]] = upper
        d = np.sqrt(np.clip(np.diagonal(cov, axis1=1, axis2=2), 0, None))
        ok = np.all(d**2 > 1e-10 * scale, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            rs = cov / (d[:, :, None] * d[:, None, :])
        rs[~ok] = np.eye(q)
        idx = np.arange(q)
        rs[:, idx, idx] = 1.0
        lam_min = np.linalg.eigvalsh(rs[:, 1:, 1:])[:, 0]
        ok &= lam_min > 1e-8
        failed += int((~ok).sum())
        if ok.any():
            imp, r2 = _stack_importance(rs[ok], method, p)
            keep_imp.append(imp)
            keep_r2.append(r2)
    imp = np.concatenate(keep_imp) if keep_imp else np.empty((0, p))
    r2 = np.concatenate(keep_r2) if keep_r2 else np.empty(0)
    return DriverBootstrap(
        importance=imp,
        share=shares(imp, r2, method),
        rank=ranks(imp, method),
        r2=r2,
        n_failed=failed,
    )


# --- logistic -------------------------------------------------------------------------


def _logistic_importance(
    x: FloatArray, y: FloatArray, w: FloatArray, method: str
) -> tuple[FloatArray, float, bool]:
    """Compute the importance by ``method`` and the R² its shares refer to."""
    p = x.shape[1]
    ll0 = relimp.null_loglik(y, w)
    full = relimp.logistic_fit(x, y, w)
    mcfadden = 1.0 - full.loglik / ll0
    if method == "relative_weights":
        eps, _, ok = relimp.logistic_relative_weights(x, y, w)
        return eps, float(eps.sum()), ok
    if method == "shapley":
        subsets, ok = relimp.mcfadden_subsets(x, y, w)
        return relimp.shapley_from_subsets(subsets, p), mcfadden, ok
    if method == "beta":
        return _menard(x, y, w, full), mcfadden, full.converged
    ok = full.converged
    out = np.empty(p)
    for j in range(p):
        cols = [j] if method == "correlation" else [k for k in range(p) if k != j]
        fit = relimp.logistic_fit(x[:, cols], y, w)
        ok &= fit.converged
        value = 1.0 - fit.loglik / ll0
        out[j] = value if method == "correlation" else mcfadden - value
    return out, mcfadden, ok


def _menard(
    x: FloatArray, y: FloatArray, w: FloatArray, fit: relimp.LogisticFit
) -> FloatArray:
    """Fully standardized logistic coefficients b·s_x·R/s_η (Menard 2004)."""
    total = w.sum()
    sd = np.sqrt(w @ (x - w @ x / total) ** 2 / total)
    eta = np.column_stack([np.ones(len(y)), x]) @ fit.coef
    s_eta = float(np.sqrt(w @ (eta - w @ eta / total) ** 2 / total))
    mu = fit.fitted
    dm, dy = mu - w @ mu / total, y - w @ y / total
    r_fit = float(w @ (dm * dy) / np.sqrt((w @ dm**2) * (w @ dy**2)))
    return np.asarray(fit.coef[1:] * sd * r_fit / s_eta)


def _logistic_coefficients(
    x: FloatArray, y: FloatArray, w: FloatArray, names: Sequence[str]
) -> tuple[pd.DataFrame, relimp.LogisticFit]:
    fit = relimp.logistic_fit(x, y, w)
    n, p = x.shape
    design = np.column_stack([np.ones(n), x])
    bread = np.linalg.inv(fit.information)
    scores = design * (w * (y - fit.fitted))[:, None]
    scores -= scores.mean(axis=0)
    cov = n / (n - 1) * bread @ (scores.T @ scores) @ bread
    se = np.sqrt(np.diag(cov))
    df = n - p - 1
    t = fit.coef / se
    std = _menard(x, y, w, fit)
    frame = pd.DataFrame(
        {
            "term": ["(intercept)", *names[1:]],
            "estimate": fit.coef,
            "std_error": se,
            "statistic": t,
            "df": float(df),
            "p_value": 2 * stats.t.sf(np.abs(t), df),
            "std_error_model": np.sqrt(np.diag(bread)),
            "std_coefficient": np.r_[np.nan, std],
            "std_coefficient_se": np.r_[np.nan, se[1:] * std / fit.coef[1:]],
            "odds_ratio": np.exp(fit.coef),
        }
    )
    return frame, fit


def _bootstrap_logistic(
    x: FloatArray,
    y: FloatArray,
    w: FloatArray,
    method: str,
    *,
    n_resamples: int,
    rng: np.random.Generator,
) -> DriverBootstrap:
    n, p = x.shape
    keep_imp, keep_r2 = [], []
    failed = 0
    for _ in range(n_resamples):
        counts = rng.multinomial(n, np.full(n, 1.0 / n))
        used = counts > 0
        ww = (counts * w)[used]
        xb, yb = x[used], y[used]
        mean_y = ww @ yb / ww.sum()
        spread = ww @ (xb - ww @ xb / ww.sum()) ** 2
        if not 0 < mean_y < 1 or np.any(spread <= 1e-12):
            failed += 1
            continue
        try:
            imp, r2, ok = _logistic_importance(xb, yb, ww, method)
        except np.linalg.LinAlgError:
            ok = False
        if not ok:
            failed += 1
            continue
        keep_imp.append(imp)
        keep_r2.append(r2)
    imp_all = np.array(keep_imp) if keep_imp else np.empty((0, p))
    r2_all = np.array(keep_r2)
    return DriverBootstrap(
        importance=imp_all,
        share=shares(imp_all, r2_all, method),
        rank=ranks(imp_all, method),
        r2=r2_all,
        n_failed=failed,
    )


# --- the public function --------------------------------------------------------


@validate_params(
    {
        "outcome": ColumnNames(many=False, none_ok=False),
        "drivers": ColumnNames(many=True, none_ok=True),
        "weights": ColumnNames(many=False),
        "method": Options((*METHODS, *ALIASES)),
        "model": Options(("linear", "logistic"), none_ok=True),
        "confidence_level": _LEVEL,
        "n_resamples": Interval("integral", 0, None),
        "rng": Seed(),
        "nan_policy": Options(("omit", "raise")),
        "max_exact": Interval(
            "integral", 1, 27, hint="2**27 sub-models need about 1 GiB per copy."
        ),
        "n_permutations": Interval("integral", 100, None),
    }
)
def drivers(
    data: Any,
    outcome: str,
    drivers: str | Sequence[str] | None = None,
    *,
    weights: str | None = None,
    method: str = "shapley",
    model: str | None = None,
    positive: float | Sequence[float] | None = None,
    confidence_level: float = 0.95,
    n_resamples: int = 0,
    rng: int | np.random.Generator | None = None,
    nan_policy: NanPolicy = "omit",
    max_exact: int = EXACT_LIMIT,
    n_permutations: int = 4000,
) -> DriverResult:
    r"""Key-driver analysis: the importance of each driver for an outcome.

    Regresses the outcome on the drivers and splits the explained variance among
    them by a relative-importance ``method``; reports, per driver, the importance,
    its share, its rank, the sign and size of its coefficient, and intervals.

    Parameters
    ----------
    data : DataFrame-like
        One row per respondent: pandas, polars (eager or lazy), pyarrow, DuckDB or
        any narwhals-supported table. Lazy tables are reduced where they live.
    outcome : str
        Column of the outcome (overall satisfaction, likelihood to recommend, …).
    drivers : str or list of str, optional
        Driver columns (experience ratings). Default: every other numeric column
        except ``weights``.
    weights : str, optional
        Column of non-negative sampling weights.
    method : str, default: 'shapley'
        Importance measure: ``'shapley'`` (LMG, general dominance; exact up to
        ``max_exact`` drivers), ``'relative_weights'`` (Johnson 2000),
        ``'pratt'`` (β·r), ``'beta'`` (standardized coefficient),
        ``'correlation'`` (r², "first"), ``'last'`` (usefulness: the R² lost
        without the driver) or ``'betasq'`` (β²). Aliases: ``'lmg'``,
        ``'general_dominance'``, ``'first'``, ``'usefulness'``, ``'johnson'``.
    model : {'linear', 'logistic'}, optional
        Default ``'logistic'`` when ``positive`` is given, else ``'linear'``.
    positive : float or list of float, optional
        Outcome values that count as 1 (e.g. ``[9, 10]``: promoter vs not;
        ``range(0, 7)``: detractor vs not); recoded where the data live.
    confidence_level : float, default: 0.95
        Coverage of the intervals.
    n_resamples : int, default: 0
        Bootstrap resamples of respondents (weights travel with them), for
        percentile intervals of importance, shares, ranks and pairwise
        differences. With 0 a linear model gets delta-method intervals.
    rng : int or numpy.random.Generator, optional
        Seed for the bootstrap and sampled Shapley values.
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Rows missing the outcome or a driver are left out (listwise) and counted,
        or raise.
    max_exact : int, default: 25
        Above this many drivers, Shapley values are estimated from
        ``n_permutations`` random orders, with their Monte Carlo error.
    n_permutations : int, default: 4000
        Driver orders for sampled Shapley values.

    Returns
    -------
    DriverResult
        ``to_frame()``: one row per driver with ``driver``, ``importance``,
        ``std_error``, ``ci_low``, ``ci_high``, ``share`` (and its limits),
        ``rank`` (and its limits), ``sign``, ``coefficient``,
        ``coef_std_error``, ``std_coefficient``, ``p_value``, ``vif``,
        ``performance``, ``sign_conflict``, ``n``, ``n_eff``, ``note``. Also
        ``.coefficients``, ``.methods``, ``.dominance``, ``.conditional``,
        ``.differences``, ``.r2``.

    Raises
    ------
    ColumnNotFoundError
        A named column is not in ``data``.
    InvalidParameterError
        The outcome is among the drivers, a driver is repeated, a method does not
        exist for the model, or another argument is invalid.
    InvalidDataError
        Non-numeric columns; a constant driver or outcome; perfectly collinear
        drivers; ±inf values; missing or negative weights; a logistic model on an
        outcome that is not 0/1; missing values under ``nan_policy='raise'``.
    InsufficientDataError
        No complete row, or no more complete rows than drivers + 1.
    RowsRequiredError
        A logistic model or a bootstrap on a lazy table.

    Warns
    -----
    CxMetricsWarning
        A driver's coefficient is significantly of the opposite sign to its
        correlation with the outcome (collinearity or a reversed scale).
    ApproximationWarning
        Sampled instead of exact Shapley values (more than ``max_exact``
        drivers, or more than 12 in a logistic model).
    ConvergenceWarning
        The logistic fit did not converge (separation).

    See Also
    --------
    cxmetrics.plotting.drivers.importance_bars : signed bars with intervals.
    cxmetrics.plotting.drivers.importance_performance : importance vs mean rating.

    Notes
    -----
    Let ``R`` be the weighted correlation matrix of [outcome, drivers] over the
    complete rows, computed from :math:`\sum w`, :math:`\sum w x` and
    :math:`\sum w x x^\top`. With :math:`r` the driver–outcome correlations and
    :math:`R_{xx}` the driver correlations, the standardized coefficients are
    :math:`\beta = R_{xx}^{-1} r` and :math:`R^2 = \beta^\top r`. Then

    - ``correlation``: :math:`r_j^2`; ``betasq``: :math:`\beta_j^2`;
      ``pratt``: :math:`\beta_j r_j` (sums to R², can be negative);
      ``last``: :math:`\beta_j^2 / (R_{xx}^{-1})_{jj}`;
    - ``relative_weights``: :math:`\epsilon_j = \sum_k \lambda_{jk}^2
      \beta^{*2}_k` with :math:`\lambda = R_{xx}^{1/2}`,
      :math:`\beta^* = R_{xx}^{-1/2} r` [2]_ (sums to R²);
    - ``shapley``: :math:`\phi_j = \sum_{S \not\ni j}
      \frac{|S|!(p-|S|-1)!}{p!}\,(R^2_{S\cup j} - R^2_S)` [1]_ [3]_, the average
      gain over all orders (sums to R²). The :math:`2^p` sub-model R² come from
      the correlation matrix by one sweep step per subset, vectorised (about 6 s
      at p = 25; R's relaimpo stops at p = 25 too, other tools at 15–27).
      Dominance [4]_: complete (a driver adds more than the other to every
      sub-model), conditional (more on average at every sub-model size),
      general (larger Shapley value).

    Shares are importance / R² for the additive methods (shapley,
    relative_weights, pratt) and importance / total otherwise (``|β| / Σ|β|`` for
    ``beta``). Weights are sampling weights: importance equals R's
    ``lm(weights = w)`` / ``cov.wt`` values; coefficient SEs are design-based
    (linearisation, as ``survey::svyglm`` with ``svydesign(ids = ~1,
    weights = ~w)``), with the model-based ``lm`` SEs in
    ``.coefficients['std_error_model']``; ``n_eff`` is Kish's.

    Intervals. With ``n_resamples = 0`` and a linear model, the importances and
    shares get delta-method (linearisation) SEs: the influence of each row on
    each correlation, :math:`z_j z_k - r_{jk}(z_j^2 + z_k^2)/2`, gives the
    design covariance of ``R``, and a numerical Jacobian carries it to the
    importances (no normality assumed; needs the rows in memory; exact Shapley
    up to 15 drivers). Non-negative measures get their limits on the square-root
    scale (:func:`cxmetrics.results.drivers.delta_limits`), signed ones
    :math:`\hat\theta \pm z\,SE`. The delta intervals are large-sample ones:
    94.6–95.3% coverage at n = 1000 but 92.8–94.3% at n = 300 in a simulation
    (docs/drivers.md); below about 1,000 responses prefer the bootstrap.
    With ``n_resamples > 0``, respondents are resampled with
    replacement (relaimpo's ``booteval`` scheme), resamples with a constant
    driver or a singular correlation matrix are dropped and counted
    (``n_failed``), and percentile limits are given for importance, share, rank
    and the pairwise differences (``.differences``).

    Binary outcomes (``model='logistic'``): weighted maximum likelihood;
    ``shapley`` splits McFadden's pseudo-R² :math:`1 - \ell/\ell_0` (exact up to
    12 drivers: every sub-model is refitted); ``relative_weights`` follows
    Tonidandel & LeBreton [5]_ on the logit scale (the weights add up to their own
    pseudo-R², reported in the notes); ``beta`` is Menard's fully standardized
    coefficient; ``correlation`` and ``last`` are single-driver and drop-one
    McFadden R². Logistic models need the rows.

    Missing values: listwise deletion over the outcome and drivers, counted in
    ``n_omitted`` per result and per column in the error messages.

    Validation: exact LMG, first, last, betasq and pratt on R's ``swiss``
    (``Fertility ~ .``) match a brute-force all-subsets ``lm`` in R 4.2 to rtol
    1e-10 (the relaimpo values printed by Grömping 2006); relative weights on
    ``mtcars`` match the published ``rwa`` output (7 digits) and a base-R
    implementation to 1e-10; weighted subset R² match ``lm(weights=)``;
    coefficients and SEs match ``survey::svyglm`` 4.1.1 (rtol 1e-8) and
    statsmodels ``WLS`` (model SEs); logistic relative weights and McFadden
    Shapley values match base-R ``glm`` implementations (rtol 1e-6). See
    ``tests/reference/data/drivers.json``.

    References
    ----------
    .. [1] Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). Introduction to
       Bivariate and Multivariate Analysis. Scott, Foresman, p. 119ff.
    .. [2] Johnson, J. W. (2000). A heuristic method for estimating the relative
       weight of predictor variables in multiple regression. Multivariate
       Behavioral Research, 35(1), 1–19. https://doi.org/10.1207/S15327906MBR3501_1
    .. [3] Grömping, U. (2006). Relative importance for linear regression in R:
       the package relaimpo. Journal of Statistical Software, 17(1), 1–27.
       https://doi.org/10.18637/jss.v017.i01
    .. [4] Budescu, D. V. (1993). Dominance analysis: a new approach to the
       problem of relative importance of predictors in multiple regression.
       Psychological Bulletin, 114(3), 542–551.
       https://doi.org/10.1037/0033-2909.114.3.542
    .. [5] Tonidandel, S., & LeBreton, J. M. (2010). Determining the relative
       importance of predictors in logistic regression: an extension of relative
       weight analysis. Organizational Research Methods, 13(4), 767–781.
       https://doi.org/10.1177/1094428109341993

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics.drivers import drivers
    >>> survey = cx.datasets.load_example_survey()
    >>> experience = [c for c in survey.columns if c.startswith("exp_")]
    >>> result = drivers(survey, "satisfaction", experience, weights="weight")
    >>> result
    DriverResult(satisfaction ~ 6 drivers, model='linear', method='shapley',
                 R²=0.626, n=3871, top='exp_convenience' (32.0%))
    >>> result.to_frame()[["driver", "importance", "share", "rank"]].round(3)
                 driver  importance  share  rank
    0       exp_product       0.053  0.084     5
    1       exp_service       0.167  0.267     2
    2  exp_relationship       0.091  0.146     3
    3         exp_price       0.063  0.100     4
    4   exp_convenience       0.200  0.320     1
    5   exp_brand_image       0.052  0.083     6
    >>> result.confidence_interval(0.90)
    ConfidenceInterval(90%, 6 groups, method='delta')

    Promoter status (NPS 9–10) by logistic regression:

    >>> promoters = drivers(survey, "nps", experience, weights="weight",
    ...                     positive=[9, 10], method="relative_weights")
    >>> promoters.model, promoters.to_frame()["rank"].tolist()
    ('logistic', [6, 2, 3, 4, 1, 5])
    """
    names_x = _driver_names(data, outcome, drivers, weights)
    names = [outcome, *names_x]
    p = len(names_x)
    positive_ = _check_positive(positive)
    chosen, kind = _resolve(method, model, positive_)
    reduction = reduce_crossprod(
        data,
        names,
        weights=weights,
        arguments=["outcome", *(["drivers"] * p)],
        positive=positive_,
    )
    cp = _validated(reduction, names, weights=weights, nan_policy=nan_policy)
    generator = _rng(rng)
    notes: list[str] = []
    call = {
        "function": "drivers",
        "outcome": outcome,
        "drivers": names_x,
        "weights": weights,
        "method": chosen,
        "model": kind,
        "positive": list(positive_) if positive_ is not None else None,
        "confidence_level": confidence_level,
        "n_resamples": n_resamples,
        "nan_policy": nan_policy,
    }
    r = cp.correlation()
    if kind == "linear":
        return _linear(
            data,
            cp,
            names,
            r,
            method=chosen,
            weights=weights,
            positive=positive_,
            confidence_level=confidence_level,
            n_resamples=n_resamples,
            rng=generator,
            max_exact=max_exact,
            n_permutations=n_permutations,
            notes=notes,
            call=call,
        )
    return _logistic(
        data,
        cp,
        names,
        r,
        method=chosen,
        weights=weights,
        positive=positive_,
        confidence_level=confidence_level,
        n_resamples=n_resamples,
        rng=generator,
        notes=notes,
        call=call,
    )


def _linear(
    data: Any,
    cp: CrossProducts,
    names: list[str],
    r: FloatArray,
    *,
    method: str,
    weights: str | None,
    positive: tuple[float, ...] | None,
    confidence_level: float,
    n_resamples: int,
    rng: np.random.Generator,
    max_exact: int,
    n_permutations: int,
    notes: list[str],
    call: dict[str, Any],
) -> DriverResult:
    names_x = names[1:]
    p = len(names_x)
    coefficients = _linear_coefficients(
        data, cp, names, weights=weights, positive=positive
    )
    _, r2_arr = relimp.full_model(r)
    r2 = float(r2_arr)
    exact = p <= max_exact
    subsets = None
    if exact and (method == "shapley" or p <= _AUTO_SUBSETS):
        subsets = relimp.subset_r2(r)
    methods = _importance_table(r, subsets, names_x)
    sampled = None
    if method == "shapley" and not exact:
        sampled = relimp.shapley_sampled(r, n_permutations=n_permutations, rng=rng)
        methods["shapley"] = sampled.estimate
        worst = float(sampled.std_error.max())
        text = (
            f"{p} drivers exceed the exact limit max_exact={max_exact} "
            f"(2**{p} sub-models); Shapley values are estimated from "
            f"{sampled.n_permutations} random orders, Monte Carlo SE ≤ {worst:.2g}."
        )
        notes.append(text)
        warn(
            text + " Hint: raise `max_exact` (memory grows as 2**p) or use "
            "method='relative_weights'.",
            ApproximationWarning,
        )
    imp = methods[method].to_numpy(dtype=float)
    share = shares(imp, np.asarray(r2), method)
    dominance = conditional = None
    if subsets is not None and p <= DOMINANCE_LIMIT and p >= 2:
        dominance, conditional = _dominance_tables(
            subsets, relimp.shapley_from_subsets(subsets, p), names_x
        )
    elif method == "shapley" and p > DOMINANCE_LIMIT:
        notes.append(
            f"Conditional and complete dominance are computed up to "
            f"{DOMINANCE_LIMIT} drivers; general dominance = the Shapley ranks."
        )
    interval, delta_cov, boot = "none", None, None
    if n_resamples > 0:
        frame = in_memory_pandas(data, "The bootstrap")
        x, w = complete_rows(frame, names, weights=weights, positive=positive)
        if sampled is not None:
            raise InvalidParameterError(
                "a bootstrap of sampled Shapley values is not offered; use "
                "method='relative_weights' or raise `max_exact`."
            )
        boot = _bootstrap_linear(x, w, method, n_resamples=n_resamples, rng=rng)
        interval = "bootstrap"
        if boot.n_failed:
            notes.append(
                f"{boot.n_failed} of {n_resamples} resamples were degenerate (a "
                "constant driver or a singular correlation matrix) and were dropped."
            )
    elif not _in_memory(data):
        notes.append(
            "No intervals: the delta method needs the rows and `data` is a lazy "
            "table. Hint: collect it (or a random sample) and pass it in memory."
        )
    elif sampled is not None or (method == "shapley" and p > _DELTA_SHAPLEY):
        notes.append(
            f"No delta-method intervals for Shapley values above {_DELTA_SHAPLEY} "
            "drivers. Hint: pass `n_resamples` or use method='relative_weights'."
        )
    else:
        frame = in_memory_pandas(data, "The delta method")
        x, w = complete_rows(frame, names, weights=weights, positive=positive)
        delta_cov = _delta(x, w, r, method)
        interval = "delta"
    return _assemble(
        cp,
        names,
        r,
        imp=imp,
        share=share,
        r2=r2,
        r2_label="R²",
        method=method,
        kind="linear",
        coefficients=coefficients,
        methods=methods,
        dominance=dominance,
        conditional=conditional,
        interval=interval,
        delta_cov=delta_cov,
        boot=boot,
        weights=weights,
        confidence_level=confidence_level,
        n_resamples=n_resamples,
        notes=notes,
        call=call,
    )


def _logistic(
    data: Any,
    cp: CrossProducts,
    names: list[str],
    r: FloatArray,
    *,
    method: str,
    weights: str | None,
    positive: tuple[float, ...] | None,
    confidence_level: float,
    n_resamples: int,
    rng: np.random.Generator,
    notes: list[str],
    call: dict[str, Any],
) -> DriverResult:
    names_x = names[1:]
    p = len(names_x)
    frame = in_memory_pandas(data, "A logistic driver model")
    rows, w = complete_rows(frame, names, weights=weights, positive=positive)
    y, x = rows[:, 0], rows[:, 1:]
    values = np.unique(y)
    if not np.all(np.isin(values, (0.0, 1.0))):
        shown = [float(v) for v in values[:6]]
        raise InvalidDataError(
            f"A logistic model needs a 0/1 outcome; {names[0]!r} holds {shown}"
            f"{' …' if len(values) > 6 else ''}. Hint: pass `positive=[9, 10]` to "
            "code promoters as 1, or use model='linear'."
        )
    coefficients, fit = _logistic_coefficients(x, y, w, names)
    if not fit.converged:
        text = (
            "The logistic fit did not converge (a driver separates the outcome "
            "almost perfectly); coefficients and importances are unreliable."
        )
        notes.append(text)
        warn(
            text + " Hint: merge sparse rating levels or use model='linear'.",
            ConvergenceWarning,
        )
    ll0 = relimp.null_loglik(y, w)
    mcfadden = 1.0 - fit.loglik / ll0
    if method == "shapley" and p > LOGISTIC_EXACT_LIMIT:
        text = (
            f"Exact logistic Shapley values refit 2**{p} models; above "
            f"{LOGISTIC_EXACT_LIMIT} drivers relative weights on the logit scale "
            "are used instead."
        )
        notes.append(text)
        warn(text, ApproximationWarning)
        method = "relative_weights"
        call["method"] = method
    table: dict[str, Any] = {"driver": list(names_x)}
    subsets = None
    if p <= min(LOGISTIC_EXACT_LIMIT, 8) or method == "shapley":
        subsets, _ = relimp.mcfadden_subsets(x, y, w)
        table["shapley"] = relimp.shapley_from_subsets(subsets, p)
    eps, _, _ = relimp.logistic_relative_weights(x, y, w)
    table["relative_weights"] = eps
    table["beta"] = _menard(x, y, w, fit)
    for m in ("correlation", "last"):
        if subsets is not None:
            single = subsets[1 << np.arange(p)]
            drop = subsets[(1 << p) - 1 - (1 << np.arange(p))]
            table[m] = single if m == "correlation" else mcfadden - drop
        else:
            table[m] = _logistic_importance(x, y, w, m)[0]
    methods = pd.DataFrame(table)
    imp = methods[method].to_numpy(dtype=float)
    share_r2 = float(eps.sum()) if method == "relative_weights" else mcfadden
    share = shares(imp, np.asarray(share_r2), method)
    if method == "relative_weights":
        notes.append(
            f"Relative weights on the logit scale sum to {eps.sum():.4f} "
            "(Tonidandel–LeBreton pseudo-R²); shares are of that total."
        )
    dominance = conditional = None
    if subsets is not None and p >= 2:
        dominance, conditional = _dominance_tables(
            subsets, relimp.shapley_from_subsets(subsets, p), names_x
        )
    interval, boot = "none", None
    if n_resamples > 0:
        boot = _bootstrap_logistic(x, y, w, method, n_resamples=n_resamples, rng=rng)
        interval = "bootstrap"
        if boot.n_failed:
            notes.append(
                f"{boot.n_failed} of {n_resamples} resamples were degenerate (a "
                "constant driver or outcome, or no convergence) and were dropped."
            )
    else:
        notes.append(
            "No intervals: logistic importances get bootstrap intervals only. "
            "Hint: pass `n_resamples=1000`."
        )
    return _assemble(
        cp,
        names,
        r,
        imp=imp,
        share=share,
        r2=mcfadden,
        r2_label="McFadden R²",
        method=method,
        kind="logistic",
        coefficients=coefficients,
        methods=methods,
        dominance=dominance,
        conditional=conditional,
        interval=interval,
        delta_cov=None,
        boot=boot,
        weights=weights,
        confidence_level=confidence_level,
        n_resamples=n_resamples,
        notes=notes,
        call=call,
    )


def _assemble(
    cp: CrossProducts,
    names: list[str],
    r: FloatArray,
    *,
    imp: FloatArray,
    share: FloatArray,
    r2: float,
    r2_label: str,
    method: str,
    kind: str,
    coefficients: pd.DataFrame,
    methods: pd.DataFrame,
    dominance: pd.DataFrame | None,
    conditional: pd.DataFrame | None,
    interval: str,
    delta_cov: FloatArray | None,
    boot: DriverBootstrap | None,
    weights: str | None,
    confidence_level: float,
    n_resamples: int,
    notes: list[str],
    call: dict[str, Any],
) -> DriverResult:
    names_x = tuple(names[1:])
    p = len(names_x)
    cols = interval_columns(
        importance=imp,
        share=share,
        level=confidence_level,
        kind=interval,
        nonnegative=method in NONNEGATIVE,
        delta_cov=delta_cov,
        bootstrap=boot,
    )
    slopes = coefficients.iloc[1:]
    coef = slopes["estimate"].to_numpy(dtype=float)
    pvals = slopes["p_value"].to_numpy(dtype=float)
    corr = r[1:, 0]
    conflict = (np.sign(coef) * np.sign(corr) < 0) & (np.abs(corr) > 0)
    vifs = relimp.vif(r)
    note = [""] * p
    for j in np.flatnonzero(conflict):
        note[j] = "coefficient and correlation differ in sign"
        if pvals[j] < 0.05:
            text = (
                f"Driver {names_x[j]!r} correlates "
                f"{'positively' if corr[j] > 0 else 'negatively'} "
                f"with {names[0]!r} (r = {corr[j]:.2f}) but its coefficient is "
                f"{coef[j]:+.3g} (p = {pvals[j]:.2g}) once the other drivers are held "
                "fixed."
            )
            notes.append(text)
            warn(
                text + " Hint: 1. check the scale direction of the item (reverse "
                "coded?); 2. look at the VIFs: collinear drivers share credit; "
                "3. read its Shapley importance rather than its coefficient.",
                CxMetricsWarning,
            )
    for j in np.flatnonzero(vifs > 5):
        note[j] = "; ".join(filter(None, [note[j], f"VIF {vifs[j]:.1f} > 5"]))
    if method not in ADDITIVE:
        notes.append(
            f"'{method}' importances do not add up to R²; shares are of their total."
        )
    table = pd.DataFrame(
        {
            "driver": list(names_x),
            "importance": imp,
            "std_error": cols["std_error"],
            "ci_low": cols["ci_low"],
            "ci_high": cols["ci_high"],
            "share": share,
            "share_ci_low": cols["share_ci_low"],
            "share_ci_high": cols["share_ci_high"],
            "rank": ranks(imp, method),
            "rank_ci_low": cols["rank_ci_low"],
            "rank_ci_high": cols["rank_ci_high"],
            "sign": np.sign(coef).astype(np.int64),
            "coefficient": coef,
            "coef_std_error": slopes["std_error"].to_numpy(dtype=float),
            "std_coefficient": slopes["std_coefficient"].to_numpy(dtype=float),
            "p_value": pvals,
            "vif": vifs,
            "performance": cp.mean[1:],
            "sign_conflict": conflict,
            "n": np.full(p, cp.n, dtype=np.int64),
            "n_eff": np.full(p, cp.n_eff),
            "note": note,
        }
    )
    differences = difference_frame(
        names_x,
        imp,
        level=confidence_level,
        kind=interval,
        delta_cov=delta_cov,
        bootstrap=boot,
    )
    return DriverResult(
        table=table,
        outcome=names[0],
        drivers=names_x,
        method=method,
        model=kind,
        r2=r2,
        r2_label=r2_label,
        n=cp.n,
        n_eff=cp.n_eff,
        sum_weights=cp.sum_w,
        n_omitted=cp.n_omitted,
        confidence_level=confidence_level,
        interval=interval,
        coefficients=coefficients,
        methods=methods,
        condition_number=relimp.condition_number(r),
        weights=weights,
        n_resamples=n_resamples,
        dominance=dominance,
        conditional=conditional,
        differences=differences,
        notes=tuple(notes),
        crossproducts=cp,
        delta_cov=delta_cov,
        bootstrap=boot,
        call=call,
        versions=provenance_versions("statsmodels"),
    )
