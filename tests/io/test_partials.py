"""Tests of krigflow.io.partials: partial files as plain data, refused when they hold objects."""

import glob
import io
import os
import pickle
import zipfile

import numpy as np
import numpy.testing as npt
import pytest
from fake_partials import FP, batch, write

from krigflow.io import CheckpointError, read_partial, scan_partials, write_partial
from krigflow.stats import RunningStats


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


def test_partial_files_readable_by_others(tmp_path):
    """Partial files follow the umask (not mkstemp's 0600), so other users' jobs can combine them."""
    old = os.umask(0o022)
    try:
        path = write(str(tmp_path), [0])
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_zip_members_checked_before_loading(tmp_path):
    """The header check reads the dtype of every member of the archive."""
    path = write(str(tmp_path), [0, 1])
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    assert {"indices.npy", "meta.npy", "fingerprint_config.npy", "stats_mean.npy"} <= names


def test_no_pickle_or_eval_of_file_contents():
    """Audit: krigflow never unpickles or evals data, and never loads npz with allow_pickle=True."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    offenders = []
    for folder in ("krigflow", "pes", "graphs"):
        for path in sorted(glob.glob(os.path.join(root, folder, "**", "*.py"), recursive=True)):
            name = os.path.relpath(path, os.path.join(root, folder))
            text = open(path, encoding="utf-8").read()
            for bad in ("import pickle", "pickle.load", "allow_pickle=True", "yaml.load(", "eval(", "exec("):
                if bad in text:
                    offenders.append(f"{folder}/{name}: {bad}")
            for line in text.splitlines():
                if "np.load(" in line and "allow_pickle=False" not in line:
                    offenders.append(f"{folder}/{name}: {line.strip()}")
    assert not offenders, offenders
