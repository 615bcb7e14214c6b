"""`krigflow validate`: leave-one-well-out cross-validation, its JSON contract, mappings and figures."""
import json
import os
import shutil

import pytest

from krigflow.cli import app as cli

DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "data", "demo")


def small_config(tmp_path, **changes):
    """The demo wells, data keys and a coarse grid only (every other key default), 8 realizations."""
    cfg = {"las": os.path.join(DEMO, "las", "*.las"), "well_headers": os.path.join(DEMO, "well_headers.csv"),
           "surveys": os.path.join(DEMO, "surveys", "*.csv"), "property": "GR",
           "grid": {"spacing": [100.0, 100.0, 10.0], "bounds": [500000.0, 502000.0, 7000000.0, 7002000.0,
                                                               1000.0, 1200.0]},
           "realizations": 8, "seed": 3, "output": str(tmp_path / "out")}
    cfg.update(changes)
    path = tmp_path / "validate.json"
    path.write_text(json.dumps(cfg))
    return str(path)


def test_validate_json_contract(tmp_path, capsys):
    """--json prints exactly one JSON object with the contract's per-well and pooled keys; figures and
    validation.json go to the output folder."""
    path = small_config(tmp_path)
    assert cli.main(["validate", path, "--json", "-q"]) == 0
    out = capsys.readouterr().out
    record = json.loads(out)
    assert set(record) == {"wells", "pooled"}
    assert len(record["wells"]) == 8
    for w in record["wells"]:
        assert set(w) == {"well", "cells", "rmse", "rmse_idw", "bias", "coverage_80"}
        assert w["cells"] > 0 and w["rmse"] >= 0 and 0 <= w["coverage_80"] <= 1
    pooled = record["pooled"]
    assert set(pooled) == {"cells", "rmse", "rmse_idw", "rmse_trend_idw", "rmse_mean", "coverage_80", "goodness",
                           "offset_share"}
    assert pooled["cells"] == sum(w["cells"] for w in record["wells"])
    assert 0 <= pooled["offset_share"] <= 1 and pooled["goodness"] <= 1
    # the stationary demo field, wells mostly farther apart than the correlation range: about the mean,
    # and an honest spread
    assert pooled["rmse"] < 1.1 * pooled["rmse_mean"] and 0.6 <= pooled["coverage_80"] <= 0.95
    folder = tmp_path / "out"
    for name in ("validation.json", "validation_accuracy.png", "validation_pit.png"):
        assert (folder / name).stat().st_size > 0, name
    full = json.loads((folder / "validation.json").read_text())
    assert len(full["accuracy"]["xi"]) == 9 and sum(full["pit"]["counts"]) == pooled["cells"]


def test_validate_same_numbers_with_multi(tmp_path, capsys):
    """Folds are independent and seeded: multi -n 2 gives the numbers of simple."""
    path = small_config(tmp_path, realizations=4)
    cli.main(["validate", path, "--json", "-q"])
    simple = json.loads(capsys.readouterr().out)
    cli.main(["validate", path, "--json", "-q", "--mapping", "multi", "-n", "2"])
    multi = json.loads(capsys.readouterr().out)
    assert simple == multi


MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "PRTE_MCA_rmaps_default_mapping_policy": ":oversubscribe"}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.mpi
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("mpiexec") is None, reason="mpiexec not found")
def test_validate_same_numbers_with_mpi(tmp_path, capsys, monkeypatch):
    """mpi -n 3 runs the 8 folds on 3 MPI ranks (3 + 3 + 2) and gives the numbers of simple (~15 s: MPI start)."""
    for key, value in MPI_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PYTHONPATH", ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    path = small_config(tmp_path, realizations=3)
    cli.main(["validate", path, "--json", "-q"])
    simple = json.loads(capsys.readouterr().out)
    assert cli.main(["validate", path, "--json", "-q", "--mapping", "mpi", "-n", "3"]) == 0
    mpi = json.loads(capsys.readouterr().out)
    assert mpi == simple and len(mpi["wells"]) == 8


def test_validate_mpi_launcher_failure_is_reported(tmp_path, capsys):
    """A launcher that ends without a result: an error naming the launcher and its status, exit status != 0."""
    path = small_config(tmp_path, realizations=2)
    status = cli.main(["validate", path, "--json", "-q", "--mapping", "mpi", "-n", "2", "--mpiexec", "false"])
    err = capsys.readouterr().err
    assert status != 0 and "mapping mpi" in err and "false -n 2 exited with status 1" in err


def test_validate_table(tmp_path, capsys):
    """Without --json: a table with one line per well and the baselines."""
    path = small_config(tmp_path, realizations=4, method={"name": "subsample", "fraction": 0.75})
    assert cli.main(["validate", path, "-q"]) == 0
    out = capsys.readouterr().out
    assert "pooled" in out and "baselines: IDW" in out and out.count("KF-") >= 8


def test_validate_log10_scores_in_property_units(tmp_path, capsys):
    """A log10 run is validated in property units: its estimate and its baselines (IDW of the log10 data,
    back-transformed) are gAPI like the truth, so the RMSEs are those of the plain run's order (~15-20 gAPI),
    not ~75 (log10 values against gAPI)."""
    path = small_config(tmp_path, method={"name": "conditional", "transform": "log10"}, realizations=4)
    assert cli.main(["validate", path, "--json", "-q"]) == 0
    pooled = json.loads(capsys.readouterr().out)["pooled"]
    for key in ("rmse", "rmse_idw", "rmse_trend_idw", "rmse_mean"):
        assert 5.0 < pooled[key] < 30.0, (key, pooled[key])
