"""Unit tests of the pieces behind issue 13's fixes: run lock, warnings collector, parent-death signal, guards."""

import logging
import os
import signal
import subprocess
import sys

import pytest
from hostile_common import ENV, alive, wait_gone

from krigflow.run.guards import GuardError, check_memory, check_output_links, check_quantiles_resume
from krigflow.run.lock import RunLockError, acquire, join, read_owner
from krigflow.run.warning_log import collect_warnings

HOLDER = """
import sys, time
from krigflow.run.lock import acquire, join
lock = (join if sys.argv[3] == "join" else acquire)(sys.argv[1], sys.argv[2])
print("held", flush=True)
time.sleep(60)
"""


def hold_in_child(output, run_id, how="acquire"):
    child = subprocess.Popen([sys.executable, "-c", HOLDER, output, run_id, how], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=ENV)
    line = child.stdout.readline()
    if line.strip() != "held":
        child.kill()
        raise AssertionError(child.stderr.read())
    return child


def test_lock_refuses_another_run_while_any_process_of_the_live_run_holds_it(tmp_path):
    out = str(tmp_path)
    child = hold_in_child(out, "live")
    try:
        with pytest.raises(RunLockError, match=r"another run is live in .*run live \(pid \d+"):
            acquire(out, "other")
        assert read_owner(out)["run_id"] == "live" and read_owner(out)["pid"] == child.pid
        helper = join(out, "live")  # a later process of the live run
        child.kill()
        child.wait()
        with pytest.raises(RunLockError, match="another run is live"):
            acquire(out, "other")  # the helper still holds it
        helper.release()
        acquire(out, "other").release()  # a killed run does not hold the folder
    finally:
        child.kill()


def test_lock_acquired_by_krigflow_run_is_joined_by_its_graph(tmp_path):
    """krigflow run acquires for run id X; the graph's own acquire with X joins; another id is refused."""
    out = str(tmp_path)
    parent = hold_in_child(out, "X")
    try:
        mine = acquire(out, "X")
        assert mine.held
        with pytest.raises(RunLockError):
            acquire(out, "Y")
        mine.release()
    finally:
        parent.kill()


def test_join_after_takeover_fails(tmp_path):
    out = str(tmp_path)
    acquire(out, "first").release()
    other = acquire(out, "second")
    with pytest.raises(RunLockError, match="another run took over"):
        join(out, "first")
    other.release()


def test_warnings_collected_when_root_logger_is_at_error():
    """dispel4py's setting: root at ERROR. The collector still sees krigflow.* warnings, not others."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    krig = logging.getLogger("krigflow")
    before = krig.level
    try:
        with collect_warnings() as found:
            logging.getLogger("krigflow.grid").warning("merged %d cells", 3)
            logging.getLogger("other").warning("not ours")
            logging.getLogger("krigflow.run").info("info")
        assert found == ["merged 3 cells"]
        assert krig.level == before
    finally:
        root.setLevel(level)


CHAIN = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-m", "krigflow.distributed.parent_death", "KILL",
                          sys.executable, "-c", "import time; time.sleep(60)"],
                         env=dict(os.environ, KRIGFLOW_PARENT_PID=str(os.getpid())))
print(child.pid, flush=True)
time.sleep(60)
"""


def test_parent_death_signal_kills_the_child(tmp_path):
    middle = subprocess.Popen([sys.executable, "-c", CHAIN], stdout=subprocess.PIPE, text=True, env=ENV)
    grandchild = int(middle.stdout.readline())
    assert alive({grandchild})
    middle.kill()  # at once: the child may still be importing (it then finds another parent)
    middle.wait()
    left = wait_gone({grandchild}, timeout=5)
    if left:
        os.kill(grandchild, signal.SIGKILL)
    assert not left


def test_memory_guard_message():
    cfg = {"batch_size": 8, "quantiles": [10.0], "histogram_bins": 100, "cutoffs": [], "realizations": 100,
           "method": {"name": "subsample"}}
    with pytest.raises(GuardError, match=r"10,000,000,000 cells .* per kriger .*grid\.spacing.*batch_size"):
        check_memory((10**4, 10**4, 100), cfg, workers=2, available=8 * 2**30)
    small = check_memory((10, 10, 10), cfg, workers=2, available=8 * 2**30)
    assert 0 < small < 2**30
    # the estimate grows with the krigers on this machine: two that fit alone may not fit together
    one = check_memory((200, 200, 50), cfg, workers=1, available=2**40)
    with pytest.raises(GuardError, match="for 8 kriger"):
        check_memory((200, 200, 50), cfg, workers=8, available=int(2 * one / 0.9))


def test_output_links(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    check_output_links(str(tmp_path / "missing"))
    os.symlink(tmp_path / "elsewhere", tmp_path / ".progress")
    with pytest.raises(GuardError, match=r"\.progress is a symbolic link"):
        check_output_links(str(tmp_path))


def test_quantiles_resume_check():
    from types import SimpleNamespace

    partial = SimpleNamespace(path="part-1.npz", meta={"run_info": {"config": {"quantiles": []}}})
    check_quantiles_resume({"quantiles": []}, [partial])
    with pytest.raises(GuardError, match=r"part-1\.npz was computed with quantiles \[\], this config has \[50\.0\]"):
        check_quantiles_resume({"quantiles": [50.0]}, [partial])
