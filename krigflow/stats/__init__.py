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

__all__ = ["FIELDS", "HISTOGRAM_FIELDS", "HistogramSpec", "RunningStats", "cutoff_name", "quantile_name",
           "uniform_edges"]
