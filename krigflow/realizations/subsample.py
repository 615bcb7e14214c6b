"""Per-realization randomness and data subsampling (the *subsample* method).

Every realization ``r`` of a run with seed ``s`` draws its random numbers only
from ``numpy.random.default_rng([s, r])`` (:func:`realization_rng`). A
realization's draws therefore never depend on which worker computes it, on
how realizations are batched, or in which order batches run: ``simple`` and
``multi -n 4`` mappings give identical results.

The *subsample* method krigs each realization with a random subset of the
conditioning data: either a subset of the wells (all data of a kept well are
used) or a subset of the individual data (:func:`subsample_masks` gives the
``masks`` argument of :func:`krigflow.kriging.krige_grid`).
"""
from __future__ import annotations

import logging
import math

import numpy as np

from krigflow._validate import check_choice, check_int, is_number
from krigflow.exceptions import SimulationError

logger = logging.getLogger(__name__)

__all__ = ["UNITS", "realization_rng", "subsample_mask", "subsample_masks"]

#: Accepted values of the ``unit`` argument.
UNITS = ("wells", "samples")


def realization_rng(seed, index) -> np.random.Generator:
    """Return the random generator of realization ``index`` of a run with ``seed``.

    Parameters
    ----------
    seed : int
        Run seed, ``>= 0``.
    index : int
        Realization index, ``>= 0``.

    Returns
    -------
    numpy.random.Generator
        ``numpy.random.default_rng([seed, index])``.

    Raises
    ------
    SimulationError
        If ``seed`` or ``index`` is not a non-negative integer.

    Examples
    --------
    >>> a = realization_rng(42, 3).random()
    >>> b = realization_rng(42, 3).random()
    >>> a == b
    True
    """
    seed = check_int(seed, "seed", error=SimulationError)
    index = check_int(index, "realization index", error=SimulationError)
    return np.random.default_rng([seed, index])


def subsample_mask(rng, well, *, fraction, unit="wells", min_keep=1) -> np.ndarray:
    """Draw which conditioning data one realization uses.

    Parameters
    ----------
    rng : numpy.random.Generator
        The realization's generator (see :func:`realization_rng`).
    well : array, shape (n,)
        Well label of each datum (e.g. ``ConditioningData.well``, int indices).
    fraction : float
        Fraction of the wells (or data) to keep, in ``(0, 1]``.
    unit : {"wells", "samples"}, default "wells"
        ``"wells"``: keep all data of a random subset of ``round(fraction *
        n_wells)`` distinct wells. ``"samples"``: keep a random subset of
        ``round(fraction * n)`` data. Rounding is half up.
    min_keep : int, default 1
        Keep at least this many wells (or data), and never fewer than one
        (unless there are no data), nor more than there are.

    Returns
    -------
    bool array, shape (n,)
        True for the data used by this realization.

    Raises
    ------
    SimulationError
        If ``fraction`` is outside ``(0, 1]``, ``unit`` is unknown, ``well`` is
        not 1-D or ``min_keep`` is not a non-negative integer.

    Examples
    --------
    >>> import numpy as np
    >>> well = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    >>> mask = subsample_mask(realization_rng(1, 0), well, fraction=0.5)
    >>> int(mask.sum()), len(np.unique(well[mask]))
    (4, 2)
    """
    fraction, unit, min_keep = _check_subsample_args(fraction, unit, min_keep)
    well = _check_well(well)
    n = well.size
    if n == 0:
        return np.zeros(0, dtype=bool)
    if unit == "wells":
        labels = np.unique(well)  # sorted: the draw depends only on the set of wells
        keep = _n_keep(fraction, labels.size, min_keep)
        chosen = labels[rng.permutation(labels.size)[:keep]]
        return np.isin(well, chosen)
    keep = _n_keep(fraction, n, min_keep)
    mask = np.zeros(n, dtype=bool)
    mask[rng.permutation(n)[:keep]] = True
    return mask


def subsample_masks(seed, indices, well, *, fraction, unit="wells", min_keep=1) -> np.ndarray:
    """Draw the data masks of several realizations.

    Column ``j`` is ``subsample_mask(realization_rng(seed, indices[j]), ...)``,
    so a realization's mask depends only on ``seed``, its index and the data,
    not on the batch it is computed in.

    Parameters
    ----------
    seed : int
        Run seed, ``>= 0``.
    indices : sequence of int, shape (R,)
        Realization indices, each ``>= 0``.
    well : array, shape (n,)
        Well label of each datum.
    fraction, unit, min_keep
        As in :func:`subsample_mask`.

    Returns
    -------
    bool array, shape (n, R)
        ``masks[i, j]`` is True if datum ``i`` is used in realization
        ``indices[j]`` (the ``masks`` argument of ``krige_grid``).

    Raises
    ------
    SimulationError
        As :func:`realization_rng` and :func:`subsample_mask`, or if
        ``indices`` is not 1-D.

    Examples
    --------
    >>> import numpy as np
    >>> well = np.repeat(np.arange(5), 3)
    >>> masks = subsample_masks(42, [0, 1, 2], well, fraction=0.6)
    >>> masks.shape
    (15, 3)
    >>> np.array_equal(masks[:, 2], subsample_masks(42, [2], well, fraction=0.6)[:, 0])
    True
    """
    _check_subsample_args(fraction, unit, min_keep)
    well = _check_well(well)
    indices = np.asarray(indices)
    if indices.ndim != 1:
        raise SimulationError(
            f"subsample_masks: indices must be a 1-D sequence of realization indices, "
            f"got shape {indices.shape}"
        )
    masks = np.zeros((well.size, indices.size), dtype=bool)
    for j, index in enumerate(indices.tolist()):
        rng = realization_rng(seed, index)
        masks[:, j] = subsample_mask(rng, well, fraction=fraction, unit=unit, min_keep=min_keep)
    return masks


def _n_keep(fraction, total, min_keep) -> int:
    """Number of items to keep: round half up, at least max(min_keep, 1), at most total."""
    keep = math.floor(fraction * total + 0.5)
    return min(total, max(keep, min_keep, 1))


def _check_subsample_args(fraction, unit, min_keep):
    """Validate the subsampling parameters, returning them normalised."""
    if not is_number(fraction):
        raise SimulationError(f"subsample: fraction must be a number in (0, 1], got {fraction!r}")
    fraction = float(fraction)
    if not 0.0 < fraction <= 1.0:
        raise SimulationError(f"subsample: fraction must be in (0, 1], got {fraction!r}")
    check_choice(unit, "unit", UNITS, error=SimulationError, prefix="subsample: ")
    min_keep = check_int(min_keep, "min_keep", error=SimulationError)
    return fraction, unit, min_keep


def _check_well(well) -> np.ndarray:
    """Return the well labels as a 1-D array or raise SimulationError."""
    well = np.asarray(well)
    if well.ndim != 1:
        raise SimulationError(
            f"subsample: well must be a 1-D array of well labels (one per datum), got shape {well.shape}"
        )
    return well
