"""Tests of krigflow.io.grdecl: the file is read back by a GRDECL parser and by xtgeo (the field's reader)."""

import numpy as np
import numpy.testing as npt
import pytest
import xtgeo
from io_sample import SHAPE, sample_arrays, sample_summary
from stat_file_parsers import parse_grdecl

from krigflow.io.grdecl import GRDECL_NODATA, grdecl_keyword, write_grdecl
from krigflow.io.results import statistic_arrays

arrays = pytest.fixture(sample_arrays, name="arrays")
summary = pytest.fixture(sample_summary, name="summary")


def test_grdecl_parsed_back_equals_npz(arrays, summary, tmp_path):
    """SPECGRID, COORD, ZCORN (Eclipse order, K down) and every property round-trip through a parser."""
    path = write_grdecl(str(tmp_path / "stats.grdecl"), arrays, summary=summary)
    kw = parse_grdecl(path)
    nx, ny, nz = SHAPE
    assert kw["SPECGRID"][:3] == [str(nx), str(ny), str(nz)]
    coord = kw["COORD"].reshape(ny + 1, nx + 1, 6)  # I fastest
    npt.assert_allclose(coord[0, 0], [400000.0, 8480000.0, 1000.0, 400000.0, 8480000.0, 1025.0])
    npt.assert_allclose(coord[ny, nx, :2], [400000.0 + 4 * 50.0, 8480000.0 + 3 * 40.0])
    zcorn = kw["ZCORN"].reshape(2 * nz, 2 * ny, 2 * nx)  # Eclipse: 2nx fastest, then 2ny, then 2nz
    for k in range(nz):
        npt.assert_allclose(zcorn[2 * k], 1000.0 + 5.0 * k)  # top face of layer k
        npt.assert_allclose(zcorn[2 * k + 1], 1000.0 + 5.0 * (k + 1))  # bottom face: deeper
    # cell (i, j, k) centre from its corners equals the npz cell centre
    for i, j, k in [(0, 0, 0), (3, 2, 4), (1, 2, 3)]:
        x = coord[j : j + 2, i : i + 2, 0].mean()
        y = coord[j : j + 2, i : i + 2, 1].mean()
        z = zcorn[2 * k : 2 * k + 2, 2 * j : 2 * j + 2, 2 * i : 2 * i + 2].mean()
        npt.assert_allclose([x, y, z], [arrays["easting"][i], arrays["northing"][j], arrays["tvdss"][k]])
    actnum = kw["ACTNUM"].reshape(nz, ny, nx).transpose(2, 1, 0)
    npt.assert_array_equal(actnum, (arrays["count"] > 0).astype(float))
    for name, value in statistic_arrays(arrays).items():
        back = kw[grdecl_keyword(name)].reshape(nz, ny, nx).transpose(2, 1, 0)
        expected = np.where(np.isfinite(value), value, GRDECL_NODATA)
        npt.assert_allclose(back, expected, rtol=1e-7)
    assert kw["MEAN"][0] == GRDECL_NODATA  # NaN cell (0, 0, 0)
    with open(path) as fh:
        assert all(len(line) <= 132 for line in fh)  # Eclipse line length limit


def test_grdecl_with_xtgeo(arrays, summary, tmp_path):
    """xtgeo loads the grid (dimensions, cell centres, active cells) and every property keyword, equal to npz."""
    path = write_grdecl(str(tmp_path / "s.grdecl"), arrays, summary=summary)
    grid = xtgeo.grid_from_file(path, fformat="grdecl")
    assert tuple(grid.dimensions) == SHAPE == arrays["mean"].shape
    active = arrays["count"] > 0
    assert grid.nactive == int(active.sum())
    npt.assert_array_equal(grid.get_actnum().values, active.astype(int))
    e, n, t = np.meshgrid(arrays["easting"], arrays["northing"], arrays["tvdss"], indexing="ij")
    for centre, expected in zip(grid.get_xyz(asmasked=False), (e, n, t)):  # xtgeo z: depth, positive down
        npt.assert_allclose(centre.values, expected)
    geometry = grid.get_geometrics(return_dict=True)
    npt.assert_allclose([geometry["avg_dx"], geometry["avg_dy"]], [50.0, 40.0])
    assert geometry["avg_rotation"] == 0.0
    for name, value in statistic_arrays(arrays).items():
        prop = xtgeo.gridproperty_from_file(path, fformat="grdecl", name=grdecl_keyword(name), grid=grid)
        assert prop.values.shape == SHAPE
        npt.assert_array_equal(np.ma.getmaskarray(prop.values), ~active)  # inactive cells are masked
        npt.assert_allclose(prop.values[active], np.asarray(value, dtype=float)[active], rtol=1e-6)


@pytest.mark.parametrize(
    "name, taken, keyword",
    [
        ("mean", (), "MEAN"),
        ("prob_gt_80", (), "PGT_80"),
        ("prob_lt_1.5", (), "PLT_15"),
        ("a_very_long_statistic", (), "AVERYLON"),
        ("coord", (), "COORD1"),
        ("p10", {"P10"}, "P101"),
    ],
    ids=["plain", "prob", "decimal", "long", "reserved", "taken"],
)
def test_grdecl_keyword(name, taken, keyword):
    """Statistic names become unique Eclipse keywords of at most 8 characters."""
    assert grdecl_keyword(name, taken) == keyword
