"""krigflow.distributed."""

from krigflow.distributed.launch import add_run_parser
from krigflow.distributed.parent_death import die_with_parent_if_asked, set_parent_death_signal
from krigflow.distributed.stopping import Stopped, stop_on_signals
from krigflow.distributed.validate_mpi import mpi_fold_runner

__all__ = ["add_run_parser", "die_with_parent_if_asked", "mpi_fold_runner", "set_parent_death_signal", "Stopped",
           "stop_on_signals"]
