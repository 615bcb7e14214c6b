"""Issue 13, item 2: SIGTERM / SIGHUP to `krigflow run` stop the whole run; workers die with their parent.

Today `kill -TERM` (timeout, a CI cancel, Slurm's pre-emption signal) ends `krigflow run` with no message,
and dispel4py (or mpiexec and its ranks) keep running as orphans and write results later. Wanted: the
signal stops every process of the run like Ctrl-C does, a message says so and that the partial results are
kept, the exit status is 128 + the signal number, and the same command resumes. Even a SIGKILL of
`krigflow run` (no handler can run) must not leave workers behind: they get a parent-death signal.
"""

import os
import signal
import time

import pytest
from hostile_common import (
    SLOW_GRAPH,
    Gate,
    assert_matches,
    descendants,
    kill_all,
    krigflow,
    make_field,
    needs_mpi,
    partial_files,
    reference,
    slow_env,
    start,
    wait_for,
    wait_gone,
)

pytestmark = pytest.mark.slow


def start_slow_run(tmp_path, mapping):
    """A `krigflow run` of 24 realizations whose krigers, after their first chunk, wait at a closed gate (the
    run cannot end, so orphans cannot just finish); return (config, output, Popen, pids, gate) once the run
    has written a partial file and every kriger waits (pids: every process under `krigflow run` then)."""
    config = make_field(str(tmp_path), realizations=24)
    output = str(tmp_path / "out")
    gate = Gate(tmp_path)
    krigers = 1 if mapping == "simple" else 2
    # SIGINT as a terminal's Ctrl-C delivers it: a suite started in the background by a shell without job
    # control (`pytest &` in a script) has SIGINT ignored, and a child would inherit that
    run = start(["krigflow", "run", config, "--mapping", mapping, "-n", "5", "--graph", SLOW_GRAPH,
                 "--timeout", "170"], env=slow_env(sleep=0.0, gate=gate),
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_for(lambda: partial_files(output), what="a partial file")
        wait_for(lambda: len(gate.reached()) >= krigers, what=f"{krigers} kriger(s) at the gate")
        pids = descendants(run.pid)
    except Exception:
        kill_all(descendants(run.pid) | {run.pid})
        raise
    assert pids, "krigflow run has no child process"
    return config, output, run, pids, gate


@pytest.mark.parametrize(
    "mapping, sig",
    [("simple", signal.SIGTERM), ("multi", signal.SIGTERM), pytest.param("mpi", signal.SIGTERM, marks=needs_mpi),
     ("multi", signal.SIGHUP), ("simple", signal.SIGHUP), ("multi", signal.SIGINT)],
)
def test_signal_stops_the_whole_run(tmp_path, mapping, sig):
    """SIGTERM/SIGHUP (and SIGINT, Ctrl-C): no process of the run left, a message, exit 128+N, partials kept,
    resume works."""
    config, output, run, pids, gate = start_slow_run(tmp_path, mapping)
    run.send_signal(sig)
    try:
        _, err = run.communicate(timeout=40)
    finally:
        left = wait_gone(pids, timeout=10)
        kill_all(left | {run.pid})
    assert not left, f"processes of the run still running after {sig.name}: {sorted(left)}"
    assert run.returncode == 128 + sig, (run.returncode, err)
    assert f"stopped by {sig.name}" in err, err
    assert "partial file(s) kept" in err and "run the same command again to resume" in err, err
    kept = partial_files(output)
    assert kept
    gate.open()  # nothing may write results after the stop, even with nothing holding it back
    time.sleep(1.0)
    assert not os.path.exists(os.path.join(output, "stats.npz"))
    assert partial_files(output) == kept
    proc = krigflow("run", config)
    assert proc.returncode == 0, proc.stderr
    assert_matches(os.path.join(output, "stats.npz"), reference(config))


@pytest.mark.parametrize("mapping", ["simple", "multi", pytest.param("mpi", marks=needs_mpi)])
def test_workers_die_with_krigflow_run(tmp_path, mapping):
    """SIGKILL of `krigflow run` itself: its dispel4py processes (and MPI ranks) die too."""
    _, _, run, pids, gate = start_slow_run(tmp_path, mapping)
    run.kill()
    run.communicate(timeout=30)
    left = wait_gone(pids, timeout=10)
    kill_all(left)
    gate.open()
    assert not left, f"orphans still running after SIGKILL of krigflow run: {sorted(left)}"
