"""`krigflow validate` on Poseidon with the defaults, and the variants around them (issue 11's first target).

The config is the one of the CLI contract (../shared/contract/check_contract.py validate): data keys and a
grid only (1000 x 1000 x 20 m over 1000-4600 m TVDSS), 50 realizations, seed 1; every other key default.
The variants change one thing each: the seed (the realizations), the trend window, the number of
realizations, and ``tool_offsets: none`` (the defaults before tool offsets). Each variant is one
``krigflow validate --json`` run (leave-one-well-out over the 8 wells, 1373 held-out cells).

Prints a table (pooled RMSE, IDW, ratio, 80 % coverage, goodness G, offset share) and writes
``validation/poseidon_defaults.json`` (every variant's pooled record) and
``validation/poseidon_validate_defaults.json`` (the defaults' whole JSON, per well).

Usage::

    python validation/poseidon_defaults.py [--quick]      # --quick: the defaults and tool_offsets: none only
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import tempfile
import time

from krigflow.cli import app as cli

HERE = os.path.dirname(os.path.abspath(__file__))
POSEIDON = os.path.join(HERE, "..", "..", "shared", "data", "poseidon")

logger = logging.getLogger("poseidon_defaults")

#: (name, changes to the contract's config)
VARIANTS = [
    ("defaults (seed 1)", {}),
    ("seed 2", {"seed": 2}),
    ("seed 3", {"seed": 3}),
    ("seed 4", {"seed": 4}),
    ("seed 5", {"seed": 5}),
    ("100 realizations", {"realizations": 100}),
    ("trend MA 200", {"trend": {"kind": "moving_average", "window": 200}}),
    ("trend MA 300", {"trend": {"kind": "moving_average", "window": 300}}),
    ("trend MA 400", {"trend": {"kind": "moving_average", "window": 400}}),
    ("tool_offsets: none", {"tool_offsets": "none"}),
]


def contract_config(work, **changes) -> dict:
    """The contract's config (data keys + grid + realizations 50, seed 1), with ``changes``."""
    cfg = {"las": os.path.join(POSEIDON, "las", "*.LAS"), "well_headers": os.path.join(POSEIDON, "Well_Headers.csv"),
           "surveys": os.path.join(POSEIDON, "deviation", "*.dev"), "property": "GR",
           "grid": {"spacing": [1000.0, 1000.0, 20.0],
                    "bounds": [398000.0, 437000.0, 8465000.0, 8501000.0, 1000.0, 4600.0]},
           "realizations": 50, "seed": 1, "output": os.path.join(work, "out")}
    cfg.update(changes)
    return cfg


def validate(cfg, work, name) -> dict:
    """``krigflow validate CONFIG --json`` (CONFIG written into ``work``); the parsed JSON."""
    path = os.path.join(work, "config.json")
    with open(path, "w") as fh:
        json.dump(cfg, fh)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = cli.main(["validate", path, "--json", "-q"])
    if code != 0:
        raise SystemExit(f"krigflow validate failed on variant {name!r} (exit {code})")
    return json.loads(buffer.getvalue())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the defaults and tool_offsets: none only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("krigflow").setLevel(logging.WARNING)
    variants = [v for v in VARIANTS if not args.quick or v[0] in ("defaults (seed 1)", "tool_offsets: none")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="krigflow-poseidon-") as work:
        for name, changes in variants:
            start = time.perf_counter()
            record = validate(contract_config(work, **changes), work, name)
            pooled = record["pooled"]
            rows.append({"variant": name, "changes": changes, "seconds": round(time.perf_counter() - start, 1),
                         **pooled, "ratio": pooled["rmse"] / pooled["rmse_idw"]})
            logger.info("%s: RMSE %.2f / IDW %.2f = %.3f, coverage %.3f (%.0f s)", name, pooled["rmse"],
                        pooled["rmse_idw"], rows[-1]["ratio"], pooled["coverage_80"], rows[-1]["seconds"])
            if name == "defaults (seed 1)":
                with open(os.path.join(HERE, "poseidon_validate_defaults.json"), "w") as fh:
                    json.dump(record, fh, indent=1)
    print("| variant | RMSE | IDW | RMSE / IDW | 80 % coverage | G | offset share |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['variant']} | {r['rmse']:.2f} | {r['rmse_idw']:.2f} | {r['ratio']:.3f} | {r['coverage_80']:.3f} | "
              f"{r['goodness']:.3f} | {r['offset_share']:.2f} |")
    if not args.quick:
        with open(os.path.join(HERE, "poseidon_defaults.json"), "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
