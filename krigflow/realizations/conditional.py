"""Per-realization randomness and data subsampling.

Every realization ``r`` of a run with seed ``s`` draws its random numbers only
from ``numpy.random.default_rng([s, r])`` (:func:`realization_rng`). A
realization's draws therefore never depend on which worker computes it, on
how realizations are batched, or in which order batches run: ``simple`` and
``multi -n 4`` mappings give identical results.

The *subsample* method (see ``DOMAIN.md``) krigs each realization with a
random subset of the conditioning data: either a subset of the wells (all
data of a kept well are used) or a subset of the individual data.

The *conditional* method (:func:`conditional_realizations`) is a conditional
Gaussian simulation by **conditioning by kriging** (Journel & Huijbregts 1978;
Chilès & Delfiner 2012, section 7.3):

1. per realization, an unconditional stationary Gaussian field ``u`` on the
   grid, drawn by FFT circulant embedding (:func:`unconditional_field`:
   ``O(N log N)``, one real inverse FFT of the embedding lattice);
2. the residuals ``y - u(x_data)`` of all R realizations of a batch are kriged
   in **one** simple-kriging call (one factorization, one engine pass,
   ``krige_grid(values=...)``): ``s = m + u + K (y - m - u(x_data))``;
3. back-transform from normal scores when a transform is used.

Simple kriging with the model's sill makes ``s`` a draw from the conditional
distribution (mean: the simple-kriging estimate; covariance: the
simple-kriging covariance). At a datum's cell ``s`` equals the datum (kriging
is exact at the data, nugget or not). With a nugget the unconditional field
carries it as white noise (covariance jump at lag 0), so cells without a datum
get the nugget's variability, as in sequential Gaussian simulation.

Realization ``r`` draws its white noise only from ``default_rng([seed, r])``;
the batch it is computed in changes nothing but rounding (~1e-12) in the
kriged residuals.
"""
from __future__ import annotations

import logging
import math
import numbers
from dataclasses import dataclass

import numpy as np
import scipy.fft

from krigflow.exceptions import KrigflowError

logger = logging.getLogger(__name__)

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
    KrigflowError
        If ``seed`` or ``index`` is not a non-negative integer.

    Examples
    --------
    >>> a = realization_rng(42, 3).random()
    >>> b = realization_rng(42, 3).random()
    >>> a == b
    True
    """
    seed = _check_non_negative_int(seed, "seed")
    index = _check_non_negative_int(index, "realization index")
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
    KrigflowError
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
    KrigflowError
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
        raise KrigflowError(
            f"subsample_masks: indices must be a 1-D sequence of realization indices, "
            f"got shape {indices.shape}"
        )
    masks = np.zeros((well.size, indices.size), dtype=bool)
    for j, index in enumerate(indices.tolist()):
        rng = realization_rng(seed, index)
        masks[:, j] = subsample_mask(rng, well, fraction=fraction, unit=unit, min_keep=min_keep)
    return masks


@dataclass(frozen=True)
class FieldSpectrum:
    """Square roots of the circulant eigenvalues of a grid's embedding (half spectrum, for ``irfftn``).

    Built once per batch by :func:`field_spectrum`; :func:`unconditional_field` then draws fields from
    it. ``scale`` has shape ``(lx, ly, lz // 2 + 1)`` for the embedding ``(lx, ly, lz)``.
    """

    shape: tuple
    embedding: tuple
    scale: np.ndarray
    clipped: float = 0.0


def simulation_padding(shape, spacing, variogram, ranges=3.0) -> tuple[int, int, int]:
    """Embedding padding (nodes per axis) for a field on a grid: ``ranges`` practical ranges, at most the grid.

    The periodic embedding of ``n + p`` nodes makes the covariance of two grid nodes ``l`` apart equal
    to ``C(l)`` when ``l <= (n + p) / 2`` and ``C(n + p - l) <= C((p + 1) d)`` otherwise. With
    ``p >= 3`` ranges, the wrong value is below 0.01 % of the sill (exponential ``exp(-9)``), and ``p = n``
    (the default of :func:`krigflow.realizations.fft.gaussian_field`) is exact. Horizontal axes use the larger
    horizontal range (any azimuth), tvdss the vertical range.

    Examples
    --------
    >>> from krigflow.variogram import Variogram
    >>> simulation_padding((100, 100, 50), (20.0, 20.0, 4.0), Variogram("exponential", 1.0, 800.0, 20.0))
    (100, 100, 15)
    """
    reach = (max(variogram.range_h, variogram.range_h2),) * 2 + (variogram.range_v,)
    return tuple(int(min(n, np.ceil(ranges * r / d))) for n, r, d in zip(shape, reach, spacing))


def field_spectrum(shape, spacing, variogram, padding=None) -> FieldSpectrum:
    """Prepare the FFT generator of stationary Gaussian fields with covariance ``variogram`` on a grid.

    Parameters
    ----------
    shape : tuple of 3 int
        Grid shape ``(nx, ny, nz)``.
    spacing : tuple of 3 float
        Cell size ``(dx, dy, dz)`` (m).
    variogram : krigflow.variogram.model.Variogram
        Covariance model (nugget included: white noise of that variance).
    padding : tuple of 3 int, optional
        Extra embedding nodes per axis (default :func:`simulation_padding`).

    Returns
    -------
    FieldSpectrum
        The embedding is ``next_fast_len(n + p)`` per axis. Negative circulant eigenvalues (truncation)
        are set to 0; their share of the variance is ``clipped`` (logged as a warning above 1e-3).
    """
    shape = tuple(int(n) for n in shape)
    spacing = tuple(float(d) for d in spacing)
    if padding is None:
        padding = simulation_padding(shape, spacing, variogram)
    embedding = tuple(1 if n + p <= 1 else int(scipy.fft.next_fast_len(int(n + p), real=True))
                      for n, p in zip(shape, padding))
    lags = []
    for m, d in zip(embedding, spacing):
        index = np.arange(m)
        lags.append(np.where(index <= m // 2, index, index - m) * d)
    de, dn, dz = np.meshgrid(*lags, indexing="ij", sparse=True)
    base = np.broadcast_to(variogram.covariance(de, dn, dz), embedding)
    eigen = scipy.fft.rfftn(base).real           # the real part: eigenvalues of the symmetrized circulant
    del base
    weight = np.full(eigen.shape[-1], 2.0)       # interior frequencies of the last axis count twice
    weight[0] = 1.0
    if embedding[2] % 2 == 0:
        weight[-1] = 1.0
    negative = float(-(np.minimum(eigen, 0.0) * weight).sum())
    clipped = negative / max(float((np.abs(eigen) * weight).sum()), 1e-300)
    if clipped > 1e-3:
        logger.warning("conditional: clipped negative circulant eigenvalues carrying %.3g of the variance; "
                       "increase the embedding padding", clipped)
    np.clip(eigen, 0.0, None, out=eigen)
    # irfftn(xi) with Hermitian white noise of E|xi|^2 = M has covariance = circulant with these
    # eigenvalues (irfftn divides by M). Re and Im parts N(0, M lambda / 2) each; on the planes of the
    # last axis that irfftn treats as self-conjugate (0, Nyquist) it keeps only the Hermitian part, which
    # halves the variance: scale those planes by sqrt(2).
    size = float(np.prod(embedding))
    eigen *= size / 2.0
    eigen[..., weight == 1.0] *= 2.0
    np.sqrt(eigen, out=eigen)
    return FieldSpectrum(shape=shape, embedding=embedding, scale=eigen, clipped=clipped)


def unconditional_field(spectrum, rng, out=None) -> np.ndarray:
    """Draw one zero-mean stationary Gaussian field from ``spectrum`` with generator ``rng``.

    Parameters
    ----------
    spectrum : FieldSpectrum
        From :func:`field_spectrum`.
    rng : numpy.random.Generator
        The realization's generator; the field depends on nothing else (not on other realizations).
    out : float64 array, shape (nx, ny, nz), optional
        Where to write the field.

    Returns
    -------
    float64 array, shape (nx, ny, nz)
        Cost: ``2 * lx * ly * (lz // 2 + 1)`` standard normals and one ``irfftn`` of the embedding.
    """
    lx, ly, lz = spectrum.embedding
    noise = rng.standard_normal((lx, ly, lz // 2 + 1, 2)).view(np.complex128)[..., 0]
    noise *= spectrum.scale
    field = scipy.fft.irfftn(noise, s=spectrum.embedding, overwrite_x=True)
    nx, ny, nz = spectrum.shape
    if out is None:
        return np.ascontiguousarray(field[:nx, :ny, :nz])
    out[...] = field[:nx, :ny, :nz]
    return out


def unconditional_fields(grid, variogram, seed, indices, *, padding=None) -> np.ndarray:
    """Unconditional fields of realizations ``indices`` (field ``r`` from ``default_rng([seed, r])``).

    Parameters
    ----------
    grid : krigflow.grid.Grid
        The grid.
    variogram : krigflow.variogram.model.Variogram
        Covariance model.
    seed : int
        Run seed.
    indices : sequence of int, shape (R,)
        Realization indices.
    padding : tuple of 3 int, optional
        Embedding padding (default :func:`simulation_padding`).

    Returns
    -------
    float64 array, shape (R, nx, ny, nz)
    """
    indices = [int(r) for r in np.atleast_1d(indices)]
    spectrum = field_spectrum(grid.shape, grid.spacing, variogram, padding)
    out = np.empty((len(indices), *grid.shape))
    for i, r in enumerate(indices):
        unconditional_field(spectrum, realization_rng(seed, r), out=out[i])
    return out


def conditional_realizations(grid, variogram, data, seed, indices, *, mean=0.0, transform=None,
                             padding=None, method="auto", dtype=np.float64) -> np.ndarray:
    """Conditional Gaussian simulation by conditioning by kriging (see the module docstring).

    Parameters
    ----------
    grid : krigflow.grid.Grid
        The grid.
    variogram : krigflow.variogram.model.Variogram
        Covariance model of the simulated variable: of the normal scores (sill 1) when ``transform``
        is given, of the property otherwise.
    data : krigflow.grid.ConditioningData
        Conditioning data at cell centres (from :func:`krigflow.grid.upscale`), property units.
    seed : int
        Run seed; realization ``r`` uses only ``default_rng([seed, r])``.
    indices : sequence of int, shape (R,)
        Realization indices.
    mean : float, default 0
        Simple-kriging mean of the simulated variable (0 for normal scores).
    transform : krigflow.realizations.transform.NormalScore, optional
        Simulate the normal scores of the data and back-transform.
    padding : tuple of 3 int, optional
        Embedding padding of the field generator (default :func:`simulation_padding`).
    method : str, default "auto"
        ``krige_grid`` engine for the residuals.
    dtype : {numpy.float64, numpy.float32}, default float64
        Precision of the returned fields. ``float32`` (field scale) draws the unconditional fields with
        the low-memory single-precision generator (:mod:`krigflow.realizations.chunked`: same noise, fields
        equal to ~1e-6 of the sill) and adds the kriged residuals into them in place: half the memory
        per field and no full-size double-precision temporaries. The residual kriging stays float64.

    Returns
    -------
    array of ``dtype``, shape (R, nx, ny, nz)
        Realizations in property units; equal to the datum at every datum's cell (to float32 rounding
        with ``dtype=float32``).

    Raises
    ------
    KrigflowError
        If a datum is not at a cell centre of ``grid``.
    """
    from krigflow.kriging import krige_grid

    cells = _data_cells(grid, data)
    indices = np.atleast_1d(np.asarray(indices, dtype=np.int64))
    y = np.asarray(data.values, dtype=np.float64)
    if transform is not None:
        y = transform.transform(y)
    dtype = np.dtype(dtype)
    if dtype == np.float32:
        from krigflow.realizations.chunked import compact_spectrum, draw_field

        spectrum = compact_spectrum(grid.shape, grid.spacing, variogram, padding)
        fields = np.empty((len(indices), *grid.shape), dtype=np.float32)
        for i, r in enumerate(indices.tolist()):
            draw_field(spectrum, realization_rng(seed, r), out=fields[i])
        del spectrum
    elif dtype == np.float64:
        fields = unconditional_fields(grid, variogram, seed, indices, padding=padding)
    else:
        raise KrigflowError(f"conditional_realizations: dtype must be float64 or float32, got {dtype}")
    at_data = fields[:, cells[:, 0], cells[:, 1], cells[:, 2]].astype(np.float64)   # (R, n)
    residuals = (y - mean)[:, None] - at_data.T                          # (n, R)
    if method == "auto":
        method = residual_engine(grid.shape, cells, len(indices))
    krige_grid(grid, variogram, data, kind="simple", mean=0.0, values=residuals, method=method, add_to=fields)
    fields += mean
    if transform is not None:
        for field in fields:                  # one realization at a time: one temporary grid
            transform.back_transform(field, out=field)
    return fields


def residual_engine(shape, cells, n_realizations, memory_bytes=384 * 2**20) -> str:
    """Choose the ``krige_grid`` engine for kriging R residual fields: ``"columns"`` or ``"fft"``.

    ``"columns"`` costs one covariance evaluation per (grid column, data column, vertical lag), shared by
    all R fields, plus a small per-field product; ``"fft"`` costs two pruned FFTs of the doubled lattice
    per field. Measured on one core (100 x 100 x 50 grid, 25 wells): about 36 ns per covariance
    element and 35 ns per doubled-lattice node per field; the cheaper estimate wins, unless the
    ``"fft"`` working set (about 24 bytes per doubled-lattice node) exceeds ``memory_bytes``.

    Examples
    --------
    >>> residual_engine((100, 100, 50), np.array([[1, 1, 0], [5, 5, 0]]), 16)
    'columns'
    >>> residual_engine((100, 100, 50), np.array([[i, j, 0] for i in range(40) for j in range(40)]), 2)
    'fft'
    """
    nx, ny, nz = shape
    n_columns = np.unique(np.asarray(cells)[:, 0] * ny + np.asarray(cells)[:, 1]).size
    columns = 36e-9 * nx * ny * n_columns * scipy.fft.next_fast_len(2 * nz - 1, real=True)
    lattice = float(np.prod([scipy.fft.next_fast_len(2 * n - 1, real=True) for n in shape]))
    fft = 35e-9 * n_realizations * lattice
    if 24.0 * lattice > memory_bytes:          # the doubled lattice's kernel and buffers would not fit
        return "columns"
    return "columns" if columns <= fft else "fft"


def _data_cells(grid, data) -> np.ndarray:
    """Cell indices (n, 3) of the data, which must sit at cell centres (as ``upscale`` puts them)."""
    cells = getattr(data, "cells", None)
    coords = np.stack([np.asarray(data.easting, float), np.asarray(data.northing, float),
                       np.asarray(data.tvdss, float)], axis=1)
    if cells is not None:
        cells = np.asarray(cells, dtype=np.int64)
    ok = (cells is not None and cells.shape == coords.shape
          and (cells.size == 0 or (cells.min() >= 0 and np.all(cells.max(axis=0) < np.asarray(grid.shape)))))
    if ok:
        centres = np.asarray(grid.origin) + cells * np.asarray(grid.spacing)
        ok = np.allclose(centres, coords, rtol=0.0, atol=1e-6 * min(grid.spacing))
    if not ok:
        raise KrigflowError("conditional simulation needs every datum at a cell centre of the grid "
                            "(use krigflow.grid.upscale)")
    return cells


def _n_keep(fraction, total, min_keep) -> int:
    """Number of items to keep: round half up, at least max(min_keep, 1), at most total."""
    keep = math.floor(fraction * total + 0.5)
    return min(total, max(keep, min_keep, 1))


def _check_subsample_args(fraction, unit, min_keep):
    """Validate the subsampling parameters, returning them normalised."""
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real):
        raise KrigflowError(f"subsample: fraction must be a number in (0, 1], got {fraction!r}")
    fraction = float(fraction)
    if not 0.0 < fraction <= 1.0:
        raise KrigflowError(f"subsample: fraction must be in (0, 1], got {fraction!r}")
    if unit not in UNITS:
        raise KrigflowError(f"subsample: unit must be one of {UNITS}, got {unit!r}")
    min_keep = _check_non_negative_int(min_keep, "min_keep")
    return fraction, unit, min_keep


def _check_well(well) -> np.ndarray:
    """Return the well labels as a 1-D array or raise KrigflowError."""
    well = np.asarray(well)
    if well.ndim != 1:
        raise KrigflowError(
            f"subsample: well must be a 1-D array of well labels (one per datum), got shape {well.shape}"
        )
    return well


def _check_non_negative_int(value, name) -> int:
    """Return ``value`` as an int if it is a non-negative integer, else raise KrigflowError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise KrigflowError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)
