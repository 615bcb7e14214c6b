"""Corner-point export through xtgeo, read back by xtgeo with the same geometry and values."""
import numpy as np
import numpy.testing as npt
import pytest

xtgeo = pytest.importorskip("xtgeo")

from krigflow.exceptions import ConfigError
from krigflow.zones import Lattice, ZoneSpec, build_stratigraphic_grid, write_cornerpoint
from krigflow.zones.synthetic import make_layered_truth


@pytest.fixture(scope="module")
def truth():
    return make_layered_truth(Lattice.from_bounds((0.0, 1000.0, 0.0, 800.0), (100.0, 100.0)), layers=(3, 4, 2))


def _read_prop(files, fformat, name, grid):
    if fformat == "grdecl":
        return xtgeo.gridproperty_from_file(files[0], fformat="grdecl", name=name, grid=grid)
    if fformat == "egrid":
        return xtgeo.gridproperty_from_file(files[1], fformat="grdecl", name=name, grid=grid)
    path = next(f for f in files if f.endswith(f"_{name}.roff"))
    return xtgeo.gridproperty_from_file(path, fformat="roff", name=name, grid=grid)


@pytest.mark.parametrize("fformat, name", [("grdecl", "stats.grdecl"), ("egrid", "stats.EGRID"),
                                           ("roff", "stats.roff")])
def test_cornerpoint_roundtrip(tmp_path, truth, fformat, name):
    """xtgeo reads the grid back: same dimensions, cell centres and corners, ACTNUM, ZONE and property values."""
    sgrid = truth.sgrid
    values = truth.values.copy()
    values[0, 0, 0] = np.nan
    files = write_cornerpoint(tmp_path / name, sgrid, {"mean": values}, fformat=fformat)
    grid = xtgeo.grid_from_file(files[0])
    assert grid.dimensions == sgrid.shape
    act = sgrid.actnum()
    npt.assert_array_equal(grid.get_actnum().values.filled(0) > 0, act)
    e, n, z = sgrid.cell_centres()
    x, y, zz = (p.values.filled(np.nan) for p in grid.get_xyz(asmasked=False))
    npt.assert_allclose(x, e, atol=1e-6)
    npt.assert_allclose(y, n, atol=1e-6)
    npt.assert_allclose(zz, z, atol=1e-3)                       # ZCORN is float32
    corners = grid.get_xyz_cell_corners((2, 3, 4))             # 1-based i, j, k
    expected = sgrid.corner_depths()[1, 2, 3]
    npt.assert_allclose(sorted(corners[2::3]), sorted(expected.ravel()), atol=1e-3)
    zone = _read_prop(files, fformat, "ZONE", grid).values
    npt.assert_array_equal(np.asarray(zone.filled(0))[act], sgrid.zone_property()[act])
    mean = _read_prop(files, fformat, "MEAN", grid).values
    ok = act & np.isfinite(values)
    npt.assert_allclose(np.asarray(mean)[ok], values[ok], rtol=1e-6)
    if fformat == "roff":                                       # GRDECL has no undefined value
        assert np.ma.is_masked(mean[0, 0, 0])


def test_cornerpoint_layers_follow_surfaces(tmp_path, truth):
    """The top and base of the exported grid are the horizons at the pillars (layers follow the surfaces)."""
    sgrid = truth.sgrid
    files = write_cornerpoint(tmp_path / "g.grdecl", sgrid, fformat="grdecl")
    grid = xtgeo.grid_from_file(files[0])
    top = sgrid.lattice.cell_average(sgrid.surfaces[0])
    ztop = grid.get_xyz(asmasked=False)[2].values[:, :, 0] - 0.5 * grid.get_dz(asmasked=False).values[:, :, 0]
    npt.assert_allclose(ztop, top, atol=1e-3)
    roff = xtgeo.grid_from_file(write_cornerpoint(tmp_path / "g.roff", sgrid, fformat="roff")[0])
    assert [list(v) for v in roff.subgrids.values()] == [[1, 2, 3], [4, 5, 6, 7], [8, 9]]   # ROFF keeps no names


def test_cornerpoint_bad_format(tmp_path, truth):
    """An unknown format is refused."""
    with pytest.raises(ConfigError, match="must be one of"):
        write_cornerpoint(tmp_path / "g.x", truth.sgrid, fformat="vtk")


def test_pinched_cells_inactive(tmp_path):
    """A zone of zero thickness over part of the grid gives inactive cells in the exported ACTNUM."""
    lat = Lattice((0.0, 0.0), (10.0, 10.0), (3, 1))
    top = np.zeros((4, 2))
    mid = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0], [10.0, 10.0]])
    sgrid = build_stratigraphic_grid(lat, np.stack([top, mid, mid + 8.0]), [ZoneSpec("A", 2), ZoneSpec("B", 2)])
    files = write_cornerpoint(tmp_path / "p.grdecl", sgrid, fformat="grdecl")
    grid = xtgeo.grid_from_file(files[0])
    act = grid.get_actnum().values.filled(0)
    assert act[0, 0, :2].tolist() == [0, 0] and act[2, 0, :2].tolist() == [1, 1] and grid.nactive == 10


def test_box_grid_as_cornerpoint(tmp_path):
    """A box Grid exported as EGRID through the corner-point writer: xtgeo's cell centres are the Grid's."""
    from krigflow.grid import Grid
    from krigflow.zones.stratigraphic import box_stratigraphic_grid
    box = Grid.from_bounds((500.0, 700.0, 100.0, 250.0, 1000.0, 1020.0), (50.0, 50.0, 5.0))
    files = write_cornerpoint(tmp_path / "box.EGRID", box_stratigraphic_grid(box), fformat="egrid")
    grid = xtgeo.grid_from_file(files[0])
    x, y, z = (p.values for p in grid.get_xyz(asmasked=False))
    e, n, t = np.meshgrid(box.easting, box.northing, box.tvdss, indexing="ij")
    npt.assert_allclose(x, e)
    npt.assert_allclose(y, n)
    npt.assert_allclose(z, t, atol=1e-3)
