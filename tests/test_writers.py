"""Tests of krigflow.io.writers: every file is opened with an independent reader and compared with stats.npz."""

import base64
import json
import os
import xml.etree.ElementTree as ET

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.run.config import OUTPUT_FORMATS, load_config
from krigflow.exceptions import KrigflowError
from krigflow.run import run_local
from krigflow.io.writers import (
    FILENAMES,
    FORMATS,
    GRDECL_NODATA,
    grdecl_keyword,
    load_results,
    read_wells,
    statistic_arrays,
    write_formats,
    write_grdecl,
    write_netcdf,
    write_vti,
)

SHAPE = (4, 3, 5)


@pytest.fixture
def arrays():
    """Statistics on a 4 x 3 x 5 grid with distinct values, NaN, empty cells and extra arrays."""
    nx, ny, nz = SHAPE
    i, j, k = np.meshgrid(np.arange(nx), np.arange(ny), np.arange(nz), indexing="ij")
    mean = 50.0 + 100.0 * i + 10.0 * j + k + 0.123456789
    count = np.full(SHAPE, 20, dtype=np.int64)
    count[0, 0, 0] = 0
    mean[0, 0, 0] = np.nan
    std = 1.0 + 0.01 * mean
    return {
        "mean": mean,
        "std": std,
        "count": count,
        "min": mean - 3.0,
        "max": mean + 3.0,
        "p10": mean - 1.5,
        "prob_gt_80": np.clip((mean - 50.0) / 400.0, 0, 1),
        "hist_counts": np.arange(10, dtype=np.int64),
        "hist_edges": np.linspace(0.0, 200.0, 11),
        "easting": 400000.0 + 50.0 * np.arange(nx) + 25.0,
        "northing": 8480000.0 + 40.0 * np.arange(ny) + 20.0,
        "tvdss": 1000.0 + 5.0 * np.arange(nz) + 2.5,
    }


SUMMARY = {
    "config": {"property": "GR", "crs": None, "seed": 3, "variogram": {"model": "spherical", "sill": 400.0}},
    "wells": [{"unit": "gAPI"}, {"unit": "gAPI"}, {"unit": "API"}],
    "realizations_done": 20,
    "grid": {"spacing": [50.0, 40.0, 5.0]},
}


def test_statistic_arrays_takes_every_3d_array(arrays):
    """Every array of the grid's shape is a statistic, whatever its name; others are left out."""
    assert list(statistic_arrays(arrays)) == ["mean", "std", "count", "min", "max", "p10", "prob_gt_80"]


def test_formats_match_config():
    """The config's allowed formats are the writers' formats."""
    assert tuple(OUTPUT_FORMATS) == FORMATS


# --- NetCDF ---------------------------------------------------------------------------------------------------


def test_netcdf_opens_with_xarray_and_equals_npz(arrays, tmp_path):
    """xarray reads every statistic back equal to the arrays, with CF coordinates and the run's attributes."""
    xr = pytest.importorskip("xarray")
    path = write_netcdf(str(tmp_path / "stats.nc"), arrays, summary=SUMMARY)
    with xr.open_dataset(path) as ds:
        for name in statistic_arrays(arrays):
            assert ds[name].dims == ("tvdss", "northing", "easting")
            npt.assert_array_equal(ds[name].transpose("easting", "northing", "tvdss").values, arrays[name])
        for c in ("easting", "northing", "tvdss"):
            npt.assert_array_equal(ds[c].values, arrays[c])
            assert ds[c].attrs["units"] == "m"
        assert ds["tvdss"].attrs["positive"] == "down"
        assert ds["mean"].attrs["units"] == "gAPI" and ds["count"].attrs["units"] == "1"
        assert "probability" in ds["prob_gt_80"].attrs["long_name"]
        npt.assert_array_equal(ds["hist_counts"].values, arrays["hist_counts"])
        npt.assert_array_equal(ds["hist_edges"].values, arrays["hist_edges"])
        assert ds.attrs["Conventions"] == "CF-1.8"
        assert json.loads(ds.attrs["krigflow_config"])["variogram"]["sill"] == 400.0
        assert ds.attrs["realizations"] == 20 and "unknown" in ds.attrs["crs"]
    netcdf4 = pytest.importorskip("netCDF4")
    with netcdf4.Dataset(path) as nc:  # the file itself: no fill value on coordinates, as CF asks
        assert "_FillValue" not in nc["easting"].ncattrs() and nc["tvdss"].getncattr("units") == "m"


def test_netcdf_crs_grid_mapping(arrays, tmp_path):
    """A CRS in the config becomes a CF grid mapping (with pyproj) and a global attribute."""
    xr = pytest.importorskip("xarray")
    pytest.importorskip("pyproj")
    summary = dict(SUMMARY, config=dict(SUMMARY["config"], crs="EPSG:28351"))
    with xr.open_dataset(write_netcdf(str(tmp_path / "s.nc"), arrays, summary=summary)) as ds:
        assert ds.attrs["crs"] == "EPSG:28351"
        assert (
            ds["mean"].attrs.get("grid_mapping") == "crs" or ds["mean"].encoding.get("grid_mapping") == "crs"
        )
        assert ds["crs"].attrs["grid_mapping_name"] == "transverse_mercator"


# --- VTK ImageData ----------------------------------------------------------------------------------------------


def parse_vti(path):
    """Independent VTI reader: geometry and cell arrays back in [easting, northing, tvdss] order."""
    root = ET.parse(path).getroot()
    assert root.get("type") == "ImageData" and root.get("byte_order") == "LittleEndian"
    image = root.find("ImageData")
    extent = [int(v) for v in image.get("WholeExtent").split()]
    nx, ny, nz = extent[1] - extent[0], extent[3] - extent[2], extent[5] - extent[4]
    out = {
        "origin": [float(v) for v in image.get("Origin").split()],
        "spacing": [float(v) for v in image.get("Spacing").split()],
        "shape": (nx, ny, nz),
        "arrays": {},
    }
    for da in image.find("Piece").find("CellData").findall("DataArray"):
        assert da.get("type") == "Float64"
        text = da.text.strip()
        if da.get("format") == "ascii":
            flat = np.array([float(v) for v in text.split()])
        else:
            raw = base64.b64decode(text)
            nbytes = int(np.frombuffer(raw[:8], dtype="<u8")[0])
            flat = np.frombuffer(raw[8:], dtype="<f8")
            assert nbytes == flat.nbytes
        # VTK order: x fastest, then y, then z (elevation up): z index 0 is the deepest layer
        out["arrays"][da.get("Name")] = flat.reshape(nz, ny, nx).transpose(2, 1, 0)[:, :, ::-1]
    return out


@pytest.mark.parametrize("encoding", ["ascii", "binary"])
def test_vti_parsed_back_equals_npz(arrays, tmp_path, encoding):
    """The VTK XML is parsed (ElementTree + base64) and every cell array equals stats.npz; z = -tvdss."""
    path = write_vti(str(tmp_path / "stats.vti"), arrays, encoding=encoding)
    vti = parse_vti(path)
    assert vti["shape"] == SHAPE
    npt.assert_allclose(vti["spacing"], [50.0, 40.0, 5.0])
    # lowest corner: easting/northing minimum edges, elevation of the deepest edge
    npt.assert_allclose(vti["origin"], [400000.0, 8480000.0, -(1000.0 + 5 * 5.0)])
    assert set(vti["arrays"]) == set(statistic_arrays(arrays))
    for name, value in statistic_arrays(arrays).items():
        npt.assert_array_equal(vti["arrays"][name], value.astype(float))


def test_vti_with_the_vtk_reader(arrays, tmp_path):
    """VTK's own XML reader (when installed) finds the cells at the right coordinates."""
    vtk = pytest.importorskip("vtk")
    from vtk.util.numpy_support import vtk_to_numpy

    reader = vtk.vtkXMLImageDataReader()
    reader.SetFileName(write_vti(str(tmp_path / "s.vti"), arrays))
    reader.Update()
    image = reader.GetOutput()
    mean = vtk_to_numpy(image.GetCellData().GetArray("mean"))
    for i, j, k in [(1, 2, 3), (3, 0, 4), (2, 1, 0)]:
        point = (arrays["easting"][i], arrays["northing"][j], -arrays["tvdss"][k])
        cell = image.ComputeCellId([i, j, SHAPE[2] - 1 - k])
        assert mean[cell] == arrays["mean"][i, j, k]
        bounds = image.GetCell(cell).GetBounds()
        assert bounds[0] < point[0] < bounds[1] and bounds[4] < point[2] < bounds[5]


# --- Eclipse GRDECL ---------------------------------------------------------------------------------------------


def parse_grdecl(path):
    """Independent GRDECL reader: keyword -> flat numpy array (repeat counts ``n*v`` expanded)."""
    keywords, name, values = {}, None, []
    with open(path, encoding="ascii") as fh:
        for line in fh:
            line = line.split("--", 1)[0].strip()
            if not line:
                continue
            for token in line.split():
                if name is None:
                    name, values = token, []
                    continue
                if token == "/":
                    keywords[name] = values
                    name = None
                    continue
                if "*" in token:
                    n, v = token.split("*")
                    values.extend([v] * int(n))
                else:
                    values.append(token)
    assert name is None, f"keyword {name} not terminated"
    out = {}
    for key, vals in keywords.items():
        if key == "GRIDUNIT" or key == "SPECGRID":
            out[key] = vals
        else:
            out[key] = np.array([float(v) for v in vals])
    return out


def test_grdecl_parsed_back_equals_npz(arrays, tmp_path):
    """SPECGRID, COORD, ZCORN (Eclipse order, K down) and every property round-trip through a parser."""
    path = write_grdecl(str(tmp_path / "stats.grdecl"), arrays, summary=SUMMARY)
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


def test_grdecl_with_resdata(arrays, tmp_path):
    """The reservoir-simulator library resdata (when installed) loads the grid: same cell centres and values."""
    resdata_grid = pytest.importorskip("resdata.grid")
    cwrap = pytest.importorskip("cwrap")
    from resdata.resfile import ResdataKW

    path = write_grdecl(str(tmp_path / "s.grdecl"), arrays)
    grid = resdata_grid.Grid.load_from_grdecl(path)
    assert grid.get_dims()[:3] == SHAPE
    with cwrap.open(path) as fh:
        mean = ResdataKW.read_grdecl(fh, "MEAN").numpy_copy()
    for i, j, k in [(1, 2, 3), (3, 0, 4)]:
        npt.assert_allclose(
            grid.get_xyz(ijk=(i, j, k)), [arrays["easting"][i], arrays["northing"][j], arrays["tvdss"][k]]
        )
        npt.assert_allclose(mean[grid.get_global_index(ijk=(i, j, k))], arrays["mean"][i, j, k], rtol=1e-7)


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


# --- all formats, errors, a whole run ------------------------------------------------------------------------------


def test_write_formats_all_and_unknown(arrays, tmp_path):
    """'all' writes every format; an unknown format is refused by name."""
    paths = write_formats(str(tmp_path), arrays, ["all"], summary=SUMMARY)
    assert sorted(os.path.basename(p) for p in paths) == sorted(FILENAMES.values())
    with pytest.raises(KrigflowError, match="format: expected one of netcdf, vti, grdecl or all, got 'csv'"):
        write_formats(str(tmp_path), arrays, ["csv"])


def test_load_results_errors(tmp_path):
    """A missing folder or stats.npz is one clear error."""
    with pytest.raises(KrigflowError, match="no such output directory"):
        load_results(str(tmp_path / "nope"))
    with pytest.raises(KrigflowError, match="no stats.npz"):
        load_results(str(tmp_path))


def test_run_writes_configured_formats_and_wells(tmp_path):
    """run_local writes stats.npz, wells.npz and every configured format; the files agree with stats.npz."""
    from test_graph import write_field  # the small 5-well field of the graph tests

    config_path = write_field(str(tmp_path))
    with open(config_path) as fh:
        raw = json.load(fh)
    raw["outputs"] = {"formats": ["all"], "figures": False}
    raw["realizations"] = 4
    with open(config_path, "w") as fh:
        json.dump(raw, fh)
    config = load_config(config_path)
    run_local(config)
    out = config["output"]
    assert sorted(os.listdir(out)) == sorted(["stats.npz", "summary.json", "wells.npz", *FILENAMES.values()])
    arrays, summary = load_results(out)
    vti = parse_vti(os.path.join(out, "stats.vti"))
    npt.assert_array_equal(vti["arrays"]["std"], arrays["std"])
    kw = parse_grdecl(os.path.join(out, "stats.grdecl"))
    npt.assert_allclose(kw["MEAN"], arrays["mean"].transpose(2, 1, 0).ravel(), rtol=1e-7)
    wells = read_wells(out)
    assert wells["names"] == [w["name"] for w in summary["wells"]]
    assert wells["data_value"].size == summary["n_data"] and wells["trace_easting"].size > 0


def test_run_writes_netcdf_by_default(tmp_path):
    """Without an outputs key, a run writes stats.nc (the default format) besides stats.npz."""
    from test_graph import write_field

    config = load_config(write_field(str(tmp_path)))
    config["realizations"] = 2
    config["outputs"]["figures"] = False
    run_local(config)
    assert os.path.isfile(os.path.join(config["output"], "stats.nc"))
    assert not os.path.exists(os.path.join(config["output"], "stats.vti"))
