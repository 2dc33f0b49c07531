"""Exceptions and warnings raised by cxmetrics.

Every error derives from :class:`CxMetricsError` and also from the built-in a caller
would naturally catch (``ValueError``, ``KeyError``, ``TypeError``, ``RuntimeError``),
so ``except ValueError`` keeps working in code that does not know cxmetrics.
Every warning derives from :class:`CxMetricsWarning`.

This module imports nothing from the rest of the package.
"""

from __future__ import annotations

__all__ = [
    "ApproximationWarning",
    "ColumnNotFoundError",
    "ConvergenceError",
    "ConvergenceWarning",
    "CxMetricsError",
    "CxMetricsWarning",
    "DegenerateDataWarning",
    "EngineError",
    "InsufficientDataError",
    "InvalidDataError",
    "InvalidParameterError",
    "MissingDependencyError",
    "PlanningWarning",
    "RowsRequiredError",
    "SmallSampleWarning",
    "WeightingWarning",
]


class CxMetricsError(Exception):
    """Base class of every error raised by cxmetrics."""


class InvalidParameterError(CxMetricsError, ValueError, TypeError):
    """An argument has the wrong type or a value outside what is allowed."""


class InvalidDataError(CxMetricsError, ValueError):
    """The data hold values the analysis cannot use (off-scale, negative weights…)."""


class ColumnNotFoundError(CxMetricsError, KeyError):
    """A named column is not in the data."""

    def __str__(self) -> str:
        # KeyError.__str__ quotes its argument and so hides newlines; keep the text.
        return str(self.args[0]) if self.args else ""


class InsufficientDataError(CxMetricsError, ValueError):
    """Too few usable observations to compute anything at all."""


class ConvergenceError(CxMetricsError, RuntimeError):
    """An iterative procedure did not converge."""


class EngineError(CxMetricsError, RuntimeError):
    """A third-party engine (semopy, factor_analyzer, statsmodels) failed."""


class MissingDependencyError(CxMetricsError, ImportError):
    """An optional dependency is needed; the message names the extra to install."""


class RowsRequiredError(CxMetricsError, TypeError):
    """The method needs row-level data in memory, and the input is a lazy table."""


class CxMetricsWarning(UserWarning):
    """Base class of every warning issued by cxmetrics."""


class SmallSampleWarning(CxMetricsWarning):
    """A large-sample approximation is used on a small (effective) sample."""


class DegenerateDataWarning(CxMetricsWarning, RuntimeWarning):
    """The data leave a quantity undefined (zero variance…); NaN is returned."""


class WeightingWarning(CxMetricsWarning):
    """Weights are extreme or the design effect is large."""


class ApproximationWarning(CxMetricsWarning):
    """An approximation of stated accuracy replaces an exact computation."""


class PlanningWarning(CxMetricsWarning):
    """A plan breaks a rule of good practice (too many brands, over budget…)."""


class ConvergenceWarning(CxMetricsWarning):
    """An iterative procedure stopped at its limit; the result is flagged."""
