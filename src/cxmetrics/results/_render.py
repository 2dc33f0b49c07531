"""The one place that turns numbers into text (display only; values never change)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["format_value", "frame_to_html", "frame_to_latex", "frame_to_text"]

# How each known column is shown: (kind, decimals).
_FORMATS: dict[str, tuple[str, int]] = {
    "estimate": ("number", 1),
    "std_error": ("number", 2),
    "ci_low": ("number", 1),
    "ci_high": ("number", 1),
    "promoters": ("percent", 1),
    "passives": ("percent", 1),
    "detractors": ("percent", 1),
    "share": ("percent", 1),
    "n": ("integer", 0),
    "n_eff": ("number", 1),
    "sum_weights": ("number", 1),
    "n_omitted": ("integer", 0),
    "statistic": ("number", 2),
    "p_value": ("pvalue", 4),
    "p_adjusted": ("pvalue", 4),
    "df": ("number", 0),
}


def format_value(value: Any, kind: str = "number", decimals: int = 2) -> str:
    """Format one value for display."""
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else ""
    if not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    x = float(value)
    if kind == "integer":
        return f"{round(x):,}".replace(",", " ")
    if kind == "percent":
        return f"{100 * x:.{decimals}f}%"
    if kind == "pvalue":
        return "<0.0001" if x < 1e-4 else f"{x:.{decimals}f}"
    if kind == "signed":
        return f"{x:+.{decimals}f}"
    return f"{x:,.{decimals}f}".replace(",", " ")


def _formatted(
    frame: pd.DataFrame, formats: Mapping[str, tuple[str, int]]
) -> pd.DataFrame:
    merged = {**_FORMATS, **formats}
    out = {}
    for column in frame.columns:
        kind, decimals = merged.get(str(column), ("number", 3))
        out[column] = [format_value(v, kind, decimals) for v in frame[column]]
    return pd.DataFrame(out, index=frame.index)


def frame_to_text(
    frame: pd.DataFrame, formats: Mapping[str, tuple[str, int]] | None = None
) -> str:
    """Render a result table as aligned plain text."""
    shown = _formatted(frame, formats or {})
    return shown.to_string(index=False)


def frame_to_html(
    frame: pd.DataFrame,
    *,
    title: str,
    header: Sequence[tuple[str, str]] = (),
    footer: Sequence[str] = (),
    formats: Mapping[str, tuple[str, int]] | None = None,
) -> str:
    """Render a result table as an HTML block with a header and footer."""
    shown = _formatted(frame, formats or {})
    head = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
        f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
        for k, v in header
    )
    foot = "".join(
        f"<p style='margin:0'><small>{html.escape(f)}</small></p>" for f in footer
    )
    table = shown.to_html(index=False, escape=True, border=0)
    return (
        f"<div class='cxmetrics-result'><strong>{html.escape(title)}</strong>"
        f"<table>{head}</table>{table}{foot}</div>"
    )


def frame_to_latex(
    frame: pd.DataFrame, formats: Mapping[str, tuple[str, int]] | None = None
) -> str:
    """Render a result table as a LaTeX tabular (no jinja2 needed)."""
    shown = _formatted(frame, formats or {})

    def esc(text: object) -> str:
        s = str(text)
        for a, b in (
            ("\\", r"\textbackslash{}"),
            ("%", r"\%"),
            ("_", r"\_"),
            ("&", r"\&"),
            ("#", r"\#"),
            ("$", r"\$"),
        ):
            s = s.replace(a, b)
        return s.replace("–", "--")

    cols = "l" * len(shown.columns)
    lines = [rf"\begin{{tabular}}{{{cols}}}", r"\hline"]
    lines.append(" & ".join(esc(c) for c in shown.columns) + r" \\")
    lines.append(r"\hline")
    lines.extend(
        " & ".join(esc(v) for v in row) + r" \\"
        for row in shown.itertuples(index=False)
    )
    lines += [r"\hline", r"\end{tabular}"]
    return "\n".join(lines)
