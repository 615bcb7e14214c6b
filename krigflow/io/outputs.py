"""Writing a run's results: ``stats.npz``, ``summary.json`` and the status record.

Every file is written atomically (:mod:`krigflow.io.atomic`). Existing results are never replaced unless
asked (``overwrite=True``). The readers of these files are in :mod:`krigflow.io.results`.
"""

from __future__ import annotations

import logging
import os

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.io.atomic import atomic_path, atomic_write, json_bytes

logger = logging.getLogger(__name__)

__all__ = [
    "RESULT_FILES",
    "STATUS_FILE",
    "OutputExistsError",
    "check_output",
    "write_outputs",
    "write_status",
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


def write_outputs(output_dir, arrays, summary, *, overwrite=False) -> list:
    """Write ``stats.npz`` and ``summary.json`` into ``output_dir``.

    Parameters
    ----------
    output_dir : str
        Output folder (created if needed).
    arrays : dict of str to array
        Arrays for ``stats.npz`` (the final statistics and the cell-centre vectors).
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

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> [os.path.basename(p) for p in write_outputs(folder, {"mean": np.zeros(2)}, {"status": "ok"})]
    ['stats.npz', 'summary.json']
    """
    check_output(output_dir, overwrite=overwrite)
    os.makedirs(output_dir, exist_ok=True)
    stats_path = os.path.join(output_dir, "stats.npz")
    summary_path = os.path.join(output_dir, "summary.json")
    # streamed to the temporary file: an in-memory buffer would hold two more copies of the results
    # (GBs at field scale)
    with atomic_path(stats_path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **{k: np.asarray(v) for k, v in arrays.items()})
    atomic_write(summary_path, json_bytes(summary))
    logger.info("wrote %s and %s", stats_path, summary_path)
    return [stats_path, summary_path]


def write_status(path, status) -> None:
    """Write a status record (JSON) atomically, creating its folder if needed.

    Read it back with :func:`krigflow.io.results.read_status`.
    """
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic_write(path, json_bytes(status))
