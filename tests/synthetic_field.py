"""The small synthetic field of the run tests: five vertical wells built in code, their config, one worker."""

import numpy as np

from krigflow.run import Partial, Worker, WorkOrder, validate_config
from krigflow.stats import RunningStats
from krigflow.wells import Well

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


def compute_partial(problem, chunks):
    """Compute chunks of realizations with one Worker (no checkpoints); return its Partial (maybe empty)."""
    worker = Worker(WorkOrder(problem)).start()
    for chunk in sorted(chunks, key=min):
        worker.run(chunk)
    empty = Partial(indices=np.zeros(0, dtype=np.int64), stats=RunningStats.empty(problem.grid.shape))
    return worker.close() or empty
