"""Tests of ``krigflow plot``: the figures of a finished run."""

import os

from finished_run import assert_real_png, make_run_dir

from krigflow.cli import app as cli


def test_plot_command(tmp_path, capsys):
    """`krigflow plot DIR` writes the figures and lists them."""
    folder = make_run_dir(tmp_path / "run")
    assert cli.main(["plot", folder, "--statistics", "mean", "--slices", "1010,1050", "--dpi", "60"]) == 0
    out = capsys.readouterr().out.split()
    assert sorted(map(os.path.basename, out)) == ["histogram.png", "map_mean.png", "section.png"]
    for path in out:
        assert_real_png(path)


def test_plot_defaults_come_from_the_run_outputs(tmp_path, capsys):
    """Without options, the slices and section wells of the run's `outputs` are used."""
    import json

    folder = make_run_dir(tmp_path / "run")
    with open(os.path.join(folder, "summary.json")) as fh:
        summary = json.load(fh)
    summary["config"]["outputs"].update(slices=[2000.0])
    with open(os.path.join(folder, "summary.json"), "w") as fh:
        json.dump(summary, fh)
    assert cli.main(["plot", folder]) == 1
    assert "slice at TVDSS 2000 m is outside the grid" in capsys.readouterr().err
