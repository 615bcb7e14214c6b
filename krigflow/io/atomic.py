"""Atomic file writing: a reader sees either the old file or the complete new one, never half of one.

Every file krigflow writes goes to a temporary file in the same folder, is flushed and fsync'ed, then
renamed over the final name with :func:`os.replace` (:func:`atomic_path`).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile

import numpy as np

__all__ = ["atomic_path", "atomic_write", "json_bytes", "jsonable", "write_atomically"]


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
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "b.bin")
    >>> atomic_write(path, b"xyz")
    >>> open(path, "rb").read()
    b'xyz'
    """
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)

def write_atomically(path, write) -> str:
    """Call ``write(tmp_path)``, then publish the file atomically as ``path`` (its folder is created).

    Parameters
    ----------
    path : str
        Final file path.
    write : callable
        ``write(tmp_path)`` writes the whole file to ``tmp_path``.

    Returns
    -------
    str
        ``path``.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "sub", "c.txt")
    >>> _ = write_atomically(path, lambda tmp: open(tmp, "w").write("ok"))
    >>> open(path).read()
    'ok'
    """
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_path(path) as tmp:
        write(tmp)
    return path


def json_bytes(obj) -> bytes:
    """UTF-8 JSON text of ``obj`` (indented, numpy values as Python values, ending with a newline).

    Examples
    --------
    >>> json_bytes({"a": np.float64(1.5)})
    b'{\\n  "a": 1.5\\n}\\n'
    """
    return (json.dumps(obj, indent=2, default=jsonable) + "\n").encode("utf-8")


def jsonable(obj):
    """``json.dumps`` fallback: numpy scalars and arrays as Python values, anything else as text.

    Examples
    --------
    >>> jsonable(np.int64(3)), jsonable(np.arange(2)), jsonable(Ellipsis)
    (3, [0, 1], 'Ellipsis')
    """
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)
