"""Zoned runs end to end: a config with zones -> run -> corner-point outputs read back by xtgeo, xarray, pyvista."""
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import numpy.testing as npt
import pytest
import yaml

from krigflow.exceptions import ConfigError
from krigflow.run import run_local, validate_config

DEMO = Path(__file__).resolve().parents[2] / "data" / "zoned_demo"


def zoned_config(out, **changes):
    raw = yaml.safe_load((DEMO / "run.yaml").read_text())
    raw.update({"realizations": 6, "batch_size": 3, "output": str(out),
                "outputs": {"formats": ["netcdf", "grdecl", "egrid", "roff", "vti"], "figures": False}})
    raw.update(changes)
    return validate_config(raw, base_dir=str(DEMO))


@pytest.fixture(scope="module")
def zoned_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("zoned")
    result = run_local(zoned_config(out), overwrite=True)
    return out, result


def test_zoned_run_arrays_and_summary(zoned_run):
    """The statistics are on the corner-point grid (40 x 40 x 30), inactive cells NaN, zones described."""
    out, result = zoned_run
    arrays, summary = result["arrays"], result["summary"]
    assert arrays["mean"].shape == (40, 40, 30)
    assert "cp_interfaces" in arrays and arrays["cp_interfaces"].shape == (41, 41, 31)
    zones = summary["zones"]
    assert [z["zone"] for z in zones["zones"]] == ["Top_A", "Top_B", "Top_C"]
    assert max(zones["top_misfit_m"].values()) < 0.01
    stats = np.load(out / "stats.npz")
    npt.assert_array_equal(stats["mean"], arrays["mean"])


def test_zoned_outputs_read_back(zoned_run):
    """GRDECL, EGRID and ROFF by xtgeo, NetCDF by xarray (3-D coordinates), VTS by pyvista: same values."""
    xtgeo = pytest.importorskip("xtgeo")
    out, result = zoned_run
    mean = result["arrays"]["mean"]
    ok = np.isfinite(mean)
    for name, props, fmt in (("stats.grdecl", "stats.grdecl", "grdecl"), ("stats.EGRID", "stats_props.grdecl", "grdecl"),
                             ("stats.roff", "stats_MEAN.roff", "roff")):
        grid = xtgeo.grid_from_file(out / name)
        assert grid.dimensions == (40, 40, 30)
        prop = xtgeo.gridproperty_from_file(out / props, fformat=fmt, name="MEAN", grid=grid)
        npt.assert_allclose(np.asarray(prop.values)[ok], mean[ok], rtol=1e-6)
    xr = pytest.importorskip("xarray")
    with xr.open_dataset(out / "stats.nc") as ds:
        assert ds["tvdss"].dims == ("k", "j", "i")
        npt.assert_allclose(ds["mean"].transpose("i", "j", "k").values[ok], mean[ok])
    pv = pytest.importorskip("pyvista")
    mesh = pv.read(out / "stats.vts")
    npt.assert_allclose(mesh.cell_data["mean"].reshape(30, 40, 40).transpose(2, 1, 0)[ok], mean[ok])


def test_zoned_run_same_seed_same_numbers(tmp_path, zoned_run):
    """Another batch size gives the same statistics (realization r depends only on the seed and r)."""
    _, first = zoned_run
    again = run_local(zoned_config(tmp_path / "b", batch_size=1), overwrite=True, write=False)
    npt.assert_allclose(again["arrays"]["mean"], first["arrays"]["mean"], rtol=1e-12, equal_nan=True)


def test_zoned_run_bad_layers_refused_before_work(tmp_path):
    """A layers list that does not match the zones fails in validation."""
    raw = yaml.safe_load((DEMO / "run.yaml").read_text())
    raw["zones"]["layers"] = [10, 12]
    with pytest.raises(ConfigError, match="zones.layers has 2 entries"):
        validate_config(raw, base_dir=str(DEMO))


def _zoned_config_file(tmp_path, out, realizations=6):
    """A JSON copy of the zoned demo config (absolute paths) writing to ``out``."""
    raw = yaml.safe_load((DEMO / "run.yaml").read_text())
    raw.update({"realizations": realizations, "batch_size": 3, "output": str(out),
                "outputs": {"formats": ["netcdf", "grdecl"], "figures": False}})
    raw["las"] = str(DEMO / raw["las"])
    raw["well_headers"] = str(DEMO / raw["well_headers"])
    raw["zones"]["tops"] = str(DEMO / raw["zones"]["tops"])
    raw["zones"]["files"] = {k: str(DEMO / v) for k, v in raw["zones"]["files"].items()}
    path = tmp_path / f"{out.name}.json"
    path.write_text(json.dumps(raw))
    return str(path)


def test_zoned_graph_in_process_equals_run_local(tmp_path, zoned_run):
    """The dispel4py graph (unchanged) runs a zoned config and gives run_local's statistics."""
    from dispel4py.new.simple_process import process_and_return

    from graphs.stochastic_kriging import build_graph
    _, first = zoned_run
    process_and_return(build_graph(), {"LogReader": [{"config": _zoned_config_file(tmp_path, tmp_path / "g")}]})
    with np.load(tmp_path / "g" / "stats.npz") as npz:
        npt.assert_allclose(npz["mean"], first["arrays"]["mean"], rtol=0, atol=1e-10, equal_nan=True)
        assert "cp_interfaces" in npz.files


@pytest.mark.slow
@pytest.mark.parametrize("mapping, n", [("multi", 4), pytest.param("mpi", 4, marks=pytest.mark.skipif(
    shutil.which("mpiexec") is None, reason="mpiexec not found"))])
def test_zoned_krigflow_run_mappings(tmp_path, zoned_run, mapping, n):
    """`krigflow run` of a zoned config in the multi and mpi mappings: same numbers as run_local."""
    _, first = zoned_run
    out = tmp_path / mapping
    proc = subprocess.run(["krigflow", "run", _zoned_config_file(tmp_path, out), "--mapping", mapping, "-n", str(n)],
                          capture_output=True, text=True, timeout=600, cwd=str(DEMO.parents[1]), check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    with np.load(out / "stats.npz") as npz:
        npt.assert_allclose(npz["mean"], first["arrays"]["mean"], rtol=0, atol=1e-10, equal_nan=True)
        npt.assert_allclose(npz["std"], first["arrays"]["std"], rtol=0, atol=1e-10, equal_nan=True)


def test_zoned_realization_ranges_combined(tmp_path, zoned_run):
    """Two `--realizations` ranges of a zoned run, combined: same statistics and the corner-point geometry."""
    from krigflow.run import combine
    _, first = zoned_run
    for part, span in (("a", "0:3"), ("b", "3:6")):
        proc = subprocess.run(["krigflow", "run", _zoned_config_file(tmp_path, tmp_path / part), "--realizations",
                               span], capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = combine([str(tmp_path / "a"), str(tmp_path / "b")], str(tmp_path / "all"))
    npt.assert_allclose(result["arrays"]["mean"], first["arrays"]["mean"], rtol=0, atol=1e-10, equal_nan=True)
    npt.assert_array_equal(result["arrays"]["cp_interfaces"], first["arrays"]["cp_interfaces"])
    assert (tmp_path / "all" / "stats.grdecl").exists()


def test_zoned_results_as_dataset(zoned_run):
    """to_dataset / open_results of a zoned run: statistics on (k, j, i) with 3-D cell-centre coordinates."""
    from krigflow.io import open_results, to_dataset
    from krigflow.zones import StratigraphicGrid
    out, result = zoned_run
    ds = to_dataset(result["arrays"], summary=result["summary"])
    sgrid = StratigraphicGrid.from_arrays(result["arrays"])
    npt.assert_allclose(ds["tvdss"].transpose("i", "j", "k").values, sgrid.cell_centres()[2])
    npt.assert_array_equal(ds["mean"].transpose("i", "j", "k").values, result["arrays"]["mean"])
    assert ds.attrs["property"] == "GR"
    with open_results(str(out)) as opened:
        assert opened["mean"].dims == ("k", "j", "i")


def test_zoned_run_conform_layering(tmp_path):
    """Per-zone layering (top_conform / base_conform with a cell thickness) runs; pinched cells are inactive (NaN)."""
    raw = yaml.safe_load((DEMO / "run.yaml").read_text())
    raw["zones"]["layers"] = [10, 25, 12]
    raw["zones"]["layering"] = ["proportional", {"type": "top_conform", "cell_thickness": 4.0},
                                {"type": "base_conform", "cell_thickness": 4.0}]
    raw.update({"realizations": 2, "output": str(tmp_path / "c"), "outputs": {"formats": [], "figures": False}})
    result = run_local(validate_config(raw, base_dir=str(DEMO)), write=False)
    mean = result["arrays"]["mean"]
    assert mean.shape == (40, 40, 47)
    inactive = np.isnan(mean)
    assert inactive[:, :, 10:35].any() and not inactive[:, :, :10].any()
    interfaces = result["arrays"]["cp_interfaces"]
    npt.assert_allclose(np.diff(interfaces[:, :, 10:36], axis=2)[..., :3], 4.0)   # top-conform: 4 m under the top


def test_zone_with_too_few_samples_is_an_error(tmp_path):
    """A zone that the wells barely reach (20 m of log) cannot have its model (trend, variogram) fitted: refused,
    naming the zone and the remedy."""
    from krigflow.exceptions import KrigflowError
    raw = yaml.safe_load((DEMO / "run.yaml").read_text())
    raw["zones"]["surfaces"] = ["Top_A", "Top_B", "Top_C", "Base_C", "Deep"]
    raw["zones"]["layers"] = [10, 12, 8, 4]
    tops = tmp_path / "tops.csv"
    text = (DEMO / "tops.csv").read_text()
    tops.write_text(text + "ZD-01,Deep,2500.0,\n")
    raw["zones"]["tops"] = str(tops)
    raw.update({"realizations": 2, "output": str(tmp_path / "d")})
    with pytest.raises(KrigflowError, match="zone 'Base_C': its model cannot be fitted .* give this zone a trend "
                                            "or a variogram in zones.trend / zones.variogram"):
        run_local(validate_config(raw, base_dir=str(DEMO)), write=False)
