"""Waiting MPI ranks sleep instead of spinning a core (krigflow.distributed.mpi_idle, issue 15)."""
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from krigflow.distributed import mpi_idle

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "PRTE_MCA_rmaps_default_mapping_policy": ":oversubscribe"}

PROBE = textwrap.dedent("""
    import sys, time
    from mpi4py import MPI
    from krigflow.distributed.mpi_idle import SleepingComm, sleeping_barrier
    comm = MPI.COMM_WORLD
    t0 = time.process_time()
    if comm.Get_rank() == 0:
        time.sleep(2.0)
        comm.send("go", dest=1)
    else:
        SleepingComm(comm).recv(source=0)
    sleeping_barrier(comm)
    print(f"rank {comm.Get_rank()} cpu {time.process_time() - t0:.3f}", flush=True)
""")


def test_install_does_nothing_outside_mpi():
    """Under simple/multi (no MPI mapping loaded, not launched as 'dispel4py mpi') nothing is patched."""
    assert "dispel4py.new.mpi_process" not in sys.modules
    assert mpi_idle.install() is False
    assert mpi_idle._launched_as_mpi(["/v/bin/dispel4py", "mpi", "g.py"])
    assert not mpi_idle._launched_as_mpi(["/v/bin/dispel4py", "multi", "g.py"])


@pytest.mark.skipif(shutil.which("mpiexec") is None, reason="no mpiexec")
def test_waiting_rank_uses_almost_no_cpu(tmp_path):
    """A rank waiting 2 s for a message (sleeping receive, then the sleeping exit barrier) uses < 0.3 CPU s;
    Open MPI's blocking receive spins (measured 1.0 CPU s per 5 s waited per rank, oversubscribed)."""
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    env = dict(os.environ, **MPI_ENV, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(["mpiexec", "-n", "2", sys.executable, str(probe)], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    cpu = {int(line.split()[1]): float(line.split()[3]) for line in proc.stdout.splitlines()
           if line.startswith("rank")}
    assert set(cpu) == {0, 1}
    assert cpu[1] < 0.3, cpu
