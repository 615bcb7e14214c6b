"""Tests of krigflow.run.blocks: a run split into blocks gives the numbers of an unblocked run, resumes,
combines, and refuses pieces that overlap, are missing, or come from another layout."""

import os
import shutil

import numpy as np
import numpy.testing as npt
import pytest
from synthetic_field import make_wells, small_config

from krigflow.exceptions import ConfigError
from krigflow.io import CheckpointError, scan_partials
from krigflow.run import block_layout, combine, run_local
from krigflow.run.blocks import block_of, join_blocks, layout_of_config

#: Float outputs of a blocked run agree with the unblocked run to this (absolute; values ~60).
TOLERANCE = 1e-12


def assert_same_results(a, b):
    """Every output array equal: counts and histograms exactly, floats within TOLERANCE (NaN where NaN)."""
    assert set(a) == set(b)
    for key in a:
        x, y = np.asarray(a[key]), np.asarray(b[key])
        assert x.shape == y.shape, key
        if x.dtype.kind == "f":
            npt.assert_allclose(x, y, rtol=0, atol=TOLERANCE, err_msg=key)
        else:
            npt.assert_array_equal(x, y, err_msg=key)


def config(tmp_path, **changes):
    base = dict(cutoffs=[60.0], realizations=12, batch_size=2, checkpoint_every=2)
    base.update(changes)
    return small_config(tmp_path, **base)


def test_layout_is_deterministic_and_covers_the_axis():
    """Blocks are contiguous easting ranges covering every cell once; too many blocks are refused."""
    layout = block_layout(20, 3)
    assert [(b.start, b.stop) for b in layout] == [(0, 7), (7, 14), (14, 20)]
    assert all(b.of == 3 and b.nx == 20 for b in layout)
    with pytest.raises(ConfigError, match="blocks: 21 blocks, but the grid has 20 cells along easting"):
        block_layout(20, 21)


def test_config_refuses_blocks_for_conditional_and_zones(tmp_path):
    """blocks needs the subsample method: the conditional FFT field is global."""
    with pytest.raises(ConfigError, match="blocks: 4 needs method subsample; the conditional method draws one FFT"):
        small_config(tmp_path, blocks=4, method={"name": "conditional"})
    assert small_config(tmp_path, blocks=1)["blocks"] is None
    assert small_config(tmp_path, blocks="auto")["blocks"] == "auto"


def test_auto_blocks_follow_the_memory_model(tmp_path):
    """auto: one block for a small grid; more blocks when a block's statistics would exceed the budget."""
    from krigflow.grid import Grid
    cfg = config(tmp_path, blocks="auto")
    assert layout_of_config(cfg, Grid((0, 0, 0), (1, 1, 1), (20, 20, 10))) is None
    big = layout_of_config(cfg, Grid((0, 0, 0), (1, 1, 1), (500, 400, 100)))
    assert 2 <= len(big) <= 500 and big[0].of == len(big)


@pytest.mark.parametrize("blocks", [2, 3, 20])
def test_blocked_run_gives_the_unblocked_numbers(tmp_path, blocks):
    """Same seed, same numbers: mean/std/min/max/quantiles within 1e-12, counts and histograms equal."""
    reference = run_local(config(tmp_path), wells=make_wells(), write=False)["arrays"]
    blocked = run_local(config(tmp_path, blocks=blocks), wells=make_wells(), write=False)
    assert_same_results(reference, blocked["arrays"])
    assert blocked["summary"]["realizations_done"] == 12


class Interrupt(KeyboardInterrupt):
    """A Ctrl-C raised from the progress callback."""


def test_blocked_run_resumes_after_an_interruption(tmp_path, monkeypatch):
    """Interrupted in its second block, a blocked run keeps its pieces; the next call computes only the rest."""
    import krigflow.run.worker as worker_module

    cfg = config(tmp_path, blocks=3)
    reference = run_local(config(tmp_path), wells=make_wells(), write=False)["arrays"]
    computed = []
    real = worker_module.compute_chunk

    def counting(problem, indices, **kwargs):
        computed.append((round(problem.grid.origin[0]), tuple(int(r) for r in indices)))
        return real(problem, indices, **kwargs)

    monkeypatch.setattr(worker_module, "compute_chunk", counting)

    def stop(done, total):
        assert total == 36  # 3 blocks x 12 realizations
        if done == 16:      # block 0 done (12), block 1 half-way (4)
            raise Interrupt()

    with pytest.raises(Interrupt):
        run_local(cfg, wells=make_wells(), callback=stop)
    saved = scan_partials(str(tmp_path / "out"))
    pieces = sorted((block_of(p).index, tuple(p.indices)) for p in saved)
    assert pieces == [(0, tuple(range(12))), (1, (0, 1, 2, 3))]
    first_block = computed[0][0]
    computed.clear()
    result = run_local(cfg, wells=make_wells())
    redone = {}
    for origin, chunk in computed:
        redone.setdefault(origin, []).extend(chunk)
    assert first_block not in redone                         # block 0 complete: not recomputed
    assert sorted(len(v) for v in redone.values()) == [8, 12]  # block 1: realizations 4-11, block 2: all
    assert_same_results(reference, result["arrays"])
    assert not (tmp_path / "out" / "partials").exists()       # removed once the results are written


def test_resume_with_another_layout_is_refused(tmp_path):
    """Pieces of 3 blocks are not resumed by a run of 2 blocks, nor by an unblocked run."""
    cfg = config(tmp_path, blocks=3)

    def stop(done, total):
        if done == 14:
            raise Interrupt()

    with pytest.raises(Interrupt):
        run_local(cfg, wells=make_wells(), callback=stop)
    with pytest.raises(CheckpointError, match=r"covers block [01] of 3 \(easting cells [0-9-]+\) of a 20-cell easting axis, "
                                              r"which is not a block of this run \(2 blocks"):
        run_local(config(tmp_path, blocks=2), wells=make_wells())
    with pytest.raises(CheckpointError, match="covers block [01] of 3 .* but this run is not split into blocks"):
        run_local(config(tmp_path), wells=make_wells())


def pieces_only(tmp_path, name, **changes):
    """A blocked run stopped after its last task: its pieces stay in tmp_path/name/partials, no results."""
    cfg = config(tmp_path, output=str(tmp_path / name), **changes)

    def stop(done, total):
        if done == total:
            raise Interrupt()

    with pytest.raises(Interrupt):
        run_local(cfg, wells=make_wells(), callback=stop)
    return tmp_path / name


def test_combine_joins_block_partials_and_refuses_bad_sets(tmp_path):
    """krigflow combine assembles block pieces like realization ranges; overlaps and holes are refused."""
    reference = run_local(config(tmp_path), wells=make_wells(), write=False)["arrays"]
    a = pieces_only(tmp_path, "a", blocks=3)
    pieces = scan_partials(str(a))
    assert sorted(block_of(p).index for p in pieces) == [0, 1, 2]
    result = combine([str(a)], str(tmp_path / "combined"))
    assert_same_results(reference, result["arrays"])
    # the same pieces twice: refused, naming the block and the realizations
    shutil.copytree(a, tmp_path / "copy")
    with pytest.raises(CheckpointError, match=r"both cover block \d of 3 .* for realizations 0-11; refusing"):
        combine([str(a), str(tmp_path / "copy")], str(tmp_path / "twice"))
    # a missing piece: refused, naming the block
    os.unlink(next(p.path for p in pieces if block_of(p).index == 1))
    with pytest.raises(CheckpointError, match=r"block 1 of 3 \(easting cells 7-13\) misses realizations 0-11 that"):
        combine([str(a)], str(tmp_path / "holes"))


def test_join_refuses_blocks_with_different_realizations():
    """Blocks that cover different realizations cannot be joined: the message names the block."""
    from krigflow.run import Partial
    from krigflow.stats import RunningStats

    layout = block_layout(4, 2)
    def piece(block, indices):
        batch = np.ones((len(indices), block.cells, 1, 1))
        return Partial(np.array(indices), RunningStats.from_batch(batch), block=block)
    joined = join_blocks([piece(layout[0], [0, 1]), piece(layout[1], [1]), piece(layout[1], [0])], (4, 1, 1))
    assert len(joined) == 1 and joined[0].stats.count.tolist() == [[[2]]] * 4
    with pytest.raises(CheckpointError, match=r"block 1 of 2 \(easting cells 2-3\) misses realizations 1"):
        join_blocks([piece(layout[0], [0, 1]), piece(layout[1], [0])], (4, 1, 1))
    with pytest.raises(CheckpointError, match="covers the whole grid, but this run is split into blocks"):
        join_blocks([piece(layout[0], [0]), Partial(np.array([0]), RunningStats.from_batch(np.ones((1, 4, 1, 1))))],
                    (4, 1, 1))


def test_memory_guard_counts_one_block_per_kriger():
    """The up-front memory estimate of a kriger of a blocked run is that of its largest block."""
    from krigflow.run.guards import estimate_run_memory

    cfg = dict(batch_size=2, quantiles=[10.0, 50.0, 90.0], cutoffs=[1.0], histogram_bins=100, realizations=4,
               method={"name": "subsample"})
    whole, _ = estimate_run_memory((500, 400, 100), dict(cfg, blocks=None), n_data=400)
    eight, _ = estimate_run_memory((500, 400, 100), dict(cfg, blocks=8), n_data=400)
    assert eight.statistics * 8 == pytest.approx(whole.statistics, rel=0.02)
    assert eight.fields * 8 == pytest.approx(whole.fields, rel=0.02)


def test_block_worker_hands_back_a_block_as_soon_as_the_next_one_starts(tmp_path):
    """A BlockWorker holds one block's statistics: the previous block's Partial comes back with the first
    task of the next block, the last one at close; each covers its block's cells only."""
    import time

    from krigflow.run import BlockWorker, RunRequest, RunState, prepare_config, work_chunks, work_order

    cfg = config(tmp_path, blocks=2, realizations=4)
    state = prepare_config(RunState(request=RunRequest(config=""), config=cfg, started=time.time()),
                           wells=make_wells(), use_output=False)
    tasks = work_chunks(state)
    assert [(t.block.index, t.indices) for t in tasks] == [(0, (0, 1)), (0, (2, 3)), (1, (0, 1)), (1, (2, 3))]
    worker = BlockWorker(work_order(state)).start()
    handed = [worker.run(t) for t in tasks]
    assert [len(h) for h in handed] == [0, 0, 1, 0]
    first, = handed[2]
    last, = worker.close()
    assert (first.block.index, last.block.index) == (0, 1) and worker.done == 8
    assert first.stats.shape == (10, 20, 10) and last.stats.shape == (10, 20, 10)
    npt.assert_array_equal(first.indices, np.arange(4))
