"""Tests of krigflow.run.worker: realizations, the Worker and its checkpoints."""

import os

import numpy as np
import numpy.testing as npt
import pytest
from fake_partials import FP, batch
from synthetic_field import compute_partial, make_wells, small_config

from krigflow.exceptions import KrigflowError
from krigflow.io import read_partial
from krigflow.kriging import krige_grid
from krigflow.realizations import subsample_masks
from krigflow.run import (
    Checkpointer,
    Worker,
    WorkOrder,
    build_problem,
    chunk_indices,
    final_arrays,
    run_realizations,
)
from krigflow.stats import RunningStats


@pytest.fixture(scope="module")
def problem():
    return build_problem(make_wells(), small_config())


def direct_stack(problem, indices):
    """All realizations computed in one krige_grid call, independently of the workflow code."""
    masks = subsample_masks(
        problem.seed,
        indices,
        problem.data.well,
        fraction=problem.method["fraction"],
        unit=problem.method["unit"],
    )
    return krige_grid(
        problem.grid, problem.variogram, problem.data, kind=problem.kind, mean=problem.mean, masks=masks
    )


def test_statistics_equal_numpy_over_stacked_realizations(problem):
    """mean/std/min/max/count equal numpy's over the stacked realizations."""
    stack = direct_stack(problem, np.arange(problem.realizations))
    partial = compute_partial(problem, chunk_indices(problem.realizations, problem.batch_size))
    out = final_arrays([partial], problem.grid, problem.realizations)
    npt.assert_allclose(out["mean"], stack.mean(axis=0), rtol=0, atol=1e-10)
    npt.assert_allclose(out["std"], stack.std(axis=0, ddof=1), rtol=0, atol=1e-10)
    npt.assert_array_equal(out["min"], stack.min(axis=0))
    npt.assert_array_equal(out["max"], stack.max(axis=0))
    npt.assert_array_equal(out["count"], problem.realizations)
    assert out["std"].max() > 0.1  # subsampling wells does spread the realizations
    npt.assert_array_equal(out["easting"], problem.grid.easting)


@pytest.mark.parametrize("batch_size, workers", [(1, 1), (5, 1), (12, 1), (3, 4), (2, 3), (4, 12)])
def test_results_independent_of_batch_size_and_worker_split(problem, batch_size, workers):
    """Any chunking and any round-robin split among workers gives the same statistics (1e-10)."""
    reference = final_arrays([compute_partial(problem, chunk_indices(12, 4))], problem.grid, 12)
    chunks = chunk_indices(12, batch_size)
    partials = [compute_partial(problem, chunks[w::workers]) for w in range(workers)]
    out = final_arrays(partials[::-1], problem.grid, 12)  # arrival order does not matter
    for key in ("mean", "std", "min", "max", "count"):
        npt.assert_allclose(out[key], reference[key], rtol=0, atol=1e-10, err_msg=key)


def test_run_realizations_shape(problem):
    """One chunk gives statistics of the grid shape with the chunk's count."""
    stats = run_realizations(problem, [3, 4, 5])
    assert stats.shape == (20, 20, 10)
    npt.assert_array_equal(stats.count, 3)


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

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(KrigflowError, match=r"cannot write the checkpoint .*part-[0-9a-f]+\.npz: No space left"):
        cp.update(RunningStats.from_batch(batch(range(5))), list(range(5)), final=True)
    monkeypatch.undo()
    cp.close()
    kept = read_partial(cp.path)
    npt.assert_array_equal(kept.indices, [0, 1, 2, 3])
    assert not [f for f in os.listdir(folder) if f.endswith(".tmp")]


def test_worker_checkpoints_and_keeps_work_after_a_failure(problem, tmp_path):
    """A Worker writes its partial every `every` realizations; after a failing chunk close() saves the rest."""
    from krigflow.run import CheckpointInfo

    info = CheckpointInfo(folder=str(tmp_path / "partials"), every=4, fingerprint=FP, meta={"realizations": 12})

    def compute(problem, indices):
        if 6 in indices:
            raise RuntimeError("boom")
        return run_realizations(problem, indices)

    worker = Worker(WorkOrder(problem, checkpoint=info), compute=compute).start()
    worker.run([0, 1])
    assert not os.path.exists(worker.checkpointer.path)  # 2 < every: nothing written yet
    worker.run([2, 3])
    npt.assert_array_equal(read_partial(worker.checkpointer.path).indices, [0, 1, 2, 3])
    worker.run([4, 5])
    with pytest.raises(RuntimeError, match="boom"):
        worker.run([6, 7])
    partial = worker.close()
    npt.assert_array_equal(partial.indices, [0, 1, 2, 3, 4, 5])
    npt.assert_array_equal(read_partial(worker.checkpointer.path).indices, [0, 1, 2, 3, 4, 5])
    npt.assert_array_equal(read_partial(worker.checkpointer.path).stats.mean, partial.stats.mean)
