"""krigflow.stats."""

from krigflow.stats.running import (
    HistogramSpec,
    RunningStats,
    cutoff_name,
    quantile_name,
    uniform_edges,
)

__all__ = ["HistogramSpec", "RunningStats", "cutoff_name", "quantile_name", "uniform_edges"]
