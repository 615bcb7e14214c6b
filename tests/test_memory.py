"""The memory model (krigflow.run.memory) against peak RSS measured in a real kriger process."""
import json
import os
import subprocess
import sys

import pytest
import scipy.fft

from krigflow.run.memory import MEASURED, MEASURED_BEFORE, MEASURED_RUN, MEASURED_RUN_DEFAULTS, estimate_memory

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _embedding(shape, spacing, variogram):
    from krigflow.realizations.fft import simulation_padding

    pad = simulation_padding(shape, spacing, variogram)
    return tuple(scipy.fft.next_fast_len(n + p, real=True) for n, p in zip(shape, pad))


def test_model_bounds_the_measured_points_and_shows_the_saving():
    """Every recorded measurement is below the estimate and within 35 % + 100 MB; the field-scale path needs
    several times less memory per cell than the histogram path at 20 M cells."""
    from krigflow.grid import Grid
    from krigflow.variogram import Variogram

    v = Variogram("exponential", 1.0, 1500.0, 15.0, range_h2=1000.0, azimuth=60.0)
    for cells, batch, peak in MEASURED:
        f = (cells / 20e6) ** (1 / 3)
        shape = tuple(max(2, round(n * f)) for n in (500, 400, 100))
        grid = Grid.from_bounds([0, 5000, 0, 4000, 1000, 1200], [e / n for e, n in zip((5000, 4000, 200), shape)])
        est = estimate_memory(shape, batch, 1200, embedding=_embedding(shape, grid.spacing, v)).total
        assert peak <= est <= 1.35 * peak + 100 * 2**20, (cells, batch, peak, est)
    full = estimate_memory((500, 400, 100), 8, 1200, embedding=(960, 800, 125))
    old = estimate_memory((500, 400, 100), 8, 1200, embedding=(960, 800, 125), field_bytes=8,
                          quantiles_from="realizations", cutoffs=2, count_bytes=2)
    assert full.total < 3 * 2**30 < old.total
    assert len(MEASURED_BEFORE) == len(MEASURED)


def test_model_against_the_20m_cell_run():
    """The 20 M-cell run's kriger peaks are within 5 % of the estimate; the accumulator's within 10 %."""
    est = {"kriger": estimate_memory((500, 400, 100), 4, 1200, embedding=(960, 800, 125), cutoffs=2,
                                     realizations=64).total,
           "accumulator": estimate_memory((500, 400, 100), 4, 1200, role="accumulator", krigers=2, cutoffs=2,
                                          realizations=64).total}
    for role, peak in MEASURED_RUN:
        assert abs(est[role] - peak) <= (0.05 if role == "kriger" else 0.10) * peak, (role, peak, est[role])


def test_model_against_the_20m_cell_run_with_the_default_residual_model():
    """The default-path 20 M-cell run (trend, well effect, exact quantiles): the accumulator within 5 %, the
    krigers within 10 % (their measured peak held a 153 MiB float64 copy since removed: within 2 % of
    measured minus that copy), all below 3 GB."""
    from krigflow.grid import Grid
    from krigflow.run.memory import run_embedding
    from krigflow.variogram import Variogram

    grid = Grid.from_bounds([0, 5000, 0, 4000, 1000, 1200], [10.0, 10.0, 2.0])
    embedding = run_embedding(grid, Variogram("exponential", 396.0, 526.94, 14.2))
    assert embedding == (675, 576, 125)
    est = {"kriger": estimate_memory(grid.shape, 4, 1200, embedding=embedding, cutoffs=2, realizations=64).total,
           "accumulator": estimate_memory(grid.shape, 4, 1200, role="accumulator", krigers=2, cutoffs=2,
                                          realizations=64).total}
    for role, peak in MEASURED_RUN_DEFAULTS:
        assert peak < 3 * 2**30
        if role == "kriger":
            assert abs(est[role] - peak) <= 0.10 * peak and abs(est[role] - (peak - 153 * 2**20)) <= 0.02 * peak
        else:
            assert abs(est[role] - peak) <= 0.05 * peak, (role, peak, est[role])


PROBE = """
import json, sys
import numpy as np
from krigflow.conditioning import upscale
from krigflow.grid import Grid
from krigflow.realizations import NormalScore, conditional_realizations
from krigflow.realizations.fft import simulation_padding
from krigflow.stats import RunningStats
from krigflow.variogram import Variogram
import scipy.fft

shape = tuple(json.loads(sys.argv[1]))
grid = Grid.from_bounds([0, 2000, 0, 1600, 1000, 1100], [2000 / shape[0], 1600 / shape[1], 100 / shape[2]])
rng = np.random.default_rng(0)
cols = [(i, j) for i, j in zip(rng.integers(0, shape[0], 12), rng.integers(0, shape[1], 12))]
cells = np.array([[i, j, k] for i, j in cols for k in range(shape[2])])
data = upscale(grid, grid.easting[cells[:, 0]], grid.northing[cells[:, 1]], grid.tvdss[cells[:, 2]],
               np.exp(rng.normal(size=len(cells))), np.repeat(np.arange(12), shape[2]))
v = Variogram("exponential", 1.0, 600.0, 10.0)
acc = RunningStats.empty(grid.shape)
for start in (0, 4):
    fields = conditional_realizations(grid, v, data, 1, range(start, start + 4), dtype=np.float32,
                                      transform=NormalScore.fit(data.values), method="columns")
    acc.merge_in_place(RunningStats.from_batch(fields))
    del fields
pad = simulation_padding(shape, grid.spacing, v)
embedding = [scipy.fft.next_fast_len(n + p, real=True) for n, p in zip(shape, pad)]
# VmHWM: this interpreter's peak; ru_maxrss would include the forking parent's pages (kept across exec)
hwm = [int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmHWM")][0]
print(json.dumps([hwm, data.n, embedding]))
"""


@pytest.mark.parametrize("shape", [(80, 64, 40)])
def test_model_bounds_a_fresh_measurement(shape):
    """A kriger process computing two batches of 4 float32 realizations (columns engine, in-place merge)
    stays below the model's estimate, and uses at least half of it."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(shape))], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    peak, n_data, embedding = json.loads(proc.stdout.strip().splitlines()[-1])
    est = estimate_memory(shape, 4, n_data, embedding=embedding).total
    assert 0.5 * est <= peak <= est, (peak, est)
