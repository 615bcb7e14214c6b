"""Conditional Gaussian simulation (the *conditional* method).

The *conditional* method (:func:`conditional_realizations`) is a conditional
Gaussian simulation by **conditioning by kriging** (Journel & Huijbregts 1978;
Chilès & Delfiner 2012, section 7.3):

1. per realization, an unconditional stationary Gaussian field ``u`` on the
   grid, drawn by FFT circulant embedding (:func:`krigflow.realizations.fft.unconditional_field`:
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

import numpy as np
import scipy.fft

from krigflow.exceptions import SimulationError
from krigflow.kriging import krige_grid
from krigflow.realizations.fft import field_spectrum, unconditional_field
from krigflow.realizations.subsample import realization_rng

logger = logging.getLogger(__name__)

__all__ = ["conditional_realizations", "residual_engine", "unconditional_fields"]


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
        Embedding padding (default :func:`krigflow.realizations.fft.simulation_padding`).

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


#: Third entry of the seed of the per-well offsets of realization r: ``default_rng([seed, r, OFFSET_STREAM])``.
OFFSET_STREAM = 1


def conditional_realizations(grid, variogram, data, seed, indices, *, mean=0.0, transform=None,
                             padding=None, method="auto", well_effect=0.0, dtype=np.float64,
                             cache=None) -> np.ndarray:
    """Conditional Gaussian simulation by conditioning by kriging (see the module docstring).

    Parameters
    ----------
    grid : krigflow.grid.Grid
        The grid.
    variogram : krigflow.variogram.model.Variogram
        Covariance model of the simulated variable: of the normal scores (sill 1) when ``transform``
        is given, of the property otherwise.
    data : krigflow.conditioning.ConditioningData
        Conditioning data at cell centres (from :func:`krigflow.conditioning.upscale`), property units.
    seed : int
        Run seed; realization ``r`` uses only ``default_rng([seed, r])``.
    indices : sequence of int, shape (R,)
        Realization indices.
    mean : float, default 0
        Simple-kriging mean of the simulated variable (0 for normal scores).
    transform : krigflow.realizations.transform.NormalScore, optional
        Simulate the normal scores of the data and back-transform.
    padding : tuple of 3 int, optional
        Embedding padding of the field generator (default :func:`krigflow.realizations.fft.simulation_padding`).
    method : str, default "auto"
        ``krige_grid`` engine for the residuals.
    well_effect : float, default 0
        Variance sigma_w**2 of a constant offset per well (:mod:`krigflow.well_effect`), in the units of
        ``variogram``. Realization ``r`` draws one offset per data well and one for the new well the grid
        stands for from ``default_rng([seed, r, OFFSET_STREAM])``: the unconditional values at the data
        include their well's offset, the residuals are kriged with the well effect in the data covariance,
        and the new well's offset is added to the whole field.

    dtype : {numpy.float64, numpy.float32}, default float64
        Precision of the returned fields. ``float32`` (field scale) draws the unconditional fields with
        the low-memory single-precision generator (:mod:`krigflow.realizations.chunked`: same noise, fields
        equal to ~1e-6 of the sill) and adds the kriged residuals into them in place: half the memory
        per field and no full-size double-precision temporaries. The residual kriging stays float64.
    cache : dict, optional
        A dict owned by the caller (a worker computing several batches of one problem) in which the
        float32 generator's spectrum is kept between calls (~5 % of a realization's memory, and its
        computation costs about two realizations at 20 M cells).

    Returns
    -------
    array of ``dtype``, shape (R, nx, ny, nz)
        Realizations in property units; equal to the datum at every datum's cell when ``well_effect`` is 0
        (to float32 rounding with ``dtype=float32``; with a well effect a cell holds the value a new well
        would read, not the datum).

    Raises
    ------
    SimulationError
        If a datum is not at a cell centre of ``grid``.
    """
    cells = _data_cells(grid, data)
    indices = np.atleast_1d(np.asarray(indices, dtype=np.int64))
    y = np.asarray(data.values, dtype=np.float64)
    if transform is not None:
        y = transform.transform(y)
    dtype = np.dtype(dtype)
    if dtype == np.float32:
        from krigflow.realizations.chunked import compact_spectrum, draw_field

        key = ("compact_spectrum", grid.shape, grid.spacing, variogram,
               None if padding is None else tuple(padding))
        spectrum = None if cache is None else cache.get(key)
        if spectrum is None:
            spectrum = compact_spectrum(grid.shape, grid.spacing, variogram, padding)
            if cache is not None:
                cache.clear()                      # one problem at a time
                cache[key] = spectrum
        fields = np.empty((len(indices), *grid.shape), dtype=np.float32)
        for i, r in enumerate(indices.tolist()):
            draw_field(spectrum, realization_rng(seed, r), out=fields[i])
        del spectrum
    elif dtype == np.float64:
        fields = unconditional_fields(grid, variogram, seed, indices, padding=padding)
    else:
        raise SimulationError(f"conditional_realizations: dtype must be float64 or float32, got {dtype}")
    at_data = fields[:, cells[:, 0], cells[:, 1], cells[:, 2]].astype(np.float64)   # (R, n)
    new_well = None
    if well_effect:
        from krigflow.well_effect import draw_offsets

        labels = np.asarray(data.well, dtype=np.int64)
        n_wells = int(max(len(data.well_names), labels.max() + 1 if labels.size else 0))
        offsets = np.stack([draw_offsets(np.random.default_rng([int(seed), int(r), OFFSET_STREAM]), n_wells,
                                         well_effect) for r in indices])  # (R, n_wells + 1)
        at_data = at_data + offsets[:, labels]
        new_well = offsets[:, -1]
    residuals = (y - mean)[:, None] - at_data.T                          # (n, R)
    if method == "auto":
        method = residual_engine(grid.shape, cells, len(indices))
    krige_grid(grid, variogram, data, kind="simple", mean=0.0, values=residuals, method=method,
               well_effect=well_effect, add_to=fields)
    fields += mean
    if new_well is not None:
        fields += new_well[:, None, None, None]
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
        raise SimulationError("conditional simulation needs every datum at a cell centre of the grid "
                            "(use krigflow.conditioning.upscale)")
    return cells
