"""Tests of krigflow.run.plan: may a run use its output folder, and are its partials consistent?"""

import json

import numpy as np
import numpy.testing as npt
import pytest
from fake_partials import FP, write

from krigflow.exceptions import KrigflowError
from krigflow.io import CheckpointError, scan_partials
from krigflow.run import check_partials, check_resumable, clear_for_overwrite, config_fingerprint


def test_tampered_fingerprint_and_overlap_refused(tmp_path):
    """Partials with another fingerprint, or covering a realization twice, are refused naming the files."""
    a = write(str(tmp_path / "a"), [0, 1, 2])
    write(str(tmp_path / "b"), [3, 4])
    with np.load(a) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["fingerprint_config"] = np.array(json.dumps({"seed": 2, "variogram": {"sill": 2.0}}))
    np.savez(a, **arrays)  # tampered: another seed
    with pytest.raises(CheckpointError, match=r"different setup .*config: seed = 2 there, 1 here"):
        check_partials(scan_partials([str(tmp_path / "a"), str(tmp_path / "b")]), expected=FP)
    write(str(tmp_path / "c"), [4, 5])
    with pytest.raises(CheckpointError, match="both cover realizations 4"):
        check_partials(scan_partials([str(tmp_path / "b"), str(tmp_path / "c")]))
    covered = check_partials(scan_partials([str(tmp_path / "b")]))
    npt.assert_array_equal(covered, [3, 4])


def config(tmp_path, **changes):
    cfg = {
        "output": str(tmp_path / "out"), "seed": 1, "variogram": {"sill": 2.0}, "realizations": 12,
        "checkpoint_every": 4,
    }
    cfg.update(changes)
    return cfg


def test_check_resumable(tmp_path):
    """Fresh, resume, refusals (another config, unknown results, unwritable output) and overwrite."""
    cfg = config(tmp_path)
    assert check_resumable(cfg) == "fresh"
    fp = dict(FP, config=config_fingerprint(cfg))
    write(str(tmp_path / "out" / "partials"), [0, 1], fingerprint=fp)
    assert check_resumable(cfg) == "resume"
    assert check_resumable(config(tmp_path, realizations=40, checkpoint_every=9)) == "resume"
    with pytest.raises(KrigflowError, match=r"another configuration \(config: seed = 1 there, 2 here\)"):
        check_resumable(config(tmp_path, seed=2))
    (tmp_path / "out" / "stats.npz").write_bytes(b"old")
    with pytest.raises(KrigflowError, match="without a run fingerprint.*refusing to overwrite"):
        check_resumable(cfg)
    assert clear_for_overwrite(cfg) == "overwrite"  # the deleting variant says so
    assert not scan_partials(str(tmp_path / "out"))
    (tmp_path / "file").write_text("x")
    with pytest.raises(KrigflowError, match="output: cannot write in .*file/sub/partials: Not a directory"):
        check_resumable(config(tmp_path, output=str(tmp_path / "file" / "sub")))
