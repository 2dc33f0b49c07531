"""Response scales: the integer points a rating may take."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["CES_SCALE", "CSAT_SCALE", "NPS_SCALE", "ResponseScale"]


@dataclass(frozen=True, slots=True)
class ResponseScale:
    """An integer rating scale from ``low`` to ``high`` inclusive.

    Parameters
    ----------
    low, high : int
        The lowest and highest points of the scale.
    name : str
        A label used in messages, e.g. ``"0–10 likelihood to recommend"``.
    """

    low: int
    high: int
    name: str = ""

    @property
    def points(self) -> NDArray[np.float64]:
        """All points of the scale, ascending."""
        return np.arange(self.low, self.high + 1, dtype=np.float64)

    @property
    def size(self) -> int:
        """Number of points."""
        return self.high - self.low + 1

    def describe(self) -> str:
        """Describe the scale for messages."""
        label = f" ({self.name})" if self.name else ""
        return f"integers {self.low}–{self.high}{label}"


NPS_SCALE = ResponseScale(0, 10, "likelihood to recommend")
CSAT_SCALE = ResponseScale(1, 5, "satisfaction")
CES_SCALE = ResponseScale(1, 7, "customer effort")
