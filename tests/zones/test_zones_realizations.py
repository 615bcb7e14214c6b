"""Zoned runs: realizations.csv holds the mean of every zone; realize writes the corner-point realization."""
import os
from pathlib import Path

import numpy as np
import numpy.testing as npt
import pytest
import yaml

from krigflow.cli import main
from krigflow.run import iter_realizations, open_realizations, run_local, validate_config
from krigflow.stats import REALIZATIONS_FILE, SummaryTable

DEMO = Path(__file__).resolve().parents[2] / "data" / "zoned_demo"


@pytest.fixture(scope="module")
def zoned(tmp_path_factory):
    out = tmp_path_factory.mktemp("zoned_real")
    raw = yaml.safe_load((DEMO / "run.yaml").read_text())
    raw.update({"realizations": 3, "batch_size": 3, "output": str(out / "run"), "cutoffs": [60.0],
                "outputs": {"formats": [], "figures": False}})
    path = out / "run.yaml"
    for key in ("las", "well_headers", "surveys"):
        if raw.get(key):
            raw[key] = [str(DEMO / p) for p in raw[key]] if isinstance(raw[key], list) else str(DEMO / raw[key])
    zones = dict(raw["zones"], tops=str(DEMO / raw["zones"]["tops"]))
    zones["files"] = {name: str(DEMO / f) for name, f in (zones.get("files") or {}).items()}
    raw["zones"] = zones
    path.write_text(yaml.safe_dump(raw))
    config = validate_config(raw, base_dir=str(DEMO))
    run_local(config, overwrite=True)
    return {"config": config, "path": str(path), "output": config["output"]}


def test_per_zone_means_are_the_regenerated_realizations(zoned):
    """realizations.csv: mean, one mean per zone, frac_gt_60; rows equal the regenerated realizations'."""
    table = SummaryTable.read_csv(os.path.join(zoned["output"], REALIZATIONS_FILE))
    assert table.columns == ("mean", "mean_Top_A", "mean_Top_B", "mean_Top_C", "frac_gt_60")
    fields = np.stack([da.values for da in iter_realizations(zoned["config"], range(3))])
    with np.load(os.path.join(zoned["output"], "stats.npz")) as npz:
        npt.assert_allclose(np.mean(fields, axis=0), npz["mean"], rtol=1e-12, equal_nan=True)
    zone = np.asarray(open_realizations(zoned["config"])[1].zones.sgrid.zone_property())   # 1-based
    for r, f in enumerate(fields):
        row = table.row(r)
        assert row["mean"] == pytest.approx(np.nanmean(f), rel=1e-12)
        for code, name in enumerate(("Top_A", "Top_B", "Top_C"), start=1):
            assert row[f"mean_{name}"] == pytest.approx(np.nanmean(f[zone == code]), rel=1e-12)
    # zones differ in mean (the layered truth has three zone means)
    means = table.values[:, 1:4].mean(axis=0)
    assert means.max() - means.min() > 10.0


def test_realize_writes_the_corner_point_realization(zoned, tmp_path, capsys):
    """realize on a zoned run writes GRDECL on the corner-point grid: xtgeo reads the horizons and the values."""
    xtgeo = pytest.importorskip("xtgeo")
    out = str(tmp_path / "ens")
    assert main(["realize", zoned["path"], "--realizations", "1", "--format", "grdecl", "-o", out,
                 "--run", zoned["output"]]) == 0
    path = os.path.join(out, "realization-1", "GR.grdecl")
    truth = next(iter_realizations(zoned["config"], [1])).values
    grid = xtgeo.grid_from_file(path, fformat="grdecl")
    prop = xtgeo.gridproperty_from_file(path, fformat="grdecl", name="GR", grid=grid)
    assert grid.dimensions == truth.shape
    npt.assert_allclose(np.ma.filled(prop.values, np.nan), truth, rtol=1e-6, equal_nan=True)
