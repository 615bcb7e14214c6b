"""Tests of the krigflow command line as one tool: every command, help with examples, -q/-v, one-line errors."""

import subprocess
import sys

import pytest
from finished_run import make_run_dir

from krigflow.cli import app as cli
from krigflow.exceptions import ConfigError, WorkflowError, describe_error

SUBCOMMANDS = sorted(cli.build_parser()._subparsers._group_actions[0].choices)


def test_all_commands_are_there():
    """The tool has the subcommands of the issue."""
    assert {"run", "inspect", "export", "plot", "combine", "variogram"} <= set(SUBCOMMANDS)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_shows_an_example_and_common_options(command, capsys):
    """Every subcommand's --help ends with an example and offers --quiet and --verbose."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "example:\n  krigflow " + command in out
    assert "--quiet" in out and "--verbose" in out


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
    import krigflow.cli.export

    def broken(output_dir):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(krigflow.cli.export, "load_results", broken)
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


@pytest.mark.parametrize(
    "exc, line",
    [
        (ConfigError("seed:\n  expected an integer"), "seed: expected an integer"),
        (WorkflowError("SampleKriger1 failed: x"), "SampleKriger1 failed: x"),
        (RuntimeError("disk  on\tfire"), "disk on fire (RuntimeError)"),
        (KeyError(), "KeyError"),
    ],
    ids=["krigflow", "workflow", "other", "empty"],
)
def test_describe_error_is_one_line(exc, line):
    """Every error becomes one line; the type is added only when the message is not krigflow's own."""
    assert describe_error(exc) == line
