"""Memory model of a run: peak resident memory per process from the problem's sizes.

Used to refuse, before any work starts, a run that cannot fit (issue 13), and to choose a batch size.
The model is itemized (what each process holds at its peak) with coefficients read from the code and
checked against peak RSS measured by ``benchmarks/bench_field_scale.py --memory-model`` (``VmHWM`` /
``ru_maxrss`` of a process, not tracemalloc): see :data:`MEASURED`.

Terms (bytes; ``N`` grid cells, ``R`` realizations per batch, ``n`` data, ``E`` cells of the FFT
embedding, ``B`` histogram bins, ``K`` cutoffs):

* ``BASE``: interpreter, numpy/scipy, dispel4py (measured: 60-90 MB per process);
* data: the ``n x n`` covariance and its factor, a few copies: ``3 * 8 n^2``;
* field generator: the spectrum (``4 E`` float64 half spectrum) and, while one field is drawn, the
  noise, the complex intermediate and the real output of the inverse FFT (``fft_bytes_per_cell * E``);
* realizations: the batch of fields and the residual-kriging output, ``field_copies * field_bytes * N * R``;
* statistics: the accumulator (count, mean, M2, min, max: ``40 N``) plus, when quantiles come from
  realizations, per-cell histograms (``(B + 2) * count_bytes * N``) and exceedance counts
  (``K * count_bytes * N``); merging a batch into the accumulator holds up to three such sets at once;
  exact (multi-Gaussian) quantiles instead hold the simple-kriging mean and standard deviation
  (``16 N``) for the cells of the process's blocks.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

__all__ = ["BASE", "MEASURED", "MemoryEstimate", "estimate_memory"]

#: Resident memory of a process after imports (bytes): measured 62-63 MB for a plain kriger process,
#: ~80 MB for a dispel4py multi process.
BASE = 80 * 2**20

#: Peak RSS measured on this machine (bytes), for checking the model (``cells``, ``batch``, ``peak``):
#: conditional batch + statistics with 100-bin per-cell histograms, ~1 200 data, float64 fields,
#: before the field-scale changes (``bench_field_scale.py --memory-model``, 2026-11-29): fit
#: ``84 MB + 233 B x cells + 17.7 B x cells x batch`` (max residual 11 MB).
MEASURED = (
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

    @property
    def total(self) -> int:
        """int: the sum of the terms."""
        return self.base + self.data + self.generator + self.fields + self.statistics

    def describe(self) -> dict:
        """JSON-ready terms and total, in MiB."""
        return {k: round(getattr(self, k) / 2**20, 1)
                for k in ("base", "data", "generator", "fields", "statistics", "total")}


def estimate_memory(cells, batch, n_data, *, embedding_cells=None, method="conditional",
                    quantiles_from="exact", bins=100, cutoffs=0, field_bytes=8, count_bytes=2,
                    block_cells=None, fft_bytes_per_cell=28.0, field_copies=3.0,
                    stats_copies=3.0) -> MemoryEstimate:
    """Peak resident memory of one kriger process (bytes, itemized).

    Parameters
    ----------
    cells : int
        Grid cells ``N``.
    batch : int
        Realizations per batch ``R``.
    n_data : int
        Conditioning data ``n``.
    embedding_cells : int, optional
        Cells of the FFT embedding of the ``conditional`` method (default ``8 N``, the worst case of
        padding every axis by the grid); ignored for ``subsample``.
    method : {"conditional", "subsample"}
        Stochastic method.
    quantiles_from : {"exact", "realizations", "none"}
        Where quantiles come from: the multi-Gaussian shortcut (``conditional`` only), per-cell
        histograms of the realizations, or no quantiles.
    bins, cutoffs : int
        Histogram bins ``B`` and number of cutoffs ``K``.
    field_bytes : {4, 8}
        Bytes per value of a realization field (float32 or float64).
    count_bytes : int, default 2
        Bytes per histogram count (uint16).
    block_cells : int, optional
        Cells of the spatial blocks this process computes exact quantiles for (default all ``N``).
    fft_bytes_per_cell, field_copies, stats_copies : float
        Model coefficients (see the module docstring).

    Returns
    -------
    MemoryEstimate

    Examples
    --------
    >>> est = estimate_memory(20_000_000, 4, 1200, embedding_cells=20_000_000 * 2, cutoffs=2)
    >>> est.total > est.fields > 0
    True
    """
    cells, batch, n_data = int(cells), int(batch), int(n_data)
    if min(cells, batch) < 1 or n_data < 0:
        raise ValueError(f"estimate_memory: cells and batch must be >= 1 and n_data >= 0, got {cells}, {batch}, "
                         f"{n_data}")
    if quantiles_from not in ("exact", "realizations", "none"):
        raise ValueError(f"estimate_memory: quantiles_from must be 'exact', 'realizations' or 'none', got "
                         f"{quantiles_from!r}")
    data = int(3 * 8 * n_data * n_data)
    generator = 0
    if method == "conditional":
        embedding = 8 * cells if embedding_cells is None else int(embedding_cells)
        generator = int(fft_bytes_per_cell * embedding)
    fields = int(field_copies * field_bytes * cells * batch)
    per_cell = 40.0
    if quantiles_from == "realizations":
        per_cell += (bins + 2 + cutoffs) * count_bytes
    elif cutoffs:
        per_cell += cutoffs * count_bytes
    statistics = int(stats_copies * per_cell * cells)
    if quantiles_from == "exact":
        statistics += 16 * (cells if block_cells is None else int(block_cells))
    return MemoryEstimate(BASE, data, generator, fields, statistics)
