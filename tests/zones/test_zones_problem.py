"""The zoned problem of a run: from wells and a config to realizations on the corner-point cells."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.zones import Lattice, write_tops
from krigflow.zones.config import validate_zones
from krigflow.zones.problem import build_zoned_problem, combined_data, nominal_grid
from krigflow.zones.synthetic import default_well_positions, make_layered_truth, sample_wells, truth_tops


@pytest.fixture(scope="module")
def zoned(tmp_path_factory):
    truth = make_layered_truth(Lattice.from_bounds((0.0, 1000.0, 0.0, 1000.0), (50.0, 50.0)), layers=(5, 6, 4))
    wells = sample_wells(truth, default_well_positions(truth.sgrid.lattice, 6), stop_above_base=[2])
    tops = write_tops(tmp_path_factory.mktemp("z") / "tops.csv", truth_tops(truth, wells))
    config = {"zones": validate_zones({"tops": str(tops), "surfaces": ["Top_A", "Top_B", "Top_C", "Base_C"],
                                       "layers": [5, 6, 4]}),
              "grid": {"spacing": [50.0, 50.0], "bounds": [0.0, 1000.0, 0.0, 1000.0], "padding": [0, 0, 0]},
              "method": {"name": "conditional", "transform": "normal_score", "tails": "linear"},
              "variogram": {"model": "auto", "candidates": ["exponential"]}, "min_samples": 1}
    return truth, wells, build_zoned_problem(wells, config)


def test_zoned_problem_realizations_and_data(zoned):
    """Realizations have the corner-point shape and honour the combined data at their cells, also with the
    horizons drawn per realization (surface uncertainty on by default)."""
    _truth, _wells, zp = zoned
    assert [p.variogram.model for p in zp.problems] == ["exponential"] * 3     # run's fit options inherited
    assert zp.structure is not None and zp.structure.active
    reals = zp.realizations({"name": "conditional"}, 4, [0, 1])
    assert reals.shape == (2, 20, 20, 15)
    data = combined_data(zp.sgrid, zp.problems)
    npt.assert_allclose(reals[:, data.cells[:, 0], data.cells[:, 1], data.cells[:, 2]],
                        np.broadcast_to(data.values, (2, data.n)), atol=1e-6)
    lo, hi = zp.value_range()
    assert lo < np.nanmin(reals) and hi > np.nanmax(reals)
    info = zp.describe()
    assert info["shape"] == [20, 20, 15] and len(info["zones"]) == 3 and max(info["top_misfit_m"].values()) < 0.01
    assert len(info["surface_uncertainty"]) == 4 and info["surface_uncertainty"][0]["std_m"] > 0


def test_nominal_grid_matches_shape(zoned):
    """The nominal box grid has the corner-point shape and the true horizontal axes."""
    zp = zoned[2]
    g = nominal_grid(zp.sgrid)
    assert g.shape == zp.sgrid.shape
    npt.assert_allclose(g.easting, zp.sgrid.lattice.centre_easting)
    top, base = zp.sgrid.surfaces[0].mean(), zp.sgrid.surfaces[-1].mean()
    npt.assert_allclose([g.bounds[4], g.bounds[5]], [top, base])
