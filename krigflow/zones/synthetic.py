"""A layered synthetic truth: three zones between undulating horizons, trends inside zones, correlation along layers.

Used by the tests and by ``validation/zones_synthetic.py`` to check that zoned modelling recovers a truth
that a TVDSS box cannot (issue 12's acceptance numbers). Everything is deterministic given ``seed``.

* Horizons: a dipping, gently folded top (``fold`` m of relief) and zone thicknesses that vary laterally
  (sines of a few kilometres' wavelength), so that one stratigraphic level lies tens of metres deeper in
  one well than in another.
* Property inside zone q: ``mean[q] + trend[q] * (s - 0.5) + r`` where ``s`` is the relative position in
  the zone (0 at the top, 1 at the base) and ``r`` a stationary Gaussian field generated on the zone's
  simbox (so its correlation follows the layers), with the zone's variogram.
* Wells: vertical, sampled every ``step`` m of MD from above the top to below the base (or to ``td`` for
  a well that stops early); samples outside the zones take the ``shoulder`` value; tops are the horizon
  depths at each well (missing below a well's total depth).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from krigflow.realizations import unconditional_fields
from krigflow.variogram import Variogram
from krigflow.wells import Well
from krigflow.zones.stratigraphic import ZoneSpec, build_stratigraphic_grid
from krigflow.zones.surfaces import Lattice
from krigflow.zones.tops import Tops

logger = logging.getLogger(__name__)

__all__ = [
    "SURFACE_NAMES",
    "LayeredTruth",
    "default_well_positions",
    "make_layered_truth",
    "sample_wells",
    "truth_tops",
]

SURFACE_NAMES = ("Top_A", "Top_B", "Top_C", "Base_C")


@dataclass(frozen=True, eq=False)
class LayeredTruth:
    """A synthetic layered property on a corner-point grid.

    Parameters
    ----------
    sgrid : krigflow.zones.stratigraphic.StratigraphicGrid
        Grid of the truth (its surfaces are the true horizons).
    values : array, shape (ncol, nrow, nk)
        Truth at every cell.
    means, trends : tuple of float
        Zone means and the change of the trend from zone top to base.
    variograms : tuple of krigflow.variogram.Variogram
        Covariance of the residual field of each zone (in simbox coordinates, m).
    shoulder : float
        Value of samples outside the zones.
    """

    sgrid: object
    values: np.ndarray
    means: tuple
    trends: tuple
    variograms: tuple
    shoulder: float = 75.0

    def value_at(self, easting, northing, tvdss) -> np.ndarray:
        """Truth at points: the value of the cell holding each point, ``shoulder`` outside the zones."""
        loc = self.sgrid.locate(easting, northing, tvdss)
        out = np.full(loc["zone"].shape, self.shoulder, dtype=float)
        ok = loc["inside"]
        out[ok] = self.values[loc["i"][ok], loc["j"][ok], loc["k"][ok]]
        return out

    def trend_at(self, zone, s) -> np.ndarray:
        """The zone trend ``mean + trend * (s - 0.5)`` at relative positions ``s``."""
        return self.means[zone] + self.trends[zone] * (np.asarray(s, dtype=float) - 0.5)


def _horizons(lattice):
    """Four non-crossing node surfaces (m): folded dipping top and laterally varying thicknesses."""
    e, n = lattice.nodes()
    e0, e1, n0, n1 = lattice.bounds
    x, y = (e - e0) / (e1 - e0), (n - n0) / (n1 - n0)
    top = 2000.0 + 40.0 * x - 25.0 * y + 15.0 * np.sin(2 * np.pi * 1.3 * x) * np.cos(2 * np.pi * 0.9 * y)
    thick_a = 40.0 + 12.0 * np.sin(2 * np.pi * (0.7 * x + 0.5 * y))
    thick_b = 60.0 + 20.0 * np.cos(2 * np.pi * 0.8 * x) * np.cos(2 * np.pi * 0.4 * y) - 10.0 * y
    thick_c = 35.0 + 10.0 * np.sin(2 * np.pi * 0.9 * y + 1.0)
    return np.stack([top, top + thick_a, top + thick_a + thick_b, top + thick_a + thick_b + thick_c])


def make_layered_truth(lattice=None, *, layers=(10, 12, 8), means=(45.0, 95.0, 60.0), trends=(20.0, -25.0, 15.0),
                       sill=60.0, range_h=700.0, range_v_fraction=0.35, seed=12) -> LayeredTruth:
    """Build the layered truth (see the module docstring).

    Parameters
    ----------
    lattice : krigflow.zones.surfaces.Lattice, optional
        Default: 2 000 x 2 000 m in cells of 50 m.
    layers : tuple of 3 int, default (10, 12, 8)
        Proportional layers per zone.
    means, trends : tuple of 3 float
        Zone means and top-to-base trend changes.
    sill : float, default 60
        Variance of the residual field.
    range_h : float, default 700
        Horizontal practical range (m) along the layers.
    range_v_fraction : float, default 0.35
        Vertical range as a fraction of the zone's mean thickness.
    seed : int, default 12

    Returns
    -------
    LayeredTruth

    Examples
    --------
    >>> truth = make_layered_truth(Lattice((0.0, 0.0), (100.0, 100.0), (10, 10)), layers=(3, 4, 2))
    >>> truth.values.shape, bool(np.all(np.isfinite(truth.values)))
    ((10, 10, 9), True)
    """
    lattice = lattice if lattice is not None else Lattice((0.0, 0.0), (50.0, 50.0), (40, 40))
    surfaces = _horizons(lattice)
    zones = [ZoneSpec(name, n) for name, n in zip(("A", "B", "C"), layers)]
    sgrid = build_stratigraphic_grid(lattice, surfaces, zones, surface_names=SURFACE_NAMES)
    parts, variograms = [], []
    for q in range(3):
        box = sgrid.simbox(q)
        thickness = box.spacing[2] * box.shape[2]
        vg = Variogram("exponential", sill=sill, range_h=range_h, range_v=range_v_fraction * thickness)
        field = unconditional_fields(box, vg, seed, [q])[0]
        s = (np.arange(box.shape[2]) + 0.5) / box.shape[2]
        parts.append(means[q] + trends[q] * (s - 0.5) + field)
        variograms.append(vg)
    values = sgrid.from_zone_values(parts, min_thickness=0.0)
    return LayeredTruth(sgrid, values, tuple(means), tuple(trends), tuple(variograms))


def default_well_positions(lattice, n_wells=10, seed=3) -> np.ndarray:
    """Well-head positions on a jittered pattern inside the lattice (m), shape (n_wells, 2)."""
    rng = np.random.default_rng(seed)
    e0, e1, n0, n1 = lattice.bounds
    cols = int(np.ceil(np.sqrt(n_wells)))
    rows = int(np.ceil(n_wells / cols))
    pos = []
    for k in range(n_wells):
        c, r = k % cols, k // cols
        fx = (c + 0.5 + rng.uniform(-0.3, 0.3)) / cols
        fy = (r + 0.5 + rng.uniform(-0.3, 0.3)) / rows
        pos.append((e0 + fx * (e1 - e0), n0 + fy * (n1 - n0)))
    return np.array(pos)


def sample_wells(truth, positions, *, kb=25.0, step=0.5, above=30.0, below=20.0, stop_above_base=(),
                 noise=0.0, seed=0, names=None) -> list:
    """Vertical wells through the truth, sampled every ``step`` m of MD.

    Parameters
    ----------
    truth : LayeredTruth
    positions : array, shape (n_wells, 2)
        Well easting and northing (m).
    kb : float, default 25
        Datum elevation (m): MD = TVDSS + kb.
    step : float, default 0.5
        Sample spacing (m).
    above, below : float
        Logged interval starts ``above`` m above the top horizon and ends ``below`` m under the base.
    stop_above_base : sequence of int
        Wells (indices) whose log stops in the middle zone (above ``Top_C``): no tops below there.
    noise : float, default 0
        Standard deviation of white noise added to the samples.
    seed : int
    names : sequence of str, optional
        Default ``"SYN-1"``, ``"SYN-2"``...

    Returns
    -------
    list of krigflow.wells.Well
    """
    rng = np.random.default_rng(seed)
    sgrid = truth.sgrid
    positions = np.asarray(positions, dtype=float).reshape(-1, 2)
    names = list(names) if names is not None else [f"SYN-{k + 1}" for k in range(len(positions))]
    wells = []
    for k, (e, n) in enumerate(positions):
        depth = sgrid.lattice.bilinear(sgrid.surfaces, [e], [n])[:, 0]
        z_end = depth[-1] + below
        if k in set(stop_above_base):
            z_end = 0.5 * (depth[1] + depth[2])
        tvdss = np.arange(depth[0] - above, z_end, step)
        values = truth.value_at(np.full(tvdss.size, e), np.full(tvdss.size, n), tvdss)
        if noise:
            values = values + rng.normal(0.0, noise, tvdss.size)
        wells.append(Well(name=names[k], path="", curve="GR", unit="API", md=tvdss + kb, values=values,
                          easting=np.full(tvdss.size, e), northing=np.full(tvdss.size, n), tvdss=tvdss, kb=kb,
                          location_source="synthetic", survey_source="vertical", head_easting=float(e),
                          head_northing=float(n), las_name=names[k]))
    return wells


def truth_tops(truth, wells, *, md=True) -> Tops:
    """The true horizon depths at each well, as MD tops (``md=True``) or TVDSS tops; none below a well's TD."""
    rows = []
    for w in wells:
        e, n = float(w.easting[0]), float(w.northing[0])
        depth = truth.sgrid.lattice.bilinear(truth.sgrid.surfaces, [e], [n])[:, 0]
        for name, z in zip(truth.sgrid.surface_names, depth):
            if z <= w.tvdss[-1]:
                rows.append((w.name, name, z + w.kb if md else np.nan, np.nan if md else z))
    cols = list(zip(*rows))
    return Tops(cols[0], cols[1], np.array(cols[2]), np.array(cols[3]))
