"""Show that a simulator accepts a krigflow realization: OPM Flow runs a deck that INCLUDEs an exported GRDECL.

A log10 permeability model is built from the demo wells (their GR read as a permeability in mD: the demo has
no permeability log; values 23-129), realization 3 is regenerated with ``krigflow realize --format grdecl``
(SPECGRID, COORD, ZCORN, ACTNUM and PERMX in one file), and a minimal black-oil deck (water injection into dead oil) INCLUDEs it in
its GRID section. OPM Flow's Python bindings (``pip install opm opm-simulators``: OPM's parser and
BlackOilSimulator) parse the deck, build the corner-point grid and run a water injector and a producer for
a few months. The script checks that the grid OPM built has the realization's dimensions and cell volumes,
that the PERMX OPM read equals the realization's values, and that the simulation advanced.

Run (the ``krigflow`` command on PATH; ``opm`` and ``opm-simulators`` importable, numpy too)::

    python validation/opm_flow_deck.py [WORKDIR]

The report is printed and written to ``validation/opm_flow_deck.json``. Not a CI test: OPM is not a krigflow
dependency (its wheels bundle their own MPI and Boost).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(ROOT, "data", "demo")
REALIZATION = 3
SHAPE = (20, 20, 20)

DECK = """-- minimal black-oil deck (dead oil, dry gas, no free gas initially) around a krigflow realization (PERMX from krigflow realize)
RUNSPEC
TITLE
krigflow realization {r} in OPM Flow
DIMENS
{nx} {ny} {nz} /
METRIC
OIL
WATER
GAS
START
1 'JAN' 2030 /
TABDIMS
/
EQLDIMS
/
WELLDIMS
2 {nz} 2 2 /
UNIFOUT
GRID
INCLUDE
'{include}' /
COPY
PERMX PERMY /
PERMX PERMZ /
/
MULTIPLY
PERMZ 0.1 /
/
EQUALS
PORO 0.25 /
/
PROPS
SWOF
0.2 0.0 1.0 0.0
0.3 0.02 0.7 0.0
0.5 0.15 0.3 0.0
0.7 0.4 0.05 0.0
0.8 0.6 0.0 0.0 /
PVTW
200 1.0 4.5e-5 0.5 0.0 /
SGOF
0.0 0.0 1.0 0.0
0.4 0.3 0.0 0.0
0.8 1.0 0.0 0.0 /
PVDG
100 0.010 0.015
300 0.004 0.020 /
PVDO
100 1.05 2.0
200 1.04 2.0
300 1.03 2.0 /
DENSITY
850 1020 1.0 /
ROCK
200 5e-5 /
SOLUTION
EQUIL
1100 150 1300 0 900 0 /
SCHEDULE
WELSPECS
INJ G 2 2 1100 WATER /
PROD G {px} {py} 1100 OIL /
/
COMPDAT
INJ 2 2 1 {nz} OPEN 1* 1* 0.2 /
PROD {px} {py} 1 {nz} OPEN 1* 1* 0.2 /
/
WCONINJE
INJ WATER OPEN RATE 500 1* 400 /
/
WCONPROD
PROD OPEN ORAT 500 4* 50 /
/
TSTEP
5*30 /
END
"""


def krigflow(*args, cwd):
    proc = subprocess.run(["krigflow", *args], capture_output=True, text=True, cwd=cwd, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"krigflow {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return proc.stdout


def read_grdecl_keyword(path, keyword):
    """Values of one keyword of a GRDECL file (krigflow writes plain numbers, no repeat counts)."""
    values, inside = [], False
    with open(path) as fh:
        for line in fh:
            text = line.split("--")[0].strip()
            if not inside:
                inside = text == keyword
                continue
            if "/" in text:
                values += text.split("/")[0].split()
                break
            values += text.split()
    return np.array([float(v) for v in values])


def _opm_version():
    from importlib import metadata

    try:
        return {d: metadata.version(d) for d in ("opm", "opm-simulators")}
    except metadata.PackageNotFoundError:
        return None


def main(work):
    os.makedirs(work, exist_ok=True)
    config = {"las": os.path.join(DEMO, "las", "*.las"), "well_headers": os.path.join(DEMO, "well_headers.csv"),
              "surveys": os.path.join(DEMO, "surveys", "*.csv"), "property": "PERMX", "aliases": ["GR"],
              "grid": {"spacing": [100.0, 100.0, 10.0],
                       "bounds": [500000.0, 502000.0, 7000000.0, 7002000.0, 1000.0, 1200.0]},
              "method": {"name": "conditional", "transform": "log10"}, "realizations": 10, "seed": 5,
              "outputs": {"formats": ["grdecl"], "figures": False}, "output": os.path.join(work, "run")}
    path = os.path.join(work, "perm.json")
    with open(path, "w") as fh:
        json.dump(config, fh)
    t0 = time.perf_counter()
    krigflow("run", path, "--overwrite", cwd=work)
    krigflow("realize", path, "--realizations", str(REALIZATION), "--format", "grdecl", "-o",
             os.path.join(work, "real"), "--overwrite", cwd=work)
    t1 = time.perf_counter()
    folder = os.path.join(work, "real", f"realization-{REALIZATION}")
    include = os.path.join(folder, "PERMX.grdecl")
    nx, ny, nz = SHAPE
    deck_path = os.path.join(work, "KRIGFLOW.DATA")
    with open(deck_path, "w") as fh:
        fh.write(DECK.format(r=REALIZATION, nx=nx, ny=ny, nz=nz, include=include, px=nx - 1, py=ny - 1))

    from opm.io.deck import DeckKeyword  # noqa: F401  (checks the bindings are there)
    from opm.io.ecl_state import EclipseState
    from opm.io.parser import Parser
    from opm.simulators import BlackOilSimulator

    deck = Parser().parse(deck_path)
    state = EclipseState(deck)
    grid = state.grid()
    dims = (grid.nx(), grid.ny(), grid.nz()) if callable(grid.nx) else (grid.nx, grid.ny, grid.nz)
    permx_si = np.asarray(state.field_props().get_double_array("PERMX"))     # m2, active cells, Fortran order
    permx_md = permx_si / 9.869233e-16
    ours = read_grdecl_keyword(include, "PERMX")                         # the file, I fastest (Fortran order)
    sim = BlackOilSimulator(deck_path)
    sim.step_init()
    volumes = np.asarray(sim.get_cell_volumes())
    steps = 0
    t2 = time.perf_counter()
    while not sim.check_simulation_finished():
        sim.step()
        steps += 1
    sim.step_cleanup()
    t3 = time.perf_counter()
    report = {"grid_opm": list(dims), "active_cells": int(grid.nactive() if callable(grid.nactive) else grid.nactive), "permx_file_cells": int(ours.size),
              "permx_max_rel_diff": float(np.max(np.abs(permx_md - ours) / ours)),
              "permx_md_min_mean_max": [float(ours.min()), float(ours.mean()), float(ours.max())],
              "cell_volume_m3_min_max": [float(volumes.min()), float(volumes.max())],
              "report_steps_run": steps, "krigflow_seconds": round(t1 - t0, 1),
              "opm_seconds": round(t3 - t2, 1)}
    report["opm"] = _opm_version()
    print(json.dumps(report, indent=1))
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "opm_flow_deck.json"), "w") as fh:
        json.dump(report, fh, indent=1)
    ok = (dims == SHAPE and ours.size == nx * ny * nz and report["permx_max_rel_diff"] < 1e-6
          and np.allclose(volumes, 100.0 * 100.0 * 10.0) and steps >= 1)
    print("OK: OPM Flow read the krigflow realization and ran" if ok else "PROBLEM")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "output", "opm_flow")))
