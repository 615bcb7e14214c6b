"""Tests of krigflow.plotting.histogram: data against the pooled realizations, or against the cell means."""

import numpy as np
from finished_run import assert_real_png, make_run_dir
from matplotlib.figure import Figure

from krigflow.io import load_results, read_wells
from krigflow.plotting.histogram import plot_histogram, write_histogram_figure


def test_histogram_of_pooled_realizations_and_data(tmp_path):
    """The pooled histogram is a density (area 1) and the data are drawn over it; the axes are returned."""
    folder = make_run_dir(tmp_path / "run")
    arrays, _ = load_results(folder)
    ax = Figure().subplots()
    assert plot_histogram(arrays, ax=ax, wells=read_wells(folder), prop="GR", unit="gAPI") is ax
    stairs = ax.patches[0]
    density, edges = stairs.get_data().values, stairs.get_data().edges
    np.testing.assert_allclose(np.sum(density * np.diff(edges)), 1.0)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["realizations (all cells, pooled)", "conditioning data (n = 36)"]
    assert ax.get_xlabel() == "GR (gAPI)"


def test_histogram_without_pooled_histogram_says_so(tmp_path):
    """Without hist_counts the cell means are drawn, and labelled as such."""
    arrays, _ = load_results(make_run_dir(tmp_path / "run", histogram=False))
    ax = plot_histogram(arrays, ax=Figure().subplots())
    assert "cell means" in ax.get_legend().get_texts()[0].get_text()
    assert_real_png(write_histogram_figure(arrays, str(tmp_path / "h.png"), dpi=60))
