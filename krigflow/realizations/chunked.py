"""Low-memory FFT field generator for large grids: single precision, chunked, pruned inverse transform.

Same fields as :func:`krigflow.realizations.conditional.unconditional_field` (the same white noise drawn
from the same generator, in the same order), up to single-precision rounding (~1e-6 of the sill), at a
fraction of the memory: for a grid of ``N`` cells in an embedding of ``E = lx * ly * lz`` nodes,

* the spectrum (square roots of the circulant eigenvalues) is kept in float32 (``2 E`` bytes instead of
  ``4 E``) and computed in slabs (the covariance on the lattice is never held whole);
* a field is drawn in slabs of easting planes: noise for a slab (float64, as before, so the random stream
  is unchanged), scaled, inverse-transformed along northing and **pruned** to the grid's ``ny`` rows; then
  in slabs of northing rows, inverse-transformed along easting (pruned to ``nx``) and along tvdss
  (``irfft``, pruned to ``nz``). The largest array is the pruned intermediate ``lx x ny x (lz/2+1)``
  complex64 (``~4 E ny / ly`` bytes) instead of the full noise, complex and real embeddings
  (``~28 E`` bytes in double precision).

The inverse transform of the Hermitian half-spectrum is the same sequence of one-dimensional transforms
as ``scipy.fft.irfftn`` (complex inverse transforms along easting and northing, then the real inverse
along tvdss), with the same normalization.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.fft

from krigflow.exceptions import SimulationError

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_CHUNK_BYTES", "CompactSpectrum", "compact_spectrum", "draw_field"]

#: Bound on the per-slab temporaries (bytes).
DEFAULT_CHUNK_BYTES = 64 * 2**20


@dataclass(frozen=True)
class CompactSpectrum:
    """Float32 square roots of the circulant eigenvalues (half spectrum along tvdss), for :func:`draw_field`.

    ``scale`` has shape ``(lx, ly, lz // 2 + 1)``; ``clipped`` is the share of the variance carried by
    negative eigenvalues set to 0.
    """

    shape: tuple
    embedding: tuple
    scale: np.ndarray
    clipped: float = 0.0

    @property
    def nbytes(self) -> int:
        """int: bytes of the spectrum."""
        return int(self.scale.nbytes)


def _lags(m, d):
    index = np.arange(m)
    return np.where(index <= m // 2, index, index - m) * d


def compact_spectrum(shape, spacing, variogram, padding=None, *, chunk_bytes=DEFAULT_CHUNK_BYTES) -> CompactSpectrum:
    """Spectrum of the FFT generator of stationary Gaussian fields, in float32, computed in slabs.

    Parameters
    ----------
    shape : tuple of 3 int
        Grid shape ``(nx, ny, nz)``.
    spacing : tuple of 3 float
        Cell size (m).
    variogram : krigflow.variogram.Variogram
        Covariance model (its tvdss axis is not rotated, so the covariance is even in the tvdss lag and
        its transform along tvdss is real).
    padding : tuple of 3 int, optional
        Extra embedding nodes per axis (default :func:`krigflow.realizations.simulation_padding`).
    chunk_bytes : int, default 64 MiB
        Bound on the slab temporaries.

    Returns
    -------
    CompactSpectrum
        Same embedding and (to float32 rounding) the same values as
        :func:`krigflow.realizations.field_spectrum`.
    """
    from krigflow.realizations.fft import simulation_padding

    shape = tuple(int(n) for n in shape)
    spacing = tuple(float(d) for d in spacing)
    if padding is None:
        padding = simulation_padding(shape, spacing, variogram)
    embedding = tuple(1 if n + p <= 1 else int(scipy.fft.next_fast_len(int(n + p), real=True))
                      for n, p in zip(shape, padding))
    lx, ly, lz = embedding
    nf = lz // 2 + 1
    ex, ey, ez = (_lags(m, d) for m, d in zip(embedding, spacing))
    # stage 1, easting slabs: covariance slab -> rfft along tvdss (real: even in tvdss) -> fft along northing
    half = np.empty((lx, ly, nf), dtype=np.complex64)
    step = max(1, int(chunk_bytes // max(1, ly * lz * 8 * 4)))
    for x0 in range(0, lx, step):
        x1 = min(lx, x0 + step)
        base = variogram.covariance(ex[x0:x1, None, None], ey[None, :, None], ez[None, None, :])
        base = np.broadcast_to(base, (x1 - x0, ly, lz))
        along_z = scipy.fft.rfft(base, axis=2).real
        half[x0:x1] = scipy.fft.fft(along_z, axis=1)
    # stage 2, northing slabs: fft along easting -> real eigenvalues (the covariance is centrally symmetric)
    weight = np.full(nf, 2.0)                    # interior tvdss frequencies count twice
    weight[0] = 1.0
    if lz % 2 == 0:
        weight[-1] = 1.0
    scale = np.empty((lx, ly, nf), dtype=np.float32)
    negative = total = 0.0
    size = float(lx * ly * lz)
    step = max(1, int(chunk_bytes // max(1, lx * nf * 16 * 3)))
    for y0 in range(0, ly, step):
        y1 = min(ly, y0 + step)
        eigen = scipy.fft.fft(half[:, y0:y1].astype(np.complex128), axis=0).real
        negative += float(-(np.minimum(eigen, 0.0) * weight).sum())
        total += float((np.abs(eigen) * weight).sum())
        np.clip(eigen, 0.0, None, out=eigen)
        eigen *= size / 2.0
        eigen[..., weight == 1.0] *= 2.0
        scale[:, y0:y1] = np.sqrt(eigen)
    del half
    clipped = negative / max(total, 1e-300)
    if clipped > 1e-3:
        logger.warning("conditional: clipped negative circulant eigenvalues carrying %.3g of the variance; "
                       "increase the embedding padding", clipped)
    return CompactSpectrum(shape=shape, embedding=embedding, scale=scale, clipped=clipped)


def draw_field(spectrum, rng, out=None, *, chunk_bytes=DEFAULT_CHUNK_BYTES) -> np.ndarray:
    """Draw one zero-mean stationary Gaussian field (float32 arithmetic), slab by slab.

    Parameters
    ----------
    spectrum : CompactSpectrum
        From :func:`compact_spectrum`.
    rng : numpy.random.Generator
        The realization's generator: the same standard normals, in the same order, as
        :func:`krigflow.realizations.conditional.unconditional_field` draws.
    out : array, shape (nx, ny, nz), optional
        Where to write the field (float32 or float64); default a new float32 array.
    chunk_bytes : int, default 64 MiB
        Bound on the slab temporaries.

    Returns
    -------
    array, shape (nx, ny, nz)
    """
    lx, ly, lz = spectrum.embedding
    nx, ny, nz = spectrum.shape
    nf = lz // 2 + 1
    if out is None:
        out = np.empty((nx, ny, nz), dtype=np.float32)
    elif out.shape != (nx, ny, nz):
        raise SimulationError(f"draw_field: out has shape {out.shape}, expected {(nx, ny, nz)}")
    pruned = np.empty((lx, ny, nf), dtype=np.complex64)
    step = max(1, int(chunk_bytes // max(1, ly * nf * 16 * 2)))
    for x0 in range(0, lx, step):
        x1 = min(lx, x0 + step)
        noise = rng.standard_normal((x1 - x0, ly, nf, 2))           # float64: the unchanged stream
        slab = noise.astype(np.float32).view(np.complex64)[..., 0]
        del noise
        slab *= spectrum.scale[x0:x1]
        pruned[x0:x1] = scipy.fft.ifft(slab, axis=1, overwrite_x=True)[:, :ny]
    step = max(1, int(chunk_bytes // max(1, lx * nf * 8 * 3)))
    for y0 in range(0, ny, step):
        y1 = min(ny, y0 + step)
        part = scipy.fft.ifft(pruned[:, y0:y1], axis=0)[:nx]
        out[:, y0:y1] = scipy.fft.irfft(part, n=lz, axis=2)[..., :nz]
    return out
