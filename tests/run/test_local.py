"""Tests of krigflow.run.local: run_local writes, refuses, reproduces, and resumes after an interruption."""

import json
import os

import numpy as np
import numpy.testing as npt
import pytest
from synthetic_field import make_wells, small_config

from krigflow.exceptions import KrigflowError
from krigflow.io import OutputExistsError, scan_partials
from krigflow.run import run_local

#: For the runs whose tests read stats.npz and the partial files only (figures take seconds to draw).
NO_EXTRAS = {"formats": [], "figures": False}


def test_run_local_writes_outputs(tmp_path):
    """run_local writes stats.npz and summary.json, and refuses to overwrite them."""
    cfg = small_config(tmp_path)
    result = run_local(cfg, wells=make_wells())
    with np.load(tmp_path / "out" / "stats.npz") as npz:
        assert set(npz.files) == {"mean", "std", "count", "min", "max", "easting", "northing", "tvdss",
                                  "p10", "p50", "p90", "hist_edges", "hist_counts", "hist_outside"}
        assert npz["mean"].shape == (20, 20, 10)
        npt.assert_array_equal(npz["mean"], result["arrays"]["mean"])
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "ok" and summary["realizations_done"] == 12
    assert [w["name"] for w in summary["wells"]] == ["W0", "W1", "W2", "W3", "W4"]
    assert summary["config"]["seed"] == 7 and "numpy" in summary["versions"]
    assert set(summary["timings"]) >= {"load_inputs", "build_problem", "krige", "total"}
    assert (tmp_path / "out" / "stats.nc").stat().st_size > 0  # the default outputs
    assert len(os.listdir(tmp_path / "out" / "figures")) == 7
    with pytest.raises(OutputExistsError, match="refusing to overwrite"):
        run_local(cfg, wells=make_wells())
    again = run_local(dict(cfg, outputs=NO_EXTRAS), wells=make_wells(), overwrite=True)  # figures drawn once
    npt.assert_array_equal(again["arrays"]["mean"], result["arrays"]["mean"])
    assert not [f for f in os.listdir(tmp_path / "out") if f.endswith(".tmp")]


def test_same_seed_same_result_other_seed_differs(tmp_path):
    """Reproducible for one seed; another seed gives other realizations."""
    a = run_local(small_config(tmp_path), wells=make_wells(), write=False)["arrays"]
    b = run_local(small_config(tmp_path), wells=make_wells(), write=False)["arrays"]
    c = run_local(small_config(tmp_path, seed=8), wells=make_wells(), write=False)["arrays"]
    npt.assert_array_equal(a["mean"], b["mean"])
    assert np.abs(a["mean"] - c["mean"]).max() > 1e-6


class Interrupt(KeyboardInterrupt):
    """A Ctrl-C raised from the progress callback."""


def test_run_local_resumes_after_an_interruption(tmp_path, monkeypatch):
    """run_local interrupted after 3 chunks keeps them; a second call computes only the rest; same statistics."""
    import krigflow.run.worker as worker_module

    cfg = small_config(tmp_path, realizations=12, batch_size=2, checkpoint_every=2, outputs=NO_EXTRAS)
    reference = run_local(cfg, wells=make_wells(), write=False)["arrays"]
    computed = []
    real = worker_module.compute_chunk

    def counting(problem, indices, cache=None):
        computed.extend(int(r) for r in indices)
        return real(problem, indices, cache=cache)

    monkeypatch.setattr(worker_module, "compute_chunk", counting)

    def stop_after_three_chunks(done, total):
        assert total == 12
        if done == 6:
            raise Interrupt()

    with pytest.raises(Interrupt):
        run_local(cfg, wells=make_wells(), callback=stop_after_three_chunks)
    assert computed == list(range(6))
    assert not (tmp_path / "out" / "stats.npz").exists()
    saved = scan_partials(str(tmp_path / "out"))
    npt.assert_array_equal(np.concatenate([p.indices for p in saved]), np.arange(6))
    computed.clear()
    totals = []
    result = run_local(cfg, wells=make_wells(), callback=lambda done, total: totals.append(total))
    assert computed == list(range(6, 12)) and set(totals) == {6}  # only the missing realizations
    assert result["summary"]["realizations_done"] == 12
    for key in ("min", "max", "count", "hist_counts", "p10", "p50", "p90"):  # exact: no arithmetic
        npt.assert_array_equal(result["arrays"][key], reference[key], err_msg=key)
    for key in ("mean", "std"):  # merged in another grouping: equal to rounding
        npt.assert_allclose(result["arrays"][key], reference[key], rtol=0, atol=1e-10, err_msg=key)
    with np.load(tmp_path / "out" / "stats.npz") as npz:
        npt.assert_array_equal(npz["mean"], result["arrays"]["mean"])
    assert not (tmp_path / "out" / "partials").exists()  # removed once the results are written
    assert not (tmp_path / "out" / ".progress").exists()  # run_local reports through the callback only


def test_run_local_exception_in_computation_keeps_finished_chunks(tmp_path, monkeypatch):
    """An exception in a realization stops run_local; the realizations before it are saved and not redone."""
    import krigflow.run.worker as worker_module

    cfg = small_config(tmp_path, realizations=12, batch_size=4, checkpoint_every=100, outputs=NO_EXTRAS)
    real = worker_module.compute_chunk

    def failing(problem, indices, cache=None):
        if 9 in indices:
            raise RuntimeError("injected failure at realization 9")
        return real(problem, indices, cache=cache)

    monkeypatch.setattr(worker_module, "compute_chunk", failing)
    with pytest.raises(RuntimeError, match="injected failure"):
        run_local(cfg, wells=make_wells())
    saved = scan_partials(str(tmp_path / "out"))  # written when the worker stopped, not by the interval
    npt.assert_array_equal(np.concatenate([p.indices for p in saved]), np.arange(8))
    monkeypatch.setattr(worker_module, "compute_chunk", real)
    resumed = run_local(cfg, wells=make_wells())["arrays"]
    npt.assert_allclose(resumed["mean"], run_local(cfg, wells=make_wells(), write=False)["arrays"]["mean"],
                        rtol=0, atol=1e-10)


def test_run_local_refuses_partials_of_another_config(tmp_path):
    """Partial files of another configuration are refused, naming what differs; overwrite discards them."""
    cfg = small_config(tmp_path, realizations=12, batch_size=2, checkpoint_every=2, outputs=NO_EXTRAS)

    def stop(done, total):
        raise Interrupt()

    with pytest.raises(Interrupt):
        run_local(cfg, wells=make_wells(), callback=stop)
    other = small_config(tmp_path, realizations=12, batch_size=2, checkpoint_every=2, seed=8,
                         outputs=NO_EXTRAS)
    with pytest.raises(KrigflowError, match="seed = 7 there, 8 here"):
        run_local(other, wells=make_wells())
    result = run_local(other, wells=make_wells(), overwrite=True)
    assert result["summary"]["realizations_done"] == 12 and result["summary"]["config"]["seed"] == 8
