"""Surface uncertainty: horizons drawn per realization around the estimated ones, exact at the tops.

Horizons interpolated from a few tops are uncertain between the wells (on the layered synthetic truth with
ten wells their error is 4-16 m against zones 35-60 m thick), and a cell near a zone boundary may belong
to the zone above or below. With fixed horizons every realization puts it in the same zone, and the
P10-P90 interval holds the truth far less often than promised. This module draws, for realization ``r``,
one set of horizons and reads the realization's zone fields through them:

1. **Surface model.** Each horizon is built as the surfaces are (:mod:`krigflow.zones.surfaces`): the
   first one in depth, each other one as a thickness below the one above, by a plane plus kriged residuals
   (or a file horizon plus the kriged misfit at its tops). The *increment* of horizon k is its depth (k = 0)
   or thickness; its error between the wells is the kriging error of that interpolation under the
   interpolator's own model (:func:`~krigflow.zones.surfaces.default_surface_variogram`: Matérn, nu 1.5,
   range half the lattice diagonal), with the sill it leaves open set to the variance of the increment's
   misfits about a plane (unbiased, ``n - 3`` degrees of freedom: at least four tops; the misfit is the
   increment itself for horizons from tops, the file's misfit for file horizons tied to the tops). Fewer
   than four tops: the horizon is not perturbed (reported). On the layered synthetic truth the drawn
   horizons held the true ones inside their P10-P90 at 75-90 % of the nodes far from wells (10 wells) and
   83-91 % (20 wells) (``validation/zones_synthetic.py``).
2. **Draw.** For realization ``r`` the error of increment k is an unconditional field minus its simple
   kriging from its values at the centres of the grid columns holding the tops (zero there: conditional
   simulation; the wells' data cells keep their place in every realization); horizon k is the
   perturbed horizon above plus the perturbed thickness (never negative). Draws use the generator of
   ``(structure_seed(seed, k), r)``: they depend on ``(seed, r)`` only.
3. **Resample.** Each active cell of the output grid is located (its centre) in the grid of the drawn
   horizons and takes the value of the realization's simbox cell found there (zone, i, j, layer); cells
   outside every drawn zone keep the value of the fixed-horizon copy.

The wells' samples stay in their zones (the drawn horizons pass through every top) and the output grid keeps
the estimated horizons, so boundaries still pass through the tops; what changes is the spread near uncertain
boundaries (and the ensemble mean there, which mixes the zones in the proportions the horizons allow).
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import numpy as np

from krigflow.grid import Grid
from krigflow.realizations import unconditional_fields
from krigflow.variogram import Variogram
from krigflow.zones.surfaces import default_surface_variogram

logger = logging.getLogger(__name__)

__all__ = ["SurfaceUncertainty", "increment_misfits", "structure_seed", "surface_uncertainty"]

#: Fewest tops of a horizon for its error variance (about a plane: n - 3 degrees of freedom).
MIN_TOPS = 4


def structure_seed(seed, surface) -> int:
    """Seed of horizon ``surface``'s error fields, distinct from every zone's (:func:`krigflow.zones.model.zone_seed`).

    Examples
    --------
    >>> structure_seed(7, 0) == structure_seed(7, 0), structure_seed(7, 0) != structure_seed(7, 1)
    (True, True)
    """
    return int(np.random.SeedSequence([int(seed), 0x5EED, int(surface)]).generate_state(1, np.uint32)[0] >> 1)


def _plane_residual_variance(e, n, v):
    """Variance of ``v`` about its least-squares plane, unbiased (``n - 3`` degrees of freedom)."""
    design = np.stack([np.ones_like(e), e - e.mean(), n - n.mean()], 1)
    residual = v - design @ np.linalg.lstsq(design, v, rcond=None)[0]
    return float(np.sum(residual ** 2) / (v.size - 3))


def _column_centres(lattice, easting, northing):
    """Centres of the lattice cells holding the points, each once: where a well's data cells are, so that the
    drawn horizons equal the estimated ones there and the data keep their cells in every realization."""
    i, j, inside = lattice.cell_of(easting, northing)
    cells = np.unique(np.stack([i[inside], j[inside]], 1), axis=0).reshape(-1, 2)
    return lattice.centre_easting[cells[:, 0]], lattice.centre_northing[cells[:, 1]]


def increment_misfits(lattice, surfaces, tops, names, priors=None) -> list:
    """Misfit of each horizon's increment (depth or thickness) at its tops, against its prior.

    Parameters
    ----------
    lattice : krigflow.zones.surfaces.Lattice
    surfaces : array, shape (n_surfaces, ncol + 1, nrow + 1)
        Estimated horizons (tied to the tops).
    tops : krigflow.zones.Tops
        Placed tops.
    names : sequence of str
        Surface names, top to bottom.
    priors : dict of str to array, optional
        Horizons read from files, before tying (their misfit is the error a tie corrects); other horizons
        have the prior 0 (the increment itself).

    Returns
    -------
    list of (easting, northing, misfit) arrays, one per horizon
    """
    priors = priors or {}
    out = []
    for k, name in enumerate(names):
        sel = tops.select(surface=name) if len(tops) else tops
        e, n = np.asarray(sel.easting, float), np.asarray(sel.northing, float)
        z = np.asarray(sel.tvdss, float)
        prior = priors.get(name)
        m = z - (lattice.bilinear(prior, e, n) if prior is not None else 0.0)
        if k > 0:
            above = lattice.bilinear(surfaces[k - 1], e, n)
            prior_above = priors.get(names[k - 1])
            m = m - (above - (lattice.bilinear(prior_above, e, n) if prior_above is not None else 0.0))
        ok = np.isfinite(e) & np.isfinite(n) & np.isfinite(m)
        out.append((e[ok], n[ok], m[ok]))
    return out


@dataclass(frozen=True, eq=False)
class SurfaceUncertainty:
    """Error model of the horizons (see the module docstring).

    Parameters
    ----------
    lattice : krigflow.zones.surfaces.Lattice
    surfaces : array, shape (n_surfaces, ncol + 1, nrow + 1)
        The estimated horizons (the output grid's).
    points : tuple of (easting, northing) arrays
        Where each increment's error is zero (the centres of the grid columns holding its tops).
    variograms : tuple of (Variogram or None)
        Error covariance of each increment (None: not perturbed).
    """

    lattice: object
    surfaces: np.ndarray
    points: tuple
    variograms: tuple

    @property
    def active(self) -> bool:
        """bool: at least one horizon is perturbed."""
        return any(v is not None for v in self.variograms)

    def describe(self) -> list:
        """JSON-ready: per horizon the error std (m) and range (m), or None."""
        return [None if v is None else {"std_m": float(np.sqrt(v.sill)), "range_m": float(v.range_h),
                                        "tops": int(np.size(p[0]))} for v, p in zip(self.variograms, self.points)]

    def _node_grid(self):
        lat = self.lattice
        return Grid((lat.origin[0], lat.origin[1], 0.0), (lat.spacing[0], lat.spacing[1], 1.0),
                    (lat.shape[0] + 1, lat.shape[1] + 1, 1))

    def _operators(self):
        """Per perturbed horizon, ``W`` (n_nodes, n_points) with ``bilinear(W x) = x`` at its points: the kriging
        weights ``K (B K)^-1`` (K: covariance nodes-points, B: bilinear interpolation at the points), computed
        once; ``u - W bilinear(u)`` is then exactly 0 at the points (the conditioning of conditional simulation,
        with the nodes' bilinear surface as the support)."""
        cached = self.__dict__.get("_w")
        if cached is not None:
            return cached
        node_e, node_n = (a.ravel() for a in self.lattice.nodes())
        shape = self.surfaces.shape[1:]
        ops = []
        for vg, (e, n) in zip(self.variograms, self.points):
            if vg is None:
                ops.append(None)
                continue
            k = vg.covariance(node_e[:, None] - e[None, :], node_n[:, None] - n[None, :], 0.0)   # (nodes, points)
            bk = self.lattice.bilinear(k.T.reshape(e.size, *shape), e, n).T                      # (points, points)
            ops.append(k @ np.linalg.pinv(bk))
        object.__setattr__(self, "_w", ops)
        return ops

    def draw(self, seed, r) -> np.ndarray:
        """The horizons of realization ``r``: array (n_surfaces, ncol + 1, nrow + 1), exact at the points."""
        grid = self._node_grid()
        shape = self.surfaces.shape[1:]
        drawn = np.empty_like(self.surfaces)
        for k, (vg, w) in enumerate(zip(self.variograms, self._operators())):
            error = 0.0
            if vg is not None:
                u = unconditional_fields(grid, vg, structure_seed(seed, k), [int(r)])[0, :, :, 0]
                e, n = self.points[k]
                error = u - (w @ self.lattice.bilinear(u, e, n)).reshape(shape)
            if k == 0:
                drawn[0] = self.surfaces[0] + error
            else:
                thickness = self.surfaces[k] - self.surfaces[k - 1]
                drawn[k] = drawn[k - 1] + np.maximum(thickness + error, 0.0)
        return drawn

    def resample(self, sgrid, parts, seed, indices, *, keep=None) -> np.ndarray:
        """Realizations on the output cells, each read through its drawn horizons: array (R, ncol, nrow, nk).

        Parameters
        ----------
        sgrid : krigflow.zones.StratigraphicGrid
            The output grid (estimated horizons).
        parts : list of array, shape (R, ncol, nrow, n_q)
            Each zone's simbox realizations.
        seed : int
        indices : sequence of int, shape (R,)
        keep : array of bool, shape (ncol, nrow, nk), optional
            Cells that keep their fixed-horizon value (the data cells: a datum is where its well logged it,
            also below a top the well did not reach).
        """
        out = sgrid.from_zone_values(parts)
        if not self.active:
            return out
        act = sgrid.actnum() if keep is None else sgrid.actnum() & ~np.asarray(keep, dtype=bool)
        ce, cn, cz = (c[act] for c in sgrid.cell_centres())
        for row, r in enumerate(np.asarray(indices, dtype=np.int64).tolist()):
            drawn = dataclasses.replace(sgrid, surfaces=self.draw(seed, r))
            loc = drawn.locate(ce, cn, cz)
            values = out[row][act]
            for q, part in enumerate(parts):
                sel = loc["zone"] == q
                values[sel] = part[row][loc["i"][sel], loc["j"][sel], loc["k_zone"][sel]]
            out[row][act] = values
        return out


def surface_uncertainty(lattice, surfaces, tops, names, *, priors=None, min_tops=MIN_TOPS) -> SurfaceUncertainty:
    """Build the horizons' error model from the tops (see the module docstring).

    Parameters
    ----------
    lattice, surfaces, tops, names, priors
        As in :func:`increment_misfits`.
    min_tops : int, default 4
        Fewest tops of a horizon to perturb it.

    Returns
    -------
    SurfaceUncertainty
    """
    points, variograms = [], []
    for name, (e, n, m) in zip(names, increment_misfits(lattice, surfaces, tops, names, priors)):
        points.append(_column_centres(lattice, e, n))
        vg = None
        if m.size >= min_tops:
            sill = _plane_residual_variance(e, n, m)
            if sill > 1e-6:     # the interpolator's own model (default_surface_variogram), unbiased sill
                model = default_surface_variogram(lattice)
                vg = Variogram(model.model, sill=sill, range_h=model.range_h, range_v=1.0, nu=model.nu)
        if vg is None:
            logger.info("surface %s: not perturbed (%d tops; at least %d needed, and a misfit about a plane)",
                        name, m.size, min_tops)
        else:
            logger.info("surface %s: error std %.3g m, range %.4g m, from %d tops", name, np.sqrt(vg.sill),
                        vg.range_h, m.size)
        variograms.append(vg)
    return SurfaceUncertainty(lattice, np.asarray(surfaces, dtype=float), tuple(points), tuple(variograms))
