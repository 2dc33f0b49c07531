"""Base classes of every result: tidy export, display, summaries, provenance."""

from __future__ import annotations

import functools
import importlib.metadata
import math
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxmetrics.results._render import frame_to_html, frame_to_latex, frame_to_text

__all__ = ["ConfidenceInterval", "ResultBase", "Summary", "provenance_versions"]


def provenance_versions(*extra: str) -> dict[str, str]:
    """Versions of cxmetrics and the libraries that computed a result."""
    return dict(_versions(extra))


@functools.lru_cache(maxsize=32)
def _versions(extra: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    names = ("cxmetrics", "numpy", "scipy", "pandas", "narwhals", *extra)
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return tuple(versions.items())


def _plain(value: Any) -> Any:
    """Convert numpy and pandas scalars to plain Python for JSON."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """A printable summary: a title, a header block, a table and footnotes.

    Render with :meth:`as_text`, :meth:`as_html` or :meth:`as_latex`.
    """

    title: str
    header: tuple[tuple[str, str], ...]
    table: pd.DataFrame
    footer: tuple[str, ...] = ()
    formats: Mapping[str, tuple[str, int]] = field(default_factory=dict)

    def as_text(self) -> str:
        """Render as plain text."""
        width = max(len(self.title), 40)
        pad = max([22, *(len(k) + 2 for k, _ in self.header)])
        head = "\n".join(f"{k + ':':<{pad}}{v}" for k, v in self.header)
        body = frame_to_text(self.table, self.formats)
        foot = "\n".join(self.footer)
        parts = [self.title, "=" * width, head, "-" * width, body]
        if foot:
            parts += ["-" * width, foot]
        return "\n".join(parts)

    def as_html(self) -> str:
        """Render as an HTML block."""
        return frame_to_html(
            self.table,
            title=self.title,
            header=self.header,
            footer=self.footer,
            formats=self.formats,
        )

    def as_latex(self) -> str:
        """Render the table as a LaTeX tabular, with the header as a comment."""
        head = "\n".join(f"% {k}: {v}" for k, v in self.header)
        return f"% {self.title}\n{head}\n{frame_to_latex(self.table, self.formats)}"

    def __str__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfidenceInterval:
    """Confidence limits for one or more estimates.

    Attributes
    ----------
    low, high : numpy.ndarray
        Lower and upper limits, one per row of ``labels``.
    confidence_level : float
        Nominal coverage.
    method : str
        Interval method.
    labels : pandas.DataFrame
        Group columns identifying each row (no columns when ungrouped).
    """

    low: np.ndarray
    high: np.ndarray
    confidence_level: float
    method: str
    labels: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Return a tidy frame: group columns, ``ci_low``, ``ci_high``."""
        out = self.labels.reset_index(drop=True).copy()
        out["ci_low"] = self.low
        out["ci_high"] = self.high
        out["confidence_level"] = self.confidence_level
        out["method"] = self.method
        return out

    def __repr__(self) -> str:
        level = f"{100 * self.confidence_level:g}%"
        if len(self.low) == 1:
            return (
                f"ConfidenceInterval({level} [{self.low[0]:.4g}, {self.high[0]:.4g}], "
                f"method={self.method!r})"
            )
        groups = len(self.low)
        return f"ConfidenceInterval({level}, {groups} groups, method={self.method!r})"


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultBase:
    """Common behaviour of result objects.

    Subclasses hold their numbers in ``table`` (the tidy frame ``to_frame``
    returns) and implement :meth:`_title` and :meth:`_header`.
    """

    table: pd.DataFrame
    group_names: tuple[str, ...] = ()
    call: Mapping[str, Any] = field(default_factory=dict)
    versions: Mapping[str, str] = field(default_factory=dict)

    # --- export -----------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Return the results as a tidy DataFrame (a copy; numbers unrounded)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return plain Python data (lists, floats, str) for JSON and APIs."""
        records = [
            {str(k): _plain(v) for k, v in row.items()}
            for row in self.table.to_dict(orient="records")
        ]
        return {
            "kind": type(self).__name__,
            "group_names": list(self.group_names),
            "rows": records,
            "call": {
                k: _plain(v) if not isinstance(v, list | tuple) else list(v)
                for k, v in self.call.items()
            },
            "versions": dict(self.versions),
        }

    # --- display ----------------------------------------------------------------
    def _title(self) -> str:
        return type(self).__name__

    def _header(self) -> list[tuple[str, str]]:
        return []

    def _display_columns(self) -> list[str]:
        return list(self.table.columns)

    def _formats(self) -> dict[str, tuple[str, int]]:
        return {}

    def _footer(self) -> list[str]:
        return []

    def summary(self) -> Summary:
        """Return a :class:`Summary` (text, HTML or LaTeX) with provenance."""
        footer = [*self._footer()]
        if self.call:
            args = ", ".join(
                f"{k}={v!r}" for k, v in self.call.items() if k != "function"
            )
            footer.append(f"call: {self.call.get('function', '')}({args})")
        if self.versions:
            footer.append(
                "versions: " + ", ".join(f"{k} {v}" for k, v in self.versions.items())
            )
        return Summary(
            title=self._title(),
            header=tuple(self._header()),
            table=self.table[self._display_columns()],
            footer=tuple(footer),
            formats=self._formats(),
        )

    def _repr_html_(self) -> str:
        return frame_to_html(
            self.table[self._display_columns()],
            title=self._title(),
            header=self._header(),
            footer=self._footer(),
            formats=self._formats(),
        )

    def _labels(self) -> pd.DataFrame:
        return self.table[list(self.group_names)].reset_index(drop=True)

    def _single_row(self, attribute: str) -> Any:
        if len(self.table) != 1:
            from cxmetrics.errors import InvalidParameterError

            raise InvalidParameterError(
                f"`{attribute}` is defined for a single estimate; this result has "
                f"{len(self.table)} rows. Hint: use `.to_frame()` or select a group "
                "with `.loc[label]`."
            )
        return self.table.iloc[0]


def group_labels_frame(
    groups: Sequence[tuple[Any, ...]],
    group_names: Sequence[str],
    columns: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Build a result table: group columns, then ``columns`` (a value per group)."""
    data: dict[str, Any] = {
        name: [group[i] for group in groups] for i, name in enumerate(group_names)
    }
    data.update(columns or {})
    return pd.DataFrame(data, index=range(len(groups)))
