"""``--overwrite`` leaves no file of the earlier run: formats, figures, realizations/ folders, validation files
(krigflow.run.overwrite); a refused overwrite (another run live) deletes nothing."""
import json
import os

import numpy as np
import pytest
from synthetic_field import make_wells, small_config

from krigflow.run import RunLockError, acquire, run_local
from krigflow.run.overwrite import previous_results


def listing(folder):
    """Every file under ``folder`` (relative paths), partials and the lock's files excepted."""
    out = set()
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in ("partials", ".progress")]
        out |= {os.path.relpath(os.path.join(root, f), folder) for f in files}
    return out


def first_run(tmp_path, figures=True):
    """A run with quantiles, cutoffs, NetCDF + VTK and figures, plus what realize/validate and a user add."""
    cfg = small_config(tmp_path, output=str(tmp_path / "out"), realizations=4, quantiles=[10, 90],
                       cutoffs=[60.0], outputs={"formats": ["netcdf", "vti"], "figures": figures})
    run_local(cfg, wells=make_wells())
    out = tmp_path / "out"
    (out / "realizations" / "realization-3").mkdir(parents=True)
    (out / "realizations" / "realization-3" / "GR.grdecl").write_text("old realization")
    for name in ("validation.json", "validation_pit.png", "notes.txt"):
        (out / name).write_text("old")
    return cfg, out


@pytest.mark.slow
def test_overwrite_removes_every_file_of_the_earlier_run(tmp_path):
    """After a run with fewer outputs under --overwrite, every file left is this run's (or the user's).
    (~8 s on the loaded machine: the first run draws its figures, which are what must go.)"""
    _, out = first_run(tmp_path)
    before = listing(out)
    assert {"stats.vti", "figures/map_p10.png", "realizations/realization-3/GR.grdecl",
            "validation.json"} <= before
    second = small_config(tmp_path, output=str(out), realizations=3, seed=11,
                          outputs={"formats": ["netcdf"], "figures": False})
    run_local(second, wells=make_wells(), overwrite=True)
    after = listing(out)
    assert after == {"stats.npz", "stats.nc", "summary.json", "wells.npz", "realizations.csv", "status.json",
                     "notes.txt"}, after
    assert not (out / "figures").exists() and not (out / "realizations").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["seed"] == 11 and summary["realizations_done"] == 3
    lines = (out / "realizations.csv").read_text().splitlines()
    assert len(lines) == 1 + 3                                  # the new run's rows only


def test_refused_overwrite_deletes_nothing(tmp_path):
    """Another run live in the folder: run_local(overwrite=True) is refused and every file is kept as it was."""
    _, out = first_run(tmp_path, figures=False)
    before = {p: (out / p).read_bytes() for p in listing(out)}
    live = acquire(str(out), "live-run")
    try:
        with pytest.raises(RunLockError, match="another run is live"):
            run_local(small_config(tmp_path, output=str(out), realizations=3, seed=11), wells=make_wells(),
                      overwrite=True)
    finally:
        live.release()
    assert {p: (out / p).read_bytes() for p in listing(out) if p != "status.json"} == \
        {p: b for p, b in before.items() if p != "status.json"}


def test_previous_results_skips_links_and_foreign_files(tmp_path):
    """Symbolic links and files krigflow does not write are never listed (so never deleted)."""
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "map_mean.png").write_bytes(b"png")
    (tmp_path / "figures" / "readme.txt").write_text("mine")
    target = tmp_path.parent / f"{tmp_path.name}_elsewhere.npz"
    np.savez(target, a=1)
    os.symlink(target, tmp_path / "stats.npz")
    (tmp_path / "realizations").mkdir()
    (tmp_path / "realizations" / "my-notes").mkdir()
    found = [os.path.relpath(p, tmp_path) for p in previous_results(str(tmp_path))]
    assert found == [os.path.join("figures", "map_mean.png")]
