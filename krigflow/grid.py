"""Regular 3-D model grids (:class:`Grid`).

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

from krigflow._validate import check_triple
from krigflow.exceptions import GridError

logger = logging.getLogger(__name__)

__all__ = ["Grid"]

#: Relative tolerance (of one spacing) for "the extent is a whole number of cells".
_EXTENT_TOLERANCE = 1e-6

_AXES = ("easting", "northing", "tvdss")


def _grid_triple(value, name, *, sign=None):
    """``value`` as three finite floats (easting, northing, tvdss), or GridError naming it."""
    return check_triple(value, name, sign=sign, error=GridError, prefix="Grid ")


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
    krigflow.exceptions.GridError
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
        object.__setattr__(self, "origin", _grid_triple(self.origin, "origin"))
        object.__setattr__(self, "spacing", _grid_triple(self.spacing, "spacing", sign="positive"))
        shape = check_triple(self.shape, "shape", integer=True, sign="positive", error=GridError,
                             prefix="Grid ")
        object.__setattr__(self, "shape", shape)

    @classmethod
    def from_bounds(cls, bounds, spacing) -> Grid:
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
        krigflow.exceptions.GridError
            If the bounds are not ordered (max > min), or an extent is not a whole number of cells within
            a tolerance of 1e-6 spacing. Non-multiples are rejected rather than silently adjusted, so the
            grid is always exactly the box the user asked for.
        """
        try:
            b = [float(v) for v in bounds]
        except (TypeError, ValueError):
            raise GridError(f"Grid bounds must be six numbers, got {bounds!r}")
        if len(b) != 6 or not all(np.isfinite(b)):
            raise GridError(
                "Grid bounds must be six finite numbers (easting_min, easting_max, northing_min, "
                f"northing_max, tvdss_min, tvdss_max), got {bounds!r}"
            )
        step = _grid_triple(spacing, "spacing", sign="positive")
        shape, origin = [], []
        for axis, name in enumerate(_AXES):
            lo, hi = b[2 * axis], b[2 * axis + 1]
            if not hi > lo:
                raise GridError(f"Grid bounds: {name}_max ({hi}) must be greater than {name}_min ({lo})")
            cells = (hi - lo) / step[axis]
            n = int(round(cells))
            if n < 1 or abs(cells - n) > _EXTENT_TOLERANCE * max(1.0, cells):
                raise GridError(
                    f"Grid bounds: the {name} extent {hi - lo} m is not a whole number of cells of "
                    f"spacing {step[axis]} m ({cells:.6g} cells); adjust {name}_max to "
                    f"{lo + max(n, 1) * step[axis]} or change the spacing"
                )
            shape.append(n)
            origin.append(lo + 0.5 * step[axis])
        return cls(origin=tuple(origin), spacing=step, shape=tuple(shape))

    @classmethod
    def around_wells(cls, wells, spacing, padding=(0.0, 0.0, 0.0)) -> Grid:
        """Build the smallest spacing-aligned grid holding every valid sample of the wells, plus padding.

        Parameters
        ----------
        wells : sequence of krigflow.wells.Well
            Anything with ``easting``, ``northing``, ``tvdss`` and ``values`` arrays; samples whose value is
            NaN do not count.
        spacing : sequence of 3 float
            Cell size ``(dx, dy, dz)`` (m).
        padding : sequence of 3 float, default (0, 0, 0)
            Margin on each side, as in :meth:`around_points`.

        Returns
        -------
        Grid

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> w = SimpleNamespace(easting=[5, 95], northing=[10, 40], tvdss=[1003, 1017], values=[1.0, 2.0])
        >>> Grid.around_wells([w], (10, 10, 4), padding=(10, 10, 0)).bounds
        (-10.0, 110.0, 0.0, 50.0, 1000.0, 1020.0)
        """
        coords = [[], [], []]
        for w in wells:
            valid = np.isfinite(np.asarray(w.values, dtype=float))
            for axis, name in enumerate(("easting", "northing", "tvdss")):
                coords[axis].append(np.asarray(getattr(w, name), dtype=float)[valid])
        if not coords[0]:
            raise GridError("Grid.around_wells: no wells given")
        return cls.around_points(*(np.concatenate(c) for c in coords), spacing, padding=padding)

    @classmethod
    def around_points(cls, easting, northing, tvdss, spacing, padding=(0.0, 0.0, 0.0)) -> Grid:
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
        krigflow.exceptions.GridError
            If there are no finite points, or spacing/padding are invalid.

        Examples
        --------
        >>> g = Grid.around_points([5, 95], [10, 40], [1003, 1017], (10, 10, 4), padding=(10, 10, 0))
        >>> g.bounds
        (-10.0, 110.0, 0.0, 50.0, 1000.0, 1020.0)
        """
        step = _grid_triple(spacing, "spacing", sign="positive")
        pad = _grid_triple(padding, "padding", sign="non-negative")
        coords = [np.asarray(c, dtype=float).ravel() for c in (easting, northing, tvdss)]
        if not coords[0].shape == coords[1].shape == coords[2].shape:
            raise GridError("Grid.around_points: easting, northing and tvdss must have the same length")
        finite = np.all([np.isfinite(c) for c in coords], axis=0)
        if not finite.any():
            raise GridError("Grid.around_points: no point has finite easting, northing and tvdss")
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
