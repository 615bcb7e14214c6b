"""krigflow.run."""

from krigflow.run.checkpoint import (
    PARTIALS_DIR,
    Checkpointer,
    CheckpointError,
    check_partials,
    check_resumable,
    checkpoint_info,
    chunk_indices,
    config_fingerprint,
    fingerprint_differences,
    finish_run,
    format_ranges,
    merge_sorted,
    parse_range,
    plan_run,
    read_partial,
    save_run_wells,
    scan_partials,
    write_partial,
)
from krigflow.run.combine import add_combine_parser
from krigflow.run.config import (
    DEFAULTS,
    OUTPUT_FORMATS,
    REQUIRED,
    check_inputs,
    expand_paths,
    load_config,
    validate_config,
)
from krigflow.run.core import (
    Partial,
    build_problem,
    complete_run,
    compute_partial,
    describe_wells,
    finalize,
    load_inputs,
    realization_chunks,
    run_local,
    run_realizations,
    write_trend_png,
)
from krigflow.run.realize import realization_values
from krigflow.run.crossvalidate import contract_record, cross_validate, fold_config, run_fold, score_folds
from krigflow.run.progress import (
    KrigerProgress,
    ProgressMonitor,
    clear_progress,
    format_progress,
    progress_folder,
    read_progress,
    wait_with_progress,
)
from krigflow.run.threads import available_cores, blas_threads, threads_per_worker

__all__ = ["contract_record", "cross_validate", "fold_config", "realization_values", "run_fold", "score_folds",
           "write_trend_png","CheckpointError", "Checkpointer", "DEFAULTS", "KrigerProgress", "OUTPUT_FORMATS", "PARTIALS_DIR", "Partial", "ProgressMonitor", "REQUIRED", "add_combine_parser", "available_cores", "blas_threads", "build_problem", "check_inputs", "check_partials", "check_resumable", "checkpoint_info", "chunk_indices", "clear_progress", "complete_run", "compute_partial", "config_fingerprint", "describe_wells", "expand_paths", "finalize", "fingerprint_differences", "finish_run", "format_progress", "format_ranges", "load_config", "load_inputs", "merge_sorted", "parse_range", "plan_run", "progress_folder", "read_partial", "read_progress", "realization_chunks", "run_local", "run_realizations", "save_run_wells", "scan_partials", "threads_per_worker", "validate_config", "wait_with_progress", "write_partial"]
