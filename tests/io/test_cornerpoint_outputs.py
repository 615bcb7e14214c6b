"""Tests of krigflow.io.cornerpoint: EGRID and ROFF of a box run through xtgeo, read back with the same values."""

import os

import numpy as np
import numpy.testing as npt
import pytest
from io_sample import sample_arrays, sample_summary

from krigflow.io.cornerpoint import cornerpoint_grid, is_zoned
from krigflow.io.formats import canonical_formats, write_formats

xtgeo = pytest.importorskip("xtgeo")
arrays = pytest.fixture(sample_arrays, name="arrays")
summary = pytest.fixture(sample_summary, name="summary")


def test_all_does_not_include_xtgeo_formats():
    """'all' is the formats without optional libraries; egrid/roff are added when named."""
    assert canonical_formats(["all"]) == ["netcdf", "vti", "grdecl"]
    assert canonical_formats(["all", "roff"]) == ["netcdf", "vti", "grdecl", "roff"]


@pytest.mark.parametrize("fmt, grid_file, prop_file, prop_format", [
    ("egrid", "stats.EGRID", "stats_props.grdecl", "grdecl"),
    ("roff", "stats.roff", "stats_MEAN.roff", "roff"),
], ids=["egrid", "roff"])
def test_box_run_as_cornerpoint(arrays, summary, tmp_path, fmt, grid_file, prop_file, prop_format):
    """A box run's statistics as EGRID/ROFF: xtgeo reads the cell centres and the mean back."""
    assert not is_zoned(arrays)
    paths = write_formats(str(tmp_path), arrays, [fmt], summary=summary)
    assert os.path.basename(paths[0]) == grid_file
    grid = xtgeo.grid_from_file(tmp_path / grid_file)
    assert grid.dimensions == arrays["mean"].shape
    x, y, z = (p.values for p in grid.get_xyz(asmasked=False))
    e, n, t = np.meshgrid(arrays["easting"], arrays["northing"], arrays["tvdss"], indexing="ij")
    npt.assert_allclose(x, e)
    npt.assert_allclose(y, n)
    npt.assert_allclose(z, t, atol=1e-3)
    mean = xtgeo.gridproperty_from_file(tmp_path / prop_file, fformat=prop_format, name="MEAN", grid=grid).values
    ok = np.isfinite(arrays["mean"])
    npt.assert_allclose(np.asarray(mean)[ok], arrays["mean"][ok], rtol=1e-6)
    assert cornerpoint_grid(arrays, summary).shape == arrays["mean"].shape
