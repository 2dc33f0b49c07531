"""Fit a parameter table with semopy (optional ``sem`` extra).

cxmetrics estimates SEMs with its own Fisher-scoring / Newton code
(:mod:`cxmetrics.estimators.sem`), which reaches lavaan's optimum to machine
precision. semopy serves two purposes here:

- ``start="semopy"``: its estimates are the starting values of that code, for
  models where the default starts fail;
- cross-checks and benchmarks against an independent Python implementation.

semopy's default solver (SLSQP) stops short of the optimum (variances off by up to
1e-2 on PoliticalDemocracy); its ``trust-constr`` solver reaches it but is about
10× slower. Either way the numbers it returns are only a starting point here.

Every semopy warning is caught inside :func:`fit_semopy`; every failure is
re-raised as :class:`~cxmetrics.errors.EngineError` with the original chained.

Imports: errors, _optional, numpy, pandas.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxmetrics._optional import import_optional
from cxmetrics.errors import EngineError

__all__ = ["SemopyFit", "fit_semopy", "semopy_syntax"]


@dataclass(frozen=True, slots=True)
class SemopyFit:
    """Estimates of a semopy fit, keyed like cxmetrics' parameter table.

    Attributes
    ----------
    estimates : dict of (str, str, str) to float
        ``(lhs, op, rhs)`` in lavaan's orientation (``f =~ y``, ``y ~ x``,
        ``a ~~ b``) → estimate.
    objective : float
        semopy's objective at its solution.
    solver : str
        The solver used.
    n_iterations : int
        Iterations reported by semopy (-1 if unknown).
    """

    estimates: dict[tuple[str, str, str], float]
    objective: float
    solver: str
    n_iterations: int


def _number(value: float) -> str:
    return repr(float(value))


def semopy_syntax(rows: Sequence[Any]) -> str:
    """Write a full parameter table as semopy model syntax.

    Fixed parameters become ``value*name``; free ones are left bare (shared labels
    are not passed on: starting values do not need the equality constraints).
    """
    lines = []
    for row in rows:
        if row.exo:
            continue
        rhs = row.rhs if row.free else f"{_number(row.value)}*{row.rhs}"
        if row.op == "=~":
            lines.append(f"{row.lhs} =~ {rhs}")
        elif row.op == "~":
            lines.append(f"{row.lhs} ~ {rhs}")
        else:
            lines.append(f"{row.lhs} ~~ {rhs}")
    return "\n".join(lines)


def fit_semopy(
    rows: Sequence[Any],
    observed: Sequence[str],
    sample_cov: NDArray[np.float64],
    n: int,
    *,
    solver: str = "SLSQP",
) -> SemopyFit:
    """Fit the model to a covariance matrix with semopy's ML objective.

    Parameters
    ----------
    rows : sequence of Row
        The parameter table (:func:`cxmetrics._engines.model_syntax.build_partable`).
    observed : sequence of str
        Names of the rows/columns of ``sample_cov``.
    sample_cov : numpy.ndarray
        Sample covariance matrix.
    n : int
        Number of observations.
    solver : str, default: 'SLSQP'
        semopy solver (``'SLSQP'``, ``'trust-constr'``, …).

    Raises
    ------
    MissingDependencyError
        semopy is not installed (``pip install 'cxmetrics[sem]'``).
    EngineError
        semopy failed; the original exception is chained.
    """
    semopy = import_optional("semopy", "sem", "Starting values from semopy")
    description = semopy_syntax(rows)
    cov = pd.DataFrame(
        np.array(sample_cov, dtype=np.float64, copy=True),
        index=list(observed),
        columns=list(observed),
    )
    previous = logging.root.manager.disable
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # semopy reports through the root logger (e.g. "Fisher Information
            # Matrix is not PD"); keep that out of the caller's logs
            logging.disable(logging.WARNING)
            model = semopy.Model(description)
            info = model.fit(cov=cov, n_samples=int(n), obj="MLW", solver=solver)
            table = model.inspect()
    except Exception as err:  # any engine failure becomes EngineError
        raise EngineError(
            f"semopy failed to fit the model ({type(err).__name__}: {err}). Hint: "
            "use the default starting values (start='default') or 'simple'."
        ) from err
    finally:
        logging.disable(previous)
    estimates: dict[tuple[str, str, str], float] = {}
    latent = {row.lhs for row in rows if row.op == "=~"}
    for record in table.itertuples(index=False):
        lval, op, rval = str(record[0]), str(record[1]), str(record[2])
        try:
            value = float(record[3])
        except (TypeError, ValueError):
            continue
        if op == "~" and rval in latent and lval not in latent:
            key = (rval, "=~", lval)
            if not any(r.op == "=~" and (r.lhs, r.rhs) == (rval, lval) for r in rows):
                key = (lval, "~", rval)
        elif op == "~":
            key = (lval, "~", rval)
            if any(r.op == "=~" and (r.lhs, r.rhs) == (rval, lval) for r in rows):
                key = (rval, "=~", lval)
        else:
            key = (lval, "~~", rval)
            estimates[(rval, "~~", lval)] = value
        estimates[key] = value
    objective = float(getattr(info, "fun", np.nan))
    iterations = int(getattr(info, "n_it", -1) or -1)
    return SemopyFit(estimates, objective, solver, iterations)
