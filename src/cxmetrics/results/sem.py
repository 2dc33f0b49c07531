r"""Results of structural equation models and of measurement-quality checks.

:class:`SEMResult` keeps what a fit needs to answer follow-up questions without the
data: the parameter vector, its covariance matrix (model-based or sandwich), the
bootstrap replicates when they were drawn, the sample covariance and item means.
So :meth:`SEMResult.effects`, :meth:`SEMResult.ipma`,
:meth:`SEMResult.index_scores` and :meth:`SEMResult.reliability` recompute from
stored numbers, at any confidence level.

Imports: numpy, pandas, scipy, estimators.sem, results.base. Plotting is imported
lazily by the ``plot`` methods.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from cxmetrics.errors import InvalidParameterError
from cxmetrics.estimators import sem as est
from cxmetrics.results.base import ConfidenceInterval, ResultBase

__all__ = [
    "AlphaResult",
    "EFAResult",
    "HTMTResult",
    "IPMAResult",
    "OmegaResult",
    "ParallelAnalysisResult",
    "ReliabilityResult",
    "SEMEffectsResult",
    "SEMResult",
]

FloatArray = NDArray[np.float64]
_SE_LABEL = {
    "standard": "model-based (expected information)",
    "robust": "robust sandwich (Huber–White, observed information)",
    "bootstrap": "bootstrap",
}
_FIT_SHOWN = (
    ("chisq", "χ²"),
    ("df", "df"),
    ("pvalue", "p"),
    ("cfi", "CFI"),
    ("tli", "TLI"),
    ("rmsea", "RMSEA"),
    ("srmr", "SRMR"),
)


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def _check_level(value: object) -> float:
    from cxmetrics._validation import check_confidence_level

    return check_confidence_level(value)


def _percentile(draws: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    if draws.shape[0] < 2:
        nan = np.full(draws.shape[1:], np.nan)
        return nan, nan
    alpha = 1 - level
    with warnings.catch_warnings():
        # a quantity undefined in every resample (NaN) stays NaN, silently
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
    return np.asarray(low), np.asarray(high)


@dataclass(frozen=True, slots=True, kw_only=True)
class SEMFitState:
    """Numbers a fitted model keeps for post-estimation (no data rows).

    Attributes
    ----------
    ram : RAMModel
        Where each parameter row sits in the model matrices.
    theta : numpy.ndarray
        Free parameter estimates.
    vcov : numpy.ndarray
        Their covariance matrix (model-based, sandwich, or bootstrap).
    boot_theta : numpy.ndarray or None
        Usable bootstrap replicates, shape ``(B, q)``.
    n_failed : int
        Bootstrap resamples that did not converge (dropped).
    labels : dict of str to int
        Label → parameter-table row.
    definitions : tuple of (str, str)
        ``(name, expression)`` of the ``:=`` rows.
    sample_cov : numpy.ndarray
        Sample covariance (divisor N) of the observed variables.
    item_mean : numpy.ndarray
        (Weighted) means of the observed variables.
    mean_cov : numpy.ndarray
        Covariance matrix of those means (design-based with weights).
    item_min, item_max : numpy.ndarray
        Observed range of each observed variable.
    """

    ram: est.RAMModel
    theta: FloatArray
    vcov: FloatArray
    boot_theta: FloatArray | None
    n_failed: int
    labels: Mapping[str, int]
    definitions: tuple[tuple[str, str], ...]
    sample_cov: FloatArray
    item_mean: FloatArray
    mean_cov: FloatArray
    item_min: FloatArray
    item_max: FloatArray

    # --- functions of the parameters (batched, complex-safe) ----------------------
    def defined_values(self, theta: NDArray[Any], *, standardized: bool = False) -> Any:
        """Values of the ``:=`` parameters at ``theta`` (rows along the last axis)."""
        if not self.definitions:
            return np.zeros((*np.shape(theta)[:-1], 0))
        rows = (
            est.standardized_rows(theta, self.ram)
            if standardized
            else self.ram.row_values(theta)
        )
        values: dict[str, Any] = {lab: rows[..., r] for lab, r in self.labels.items()}
        out = []
        for name, expression in self.definitions:
            value = est.evaluate_expression(expression, values)
            values[name] = value
            out.append(np.broadcast_to(value, rows.shape[:-1]))
        return np.stack(out, axis=-1)

    def jacobian(self, func: Any) -> FloatArray:
        """Jacobian of a batched function of the parameters at the estimate."""
        return est.complex_jacobian(func, self.theta)

    def delta_se(self, func: Any) -> FloatArray:
        """Delta-method standard errors of a batched function of the parameters."""
        jac = self.jacobian(func)
        var = np.einsum("ik,kl,il->i", jac, self.vcov, jac)
        return np.asarray(np.sqrt(np.clip(var, 0.0, None)), dtype=np.float64)

    def variable_index(self, name: str) -> int:
        """Index of a variable (observed or latent) in the RAM matrices."""
        return self.ram.variables.index(name)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class SEMResult(ResultBase):
    """A fitted structural equation model.

    ``to_frame()`` (and :attr:`parameters`) is lavaan's ``parameterEstimates``
    joined with its ``standardizedSolution``: one row per parameter with ``lhs``,
    ``op``, ``rhs``, ``label``, ``free``, ``estimate``, ``std_error``,
    ``statistic`` (z), ``p_value``, ``ci_low``, ``ci_high``, ``std_all``,
    ``std_all_se``, ``std_all_ci_low``, ``std_all_ci_high`` and ``heywood`` (a
    negative variance or a standardized value beyond ±1). Defined parameters
    (``:=``) come last, their expression in ``rhs``.

    Attributes
    ----------
    model : str
        The lavaan syntax that was fitted.
    observed, latent : tuple of str
        Variables of the model.
    fit_indices : pandas.Series
        χ², df, p-value, baseline χ², CFI, TLI, NFI, RMSEA with its 90% interval
        and close-fit p-value, SRMR, RMR, GFI, AGFI, log-likelihood, AIC, BIC, …
        (names as lavaan's ``fitMeasures`` with ``.`` → ``_``).
    r2 : pandas.Series
        R² of every endogenous variable (latent and indicators).
    n, n_omitted : int
        Complete rows used and rows left out (listwise).
    se : str
        ``'standard'``, ``'robust'`` or ``'bootstrap'``.
    heywood : tuple of str
        Parameters flagged as improper (negative variances, |std.all| > 1).
    """

    model: str
    observed: tuple[str, ...]
    latent: tuple[str, ...]
    fit_indices: pd.Series
    r2: pd.Series
    n: int
    n_omitted: int
    sum_weights: float
    n_eff: float
    weights: str | None
    se: str
    confidence_level: float
    converged: bool
    iterations: int
    heywood: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    n_resamples: int = 0
    state: SEMFitState = field(repr=False)

    # --- accessors ----------------------------------------------------------------
    @property
    def parameters(self) -> pd.DataFrame:
        """The parameter table (a copy)."""
        return self.table.copy()

    @property
    def n_failed(self) -> int:
        """Bootstrap resamples that did not converge and were dropped."""
        return self.state.n_failed

    def standardized(self) -> pd.DataFrame:
        """Lavaan's ``standardizedSolution()`` (``type = "std.all"``).

        Returns
        -------
        pandas.DataFrame
            ``lhs``, ``op``, ``rhs``, ``std_all``, ``std_error``, ``statistic``,
            ``p_value``, ``ci_low``, ``ci_high``.
        """
        out = self.table[["lhs", "op", "rhs", "label"]].copy()
        out["std_all"] = self.table["std_all"].to_numpy()
        se = self.table["std_all_se"].to_numpy(dtype=np.float64)
        out["std_error"] = se
        with np.errstate(divide="ignore", invalid="ignore"):
            z = out["std_all"].to_numpy(dtype=np.float64) / se
        out["statistic"] = np.where(se > 0, z, np.nan)
        out["p_value"] = 2 * stats.norm.sf(np.abs(out["statistic"]))
        out["ci_low"] = self.table["std_all_ci_low"].to_numpy()
        out["ci_high"] = self.table["std_all_ci_high"].to_numpy()
        return out

    def confidence_interval(
        self, confidence_level: float | None = None
    ) -> ConfidenceInterval:
        """Recompute the parameter intervals at another level.

        Normal intervals from the stored covariance matrix, or percentile intervals
        of the stored bootstrap replicates when ``se='bootstrap'``.
        """
        level = (
            self.confidence_level
            if confidence_level is None
            else _check_level(confidence_level)
        )
        low, high = self._intervals(
            self.table["estimate"].to_numpy(dtype=np.float64),
            self.table["std_error"].to_numpy(dtype=np.float64),
            self._boot_rows(),
            level,
        )
        labels = self.table[["lhs", "op", "rhs"]].reset_index(drop=True)
        method = "percentile bootstrap" if self.se == "bootstrap" else "normal"
        return ConfidenceInterval(
            low=low, high=high, confidence_level=level, method=method, labels=labels
        )

    def _boot_rows(self) -> FloatArray | None:
        boot = self.state.boot_theta
        if boot is None:
            return None
        rows = self.state.ram.row_values(boot)
        defined = self.state.defined_values(boot)
        return np.asarray(np.concatenate([rows, defined], axis=-1))

    def _intervals(
        self,
        estimate: FloatArray,
        se: FloatArray,
        boot: FloatArray | None,
        level: float,
    ) -> tuple[FloatArray, FloatArray]:
        if self.se == "bootstrap" and boot is not None:
            return _percentile(boot, level)
        z = _z(level)
        return estimate - z * se, estimate + z * se

    # --- effects ------------------------------------------------------------------
    def _structural(self) -> list[str]:
        ram = self.state.ram
        reg = ram.op == est.REGRESSION
        names = set(ram.lhs[reg]) | set(ram.rhs[reg])
        return [v for i, v in enumerate(ram.variables) if i in names]

    def default_target(self) -> str:
        """Return the outcome of the structural model: a variable predicting nothing.

        Among such sinks, the one with the most direct and indirect predictors
        (loyalty in the ACSI model).
        """
        ram = self.state.ram
        structural = self._structural()
        if not structural:
            raise InvalidParameterError(
                "The model has no regressions (~), so it has no effects. Hint: add "
                "structural paths, e.g. 'satisfaction ~ quality + value'."
            )
        total = est.effects_matrix(self.state.theta, ram)
        reg = ram.op == est.REGRESSION
        predictors = set(ram.rhs[reg])
        best, best_count = structural[-1], -1
        for name in structural:
            i = ram.variables.index(name)
            if i in predictors:
                continue
            count = int(np.sum(np.abs(total[i]) > 0))
            if count > best_count:
                best, best_count = name, count
        return best

    def effects(
        self,
        target: str | None = None,
        *,
        confidence_level: float | None = None,
    ) -> SEMEffectsResult:
        """Direct, indirect and total effects of every construct on ``target``.

        Parameters
        ----------
        target : str, optional
            The outcome; default :meth:`default_target` (e.g. loyalty).
        confidence_level : float, optional
            Level of the intervals (default: the fit's).

        Returns
        -------
        SEMEffectsResult
            One row per source × effect (``direct``, ``indirect``, ``total``).
            Intervals: delta method (complex-step Jacobian of
            :math:`(I - B)^{-1} - I` times the parameter covariance), or bootstrap
            percentiles when the model was fitted with ``se='bootstrap'``.
        """
        level = (
            self.confidence_level
            if confidence_level is None
            else _check_level(confidence_level)
        )
        ram = self.state.ram
        target = self.default_target() if target is None else target
        structural = self._structural()
        if target not in ram.variables:
            raise InvalidParameterError(
                f"`target` must be a variable of the model; got {target!r}. "
                f"Structural variables: {structural}."
            )
        t = ram.variables.index(target)
        theta = self.state.theta
        total_now = est.effects_matrix(theta, ram)[t]
        direct_now = est.regression_matrix(theta, ram)[t]
        sources = [
            i
            for i in range(ram.n_variables)
            if i != t and (abs(total_now[i]) > 0 or abs(direct_now[i]) > 0)
        ]
        if not sources:
            raise InvalidParameterError(
                f"Nothing in the model acts on {target!r}. Hint: pass a `target` "
                f"that is regressed on something; structural variables: {structural}."
            )
        src = np.array(sources)

        def values(th: NDArray[Any]) -> NDArray[Any]:
            direct = est.regression_matrix(th, ram)[..., t, src]
            total = est.effects_matrix(th, ram)[..., t, src]
            return np.concatenate([direct, total - direct, total], axis=-1)

        def std_values(th: NDArray[Any]) -> NDArray[Any]:
            raw = values(th)
            omega = est.implied(th, ram).omega
            var = np.diagonal(omega, axis1=-2, axis2=-1).astype(np.complex128)
            ratio = np.sqrt(var[..., src]) / np.sqrt(var[..., t : t + 1])
            return np.asarray(raw * np.concatenate([ratio, ratio, ratio], axis=-1))

        estimate = np.real(values(theta))
        std_all = np.real(std_values(theta.astype(np.complex128)))
        se = self.state.delta_se(values)
        boot = self.state.boot_theta
        if self.se == "bootstrap" and boot is not None:
            draws = np.real(values(boot))
            low, high = _percentile(draws, level)
            se = draws.std(axis=0, ddof=1) if len(draws) > 1 else se * np.nan
            method = "bootstrap percentile"
        else:
            z = _z(level)
            low, high = estimate - z * se, estimate + z * se
            method = "delta"
        with np.errstate(divide="ignore", invalid="ignore"):
            statistic = np.where(se > 0, estimate / se, np.nan)
        k = len(src)
        names = [ram.variables[i] for i in src]
        frame = pd.DataFrame(
            {
                "source": names * 3,
                "target": target,
                "effect": ["direct"] * k + ["indirect"] * k + ["total"] * k,
                "estimate": estimate,
                "std_error": se,
                "statistic": statistic,
                "p_value": 2 * stats.norm.sf(np.abs(statistic)),
                "ci_low": low,
                "ci_high": high,
                "std_all": std_all,
            }
        )
        order = {n: i for i, n in enumerate(names)}
        kind = {"direct": 0, "indirect": 1, "total": 2}
        frame = frame.sort_values(
            ["source", "effect"],
            key=lambda s: s.map(order) if s.name == "source" else s.map(kind),
        ).reset_index(drop=True)
        return SEMEffectsResult(
            table=frame,
            target=target,
            confidence_level=level,
            method=method,
            n_resamples=self.n_resamples,
            n_failed=self.n_failed,
            call={"function": "SEMResult.effects", "target": target},
            versions=self.versions,
        )

    # --- indices and IPMA ---------------------------------------------------------
    def _blocks(self) -> dict[str, list[tuple[int, int]]]:
        """Latent → [(row of its loading, observed indicator index)]."""
        ram = self.state.ram
        p = ram.n_observed
        out: dict[str, list[tuple[int, int]]] = {}
        for r in np.flatnonzero(ram.op == est.LOADING):
            if ram.rhs[r] < p:
                out.setdefault(ram.variables[ram.lhs[r]], []).append(
                    (int(r), int(ram.rhs[r]))
                )
        return out

    def _scale_arrays(
        self, scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None
    ) -> tuple[FloatArray, FloatArray, list[str]]:
        lo = self.state.item_min.copy()
        hi = self.state.item_max.copy()
        notes: list[str] = []
        if scale is None:
            notes.append(
                "scale not given: each item is rescaled from its observed minimum "
                "and maximum; pass `scale=(1, 10)` for the questionnaire's range"
            )
            return lo, hi, notes
        if isinstance(scale, Mapping):
            # items of other models may be in the mapping (a survey's scales)
            given = {k: v for k, v in scale.items() if k in self.observed}
            missing = [c for c in self.observed if c not in given]
            if missing:
                notes.append(
                    f"no scale for {missing}: rescaled from the observed range"
                )
        else:
            given = dict.fromkeys(self.observed, scale)
        for i, item in enumerate(self.observed):
            if item in given:
                pair = given[item]
                try:
                    low, high = (float(v) for v in pair)
                except (TypeError, ValueError):
                    raise InvalidParameterError(
                        f"`scale` must be (low, high) or a mapping item → (low, "
                        f"high); got {pair!r} for {item!r}."
                    ) from None
                if not low < high:
                    raise InvalidParameterError(
                        f"`scale` for {item!r} must have low < high; got {pair!r}."
                    )
                if self.state.item_min[i] < low or self.state.item_max[i] > high:
                    raise InvalidParameterError(
                        f"Item {item!r} has values outside its scale {pair!r} "
                        f"(observed {self.state.item_min[i]:g}–"
                        f"{self.state.item_max[i]:g}). Hint: check the scale, or "
                        "give this item its own scale in a mapping."
                    )
                lo[i], hi[i] = low, high
        return lo, hi, notes

    def _index_weights(self, theta: NDArray[Any]) -> dict[str, tuple[Any, list[int]]]:
        """Composite weights per construct: ∝ λ_i / θ_ii, normalised to sum 1."""
        ram = self.state.ram
        rows = ram.row_values(theta)
        _a, s = ram.matrices(theta)
        out: dict[str, tuple[Any, list[int]]] = {}
        for name, block in self._blocks().items():
            items = [i for _, i in block]
            lam = np.stack([rows[..., r] for r, _ in block], axis=-1)
            if len(block) == 1:
                w = lam / lam
            else:
                theta_ii = np.stack([s[..., i, i] for i in items], axis=-1)
                floor = 1e-6 * np.stack(
                    [self.state.sample_cov[i, i] for i in items], axis=-1
                )
                theta_ii = np.where(np.real(theta_ii) > floor, theta_ii, floor)
                raw = lam / theta_ii
                w = raw / raw.sum(axis=-1, keepdims=True)
            out[name] = (w, items)
        return out

    def index_scores(
        self,
        scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
        *,
        confidence_level: float | None = None,
    ) -> pd.DataFrame:
        r"""ACSI-style 0–100 index of every latent construct.

        The index is a weighted mean of the construct's items rescaled to 0–100,
        :math:`I = 100 \sum_i w_i (\bar x_i - \ell_i)/(u_i - \ell_i)`, with
        weights of the maximal-reliability composite,
        :math:`w_i \propto \lambda_i/\theta_{ii}` (Bartlett factor-score weights of
        the block), scaled to sum to one. Its standard error treats the weights as
        fixed and uses the (design-based) covariance of the item means.

        Parameters
        ----------
        scale : (float, float) or mapping of str to (float, float), optional
            The response scale of the items, e.g. ``(1, 10)``, or one per item.
            Default: each item's observed range (noted).
        confidence_level : float, optional
            Level of the intervals (default: the fit's).

        Returns
        -------
        pandas.DataFrame
            ``construct``, ``estimate`` (0–100), ``std_error``, ``ci_low``,
            ``ci_high``, ``n_items``, ``items``-weights as ``weights`` (a string).
        """
        level = (
            self.confidence_level
            if confidence_level is None
            else _check_level(confidence_level)
        )
        lo, hi, notes = self._scale_arrays(scale)
        weights = self._index_weights(self.state.theta)
        rows = []
        z = _z(level)
        for name, (w, items) in weights.items():
            w = np.real(np.asarray(w, dtype=np.complex128))
            g = np.zeros(len(self.observed))
            g[items] = 100 * w / (hi[items] - lo[items])
            value = float(
                np.sum(
                    100
                    * w
                    * (self.state.item_mean[items] - lo[items])
                    / (hi[items] - lo[items])
                )
            )
            se = float(np.sqrt(max(float(g @ self.state.mean_cov @ g), 0.0)))
            rows.append(
                {
                    "construct": name,
                    "estimate": value,
                    "std_error": se,
                    "ci_low": value - z * se,
                    "ci_high": value + z * se,
                    "n_items": len(items),
                    "weights": ", ".join(
                        f"{self.observed[i]}={wi:.3f}"
                        for i, wi in zip(items, w, strict=True)
                    ),
                    "note": "; ".join(notes),
                }
            )
        return pd.DataFrame(rows)

    def respondent_scores(
        self,
        data: pd.DataFrame,
        scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
    ) -> pd.DataFrame:
        """0–100 index of every construct for each respondent (row of ``data``).

        Same weights and rescaling as :meth:`index_scores`; NaN where an item of
        the construct is missing. The input is not modified.
        """
        if not isinstance(data, pd.DataFrame):
            raise InvalidParameterError(
                f"`data` must be a pandas DataFrame; got {type(data).__name__}."
            )
        missing = [c for c in self.observed if c not in data.columns]
        if missing:
            from cxmetrics._validation import column_not_found

            raise column_not_found(missing[0], data.columns, argument="data")
        lo, hi, _ = self._scale_arrays(scale)
        weights = self._index_weights(self.state.theta)
        out = {}
        for name, (w, items) in weights.items():
            w = np.real(np.asarray(w, dtype=np.complex128))
            x = data[[self.observed[i] for i in items]].to_numpy(
                dtype=np.float64, na_value=np.nan
            )
            out[name] = 100 * ((x - lo[items]) / (hi[items] - lo[items])) @ w
        return pd.DataFrame(out, index=data.index)

    def ipma(
        self,
        target: str | None = None,
        *,
        drivers: Sequence[str] | None = None,
        scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
        confidence_level: float | None = None,
    ) -> IPMAResult:
        r"""Importance–performance map of the constructs acting on ``target``.

        Importance is the unstandardized total effect of a construct on the
        target, expressed in index points: the change of the target's 0–100 index
        per index point of the source,
        :math:`T_{ts}\, c_t / c_s` with :math:`c = 100\sum_i w_i\lambda_i/(u_i -
        \ell_i)` (Ringle & Sarstedt 2016). Performance is the construct's 0–100
        index (:meth:`index_scores`). Quadrants split at the mean importance and
        mean performance; ``priority`` ranks high importance × low performance
        first.

        Parameters
        ----------
        target : str, optional
            The outcome; default :meth:`default_target`.
        drivers : list of str, optional
            Constructs to map (default: every latent construct acting on the
            target). Leave out constructs whose index runs the other way, such as
            a complaint rate.
        scale : (float, float) or mapping of str to (float, float), optional
            Response scale of the items (see :meth:`index_scores`).
        confidence_level : float, optional
            Level of the intervals (default: the fit's).

        Returns
        -------
        IPMAResult
            ``to_frame()`` has ``driver`` (the construct), ``importance`` with
            ``importance_se``, ``importance_ci_low``/``high``, ``performance``
            with ``performance_se`` and limits, ``quadrant`` and ``priority``.
        """
        level = (
            self.confidence_level
            if confidence_level is None
            else _check_level(confidence_level)
        )
        effects = self.effects(target, confidence_level=level)
        target_name = effects.target
        ram = self.state.ram
        lo, hi, notes = self._scale_arrays(scale)
        index = self.index_scores(scale, confidence_level=level).set_index("construct")
        blocks = self._blocks()
        t = ram.variables.index(target_name)
        sources = [
            s
            for s in effects.table.loc[effects.table["effect"] == "total", "source"]
            if s in blocks
        ]
        if target_name not in blocks or not sources:
            raise InvalidParameterError(
                "IPMA needs a latent target and latent sources measured by items; "
                f"got target {target_name!r} with sources {sources}."
            )
        if drivers is not None:
            wanted = [drivers] if isinstance(drivers, str) else list(drivers)
            unknown = [d for d in wanted if d not in sources]
            if unknown:
                raise InvalidParameterError(
                    f"`drivers` {unknown} do not act on {target_name!r} (or are not "
                    f"latent constructs measured by items). Available: {sources}."
                )
            sources = wanted
        src = np.array([ram.variables.index(s) for s in sources])

        def slope(th: NDArray[Any], name: str) -> Any:
            weights = self._index_weights(th)[name]
            w, items = weights
            rows = ram.row_values(th)
            lam = np.stack([rows[..., r] for r, _ in blocks[name]], axis=-1)
            return 100 * np.sum(w * lam / (hi[items] - lo[items]), axis=-1)

        def importance(th: NDArray[Any]) -> NDArray[Any]:
            total = est.effects_matrix(th, ram)[..., t, src]
            c_t = slope(th, target_name)
            c_s = np.stack([slope(th, s) for s in sources], axis=-1)
            return np.asarray(total * np.asarray(c_t)[..., None] / c_s)

        theta = self.state.theta
        imp = np.real(importance(theta.astype(np.complex128)))
        imp_se = self.state.delta_se(importance)
        boot = self.state.boot_theta
        if self.se == "bootstrap" and boot is not None:
            draws = np.real(importance(boot.astype(np.complex128)))
            imp_low, imp_high = _percentile(draws, level)
            imp_se = draws.std(axis=0, ddof=1)
        else:
            z = _z(level)
            imp_low, imp_high = imp - z * imp_se, imp + z * imp_se
        perf = index.loc[sources]
        frame = pd.DataFrame(
            {
                "driver": sources,
                "target": target_name,
                "importance": imp,
                "importance_se": imp_se,
                "importance_ci_low": imp_low,
                "importance_ci_high": imp_high,
                "performance": perf["estimate"].to_numpy(),
                "performance_se": perf["std_error"].to_numpy(),
                "performance_ci_low": perf["ci_low"].to_numpy(),
                "performance_ci_high": perf["ci_high"].to_numpy(),
            }
        )
        mean_imp = float(frame["importance"].mean())
        mean_perf = float(frame["performance"].mean())
        high_imp = frame["importance"] >= mean_imp
        high_perf = frame["performance"] >= mean_perf
        frame["quadrant"] = np.select(
            [high_imp & ~high_perf, high_imp & high_perf, ~high_imp & ~high_perf],
            ["improve (high importance, low performance)", "keep up", "low priority"],
            default="possible overkill",
        )
        # priority: larger importance × room to grow first
        room = frame["importance"] * (100 - frame["performance"])
        frame["priority"] = room.rank(ascending=False, method="first").astype(int)
        return IPMAResult(
            table=frame,
            target=target_name,
            confidence_level=level,
            method=effects.method,
            mean_importance=mean_imp,
            mean_performance=mean_perf,
            notes=tuple(notes),
            call={"function": "SEMResult.ipma", "target": target_name},
            versions=self.versions,
        )

    # --- measurement quality from the fitted model --------------------------------
    def reliability(self, *, htmt: str = "geometric") -> ReliabilityResult:
        r"""Measurement quality of the latent constructs of this model.

        Per construct with at least one observed indicator: Cronbach's alpha of its
        items; composite reliability
        :math:`\omega = (\sum\lambda_i)^2\psi / \mathbf 1^\top S\mathbf 1` (semTools
        ``compRelSEM`` with ``obs.var = TRUE``: observed total variance in the
        denominator); average variance extracted
        :math:`AVE = \sum\lambda_i^2\psi / \sum_i s_{ii}` (semTools ``AVE``); the
        Fornell–Larcker table (√AVE on the diagonal, latent correlations off it)
        and HTMT (heterotrait–monotrait ratio of the item correlations).
        """
        ram = self.state.ram
        blocks = self._blocks()
        omega_all = est.implied(self.state.theta, ram).omega
        rows_val = ram.row_values(self.state.theta)
        cov = self.state.sample_cov
        records = []
        names = list(blocks)
        for name in names:
            block = blocks[name]
            items = [i for _, i in block]
            lam = np.array([rows_val[r] for r, _ in block])
            f = ram.variables.index(name)
            psi = float(omega_all[f, f])
            sub = cov[np.ix_(items, items)]
            k = len(items)
            alpha = k / (k - 1) * (1 - np.trace(sub) / sub.sum()) if k > 1 else np.nan
            omega = float(lam.sum() ** 2 * psi / sub.sum())
            ave = float(np.sum(lam**2) * psi / np.trace(sub))
            records.append(
                {
                    "construct": name,
                    "n_items": k,
                    "alpha": alpha,
                    "omega": omega,
                    "ave": ave,
                    "sqrt_ave": float(np.sqrt(ave)) if ave >= 0 else np.nan,
                }
            )
        table = pd.DataFrame(records)
        idx = [ram.variables.index(n) for n in names]
        lv = omega_all[np.ix_(idx, idx)]
        sd = np.sqrt(np.clip(np.diag(lv), 1e-300, None))
        corr = lv / np.outer(sd, sd)
        fl_values = corr.copy()
        np.fill_diagonal(fl_values, table["sqrt_ave"].to_numpy(dtype=np.float64))
        fl = pd.DataFrame(fl_values, index=names, columns=names)
        if htmt not in ("geometric", "arithmetic"):
            raise InvalidParameterError(
                f"`htmt` must be 'geometric' or 'arithmetic'; got {htmt!r}."
            )
        ratios = htmt_matrix(
            cov,
            {n: [i for _, i in blocks[n]] for n in names},
            geometric=htmt == "geometric",
        )
        off = np.abs(corr) - np.eye(len(names))
        max_r = off.max(axis=1) if len(names) > 1 else np.full(1, np.nan)
        table["max_correlation"] = max_r
        table["fornell_larcker"] = table["sqrt_ave"].to_numpy() > max_r
        table["max_htmt"] = [
            _max_finite(np.delete(ratios[i], i)) for i in range(len(names))
        ]
        return ReliabilityResult(
            table=table,
            fornell_larcker=fl,
            htmt=pd.DataFrame(ratios, index=names, columns=names),
            call={"function": "SEMResult.reliability"},
            versions=self.versions,
        )

    def residuals(self) -> pd.DataFrame:
        """Return observed minus implied correlations (lavaan's "cor.bollen")."""
        sigma = est.implied(self.state.theta, self.state.ram).sigma
        s = self.state.sample_cov
        ds = np.sqrt(np.diag(s))
        dm = np.sqrt(np.diag(sigma))
        resid = s / np.outer(ds, ds) - sigma / np.outer(dm, dm)
        return pd.DataFrame(resid, index=self.observed, columns=self.observed)

    # --- display ------------------------------------------------------------------
    def __repr__(self) -> str:
        fi = self.fit_indices
        return (
            f"SEMResult({len(self.latent)} latent, {len(self.observed)} observed, "
            f"n={self.n}, chisq={fi['chisq']:.3f}, df={int(fi['df'])}, "
            f"cfi={fi['cfi']:.3f}, rmsea={fi['rmsea']:.3f}, srmr={fi['srmr']:.3f}, "
            f"se={self.se!r})"
        )

    def _title(self) -> str:
        return "Structural equation model (ML)"

    def _header(self) -> list[tuple[str, str]]:
        fi = self.fit_indices
        level = f"{100 * self.confidence_level:g}%"
        se = _SE_LABEL[self.se]
        if self.se == "bootstrap":
            se += f", {self.n_resamples} resamples ({self.n_failed} failed, dropped)"
        header = [
            ("estimator", "ML, likelihood normal (divisor N), as lavaan sem()"),
            ("observations", f"{self.n} used, {self.n_omitted} omitted (listwise)"),
            ("weights", self.weights or "none (equal)"),
            ("standard errors", f"{se}; {level} intervals"),
            ("converged", f"{self.converged} ({self.iterations} iterations)"),
        ]
        fit = ", ".join(
            f"{label} {fi[key]:.0f}"
            if key == "df"
            else f"{label} {fi[key]:.4f}"
            if key == "pvalue"
            else f"{label} {fi[key]:.3f}"
            for key, label in _FIT_SHOWN
        )
        header.append(("fit", fit))
        header.append(
            (
                "RMSEA 90% CI",
                f"[{fi['rmsea_ci_lower']:.3f}, {fi['rmsea_ci_upper']:.3f}]",
            )
        )
        return header

    def _display_columns(self) -> list[str]:
        return [
            "lhs",
            "op",
            "rhs",
            "estimate",
            "std_error",
            "statistic",
            "p_value",
            "ci_low",
            "ci_high",
            "std_all",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {
            "estimate": ("number", 3),
            "std_error": ("number", 3),
            "ci_low": ("number", 3),
            "ci_high": ("number", 3),
            "std_all": ("number", 3),
            "statistic": ("number", 2),
        }

    def _footer(self) -> list[str]:
        out = list(self.notes)
        if self.heywood:
            out.append("Heywood case(s) flagged: " + ", ".join(self.heywood))
        return out

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Path diagram with standardized estimates.

        Delegates to :func:`cxmetrics.plotting.sem.path_diagram`.
        """
        from cxmetrics.plotting import sem as sem_plots

        return sem_plots.path_diagram(self, ax=ax, **kwargs)


def _max_finite(values: FloatArray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size else float("nan")


def htmt_matrix(
    cov: FloatArray, blocks: Mapping[str, Sequence[int]], *, geometric: bool = True
) -> FloatArray:
    """Heterotrait–monotrait ratios from a covariance matrix (absolute correlations).

    As semTools ``htmt(absolute = TRUE)``: the mean absolute correlation between
    the items of two constructs over the geometric mean of the mean absolute
    correlations within each construct (NaN for single-item constructs). With
    ``geometric=True`` (semTools' default ``htmt2 = TRUE``, Roemer et al. 2021)
    every mean is a geometric mean; otherwise arithmetic (Henseler et al. 2015).
    """
    sd = np.sqrt(np.diag(cov))
    corr = np.abs(cov / np.outer(sd, sd))

    def mean(values: FloatArray) -> float:
        if geometric:
            return float(np.exp(np.mean(np.log(values))))
        return float(np.mean(values))

    names = list(blocks)
    k = len(names)
    mono = np.full(k, np.nan)
    for i, name in enumerate(names):
        items = list(blocks[name])
        if len(items) > 1:
            sub = corr[np.ix_(items, items)]
            mono[i] = mean(sub[np.triu_indices(len(items), 1)])
    out = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            hetero = mean(
                corr[np.ix_(list(blocks[names[i]]), list(blocks[names[j]]))].ravel()
            )
            out[i, j] = out[j, i] = hetero / np.sqrt(mono[i] * mono[j])
    return out


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class SEMEffectsResult(ResultBase):
    """Direct, indirect and total effects on one target.

    ``to_frame()``: ``source``, ``target``, ``effect`` (``direct``, ``indirect``,
    ``total``), ``estimate``, ``std_error``, ``statistic``, ``p_value``,
    ``ci_low``, ``ci_high`` and ``std_all`` (the standardized effect).
    """

    target: str
    confidence_level: float
    method: str
    n_resamples: int = 0
    n_failed: int = 0

    def wide(self) -> pd.DataFrame:
        """Return one row per source: direct, indirect and total effects."""
        return self.table.pivot(index="source", columns="effect", values="estimate")[
            ["direct", "indirect", "total"]
        ].loc[list(dict.fromkeys(self.table["source"]))]

    def __repr__(self) -> str:
        totals = self.table[self.table["effect"] == "total"]
        parts = ", ".join(
            f"{s}={v:.3f}"
            for s, v in zip(totals["source"], totals["estimate"], strict=True)
        )
        return f"SEMEffectsResult(total effects on {self.target}: {parts})"

    def _title(self) -> str:
        return f"Effects on {self.target}"

    def _header(self) -> list[tuple[str, str]]:
        level = f"{100 * self.confidence_level:g}%"
        method = self.method
        if self.method.startswith("bootstrap"):
            method += f", {self.n_resamples} resamples ({self.n_failed} failed)"
        return [("target", self.target), ("intervals", f"{level} {method}")]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {
            "estimate": ("number", 3),
            "std_error": ("number", 3),
            "ci_low": ("number", 3),
            "ci_high": ("number", 3),
            "std_all": ("number", 3),
        }


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class IPMAResult(ResultBase):
    """Importance–performance map: total effect on the target vs 0–100 index.

    ``to_frame()`` has ``driver`` and ``importance`` (so it can be passed as
    ``importance=`` to :func:`cxmetrics.priority.key_experiences` when the
    constructs are named like the experience attributes), their intervals,
    ``performance`` and its interval, ``quadrant`` and ``priority``.
    """

    target: str
    confidence_level: float
    method: str
    mean_importance: float
    mean_performance: float
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        top = self.table.sort_values("priority").iloc[0]
        return (
            f"IPMAResult(target={self.target!r}, {len(self.table)} drivers, "
            f"top priority={top['driver']!r} (importance {top['importance']:.3f}, "
            f"performance {top['performance']:.1f}))"
        )

    def _title(self) -> str:
        return f"Importance–performance map for {self.target}"

    def _header(self) -> list[tuple[str, str]]:
        level = f"{100 * self.confidence_level:g}%"
        return [
            ("target", self.target),
            ("importance", f"total effect in index points ({level} {self.method})"),
            ("performance", "0–100 index"),
            (
                "quadrant split",
                f"importance {self.mean_importance:.3f}, performance "
                f"{self.mean_performance:.1f}",
            ),
        ]

    def _display_columns(self) -> list[str]:
        return [
            "driver",
            "importance",
            "importance_ci_low",
            "importance_ci_high",
            "performance",
            "performance_ci_low",
            "performance_ci_high",
            "quadrant",
            "priority",
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {
            "importance": ("number", 3),
            "importance_ci_low": ("number", 3),
            "importance_ci_high": ("number", 3),
            "performance": ("number", 1),
            "performance_ci_low": ("number", 1),
            "performance_ci_high": ("number", 1),
            "priority": ("integer", 0),
        }

    def _footer(self) -> list[str]:
        return list(self.notes)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Importance–performance chart (:func:`cxmetrics.plotting.sem.ipma_chart`)."""
        from cxmetrics.plotting import sem as sem_plots

        return sem_plots.ipma_chart(self, ax=ax, **kwargs)


# --- measurement quality ---------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class AlphaResult(ResultBase):
    """Cronbach's alpha with an interval, and alpha if each item is dropped.

    ``to_frame()``: one row with ``estimate`` (raw alpha), ``std_error``
    (Duhachek's asymptotic SE), ``ci_low``, ``ci_high``, ``std_alpha``
    (standardized alpha), ``average_r``, ``n_items``, ``n``.
    """

    items: tuple[str, ...]
    method: str
    confidence_level: float
    n: int
    n_omitted: int
    item_dropped: pd.DataFrame
    covariance: FloatArray = field(repr=False)

    @property
    def alpha(self) -> float:
        """Raw alpha."""
        return float(self.table["estimate"].iloc[0])

    def confidence_interval(
        self, confidence_level: float | None = None, method: str | None = None
    ) -> ConfidenceInterval:
        """Recompute the interval (``'feldt'`` or ``'duhachek'``)."""
        level = (
            self.confidence_level
            if confidence_level is None
            else _check_level(confidence_level)
        )
        method = self.method if method is None else method
        if method not in ("feldt", "duhachek"):
            raise InvalidParameterError(
                f"`method` must be one of 'feldt', 'duhachek'; got {method!r}."
            )
        low, high = est.alpha_interval(
            self.alpha,
            float(self.table["std_error"].iloc[0]),
            len(self.items),
            self.n,
            level,
            method,
        )
        return ConfidenceInterval(
            low=np.array([low]),
            high=np.array([high]),
            confidence_level=level,
            method=method,
            labels=pd.DataFrame(index=range(1)),
        )

    def __repr__(self) -> str:
        row = self.table.iloc[0]
        level = f"{100 * self.confidence_level:g}%"
        return (
            f"AlphaResult(alpha={row['estimate']:.3f}, {level} CI "
            f"[{row['ci_low']:.3f}, {row['ci_high']:.3f}], items={len(self.items)}, "
            f"n={self.n}, method={self.method!r})"
        )

    def _title(self) -> str:
        return "Cronbach's alpha"

    def _header(self) -> list[tuple[str, str]]:
        return [
            ("items", ", ".join(self.items)),
            ("n", f"{self.n} complete rows ({self.n_omitted} omitted)"),
            ("interval", f"{100 * self.confidence_level:g}% {self.method}"),
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        return dict.fromkeys(
            ("estimate", "std_error", "ci_low", "ci_high", "std_alpha"), ("number", 3)
        )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ReliabilityResult(ResultBase):
    """Reliability and validity of latent constructs.

    ``to_frame()``: one row per construct with ``n_items``, ``alpha``,
    ``omega`` (composite reliability), ``ave``, ``sqrt_ave``,
    ``max_correlation`` (with another construct), ``fornell_larcker`` (√AVE
    above every correlation) and ``max_htmt``.

    Attributes
    ----------
    fornell_larcker : pandas.DataFrame
        √AVE on the diagonal, latent correlations off it.
    htmt : pandas.DataFrame
        Heterotrait–monotrait ratios (values above 0.85–0.90 signal poor
        discriminant validity; Henseler et al. 2015).
    """

    fornell_larcker: pd.DataFrame
    htmt: pd.DataFrame

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{r.construct}: omega={r.omega:.3f} ave={r.ave:.3f}"
            for r in self.table.itertuples()
        )
        return f"ReliabilityResult({parts})"

    def _title(self) -> str:
        return "Measurement quality (reliability and validity)"

    def _formats(self) -> dict[str, tuple[str, int]]:
        return dict.fromkeys(
            ("alpha", "omega", "ave", "sqrt_ave", "max_correlation", "max_htmt"),
            ("number", 3),
        )

    def _footer(self) -> list[str]:
        return [
            "omega: composite reliability (semTools compRelSEM, observed variance); "
            "AVE: average variance extracted; HTMT > 0.85 suggests two constructs "
            "are not distinct"
        ]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class HTMTResult(ResultBase):
    """Heterotrait–monotrait ratios of every pair of constructs.

    ``to_frame()``: ``construct_a``, ``construct_b``, ``htmt``, ``above_085``,
    ``above_090``; :attr:`matrix` holds the square table.
    """

    matrix: pd.DataFrame

    def __repr__(self) -> str:
        worst = self.table.sort_values("htmt", ascending=False).iloc[0]
        return (
            f"HTMTResult({len(self.matrix)} constructs, max HTMT "
            f"{worst['htmt']:.3f} ({worst['construct_a']}–{worst['construct_b']}))"
        )

    def _title(self) -> str:
        return "Heterotrait–monotrait ratio (HTMT)"

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {"htmt": ("number", 3)}


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class EFAResult(ResultBase):
    """Exploratory factor analysis.

    ``to_frame()``: one row per item with the (rotated) loadings ``F1``, ``F2``,
    …, ``communality`` (h2), ``uniqueness`` (u2) and ``complexity`` (Hofmann).

    Attributes
    ----------
    variance : pandas.DataFrame
        Per factor: ``ss_loadings``, ``proportion``, ``cumulative``.
    phi : pandas.DataFrame or None
        Factor correlations (oblique rotations).
    kmo : float
        Kaiser–Meyer–Olkin overall measure of sampling adequacy.
    kmo_items : pandas.Series
        Per-item MSA.
    bartlett : dict
        Bartlett's test of sphericity: ``statistic``, ``df``, ``p_value``.
    """

    items: tuple[str, ...]
    n_factors: int
    method: str
    rotation: str | None
    n: int
    n_omitted: int
    variance: pd.DataFrame
    phi: pd.DataFrame | None
    kmo: float
    kmo_items: pd.Series
    bartlett: Mapping[str, float]
    objective: float
    iterations: int
    heywood: tuple[str, ...] = ()
    eigenvalues: FloatArray = field(repr=False, default_factory=lambda: np.zeros(0))

    @property
    def loadings(self) -> pd.DataFrame:
        """Loadings as an item × factor frame."""
        cols = [f"F{i + 1}" for i in range(self.n_factors)]
        return self.table.set_index("item")[cols]

    def __repr__(self) -> str:
        rot = self.rotation or "none"
        cum = float(self.variance["cumulative"].iloc[-1])
        return (
            f"EFAResult({self.n_factors} factors, method={self.method!r}, "
            f"rotation={rot!r}, items={len(self.items)}, n={self.n}, "
            f"variance explained={100 * cum:.1f}%, KMO={self.kmo:.3f})"
        )

    def _title(self) -> str:
        return f"Exploratory factor analysis ({self.method}, {self.rotation or 'none'})"

    def _header(self) -> list[tuple[str, str]]:
        b = self.bartlett
        return [
            ("n", f"{self.n} complete rows ({self.n_omitted} omitted)"),
            ("KMO", f"{self.kmo:.3f}"),
            (
                "Bartlett",
                f"χ² {b['statistic']:.1f}, df {b['df']:.0f}, p {b['p_value']:.3g}",
            ),
        ]

    def _formats(self) -> dict[str, tuple[str, int]]:
        out = {f"F{i + 1}": ("number", 3) for i in range(self.n_factors)}
        out.update(
            communality=("number", 3),
            uniqueness=("number", 3),
            complexity=("number", 2),
        )
        return out

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the loadings heat map (plotting.sem.loadings_heatmap)."""
        from cxmetrics.plotting import sem as sem_plots

        return sem_plots.loadings_heatmap(self, ax=ax, **kwargs)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ParallelAnalysisResult(ResultBase):
    """Horn's parallel analysis: how many factors (and components) to keep.

    ``to_frame()``: one row per factor number with the observed eigenvalues of
    the factor (``fa_observed``) and component (``pc_observed``) solutions and
    the mean and quantile of the same from random normal data of the same size.
    """

    n_factors: int
    n_components: int
    n_resamples: int
    quantile: float

    def __repr__(self) -> str:
        return (
            f"ParallelAnalysisResult(n_factors={self.n_factors}, "
            f"n_components={self.n_components}, n_resamples={self.n_resamples})"
        )

    def _title(self) -> str:
        return "Parallel analysis"

    def _header(self) -> list[tuple[str, str]]:
        return [
            ("suggested factors", str(self.n_factors)),
            ("suggested components", str(self.n_components)),
            (
                "simulation",
                f"{self.n_resamples} random data sets, {self.quantile:g} quantile",
            ),
        ]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class OmegaResult(ResultBase):
    """McDonald's omega from a Schmid–Leiman solution (R ``psych::omega``).

    ``to_frame()``: one row with ``omega_hierarchical``, ``omega_total``,
    ``alpha``; :attr:`loadings` holds the Schmid–Leiman loadings (``g``, the
    group factors, ``communality``, ``uniqueness``).
    """

    items: tuple[str, ...]
    n_factors: int
    loadings: pd.DataFrame

    def __repr__(self) -> str:
        row = self.table.iloc[0]
        return (
            f"OmegaResult(omega_h={row['omega_hierarchical']:.3f}, "
            f"omega_total={row['omega_total']:.3f}, alpha={row['alpha']:.3f}, "
            f"n_factors={self.n_factors})"
        )

    def _title(self) -> str:
        return "McDonald's omega (Schmid–Leiman)"

    def _formats(self) -> dict[str, tuple[str, int]]:
        return dict.fromkeys(
            ("omega_hierarchical", "omega_total", "alpha"), ("number", 3)
        )
