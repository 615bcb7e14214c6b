"""The zones section: validation errors named by key, and the zoned grid built from wells, tops and files."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import ConfigError
from krigflow.zones import Lattice, TopsError, write_surface, write_tops
from krigflow.zones.config import build_zoned_grid, validate_zones
from krigflow.zones.synthetic import default_well_positions, make_layered_truth, sample_wells, truth_tops

SURFACES = ["Top_A", "Top_B", "Top_C", "Base_C"]


@pytest.mark.parametrize("raw, match", [
    ({"tops": "t.csv", "surfaces": SURFACES, "layers": [1, 2]}, r"zones.layers has 2 entries but .* make 3 zones"),
    ({"tops": "t.csv", "surfaces": ["A"], "layers": []}, "at least two surface names"),
    ({"tops": "t.csv", "surfaces": ["A", "A"], "layers": [1]}, "lists a surface twice"),
    ({"tops": "t.csv", "surfaces": ["A", "B"], "layers": [0]}, r"zones.layers\[0\] must be an integer >= 1"),
    ({"tops": "t.csv", "surfaces": ["A", "B"], "layers": [2], "layering": "sideways"}, "zones.layering must be one"),
    ({"tops": "t.csv", "surfaces": ["A", "B", "C"], "layers": [2, 2], "layering": ["proportional"]},
     "zones.layering has 1 entries but the surfaces make 2 zones"),
    ({"tops": "t.csv", "surfaces": ["A", "B"], "layers": [2], "layering": {"type": "top_conform",
                                                                        "cell_thickness": -1}},
     r"zones.layering.cell_thickness must be a number > 0"),
    ({"surfaces": ["A", "B"], "layers": [2]}, "give zones.tops"),
    ({"tops": "t.csv", "surfaces": ["A", "B"], "layers": [2], "files": {"C": "c.gri"}}, r"names surface\(s\) \['C'\]"),
    ({"tops": "t.csv", "surfaces": ["A", "B"], "layers": [2], "colour": 1}, r"unknown key\(s\) \['colour'\]"),
], ids=["layers-count", "one-surface", "repeated", "zero-layers", "bad-layering", "layering-count",
        "bad-thickness", "nothing", "file-not-listed", "unknown-key"])
def test_validate_zones_errors(raw, match):
    """Bad zones sections are refused before any work, naming the key."""
    with pytest.raises(ConfigError, match=match):
        validate_zones(raw)


def test_validate_zones_per_zone_layering():
    """Per-zone layering entries with a cell thickness; a shared cell_thickness fills the others."""
    z = validate_zones({"tops": "t.csv", "surfaces": ["A", "B", "C"], "layers": [4, 6],
                        "layering": ["proportional", {"type": "base_conform", "cell_thickness": 2.5}],
                        "cell_thickness": 1.0, "trend": ["linear", "none"]}, "/d")
    assert z["layering"] == [{"type": "proportional", "cell_thickness": 1.0},
                             {"type": "base_conform", "cell_thickness": 2.5}]
    assert z["trend"] == ["linear", "none"] and z["variogram"] == [None, None]


@pytest.fixture(scope="module")
def synthetic():
    truth = make_layered_truth(Lattice.from_bounds((0.0, 1000.0, 0.0, 1000.0), (50.0, 50.0)), layers=(5, 6, 4))
    wells = sample_wells(truth, default_well_positions(truth.sgrid.lattice, 6), stop_above_base=[2])
    return truth, wells


GRID = {"spacing": [50.0, 50.0], "bounds": [0.0, 1000.0, 0.0, 1000.0], "padding": [0, 0, 0]}


def test_build_zoned_grid_from_tops(tmp_path, synthetic):
    """Tops in MD are placed, every horizon passes through its tops within 1 cm, the well stopping early has no
    Top_C/Base_C top."""
    truth, wells = synthetic
    tops_path = write_tops(tmp_path / "tops.csv", truth_tops(truth, wells))
    zones = validate_zones({"tops": str(tops_path), "surfaces": SURFACES, "layers": [5, 6, 4]})
    sgrid, tops, report = build_zoned_grid(wells, zones, GRID)
    assert sgrid.shape == (20, 20, 15)
    assert max(report["misfit"].values()) < 0.01
    assert "SYN-3" not in tops.select(surface="Base_C").wells and "SYN-3" in tops.select(surface="Top_B").wells
    assert report["surfaces"]["Top_B"] == "isochore from 6 top(s) (kriged)"
    assert np.all(np.diff(sgrid.surfaces, axis=0) >= 0)


def test_build_zoned_grid_with_surface_file(tmp_path, synthetic):
    """A surface file (IRAP binary by xtgeo) is read and tied to the tops; a misplaced top order is refused."""
    truth, wells = synthetic
    tops = truth_tops(truth, wells)
    tops_path = write_tops(tmp_path / "tops.csv", tops)
    lat = truth.sgrid.lattice
    seismic = write_surface(tmp_path / "top_a.gri", lat, truth.sgrid.surfaces[0] + 7.0)
    zones = validate_zones({"tops": str(tops_path), "surfaces": SURFACES, "layers": [5, 6, 4],
                            "files": {"Top_A": str(seismic)}})
    sgrid, _, report = build_zoned_grid(wells, zones, GRID)
    assert report["surfaces"]["Top_A"].endswith("tied to 6 top(s)")
    npt.assert_allclose(sgrid.surfaces[0], truth.sgrid.surfaces[0], atol=0.05)   # a constant shift is removed
    swapped = validate_zones({"tops": str(tops_path), "surfaces": ["Top_B", "Top_A"], "layers": [3]})
    with pytest.raises(TopsError, match="top of 'Top_A' .* is above the top of 'Top_B'"):
        build_zoned_grid(wells, swapped, GRID)


def test_build_zoned_grid_errors(tmp_path, synthetic):
    """A surface without top or file, and tops of unknown wells, fail with the names."""
    truth, wells = synthetic
    tops_path = write_tops(tmp_path / "tops.csv", truth_tops(truth, wells))
    zones = validate_zones({"tops": str(tops_path), "surfaces": ["Top_A", "Top_X"], "layers": [3]})
    with pytest.raises(TopsError, match="surface\\(s\\) 'Top_X' have no top"):
        build_zoned_grid(wells, zones, GRID)
    other = tmp_path / "other.csv"
    other.write_text("well,surface,md\nKronos 1,Top_A,2000\nKronos 1,Top_B,2050\n")
    zones = validate_zones({"tops": str(other), "surfaces": ["Top_A", "Top_B"], "layers": [3]})
    with pytest.raises(TopsError, match="tops wells: Kronos 1; LAS wells: SYN-1"):
        build_zoned_grid(wells, zones, GRID)


def test_check_zone_inputs_before_any_work(tmp_path):
    """Missing files, undefined surfaces and tops out of order (in MD) are found without reading any LAS file."""
    from krigflow.zones.config import check_zone_inputs
    with pytest.raises(ConfigError, match="zones.tops: file not found"):
        check_zone_inputs(validate_zones({"tops": str(tmp_path / "no.csv"), "surfaces": ["A", "B"], "layers": [1]}))
    tops = tmp_path / "t.csv"
    tops.write_text("well,surface,md\nW1,A,1000\nW1,B,1050\nW2,A,1100\nW2,B,1080\n")
    with pytest.raises(TopsError, match="well 'W2': top of 'B' \\(MD 1080 m\\) is above the top of 'A'"):
        check_zone_inputs(validate_zones({"tops": str(tops), "surfaces": ["A", "B"], "layers": [1]}))
    with pytest.raises(TopsError, match="'C' have no top"):
        check_zone_inputs(validate_zones({"tops": str(tops), "surfaces": ["A", "C"], "layers": [1]}))
    with pytest.raises(ConfigError, match="zones.files.B: file not found"):
        check_zone_inputs(validate_zones({"tops": str(tops), "surfaces": ["A", "B"], "layers": [1],
                                          "files": {"B": str(tmp_path / "b.gri")}}))


def test_run_config_with_zones(tmp_path):
    """A run config with zones: horizontal grid (2 spacings, 4 bounds), variogram defaults to auto."""
    from krigflow.run import validate_config
    raw = {"las": "*.las", "grid": {"spacing": [50, 50], "bounds": [0, 1000, 0, 500]},
           "zones": {"tops": "tops.csv", "surfaces": ["A", "B", "C"], "layers": [4, 6]}}
    cfg = validate_config(raw, base_dir=str(tmp_path))
    assert cfg["grid"]["spacing"] == [50.0, 50.0] and cfg["grid"]["bounds"] == [0.0, 1000.0, 0.0, 500.0]
    assert cfg["variogram"]["model"] == "auto" and cfg["zones"]["tops"] == [str(tmp_path / "tops.csv")]
    raw["grid"]["spacing"] = [50, 50, 5]
    with pytest.raises(ConfigError, match=r"grid.spacing: with zones, give the horizontal cell size \[dx, dy\]"):
        validate_config(raw)
    raw["grid"] = {"spacing": [50, 50], "bounds": [0, 1000, 0, 500, 0, 10]}
    with pytest.raises(ConfigError, match="grid.bounds: expected a list of 4 numbers"):
        validate_config(raw)
    raw["grid"] = {"spacing": [50, 50]}
    raw["zones"]["layers"] = [4]
    with pytest.raises(ConfigError, match="zones.layers has 1 entries"):
        validate_config(raw)
    plain = validate_config({"las": "*.las", "grid": {"spacing": [50, 50, 5]},
                             "variogram": {"model": "exponential", "sill": 1, "range_h": 9, "range_v": 2}})
    assert plain["zones"] is None
