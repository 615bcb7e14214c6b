"""Figures of a corner-point model: maps along layers and zones, sections with the cell geometry."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from krigflow.plotting.cornerpoint import (
    plot_cornerpoint_section,
    plot_layer_map,
    write_cornerpoint_figures,
)
from krigflow.zones import Lattice
from krigflow.zones.synthetic import make_layered_truth


@pytest.fixture(scope="module")
def truth():
    return make_layered_truth(Lattice.from_bounds((0.0, 600.0, 0.0, 400.0), (100.0, 100.0)), layers=(2, 3, 2))


def test_section_polygons_follow_the_interfaces(truth):
    """The section has one polygon per cell of the row, whose corners are the interfaces at the pillars."""
    ax = plot_cornerpoint_section(truth.sgrid, truth.values, row=1)
    coll = ax.collections[0]
    assert len(coll.get_paths()) == 6 * 7
    first = coll.get_paths()[0].vertices
    ifc = 0.5 * (truth.sgrid.interfaces[:, 1] + truth.sgrid.interfaces[:, 2])
    np.testing.assert_allclose(first[:4, 1], [ifc[0, 0], ifc[1, 0], ifc[1, 1], ifc[0, 1]])
    assert ax.yaxis_inverted()
    matplotlib.pyplot.close("all")


def test_layer_map_and_files(tmp_path, truth):
    """A layer map names its zone; write_cornerpoint_figures writes one map per zone and the sections."""
    ax = plot_layer_map(truth.sgrid, truth.values, 3)
    assert ax.get_title() == "layer 4 (zone B)"
    files = write_cornerpoint_figures(str(tmp_path), truth.sgrid, {"mean": truth.values, "std": truth.values})
    assert [f.rsplit("/", 1)[1] for f in files] == ["zone_1_mean.png", "zone_2_mean.png", "zone_3_mean.png",
                                                     "section_mean.png", "section_std.png"]
    assert all((tmp_path / f.rsplit("/", 1)[1]).stat().st_size > 1000 for f in files)
    matplotlib.pyplot.close("all")
