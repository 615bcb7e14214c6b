"""Tests of krigflow.plotting.section: which wells a section passes through, and one statistic drawn on it."""

import numpy as np
import pytest
from finished_run import NAMES, assert_real_png, make_run_dir
from matplotlib.figure import Figure

from krigflow.exceptions import KrigflowError
from krigflow.io import load_results, read_wells
from krigflow.plotting.section import plot_section, section_geometry, section_path, write_section_figure


def test_section_path_orders_wells_along_their_trend(tmp_path):
    """By default the section follows the wells' main trend; named wells keep the order given."""
    wells = read_wells(make_run_dir(tmp_path / "run"))
    assert [n for n, _ in section_path(wells)] in (list(NAMES), list(NAMES[::-1]))
    assert [n for n, _ in section_path(wells, ["c 3", "a_1"])] == ["C-3", "A-1"]


def test_section_geometry_runs_through_the_wells(tmp_path):
    """The polyline passes through every section well, a little beyond the end ones; depth edges are the grid's."""
    folder = make_run_dir(tmp_path / "run")
    arrays, _ = load_results(folder)
    wells = read_wells(folder)
    g = section_geometry(arrays, wells, ["A-1", "C-3"])
    np.testing.assert_allclose(g["polyline"][1:-1], [p for _, p in g["vertices"]])
    assert g["x_edges"][0] == 0.0 and g["x_edges"][-1] == pytest.approx(g["length"])
    np.testing.assert_allclose(g["z_edges"][[0, -1]], [1000.0, 1060.0])
    assert g["inside"].any() and g["tolerance"] == 100.0


def test_plot_section_on_given_axes(tmp_path):
    """The axes given are returned with the section of the statistic, depth increasing downward."""
    folder = make_run_dir(tmp_path / "run")
    arrays, _ = load_results(folder)
    ax = Figure().subplots()
    assert plot_section(arrays, "std", wells=read_wells(folder), ax=ax, unit="gAPI") is ax
    bottom, top = ax.get_ylim()
    assert bottom > top  # TVDSS down
    values = np.asarray(ax.collections[0].get_array())
    assert np.nanmin(values) >= arrays["std"].min() and np.nanmax(values) <= arrays["std"].max()
    assert sorted(t.get_text() for t in ax.texts if t.get_text() in NAMES) == sorted(NAMES)
    with pytest.raises(KrigflowError, match="statistic 'p95' not in the results"):
        plot_section(arrays, "p95", wells=read_wells(folder), ax=ax)


def test_write_section_figure(tmp_path):
    """One row per statistic in a real PNG."""
    folder = make_run_dir(tmp_path / "run")
    arrays, _ = load_results(folder)
    path = write_section_figure(arrays, str(tmp_path / "s.png"), wells=read_wells(folder), statistics=["mean", "std"],
                                dpi=60)
    assert_real_png(path)
