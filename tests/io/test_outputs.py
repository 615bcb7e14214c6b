"""Tests of krigflow.io.outputs: stats.npz, summary.json and the status record, never replaced unasked."""

import json

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.io.outputs import OutputExistsError, write_outputs, write_status
from krigflow.io.results import load_results, read_status


def test_write_outputs_round_trip(tmp_path):
    """What write_outputs writes, load_results reads back: arrays equal, numpy values in the summary as JSON."""
    arrays = {"mean": np.arange(6.0).reshape(1, 2, 3), "count": np.arange(3, dtype=np.int64)}
    write_outputs(str(tmp_path), arrays, {"status": "ok", "n": np.int64(4), "v": np.array([1.5, 2.5])})
    back, summary = load_results(str(tmp_path))
    npt.assert_array_equal(back["mean"], arrays["mean"])
    assert back["count"].dtype == np.int64
    assert summary == {"status": "ok", "n": 4, "v": [1.5, 2.5]}
    with pytest.raises(OutputExistsError):
        write_outputs(str(tmp_path), arrays, {"status": "ok"})
    write_outputs(str(tmp_path), {"mean": np.zeros(1)}, {"status": "again"}, overwrite=True)
    assert load_results(str(tmp_path))[1] == {"status": "again"}


def test_status_record_round_trip(tmp_path):
    """A status record is written (folder created) and read back; a missing or broken one reads as None."""
    path = tmp_path / "deep" / "status.json"
    write_status(str(path), {"state": "running", "done": np.int64(3)})
    assert read_status(str(path)) == {"state": "running", "done": 3}
    assert json.loads(path.read_text())["state"] == "running"
    path.write_text("{not json")
    assert read_status(str(path)) is None
    assert read_status(str(tmp_path / "none.json")) is None
