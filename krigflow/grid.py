"""Regular 3-D model grids and upscaling of well samples to conditioning data.

Conventions (see ``docs/architecture.md``): coordinates are ``easting``,
``northing`` and ``tvdss`` (m, tvdss positive down); bounds are outer cell edges
``(easting_min, easting_max, northing_min, northing_max, tvdss_min, tvdss_max)``;
grid arrays are indexed ``[easting, northing, tvdss]`` with ``shape == (nx, ny, nz)``.
Cells are half-open intervals ``[edge_min, edge_max)`` along every axis.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from krigflow.exceptions import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["Grid", "ConditioningData", "upscale"]

#: Relative tolerance (of one spacing) for "the extent is a whole number of cells".
_EXTENT_TOLERANCE = 1e-6

_AXES = ("easting", "northing", "tvdss")


def _check_triple(name, value, *, positive=False):
    """Return ``value`` as a tuple of three finite floats, or raise ConfigError naming it."""
    try:
        triple = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise ConfigError(f"Grid {name} must be three numbers (easting, northing, tvdss), got {value!r}")
    if len(triple) != 3 or not all(np.isfinite(triple)):
        raise ConfigError(f"Grid {name} must be three finite numbers (easting, northing, tvdss), got {value!r}")
    if positive and min(triple) <= 0:
        raise ConfigError(f"Grid {name} must be > 0 along every axis, got {value!r}")
    return triple


@dataclass(frozen=True)
class Grid:
    """A regular 3-D grid of cells aligned with easting, northing and tvdss.

    Parameters
    ----------
    origin : tuple of 3 float
        Centre of cell ``(0, 0, 0)``: (easting, northing, tvdss) in metres.
    spacing : tuple of 3 float
        Cell size ``(dx, dy, dz)`` in metres, all > 0.
    shape : tuple of 3 int
        Number of cells ``(nx, ny, nz)``, all >= 1.

    Raises
    ------
    krigflow.exceptions.ConfigError
        If a value is not finite, a spacing is not positive or a shape entry is not a positive integer.

    Examples
    --------
    >>> grid = Grid.from_bounds((0, 100, 0, 50, 1000, 1010), (10, 10, 2))
    >>> grid.shape, grid.n_cells
    ((10, 5, 5), 250)
    >>> float(grid.tvdss[0])
    1001.0
    """

    origin: tuple[float, float, float]
    spacing: tuple[float, float, float]
    shape: tuple[int, int, int]

    def __post_init__(self):
        object.__setattr__(self, "origin", _check_triple("origin", self.origin))
        object.__setattr__(self, "spacing", _check_triple("spacing", self.spacing, positive=True))
        try:
            shape = tuple(int(n) for n in self.shape)
            ok = len(shape) == 3 and all(int(n) == n for n in self.shape)
        except (TypeError, ValueError):
            ok = False
        if not ok or min(shape) < 1:
            raise ConfigError(f"Grid shape must be three integers >= 1 (nx, ny, nz), got {self.shape!r}")
        object.__setattr__(self, "shape", shape)

    @classmethod
    def from_bounds(cls, bounds, spacing) -> "Grid":
        """Build the grid filling outer-edge bounds with cells of a given spacing.

        Parameters
        ----------
        bounds : sequence of 6 float
            ``(easting_min, easting_max, northing_min, northing_max, tvdss_min, tvdss_max)``, outer edges.
        spacing : sequence of 3 float
            Cell size ``(dx, dy, dz)`` (m).

        Returns
        -------
        Grid
            ``shape[i] = round((max - min) / spacing[i])``.

        Raises
        ------
        krigflow.exceptions.ConfigError
            If the bounds are not ordered (max > min), or an extent is not a whole number of cells within
            a tolerance of 1e-6 spacing. Non-multiples are rejected rather than silently adjusted, so the
            grid is always exactly the box the user asked for.
        """
        try:
            b = [float(v) for v in bounds]
        except (TypeError, ValueError):
            raise ConfigError(f"Grid bounds must be six numbers, got {bounds!r}")
        if len(b) != 6 or not all(np.isfinite(b)):
            raise ConfigError(
                "Grid bounds must be six finite numbers (easting_min, easting_max, northing_min, "
                f"northing_max, tvdss_min, tvdss_max), got {bounds!r}"
            )
        step = _check_triple("spacing", spacing, positive=True)
        shape, origin = [], []
        for axis, name in enumerate(_AXES):
            lo, hi = b[2 * axis], b[2 * axis + 1]
            if not hi > lo:
                raise ConfigError(f"Grid bounds: {name}_max ({hi}) must be greater than {name}_min ({lo})")
            cells = (hi - lo) / step[axis]
            n = int(round(cells))
            if n < 1 or abs(cells - n) > _EXTENT_TOLERANCE * max(1.0, cells):
                raise ConfigError(
                    f"Grid bounds: the {name} extent {hi - lo} m is not a whole number of cells of "
                    f"spacing {step[axis]} m ({cells:.6g} cells); adjust {name}_max to "
                    f"{lo + max(n, 1) * step[axis]} or change the spacing"
                )
            shape.append(n)
            origin.append(lo + 0.5 * step[axis])
        return cls(origin=tuple(origin), spacing=step, shape=tuple(shape))

    @classmethod
    def around_points(cls, easting, northing, tvdss, spacing, padding=(0.0, 0.0, 0.0)) -> "Grid":
        """Build the smallest spacing-aligned grid holding all points plus padding.

        The outer edges are snapped outwards to whole multiples of the spacing (so grids built from
        different well sets with the same spacing share one lattice), after padding the point extent by
        ``padding`` on each side.

        Parameters
        ----------
        easting, northing, tvdss : array, shape (n,)
            Point coordinates (m); NaN entries are ignored.
        spacing : sequence of 3 float
            Cell size ``(dx, dy, dz)`` (m).
        padding : sequence of 3 float, default (0, 0, 0)
            Margin added on each side: ``(horizontal, horizontal, vertical)`` in metres, >= 0.

        Returns
        -------
        Grid

        Raises
        ------
        krigflow.exceptions.ConfigError
            If there are no finite points, or spacing/padding are invalid.

        Examples
        --------
        >>> g = Grid.around_points([5, 95], [10, 40], [1003, 1017], (10, 10, 4), padding=(10, 10, 0))
        >>> g.bounds
        (-10.0, 110.0, 0.0, 50.0, 1000.0, 1020.0)
        """
        step = _check_triple("spacing", spacing, positive=True)
        pad = _check_triple("padding", padding)
        if min(pad) < 0:
            raise ConfigError(f"Grid padding must be >= 0, got {padding!r}")
        coords = [np.asarray(c, dtype=float).ravel() for c in (easting, northing, tvdss)]
        if not coords[0].shape == coords[1].shape == coords[2].shape:
            raise ConfigError("Grid.around_points: easting, northing and tvdss must have the same length")
        finite = np.all([np.isfinite(c) for c in coords], axis=0)
        if not finite.any():
            raise ConfigError("Grid.around_points: no point has finite easting, northing and tvdss")
        bounds = []
        for axis, c in enumerate(coords):
            lo = np.floor((c[finite].min() - pad[axis]) / step[axis]) * step[axis]
            hi = np.ceil((c[finite].max() + pad[axis]) / step[axis]) * step[axis]
            # a point exactly on an aligned upper edge must still be inside (cells are half-open)
            if hi <= c[finite].max():
                hi += step[axis]
            bounds += [float(lo), float(hi)]
        grid = cls.from_bounds(bounds, step)
        logger.debug("Grid around %d points: bounds %s, shape %s", int(finite.sum()), grid.bounds, grid.shape)
        return grid

    def _centres(self, axis):
        return self.origin[axis] + self.spacing[axis] * np.arange(self.shape[axis], dtype=float)

    @property
    def easting(self) -> np.ndarray:
        """array, shape (nx,): easting of the cell centres (m)."""
        return self._centres(0)

    @property
    def northing(self) -> np.ndarray:
        """array, shape (ny,): northing of the cell centres (m)."""
        return self._centres(1)

    @property
    def tvdss(self) -> np.ndarray:
        """array, shape (nz,): tvdss of the cell centres (m, positive down)."""
        return self._centres(2)

    @property
    def n_cells(self) -> int:
        """int: total number of cells ``nx * ny * nz``."""
        return int(np.prod(self.shape))

    @property
    def bounds(self) -> tuple[float, ...]:
        """tuple of 6 float: outer edges (easting_min, easting_max, northing_min, northing_max, tvdss_min, tvdss_max)."""
        out = []
        for axis in range(3):
            lo = self.origin[axis] - 0.5 * self.spacing[axis]
            out += [lo, lo + self.shape[axis] * self.spacing[axis]]
        return tuple(float(v) for v in out)

    def cell_indices(self, easting, northing, tvdss) -> tuple[np.ndarray, np.ndarray]:
        """Return the integer cell index of each point and whether it lies inside the grid.

        Parameters
        ----------
        easting, northing, tvdss : array, shape (n,)
            Point coordinates (m).

        Returns
        -------
        cells : array of int, shape (n, 3)
            ``(i, j, k)`` indices (meaningless where ``inside`` is False).
        inside : array of bool, shape (n,)
            True for finite points inside the half-open cells of the grid.
        """
        coords = np.stack([np.asarray(c, dtype=float).ravel() for c in (easting, northing, tvdss)], axis=1)
        lower = np.asarray(self.origin) - 0.5 * np.asarray(self.spacing)
        with np.errstate(invalid="ignore"):
            rel = np.floor((coords - lower) / np.asarray(self.spacing))
            inside = np.all((rel >= 0) & (rel < np.asarray(self.shape)), axis=1)
        cells = np.where(inside[:, None], rel, 0).astype(np.int64)
        return cells, inside


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


def upscale(grid, easting, northing, tvdss, values, well, *, well_names=(), min_samples=1) -> ConditioningData:
    """Block well samples to the grid: the mean of the samples of each well in each cell.

    Parameters
    ----------
    grid : Grid
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
    krigflow.exceptions.ConfigError
        If the arrays have different lengths, ``min_samples < 1``, or a well index is out of range.

    Examples
    --------
    >>> grid = Grid.from_bounds((0, 10, 0, 10, 0, 4), (10, 10, 2))
    >>> d = upscale(grid, [5, 5, 5, 5], [5, 5, 5, 5], [0.5, 1.5, 2.5, 9.0], [1.0, 3.0, 5.0, 7.0], [0, 0, 0, 0])
    >>> d.values.tolist(), d.tvdss.tolist()
    ([2.0, 5.0], [1.0, 3.0])
    """
    arrays = [np.asarray(a, dtype=float).ravel() for a in (easting, northing, tvdss, values)]
    well = np.asarray(well).ravel()
    if any(a.shape != well.shape for a in arrays):
        raise ConfigError(
            "upscale: easting, northing, tvdss, values and well must have the same length, got "
            f"{[a.size for a in arrays] + [well.size]}"
        )
    if int(min_samples) != min_samples or min_samples < 1:
        raise ConfigError(f"upscale: min_samples must be an integer >= 1, got {min_samples!r}")
    if well.size and (not np.issubdtype(well.dtype, np.integer) or well.min() < 0):
        raise ConfigError("upscale: well must hold non-negative integer well indices")
    well = well.astype(np.int64)
    names = tuple(str(n) for n in well_names)
    if not names:
        names = tuple(str(i) for i in range(int(well.max()) + 1 if well.size else 0))
    elif well.size and well.max() >= len(names):
        raise ConfigError(f"upscale: well index {int(well.max())} out of range for {len(names)} well_names")

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
