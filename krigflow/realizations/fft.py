"""Unconditional stationary Gaussian random fields by FFT circulant embedding.

On a regular lattice the covariance matrix of a stationary field is block
Toeplitz. Embedded in a larger periodic lattice it becomes block circulant,
which the 3-D discrete Fourier transform diagonalises: its eigenvalues are the
FFT of the covariance evaluated at the (wrapped) lags. A field is then one FFT
of white noise scaled by the square roots of the eigenvalues, at a cost of
O(N log N) for N embedding nodes (Dietrich & Newsam, 1997; Wood & Chan, 1994).

The embedding lattice must be large enough for the circulant to be
non-negative definite: by default it is at least twice the grid along each
axis (rounded up to a fast FFT length), which suffices when the covariance has
decayed to (nearly) zero at the grid size. Small negative eigenvalues (from
truncation of the covariance at half the embedding size) are clipped to zero,
and the clipped fraction of the total variance is logged.

One complex FFT gives two independent fields (its real and imaginary parts),
so ``n_fields`` fields cost ``ceil(n_fields / 2)`` FFTs.
"""
from __future__ import annotations

import logging
import numbers

import numpy as np
import scipy.fft

from krigflow.exceptions import KrigflowError

logger = logging.getLogger(__name__)

#: Clipped fraction of the total variance above which a warning is logged.
CLIP_WARNING_FRACTION = 1e-3


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
    KrigflowError
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
    shape = _check_triple(shape, "shape", integer=True)
    spacing = _check_triple(spacing, "spacing", integer=False)
    if isinstance(n_fields, bool) or not isinstance(n_fields, numbers.Integral) or n_fields < 1:
        raise KrigflowError(f"gaussian_field: n_fields must be a positive integer, got {n_fields!r}")
    if padding is None:
        padding = shape
    padding = _check_triple(padding, "padding", integer=True, allow_zero=True)
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        rng = np.random.default_rng(int(rng))
    if not isinstance(rng, np.random.Generator):
        raise KrigflowError(
            f"gaussian_field: rng must be a numpy.random.Generator or an int seed, got {type(rng).__name__}"
        )
    embedding = embedding_shape(shape, padding)
    scale = _sqrt_eigenvalues(embedding, spacing, covariance)
    logger.debug("gaussian_field: grid %s, embedding %s, %d field(s)", shape, embedding, n_fields)
    fields = np.empty((n_fields, *shape))
    grid = tuple(slice(0, n) for n in shape)
    for first in range(0, n_fields, 2):
        # Z1 + i Z2 with independent standard normal parts, without a copy.
        spectrum = rng.standard_normal((*embedding, 2)).view(np.complex128)[..., 0]
        spectrum *= scale
        # Unnormalised forward FFT of sqrt(lambda / M) * (Z1 + i Z2): real and
        # imaginary parts are independent with the circulant covariance.
        values = scipy.fft.fftn(spectrum, overwrite_x=True)[grid]
        fields[first] = values.real
        if first + 1 < n_fields:
            fields[first + 1] = values.imag
    return fields


def embedding_shape(shape, padding=None) -> tuple[int, int, int]:
    """Return the periodic embedding lattice used for a grid.

    Parameters
    ----------
    shape : tuple of 3 int
        Grid shape.
    padding : tuple of 3 int, optional
        Minimum extra nodes per axis (default: the grid shape).

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
        1 if n + p <= 1 else int(scipy.fft.next_fast_len(int(n + p))) for n, p in zip(shape, padding)
    )


def _wrapped_lags(m, spacing) -> np.ndarray:
    """Signed lags of a periodic axis of ``m`` nodes: 0, d, 2d, ..., -2d, -d."""
    index = np.arange(m)
    return np.where(index <= m // 2, index, index - m) * spacing


def _sqrt_eigenvalues(embedding, spacing, covariance) -> np.ndarray:
    """Square roots of the circulant eigenvalues divided by the embedding size."""
    lags = np.meshgrid(*(_wrapped_lags(m, d) for m, d in zip(embedding, spacing)), indexing="ij",
                       sparse=True)
    try:
        base = np.broadcast_to(np.asarray(covariance(*lags), dtype=np.float64), embedding)
    except ValueError as error:
        raise KrigflowError(
            f"gaussian_field: covariance must return an array broadcasting to the embedding {embedding}: "
            f"{error}"
        ) from None
    # The real part of the FFT of a real base is the FFT of its even part. This
    # also resolves the ambiguous lag m/2 of even axes (+m/2 or -m/2, which
    # differ for rotated anisotropy) by averaging the two, so the eigenvalues
    # are those of an exactly symmetric circulant.
    eigenvalues = scipy.fft.fftn(base).real
    del base
    _log_clipping(eigenvalues)
    np.clip(eigenvalues, 0.0, None, out=eigenvalues)
    eigenvalues /= eigenvalues.size
    return np.sqrt(eigenvalues)


def _log_clipping(eigenvalues) -> None:
    """Log the fraction of the total variance carried by negative eigenvalues."""
    negative = float(-eigenvalues[eigenvalues < 0].sum()) if np.any(eigenvalues < 0) else 0.0
    total = np.abs(eigenvalues).sum()
    fraction = negative / total if total > 0 else 0.0
    if fraction > CLIP_WARNING_FRACTION:
        logger.warning(
            "gaussian_field: clipped negative circulant eigenvalues carrying %.3g of the variance; "
            "increase padding for an exact covariance",
            fraction,
        )
    else:
        logger.debug("gaussian_field: clipped negative eigenvalue fraction %.3g", fraction)


def _check_triple(value, name, *, integer, allow_zero=False) -> tuple:
    """Validate a 3-tuple of positive (or non-negative) numbers."""
    try:
        items = tuple(value)
    except TypeError:
        items = ()
    kind = numbers.Integral if integer else numbers.Real
    low_ok = (lambda v: v >= 0) if allow_zero else (lambda v: v > 0)
    if (
        len(items) != 3
        or any(isinstance(v, bool) or not isinstance(v, kind) for v in items)
        or not all(low_ok(v) and np.isfinite(v) for v in items)
    ):
        expected = "non-negative" if allow_zero else "positive"
        kind_name = "integers" if integer else "numbers"
        raise KrigflowError(f"gaussian_field: {name} must be 3 {expected} {kind_name}, got {value!r}")
    return tuple(int(v) for v in items) if integer else tuple(float(v) for v in items)
