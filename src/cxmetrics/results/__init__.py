"""Result objects: immutable values that print well and convert to tidy frames.

Imports: numpy, pandas, suffstats, estimators (to recompute intervals). Plotting
is imported lazily by the ``plot`` methods only.
"""

from cxmetrics.results.base import ConfidenceInterval, ResultBase, Summary

__all__ = ["ConfidenceInterval", "ResultBase", "Summary"]
