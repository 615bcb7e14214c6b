"""``krigflow variogram CONFIG``: fit the variogram of a run's wells, print it and plot it (PNG)."""

from __future__ import annotations

import copy
import json
import logging
import os
import sys

from krigflow.plotting import write_variogram_figure
from krigflow.run import build_problem, load_config, load_inputs
from krigflow.variogram import Variogram, VariogramFit

__all__ = ["add_variogram_parser", "run_variogram", "variogram_command"]

_KEYS = ("model", "sill", "nugget", "range_h", "range_v", "range_h2", "azimuth", "nu")


def variogram_command(config_path, *, output=None, as_json=False, out=None) -> int:
    """Fit the variogram of a run's wells, print it and write a PNG of points and curves.

    The wells, grid and ``variogram`` options of the config are used as a run would (``variogram: auto``
    is assumed whatever the config says; a configured model is drawn for comparison). With
    ``method: conditional`` and ``transform: normal_score`` the fit is in normal-score space, as the
    run's.

    Parameters
    ----------
    config_path : str
        Run configuration (YAML or JSON).
    output : str, optional
        PNG to write (default ``variogram.png``).
    as_json : bool, default False
        Print the fit record as one JSON object instead of a table.
    out : file, optional
        Where to print (default ``sys.stdout``).

    Returns
    -------
    int
        Exit status (0).
    """
    out = out or sys.stdout
    config = load_config(config_path)
    configured = None
    vg = config["variogram"]
    auto = copy.deepcopy(config)
    if vg["model"] != "auto":
        configured = Variogram(**{k: vg[k] for k in _KEYS})
        auto["variogram"] = dict(vg, model="auto", sill=None, range_h=None, range_v=None, range_h2=None)
    problem = build_problem(load_inputs(config), auto)
    if problem.zones is not None:
        return _zoned_variograms(problem.zones, config, output, as_json, out)
    record = problem.variogram_fit
    fit = VariogramFit.from_record(record)
    space = record["space"].replace("_", " ")
    if record["space"] == "normal_score" and configured is not None:
        configured = Variogram(configured.model, 1.0, configured.range_h, configured.range_v,
                               nugget=configured.nugget / configured.sill, nu=configured.nu)
    if output is None:
        output = "variogram.png"
    write_variogram_figure(output, fit, configured=configured, title=f"{config['property']} variogram ({space} space)")
    if as_json:
        out.write(json.dumps(dict(record, png=output)) + "\n")
        return 0
    v = fit.variogram
    out.write(f"variogram fitted to {len(problem.data.well_names)} wells ({space} "
              f"space; sample variance {fit.variance:.4g}):\n")
    out.write(f"  {'model':12s} {'sill':>10s} {'nugget':>10s} {'range_h':>10s} {'range_v':>10s} {'error':>10s}\n")
    for model, f in fit.fits.items():
        mark = "  <- chosen" if model == v.model else ""
        out.write(f"  {model:12s} {f.sill:10.4g} {f.nugget:10.4g} {f.range_h:10.4g} {f.range_v:10.4g} "
                  f"{fit.errors[model]:10.3g}{mark}\n")
    for ev in fit.experimental:
        out.write(f"  {ev.direction}: {ev.lags.size} lag bins, {int(ev.pairs.sum())} pairs\n")
    out.write(f"variogram: {{model: {v.model}, sill: {v.sill:.4g}, nugget: {v.nugget:.4g}, range_h: {v.range_h:.4g}, "
              f"range_v: {v.range_v:.4g}}}\n")
    out.write(f"wrote {output}\n")
    return 0


def _zoned_variograms(zoned, config, output, as_json, out) -> int:
    """Per-zone fits of a zoned config: one PNG per zone (``<stem>_zone<q>.png``) and one line (or JSON) each."""
    stem, ext = os.path.splitext(output or "variogram.png")
    for p in zoned.problems:
        record = p.variogram_fit
        if record is None:   # a variogram given for this zone: nothing fitted
            out.write(f"zone {p.name}: variogram given in the config ({p.variogram.model})\n")
            continue
        path = f"{stem}_zone{p.index + 1}{ext or '.png'}"
        fit = VariogramFit.from_record(record)
        space = record["space"].replace("_", " ")
        write_variogram_figure(path, fit, title=f"{config['property']} variogram, zone {p.name} ({space} space, "
                                                f"stratigraphic coordinates)")
        if as_json:
            out.write(json.dumps(dict(record, zone=p.name, png=path)) + "\n")
            continue
        v = fit.variogram
        out.write(f"zone {p.name}: {{model: {v.model}, sill: {v.sill:.4g}, nugget: {v.nugget:.4g}, "
                  f"range_h: {v.range_h:.4g}, range_v: {v.range_v:.4g}}} ({space} space; wrote {path})\n")
    return 0


def add_variogram_parser(subparsers) -> None:
    """Set up ``krigflow variogram``."""
    p = subparsers.add_parser(
        "variogram", help="fit a variogram to the wells of a run config; print it and plot it (PNG)",
        description="Experimental variograms of the wells of CONFIG (vertical: along each well; horizontal: "
        "between wells at similar depth), weighted least-squares fits of the candidate models (the config's "
        "variogram options), the chosen model as a config line, and a PNG of points and curves.")
    p.add_argument("config", metavar="CONFIG", help="run configuration (YAML or JSON)")
    p.add_argument("--output", "-o", metavar="PNG", help="figure to write (default variogram.png)")
    p.add_argument("--json", action="store_true", help="print the fit record as one JSON object")
    p.set_defaults(func=run_variogram)


def run_variogram(args) -> int:
    """Run ``krigflow variogram`` (lasio's per-file notes are not shown unless -v)."""
    if not getattr(args, "verbose", 0):
        logging.getLogger("lasio").setLevel(logging.ERROR)
    return variogram_command(args.config, output=args.output, as_json=args.json)
