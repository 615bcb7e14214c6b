"""Per-zone modelling on simboxes: data honoured, trends per zone, same seed same numbers, chunk invariance."""
import numpy as np
import numpy.testing as npt
import pytest
from zones_sample import layered_case

from krigflow.exceptions import KrigflowError
from krigflow.zones.model import build_zone_problems, zone_seed, zoned_realizations


@pytest.fixture(scope="module")
def setup():
    return layered_case(1000.0, (5, 6, 4), 6)


def _problems(setup, method, **kw):
    truth, wells, arrays, well = setup
    return build_zone_problems(truth.sgrid, *arrays, well, well_names=[w.name for w in wells], method=method, **kw)


CONDITIONAL = {"name": "conditional", "transform": "normal_score", "tails": "linear"}
SUBSAMPLE = {"name": "subsample", "fraction": 0.75, "unit": "wells"}


@pytest.mark.parametrize("method", [CONDITIONAL, SUBSAMPLE], ids=["conditional", "subsample"])
def test_realizations_honour_data_and_are_reproducible(setup, method):
    """Every conditional realization equals the upscaled datum in its cell; same seed, same numbers, any chunks."""
    truth = setup[0]
    problems = _problems(setup, method, variograms={"model": "auto", "well_effect": 0.0})   # data honoured exactly
    a = zoned_realizations(truth.sgrid, problems, method, 11, [0, 1, 2, 3])
    b = np.concatenate([zoned_realizations(truth.sgrid, problems, method, 11, [r]) for r in (0, 1, 2, 3)])
    npt.assert_array_equal(a, b)
    assert not np.allclose(a[0], a[1])
    if method["name"] == "conditional":
        for p in problems:
            d = p.data
            k = truth.sgrid.layer_start[p.index] + d.cells[:, 2]
            value = p.restore(d.tvdss, d.values)
            npt.assert_allclose(a[:, d.cells[:, 0], d.cells[:, 1], k], np.broadcast_to(value, (4, d.n)), atol=1e-6)


def test_zone_means_recovered(setup):
    """Zones are modelled apart: each zone's mean realization is near the truth's zone mean (45 / 95 / 60)."""
    truth = setup[0]
    problems = _problems(setup, CONDITIONAL)
    mean = zoned_realizations(truth.sgrid, problems, CONDITIONAL, 3, range(8)).mean(axis=0)
    for q, part in enumerate(truth.sgrid.to_zone_values(mean)):
        assert abs(np.nanmean(part) - truth.means[q]) < 8.0


def test_given_variogram_per_zone(setup):
    """A list of variograms sets each zone's model (standardized for normal scores)."""
    vgs = [{"model": "exponential", "sill": 50.0, "range_h": 500.0 + 100 * q, "range_v": 5.0} for q in range(3)]
    problems = _problems(setup, CONDITIONAL, variograms=vgs, trends=["linear", "constant", "none"])
    assert [p.variogram.range_h for p in problems] == [500.0, 600.0, 700.0]
    assert all(p.variogram.sill == 1.0 for p in problems)
    assert problems[0].trend.degree == 1 and problems[1].trend.degree == 0 and problems[2].trend.kind == "none"


def test_wrong_list_length(setup):
    """A per-zone list of the wrong length is refused."""
    with pytest.raises(KrigflowError, match="trend has 2 entries for 3 zones"):
        _problems(setup, CONDITIONAL, trends=["linear", "none"])


def test_zone_seeds_differ():
    """Zone 0 uses the run seed; other zones get distinct derived seeds."""
    assert zone_seed(5, 0) == 5 and len({zone_seed(5, q) for q in range(5)}) == 5
