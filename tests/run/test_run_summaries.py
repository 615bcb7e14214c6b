"""Summaries computed with each chunk (same batch as the statistics), merged across partials."""
import os
from types import SimpleNamespace

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import KrigflowError
from krigflow.run import build_problem, run_realizations
from krigflow.run.summaries import compute_chunk, merge_summaries, write_summaries
from krigflow.stats import REALIZATIONS_FILE, SummarySpec, SummaryTable, VolumeSpec, summarize

from synthetic_field import make_wells, small_config

SPEC = SummarySpec(cutoffs=(60.0,), volume=VolumeSpec(cell_volume=32400.0, cutoff=60.0, side="below"))


@pytest.fixture(scope="module")
def problem():
    p = build_problem(make_wells(), small_config())
    return SimpleNamespace(**dict(vars(p), summary=SPEC))


def test_chunk_stats_are_the_runs_and_rows_its_realizations(problem):
    """compute_chunk's statistics equal run_realizations'; its rows summarize the same realizations."""
    stats, table = compute_chunk(problem, [4, 5, 6])
    ref = run_realizations(problem, [4, 5, 6])
    npt.assert_array_equal(stats.mean, ref.mean)
    npt.assert_array_equal(stats.max, ref.max)
    from krigflow.run.realize import realization_fields

    npt.assert_array_equal(table.values, summarize(realization_fields(problem, [4, 5, 6]), SPEC))
    assert table.index.tolist() == [4, 5, 6] and table.columns == ("mean", "frac_gt_60", "volume")


def test_no_spec_no_table(problem):
    """A problem without a summary spec gives statistics only."""
    stats, table = compute_chunk(SimpleNamespace(**dict(vars(problem), summary=None)), [0])
    assert table is None and stats.count.max() == 1


def test_merge_and_write(problem, tmp_path):
    """Partials' tables merge in any order; a partial without a table gives no file; the record is added."""
    parts = [SimpleNamespace(indices=np.array(c), summaries=compute_chunk(problem, c)[1]) for c in ([2, 3], [0, 1])]
    table = merge_summaries(parts)
    assert table.index.tolist() == [0, 1, 2, 3]
    summary = {}
    path = write_summaries(str(tmp_path), table, summary)
    assert os.path.basename(path) == REALIZATIONS_FILE and SummaryTable.read_csv(path) == table
    assert summary["realization_summaries"]["realizations"] == 4
    assert merge_summaries(parts + [SimpleNamespace(indices=np.array([7]), summaries=None)]) is None
    assert write_summaries(str(tmp_path / "none"), None, summary) is None
    with pytest.raises(KrigflowError, match="more than once"):
        merge_summaries(parts + parts[:1])


def test_partial_file_carries_the_summaries(tmp_path, problem):
    """write_partial/read_partial keep the table; a table of other realizations is refused; none is None."""
    from krigflow.io import CheckpointError, read_partial, write_partial

    fp = {"config": "{}", "data": "d", "numerics": "1"}
    stats, table = compute_chunk(problem, [1, 3])
    write_partial(str(tmp_path / "a.npz"), stats, [1, 3], fp, {"realizations": 4}, summaries=table)
    assert read_partial(str(tmp_path / "a.npz")).summaries == table
    write_partial(str(tmp_path / "b.npz"), stats, [1, 3], fp, {"realizations": 4})
    assert read_partial(str(tmp_path / "b.npz")).summaries is None
    other = SummaryTable(table.columns, [1, 2], table.values)
    write_partial(str(tmp_path / "c.npz"), stats, [1, 3], fp, {"realizations": 4}, summaries=other)
    with pytest.raises(CheckpointError, match="summaries do not cover its realizations"):
        read_partial(str(tmp_path / "c.npz"))


def test_worker_checkpoint_holds_the_summaries(tmp_path, problem):
    """A Worker's partial file (what resumes and combine read) holds the summaries of what it computed."""
    from krigflow.io import scan_partials
    from krigflow.run import CheckpointInfo, Worker, WorkOrder

    info = CheckpointInfo(folder=str(tmp_path / "partials"), every=2,
                          fingerprint={"config": "{}", "data": "d", "numerics": "1"}, meta={"realizations": 6})
    worker = Worker(WorkOrder(problem, checkpoint=info)).start()
    for chunk in ([0, 1], [4, 5]):
        worker.run(chunk)
    partial = worker.close()
    (saved,) = scan_partials(str(tmp_path))
    assert saved.summaries == partial.summaries
    assert partial.summaries == compute_chunk(problem, [0, 1])[1].merge(compute_chunk(problem, [4, 5])[1])
