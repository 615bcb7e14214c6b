"""Tests of the krigflow command line as one tool: help with examples, -q/-v, export, plot, one-line errors."""

import os
import subprocess
import sys

import numpy as np
import pytest
from test_plotting import make_run_dir

from krigflow.cli import app as cli
from krigflow.io.writers import FILENAMES

SUBCOMMANDS = sorted(cli.build_parser()._subparsers._group_actions[0].choices)


def test_all_commands_are_there():
    """The tool has the subcommands of the issue."""
    assert {"run", "inspect", "export", "plot", "combine"} <= set(SUBCOMMANDS)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_shows_an_example_and_common_options(command, capsys):
    """Every subcommand's --help ends with an example and offers --quiet and --verbose."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "example:\n  krigflow " + command in out
    assert "--quiet" in out and "--verbose" in out


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


def test_plot_command(tmp_path, capsys):
    """`krigflow plot DIR` writes the figures and lists them."""
    folder = make_run_dir(tmp_path / "run")
    assert cli.main(["plot", folder, "--statistics", "mean", "--slices", "1010,1050", "--dpi", "60"]) == 0
    out = capsys.readouterr().out.split()
    assert sorted(map(os.path.basename, out)) == ["histogram.png", "map_mean.png", "section.png"]


def test_errors_are_one_line_with_nonzero_exit(tmp_path, capsys):
    """A bad output folder, slice or well is one line on stderr and exit status 1."""
    assert cli.main(["export", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert err == f"krigflow export: error: {tmp_path / 'nope'}: no such output directory\n"
    folder = make_run_dir(tmp_path / "run")
    assert cli.main(["plot", folder, "--section-wells", "A-1,Nope"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "section well 'Nope' is not in this run" in err


def test_unexpected_error_traceback_only_with_verbose(tmp_path, capsys, monkeypatch):
    """A bug is one line with a hint; --verbose adds the traceback."""
    import krigflow.io

    def broken(output_dir):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(krigflow.io, "load_results", broken)
    assert cli.main(["export", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err == "krigflow export: error: disk on fire (RuntimeError); use --verbose for the traceback\n"
    assert cli.main(["export", str(tmp_path), "-v"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and err.endswith("disk on fire (RuntimeError)\n")


def test_bad_option_exits_2():
    """argparse errors exit with status 2 (usage on stderr)."""
    proc = subprocess.run(
        [sys.executable, "-m", "krigflow.cli.app", "plot", "x", "--slices", "deep"],
        capture_output=True,
        check=False,
        text=True,
    )
    assert proc.returncode == 2 and "expected comma-separated numbers" in proc.stderr


def test_export_round_trip_values(tmp_path):
    """The exported NetCDF holds the run's statistics (xarray)."""
    xr = pytest.importorskip("xarray")
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
