"""Tests of krigflow.run.core and krigflow.io.atomic on small wells built in code."""

import json
import os

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.run.config import validate_config
from krigflow.exceptions import KrigflowError
from krigflow.kriging import krige_grid
from krigflow.io import OutputExistsError, check_output, write_outputs
from krigflow.realizations import subsample_masks
from krigflow.wells.well import Well
from krigflow.run.core import (
    build_problem,
    compute_partial,
    finalize,
    realization_chunks,
    run_local,
    run_realizations,
)

#: Well heads (easting, northing) of the small synthetic field.
HEADS = [(1000.0, 1000.0), (1700.0, 1200.0), (1300.0, 1800.0), (1850.0, 1850.0), (1150.0, 1450.0)]


def make_wells(heads=HEADS, top=1000.0, base=1090.0, step=0.5):
    """Vertical wells with a smooth analytic property (GR-like), sampled every ``step`` metres."""
    wells = []
    for i, (e, n) in enumerate(heads):
        tvdss = np.arange(top, base, step)
        values = 60 + 20 * np.sin(tvdss / 9.0 + i) + 0.01 * (e - 1000) - 0.005 * (n - 1000)
        values[::37] = np.nan  # some null samples
        md = tvdss + 30.0
        wells.append(
            Well(
                name=f"W{i}",
                path=f"/data/W{i}.las",
                curve="GR",
                unit="API",
                md=md,
                values=values,
                easting=np.full(tvdss.shape, e),
                northing=np.full(tvdss.shape, n),
                tvdss=tvdss,
                kb=30.0,
                location_source="test",
                survey_source="vertical (no survey)",
            )
        )
    return wells


def small_config(tmp_path=None, **changes):
    """A valid config for the synthetic field: a 20 x 20 x 10 grid."""
    raw = {
        "las": "*.las",
        "grid": {"spacing": [60.0, 60.0, 9.0], "bounds": [800, 2000, 800, 2000, 1000, 1090]},
        "variogram": {"model": "spherical", "sill": 200.0, "nugget": 5.0, "range_h": 900.0, "range_v": 25.0},
        "method": {"name": "subsample", "fraction": 0.6, "unit": "wells"},
        "realizations": 12,
        "seed": 7,
        "batch_size": 4,
        "output": "out",
    }
    raw.update(changes)
    return validate_config(raw, base_dir=str(tmp_path or "/tmp"))


@pytest.fixture(scope="module")
def problem():
    return build_problem(make_wells(), small_config())


def test_build_problem_grid_and_data(problem):
    """The problem holds the configured grid and one datum per (well, cell)."""
    assert problem.grid.shape == (20, 20, 10)
    assert problem.data.n == 5 * 10
    assert problem.data.well_names == ("W0", "W1", "W2", "W3", "W4")
    assert problem.kind == "ordinary" and problem.mean is None
    assert problem.variogram.range_v == 25.0


def test_build_problem_is_order_independent():
    """Wells arriving in another order give the same problem."""
    a = build_problem(make_wells(), small_config())
    b = build_problem(make_wells()[::-1], small_config())
    npt.assert_array_equal(a.data.values, b.data.values)
    npt.assert_array_equal(a.data.well, b.data.well)


def test_build_problem_automatic_grid_and_simple_mean():
    """Without bounds the grid wraps the wells plus padding; simple kriging defaults to the data mean."""
    cfg = small_config(grid={"spacing": [50.0, 50.0, 10.0], "padding": [100.0, 100.0, 0.0]}, kriging="simple")
    p = build_problem(make_wells(), cfg)
    lo_e, hi_e, lo_n, hi_n, lo_z, hi_z = p.grid.bounds
    assert lo_e <= 900 and hi_e >= 1950 and lo_n <= 900 and hi_n >= 1950
    assert lo_z <= 1000 and hi_z >= 1089.5
    assert p.kind == "simple"
    npt.assert_allclose(p.mean, p.data.values.mean(), rtol=1e-12)


def test_build_problem_errors():
    """No wells, or no datum inside the grid, are clear errors."""
    with pytest.raises(KrigflowError, match="no wells"):
        build_problem([], small_config())
    far = small_config(grid={"spacing": [10.0, 10.0, 1.0], "bounds": [0, 100, 0, 100, 0, 10]})
    with pytest.raises(KrigflowError, match="no conditioning datum inside the grid"):
        build_problem(make_wells(), far)


def test_realization_chunks():
    """Chunks are consecutive and cover every index once."""
    assert realization_chunks(10, 4) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert realization_chunks(3, 16) == [[0, 1, 2]]


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
    partial = compute_partial(problem, realization_chunks(problem.realizations, problem.batch_size))
    out = finalize([partial], problem.grid, problem.realizations)
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
    reference = finalize([compute_partial(problem, realization_chunks(12, 4))], problem.grid, 12)
    chunks = realization_chunks(12, batch_size)
    partials = [compute_partial(problem, chunks[w::workers]) for w in range(workers)]
    out = finalize(partials[::-1], problem.grid, 12)  # arrival order does not matter
    for key in ("mean", "std", "min", "max", "count"):
        npt.assert_allclose(out[key], reference[key], rtol=0, atol=1e-10, err_msg=key)


def test_run_realizations_shape(problem):
    """One chunk gives statistics of the grid shape with the chunk's count."""
    stats = run_realizations(problem, [3, 4, 5])
    assert stats.shape == (20, 20, 10)
    npt.assert_array_equal(stats.count, 3)


def test_finalize_checks_coverage(problem):
    """Missing or duplicated realizations are refused."""
    part = compute_partial(problem, [[0, 1]])
    with pytest.raises(KrigflowError, match="missing: \\[2, 3\\]"):
        finalize([part], problem.grid, 4)
    with pytest.raises(KrigflowError, match="not covered exactly once"):
        finalize([part, part], problem.grid, 2)
    with pytest.raises(KrigflowError, match="no realization"):
        finalize([], problem.grid, 2)


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
    with pytest.raises(OutputExistsError, match="refusing to overwrite"):
        run_local(cfg, wells=make_wells())
    again = run_local(cfg, wells=make_wells(), overwrite=True)
    npt.assert_array_equal(again["arrays"]["mean"], result["arrays"]["mean"])
    assert not [f for f in os.listdir(tmp_path / "out") if f.endswith(".tmp")]


def test_same_seed_same_result_other_seed_differs(tmp_path):
    """Reproducible for one seed; another seed gives other realizations."""
    a = run_local(small_config(tmp_path), wells=make_wells(), write=False)["arrays"]
    b = run_local(small_config(tmp_path), wells=make_wells(), write=False)["arrays"]
    c = run_local(small_config(tmp_path, seed=8), wells=make_wells(), write=False)["arrays"]
    npt.assert_array_equal(a["mean"], b["mean"])
    assert np.abs(a["mean"] - c["mean"]).max() > 1e-6


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
