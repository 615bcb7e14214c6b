"""Issue 13, item 1: one run at a time on an output folder, and nothing deleted before the lock is held.

* A ``krigflow run --overwrite`` refused because another run is live must not delete anything: today its
  LogReader clears ``partials/`` before the GridPlacer's lock check refuses, and the live run loses the
  realizations of its earlier attempts.
* Two runs started on one folder must not both succeed: today the lock is only checked by the GridPlacer and
  taken again by the krigers, so with a slow kriger start both plan every realization and both print "ok".

Every run uses tests/reliability/hostile_graph.py (the normal numbers, slower), in each mapping.
"""

import os

import pytest
from hostile_common import (
    MAPPINGS,
    Gate,
    SLOW_GRAPH,
    TIMEOUT,
    assert_matches,
    covered,
    d4py_cmd,
    descendants,
    kill_all,
    krigflow,
    make_field,
    partial_files,
    read_json,
    reference,
    slow_env,
    start,
    wait_for,
)

pytestmark = pytest.mark.slow


def finish(*procs):
    """communicate() with every process; kill what is left if one hangs."""
    results = []
    for proc in procs:
        try:
            results.append(proc.communicate(timeout=TIMEOUT))
        except Exception:
            kill_all(descendants(proc.pid) | {proc.pid})
            raise
    return results


@pytest.mark.parametrize("mapping", MAPPINGS)
def test_refused_overwrite_deletes_nothing(tmp_path, mapping):
    """--overwrite while another run is live: refused naming the other run; no partial file deleted; the
    live run ends ok with the statistics of an uninterrupted run."""
    config = make_field(str(tmp_path), realizations=24)
    output = str(tmp_path / "out")
    ref = reference(config)
    assert krigflow("run", config, "--realizations", "0:4").returncode == 0  # an earlier attempt
    prior = partial_files(output)
    assert prior
    gate = Gate(tmp_path)  # the live run's krigers wait after their first chunk until the gate opens
    live = start(["krigflow", "run", config, "--mapping", mapping, "-n", "5", "--graph", SLOW_GRAPH],
                 env=slow_env(sleep=0.0, gate=gate))
    try:
        wait_for(lambda: len(partial_files(output)) > len(prior), what="a partial file of the live run")
        mine = set(partial_files(output))
        refused = krigflow("run", config, "--overwrite")
        still = set(partial_files(output))
        assert live.poll() is None, "the live run ended before the refused one was tried"
    finally:
        gate.open()
        (_, err), = finish(live)
    assert refused.returncode != 0, refused.stdout
    assert "another run" in refused.stderr
    assert mine <= still, f"deleted: {sorted(mine - still)}"
    assert live.returncode == 0, err
    assert_matches(os.path.join(output, "stats.npz"), ref)


@pytest.mark.parametrize("mapping", MAPPINGS)
def test_two_krigflow_runs_on_one_folder(tmp_path, mapping):
    """Two `krigflow run` on one folder, the second started while the first's krigers wait at their start:
    exactly one succeeds, the other is refused naming the other run; each realization is computed once."""
    config = make_field(str(tmp_path))
    output = str(tmp_path / "out")
    ref = reference(config)
    gate = Gate(tmp_path, "start-gate")  # the first run's krigers wait at their start until it opens
    cmd = ["krigflow", "run", config, "--mapping", mapping, "-n", "5", "--graph", SLOW_GRAPH]
    first = start(cmd, env=slow_env(sleep=0.0, start_gate=gate))
    try:
        wait_for(gate.reached, what="a kriger of the first run at its start")
        second = start(cmd, env=slow_env(sleep=0.0))
        (out2, err2), = finish(second)
    finally:
        gate.open()
    (out1, err1), = finish(first)
    codes = [first.returncode, second.returncode]
    assert sorted(c == 0 for c in codes) == [False, True], (codes, out1 + err1, out2 + err2)
    loser = err1 if codes[0] else err2
    assert "another run" in loser
    assert_matches(os.path.join(output, "stats.npz"), ref)
    assert sorted(covered(output).tolist()) == list(range(16))


@pytest.mark.parametrize("mapping", ["multi", "simple"])
def test_two_direct_dispel4py_runs_on_one_folder(tmp_path, mapping):
    """The same with two direct dispel4py runs (no krigflow run around them): at most one status is ok,
    and the folder then holds that run's results, each realization once."""
    config = make_field(str(tmp_path))
    output = str(tmp_path / "out")
    ref = reference(config)
    gate = Gate(tmp_path, "start-gate")  # the first run's krigers wait at their start until it opens
    status = [str(tmp_path / f"status{i}.json") for i in range(2)]
    first = start(d4py_cmd(mapping, SLOW_GRAPH, {"config": config, "status": status[0]}),
                  env=slow_env(sleep=0.0, start_gate=gate))
    try:
        wait_for(gate.reached, what="a kriger of the first run at its start")
        second = start(d4py_cmd(mapping, SLOW_GRAPH, {"config": config, "status": status[1]}),
                       env=slow_env(sleep=0.0))
        outs = finish(second)
    finally:
        gate.open()
    outs = finish(first) + outs
    records = [read_json(s) if os.path.exists(s) else {"status": None} for s in status]
    oks = [r for r in records if r["status"] == "ok"]
    assert len(oks) <= 1, (records, outs)
    if oks:
        assert_matches(os.path.join(output, "stats.npz"), ref)
        assert sorted(covered(output).tolist()) == list(range(16))
    failed = [r for r in records if r["status"] == "failed"]
    assert failed and "another run" in failed[0]["message"], records
