"""Helpers of the hostile-user tests (issue 13): a small field on disk, subprocess runs, process checks.

The field is the one of ``tests/test_graph.py`` (5 vertical wells, 20 x 20 x 10 cells), written here again
so that these tests do not depend on where the other test modules live. Wells can be added (outside the
grid, in a cell of another well, under another name) and a header table written, to provoke the core's
warnings.
"""

import glob
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time

import numpy as np
import numpy.testing as npt
import pytest
from test_graph import las_text  # the LAS 2.0 text of a vertical well (one writer for both)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
#: The normal graph, and the test graphs of this folder.
GRAPH = os.path.join(ROOT, "graphs", "stochastic_kriging.py")
SLOW_GRAPH = os.path.join(HERE, "hostile_graph.py")
#: Time limit of one subprocess run: a hang fails the test instead of blocking the suite.
TIMEOUT = 180
#: Open MPI as root on a small machine (tests only), the worktree on the path of every subprocess.
ENV = dict(
    os.environ,
    OMPI_ALLOW_RUN_AS_ROOT="1",
    OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
    PRTE_MCA_rmaps_default_mapping_policy=":oversubscribe",
    PYTHONPATH=os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p),
)
needs_mpi = pytest.mark.skipif(shutil.which("mpiexec") is None, reason="mpiexec not found")
MAPPINGS = ["simple", "multi", pytest.param("mpi", marks=needs_mpi)]
KEYS = ("mean", "std", "count", "min", "max")
HEADS = [(1000.0, 1000.0), (1700.0, 1200.0), (1300.0, 1800.0), (1850.0, 1850.0), (1150.0, 1450.0)]
BASE_CONFIG = {
    "las": "las/*.las",
    "grid": {"spacing": [60.0, 60.0, 9.0], "bounds": [800, 2000, 800, 2000, 1000, 1090]},
    "variogram": {"model": "spherical", "sill": 200.0, "nugget": 5.0, "range_h": 900.0, "range_v": 25.0},
    "method": {"name": "subsample", "fraction": 0.6, "unit": "wells"},
    "realizations": 16,
    "seed": 7,
    "batch_size": 2,
    "checkpoint_every": 2,
    "outputs": {"formats": [], "figures": False},
    "output": "out",
}


def write_wells(folder, heads=HEADS, names=None):
    """Write one LAS file per well head into ``folder/las`` (names W0, W1... unless given)."""
    os.makedirs(os.path.join(folder, "las"), exist_ok=True)
    for i, (e, n) in enumerate(heads):
        name = names[i] if names else f"W{i}"
        tvdss = np.arange(1000.0, 1090.0, 0.5)
        gr = 60 + 20 * np.sin(tvdss / 9.0 + i) + 0.01 * (e - 1000) - 0.005 * (n - 1000)
        gr[::37] = np.nan
        with open(os.path.join(folder, "las", f"W{i}.las"), "w") as fh:
            fh.write(las_text(name, e, n, 30.0, tvdss + 30.0, gr))


def write_config(folder, name="run.json", **changes):
    """Write a run config (BASE_CONFIG with ``changes``) into ``folder``; return its path."""
    config = dict(BASE_CONFIG, **changes)
    path = os.path.join(folder, name)
    with open(path, "w") as fh:
        json.dump(config, fh)
    return path


def make_field(folder, heads=HEADS, names=None, **changes):
    """Wells and a config in ``folder``; return the config path."""
    write_wells(folder, heads, names)
    return write_config(folder, **changes)


_REFERENCES = {}


def reference(config_path):
    """The statistics of ``config_path`` computed in this process (no dispel4py, nothing written).

    Computed once per content: the tests write the same field and config in many folders, so the key is the
    config file's text and the bytes of every LAS file beside it (paths in the config are relative).
    """
    from krigflow.run import load_config, run_local

    folder = os.path.dirname(os.path.abspath(config_path))
    key = [open(config_path, "rb").read()]
    for path in sorted(glob.glob(os.path.join(folder, "las", "*"))):
        with open(path, "rb") as fh:
            key.append(os.path.basename(path).encode() + b"\0" + fh.read())
    key = hashlib.sha256(b"\0\0".join(key)).hexdigest()
    if key not in _REFERENCES:
        _REFERENCES[key] = run_local(load_config(config_path), write=False)["arrays"]
    return _REFERENCES[key]


def assert_matches(npz_path, ref):
    """stats.npz agrees with the reference within 1e-10."""
    with np.load(npz_path, allow_pickle=False) as npz:
        for key in KEYS:
            npt.assert_allclose(npz[key], ref[key], rtol=0, atol=1e-10, err_msg=key)


def read_json(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def krigflow(*args, env=None, timeout=TIMEOUT, **kw):
    """Run the ``krigflow`` command; return the CompletedProcess (text)."""
    return subprocess.run(["krigflow", *args], capture_output=True, text=True, timeout=timeout,
                          env=env or ENV, cwd=ROOT, check=False, **kw)


def start(args, env=None, **kw):
    """Start a command (stdout/stderr piped, text); return the Popen."""
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env or ENV, cwd=ROOT, **kw)


def slow_env(sleep=1.0, start_delay=0.0, gate=None, start_gate=None):
    """Environment of a run with hostile_graph.py: seconds per chunk and before the first message, and the
    :class:`Gate` (if any) krigers wait at before each chunk but their first / when their first message
    arrives."""
    env = dict(ENV, HOSTILE_SLEEP=str(sleep), HOSTILE_START_DELAY=str(start_delay))
    if gate is not None:
        env["HOSTILE_GATE"] = gate.path
    if start_gate is not None:
        env["HOSTILE_START_GATE"] = start_gate.path
    return env


class Gate:
    """A file that holds the krigers of hostile_graph.py while it exists (closed on creation).

    The test opens it when it has seen what it wanted, instead of guessing how long a run must last.
    """

    def __init__(self, folder, name="gate"):
        self.path = os.path.join(str(folder), name)
        with open(self.path, "w"):
            pass

    def reached(self):
        """Pids of the krigers that came to the gate (while it was closed)."""
        return [int(p.rsplit("-", 1)[1]) for p in glob.glob(glob.escape(self.path) + ".reached-*")]

    def open(self):
        """Let the krigers through (now and later)."""
        if os.path.exists(self.path):
            os.remove(self.path)


def d4py_cmd(mapping, graph, item, n=5):
    """The dispel4py command line of one run item (a dict) under ``mapping``."""
    data = ["-d", json.dumps({"LogReader": [item]})]
    if mapping == "simple":
        return ["dispel4py", "simple", graph, *data]
    if mapping == "multi":
        return ["dispel4py", "multi", graph, "-n", str(n), *data]
    return ["mpiexec", "-n", str(n), "dispel4py", "mpi", graph, "-n", str(n), *data]


def partial_files(output):
    return sorted(glob.glob(os.path.join(output, "partials", "part-*.npz")))


def wait_for(predicate, timeout=90, what="condition"):
    """Poll ``predicate`` every 50 ms until it returns something true; return it."""
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def covered(output):
    """Realization indices covered by the partial files of ``output`` (with repetitions)."""
    try:
        from krigflow.io import scan_partials  # after issue 10: partial files are read by krigflow.io
    except ImportError:
        from krigflow.run import scan_partials

    parts = scan_partials(output)
    return np.concatenate([p.indices for p in parts]) if parts else np.zeros(0, int)


# --- processes ----------------------------------------------------------------------------------------------


def _stat(pid):
    """(ppid, sid, state) of a process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            text = fh.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[3]), fields[0]


def descendants(pid):
    """Pids of every live descendant of ``pid`` (children, their children...)."""
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _stat(int(name))
            if st is not None:
                children.setdefault(st[0], []).append(int(name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def alive(pids):
    """The pids of ``pids`` that still run (zombies do not count)."""
    out = set()
    for pid in pids:
        st = _stat(pid)
        if st is not None and st[2] != "Z":
            out.add(pid)
    return out


def wait_gone(pids, timeout=20):
    """Wait until none of ``pids`` runs; return those still running after ``timeout`` seconds."""
    end = time.time() + timeout
    while time.time() < end and alive(pids):
        time.sleep(0.1)
    return alive(pids)


def kill_all(pids):
    """Clean up after a failed test: SIGKILL what is left (the test's own processes only)."""
    for pid in alive(pids):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
