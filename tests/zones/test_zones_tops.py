"""Tests of krigflow.zones.tops: reading tops tables, placing tops through trajectories, input checks."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.wells import Well
from krigflow.zones import Tops, TopsError, check_surfaces_defined, check_tops_order, place_tops, read_tops


def _well(name, md, easting, northing, tvdss, kb=25.0):
    md = np.asarray(md, float)
    return Well(name, "", "GR", "API", md, np.zeros(md.size), np.asarray(easting, float),
                np.asarray(northing, float), np.asarray(tvdss, float), kb, las_name=name)


@pytest.fixture
def deviated():
    """A well going 45 degrees east below MD 1000 (MD 1000 -> TVDSS 975)."""
    md = np.arange(900.0, 1201.0, 1.0)
    below = np.maximum(md - 1000.0, 0.0)
    return _well("Poseidon North-1", md, 500.0 + below / np.sqrt(2), np.full(md.size, 800.0),
                 md - 25.0 - below + below / np.sqrt(2))


def test_read_multiwell_csv_with_missing_tops(tmp_path):
    """A multi-well table: column names in any case, empty depth = missing top (kept as NaN, dropped by select)."""
    p = tmp_path / "tops.csv"
    p.write_text("WELL_NAME,Horizon,MD\nA-1,Top_A,1000\nA-1,Top_B,1040.5\nB 2,Top_A,1010\nB 2,Top_B,\n")
    t = read_tops(p)
    assert t.wells == ("A-1", "B 2") and t.surfaces == ("Top_A", "Top_B")
    npt.assert_array_equal(t.md[:3], [1000.0, 1040.5, 1010.0])
    assert np.isnan(t.md[3]) and np.all(np.isnan(t.tvdss))
    assert t.select(surface="Top_B").wells == ("A-1",)


def test_read_poseidon_tops_files(poseidon_dir):
    """The Poseidon per-well files: no well column (name from the file), units row, TVDSS as negative elevation."""
    t = read_tops(poseidon_dir / "tops" / "Poseidon1_tops.csv")
    assert t.wells == ("Poseidon1",)
    i = t.surface.index("Plover Formation (Top Reservoir)")
    assert t.md[i] == pytest.approx(4798.4) and t.tvdss[i] == pytest.approx(4759.7)
    k = read_tops(poseidon_dir / "tops" / "kronos_1_strat.csv")
    assert k.wells == ("kronos_1",) and k.tvdss[k.surface.index("Nome Formation")] == pytest.approx(5050.9)
    assert np.all(np.diff(k.tvdss) >= 0)


@pytest.mark.parametrize("text, match", [
    ("well,md\nA,100\n", "no surface column"),
    ("well,surface,thickness\nA,T,3\n", "no depth column"),
    ("well,surface,md\nA,T,100\nA,U,abc\n", "line 3: depth"),
    ("well,surface,md\nA,T,100\nA,T,120\n", "appears twice"),
], ids=["no-surface", "no-depth", "bad-number", "duplicate"])
def test_read_tops_errors(tmp_path, text, match):
    """A malformed tops file raises TopsError naming the file and the problem."""
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(TopsError, match=match):
        read_tops(p)


def test_md_top_through_deviated_trajectory(deviated):
    """An MD top is placed by interpolating the trajectory in MD (TVDSS, easting and northing)."""
    tops = Tops(("POSEIDON_NORTH_1",), ("T",), np.array([1100.0]), np.array([np.nan]))
    placed, report = place_tops(tops, [deviated])
    assert report == [] and placed.well == ("Poseidon North-1",)
    npt.assert_allclose(placed.tvdss, [975.0 + 100.0 / np.sqrt(2)], atol=1e-9)
    npt.assert_allclose(placed.easting, [500.0 + 100.0 / np.sqrt(2)], atol=1e-9)


def test_tvdss_top_gets_position_and_md(deviated):
    """A TVDSS-only top is placed by interpolating the trajectory in TVDSS (and gets its MD)."""
    z = 975.0 + 50.0 / np.sqrt(2)
    placed, _ = place_tops(Tops(("Poseidon North-1",), ("T",), np.array([np.nan]), np.array([z])), [deviated])
    npt.assert_allclose(placed.md, [1050.0], atol=1e-9)
    npt.assert_allclose(placed.easting, [500.0 + 50.0 / np.sqrt(2)], atol=1e-9)


def test_top_above_log_is_extrapolated_with_warning(deviated):
    """A top above the logged interval is extrapolated along the end segment and reported."""
    placed, report = place_tops(Tops(("Poseidon North-1",), ("T",), np.array([800.0]), np.array([np.nan])),
                                [deviated])
    npt.assert_allclose(placed.tvdss, [775.0])
    assert len(report) == 1 and "outside the well's trajectory" in report[0]


def test_no_tops_well_matches_lists_names(deviated):
    """A tops file whose wells match no LAS well fails, listing both sets of names."""
    tops = Tops(("Kronos 1", "Boreas 1"), ("T", "T"), np.array([1000.0, 1000.0]), np.full(2, np.nan), path="t.csv")
    with pytest.raises(TopsError, match=r"t.csv: no tops well matches a LAS well; tops wells: Kronos 1, Boreas 1; "
                                        r"LAS wells: Poseidon North-1"):
        place_tops(tops, [deviated])


def test_unmatched_wells_are_reported_and_ignored(deviated):
    """Tops of wells without a LAS file are reported, the others placed."""
    tops = Tops(("Poseidon North 1", "Boreas 1"), ("T", "T"), np.array([1000.0, 1000.0]), np.full(2, np.nan))
    placed, report = place_tops(tops, [deviated])
    assert placed.wells == ("Poseidon North-1",) and "Boreas 1" in report[0]


def test_tops_out_of_order():
    """Tops whose depth order contradicts the surface order raise, naming the well and surfaces."""
    tops = Tops(("W", "W", "W"), ("A", "B", "C"), np.full(3, np.nan), np.array([1000.0, 1030.0, 1020.0]))
    check_tops_order(tops, ["A", "B"])            # C not modelled: ignored
    with pytest.raises(TopsError, match=r"well 'W': top of 'C' \(TVDSS 1020 m\) is above the top of 'B'"):
        check_tops_order(tops, ["A", "B", "C"])
    check_tops_order(tops, ["A", "C", "B"])


def test_equal_tops_allowed_and_missing_tops_skipped():
    """Two surfaces at one depth (a zero-thickness zone) and missing tops are allowed."""
    tops = Tops(("W", "W", "V"), ("A", "B", "B"), np.full(3, np.nan), np.array([1000.0, 1000.0, 990.0]))
    check_tops_order(tops, ["A", "B", "C"])


def test_surface_without_top_or_file():
    """A surface with no top and no file is an error; a file makes it defined."""
    tops = Tops(("W",), ("A",), np.array([np.nan]), np.array([1000.0]))
    with pytest.raises(TopsError, match=r"surface\(s\) 'B', 'C' have no top"):
        check_surfaces_defined(["A", "B", "C"], tops)
    check_surfaces_defined(["A", "B"], tops, files={"B": "b.gri"})


def test_describe_tops_flags_order_and_surface_misfit():
    """inspect's tops report: tops per well in surface order, flags for order and for distance to a surface."""
    from krigflow.zones import describe_tops
    tops = Tops(("W", "W", "V"), ("B", "A", "A"), np.full(3, np.nan), np.array([1040.0, 1000.0, 990.0]),
                np.array([0.0, 0.0, 100.0]), np.zeros(3))
    report = describe_tops(tops, ["A", "B"], depth_at=lambda s, e, n: 1000.0 if s == "A" else 1040.0)
    assert [r["well"] for r in report] == ["W", "V"]
    assert [t["surface"] for t in report[0]["tops"]] == ["A", "B"] and report[0]["flags"] == []
    assert report[1]["flags"] == ["'A': top at TVDSS 990 m is +10.0 m from the modelled surface"]
