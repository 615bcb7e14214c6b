"""krigflow.stats: per-cell statistics over realizations, mergeable across processes.

Modules: :mod:`~krigflow.stats.running` (:class:`RunningStats`: count, mean, M2, min, max and their
merge), :mod:`~krigflow.stats.histogram` (:class:`HistogramSpec`, pooled and per-cell histograms,
exceedance counts, output names of quantiles and cutoffs).
"""

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

__all__ = ["FIELDS", "HISTOGRAM_FIELDS", "PICKS", "REALIZATIONS_FILE", "HistogramSpec", "RunningStats", "SummarySpec",
           "SummaryTable", "VolumeSpec", "cutoff_name", "quantile_name", "summarize", "summary_columns",
           "summary_record", "summary_spec", "uniform_edges", "volume_config", "volume_spec"]
