"""Ordinary and simple kriging of conditioning data onto a grid, for many realizations at once.

Engine design (details in the README, "Kriging engine")
----------------------------------------------
Dual form (:mod:`krigflow.kriging.dual`): every realization's estimate is ``K @ W[:, r] + beta[r]`` where
``K`` is the covariance between the target cells and *all* n data, so one covariance evaluation is shared
by all realizations. Three interchangeable engines compute ``K @ W``:

``"dense"``
    The straightforward reference: ``K`` evaluated in chunks of cells (memory ``chunk_bytes``), then one
    BLAS matrix product per chunk. Works for any data positions.
``"fft"``
    When every datum sits at a cell centre, ``K @ W`` is a discrete 3-D convolution of the weights placed
    on the lattice with the covariance over integer lags ``(di, dj, dk)``. The covariance is evaluated
    once on the ``(2nx-1) x (2ny-1) x (2nz-1)`` lag lattice (independent of the number of data), its FFT is
    real because ``C(-lag) = C(lag)``, and each realization costs two pruned FFTs of the zero-padded grid.
``"columns"``
    Lattice data, memory bounded for very large grids: grid columns are processed in chunks; for each
    chunk the covariance to every *data column* is evaluated over the ``2nz-1`` vertical lags, and the
    vertical contraction is done by FFT along tvdss plus one complex matrix product per frequency. With a
    covariance of finite reach (spherical: 0 beyond the range; gaussian: below 1e-17 of the sill beyond
    3.6 ranges) the grid columns go in square tiles and each tile uses only the data columns within reach
    (the others contribute exact zeros): at field scale a tile sees a few of the wells.

``method="auto"`` picks ``"fft"`` for lattice data when its working set fits ``memory_bytes``, else
``"columns"`` when the number of data columns is small compared with the cells, else ``"dense"``.
All engines are float64 and agree to ~1e-12 relative (tested). With ``neighbourhood`` the moving
neighbourhood of :mod:`krigflow.kriging.neighbourhood` replaces them.
"""
from __future__ import annotations

import logging

import numpy as np
import scipy.fft

from krigflow._validate import check_choice
from krigflow.exceptions import KrigingError
from krigflow.kriging.dual import (
    DEFAULT_CHUNK_BYTES,
    _check_kind,
    _covariance_matrix,
    _covariance_scaled,
    _data_arrays,
    _scaled_coordinates,
    _solve_dual,
    _values_and_masks,
    _with_well_effect,
)
from krigflow.kriging.neighbourhood import _check_neighbourhood, _neighbourhood_engine

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_MEMORY_BYTES", "METHODS", "krige_grid"]

#: Default bound on the working set of the FFT engine (bytes), above which "auto" uses "columns".
DEFAULT_MEMORY_BYTES = 384 * 2**20

#: Grid kriging engines (``method`` argument of :func:`krige_grid`).
METHODS = ("auto", "dense", "fft", "columns")


def _dense_engine(grid, variogram, coords, weights, beta, chunk_bytes):
    """Straightforward dual form: covariance chunk (m x n) @ W (n x R), for any data positions.

    Memory: two (m, n) float64 blocks with ``m * n * 8 <= chunk_bytes / 2``.
    """
    n, n_real = weights.shape
    nx, ny, nz = grid.shape
    out = np.empty((n_real, grid.n_cells))
    chunk = max(1, int(chunk_bytes // (16 * max(n, 1))))
    scaled_data = _scaled_coordinates(variogram, coords)
    block = np.empty((min(chunk, grid.n_cells), n))
    tmp = np.empty_like(block)
    e, nn, t = grid.easting, grid.northing, grid.tvdss
    for start in range(0, grid.n_cells, chunk):
        flat = np.arange(start, min(start + chunk, grid.n_cells))
        i, j, k = np.unravel_index(flat, grid.shape)
        cells = _scaled_coordinates(variogram, np.stack([e[i], nn[j], t[k]], axis=1))
        cov = _covariance_scaled(variogram, cells, scaled_data, block[:flat.size], tmp[:flat.size])
        out[:, flat] = (cov @ weights).T
    out += beta[:, None]
    return out.reshape((n_real, nx, ny, nz))


def _lattice_cells(grid, data, coords):
    """Return the (n, 3) cell indices if every datum is at a cell centre of ``grid``'s lattice, else None.

    Data may lie outside the grid horizontally (on the lattice extended along easting and northing: a
    block of a larger grid, :mod:`krigflow.run.blocks`), not vertically; see :func:`_inside`.
    """
    cells = getattr(data, "cells", None)
    if cells is None:
        return None
    cells = np.asarray(cells)
    if cells.shape != (coords.shape[0], 3) or not np.issubdtype(cells.dtype, np.integer):
        return None
    if cells.size and (cells[:, 2].min() < 0 or cells[:, 2].max() >= grid.shape[2]):
        return None
    centres = np.asarray(grid.origin) + cells * np.asarray(grid.spacing)
    if not np.allclose(centres, coords, rtol=0.0, atol=1e-6 * min(grid.spacing)):
        return None
    return cells.astype(np.int64)


def _inside(grid, cells):
    """True if every lattice datum is inside the grid (the FFT engine needs it; the columns engine not)."""
    return not cells.size or (cells.min() >= 0 and bool(np.all(cells.max(axis=0) < np.asarray(grid.shape))))


def _fft_lengths(shape):
    return tuple(scipy.fft.next_fast_len(2 * n - 1, real=True) for n in shape)


def _fft_bytes(shape):
    """Peak working set of the FFT engine (bytes): the real lag kernel (freed after its transform) and
    its complex transform, then the real spectrum plus two complex buffers of the padded lattice."""
    lx, ly, lz = _fft_lengths(shape)
    spectrum = lx * ly * (lz // 2 + 1)
    return max(8 * lx * ly * lz + 16 * spectrum, 8 * spectrum + 2 * 16 * spectrum)


def _symmetric_lags(length, n):
    """Integer lag of each circular index (|lag| < n), and which indices are used."""
    idx = np.arange(length)
    lag = np.where(idx <= length // 2, idx, idx - length)
    return lag, np.abs(lag) < n


def _lag_kernel(grid, variogram):
    """Covariance over the circular lag lattice of the FFT engine (zero where |lag| >= n on any axis).

    Index ``(a, b, c)`` holds ``C(lag_a dx, lag_b dy, lag_c dz)`` with ``lag = a`` for ``a <= L/2`` and
    ``a - L`` above, so the kernel is even (``K[-a] == K[a]``) and its spectrum is real.
    """
    lengths = _fft_lengths(grid.shape)
    lags = [_symmetric_lags(length, n) for length, n in zip(lengths, grid.shape)]
    dx, dy, dz = grid.spacing
    h2_h = variogram._h2_horizontal(lags[0][0][:, None] * dx, lags[1][0][None, :] * dy)   # (lx, ly)
    h2_v = np.square(lags[2][0] * dz / variogram.range_v)                                  # (lz,)
    used_h = lags[0][1][:, None] & lags[1][1][None, :]
    kernel = np.zeros(lengths)
    for a in np.flatnonzero(lags[0][1]):     # one easting slab at a time keeps temporaries small
        h = np.sqrt(h2_h[a][:, None] + h2_v[None, :])
        kernel[a] = variogram.covariance_of_lag(h)
        kernel[a][~used_h[a]] = 0.0
    kernel[:, :, ~lags[2][1]] = 0.0
    return kernel


def _lattice_covariance(kernel, cells):
    """Covariance matrix of lattice data looked up in the lag kernel (no covariance evaluation)."""
    lengths = kernel.shape
    out = np.empty((cells.shape[0], cells.shape[0]))
    for start in range(0, cells.shape[0], 512):
        block = cells[start:start + 512]
        idx = tuple((block[:, None, a] - cells[None, :, a]) % lengths[a] for a in range(3))
        out[start:start + 512] = kernel[idx]
    return out


def _fft_engine(grid, weights, beta, cells, kernel_spectrum, lengths):
    """Lattice convolution per realization: pruned forward FFT of the weights, multiply, pruned inverse.

    Forward: rfft along tvdss only for the data columns, fft along northing only for the easting rows
    that hold data, fft along easting. Inverse: ifft along easting keeping the first nx rows, ifft
    along northing keeping ny, irfft along tvdss keeping nz. Memory: one (lx, ly, lz//2+1) complex
    buffer plus the kernel spectrum, whatever the number of realizations.
    """
    nx, ny, nz = grid.shape
    lx, ly, lz = lengths
    nf = lz // 2 + 1
    n_real = weights.shape[1]
    out = np.empty((n_real, nx, ny, nz))
    columns, col_index = np.unique(cells[:, 0] * ny + cells[:, 1], return_inverse=True)
    ci, cj = np.divmod(columns, ny)
    rows, row_index = np.unique(ci, return_inverse=True)
    w_cols = np.zeros((columns.size, lz))
    row_buf = np.zeros((rows.size, ly, nf), dtype=complex)
    spec = np.empty((lx, ly, nf), dtype=complex)
    for r in range(n_real):
        w_cols[:] = 0.0
        np.add.at(w_cols, (col_index, cells[:, 2]), weights[:, r])
        row_buf[:] = 0.0
        row_buf[row_index, cj] = scipy.fft.rfft(w_cols, axis=-1)
        spec[:] = 0.0
        spec[rows] = scipy.fft.fft(row_buf, axis=1)
        spec = scipy.fft.fft(spec, axis=0, overwrite_x=True)
        spec *= kernel_spectrum
        part = scipy.fft.ifft(spec, axis=0)[:nx]
        part = scipy.fft.ifft(part, axis=1, overwrite_x=True)[:, :ny]
        out[r] = scipy.fft.irfft(part, n=lz, axis=2)[..., :nz]
        out[r] += beta[r]
    return out


#: Relative covariance below which the columns engine skips a pair of columns (below float64 rounding).
NEGLIGIBLE_COVARIANCE = 1e-17


def _zero_reach(variogram) -> float:
    """Normalized horizontal lag beyond which the covariance is zero at every vertical lag (spherical: 1),
    or below :data:`NEGLIGIBLE_COVARIANCE` of the sill (gaussian); ``inf`` for the other models.

    Examples
    --------
    >>> from krigflow.variogram import Variogram
    >>> _zero_reach(Variogram("spherical", 1.0, 100.0, 10.0)), _zero_reach(Variogram("exponential", 1.0, 100.0, 10.0))
    (1.0, inf)
    """
    if variogram.model == "spherical":
        return 1.0
    if variogram.model == "gaussian":
        return float(np.sqrt(np.log(1.0 / NEGLIGIBLE_COVARIANCE) / 3.0))
    return float("inf")


def _column_blocks(nx, ny, chunk, tiled):
    """Blocks of about ``chunk`` grid columns (flat index ``i * ny + j``): ranges, or (``tiled``) index arrays
    of square tiles, so that a tile is close to few data columns."""
    if not tiled:
        return [slice(s, min(s + chunk, nx * ny)) for s in range(0, nx * ny, chunk)]
    tj = int(min(ny, max(1, np.sqrt(chunk))))
    ti = int(min(nx, max(1, chunk // tj)))
    return [(np.arange(i0, min(i0 + ti, nx))[:, None] * ny + np.arange(j0, min(j0 + tj, ny))[None, :]).ravel()
            for i0 in range(0, nx, ti) for j0 in range(0, ny, tj)]


def _columns_engine(grid, variogram, weights, beta, cells, chunk_bytes, add_to=None):
    """Lattice data, chunks of grid columns: covariance to data columns over vertical lags, FFT along z.

    With ``add_to`` (R, nx, ny, nz), the estimates are added into it chunk by chunk (no full-size
    float64 output: the conditional method adds the kriged residuals to its float32 fields in place).
    """
    nx, ny, nz = grid.shape
    n_real = weights.shape[1]
    lz = scipy.fft.next_fast_len(2 * nz - 1, real=True)
    nf = lz // 2 + 1
    lag, used = _symmetric_lags(lz, nz)
    h2_v = np.square(lag * grid.spacing[2] / variogram.range_v)
    columns, col_index = np.unique(cells[:, 0] * ny + cells[:, 1], return_inverse=True)
    ci, cj = np.divmod(columns, ny)
    ncol = columns.size
    w_cols = np.zeros((ncol, nz, n_real))
    np.add.at(w_cols, (col_index, cells[:, 2]), weights)
    # (nf, ncol, R): spectrum of the weights of each data column along tvdss
    w_spec = np.ascontiguousarray(np.moveaxis(scipy.fft.rfft(w_cols, n=lz, axis=1), 1, 0))
    out = None if add_to is not None else np.empty((nx * ny, nz, n_real))
    target = None if add_to is None else add_to.reshape(n_real, nx * ny, nz)
    # per grid column: covariance (ncol, lz) real + spectrum (ncol, nf) complex + temporaries
    per_column = ncol * (lz * 8 * 3 + nf * 16 * 2) + nf * n_real * 16 * 2
    chunk = max(1, int(chunk_bytes // per_column))
    gi_all, gj_all = np.divmod(np.arange(nx * ny), ny)
    dx, dy = grid.spacing[:2]
    reach = _zero_reach(variogram)
    for block in _column_blocks(nx, ny, chunk, np.isfinite(reach)):
        h2_h = variogram._h2_horizontal((gi_all[block, None] - ci[None, :]) * dx,
                                        (gj_all[block, None] - cj[None, :]) * dy)   # (m, ncol)
        spec_w = w_spec
        if np.isfinite(reach):       # only the data columns within reach of the tile (the others add zeros)
            active = np.flatnonzero(np.min(h2_h, axis=0) < reach * reach)
            if active.size == 0:
                if target is None:
                    out[block] = 0.0
                else:
                    target[:, block, :] += beta[:, None, None]
                continue
            if active.size < ncol:
                h2_h, spec_w = h2_h[:, active], w_spec[:, active, :]
        cov = variogram.covariance_of_lag(np.sqrt(h2_h[:, :, None] + h2_v[None, None, :]))
        cov[:, :, ~used] = 0.0
        spec = scipy.fft.rfft(cov, axis=2)                                # (m, ncol, nf)
        spec = np.ascontiguousarray(np.moveaxis(spec, 2, 0))              # (nf, m, ncol)
        prod = np.matmul(spec, spec_w)                                    # (nf, m, R): BLAS per frequency
        values = scipy.fft.irfft(prod, n=lz, axis=0)[:nz]                 # (nz, m, R)
        if target is None:
            out[block] = values.transpose(1, 0, 2)
        else:
            values += beta
            target[:, block, :] += values.transpose(2, 1, 0)
    if target is not None:
        return add_to
    out = out.reshape(nx, ny, nz, n_real).transpose(3, 0, 1, 2)
    return out + beta[:, None, None, None]


def krige_grid(grid, variogram, data, *, kind="ordinary", mean=None, masks=None, method="auto",
               chunk_bytes=DEFAULT_CHUNK_BYTES, memory_bytes=DEFAULT_MEMORY_BYTES,
               neighbourhood=None, values=None, well_effect=0.0, add_to=None) -> np.ndarray:
    """Krige every cell of a grid for one or many realizations (global dual form, or a moving neighbourhood).

    Parameters
    ----------
    grid : krigflow.grid.Grid
        Target grid; estimates are at cell centres.
    variogram : krigflow.variogram.model.Variogram
        Covariance model.
    data : krigflow.conditioning.ConditioningData
        Conditioning data (n).
    kind : {"ordinary", "simple"}, default "ordinary"
        Kriging type.
    mean : float, optional
        Known mean (simple kriging only).
    masks : array of bool, shape (n, R), optional
        ``masks[i, r]``: datum i is used in realization r (None: all data, R = 1).
    values : array, shape (n, R), optional
        Per-realization data values instead of ``data.values`` (all data in every realization, ``masks``
        None): R fields kriged with one factorization and one engine call, e.g. the residuals of R
        unconditional fields in conditioning by kriging. Global neighbourhood only.
    add_to : array, shape (R, nx, ny, nz), optional
        Add the estimates into this array (float32 or float64) and return it, instead of returning a new
        float64 array; the ``"columns"`` engine then never holds a full-size output (memory at field
        scale), the other engines add their result.
    method : {"auto", "dense", "fft", "columns"}, default "auto"
        Engine (see the module docstring). "fft" and "columns" need every datum at a cell centre of
        ``grid``; "dense" is the straightforward reference.
    chunk_bytes : int, default 64 MiB
        Bound on the covariance block of the "dense" and "columns" engines (their temporaries are a
        small multiple of it).
    memory_bytes : int, default 384 MiB
        "auto" uses "fft" only if its working set (lag kernel and its spectrum, then the real spectrum
        and two complex buffers of the ``(2nx-1) x (2ny-1) x (2nz-1)`` padded lattice) fits this bound.
    neighbourhood : dict, optional
        Moving neighbourhood instead of the global one: ``{"max_data": k, "octants": bool}``. Each cell is
        kriged with its ``k`` nearest data in the anisotropic metric of the variogram; with ``octants`` at
        most ``ceil(k/8)`` come from each octant of the ``4 k`` nearest. ``method`` is ignored. With
        ``k >= n`` (no octants) it equals the global answer. No global system: working memory is bounded
        by ``chunk_bytes`` (the answer for data sets too large for a global system); see
        :mod:`krigflow.kriging.neighbourhood` for the block search and the reuse of identical
        neighbourhoods. Ties at the ``k``-th distance (symmetric lattice data) are broken arbitrarily but
        deterministically.
    well_effect : float, default 0
        Variance of a constant offset per well (:mod:`krigflow.well_effect`): added to the covariance of
        data of one well (``data.well``) in the dual system; data-cell covariances are unchanged (a cell is
        in no data well). Global neighbourhood only.

    Returns
    -------
    array, shape (R, nx, ny, nz)
        Kriging estimates (float64).

    Raises
    ------
    krigflow.exceptions.KrigingError
        Bad kind/mean/masks/method, or a lattice engine requested for off-lattice data.

    Notes
    -----
    FFT sizes use ``scipy.fft`` with its current worker count (``scipy.fft.set_workers``, set together with
    the BLAS threads by :func:`krigflow.run.threads.blas_threads`).
    """
    check_choice(method, "kriging method", METHODS, error=KrigingError)
    mean = _check_kind(kind, mean)
    per_realization = values
    coords, values = _data_arrays(data)
    values, masks = _values_and_masks(values, per_realization, masks)
    if neighbourhood is not None and values.ndim == 2:
        raise KrigingError("per-realization values need the global neighbourhood (neighbourhood=None)")
    if neighbourhood is not None and well_effect:
        raise KrigingError("a well effect needs the global neighbourhood (neighbourhood=None)")
    if add_to is not None and (add_to.shape != (masks.shape[1], *grid.shape)
                               or not add_to.flags.c_contiguous):
        raise KrigingError(f"add_to must be a C-contiguous array of shape {(masks.shape[1], *grid.shape)}, "
                           f"got {add_to.shape}")
    if neighbourhood is not None:
        k, octants = _check_neighbourhood(neighbourhood)
        return _added(add_to, _neighbourhood_engine(grid, variogram, coords, values, kind, mean, masks, k,
                                                    octants, chunk_bytes))
    cells = None if method == "dense" else _lattice_cells(grid, data, coords)
    if (method in ("fft", "columns") and cells is None) or (method == "fft" and not _inside(grid, cells)):
        raise KrigingError(f"kriging method {method!r} needs every datum at a cell centre of the grid "
                          "(use upscale() or method='dense')")
    if method == "auto":
        if cells is None:
            method = "dense"
        elif _inside(grid, cells) and _fft_bytes(grid.shape) <= memory_bytes:
            method = "fft"
        else:
            method = "columns"
    logger.debug("krige_grid: %s engine, %d data, %d realizations, grid %s", method, values.shape[0],
                 masks.shape[1], grid.shape)
    if method == "fft":
        kernel = _lag_kernel(grid, variogram)
        cov = _with_well_effect(_lattice_covariance(kernel, cells), data, well_effect)
        weights, beta = _solve_dual(cov, values, kind, mean, masks)
        lengths = kernel.shape
        spectrum = scipy.fft.rfftn(kernel, overwrite_x=True).real.copy()
        del kernel
        return _added(add_to, _fft_engine(grid, weights, beta, cells, spectrum, lengths))
    cov = _with_well_effect(_covariance_matrix(variogram, coords, coords), data, well_effect)
    weights, beta = _solve_dual(cov, values, kind, mean, masks)
    if method == "dense":
        return _added(add_to, _dense_engine(grid, variogram, coords, weights, beta, chunk_bytes))
    return _columns_engine(grid, variogram, weights, beta, cells, chunk_bytes, add_to=add_to)


def _added(add_to, result):
    """``result``, or ``add_to += result`` (returned) when an array to add into is given."""
    if add_to is None:
        return result
    add_to += result
    return add_to
