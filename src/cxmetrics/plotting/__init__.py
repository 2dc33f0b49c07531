"""Figures from result objects (matplotlib, imported lazily inside each function).

Every function takes a result (or plain parameters), an optional ``ax``, and
returns the Axes it drew on. Nothing here computes statistics.
"""

from cxmetrics.plotting.scores import forest, nps_bars

__all__ = ["forest", "nps_bars"]
