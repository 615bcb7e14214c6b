"""Stationary Gaussian random fields by FFT circulant embedding: the one generator of krigflow.

On a regular lattice the covariance matrix of a stationary field is block
Toeplitz. Embedded in a larger periodic lattice it becomes block circulant,
which the 3-D discrete Fourier transform diagonalises: its eigenvalues are the
FFT of the covariance evaluated at the (wrapped) lags. A field is then one FFT
of white noise scaled by the square roots of the eigenvalues, at a cost of
O(N log N) for N embedding nodes (Dietrich & Newsam, 1997; Wood & Chan, 1994).

The embedding lattice must be large enough for the circulant to be
non-negative definite. Small negative eigenvalues (from truncation of the
covariance at half the embedding size) are clipped to zero, and the clipped
fraction of the total variance is logged (a warning above
:data:`CLIP_WARNING_FRACTION`).

:func:`circulant_spectrum` builds the square-rooted eigenvalues once per grid
(a :class:`FieldSpectrum`); two samplers draw from it:

* **full spectrum** (``real=False``, :func:`gaussian_field`): complex white
  noise on the whole lattice, one complex ``fftn`` gives two independent
  fields (its real and imaginary parts), so ``n_fields`` fields cost
  ``ceil(n_fields / 2)`` FFTs. The embedding is at least twice the grid by
  default (exact when the covariance has decayed at the grid size). Used for
  synthetic truths (``data/make_demo.py``, ``validation/``).
* **half spectrum** (``real=True``, :func:`field_spectrum` and
  :func:`unconditional_field`): Hermitian white noise on the half lattice and
  one ``irfftn`` per field, so each field depends on its own generator only
  (one realization, one ``default_rng([seed, r])``). The embedding is the
  grid plus a few ranges (:func:`simulation_padding`). Used by conditional
  simulation (:mod:`krigflow.realizations.conditional`).

The two samplers consume their generators differently, so a seed gives
different fields in each; both are kept so that the demo truth and the
conditional realizations stay bit-identical to earlier releases.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.fft

from krigflow._validate import check_int, check_triple, is_integer
from krigflow.exceptions import SimulationError

logger = logging.getLogger(__name__)

__all__ = ["CLIP_WARNING_FRACTION", "FieldSpectrum", "circulant_spectrum", "embedding_shape",
           "field_spectrum",
           "gaussian_field", "simulation_padding", "unconditional_field"]

#: Clipped fraction of the total variance above which a warning is logged.
CLIP_WARNING_FRACTION = 1e-3


@dataclass(frozen=True)
class FieldSpectrum:
    """Square roots of the circulant eigenvalues of a grid's embedding, ready to scale white noise.

    Built once per grid by :func:`circulant_spectrum` (or :func:`field_spectrum`). With ``real=True``
    ``scale`` is the half spectrum, shape ``(lx, ly, lz // 2 + 1)`` for the embedding ``(lx, ly, lz)``
    (drawn by :func:`unconditional_field`); with ``real=False`` the full spectrum ``(lx, ly, lz)`` (drawn
    by :func:`gaussian_field`).
    """

    shape: tuple
    embedding: tuple
    scale: np.ndarray
    clipped: float = 0.0
    real: bool = True


def gaussian_field(shape, spacing, covariance, rng, *, n_fields=1, padding=None) -> np.ndarray:
    """Draw unconditional stationary Gaussian random fields on a regular 3-D grid.

    Parameters
    ----------
    shape : tuple of 3 int
        Grid shape ``(nx, ny, nz)`` (easting, northing, tvdss axes).
    spacing : tuple of 3 float
        Node spacing ``(dx, dy, dz)`` in metres, > 0.
    covariance : callable
        ``covariance(d_easting, d_northing, d_tvdss) -> array``: the model
        covariance at lag vectors, broadcasting its three array arguments (it
        is called with sparse, broadcastable lag grids). For example
        ``krigflow.variogram.model.Variogram(...).covariance``. It must be even:
        ``C(h) == C(-h)``.
    rng : numpy.random.Generator or int
        Source of randomness (an int is passed to ``numpy.random.default_rng``).
    n_fields : int, default 1
        Number of independent fields to draw.
    padding : tuple of 3 int, optional
        Minimum number of extra embedding nodes along each axis. Default: the
        grid shape, i.e. an embedding at least twice the grid. Use
        ``shape + a few ranges`` for fields whose covariance decays fast, to
        save memory.

    Returns
    -------
    float64 array, shape (n_fields, nx, ny, nz)
        Zero-mean fields with covariance ``covariance`` between nodes.

    Raises
    ------
    krigflow.exceptions.SimulationError
        If ``shape``, ``spacing``, ``n_fields``, ``padding`` or ``rng`` is
        invalid, or ``covariance`` returns an array that does not broadcast to
        the embedding lattice.

    Notes
    -----
    Fields ``0..k-1`` of a call with ``n_fields = k`` equal the first ``k``
    fields of a call with more fields from an identically seeded generator.
    Peak memory is about four complex arrays of the embedding size
    (16 bytes per node each).

    Examples
    --------
    >>> import numpy as np
    >>> def cov(de, dn, dz):
    ...     return 4.0 * np.exp(-3.0 * np.sqrt((de / 100) ** 2 + (dn / 100) ** 2 + (dz / 10) ** 2))
    >>> fields = gaussian_field((20, 10, 5), (10.0, 10.0, 2.0), cov, np.random.default_rng(0), n_fields=3)
    >>> fields.shape
    (3, 20, 10, 5)
    """
    shape = check_triple(shape, "shape", integer=True, sign="positive", error=SimulationError,
                         prefix="gaussian_field: ")
    spacing = check_triple(spacing, "spacing", sign="positive", error=SimulationError,
                           prefix="gaussian_field: ")
    check_int(n_fields, "n_fields", minimum=1, error=SimulationError, prefix="gaussian_field: ")
    if padding is None:
        padding = shape
    padding = check_triple(padding, "padding", integer=True, sign="non-negative", error=SimulationError,
                           prefix="gaussian_field: ")
    if is_integer(rng):
        rng = np.random.default_rng(int(rng))
    if not isinstance(rng, np.random.Generator):
        raise SimulationError(
            f"gaussian_field: rng must be a numpy.random.Generator or an int seed, got {type(rng).__name__}"
        )
    spectrum = circulant_spectrum(shape, spacing, covariance, padding, real=False, caller="gaussian_field")
    embedding, scale = spectrum.embedding, spectrum.scale
    logger.debug("gaussian_field: grid %s, embedding %s, %d field(s)", shape, embedding, n_fields)
    fields = np.empty((n_fields, *shape))
    grid = tuple(slice(0, n) for n in shape)
    for first in range(0, n_fields, 2):
        # Z1 + i Z2 with independent standard normal parts, without a copy.
        noise = rng.standard_normal((*embedding, 2)).view(np.complex128)[..., 0]
        noise *= scale
        # Unnormalised forward FFT of sqrt(lambda / M) * (Z1 + i Z2): real and
        # imaginary parts are independent with the circulant covariance.
        values = scipy.fft.fftn(noise, overwrite_x=True)[grid]
        fields[first] = values.real
        if first + 1 < n_fields:
            fields[first + 1] = values.imag
    return fields


def embedding_shape(shape, padding=None, *, real=False) -> tuple[int, int, int]:
    """Return the periodic embedding lattice used for a grid.

    Parameters
    ----------
    shape : tuple of 3 int
        Grid shape.
    padding : tuple of 3 int, optional
        Minimum extra nodes per axis (default: the grid shape).
    real : bool, default False
        Use fast lengths of real FFTs (``scipy.fft.next_fast_len(..., real=True)``), as the half-spectrum
        sampler does.

    Returns
    -------
    tuple of 3 int
        ``scipy.fft.next_fast_len(n + pad)`` per axis (1 for an axis of one
        node with no padding).

    Examples
    --------
    >>> embedding_shape((100, 100, 50))
    (200, 200, 100)
    """
    if padding is None:
        padding = shape
    return tuple(
        1 if n + p <= 1 else int(scipy.fft.next_fast_len(int(n + p), real=real))
        for n, p in zip(shape, padding)
    )


def circulant_spectrum(shape, spacing, covariance, padding=None, *, real=True,
                       caller="circulant_spectrum") -> FieldSpectrum:
    """Square roots of the circulant eigenvalues of the embedding of a grid: the FFT field generator.

    Parameters
    ----------
    shape : tuple of 3 int
        Grid shape ``(nx, ny, nz)``.
    spacing : tuple of 3 float
        Node spacing ``(dx, dy, dz)`` (m).
    covariance : callable
        ``covariance(d_easting, d_northing, d_tvdss) -> array``, broadcasting (see :func:`gaussian_field`).
    padding : tuple of 3 int, optional
        Minimum extra embedding nodes per axis (default: the grid shape).
    real : bool, default True
        Half spectrum for :func:`unconditional_field` (``rfftn`` of the covariance, scaled for Hermitian
        noise and ``irfftn``), or the full spectrum for :func:`gaussian_field` (``fftn``, scaled for
        complex noise and an unnormalised ``fftn``).
    caller : str
        Name used in messages.

    Returns
    -------
    FieldSpectrum

    Raises
    ------
    krigflow.exceptions.SimulationError
        If ``covariance`` returns an array that does not broadcast to the embedding lattice.

    Examples
    --------
    >>> def cov(de, dn, dz):
    ...     return np.exp(-3.0 * np.sqrt((de / 50) ** 2 + (dn / 50) ** 2 + (dz / 5) ** 2))
    >>> s = circulant_spectrum((20, 10, 5), (10.0, 10.0, 1.0), cov)
    >>> s.embedding, s.scale.shape
    ((40, 20, 10), (40, 20, 6))
    """
    embedding = embedding_shape(shape, padding, real=real)
    lags = np.meshgrid(*(_wrapped_lags(m, d) for m, d in zip(embedding, spacing)), indexing="ij", sparse=True)
    try:
        base = np.broadcast_to(np.asarray(covariance(*lags), dtype=np.float64), embedding)
    except ValueError as error:
        raise SimulationError(
            f"{caller}: covariance must return an array broadcasting to the embedding {embedding}: {error}"
        ) from None
    # The real part of the FFT of a real base is the FFT of its even part. This also resolves the
    # ambiguous lag m/2 of even axes (+m/2 or -m/2, which differ for rotated anisotropy) by averaging
    # the two, so the eigenvalues are those of an exactly symmetric circulant.
    if not real:
        eigen = scipy.fft.fftn(base).real
        del base
        clipped = _clipped_fraction(eigen)
        _log_clipping(clipped, caller)
        np.clip(eigen, 0.0, None, out=eigen)
        eigen /= eigen.size
        return FieldSpectrum(shape=tuple(shape), embedding=embedding, scale=np.sqrt(eigen), clipped=clipped,
                             real=False)
    eigen = scipy.fft.rfftn(base).real
    del base
    weight = np.full(eigen.shape[-1], 2.0)       # interior frequencies of the last axis count twice
    weight[0] = 1.0
    if embedding[2] % 2 == 0:
        weight[-1] = 1.0
    clipped = _clipped_fraction(eigen, weight)
    _log_clipping(clipped, caller)
    np.clip(eigen, 0.0, None, out=eigen)
    # irfftn(xi) with Hermitian white noise of E|xi|^2 = M has covariance = circulant with these
    # eigenvalues (irfftn divides by M). Re and Im parts N(0, M lambda / 2) each; on the planes of the
    # last axis that irfftn treats as self-conjugate (0, Nyquist) it keeps only the Hermitian part, which
    # halves the variance: scale those planes by sqrt(2).
    size = float(np.prod(embedding))
    eigen *= size / 2.0
    eigen[..., weight == 1.0] *= 2.0
    np.sqrt(eigen, out=eigen)
    return FieldSpectrum(shape=tuple(shape), embedding=embedding, scale=eigen, clipped=clipped, real=True)


def _wrapped_lags(m, spacing) -> np.ndarray:
    """Signed lags of a periodic axis of ``m`` nodes: 0, d, 2d, ..., -2d, -d."""
    index = np.arange(m)
    return np.where(index <= m // 2, index, index - m) * spacing


def _clipped_fraction(eigen, weight=None) -> float:
    """Fraction of the total variance carried by negative eigenvalues (``weight``: multiplicity of the
    planes of the last axis of a half spectrum)."""
    if weight is None:
        negative = float(-eigen[eigen < 0].sum()) if np.any(eigen < 0) else 0.0
        total = np.abs(eigen).sum()
        return negative / total if total > 0 else 0.0
    negative = float(-(np.minimum(eigen, 0.0) * weight).sum())
    return negative / max(float((np.abs(eigen) * weight).sum()), 1e-300)


def _log_clipping(fraction, caller) -> None:
    """Log the clipped fraction: a warning above :data:`CLIP_WARNING_FRACTION`."""
    if fraction > CLIP_WARNING_FRACTION:
        logger.warning("%s: clipped negative circulant eigenvalues carrying %.3g of the variance; "
                       "increase padding for an exact covariance", caller, fraction)
    else:
        logger.debug("%s: clipped negative eigenvalue fraction %.3g", caller, fraction)


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
        Half spectrum (``real=True``). The embedding is ``next_fast_len(n + p, real=True)`` per axis.
        Negative circulant eigenvalues (truncation) are set to 0; their share of the variance is
        ``clipped`` (logged as a warning above :data:`CLIP_WARNING_FRACTION`).
    """
    shape = tuple(int(n) for n in shape)
    spacing = tuple(float(d) for d in spacing)
    if padding is None:
        padding = simulation_padding(shape, spacing, variogram)
    return circulant_spectrum(shape, spacing, variogram.covariance, padding, real=True,
                              caller="field_spectrum")


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
    if not spectrum.real:
        raise SimulationError("unconditional_field: needs a half (real=True) spectrum; draw full "
                              "spectra with gaussian_field")
    lx, ly, lz = spectrum.embedding
    noise = rng.standard_normal((lx, ly, lz // 2 + 1, 2)).view(np.complex128)[..., 0]
    noise *= spectrum.scale
    field = scipy.fft.irfftn(noise, s=spectrum.embedding, overwrite_x=True)
    nx, ny, nz = spectrum.shape
    if out is None:
        return np.ascontiguousarray(field[:nx, :ny, :nz])
    out[...] = field[:nx, :ny, :nz]
    return out
