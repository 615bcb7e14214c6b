"""Regenerated realizations equal the ones the run folded into its statistics (both methods)."""
import os

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import KrigflowError
from krigflow.run import build_problem, run_local
from krigflow.run.realize import (
    check_run,
    iter_realizations,
    parse_realizations,
    realization,
    realization_fields,
    run_engine,
)

from synthetic_field import make_wells, small_config

METHODS = {
    "subsample": {"name": "subsample", "fraction": 0.6, "unit": "wells"},
    "conditional": {"name": "conditional"},
}


@pytest.fixture(scope="module", params=sorted(METHODS))
def finished(request, tmp_path_factory):
    """A run_local of 7 realizations (batch 3: chunks 0-2, 3-5, 6) written to disk."""
    folder = tmp_path_factory.mktemp(f"realize_{request.param}")
    cfg = small_config(folder, method=METHODS[request.param], realizations=7, batch_size=3,
                       output=str(folder / "out"), outputs={"formats": [], "figures": False})
    result = run_local(cfg, wells=make_wells())
    return {"config": cfg, "arrays": result["arrays"], "output": cfg["output"], "method": request.param}


def test_regenerated_realizations_are_the_runs(finished):
    """Regenerating all realizations reproduces the run's min and max (values of single realizations) and mean.

    Subsample: bit for bit. Conditional: the residuals of a chunk are kriged together (several right-hand
    sides in one BLAS call), which rounds differently in the last bit (measured 4e-14 on values ~50).
    """
    fields = np.stack([da.values for da in iter_realizations(finished["config"], range(7), wells=make_wells())])
    arrays = finished["arrays"]
    if finished["method"] == "subsample":
        npt.assert_array_equal(fields.min(axis=0), arrays["min"])
        npt.assert_array_equal(fields.max(axis=0), arrays["max"])
    npt.assert_allclose(fields.min(axis=0), arrays["min"], rtol=1e-12, atol=0)
    npt.assert_allclose(fields.max(axis=0), arrays["max"], rtol=1e-12, atol=0)
    npt.assert_allclose(fields.mean(axis=0), arrays["mean"], rtol=1e-12, atol=1e-12)
    npt.assert_allclose(fields.std(axis=0, ddof=1), arrays["std"], rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_single_realization_run_equals_regenerated(tmp_path, method):
    """A run of one realization has that realization as its mean: realization(config, 0) equals it."""
    cfg = small_config(tmp_path, method=METHODS[method], realizations=1, output=str(tmp_path / "one"))
    mean = run_local(cfg, wells=make_wells(), write=False)["arrays"]["mean"]
    da = realization(cfg, 0, wells=make_wells())
    assert np.max(np.abs(da.values - mean)) <= 1e-12 * np.max(np.abs(mean))
    assert da.dims == ("easting", "northing", "tvdss") and da.name == "GR"
    assert da.attrs["realization"] == 0 and da.attrs["method"] == method


def test_dataarray_coordinates_are_the_grid(finished):
    """The DataArray carries the cell centres of the grid (as stats.npz)."""
    da = realization(finished["config"], 4, wells=make_wells())
    for axis in ("easting", "northing", "tvdss"):
        npt.assert_array_equal(da[axis].values, finished["arrays"][axis])
    assert da["tvdss"].attrs["positive"] == "down"


def test_engine_of_the_run():
    """The conditional engine is chosen for the size of the run's chunk holding r; subsample has none."""
    problem = build_problem(make_wells(), small_config(method=METHODS["conditional"], realizations=7,
                                                       batch_size=3))
    assert run_engine(problem, 6) in ("columns", "fft")
    assert run_engine(build_problem(make_wells(), small_config()), 0) is None


def test_fields_do_not_depend_on_batching():
    """Realization r is the same computed alone or in a batch (subsample: bit for bit)."""
    problem = build_problem(make_wells(), small_config())
    batch = realization_fields(problem, [0, 1, 2, 3])
    npt.assert_array_equal(realization_fields(problem, [2])[0], batch[2])


def test_check_run_refuses_changed_config(finished):
    """A changed seed (or variogram) is refused with the difference; the unchanged config passes."""
    cfg = finished["config"]
    problem = build_problem(make_wells(), cfg)
    assert check_run(cfg["output"], cfg, problem)["status"] == "ok"
    changed = dict(cfg, seed=cfg["seed"] + 1)
    with pytest.raises(KrigflowError, match="does not reproduce that run: config: seed = 7 there, 8 here"):
        check_run(cfg["output"], changed, build_problem(make_wells(), changed))
    with pytest.raises(KrigflowError, match="does not reproduce"):
        next(iter_realizations(changed, [0], wells=make_wells(), run_dir=cfg["output"]))


def test_check_run_needs_summary(tmp_path):
    """A folder without summary.json is not a finished run."""
    cfg = small_config(tmp_path)
    with pytest.raises(KrigflowError, match="no summary.json"):
        check_run(str(tmp_path), cfg, None)


def test_index_outside_run(finished):
    """Realization 7 of a 7-realization run is refused, naming the range."""
    with pytest.raises(KrigflowError, match=r"realization\(s\) \[7\] not in the run \(it has realizations 0..6\)"):
        realization(finished["config"], 7, wells=make_wells())


@pytest.mark.parametrize("text, total, expected", [
    ("3,17,42", None, [3, 17, 42]), ("4:7", None, [4, 5, 6]), ("8:,1,1", 10, [8, 9, 1]), (" 2 , 0:2", None, [2, 0, 1]),
])
def test_parse_realizations(text, total, expected):
    """Lists, ranges (end excluded) and open ranges; duplicates kept once."""
    assert parse_realizations(text, total) == expected


@pytest.mark.parametrize("text, match", [("a,b", "expected comma-separated"), ("5:2", "0 <= A < B"),
                                         ("3:", "open range"), ("", "no index"), ("-1", "index >= 0")])
def test_parse_realizations_errors(text, match):
    """Bad selections are named."""
    with pytest.raises(KrigflowError, match=match):
        parse_realizations(text)

