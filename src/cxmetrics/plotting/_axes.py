"""The one way a figure function gets its Axes (matplotlib imported lazily)."""

from __future__ import annotations

from typing import Any

from cxmetrics._optional import import_optional

__all__ = ["axes_or_new"]


def axes_or_new(ax: Any, size: tuple[float, float] = (7.0, 3.2)) -> Any:
    """Return ``ax``, or the Axes of a new figure of ``size`` inches."""
    if ax is not None:
        return ax
    plt = import_optional("matplotlib.pyplot", "plot", "Plotting")
    _, new_ax = plt.subplots(figsize=size)
    return new_ax
