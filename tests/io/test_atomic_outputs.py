"""Tests of krigflow.io.atomic: refusing existing results, atomic files readable by others."""

import os

import numpy as np
import pytest

from krigflow.exceptions import KrigflowError
from krigflow.io import OutputExistsError, check_output, write_outputs


def test_check_output(tmp_path):
    """An output path that is a file, or holds results, is refused."""
    (tmp_path / "file").write_text("x")
    with pytest.raises(KrigflowError, match="not a directory"):
        check_output(str(tmp_path / "file"))
    write_outputs(str(tmp_path / "o"), {"a": np.zeros(2)}, {"status": "ok"})
    with pytest.raises(OutputExistsError, match="stats.npz, summary.json"):
        check_output(str(tmp_path / "o"))
    check_output(str(tmp_path / "o"), overwrite=True)


def test_atomic_outputs_are_readable_by_others(tmp_path):
    """Published files get the umask's permissions, not mkstemp's private 0600."""
    import stat

    from krigflow.io.atomic import atomic_write

    old = os.umask(0o022)
    try:
        atomic_write(str(tmp_path / "x.json"), b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "x.json").st_mode) == 0o644
