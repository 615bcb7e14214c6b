"""Issue 13, item 3: a new attempt never leaves the previous attempt's "ok" in status.json.

Today a direct `dispel4py multi` run with an invalid config exits 0 and leaves the previous run's "ok" in
``<output>/status.json``, the file the README tells users to check. Wanted: an attempt first marks the
status "running"; an attempt that fails (even before its config is valid, as long as the output folder
can be read from the config file) leaves "failed" with the reason.
"""

import subprocess

import pytest
from dispel4py.new.simple_process import process_and_return
from hostile_common import (
    ENV,
    Gate,
    MAPPINGS,
    ROOT,
    SLOW_GRAPH,
    TIMEOUT,
    d4py_cmd,
    descendants,
    kill_all,
    make_field,
    read_json,
    slow_env,
    start,
    wait_for,
    write_config,
)

from graphs.stochastic_kriging import build_graph


@pytest.fixture
def done_once(tmp_path):
    """A field whose output folder holds an "ok" status from a first complete run."""
    config = make_field(str(tmp_path), realizations=4)
    process_and_return(build_graph(), {"LogReader": [{"config": config}]})
    status = str(tmp_path / "out" / "status.json")
    assert read_json(status)["status"] == "ok"
    return {"folder": str(tmp_path), "config": config, "status": status}


@pytest.mark.slow
@pytest.mark.parametrize("mapping", MAPPINGS)
@pytest.mark.parametrize("bad", ["unknown key", "bad value"])
def test_invalid_config_replaces_stale_ok(done_once, mapping, bad):
    """A direct dispel4py run with an invalid config (same output folder): status.json says failed, why."""
    change = {"seeed": 3} if bad == "unknown key" else {"variogram": {"model": "cubic"}}
    config = write_config(done_once["folder"], name="bad.json", realizations=4, **change)
    proc = subprocess.run(d4py_cmd(mapping, "graphs/stochastic_kriging.py", {"config": config}, n=4),
                          capture_output=True, text=True, timeout=TIMEOUT, env=ENV, cwd=ROOT, check=False)
    status = read_json(done_once["status"])
    assert status["status"] == "failed", status
    assert ("seeed" if bad == "unknown key" else "variogram.model") in status["message"]
    if mapping != "multi":
        assert proc.returncode != 0


def test_invalid_config_in_process(done_once):
    """The same in process (simple mapping): the error is raised and status.json says failed."""
    config = write_config(done_once["folder"], name="bad.json", realizations=4, seeed=3)
    with pytest.raises(Exception, match="seeed"):
        process_and_return(build_graph(), {"LogReader": [{"config": config}]})
    assert read_json(done_once["status"])["status"] == "failed"


@pytest.mark.slow
@pytest.mark.parametrize("mapping", MAPPINGS)
def test_status_running_during_an_attempt(done_once, mapping):
    """While an attempt runs (here: extending the run to 12 realizations), status.json says "running"
    with the attempt's run id, never the previous "ok"; at the end, "ok" again."""
    config = write_config(done_once["folder"], realizations=12)
    gate = Gate(done_once["folder"])  # krigers wait after their first chunk: the attempt cannot end unseen
    run = start(d4py_cmd(mapping, SLOW_GRAPH, {"config": config}, n=5), env=slow_env(sleep=0.0, gate=gate))

    def changed():
        if read_json(done_once["status"])["status"] != "ok":
            return "changed"
        if run.poll() is not None:
            return "ended"
        return "computing" if gate.reached() else None  # realizations under way: too late to still say ok

    try:
        seen = wait_for(changed, timeout=90, what="status.json to change or the run to end")
        record = read_json(done_once["status"])
        gate.open()
        run.communicate(timeout=TIMEOUT)
    finally:
        gate.open()
        kill_all(descendants(run.pid) | {run.pid})
    assert seen == "changed", f"status.json still said the old 'ok' when the attempt had {seen}"
    assert record["status"] == "running" and record.get("run_id"), record
    final = read_json(done_once["status"])
    assert final["status"] == "ok" and final["realizations_done"] == 12
