"""Tests of krigflow.plotting.maps: a map slice on given or new axes, from arrays or a Dataset."""

import numpy as np
import numpy.testing as npt
import pytest
from finished_run import assert_real_png, close_new_pyplot_figures, make_run_dir
from matplotlib.figure import Figure

from krigflow.exceptions import KrigflowError
from krigflow.io import load_results, read_wells, to_dataset
from krigflow.plotting.maps import default_slices, plot_map, slice_index, write_map_figure

pyplot_figures = pytest.fixture(close_new_pyplot_figures, name="pyplot_figures")


def test_default_slices():
    """Three depths at 25/50/75 % of the range, on cell centres, without repeats."""
    assert default_slices(np.array([1002.5])) == [1002.5]
    assert default_slices(np.arange(1002.5, 1200, 5.0)) == [1052.5, 1097.5, 1147.5]


def test_plot_map_draws_the_layer_on_the_axes_given(tmp_path):
    """The axes given are returned, holding the layer of the depth asked, wells and the data of that layer."""
    folder = make_run_dir(tmp_path / "run")
    arrays, _ = load_results(folder)
    ax = Figure().subplots()
    assert plot_map(arrays, "mean", 1031.0, ax=ax, wells=read_wells(folder), prop="GR", unit="gAPI") is ax
    k = slice_index(arrays["tvdss"], 1031.0, 5.0)
    assert k == 6 and ax.get_title() == "TVDSS 1032.5 m (layer 6)"
    npt.assert_array_equal(np.asarray(ax.collections[0].get_array()).ravel(), arrays["mean"][:, :, k].T.ravel())
    assert len(ax.lines) >= 3 * 2  # a trajectory and a crossing point per well
    assert len(ax.collections) == 2  # the mesh and the data of the layer
    assert ax.figure.axes[-1].get_ylabel() == "GR mean (gAPI)"  # the colour bar


def test_plot_map_takes_a_dataset_and_makes_its_own_axes(tmp_path, pyplot_figures):
    """Without ax, a new figure is made; an xarray.Dataset draws exactly what its arrays do, labelled by its attributes."""
    arrays, summary = load_results(make_run_dir(tmp_path / "run"))
    ax = plot_map(to_dataset(arrays, summary=summary), "std")
    assert ax.figure.number in pyplot_figures.get_fignums()
    k = slice_index(arrays["tvdss"], default_slices(arrays["tvdss"])[1], 5.0)
    npt.assert_array_equal(np.asarray(ax.collections[0].get_array()).ravel(), arrays["std"][:, :, k].T.ravel())
    assert ax.figure.axes[-1].get_ylabel() == "GR standard deviation (gAPI)"  # property and unit from the Dataset


def test_plot_map_errors(tmp_path):
    """An unknown statistic and a depth outside the grid are named."""
    arrays, _ = load_results(make_run_dir(tmp_path / "run"))
    with pytest.raises(KrigflowError, match="statistic 'p95' not in the results"):
        plot_map(arrays, "p95", ax=Figure().subplots())
    with pytest.raises(KrigflowError, match=r"slice at TVDSS 900 m is outside the grid \(TVDSS 1000 to 1060 m\)"):
        plot_map(arrays, "mean", 900.0, ax=Figure().subplots())


def test_write_map_figure_is_a_png_of_one_panel_per_depth(tmp_path):
    """The file holds one panel per depth plus one shared colour bar."""
    folder = make_run_dir(tmp_path / "run")
    arrays, _ = load_results(folder)
    path = write_map_figure(arrays, "mean", [1010.0, 1040.0], str(tmp_path / "m.png"), wells=read_wells(folder), dpi=60)
    assert_real_png(path)
