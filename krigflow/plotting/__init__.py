"""krigflow.plotting: figures of a run's results (matplotlib, imported inside the calls).

Every ``plot_*`` function draws on ``ax`` (default: a new figure) and returns the axes, as GSTools and
xarray do; the ``write_*_figure`` functions and :func:`plot_results` write PNG files. The matplotlib
backend is never switched.
"""

from krigflow.plotting.histogram import plot_histogram, write_histogram_figure
from krigflow.plotting.maps import default_slices, plot_map, slice_index, write_map_figure
from krigflow.plotting.results import FIGURE_DIR, MAP_STATISTICS, plot_results, write_run_figures
from krigflow.plotting.section import plot_section, section_geometry, section_path, write_section_figure
from krigflow.plotting.trend import plot_trend, write_trend_figure
from krigflow.plotting.validation import plot_accuracy, plot_pit, write_validation_figures
from krigflow.plotting.variogram import plot_variogram, variogram_from_keys, write_variogram_figure

__all__ = [
    "FIGURE_DIR",
    "MAP_STATISTICS",
    "default_slices",
    "plot_accuracy",
    "plot_histogram",
    "plot_map",
    "plot_results",
    "plot_pit",
    "plot_section",
    "plot_trend",
    "plot_variogram",
    "section_geometry",
    "section_path",
    "slice_index",
    "variogram_from_keys",
    "write_histogram_figure",
    "write_map_figure",
    "write_run_figures",
    "write_section_figure",
    "write_trend_figure",
    "write_validation_figures",
    "write_variogram_figure",
]
