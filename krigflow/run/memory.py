"""Memory model of a run: peak resident memory per process from the problem's sizes.

For the up-front memory guard (issue 13: refuse, before any work starts, a run that cannot fit) and to
choose a batch size. The model adds what a process holds at its peak, with coefficients read from the code
and checked against the peak RSS measured by ``benchmarks/bench_field_scale.py --memory-model``
(``ru_maxrss`` / ``VmHWM`` of the process, not tracemalloc): :data:`MEASURED`.

Terms (bytes; ``N`` grid cells, ``R`` realizations per batch, ``n`` data, ``B`` histogram bins, ``K``
cutoffs, ``(lx, ly, lz)`` the FFT embedding of the ``conditional`` method, ``(nx, ny, nz)`` the grid):

kriger
    ``BASE`` (interpreter, numpy/scipy, dispel4py, the kriging engines' chunk-bounded temporaries) + the
    data covariance and its factor (``3 * 8 n^2``) + the accumulator and one batch's statistics
    (``2 * 40 N``; plus ``2 * (B + 2 + K) * c N`` with per-cell histograms of ``c``-byte counts) and the
    pooled histogram's bin indices of one realization (``9 N``: int64 + validity) + the
    batch of fields (``f R N``, ``f`` = 4 for float32, 8 for float64) + the field generator (float32:
    spectrum ``4 lx ly (lz/2+1)``, kept between batches, and a pruned intermediate ``8 lx ny (lz/2+1)``
    while a field is drawn, when the batch's statistics do not exist yet: only what it exceeds them by
    counts; float64: ``28 lx ly lz``).
accumulator
    ``BASE`` + the partials it receives (``krigers * partial``) + the exact quantiles (simple-kriging mean
    and standard deviation ``16 N``, one float64 temporary ``8 N``) + the output arrays (``std`` ``8 N``
    and ``f`` bytes per cell for each quantile and cutoff).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

__all__ = ["BASE", "MEASURED", "MEASURED_RUN_DEFAULTS", "MemoryEstimate", "estimate_memory", "run_embedding"]

#: Resident memory of a process besides the per-cell and per-datum terms (bytes): the measured intercept
#: is 153 MB with ~1 200 data (imports ~62 MB, the data covariance ~33 MB, the columns engine's and the
#: statistics' chunk-bounded temporaries); the model overestimates the measured points by 30-100 MB.
BASE = 165 * 2**20

#: Peak RSS of one kriger process (``cells``, ``batch``, bytes) measured on this machine (2 cores, AMD EPYC,
#: 2026-11-29) with the field-scale path: two conditional batches (float32 fields, ~1 200 data, columns
#: engine) merged in place into an accumulator without per-cell histograms. Fit:
#: ``153 MB + 83 B x cells + 1.5 B x cells x batch`` (max residual 5 MB).
MEASURED = (
    (98260, 1, 163074048),
    (98260, 4, 174477312),
    (98260, 8, 174268416),
    (304425, 1, 183418880),
    (304425, 4, 185962496),
    (304425, 8, 188260352),
    (1000776, 1, 246710272),
    (1000776, 4, 249683968),
    (1000776, 8, 255389696),
)

#: Peak RSS in the 20 M-cell run (``bench_field_scale.py``, 500 x 400 x 100, 1 200 data, 64 realizations,
#: batch 4, 2 krigers, exact quantiles, 2026-11-29): ``(role, peak bytes)``.
MEASURED_RUN = (("kriger", 2395 * 2**20), ("kriger", 2395 * 2**20), ("accumulator", 2737 * 2**20))

#: The same benchmark with the default residual model (moving-average depth trend, well effect 116,
#: exponential 527 m x 14 m, Gaussian residuals, embedding (675, 576, 125); exact quantiles; 2026-11-29 22:41,
#: load 11-23). The krigers' peaks include a float64 copy of one realization (153 MiB) that ``searchsorted``
#: made in the pooled histogram, gone since (:func:`krigflow.stats.histogram.bin_index`).
MEASURED_RUN_DEFAULTS = (("kriger", 2481 * 2**20), ("kriger", 2482 * 2**20), ("accumulator", 2691 * 2**20))

#: The same before the field-scale changes (float64 fields, 100-bin per-cell histograms, one batch, no
#: accumulator merge): ``84 MB + 233 B x cells + 17.7 B x cells x batch``.
MEASURED_BEFORE = (
    (98260, 1, 123572224),
    (98260, 4, 126009344),
    (98260, 8, 129224704),
    (304425, 1, 154030080),
    (304425, 4, 170094592),
    (304425, 8, 190767104),
    (1000776, 1, 337649664),
    (1000776, 4, 398090240),
    (1000776, 8, 462876672),
)


@dataclass(frozen=True)
class MemoryEstimate:
    """An itemized estimate of one process's peak resident memory (bytes)."""

    base: int
    data: int
    generator: int
    fields: int
    statistics: int
    outputs: int = 0

    @property
    def total(self) -> int:
        """int: the sum of the terms."""
        return self.base + self.data + self.generator + self.fields + self.statistics + self.outputs

    def describe(self) -> dict:
        """JSON-ready terms and total, in MiB."""
        return {k: round(getattr(self, k) / 2**20, 1)
                for k in ("base", "data", "generator", "fields", "statistics", "outputs", "total")}


def estimate_memory(shape, batch, n_data, *, role="kriger", embedding=None, method="conditional",
                    quantiles_from="exact", bins=100, quantiles=3, cutoffs=0, field_bytes=None,
                    count_bytes=None, realizations=100, krigers=1) -> MemoryEstimate:
    """Peak resident memory of one process of a run (bytes, itemized; see the module docstring).

    Parameters
    ----------
    shape : tuple of 3 int
        Grid shape ``(nx, ny, nz)``.
    batch : int
        Realizations per batch ``R``.
    n_data : int
        Conditioning data ``n``.
    role : {"kriger", "accumulator"}
        Which process.
    embedding : tuple of 3 int, optional
        FFT embedding of the ``conditional`` method (default: the grid padded by itself on every axis,
        the worst case).
    method : {"conditional", "subsample"}
    quantiles_from : {"exact", "realizations", "none"}
        The multi-Gaussian shortcut (``conditional``), per-cell histograms, or no quantiles.
    bins, quantiles, cutoffs : int
        Histogram bins ``B``, number of quantiles and of cutoffs ``K``.
    field_bytes : {4, 8}, optional
        Bytes per field value (default: 4 for ``conditional`` from 10^6 cells, as a run does, else 8).
    count_bytes : int, optional
        Bytes per histogram count (default from ``realizations``: 1 up to 255, 2 up to 65 535, else 4).
    realizations : int, default 100
        Realizations of the run (count dtype).
    krigers : int, default 1
        Krigers sending partials (accumulator).

    Returns
    -------
    MemoryEstimate

    Examples
    --------
    >>> est = estimate_memory((500, 400, 100), 8, 1200, embedding=(960, 800, 125))
    >>> round(est.total / 2**30, 1)
    2.6
    >>> before = estimate_memory((500, 400, 100), 8, 1200, embedding=(960, 800, 125), field_bytes=8,
    ...                          quantiles_from="realizations", cutoffs=2, count_bytes=2)
    >>> before.total > 4 * est.total
    True
    """
    nx, ny, nz = (int(n) for n in shape)
    cells, batch, n_data = nx * ny * nz, int(batch), int(n_data)
    if min(cells, batch) < 1 or n_data < 0 or role not in ("kriger", "accumulator"):
        raise ValueError(f"estimate_memory: need cells, batch >= 1, n_data >= 0 and role kriger or accumulator, "
                         f"got {shape}, {batch}, {n_data}, {role!r}")
    if quantiles_from not in ("exact", "realizations", "none"):
        raise ValueError(f"estimate_memory: quantiles_from must be 'exact', 'realizations' or 'none', got "
                         f"{quantiles_from!r}")
    if field_bytes is None:
        field_bytes = 4 if method == "conditional" and cells >= 1_000_000 else 8
    if count_bytes is None:
        count_bytes = 1 if realizations <= 255 else 2 if realizations <= 65535 else 4
    per_cell = 40.0
    if quantiles_from == "realizations":
        per_cell += (bins + 2 + cutoffs) * count_bytes
    partial = int(per_cell * cells)
    if role == "accumulator":
        outputs = cells * (8 + field_bytes * (quantiles + cutoffs))
        exact = 24 * cells if quantiles_from == "exact" else 0
        return MemoryEstimate(BASE, 0, 0, 0, max(1, int(krigers)) * partial + exact, outputs)
    data = 3 * 8 * n_data * n_data
    generator = 0
    if method == "conditional":
        lx, ly, lz = embedding if embedding is not None else (2 * nx, 2 * ny, 2 * nz)
        half = lz // 2 + 1
        if field_bytes == 4:      # the intermediate lives while drawing, the batch statistics after
            generator = 4 * lx * ly * half + max(0, 8 * lx * ny * half - partial - 9 * cells)
        else:
            generator = 28 * lx * ly * lz
    return MemoryEstimate(BASE, data, generator, field_bytes * cells * batch, 2 * partial + 9 * cells)


def run_embedding(grid, variogram) -> tuple:
    """FFT embedding of the ``conditional`` method's field generator on ``grid`` (as
    :func:`krigflow.realizations.chunked.compact_spectrum` sizes it), for :func:`estimate_memory`.

    Examples
    --------
    >>> from krigflow.grid import Grid
    >>> from krigflow.variogram import Variogram
    >>> grid = Grid.from_bounds([0, 5000, 0, 4000, 1000, 1200], [10.0, 10.0, 2.0])
    >>> run_embedding(grid, Variogram("exponential", 1.0, 1500.0, 15.0, range_h2=1000.0, azimuth=60.0))
    (960, 800, 125)
    """
    import scipy.fft

    from krigflow.realizations import simulation_padding

    pad = simulation_padding(grid.shape, grid.spacing, variogram)
    return tuple(1 if n + p <= 1 else int(scipy.fft.next_fast_len(int(n + p), real=True))
                 for n, p in zip(grid.shape, pad))
