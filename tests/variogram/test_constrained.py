"""Constrained variogram fit: vertical alone, horizontal range capped, bound warnings."""
import warnings

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.variogram.constrained import (
    VariogramBoundWarning,
    count_well_pairs,
    fit_constrained,
    well_spacing,
)
from krigflow.variogram.experimental import ExperimentalVariogram


def _ev(direction, h, gamma, pairs=500):
    h = np.asarray(h, float)
    return ExperimentalVariogram(direction, h, np.asarray(gamma, float), np.full(h.size, pairs), "matheron", 1.0)


H_V = np.arange(5.0, 400.0, 10.0)


def test_vertical_fit_alone_with_sill_fixed():
    """Range and nugget are recovered from an exact exponential vertical variogram; the sill is the residual
    variance minus the well effect."""
    g = 1.0 + 5.0 * (1 - np.exp(-3 * H_V / 60.0))
    fit = fit_constrained(_ev("vertical", H_V, g), None, variance=8.0, well_effect=2.0, spacing=3000.0,
                          well_pairs=21, candidates=("exponential",))
    v = fit.variogram
    npt.assert_allclose([v.sill, v.nugget, v.range_v], [6.0, 1.0, 60.0], rtol=1e-4)
    assert fit.how["sill"] == "residual variance - well effect"


def test_horizontal_range_capped_at_the_well_spacing_with_few_pairs():
    """21 well pairs: range_h is not fitted but set to the spacing; a user cap wins over the spacing."""
    g = 6.0 * (1 - np.exp(-3 * H_V / 60.0))
    hh = np.arange(2000.0, 40000.0, 4000.0)
    horiz = _ev("horizontal", hh, 6.0 * (1 - np.exp(-3 * hh / 60000.0)))
    fit = fit_constrained(_ev("vertical", H_V, g), horiz, variance=6.0, spacing=3000.0, well_pairs=21)
    assert fit.variogram.range_h == 3000.0 and fit.how["range_h"].startswith("capped")
    fit = fit_constrained(_ev("vertical", H_V, g), horiz, variance=6.0, spacing=3000.0, well_pairs=21,
                          range_h_max=1500.0)
    assert fit.variogram.range_h == 1500.0


def test_fixed_values_are_used_as_given():
    g = 6.0 * (1 - np.exp(-3 * H_V / 60.0))
    fit = fit_constrained(_ev("vertical", H_V, g), None, variance=6.0, spacing=3000.0, well_pairs=21,
                          sill=5.0, nugget=0.5, range_v=42.0, range_h=777.0, candidates=("spherical",))
    v = fit.variogram
    assert (v.sill, v.nugget, v.range_v, v.range_h) == (5.0, 0.5, 42.0, 777.0)
    assert fit.how == {"sill": "fixed", "nugget": "fixed", "range_v": "fixed", "range_h": "fixed"}


def test_bound_warning_when_the_vertical_range_runs_away():
    """A vertical variogram rising linearly far below the sill (a trend left in) puts range_v on its upper
    bound: a VariogramBoundWarning names it, and at_bound lists it."""
    g = 0.1 * H_V
    with pytest.warns(VariogramBoundWarning, match="range_v"):
        fit = fit_constrained(_ev("vertical", H_V, g), None, variance=1000.0, spacing=3000.0,
                              well_pairs=21, candidates=("spherical",))
    assert "range_v" in fit.at_bound
    assert fit.describe()["at_bound"] == ["range_v"]


def test_horizontal_fit_with_many_wells_and_its_bound_warning():
    """With enough well pairs the horizontal range is fitted up to the largest usable lag (19.5 km here) or
    range_h_max: a true range inside is recovered without a warning, also one longer than the well spacing
    (8 km); one beyond the bound ends on it with a warning."""
    g = 6.0 * (1 - np.exp(-3 * H_V / 60.0))
    hh = np.arange(500.0, 20000.0, 1000.0)
    for true in (4000.0, 12000.0):
        inside = _ev("horizontal", hh, 6.0 * (1 - np.exp(-3 * hh / true)))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fit = fit_constrained(_ev("vertical", H_V, g), inside, variance=6.0, spacing=8000.0, well_pairs=190,
                                  candidates=("exponential",))
        npt.assert_allclose(fit.variogram.range_h, true, rtol=1e-3)
        assert fit.range_h_cap == 19500.0 and "largest usable lag" in fit.how["range_h"]
    beyond = _ev("horizontal", hh, 6.0 * (1 - np.exp(-3 * hh / 40000.0)))
    with pytest.warns(VariogramBoundWarning, match="range_h"):
        fit = fit_constrained(_ev("vertical", H_V, g), beyond, variance=6.0, spacing=8000.0, well_pairs=190,
                              candidates=("exponential",))
    assert fit.variogram.range_h == pytest.approx(19500.0)
    with pytest.warns(VariogramBoundWarning, match="range_h"):
        fit = fit_constrained(_ev("vertical", H_V, g), beyond, variance=6.0, spacing=8000.0, well_pairs=190,
                              candidates=("exponential",), range_h_max=8000.0)
    assert fit.variogram.range_h == pytest.approx(8000.0) and "range_h_max" in fit.how["range_h"]


def test_well_spacing_and_pairs():
    e = np.array([0.0, 0.0, 3000.0, 3000.0, 10000.0])
    n = np.zeros(5)
    assert well_spacing(e, n, [0, 0, 1, 1, 2]) == (3000.0, 3)
    assert count_well_pairs([0, 1, 2, 3, 4, 5, 6, 7]) == 28
