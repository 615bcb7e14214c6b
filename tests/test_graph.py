"""Tests of the dispel4py graph (pes/, graphs/) and of ``krigflow run`` in the simple, multi and mpi mappings.

In-process tests use ``dispel4py.new.simple_process.process_and_return``; the others run the ``dispel4py`` and
``krigflow`` commands as subprocesses on a small problem (5 wells, 20 x 20 x 10 grid, 12 realizations) and
compare ``stats.npz`` with :func:`krigflow.run.run_local` within 1e-10. Failures (a SampleKriger raising
in the middle of the run, a broken LAS file) must end every mapping with the error, within a time limit.
"""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import numpy.testing as npt
import pytest
from dispel4py.new import processor
from dispel4py.new.simple_process import process_and_return

from krigflow.exceptions import WorkflowError
from krigflow.run import load_config, run_local

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fault_graph  # noqa: E402  (test-only graph module beside this file)
from synthetic_field import HEADS  # noqa: E402

from graphs.stochastic_kriging import DEMO_CONFIG, build_graph, processes_from_argv  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRAPH = os.path.join(ROOT, "graphs", "stochastic_kriging.py")
FAULT_GRAPH = os.path.join(ROOT, "tests", "fault_graph.py")
KEYS = ("mean", "std", "count", "min", "max", "easting", "northing", "tvdss")
#: Time limit of one subprocess run: a hang fails the test instead of blocking the suite.
TIMEOUT = 120
#: Open MPI as root on a small machine (tests/CI only; a user's MPI needs none of this).
ENV = dict(
    os.environ,
    OMPI_ALLOW_RUN_AS_ROOT="1",
    OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
    PRTE_MCA_rmaps_default_mapping_policy=":oversubscribe",
)
needs_mpi = pytest.mark.skipif(shutil.which("mpiexec") is None, reason="mpiexec not found")


def las_text(name, easting, northing, kb, md, gr):
    """A minimal LAS 2.0 file of a vertical well located by ~Well X/Y and its EKB datum."""
    rows = "\n".join(f"{m:.2f} {(-999.25 if np.isnan(g) else g):.4f}" for m, g in zip(md, gr))
    return (
        f"~Version\nVERS. 2.0 : CWLS LAS 2.0\nWRAP. NO : one line per depth step\n~Well\n"
        f"STRT.m {md[0]:.2f} : START\nSTOP.m {md[-1]:.2f} : STOP\nSTEP.m 0.5 : STEP\nNULL. -999.25 : NULL\n"
        f"WELL. {name} : WELL\nX   .m {easting:.1f} : easting\nY   .m {northing:.1f} : northing\n"
        f"EKB .m {kb:.1f} : datum elevation\n~Curve Information\nDEPT.m : measured depth\n"
        f"GR  .gAPI : gamma ray\n~ASCII\n{rows}\n"
    )


#: Outputs of the runs whose tests read stats.npz only: no figures, no other format (figures take seconds).
NO_EXTRAS = {"formats": [], "figures": False}


def write_field(folder, *, broken=False, outputs=None):
    """Write the 5 wells of synthetic_field as LAS files (plus a broken one) and a run config; return its path.

    ``outputs``: the config's ``outputs`` section (default: none, so the default outputs are written)."""
    os.makedirs(os.path.join(folder, "las"), exist_ok=True)
    for i, (e, n) in enumerate(HEADS):
        tvdss = np.arange(1000.0, 1090.0, 0.5)
        gr = 60 + 20 * np.sin(tvdss / 9.0 + i) + 0.01 * (e - 1000) - 0.005 * (n - 1000)
        gr[::37] = np.nan
        with open(os.path.join(folder, "las", f"W{i}.las"), "w") as fh:
            fh.write(las_text(f"W{i}", e, n, 30.0, tvdss + 30.0, gr))
    if broken:
        with open(os.path.join(folder, "las", "Broken_well.las"), "w") as fh:
            fh.write("this is not\na LAS file\n")
    config = {
        "las": "las/*.las",
        "grid": {"spacing": [60.0, 60.0, 9.0], "bounds": [800, 2000, 800, 2000, 1000, 1090]},
        "variogram": {"model": "spherical", "sill": 200.0, "nugget": 5.0, "range_h": 900.0, "range_v": 25.0},
        "method": {"name": "subsample", "fraction": 0.6, "unit": "wells"},
        "realizations": 12,
        "seed": 7,
        "batch_size": 2,
        "output": "out",
    }
    if outputs is not None:
        config["outputs"] = outputs
    path = os.path.join(folder, "run.json")
    with open(path, "w") as fh:
        json.dump(config, fh)
    return path


def with_output(config_path, output, **changes):
    """Copy of a config file with another output directory (and ``changes``); return its path."""
    with open(config_path) as fh:
        config = json.load(fh)
    config.update(changes, output=output)
    path = os.path.join(os.path.dirname(config_path), f"run_{os.path.basename(output)}.json")
    with open(path, "w") as fh:
        json.dump(config, fh)
    return path


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    """The small field on disk and its reference statistics from run_local."""
    folder = str(tmp_path_factory.mktemp("field"))
    config_path = write_field(folder, outputs=NO_EXTRAS)
    reference = run_local(load_config(config_path), write=False)["arrays"]
    return {"folder": folder, "config": config_path, "reference": reference}


@pytest.fixture(scope="module")
def broken_field(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("broken"))
    return write_field(folder, broken=True, outputs=NO_EXTRAS)


def assert_matches(npz_path, reference):
    """stats.npz holds every array and agrees with the reference within 1e-10."""
    with np.load(npz_path, allow_pickle=False) as npz:
        assert set(KEYS) <= set(npz.files)
        assert npz["mean"].shape == (npz["easting"].size, npz["northing"].size, npz["tvdss"].size)
        for key in KEYS:
            npt.assert_allclose(npz[key], reference[key], rtol=0, atol=1e-10, err_msg=key)


def run(cmd, cwd=ROOT):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=ENV, cwd=cwd)


# --- graph structure ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, krigers", [(1, 1), (4, 1), (5, 2), (8, 5)])
def test_process_assignment_uses_every_process(n, krigers):
    """With -n N, dispel4py gives the SampleKriger N - 3 instances and every other PE one (N in total)."""
    graph = build_graph(n)
    if n < 4:
        assert all(node.get_contained_object().numprocesses == 1 for node in graph.graph.nodes())
        return
    ok, _, processes = processor._assign_processes(graph, n)
    assert ok
    counts = {pe_id.rstrip("0123456789"): len(r) for pe_id, r in processes.items()}
    assert counts == {"LogReader": 1, "GridPlacer": 1, "SampleKriger": krigers, "StatsAccumulator": 1}
    assert sum(counts.values()) == n


@pytest.mark.parametrize(
    "argv, n",
    [
        (["/usr/local/bin/dispel4py", "multi", "g.py", "-n", "6"], 6),
        (["dispel4py", "mpi", "g.py", "-d", "{}", "--num_processes", "7"], 7),
        (["dispel4py", "multi", "g.py", "--num=5"], 5),
        (["dispel4py", "simple", "g.py", "-d", "{}"], 1),
        (["dispel4py", "multi", "g.py", "-n", "x"], 1),
        (["python", "-m", "pytest", "-n", "4"], 1),
    ],
)
def test_processes_from_argv(argv, n):
    """-n is read from dispel4py command lines only."""
    assert processes_from_argv(argv) == n


def test_demo_config_is_the_default():
    """With no input, the graph runs the bundled demo config."""
    assert DEMO_CONFIG == os.path.join(ROOT, "data", "demo", "run.yaml")
    assert os.path.isfile(DEMO_CONFIG)


# --- in-process (simple mapping) -----------------------------------------------------------------------------


def status_of(result):
    (status,) = [v["status"][0] for v in result.values() if "status" in v]
    return status


def test_simple_in_process_equals_run_local(field, tmp_path):
    """The graph under process_and_return gives run_local's statistics and writes outputs + status."""
    config = with_output(field["config"], str(tmp_path / "inproc"))
    result = process_and_return(build_graph(), {"LogReader": [{"config": config}]})
    assert status_of(result)["status"] == "ok"
    assert_matches(tmp_path / "inproc" / "stats.npz", field["reference"])
    summary = json.loads((tmp_path / "inproc" / "summary.json").read_text())
    assert summary["status"] == "ok" and summary["realizations_done"] == 12 and len(summary["wells"]) == 5
    assert json.loads((tmp_path / "inproc" / "status.json").read_text())["status"] == "ok"


def test_default_config_when_no_input(field, tmp_path):
    """A LogReader without an input item runs its default config."""
    config = with_output(field["config"], str(tmp_path / "default"))
    result = process_and_return(build_graph(default_config=config), {"LogReader": 1})
    assert status_of(result)["status"] == "ok"
    assert (tmp_path / "default" / "stats.npz").exists()


def test_bare_path_input(field, tmp_path):
    """An input item may be the bare path of the config."""
    config = with_output(field["config"], str(tmp_path / "bare"))
    process_and_return(build_graph(), {"LogReader": [config]})
    assert (tmp_path / "bare" / "stats.npz").exists()


def test_failing_kriger_in_process(field, tmp_path):
    """A SampleKriger raising mid-run: WorkflowError naming the PE and cause; status 'failed'; no results."""
    config = with_output(field["config"], str(tmp_path / "fault"))
    graph = build_graph(kriger=fault_graph.SampleKriger)
    with pytest.raises(
        WorkflowError, match="SampleKriger: realizations 4-5: injected failure at realization 5"
    ):
        process_and_return(graph, {"LogReader": [{"config": config}]})
    status = json.loads((tmp_path / "fault" / "status.json").read_text())
    assert status["status"] == "failed" and status["errors"][0]["pe"] == "SampleKriger"
    assert not (tmp_path / "fault" / "stats.npz").exists()


def test_broken_las_in_process(broken_field, tmp_path):
    """An unreadable LAS file fails the run with a message naming the file."""
    config = with_output(broken_field, str(tmp_path / "broken"))
    with pytest.raises(
        WorkflowError, match="LogReader: 1 of 6 LAS file\\(s\\) failed: .*Broken_well.las: no ~ sections"
    ):
        process_and_return(build_graph(), {"LogReader": [{"config": config}]})


@pytest.mark.parametrize(
    "item, message",
    [
        ({"config": "/no/such/run.yaml"}, "LogReader: config file /no/such/run.yaml: cannot be read"),
        ({"confg": "x"}, "LogReader: LogReader input: unknown key 'confg'"),
        ({"config": "x.yaml", "overwrite": "yes"}, "'overwrite' must be true or false"),
    ],
)
def test_bad_input_items(item, message):
    """Bad input items end the run with an error naming the problem (no hang, no traceback from a PE)."""
    with pytest.raises(WorkflowError, match=message):
        process_and_return(build_graph(), {"LogReader": [item]})


def test_bad_config_key_is_named(field, tmp_path):
    """An unknown config key stops the run before any work, naming the key."""
    with open(field["config"]) as fh:
        raw = json.load(fh)
    raw.update(seeed=3, output=str(tmp_path / "o"))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(WorkflowError, match="LogReader: seeed: unknown key"):
        process_and_return(build_graph(), {"LogReader": [{"config": str(path)}]})


def test_two_input_items_refused(field, tmp_path):
    """One run per graph execution: a second item is an error, the first run is not written twice."""
    config = with_output(field["config"], str(tmp_path / "two"))
    with pytest.raises(WorkflowError, match="one run per graph execution"):
        process_and_return(build_graph(), {"LogReader": [{"config": config}, {"config": config}]})


def test_existing_output_not_overwritten_in_process(field, tmp_path):
    """Existing results are left untouched unless overwrite is asked for (a second run is 'already complete')."""
    config = with_output(field["config"], str(tmp_path / "exists"))
    process_and_return(build_graph(), {"LogReader": [{"config": config}]})
    before = (tmp_path / "exists" / "stats.npz").read_bytes()
    result = process_and_return(build_graph(), {"LogReader": [{"config": config}]})
    assert status_of(result)["state"] == "already complete"
    assert (tmp_path / "exists" / "stats.npz").read_bytes() == before
    process_and_return(build_graph(), {"LogReader": [{"config": config, "overwrite": True}]})
    assert_matches(tmp_path / "exists" / "stats.npz", field["reference"])


# --- the dispel4py command, three mappings --------------------------------------------------------------------


def d4py_cmd(mapping, graph, data_args, n=4):
    if mapping == "simple":
        return ["dispel4py", "simple", graph, *data_args]
    if mapping == "multi":
        return ["dispel4py", "multi", graph, "-n", str(n), *data_args]
    return ["mpiexec", "-n", str(n), "dispel4py", "mpi", graph, "-n", str(n), *data_args]


MAPPINGS = ["simple", "multi", pytest.param("mpi", marks=needs_mpi)]


@pytest.mark.slow
@pytest.mark.parametrize("mapping", MAPPINGS)
def test_dispel4py_cli_matches_run_local(field, tmp_path, mapping):
    """`dispel4py <mapping> graphs/stochastic_kriging.py` (-d for simple, -f otherwise) gives run_local's stats
    and writes the default outputs (stats.nc, figures) too."""
    config = with_output(field["config"], str(tmp_path / mapping), outputs={"formats": ["netcdf"], "figures": True})
    data = json.dumps({"LogReader": [{"config": config}]})
    if mapping == "simple":
        args = ["-d", data]
    else:
        (tmp_path / "input.json").write_text(data)
        args = ["-f", str(tmp_path / "input.json")]
    proc = run(d4py_cmd(mapping, "graphs/stochastic_kriging.py", args))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert_matches(tmp_path / mapping / "stats.npz", field["reference"])
    assert (tmp_path / mapping / "stats.nc").stat().st_size > 0
    assert (tmp_path / mapping / "figures" / "map_mean.png").stat().st_size > 0


@pytest.mark.slow
@pytest.mark.parametrize("mapping", MAPPINGS)
def test_dispel4py_cli_failing_kriger_does_not_hang(field, tmp_path, mapping):
    """A SampleKriger raising mid-run ends the dispel4py command (no hang) with a 'failed' status record."""
    config = with_output(field["config"], str(tmp_path / mapping))
    proc = run(d4py_cmd(mapping, FAULT_GRAPH, ["-d", json.dumps({"LogReader": [{"config": config}]})], n=5))
    status = json.loads((tmp_path / mapping / "status.json").read_text())
    assert status["status"] == "failed"
    assert "injected failure at realization 5" in status["message"]
    assert "injected failure" in proc.stdout + proc.stderr
    if mapping != "multi":  # multi's exit status is unreliable in dispel4py 2.9.1
        assert proc.returncode != 0


# --- krigflow run ---------------------------------------------------------------------------------------------


def krigflow_run(config, *args):
    return run(["krigflow", "run", config, *args])


@pytest.mark.slow
@pytest.mark.parametrize(
    "mapping, n", [("simple", 1), ("multi", 4), ("multi", 6), pytest.param("mpi", 5, marks=needs_mpi)]
)
def test_krigflow_run_matches_run_local(field, tmp_path, mapping, n):
    """`krigflow run` gives run_local's statistics whatever the mapping and number of SampleKrigers."""
    config = with_output(field["config"], str(tmp_path / f"{mapping}{n}"))
    proc = krigflow_run(config, "--mapping", mapping, "-n", str(n))
    assert proc.returncode == 0, proc.stderr
    assert "krigflow run: ok: 12 realizations" in proc.stdout
    assert_matches(tmp_path / f"{mapping}{n}" / "stats.npz", field["reference"])
    summary = json.loads((tmp_path / f"{mapping}{n}" / "summary.json").read_text())
    assert summary["mapping"] == mapping and summary["workers"] == max(1, n - 3)


@pytest.mark.slow
@pytest.mark.parametrize("mapping", MAPPINGS)
def test_krigflow_run_failing_kriger(field, tmp_path, mapping):
    """A PE failing mid-run: exit status 1 and one line naming the PE and the cause, in every mapping."""
    config = with_output(field["config"], str(tmp_path / mapping))
    proc = krigflow_run(config, "--mapping", mapping, "-n", "5", "--graph", FAULT_GRAPH)
    assert proc.returncode == 1
    assert (
        "krigflow run: failed: SampleKriger: realizations 4-5: injected failure at realization 5"
        in proc.stderr.splitlines()[0]
    )
    assert not (tmp_path / mapping / "stats.npz").exists()


@pytest.mark.slow
@pytest.mark.parametrize("mapping", MAPPINGS)
def test_krigflow_run_broken_las(broken_field, tmp_path, mapping):
    """A broken LAS among the inputs: exit status 1 and the file named, in every mapping."""
    config = with_output(broken_field, str(tmp_path / mapping))
    proc = krigflow_run(config, "--mapping", mapping, "-n", "4")
    assert proc.returncode == 1
    assert "krigflow run: failed: LogReader:" in proc.stderr and "Broken_well.las" in proc.stderr


def test_krigflow_run_refuses_before_launching(field, tmp_path):
    """Bad configs, missing inputs, existing outputs and too few processes are refused with status 2."""
    config = with_output(field["config"], str(tmp_path / "exists"))
    os.makedirs(tmp_path / "exists")
    (tmp_path / "exists" / "stats.npz").write_bytes(b"old")
    proc = krigflow_run(config)
    assert proc.returncode == 2 and "refusing to overwrite" in proc.stderr
    assert (tmp_path / "exists" / "stats.npz").read_bytes() == b"old"
    fresh = with_output(field["config"], str(tmp_path / "fresh"))
    proc = krigflow_run(fresh, "--mapping", "multi", "-n", "3")
    assert proc.returncode == 2 and "-n: --mapping multi needs at least 4 processes" in proc.stderr
    with open(field["config"]) as fh:
        raw = json.load(fh)
    raw.update(las="nothere/*.las", output=str(tmp_path / "x"))
    (tmp_path / "missing.json").write_text(json.dumps(raw))
    proc = krigflow_run(str(tmp_path / "missing.json"))
    assert proc.returncode == 2 and "las: no file matches" in proc.stderr
    raw.update(las=os.path.join(field["folder"], "las", "*.las"), variogram={"model": "cubic"})
    (tmp_path / "bad.json").write_text(json.dumps(raw))
    proc = krigflow_run(str(tmp_path / "bad.json"))
    assert proc.returncode == 2 and "variogram.model: expected one of" in proc.stderr


@pytest.mark.slow
def test_krigflow_run_overwrite(field, tmp_path):
    """--overwrite replaces existing results, also those of an older run without a fingerprint."""
    config = with_output(field["config"], str(tmp_path / "ow"))
    os.makedirs(tmp_path / "ow")
    (tmp_path / "ow" / "stats.npz").write_bytes(b"old")
    (tmp_path / "ow" / "summary.json").write_text('{"status": "ok", "realizations_done": 3}')
    proc = krigflow_run(config, "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert_matches(tmp_path / "ow" / "stats.npz", field["reference"])


def test_krigflow_run_explains_mpi_launcher_refusal(field, tmp_path):
    """When mpiexec refuses to start (root, too few slots), the error line says what to do."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_ALLOW", "PRTE_MCA_rmaps"))}
    if os.geteuid() != 0:
        pytest.skip("the run-as-root refusal needs root")
    config = with_output(field["config"], str(tmp_path / "root"))
    proc = subprocess.run(["krigflow", "run", config, "--mapping", "mpi", "-n", "4"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 1
    assert "--allow-run-as-root" in proc.stderr and "OMPI_ALLOW_RUN_AS_ROOT=1" in proc.stderr
