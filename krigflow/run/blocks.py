"""Spatial tasks: the grid split into blocks, so that a worker's statistics cover only its blocks.

With ``blocks: N`` (or ``auto``) in the run config, the grid is cut into ``N`` slabs along easting (the
slowest axis: a block is a contiguous range of cells in C order), and the work of a run is a set of tasks
*(block, chunk of realizations)* instead of chunks of realizations over the whole grid. A worker keeps the
running statistics of one block at a time (:class:`krigflow.run.block_worker.BlockWorker`): memory for
statistics and fields shrinks by the number of blocks. Every task of block ``b`` goes to the same kriger
(``b mod krigers``; dispel4py group-by on the block index), in block order, so each kriger holds one
block's accumulator at a time and sends it as soon as it moves to its next block.

Only the ``subsample`` method is split: each realization ``r`` kriges its subsample of wells (drawn from
``default_rng([seed, r])``, whatever the block) at the cells of the block, so the numbers are those of an
unblocked run (to rounding, <= 1e-12: the kriging engine may differ with the block's size). The
``conditional`` method draws one FFT field over the whole grid: it is refused with blocks (config).

Partials of blocks (:class:`krigflow.run.Partial` with ``block``; partial files with ``meta["block"]``)
cover *(block, realizations)* pieces. :func:`join_blocks` checks them (one layout, no piece twice, the
same realizations in every block: else an error naming the block and the realizations) and assembles
them into whole-grid partials, which the end of a run, a resume and ``krigflow combine`` then handle
like any partial. Per-realization summaries (``realizations.csv``) need whole fields: a blocked run has none.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace

import numpy as np

from krigflow.exceptions import ConfigError
from krigflow.grid import Grid
from krigflow.io import CheckpointError
from krigflow.run.fingerprint import fingerprint_differences
from krigflow.run.messages import Task
from krigflow.run.ranges import chunk_indices, format_ranges
from krigflow.run.summaries import merge_summaries
from krigflow.run.warning_log import merge_warnings
from krigflow.stats import RunningStats

logger = logging.getLogger(__name__)

__all__ = ["AUTO_BLOCK_BYTES", "Block", "JoinedPartial", "block_layout", "block_of", "block_problem",
           "block_shape", "block_tasks", "blocks_todo", "route_key", "check_layout", "join_blocks", "join_pieces", "layout_of_config", "summaries_of"]

#: ``blocks: auto`` cuts the grid so that one block's statistics and batch of fields (memory model,
#: :func:`krigflow.run.memory.estimate_memory` without its fixed terms) stay under this many bytes.
AUTO_BLOCK_BYTES = 256 * 2**20


@dataclass(frozen=True)
class Block:
    """A slab of the grid: easting cells ``start <= i < stop`` (all northing and tvdss cells).

    Parameters
    ----------
    index : int
        Block number, ``0 <= index < of``.
    of : int
        Number of blocks of the layout.
    start, stop : int
        Easting cell range of the block.
    nx : int
        Easting cells of the whole grid (identifies the layout).

    Examples
    --------
    >>> b = Block(1, 3, 4, 7, 10)
    >>> b.cells, Block.from_meta(b.to_meta()) == b
    (3, True)
    >>> b.describe()
    'block 1 of 3 (easting cells 4-6)'
    """

    index: int
    of: int
    start: int
    stop: int
    nx: int

    @property
    def cells(self) -> int:
        """Easting cells of the block."""
        return self.stop - self.start

    def to_meta(self) -> dict:
        """JSON form (a partial file's ``meta["block"]``)."""
        return {"index": self.index, "of": self.of, "start": self.start, "stop": self.stop, "nx": self.nx}

    @classmethod
    def from_meta(cls, meta) -> Block:
        """Inverse of :meth:`to_meta`."""
        try:
            return cls(*(int(meta[k]) for k in ("index", "of", "start", "stop", "nx")))
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(f"partial block record {meta!r} is not a block (index, of, start, stop, nx)") \
                from exc

    def describe(self) -> str:
        """One line naming the block and its cells."""
        return f"block {self.index} of {self.of} (easting cells {self.start}-{self.stop - 1})"


def block_layout(nx, n) -> tuple:
    """Cut ``nx`` easting cells into ``n`` blocks of near-equal size (the first ones one cell larger).

    Raises
    ------
    krigflow.exceptions.ConfigError
        If ``n`` is not in ``1 .. nx``.

    Examples
    --------
    >>> [(b.start, b.stop) for b in block_layout(10, 3)]
    [(0, 4), (4, 7), (7, 10)]
    """
    nx, n = int(nx), int(n)
    if not 1 <= n <= nx:
        raise ConfigError(f"blocks: {n} blocks, but the grid has {nx} cells along easting (expected 1 to {nx})")
    q, r = divmod(nx, n)
    starts = [i * q + min(i, r) for i in range(n + 1)]
    return tuple(Block(i, n, starts[i], starts[i + 1], nx) for i in range(n))


def _auto_blocks(shape, config) -> int:
    """Blocks of ``blocks: auto``: the fewest whose largest block holds <= :data:`AUTO_BLOCK_BYTES`."""
    from krigflow.run.memory import estimate_memory

    hist = bool(config.get("quantiles") or config.get("cutoffs"))
    est = estimate_memory(tuple(shape), int(config["batch_size"]), 0, method="subsample",
                          quantiles_from="realizations" if hist else "none", bins=int(config["histogram_bins"]),
                          quantiles=len(config.get("quantiles") or ()), cutoffs=len(config.get("cutoffs") or ()),
                          realizations=int(config["realizations"]))
    per_slab = (est.fields + est.statistics) / int(shape[0])
    return max(1, min(int(shape[0]), math.ceil(per_slab * int(shape[0]) / AUTO_BLOCK_BYTES)))


def layout_of_config(config, grid) -> tuple | None:
    """The block layout of a run (None: the whole grid in one piece).

    Deterministic from the config and the grid (``auto`` from the memory model, not from the machine),
    so every process of a run and every attempt finds the same layout.

    Examples
    --------
    >>> from krigflow.grid import Grid
    >>> grid = Grid((0, 0, 0), (1, 1, 1), (10, 2, 2))
    >>> [b.cells for b in layout_of_config({"blocks": 4}, grid)], layout_of_config({"blocks": None}, grid)
    ([3, 3, 2, 2], None)
    """
    n = config.get("blocks")
    if n is None:
        return None
    if n == "auto":
        n = _auto_blocks(grid.shape, config)
        if n == 1:
            return None
    return block_layout(grid.shape[0], n)


def block_shape(shape, config) -> tuple:
    """The shape of the largest block of a grid of ``shape`` under ``config["blocks"]`` (the grid's without).

    Examples
    --------
    >>> block_shape((10, 4, 3), {"blocks": 3}), block_shape((10, 4, 3), {})
    ((4, 4, 3), (10, 4, 3))
    """
    shape = tuple(int(n) for n in shape)
    if not config.get("blocks"):
        return shape
    layout = layout_of_config(config, Grid((0.0, 0.0, 0.0), (1.0, 1.0, 1.0), shape))
    return shape if layout is None else (max(b.cells for b in layout), *shape[1:])


def block_problem(problem, block):
    """The problem restricted to the cells of ``block`` (a sub-grid; no per-realization summaries).

    The data keep their coordinates; their cell indices are shifted to the block's lattice (data outside
    the block then have indices outside it, which the ``columns`` kriging engine accepts: the same engine
    as on the whole grid when that is too large for the FFT engine).
    """
    g = problem.grid
    origin = (g.origin[0] + block.start * g.spacing[0], g.origin[1], g.origin[2])
    sub = Grid(origin=origin, spacing=g.spacing, shape=(block.cells, g.shape[1], g.shape[2]))
    data = problem.data
    cells = getattr(data, "cells", None)
    if cells is not None:
        data = replace(data, cells=np.asarray(cells) - np.array([block.start, 0, 0], dtype=np.asarray(cells).dtype))
    return replace(problem, grid=sub, data=data, summary=None)


def block_of(partial):
    """The :class:`Block` a partial covers (in memory or a partial file), or None for the whole grid."""
    block = getattr(partial, "block", None)
    if block is None:
        meta = (getattr(partial, "meta", None) or {}).get("block")
        block = None if meta is None else Block.from_meta(meta)
    return block


def blocks_todo(layout, prior, wanted) -> dict:
    """Realizations each block still needs: ``{block index: int64 array}``.

    Parameters
    ----------
    layout : tuple of Block
    prior : sequence of krigflow.io.SavedPartial
        Partial files of earlier attempts (pieces of blocks of the same layout).
    wanted : int64 array
        Realizations the run is asked for.

    Raises
    ------
    krigflow.io.CheckpointError
        A partial of another layout, or of the whole grid, or a piece covered twice.
    """
    covered = _pieces_by_block(prior, layout)
    return {b.index: np.setdiff1d(wanted, covered.get(b.index, np.zeros(0, np.int64))) for b in layout}


def route_key(target, krigers) -> int:
    """The smallest int key that dispel4py's group-by sends to instance ``target`` of ``krigers``.

    dispel4py 2.9.1 sends an item whose key is ``x`` (``grouping=[0]``, ``item[0] == x``) to instance
    ``abs(hash((hash(x),))) % krigers`` (``dispel4py.utils.make_hash``): a tuple hash, not ``x`` itself.
    Hashes of ints and tuples of ints are the same in every process (no hash randomization), so the
    route holds in ``multi`` and ``mpi``.

    Examples
    --------
    >>> [abs(hash((hash(route_key(t, 3)),))) % 3 for t in range(3)]
    [0, 1, 2]
    """
    target, krigers = int(target), max(1, int(krigers))
    key = target
    while abs(hash((hash(key),))) % krigers != target % krigers:
        key += 1
    return key


def block_tasks(layout, todo, batch_size, *, krigers=1) -> list:
    """The tasks of a blocked run, block after block; block ``b``'s chunks go to kriger ``b mod krigers``."""
    return [Task(indices=tuple(chunk), block=b, route=route_key(b.index % max(1, int(krigers)), krigers))
            for b in layout for chunk in chunk_indices(todo[b.index], batch_size) if len(chunk)]


def _pieces_by_block(partials, layout=None) -> dict:
    """Check pieces and return the realizations each block covers: ``{block index: sorted int64 array}``."""
    covered, owner, first = {}, {}, None
    for p in partials:
        block = block_of(p)
        where = getattr(p, "path", None) or "a partial of this run"
        if block is None:
            raise CheckpointError(f"{where} covers the whole grid, but this run is split into blocks; "
                                  "refusing to mix them (use --overwrite, or the blocks setting of that run)")
        if layout is not None and block not in layout:
            raise CheckpointError(f"{where} covers {block.describe()} of a {block.nx}-cell easting axis, "
                                  f"which is not a block of this run ({len(layout)} blocks of {layout[0].nx} "
                                  "cells); use the blocks setting of that run, or --overwrite")
        if first is not None and (block.of, block.nx) != (first.of, first.nx):
            raise CheckpointError(f"{where} covers {block.describe()} but other partials use {first.of} "
                                  "blocks: partials of different block layouts cannot be merged")
        first = first or block
        indices = np.asarray(p.indices, dtype=np.int64)
        both = np.intersect1d(covered.get(block.index, np.zeros(0, np.int64)), indices)
        if both.size:
            other = owner[block.index]
            raise CheckpointError(f"partials {other} and {where} both cover {block.describe()} for realizations "
                                  f"{format_ranges(both)}; refusing to count them twice")
        covered[block.index] = np.union1d(covered.get(block.index, np.zeros(0, np.int64)), indices)
        owner[block.index] = where
    return covered


@dataclass
class JoinedPartial:
    """Whole-grid statistics assembled from the pieces of every block (handled like any partial)."""

    indices: np.ndarray
    stats: object
    seconds: float = 0.0
    summaries: object = None
    warnings: tuple = ()
    fingerprint: dict | None = None
    meta: dict | None = None
    path: str = "blocks"


def check_layout(prior, layout, expected=None) -> None:
    """Refuse partial files of earlier attempts that do not fit this run's block layout (None: no blocks).

    Raises
    ------
    krigflow.io.CheckpointError
        Pieces of blocks when the run is not split (or the other way round), of another layout or
        fingerprint (``expected``), or a piece covered twice.
    """
    if layout is None:
        pieces = [p for p in prior if block_of(p) is not None]
        if pieces:
            raise CheckpointError(f"partial file {pieces[0].path} covers {block_of(pieces[0]).describe()}, but this "
                                  "run is not split into blocks; use the blocks setting of that run, or --overwrite")
        return
    _check_fingerprints(prior, expected)
    _pieces_by_block(prior, layout)


def join_pieces(partials, plan, shape) -> tuple:
    """This attempt's partials and the plan as the end of a run sees them: block pieces joined.

    Returns ``(partials, plan)`` unchanged without blocks; else one whole-grid partial joining this
    attempt's pieces and the earlier ones (:func:`join_blocks`), and the plan without prior partials.
    """
    prior = list(plan.prior) if plan is not None else []
    if not any(block_of(p) is not None for p in list(partials) + prior if len(p.indices)):
        return partials, plan
    joined = join_blocks(list(partials) + prior, shape, expected=None if plan is None else plan.fingerprint)
    return joined, (None if plan is None else replace(plan, prior=[]))


def join_blocks(partials, shape=None, *, expected=None) -> list:
    """Assemble the pieces of a blocked run into one whole-grid partial (nothing to do without blocks).

    Parameters
    ----------
    partials : sequence of krigflow.run.Partial or krigflow.io.SavedPartial
        This attempt's pieces and the earlier ones, in any order.
    shape : tuple of 3 int, optional
        The grid's shape (default: the ``grid`` recorded in the first piece's ``meta``).
    expected : dict, optional
        Fingerprint every piece must have (default: the first piece's, when pieces carry one).

    Returns
    -------
    list
        ``partials`` unchanged if none covers a block; else one :class:`JoinedPartial` (or none if no
        piece covers a realization): the realizations covered by every block, merged per block in order of
        realizations, then block by block into whole-grid arrays.

    Raises
    ------
    krigflow.io.CheckpointError
        Pieces of different fingerprints or layouts, a whole-grid partial among them, a piece covered
        twice, a block of the layout with no piece, or blocks that cover different realizations (the
        message names the block and the realizations it misses).
    """
    partials = [p for p in partials if len(p.indices)]
    if not any(block_of(p) is not None for p in partials):
        return list(partials)
    _check_fingerprints(partials, expected)
    covered = _pieces_by_block(partials)
    first = block_of(partials[0])
    layout = block_layout(first.nx, first.of)
    if shape is None:
        shape = tuple((getattr(partials[0], "meta", None) or {}).get("grid", {}).get("shape") or ())
        if len(shape) != 3:
            raise CheckpointError(f"partial file {partials[0].path}: no grid shape recorded")
    if first.nx != int(shape[0]):
        raise CheckpointError(f"partials cover blocks of a {first.nx}-cell easting axis, but the grid has "
                              f"{shape[0]} cells along easting")
    union = np.unique(np.concatenate(list(covered.values())))
    for b in layout:
        missing = np.setdiff1d(union, covered.get(b.index, np.zeros(0, np.int64)))
        if missing.size:
            raise CheckpointError(f"{b.describe()} misses realizations {format_ranges(missing)} that other blocks "
                                  f"hold ({missing.size} piece(s) missing); run them again (same config) or "
                                  "remove the partial files of those realizations")
    return [_assemble(partials, layout, shape, union)]


def summaries_of(partials):
    """:func:`krigflow.run.merge_summaries` of partials, or None (quietly) for joined block pieces.

    Per-realization summaries (``realizations.csv``) need whole fields: a run in blocks has none.
    """
    if any(isinstance(p, JoinedPartial) for p in partials):
        logger.info("a run in blocks writes no per-realization summaries (realizations.csv)")
        return None
    return merge_summaries(partials)


def _check_fingerprints(partials, expected):
    with_fp = [p for p in partials if getattr(p, "fingerprint", None)]
    reference = expected if expected is not None else (with_fp[0].fingerprint if with_fp else None)
    for p in with_fp:
        diffs = fingerprint_differences(reference, p.fingerprint)
        if diffs:
            raise CheckpointError(f"partial file {p.path} was computed with a different setup than "
                                  f"{'this run' if expected is not None else 'the others'}: " + "; ".join(diffs))


def _assemble(partials, layout, shape, indices) -> JoinedPartial:
    """Merge each block's pieces (by smallest realization) and copy them into whole-grid statistics."""
    whole = None
    for b in layout:
        pieces = sorted((p for p in partials if block_of(p).index == b.index), key=lambda p: int(np.min(p.indices)))
        stats = pieces[0].stats       # merged in order of realizations, as krigflow.run.merge_partials does
        for p in pieces[1:]:
            stats.merge_in_place(p.stats)
        if whole is None:
            whole = RunningStats.empty(tuple(shape), stats.spec())
        _place(whole, stats, b)
    first = partials[0]
    return JoinedPartial(indices=np.asarray(indices, dtype=np.int64), stats=whole,
                         seconds=float(sum(getattr(p, "seconds", 0.0) for p in partials)),
                         warnings=merge_warnings(*(getattr(p, "warnings", ()) for p in partials)),
                         fingerprint=getattr(first, "fingerprint", None), meta=getattr(first, "meta", None))


def _place(whole, stats, block):
    """Copy one block's statistics into the whole-grid ones (pooled histograms are added)."""
    cells = slice(block.start, block.stop)
    for name in ("count", "mean", "m2", "min", "max"):
        getattr(whole, name)[cells] = getattr(stats, name)
    if stats.has_histograms:
        whole.hist_counts += stats.hist_counts
        whole.hist_outside += stats.hist_outside
        whole.exceed[:, cells] = stats.exceed
        if stats.cell_hist is not None:
            if whole.cell_hist.dtype != stats.cell_hist.dtype:
                whole.cell_hist = whole.cell_hist.astype(np.promote_types(whole.cell_hist.dtype,
                                                                          stats.cell_hist.dtype))
            whole.cell_hist[:, cells] = stats.cell_hist
