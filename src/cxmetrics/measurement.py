r"""Measurement quality: do the survey items measure what they should, reliably.

Before a driver model is trusted, its constructs must be measured well:
:func:`cronbach_alpha` (internal consistency, with an interval and alpha if an item
is dropped), :func:`omega` (McDonald's omega from a Schmid–Leiman solution),
:func:`reliability` (composite reliability, average variance extracted, the
Fornell–Larcker table and HTMT from a confirmatory factor analysis), :func:`htmt`
(discriminant validity from the item correlations), and the exploratory side:
:func:`efa` (minres or ML extraction, varimax / oblimin / promax rotation, KMO and
Bartlett's test) and :func:`parallel_analysis` (how many factors to keep).

Everything except the simulation of :func:`parallel_analysis` is a function of the
(weighted) covariance matrix of the items, reduced where the data live
(:func:`cxmetrics.data.crossprod.reduce_crossprod`). Rotations, KMO and Bartlett's
test go through :mod:`cxmetrics._engines.factor_engine` (rotations need the ``sem``
extra, factor_analyzer).

Imports: _validation, _warnings, _engines, data, errors, estimators, results, sem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxmetrics._engines import factor_engine
from cxmetrics._validation import (
    CONFIDENCE_LEVEL,
    ColumnNames,
    Constraint,
    Interval,
    Options,
    Seed,
    validate_params,
)
from cxmetrics._warnings import warn
from cxmetrics.data.crossprod import check_reduction, reduce_crossprod
from cxmetrics.errors import (
    ConvergenceWarning,
    DegenerateDataWarning,
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
)
from cxmetrics.estimators import sem as est
from cxmetrics.results.base import provenance_versions
from cxmetrics.results.sem import (
    AlphaResult,
    EFAResult,
    HTMTResult,
    OmegaResult,
    ParallelAnalysisResult,
    ReliabilityResult,
    htmt_matrix,
)
from cxmetrics.sem import DriverSEM

__all__ = [
    "cronbach_alpha",
    "efa",
    "htmt",
    "omega",
    "parallel_analysis",
    "reliability",
]

FloatArray = NDArray[np.float64]


class _ItemList(Constraint):
    description = "a list of at least two column names"

    def __init__(self, minimum: int = 2) -> None:
        self.minimum = minimum
        self.hint = None

    def is_satisfied_by(self, value: object) -> bool:
        return (
            isinstance(value, list | tuple)
            and len(value) >= self.minimum
            and all(isinstance(v, str) for v in value)
        )

    def invalid_example(self) -> object:
        return ["only_one"]


class _Constructs(Constraint):
    description = "a mapping construct → list of item columns (at least two constructs)"

    def __init__(self, minimum: int = 1) -> None:
        self.minimum = minimum
        self.hint = "e.g. {'quality': ['q1', 'q2', 'q3'], 'value': ['v1', 'v2']}"

    def is_satisfied_by(self, value: object) -> bool:
        if not isinstance(value, Mapping) or len(value) < self.minimum:
            return False
        for key, items in value.items():
            if not isinstance(key, str):
                return False
            if isinstance(items, str):
                continue
            if not (
                isinstance(items, list | tuple)
                and len(items) > 0
                and all(isinstance(v, str) for v in items)
            ):
                return False
        return True

    def invalid_example(self) -> object:
        return ["not", "a", "mapping"]


def _call(function: str, **arguments: Any) -> dict[str, Any]:
    shown: dict[str, Any] = {"function": function}
    for key, value in arguments.items():
        if isinstance(value, np.random.Generator):
            value = "Generator"
        elif isinstance(value, Mapping):
            value = {
                k: list(v) if not isinstance(v, str) else v for k, v in value.items()
            }
        shown[key] = value
    return shown


def _covariance(
    data: Any,
    items: Sequence[str],
    *,
    weights: str | None,
    nan_policy: str,
    argument: str,
) -> tuple[FloatArray, int, int, float]:
    """Covariance (divisor Σw) of the complete rows, with checks."""
    names = list(items)
    duplicated = sorted({c for c in names if names.count(c) > 1})
    if duplicated:
        raise InvalidParameterError(
            f"`{argument}` lists {duplicated} more than once; each item once."
        )
    reduction = reduce_crossprod(
        data, names, weights=weights, arguments=[argument] * len(names)
    )
    cp = reduction.stats
    check_reduction(
        reduction, weights=weights, nan_policy=nan_policy, variables=str(names)
    )
    k = len(names)
    if cp.n <= k:
        raise InsufficientDataError(
            f"{cp.n} complete row(s) for {k} items: need more rows than items "
            f"(at least {k + 1}; in practice 10 or more per item)."
        )
    cov = cp.covariance()
    var = np.diag(cov)
    constant = [names[i] for i in np.flatnonzero(var <= 1e-12 * max(var.max(), 1.0))]
    if constant:
        raise InvalidDataError(
            f"Item(s) {constant} take a single value in the {cp.n} complete rows. "
            "Hint: drop them."
        )
    return cov, cp.n, cp.n_omitted, float(cp.n_eff)


def _correlation(cov: FloatArray) -> FloatArray:
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    np.fill_diagonal(corr, 1.0)
    return np.asarray(corr)


def _check_pd(corr: FloatArray, items: Sequence[str]) -> None:
    values = np.linalg.eigvalsh(corr)
    if values[0] < 1e-10 * values[-1]:
        _, vectors = np.linalg.eigh(corr)
        involved = [items[int(i)] for i in np.flatnonzero(np.abs(vectors[:, 0]) > 0.2)]
        raise InvalidDataError(
            f"The correlation matrix of the items is singular: {involved} are "
            "linearly dependent (a duplicated item or a sum of others). Hint: "
            "remove one of them."
        )


# --- Cronbach's alpha ------------------------------------------------------------


def _alpha(cov: FloatArray) -> float:
    k = cov.shape[0]
    return float(k / (k - 1) * (1.0 - np.trace(cov) / cov.sum()))


def _alpha_se(cov: FloatArray, n: float) -> float:
    k = cov.shape[0]
    total = float(cov.sum())
    c2 = cov @ cov
    q = (
        2
        * k**2
        / ((k - 1) ** 2 * total**3)
        * (total * (np.trace(c2) + np.trace(cov) ** 2) - 2 * np.trace(cov) * c2.sum())
    )
    return float(np.sqrt(max(q, 0.0) / n))


@validate_params(
    {
        "items": _ItemList(),
        "weights": ColumnNames(many=False),
        "confidence_level": CONFIDENCE_LEVEL,
        "method": Options(("feldt", "duhachek")),
        "nan_policy": Options(("omit", "raise")),
    }
)
def cronbach_alpha(
    data: Any,
    items: Sequence[str],
    *,
    weights: str | None = None,
    confidence_level: float = 0.95,
    method: Literal["feldt", "duhachek"] = "feldt",
    nan_policy: Literal["omit", "raise"] = "omit",
) -> AlphaResult:
    r"""Cronbach's alpha of a multi-item scale, with an interval and item analysis.

    Parameters
    ----------
    data : DataFrame-like
        One row per respondent (any table narwhals supports; only the covariance
        matrix of the items comes back).
    items : list of str
        At least two item columns of the scale.
    weights : str, optional
        Sampling weights: alpha from the weighted covariance matrix, intervals
        with Kish's effective sample size.
    confidence_level : float, default: 0.95
        Level of the interval.
    method : {'feldt', 'duhachek'}, default: 'feldt'
        Interval: Feldt's F-distribution interval (psych ``alpha.ci``) or the
        normal interval with Duhachek & Iacobucci's asymptotic SE (psych ``ase``).
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Rows with a missing item are left out (listwise, counted) or raise.

    Returns
    -------
    AlphaResult
        ``estimate`` (raw alpha), ``std_error``, ``ci_low``, ``ci_high``,
        ``std_alpha``, ``average_r``; ``item_dropped`` has, per item, alpha,
        standardized alpha and average r without it, and the item–rest
        (``r_drop``) and corrected item–total (``r_cor``) correlations.

    Raises
    ------
    ColumnNotFoundError
        An item is not a column.
    InvalidDataError
        Non-numeric or constant items, bad weights, missing values with
        ``nan_policy='raise'``.
    InsufficientDataError
        No more complete rows than items.
    InvalidParameterError
        Fewer than two items, an item listed twice, a bad argument.

    See Also
    --------
    omega : McDonald's omega (does not assume equal loadings).
    reliability : composite reliability and AVE from a CFA.

    Notes
    -----
    With item covariance matrix :math:`C` (k items),
    :math:`\alpha = \frac{k}{k-1}\bigl(1 - \operatorname{tr}C/\mathbf 1^\top
    C\mathbf 1\bigr)`; standardized alpha uses the correlation matrix. The
    asymptotic variance (van Zyl, Neudecker & Nel 2000; Duhachek & Iacobucci
    2004) is

    .. math::

        \frac{2k^2}{(k-1)^2 (\mathbf 1^\top C\mathbf 1)^3 n}\Bigl[
        \mathbf 1^\top C\mathbf 1\,(\operatorname{tr}C^2 + (\operatorname{tr}C)^2)
        - 2\operatorname{tr}C\;\mathbf 1^\top C^2\mathbf 1\Bigr].

    Feldt's interval is :math:`[1 - (1-\alpha)F_{1-a/2},\; 1 - (1-\alpha)
    F_{a/2}]` with :math:`F(n-1, (n-1)(k-1))`. ``r_cor`` is psych's item–whole
    correlation corrected for item overlap: the item's row sum of the
    correlation matrix with squared multiple correlations on the diagonal,
    divided by the square root of that matrix's total.

    Validation: alpha, standardized alpha, average r, the asymptotic SE, the
    Feldt limits, alpha if dropped, ``r_drop`` and ``r_cor`` match R
    ``psych::alpha`` 2.2.9 to 1e-10 (``tests/reference/data/sem_measurement.json``).

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure
       of tests. Psychometrika, 16(3), 297–334. https://doi.org/10.1007/BF02310555
    .. [2] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical
       inference for coefficient alpha. Applied Psychological Measurement, 11(1),
       93–103. https://doi.org/10.1177/014662168701100107
    .. [3] Duhachek, A., & Iacobucci, D. (2004). Alpha's standard error (ASE).
       Journal of Applied Psychology, 89(5), 792–808.
       https://doi.org/10.1037/0021-9010.89.5.792

    Examples
    --------
    >>> from cxmetrics.datasets._acsi import load_acsi_survey
    >>> from cxmetrics.measurement import cronbach_alpha
    >>> survey = load_acsi_survey()
    >>> result = cronbach_alpha(
    ...     survey, ["satisfaction_1", "satisfaction_2", "satisfaction_3"]
    ... )
    >>> result
    AlphaResult(alpha=0.884, 95% CI [0.878, 0.891], items=3, n=4000,
                method='feldt')
    >>> result.item_dropped[["item", "alpha_if_dropped"]].round(3)
                 item  alpha_if_dropped
    0  satisfaction_1             0.804
    1  satisfaction_2             0.844
    2  satisfaction_3             0.860
    >>> result.confidence_interval(method="duhachek")
    ConfidenceInterval(95% [0.8782, 0.8907], method='duhachek')
    """
    names = list(items)
    cov, n, n_omitted, n_eff = _covariance(
        data, names, weights=weights, nan_policy=nan_policy, argument="items"
    )
    k = len(names)
    n_used = n if weights is None else n_eff
    # psych works with the n-1 covariance; alpha and its SE formula are scale-free
    # except for the 1/n, so use the unbiased covariance for the SE
    cov_u = cov * n / (n - 1)
    alpha = _alpha(cov_u)
    se = _alpha_se(cov_u, n_used)
    low, high = est.alpha_interval(
        alpha, se, k, round(n_used), confidence_level, method
    )
    corr = _correlation(cov)
    average_r = float((corr.sum() - k) / (k * (k - 1)))
    std_alpha = _alpha(corr)
    rows = []
    smc = _smc(corr)
    adjusted = corr.copy()
    np.fill_diagonal(adjusted, smc)
    total = float(adjusted.sum())
    r_cor = adjusted.sum(axis=1) / np.sqrt(total) if total > 0 else np.full(k, np.nan)
    for i, item in enumerate(names):
        keep = [j for j in range(k) if j != i]
        sub = cov_u[np.ix_(keep, keep)]
        sub_r = corr[np.ix_(keep, keep)]
        rest = cov_u[i, keep].sum()
        var_rest = sub.sum()
        m = len(keep)
        rows.append(
            {
                "item": item,
                "alpha_if_dropped": _alpha(sub) if m > 1 else np.nan,
                "std_alpha_if_dropped": _alpha(sub_r) if m > 1 else np.nan,
                "average_r_if_dropped": float((sub_r.sum() - m) / (m * (m - 1)))
                if m > 1
                else np.nan,
                "r_drop": float(rest / np.sqrt(cov_u[i, i] * var_rest)),
                "r_cor": float(r_cor[i]),
            }
        )
    table = pd.DataFrame(
        [
            {
                "estimate": alpha,
                "std_error": se,
                "ci_low": low,
                "ci_high": high,
                "std_alpha": std_alpha,
                "average_r": average_r,
                "n_items": k,
                "n": n,
                "n_eff": n_eff,
            }
        ]
    )
    if alpha < 0:
        warn(
            f"Alpha is negative ({alpha:.3f}): some items correlate negatively with "
            "the others. Hint: reverse-code negatively worded items.",
            DegenerateDataWarning,
        )
    return AlphaResult(
        table=table,
        items=tuple(names),
        method=method,
        confidence_level=confidence_level,
        n=n,
        n_omitted=n_omitted,
        item_dropped=pd.DataFrame(rows),
        covariance=cov_u,
        call=_call(
            "cronbach_alpha",
            items=names,
            weights=weights,
            confidence_level=confidence_level,
            method=method,
            nan_policy=nan_policy,
        ),
        versions=provenance_versions(),
    )


def _smc(corr: FloatArray) -> FloatArray:
    try:
        return np.asarray(1.0 - 1.0 / np.diag(np.linalg.inv(corr)))
    except np.linalg.LinAlgError:
        return np.full(corr.shape[0], np.nan)


# --- reliability and validity from a CFA -----------------------------------------


def _construct_items(constructs: Mapping[str, Any]) -> dict[str, list[str]]:
    out = {}
    seen: dict[str, str] = {}
    for name, items in constructs.items():
        names = [items] if isinstance(items, str) else list(items)
        for item in names:
            if item in seen:
                raise InvalidParameterError(
                    f"Item {item!r} is listed for both {seen[item]!r} and {name!r}; "
                    "each item measures one construct."
                )
            seen[item] = name
        out[str(name)] = names
    return out


@validate_params(
    {
        "constructs": _Constructs(),
        "weights": ColumnNames(many=False),
        "nan_policy": Options(("omit", "raise")),
    }
)
def reliability(
    data: Any,
    constructs: Mapping[str, Sequence[str]],
    *,
    weights: str | None = None,
    nan_policy: Literal["omit", "raise"] = "omit",
) -> ReliabilityResult:
    r"""Reliability and validity of constructs from a confirmatory factor analysis.

    Fits the CFA in which each construct is measured by its items and all
    constructs covary (lavaan ``cfa()`` defaults), then reports per construct
    Cronbach's alpha, composite reliability (omega), average variance extracted,
    the Fornell–Larcker criterion and HTMT.

    Parameters
    ----------
    data : DataFrame-like
        One row per respondent.
    constructs : mapping of str to list of str
        Construct → its item columns.
    weights : str, optional
        Sampling weights (weighted covariance matrix; needs a pandas frame).
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Listwise deletion (counted) or raise.

    Returns
    -------
    ReliabilityResult
        One row per construct: ``n_items``, ``alpha``, ``omega``, ``ave``,
        ``sqrt_ave``, ``max_correlation``, ``fornell_larcker`` (√AVE above every
        correlation with another construct), ``max_htmt``; the attributes
        ``fornell_larcker`` and ``htmt`` hold the square tables.

    Raises
    ------
    ColumnNotFoundError, InvalidDataError, InsufficientDataError, ConvergenceError
        As :meth:`cxmetrics.sem.DriverSEM.fit`.
    InvalidParameterError
        An item listed for two constructs, a bad argument.

    See Also
    --------
    cxmetrics.sem.DriverSEM.fit : the CFA (or any SEM) whose
        :meth:`~cxmetrics.results.sem.SEMResult.reliability` this returns.
    htmt : HTMT alone, without fitting a model.

    Notes
    -----
    With unstandardized loadings :math:`\lambda_i`, factor variance :math:`\psi`
    and the observed covariance matrix :math:`S` of the construct's items,

    .. math::

        \omega = \frac{(\sum_i\lambda_i)^2\psi}{\mathbf 1^\top S\mathbf 1},
        \qquad AVE = \frac{\sum_i\lambda_i^2\psi}{\sum_i s_{ii}},

    semTools' ``compRelSEM(obs.var = TRUE)`` and ``AVE(obs.var = TRUE)``
    (Raykov 1997; Fornell & Larcker 1981). The Fornell–Larcker criterion asks
    √AVE to exceed every latent correlation of the construct; HTMT (Henseler,
    Ringle & Sarstedt 2015) below 0.85 (strict) or 0.90 signals discriminant
    validity.

    Validation: omega, AVE and HTMT match R semTools 0.5-6 (on lavaan 0.6-14
    fits) for HolzingerSwineford1939 and the bundled ACSI survey to rtol 1e-5
    (``tests/reference/data/sem_measurement.json``).

    References
    ----------
    .. [1] Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation
       models with unobservable variables and measurement error. Journal of
       Marketing Research, 18(1), 39–50. https://doi.org/10.1177/002224378101800104
    .. [2] Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for
       assessing discriminant validity in variance-based structural equation
       modeling. Journal of the Academy of Marketing Science, 43(1), 115–135.
       https://doi.org/10.1007/s11747-014-0403-8
    .. [3] Raykov, T. (1997). Estimation of composite reliability for congeneric
       measures. Applied Psychological Measurement, 21(2), 173–184.

    Examples
    --------
    >>> from cxmetrics.datasets._acsi import load_acsi_survey
    >>> from cxmetrics.measurement import reliability
    >>> result = reliability(load_acsi_survey(), {
    ...     "quality": ["quality_1", "quality_2", "quality_3"],
    ...     "value": ["value_1", "value_2"],
    ...     "satisfaction": ["satisfaction_1", "satisfaction_2", "satisfaction_3"],
    ... })
    >>> result.to_frame()[["construct", "alpha", "omega", "ave", "max_htmt"]].round(3)
          construct  alpha  omega    ave  max_htmt
    0       quality  0.869  0.870  0.692     0.702
    1         value  0.829  0.829  0.707     0.645
    2  satisfaction  0.883  0.884  0.718     0.702
    """
    blocks = _construct_items(constructs)
    lines = [f"{name} =~ {' + '.join(items)}" for name, items in blocks.items()]
    model = DriverSEM("\n".join(lines))
    fitted = model.fit(
        data,
        weights=weights,
        se="robust" if weights is not None else "standard",
        nan_policy=nan_policy,
    )
    out = fitted.reliability()
    return ReliabilityResult(
        table=out.table,
        fornell_larcker=out.fornell_larcker,
        htmt=out.htmt,
        call=_call(
            "reliability", constructs=blocks, weights=weights, nan_policy=nan_policy
        ),
        versions=provenance_versions(),
    )


@validate_params(
    {
        "constructs": _Constructs(minimum=2),
        "means": Options(("geometric", "arithmetic")),
        "weights": ColumnNames(many=False),
        "nan_policy": Options(("omit", "raise")),
    }
)
def htmt(
    data: Any,
    constructs: Mapping[str, Sequence[str]],
    *,
    means: Literal["geometric", "arithmetic"] = "geometric",
    weights: str | None = None,
    nan_policy: Literal["omit", "raise"] = "omit",
) -> HTMTResult:
    r"""Heterotrait–monotrait ratio of correlations for every pair of constructs.

    Parameters
    ----------
    data : DataFrame-like
        One row per respondent (only the correlation matrix comes back).
    constructs : mapping of str to list of str
        At least two constructs → their item columns.
    means : {'geometric', 'arithmetic'}, default: 'geometric'
        Average the correlations by geometric means (HTMT2, Roemer, Schuberth &
        Henseler 2021; semTools' default, consistent for congeneric items) or
        arithmetic means (the original HTMT of Henseler et al. 2015).
    weights : str, optional
        Sampling weights (weighted correlations).
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Listwise deletion over all items (counted) or raise.

    Returns
    -------
    HTMTResult
        ``to_frame()``: ``construct_a``, ``construct_b``, ``htmt``,
        ``above_085``, ``above_090``; :attr:`~HTMTResult.matrix` the square table.

    Raises
    ------
    ColumnNotFoundError, InvalidDataError, InsufficientDataError
        As :func:`cronbach_alpha`.
    InvalidParameterError
        Fewer than two constructs, an item listed twice.

    Notes
    -----
    .. math::

        HTMT_{ab} = \frac{\overline{|r_{ij}|}_{i\in a, j\in b}}
        {\sqrt{\overline{|r_{ij}|}_{i<j\in a}\;\overline{|r_{ij}|}_{i<j\in b}}},

    (means of absolute correlations, geometric or arithmetic); undefined (NaN)
    for a single-item construct. Validation: matches R ``semTools::htmt`` 0.5-6
    with ``htmt2 = TRUE`` and ``FALSE`` to 1e-10
    (``tests/reference/data/sem_measurement.json``).

    References
    ----------
    .. [1] Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for
       assessing discriminant validity in variance-based structural equation
       modeling. Journal of the Academy of Marketing Science, 43(1), 115–135.
    .. [2] Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 — an improved
       criterion for assessing discriminant validity in structural equation
       modeling. Industrial Management & Data Systems, 121(12), 2637–2650.
       https://doi.org/10.1108/IMDS-02-2021-0082

    Examples
    --------
    >>> from cxmetrics.datasets._acsi import load_acsi_survey
    >>> from cxmetrics.measurement import htmt
    >>> result = htmt(load_acsi_survey(), {
    ...     "quality": ["quality_1", "quality_2", "quality_3"],
    ...     "satisfaction": ["satisfaction_1", "satisfaction_2", "satisfaction_3"],
    ... })
    >>> result
    HTMTResult(2 constructs, max HTMT 0.699 (quality–satisfaction))
    """
    blocks = _construct_items(constructs)
    names = [item for items in blocks.values() for item in items]
    cov, _, _, _ = _covariance(
        data, names, weights=weights, nan_policy=nan_policy, argument="constructs"
    )
    index = {item: i for i, item in enumerate(names)}
    matrix = htmt_matrix(
        cov,
        {c: [index[i] for i in items] for c, items in blocks.items()},
        geometric=means == "geometric",
    )
    labels = list(blocks)
    rows = []
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            value = float(matrix[i, j])
            rows.append(
                {
                    "construct_a": labels[i],
                    "construct_b": labels[j],
                    "htmt": value,
                    "above_085": bool(value > 0.85),
                    "above_090": bool(value > 0.90),
                }
            )
    return HTMTResult(
        table=pd.DataFrame(rows),
        matrix=pd.DataFrame(matrix, index=labels, columns=labels),
        call=_call(
            "htmt",
            constructs=blocks,
            means=means,
            weights=weights,
            nan_policy=nan_policy,
        ),
        versions=provenance_versions(),
    )


# --- exploratory factor analysis -------------------------------------------------


def _efa_solution(
    corr: FloatArray, n_factors: int, method: str, rotation: str | None
) -> tuple[FloatArray, FloatArray | None, factor_engine.Extraction]:
    extraction = factor_engine.extract(corr, n_factors, method)
    loadings = extraction.loadings
    phi = None
    if rotation is not None and n_factors > 1:
        loadings, phi, _ = factor_engine.rotate(loadings, rotation)
    loadings, phi = factor_engine.order_factors(loadings, phi)
    return loadings, phi, extraction


@validate_params(
    {
        "items": _ItemList(minimum=3),
        "n_factors": Interval("integral", 1, None),
        "method": Options(("minres", "ml")),
        "rotation": Options(("oblimin", "varimax", "promax"), none_ok=True),
        "weights": ColumnNames(many=False),
        "nan_policy": Options(("omit", "raise")),
    }
)
def efa(
    data: Any,
    items: Sequence[str],
    n_factors: int,
    *,
    method: Literal["minres", "ml"] = "minres",
    rotation: Literal["oblimin", "varimax", "promax"] | None = "oblimin",
    weights: str | None = None,
    nan_policy: Literal["omit", "raise"] = "omit",
) -> EFAResult:
    r"""Exploratory factor analysis, as R ``psych::fa``.

    Parameters
    ----------
    data : DataFrame-like
        One row per respondent (only the correlation matrix comes back).
    items : list of str
        At least three item columns.
    n_factors : int
        Number of factors to extract.
    method : {'minres', 'ml'}, default: 'minres'
        Minimum residual (unweighted least squares) or maximum likelihood.
    rotation : {'oblimin', 'varimax', 'promax'} or None, default: 'oblimin'
        Rotation (psych's default is oblimin); ``None`` keeps the unrotated
        solution. Rotations need the ``sem`` extra (factor_analyzer).
    weights : str, optional
        Sampling weights (weighted correlation matrix).
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Listwise deletion (counted) or raise.

    Returns
    -------
    EFAResult
        ``to_frame()``: per item the loadings ``F1`` … (pattern loadings for
        oblique rotations), ``communality``, ``uniqueness``, ``complexity``;
        ``variance`` (SS loadings, proportion, cumulative), ``phi`` (factor
        correlations), ``kmo``, ``kmo_items``, ``bartlett``.

    Raises
    ------
    ColumnNotFoundError, InvalidDataError, InsufficientDataError
        As :func:`cronbach_alpha`; also a singular correlation matrix.
    InvalidParameterError
        More factors than the data identify (degrees of freedom below zero),
        fewer than three items, a bad argument.
    MissingDependencyError
        A rotation without factor_analyzer installed.

    Warns
    -----
    DegenerateDataWarning
        A Heywood case (a communality of 1 or more; flagged in ``heywood``).
    ConvergenceWarning
        The extraction stopped before convergence.

    Notes
    -----
    Extraction is our code (factor_analyzer 0.5.1's ``FactorAnalyzer.fit``
    fails on scikit-learn ≥ 1.8). ``minres`` minimises
    :math:`\sum_{i<j}(r_{ij} - \lambda_i^\top\lambda_j)^2` over the uniquenesses
    (loadings from the leading eigenvectors of :math:`R - \Psi`); ``ml``
    minimises :math:`\log|\Lambda\Lambda^\top+\Psi| + \operatorname{tr}(R
    (\Lambda\Lambda^\top+\Psi)^{-1})`; uniquenesses are bounded to [0.005, 1]
    as in psych. Rotations are factor_analyzer's ``Rotator``: varimax and
    promax (power 4) with Kaiser normalization, oblimin (γ = 0) without, each
    stopped at the same relative tolerance as psych (1e-5). As psych, factors
    are ordered by the variance they explain (for oblique rotations
    :math:`\operatorname{diag}(\Phi\Lambda^\top\Lambda)`) and signed so that
    each column sums to a positive number. KMO and Bartlett's
    :math:`\chi^2 = -(n-1-(2p+5)/6)\log|R|` on :math:`p(p-1)/2` df.

    Validation: loadings, communalities, uniquenesses and Φ match R
    ``psych::fa`` 2.2.9 (with GPArotation 2022.10-2) for minres and ml ×
    none, varimax, oblimin and promax to 1e-4 absolute; KMO and Bartlett's
    test match ``psych::KMO`` and ``psych::cortest.bartlett`` to 1e-10
    (``tests/reference/data/sem_measurement.json``).

    References
    ----------
    .. [1] Revelle, W. (2022). psych: Procedures for Psychological,
       Psychometric, and Personality Research (version 2.2.9). R package.
    .. [2] Jöreskog, K. G. (1967). Some contributions to maximum likelihood
       factor analysis. Psychometrika, 32(4), 443–482.
       https://doi.org/10.1007/BF02289658
    .. [3] Kaiser, H. F. (1974). An index of factorial simplicity.
       Psychometrika, 39(1), 31–36. https://doi.org/10.1007/BF02291575

    Examples
    --------
    >>> from cxmetrics.datasets._acsi import load_acsi_survey
    >>> from cxmetrics.measurement import efa
    >>> items = ["quality_1", "quality_2", "quality_3",
    ...          "satisfaction_1", "satisfaction_2", "satisfaction_3"]
    >>> result = efa(load_acsi_survey(), items, 2, rotation="oblimin")
    >>> result
    EFAResult(2 factors, method='minres', rotation='oblimin', items=6, n=3946,
              variance explained=70.5%, KMO=0.855)
    >>> result.to_frame()[["item", "communality"]].round(2)
                 item  communality
    0       quality_1         0.78
    1       quality_2         0.60
    2       quality_3         0.68
    3  satisfaction_1         0.82
    4  satisfaction_2         0.69
    5  satisfaction_3         0.65
    >>> result.phi.round(2)
          F1    F2
    F1  1.00  0.70
    F2  0.70  1.00
    """
    names = list(items)
    cov, n, n_omitted, _ = _covariance(
        data, names, weights=weights, nan_policy=nan_policy, argument="items"
    )
    corr = _correlation(cov)
    _check_pd(corr, names)
    p = len(names)
    dof = ((p - n_factors) ** 2 - (p + n_factors)) / 2
    if n_factors >= p or dof < 0:
        raise InvalidParameterError(
            f"`n_factors` = {n_factors} is too many for {p} items: the factor model "
            f"has {dof:g} degrees of freedom. Hint: extract fewer factors "
            "(see parallel_analysis) or add items."
        )
    loadings, phi, extraction = _efa_solution(corr, n_factors, method, rotation)
    if not extraction.converged:
        warn(
            f"The {method} extraction did not converge in {extraction.iterations} "
            "iterations; the solution is flagged. Hint: extract fewer factors.",
            ConvergenceWarning,
        )
    if phi is None:
        communality = np.sum(loadings**2, axis=1)
    else:
        communality = np.einsum("ik,kl,il->i", loadings, phi, loadings)
    # the uniquenesses are bounded below by 0.005 (as in psych): an item at the
    # bound is a Heywood case (its unique variance would be zero or negative)
    at_bound = extraction.uniquenesses <= 0.005 + 1e-6
    heywood = tuple(names[i] for i in np.flatnonzero(at_bound | (communality >= 1)))
    if heywood:
        warn(
            f"Heywood case: the communality of {list(heywood)} reaches 1 (no unique "
            "variance; held at uniqueness 0.005). Hint: extract fewer factors, or "
            "check for near-duplicate items.",
            DegenerateDataWarning,
        )
    k = n_factors
    squared = loadings**2
    with np.errstate(divide="ignore", invalid="ignore"):
        complexity = squared.sum(axis=1) ** 2 / np.sum(squared**2, axis=1)
    table = pd.DataFrame({"item": names})
    for j in range(k):
        table[f"F{j + 1}"] = loadings[:, j]
    table["communality"] = communality
    table["uniqueness"] = 1.0 - communality
    table["complexity"] = complexity
    ss = (
        np.sum(squared, axis=0) if phi is None else np.diag(phi @ loadings.T @ loadings)
    )
    variance = pd.DataFrame(
        {
            "factor": [f"F{j + 1}" for j in range(k)],
            "ss_loadings": ss,
            "proportion": ss / p,
            "cumulative": np.cumsum(ss) / p,
        }
    )
    overall, per_item = factor_engine.kmo(corr)
    statistic, df, p_value = factor_engine.bartlett_sphericity(corr, n)
    labels = [f"F{j + 1}" for j in range(k)]
    return EFAResult(
        table=table,
        items=tuple(names),
        n_factors=k,
        method=method,
        rotation=rotation if k > 1 else None,
        n=n,
        n_omitted=n_omitted,
        variance=variance,
        phi=None if phi is None else pd.DataFrame(phi, index=labels, columns=labels),
        kmo=overall,
        kmo_items=pd.Series(per_item, index=names, name="msa"),
        bartlett={"statistic": statistic, "df": df, "p_value": p_value},
        objective=extraction.objective,
        iterations=extraction.iterations,
        heywood=heywood,
        eigenvalues=extraction.values,
        call=_call(
            "efa",
            items=names,
            n_factors=n_factors,
            method=method,
            rotation=rotation,
            weights=weights,
            nan_policy=nan_policy,
        ),
        versions=provenance_versions("factor_analyzer"),
    )


@validate_params(
    {
        "items": _ItemList(minimum=3),
        "n_resamples": Interval("integral", 2, None),
        "quantile": Interval("real", 0, 1, closed="neither"),
        "method": Options(("minres", "ml")),
        "rng": Seed(),
        "nan_policy": Options(("omit", "raise")),
    }
)
def parallel_analysis(
    data: Any,
    items: Sequence[str],
    *,
    n_resamples: int = 20,
    quantile: float = 0.95,
    method: Literal["minres", "ml"] = "minres",
    rng: int | np.random.Generator | None = None,
    nan_policy: Literal["omit", "raise"] = "omit",
) -> ParallelAnalysisResult:
    r"""Horn's parallel analysis: how many factors and components to keep.

    Parameters
    ----------
    data : DataFrame-like
        One row per respondent (only the correlation matrix and n come back).
    items : list of str
        At least three item columns.
    n_resamples : int, default: 20
        Random normal data sets of the same size (psych's ``n.iter``).
    quantile : float, default: 0.95
        Quantile of the simulated eigenvalues the observed ones must exceed.
    method : {'minres', 'ml'}, default: 'minres'
        Extraction whose eigenvalues are compared (psych's ``fm``).
    rng : int or numpy.random.Generator, optional
        Seed of the simulation.
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Listwise deletion (counted) or raise.

    Returns
    -------
    ParallelAnalysisResult
        ``n_factors`` and ``n_components`` suggested; ``to_frame()`` has the
        observed and simulated eigenvalues per position.

    Raises
    ------
    ColumnNotFoundError, InvalidDataError, InsufficientDataError
        As :func:`cronbach_alpha`.

    Notes
    -----
    Factor eigenvalues are those of the reduced correlation matrix
    :math:`R - \Psi` of a one-factor solution (psych ``fa.parallel``'s
    ``fa.values``); component eigenvalues those of :math:`R`. The suggestion
    keeps the leading factors (components) whose observed eigenvalue exceeds the
    ``quantile`` of the simulated ones (Glorfeld 1995). The simulation draws
    normal data only (psych also resamples the data), so results agree with
    psych in the suggested number, not in the simulated values.

    Validation: suggests the same numbers of factors and components as R
    ``psych::fa.parallel`` 2.2.9 on HolzingerSwineford1939 (3, 3) and the ACSI
    items (5, 3).

    References
    ----------
    .. [1] Horn, J. L. (1965). A rationale and test for the number of factors in
       factor analysis. Psychometrika, 30(2), 179–185.
       https://doi.org/10.1007/BF02289447
    .. [2] Glorfeld, L. W. (1995). An improvement on Horn's parallel analysis
       methodology for selecting the correct number of factors to retain.
       Educational and Psychological Measurement, 55(3), 377–393.

    Examples
    --------
    >>> from cxmetrics.datasets._acsi import ACSI_CONSTRUCTS, load_acsi_survey
    >>> from cxmetrics.measurement import parallel_analysis
    >>> items = [*ACSI_CONSTRUCTS["quality"], *ACSI_CONSTRUCTS["satisfaction"]]
    >>> parallel_analysis(load_acsi_survey(), items, rng=1)
    ParallelAnalysisResult(n_factors=2, n_components=1, n_resamples=20)
    """
    names = list(items)
    cov, n, _, _ = _covariance(
        data, names, weights=None, nan_policy=nan_policy, argument="items"
    )
    corr = _correlation(cov)
    _check_pd(corr, names)
    p = len(names)
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    observed_fa = factor_engine.extract(corr, 1, method).values
    observed_pc = np.sort(np.linalg.eigvalsh(corr))[::-1]
    sim_fa = np.empty((n_resamples, p))
    sim_pc = np.empty((n_resamples, p))
    for b in range(n_resamples):
        x = gen.standard_normal((n, p))
        r = np.asarray(np.corrcoef(x, rowvar=False), dtype=np.float64)
        sim_pc[b] = np.sort(np.linalg.eigvalsh(r))[::-1]
        sim_fa[b] = factor_engine.extract(r, 1, method).values
    fa_q = np.quantile(sim_fa, quantile, axis=0)
    pc_q = np.quantile(sim_pc, quantile, axis=0)

    def leading(observed: FloatArray, threshold: FloatArray) -> int:
        above = observed > threshold
        return int(np.argmin(above)) if not above.all() else len(above)

    table = pd.DataFrame(
        {
            "position": np.arange(1, p + 1),
            "fa_observed": observed_fa,
            "fa_simulated_mean": sim_fa.mean(axis=0),
            "fa_simulated_quantile": fa_q,
            "pc_observed": observed_pc,
            "pc_simulated_mean": sim_pc.mean(axis=0),
            "pc_simulated_quantile": pc_q,
        }
    )
    return ParallelAnalysisResult(
        table=table,
        n_factors=leading(observed_fa, fa_q),
        n_components=leading(observed_pc, pc_q),
        n_resamples=n_resamples,
        quantile=quantile,
        call=_call(
            "parallel_analysis",
            items=names,
            n_resamples=n_resamples,
            quantile=quantile,
            method=method,
            rng=rng,
        ),
        versions=provenance_versions(),
    )


@validate_params(
    {
        "items": _ItemList(minimum=3),
        "n_factors": Interval("integral", 2, None),
        "weights": ColumnNames(many=False),
        "nan_policy": Options(("omit", "raise")),
    }
)
def omega(
    data: Any,
    items: Sequence[str],
    n_factors: int = 3,
    *,
    weights: str | None = None,
    nan_policy: Literal["omit", "raise"] = "omit",
) -> OmegaResult:
    r"""McDonald's omega hierarchical and total, as R ``psych::omega``.

    An oblimin-rotated minres solution with ``n_factors`` group factors is
    transformed to a bifactor (Schmid–Leiman) solution; omega hierarchical is the
    share of the total score variance due to the general factor, omega total the
    share due to all common factors.

    Parameters
    ----------
    data : DataFrame-like
        One row per respondent (only the correlation matrix comes back).
    items : list of str
        At least three item columns.
    n_factors : int, default: 3
        Number of group factors (at least 2; with 2 the general factor loads
        equally on both, psych's ``option = "equal"``).
    weights : str, optional
        Sampling weights (weighted correlations).
    nan_policy : {'omit', 'raise'}, default: 'omit'
        Listwise deletion (counted) or raise.

    Returns
    -------
    OmegaResult
        ``omega_hierarchical``, ``omega_total`` and standardized ``alpha``;
        ``loadings``: the Schmid–Leiman loadings (``g``, group factors,
        ``communality``, ``uniqueness``).

    Raises
    ------
    ColumnNotFoundError, InvalidDataError, InsufficientDataError
        As :func:`cronbach_alpha`.
    InvalidParameterError
        Too many factors for the items.
    MissingDependencyError
        factor_analyzer (the oblimin rotation) is not installed.

    Notes
    -----
    With pattern loadings :math:`L` and factor correlations :math:`\Phi`, the
    general factor's loadings on the group factors :math:`\gamma` come from a
    one-factor minres solution of :math:`\Phi`; then :math:`g = L\gamma`, the
    group loadings are :math:`L\,\operatorname{diag}(\sqrt{1-\gamma^2})`, and
    with :math:`V_t = \mathbf 1^\top R\mathbf 1`,

    .. math::

        \omega_h = \frac{(\sum_i g_i)^2}{V_t}, \qquad
        \omega_t = 1 - \frac{\sum_i u_i^2}{V_t}.

    Validation: omega hierarchical, omega total, alpha and the general-factor
    loadings match R ``psych::omega`` 2.2.9 to 1e-4 on HolzingerSwineford1939
    and the ACSI items (``tests/reference/data/sem_measurement.json``).

    References
    ----------
    .. [1] McDonald, R. P. (1999). Test Theory: A Unified Treatment. Erlbaum.
    .. [2] Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's α,
       Revelle's β, and McDonald's ω_H. Psychometrika, 70(1), 123–133.
       https://doi.org/10.1007/s11336-003-0974-7

    Examples
    --------
    >>> from cxmetrics.datasets._acsi import load_acsi_survey
    >>> from cxmetrics.measurement import omega
    >>> items = ["expect_1", "expect_2", "expect_3", "quality_1", "quality_2",
    ...          "quality_3", "satisfaction_1", "satisfaction_2", "satisfaction_3"]
    >>> omega(load_acsi_survey(), items, n_factors=3)
    OmegaResult(omega_h=0.753, omega_total=0.923, alpha=0.876, n_factors=3)
    """
    names = list(items)
    cov, _, _, _ = _covariance(
        data, names, weights=weights, nan_policy=nan_policy, argument="items"
    )
    corr = _correlation(cov)
    _check_pd(corr, names)
    p = len(names)
    dof = ((p - n_factors) ** 2 - (p + n_factors)) / 2
    if n_factors >= p or dof < 0:
        raise InvalidParameterError(
            f"`n_factors` = {n_factors} is too many for {p} items (the factor model "
            f"has {dof:g} degrees of freedom). Hint: use fewer factors."
        )
    loadings, phi, _ = _efa_solution(corr, n_factors, "minres", "oblimin")
    assert phi is not None
    if n_factors == 2:
        gamma = np.full(2, np.sqrt(max(phi[0, 1], 0.0)))
    else:
        gamma = factor_engine.extract(np.asarray(phi), 1, "minres").loadings[:, 0]
    g = loadings @ gamma
    group = loadings * np.sqrt(np.clip(1.0 - gamma**2, 0.0, None))
    communality = g**2 + np.sum(group**2, axis=1)
    uniqueness = 1.0 - communality
    total = float(corr.sum())
    omega_h = float(np.sum(np.abs(g)) ** 2 / total)
    omega_t = float(1.0 - uniqueness.sum() / total)
    alpha = _alpha(corr)
    frame = pd.DataFrame({"item": names, "g": g})
    for j in range(n_factors):
        frame[f"F{j + 1}"] = group[:, j]
    frame["communality"] = communality
    frame["uniqueness"] = uniqueness
    return OmegaResult(
        table=pd.DataFrame(
            [
                {
                    "omega_hierarchical": omega_h,
                    "omega_total": omega_t,
                    "alpha": alpha,
                    "n_items": p,
                }
            ]
        ),
        items=tuple(names),
        n_factors=n_factors,
        loadings=frame,
        call=_call(
            "omega",
            items=names,
            n_factors=n_factors,
            weights=weights,
            nan_policy=nan_policy,
        ),
        versions=provenance_versions("factor_analyzer"),
    )
