"""Field-scale memory options (issue 15): float32 conditional fields, kriging added in place, engine choice."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.conditioning import upscale
from krigflow.exceptions import KrigflowError
from krigflow.grid import Grid
from krigflow.kriging import krige_grid
from krigflow.realizations import NormalScore, conditional_realizations
from krigflow.realizations.conditional import residual_engine
from krigflow.variogram import Variogram

GRID = Grid.from_bounds([0.0, 600.0, 0.0, 400.0, 1000.0, 1060.0], [20.0, 20.0, 3.0])     # 30 x 20 x 20
VARIOGRAM = Variogram("exponential", 1.0, 300.0, 12.0, range_h2=200.0, azimuth=30.0, nugget=0.05)


def _data():
    cells = np.array([[i, j, k] for i, j in ((5, 4), (22, 6), (12, 15)) for k in range(GRID.shape[2])])
    e, n, t = GRID.easting[cells[:, 0]], GRID.northing[cells[:, 1]], GRID.tvdss[cells[:, 2]]
    values = np.exp(3.0 + 0.3 * np.random.default_rng(2).standard_normal(cells.shape[0]))
    return upscale(GRID, e, n, t, values, np.repeat(np.arange(3), GRID.shape[2]))


def test_float32_realizations_match_float64():
    """float32 fields (low-memory generator, residuals added in place) equal the float64 ones to ~1e-5 and
    honour the data to float32 rounding."""
    data = _data()
    ns = NormalScore.fit(data.values)
    a = conditional_realizations(GRID, VARIOGRAM, data, 4, [0, 3, 7], transform=ns)
    b = conditional_realizations(GRID, VARIOGRAM, data, 4, [0, 3, 7], transform=ns, dtype=np.float32)
    assert b.dtype == np.float32 and a.dtype == np.float64
    npt.assert_allclose(b, a, rtol=2e-5, atol=2e-5 * np.ptp(data.values))
    npt.assert_allclose(b[:, data.cells[:, 0], data.cells[:, 1], data.cells[:, 2]],
                        np.broadcast_to(data.values, (3, data.n)), rtol=1e-6)
    with pytest.raises(KrigflowError, match="dtype"):
        conditional_realizations(GRID, VARIOGRAM, data, 4, [0], dtype=np.int32)


@pytest.mark.parametrize("method", ["columns", "fft", "dense"])
def test_add_to_adds_the_estimates(method):
    """krige_grid(add_to=a) returns a itself holding a + the estimates, for every engine."""
    data = _data()
    values = np.random.default_rng(1).standard_normal((data.n, 2))
    expected = krige_grid(GRID, VARIOGRAM, data, kind="simple", mean=0.0, values=values, method=method)
    base = np.random.default_rng(3).standard_normal((2, *GRID.shape)).astype(np.float32)
    out = base.copy()
    got = krige_grid(GRID, VARIOGRAM, data, kind="simple", mean=0.0, values=values, method=method, add_to=out)
    assert got is out
    npt.assert_allclose(out, base + expected, atol=1e-5)


def test_add_to_must_match():
    """A wrongly shaped or non-contiguous array to add into is refused."""
    data = _data()
    with pytest.raises(Exception, match="add_to"):
        krige_grid(GRID, VARIOGRAM, data, kind="simple", mean=0.0, add_to=np.zeros((1, 3, 3, 3)))
    with pytest.raises(Exception, match="add_to"):
        krige_grid(GRID, VARIOGRAM, data, kind="simple", mean=0.0,
                   add_to=np.zeros((1, *GRID.shape[::-1])).transpose(0, 3, 2, 1))


def test_residual_engine_avoids_a_doubled_lattice_that_does_not_fit():
    """At field scale the FFT engine's doubled lattice (GBs) is never chosen, whatever its speed."""
    cells = np.array([[i, j, 0] for i in range(0, 500, 40) for j in range(0, 400, 40)])
    assert residual_engine((500, 400, 100), cells, 1) == "columns"
    assert residual_engine((60, 40, 20), cells[:2] % 20, 1) in ("fft", "columns")
    assert residual_engine((60, 40, 20), cells % 20, 16, memory_bytes=1) == "columns"


def test_conditional_run_quantiles_exact_by_default_and_from_realizations_on_request():
    """A conditional run writes P10/P50/P90 and P(> c) from the exact shortcut (no per-cell histograms), and
    from per-cell histograms with quantiles_from: realizations; with many realizations the two agree."""
    from synthetic_field import make_wells, small_config

    from krigflow.run import build_problem, run_local
    from krigflow.stats.gaussian import exact_outputs

    wells = make_wells()
    method = {"name": "conditional", "transform": "normal_score"}
    common = {"realizations": 400, "batch_size": 100, "quantiles": [10.0, 50.0, 90.0], "cutoffs": [60.0],
              "trend": {"kind": "none"}}
    exact = run_local(small_config(method=method, **common), write=False, wells=wells)
    hist = run_local(small_config(method=dict(method, quantiles_from="realizations"), **common), write=False,
                     wells=wells)
    a, b = exact["arrays"], hist["arrays"]
    assert exact["summary"]["quantiles_from"] == "exact" and hist["summary"]["quantiles_from"] == "realizations"
    assert "quantile_accuracy" not in exact["summary"] and "quantile_accuracy" in hist["summary"]
    assert exact["summary"]["timings"]["exact_quantiles"] > 0 and "exact_quantiles" not in hist["summary"]["timings"]
    width = hist["summary"]["quantile_accuracy"]
    for name in ("p10", "p50", "p90"):
        assert np.median(np.abs(a[name] - b[name])) < width, name      # same distributions
    problem = build_problem(wells, small_config(method=method, **common))
    direct = exact_outputs(problem.grid, problem.variogram, problem.data, transform=problem.transform,
                           mean=problem.mean, quantiles=[10.0, 50.0, 90.0], cutoffs=[60.0])
    for name, value in direct.items():
        npt.assert_array_equal(a[name], value)
    p = a["prob_gt_60"]
    sigma = np.sqrt(p * (1 - p) / 400) + 1e-9
    assert np.quantile(np.abs(b["prob_gt_60"] - p) / sigma, 0.99) < 4.0
    npt.assert_array_equal(a["mean"], b["mean"])       # same realizations
    # runs with a trend and a well effect: tests/run/test_exact_quantiles_run.py


def test_spectrum_cache_gives_the_same_fields():
    """A caller's cache keeps the float32 generator's spectrum between batches; the fields are unchanged."""
    data = _data()
    cache = {}
    a = conditional_realizations(GRID, VARIOGRAM, data, 4, [0, 1], dtype=np.float32, cache=cache)
    assert len(cache) == 1
    spectrum = next(iter(cache.values()))
    b = conditional_realizations(GRID, VARIOGRAM, data, 4, [0, 1], dtype=np.float32, cache=cache)
    assert next(iter(cache.values())) is spectrum
    npt.assert_array_equal(a, b)
    other = Variogram("exponential", 1.0, 200.0, 9.0)
    conditional_realizations(GRID, other, data, 4, [0], dtype=np.float32, cache=cache)
    assert len(cache) == 1 and next(iter(cache.values())) is not spectrum


def test_workers_keep_the_generator_spectrum_between_chunks(monkeypatch):
    """A Worker (and so a SampleKriger) computes the float32 generator's spectrum once per problem, not once
    per chunk (at 20 M cells it costs about two realizations), with the same statistics."""
    import dataclasses

    from synthetic_field import compute_partial, make_wells, small_config

    from krigflow.realizations import chunked
    from krigflow.run import build_problem, compute_chunk

    problem = build_problem(make_wells(), small_config(method={"name": "conditional"}, realizations=6))
    problem = dataclasses.replace(problem, field_dtype="float32")     # the field-scale path on a small grid
    calls = []
    original = chunked.compact_spectrum
    monkeypatch.setattr(chunked, "compact_spectrum", lambda *a, **k: calls.append(1) or original(*a, **k))
    partial = compute_partial(problem, [[0, 1], [2, 3], [4, 5]])
    assert len(calls) == 1
    uncached = [compute_chunk(problem, chunk)[0] for chunk in ([0, 1], [2, 3], [4, 5])]
    assert len(calls) == 4
    merged = uncached[0]
    for stats in uncached[1:]:
        merged.merge_in_place(stats)
    npt.assert_array_equal(partial.stats.mean, merged.mean)
