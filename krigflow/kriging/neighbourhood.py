"""Moving-neighbourhood kriging: each cell kriged with its nearest data (k-d tree block search).

The answer for data sets too large for one global kriging system: no global matrix, working memory
bounded by ``chunk_bytes``. Used by :func:`krigflow.kriging.krige_grid` with ``neighbourhood=``; see
:func:`_neighbourhood_engine` for the block search and the reuse of identical neighbourhoods.
"""
from __future__ import annotations

import logging

import numpy as np
import scipy.fft

from krigflow.exceptions import KrigingError
from krigflow.kriging.dual import _scaled_coordinates

logger = logging.getLogger(__name__)

#: Keys of the ``neighbourhood`` argument of :func:`krigflow.kriging.krige_grid`.
NEIGHBOURHOOD_KEYS = ("max_data", "octants")


def _check_neighbourhood(neighbourhood):
    unknown = set(neighbourhood) - set(NEIGHBOURHOOD_KEYS)
    if unknown:
        raise KrigingError(f"neighbourhood: unknown key(s) {sorted(unknown)}; expected 'max_data', 'octants'")
    k = neighbourhood.get("max_data")
    if k is None or int(k) != k or k < 1:
        raise KrigingError(f"neighbourhood max_data must be an integer >= 1, got {k!r}")
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
            raise KrigingError(f"realization {realization}: a neighbourhood kriging system is singular "
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
                raise KrigingError(f"masks: realization {r} uses no data; ordinary kriging needs at least one")
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
