"""Conditioning data: well samples upscaled to the cells of a grid (:func:`upscale`).

Conventions as in :mod:`krigflow.grid`: coordinates ``easting``, ``northing``, ``tvdss`` (m, tvdss positive
down); every datum sits at the centre of its cell, with its cell index ``(i, j, k)``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from krigflow._validate import check_int
from krigflow.exceptions import GridError

logger = logging.getLogger(__name__)

__all__ = ["ConditioningData", "samples_of", "upscale"]


@dataclass(frozen=True)
class ConditioningData:
    """Upscaled samples: one datum per (well, cell), located at the cell centre.

    Parameters
    ----------
    easting, northing, tvdss : array, shape (n,)
        Position of each datum (m), the centre of its cell.
    values : array, shape (n,)
        Mean of the valid samples of the well in the cell.
    well : array of int, shape (n,)
        Index of the datum's well into ``well_names``.
    cells : array of int, shape (n, 3)
        Grid indices ``(i, j, k)`` of the datum's cell.
    well_names : tuple of str
        Well names.
    """

    easting: np.ndarray
    northing: np.ndarray
    tvdss: np.ndarray
    values: np.ndarray
    well: np.ndarray
    cells: np.ndarray
    well_names: tuple[str, ...]

    @property
    def n(self) -> int:
        """int: number of data."""
        return int(np.asarray(self.values).shape[0])

    @classmethod
    def from_wells(cls, grid, wells, *, min_samples=1) -> ConditioningData:
        """Upscale the valid samples of wells to the cells of a grid (see :func:`upscale`).

        Parameters
        ----------
        grid : krigflow.grid.Grid
            The model grid.
        wells : sequence of krigflow.wells.Well
            Wells placed in 3-D (anything with ``name``, ``easting``, ``northing``, ``tvdss`` and ``values``
            arrays of one length).
        min_samples : int, default 1
            Cells with fewer valid samples of a well are dropped.

        Returns
        -------
        ConditioningData

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> from krigflow.grid import Grid
        >>> grid = Grid.from_bounds((0, 10, 0, 10, 0, 4), (10, 10, 2))
        >>> well = SimpleNamespace(name="A", easting=[5, 5], northing=[5, 5], tvdss=[0.5, 1.5], values=[1.0, 3.0])
        >>> ConditioningData.from_wells(grid, [well]).values.tolist()
        [2.0]
        """
        easting, northing, tvdss, values, well = samples_of(wells)
        return upscale(grid, easting, northing, tvdss, values, well,
                       well_names=tuple(w.name for w in wells), min_samples=min_samples)


def upscale(grid, easting, northing, tvdss, values, well, *, well_names=(), min_samples=1) -> ConditioningData:
    """Block well samples to the grid: the mean of the samples of each well in each cell.

    Parameters
    ----------
    grid : krigflow.grid.Grid
        The model grid.
    easting, northing, tvdss : array, shape (m,)
        Sample positions (m).
    values : array, shape (m,)
        Sample values; NaN samples are ignored.
    well : array of int, shape (m,)
        Well index of each sample (into ``well_names``).
    well_names : sequence of str, optional
        Well names; if empty, wells are named by their index (``"0"``, ``"1"``, ...).
    min_samples : int, default 1
        Cells with fewer valid samples of a well are dropped.

    Returns
    -------
    ConditioningData
        One datum per (well, cell) with at least ``min_samples`` valid samples, at the cell centre,
        sorted by well, then by the C-order flat cell index. Samples outside the grid are dropped.
        Where several wells pass through one cell, they share one datum (two data at one location
        would make the kriging system singular): the mean of all their samples in the cell, assigned
        to the well with the most samples there (the lowest well index on a tie), with a warning.

    Raises
    ------
    krigflow.exceptions.GridError
        If the arrays have different lengths, ``min_samples < 1``, or a well index is out of range.

    Examples
    --------
    >>> from krigflow.grid import Grid
    >>> grid = Grid.from_bounds((0, 10, 0, 10, 0, 4), (10, 10, 2))
    >>> d = upscale(grid, [5, 5, 5, 5], [5, 5, 5, 5], [0.5, 1.5, 2.5, 9.0], [1.0, 3.0, 5.0, 7.0], [0, 0, 0, 0])
    >>> d.values.tolist(), d.tvdss.tolist()
    ([2.0, 5.0], [1.0, 3.0])
    """
    arrays = [np.asarray(a, dtype=float).ravel() for a in (easting, northing, tvdss, values)]
    well = np.asarray(well).ravel()
    if any(a.shape != well.shape for a in arrays):
        raise GridError(
            "upscale: easting, northing, tvdss, values and well must have the same length, got "
            f"{[a.size for a in arrays] + [well.size]}"
        )
    check_int(min_samples, "min_samples", minimum=1, error=GridError, prefix="upscale: ")
    if well.size and (not np.issubdtype(well.dtype, np.integer) or well.min() < 0):
        raise GridError("upscale: well must hold non-negative integer well indices")
    well = well.astype(np.int64)
    names = tuple(str(n) for n in well_names)
    if not names:
        names = tuple(str(i) for i in range(int(well.max()) + 1 if well.size else 0))
    elif well.size and well.max() >= len(names):
        raise GridError(f"upscale: well index {int(well.max())} out of range for {len(names)} well_names")

    cells, inside = grid.cell_indices(*arrays[:3])
    keep = inside & np.isfinite(arrays[3])
    dropped = int(np.count_nonzero(~inside))
    if dropped:
        logger.info("upscale: %d of %d samples lie outside the grid and were dropped", dropped, well.size)
    flat = np.ravel_multi_index(tuple(cells[keep].T), grid.shape)
    key = well[keep] * grid.n_cells + flat       # sorts by well, then by flat cell index
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=arrays[3][keep], minlength=uniq.size)
    ok = counts >= min_samples
    uniq, mean, n = uniq[ok], sums[ok] / counts[ok], counts[ok]
    wells, flat = np.divmod(uniq, grid.n_cells)
    wells, flat, mean = _merge_shared_cells(wells, flat, mean, n, names)
    ijk = np.stack(np.unravel_index(flat, grid.shape), axis=1).astype(np.int64)
    centres = [grid.origin[a] + grid.spacing[a] * ijk[:, a] for a in range(3)]
    logger.debug("upscale: %d samples -> %d data (%d cells below min_samples)",
                 int(keep.sum()), uniq.size, int((~ok).sum()))
    return ConditioningData(easting=centres[0], northing=centres[1], tvdss=centres[2], values=mean,
                            well=wells.astype(np.int64), cells=ijk.reshape(-1, 3), well_names=names)


def _merge_shared_cells(wells, flat, mean, n, names):
    """Merge data of different wells that fall in the same cell into one datum.

    Parameters
    ----------
    wells, flat : array of int, shape (k,)
        Well index and flat cell index of each (well, cell) datum.
    mean : array, shape (k,)
        Mean of the datum's samples.
    n : array of int, shape (k,)
        Number of samples behind each datum.
    names : tuple of str
        Well names, for the warning.

    Returns
    -------
    wells, flat, mean : arrays
        One datum per cell: the sample-count weighted mean, owned by the well with most samples
        there, sorted by well and then by flat cell index.
    """
    cells, inverse = np.unique(flat, return_inverse=True)
    if cells.size == flat.size:
        return wells, flat, mean
    total = np.bincount(inverse, weights=n)
    merged = np.bincount(inverse, weights=mean * n) / total
    # owner of each cell: most samples first, then the lowest well index
    order = np.lexsort((wells, -n, inverse))
    first = order[np.r_[True, inverse[order][1:] != inverse[order][:-1]]]
    shared = np.bincount(inverse) > 1
    pairs = sorted({tuple(sorted({names[w] for w in wells[inverse == c]})) for c in np.flatnonzero(shared)})
    logger.warning("upscale: %d cell(s) are crossed by more than one well (%s); their samples were merged "
                   "into one datum per cell, owned by the well with most samples there",
                   int(shared.sum()), "; ".join(" & ".join(p) for p in pairs))
    owner = wells[first]
    key = np.lexsort((cells, owner))
    return owner[key], cells[key], merged[key]


def samples_of(wells) -> tuple:
    """The valid samples of wells as flat arrays, with the index of each sample's well.

    Parameters
    ----------
    wells : sequence of krigflow.wells.Well
        Anything with ``easting``, ``northing``, ``tvdss`` and ``values`` arrays of one length per well.

    Returns
    -------
    easting, northing, tvdss, values : array, shape (m,)
        Samples where all four are finite, well after well.
    well : array of int, shape (m,)
        Index of each sample's well in ``wells``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> w = SimpleNamespace(easting=[0, 0], northing=[0, 0], tvdss=[1, 2], values=[5.0, float("nan")])
    >>> [a.tolist() for a in samples_of([w, w])]
    [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [5.0, 5.0], [0, 1]]
    """
    parts = []
    for w in wells:
        arrays = [np.asarray(a, dtype=float).ravel() for a in (w.easting, w.northing, w.tvdss, w.values)]
        ok = np.logical_and.reduce([np.isfinite(a) for a in arrays])
        parts.append([a[ok] for a in arrays])
    if not parts:
        empty = np.zeros(0)
        return empty, empty, empty, empty, np.zeros(0, dtype=np.int64)
    columns = [np.concatenate([p[i] for p in parts]) for i in range(4)]
    well = np.concatenate([np.full(p[0].size, i, dtype=np.int64) for i, p in enumerate(parts)])
    return (*columns, well)
