"""Tests of krigflow.wells.well: placing wells in 3-D (inline data and the Poseidon set)."""
import math

import numpy as np
import numpy.testing as npt
import pytest

from conftest import las_text
from krigflow.exceptions import LASReadError, WellLocationError, WellOptionError
from krigflow.wells.well import inspect_well, load_well, parse_name_map, read_well_sources

POSEIDON_DEV = {"Pharos 1": "Pharos_1", "Poseidon 1": "Poseidon_1", "Poseidon 2": "Poseidon_2",
                "Poseidon North 1": "Poseidon_North", "Proteus 1 ST2": "Proteus_1", "Torosa 1": "Torosa_1"}


@pytest.fixture
def demo(tmp_path, write_las):
    """Demo-style inputs: header table Name,X,Y,DFE, a MD,INCL,AZIM survey and a LAS file."""
    (tmp_path / "heads.csv").write_text("Name,X,Y,DFE\nDemo_1,1000,2000,25\n")
    (tmp_path / "demo1.csv").write_text("# WELL NAME: Demo 1\nMD,INCL,AZIM\n0,0,0\n100,0,0\n200,90,90\n")
    rows = "\n".join(f"{md} {md / 10}" for md in range(0, 301, 50))
    las = write_las(las_text(rows=rows, well="~W\nNULL. -999.25 :\nWELL. DEMO-1 :"), "demo.las")
    return tmp_path, las


def test_load_well_demo(demo):
    """Header-table head + minimum-curvature survey: positions, TVDSS = TVD − KB, tangent extrapolation."""
    folder, las = demo
    sources = read_well_sources(well_headers=folder / "heads.csv", surveys=str(folder / "demo1.csv"))
    well = load_well(las, sources)
    radius = 100 / (math.pi / 2)
    assert well.curve == "GR" and well.kb == 25 and well.location_source == "well_headers: heads.csv"
    npt.assert_allclose(well.tvdss[:3], [-25, 25, 75])
    npt.assert_allclose(well.easting[4], 1000 + radius)  # MD 200: end of the quarter circle
    npt.assert_allclose(well.tvdss[4], 100 + radius - 25)
    npt.assert_allclose(well.easting[6], 1000 + radius + 100)  # MD 300: straight on, horizontal
    assert any("below the last survey station" in w for w in well.warnings)


def test_vertical_without_survey(write_las, tmp_path):
    """No survey: vertical with a warning; location from LAS X/Y."""
    las = write_las(las_text(well="~W\nWELL. V :\nX.m 10 :\nY.m 20 :\nEKB.m 5 :"))
    well = load_well(las, read_well_sources())
    npt.assert_allclose(well.easting, 10)
    npt.assert_allclose(well.tvdss, well.md - 5)
    assert well.survey_source == "vertical (no survey)" and any("vertical" in w for w in well.warnings)
    assert not any("extrapolated" in w for w in well.warnings)


def test_no_location_is_error(write_las):
    """Without any location the error names the file and says why."""
    las = write_las(las_text(well="~W\nWELL. V :\nLATI. -13.5 :\nLONG. 122.3 :"))
    with pytest.raises(WellLocationError, match=r"well\.las.*no projected CRS"):
        load_well(las, read_well_sources())


def test_unknown_option_and_bad_name_map():
    """Unknown keywords and malformed name-map entries are configuration errors."""
    with pytest.raises(WellOptionError, match="unknown option"):
        read_well_sources(colour="red")
    with pytest.raises(WellOptionError, match="LAS_NAME=TABLE_NAME"):
        parse_name_map(["oops"])


def test_inspect_record_error(write_las):
    """inspect_well never raises for bad files: status error and the message."""
    rec = inspect_well(write_las("nonsense"), read_well_sources())
    assert rec["status"] == "error" and "not a LAS file" in rec["error"]


@pytest.fixture(scope="module")
def poseidon_wells(request):
    """All Poseidon wells loaded with the header table and the .dev files."""
    poseidon_dir = request.getfixturevalue("poseidon_dir")
    sources = read_well_sources(well_headers=poseidon_dir / "Well_Headers.csv",
                                surveys=str(poseidon_dir / "deviation" / "*.dev"))
    return {w.name: w for w in (load_well(p, sources) for p in sorted((poseidon_dir / "las").glob("*.LAS")))}


def test_poseidon_all_placed_from_table(poseidon_wells):
    """All 8 wells are placed, their heads from Well_Headers.csv (not the 0/0 LAS header of Proteus 1)."""
    assert len(poseidon_wells) == 8
    for well in poseidon_wells.values():
        assert well.location_source == "well_headers: Well_Headers.csv", well.name
        assert np.all(np.isfinite(well.tvdss)) and np.any(np.isfinite(well.values))
    proteus = poseidon_wells["Proteus 1 ST2"]
    assert (round(proteus.head_easting, 2), round(proteus.head_northing, 2)) == (428152.83, 8481148.02)


def test_poseidon_kronos_close_match(poseidon_wells):
    """Kronos 1 finds the 'Kronons_1' row by a close match, reported as a warning."""
    kronos = poseidon_wells["Kronos 1"]
    assert (round(kronos.head_easting, 2), kronos.kb) == (412599.26, 21.8)
    assert any("Kronons_1" in w and "close match" in w for w in kronos.warnings)


def test_poseidon_tvdss_matches_dev_tvd(poseidon_wells, poseidon_dir):
    """TVDSS + KB equals the .dev TVD (and Z = KB − TVD) within 0.5 m at every surveyed sample."""
    for name, stem in POSEIDON_DEV.items():
        well = poseidon_wells[name]
        table = np.loadtxt(poseidon_dir / "deviation" / f"{stem}.dev", comments="#", skiprows=16)
        inside = well.md <= table[-1, 0]
        tvd = np.interp(well.md[inside], table[:, 0], table[:, 4])
        z = np.interp(well.md[inside], table[:, 0], table[:, 3])
        assert np.max(np.abs(well.tvdss[inside] - (tvd - well.kb))) < 0.5, name
        assert np.max(np.abs(well.tvdss[inside] + z)) < 0.5, name
        assert well.survey_source == f"{stem}.dev (X/Y/TVD)"


def test_poseidon_las_comment_surveys(poseidon_wells):
    """Boreas 1 and Kronos 1 (no .dev) use the # DEVIATION SURVEY table of their LAS comments."""
    for name in ("Boreas 1", "Kronos 1"):
        well = poseidon_wells[name]
        assert "DEVIATION SURVEY comment" in well.survey_source
        assert 0 < well.md[-1] - (well.tvdss[-1] + well.kb) < 20  # near-vertical, not vertical


def test_poseidon_without_sources_reports(poseidon_dir):
    """Without the header table, Proteus 1 falls back to its LAS comment EASTING/NORTHING."""
    rec = inspect_well(poseidon_dir / "las" / "Proteus1Decim.LAS", read_well_sources())
    assert rec["status"] == "ok" and rec["easting"] == pytest.approx(428152.83)
