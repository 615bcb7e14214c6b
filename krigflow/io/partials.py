"""Partial files: the statistics of a set of realizations on disk, read back as plain data.

Every worker of a run keeps one accumulator (:class:`krigflow.stats.RunningStats`, or any class of
:mod:`krigflow.stats` with ``to_dict``/``from_dict``/``merge``) and writes it, *cumulatively*, to its
own partial file ``OUTPUT/partials/part-<uuid>.npz`` every ``checkpoint_every`` realizations and at the
end. The file keeps its name and is replaced atomically each time (temporary file in the same folder,
fsync, :func:`os.replace`), so there is never more than one file per worker and attempt, and a realization
is never counted twice: no superseding, no deletion, nothing to tolerate after a crash except stray
``.part-*.tmp`` files, which are ignored (and removed by :func:`clear_partials`).

A partial file is plain data (read with ``numpy.load(..., allow_pickle=False)``; a file holding a
pickled object is refused without being unpickled):

- ``stats_<field>``: the accumulator arrays (whatever ``to_dict()`` returns),
- ``indices``: int64, the sorted realization indices it covers,
- ``fingerprint_config``, ``fingerprint_data``, ``fingerprint_numerics``: 0-d unicode arrays (see
  :mod:`krigflow.run.fingerprint`),
- ``summary_columns``, ``summary_index``, ``summary_values``: the per-realization summaries of the same
  realizations (:class:`krigflow.stats.SummaryTable`), when the run computes them,
- ``meta``: a 0-d unicode array holding JSON (run id, worker, pid, host, total realizations of the run,
  accumulator class, grid, and the run information ``krigflow combine`` needs for ``summary.json``).

Running workers hold a shared lock on ``partials/.lock`` (:func:`partials_lock`), so that a new run never
resumes from a folder another run still writes in.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
from dataclasses import dataclass, field

import numpy as np

import krigflow.stats as _stats_package
from krigflow.exceptions import KrigflowError
from krigflow.io.atomic import atomic_path, jsonable

logger = logging.getLogger(__name__)

__all__ = [
    "PARTIALS_DIR",
    "CheckpointError",
    "SavedPartial",
    "write_partial",
    "read_partial",
    "partial_paths",
    "scan_partials",
    "clear_partials",
    "partials_lock",
]

#: Folder of the partial files inside a run's output directory.
PARTIALS_DIR = "partials"
_PARTIAL_RE = re.compile(r"^part-[0-9a-f]{32}\.npz$")
_STATS_PREFIX = "stats_"
_FINGERPRINT_PARTS = ("config", "data", "numerics")


class CheckpointError(KrigflowError):
    """A partial file is unreadable, belongs to another run, or partials overlap."""




@dataclass
class SavedPartial:
    """A partial file on disk: its metadata now, its statistics only when :attr:`stats` is used.

    It has the attributes of an in-memory :class:`krigflow.run.Partial` (``indices``, ``stats``,
    ``seconds``), so both merge alike.

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
    summaries : krigflow.stats.SummaryTable or None
        Per-realization summaries of ``indices`` (None in files without them).
    """

    path: str
    indices: np.ndarray
    fingerprint: dict
    meta: dict = field(default_factory=dict)
    seconds: float = 0.0
    summaries: object = None

    @property
    def stats(self):
        """The accumulator, read from the file now (not cached: merging keeps one file in memory)."""
        return _read_stats(self.path, self.meta.get("accumulator", "RunningStats"))


def _atomic_savez(path, arrays) -> None:
    """``np.savez`` to ``path`` atomically (see :func:`krigflow.io.atomic.atomic_path`)."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)


def write_partial(path, stats, indices, fingerprint, meta, summaries=None) -> None:
    """Write one partial file atomically.

    Parameters
    ----------
    path : str
    stats : krigflow.stats.RunningStats (or a sibling accumulator)
        Written from ``stats.to_dict()``; restored with ``from_dict``.
    indices : sequence of int
        Realization indices covered by ``stats``.
    fingerprint : dict
        From :func:`krigflow.run.make_fingerprint`.
    meta : dict
        JSON-serialisable metadata.
    summaries : krigflow.stats.SummaryTable, optional
        Per-realization summaries of the same realizations.

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
    if summaries is not None:
        arrays.update(summaries.to_arrays())
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


def read_partial(path) -> SavedPartial:
    """Read a partial file's indices, fingerprint and metadata (not its statistics arrays).

    Every array of the file is checked to be plain data: a file holding an object (pickled) array, or
    that is not an ``.npz`` archive, is refused with :class:`CheckpointError` without being unpickled.

    Parameters
    ----------
    path : str

    Returns
    -------
    SavedPartial

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
        summaries = _read_summaries(npz, path)
    if indices.ndim != 1 or np.any(np.diff(indices) <= 0) or (indices.size and indices[0] < 0):
        raise CheckpointError(f"partial file {path}: 'indices' must be sorted, unique and non-negative")
    if summaries is not None and not np.array_equal(summaries.index, indices):
        raise CheckpointError(f"partial file {path}: its realization summaries do not cover its realizations")
    return SavedPartial(path=path, indices=indices, fingerprint=fingerprint, meta=meta,
                        seconds=float(meta.get("seconds", 0.0)), summaries=summaries)


def _read_summaries(npz, path):
    """The per-realization summaries of a partial file, or None if it has none."""
    if "summary_index" not in npz.files:
        return None
    arrays = {"summary_columns": _member(npz, path, "summary_columns", kind="U"),
              "summary_index": _member(npz, path, "summary_index", kind="iu"),
              "summary_values": _member(npz, path, "summary_values", kind="f")}
    try:
        return _stats_package.SummaryTable.from_arrays(arrays)
    except (KrigflowError, ValueError) as exc:
        raise CheckpointError(f"partial file {path}: realization summaries unreadable ({exc})") from exc


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
    cls = getattr(_stats_package, accumulator, None)
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
    list of SavedPartial
        Sorted by smallest realization index (empty files are skipped).
    """
    if isinstance(folders, (str, os.PathLike)):
        folders = [folders]
    found = []
    for folder in folders:
        found.extend(read_partial(p) for p in partial_paths(os.fspath(folder)))
    return sorted((p for p in found if p.indices.size), key=lambda p: (int(p.indices[0]), p.path))


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
