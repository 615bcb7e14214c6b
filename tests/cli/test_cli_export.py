"""Tests of ``krigflow export``: a finished run's statistics in every format, read back."""

import os

import numpy as np
import xarray as xr
from finished_run import make_run_dir

from krigflow.cli import app as cli
from krigflow.io import FILENAMES
from krigflow.io.cornerpoint import CORNERPOINT_ONLY


def test_export_every_format(tmp_path, capsys):
    """`krigflow export DIR --format all` writes the three files and lists them on stdout."""
    folder = make_run_dir(tmp_path / "run")
    assert cli.main(["export", folder, "--format", "all", "-q"]) == 0
    out = capsys.readouterr().out.split()
    assert sorted(map(os.path.basename, out)) == sorted(v for k, v in FILENAMES.items() if k not in CORNERPOINT_ONLY)
    assert all(os.path.getsize(p) > 1000 for p in out)


def test_export_egrid_and_roff(tmp_path, capsys):
    """`--format egrid --format roff` writes the corner-point grids through xtgeo, which reads them back."""
    import xtgeo
    folder = make_run_dir(tmp_path / "run")
    assert cli.main(["export", folder, "--format", "egrid", "--format", "roff", "-q"]) == 0
    out = capsys.readouterr().out.split()
    assert sorted(map(os.path.basename, out)) == ["stats.EGRID", "stats.roff"]
    with np.load(os.path.join(folder, "stats.npz")) as npz:
        shape = npz["mean"].shape
    assert xtgeo.grid_from_file(out[0]).dimensions == shape == xtgeo.grid_from_file(out[1]).dimensions


def test_export_default_is_netcdf(tmp_path, capsys):
    """Without --format, export writes NetCDF only."""
    folder = make_run_dir(tmp_path / "run")
    assert cli.main(["export", folder]) == 0
    assert capsys.readouterr().out.strip() == os.path.join(folder, "stats.nc")


def test_export_round_trip_values(tmp_path):
    """The exported NetCDF holds the run's statistics (xarray)."""
    folder = make_run_dir(tmp_path / "run")
    assert cli.main(["export", folder, "-q"]) == 0
    with (
        xr.open_dataset(os.path.join(folder, "stats.nc")) as ds,
        np.load(os.path.join(folder, "stats.npz")) as npz,
    ):
        for name in ("mean", "std", "p10", "p90"):
            np.testing.assert_array_equal(
                ds[name].transpose("easting", "northing", "tvdss").values, npz[name]
            )


def test_export_vtk_alias(tmp_path, capsys):
    """`--format vtk` is accepted and writes stats.vti."""
    folder = make_run_dir(tmp_path / "run")
    assert cli.main(["export", folder, "--format", "vtk"]) == 0
    assert capsys.readouterr().out.strip() == os.path.join(folder, "stats.vti")
