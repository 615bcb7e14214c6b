"""Tests of krigflow.io.results: the one reader of a run's output folder."""

import json
import logging

import numpy as np
import numpy.testing as npt
import pytest
from io_sample import sample_arrays, sample_summary

from krigflow.exceptions import KrigflowError
from krigflow.io.outputs import write_outputs
from krigflow.io.results import (
    grid_geometry,
    load_results,
    property_name_unit,
    read_summary,
    read_variogram_fit,
    read_wells,
    statistic_arrays,
)
from krigflow.io.wells_file import write_wells

arrays = pytest.fixture(sample_arrays, name="arrays")
summary = pytest.fixture(sample_summary, name="summary")


def test_statistic_arrays_takes_every_3d_array(arrays):
    """Every array of the grid's shape is a statistic, whatever its name; others are left out."""
    assert list(statistic_arrays(arrays)) == ["mean", "std", "count", "min", "max", "p10", "prob_gt_80"]


def test_load_results_errors(tmp_path):
    """A missing folder or stats.npz is one clear error."""
    with pytest.raises(KrigflowError, match="no such output directory"):
        load_results(str(tmp_path / "nope"))
    with pytest.raises(KrigflowError, match="no stats.npz"):
        load_results(str(tmp_path))
    (tmp_path / "stats.npz").write_bytes(b"not a zip")
    with pytest.raises(KrigflowError, match="stats.npz: cannot be read"):
        load_results(str(tmp_path))


def test_a_broken_summary_is_a_warning_not_an_error(arrays, tmp_path, caplog):
    """Results load without their summary when summary.json is unreadable or not an object (warned once)."""
    write_outputs(str(tmp_path), arrays, {"status": "ok"})
    (tmp_path / "summary.json").write_text("{broken")
    with caplog.at_level(logging.WARNING, logger="krigflow.io.results"):
        loaded, summary = load_results(str(tmp_path))
    assert summary is None and "summary.json: cannot be read" in caplog.text
    npt.assert_array_equal(loaded["std"], arrays["std"])
    (tmp_path / "summary.json").write_text("[1, 2]")
    assert read_summary(str(tmp_path)) is None
    (tmp_path / "summary.json").write_text(json.dumps({"fingerprint": {"config": "abc"}}))
    assert read_summary(str(tmp_path)) == {"fingerprint": {"config": "abc"}}


def test_grid_geometry_and_its_errors(arrays):
    """Shape, spacing and lower edges from the cell centres; irregular or single-cell axes are named."""
    g = grid_geometry(arrays)
    assert g["shape"] == (4, 3, 5)
    npt.assert_allclose(g["spacing"], (50.0, 40.0, 5.0))
    npt.assert_allclose(g["lower"], (400000.0, 8480000.0, 1000.0))
    with pytest.raises(KrigflowError, match="northing cell centres are not regularly increasing"):
        grid_geometry(dict(arrays, northing=np.array([0.0, 1.0, 5.0])))
    with pytest.raises(KrigflowError, match="tvdss has one cell; its spacing is needed"):
        grid_geometry(dict(arrays, tvdss=np.array([1000.0])))
    with pytest.raises(KrigflowError, match="missing coordinate vector"):
        statistic_arrays({"mean": np.zeros((1, 1, 1))})


def test_property_name_unit_takes_the_most_common_unit(summary):
    """The unit is the most common one among the wells."""
    assert property_name_unit(summary) == ("GR", "gAPI")
    assert property_name_unit({}) == ("property", "")


def test_read_wells_round_trip(tmp_path):
    """What write_wells writes, read_wells reads back; no wells.npz reads as None."""
    assert read_wells(str(tmp_path)) is None

    class Data:  # the ConditioningData fields write_wells reads
        easting, northing, tvdss = np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([1000.0, 1001.0])
        values, well, well_names = np.array([60.0, 70.0]), np.array([0, 1]), ("A", "B")

    traces = {"names": ("A", "B"), "easting": np.array([1.0, 2.0]), "northing": np.array([3.0, 4.0]),
              "tvdss": np.array([990.0, 995.0]), "well": np.array([0, 1])}
    write_wells(str(tmp_path / "wells.npz"), Data, traces)
    wells = read_wells(str(tmp_path))
    assert wells["names"] == ["A", "B"]
    npt.assert_array_equal(wells["data_value"], [60.0, 70.0])
    npt.assert_array_equal(wells["trace_tvdss"], [990.0, 995.0])
    npt.assert_array_equal(wells["data_well"], [0, 1])


def test_read_variogram_fit_from_summary_or_file(tmp_path, caplog):
    """The fit record comes from the summary first, then variogram.json; none or empty reads as None."""
    record = {"experimental": [{"direction": "vertical", "lag": [1.0], "gamma": [0.5]}]}
    assert read_variogram_fit(str(tmp_path), {"variogram_fit": record}) == record
    assert read_variogram_fit(str(tmp_path), {}) is None
    (tmp_path / "variogram.json").write_text(json.dumps(record))
    assert read_variogram_fit(str(tmp_path)) == record
    (tmp_path / "variogram.json").write_text(json.dumps({"experimental": []}))
    assert read_variogram_fit(str(tmp_path)) is None
    (tmp_path / "variogram.json").write_text("{")
    with caplog.at_level(logging.WARNING, logger="krigflow.io.results"):
        assert read_variogram_fit(str(tmp_path)) is None
    assert "variogram.json: cannot be read" in caplog.text
