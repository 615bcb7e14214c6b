"""Tests of krigflow.wells.survey: minimum curvature, interpolation, survey files."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import SurveyError
from krigflow.wells.survey import (minimum_curvature, read_survey, survey_from_las_comments, survey_from_stations,
                             vertical_survey)


def test_vertical_well():
    """Zero inclination: no offset, TVD equals MD."""
    de, dn, tvd = minimum_curvature([0, 500, 1000], [0, 0, 0], [123, 45, 0])
    npt.assert_allclose(de, 0, atol=1e-12)
    npt.assert_allclose(dn, 0, atol=1e-12)
    npt.assert_allclose(tvd, [0, 500, 1000])


def test_straight_slant():
    """Constant 30 degrees towards azimuth 60: straight line with the exact direction cosines."""
    md = np.array([100.0, 200.0, 400.0])
    de, dn, tvd = minimum_curvature(md, [30, 30, 30], [60, 60, 60])
    along = md - 100
    npt.assert_allclose(tvd, 100 + along * np.cos(np.radians(30)))
    npt.assert_allclose(de, along * np.sin(np.radians(30)) * np.sin(np.radians(60)))
    npt.assert_allclose(dn, along * np.sin(np.radians(30)) * np.cos(np.radians(60)))


def test_constant_build_arc_matches_circle():
    """A 3 deg/30 m build towards east is a circular arc of radius 572.96 m: exact at and between stations."""
    radius = 30 / np.radians(3)
    md = np.arange(0, 901, 30.0)
    inc = md / 10.0
    de, dn, tvd = minimum_curvature(md, inc, np.full_like(md, 90.0))
    theta = np.radians(inc)
    npt.assert_allclose(de, radius * (1 - np.cos(theta)), atol=1e-9)
    npt.assert_allclose(tvd, radius * np.sin(theta), atol=1e-9)
    npt.assert_allclose(dn, 0, atol=1e-9)
    survey = survey_from_stations(md, inc, np.full_like(md, 90.0))
    samples = np.array([7.3, 451.0, 899.9])
    e, n, t = survey.position(samples)
    npt.assert_allclose(e, radius * (1 - np.cos(np.radians(samples / 10))), atol=1e-9)
    npt.assert_allclose(t, radius * np.sin(np.radians(samples / 10)), atol=1e-9)


def test_extrapolation_and_above_first_station():
    """Below the last station: straight along its direction; above the first: vertical."""
    survey = survey_from_stations([100, 200], [0, 90], [0, 0])
    e, n, t = survey.position([50, 300])
    npt.assert_allclose(t[0], 50)
    npt.assert_allclose(n[1] - n[0], survey.d_northing[-1] + 100)
    assert len(survey.coverage_warnings([50, 300])) == 2


@pytest.mark.parametrize("md, inc, azi, match", [
    ([0, 100, 50], [0, 1, 2], [0, 0, 0], "increase strictly"),
    ([0, 100], [0, 190], [0, 0], "0-180"),
    ([0, 100], [0, np.nan], [0, 0], "missing"),
    ([0, 100], [0], [0, 0], "different lengths"),
])
def test_bad_stations(md, inc, azi, match):
    """Impossible stations raise SurveyError."""
    with pytest.raises(SurveyError, match=match):
        minimum_curvature(md, inc, azi)


def test_read_csv_station_table(tmp_path):
    """The demo-data layout: # WELL NAME line, then MD,INCL,AZIM."""
    path = tmp_path / "w.csv"
    path.write_text("# WELL NAME: Demo 1\nMD,INCL,AZIM\n0,0,0\n1000,0,0\n2000,10,90\n")
    survey = read_survey(path)
    assert survey.well_name == "Demo 1" and survey.source == "minimum curvature: w.csv"
    npt.assert_allclose(survey.tvd[:2], [0, 1000])
    assert survey.d_easting[-1] > 0


def test_read_whitespace_table_with_units(tmp_path):
    """Whitespace table with unit suffixes and alternative column names."""
    path = tmp_path / "w.txt"
    path.write_text("Depth(m)  Inclination[deg]  AZIM_GN\n0 0 0\n100 0 0\n")
    npt.assert_allclose(read_survey(path).tvd, [0, 100])


def test_read_petrel_trace(tmp_path):
    """A Petrel-style trace keeps absolute X/Y as head + offsets, TVD from its column."""
    path = tmp_path / "W_1.dev"
    path.write_text(
        "# WELL NAME:   W_1\n# WELL HEAD X-COORDINATE: 1000.0 (m)\n# WELL HEAD Y-COORDINATE: 2000.0 (m)\n"
        "# WELL DATUM (KB, Kelly bushing, from MSL): 25.0 (m)\n#====\n MD X Y Z TVD\n#====\n"
        " 0 1000 2000 25 0\n 100 1001 2002 -74 99\n")
    s = read_survey(path)
    assert (s.well_name, s.head_easting, s.head_northing, s.datum) == ("W_1", 1000.0, 2000.0, 25.0)
    npt.assert_allclose(s.position([50])[0], 0.5)
    npt.assert_allclose(s.position([50])[2], 49.5)


@pytest.mark.parametrize("text", ["", "MD,FOO\n1,2\n", "MD,INCL,AZIM\n0,0,0\n10,x,0\n"])
def test_bad_survey_files(tmp_path, text):
    """Unusable survey files raise SurveyError naming the file."""
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(SurveyError, match="bad.csv"):
        read_survey(path)


def test_las_comment_survey():
    """Triplets laid out two per row in a LAS comment block are read in order."""
    comments = ["# DEVIATION SURVEY:\t(x)", "#\tDepth\tDev (deg)\tAzimuth (deg)\tDepth\tDev\tAzimuth",
                "#\t0.0m\t0.00\t0.00\t100.0m\t0.00\t0.00", "#\t200.0m\t10.0\t90.0\t300.0m\t10.0\t90.0", "#",
                "# VELOCITY SURVEY", "#\t1.0m\t2.0\t3.0"]
    s = survey_from_las_comments(comments, "x.las")
    npt.assert_allclose(s.md, [0, 100, 200, 300])
    assert survey_from_las_comments(["# nothing"], "x") is None


def test_poseidon_dev_files(poseidon_dir):
    """Every Petrel .dev reads, and its Z column is datum − TVD (Z is elevation)."""
    for path in sorted((poseidon_dir / "deviation").glob("*.dev")):
        s = read_survey(path)
        table = np.loadtxt(path, comments="#", skiprows=16)
        npt.assert_allclose(table[:, 3], s.datum - s.tvd, atol=1e-3, err_msg=path.name)
        npt.assert_allclose(table[:, 1], s.head_easting + s.d_easting, atol=1e-6, err_msg=path.name)


def test_vertical_survey():
    """The default vertical survey has TVD = MD everywhere, even beyond its stations."""
    npt.assert_allclose(vertical_survey().position([10, 3000])[2], [10, 3000])
