"""Never lose work: SIGKILL part-way (multi and MPI), resume, --realizations ranges + combine, write errors.

Every run here uses the small field of test_graph (5 wells, 20 x 20 x 10 cells) with 16 realizations,
batch 2 and a checkpoint every 2 realizations; the reference is run_local. Runs that are killed use
tests/slow_graph.py (the same numbers, with a sleep per chunk so that the kill lands part-way); the resumed
runs use the normal graph. Final statistics must equal the uninterrupted run within 1e-10.
"""

import glob
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from dispel4py.new.simple_process import process_and_return

from krigflow.exceptions import WorkflowError
from krigflow.io import clear_partials, partial_paths, read_partial, scan_partials
from krigflow.run import load_config, run_local

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from test_graph import ENV, NO_EXTRAS, ROOT, TIMEOUT, assert_matches, needs_mpi, write_field  # noqa: E402

from graphs.stochastic_kriging import build_graph  # noqa: E402

SLOW_GRAPH = os.path.join(ROOT, "tests", "slow_graph.py")
SLOW_ENV = dict(ENV, SLOW_GRAPH_SLEEP="0.6", PYTHONPATH=ROOT)
REALIZATIONS = 16


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("resume"))
    path = write_field(folder, outputs=NO_EXTRAS)
    with open(path) as fh:
        raw = json.load(fh)
    raw.update(realizations=REALIZATIONS, batch_size=2, checkpoint_every=2)
    with open(path, "w") as fh:
        json.dump(raw, fh)
    reference = run_local(load_config(path), write=False)["arrays"]
    return {"folder": folder, "config": path, "raw": raw, "reference": reference}


def config_for(field, output, **changes):
    """A config file like the field's with another output folder (and changes); return its path."""
    raw = dict(field["raw"], output=output, **changes)
    path = os.path.join(field["folder"], f"run_{os.path.basename(output)}_{len(changes)}.json")
    with open(path, "w") as fh:
        json.dump(raw, fh)
    return path


def covered(output):
    parts = scan_partials(output)
    return np.concatenate([p.indices for p in parts]) if parts else np.zeros(0, int)


def wait_for_partial(output, timeout=60):
    """Wait for the first partial file of a run; return its metadata (pid of the kriger that wrote it)."""
    end = time.time() + timeout
    while time.time() < end:
        files = glob.glob(os.path.join(output, "partials", "part-*.npz"))
        if files:
            return read_partial(files[0]).meta
        time.sleep(0.05)
    raise AssertionError(f"no partial file in {output} after {timeout} s")


def krigflow(*args, env=ENV, **kw):
    return subprocess.run(
        ["krigflow", *args], capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=ROOT, **kw
    )


def resume_and_check(field, config, output, mapping="multi", n="5"):
    done_before = covered(output).size
    proc = krigflow("run", config, "--mapping", mapping, "-n", n)
    assert proc.returncode == 0, proc.stderr
    assert_matches(os.path.join(output, "stats.npz"), field["reference"])
    summary = json.loads(open(os.path.join(output, "summary.json")).read())
    assert summary["realizations_done"] == REALIZATIONS and summary["fingerprint"]["numerics"]
    return done_before


@pytest.mark.slow
@pytest.mark.parametrize("mapping", ["multi", pytest.param("mpi", marks=needs_mpi)])
def test_sigkill_worker_then_resume(field, tmp_path, mapping):
    """A kriger killed with SIGKILL stops the run (exit 1, naming it, partials kept); a rerun resumes."""
    output = str(tmp_path / mapping)
    config = config_for(field, output)
    run = subprocess.Popen(
        ["krigflow", "run", config, "--mapping", mapping, "-n", "6", "--graph", SLOW_GRAPH, "--timeout", "100"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=SLOW_ENV, cwd=ROOT,
    )
    meta = wait_for_partial(output)
    os.kill(meta["pid"], signal.SIGKILL)
    out, err = run.communicate(timeout=TIMEOUT)
    assert run.returncode == 1, out + err
    if mapping == "multi":
        assert "was killed by signal SIGKILL; the run was stopped" in err
    else:
        assert "exited on signal 9" in err
    assert "partial file(s) kept" in err and "run the same command again to resume" in err
    assert not os.path.exists(os.path.join(output, "stats.npz"))
    done_before = resume_and_check(field, config, output, mapping)
    assert 0 < done_before < REALIZATIONS


@pytest.mark.slow
def test_sigkill_whole_run_then_resume(field, tmp_path):
    """SIGKILL of every process of a dispel4py multi run at once; the rerun skips what was saved."""
    output = str(tmp_path / "whole")
    config = config_for(field, output)
    item = json.dumps({"LogReader": [{"config": config}]})
    run = subprocess.Popen(
        ["dispel4py", "multi", SLOW_GRAPH, "-n", "5", "-d", item], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env=SLOW_ENV, cwd=ROOT, start_new_session=True,
    )
    wait_for_partial(output)
    time.sleep(0.7)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    done_before = resume_and_check(field, config, output, "multi", "4")
    assert 0 < done_before < REALIZATIONS
    proc = krigflow("run", config)
    assert proc.returncode == 0 and "already complete" in proc.stdout
    clear_partials(output)  # the final results alone still say "complete"
    proc = krigflow("run", config)
    assert proc.returncode == 0 and "already complete" in proc.stdout


@pytest.mark.slow
def test_ranges_as_separate_processes_then_combine(field, tmp_path):
    """Three --realizations ranges run concurrently as separate jobs, combined, equal one run; refusals."""
    runs = []
    defaults = {"formats": ["netcdf"], "figures": True}  # combine writes the configured outputs
    for i, (span, mapping) in enumerate([("0:5", "simple"), ("5:11", "multi"), ("11:16", "simple")]):
        config = config_for(field, str(tmp_path / f"task{i}"), outputs=defaults)
        runs.append(subprocess.Popen(
            ["krigflow", "run", config, "--realizations", span, "--mapping", mapping, "-n", "4"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT,
        ))
    for run in runs:
        out, err = run.communicate(timeout=TIMEOUT)
        assert run.returncode == 0, err
        assert "merge the runs with 'krigflow combine'" in out
    assert not glob.glob(str(tmp_path / "task*" / "stats.npz"))
    tasks = [str(tmp_path / f"task{i}") for i in range(3)]
    proc = krigflow("combine", *tasks[:2], "-o", str(tmp_path / "combined"))
    assert proc.returncode == 1 and "5 of 16 realizations missing: 11-15" in proc.stderr
    proc = krigflow("combine", *tasks, tasks[1], "-o", str(tmp_path / "combined"))
    assert proc.returncode == 1 and "both cover realizations 5-10" in proc.stderr
    proc = krigflow("combine", *tasks, "-o", str(tmp_path / "combined"))
    assert proc.returncode == 0, proc.stderr
    assert "krigflow combine: ok: 16 realizations" in proc.stdout
    assert_matches(tmp_path / "combined" / "stats.npz", field["reference"])
    summary = json.loads((tmp_path / "combined" / "summary.json").read_text())
    assert summary["realizations_done"] == REALIZATIONS and summary["mapping"] == "combine"
    # the combined results are as complete as a single run's: wells for the figures, configured formats
    wells = np.load(tmp_path / "combined" / "wells.npz", allow_pickle=False)
    assert wells["data_value"].size > 0 and wells["names"].size > 0
    # tamper with one partial's fingerprint: refused, naming the file and what differs
    victim = partial_paths(tasks[2])[0]
    with np.load(victim, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    tampered = json.loads(str(arrays["fingerprint_config"]))
    tampered["variogram"]["sill"] = 300.0
    arrays["fingerprint_config"] = np.array(json.dumps(tampered, sort_keys=True))
    np.savez(victim, **arrays)
    proc = krigflow("combine", *tasks, "-o", str(tmp_path / "combined2"))
    assert proc.returncode == 1
    assert os.path.basename(victim) in proc.stderr and "variogram.sill = 300.0 there, 200.0 here" in proc.stderr


def test_write_error_ends_run_and_keeps_partials(field, tmp_path, monkeypatch):
    """A failing checkpoint write (disk full) ends the run naming the file; earlier partials stay; resume."""
    output = str(tmp_path / "diskfull")
    config = config_for(field, output)
    real_replace, calls = os.replace, []

    def replace(src, dst):
        if os.sep + "partials" + os.sep + "part-" in str(dst):  # checkpoint files only
            calls.append(dst)
            if len(calls) > 3:
                raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(WorkflowError, match=r"SampleKriger: cannot write the checkpoint .*part-[0-9a-f]+\.npz: No space"):
        process_and_return(build_graph(), {"LogReader": [{"config": config}]})
    monkeypatch.undo()
    status = json.loads(open(os.path.join(output, "status.json")).read())
    assert status["status"] == "failed" and "partial files already written" in status["message"]
    assert covered(output).size == 6 and not os.path.exists(os.path.join(output, "stats.npz"))
    result = process_and_return(build_graph(), {"LogReader": [{"config": config}]})
    assert [v["status"][0]["state"] for v in result.values()] == ["complete"]
    assert_matches(os.path.join(output, "stats.npz"), field["reference"])


def test_unwritable_output_refused_before_work(field, tmp_path):
    """An output whose partials folder cannot be created is refused with status 2, nothing launched."""
    (tmp_path / "file").write_text("x")
    config = config_for(field, str(tmp_path / "file" / "out"))
    proc = krigflow("run", config)
    assert proc.returncode == 2 and "output: cannot write in" in proc.stderr and "Not a directory" in proc.stderr


def test_other_config_or_data_refused_overwrite_clears(field, tmp_path):
    """Resuming with another variogram (before launch) or other well data (in the run) is refused."""
    output = str(tmp_path / "other")
    config = config_for(field, output)
    assert krigflow("run", config, "--realizations", "0:4").returncode == 0
    other = config_for(field, output, variogram=dict(field["raw"]["variogram"], sill=250.0))
    proc = krigflow("run", other)
    assert proc.returncode == 2 and "variogram.sill = 200.0 there, 250.0 here" in proc.stderr
    bounds = [800, 2000, 800, 2000, 1000, 1081]  # other grid: the data fingerprint differs
    moved = config_for(field, output, grid=dict(field["raw"]["grid"], bounds=bounds))
    proc = krigflow("run", moved)
    assert proc.returncode == 2 and "grid.bounds" in proc.stderr
    proc = krigflow("run", moved, "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert covered(output).size == REALIZATIONS


def test_data_change_refused_in_run(field, tmp_path):
    """Same config, changed LAS values: the GridPlacer refuses to resume, saying the data differ."""
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(os.path.join(field["folder"], "las"), folder / "las")
    raw = dict(field["raw"], output=str(tmp_path / "out"), las=str(folder / "las" / "*.las"))
    (folder / "run.json").write_text(json.dumps(raw))
    process_and_return(build_graph(), {"LogReader": [{"config": str(folder / "run.json"), "realizations": [0, 4]}]})
    las = (folder / "las" / "W0.las").read_text()
    (folder / "las" / "W0.las").write_text(las.replace(" 6", " 9", 3))  # three GR values change
    with pytest.raises(WorkflowError, match="GridPlacer: partial file .* conditioning data or grid differ"):
        process_and_return(build_graph(), {"LogReader": [{"config": str(folder / "run.json")}]})
