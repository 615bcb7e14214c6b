"""Writing run results: ``stats.npz``, ``summary.json`` and the status record.

Every file is written atomically: to a temporary file in the same folder,
flushed and fsync'ed, then renamed over the final name with :func:`os.replace`.
A reader therefore sees either the old file or the complete new one. Existing
results are never replaced unless asked (``overwrite=True``).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import tempfile

import numpy as np

from krigflow.exceptions import KrigflowError

logger = logging.getLogger(__name__)

__all__ = [
    "RESULT_FILES",
    "STATUS_FILE",
    "OutputExistsError",
    "check_output",
    "write_outputs",
    "write_status",
    "read_status",
    "atomic_write",
]

#: Files holding the results of a run (their presence means "output exists").
RESULT_FILES = ("stats.npz", "summary.json")
#: Name of the status record written in the output folder by a dispel4py run.
STATUS_FILE = "status.json"


class OutputExistsError(KrigflowError):
    """The output folder already holds results and overwriting was not asked for."""


def check_output(output_dir, *, overwrite=False) -> None:
    """Refuse to run if ``output_dir`` already holds results.

    Parameters
    ----------
    output_dir : str
        Output folder.
    overwrite : bool, default False
        If True, existing results are allowed (they will be replaced).

    Raises
    ------
    OutputExistsError
        If ``stats.npz`` or ``summary.json`` exists in ``output_dir`` and
        ``overwrite`` is False.
    KrigflowError
        If ``output_dir`` exists and is not a folder.

    Examples
    --------
    >>> import tempfile
    >>> check_output(tempfile.mkdtemp())
    """
    if os.path.exists(output_dir) and not os.path.isdir(output_dir):
        raise KrigflowError(f"output: {output_dir} exists and is not a directory")
    existing = [name for name in RESULT_FILES if os.path.exists(os.path.join(output_dir, name))]
    if existing and not overwrite:
        raise OutputExistsError(
            f"output: {output_dir} already holds {', '.join(existing)}; "
            "refusing to overwrite (use --overwrite, or choose another output directory)"
        )


@contextlib.contextmanager
def atomic_path(path):
    """Give a temporary path to write ``path`` through, then publish it atomically.

    The temporary file sits in the folder of ``path``. When the ``with`` block succeeds, the file is
    fsynced, given the permissions an ordinary new file would get (``0o666`` less the umask, not
    ``mkstemp``'s private ``0o600``: results are shared between users and jobs) and renamed over
    ``path``; the rename is then made durable by fsyncing the folder. When the block raises, the
    temporary file is removed and ``path`` is untouched, so a reader never sees a half-written file.

    Parameters
    ----------
    path : str
        Final file path; its folder must exist.

    Yields
    ------
    str
        The temporary path to write.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with atomic_path(os.path.join(folder, "a.txt")) as tmp:
    ...     with open(tmp, "w") as fh:
    ...         _ = fh.write("done")
    >>> open(os.path.join(folder, "a.txt")).read()
    'done'
    """
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)


def write_outputs(output_dir, arrays, summary, *, overwrite=False) -> list:
    """Write ``stats.npz`` and ``summary.json`` into ``output_dir``.

    Parameters
    ----------
    output_dir : str
        Output folder (created if needed).
    arrays : dict of str to array
        Arrays for ``stats.npz`` (see :func:`krigflow.run.core.finalize`).
    summary : dict
        JSON-serialisable run summary.
    overwrite : bool, default False
        Replace existing results.

    Returns
    -------
    list of str
        Paths written.

    Raises
    ------
    OutputExistsError
        If results exist and ``overwrite`` is False.
    """
    check_output(output_dir, overwrite=overwrite)
    os.makedirs(output_dir, exist_ok=True)
    buffer = io.BytesIO()
    np.savez(buffer, **{k: np.asarray(v) for k, v in arrays.items()})
    stats_path = os.path.join(output_dir, "stats.npz")
    summary_path = os.path.join(output_dir, "summary.json")
    atomic_write(stats_path, buffer.getvalue())
    atomic_write(summary_path, _json_bytes(summary))
    logger.info("wrote %s and %s", stats_path, summary_path)
    return [stats_path, summary_path]


def write_status(path, status) -> None:
    """Write a status record (JSON) atomically, creating its folder if needed."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic_write(path, _json_bytes(status))


def read_status(path):
    """Return the status record at ``path``, or None if there is none (or it is unreadable)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def _json_bytes(obj) -> bytes:
    return (json.dumps(obj, indent=2, default=jsonable) + "\n").encode("utf-8")


def jsonable(obj):
    """``json.dumps`` fallback: numpy scalars and arrays as Python values, anything else as text."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)
