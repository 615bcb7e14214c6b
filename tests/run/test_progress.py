"""Tests of krigflow.run.progress: kriger files, the monitor (bar and log lines), and krigflow run showing progress."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest

from krigflow.run.progress import (
    KrigerProgress,
    ProgressMonitor,
    clear_progress,
    format_progress,
    read_progress,
    wait_with_progress,
)


def test_kriger_files_are_summed_per_run(tmp_path):
    """Each kriger's file counts its realizations; the monitor sums one run's files and ignores others."""
    folder = str(tmp_path / ".progress")
    a = KrigerProgress(folder, "run1", 40, worker="a")
    b = KrigerProgress(folder, "run1", 40, worker="b")
    b.path = b.path.replace(".json", ".other.json")  # a second worker (same pid in this test)
    b._write()
    other = KrigerProgress(folder, "run2", 99, worker="c")
    a.add(8), a.add(8), b.add(4), other.add(50)
    found = read_progress(folder, "run1")
    assert (found["done"], found["total"], found["workers"]) == (20, 40, 2)
    clear_progress(folder, "run1")
    assert read_progress(folder, "run1")["workers"] == 0 and read_progress(folder, "run2")["done"] == 50
    clear_progress(folder)
    assert not os.path.exists(folder)


def test_kriger_logs_periodically(tmp_path, caplog):
    """A kriger logs a progress line at most every interval seconds."""
    caplog.set_level(logging.INFO, logger="krigflow.run.progress")
    p = KrigerProgress(None, "r", 10, interval=0.0, worker="w1")
    p.add(3)
    assert "w1: 3 realizations done here (run total 10)" in caplog.text
    q = KrigerProgress(None, "r", 10, interval=3600.0, worker="w2")
    q.add(3)
    assert "w2" not in caplog.text


def test_monitor_bar_and_eta(tmp_path):
    """On a terminal: a redrawn bar with done/total, rate and ETA; the line is ended and files removed."""
    folder = str(tmp_path)
    stream = io.StringIO()
    monitor = ProgressMonitor(folder, "r", 100, mode="bar", stream=stream)
    monitor.poll()
    assert "0/100 realizations: reading wells" in stream.getvalue()
    kriger = KrigerProgress(folder, "r", 100)
    kriger.started -= 10.0  # started 10 s ago
    kriger.add(25)
    state = monitor.poll()
    assert state["done"] == 25 and state["rate"] == pytest.approx(2.5, rel=0.05)
    assert state["eta"] == pytest.approx(30.0, rel=0.05)
    assert "[#######---------------------] 25/100 realizations (25%), 2.5/s, ETA 30 s" in stream.getvalue()
    monitor.close()
    assert stream.getvalue().endswith("\n") and read_progress(folder, "r")["workers"] == 0


def test_monitor_log_lines_when_not_a_terminal(tmp_path, caplog):
    """Not a terminal: INFO log lines, at most every interval, only when the count changed."""
    caplog.set_level(logging.INFO, logger="krigflow.run.progress")
    stream = io.StringIO()  # not a tty
    monitor = ProgressMonitor(str(tmp_path), "r", 10, stream=stream, interval=0.0)
    assert monitor.mode == "log"
    KrigerProgress(str(tmp_path), "r", 10).add(4)
    monitor.poll(), monitor.poll()
    assert caplog.text.count("4/10 realizations (40%)") == 1 and stream.getvalue() == ""


def test_format_progress():
    """Slow runs show a rate per minute."""
    assert format_progress(1, 100, 0.01, 9900) == "1/100 realizations (1%), 0.6/min, ETA 2 h 45 min"


def test_wait_with_progress_polls_and_times_out(tmp_path):
    """The wait polls the monitor while the process runs and raises TimeoutExpired like Popen.wait."""
    calls = []

    class Counter:
        def poll(self):
            calls.append(1)

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.6)"])
    assert wait_with_progress(proc, 10, Counter(), poll_seconds=0.1) == 0
    assert len(calls) >= 2
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    with pytest.raises(subprocess.TimeoutExpired):
        wait_with_progress(proc, 0.3, Counter(), poll_seconds=0.1)
    proc.kill()
    proc.wait()


def test_krigflow_run_shows_progress(tmp_path):
    """`krigflow run` (stderr not a terminal) logs progress lines from the krigers and cleans up."""
    from test_graph import write_field

    config_path = write_field(str(tmp_path))
    with open(config_path) as fh:
        raw = json.load(fh)
    raw.update(realizations=6, batch_size=1, outputs={"formats": [], "figures": False})
    with open(config_path, "w") as fh:
        json.dump(raw, fh)
    code = (
        "import sys, krigflow.run.progress as p; "
        "p.ProgressMonitor.__init__.__defaults__ = ('auto', None, 0.0); "  # a line at every change
        "from krigflow.cli.app import main; sys.exit(main(sys.argv[1:]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "run", config_path],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "krigflow run: ok: 6 realizations" in proc.stdout
    assert "INFO krigflow.run.progress: 6/6 realizations (100%)" in proc.stderr
    assert not os.path.exists(os.path.join(str(tmp_path), "out", ".progress"))
    quiet = subprocess.run(
        [sys.executable, "-c", code, "run", config_path, "--overwrite", "-q"],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert quiet.returncode == 0 and quiet.stderr == ""
