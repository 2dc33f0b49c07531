"""cxmetrics: statistics of customer-experience surveys.

Scores with honest intervals (NPS, CSAT, CES, top-box, means), computed from small
sufficient statistics so the same code runs on pandas, polars, DuckDB and pyarrow
tables.
"""

from __future__ import annotations

import importlib.metadata

from cxmetrics import datasets, errors, plotting
from cxmetrics.results import ConfidenceInterval, Summary
from cxmetrics.results.scores import (
    ComparisonResult,
    MeanResult,
    NPSResult,
    PairedComparisonResult,
    SatisfactionResult,
    ShareResult,
)
from cxmetrics.scores import (
    ces,
    compare_nps,
    compare_nps_paired,
    compare_scores,
    compare_scores_paired,
    csat,
    mean_score,
    nps,
    nps_from_counts,
    top_box,
)

try:
    __version__ = importlib.metadata.version("cxmetrics")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "ComparisonResult",
    "ConfidenceInterval",
    "MeanResult",
    "NPSResult",
    "PairedComparisonResult",
    "SatisfactionResult",
    "ShareResult",
    "Summary",
    "__version__",
    "ces",
    "compare_nps",
    "compare_nps_paired",
    "compare_scores",
    "compare_scores_paired",
    "csat",
    "datasets",
    "errors",
    "mean_score",
    "nps",
    "nps_from_counts",
    "plotting",
    "top_box",
]
