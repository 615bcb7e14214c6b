"""Tests of krigflow.io.netcdf: the file is read back with xarray and netCDF4 and compared with the arrays."""

import json

import netCDF4
import numpy.testing as npt
import pytest
import xarray as xr
from io_sample import sample_arrays, sample_summary

from krigflow.io.netcdf import write_netcdf
from krigflow.io.results import statistic_arrays

arrays = pytest.fixture(sample_arrays, name="arrays")
summary = pytest.fixture(sample_summary, name="summary")


def test_netcdf_opens_with_xarray_and_equals_npz(arrays, summary, tmp_path):
    """xarray reads every statistic back equal to the arrays, with CF coordinates and the run's attributes."""
    path = write_netcdf(str(tmp_path / "stats.nc"), arrays, summary=summary)
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
    with netCDF4.Dataset(path) as nc:  # the file itself: no fill value on coordinates, as CF asks
        assert "_FillValue" not in nc["easting"].ncattrs() and nc["tvdss"].getncattr("units") == "m"
        assert nc["mean"].filters()["zlib"]  # statistics are compressed


def test_netcdf_crs_grid_mapping(arrays, summary, tmp_path):
    """A CRS in the config becomes a CF grid mapping (with pyproj) and a global attribute."""
    summary["config"]["crs"] = "EPSG:28351"
    with xr.open_dataset(write_netcdf(str(tmp_path / "s.nc"), arrays, summary=summary)) as ds:
        assert ds.attrs["crs"] == "EPSG:28351"
        assert ds["mean"].attrs.get("grid_mapping") == "crs" or ds["mean"].encoding.get("grid_mapping") == "crs"
        assert ds["crs"].attrs["grid_mapping_name"] == "transverse_mercator"


def test_netcdf_from_a_grid_without_coordinate_vectors(arrays, tmp_path):
    """Statistics without cell-centre vectors are written with the grid's (``grid=``)."""
    from krigflow.grid import Grid

    nx, ny, nz = arrays["mean"].shape
    grid = Grid((arrays["easting"][0], arrays["northing"][0], arrays["tvdss"][0]), (50.0, 40.0, 5.0), (nx, ny, nz))
    stats = {k: v for k, v in arrays.items() if k not in ("easting", "northing", "tvdss")}
    with xr.open_dataset(write_netcdf(str(tmp_path / "g.nc"), stats, grid=grid)) as ds:
        npt.assert_allclose(ds["easting"].values, arrays["easting"])
        npt.assert_allclose(ds["tvdss"].values, arrays["tvdss"])
        npt.assert_array_equal(ds["std"].transpose("easting", "northing", "tvdss").values, arrays["std"])
