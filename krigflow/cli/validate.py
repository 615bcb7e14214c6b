"""``krigflow validate CONFIG``: leave-one-well-out cross-validation of a run configuration.

Prints a table (or with ``--json`` one JSON object on stdout:
``{"wells": [{"well", "cells", "rmse", "rmse_idw", "bias", "coverage_80"}, ...], "pooled": {"cells", "rmse",
"rmse_idw", "rmse_trend_idw", "rmse_mean", "coverage_80", "goodness", "offset_share"}}``) and writes into the
config's output folder ``validation.json`` (everything: accuracy plot points, PIT histogram, each fold's
trend and variogram), ``validation_accuracy.png``, ``validation_pit.png`` and ``trend.png``.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys

logger = logging.getLogger(__name__)

__all__ = ["add_validate_parser", "run_validate", "validate_command"]


def validate_command(config_path, *, mapping="simple", processes=1, as_json=False, out=None,
                     mpiexec="mpiexec") -> int:
    """Cross-validate the run configuration ``config_path``; print the result; write figures.

    Returns
    -------
    int
        Exit status (0).
    """
    from krigflow.plotting import write_validation_figures
    from krigflow.run import contract_record, cross_validate, load_config, load_inputs, write_trend_png

    out = out or sys.stdout
    config = load_config(config_path)
    wells = load_inputs(config)
    runner = None
    if mapping == "mpi":
        from krigflow.distributed import mpi_fold_runner

        runner = mpi_fold_runner(processes, mpiexec=mpiexec)
    scores = cross_validate(config, wells, mapping=mapping, processes=processes, fold_runner=runner)
    folds = scores.pop("_folds")
    problem = scores.pop("_problem")
    folder = config["output"]
    os.makedirs(folder, exist_ok=True)
    record = contract_record(scores)
    with open(os.path.join(folder, "validation.json"), "w", encoding="utf-8") as fh:
        json.dump(dict(scores, **record), fh, indent=2)
    if config.get("outputs", {}).get("figures", True):
        try:
            write_validation_figures(scores, folder)
            write_trend_png(config, problem, folder)
        except Exception as exc:  # noqa: BLE001 - a figure never fails the validation
            logger.warning("validation figures not written: %s", exc)
    del folds
    if as_json:
        out.write(json.dumps(record) + "\n")
        return 0
    p = scores["pooled"]
    out.write(f"leave-one-well-out, {scores['method']} ({scores['realizations']} realizations), "
              f"{p['cells']} held-out cells\n")
    out.write(f"  {'well':20s} {'cells':>6s} {'rmse':>8s} {'rmse_idw':>9s} {'bias':>8s} {'cover80':>8s}\n")
    for w in scores["wells"]:
        out.write(f"  {w['well'][:20]:20s} {w['cells']:6d} {w['rmse']:8.3f} {w['rmse_idw']:9.3f} {w['bias']:8.3f} "
                  f"{w['coverage_80']:8.3f}\n")
    out.write(f"  {'pooled':20s} {p['cells']:6d} {p['rmse']:8.3f} {p['rmse_idw']:9.3f} {p['bias']:8.3f} "
              f"{p['coverage_80']:8.3f}\n")
    out.write(f"baselines: IDW {p['rmse_idw']:.3f}, trend + IDW {p['rmse_trend_idw']:.3f}, training mean "
              f"{p['rmse_mean']:.3f}; goodness G {p['goodness']:.3f}; per-well offset share of squared error "
              f"{p['offset_share']:.2f}\n")
    out.write(f"wrote {os.path.join(folder, 'validation.json')}\n")
    return 0


def add_validate_parser(subparsers) -> None:
    """Set up ``krigflow validate`` (called by :func:`krigflow.cli.app.build_parser`)."""
    p = subparsers.add_parser(
        "validate", help="leave-one-well-out cross-validation of a run config (RMSE, coverage, accuracy plot)",
        description="Hold out each well in turn, model it from the others with the config's own settings "
        "(whatever is 'auto' is refitted per fold) and score the realizations on its cells: RMSE, bias, 80 % "
        "interval coverage, Deutsch's accuracy plot and goodness G, PIT histogram, per-well offset share; "
        "baselines IDW (power 2, vertical x100), trend + IDW and the training mean.")
    p.add_argument("config", metavar="CONFIG", help="run configuration (YAML or JSON)")
    p.add_argument("--mapping", choices=("simple", "multi", "mpi"), default="simple",
                   help="run the folds one after the other (simple), in parallel processes (multi) or on MPI "
                   "ranks (mpi); the numbers are the same")
    p.add_argument("-n", "--processes", type=int, default=1, metavar="N",
                   help="processes (multi) or MPI ranks (mpi), at most one per fold")
    p.add_argument("--mpiexec", default="mpiexec", metavar="LAUNCHER",
                   help="MPI launcher command (prefix) for --mapping mpi; '-n N' is appended (default mpiexec)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """CLI entry of ``krigflow validate`` (lasio's per-file notes are not shown unless -v)."""
    if not getattr(args, "verbose", 0):
        logging.getLogger("lasio").setLevel(logging.ERROR)
    return validate_command(args.config, mapping=args.mapping, processes=args.processes, as_json=args.json,
                            mpiexec=args.mpiexec)
