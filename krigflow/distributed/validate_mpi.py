"""``krigflow validate --mapping mpi -n N``: the folds of a cross-validation on MPI ranks.

Folds are independent. :func:`mpi_fold_runner` returns a fold runner for
:func:`krigflow.run.cross_validate`: it writes the config (JSON) and the wells (arrays in ``wells.npz``,
the rest in ``wells.json``; no pickle files) to a temporary folder and starts::

    <launcher> -n N python -m krigflow.distributed.validate_mpi FOLDER

Every rank rebuilds the fold jobs from them (:func:`krigflow.run.fold_jobs`, deterministic) and runs folds
``r, r + N, r + 2N, ...``; rank 0 gathers them and writes them, in the order of the jobs, to
``result.json`` + ``result.npz``. Every fold is seeded by the config's seed, so the numbers are those of
``simple``. A fold that fails on a rank is reported (well, rank, error) and the parent raises
:class:`krigflow.exceptions.KrigflowError`; so does a launcher that ends without a result (its last line of
output is quoted).
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import traceback

import numpy as np

from krigflow.distributed.parent_death import DEATHSIG_ENV, PARENT_ENV
from krigflow.exceptions import KrigflowError

__all__ = ["main", "mpi_fold_runner"]


def mpi_fold_runner(processes, *, mpiexec="mpiexec", timeout=None):
    """A fold runner that runs the folds on ``processes`` MPI ranks (at most one rank per fold).

    Parameters
    ----------
    processes : int
        MPI ranks (``-n``); at least 1.
    mpiexec : str, default "mpiexec"
        Launcher prefix (split like a shell would; ``-n N`` is appended).
    timeout : float, optional
        Seconds before the launcher is stopped (then KrigflowError).

    Returns
    -------
    callable
        ``runner(jobs) -> list of fold results`` (see :func:`krigflow.run.run_fold`).

    Examples
    --------
    >>> runner = mpi_fold_runner(3)
    >>> callable(runner)
    True
    """
    processes = int(processes)
    if processes < 1:
        raise KrigflowError(f"validate --mapping mpi: -n must be >= 1, got {processes}")

    def run(jobs):
        jobs = list(jobs)
        n = max(1, min(processes, len(jobs)))
        work = tempfile.mkdtemp(prefix="krigflow-validate-")
        try:
            write_inputs(work, jobs[0][0], jobs[0][1], [job[2] for job in jobs])
            command = [sys.executable, "-m", "krigflow.distributed.parent_death", "TERM", *shlex.split(mpiexec),
                       "-n", str(n), sys.executable, "-m", "krigflow.distributed.validate_mpi", work]
            env = dict(os.environ, **{PARENT_ENV: str(os.getpid()), DEATHSIG_ENV: "1"})
            try:
                proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env,
                                      check=False)
            except subprocess.TimeoutExpired as exc:
                raise KrigflowError(f"validate --mapping mpi: no result after {timeout:g} s") from exc
            if not os.path.exists(os.path.join(work, "result.json")):
                lines = (proc.stderr or proc.stdout or "").strip().splitlines()
                raise KrigflowError(f"validate --mapping mpi: {mpiexec} -n {n} exited with status {proc.returncode} "
                                    f"without a result ({lines[-1] if lines else 'no output'})")
            folds, errors = read_result(work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if errors:
            first = errors[0]
            raise KrigflowError(f"validate --mapping mpi: fold {first['well']} failed on rank {first['rank']}: "
                                f"{first['error']}")
        return folds
    return run


_WELL_ARRAYS = ("md", "values", "easting", "northing", "tvdss")
_WELL_SCALARS = ("name", "path", "curve", "unit", "kb", "location_source", "survey_source", "warnings",
                 "head_easting", "head_northing", "las_name")


def write_inputs(folder, config, wells, held) -> None:
    """Write the config (``config.json``, with the held-out well indices) and the wells (``wells.npz`` +
    ``wells.json``) for the ranks."""
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as fh:
        json.dump({"config": config, "held": [int(i) for i in held]}, fh)
    np.savez(os.path.join(folder, "wells.npz"),
             **{f"w{i}_{k}": np.asarray(getattr(w, k)) for i, w in enumerate(wells) for k in _WELL_ARRAYS})
    meta = [{k: (list(v) if isinstance(v, tuple) else v) for k in _WELL_SCALARS for v in [getattr(w, k)]}
            for w in wells]
    with open(os.path.join(folder, "wells.json"), "w", encoding="utf-8") as fh:
        json.dump(meta, fh)


def read_inputs(folder):
    """The config, wells and held-out indices written by :func:`write_inputs`."""
    from krigflow.wells import Well

    with open(os.path.join(folder, "config.json"), encoding="utf-8") as fh:
        record = json.load(fh)
    with open(os.path.join(folder, "wells.json"), encoding="utf-8") as fh:
        meta = json.load(fh)
    with np.load(os.path.join(folder, "wells.npz"), allow_pickle=False) as z:
        wells = [Well(**dict(m, warnings=tuple(m["warnings"])), **{k: z[f"w{i}_{k}"] for k in _WELL_ARRAYS})
                 for i, m in enumerate(meta)]
    return record["config"], wells, record["held"]


def _plain(value):
    """JSON form of numpy values nested in a fold's records (trend and variogram descriptions)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _write_result(folder, folds, errors) -> None:
    arrays, records = {}, []
    for i, fold in enumerate(folds):
        record = {}
        for key, value in fold.items():
            if isinstance(value, np.ndarray):
                arrays[f"f{i}_{key}"] = value
            else:
                record[key] = value
        records.append(record)
    np.savez(os.path.join(folder, "result.npz"), **arrays)
    tmp = os.path.join(folder, "result.json.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"folds": records, "errors": errors}, fh, default=_plain)
    os.replace(tmp, os.path.join(folder, "result.json"))


def read_result(folder):
    """The folds (in job order) and the errors written by rank 0."""
    with open(os.path.join(folder, "result.json"), encoding="utf-8") as fh:
        record = json.load(fh)
    folds = []
    with np.load(os.path.join(folder, "result.npz"), allow_pickle=False) as z:
        for i, fold in enumerate(record["folds"]):
            prefix = f"f{i}_"
            fold.update({k[len(prefix):]: z[k] for k in z.files if k.startswith(prefix)})
            folds.append(fold)
    return folds, record["errors"]


def _my_folds(jobs, rank, size):
    """Run this rank's folds; a failure is returned as an error record, never raised (rank 0 must gather)."""
    from krigflow.run import run_fold_jobs

    done, errors = {}, []
    for i in range(rank, len(jobs), size):
        try:
            done[i] = run_fold_jobs([jobs[i]])[0]
        except Exception as exc:  # noqa: BLE001 - reported to the parent with the well's name
            well = jobs[i][1][jobs[i][2]].name
            errors.append({"well": well, "rank": rank, "error": f"{type(exc).__name__}: {exc}",
                           "traceback": traceback.format_exc()})
    return done, errors


def main(argv=None) -> int:
    """Entry of one MPI rank: ``python -m krigflow.distributed.validate_mpi FOLDER``."""
    from mpi4py import MPI

    from krigflow.distributed.parent_death import die_with_parent_if_asked
    from krigflow.run import fold_jobs

    die_with_parent_if_asked()
    folder = (sys.argv[1:] if argv is None else argv)[0]
    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    try:
        config, wells, held = read_inputs(folder)
        jobs, _ = fold_jobs(config, wells)
        if [job[2] for job in jobs] != held:
            raise KrigflowError(f"the folds rebuilt on rank {rank} differ from the parent's: "
                                f"{[job[2] for job in jobs]} vs {held}")
        done, errors = _my_folds(jobs, rank, size)
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        done, errors = {}, [{"well": "?", "rank": rank, "error": f"{type(exc).__name__}: {exc}",
                             "traceback": traceback.format_exc()}]
    gathered = comm.gather((done, errors), root=0)
    if rank == 0:
        folds, all_errors = {}, []
        for d, e in gathered:
            folds.update(d)
            all_errors.extend(e)
        _write_result(folder, [folds[i] for i in sorted(folds)], all_errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
