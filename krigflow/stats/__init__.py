"""krigflow.stats."""

from krigflow.stats.running import (
    HistogramSpec,
    RunningStats,
    cutoff_name,
    quantile_name,
    uniform_edges,
)
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
    volume_spec,
)

__all__ = ["HistogramSpec", "PICKS", "RunningStats", "REALIZATIONS_FILE", "SummarySpec", "SummaryTable", "VolumeSpec", "cutoff_name",
           "quantile_name", "summarize", "summary_columns", "summary_record", "summary_spec", "uniform_edges",
           "volume_spec"]
