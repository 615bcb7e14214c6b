"""Tests of ``krigflow export``: a finished run's statistics in every format, read back."""

import os

import numpy as np
import xarray as xr
from finished_run import make_run_dir

from krigflow.cli import app as cli
from krigflow.io import FILENAMES


def test_export_every_format(tmp_path, capsys):
    """`krigflow export DIR --format all` writes the three files and lists them on stdout."""
    folder = make_run_dir(tmp_path / "run")
    assert cli.main(["export", folder, "--format", "all", "-q"]) == 0
    out = capsys.readouterr().out.split()
    assert sorted(map(os.path.basename, out)) == sorted(FILENAMES.values())
    assert all(os.path.getsize(p) > 1000 for p in out)


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
