"""What ``--overwrite`` removes: every file an earlier run (and ``realize``/``validate`` on it) left in the folder.

A run replaces ``stats.npz``, ``summary.json`` and the files of *its* formats at its end, but the earlier run
may have written others: a format no longer configured (``stats.vti``), figures of quantiles no longer asked
for, ``trend.png`` of a trend now switched off, ``validation.json``, or the realizations ``krigflow realize``
wrote into ``<output>/realizations/``. Left in place they describe numbers the new run did not compute.
:func:`clear_previous_results` deletes them once the run holds the folder (:mod:`krigflow.run.lock`) and the
overwrite was accepted: a refused overwrite deletes nothing. Only krigflow's own products are deleted
(known names, ``figures/*.png``, ``realizations/realization-<r>/``); other files and symbolic links stay.
"""
from __future__ import annotations

import fnmatch
import logging
import os
import re
import shutil

logger = logging.getLogger(__name__)

__all__ = ["RESULT_PATTERNS", "clear_previous_results", "previous_results"]

#: Files of a run's output folder that describe its results (glob patterns, relative to the folder).
RESULT_PATTERNS = ("stats.npz", "stats.nc", "stats.vti", "stats.vts", "stats.grdecl", "stats.EGRID",
                   "stats_props.grdecl", "stats.roff", "stats_*.roff", "summary.json", "variogram.json",
                   "wells.npz", "realizations.csv", "trend.png", "validation.json", "validation_accuracy.png",
                   "validation_pit.png", "variogram*.png")
#: Folder of figures (``*.png`` inside) and default folder of ``krigflow realize`` (``realization-<r>/`` inside).
FIGURES, REALIZATIONS = "figures", "realizations"
_REALIZATION_DIR = re.compile(r"realization-\d+$")


def previous_results(output) -> list:
    """Paths of the earlier results in ``output`` (files, and ``realization-<r>`` folders), sorted.

    Examples
    --------
    >>> import os, tempfile
    >>> out = tempfile.mkdtemp()
    >>> for name in ("stats.npz", "stats.vti", "notes.txt"):
    ...     _ = open(os.path.join(out, name), "w").write("x")
    >>> [os.path.basename(p) for p in previous_results(out)]
    ['stats.npz', 'stats.vti']
    """
    if not os.path.isdir(output):
        return []
    found = []
    for name in sorted(os.listdir(output)):
        path = os.path.join(output, name)
        if os.path.isfile(path) and not os.path.islink(path) and any(fnmatch.fnmatchcase(name, p)
                                                                      for p in RESULT_PATTERNS):
            found.append(path)
    for folder, keep in ((FIGURES, lambda n, p: n.endswith(".png") and os.path.isfile(p)),
                         (REALIZATIONS, lambda n, p: _REALIZATION_DIR.match(n) and os.path.isdir(p))):
        top = os.path.join(output, folder)
        if os.path.isdir(top) and not os.path.islink(top):
            found += [os.path.join(top, n) for n in sorted(os.listdir(top))
                      if not os.path.islink(os.path.join(top, n)) and keep(n, os.path.join(top, n))]
    return found


def clear_previous_results(output) -> list:
    """Delete the earlier results of ``output`` (:func:`previous_results`); empty ``figures/`` and
    ``realizations/`` folders go too. Call only with the folder held and the overwrite accepted.

    Returns
    -------
    list of str
        What was deleted.
    """
    removed = []
    for path in previous_results(output):
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
        removed.append(path)
    for folder in (FIGURES, REALIZATIONS):
        top = os.path.join(output, folder)
        if os.path.isdir(top) and not os.path.islink(top) and not os.listdir(top):
            os.rmdir(top)
    if removed:
        logger.info("overwrite: %d file(s) of the earlier run deleted in %s (%s)", len(removed), output,
                    ", ".join(os.path.relpath(p, output) for p in removed[:8]) + (", ..." if len(removed) > 8
                                                                                 else ""))
    return removed
