r"""Structural equation models of customer satisfaction: ACSI, ECSI or your own.

A structural equation model (SEM) holds latent constructs (expectations, perceived
quality, value, satisfaction, loyalty), each measured by several survey items, and
the paths between them in one model with measurement error. :class:`DriverSEM`
takes a model in lavaan syntax; :func:`acsi_model` and :func:`ecsi_model` write the
American and European customer satisfaction index models for your columns.
``DriverSEM(model).fit(data)`` returns an immutable :class:`~cxmetrics.results.sem.
SEMResult` with the parameter table, the standardized solution, R², fit indices,
direct / indirect / total effects, 0–100 indices and the importance–performance
map.

The estimates are lavaan's (``sem()``, ``likelihood = "normal"``): the model is
fitted to the (weighted) covariance matrix of the items, which is reduced where the
data live (:func:`cxmetrics.data.crossprod.reduce_crossprod`), by our own
Fisher-scoring and Newton iterations (:mod:`cxmetrics.estimators.sem`). Robust and
bootstrap standard errors need the rows in memory (a pandas frame).

Imports: _validation, _warnings, _engines, data, errors, estimators, results.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Literal

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from cxmetrics._engines.model_syntax import ParTable, build_partable, parse_model
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
from cxmetrics.data.crossprod import check_reduction, complete_rows, reduce_crossprod
from cxmetrics.data.native import as_narwhals
from cxmetrics.data.rows import in_memory_pandas
from cxmetrics.errors import (
    ConvergenceError,
    DegenerateDataWarning,
    InsufficientDataError,
    InvalidDataError,
    InvalidParameterError,
)
from cxmetrics.estimators import sem as est
from cxmetrics.results.base import provenance_versions
from cxmetrics.results.sem import SEMFitState, SEMResult

__all__ = ["DriverSEM", "acsi_model", "ecsi_model"]

FloatArray = NDArray[np.float64]
SEMethod = Literal["standard", "robust", "bootstrap"]
_OP_CODE = {"=~": est.LOADING, "~": est.REGRESSION, "~~": est.COVARIANCE}


class _ModelText(Constraint):
    description = "a string of lavaan model syntax"

    def is_satisfied_by(self, value: object) -> bool:
        return isinstance(value, str)

    def invalid_example(self) -> object:
        return 42


class _Items(Constraint):
    """A column name or a non-empty list of column names."""

    def __init__(self, none_ok: bool = False) -> None:
        self.none_ok = none_ok
        self.hint = None

    @property
    def description(self) -> str:  # type: ignore[override]
        text = "a column name or a non-empty list of column names"
        return text + " or None" if self.none_ok else text

    def is_satisfied_by(self, value: object) -> bool:
        if value is None:
            return self.none_ok
        return ColumnNames(many=True, none_ok=False).is_satisfied_by(value)

    def invalid_example(self) -> object:
        return 3


class _Jobs(Constraint):
    description = "a positive integer or -1 (all cores)"

    def is_satisfied_by(self, value: object) -> bool:
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and (value >= 1 or value == -1)
        )

    def invalid_example(self) -> object:
        return 0


# --- the model -------------------------------------------------------------------


class DriverSEM:
    """A structural equation model in lavaan syntax, ready to be fitted.

    The syntax is parsed (and checked) when the object is created; fitting
    several data sets reuses the parse.

    Parameters
    ----------
    model : str
        lavaan model syntax: ``=~`` (measured by), ``~`` (regressed on), ``~~``
        (covariance), modifiers (``0.5*x`` fixes, ``NA*x`` frees, ``a*x`` labels;
        a repeated label is an equality constraint), ``name := expression``
        (defined parameters, e.g. indirect effects), ``a == b``; comments after
        ``#``. lavaan's ``sem()`` defaults apply: the first loading of each
        latent variable is fixed to 1, residual variances are free, exogenous
        latent variables covary, and so do pure outcomes; a lone indicator has
        no residual variance; (co)variances of exogenous observed covariates are
        fixed at their sample values (``fixed.x``).

    Raises
    ------
    InvalidParameterError
        A syntax error (the message quotes the line with a caret), an unsupported
        feature (intercepts, thresholds, several groups), a duplicate statement or
        an unknown label in ``:=``.

    See Also
    --------
    acsi_model, ecsi_model : Templates of the customer satisfaction index models.

    Examples
    --------
    >>> from cxmetrics.sem import DriverSEM
    >>> model = DriverSEM('''
    ...     quality      =~ q1 + q2 + q3
    ...     satisfaction =~ s1 + s2 + s3
    ...     satisfaction ~ quality
    ... ''')
    >>> model
    DriverSEM(2 latent, 6 observed, 13 free parameters)
    >>> model.parameter_table().head(3)
           lhs  op rhs   free  value label
    0  quality  =~  q1  False    1.0
    1  quality  =~  q2   True    NaN
    2  quality  =~  q3   True    NaN
    """

    @validate_params({"model": _ModelText()})
    def __init__(self, model: str) -> None:
        self._text = model
        self._parsed = parse_model(model)
        self._table: ParTable = build_partable(self._parsed)
        _check_scaled(self._table)

    @property
    def model(self) -> str:
        """The model syntax."""
        return self._text

    @property
    def latent(self) -> tuple[str, ...]:
        """Latent variables, in order of definition."""
        return self._table.latent

    @property
    def observed(self) -> tuple[str, ...]:
        """Observed variables (the data columns the model needs)."""
        return self._table.observed

    @property
    def n_free(self) -> int:
        """Number of free parameters."""
        return self._table.n_free

    def parameter_table(self) -> pd.DataFrame:
        """Return the full parameter table with lavaan's defaults (before fitting).

        Returns
        -------
        pandas.DataFrame
            ``lhs``, ``op``, ``rhs``, ``free``, ``value`` (fixed value, NaN when
            free; NaN for fixed exogenous (co)variances, set at fit time),
            ``label``.
        """
        rows = self._table.rows
        return pd.DataFrame(
            {
                "lhs": [r.lhs for r in rows],
                "op": [r.op for r in rows],
                "rhs": [r.rhs for r in rows],
                "free": [r.free for r in rows],
                "value": [np.nan if (r.free or r.exo) else r.value for r in rows],
                "label": [r.label for r in rows],
            }
        )

    def __repr__(self) -> str:
        return (
            f"DriverSEM({len(self.latent)} latent, {len(self.observed)} observed, "
            f"{self.n_free} free parameters)"
        )

    @validate_params(
        {
            "weights": ColumnNames(many=False),
            "se": Options(("standard", "robust", "bootstrap"), none_ok=True),
            "confidence_level": CONFIDENCE_LEVEL,
            "n_resamples": Interval("integral", 2, None),
            "rng": Seed(),
            "nan_policy": Options(("omit", "raise")),
            "start": Options(("default", "simple", "semopy")),
            "max_iter": Interval("integral", 1, None),
            "n_jobs": _Jobs(),
        }
    )
    def fit(
        self,
        data: Any,
        *,
        weights: str | None = None,
        se: SEMethod | None = None,
        confidence_level: float = 0.95,
        n_resamples: int = 1000,
        rng: int | np.random.Generator | None = None,
        nan_policy: Literal["omit", "raise"] = "omit",
        start: Literal["default", "simple", "semopy"] = "default",
        max_iter: int = 500,
        n_jobs: int = 1,
    ) -> SEMResult:
        r"""Fit the model by maximum likelihood, as lavaan's ``sem()``.

        Parameters
        ----------
        data : DataFrame-like
            One row per respondent with the observed variables. Any table
            narwhals supports for ``se='standard'`` without weights (only the
            covariance matrix comes back); a pandas (or eager) frame otherwise.
        weights : str, optional
            Column of sampling weights: point estimates from the weighted
            covariance matrix, and robust or bootstrap standard errors, as lavaan
            with ``sampling.weights``.
        se : {'standard', 'robust', 'bootstrap'}, optional
            Standard errors: model-based from the expected information
            (default without weights), Huber–White sandwich with the observed
            information (default with weights; lavaan ``estimator = "MLR"``), or
            bootstrap (rows resampled, warm-started refits, percentile intervals).
        confidence_level : float, default: 0.95
            Level of every interval, in (0, 1).
        n_resamples : int, default: 1000
            Bootstrap resamples (``se='bootstrap'`` only).
        rng : int or numpy.random.Generator, optional
            Seed of the bootstrap; the same seed gives the same numbers whatever
            ``n_jobs``.
        nan_policy : {'omit', 'raise'}, default: 'omit'
            Rows with a missing value in a model variable are left out (listwise,
            counted; lavaan's default) or raise.
        start : {'default', 'simple', 'semopy'}, default: 'default'
            Starting values: per-factor principal axes and least squares
            (default), lavaan's "simple" values, or a semopy fit (``sem`` extra).
            If the default fails to converge, "simple" is tried before giving up.
        max_iter : int, default: 500
            Maximum number of iterations.
        n_jobs : int, default: 1
            Processes for the bootstrap (-1: all cores).

        Returns
        -------
        SEMResult
            ``.parameters`` (lavaan's parameterEstimates joined with the
            standardized solution), ``.fit_indices``, ``.r2``,
            ``.effects()``, ``.index_scores()``, ``.ipma()``,
            ``.reliability()``.

        Raises
        ------
        ColumnNotFoundError
            A variable of the model is not a column of ``data``.
        InvalidDataError
            Non-numeric or constant indicators, collinear items (singular
            covariance matrix), bad weights, missing values with
            ``nan_policy='raise'``.
        InsufficientDataError
            Fewer complete rows than observed variables + 1 or than free
            parameters.
        InvalidParameterError
            An unidentified model (negative degrees of freedom, a latent variable
            without a scale, or a singular information matrix), a bad argument.
        ConvergenceError
            The iterations did not converge (the message lists fixes).
        RowsRequiredError
            Robust or bootstrap SEs, or weights, on a lazy table.

        Warns
        -----
        DegenerateDataWarning
            A Heywood case: a negative variance estimate or a standardized
            loading or correlation beyond ±1 (flagged in ``heywood``).

        Notes
        -----
        The discrepancy is lavaan's ML fit function with divisor N,

        .. math::

            F = \log|\Sigma(\theta)| + \operatorname{tr}(S\Sigma(\theta)^{-1})
                - \log|S| - p,

        :math:`\chi^2 = N F_{min}`. Model-based standard errors use the expected
        information :math:`\tfrac N2\,\Delta^\top(\Sigma^{-1}\otimes\Sigma^{-1})
        \Delta`; robust ones the sandwich :math:`A^{-1}BA^{-1}` with :math:`A` the
        observed information and :math:`B = \sum_i (w_i s_i)(w_i s_i)^\top` from
        the casewise scores (weights scaled to sum to N). Standardized values are
        lavaan's ``std.all``; their standard errors, those of ``:=`` parameters
        and of effects come from the delta method with complex-step Jacobians.
        Fit indices follow lavaan's ``fitMeasures``: RMSEA
        :math:`\sqrt{\max(\chi^2-df,0)/(N\,df)}` (divisor N) with its 90%
        interval, CFI and TLI against the independence model, SRMR (Bentler),
        log-likelihood, AIC, BIC.

        Weights enter the covariance matrix :math:`S_w = \sum w_i (x_i-\bar
        x_w)(x_i-\bar x_w)^\top/\sum w_i`; the χ² and the fit indices of a
        weighted fit are the unscaled (normal-theory) ones.

        Validation: estimates, standard errors (standard and robust, weighted
        and unweighted), standardized solutions, R², defined parameters and fit
        indices match R lavaan 0.6-14 on PoliticalDemocracy, HolzingerSwineford1939
        and the bundled ACSI survey (``tests/reference/data/sem.json``; observed
        agreement is given in ``tests/reference/README.md``).

        References
        ----------
        .. [1] Rosseel, Y. (2012). lavaan: An R package for structural equation
           modeling. Journal of Statistical Software, 48(2), 1–36.
           https://doi.org/10.18637/jss.v048.i02
        .. [2] Bollen, K. A. (1989). Structural Equations with Latent Variables.
           Wiley.
        .. [3] Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., & Bryant,
           B. E. (1996). The American Customer Satisfaction Index: Nature,
           purpose, and findings. Journal of Marketing, 60(4), 7–18.
           https://doi.org/10.1177/002224299606000403

        Examples
        --------
        >>> from cxmetrics.datasets._acsi import load_acsi_survey
        >>> from cxmetrics.sem import DriverSEM
        >>> survey = load_acsi_survey()
        >>> result = DriverSEM('''
        ...     quality      =~ quality_1 + quality_2 + quality_3
        ...     value        =~ value_1 + value_2
        ...     satisfaction =~ satisfaction_1 + satisfaction_2 + satisfaction_3
        ...     value        ~ quality
        ...     satisfaction ~ quality + value
        ... ''').fit(survey)
        >>> result
        SEMResult(3 latent, 8 observed, n=3894, chisq=9.631, df=17, cfi=1.000,
                  rmsea=0.000, srmr=0.004, se='standard')
        >>> result.to_frame().loc[8, ["lhs", "op", "rhs", "estimate", "std_all"]]
        lhs            value
        op                 ~
        rhs          quality
        estimate    0.623897
        std_all     0.630033
        Name: 8, dtype: object
        >>> result.confidence_interval(0.90)
        ConfidenceInterval(90%, 22 groups, method='normal')
        """
        se_method: SEMethod = (
            se if se is not None else ("robust" if weights is not None else "standard")
        )
        if weights is not None and se_method == "standard":
            raise InvalidParameterError(
                "`se='standard'` ignores the sampling design; with `weights` use "
                "se='robust' (the default, as lavaan with sampling.weights) or "
                "se='bootstrap'."
            )
        return _fit(
            self,
            data,
            weights=weights,
            se=se_method,
            confidence_level=float(confidence_level),
            n_resamples=int(n_resamples),
            rng=rng,
            nan_policy=nan_policy,
            start=start,
            max_iter=int(max_iter),
            n_jobs=int(n_jobs),
        )


def _check_scaled(table: ParTable) -> None:
    """Every latent variable needs a scale: a fixed loading or a fixed variance."""
    for f in table.latent:
        fixed_loading = any(
            r.op == "=~" and r.lhs == f and not r.free and r.value != 0
            for r in table.rows
        )
        fixed_variance = any(
            r.op == "~~" and r.lhs == f and r.rhs == f and not r.free
            for r in table.rows
        )
        if not (fixed_loading or fixed_variance):
            raise InvalidParameterError(
                f"The model is not identified: latent variable {f!r} has no scale "
                "(every loading and its variance are free). Hint: fix one loading "
                f"(e.g. '{f} =~ 1*item + ...', the default when the first loading "
                f"has no modifier) or its variance ('{f} ~~ 1*{f}')."
            )


# --- fitting ---------------------------------------------------------------------


def _ram(table: ParTable, sample: FloatArray) -> est.RAMModel:
    variables = [*table.observed, *table.latent]
    index = {v: i for i, v in enumerate(variables)}
    rows = table.rows
    lhs = np.array([index[r.lhs] for r in rows], dtype=np.intp)
    rhs = np.array([index[r.rhs] for r in rows], dtype=np.intp)
    value = np.array([r.value for r in rows], dtype=np.float64)
    exo = np.array([r.exo for r in rows], dtype=bool)
    value[exo] = sample[lhs[exo], rhs[exo]]
    return est.RAMModel(
        variables=tuple(variables),
        n_observed=len(table.observed),
        op=np.array([_OP_CODE[r.op] for r in rows], dtype=np.intp),
        lhs=lhs,
        rhs=rhs,
        param=np.array([r.param for r in rows], dtype=np.intp),
        value=value,
        n_params=table.n_free,
    )


def _user_start(table: ParTable) -> FloatArray:
    out = np.full(table.n_free, np.nan)
    for row in table.rows:
        if row.free and row.start is not None:
            out[row.param] = row.start
    return out


def _reduce(
    data: Any,
    names: list[str],
    weights: str | None,
    nan_policy: str,
    need_rows: bool,
) -> tuple[Any, FloatArray, FloatArray, int, int, float, float, FloatArray | None, Any]:
    """Covariance (divisor Σw), means, counts and, when needed, the rows."""
    rows_frame = None
    if need_rows:
        rows_frame = in_memory_pandas(data, "Robust, bootstrap and weighted SEM fits")
        source: Any = rows_frame
    else:
        source = data
    reduction = reduce_crossprod(
        source, names, weights=weights, arguments=["model"] * len(names)
    )
    cp = reduction.stats
    check_reduction(
        reduction,
        weights=weights,
        nan_policy=nan_policy,
        variables="the model variables",
        listwise_note="listwise, as lavaan; they are counted",
    )
    missing = {k: v for k, v in reduction.missing.items() if v}
    if cp.n == 0:
        raise InsufficientDataError(
            f"No complete rows: every row misses a model variable (missing per "
            f"column: {missing})."
        )
    if weights is not None and cp.sum_w <= 0:
        raise InvalidDataError(f"Weight column {weights!r} sums to zero.")
    x = w = None
    if rows_frame is not None:
        x, w = complete_rows(rows_frame, names, weights=weights)
    return (
        cp,
        cp.covariance(),
        cp.mean,
        cp.n,
        cp.n_omitted,
        cp.sum_w,
        cp.n_eff,
        x,
        w,
    )


def _ranges(data: Any, names: list[str], x: FloatArray | None) -> tuple[Any, Any]:
    if x is not None:
        return x.min(axis=0), x.max(axis=0)
    if isinstance(data, pd.DataFrame):
        values = np.column_stack(
            [data[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in names]
        )
        values = values[np.isfinite(values).all(axis=1)]
        return values.min(axis=0), values.max(axis=0)
    frame = as_narwhals(data)
    complete = frame.drop_nulls(subset=names)
    row = complete.select(
        *[
            nw.col(c).cast(nw.Float64()).min().alias(f"min_{i}")
            for i, c in enumerate(names)
        ],
        *[
            nw.col(c).cast(nw.Float64()).max().alias(f"max_{i}")
            for i, c in enumerate(names)
        ],
    )
    if isinstance(row, nw.LazyFrame):
        row = row.collect()
    values = row.to_pandas().iloc[0]
    lo = np.array([float(values[f"min_{i}"]) for i in range(len(names))])
    hi = np.array([float(values[f"max_{i}"]) for i in range(len(names))])
    return lo, hi


def _check_sample(
    sample: FloatArray, names: list[str], n: int, table: ParTable
) -> None:
    var = np.diag(sample)
    scale = np.maximum(1.0, np.abs(var).max())
    constant = [names[i] for i in np.flatnonzero(var <= 1e-12 * scale)]
    if constant:
        raise InvalidDataError(
            f"Indicator(s) {constant} take a single value in the {n} complete rows, "
            "so they measure nothing. Hint: drop them from the model (or pool "
            "segments so that they vary)."
        )
    p = len(names)
    if n <= p:
        raise InsufficientDataError(
            f"{n} complete row(s) for {p} observed variables: the sample covariance "
            f"matrix is singular. An SEM needs more rows than variables (at least "
            f"{p + 1}), and in practice far more (10 per free parameter is a common "
            "rule)."
        )
    if n < table.n_free:
        raise InsufficientDataError(
            f"{n} complete row(s) for {table.n_free} free parameters. Hint: collect "
            "more responses or simplify the model (fewer items or paths)."
        )
    corr = sample / np.sqrt(np.outer(var, var))
    values = np.linalg.eigvalsh(corr)
    if values[0] < 1e-10 * values[-1]:
        vectors = np.linalg.eigh(corr)[1]
        involved = [names[i] for i in np.flatnonzero(np.abs(vectors[:, 0]) > 0.2)]
        raise InvalidDataError(
            "The covariance matrix of the items is singular: items "
            f"{involved} are linearly dependent (e.g. a duplicated item or a sum "
            "score next to its parts). Hint: remove one of them."
        )


def _check_identified(table: ParTable, p: int) -> None:
    nx = len(table.exogenous_x)
    moments = p * (p + 1) // 2 - nx * (nx + 1) // 2
    df = moments - table.n_free
    if df < 0:
        raise InvalidParameterError(
            f"The model is not identified: {table.n_free} free parameters but only "
            f"{moments} variances and covariances (df = {df}). Hint: fix or remove "
            "parameters (e.g. residual covariances), or add indicators."
        )


def _null_space_names(info: FloatArray, names: list[str]) -> list[str] | None:
    scale = np.sqrt(np.clip(np.diag(info), 1e-300, None))
    normed = info / np.outer(scale, scale)
    values = np.linalg.eigvalsh(normed)
    if values[0] > 1e-9 * max(values[-1], 1.0):
        return None
    vector = np.linalg.eigh(normed)[1][:, 0]
    return [names[i] for i in np.flatnonzero(np.abs(vector) > 0.1)]


def _param_names(table: ParTable) -> list[str]:
    names = [""] * table.n_free
    for row in table.rows:
        if row.free and not names[row.param]:
            names[row.param] = f"{row.lhs} {row.op} {row.rhs}"
    return names


def _starts(
    kind: str, table: ParTable, ram: est.RAMModel, sample: FloatArray, n: int
) -> FloatArray:
    user = _user_start(table)
    if kind == "semopy":
        from cxmetrics._engines.semopy_engine import fit_semopy

        fitted = fit_semopy(table.rows, table.observed, sample, n)
        theta = est.start_values(ram, sample, user)
        for row in table.rows:
            key = (row.lhs, row.op, row.rhs)
            if row.free and key in fitted.estimates and np.isnan(user[row.param]):
                theta[row.param] = fitted.estimates[key]
        return theta
    return est.start_values(ram, sample, user, simple=kind == "simple")


def _optimize(
    table: ParTable,
    ram: est.RAMModel,
    sample: FloatArray,
    n: int,
    start: str,
    max_iter: int,
) -> est.FitOutcome:
    tried = [start] if start != "default" else ["default", "simple"]
    outcome = None
    for kind in tried:
        theta0 = _starts(kind, table, ram, sample, n)
        if kind == tried[0]:
            info = est.expected_information(theta0, ram)
            bad = _null_space_names(info, _param_names(table))
            if bad is not None and est.is_positive_definite(
                est.implied(theta0, ram).sigma
            ):
                info_simple = est.expected_information(
                    est.start_values(ram, sample, _user_start(table), simple=True), ram
                )
                if _null_space_names(info_simple, _param_names(table)) is not None:
                    raise InvalidParameterError(
                        "The model is not identified: its information matrix is "
                        f"singular; parameters involved: {bad}. Hint: fix one of "
                        "them, add indicators, or check that every latent variable "
                        "has a scale and at least one path in or out."
                    )
        outcome = est.fit_ml(ram, sample, theta0, max_iter=max_iter)
        if outcome.converged:
            return outcome
    assert outcome is not None
    var = np.diag(sample)
    ratio = float(var.max() / var.min())
    hints = [
        "1. try other starting values: start='simple' or start='semopy';",
        f"2. raise max_iter (now {max_iter});",
        "3. check the model: a latent variable with two weak indicators, or a "
        "path that makes the model empirically unidentified, stops the iterations;",
    ]
    if ratio > 100:
        hints.append(
            f"4. rescale the variables: their variances differ by a factor "
            f"{ratio:.0f} (divide the large ones by 10 or 100)."
        )
    raise ConvergenceError(
        f"The ML iterations did not converge ({outcome.message} after "
        f"{outcome.iterations} iterations; largest gradient "
        f"{outcome.gradient_norm:.2e}). Possible fixes:\n  " + "\n  ".join(hints)
    )


def _robust_vcov(
    ram: est.RAMModel,
    theta: FloatArray,
    sample: FloatArray,
    x: FloatArray,
    w: FloatArray,
) -> FloatArray:
    n = len(x)
    wn = w * n / w.sum()
    mean = wn @ x / n
    scores = est.casewise_scores(theta, ram, x - mean) * wn[:, None]
    meat = scores.T @ scores
    bread = n / 2 * est.observed_information(theta, ram, sample)
    inv = np.linalg.inv(bread)
    return np.asarray(inv @ meat @ inv)


def _bootstrap(
    ram: est.RAMModel,
    exo_rows: NDArray[np.intp],
    theta: FloatArray,
    x: FloatArray,
    w: FloatArray,
    n_resamples: int,
    rng: int | np.random.Generator | None,
    n_jobs: int,
) -> tuple[FloatArray, int]:
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    n = len(x)
    indices = gen.integers(0, n, size=(n_resamples, n))
    jobs = _n_jobs(n_jobs)
    if jobs == 1 or n_resamples < 50:
        thetas, ok = est.bootstrap_fits(ram, exo_rows, x, w, indices, theta)
    else:
        chunks = np.array_split(np.arange(n_resamples), jobs * 4)
        parts: list[tuple[FloatArray, NDArray[np.bool_]]] = []
        context = _mp_context()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                futures = [
                    pool.submit(
                        est.bootstrap_fits, ram, exo_rows, x, w, indices[c], theta
                    )
                    for c in chunks
                    if len(c)
                ]
                parts = [f.result() for f in futures]
        thetas = np.concatenate([p[0] for p in parts])
        ok = np.concatenate([p[1] for p in parts])
    return thetas[ok], int((~ok).sum())


def _n_jobs(n_jobs: int) -> int:
    import os

    if n_jobs == -1:
        return max(os.cpu_count() or 1, 1)
    return n_jobs


def _mp_context() -> Any:
    import multiprocessing

    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _fit(
    model: DriverSEM,
    data: Any,
    *,
    weights: str | None,
    se: SEMethod,
    confidence_level: float,
    n_resamples: int,
    rng: int | np.random.Generator | None,
    nan_policy: str,
    start: str,
    max_iter: int,
    n_jobs: int,
) -> SEMResult:
    table = model._table
    names = list(table.observed)
    need_rows = weights is not None or se != "standard"
    _, sample, mean, n, n_omitted, sum_w, n_eff, x, w = _reduce(
        data, names, weights, nan_policy, need_rows
    )
    _check_sample(sample, names, n, table)
    p = len(names)
    _check_identified(table, p)
    ram = _ram(table, sample)
    outcome = _optimize(table, ram, sample, n, start, max_iter)
    theta = outcome.theta
    info = est.expected_information(theta, ram)
    bad = _null_space_names(info, _param_names(table))
    if bad is not None:
        raise InvalidParameterError(
            "The model is not identified at the solution (singular information "
            f"matrix); parameters involved: {bad}. Hint: fix one of them or add "
            "indicators."
        )
    boot_theta = None
    n_failed = 0
    if se == "standard":
        vcov = np.asarray(np.linalg.inv(n / 2 * info), dtype=np.float64)
    elif se == "robust":
        assert x is not None
        assert w is not None
        vcov = _robust_vcov(ram, theta, sample, x, w)
    else:
        assert x is not None
        assert w is not None
        exo_rows = np.array(
            [k for k, row in enumerate(table.rows) if row.exo], dtype=np.intp
        )
        boot_theta, n_failed = _bootstrap(
            ram, exo_rows, theta, x, w, n_resamples, rng, n_jobs
        )
        if len(boot_theta) < 2:
            raise ConvergenceError(
                f"Only {len(boot_theta)} of {n_resamples} bootstrap resamples "
                "converged. Hint: use se='robust', or check the model."
            )
        vcov = np.asarray(np.cov(boot_theta, rowvar=False), dtype=np.float64).reshape(
            len(theta), len(theta)
        )
    mean_cov = _mean_covariance(sample, n, x, w)
    lo, hi = _ranges(data, names, x)
    state = SEMFitState(
        ram=ram,
        theta=theta,
        vcov=vcov,
        boot_theta=boot_theta,
        n_failed=n_failed,
        labels=dict(table.labels),
        definitions=tuple((d.name, d.expression) for d in table.definitions),
        sample_cov=sample,
        item_mean=np.asarray(mean, dtype=np.float64),
        mean_cov=mean_cov,
        item_min=np.asarray(lo, dtype=np.float64),
        item_max=np.asarray(hi, dtype=np.float64),
    )
    frame, heywood = _parameter_frame(table, state, se, confidence_level)
    sigma = est.implied(theta, ram).sigma
    exo_index = [names.index(v) for v in table.exogenous_x]
    fit = est.fit_indices(
        sample=sample,
        sigma=sigma,
        n=float(n),
        n_params=table.n_free,
        exogenous=exo_index,
        fmin=outcome.fmin,
    )
    notes = []
    if weights is not None:
        notes.append(
            "weighted fit: estimates from the weighted covariance matrix; χ² and "
            "fit indices are the unscaled normal-theory ones"
        )
    if heywood:
        warn(
            f"Heywood case: {', '.join(heywood)} (a negative variance or a "
            "standardized value beyond ±1). The solution is improper; check for a "
            "misspecified model, too few indicators per construct or a small "
            "sample. The parameters are flagged in the `heywood` column.",
            DegenerateDataWarning,
        )
    return SEMResult(
        table=frame,
        model=model.model,
        observed=table.observed,
        latent=table.latent,
        fit_indices=pd.Series(fit, name="fit"),
        r2=_r2(ram, theta, table),
        n=n,
        n_omitted=n_omitted,
        sum_weights=float(sum_w),
        n_eff=float(n_eff),
        weights=weights,
        se=se,
        confidence_level=confidence_level,
        converged=outcome.converged,
        iterations=outcome.iterations,
        heywood=tuple(heywood),
        notes=tuple(notes),
        n_resamples=n_resamples if se == "bootstrap" else 0,
        state=state,
        call={
            "function": "DriverSEM.fit",
            "model": " ".join(model.model.split()),
            "weights": weights,
            "se": se,
            "confidence_level": confidence_level,
            "n_resamples": n_resamples if se == "bootstrap" else None,
            "rng": "Generator" if isinstance(rng, np.random.Generator) else rng,
            "nan_policy": nan_policy,
            "start": start,
        },
        versions=provenance_versions("semopy"),
    )


def _mean_covariance(
    sample: FloatArray, n: int, x: FloatArray | None, w: FloatArray | None
) -> FloatArray:
    """Covariance matrix of the item means (design-based with weights)."""
    if x is None or w is None:
        return np.asarray(sample / max(n - 1, 1), dtype=np.float64)
    total = float(w.sum())
    mean = w @ x / total
    u = (x - mean) * (w / total)[:, None]
    return np.asarray(u.T @ u * n / max(n - 1, 1), dtype=np.float64)


def _r2(ram: est.RAMModel, theta: FloatArray, table: ParTable) -> pd.Series:
    imp = est.implied(theta, ram)
    total = np.diag(imp.omega)
    resid = np.diag(imp.s)
    endogenous = set(ram.rhs[ram.op == est.LOADING]) | set(
        ram.lhs[ram.op == est.REGRESSION]
    )
    names, values = [], []
    for i, name in enumerate(ram.variables):
        if i in endogenous:
            names.append(name)
            values.append(1.0 - resid[i] / total[i] if total[i] > 0 else np.nan)
    return pd.Series(values, index=names, name="r2", dtype=np.float64)


def _parameter_frame(
    table: ParTable, state: SEMFitState, se: str, level: float
) -> tuple[pd.DataFrame, list[str]]:
    ram = state.ram
    theta = state.theta
    rows = table.rows
    len(rows)
    estimate = ram.row_values(theta)
    defined = state.defined_values(theta)
    std = est.standardized_rows(theta, ram)
    std_defined = np.real(
        state.defined_values(theta.astype(np.complex128), standardized=True)
    )

    def all_values(th: NDArray[Any]) -> NDArray[Any]:
        return np.concatenate([ram.row_values(th), state.defined_values(th)], axis=-1)

    def all_std(th: NDArray[Any]) -> NDArray[Any]:
        return np.concatenate(
            [
                est.standardized_rows(th, ram),
                state.defined_values(th, standardized=True),
            ],
            axis=-1,
        )

    values = np.concatenate([estimate, defined])
    std_all = np.concatenate([std, std_defined])
    free = np.array([r.free for r in rows] + [True] * len(table.definitions))
    se_values = state.delta_se(all_values)
    se_values[~free] = 0.0
    std_se = state.delta_se(all_std)
    z = stats.norm.ppf(0.5 + level / 2)
    if se == "bootstrap" and state.boot_theta is not None:
        draws = np.real(all_values(state.boot_theta))
        se_values = np.where(free, draws.std(axis=0, ddof=1), 0.0)
        alpha = 1 - level
        low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
        std_draws = np.real(all_std(state.boot_theta.astype(np.complex128)))
        with warnings.catch_warnings():
            # a value undefined in every resample (NaN) stays NaN, silently
            warnings.simplefilter("ignore", RuntimeWarning)
            std_se = np.nanstd(std_draws, axis=0, ddof=1)
            std_low, std_high = np.nanquantile(
                std_draws, [alpha / 2, 1 - alpha / 2], axis=0
            )
        low = np.where(free, low, values)
        high = np.where(free, high, values)
    else:
        low, high = values - z * se_values, values + z * se_values
        std_low, std_high = std_all - z * std_se, std_all + z * std_se
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(free & (se_values > 0), values / se_values, np.nan)
    p_value = 2 * stats.norm.sf(np.abs(statistic))
    heywood_flag = np.zeros(len(values), dtype=bool)
    for k, row in enumerate(rows):
        if row.op == "~~" and row.lhs == row.rhs and row.free and values[k] < 0:
            heywood_flag[k] = True
        elif row.op in ("=~", "~~") and row.free and abs(std_all[k]) > 1 + 1e-8:
            heywood_flag[k] = True
    frame = pd.DataFrame(
        {
            "lhs": [r.lhs for r in rows] + [d.name for d in table.definitions],
            "op": [r.op for r in rows] + [":="] * len(table.definitions),
            "rhs": [r.rhs for r in rows] + [d.expression for d in table.definitions],
            "label": [r.label for r in rows] + [d.name for d in table.definitions],
            "free": free,
            "estimate": values,
            "std_error": se_values,
            "statistic": statistic,
            "p_value": p_value,
            "ci_low": low,
            "ci_high": high,
            "std_all": std_all,
            "std_all_se": std_se,
            "std_all_ci_low": std_low,
            "std_all_ci_high": std_high,
            "heywood": heywood_flag,
        }
    )
    heywood = [
        f"{r.lhs} {r.op} {r.rhs}"
        for r, flag in zip(rows, heywood_flag, strict=False)
        if flag
    ]
    return frame, heywood


# --- templates -------------------------------------------------------------------


def _as_items(name: str, value: str | Sequence[str]) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    if not items or not all(isinstance(v, str) and v for v in items):
        raise InvalidParameterError(
            f"`{name}` must be a column name or a non-empty list of column names; "
            f"got {value!r}."
        )
    return items


def _measurement(constructs: Mapping[str, list[str]]) -> list[str]:
    seen: dict[str, str] = {}
    for construct, items in constructs.items():
        for item in items:
            if item in seen:
                raise InvalidParameterError(
                    f"Item {item!r} is given for both `{seen[item]}` and "
                    f"`{construct}`; each item measures one construct."
                )
            seen[item] = construct
    return [f"{c} =~ {' + '.join(items)}" for c, items in constructs.items()]


@validate_params(
    {
        "expectation": _Items(),
        "quality": _Items(),
        "value": _Items(),
        "satisfaction": _Items(),
        "complaints": _Items(none_ok=True),
        "loyalty": _Items(),
        "extra": _ModelText(),
    }
)
def acsi_model(
    *,
    expectation: str | Sequence[str],
    quality: str | Sequence[str],
    value: str | Sequence[str],
    satisfaction: str | Sequence[str],
    loyalty: str | Sequence[str],
    complaints: str | Sequence[str] | None = None,
    extra: str = "",
) -> DriverSEM:
    """Write the American Customer Satisfaction Index model for your columns.

    Customer expectations → perceived quality → perceived value → satisfaction
    (ACSI) → complaints and loyalty, after Fornell et al. (1996) [1]_:

    .. code-block:: text

        quality      ~ expectation
        value        ~ expectation + quality
        satisfaction ~ expectation + quality + value
        complaints   ~ satisfaction
        loyalty      ~ satisfaction + complaints

    Parameters
    ----------
    expectation, quality, value, satisfaction, loyalty : str or list of str
        The item columns measuring each construct (the first item sets the
        construct's scale).
    complaints : str or list of str, optional
        Complaint behaviour (often one 0/1 item: its residual variance is then
        fixed to 0, as lavaan does). Without it the model has no complaints
        construct and loyalty depends on satisfaction only.
    extra : str, default: ''
        More lavaan syntax appended to the model (e.g. residual covariances).

    Returns
    -------
    DriverSEM
        Ready to ``.fit(data)``.

    Raises
    ------
    InvalidParameterError
        An item is given for two constructs, or an argument is not a column
        name or list of names.

    See Also
    --------
    ecsi_model : The European model (adds corporate image).

    Notes
    -----
    The template only writes lavaan syntax (``model.model``); everything else is
    :meth:`DriverSEM.fit`. Fornell et al. estimate the model by PLS; this is its
    covariance-based (ML) counterpart, as fitted with lavaan.

    Validation: the written model fitted to the bundled ACSI survey matches R
    lavaan 0.6-14 (unweighted and with ``sampling.weights``) in every estimate,
    standard error and fit index (``tests/reference/data/sem.json``, cases
    ``acsi`` and ``acsi_weighted``).

    References
    ----------
    .. [1] Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., & Bryant,
       B. E. (1996). The American Customer Satisfaction Index: Nature, purpose,
       and findings. Journal of Marketing, 60(4), 7–18.

    Examples
    --------
    >>> from cxmetrics.sem import acsi_model
    >>> from cxmetrics.datasets._acsi import ACSI_CONSTRUCTS as C, load_acsi_survey
    >>> model = acsi_model(
    ...     expectation=C["expectation"], quality=C["quality"], value=C["value"],
    ...     satisfaction=C["satisfaction"], complaints=C["complaints"],
    ...     loyalty=C["loyalty"],
    ... )
    >>> print(model.model.splitlines()[-1])
    loyalty ~ satisfaction + complaints
    >>> result = model.fit(load_acsi_survey())
    >>> result.effects().wide().round(3)
    effect        direct  indirect  total
    source
    expectation    0.000     0.327  0.327
    quality        0.000     0.406  0.406
    value          0.000     0.205  0.205
    satisfaction   0.602     0.013  0.614
    complaints    -0.194     0.000 -0.194
    """
    constructs = {
        "expectation": _as_items("expectation", expectation),
        "quality": _as_items("quality", quality),
        "value": _as_items("value", value),
        "satisfaction": _as_items("satisfaction", satisfaction),
    }
    if complaints is not None:
        constructs["complaints"] = _as_items("complaints", complaints)
    constructs["loyalty"] = _as_items("loyalty", loyalty)
    lines = _measurement(constructs)
    lines += [
        "quality ~ expectation",
        "value ~ expectation + quality",
        "satisfaction ~ expectation + quality + value",
    ]
    if complaints is not None:
        lines += ["complaints ~ satisfaction", "loyalty ~ satisfaction + complaints"]
    else:
        lines += ["loyalty ~ satisfaction"]
    if extra.strip():
        lines.append(extra.strip())
    return DriverSEM("\n".join(lines))


@validate_params(
    {
        "image": _Items(),
        "expectation": _Items(),
        "quality": _Items(),
        "value": _Items(),
        "satisfaction": _Items(),
        "loyalty": _Items(),
        "complaints": _Items(none_ok=True),
        "extra": _ModelText(),
    }
)
def ecsi_model(
    *,
    image: str | Sequence[str],
    expectation: str | Sequence[str],
    quality: str | Sequence[str],
    value: str | Sequence[str],
    satisfaction: str | Sequence[str],
    loyalty: str | Sequence[str],
    complaints: str | Sequence[str] | None = None,
    extra: str = "",
) -> DriverSEM:
    """Write the European Customer Satisfaction Index model for your columns.

    The ACSI structure plus corporate image, which shapes expectations,
    satisfaction and loyalty (ECSI Technical Committee 1998; Eklöf & Westlund
    2002 [1]_):

    .. code-block:: text

        expectation  ~ image
        quality      ~ expectation
        value        ~ expectation + quality
        satisfaction ~ image + expectation + quality + value
        loyalty      ~ image + satisfaction (+ complaints)

    Parameters
    ----------
    image, expectation, quality, value, satisfaction, loyalty : str or list of str
        The item columns measuring each construct.
    complaints : str or list of str, optional
        Complaint behaviour (``complaints ~ satisfaction``, ``loyalty ~
        complaints``).
    extra : str, default: ''
        More lavaan syntax appended to the model.

    Returns
    -------
    DriverSEM
        Ready to ``.fit(data)``.

    Raises
    ------
    InvalidParameterError
        An item is given for two constructs, or an argument is not a column
        name or list of names.

    See Also
    --------
    acsi_model : The American model.

    Notes
    -----
    Validation: the written model (without complaints) fitted to the bundled ACSI
    survey matches R lavaan 0.6-14 (``tests/reference/data/sem.json``, case
    ``ecsi``).

    References
    ----------
    .. [1] Eklöf, J. A., & Westlund, A. H. (2002). The pan-European customer
       satisfaction index programme — current work and the way ahead. Total
       Quality Management, 13(8), 1099–1106.
       https://doi.org/10.1080/09544120200000005

    Examples
    --------
    >>> from cxmetrics.sem import ecsi_model
    >>> model = ecsi_model(
    ...     image=["i1", "i2"], expectation=["e1", "e2"], quality=["q1", "q2"],
    ...     value=["v1", "v2"], satisfaction=["s1", "s2"], loyalty=["l1", "l2"],
    ... )
    >>> model
    DriverSEM(6 latent, 12 observed, 34 free parameters)
    """
    constructs = {
        "image": _as_items("image", image),
        "expectation": _as_items("expectation", expectation),
        "quality": _as_items("quality", quality),
        "value": _as_items("value", value),
        "satisfaction": _as_items("satisfaction", satisfaction),
    }
    if complaints is not None:
        constructs["complaints"] = _as_items("complaints", complaints)
    constructs["loyalty"] = _as_items("loyalty", loyalty)
    lines = _measurement(constructs)
    lines += [
        "expectation ~ image",
        "quality ~ expectation",
        "value ~ expectation + quality",
        "satisfaction ~ image + expectation + quality + value",
    ]
    if complaints is not None:
        lines += [
            "complaints ~ satisfaction",
            "loyalty ~ image + satisfaction + complaints",
        ]
    else:
        lines += ["loyalty ~ image + satisfaction"]
    if extra.strip():
        lines.append(extra.strip())
    return DriverSEM("\n".join(lines))
