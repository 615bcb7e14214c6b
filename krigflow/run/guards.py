"""Checks made before a run starts work: memory, the output folder's links, the resume's quantiles.

Each raises :class:`GuardError` (a :class:`~krigflow.exceptions.KrigflowError`) with what is wrong and the
setting to change, so that ``krigflow run`` refuses before launching (exit status 2) and a graph run fails
in its first steps, before any worker allocates or writes anything.
"""

from __future__ import annotations

import os

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.run.blocks import block_shape
from krigflow.run.memory import estimate_memory
from krigflow.run.problem import exact_quantiles

__all__ = [
    "LINKED_FOLDERS",
    "GuardError",
    "estimate_run_memory",
    "available_memory",
    "check_memory",
    "check_output_links",
    "check_quantiles_resume",
    "format_bytes",
]

#: Folders a run writes inside its output folder: a symbolic link there is refused (not written through).
LINKED_FOLDERS = ("partials", "figures", ".progress")
#: Share of the available memory a run may plan to use.
MEMORY_SHARE = 0.9


class GuardError(KrigflowError):
    """A run was refused before it started (memory, output folder, resume)."""


def format_bytes(n) -> str:
    """Human size, base 1024.

    Examples
    --------
    >>> format_bytes(512), format_bytes(3 * 2**30), format_bytes(1.6e14)
    ('512 B', '3.0 GiB', '145.5 TiB')
    """
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"  # pragma: no cover


def estimate_run_memory(shape, config, *, n_data=0, workers=1, embedding=None) -> tuple:
    """Peak memory of one kriger and of the accumulator of a run (bytes), from :mod:`krigflow.run.memory`.

    Parameters
    ----------
    shape : tuple of 3 int
        Grid shape.
    config : dict
        Validated configuration (``batch_size``, ``method``, ``quantiles``, ``cutoffs``, ``histogram_bins``,
        ``realizations``).
    n_data : int, default 0
        Conditioning data (0 before the wells are read: the data covariance is then left out).
    workers : int, default 1
        Krigers sending partials to the accumulator.
    embedding : tuple of 3 int, optional
        The field generator's FFT embedding once the variogram is known (:func:`krigflow.run.memory.run_embedding`);
        default the worst case (the grid doubled on every axis).

    Returns
    -------
    (krigflow.run.memory.MemoryEstimate, krigflow.run.memory.MemoryEstimate)
        The kriger's and the accumulator's estimates.

    Examples
    --------
    >>> cfg = {"batch_size": 16, "method": {"name": "subsample"}, "quantiles": [], "cutoffs": [],
    ...        "histogram_bins": 100, "realizations": 100}
    >>> kriger, accumulator = estimate_run_memory((100, 100, 10), cfg)
    >>> kriger.total > kriger.fields == 8 * 16 * 100_000
    True
    """
    method = config["method"]
    if exact_quantiles(config):
        quantiles_from = "exact"
    elif config.get("quantiles") or config.get("cutoffs"):
        quantiles_from = "realizations"
    else:
        quantiles_from = "none"
    common = dict(method=method["name"], quantiles_from=quantiles_from, bins=int(config.get("histogram_bins", 100)),
                  quantiles=len(config.get("quantiles") or ()), cutoffs=len(config.get("cutoffs") or ()),
                  realizations=int(config.get("realizations", 100)))
    kriger_shape = block_shape(shape, config)   # blocks (krigflow.run.blocks): a kriger holds one block
    if kriger_shape != tuple(shape):
        workers = 2     # the accumulator holds the pieces (one grid) and assembles them into one grid
    kriger = estimate_memory(kriger_shape, config["batch_size"], n_data, role="kriger", embedding=embedding,
                             **common)
    accumulator = estimate_memory(shape, config["batch_size"], n_data, role="accumulator", krigers=workers, **common)
    return kriger, accumulator


def available_memory() -> int | None:
    """Bytes of memory available to new processes here: ``MemAvailable``, capped by a cgroup limit (None
    if unknown)."""
    found = None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    found = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    for limit_file, usage_file in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            with open(limit_file, encoding="ascii") as fh:
                limit = fh.read().strip()
            with open(usage_file, encoding="ascii") as fh:
                usage = int(fh.read().strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 2**60:
            room = max(0, int(limit) - usage)
            found = room if found is None else min(found, room)
        break
    return found


def check_memory(shape, config, *, workers=1, n_data=0, available=None, embedding=None) -> int:
    """Refuse a run whose processes cannot fit in memory; return the bytes they need (estimate).

    The estimate is :func:`estimate_run_memory` (the memory model of :mod:`krigflow.run.memory`):
    ``workers`` krigers and the accumulator on this machine.

    Parameters
    ----------
    shape : tuple of int
        Grid shape (cells per axis).
    config : dict
        Validated configuration.
    workers : int, default 1
        Krigers running at once on this machine.
    n_data : int, default 0
        Conditioning data, when known.
    available : int, optional
        Bytes available (default :func:`available_memory`; unknown: only what numpy can address).
    embedding : tuple of 3 int, optional
        The field generator's FFT embedding, when the variogram is known (see :func:`estimate_run_memory`).

    Raises
    ------
    GuardError
        Naming the grid, the estimate, what is available, and the settings to change.

    Examples
    --------
    >>> cfg = {"batch_size": 16, "method": {"name": "subsample"}, "quantiles": [], "cutoffs": [],
    ...        "histogram_bins": 100, "realizations": 100}
    >>> check_memory((100, 100, 10), cfg, available=2**32) < 2**30
    True
    >>> check_memory((10**4, 10**4, 100), cfg, available=2**34)
    Traceback (most recent call last):
    ...
    krigflow.run.guards.GuardError: memory: the grid of 10,000,000,000 cells (10000 x 10000 x 100) needs about 2.0 TiB per kriger (batch_size 16 realizations of 1.2 TiB, statistics 828.9 GiB) and 447.2 GiB for the accumulator, 2.4 TiB for 1 kriger(s), but 16.0 GiB are available; use a coarser grid.spacing (or smaller grid.bounds), a smaller batch_size, or fewer worker processes (-n)
    """
    cells = int(np.prod([int(n) for n in shape], dtype=object))
    workers = max(1, int(workers))
    kriger, accumulator = estimate_run_memory(shape, config, n_data=n_data, workers=workers, embedding=embedding)
    total = workers * kriger.total + accumulator.total
    available = available_memory() if available is None else available
    limit = MEMORY_SHARE * available if available is not None else float(np.iinfo(np.intp).max)
    if total <= limit:
        return int(total)
    there = f"{format_bytes(available)} are available" if available is not None else "numpy cannot address it"
    raise GuardError(
        f"memory: the grid of {cells:,} cells ({' x '.join(str(int(n)) for n in shape)}) needs about "
        f"{format_bytes(kriger.total)} per kriger (batch_size {config['batch_size']} realizations of "
        f"{format_bytes(kriger.fields)}, statistics {format_bytes(kriger.statistics)}) and "
        f"{format_bytes(accumulator.total)} for the accumulator, {format_bytes(total)} for {workers} kriger(s), "
        f"but {there}; use a coarser grid.spacing (or smaller grid.bounds), a smaller batch_size, or fewer "
        "worker processes (-n)"
    )


def check_output_links(output, names=LINKED_FOLDERS) -> None:
    """Refuse symbolic links among the folders a run writes inside ``output`` (nothing is written through).

    Raises
    ------
    GuardError
        Naming the link and where it points.

    Examples
    --------
    >>> import os, tempfile
    >>> out = tempfile.mkdtemp()
    >>> check_output_links(out)
    >>> os.symlink(tempfile.mkdtemp(), os.path.join(out, "figures"))
    >>> check_output_links(out)
    Traceback (most recent call last):
    ...
    krigflow.run.guards.GuardError: output: .../figures is a symbolic link (to ...); krigflow does not write through links inside the output folder: remove the link, or choose another output folder
    """
    for name in names:
        path = os.path.join(output, name)
        if os.path.islink(path):
            raise GuardError(
                f"output: {path} is a symbolic link (to {os.readlink(path)}); krigflow does not write through "
                "links inside the output folder: remove the link, or choose another output folder"
            )


def check_quantiles_resume(config, partials) -> None:
    """Refuse to resume partials whose per-cell histograms (quantiles on/off) differ from ``config``'s.

    Quantiles are read off per-cell histograms, kept only when ``quantiles`` is not empty; partials with
    and without them cannot be merged.

    Parameters
    ----------
    config : dict
        Validated configuration of this attempt.
    partials : sequence
        Saved partials with ``meta`` (``run_info.config``) and ``path``.

    Raises
    ------
    GuardError
        Naming the file, its quantiles and this config's.
    """
    wanted = bool(config.get("quantiles"))
    for p in partials:
        theirs = ((p.meta.get("run_info") or {}).get("config") or {}).get("quantiles")
        if theirs is None or bool(theirs) == wanted:
            continue
        raise GuardError(
            f"quantiles: partial file {p.path} was computed with quantiles {list(theirs)}, this config has "
            f"{list(config.get('quantiles') or [])}: switching quantiles on or off changes what each "
            "realization keeps (per-cell histograms). Use the quantiles of the first run to resume, or "
            "--overwrite to start again (other quantile values are fine as long as the list stays non-empty)"
        )
