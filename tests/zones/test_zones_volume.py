"""Volumes of a zoned run (realizations.csv ``volume``) use each corner-point cell's bulk volume, as xtgeo
computes it, not the nominal cell size."""
import numpy as np
import numpy.testing as npt
import pytest

xtgeo = pytest.importorskip("xtgeo")

from test_zones_run import zoned_config

from krigflow.run import build_problem, load_inputs
from krigflow.run.realize import realization_values
from krigflow.stats import summarize, summary_columns
from krigflow.zones import Lattice
from krigflow.zones.cornerpoint import to_xtgeo_grid
from krigflow.zones.synthetic import make_layered_truth


def xtgeo_bulk(sgrid):
    values = to_xtgeo_grid(sgrid).get_bulk_volume(asmasked=False).values
    return np.asarray(np.ma.filled(values, np.nan), dtype=float)


def test_bulk_volumes_match_xtgeo():
    """dx * dy * mean pillar thickness equals xtgeo's bulk volume of every active cell (ZCORN is float32)."""
    sgrid = make_layered_truth(Lattice.from_bounds((0.0, 1000.0, 0.0, 800.0), (100.0, 100.0)),
                               layers=(3, 4, 2)).sgrid
    mine, theirs, act = sgrid.bulk_volumes(), xtgeo_bulk(sgrid), sgrid.actnum()
    npt.assert_allclose(mine[act], theirs[act], rtol=1e-4)
    assert np.ptp(mine[act]) > 0.5 * mine[act].mean()          # cells do differ: a nominal volume is wrong


@pytest.mark.slow
def test_zoned_volume_column_is_the_bulk_volume_of_the_counted_cells(tmp_path):
    """volume = sum of xtgeo bulk volumes of the cells below the cutoff, per realization (zoned demo, 2
    realizations; ~5 s: the zoned problem is built once)."""
    cfg = zoned_config(tmp_path / "out", volume={"cutoff": 60.0, "side": "below"}, cutoffs=[60.0])
    problem = build_problem(load_inputs(cfg), cfg)
    fields = realization_values(problem, [0, 1])
    columns = summary_columns(problem.summary)
    rows = summarize(fields, problem.summary)
    bulk = xtgeo_bulk(problem.zones.sgrid)
    expected = [np.nansum(np.where(np.isfinite(f) & (f < 60.0), bulk, 0.0)) for f in fields]
    npt.assert_allclose(rows[:, columns.index("volume")], expected, rtol=1e-5)
    nominal = [np.sum(np.isfinite(f) & (f < 60.0)) * np.prod(problem.grid.spacing) for f in fields]
    assert not np.allclose(expected, nominal, rtol=1e-3)
