"""krigflow.plotting."""

from krigflow.plotting.figures import default_slices, plot_results, section_path

__all__ = ["default_slices", "plot_results", "section_path"]
