"""cxmetrics: statistics of customer-experience surveys.

Scores with honest intervals (NPS, CSAT, CES, top-box, means), computed from small
sufficient statistics so the same code runs on pandas, polars, DuckDB and pyarrow
tables.
"""

from __future__ import annotations

import importlib.metadata

from cxmetrics import datasets, errors, measurement, plotting
from cxmetrics.compare import (
    benchmark_attributes,
    compare_periods,
    decompose_change,
    standardize,
)
from cxmetrics.drivers import drivers
from cxmetrics.gap import gap, gap_to_target
from cxmetrics.impact import link_outcome, negative_experience_cost
from cxmetrics.measurement import (
    cronbach_alpha,
    efa,
    htmt,
    omega,
    parallel_analysis,
    reliability,
)
from cxmetrics.priority import (
    asymmetric_impact,
    importance_performance,
    key_experiences,
)
from cxmetrics.results import ConfidenceInterval, Summary
from cxmetrics.results.compare import (
    BenchmarkResult,
    DecompositionResult,
    PeriodComparisonResult,
    StandardizedResult,
)
from cxmetrics.results.drivers import DriverResult
from cxmetrics.results.gap import (
    AsymmetricImpactResult,
    GapResult,
    ImportancePerformanceResult,
    KeyExperienceResult,
)
from cxmetrics.results.impact import NegativeExperienceCostResult, OutcomeLinkResult
from cxmetrics.results.sampling import (
    BenchmarkPlanResult,
    DetectableDifferenceResult,
    MarginOfErrorResult,
    PowerResult,
    QuotaResult,
    SampleSizeResult,
)
from cxmetrics.results.scores import (
    ComparisonResult,
    MeanResult,
    NPSResult,
    PairedComparisonResult,
    SatisfactionResult,
    ShareResult,
)
from cxmetrics.results.sem import (
    AlphaResult,
    EFAResult,
    HTMTResult,
    IPMAResult,
    OmegaResult,
    ParallelAnalysisResult,
    ReliabilityResult,
    SEMEffectsResult,
    SEMResult,
)
from cxmetrics.results.weighting import (
    CalibratedScoreResult,
    WeightDiagnosticsResult,
    WeightingResult,
)
from cxmetrics.sampling import (
    benchmark_plan,
    margin_of_error,
    min_detectable_difference,
    power,
    quota_frame,
    sample_size_mean,
    sample_size_mean_difference,
    sample_size_nps,
    sample_size_nps_difference,
    sample_size_share,
    sample_size_share_difference,
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
from cxmetrics.sem import DriverSEM, acsi_model, ecsi_model
from cxmetrics.weighting import (
    calibrated_score,
    poststratify,
    rake,
    trim_weights,
    weight_diagnostics,
)

try:
    __version__ = importlib.metadata.version("cxmetrics")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "AlphaResult",
    "AsymmetricImpactResult",
    "BenchmarkPlanResult",
    "BenchmarkResult",
    "CalibratedScoreResult",
    "ComparisonResult",
    "ConfidenceInterval",
    "DecompositionResult",
    "DetectableDifferenceResult",
    "DriverResult",
    "DriverSEM",
    "EFAResult",
    "GapResult",
    "HTMTResult",
    "IPMAResult",
    "ImportancePerformanceResult",
    "KeyExperienceResult",
    "MarginOfErrorResult",
    "MeanResult",
    "NPSResult",
    "NegativeExperienceCostResult",
    "OmegaResult",
    "OutcomeLinkResult",
    "PairedComparisonResult",
    "ParallelAnalysisResult",
    "PeriodComparisonResult",
    "PowerResult",
    "QuotaResult",
    "ReliabilityResult",
    "SEMEffectsResult",
    "SEMResult",
    "SampleSizeResult",
    "SatisfactionResult",
    "ShareResult",
    "StandardizedResult",
    "Summary",
    "WeightDiagnosticsResult",
    "WeightingResult",
    "__version__",
    "acsi_model",
    "asymmetric_impact",
    "benchmark_attributes",
    "benchmark_plan",
    "calibrated_score",
    "ces",
    "compare_nps",
    "compare_nps_paired",
    "compare_periods",
    "compare_scores",
    "compare_scores_paired",
    "cronbach_alpha",
    "csat",
    "datasets",
    "decompose_change",
    "drivers",
    "ecsi_model",
    "efa",
    "errors",
    "gap",
    "gap_to_target",
    "htmt",
    "importance_performance",
    "key_experiences",
    "link_outcome",
    "margin_of_error",
    "mean_score",
    "measurement",
    "min_detectable_difference",
    "negative_experience_cost",
    "nps",
    "nps_from_counts",
    "omega",
    "parallel_analysis",
    "plotting",
    "poststratify",
    "power",
    "quota_frame",
    "rake",
    "reliability",
    "sample_size_mean",
    "sample_size_mean_difference",
    "sample_size_nps",
    "sample_size_nps_difference",
    "sample_size_share",
    "sample_size_share_difference",
    "standardize",
    "top_box",
    "trim_weights",
    "weight_diagnostics",
]
