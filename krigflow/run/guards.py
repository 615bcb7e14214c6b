"""Checks made before a run starts work: memory, the output folder's links, the resume's quantiles.

Each raises :class:`GuardError` (a :class:`~krigflow.exceptions.KrigflowError`) with what is wrong and the
setting to change, so that ``krigflow run`` refuses before launching (exit status 2) and a graph run fails
in its first steps, before any worker allocates or writes anything.
"""

from __future__ import annotations

import os

import numpy as np

from krigflow.exceptions import KrigflowError

__all__ = [
    "LINKED_FOLDERS",
    "GuardError",
    "available_memory",
    "check_memory",
    "check_output_links",
    "check_quantiles_resume",
    "format_bytes",
    "memory_lower_bound",
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


def memory_lower_bound(cells, batch_size, *, histogram_bins=None, cutoffs=0) -> int:
    """Bytes one worker needs at least: one batch of realizations and its running statistics.

    ``cells x batch_size`` float64 values for a batch, 40 bytes per cell for the running statistics
    (count, mean, M2, min, max), and with per-cell histograms (``histogram_bins``: quantiles asked for)
    ``bins + 2`` uint16 counts per cell, and one int64 per cell and cutoff. The kriging system, the FFT
    embedding of the ``conditional`` method and the merge of two accumulators come on top: this is a lower
    bound, so a run it refuses cannot fit.

    Examples
    --------
    >>> memory_lower_bound(10**6, 16)
    168000000
    >>> memory_lower_bound(10**6, 16, histogram_bins=100)
    372000000
    """
    cells, batch = int(cells), int(batch_size)
    per_cell = 8 * batch + 40 + 8 * int(cutoffs)
    if histogram_bins:
        per_cell += 2 * (int(histogram_bins) + 2)
    return cells * per_cell


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


def check_memory(shape, config, *, workers=1, available=None, needed=None) -> int:
    """Refuse a run whose workers cannot fit in memory; return the bytes one worker needs (lower bound).

    Parameters
    ----------
    shape : tuple of int
        Grid shape (cells per axis).
    config : dict
        Validated configuration (``batch_size``, ``quantiles``, ``histogram_bins``, ``cutoffs``).
    workers : int, default 1
        Workers running at once on this machine.
    available : int, optional
        Bytes available (default :func:`available_memory`; unknown: only the grid's size is checked
        against what numpy can address).
    needed : int, optional
        Bytes one worker needs, when a better estimate is known (default :func:`memory_lower_bound`).

    Raises
    ------
    GuardError
        Naming the grid, the estimate, what is available, and the settings to change.

    Examples
    --------
    >>> cfg = {"batch_size": 16, "quantiles": [], "histogram_bins": 100, "cutoffs": []}
    >>> check_memory((100, 100, 10), cfg, available=2**30)
    16800000
    >>> check_memory((10**4, 10**4, 100), cfg, available=2**34)
    Traceback (most recent call last):
    ...
    krigflow.run.guards.GuardError: memory: the grid of 10,000,000,000 cells (10000 x 10000 x 100) needs at least 1.5 TiB per worker (batch_size 16 realizations of 8 bytes per cell, plus the running statistics), 1.5 TiB for 1 worker(s), but 16.0 GiB are available; use a coarser grid.spacing (or smaller grid.bounds), a smaller batch_size, or fewer worker processes (-n)
    """
    cells = int(np.prod([int(n) for n in shape], dtype=object))
    if needed is None:
        bins = config.get("histogram_bins", 100) if config.get("quantiles") else None
        needed = memory_lower_bound(cells, config["batch_size"], histogram_bins=bins,
                                    cutoffs=len(config.get("cutoffs") or ()))
    total = int(needed) * max(1, int(workers))
    available = available_memory() if available is None else available
    limit = MEMORY_SHARE * available if available is not None else float(np.iinfo(np.intp).max)
    if total <= limit:
        return int(needed)
    there = f"{format_bytes(available)} are available" if available is not None else "numpy cannot address it"
    raise GuardError(
        f"memory: the grid of {cells:,} cells ({' x '.join(str(int(n)) for n in shape)}) needs at least "
        f"{format_bytes(needed)} per worker (batch_size {config['batch_size']} realizations of 8 bytes per cell, "
        f"plus the running statistics{', per-cell histograms' if config.get('quantiles') else ''}), "
        f"{format_bytes(total)} for {max(1, int(workers))} worker(s), but {there}; use a coarser grid.spacing "
        "(or smaller grid.bounds), a smaller batch_size, or fewer worker processes (-n)"
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
