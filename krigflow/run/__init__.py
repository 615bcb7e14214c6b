"""krigflow.run: one run core for the library, the dispel4py PEs and the command line.

A run has three steps, the same however it is executed:

* :func:`prepare` (request → :class:`RunState`): config, output folder, wells, problem, plan;
* a :class:`Worker` per process computes chunks of realizations into one accumulator, checkpointing;
* :func:`finish` (state, partials → results): merge in a fixed order, summary, result files
  (:func:`end_run` adds the status record).

:func:`run_local` chains them in one process; the PEs of ``pes/`` call them one step each; ``krigflow
combine`` merges the partial files of separate runs with the same end.
"""

from krigflow.run.combine import add_combine_parser, combine, combine_command
from krigflow.run.config import DEFAULTS, OUTPUT_FORMATS, REQUIRED, load_config, validate_config
from krigflow.run.crossvalidate import (
    contract_record,
    cross_validate,
    fold_config,
    fold_jobs,
    run_fold,
    run_fold_jobs,
    score_folds,
)
from krigflow.run.fingerprint import (
    NUMERICS_VERSION,
    UNFINGERPRINTED_KEYS,
    config_fingerprint,
    data_fingerprint,
    fingerprint_differences,
    make_fingerprint,
)
from krigflow.run.finish import (
    end_run,
    final_arrays,
    finish,
    make_summary,
    merge_partials,
    status_record,
    versions,
    write_results,
    write_trend_png,
)
from krigflow.run.inputs import check_inputs, expand_paths
from krigflow.run.local import run_local
from krigflow.run.messages import (
    CheckpointInfo,
    Partial,
    ProgressInfo,
    RunError,
    RunRequest,
    RunState,
    Task,
    WorkOrder,
)
from krigflow.run.plan import (
    RunPlan,
    check_partials,
    check_resumable,
    checkpoint_info,
    clear_for_overwrite,
    check_writable,
    coverage,
    plan_run,
    save_run_wells,
)
from krigflow.run.guards import GuardError, check_memory, check_output_links, check_quantiles_resume
from krigflow.run.lock import RunLock, RunLockError, acquire, join, read_owner
from krigflow.run.prepare import (
    hold_output,
    load_wells,
    mark_running,
    open_output,
    plan_work,
    prepare,
    prepare_config,
    read_config,
    release_output,
    take_output,
    work_chunks,
    work_order,
)
from krigflow.run.problem import Problem, build_problem, describe_wells, histogram_spec, load_inputs
from krigflow.run.progress import (
    KrigerProgress,
    ProgressMonitor,
    clear_progress,
    format_progress,
    progress_folder,
    read_progress,
    wait_with_progress,
)
from krigflow.run.ranges import chunk_indices, format_ranges, parse_range
from krigflow.run.realize import (
    check_run,
    iter_realizations,
    open_realizations,
    parse_realizations,
    realization,
    realization_fields,
    realization_of,
    to_dataarray,
)
from krigflow.run.realize import realization_values
from krigflow.run.summaries import compute_chunk, merge_summaries, write_summaries
from krigflow.run.threads import available_cores, blas_threads, threads_per_worker
from krigflow.run.warning_log import collect_warnings, merge_warnings
from krigflow.run.worker import Checkpointer, Worker, run_realizations
from krigflow.run.block_worker import BlockWorker
from krigflow.run.blocks import Block, block_layout, join_blocks, layout_of_config

__all__ = [
    # the three steps
    "prepare", "prepare_config", "read_config", "open_output", "load_wells", "plan_work", "work_order",
    "work_chunks", "Worker", "finish", "end_run", "run_local", "combine",
    # records
    "RunRequest", "RunState", "WorkOrder", "Task", "Partial", "RunError", "CheckpointInfo", "ProgressInfo",
    # config
    "DEFAULTS", "OUTPUT_FORMATS", "REQUIRED", "check_inputs", "expand_paths", "load_config", "validate_config",
    # problem and realizations
    "Problem", "build_problem", "describe_wells", "histogram_spec", "load_inputs", "run_realizations",
    # individual realizations and their summaries (realizations.csv)
    "realization", "iter_realizations", "open_realizations", "realization_of", "realization_fields", "to_dataarray", "check_run", "parse_realizations",
    "compute_chunk", "merge_summaries", "write_summaries",
    "realization_values",
    # leave-one-well-out cross-validation (krigflow validate)
    "contract_record", "cross_validate", "fold_config", "fold_jobs", "run_fold", "run_fold_jobs", "score_folds",
    # plan, fingerprint, ranges
    "RunPlan", "check_partials", "check_resumable", "checkpoint_info", "clear_for_overwrite", "coverage",
    "plan_run", "save_run_wells", "NUMERICS_VERSION", "UNFINGERPRINTED_KEYS", "config_fingerprint",
    "data_fingerprint", "fingerprint_differences", "make_fingerprint", "chunk_indices", "format_ranges",
    "parse_range",
    # one run per output folder, guards, warnings
    "take_output", "hold_output", "release_output", "mark_running", "RunLock", "RunLockError", "acquire", "join",
    "read_owner", "check_writable", "GuardError", "check_memory", "check_output_links", "check_quantiles_resume",
    "collect_warnings", "merge_warnings",
    # the end
    "final_arrays", "make_summary", "merge_partials", "status_record", "versions", "write_results",
    "write_trend_png",
    # checkpoints, progress, threads
    "Checkpointer", "KrigerProgress", "ProgressMonitor", "clear_progress", "format_progress", "progress_folder",
    "read_progress", "wait_with_progress", "available_cores", "blas_threads", "threads_per_worker",
    # spatial tasks: the grid in blocks
    "Block", "BlockWorker", "block_layout", "join_blocks", "layout_of_config",
    # command line
    "add_combine_parser", "combine_command",
]
