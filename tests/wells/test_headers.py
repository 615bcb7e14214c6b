"""Tests of krigflow.wells.headers: header tables, name matching, LAS-header coordinates."""
import pytest

from conftest import las_text
from krigflow.exceptions import WellLocationError
from krigflow.wells.headers import (las_location, match_well_name, normalize_well_name, parse_angle,
                              read_well_headers, table_location)
from krigflow.wells.las import read_las


@pytest.mark.parametrize("header, roles", [
    ("Name,X,Y,DFE", ("Name", "X", "Y", "DFE")),
    ("Well;Easting;Northing;KB", ("Well", "Easting", "Northing", "KB")),
    ("WELL_NAME\tX_COORD\tY_COORD\tEKB", ("WELL_NAME", "X_COORD", "Y_COORD", "EKB")),
])
def test_column_detection(tmp_path, header, roles):
    """Common spellings and separators are detected."""
    sep = "," if "," in header else (";" if ";" in header else "\t")
    path = tmp_path / "h.csv"
    path.write_text(header + "\n" + sep.join(["W-1", "1000.5", "2000", "25"]) + "\n")
    table = read_well_headers(path)
    assert [table.columns[r] for r in ("name", "easting", "northing", "kb")] == list(roles)
    w = table.wells[0]
    assert (w.name, w.easting, w.northing, w.kb) == ("W-1", 1000.5, 2000.0, 25.0)


def test_explicit_columns_and_errors(tmp_path):
    """Explicit columns override detection; a missing one or no name column is an error."""
    path = tmp_path / "h.csv"
    path.write_text("Bore,E,N\nA,1,2\n")
    table = read_well_headers(path, {"name": "Bore", "easting": "E", "northing": "N"})
    assert table.wells[0].easting == 1.0
    with pytest.raises(WellLocationError, match="'Q' for easting not found"):
        read_well_headers(path, {"name": "Bore", "easting": "Q"})
    path.write_text("E,N\n1,2\n")
    with pytest.raises(WellLocationError, match="no well-name column"):
        read_well_headers(path)


def test_zero_zero_is_missing_and_latlon_needs_crs(tmp_path):
    """0/0 is no location; lat/lon alone is refused without a CRS and projected with one."""
    path = tmp_path / "h.csv"
    path.write_text("Name,X,Y,Lat,Lon\nA,0,0,-13.6228678,122.307139972\n")
    row = read_well_headers(path).wells[0]
    assert not row.has_xy
    head, notes = table_location(row)
    assert head is None and any("0/0" in n for n in notes) and any("--crs" in n for n in notes)
    head, _ = table_location(row, crs="EPSG:28351")
    assert head.easting == pytest.approx(425055.5, abs=2) and head.northing == pytest.approx(8493875.3, abs=2)


def test_normalisation():
    """Case, spaces, underscores and punctuation are dropped."""
    assert normalize_well_name("Poseidon North-1") == normalize_well_name("POSEIDON_NORTH 1")


@pytest.mark.parametrize("name, expected, rule", [
    ("TOROSA 1", "Torosa_1", "exact"),
    ("Proteus 1 ST2", "Proteus_1", "sidetrack"),
    ("Poseidon North 1", "Poseidon_North", "number 1 omitted"),
    ("Kronos 1", "Kronons_1", "close match"),
    ("Poseidon 3", None, "none"),
    ("Boreas 2", None, "none"),
])
def test_name_matching(name, expected, rule):
    """The documented matching rules, including refusing different well numbers."""
    names = ["Torosa_1", "Proteus_1", "Poseidon_North", "Kronons_1", "Poseidon_1", "Poseidon_2", "Boreas_1"]
    match = match_well_name(name, names)
    assert (match.name, match.rule) == (expected, rule)
    assert bool(match.warning) == (rule == "close match")


def test_name_map_first():
    """An explicit name map wins over the automatic rules."""
    assert match_well_name("Alpha", ["B-7"], {"alpha": "B_7"}).name == "B-7"


@pytest.mark.parametrize("text, value", [
    ("-13.5", -13.5), ("-13/30/00", -13.5), ("13° 30' 0\" S", -13.5), ("43 35' 47.74\" N", 43.5966),
    ("122/18/23.99", 122.30666), ("45∞ 30' W", -45.5), ("junk", None),
])
def test_parse_angle(text, value):
    """Decimal and DMS forms in the corpus parse to signed decimal degrees."""
    got = parse_angle(text)
    assert got == pytest.approx(value, abs=1e-4) if value is not None else got is None


def test_las_header_xy_and_zero(write_las):
    """X/Y in ~Well are used; 0/0 are skipped with a note; KB from EKB."""
    log = read_las(write_las(las_text(well="~W\nNULL. -999.25 :\nWELL. A :\nX.m 1000 :\nY.m 2000 :\nEKB.m 30 :")))
    head, _ = las_location(log)
    assert (head.easting, head.northing, head.kb, head.source) == (1000, 2000, 30, "LAS ~Well X/Y")
    log = read_las(write_las(las_text(well="~W\nWELL. A :\nX. 0 :\nY. 0 :"), "b.las"))
    head, notes = las_location(log)
    assert head is None and any("0/0" in n for n in notes)


def test_las_parameter_xcoord(write_las):
    """XCOORD/YCOORD in ~Parameter are found too."""
    log = read_las(write_las(las_text(extra="~P\nXCOORD.m 5 :\nYCOORD.m 6 :\n")))
    head, _ = las_location(log)
    assert (head.easting, head.northing, head.source) == (5, 6, "LAS ~Parameter XCOORD/YCOORD")


def test_las_latlon_needs_crs(write_las):
    """LAS lat/lon is refused without a CRS (with a note saying so) and projected with one."""
    log = read_las(write_las(las_text(well="~W\nWELL. A :\nLATI. -13/37/22.3242 :\nLONG. 122/18/25.7039 :")))
    head, notes = las_location(log)
    assert head is None and any("no projected CRS" in n for n in notes)
    head, _ = las_location(log, crs="EPSG:28351")
    assert head.easting == pytest.approx(425055.5, abs=2)
    with pytest.raises(WellLocationError, match="not projected"):
        las_location(log, crs="EPSG:4326")
