"""krigflow.stats: per-cell statistics over realizations, mergeable across processes.

Modules: :mod:`~krigflow.stats.running` (:class:`RunningStats`: count, mean, M2, min, max and their
merge), :mod:`~krigflow.stats.histogram` (:class:`HistogramSpec`, pooled and per-cell histograms,
exceedance counts, output names of quantiles and cutoffs), :mod:`~krigflow.stats.gaussian` (exact per-cell
quantiles of the conditional method from the kriging moments of :mod:`~krigflow.stats.kriging_moments`).
"""

from krigflow.stats.gaussian import GaussianQuantiles, default_max_data, exact_outputs, sk_moments
from krigflow.stats.histogram import (
    HISTOGRAM_FIELDS,
    HistogramSpec,
    cutoff_name,
    quantile_name,
    uniform_edges,
)
from krigflow.stats.running import FIELDS, RunningStats
from krigflow.stats.summaries import (
    PICKS,
    REALIZATIONS_FILE,
    SummarySpec,
    SummaryTable,
    VolumeSpec,
    summarize,
    summary_columns,
    summary_record,
    summary_spec,
    volume_config,
    volume_spec,
)

__all__ = ["FIELDS", "HISTOGRAM_FIELDS", "PICKS", "REALIZATIONS_FILE", "GaussianQuantiles", "HistogramSpec",
           "RunningStats", "SummarySpec", "default_max_data", "exact_outputs", "sk_moments",
           "SummaryTable", "VolumeSpec", "cutoff_name", "quantile_name", "summarize", "summary_columns",
           "summary_record", "summary_spec", "uniform_edges", "volume_config", "volume_spec"]
