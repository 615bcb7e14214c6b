"""Ordinary and simple kriging of conditioning data onto a grid, for many realizations at once.

Engine design (details in the README, "Kriging engine")
----------------------------------------------
Dual form. For realization ``r`` the data with ``masks[:, r]`` True are used; the covariance matrix of
those data is Cholesky-factorized (``scipy.linalg.cho_factor``) and the dual weights are

* simple kriging:    ``w = C^-1 (z - m)``, constant ``beta = m``;
* ordinary kriging:  ``w = C^-1 (z - beta 1)`` with ``beta = 1' C^-1 z / 1' C^-1 1`` (Schur complement
  of the bordered system), so that ``1' w = 0``.

Left-out data get weight 0, so every realization's estimate is ``K @ W[:, r] + beta[r]`` where ``K`` is the
covariance between the target cells and *all* n data: one covariance evaluation is shared by all
realizations. Three interchangeable engines compute ``K @ W``:

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
    vertical contraction is done by FFT along tvdss plus one complex matrix product per frequency.

``method="auto"`` picks ``"fft"`` for lattice data when its working set fits ``memory_bytes``, else
``"columns"`` when the number of data columns is small compared with the cells, else ``"dense"``.
All engines are float64 and agree to ~1e-12 relative (tested).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.fft
import scipy.linalg

from krigflow.exceptions import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["krige_grid", "krige_points", "dual_weights", "KrigingResult", "DEFAULT_CHUNK_BYTES",
           "DEFAULT_MEMORY_BYTES"]

#: Default bound on the covariance block held at once by the chunked engines (bytes).
DEFAULT_CHUNK_BYTES = 64 * 2**20
#: Default bound on the working set of the FFT engine (bytes), above which "auto" uses "columns".
DEFAULT_MEMORY_BYTES = 384 * 2**20

_KINDS = ("ordinary", "simple")
_METHODS = ("auto", "dense", "fft", "columns")


@dataclass(frozen=True)
class KrigingResult:
    """Kriging estimates at points, with variances and optionally weights.

    Parameters
    ----------
    estimate : array, shape (m,)
        Kriging estimate at each point.
    variance : array, shape (m,)
        Kriging variance at each point (0 at the data, up to rounding).
    weights : array, shape (m, n) or None
        Kriging weights of the n data for each point (if requested).
    lagrange : array, shape (m,) or None
        Lagrange multiplier of ordinary kriging (if weights were requested; zeros for simple kriging).
    """

    estimate: np.ndarray
    variance: np.ndarray
    weights: np.ndarray | None = None
    lagrange: np.ndarray | None = None


def _check_kind(kind, mean):
    if kind not in _KINDS:
        raise ConfigError(f"kriging kind must be one of {_KINDS}, got {kind!r}")
    if kind == "simple":
        if mean is None or not np.isfinite(float(mean)):
            raise ConfigError(f"simple kriging needs a finite mean, got mean={mean!r}")
        return float(mean)
    return None


def _data_arrays(data):
    coords = np.stack([np.asarray(data.easting, float), np.asarray(data.northing, float),
                       np.asarray(data.tvdss, float)], axis=1)
    values = np.asarray(data.values, dtype=float)
    if coords.shape[0] != values.shape[0] or not np.all(np.isfinite(coords)) or not np.all(np.isfinite(values)):
        raise ConfigError("conditioning data must have finite easting, northing, tvdss and values of one length")
    return coords, values


def _scaled_coordinates(variogram, coords):
    """Coordinates in which Euclidean distance is the variogram's normalized (anisotropic) lag."""
    theta = np.deg2rad(variogram.azimuth)
    major = coords[:, 0] * np.sin(theta) + coords[:, 1] * np.cos(theta)
    minor = coords[:, 0] * np.cos(theta) - coords[:, 1] * np.sin(theta)
    return np.stack([major / variogram.range_h, minor / variogram.range_h2, coords[:, 2] / variogram.range_v], 1)


def _covariance_scaled(variogram, sa, sb, out, tmp):
    """Covariance between scaled point sets (m, 3) and (n, 3), computed in place in ``out`` (m, n)."""
    np.subtract(sa[:, None, 0], sb[None, :, 0], out=out)
    np.square(out, out=out)
    for axis in (1, 2):
        np.subtract(sa[:, None, axis], sb[None, :, axis], out=tmp)
        np.square(tmp, out=tmp)
        out += tmp
    np.sqrt(out, out=out)                       # normalized lag h
    zero = (out == 0.0) if variogram.nugget else None
    if variogram.model == "exponential":
        out *= -3.0
        np.exp(out, out=out)
    elif variogram.model == "gaussian":
        np.square(out, out=out)
        out *= -3.0
        np.exp(out, out=out)
    else:
        out[...] = variogram.correlation_of_lag(out)
    out *= variogram.psill
    if zero is not None:
        out[zero] += variogram.nugget
    return out


def _covariance_matrix(variogram, a, b, chunk_bytes=DEFAULT_CHUNK_BYTES):
    """Covariance between point sets ``a`` (m, 3) and ``b`` (n, 3), built in row blocks of bounded size."""
    sa, sb = _scaled_coordinates(variogram, a), _scaled_coordinates(variogram, b)
    out = np.empty((a.shape[0], b.shape[0]))
    rows = max(1, int(chunk_bytes // (8 * max(b.shape[0], 1))))
    tmp = np.empty((min(rows, a.shape[0]), b.shape[0]))
    for start in range(0, a.shape[0], rows):
        stop = min(start + rows, a.shape[0])
        _covariance_scaled(variogram, sa[start:stop], sb, out[start:stop], tmp[:stop - start])
    return out


def _check_masks(masks, n):
    if masks is None:
        return np.ones((n, 1), dtype=bool)
    masks = np.asarray(masks)
    if masks.ndim == 1:
        masks = masks[:, None]
    if masks.ndim != 2 or masks.shape[0] != n or masks.dtype != bool:
        raise ConfigError(f"masks must be a boolean array of shape (n_data={n}, R), got "
                          f"{masks.dtype} {masks.shape}")
    return masks


def _cholesky(cov, what):
    """Cholesky factor, overwriting ``cov``; a failed or numerically singular factorization raises."""
    message = (f"{what}: the data covariance matrix is not positive definite (duplicate data locations "
               "without a nugget, or a numerically singular gaussian model?)")
    scale = np.sqrt(np.max(np.diag(cov)))
    try:
        factor = scipy.linalg.cho_factor(cov, lower=True, overwrite_a=True, check_finite=False)
    except np.linalg.LinAlgError:
        raise ConfigError(message)
    # exact duplicates can pass with a pivot at rounding level: catch them (pivot^2 < 1e-14 * C(0))
    if np.min(np.diag(factor[0])) < 1e-7 * scale:
        raise ConfigError(message)
    return factor


def dual_weights(variogram, data, *, kind="ordinary", mean=None, masks=None,
                 values=None) -> tuple[np.ndarray, np.ndarray]:
    """Dual kriging weights of every realization.

    Parameters
    ----------
    variogram : krigflow.variogram.model.Variogram
        Covariance model.
    data : krigflow.grid.ConditioningData
        Conditioning data (n).
    kind : {"ordinary", "simple"}, default "ordinary"
        Kriging type.
    mean : float, optional
        Known mean (simple kriging only).
    masks : array of bool, shape (n, R), optional
        ``masks[i, r]``: datum i is used in realization r (None: all data, R = 1).
    values : array, shape (n, R), optional
        Per-realization data values (e.g. residuals of R unconditional fields) instead of
        ``data.values``; every realization uses all data (``masks`` must be None) and one factorization
        serves them all.

    Returns
    -------
    weights : array, shape (n, R)
        Dual weights ``w`` (0 for data left out of a realization).
    beta : array, shape (R,)
        Constant term (the generalized-least-squares mean for ordinary kriging, ``mean`` for simple).

    Raises
    ------
    krigflow.exceptions.ConfigError
        Bad kind/mean/masks, an ordinary-kriging realization without data, or a singular covariance.
    """
    mean = _check_kind(kind, mean)
    per_realization = values
    coords, values = _data_arrays(data)
    values, masks = _values_and_masks(values, per_realization, masks)
    return _solve_dual(_covariance_matrix(variogram, coords, coords), values, kind, mean, masks)


def _values_and_masks(values, per_realization, masks):
    """Data values (n,) or per-realization values (n, R) with all-True masks, checked."""
    if per_realization is None:
        return values, _check_masks(masks, values.shape[0])
    per_realization = np.asarray(per_realization, dtype=float)
    if masks is not None:
        raise ConfigError("values (per realization) and masks cannot be combined: every realization uses "
                          "all data")
    if per_realization.ndim != 2 or per_realization.shape[0] != values.shape[0] \
            or not np.all(np.isfinite(per_realization)):
        raise ConfigError(f"values must be a finite array of shape (n_data={values.shape[0]}, R), got "
                          f"{per_realization.shape}")
    return per_realization, np.ones(per_realization.shape, dtype=bool)


def _solve_dual(full_cov, values, kind, mean, masks):
    """Dual weights (n, R) and constants (R,) from the covariance matrix of all n data.

    ``values`` is (n,) (the data) or (n, R) (per-realization values, all data used: one factorization).
    """
    n, n_real = masks.shape
    if values.ndim == 2:
        factor = _cholesky(full_cov.copy(), "per-realization values")
        if kind == "simple":
            return scipy.linalg.cho_solve(factor, values - mean, check_finite=False), np.full(n_real, mean)
        sol = scipy.linalg.cho_solve(factor, np.concatenate([values, np.ones((n, 1))], axis=1),
                                     check_finite=False)
        beta = sol[:, :n_real].sum(axis=0) / sol[:, n_real].sum()
        return sol[:, :n_real] - np.outer(sol[:, n_real], beta), beta
    weights = np.zeros((n, n_real))
    beta = np.zeros(n_real)
    for r in range(n_real):
        used = np.flatnonzero(masks[:, r])
        if used.size == 0:
            if kind == "ordinary":
                raise ConfigError(f"masks: realization {r} uses no data; ordinary kriging needs at least one")
            beta[r] = mean
            continue
        if used.size < n:
            cov = full_cov[np.ix_(used, used)]          # a fresh copy: factorize in place
        else:
            cov = full_cov if n_real == 1 else full_cov.copy()
        factor = _cholesky(cov, f"realization {r}")
        z = values[used]
        if kind == "simple":
            weights[used, r] = scipy.linalg.cho_solve(factor, z - mean, check_finite=False)
            beta[r] = mean
        else:
            sol = scipy.linalg.cho_solve(factor, np.stack([z, np.ones_like(z)], axis=1), check_finite=False)
            beta[r] = sol[:, 0].sum() / sol[:, 1].sum()
            weights[used, r] = sol[:, 0] - beta[r] * sol[:, 1]
    return weights, beta


def krige_points(variogram, data, easting, northing, tvdss, *, kind="ordinary", mean=None,
                 return_weights=False) -> KrigingResult:
    """Krige at arbitrary points with all data (primal form), returning estimates and variances.

    Meant for validation and small problems: it solves the full kriging system for every point.

    Parameters
    ----------
    variogram : krigflow.variogram.model.Variogram
        Covariance model.
    data : krigflow.grid.ConditioningData
        Conditioning data (n).
    easting, northing, tvdss : array, shape (m,)
        Target points (m).
    kind : {"ordinary", "simple"}, default "ordinary"
        Kriging type.
    mean : float, optional
        Known mean (simple kriging only).
    return_weights : bool, default False
        Also return the (m, n) weights and the Lagrange multipliers.

    Returns
    -------
    KrigingResult
        ``estimate`` and ``variance`` (m,); ``variance = sill - w'c0 - mu`` (``mu = 0`` for simple kriging).

    Examples
    --------
    >>> from krigflow.variogram import Variogram
    >>> from krigflow.grid import ConditioningData
    >>> d = ConditioningData(np.array([0.0, 100.0]), np.zeros(2), np.zeros(2), np.array([1.0, 3.0]),
    ...                      np.zeros(2, int), np.zeros((2, 3), int), ("w",))
    >>> res = krige_points(Variogram("spherical", 1.0, 200.0, 10.0), d, [0.0, 50.0], [0.0, 0.0], [0.0, 0.0])
    >>> res.estimate.round(6).tolist(), round(float(res.variance[0]), 12)
    ([1.0, 2.0], 0.0)
    """
    mean = _check_kind(kind, mean)
    coords, values = _data_arrays(data)
    n = values.shape[0]
    targets = np.stack([np.asarray(c, dtype=float).ravel() for c in (easting, northing, tvdss)], axis=1)
    c0 = _covariance_matrix(variogram, coords, targets)          # (n, m)
    cov = _covariance_matrix(variogram, coords, coords)
    if kind == "simple":
        lam = scipy.linalg.cho_solve(_cholesky(cov, "krige_points"), c0, check_finite=False)
        mu = np.zeros(targets.shape[0])
        estimate = mean + lam.T @ (values - mean)
    else:
        system = np.zeros((n + 1, n + 1))
        system[:n, :n] = cov
        system[:n, n] = system[n, :n] = 1.0
        rhs = np.vstack([c0, np.ones((1, targets.shape[0]))])
        sol = scipy.linalg.solve(system, rhs, assume_a="sym", check_finite=False)
        lam, mu = sol[:n], sol[n]
        estimate = lam.T @ values
    variance = variogram.sill - np.einsum("ij,ij->j", lam, c0) - mu
    if return_weights:
        return KrigingResult(estimate, variance, lam.T.copy(), mu)
    return KrigingResult(estimate, variance)


# ----------------------------------------------------------------------------------------------------------
# Engines computing out[r, cells] = sum_i K(cell, datum_i) W[i, r] + beta[r]
# ----------------------------------------------------------------------------------------------------------

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
    """Return the (n, 3) cell indices if every datum is at a cell centre of ``grid``, else None."""
    cells = getattr(data, "cells", None)
    if cells is None:
        return None
    cells = np.asarray(cells)
    if cells.shape != (coords.shape[0], 3) or not np.issubdtype(cells.dtype, np.integer):
        return None
    if cells.size and (cells.min() < 0 or np.any(cells.max(axis=0) >= np.asarray(grid.shape))):
        return None
    centres = np.asarray(grid.origin) + cells * np.asarray(grid.spacing)
    if not np.allclose(centres, coords, rtol=0.0, atol=1e-6 * min(grid.spacing)):
        return None
    return cells.astype(np.int64)


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
    for start in range(0, nx * ny, chunk):
        stop = min(start + chunk, nx * ny)
        h2_h = variogram._h2_horizontal((gi_all[start:stop, None] - ci[None, :]) * dx,
                                        (gj_all[start:stop, None] - cj[None, :]) * dy)   # (m, ncol)
        cov = variogram.covariance_of_lag(np.sqrt(h2_h[:, :, None] + h2_v[None, None, :]))
        cov[:, :, ~used] = 0.0
        spec = scipy.fft.rfft(cov, axis=2)                                # (m, ncol, nf)
        spec = np.ascontiguousarray(np.moveaxis(spec, 2, 0))              # (nf, m, ncol)
        prod = np.matmul(spec, w_spec)                                    # (nf, m, R): BLAS per frequency
        values = scipy.fft.irfft(prod, n=lz, axis=0)[:nz]                 # (nz, m, R)
        if target is None:
            out[start:stop] = values.transpose(1, 0, 2)
        else:
            values += beta
            target[:, start:stop, :] += values.transpose(2, 1, 0)
    if target is not None:
        return add_to
    out = out.reshape(nx, ny, nz, n_real).transpose(3, 0, 1, 2)
    return out + beta[:, None, None, None]


def _check_neighbourhood(neighbourhood):
    unknown = set(neighbourhood) - {"max_data", "octants"}
    if unknown:
        raise ConfigError(f"neighbourhood: unknown key(s) {sorted(unknown)}; expected 'max_data', 'octants'")
    k = neighbourhood.get("max_data")
    if k is None or int(k) != k or k < 1:
        raise ConfigError(f"neighbourhood max_data must be an integer >= 1, got {k!r}")
    return int(k), bool(neighbourhood.get("octants", False))


def _octant_filter(cand, lag, k):
    """Keep at most ``ceil(k / 8)`` candidates per octant of the lag, nearest first: (m, k), -1 = empty.

    ``cand`` (m, c) holds candidate indices sorted by distance (nearest first), ``lag`` (m, c, 3) the
    scaled lags datum - target. Rank within an octant is found with one stable sort by octant.
    """
    m, c = cand.shape
    octant = ((lag[..., 0] >= 0) * 4 + (lag[..., 1] >= 0) * 2 + (lag[..., 2] >= 0)).astype(np.int64)
    order = np.argsort(octant, axis=1, kind="stable")                   # by octant, then by distance
    sorted_oct = np.take_along_axis(octant, order, axis=1)
    counts = np.bincount((octant + 8 * np.arange(m)[:, None]).ravel(), minlength=8 * m).reshape(m, 8)
    start = np.cumsum(counts, axis=1) - counts
    keep_sorted = np.arange(c)[None, :] - np.take_along_axis(start, sorted_oct, axis=1) < -(-k // 8)
    keep = np.empty_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=1)
    order = np.argsort(~keep, axis=1, kind="stable")[:, :k]             # kept ones first, nearest first
    idx = np.take_along_axis(cand, order, axis=1)
    out = np.where(np.take_along_axis(keep, order, axis=1), idx, -1)
    if out.shape[1] < k:
        out = np.concatenate([out, np.full((m, k - out.shape[1]), -1, dtype=out.dtype)], axis=1)
    return out


def _select_neighbours(tree, scaled_data, targets, k, octants):
    """Indices (m, k) of the neighbours of each target (-1 for empty slots), nearest first.

    With octants, the ``4 k`` nearest candidates are split by octant of the (scaled) lag and each octant
    keeps at most ``ceil(k / 8)``, so a cell next to one well also sees the others.
    """
    n = scaled_data.shape[0]
    if not octants:
        kk = min(k, n)
        _, idx = tree.query(targets, k=kk)
        return idx.reshape(targets.shape[0], kk)
    kk = min(4 * k, n)
    _, cand = tree.query(targets, k=kk)
    cand = cand.reshape(targets.shape[0], kk)
    return _octant_filter(cand, scaled_data[cand] - targets[:, None, :], k)


def _block_shape(grid, variogram, target_cells=512):
    """Cells per search block along each axis: about ``target_cells`` cells, roughly cubic when scaled."""
    rmin = min(variogram.range_h, variogram.range_h2)
    size = np.array([grid.spacing[0] / rmin, grid.spacing[1] / rmin, grid.spacing[2] / variogram.range_v])
    edge = (target_cells * np.prod(size)) ** (1.0 / 3.0)
    return tuple(int(b) for b in np.clip(np.round(edge / size), 1, grid.shape))


def _block_neighbours(tree, scaled_data, cells_scaled, centre, radius, q, k, octants, workers):
    """Neighbour sets (m, k) of the cells of one search block (exact k nearest / octant rule).

    Candidates are the data within ``radius`` of the block centre (``r_q(centre) + 2 * half-diagonal``
    contains the ``q`` nearest data of every cell of the block, by the triangle inequality); the ``q``
    nearest of each cell are then found by brute force among them.
    """
    cand = np.asarray(tree.query_ball_point(centre, radius, workers=workers), dtype=np.int64)
    if cand.size < q:                                    # rounding at the ball's edge: take everything
        cand = np.arange(scaled_data.shape[0])
    # squared distances by one BLAS product, relative to the block centre (small coordinates)
    cpts = scaled_data[cand] - centre
    tpts = cells_scaled - centre
    d2 = tpts @ (-2.0 * cpts.T)
    d2 += np.einsum("cj,cj->c", cpts, cpts)[None, :]
    if cand.size > q:
        part = np.argpartition(d2, q - 1, axis=1)[:, :q]
    else:
        part = np.broadcast_to(np.arange(cand.size), d2.shape)
    if not octants:
        return cand[part]
    part = np.take_along_axis(part, np.argsort(np.take_along_axis(d2, part, axis=1), axis=1), axis=1)
    return _octant_filter(cand[part], cpts[part] - tpts[:, None, :], k)


def _unique_rows(rows):
    """``np.unique(rows, axis=0, return_inverse=True)`` via a 64-bit row hash (checked; exact fallback)."""
    mult = np.random.default_rng(12345).integers(1, 2**62, size=rows.shape[1], dtype=np.int64) | 1
    with np.errstate(over="ignore"):
        key = (rows.astype(np.int64) * mult).sum(axis=1)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    unique = rows[first]
    if not np.array_equal(unique[inverse], rows):        # a hash collision (never seen): exact path
        unique, inverse = np.unique(rows, axis=0, return_inverse=True)
    return unique, inverse.ravel()


def _covariance_of_scaled_lag(variogram, lag):
    """Covariance of scaled lag vectors (..., 3), nugget at exactly zero lag."""
    return variogram.covariance_of_lag(np.sqrt(np.einsum("...j,...j->...", lag, lag)))


def _neighbourhood_dual(variogram, scaled_data, values, sets, kind, mean, realization, chunk_bytes):
    """Dual weights of each neighbour set (u, q) (-1 = empty slot): ``w`` (u, q) and constant ``beta`` (u,).

    Sets whose data have the same relative positions (e.g. the same well windows one layer lower) have
    the same kriging matrix: it is built and inverted once per distinct *shape* (relative positions
    rounded to 1e-11 in the scaled metric), and each set only costs one matrix-vector product. Work is
    done in batches of at most ``chunk_bytes / (48 (q+1)^2)`` matrices.
    """
    u, q = sets.shape
    valid = sets >= 0
    idx = np.where(valid, sets, 0)
    pts = scaled_data[idx]                                                     # (u, q, 3)
    rel = np.where(valid[..., None], pts - pts[:, :1], 0.0).reshape(u, -1) * 1e11
    if u and np.abs(rel).max() < 2.0**62:
        shapes, shape_of = _unique_rows(np.concatenate([np.rint(rel).astype(np.int64), valid], axis=1))
    else:                                                # coordinates too far apart to key: no sharing
        shapes, shape_of = sets, np.arange(u)
    del rel
    first = np.zeros(shapes.shape[0], dtype=np.int64)
    first[shape_of[::-1]] = np.arange(u)[::-1]                                 # a set of each shape
    del shapes
    z = np.where(valid, values[idx], 0.0)
    if kind == "simple":
        z = (z - mean) * valid
    size = q if kind == "simple" else q + 1
    batch = max(1, int(chunk_bytes // (48 * size * size)))
    diag = np.arange(q)
    inv = np.empty((first.size, size, q))
    for s in range(0, first.size, batch):
        spts, svalid = pts[first[s:s + batch]], valid[first[s:s + batch]]
        cov = _covariance_of_scaled_lag(variogram, spts[:, :, None, :] - spts[:, None, :, :])
        if not svalid.all():
            cov *= svalid[:, :, None] & svalid[:, None, :]
            cov[:, diag, diag] = np.where(svalid, cov[:, diag, diag], 1.0)
        if kind == "ordinary":
            system = np.zeros((cov.shape[0], q + 1, q + 1))
            system[:, :q, :q] = cov
            system[:, :q, q] = system[:, q, :q] = svalid
            cov = system
        try:
            inv[s:s + batch] = np.linalg.inv(cov)[:, :, :q]                  # the rhs is [z; 0]
        except np.linalg.LinAlgError:
            raise ConfigError(f"realization {realization}: a neighbourhood kriging system is singular "
                              "(duplicate data locations without a nugget?)")
    sol = np.empty((u, size))
    for s in range(0, u, batch):
        sol[s:s + batch] = np.einsum("uij,uj->ui", inv[shape_of[s:s + batch]], z[s:s + batch])
    if kind == "simple":
        return sol, np.full(u, mean)
    return sol[:, :q], sol[:, q]


def _neighbourhood_engine(grid, variogram, coords, values, kind, mean, masks, k, octants, chunk_bytes):
    """Moving neighbourhood: per cell, krige with its selected neighbours; memory bounded by ``chunk_bytes``.

    * Search: the grid is cut into blocks of about 512 cells (:func:`_block_shape`); per block one k-d tree
      ball query gives a candidate list that provably holds the ``q`` (``k``, or ``4 k`` with octants)
      nearest data of every cell of the block; each cell's neighbours are then found among the candidates
      by vectorized distances (no per-cell tree query).
    * Reuse: the cells of a chunk of blocks are grouped by identical neighbour set (sorted indices, hashed);
      each distinct set is solved once (dual form, batched ``numpy.linalg.solve`` of the bordered
      ``(q+1) x (q+1)`` systems), giving weights ``w`` and a constant ``beta``; a cell then costs only its
      ``q`` covariances: ``estimate = c0 . w + beta``.
    * Memory: chunks of cells and of distinct sets sized from ``chunk_bytes``; nothing scales with the grid
      except the returned array.
    """
    from scipy.spatial import cKDTree

    nx, ny, nz = grid.shape
    n_real = masks.shape[1]
    out = np.empty((n_real, nx, ny, nz))
    scaled = _scaled_coordinates(variogram, coords)
    workers = scipy.fft.get_workers()
    bx, by, bz = _block_shape(grid, variogram)
    origins = [(i, j, kk) for i in range(0, nx, bx) for j in range(0, ny, by) for kk in range(0, nz, bz)]
    width = k                                               # neighbour-set width (-1 padded)
    per_cell = 8 * width * 12               # sets, their lags, shape keys, c0 (worst case: all distinct)
    cells_per_chunk = max(bx * by * bz, int(chunk_bytes // per_cell))
    blocks_per_chunk = max(1, cells_per_chunk // (bx * by * bz))
    e_s, n_s, t_s = grid.easting, grid.northing, grid.tvdss
    for r in range(n_real):
        used = np.flatnonzero(masks[:, r])
        if used.size == 0:
            if kind == "ordinary":
                raise ConfigError(f"masks: realization {r} uses no data; ordinary kriging needs at least one")
            out[r] = mean
            continue
        sd, z = scaled[used], values[used]
        q = min(4 * k if octants else k, used.size)
        tree = cKDTree(sd)
        for c0 in range(0, len(origins), blocks_per_chunk):
            chunk = origins[c0:c0 + blocks_per_chunk]
            slabs, cell_pts, set_list = [], [], []
            corners = []
            for (i, j, kk) in chunk:
                sl = (slice(i, min(i + bx, nx)), slice(j, min(j + by, ny)), slice(kk, min(kk + bz, nz)))
                e, nn, t = np.meshgrid(e_s[sl[0]], n_s[sl[1]], t_s[sl[2]], indexing="ij")
                pts = _scaled_coordinates(variogram, np.stack([e.ravel(), nn.ravel(), t.ravel()], 1))
                slabs.append(sl)
                cell_pts.append(pts)
                box = np.array(np.meshgrid(*[[s[sl[a]][0], s[sl[a]][-1]] for a, s in enumerate((e_s, n_s, t_s))],
                                           indexing="ij")).reshape(3, -1).T
                corners.append(_scaled_coordinates(variogram, box))
            corners = np.stack(corners)                                         # (b, 8, 3)
            centres = corners.mean(axis=1)
            half = np.sqrt(np.max(np.sum((corners - centres[:, None, :]) ** 2, axis=2), axis=1))
            dist, _ = tree.query(centres, k=q, workers=workers)
            reach = (dist if q == 1 else dist[:, -1]) + 2.0 * half
            reach = reach * (1 + 1e-9) + 1e-12
            for b, pts in enumerate(cell_pts):
                sets = _block_neighbours(tree, sd, pts, centres[b], reach[b], q, k, octants, workers)
                if not octants:
                    sets = np.sort(sets, axis=1)
                set_list.append(sets)
            sets = np.concatenate(set_list)
            unique, inverse = _unique_rows(np.sort(sets, axis=1) if octants else sets)
            w, beta = _neighbourhood_dual(variogram, sd, z, unique, kind, mean, r, chunk_bytes)
            w[unique < 0] = 0.0
            safe = np.where(unique >= 0, unique, 0)
            start = 0
            for sl, pts in zip(slabs, cell_pts):
                inv = inverse[start:start + pts.shape[0]]
                start += pts.shape[0]
                c0 = _covariance_of_scaled_lag(variogram, sd[safe[inv]] - pts[:, None, :])
                est = np.einsum("mq,mq->m", c0, w[inv]) + beta[inv]
                out[r][sl] = est.reshape(sl[0].stop - sl[0].start, sl[1].stop - sl[1].start, -1)
    return out


def krige_grid(grid, variogram, data, *, kind="ordinary", mean=None, masks=None, method="auto",
               chunk_bytes=DEFAULT_CHUNK_BYTES, memory_bytes=DEFAULT_MEMORY_BYTES,
               neighbourhood=None, values=None, add_to=None) -> np.ndarray:
    """Krige every cell of a grid for one or many realizations (global dual form, or a moving neighbourhood).

    Parameters
    ----------
    grid : krigflow.grid.Grid
        Target grid; estimates are at cell centres.
    variogram : krigflow.variogram.model.Variogram
        Covariance model.
    data : krigflow.grid.ConditioningData
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
        ``_neighbourhood_engine`` for the block search and the reuse of identical neighbourhoods. Ties at
        the ``k``-th distance (symmetric lattice data) are broken arbitrarily but deterministically.

    Returns
    -------
    array, shape (R, nx, ny, nz)
        Kriging estimates (float64).

    Raises
    ------
    krigflow.exceptions.ConfigError
        Bad kind/mean/masks/method, or a lattice engine requested for off-lattice data.

    Notes
    -----
    FFT sizes use ``scipy.fft`` with its current worker count (``scipy.fft.set_workers``, set together with
    the BLAS threads by :func:`krigflow.run.threads.blas_threads`).
    """
    if method not in _METHODS:
        raise ConfigError(f"kriging method must be one of {_METHODS}, got {method!r}")
    mean = _check_kind(kind, mean)
    per_realization = values
    coords, values = _data_arrays(data)
    values, masks = _values_and_masks(values, per_realization, masks)
    if neighbourhood is not None and values.ndim == 2:
        raise ConfigError("per-realization values need the global neighbourhood (neighbourhood=None)")
    if add_to is not None and (add_to.shape != (masks.shape[1], *grid.shape)
                               or not add_to.flags.c_contiguous):
        raise ConfigError(f"add_to must be a C-contiguous array of shape {(masks.shape[1], *grid.shape)}, got "
                          f"{add_to.shape}")
    if neighbourhood is not None:
        k, octants = _check_neighbourhood(neighbourhood)
        return _added(add_to, _neighbourhood_engine(grid, variogram, coords, values, kind, mean, masks, k,
                                                    octants, chunk_bytes))
    cells = None if method == "dense" else _lattice_cells(grid, data, coords)
    if method in ("fft", "columns") and cells is None:
        raise ConfigError(f"kriging method {method!r} needs every datum at a cell centre of the grid "
                          "(use upscale() or method='dense')")
    if method == "auto":
        if cells is None:
            method = "dense"
        elif _fft_bytes(grid.shape) <= memory_bytes:
            method = "fft"
        else:
            method = "columns"
    logger.debug("krige_grid: %s engine, %d data, %d realizations, grid %s", method, values.shape[0],
                 masks.shape[1], grid.shape)
    if method == "fft":
        kernel = _lag_kernel(grid, variogram)
        weights, beta = _solve_dual(_lattice_covariance(kernel, cells), values, kind, mean, masks)
        lengths = kernel.shape
        spectrum = scipy.fft.rfftn(kernel, overwrite_x=True).real.copy()
        del kernel
        return _added(add_to, _fft_engine(grid, weights, beta, cells, spectrum, lengths))
    weights, beta = _solve_dual(_covariance_matrix(variogram, coords, coords), values, kind, mean, masks)
    if method == "dense":
        return _added(add_to, _dense_engine(grid, variogram, coords, weights, beta, chunk_bytes))
    return _columns_engine(grid, variogram, weights, beta, cells, chunk_bytes, add_to=add_to)


def _added(add_to, result):
    """``result``, or ``add_to += result`` (returned) when an array to add into is given."""
    if add_to is None:
        return result
    add_to += result
    return add_to
