"""A run split into blocks (``blocks`` in the config) through ``krigflow run`` in the simple, multi and mpi
mappings: the numbers of an unblocked run (<= 1e-12), every block computed by exactly one kriger."""

import json
import os
import sys

import numpy as np
import numpy.testing as npt
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from test_graph import ENV, TIMEOUT, needs_mpi, write_field  # noqa: E402

from krigflow.run import load_config, run_local  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROBE_GRAPH = os.path.join(ROOT, "tests", "block_probe_graph.py")
BLOCKS = 4


@pytest.fixture(scope="module")
def blocked_field(tmp_path_factory):
    """The small field with ``blocks: 4`` and quantiles/cutoffs, and the unblocked reference."""
    folder = str(tmp_path_factory.mktemp("blocked"))
    path = write_field(folder)
    with open(path) as fh:
        raw = json.load(fh)
    raw.update(cutoffs=[60.0])
    with open(path, "w") as fh:
        json.dump(raw, fh)
    reference = run_local(load_config(path), write=False)["arrays"]
    raw["blocks"] = BLOCKS
    blocked = os.path.join(folder, "blocked.json")
    with open(blocked, "w") as fh:
        json.dump(raw, fh)
    return {"folder": folder, "raw": raw, "reference": reference}


def run_blocked(field, tmp_path, mapping, n):
    import subprocess

    raw = dict(field["raw"], output=str(tmp_path / "out"))
    config = os.path.join(field["folder"], f"run_{mapping}{n}.json")   # beside las/
    with open(config, "w") as fh:
        json.dump(raw, fh)
    probe = tmp_path / "probe"
    probe.mkdir()
    env = dict(ENV, BLOCK_PROBE_DIR=str(probe))
    proc = subprocess.run(["krigflow", "run", config, "--mapping", mapping, "-n", str(n), "--graph", PROBE_GRAPH],
                          capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    lines = [[f.stem, *line.split()[1:]] for f in probe.iterdir() for line in f.read_text().splitlines()]
    return tmp_path / "out", lines


@pytest.mark.slow
@pytest.mark.parametrize("mapping, n", [("simple", 1), ("multi", 4), ("multi", 6),
                                        pytest.param("mpi", 4, marks=needs_mpi),
                                        pytest.param("mpi", 6, marks=needs_mpi)])
def test_blocked_graph_run_matches_unblocked(blocked_field, tmp_path, mapping, n):
    """Same numbers as the unblocked run_local; each block's chunks all computed by one kriger, and with k
    krigers block b by the (b mod k)-th of them, one block at a time (block order)."""
    out, lines = run_blocked(blocked_field, tmp_path, mapping, n)
    reference = blocked_field["reference"]
    with np.load(out / "stats.npz", allow_pickle=False) as npz:
        assert set(npz.files) == set(reference)
        for key in reference:
            if npz[key].dtype.kind == "f":
                npt.assert_allclose(npz[key], reference[key], rtol=0, atol=1e-12, err_msg=key)
            else:
                npt.assert_array_equal(npz[key], reference[key], err_msg=key)
    by_block = {}
    for kriger, origin, cells, count in lines:   # kriger: its process id
        by_block.setdefault(float(origin), set()).add(kriger)
        assert int(cells) == 5  # 20 easting cells in 4 blocks
    assert len(by_block) == BLOCKS and all(len(k) == 1 for k in by_block.values())
    krigers = max(1, n - 3)
    assert len({k for ks in by_block.values() for k in ks}) == min(krigers, BLOCKS)
    owner = [next(iter(by_block[o])) for o in sorted(by_block)]   # kriger of block 0, 1, 2, 3
    for i in range(BLOCKS):
        for j in range(BLOCKS):
            assert (owner[i] == owner[j]) == (i % krigers == j % krigers)
    for kriger in set(owner):   # one block at a time: a kriger's chunks come block after block
        origins = [float(o) for k, o, *_ in lines if k == kriger]
        assert origins == sorted(origins)
    assert sum(int(c) for *_, c in lines) == BLOCKS * 12      # every (block, realization) once
    summary = json.loads((out / "summary.json").read_text())
    assert summary["realizations_done"] == 12 and summary["mapping"] == mapping


def test_blocks_are_routed_by_block_index():
    """The tasks of block b carry a group-by key that dispel4py sends to kriger b mod k (any k)."""
    from krigflow.run.blocks import block_layout, block_tasks

    layout = block_layout(20, 7)
    todo = {b.index: np.arange(5) for b in layout}
    for k in (1, 2, 3, 5, 8):
        tasks = block_tasks(layout, todo, 2, krigers=k)
        assert [t.block.index for t in tasks] == sorted(t.block.index for t in tasks)   # block after block
        for t in tasks:   # dispel4py.utils.make_hash of (task[0],), modulo the instances
            assert abs(hash((hash(t[0]),))) % k == t.block.index % k


def blocked_config(field, tmp_path, name, **changes):
    raw = dict(field["raw"], output=str(tmp_path / name), checkpoint_every=2, **changes)
    path = os.path.join(field["folder"], f"run_{name}.json")
    with open(path, "w") as fh:
        json.dump(raw, fh)
    return path


def assert_equal_to(npz_path, reference):
    with np.load(npz_path, allow_pickle=False) as npz:
        for key in reference:
            if npz[key].dtype.kind == "f":
                npt.assert_allclose(npz[key], reference[key], rtol=0, atol=1e-12, err_msg=key)
            else:
                npt.assert_array_equal(npz[key], reference[key], err_msg=key)


@pytest.mark.slow
def test_blocked_run_killed_then_resumed(blocked_field, tmp_path):
    """A kriger of a blocked multi run killed with SIGKILL: block pieces kept; the rerun computes the rest
    and gives the unblocked numbers."""
    import signal
    import subprocess

    from test_resume import wait_for_partial

    from krigflow.io import scan_partials
    from krigflow.run.blocks import block_of

    config = blocked_config(blocked_field, tmp_path, "killed")
    env = dict(ENV, SLOW_GRAPH_SLEEP="0.6", PYTHONPATH=ROOT)
    run = subprocess.Popen(["krigflow", "run", config, "--mapping", "multi", "-n", "5", "--graph",
                            os.path.join(ROOT, "tests", "slow_graph.py"), "--timeout", "100"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    meta = wait_for_partial(str(tmp_path / "killed"))
    assert meta["block"]["of"] == BLOCKS
    os.kill(meta["pid"], signal.SIGKILL)
    out, err = run.communicate(timeout=TIMEOUT)
    assert run.returncode == 1, out + err
    pieces = scan_partials(str(tmp_path / "killed"))
    assert pieces and all(block_of(p) is not None for p in pieces)
    kept = sum(p.indices.size for p in pieces)
    assert 0 < kept < BLOCKS * 12
    proc = subprocess.run(["krigflow", "run", config, "--mapping", "multi", "-n", "5"], capture_output=True,
                          text=True, timeout=TIMEOUT, env=ENV, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert_equal_to(tmp_path / "killed" / "stats.npz", blocked_field["reference"])


@pytest.mark.slow
def test_blocked_ranges_then_combine(blocked_field, tmp_path):
    """--realizations jobs of a blocked run, combined, equal the unblocked run; a job twice or missing is
    refused; jobs of another block layout are refused."""
    import subprocess

    def krigflow(*args):
        return subprocess.run(["krigflow", *args], capture_output=True, text=True, timeout=TIMEOUT, env=ENV, cwd=ROOT)

    tasks = []
    for i, (span, blocks) in enumerate([("0:5", BLOCKS), ("5:12", BLOCKS), ("5:12", 2)]):
        config = blocked_config(blocked_field, tmp_path, f"task{i}", blocks=blocks)
        proc = krigflow("run", config, "--realizations", span, "--mapping", "multi", "-n", "5")
        assert proc.returncode == 0, proc.stderr
        tasks.append(str(tmp_path / f"task{i}"))
    proc = krigflow("combine", tasks[0], "-o", str(tmp_path / "c0"))
    assert proc.returncode == 1 and "7 of 12 realizations missing: 5-11" in proc.stderr
    proc = krigflow("combine", tasks[0], tasks[1], tasks[1], "-o", str(tmp_path / "c1"))
    assert proc.returncode == 1 and "for realizations 5-11; refusing to count them twice" in proc.stderr
    proc = krigflow("combine", tasks[0], tasks[2], "-o", str(tmp_path / "c2"))
    assert proc.returncode == 1 and "partials of different block layouts cannot be merged" in proc.stderr
    proc = krigflow("combine", tasks[0], tasks[1], "-o", str(tmp_path / "combined"))
    assert proc.returncode == 0, proc.stderr
    assert "krigflow combine: ok: 12 realizations" in proc.stdout
    assert_equal_to(tmp_path / "combined" / "stats.npz", blocked_field["reference"])
