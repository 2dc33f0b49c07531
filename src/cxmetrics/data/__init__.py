"""Input layer: from the caller's table to small tables of weighted sums.

The functions here accept any frame narwhals supports (pandas, polars eager or lazy,
DuckDB relations, pyarrow tables, …) or one-dimensional arrays, validate the named
columns, and reduce the rows to sums per group inside the caller's engine.

Imports: errors, _validation, narwhals, numpy, pandas. Nothing from the estimators.
"""

from cxmetrics.data.frame import ValueTable, reduce_values
from cxmetrics.data.scales import CES_SCALE, CSAT_SCALE, NPS_SCALE, ResponseScale

__all__ = [
    "CES_SCALE",
    "CSAT_SCALE",
    "NPS_SCALE",
    "ResponseScale",
    "ValueTable",
    "reduce_values",
]
