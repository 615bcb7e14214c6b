"""Tool consistency warnings and per-well normalization."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.consistency import curve_warnings
from krigflow.exceptions import ConfigError
from krigflow.normalize import normalize_wells


def test_curve_warnings_name_wells_mnemonics_and_units():
    wells = [{"name": "Boreas 1", "curve": "ECGR", "unit": "gAPI"}, {"name": "Torosa 1", "curve": "GR", "unit": "API"},
             {"name": "Pharos 1", "curve": "GR", "unit": "gAPI"}]
    warnings = curve_warnings(wells, "GR")
    assert len(warnings) == 2
    assert "ECGR (Boreas 1)" in warnings[0] and "GR (Torosa 1, Pharos 1)" in warnings[0]
    assert "API (Torosa 1)" in warnings[1]
    assert curve_warnings(wells[2:], "GR") == []


def test_two_point_normalization_removes_a_gain_and_an_offset():
    """A well reading 0.4 x + 3 of its neighbours is mapped back onto them."""
    rng = np.random.default_rng(0)
    t = [np.arange(0.0, 500.0, 0.5) for _ in range(3)]
    base = [rng.normal(60, 15, 1000) for _ in range(3)]
    values = [base[0], base[1], 0.4 * base[2] + 3.0]
    new, rec = normalize_wells(t, values, ["A", "B", "C"], reference="A")
    p5, p95 = np.percentile(base[0], [5, 95])
    npt.assert_allclose(np.percentile(new[2], [5, 95]), [p5, p95], rtol=1e-9)
    assert rec["method"] == "two_point" and set(rec["wells"]) == {"A", "B", "C"}


def test_quantile_normalization_matches_distributions():
    rng = np.random.default_rng(1)
    t = [np.arange(0.0, 500.0, 0.5) for _ in range(2)]
    values = [rng.gamma(2.0, 20.0, 1000), np.exp(rng.normal(3, 0.5, 1000))]
    new, _ = normalize_wells(t, values, ["A", "B"], method="quantile", reference="A")
    npt.assert_allclose(np.percentile(new[1], [10, 50, 90]), np.percentile(values[0], [10, 50, 90]), rtol=0.03)


@pytest.mark.parametrize("kwargs,match", [({"method": "zscore"}, "normalize.method"),
                                          ({"reference": "Nope"}, "normalize.reference"),
                                          ({"interval": (900.0, 950.0)}, "samples in the interval")])
def test_bad_normalize_options(kwargs, match):
    t = [np.arange(0.0, 500.0, 0.5)] * 2
    v = [np.arange(1000.0)] * 2
    with pytest.raises(ConfigError, match=match):
        normalize_wells(t, v, ["A", "B"], **kwargs)
