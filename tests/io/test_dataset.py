"""Tests of krigflow.io.dataset: statistics as an xarray.Dataset, and a run folder opened as one."""

import json

import numpy.testing as npt
import pytest
import xarray as xr
from io_sample import sample_arrays, sample_summary

from krigflow.exceptions import KrigflowError
from krigflow.grid import Grid
from krigflow.io import dataset_arrays, open_results, to_dataset, write_netcdf, write_outputs
from krigflow.io.results import statistic_arrays

arrays = pytest.fixture(sample_arrays, name="arrays")
summary = pytest.fixture(sample_summary, name="summary")


def test_to_dataset_labels_every_statistic(arrays, summary):
    """Every 3-D statistic is a (tvdss, northing, easting) variable equal to the array at its coordinates."""
    ds = to_dataset(arrays, summary=summary)
    assert isinstance(ds, xr.Dataset)
    assert set(ds.data_vars) == set(arrays) - {"easting", "northing", "tvdss"}
    for name, value in statistic_arrays(arrays).items():
        assert ds[name].dims == ("tvdss", "northing", "easting")
        npt.assert_array_equal(ds[name].transpose("easting", "northing", "tvdss").values, value)
    i, j, k = 2, 1, 3
    point = ds["mean"].sel(easting=arrays["easting"][i], northing=arrays["northing"][j], tvdss=arrays["tvdss"][k])
    assert float(point) == arrays["mean"][i, j, k]
    assert ds["easting"].attrs["standard_name"] == "projection_x_coordinate"
    assert ds["tvdss"].attrs["positive"] == "down" and ds["tvdss"].attrs["axis"] == "Z"
    assert ds["std"].attrs["units"] == "gAPI" and "standard deviation of GR" in ds["std"].attrs["long_name"]
    assert ds.attrs["property"] == "GR" and ds.attrs["seed"] == 3 and ds.attrs["realizations"] == 20
    assert json.loads(ds.attrs["variogram"])["model"] == "spherical"
    assert "property_tool" not in ds.attrs          # one tool: nothing shifted
    shifted = dict(summary, residual_model={"tool_offsets": {"applied": True, "reference": "ECGR"}})
    assert to_dataset(arrays, summary=shifted).attrs["property_tool"] == "ECGR"


def test_to_dataset_with_a_grid(arrays):
    """Statistics without coordinate vectors take the grid's; a statistic of another shape is refused."""
    stats = {k: v for k, v in arrays.items() if k not in ("easting", "northing", "tvdss")}
    grid = Grid((400025.0, 8480020.0, 1002.5), (50.0, 40.0, 5.0), (4, 3, 5))
    ds = to_dataset(stats, grid)
    for c in ("easting", "northing", "tvdss"):
        npt.assert_allclose(ds[c].values, arrays[c])
    npt.assert_array_equal(ds["count"].transpose("easting", "northing", "tvdss").values, arrays["count"])
    with pytest.raises(KrigflowError, match="missing coordinate vector.*pass the grid"):
        to_dataset(stats)
    with pytest.raises(KrigflowError, match=r"mean \(4, 3, 5\), std \(4, 3, 5\).* do not match the grid's shape \(4, 3, 6\)"):
        to_dataset(stats, Grid((0.0, 0.0, 0.0), (1.0, 1.0, 1.0), (4, 3, 6)))


def test_dataset_arrays_inverts_to_dataset(arrays, summary):
    """dataset_arrays gives back the stats.npz layout, equal to the input."""
    back = dataset_arrays(to_dataset(arrays, summary=summary))
    assert set(back) == set(arrays)
    for name, value in arrays.items():
        npt.assert_array_equal(back[name], value)


def test_open_results_is_the_written_netcdf(arrays, summary, tmp_path):
    """open_results on a run folder equals the NetCDF file of the same run (values, coordinates, attributes)."""
    write_outputs(str(tmp_path), arrays, summary)
    ds = open_results(str(tmp_path))
    with xr.open_dataset(write_netcdf(str(tmp_path / "stats.nc"), arrays, summary=summary)) as nc:
        xr.testing.assert_equal(ds.drop_attrs(), nc.drop_attrs())
        assert {k: v for k, v in ds.attrs.items() if k != "history"} == {
            k: v for k, v in nc.attrs.items() if k != "history"
        }
    with pytest.raises(KrigflowError, match="no such output directory"):
        open_results(str(tmp_path / "nope"))
