"""Tests of krigflow.run.checkpoint: partial files as data, fingerprints, overlap checks, atomic writes, ranges."""

import io
import json
import os
import pickle
import zipfile

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.run import checkpoint as ck
from krigflow.run.checkpoint import (
    CheckpointError,
    Checkpointer,
    check_partials,
    check_resumable,
    fingerprint_differences,
    format_ranges,
    merge_sorted,
    parse_range,
    read_partial,
    scan_partials,
    write_partial,
)
from krigflow.exceptions import KrigflowError
from krigflow.stats.running import RunningStats

FP = {"config": json.dumps({"seed": 1, "variogram": {"sill": 2.0}}), "data": "ab" * 32, "numerics": "1"}
SHAPE = (3, 2, 2)


def batch(indices):
    """Deterministic fake realizations for the given indices, shape (R, *SHAPE)."""
    rng = [np.random.default_rng([5, int(r)]) for r in indices]
    return np.stack([g.normal(50.0, 10.0, SHAPE) for g in rng])


def write(folder, indices, fingerprint=FP, name=None):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name or f"part-{os.urandom(16).hex()}.npz")
    write_partial(path, RunningStats.from_batch(batch(indices)), indices, fingerprint, {"realizations": 12})
    return path


def test_round_trip_keeps_every_accumulator_array(tmp_path):
    """A partial file restores indices, fingerprint, metadata and every to_dict() array exactly."""
    stats = RunningStats.from_batch(batch([4, 1, 7]))
    path = str(tmp_path / "part-0123456789abcdef0123456789abcdef.npz")
    write_partial(path, stats, [7, 1, 4], FP, {"run_id": "x", "realizations": 12})
    part = read_partial(path)
    npt.assert_array_equal(part.indices, [1, 4, 7])
    assert part.fingerprint == FP and part.meta["run_id"] == "x"
    assert part.meta["accumulator"] == "RunningStats"
    restored = part.stats.to_dict()
    original = stats.to_dict()
    assert set(restored) == set(original)
    for key in original:
        npt.assert_array_equal(restored[key], original[key], err_msg=key)
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


class _Bomb:
    """Unpickling this object would create a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("where", ["stats_mean", "meta", "extra"])
def test_pickled_object_is_refused_without_unpickling(tmp_path, where):
    """A partial holding an object array is refused, and the object is never unpickled."""
    marker = tmp_path / "unpickled"
    good = write(str(tmp_path / "p"), [0, 1])
    with np.load(good, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    bomb = np.empty(1, dtype=object)
    bomb[0] = _Bomb(str(marker))
    arrays[where] = bomb
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # object arrays are pickled inside the .npy member
    with open(good, "wb") as fh:
        fh.write(buffer.getvalue())
    with pytest.raises(CheckpointError, match="holds Python objects .*refused, not unpickled"):
        read_partial(good)
    with pytest.raises(CheckpointError):
        scan_partials(str(tmp_path / "p"))
    assert not marker.exists()


def test_plain_pickle_file_is_refused(tmp_path):
    """A pickle saved under a partial's name is not an npz archive: refused, not loaded."""
    marker = tmp_path / "unpickled"
    folder = tmp_path / "partials"
    folder.mkdir()
    path = folder / ("part-" + "0" * 32 + ".npz")
    path.write_bytes(pickle.dumps(_Bomb(str(marker))))
    with pytest.raises(CheckpointError, match="cannot be read as data"):
        scan_partials(str(tmp_path))
    assert not marker.exists()


def test_missing_key_and_bad_indices_refused(tmp_path):
    """A zip that is not a krigflow partial, or unsorted indices, is refused naming the file."""
    path = tmp_path / ("part-" + "1" * 32 + ".npz")
    np.savez(path, indices=np.array([3, 1]))
    with pytest.raises(CheckpointError, match="no 'fingerprint_config' array"):
        read_partial(str(path))
    good = write(str(tmp_path / "q"), [0, 1])
    with np.load(good) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["indices"] = np.array([1, 0])
    np.savez(good, **arrays)
    with pytest.raises(CheckpointError, match="sorted, unique"):
        read_partial(good)


def test_fingerprint_differences_name_the_key():
    """Config differences name the dotted key and both values; data and numerics are reported too."""
    other = dict(FP, config=json.dumps({"seed": 1, "variogram": {"sill": 3.0}}), data="cd" * 32)
    diffs = fingerprint_differences(FP, other)
    assert diffs[0] == "config: variogram.sill = 3.0 there, 2.0 here"
    assert diffs[1].startswith("conditioning data or grid differ")
    assert fingerprint_differences(FP, dict(FP, numerics="2")) == ["numerics version 2 there, 1 here"]
    assert fingerprint_differences(FP, dict(FP)) == []


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


def test_merge_is_order_independent(tmp_path):
    """Partials are merged sorted by realization: any listing order gives identical bits."""
    paths = [write(str(tmp_path), idx) for idx in ([6, 7, 8], [0, 1], [2, 3, 4, 5])]
    parts = [read_partial(p) for p in paths]
    one = merge_sorted(parts)
    two = merge_sorted(parts[::-1])
    reference = RunningStats.from_batch(batch(range(9)))
    for key in ("count", "mean", "m2", "min", "max"):
        npt.assert_array_equal(getattr(one, key), getattr(two, key))
        npt.assert_allclose(getattr(one, key), getattr(reference, key), rtol=0, atol=1e-10)


def test_checkpointer_interval_and_write_error(tmp_path, monkeypatch):
    """Writes every `every` realizations and at the end; a failed write names the file and keeps the old one."""
    folder = str(tmp_path / "partials")
    cp = Checkpointer(folder, FP, {"realizations": 12}, every=4)
    cp.start()
    stats = RunningStats.from_batch(batch([0, 1]))
    assert not cp.update(stats, [0, 1])
    stats = RunningStats.from_batch(batch(range(4)))
    assert cp.update(stats, [0, 1, 2, 3])
    real_replace = os.replace

    def failing_replace(src, dst):
        if "partials" in str(dst):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(ck.os, "replace", failing_replace)
    with pytest.raises(KrigflowError, match=r"cannot write the checkpoint .*part-[0-9a-f]+\.npz: No space left"):
        cp.update(RunningStats.from_batch(batch(range(5))), list(range(5)), final=True)
    monkeypatch.undo()
    cp.close()
    kept = read_partial(cp.path)
    npt.assert_array_equal(kept.indices, [0, 1, 2, 3])
    assert not [f for f in os.listdir(folder) if f.endswith(".tmp")]


def test_partial_files_readable_by_others(tmp_path):
    """Partial files follow the umask (not mkstemp's 0600), so other users' jobs can combine them."""
    old = os.umask(0o022)
    try:
        path = write(str(tmp_path), [0])
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o644


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
    fp = dict(FP, config=ck.config_fingerprint(cfg))
    write(str(tmp_path / "out" / "partials"), [0, 1], fingerprint=fp)
    assert check_resumable(cfg) == "resume"
    assert check_resumable(config(tmp_path, realizations=40, checkpoint_every=9)) == "resume"
    with pytest.raises(KrigflowError, match=r"another configuration \(config: seed = 1 there, 2 here\)"):
        check_resumable(config(tmp_path, seed=2))
    (tmp_path / "out" / "stats.npz").write_bytes(b"old")
    with pytest.raises(KrigflowError, match="without a run fingerprint.*refusing to overwrite"):
        check_resumable(cfg)
    assert check_resumable(cfg, overwrite=True) == "overwrite"
    assert not scan_partials(str(tmp_path / "out"))
    (tmp_path / "file").write_text("x")
    with pytest.raises(KrigflowError, match="output: cannot write in .*file/sub/partials: Not a directory"):
        check_resumable(config(tmp_path, output=str(tmp_path / "file" / "sub")))


@pytest.mark.parametrize(
    "text, total, expected",
    [("0:10", 12, (0, 10)), ("4:", 12, (4, 12)), (":3", None, (0, 3)), (" 2 : 5 ", 5, (2, 5))],
)
def test_parse_range(text, total, expected):
    """A:B means A <= r < B."""
    assert parse_range(text, total) == expected


@pytest.mark.parametrize(
    "text, total, message",
    [("5", 12, "expected A:B"), ("5:5", 12, "empty range"), ("0:20", 12, "beyond the 12 realizations"),
     ("a:b", 12, "expected A:B")],
)
def test_parse_range_errors(text, total, message):
    with pytest.raises(KrigflowError, match=message):
        parse_range(text, total)


def test_format_ranges():
    assert format_ranges([]) == "none"
    assert format_ranges([5, 0, 1, 2, 9]) == "0-2, 5, 9"


def test_no_pickle_or_eval_of_file_contents():
    """Audit: krigflow never unpickles or evals data, and never loads npz with allow_pickle=True."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    offenders = []
    for folder in ("krigflow", "pes", "graphs"):
        for name in os.listdir(os.path.join(root, folder)):
            if not name.endswith(".py"):
                continue
            text = open(os.path.join(root, folder, name), encoding="utf-8").read()
            for bad in ("import pickle", "pickle.load", "allow_pickle=True", "yaml.load(", "eval(", "exec("):
                if bad in text:
                    offenders.append(f"{folder}/{name}: {bad}")
            for line in text.splitlines():
                if "np.load(" in line and "allow_pickle=False" not in line:
                    offenders.append(f"{folder}/{name}: {line.strip()}")
    assert not offenders, offenders


def test_zip_members_checked_before_loading(tmp_path):
    """The header check reads the dtype of every member of the archive."""
    path = write(str(tmp_path), [0, 1])
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    assert {"indices.npy", "meta.npy", "fingerprint_config.npy", "stats_mean.npy"} <= names


def test_config_fingerprint_covers_every_numerics_key():
    """Histogram settings change what a partial holds, so they are fingerprinted; paths and speed knobs are not."""
    from krigflow.run.checkpoint import config_fingerprint
    from krigflow.run.config import load_config

    base = load_config(os.path.join(os.path.dirname(__file__), "..", "data", "demo", "run.yaml"))
    for key, value in [("cutoffs", [80.0]), ("histogram_bins", 50), ("seed", 1)]:
        assert config_fingerprint(dict(base, **{key: value})) != config_fingerprint(base), key
    for key, value in [("batch_size", 3), ("realizations", 7), ("output", "/elsewhere"),
                       ("config_file", "/elsewhere/run.yaml"), ("quantiles", [5.0, 95.0])]:
        assert config_fingerprint(dict(base, **{key: value})) == config_fingerprint(base), key
