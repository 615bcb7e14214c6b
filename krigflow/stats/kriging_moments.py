"""Simple-kriging mean and variance at the cells of a grid (the moments behind the exact quantiles).

* mean: the global simple-kriging estimate, the same engines as the conditional method's residual kriging
  (:func:`krigflow.kriging.krige_grid`, one field);
* variance ``C(0) - c(x)' C^-1 c(x)``, computed as ``C(0) - |L^-1 c(x)|^2`` (``L`` the Cholesky factor of the
  data covariance), in chunks of cells. With a well effect sigma_w**2 (:mod:`krigflow.well_effect`) the data
  covariance gains sigma_w**2 for pairs of one well and a cell's variance ``C(0) + sigma_w**2`` (the new well's
  offset), as the conditional simulation draws it: ``C(0) + sigma_w**2 - c(x)' (C + W)^-1 c(x)``. With ``max_data=None`` (or ``>= n``) all data are used: exact, at
  ``n^2`` flops per cell. With ``max_data = k < n`` each block of cells uses the ``k`` data nearest its
  centre in the variogram's anisotropic metric, plus every datum inside the block: ``k^2`` flops per cell.
  Fewer data can only raise the simple-kriging variance, so this is an upper bound of the exact one
  (:func:`default_max_data` chooses; ``benchmarks/bench_field_scale.py`` reports the error).

``kind="ordinary"`` gives the ordinary-kriging variance instead (the spread of conditioning by ordinary
kriging, as the zones of a zoned run simulate): ``sk + (1 - 1' C^-1 c)^2 / (1' C^-1 1)``, from the same factor.

Without a well effect the variance is 0 only at a datum's own cell (nugget or not); blocks of cells are independent, so a box of
the grid can be computed alone (:func:`block_slices`) and threads share the blocks.
"""
from __future__ import annotations

import logging

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits

from krigflow.exceptions import StatsError

logger = logging.getLogger(__name__)

__all__ = ["block_slices", "default_max_data", "sk_moments", "sk_variance"]

#: Default bound on the temporaries of :func:`sk_variance` (bytes).
DEFAULT_CHUNK_BYTES = 32 * 2**20
#: Data per block of the neighbourhood variance on large problems (:func:`default_max_data`): on the
#: 20 M-cell benchmark (1 200 data) its standard deviation differs from the exact one by <= 1.2e-4 (of 1).
NEIGHBOURHOOD_DATA = 64
#: Largest ``cells * n_data**2`` for which :func:`default_max_data` uses all data (exact variance).
EXACT_WORK = 5e10
#: Relative variance treated as 0 (rounding of ``C(0) - |L^-1 c|^2`` at a datum's own cell is ~n eps).
ZERO_VARIANCE = 1e-10
def block_slices(shape, block_shape) -> list:
    """Boxes (tuples of 3 slices) tiling ``shape`` with blocks of at most ``block_shape``, in C order.

    Examples
    --------
    >>> [tuple((s.start, s.stop) for s in b) for b in block_slices((3, 1, 1), (2, 1, 1))]
    [((0, 2), (0, 1), (0, 1)), ((2, 3), (0, 1), (0, 1))]
    """
    shape = tuple(int(n) for n in shape)
    block = tuple(max(1, min(int(b), n)) for b, n in zip(block_shape, shape))
    return [(slice(i, min(i + block[0], shape[0])), slice(j, min(j + block[1], shape[1])),
             slice(k, min(k + block[2], shape[2])))
            for i in range(0, shape[0], block[0]) for j in range(0, shape[1], block[1])
            for k in range(0, shape[2], block[2])]

def _box_of(grid, box):
    """The box as slices of the grid (default: the whole grid), validated."""
    if box is None:
        return tuple(slice(0, n) for n in grid.shape)
    box = tuple(slice(*s.indices(n)[:2]) for s, n in zip(box, grid.shape))
    if len(box) != 3 or any(s.stop <= s.start for s in box):
        raise StatsError(f"box must be three non-empty slices of the grid {grid.shape}, got {box!r}")
    return box


def _data_positions(data):
    """(n, 3) data coordinates (m)."""
    return np.stack([np.asarray(data.easting, float), np.asarray(data.northing, float),
                     np.asarray(data.tvdss, float)], axis=1)


def _cross_covariance(variogram, grid, flat_box, cells, positions):
    """Covariance (m, q) between cells (flat indices into the box's grid) and data.

    Uses integer lattice lags times the spacing when the data sit at cell centres (``cells`` not None),
    so that a cell holding a datum has exactly zero lag (and gets the nugget), as in the lattice engines.
    """
    i, j, k = flat_box
    if cells is not None:
        dx, dy, dz = grid.spacing
        de = (i[:, None] - cells[None, :, 0]) * dx
        dn = (j[:, None] - cells[None, :, 1]) * dy
        dt = (k[:, None] - cells[None, :, 2]) * dz
    else:
        de = grid.easting[i][:, None] - positions[None, :, 0]
        dn = grid.northing[j][:, None] - positions[None, :, 1]
        dt = grid.tvdss[k][:, None] - positions[None, :, 2]
    return variogram.covariance(de, dn, dt)


def _lattice_cells_of(grid, data):
    """Data cell indices (n, 3) if every datum is at the centre of its cell, else None."""
    cells = getattr(data, "cells", None)
    if cells is None:
        return None
    cells = np.asarray(cells)
    positions = _data_positions(data)
    if cells.shape != positions.shape or not np.issubdtype(cells.dtype, np.integer):
        return None
    if cells.size and (cells.min() < 0 or np.any(cells.max(axis=0) >= np.asarray(grid.shape))):
        return None
    centres = np.asarray(grid.origin) + cells * np.asarray(grid.spacing)
    if not np.allclose(centres, positions, rtol=0.0, atol=1e-6 * min(grid.spacing)):
        return None
    return cells.astype(np.int64)


def _data_factor(variogram, positions, wells, well_effect):
    """Cholesky factor of the data covariance (well effect added for pairs of one well)."""
    cov = variogram.covariance(*(positions[:, None, a] - positions[None, :, a] for a in range(3)))
    if well_effect:
        from krigflow.well_effect import add_well_effect

        add_well_effect(cov, wells, well_effect)
    return _cholesky(cov)


def _cholesky(cov):
    try:
        return scipy.linalg.cholesky(cov, lower=True, overwrite_a=True, check_finite=False)
    except np.linalg.LinAlgError:
        raise StatsError("sk_variance: the data covariance matrix is not positive definite (duplicate "
                            "data locations without a nugget?)")


def _variance_of(factor, cov_rows, sill, out, ones=None):
    """``sill - |L^-1 c|^2`` for the rows of ``cov_rows`` (m, q), clipped to [0, sill], into ``out``
    (``sill``: the variance of a cell, well effect included). With ``ones`` (``L^-1 1``): the ordinary-kriging
    variance ``sill - |s|^2 + (1 - ones . s)^2 / |ones|^2`` with ``s = L^-1 c`` (not clipped above).

    Values below ``ZERO_VARIANCE * sill`` (rounding at a datum's cell) are set to exactly 0, so that a
    datum's cell has a point-mass distribution (exceedance exactly 0 or 1).
    """
    solved = scipy.linalg.solve_triangular(factor, cov_rows.T, lower=True, check_finite=False,
                                           overwrite_b=True)
    np.einsum("qm,qm->m", solved, solved, out=out)
    np.subtract(sill, out, out=out)
    if ones is not None:
        gap = 1.0 - ones @ solved
        out += gap * gap / float(ones @ ones)
    out[out < ZERO_VARIANCE * sill] = 0.0
    return out if ones is not None else np.clip(out, 0.0, sill, out=out)


def _search_block(grid, variogram, target_cells=1024):
    """Block shape for the neighbourhood variance: about ``target_cells`` cells, ~cubic in the scaled metric."""
    rmin = min(variogram.range_h, variogram.range_h2)
    size = np.array([grid.spacing[0] / rmin, grid.spacing[1] / rmin, grid.spacing[2] / variogram.range_v])
    edge = (target_cells * np.prod(size)) ** (1.0 / 3.0)
    return tuple(int(b) for b in np.clip(np.round(edge / size), 1, grid.shape))


def _scaled(variogram, points):
    """Coordinates in which Euclidean distance is the variogram's anisotropic lag (rotation + ranges)."""
    theta = np.deg2rad(variogram.azimuth)
    major = points[:, 0] * np.sin(theta) + points[:, 1] * np.cos(theta)
    minor = points[:, 0] * np.cos(theta) - points[:, 1] * np.sin(theta)
    return np.stack([major / variogram.range_h, minor / variogram.range_h2, points[:, 2] / variogram.range_v], 1)


def sk_variance(grid, variogram, data, *, box=None, max_data=None, chunk_bytes=DEFAULT_CHUNK_BYTES,
                block_cells=1024, threads=1, well_effect=0.0, kind="simple") -> np.ndarray:
    """Simple-kriging variance at the cell centres of a box of the grid.

    Parameters
    ----------
    grid : krigflow.grid.Grid
        The grid.
    variogram : krigflow.variogram.Variogram
        Covariance model (nugget included: the variance is 0 only at a datum's own cell).
    data : krigflow.grid.ConditioningData
        Conditioning data (only the positions matter).
    box : tuple of 3 slices, optional
        Cells to compute (default: the whole grid).
    max_data : int, optional
        None (default) or ``>= n``: all data, exact. ``k < n``: per block of about ``block_cells`` cells,
        the ``k`` data nearest to the block centre (anisotropic metric) plus the data inside the block;
        an upper bound of the exact variance.
    chunk_bytes : int, default 32 MiB
        Bound on the covariance chunk (the temporaries are a few times this).
    block_cells : int, default 1024
        Cells per search block of the neighbourhood variance.
    threads : int, default 1
        Threads sharing the blocks of the neighbourhood variance (each block one BLAS thread).
    well_effect : float, default 0
        Well-effect variance sigma_w**2 (units of ``variogram``): added to the data covariance of pairs of
        one well (``data.well``) and to the variance of every cell.
    kind : {"simple", "ordinary"}, default "simple"
        Simple-kriging variance, or the ordinary-kriging variance (unknown mean).

    Returns
    -------
    float64 array, shape of the box
        Variance in ``[0, sill + well_effect]``.

    Examples
    --------
    >>> import numpy as np
    >>> from krigflow.conditioning import upscale
    >>> from krigflow.grid import Grid
    >>> from krigflow.variogram import Variogram
    >>> grid = Grid.from_bounds((0, 30, 0, 10, 0, 10), (10, 10, 10))
    >>> data = upscale(grid, np.array([5.0]), np.array([5.0]), np.array([5.0]), np.array([1.0]), np.array([0]))
    >>> v = Variogram("exponential", 1.0, 30.0, 30.0)
    >>> sk_variance(grid, v, data).ravel().round(4).tolist()      # 1 - exp(-3 h)^2 with h = 0, 1/3, 2/3
    [0.0, 0.8647, 0.9817]
    """
    box = _box_of(grid, box)
    n = np.asarray(data.values).shape[0]
    well_effect = float(well_effect or 0.0)
    if not (np.isfinite(well_effect) and well_effect >= 0):
        raise StatsError(f"sk_variance: well_effect must be a number >= 0, got {well_effect!r}")
    total = float(variogram.sill) + well_effect         # variance of a cell: a new well's offset included
    shape = tuple(s.stop - s.start for s in box)
    out = np.empty(shape)
    if n == 0:
        out[...] = total
        return out
    wells = np.asarray(data.well) if well_effect else None
    if kind not in ("simple", "ordinary"):
        raise StatsError(f"sk_variance: kind must be 'simple' or 'ordinary', got {kind!r}")
    ordinary = kind == "ordinary"
    cells = _lattice_cells_of(grid, data)
    positions = _data_positions(data)
    if max_data is not None and (int(max_data) != max_data or max_data < 1):
        raise StatsError(f"sk_variance: max_data must be None or an integer >= 1, got {max_data!r}")
    if max_data is None or max_data >= n:
        factor = _data_factor(variogram, positions, wells, well_effect)
        _fill_variance(grid, variogram, box, np.arange(n), factor, cells, positions, out, chunk_bytes, total,
                       ordinary=ordinary)
        return out
    # many small factorizations and solves: one BLAS thread (threaded BLAS on 130 x 130 matrices spins,
    # measured 50x slower on a loaded 2-core machine); run blocks in several processes instead
    with threadpool_limits(limits=1):
        return _neighbourhood_variance(grid, variogram, box, int(max_data), cells, positions, out,
                                       chunk_bytes, block_cells, max(1, int(threads)), (wells, well_effect),
                                       ordinary)


def _fill_variance(grid, variogram, box, used, factor, cells, positions, out, chunk_bytes, total, sub=None,
                   ordinary=False):
    """Variance of the cells of ``sub`` (a box inside ``box``; default all) with the data ``used``."""
    sub = box if sub is None else sub
    sub_shape = tuple(s.stop - s.start for s in sub)
    m_all = int(np.prod(sub_shape))
    q = used.size
    chunk = max(1, int(chunk_bytes // (8 * 6 * q)))
    flat_out = np.empty(m_all)
    d_cells = None if cells is None else cells[used]
    d_pos = positions[used]
    ones = None
    if ordinary:
        ones = scipy.linalg.solve_triangular(factor, np.ones(q), lower=True, check_finite=False)
    for start in range(0, m_all, chunk):
        idx = np.arange(start, min(start + chunk, m_all))
        i, j, k = np.unravel_index(idx, sub_shape)
        cov = _cross_covariance(variogram, grid, (i + sub[0].start, j + sub[1].start, k + sub[2].start),
                                d_cells, d_pos)
        _variance_of(factor, cov, total, flat_out[start:start + idx.size], ones)
    target = tuple(slice(s.start - b.start, s.stop - b.start) for s, b in zip(sub, box))
    out[target] = flat_out.reshape(sub_shape)


def _neighbourhood_variance(grid, variogram, box, k, cells, positions, out, chunk_bytes, block_cells, threads=1,
                            well=(None, 0.0), ordinary=False):
    wells, well_effect = well
    total = float(variogram.sill) + well_effect
    from scipy.spatial import cKDTree

    scaled = _scaled(variogram, positions)
    tree = cKDTree(scaled)
    block = _search_block(grid, variogram, block_cells)
    shape = tuple(s.stop - s.start for s in box)
    if cells is None:
        inside_cells, inside = grid.cell_indices(positions[:, 0], positions[:, 1], positions[:, 2])
        inside_cells[~inside] = -1
    else:
        inside_cells = cells
    subs = [tuple(slice(s.start + b.start, s.stop + b.start) for s, b in zip(sub, box))
            for sub in block_slices(shape, block)]

    def fill(part):
        for sub in part:
            centre = np.array([[np.mean(axis[s]) for axis, s in zip((grid.easting, grid.northing, grid.tvdss),
                                                                   sub)]])
            _, near = tree.query(_scaled(variogram, centre)[0], k=k)
            within = np.flatnonzero(np.all([(inside_cells[:, a] >= sub[a].start)
                                            & (inside_cells[:, a] < sub[a].stop) for a in range(3)], axis=0))
            used = np.union1d(np.atleast_1d(near), within)
            factor = _data_factor(variogram, positions[used], None if wells is None else wells[used], well_effect)
            _fill_variance(grid, variogram, box, used, factor, cells, positions, out, chunk_bytes, total, sub=sub,
                           ordinary=ordinary)

    if threads <= 1 or len(subs) < 2:
        fill(subs)
        return out
    # blocks are independent and write disjoint parts of ``out``; numpy/LAPACK release the GIL
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for done in [pool.submit(fill, subs[i::threads]) for i in range(threads)]:
            done.result()
    return out


def sk_moments(grid, variogram, data, *, values=None, mean=0.0, box=None, max_data=None, method="auto",
               chunk_bytes=DEFAULT_CHUNK_BYTES, threads=1, well_effect=0.0, kind="simple") -> tuple:
    """Simple-kriging mean and standard deviation over a box of cells.

    Parameters
    ----------
    grid, variogram, data
        As :func:`sk_variance`.
    values : array, shape (n,), optional
        Values to krige (e.g. the normal scores of the data); default ``data.values``.
    mean : float, default 0
        Simple-kriging mean.
    box : tuple of 3 slices, optional
        Cells to return (the mean is kriged on the whole grid with the global engines, then cut).
    max_data, threads, well_effect, kind : optional
        Passed to :func:`sk_variance` (``well_effect`` and ``kind`` also to the kriging of the mean; with
        ``kind="ordinary"`` the mean is the ordinary-kriging estimate and ``mean`` is ignored).
    method : str, default "auto"
        :func:`krigflow.kriging.krige_grid` engine for the mean.

    Returns
    -------
    mean, std : float64 arrays, shape of the box
    """
    from krigflow.kriging import krige_grid

    box = _box_of(grid, box)
    values = np.asarray(data.values if values is None else values, dtype=np.float64)
    field = np.zeros((1, *grid.shape))
    krige_grid(grid, variogram, data, kind=kind, mean=float(mean) if kind == "simple" else None,
               values=values[:, None], method=method, well_effect=float(well_effect or 0.0), add_to=field)
    m = field[0] if all(b.start == 0 and b.stop == n for b, n in zip(box, grid.shape)) \
        else np.ascontiguousarray(field[0][box])
    del field
    var = sk_variance(grid, variogram, data, box=box, max_data=max_data, chunk_bytes=chunk_bytes, threads=threads,
                      well_effect=well_effect, kind=kind)
    return m, np.sqrt(var, out=var)

def default_max_data(n_cells, n_data):
    """``max_data`` of the variance: None (all data, exact) when ``cells * n_data**2 <= EXACT_WORK``, else
    :data:`NEIGHBOURHOOD_DATA`.

    Examples
    --------
    >>> default_max_data(20_000, 1000), default_max_data(20_000_000, 1200)
    (None, 64)
    """
    return None if float(n_cells) * float(n_data) ** 2 <= EXACT_WORK else NEIGHBOURHOOD_DATA
