"""``krigflow validate --mapping mpi -n N``: the folds of a cross-validation on MPI ranks.

Folds are independent. :func:`mpi_fold_runner` returns a fold runner for
:func:`krigflow.run.cross_validate`: it pickles the fold jobs to a temporary folder and starts::

    <launcher> -n N python -m krigflow.distributed.validate_mpi JOBS.pkl RESULT.pkl

Rank ``r`` of ``N`` runs folds ``r, r + N, r + 2N, ...`` (:func:`krigflow.run.run_fold_jobs`); rank 0
gathers them and writes them, in the order of the jobs, to ``RESULT.pkl``. Every fold is seeded by the
config's seed, so the numbers are those of ``simple``. A fold that fails on a rank is reported (well, rank,
error) and the parent raises :class:`krigflow.exceptions.KrigflowError`; so does a launcher that ends
without a result (its last line of output is quoted).
"""
from __future__ import annotations

import os
import pickle
import shlex
import shutil
import subprocess
import sys
import tempfile
import traceback

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
        jobs_path, result_path = os.path.join(work, "jobs.pkl"), os.path.join(work, "result.pkl")
        try:
            with open(jobs_path, "wb") as fh:
                pickle.dump(jobs, fh, protocol=pickle.HIGHEST_PROTOCOL)
            command = [sys.executable, "-m", "krigflow.distributed.parent_death", "TERM", *shlex.split(mpiexec),
                       "-n", str(n), sys.executable, "-m", "krigflow.distributed.validate_mpi", jobs_path,
                       result_path]
            env = dict(os.environ, **{PARENT_ENV: str(os.getpid()), DEATHSIG_ENV: "1"})
            try:
                proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
            except subprocess.TimeoutExpired as exc:
                raise KrigflowError(f"validate --mapping mpi: no result after {timeout:g} s") from exc
            if not os.path.exists(result_path):
                lines = (proc.stderr or proc.stdout or "").strip().splitlines()
                raise KrigflowError(f"validate --mapping mpi: {mpiexec} -n {n} exited with status {proc.returncode} "
                                    f"without a result ({lines[-1] if lines else 'no output'})")
            with open(result_path, "rb") as fh:
                result = pickle.load(fh)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if result["errors"]:
            first = result["errors"][0]
            raise KrigflowError(f"validate --mapping mpi: fold {first['well']} failed on rank {first['rank']}: "
                                f"{first['error']}")
        return result["folds"]
    return run


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
    """Entry of one MPI rank: ``python -m krigflow.distributed.validate_mpi JOBS.pkl RESULT.pkl``."""
    from mpi4py import MPI

    from krigflow.distributed.parent_death import die_with_parent_if_asked

    die_with_parent_if_asked()
    jobs_path, result_path = (sys.argv[1:] if argv is None else argv)[:2]
    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    with open(jobs_path, "rb") as fh:
        jobs = pickle.load(fh)
    done, errors = _my_folds(jobs, rank, size)
    gathered = comm.gather((done, errors), root=0)
    if rank == 0:
        folds, all_errors = {}, []
        for d, e in gathered:
            folds.update(d)
            all_errors.extend(e)
        ordered = [folds[i] for i in sorted(folds)]
        tmp = result_path + ".tmp"
        with open(tmp, "wb") as fh:
            pickle.dump({"folds": ordered, "errors": all_errors}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, result_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
