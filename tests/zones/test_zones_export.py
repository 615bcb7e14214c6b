"""NetCDF (xarray, 3-D coordinates) and VTK StructuredGrid (pyvista) views of the corner-point grid."""
import numpy.testing as npt
import pytest

from krigflow.zones import Lattice
from krigflow.zones.export import write_cornerpoint_formats, write_cornerpoint_netcdf, write_vts
from krigflow.zones.synthetic import make_layered_truth


@pytest.fixture(scope="module")
def truth():
    return make_layered_truth(Lattice.from_bounds((0.0, 600.0, 0.0, 400.0), (100.0, 100.0)), layers=(2, 3, 2))


def test_netcdf_3d_coordinates(tmp_path, truth):
    """xarray reads the statistics with CF 3-D auxiliary coordinates equal to the cell centres."""
    xr = pytest.importorskip("xarray")
    sgrid = truth.sgrid
    path = write_cornerpoint_netcdf(tmp_path / "s.nc", sgrid, {"mean": truth.values}, units="API")
    with xr.open_dataset(path) as ds:
        assert {"easting", "northing", "tvdss"} <= set(ds["mean"].coords)
        assert ds["tvdss"].dims == ("k", "j", "i") and ds["tvdss"].attrs["positive"] == "down"
        e, _n, z = sgrid.cell_centres()
        npt.assert_allclose(ds["tvdss"].transpose("i", "j", "k").values, z)
        npt.assert_allclose(ds["easting"].transpose("i", "j", "k").values, e)
        npt.assert_allclose(ds["mean"].transpose("i", "j", "k").values, truth.values)
        assert ds["zone"].values.tolist() == [1, 1, 2, 2, 2, 3, 3]
        npt.assert_allclose(ds["surface_depth"].sel(surface="Top_B").transpose("i_node", "j_node").values,
                            sgrid.surfaces[1])
        # a value at its 3-D position: deepest cell of one column is in zone C
        col = ds.isel(i=2, j=1)
        assert float(col["tvdss"][-1]) > float(col["tvdss"][0])


def test_vts_readable_by_pyvista(tmp_path, truth):
    """pyvista reads the StructuredGrid: node positions (z = -tvdss), cell values, ZONE, in VTK order."""
    pv = pytest.importorskip("pyvista")
    sgrid = truth.sgrid
    mesh = pv.read(write_vts(tmp_path / "s.vts", sgrid, {"mean": truth.values}))
    ncol, nrow, nk = sgrid.shape
    assert mesh.dimensions == (ncol + 1, nrow + 1, nk + 1) and mesh.n_cells == ncol * nrow * nk
    pts = mesh.points.reshape(nk + 1, nrow + 1, ncol + 1, 3)
    npt.assert_allclose(-pts[..., 2].transpose(2, 1, 0), sgrid.interfaces)
    npt.assert_allclose(pts[0, 0, :, 0], sgrid.lattice.node_easting)
    cells = mesh.cell_data["mean"].reshape(nk, nrow, ncol).transpose(2, 1, 0)
    npt.assert_allclose(cells, truth.values)
    assert sorted(set(mesh.cell_data["ZONE"].tolist())) == [1, 2, 3]
    centres = mesh.cell_centers().points.reshape(nk, nrow, ncol, 3).transpose(2, 1, 0, 3)
    npt.assert_allclose(-centres[..., 2], sgrid.cell_centres()[2], atol=1e-6)


def test_write_cornerpoint_formats(tmp_path, truth):
    """Every requested format is written once (vti and vts give one .vts), with property files beside."""
    files = write_cornerpoint_formats(tmp_path, truth.sgrid, {"mean": truth.values, "std": truth.values},
                                      ["netcdf", "vti", "vts", "grdecl", "egrid", "roff"])
    names = sorted(p.rsplit("/", 1)[1] for p in files)
    assert names == sorted(["stats.nc", "stats.vts", "stats.grdecl", "stats.EGRID", "stats_props.grdecl",
                            "stats.roff", "stats_ZONE.roff", "stats_MEAN.roff", "stats_STD.roff"])
    with pytest.raises(Exception, match="unknown for a zoned run"):
        write_cornerpoint_formats(tmp_path, truth.sgrid, {}, ["png"])
