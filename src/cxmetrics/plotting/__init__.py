"""Figures from result objects (matplotlib, imported lazily inside each function).

Every function takes a result (or plain parameters), an optional ``ax``, and
returns the Axes it drew on. Nothing here computes statistics.
"""

from cxmetrics.plotting.compare import (
    benchmark_gaps,
    trend,
    waterfall,
    weighted_margins,
)
from cxmetrics.plotting.drivers import importance_bars, importance_performance
from cxmetrics.plotting.gap import (
    gap_dumbbell,
    penalty_reward_bars,
    priority_bars,
    quadrant_chart,
)
from cxmetrics.plotting.impact import (
    cost_funnel,
    cost_waterfall,
    outcome_by_nps_group,
    outcome_vs_nps,
)
from cxmetrics.plotting.sampling import (
    benchmark_chart,
    margin_of_error_curve,
    power_curve,
    quota_bars,
)
from cxmetrics.plotting.scores import forest, nps_bars
from cxmetrics.plotting.sem import ipma_chart, loadings_heatmap, path_diagram

__all__ = [
    "benchmark_chart",
    "benchmark_gaps",
    "cost_funnel",
    "cost_waterfall",
    "forest",
    "gap_dumbbell",
    "importance_bars",
    "importance_performance",
    "ipma_chart",
    "loadings_heatmap",
    "margin_of_error_curve",
    "nps_bars",
    "outcome_by_nps_group",
    "outcome_vs_nps",
    "path_diagram",
    "penalty_reward_bars",
    "power_curve",
    "priority_bars",
    "quadrant_chart",
    "quota_bars",
    "trend",
    "waterfall",
    "weighted_margins",
]
