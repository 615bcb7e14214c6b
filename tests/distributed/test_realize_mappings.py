"""A regenerated realization equals the one the run folded into its statistics, in every mapping, both methods.

``krigflow run`` (simple, multi, mpi) computes 6 realizations in chunks of 2 on the small field of test_graph;
``krigflow.run.iter_realizations`` regenerates each one in this process. The per-cell min and max of the run are
values of single realizations, so comparing them with the regenerated ensemble checks every realization at every
cell; the rows of the run's realizations.csv are compared with the summaries of the regenerated realizations.
"""
import json
import os
import subprocess

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.run import iter_realizations, load_config
from krigflow.stats import REALIZATIONS_FILE, SummarySpec, SummaryTable, summarize

from test_graph import ENV, NO_EXTRAS, ROOT, TIMEOUT, needs_mpi, write_field

METHODS = {
    "subsample": {"name": "subsample", "fraction": 0.6, "unit": "wells"},
    "conditional": {"name": "conditional"},
}
RUNS = [("simple", 1), ("multi", 5), pytest.param("mpi", 5, marks=needs_mpi)]


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("realize_mappings"))
    return {"folder": folder, "config": write_field(folder, outputs=NO_EXTRAS)}


def config_for(field, method, output):
    with open(field["config"]) as fh:
        raw = json.load(fh)
    raw.update(method=METHODS[method], realizations=6, batch_size=2, output=output, cutoffs=[60.0])
    path = os.path.join(field["folder"], f"{os.path.basename(output)}.json")
    with open(path, "w") as fh:
        json.dump(raw, fh)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("method", sorted(METHODS))
@pytest.mark.parametrize("mapping, n", RUNS)
def test_regenerated_equals_run_in_every_mapping(field, tmp_path, method, mapping, n):
    """Every regenerated realization is the run's: min/max/mean of the run reproduced (subsample: exactly)."""
    output = str(tmp_path / f"{method}_{mapping}")
    config = config_for(field, method, output)
    proc = subprocess.run(["krigflow", "run", config, "--mapping", mapping, "-n", str(n)], capture_output=True,
                          text=True, timeout=TIMEOUT, env=ENV, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    fields = np.stack([da.values for da in iter_realizations(load_config(config), range(6), run_dir=output)])
    with np.load(os.path.join(output, "stats.npz")) as npz:
        stats = {k: npz[k] for k in ("min", "max", "mean")}
    if method == "subsample":
        npt.assert_array_equal(fields.min(axis=0), stats["min"])
        npt.assert_array_equal(fields.max(axis=0), stats["max"])
    npt.assert_allclose(fields.min(axis=0), stats["min"], rtol=1e-12, atol=0)
    npt.assert_allclose(fields.max(axis=0), stats["max"], rtol=1e-12, atol=0)
    npt.assert_allclose(fields.mean(axis=0), stats["mean"], rtol=1e-12, atol=0)
    # the run's realizations.csv rows are the summaries of the same realizations
    table = SummaryTable.read_csv(os.path.join(output, REALIZATIONS_FILE))
    assert table.index.tolist() == list(range(6)) and table.columns == ("mean", "frac_gt_60")
    expected = summarize(fields, SummarySpec(cutoffs=(60.0,)))
    npt.assert_allclose(table.values, expected, rtol=1e-12, atol=0)
    if method == "subsample":
        npt.assert_array_equal(table.values, expected)


#: log10 of the small field's GR (57-111 gAPI): log-space variogram (log10 spread ~0.1).
LOG10 = {"method": {"name": "conditional", "transform": "log10"}, "trend": {"kind": "polynomial", "degree": 1},
         "variogram": {"model": "spherical", "sill": 0.01, "nugget": 0.0002, "range_h": 900.0, "range_v": 25.0},
         "quantiles": [10, 50, 90]}


@pytest.mark.slow
def test_log10_run_same_numbers_in_simple_and_multi_and_realize(field, tmp_path):
    """A log10 run (trend in log10) gives the same statistics under simple and multi -n 5, and the
    ``krigflow realize`` NetCDF file of a realization is the realization the run used (its min over a run
    of one realization). Two runs of 6 realizations and one realize: ~30 s on the loaded 2-core machine."""
    import xarray as xr

    outputs = {}
    for mapping, n in (("simple", 1), ("multi", 5)):
        output = str(tmp_path / f"log10_{mapping}")
        with open(field["config"]) as fh:
            raw = json.load(fh)
        raw.update(LOG10, realizations=6, batch_size=2, output=output, cutoffs=[60.0])
        config = os.path.join(field["folder"], f"log10_{mapping}.json")
        with open(config, "w") as fh:
            json.dump(raw, fh)
        proc = subprocess.run(["krigflow", "run", config, "--mapping", mapping, "-n", str(n)], capture_output=True,
                              text=True, timeout=TIMEOUT, env=ENV, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        with np.load(os.path.join(output, "stats.npz")) as npz:
            outputs[mapping] = {k: npz[k] for k in ("mean", "min", "max", "p10", "p90")}
        outputs[mapping]["config"] = config
    for key in ("mean", "min", "max", "p10", "p90"):
        npt.assert_allclose(outputs["multi"][key], outputs["simple"][key], rtol=1e-12, atol=0)
    assert outputs["simple"]["min"].min() > 0
    config, output = outputs["multi"]["config"], str(tmp_path / "log10_multi")
    fields = np.stack([da.values for da in iter_realizations(load_config(config), range(6), run_dir=output)])
    npt.assert_allclose(fields.min(axis=0), outputs["multi"]["min"], rtol=1e-12, atol=0)
    npt.assert_allclose(fields.mean(axis=0), outputs["multi"]["mean"], rtol=1e-12, atol=0)
    proc = subprocess.run(["krigflow", "realize", config, "--realizations", "4", "--format", "netcdf", "-o",
                           str(tmp_path / "real")], capture_output=True, text=True, timeout=TIMEOUT, env=ENV,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(tmp_path / "real" / "realization-4" / "GR.nc") as ds:
        npt.assert_allclose(ds["GR"].transpose("easting", "northing", "tvdss").values, fields[4], rtol=1e-6)
