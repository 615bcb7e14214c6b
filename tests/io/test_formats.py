"""Tests of krigflow.io.formats: the registry of result formats, and a whole run writing every format."""

import json
import os

import numpy.testing as npt
import pytest
import pyvista
import xarray as xr
import xtgeo
from io_sample import sample_arrays, sample_summary
from stat_file_parsers import parse_grdecl, parse_vti

from krigflow.exceptions import KrigflowError
from krigflow.io.cornerpoint import CORNERPOINT_ONLY
from krigflow.io.formats import FILENAMES, FORMAT_ALIASES, FORMATS, WRITERS, canonical_formats, write_formats
from krigflow.io.results import load_results, read_wells
from krigflow.run.config import OUTPUT_FORMATS, load_config
from krigflow.run import run_local

arrays = pytest.fixture(sample_arrays, name="arrays")
summary = pytest.fixture(sample_summary, name="summary")


def test_formats_match_config():
    """The config's allowed formats are the writers' formats."""
    assert tuple(OUTPUT_FORMATS) == FORMATS
    assert set(WRITERS) == set(FILENAMES) == set(FORMATS)


def test_write_formats_all_and_unknown(arrays, summary, tmp_path):
    """'all' writes every format that needs no optional library (not egrid/roff: xtgeo); an unknown format is
    refused by name."""
    paths = write_formats(str(tmp_path), arrays, ["all"], summary=summary)
    assert sorted(os.path.basename(p) for p in paths) == sorted(
        FILENAMES[f] for f in FORMATS if f not in CORNERPOINT_ONLY)
    with pytest.raises(KrigflowError,
                       match="format: expected one of netcdf, vti, grdecl, egrid, roff or all, got 'csv'"):
        write_formats(str(tmp_path), arrays, ["csv"])


def test_vtk_is_another_name_for_vti(arrays, tmp_path):
    """`vtk` writes stats.vti (once, even when vti is also asked for)."""
    assert FORMAT_ALIASES == {"vtk": "vti"}
    assert canonical_formats(["vtk", "vti", "netcdf", "vtk"]) == ["vti", "netcdf"]
    paths = write_formats(str(tmp_path), arrays, ["vtk", "vti"])
    assert paths == [os.path.join(str(tmp_path), "stats.vti")]
    assert parse_vti(paths[0])["shape"] == arrays["mean"].shape


def test_a_writer_failure_names_the_file(arrays, tmp_path, monkeypatch):
    """A writer's OSError becomes one KrigflowError naming the file and the cause."""
    def broken(path, arrays, summary=None):
        raise OSError("No space left on device")

    monkeypatch.setitem(WRITERS, "grdecl", broken)
    with pytest.raises(KrigflowError, match=r"writing .*stats.grdecl failed: No space left on device \(OSError\)"):
        write_formats(str(tmp_path), arrays, ["grdecl"])


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
    assert sorted(os.listdir(out)) == sorted(["stats.npz", "summary.json", "wells.npz", "realizations.csv",
                                              *(FILENAMES[f] for f in FORMATS if f not in CORNERPOINT_ONLY)])
    arrays, summary = load_results(out)
    vti = parse_vti(os.path.join(out, "stats.vti"))
    npt.assert_array_equal(vti["arrays"]["std"], arrays["std"])
    kw = parse_grdecl(os.path.join(out, "stats.grdecl"))
    npt.assert_allclose(kw["MEAN"], arrays["mean"].transpose(2, 1, 0).ravel(), rtol=1e-7)
    # and by the field's readers: xarray, pyvista, xtgeo
    with xr.open_dataset(os.path.join(out, "stats.nc")) as ds:
        npt.assert_array_equal(ds["p50"].transpose("easting", "northing", "tvdss").values, arrays["p50"])
    mesh = pyvista.read(os.path.join(out, "stats.vti"))
    npt.assert_array_equal(mesh.cell_data["mean"], arrays["mean"][:, :, ::-1].transpose(2, 1, 0).ravel())
    grid = xtgeo.grid_from_file(os.path.join(out, "stats.grdecl"), fformat="grdecl")
    assert tuple(grid.dimensions) == arrays["mean"].shape
    prop = xtgeo.gridproperty_from_file(os.path.join(out, "stats.grdecl"), fformat="grdecl", name="STD", grid=grid)
    npt.assert_allclose(prop.values, arrays["std"], rtol=1e-6)
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
