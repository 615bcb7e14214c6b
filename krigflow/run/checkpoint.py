"""Checkpoints: partial statistics on disk, fingerprints, resume plans and deterministic merging.

Every SampleKriger keeps one accumulator (:class:`krigflow.stats.running.RunningStats`, or any class of
:mod:`krigflow.stats.running` with ``to_dict``/``from_dict``/``merge``) and writes it, *cumulatively*, to its
own partial file ``OUTPUT/partials/part-<uuid>.npz`` every ``checkpoint_every`` realizations and at the
end. The file keeps its name and is replaced atomically each time (temporary file in the same folder,
fsync, :func:`os.replace`), so there is never more than one file per kriger and attempt, and a realization
is never counted twice: no superseding, no deletion, nothing to tolerate after a crash except stray
``.part-*.tmp`` files, which are ignored (and removed by :func:`clear_partials`).

A partial file is plain data (read with ``numpy.load(..., allow_pickle=False)``; a file holding a
pickled object is refused without being unpickled):

- ``stats_<field>``: the accumulator arrays (whatever ``to_dict()`` returns),
- ``indices``: int64, the sorted realization indices it covers,
- ``fingerprint_config``, ``fingerprint_data``, ``fingerprint_numerics``: 0-d unicode arrays,
- ``meta``: a 0-d unicode array holding JSON (run id, kriger, pid, host, total realizations of the run,
  accumulator class, grid, and the run information :func:`krigflow.run.combine.combine` needs for
  ``summary.json``).

The *fingerprint* has three components, compared separately so that a refusal says what differs:
``config`` (canonical JSON of every key except :data:`UNFINGERPRINTED_KEYS`), ``data``
(SHA-256 of the grid and the conditioning data) and ``numerics`` (:data:`NUMERICS_VERSION`). Output
paths, ``batch_size``, ``realizations``, ``checkpoint_every`` and the paths of the input files are not
part of it: realization ``r`` depends only on ``(seed, r)`` and the data, so a run can be extended or
split freely.

Partials are always merged sorted by their smallest realization index (:func:`merge_sorted`), so a
single run, a resumed run and a combination of independent jobs agree to rounding (≤ 1e-10).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import socket
import tempfile
import time
import uuid
from dataclasses import dataclass, field

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.io import atomic_path, jsonable
from krigflow.stats import running as _stats_module

logger = logging.getLogger(__name__)

__all__ = [
    "NUMERICS_VERSION",
    "UNFINGERPRINTED_KEYS",
    "PARTIALS_DIR",
    "CheckpointError",
    "Checkpointer",
    "PartialFile",
    "RunPlan",
    "config_fingerprint",
    "data_fingerprint",
    "make_fingerprint",
    "fingerprint_differences",
    "read_partial",
    "save_run_wells",
    "scan_partials",
    "check_partials",
    "merge_sorted",
    "plan_run",
    "check_resumable",
    "clear_partials",
    "parse_range",
    "format_ranges",
    "partials_lock",
]

#: Version of the numerics (kriging, simulation, statistics). Bump it whenever a change alters the
#: numbers of a realization or the accumulator's arrays: partials of another version are refused.
NUMERICS_VERSION = "1"
#: Config keys that do NOT change the statistics; every other key is part of the fingerprint's
#: ``config`` component, so a key added later is fingerprinted unless it is listed here.
UNFINGERPRINTED_KEYS = (
    "config_file",       # where the config was read from
    "las",               # input paths: the data fingerprint covers what they hold
    "well_headers",
    "surveys",
    "output",
    "outputs",           # result formats and figures
    "batch_size",        # speed and memory only
    "checkpoint_every",
    "realizations",      # realization r depends only on (seed, r): runs can be extended or split
    "quantiles",         # read off the histograms at the end
)
#: Folder of the partial files inside a run's output directory.
PARTIALS_DIR = "partials"
_PARTIAL_RE = re.compile(r"^part-[0-9a-f]{32}\.npz$")
_STATS_PREFIX = "stats_"
_FINGERPRINT_PARTS = ("config", "data", "numerics")


class CheckpointError(KrigflowError):
    """A partial file is unreadable, belongs to another run, or partials overlap."""


# --- fingerprints -------------------------------------------------------------------------------------------


def config_fingerprint(config) -> str:
    """Return the canonical JSON of the config keys that change the statistics.

    Parameters
    ----------
    config : dict
        Validated configuration.

    Returns
    -------
    str

    Examples
    --------
    >>> config_fingerprint({"seed": 1, "property": "GR", "output": "x"})
    '{"property": "GR", "seed": 1}'
    """
    return json.dumps({k: v for k, v in config.items() if k not in UNFINGERPRINTED_KEYS}, sort_keys=True)


def data_fingerprint(problem) -> str:
    """Return the SHA-256 (hex) of a problem's grid, conditioning data and kriging mean."""
    h = hashlib.sha256()
    grid, data = problem.grid, problem.data
    for values in (grid.origin, grid.spacing):
        h.update(np.asarray(values, dtype="<f8").tobytes())
    h.update(np.asarray(grid.shape, dtype="<i8").tobytes())
    for name in ("easting", "northing", "tvdss", "values"):
        h.update(np.ascontiguousarray(getattr(data, name), dtype="<f8").tobytes())
    h.update(np.ascontiguousarray(data.well, dtype="<i8").tobytes())
    h.update(np.ascontiguousarray(data.cells, dtype="<i8").tobytes())
    h.update(json.dumps([list(data.well_names), problem.mean]).encode())
    return h.hexdigest()


def make_fingerprint(config, problem) -> dict:
    """Return the fingerprint ``{"config", "data", "numerics"}`` of a run."""
    return {
        "config": config_fingerprint(config),
        "data": data_fingerprint(problem),
        "numerics": NUMERICS_VERSION,
    }


def fingerprint_differences(expected, found) -> list:
    """Describe how fingerprint ``found`` differs from ``expected`` (empty list: equal).

    Examples
    --------
    >>> a = {"config": '{"seed": 1}', "data": "ab", "numerics": "1"}
    >>> fingerprint_differences(a, dict(a, config='{"seed": 2}', numerics="2"))
    ['config: seed = 2 there, 1 here', 'numerics version 2 there, 1 here']
    """
    out = []
    if expected.get("config") != found.get("config"):
        try:
            mine, theirs = _flatten(json.loads(expected["config"])), _flatten(json.loads(found["config"]))
            keys = sorted(set(mine) | set(theirs))
            diffs = [
                f"{k} = {json.dumps(theirs.get(k))} there, {json.dumps(mine.get(k))} here"
                for k in keys
                if mine.get(k) != theirs.get(k)
            ]
        except (TypeError, ValueError, KeyError):
            diffs = ["the configuration differs"]
        out.append("config: " + "; ".join(diffs or ["the configuration differs"]))
    if expected.get("data") != found.get("data"):
        out.append(
            "conditioning data or grid differ (wells, LAS values or grid bounds changed; "
            f"data hash {str(found.get('data'))[:12]} there, {str(expected.get('data'))[:12]} here)"
        )
    if expected.get("numerics") != found.get("numerics"):
        out.append(f"numerics version {found.get('numerics')} there, {expected.get('numerics')} here")
    return out


def _flatten(obj, prefix=""):
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            out.update(_flatten(value, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: obj}


# --- partial files ------------------------------------------------------------------------------------------


@dataclass
class PartialFile:
    """A partial file's metadata; the statistics are read only when :attr:`stats` is used.

    Attributes
    ----------
    path : str
    indices : int64 array, shape (k,)
        Sorted realization indices covered.
    fingerprint : dict
        ``{"config", "data", "numerics"}``.
    meta : dict
        Run id, kriger, pid, host, ``realizations`` (of the run that wrote it), ``accumulator``,
        ``grid`` and ``run_info``.
    """

    path: str
    indices: np.ndarray
    fingerprint: dict
    meta: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def stats(self):
        """The accumulator, read from the file now (not cached: merging keeps one file in memory)."""
        return _read_stats(self.path, self.meta.get("accumulator", "RunningStats"))


def _atomic_savez(path, arrays) -> None:
    """``np.savez`` to ``path`` atomically (see :func:`krigflow.io.atomic.atomic_path`)."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)


def write_partial(path, stats, indices, fingerprint, meta) -> None:
    """Write one partial file atomically.

    Parameters
    ----------
    path : str
    stats : krigflow.stats.running.RunningStats (or a sibling accumulator)
        Written from ``stats.to_dict()``; restored with ``from_dict``.
    indices : sequence of int
        Realization indices covered by ``stats``.
    fingerprint : dict
        From :func:`make_fingerprint`.
    meta : dict
        JSON-serialisable metadata.

    Raises
    ------
    OSError
        If the file cannot be written (the previous version of the file, if any, is kept).
    """
    arrays = {f"{_STATS_PREFIX}{k}": np.asarray(v) for k, v in stats.to_dict().items()}
    for key, value in arrays.items():
        if value.dtype.hasobject:
            raise CheckpointError(f"accumulator array {key[len(_STATS_PREFIX):]!r} has dtype object")
    arrays["indices"] = np.sort(np.asarray(indices, dtype=np.int64))
    for part in _FINGERPRINT_PARTS:
        arrays[f"fingerprint_{part}"] = np.array(str(fingerprint[part]))
    meta = dict(meta, accumulator=type(stats).__name__)
    arrays["meta"] = np.array(json.dumps(meta, default=jsonable))
    _atomic_savez(path, arrays)


def _open_npz(path):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:  # ValueError: pickled data or not an npz
        raise CheckpointError(f"partial file {path}: cannot be read as data ({' '.join(str(exc).split())})") from exc


def _member(npz, path, key, *, kind=None):
    if key not in npz.files:
        raise CheckpointError(f"partial file {path}: no {key!r} array; not a krigflow partial file")
    try:
        value = npz[key]
    except (ValueError, OSError, EOFError) as exc:  # object arrays are refused here, never unpickled
        raise CheckpointError(f"partial file {path}: array {key!r} cannot be read as data ({exc})") from exc
    if value.dtype.hasobject or (kind is not None and value.dtype.kind not in kind):
        raise CheckpointError(f"partial file {path}: array {key!r} has unexpected dtype {value.dtype}")
    return value


def read_partial(path) -> PartialFile:
    """Read a partial file's indices, fingerprint and metadata (not its statistics arrays).

    Every array of the file is checked to be plain data: a file holding an object (pickled) array, or
    that is not an ``.npz`` archive, is refused with :class:`CheckpointError` without being unpickled.

    Parameters
    ----------
    path : str

    Returns
    -------
    PartialFile

    Raises
    ------
    CheckpointError
        If the file is unreadable, holds non-data arrays, or misses a key.
    """
    path = os.path.abspath(path)
    with _open_npz(path) as npz:
        for key in npz.files:  # header-only check of every member first: no object array anywhere
            _check_member_header(npz, path, key)
        indices = _member(npz, path, "indices", kind="iu").astype(np.int64)
        fingerprint = {p: str(_member(npz, path, f"fingerprint_{p}", kind="U")) for p in _FINGERPRINT_PARTS}
        try:
            meta = json.loads(str(_member(npz, path, "meta", kind="U")))
        except ValueError as exc:
            raise CheckpointError(f"partial file {path}: 'meta' is not valid JSON") from exc
        if not isinstance(meta, dict):
            raise CheckpointError(f"partial file {path}: 'meta' is not a JSON object")
        if not any(k.startswith(_STATS_PREFIX) for k in npz.files):
            raise CheckpointError(f"partial file {path}: no statistics arrays")
    if indices.ndim != 1 or np.any(np.diff(indices) <= 0) or (indices.size and indices[0] < 0):
        raise CheckpointError(f"partial file {path}: 'indices' must be sorted, unique and non-negative")
    return PartialFile(path=path, indices=indices, fingerprint=fingerprint, meta=meta,
                       seconds=float(meta.get("seconds", 0.0)))


def _check_member_header(npz, path, key):
    """Refuse an object-dtype member by reading only its .npy header (nothing is unpickled)."""
    import zipfile

    try:
        with npz.zip.open(f"{key}.npy") as member:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                _, _, dtype = np.lib.format.read_array_header_1_0(member)
            else:
                _, _, dtype = np.lib.format.read_array_header_2_0(member)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise CheckpointError(f"partial file {path}: array {key!r} cannot be read as data ({exc})") from exc
    if dtype.hasobject:
        raise CheckpointError(
            f"partial file {path}: array {key!r} holds Python objects (pickled data); refused, not unpickled"
        )


def _read_stats(path, accumulator):
    cls = getattr(_stats_module, accumulator, None)
    if not isinstance(cls, type) or not hasattr(cls, "from_dict"):
        raise CheckpointError(f"partial file {path}: unknown accumulator {accumulator!r}")
    with _open_npz(path) as npz:
        arrays = {
            key[len(_STATS_PREFIX):]: _member(npz, path, key)
            for key in npz.files
            if key.startswith(_STATS_PREFIX)
        }
    try:
        return cls.from_dict(arrays)
    except KrigflowError as exc:
        raise CheckpointError(f"partial file {path}: {exc}") from exc


def partial_paths(folder) -> list:
    """Partial files (``part-<uuid>.npz``) in ``folder`` or in ``folder/partials``, sorted by name."""
    folder = os.path.abspath(folder)
    sub = os.path.join(folder, PARTIALS_DIR)
    if os.path.isdir(sub):
        folder = sub
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CheckpointError(f"partials folder {folder}: cannot be listed ({exc.strerror or exc})") from exc
    return [os.path.join(folder, n) for n in sorted(names) if _PARTIAL_RE.match(n)]


def scan_partials(folders) -> list:
    """Read the metadata of every partial file in some folders (run outputs or ``partials/`` folders).

    Returns
    -------
    list of PartialFile
        Sorted by smallest realization index (empty files are skipped).
    """
    if isinstance(folders, (str, os.PathLike)):
        folders = [folders]
    found = []
    for folder in folders:
        found.extend(read_partial(p) for p in partial_paths(os.fspath(folder)))
    return sorted((p for p in found if p.indices.size), key=lambda p: (int(p.indices[0]), p.path))


def check_partials(partials, expected=None) -> np.ndarray:
    """Check that partials share one fingerprint and cover disjoint realizations.

    Parameters
    ----------
    partials : sequence of PartialFile (or objects with ``indices``, ``fingerprint`` and ``path``)
    expected : dict, optional
        The fingerprint they must have (default: that of the first partial).

    Returns
    -------
    int64 array
        The realization indices covered, sorted.

    Raises
    ------
    CheckpointError
        Naming the file and what differs, or the files that cover a realization twice.
    """
    partials = list(partials)
    if not partials:
        return np.zeros(0, dtype=np.int64)
    reference = expected if expected is not None else partials[0].fingerprint
    where = "this run" if expected is not None else os.path.basename(partials[0].path)
    for p in partials:
        diffs = fingerprint_differences(reference, p.fingerprint)
        if diffs:
            raise CheckpointError(
                f"partial file {p.path} was computed with a different setup than {where}: "
                + "; ".join(diffs)
            )
    owner = {}
    for p in sorted(partials, key=lambda q: (int(q.indices[0]) if len(q.indices) else -1, q.path)):
        for r in np.asarray(p.indices).tolist():
            if r in owner:
                both = [q for q in partials if r in set(np.asarray(q.indices).tolist())]
                overlap = np.intersect1d(both[0].indices, both[1].indices)
                raise CheckpointError(
                    f"partial files {both[0].path} and {both[1].path} both cover realizations "
                    f"{format_ranges(overlap)}; refusing to count them twice (were the same runs "
                    "combined twice, or one output folder copied into another?)"
                )
            owner[r] = p
    return np.array(sorted(owner), dtype=np.int64)


def merge_sorted(partials):
    """Merge the statistics of partials in a fixed order (by smallest realization index).

    Objects with ``indices`` and ``stats`` (e.g. :class:`krigflow.run.core.Partial` or
    :class:`PartialFile`, whose statistics are read one file at a time). Returns the merged
    accumulator, or None if there is nothing.
    """
    merged = None
    for p in sorted((p for p in partials if len(p.indices)), key=lambda p: int(np.min(p.indices))):
        merged = p.stats if merged is None else merged.merge(p.stats)
    return merged


# --- the kriger side ----------------------------------------------------------------------------------------


class Checkpointer:
    """Write one kriger's cumulative accumulator to its own partial file every ``every`` realizations.

    Parameters
    ----------
    folder : str
        The ``partials`` folder (created if needed).
    fingerprint : dict
    meta : dict
        Metadata recorded in the file (run id, total realizations, grid, run info...).
    every : int
        Checkpoint interval in realizations (rounded up to whole chunks).
    """

    def __init__(self, folder, fingerprint, meta, every):
        self.folder, self.fingerprint, self.meta, self.every = folder, fingerprint, dict(meta), int(every)
        self.path = os.path.join(folder, f"part-{uuid.uuid4().hex}.npz")
        self.written = 0  # realizations in the file
        self.lock_ = None

    def start(self):
        """Create the folder and hold a shared lock on it while this kriger lives (see :func:`partials_lock`)."""
        try:
            os.makedirs(self.folder, exist_ok=True)
            self.lock_ = open(os.path.join(self.folder, ".lock"), "a")  # noqa: SIM115 - held until exit
            fcntl.flock(self.lock_.fileno(), fcntl.LOCK_SH)
        except OSError as exc:
            raise KrigflowError(
                f"cannot write partial results to {self.folder}: {exc.strerror or exc}"
            ) from exc

    def close(self):
        """Release the folder lock (at the end of the kriger's work)."""
        if self.lock_ is not None:
            self.lock_.close()
            self.lock_ = None

    def update(self, stats, indices, seconds=0.0, *, final=False) -> bool:
        """Write the file if ``every`` realizations were added since the last write (or ``final``).

        Returns True if the file was written. Raises :class:`KrigflowError` naming the file on a write
        error (the previous version of the file stays valid).
        """
        n = len(indices)
        if n == self.written or (not final and n - self.written < self.every):
            return False
        meta = dict(self.meta, pid=os.getpid(), host=socket.gethostname(), seconds=seconds,
                    final=bool(final), written=time.time())
        try:
            write_partial(self.path, stats, indices, self.fingerprint, meta)
        except OSError as exc:
            raise KrigflowError(
                f"cannot write the checkpoint {self.path}: {exc.strerror or exc}; partial files already "
                f"written in {self.folder} are kept (run again to resume)"
            ) from exc
        self.written = n
        return True


def partials_lock(folder, *, exclusive=True):
    """Try to lock a ``partials`` folder; return the open lock file, or None if another run holds it.

    Running krigers hold a shared lock on ``partials/.lock``; a new run takes the exclusive lock
    briefly while it reads the partials, so that it never resumes while another run (e.g. an orphan
    of a killed ``krigflow run``) still writes there.
    """
    os.makedirs(folder, exist_ok=True)
    fh = open(os.path.join(folder, ".lock"), "a")  # noqa: SIM115
    try:
        fcntl.flock(fh.fileno(), (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        return None
    return fh


# --- planning a run -----------------------------------------------------------------------------------------


@dataclass
class RunPlan:
    """What a run has to do, given what its output folder already holds.

    Attributes
    ----------
    fingerprint : dict
    prior : list of PartialFile
        Partials of earlier attempts (merged with this run's at the end).
    todo : int64 array
        Realizations to compute.
    wanted : int64 array
        Realizations this run is asked for (its range, else all).
    complete : bool
        The output already holds the final results of this fingerprint and every realization.
    """

    fingerprint: dict
    prior: list
    todo: np.ndarray
    wanted: np.ndarray
    complete: bool = False

    @property
    def covered(self) -> np.ndarray:
        """Realizations covered by the prior partials."""
        if not self.prior:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate([p.indices for p in self.prior]))


def save_run_wells(output, problem) -> str:
    """Keep the wells and conditioning data of a run beside its partials (``partials/wells.npz``).

    A run that computes only a range of realizations writes no final results, so this is where
    :func:`krigflow.run.combine.combine` finds what the figures need.

    Parameters
    ----------
    output : str
        The run's output folder.
    problem : krigflow.run.core.Problem
        The run's problem.

    Returns
    -------
    str
        The file written.
    """
    from krigflow.io import WELLS_FILE, write_wells

    folder = os.path.join(output, PARTIALS_DIR)
    os.makedirs(folder, exist_ok=True)
    return write_wells(os.path.join(folder, WELLS_FILE), problem.data, getattr(problem, "traces", None))


def plan_run(config, problem, *, realizations_range=None, overwrite=False) -> RunPlan:
    """Decide what a run computes: skip realizations already in ``OUTPUT/partials``.

    Parameters
    ----------
    config : dict
        Validated configuration.
    problem : krigflow.run.core.Problem
    realizations_range : (int, int), optional
        Compute only ``A <= r < B``.
    overwrite : bool, default False
        Existing final results are to be replaced: neither compared nor taken as complete (the partials
        were cleared before, by :func:`check_resumable`).

    Returns
    -------
    RunPlan

    Raises
    ------
    CheckpointError
        If existing partials or results have another fingerprint (the message says what differs), if
        partials overlap, or if another run is writing in the same folder.
    """
    output = config["output"]
    fp = make_fingerprint(config, problem)
    total = int(config["realizations"])
    start, stop = (0, total) if realizations_range is None else realizations_range
    wanted = np.arange(start, min(stop, total), dtype=np.int64)
    folder = os.path.join(output, PARTIALS_DIR)
    prior = []
    if os.path.isdir(folder):
        lock = partials_lock(folder)
        if lock is None:
            raise CheckpointError(
                f"another run is still writing partial results in {folder} (a kriger process of it is "
                "alive); wait for it to end or stop it, then run again"
            )
        try:
            prior = scan_partials(folder)
        finally:
            lock.close()
        check_partials(prior, expected=fp)
    summary = None if overwrite else _read_summary(output)
    if summary is not None and os.path.exists(os.path.join(output, "stats.npz")):
        diffs = fingerprint_differences(fp, summary.get("fingerprint") or {})
        if diffs:
            raise CheckpointError(
                f"output: {output} holds results of a different run ({'; '.join(diffs)}); "
                "use --overwrite to replace them, or choose another output directory"
            )
    covered = np.unique(np.concatenate([p.indices for p in prior])) if prior else np.zeros(0, np.int64)
    todo = np.setdiff1d(wanted, covered)
    # Final results of this fingerprint (checked above) and of every realization: nothing to do, even if
    # the partials were deleted since.
    complete = (
        summary is not None
        and os.path.exists(os.path.join(output, "stats.npz"))
        and int(summary.get("realizations_done", -1)) == total
    )
    return RunPlan(fingerprint=fp, prior=prior, todo=todo, wanted=wanted, complete=complete)


def check_resumable(config, *, overwrite=False) -> str:
    """Check, before any work, that a run may use its output folder; clear it with ``overwrite``.

    Existing results or partials of the *same* config are resumed (the conditioning data are checked
    later, once the wells are read); results without a fingerprint, or partials/results of another
    config, are refused with the reason.

    Returns
    -------
    str
        ``"fresh"``, ``"resume"`` or ``"overwrite"``.

    Raises
    ------
    KrigflowError
        If the output cannot be used (not a folder, not writable, another config, unknown results).
    """
    output = config["output"]
    if os.path.exists(output) and not os.path.isdir(output):
        raise KrigflowError(f"output: {output} exists and is not a directory")
    if overwrite:
        clear_partials(output)
        _probe_writable(output)
        return "overwrite"
    _probe_writable(output)
    mine = {"config": config_fingerprint(config)}
    state = "fresh"
    has_results = [n for n in ("stats.npz", "summary.json") if os.path.exists(os.path.join(output, n))]
    if has_results:
        summary = _read_summary(output)
        found = (summary or {}).get("fingerprint")
        if not found:
            raise KrigflowError(
                f"output: {output} already holds {', '.join(has_results)} without a run fingerprint "
                "(from an older or interrupted run); refusing to overwrite (use --overwrite, or choose "
                "another output directory)"
            )
        diffs = fingerprint_differences(mine, {"config": found.get("config")})
        if diffs:
            raise KrigflowError(
                f"output: {output} holds results of another configuration ({'; '.join(diffs)}); refusing "
                "to overwrite (use --overwrite, or choose another output directory)"
            )
        state = "resume"
    for p in scan_partials(output):
        diffs = fingerprint_differences(mine, {"config": p.fingerprint.get("config")})
        if diffs:
            raise KrigflowError(
                f"output: partial file {p.path} was computed with another configuration "
                f"({'; '.join(diffs)}); refusing to resume (use --overwrite to discard the partials, or "
                "choose another output directory)"
            )
        state = "resume"
    return state


def _probe_writable(output):
    folder = os.path.join(output, PARTIALS_DIR)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".probe-", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise KrigflowError(
            f"output: cannot write in {folder}: {exc.strerror or exc}"
        ) from exc


def _read_summary(output):
    try:
        with open(os.path.join(output, "summary.json"), encoding="utf-8") as fh:
            summary = json.load(fh)
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None


def clear_partials(output) -> int:
    """Delete the partial files (and stray temporary files) of an output folder; return how many."""
    folder = os.path.join(output, PARTIALS_DIR)
    if not os.path.isdir(folder):
        return 0
    removed = 0
    for name in os.listdir(folder):
        if _PARTIAL_RE.match(name) or (name.startswith(".part-") and name.endswith(".tmp")):
            os.unlink(os.path.join(folder, name))
            removed += 1
    return removed


# --- realization ranges ------------------------------------------------------------------------------------


def parse_range(text, total=None) -> tuple:
    """Parse ``A:B`` (realizations ``A <= r < B``; ``A:`` and ``:B`` allowed).

    Examples
    --------
    >>> parse_range("0:100"), parse_range("250:", 300), parse_range(":5")
    ((0, 100), (250, 300), (0, 5))
    """
    m = re.fullmatch(r"\s*(\d*)\s*:\s*(\d*)\s*", str(text))
    if not m or (not m.group(2) and total is None):
        raise KrigflowError(
            f"--realizations: expected A:B (realizations A <= r < B, e.g. 0:100), got {text!r}"
        )
    start = int(m.group(1) or 0)
    stop = int(m.group(2)) if m.group(2) else int(total)
    if stop <= start:
        raise KrigflowError(f"--realizations: empty range {text!r} (need A < B)")
    if total is not None and stop > total:
        raise KrigflowError(
            f"--realizations: range {text!r} goes beyond the {total} realizations of the config "
            "(raise 'realizations' in the config to extend a run)"
        )
    return start, stop


def format_ranges(indices, limit=8) -> str:
    """Compact text of sorted indices, e.g. ``0-3, 7, 9-12``.

    Examples
    --------
    >>> format_ranges([0, 1, 2, 3, 7, 9, 10])
    '0-3, 7, 9-10'
    """
    indices = np.unique(np.asarray(indices, dtype=np.int64))
    if indices.size == 0:
        return "none"
    breaks = np.flatnonzero(np.diff(indices) != 1)
    starts = np.concatenate([[indices[0]], indices[breaks + 1]])
    ends = np.concatenate([indices[breaks], [indices[-1]]])
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in zip(starts.tolist(), ends.tolist())]
    more = f" ... ({len(parts) - limit} more ranges)" if len(parts) > limit else ""
    return ", ".join(parts[:limit]) + more


def chunk_indices(indices, batch_size) -> list:
    """Split sorted realization indices into chunks of ``batch_size`` (lists of int).

    Examples
    --------
    >>> chunk_indices([0, 1, 2, 5, 6], 2)
    [[0, 1], [2, 5], [6]]
    """
    indices = np.asarray(indices, dtype=np.int64)
    return [indices[i : i + batch_size].tolist() for i in range(0, indices.size, batch_size)]


def checkpoint_info(config, problem, plan, *, wells=None, run_id=None) -> dict:
    """What a SampleKriger needs to write its partial file (sent with the problem).

    Returns
    -------
    dict
        ``folder``, ``every``, ``fingerprint`` and ``meta`` (run id, total realizations, grid, and the
        run information that :func:`krigflow.run.combine.combine` puts into ``summary.json``).
    """
    grid = problem.grid
    meta = {
        "run_id": run_id,
        "realizations": int(config["realizations"]),
        "grid": {
            "origin": [float(v) for v in grid.origin],
            "spacing": [float(v) for v in grid.spacing],
            "shape": [int(v) for v in grid.shape],
        },
        "run_info": {
            "config": config,
            "wells": wells or [],
            "n_data": int(problem.data.n),
            "kriging_mean": problem.mean,
        },
    }
    return {
        "folder": os.path.join(config["output"], PARTIALS_DIR),
        "every": int(config["checkpoint_every"]),
        "fingerprint": plan.fingerprint,
        "meta": meta,
    }


def coverage(plan, partials, total) -> tuple:
    """Check this run's partials against its plan.

    Parameters
    ----------
    plan : RunPlan
    partials : sequence of objects with ``indices``
        This attempt's partials.
    total : int
        Realizations of the config.

    Returns
    -------
    (bool, int64 array)
        Whether every realization ``0 .. total-1`` is now covered, and the covered indices.

    Raises
    ------
    CheckpointError
        If a realization is covered twice, or a wanted realization is missing.
    """
    parts = [np.asarray(p.indices, dtype=np.int64) for p in list(partials) + list(plan.prior)]
    done = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    unique = np.unique(done)
    if unique.size != done.size:
        values, counts = np.unique(done, return_counts=True)
        raise CheckpointError(f"realizations computed twice: {format_ranges(values[counts > 1])}")
    missing = np.setdiff1d(plan.wanted, unique)
    if missing.size:
        raise CheckpointError(
            f"realizations missing at the end of the run: {format_ranges(missing)} "
            f"({missing.size} of {plan.wanted.size})"
        )
    return bool(np.isin(np.arange(total), unique).all()), unique


def finish_run(config, problem, wells_info, plan, partials, *, mapping, timings) -> dict:
    """Last step of a checkpointed run: merge this attempt's partials with the earlier ones.

    Parameters
    ----------
    config, problem, wells_info
        As for :func:`krigflow.run.core.complete_run`.
    plan : RunPlan
        From :func:`plan_run` (at the start of the run).
    partials : sequence of krigflow.run.core.Partial
        This attempt's partials.
    mapping : str
    timings : dict

    Returns
    -------
    dict
        ``state``: ``"complete"`` (every realization covered: ``stats.npz`` and ``summary.json``
        written, also ``arrays``), ``"already complete"`` (nothing to do) or ``"range"`` (the requested
        range is covered, other realizations are missing: partials only, no final files); ``summary``
        with at least ``realizations_done``.

    Raises
    ------
    CheckpointError
        If realizations are missing or duplicated.
    """
    from krigflow.run.core import complete_run

    total = int(config["realizations"])
    if plan.complete:
        return {"state": "already complete", "summary": {"realizations_done": total}}
    full, done = coverage(plan, partials, total)
    if not full:
        missing = np.setdiff1d(np.arange(total), done)
        return {
            "state": "range",
            "summary": {
                "realizations_done": int(np.isin(plan.wanted, done).sum()),
                "range": [int(plan.wanted[0]), int(plan.wanted[-1]) + 1],
                "covered": int(done.size),
                "missing": format_ranges(missing),
            },
        }
    # The existing results (if any) were checked against this fingerprint by plan_run: replace them.
    result = complete_run(
        config, problem, wells_info, list(partials) + list(plan.prior), mapping=mapping,
        timings=timings, overwrite=True, fingerprint=plan.fingerprint,
    )
    result["state"] = "complete"
    return result
