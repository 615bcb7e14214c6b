"""Issue 13 in library use (run_local): the same folder lock, status record and warnings as graph runs."""

import os

import pytest
from hostile_common import HEADS, make_field, partial_files, read_json

from krigflow.run import RunLockError, acquire, load_config, run_local


def test_run_local_records_status_and_warnings(tmp_path):
    """run_local writes status.json ("ok", with the warnings) and summary["warnings"]."""
    config = load_config(make_field(str(tmp_path), heads=HEADS + [(5000.0, 5000.0)], realizations=4))
    result = run_local(config)
    assert any("no conditioning datum in the grid: W5" in w for w in result["summary"]["warnings"])
    status = read_json(os.path.join(config["output"], "status.json"))
    assert status["status"] == "ok" and status["warnings"] == result["summary"]["warnings"]


def test_run_local_interrupted_records_failed(tmp_path):
    """An interrupted run_local leaves "failed" (not "running", not an older "ok")."""
    config = load_config(make_field(str(tmp_path), realizations=8))

    def stop(done, total):
        if done >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_local(config, callback=stop)
    status = read_json(os.path.join(config["output"], "status.json"))
    assert status["status"] == "failed" and "interrupted" in status["message"]
    run_local(config)  # resumes: the folder was released
    assert read_json(os.path.join(config["output"], "status.json"))["status"] == "ok"


def test_run_local_refused_while_another_run_holds_the_folder(tmp_path):
    """A live run (here: the folder held under another run id) makes run_local --overwrite refuse; its
    partial files are not deleted."""
    config = load_config(make_field(str(tmp_path), realizations=8))

    def stop(done, total):
        if done >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_local(config, callback=stop)  # leaves partial files
    before = partial_files(config["output"])
    assert before
    live = acquire(config["output"], "live-run")
    try:
        with pytest.raises(RunLockError, match="another run is live .*run live-run"):
            run_local(config, overwrite=True)
        assert partial_files(config["output"]) == before
    finally:
        live.release()
