"""Sufficient-statistics layer: small, frozen, mergeable sums.

Everything a score estimator needs is a set of sums per group × stratum (× category):
counts, Σw, Σw² and the weighted moments. These classes hold them as numpy arrays,
know nothing of pandas or the caller's engine, and merge by addition, so sums
computed on separate chunks, partitions or waves combine exactly.

Imports: numpy only.
"""

from cxmetrics.suffstats.counts import CategoryCounts
from cxmetrics.suffstats.moments import Moments

__all__ = ["CategoryCounts", "Moments"]
