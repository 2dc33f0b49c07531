"""Declarative checks of public-function parameters, and column look-ups.

Each public function declares its parameter constraints with :func:`validate_params`
(the idea of scikit-learn's ``validate_params``); the decorator checks them at the
public edge and stores them on the function, so a test can enumerate every
constraint and generate an invalid value for it. Data checks (columns, values) live
in :mod:`cxmetrics.data`.

Imports: errors only.
"""

from __future__ import annotations

import abc
import difflib
import functools
import inspect
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import numpy as np

from cxmetrics.errors import ColumnNotFoundError, InvalidParameterError

__all__ = [
    "CONFIDENCE_LEVEL",
    "Boolean",
    "ColumnNames",
    "Constraint",
    "Interval",
    "Options",
    "Seed",
    "as_list",
    "check_confidence_level",
    "check_method",
    "column_not_found",
    "validate_params",
]

P = ParamSpec("P")
R = TypeVar("R")


class Constraint(abc.ABC):
    """A rule a parameter value must satisfy."""

    description: str = ""
    hint: str | None = None

    @abc.abstractmethod
    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` satisfies the rule."""

    @abc.abstractmethod
    def invalid_example(self) -> object:
        """Return a value that breaks the rule (used by the generated tests)."""


@dataclass(frozen=True)
class Interval(Constraint):
    """A real (or integer) number in an interval.

    Parameters
    ----------
    kind : {'real', 'integral'}
        Whether any real number or only integers are allowed.
    low, high : float or None
        Bounds; ``None`` means unbounded.
    closed : {'both', 'left', 'right', 'neither'}
        Which bounds are included.
    none_ok : bool
        Whether ``None`` is also accepted.
    hint : str or None
        A hint appended to the error message.
    """

    kind: str = "real"
    low: float | None = None
    high: float | None = None
    closed: str = "both"
    none_ok: bool = False
    hint: str | None = None

    @property
    def description(self) -> str:  # type: ignore[override]
        """Describe the interval in words."""
        what = "an integer" if self.kind == "integral" else "a number"
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        text = f"{what} in {left}{lo}, {hi}{right}"
        return text + " or None" if self.none_ok else text

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` is a number inside the interval."""
        if value is None:
            return self.none_ok
        if isinstance(value, bool | np.bool_):
            return False
        if self.kind == "integral":
            if not isinstance(value, numbers.Integral):
                return False
        elif not isinstance(value, numbers.Real):
            return False
        x = float(value)  # type: ignore[arg-type]
        if not np.isfinite(x):
            return False
        if self.low is not None:
            if x < self.low or (x == self.low and self.closed in ("right", "neither")):
                return False
        if self.high is not None:
            if x > self.high or (x == self.high and self.closed in ("left", "neither")):
                return False
        return True

    def invalid_example(self) -> object:
        """Return a value outside the interval (or of the wrong type)."""
        if self.high is not None:
            return self.high + 1
        if self.low is not None:
            return self.low - 1
        return "not a number"


@dataclass(frozen=True)
class Options(Constraint):
    """One of a fixed set of values (usually strings)."""

    values: tuple[object, ...]
    none_ok: bool = False
    hint: str | None = None

    @property
    def description(self) -> str:  # type: ignore[override]
        """List the allowed values."""
        text = "one of " + ", ".join(repr(v) for v in self.values)
        return text + " or None" if self.none_ok else text

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` is one of the options."""
        if value is None:
            return self.none_ok
        try:
            return value in self.values
        except TypeError:
            return False

    def invalid_example(self) -> object:
        """Return a string that is not an option."""
        return "__not_an_option__"


@dataclass(frozen=True)
class Boolean(Constraint):
    """``True`` or ``False``."""

    description: str = "True or False"
    hint: str | None = None

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` is a bool."""
        return isinstance(value, bool | np.bool_)

    def invalid_example(self) -> object:
        """Return a non-bool."""
        return "yes"


@dataclass(frozen=True)
class ColumnNames(Constraint):
    """A column name, a sequence of names, or ``None`` (when ``none_ok``)."""

    many: bool = True
    none_ok: bool = True
    hint: str | None = None

    @property
    def description(self) -> str:  # type: ignore[override]
        """Describe what is accepted."""
        text = "a column name (str)"
        if self.many:
            text += " or a list of column names"
        return text + " or None" if self.none_ok else text

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` names one or more columns."""
        if value is None:
            return self.none_ok
        if isinstance(value, str):
            return True
        if self.many and isinstance(value, list | tuple):
            return len(value) > 0 and all(isinstance(v, str) for v in value)
        return False

    def invalid_example(self) -> object:
        """Return something that is not a column name."""
        return 3.5


@dataclass(frozen=True)
class Seed(Constraint):
    """``None``, a non-negative integer seed, or a ``numpy.random.Generator``."""

    description: str = "None, a non-negative int seed or a numpy.random.Generator"
    hint: str | None = None

    def is_satisfied_by(self, value: object) -> bool:
        """Return whether ``value`` can seed a generator."""
        if value is None or isinstance(value, np.random.Generator):
            return True
        return (
            isinstance(value, numbers.Integral)
            and not isinstance(value, bool)
            and int(value) >= 0
        )

    def invalid_example(self) -> object:
        """Return an invalid seed."""
        return "seed"


def _check(name: str, value: object, constraint: Constraint) -> None:
    if constraint.is_satisfied_by(value):
        return
    message = f"`{name}` must be {constraint.description}; got {value!r}."
    if constraint.hint:
        message += f" Hint: {constraint.hint}"
    raise InvalidParameterError(message)


def validate_params(
    constraints: Mapping[str, Constraint],
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Check the named parameters of a public function against ``constraints``.

    The constraints are stored on the wrapped function as
    ``__cxmetrics_constraints__`` so tests can enumerate them.
    """

    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(func)
        unknown = set(constraints) - set(signature.parameters)
        if unknown:  # an internal mistake, not user input
            raise RuntimeError(f"constraints for unknown parameters {unknown}")

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as err:
                raise InvalidParameterError(f"{func.__name__}(): {err}") from None
            bound.apply_defaults()
            for name, constraint in constraints.items():
                _check(name, bound.arguments[name], constraint)
            return func(*args, **kwargs)

        wrapper.__cxmetrics_constraints__ = dict(constraints)  # type: ignore[attr-defined]
        return wrapper

    return decorator


def column_not_found(
    column: str, available: Iterable[str], *, argument: str
) -> ColumnNotFoundError:
    """Build the error for a missing column, with close matches as a hint."""
    names = [str(c) for c in available]
    message = f"Column {column!r} (from `{argument}`) not found in `data`."
    close = difflib.get_close_matches(column, names, n=3, cutoff=0.6)
    lower = [n for n in names if n.lower() == column.lower() and n not in close]
    suggestions = lower + close
    if suggestions:
        message += " Did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
    shown: Sequence[str] = names if len(names) <= 20 else [*names[:20], "..."]
    message += f"\nAvailable columns: {list(shown)}"
    return ColumnNotFoundError(message)


CONFIDENCE_LEVEL = Interval(
    "real", 0, 1, closed="neither", hint="pass 0.95 for a 95% interval."
)


def check_confidence_level(value: object) -> float:
    """Validate a confidence level (outside a decorated function) and return it."""
    _check("confidence_level", value, CONFIDENCE_LEVEL)
    return float(value)  # type: ignore[arg-type]


def check_method(value: object, allowed: Sequence[str]) -> str:
    """Validate an interval method name and return it."""
    _check("method", value, Options(tuple(allowed)))
    return str(value)


def as_list(columns: str | Sequence[str] | None) -> list[str]:
    """One column name, several, or none, as a list."""
    if columns is None:
        return []
    return [columns] if isinstance(columns, str) else list(columns)
