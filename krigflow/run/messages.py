"""The typed records a run passes between its steps (and between dispel4py PEs).

All are frozen dataclasses of plain values, numpy arrays and other dataclasses, so they pickle (the
``multi`` and ``mpi`` mappings send them between processes). Update one with :func:`dataclasses.replace`.

============================  =================================================================
record                        travels
============================  =================================================================
:class:`RunRequest`           input item → :func:`krigflow.run.open_run`
:class:`RunState`             LogReader → GridPlacer → StatsAccumulator; returned by ``prepare``
:class:`WorkOrder`            GridPlacer → every SampleKriger (once): problem, checkpoints, progress
:class:`Task`                 GridPlacer → one SampleKriger: realizations (of one block)
:class:`Partial`              SampleKriger → StatsAccumulator: statistics of its realizations
:class:`RunError`             any PE → downstream, instead of an exception (``multi`` would hang)
============================  =================================================================
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

import numpy as np

from krigflow.exceptions import ConfigError, describe_error

logger = logging.getLogger(__name__)

__all__ = [
    "REQUEST_KEYS",
    "RunRequest",
    "RunState",
    "CheckpointInfo",
    "ProgressInfo",
    "WorkOrder",
    "Task",
    "Partial",
    "RunError",
]

#: Keys a run request (a LogReader input item) may hold.
REQUEST_KEYS = ("config", "overwrite", "status", "run_id", "mapping", "realizations", "allow_unmatched_headers")


@dataclass(frozen=True)
class RunRequest:
    """What to run: a config file and how (one LogReader input item, or ``krigflow run``'s options).

    Parameters
    ----------
    config : str
        Absolute path of the run config.
    overwrite : bool
        Discard partial results and replace final results.
    status : str or None
        Where to write the status record (default ``<output>/status.json``).
    run_id : str or None
        Identifies this attempt (``krigflow run`` sets it to read the progress files).
    mapping : str or None
        How the run is executed (recorded in ``summary.json``).
    realizations : (int, int) or None
        Compute only realizations ``A <= r < B``.
    allow_unmatched_headers : bool
        A well-header table that matches none of the wells is a warning (every well is then placed from
        its LAS header), not an error.
    """

    config: str
    overwrite: bool = False
    status: str | None = None
    run_id: str | None = None
    mapping: str | None = None
    realizations: tuple | None = None
    allow_unmatched_headers: bool = False

    @classmethod
    def from_item(cls, item, default_config=None) -> RunRequest:
        """Parse one LogReader input item.

        Parameters
        ----------
        item : dict or str or None
            ``{"config": path, "overwrite": bool, "status": path, "run_id": str, "mapping": str,
            "realizations": [A, B], "allow_unmatched_headers": bool}`` (all keys optional), a bare config path, or ``{}``/None for
            ``default_config``.
        default_config : str, optional
            Config used when the item names none (the bundled demo).

        Raises
        ------
        krigflow.exceptions.ConfigError
            On an unknown key, a bad value, or no config at all.

        Examples
        --------
        >>> RunRequest.from_item("/runs/a.yaml").config
        '/runs/a.yaml'
        >>> RunRequest.from_item({"confg": "a.yaml"})
        Traceback (most recent call last):
        ...
        krigflow.exceptions.ConfigError: LogReader input: unknown key 'confg' (expected config, overwrite, status, run_id, mapping, realizations, allow_unmatched_headers)
        """
        if item is None:
            item = {}
        if isinstance(item, str):
            item = {"config": item}
        if not isinstance(item, dict):
            raise ConfigError(f"LogReader input: expected {{'config': path}} or a path, got {item!r}")
        for key in item:
            if key not in REQUEST_KEYS:
                raise ConfigError(f"LogReader input: unknown key {key!r} (expected {', '.join(REQUEST_KEYS)})")
        config = item.get("config") or default_config
        if not isinstance(config, str) or not config:
            raise ConfigError(f"LogReader input: 'config' must be the path of a run config, got {config!r}")
        for key in ("overwrite", "allow_unmatched_headers"):
            if not isinstance(item.get(key, False), bool):
                raise ConfigError(f"LogReader input: {key!r} must be true or false, got {item[key]!r}")
        status = item.get("status")
        span = item.get("realizations")
        if span is not None and (
            not isinstance(span, (list, tuple))
            or len(span) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in span)
            or span[0] >= span[1]
        ):
            raise ConfigError(f"LogReader input: 'realizations' must be [A, B] with 0 <= A < B, got {span!r}")
        return cls(
            config=os.path.abspath(config),
            overwrite=item.get("overwrite", False),
            status=os.path.abspath(status) if status else None,
            run_id=item.get("run_id"),
            mapping=item.get("mapping"),
            realizations=None if span is None else (int(span[0]), int(span[1])),
            allow_unmatched_headers=item.get("allow_unmatched_headers", False),
        )


@dataclass(frozen=True)
class CheckpointInfo:
    """Where and how a worker writes its partial file (see :class:`krigflow.run.Checkpointer`).

    Parameters
    ----------
    folder : str
        The ``partials`` folder.
    every : int
        Checkpoint interval in realizations.
    fingerprint : dict
        The run's fingerprint.
    meta : dict
        Recorded in the file: run id, total realizations, grid, and what ``krigflow combine`` needs.
    """

    folder: str
    every: int
    fingerprint: dict
    meta: dict


@dataclass(frozen=True)
class ProgressInfo:
    """Where a worker reports its progress (see :class:`krigflow.run.KrigerProgress`).

    Parameters
    ----------
    folder : str
        The progress folder of the output.
    run_id : str
        This attempt.
    total : int
        Realizations this attempt computes.
    """

    folder: str
    run_id: str
    total: int


@dataclass(frozen=True)
class RunState:
    """Everything known about a run so far; :func:`krigflow.run.prepare` fills it step by step.

    Parameters
    ----------
    request : RunRequest or None
        None only if the request itself could not be read.
    config : dict or None
        Validated configuration (None if it could not be read).
    started : float
        ``time.time()`` at the start of the run.
    resume : str or None
        ``"fresh"``, ``"resume"`` or ``"overwrite"`` (:func:`krigflow.run.check_resumable`).
    timings : dict
        Seconds spent per step so far.
    problem : krigflow.run.Problem or None
    wells : list of dict
        :func:`krigflow.run.describe_wells` of the wells used.
    plan : krigflow.run.RunPlan or None
        What this attempt computes (None: no checkpoints, nothing read or written in the output).
    checkpoint : CheckpointInfo or None
    progress : ProgressInfo or None
    run_id : str or None
        The id under which this attempt holds its output folder (:mod:`krigflow.run.lock`): the request's
        ``run_id``, or a new one; None until the folder is taken.
    warnings : tuple of str
        Warnings logged by the steps so far (:mod:`krigflow.run.warning_log`), one line each.
    lock : krigflow.run.lock.RunLock or None
        The output folder's lock as held by this process (never pickled: another process takes its own).
    """

    request: RunRequest | None
    config: dict | None = None
    started: float = 0.0
    resume: str | None = None
    timings: dict = field(default_factory=dict)
    problem: object = None
    wells: list = field(default_factory=list)
    plan: object = None
    checkpoint: CheckpointInfo | None = None
    progress: ProgressInfo | None = None
    run_id: str | None = None
    warnings: tuple = ()
    lock: object = field(default=None, compare=False, repr=False)

    def __getstate__(self):
        """Pickled (sent to another process) without its lock: each process takes its own
        (:func:`krigflow.run.hold_output`)."""
        return dict(self.__dict__, lock=None)

    @property
    def mapping(self) -> str:
        """How the run is executed (``"dispel4py"`` when the request does not say)."""
        return (self.request.mapping if self.request is not None else None) or "dispel4py"


@dataclass(frozen=True)
class WorkOrder:
    """What every worker receives once: the problem, and where to checkpoint and report progress."""

    problem: object
    checkpoint: CheckpointInfo | None = None
    progress: ProgressInfo | None = None


@dataclass(frozen=True)
class Task:
    """A chunk of realization indices for one worker, over the whole grid or one block of it.

    ``block`` is a :class:`krigflow.run.blocks.Block` (None: the whole grid). ``task[0]`` is ``route``:
    dispel4py's group-by reads it, so every task of a block goes to the same kriger
    (:func:`krigflow.run.blocks.route_key`).
    """

    indices: tuple
    block: object = None
    route: int = 0

    def __getitem__(self, key):
        """``task[0]``: the routing key of dispel4py's group-by (an int: the same hash in every process)."""
        if key != 0:
            raise IndexError(f"Task[{key!r}]: only task[0] (the routing key) is defined")
        return int(self.route)


@dataclass(frozen=True)
class Partial:
    """Statistics over a set of realizations (what one worker sends back).

    Parameters
    ----------
    indices : array of int, shape (k,)
        Realization indices covered, sorted.
    stats : krigflow.stats.RunningStats
        Per-cell statistics over those realizations.
    seconds : float
        Compute time spent on them.
    summaries : krigflow.stats.SummaryTable or None
        Per-realization summaries of the same realizations (``realizations.csv``).
    warnings : tuple of str
        Warnings logged while computing them.
    block : krigflow.run.blocks.Block or None
        The block of the grid they cover (None: the whole grid).
    """

    indices: np.ndarray
    stats: object
    seconds: float = 0.0
    summaries: object = None
    warnings: tuple = ()
    block: object = None


@dataclass(frozen=True)
class RunError:
    """An error of one step of a run, sent on instead of raised (dispel4py ``multi`` hangs on a raise).

    Parameters
    ----------
    pe : str
        The step (PE name) where it happened.
    message : str
        One line.
    rank : int or None
        The PE instance.

    Examples
    --------
    >>> RunError.of("GridPlacer", ValueError("no wells"), context="planning").to_dict()
    {'pe': 'GridPlacer', 'rank': None, 'message': 'planning: no wells (ValueError)'}
    """

    pe: str
    message: str
    rank: int | None = None

    @classmethod
    def of(cls, pe, exc, *, context=None, rank=None) -> RunError:
        """The error record of ``exc`` (an exception or a message) raised in step ``pe`` (and log it)."""
        message = exc if isinstance(exc, str) else describe_error(exc)
        if context:
            message = f"{context}: {message}"
        where = pe if rank is None else f"{pe} (rank {rank})"
        logger.debug("%s failed: %s", where, message, exc_info=not isinstance(exc, str))
        return cls(pe=pe, message=message, rank=rank)

    def to_dict(self) -> dict:
        """The JSON form written in the status record."""
        return {"pe": self.pe, "rank": self.rank, "message": self.message}
