"""Run the demo under every mapping and both methods, and compare ``stats.npz`` with a reference run.

The redesign of the run core must not change a single number. This script runs the bundled demo
(``data/demo/run.json``) with ``krigflow run`` under ``simple``, ``multi -n 4`` and ``mpi -n 4``, for the
``subsample`` and ``conditional`` methods, writes each run's ``stats.npz`` under ``--out``, and, with
``--reference``, compares every array with the same run of another checkout (bit for bit, and the largest
difference if not)::

    python benchmarks/same_results.py --out /tmp/after --reference /tmp/before

To make the reference with an older checkout, run the same script with ``PYTHONPATH`` pointing at it.
It prints one table row per run.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, os.pardir, "data", "demo", "run.json")
RUNS = [("simple", 1), ("multi", 4), ("mpi", 4)]
METHODS = {
    "subsample": {"name": "subsample", "fraction": 0.75, "unit": "wells"},
    "conditional": {"name": "conditional"},
}


def run(method, mapping, n, out, realizations):
    """Run the demo with one method and mapping; return the path of its ``stats.npz``."""
    with open(DEMO, encoding="utf-8") as f:
        config = json.load(f)
    base = os.path.dirname(os.path.abspath(DEMO))
    for key in ("las", "well_headers", "surveys"):
        config[key] = os.path.join(base, config[key])
    config["method"] = METHODS[method]
    config["realizations"] = realizations
    folder = os.path.join(out, f"{method}-{mapping}{n}")
    config["output"] = folder
    config["outputs"] = {"formats": [], "figures": False}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(config, f)
    code = "import sys; from krigflow.cli import main; sys.exit(main())"
    cmd = [sys.executable, "-c", code, "run", f.name, "--mapping", mapping, "-q", "--overwrite"]
    if mapping != "simple":
        cmd += ["-n", str(n)]
    subprocess.run(cmd, check=True)
    os.unlink(f.name)
    return os.path.join(folder, "stats.npz")


def compare(a, b):
    """Largest absolute difference over the arrays two ``stats.npz`` files share, and whether all are equal."""
    with np.load(a) as fa, np.load(b) as fb:
        keys = sorted(set(fa.files) & set(fb.files))
        missing = sorted(set(fa.files) ^ set(fb.files))
        worst, identical = 0.0, not missing
        for key in keys:
            x, y = fa[key], fb[key]
            if x.shape != y.shape:
                return float("inf"), False, missing + [key]
            if x.dtype.kind in "fc":
                same = np.array_equal(x, y, equal_nan=True)
                d = np.nanmax(np.abs(x - y)) if x.size else 0.0
            else:
                same = np.array_equal(x, y)
                d = 0.0 if same else float("inf")
            identical &= bool(same)
            worst = max(worst, float(d))
    return worst, identical, missing


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="folder for this checkout's runs")
    p.add_argument("--reference", help="folder of the reference checkout's runs (same layout)")
    p.add_argument("--realizations", type=int, default=20)
    args = p.parse_args(argv)
    print(f"{'run':<22} {'identical':>9} {'max |diff|':>11}  arrays only in one")
    failures = 0
    for method in METHODS:
        for mapping, n in RUNS:
            path = run(method, mapping, n, args.out, args.realizations)
            if args.reference is None:
                print(f"{method}-{mapping}{n:<12} written")
                continue
            ref = os.path.join(args.reference, f"{method}-{mapping}{n}", "stats.npz")
            worst, same, missing = compare(path, ref)
            failures += not same
            print(f"{method + '-' + mapping + str(n):<22} {str(same):>9} {worst:>11.3g}  {', '.join(missing) or '-'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
