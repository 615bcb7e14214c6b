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
    assert sum(int(c) for *_, c in lines) == BLOCKS * 12      # every (block, realization) once
    summary = json.loads((out / "summary.json").read_text())
    assert summary["realizations_done"] == 12 and summary["mapping"] == mapping
