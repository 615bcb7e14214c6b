"""Tests of krigflow.io.atomic: a file is published whole or not at all, readable by others."""

import os

import pytest

from krigflow.io.atomic import atomic_path, write_atomically


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    """When the writing block raises, the old file is untouched and the temporary file is removed."""
    path = tmp_path / "a.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError, match="half way"), atomic_path(str(path)) as tmp:
        with open(tmp, "w") as fh:
            fh.write("new, incomplete")
        raise RuntimeError("half way")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_write_atomically_creates_the_folder(tmp_path):
    """write_atomically makes the folder, calls the writer with a temporary path and publishes the file."""
    seen = []

    def write(tmp):
        seen.append(tmp)
        with open(tmp, "w") as fh:
            fh.write("done")

    path = write_atomically(str(tmp_path / "new" / "b.txt"), write)
    with open(path) as fh:
        assert fh.read() == "done"
    assert seen[0] != path and not os.path.exists(seen[0])
