"""Tests of krigflow.io.wells_file: decimated well traces and the wells.npz file."""

from types import SimpleNamespace

import numpy as np
import numpy.testing as npt

from krigflow.io.results import read_wells
from krigflow.io.wells_file import WELLS_FILE, well_traces, write_wells


def _well(name, path, n, east=0.0):
    tvdss = np.linspace(1000.0, 1100.0, n)
    return SimpleNamespace(name=name, path=path, easting=np.full(n, east), northing=np.zeros(n), tvdss=tvdss)


def test_well_traces_sorted_decimated_and_finite():
    """Wells are sorted by (path, name), at most max_points per well, first and last kept, NaN dropped."""
    b, a = _well("B", "b.las", 1000, east=5.0), _well("A", "a.las", 10)
    a.tvdss[3] = np.nan
    t = well_traces([b, a], max_points=50)
    assert t["names"] == ("A", "B")
    assert np.sum(t["well"] == 0) == 9 and np.sum(t["well"] == 1) == 50
    tb = t["tvdss"][t["well"] == 1]
    assert tb[0] == 1000.0 and tb[-1] == 1100.0 and np.all(np.diff(tb) > 0)
    npt.assert_array_equal(t["easting"][t["well"] == 1], 5.0)
    assert np.all(np.isfinite(t["tvdss"]))


def test_wells_file_without_conditioning_data(tmp_path):
    """Traces alone are enough (no data_* keys then); the names come back as str."""
    traces = well_traces([_well("KF-01", "k.las", 5)])
    write_wells(str(tmp_path / WELLS_FILE), None, traces)
    wells = read_wells(str(tmp_path))
    assert wells["names"] == ["KF-01"] and "data_value" not in wells
    npt.assert_array_equal(wells["trace_tvdss"], traces["tvdss"])
