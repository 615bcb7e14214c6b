"""``krigflow rank`` and ``krigflow realize``: selections, files per realization, read back by xtgeo/xarray/pyvista."""
import argparse
import json
import os

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.cli.rank import add_rank_parser, parse_picks, rank_run
from krigflow.cli.realize import add_realize_parser, parse_formats
from krigflow.exceptions import KrigflowError
from krigflow.run.config import load_config
from krigflow.run import run_local
from krigflow.run.realize import realization
from krigflow.stats.summaries import SummaryTable

from test_graph import NO_EXTRAS, write_field


def cli(argv):
    """Parse and run a rank/realize command line (as ``krigflow`` does)."""
    parser = argparse.ArgumentParser(prog="krigflow")
    sub = parser.add_subparsers(dest="command", required=True)
    add_rank_parser(sub)
    add_realize_parser(sub)
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A finished run of the 5-well field written to disk (12 realizations)."""
    folder = str(tmp_path_factory.mktemp("realize_cli"))
    config_path = write_field(folder, outputs=NO_EXTRAS)  # the tests read stats, summaries and realizations
    config = load_config(config_path)
    run_local(config)
    return {"config_path": config_path, "config": config, "output": config["output"], "folder": folder}


def test_rank_prints_closest(tmp_path, capsys):
    """rank reads realizations.csv and prints the closest realizations; --json and --indices agree."""
    values = np.array([5.0, 1.0, 9.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0, 10.0, 0.5])
    SummaryTable(("volume",), np.arange(11), values[:, None]).write_csv(tmp_path / "realizations.csv")
    assert cli(["rank", str(tmp_path), "--by", "volume", "--json"]) == 0
    picks = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    expected = [int(np.argmin(np.abs(values - np.percentile(values, q)))) for q in (10, 50, 90)]
    assert [p["realization"] for p in picks] == expected
    cli(["rank", str(tmp_path), "--by", "volume", "--indices", "--pick", "50"])
    assert capsys.readouterr().out.strip() == str(expected[1])
    cli(["rank", str(tmp_path), "--by", "volume"])
    out = capsys.readouterr().out
    assert "P50" in out and "(11 realizations)" in out


def test_rank_overview(tmp_path, capsys):
    """Without --by, rank prints the percentiles of every column (table or JSON)."""
    SummaryTable(("mean", "volume"), range(5), [[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0],
                                                [5.0, 50.0]]).write_csv(tmp_path / "realizations.csv")
    assert cli(["rank", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["percentiles"]["volume"] == {"p10": 14.0, "p50": 30.0, "p90": 46.0}
    cli(["rank", str(tmp_path)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["column", "P10", "P50", "P90"] and lines[2].split() == ["volume", "14", "30", "46"]
    with pytest.raises(KrigflowError, match="--indices needs --by"):
        cli(["rank", str(tmp_path), "--indices"])


def test_rank_errors(tmp_path):
    """Unknown column lists the columns; a folder without the table is named."""
    SummaryTable(("mean",), [0], [[1.0]]).write_csv(tmp_path / "realizations.csv")
    with pytest.raises(KrigflowError, match=r"columns are \['mean'\]"):
        rank_run(str(tmp_path), "volume")
    with pytest.raises(KrigflowError, match="no such output directory"):
        rank_run(str(tmp_path / "nothing"), "mean")
    os.makedirs(tmp_path / "empty")
    with pytest.raises(KrigflowError, match="no realization summaries"):
        rank_run(str(tmp_path / "empty"), "mean")
    with pytest.raises(argparse.ArgumentTypeError, match="0-100"):
        parse_picks("10,150")


def test_format_aliases():
    """vtk is vti; unknown formats are refused."""
    assert parse_formats("vtk,grdecl,vti") == ["vti", "grdecl"]
    with pytest.raises(argparse.ArgumentTypeError, match="format must be among"):
        parse_formats("segy")


def test_realize_writes_every_format_and_they_read_back(run, tmp_path, capsys):
    """realize --realizations writes realization-<r>/GR.{grdecl,nc,vti}; xtgeo, xarray, pyvista read the values."""
    xtgeo = pytest.importorskip("xtgeo")
    xr = pytest.importorskip("xarray")
    out = str(tmp_path / "ens")
    assert cli(["realize", run["config_path"], "--realizations", "3,10", "--format", "grdecl,netcdf,vtk",
                "-o", out]) == 0
    written = capsys.readouterr().out.split()
    assert sorted(os.path.relpath(p, out) for p in written) == sorted(
        f"realization-{r}/GR.{ext}" for r in (3, 10) for ext in ("grdecl", "nc", "vti"))
    for r in (3, 10):
        truth = realization(run["config"], r).values
        folder = os.path.join(out, f"realization-{r}")
        grid = xtgeo.grid_from_file(os.path.join(folder, "GR.grdecl"), fformat="grdecl")
        assert grid.dimensions == truth.shape
        prop = xtgeo.gridproperty_from_file(os.path.join(folder, "GR.grdecl"), fformat="grdecl", name="GR",
                                            grid=grid)
        npt.assert_allclose(np.ma.filled(prop.values, np.nan), truth, rtol=1e-7)   # %.8g in the file
        with xr.open_dataset(os.path.join(folder, "GR.nc")) as ds:
            npt.assert_allclose(ds["GR"].transpose("easting", "northing", "tvdss").values, truth, rtol=1e-6)
        pv = pytest.importorskip("pyvista")
        mesh = pv.read(os.path.join(folder, "GR.vti"))
        npt.assert_allclose(np.sort(mesh["GR"].ravel()), np.sort(truth.ravel()), rtol=1e-6)


def test_realize_refuses_changed_config_and_existing_files(run, tmp_path):
    """A config whose seed changed is refused; existing files need --overwrite."""
    raw = json.load(open(run["config_path"]))
    raw["seed"] = 99
    changed = os.path.join(run["folder"], "changed.json")
    with open(changed, "w") as fh:
        json.dump(raw, fh)
    with pytest.raises(KrigflowError, match="seed = 7 there, 99 here"):
        cli(["realize", changed, "--realizations", "0", "-o", str(tmp_path / "x"), "--run", run["output"]])
    args = ["realize", run["config_path"], "--realizations", "1", "-o", str(tmp_path / "y")]
    assert cli(args) == 0
    with pytest.raises(KrigflowError, match="exists; use --overwrite"):
        cli(args)
    assert cli(args + ["--overwrite"]) == 0


def test_realize_needs_a_finished_run(run, tmp_path):
    """Without a finished run to check against, realize refuses unless --no-check."""
    args = ["realize", run["config_path"], "--realizations", "2", "-o", str(tmp_path / "z"), "--run",
            str(tmp_path)]
    with pytest.raises(KrigflowError, match="no finished run"):
        cli(args)
    assert cli(args + ["--no-check"]) == 0


def test_registered_in_the_krigflow_command(tmp_path, capsys):
    """krigflow rank / realize are commands of the tool; errors are one line with exit status 1."""
    from krigflow.cli import main

    assert main(["rank", str(tmp_path / "nope"), "--by", "volume"]) == 1
    assert capsys.readouterr().err == f"krigflow rank: error: {tmp_path / 'nope'}: no such output directory\n"
    with pytest.raises(SystemExit) as exit_info:
        main(["realize", "run.yaml"])           # a selection is required
    assert exit_info.value.code == 2


def test_realize_egrid_and_roff_read_back_by_xtgeo(run, tmp_path, capsys):
    """EGRID and ROFF of a realization (box grid as flat corner-point layers) read back by xtgeo, same values."""
    xtgeo = pytest.importorskip("xtgeo")
    out = str(tmp_path / "ens")
    assert cli(["realize", run["config_path"], "--realizations", "5", "--format", "egrid,roff", "-o", out]) == 0
    files = capsys.readouterr().out.split()
    folder = os.path.join(out, "realization-5")
    assert os.path.join(folder, "GR.EGRID") in files and os.path.join(folder, "GR.roff") in files
    truth = realization(run["config"], 5).values
    grid = xtgeo.grid_from_file(os.path.join(folder, "GR.EGRID"), fformat="egrid")
    assert grid.dimensions == truth.shape
    props = xtgeo.gridproperty_from_file(os.path.join(folder, "GR_props.grdecl"), fformat="grdecl", name="GR",
                                         grid=grid)
    npt.assert_allclose(np.ma.filled(props.values, np.nan), truth, rtol=1e-6)
    roff_grid = xtgeo.grid_from_file(os.path.join(folder, "GR.roff"), fformat="roff")
    roff_prop = xtgeo.gridproperty_from_file(os.path.join(folder, "GR_GR.roff"), fformat="roff", grid=roff_grid)
    npt.assert_allclose(np.ma.filled(roff_prop.values, np.nan), truth, rtol=1e-6)
