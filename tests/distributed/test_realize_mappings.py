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
