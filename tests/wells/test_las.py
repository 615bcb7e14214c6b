"""Tests of krigflow.wells.las: encoding, validation, nulls, units."""
import numpy as np
import numpy.testing as npt
import pytest

from conftest import las_text
from krigflow.exceptions import LASReadError
from krigflow.wells.las import detect_encoding, read_las


def test_reads_basic_file(write_las):
    """A small LAS 2.0 file gives the index, curve values, units and well name."""
    log = read_las(write_las(las_text()))
    npt.assert_allclose(log.index, [100, 100.5, 101])
    npt.assert_allclose(log.curves["GR"], [50, 60, 70])
    assert log.units["GR"] == "gAPI" and log.well_name == "A-1" and log.warnings == ()


def test_declared_null_becomes_nan(write_las):
    """The declared NULL value becomes NaN in data curves."""
    log = read_las(write_las(las_text(rows="100 -999.25\n100.5 60")))
    assert np.isnan(log.curves["GR"][0]) and log.curves["GR"][1] == 60


def test_undeclared_sentinel_becomes_nan_with_warning(write_las):
    """-9999 is null even when the file declares another NULL, and a warning says so."""
    rows = "\n".join(f"{100 + i} {-9999 if i < 5 else 50}" for i in range(10))
    log = read_las(write_las(las_text(rows=rows)))
    assert np.isnan(log.curves["GR"][:5]).all() and np.isfinite(log.curves["GR"][5:]).all()
    assert any("-9999" in w and "probably wrong" in w for w in log.warnings)


def test_null_in_index_is_kept(write_las):
    """A depth equal to the NULL value stays a depth."""
    log = read_las(write_las(las_text(rows="999 1\n999.25 2", well="~W\nNULL. 999.25 :\nWELL. A :")))
    npt.assert_allclose(log.index, [999, 999.25])


def test_decreasing_index_is_reversed(write_las):
    """A file with decreasing depth is reversed, curves with it."""
    log = read_las(write_las(las_text(rows="101 70\n100.5 60\n100 50")))
    npt.assert_allclose(log.index, [100, 100.5, 101])
    npt.assert_allclose(log.curves["GR"], [50, 60, 70])
    assert any("reversed" in w for w in log.warnings)


@pytest.mark.parametrize("rows", ["100 1\n101 2\n100.5 3", "100 1\n100 2\n101 3"], ids=["zigzag", "repeat"])
def test_non_monotonic_index_rejected(write_las, rows):
    """Out-of-order or repeated depths raise LASReadError naming the file."""
    path = write_las(las_text(rows=rows))
    with pytest.raises(LASReadError, match=r"well\.las.*not strictly monotonic"):
        read_las(path)


def test_feet_converted_to_metres(write_las):
    """A depth index in feet is converted to metres."""
    log = read_las(write_las(las_text(curves="DEPT.FT :\nGR.gAPI :", rows="1000 1\n1001 2")))
    npt.assert_allclose(log.index, [304.8, 305.1048])
    assert log.index_unit == "FT"


@pytest.mark.parametrize("text, match", [
    ("", "empty"),
    ("hello world\n", "not a LAS file"),
    (las_text(curves="DEPT.M :", rows="100\n101"), "no data curve"),
    (las_text(rows="100 1"), "only one data row"),
    ("~V\nVERS. 2.0 :\n~W\nWELL. A :\n~C\nDEPT.M :\nGR.gAPI :\n", "no ~A"),
    (las_text(rows="a 1\nb 2"), "not numeric"),
    (las_text(rows="100 1 2\n101 1"), "lasio cannot parse"),
], ids=["empty", "not-las", "depth-only", "one-row", "no-data-section", "text-index", "ragged"])
def test_bad_files_raise_lasreaderror(write_las, text, match):
    """Each unusable file raises LASReadError with the file name and the problem."""
    path = write_las(text)
    with pytest.raises(LASReadError, match=match) as err:
        read_las(path)
    assert "well.las" in str(err.value)


def test_missing_file():
    """A missing file raises LASReadError, not OSError."""
    with pytest.raises(LASReadError, match="cannot read"):
        read_las("/nonexistent/x.las")


def test_non_numeric_tokens_become_nan(write_las):
    """Text tokens inside a numeric curve are null, with a warning."""
    log = read_las(write_las(las_text(curves="DEPT.M :\nGR.gAPI :\nRHOB.g/cc :",
                                      rows="100 1 2.3\n101 2 ERR\n102 3 2.4")))
    assert np.isnan(log.curves["RHOB"][1]) and log.curves["RHOB"][2] == 2.4
    assert any("non-numeric" in w for w in log.warnings)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings_are_detected(write_las, encoding):
    """Degree signs decode correctly whatever the encoding."""
    text = las_text(well="~W\nNULL. -999.25 :\nWELL. A-1 :\nLATI. 13° 37' S : latitude")
    log = read_las(write_las(text.encode(encoding)))
    assert log.header["LATI"].value.startswith("13° 37'")
    npt.assert_allclose(log.curves["GR"], [50, 60, 70])


def test_detect_encoding_order():
    """ASCII, UTF-8, cp1252 and latin-1 bytes are told apart."""
    assert detect_encoding(b"abc") == "ascii"
    assert detect_encoding("é".encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\x94 quote") == "cp1252"
    assert detect_encoding(b"\x81 undefined in cp1252") == "latin-1"


def test_header_comments_are_kept(write_las):
    """Comment lines before ~A are available for the deviation-survey parser."""
    log = read_las(write_las(las_text(extra="# DEVIATION SURVEY\n# 0.0m 0 0\n")))
    assert "# DEVIATION SURVEY" in log.comments


def test_poseidon_read_decodes_cp1252(poseidon_dir):
    """A 1 MB Poseidon file is read with its cp1252/utf-8 comments decoded (speed: benchmarks, not here)."""
    log = read_las(poseidon_dir / "las" / "Poseidon1Decim.LAS")
    assert log.encoding == "cp1252" and log.index.size > 9000
