"""Modelling per zone: the run's residual model fitted in each zone's simbox, realizations copied back to the cells.

For every zone q (see :mod:`krigflow.zones.stratigraphic`):

1. the log samples inside the zone get simbox coordinates ``(easting, northing, t)`` and are upscaled to
   the simbox cells (:func:`~krigflow.zones.stratigraphic.zone_conditioning`); ``t`` is the stratigraphic
   depth in the zone (metres below the zone top, scaled to the zone's mean thickness for proportional
   layering), so a trend or a vertical range follows the layers, not TVDSS;
2. the **residual model of a flat run** (:func:`krigflow.residual.residual_problem`) is fitted to the zone's
   data with the zone's options: trend in ``t`` (:mod:`krigflow.trend`: ``auto``, ``none``, moving average,
   polynomial; ``linear``/``constant`` are polynomials of degree 1/0), transform (``auto``: Gaussian
   residuals when a trend is removed, else normal scores), variogram (``auto``: the constrained fit of
   :mod:`krigflow.variogram.constrained`, horizontal range capped at the zone's well spacing) and well
   effect (:mod:`krigflow.well_effect`);
3. realizations are computed on the simbox with the engines of a flat run: conditional simulation
   (:func:`krigflow.realizations.conditional_realizations`, well offsets drawn per realization) or subsample
   kriging (:func:`krigflow.kriging.krige_grid` with data masks), and the trend of ``t`` is added back.

Zones are independent: zone q's realization r uses the generator of ``(zone_seed(seed, q), r)``, with
``zone_seed(seed, 0) == seed``; the subsample method uses the run seed in every zone, so a realization
leaves the same wells out of every zone. Everything depends only on ``(seed, r)``: chunking and mappings do
not change the numbers.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.kriging import krige_grid
from krigflow.realizations import conditional_realizations, residual_engine, subsample_masks
from krigflow.residual import residual_problem
from krigflow.variogram.constrained import well_spacing
from krigflow.zones.options import zone_trend_options
from krigflow.zones.stratigraphic import zone_conditioning, zone_samples

logger = logging.getLogger(__name__)

__all__ = [
    "ZoneProblem",
    "build_zone_problems",
    "zone_realizations",
    "zone_seed",
    "zoned_realizations",
]

_DEFAULT_METHOD = {"name": "conditional", "transform": "auto", "tails": "linear"}
#: Realizations the residual-kriging engine of a zone is chosen for (0: the FFT engine, which krigs each
#: realization on its own, unless its working set is too large): the engine depends on the zone alone, so any
#: chunking of the realizations gives the same numbers to the last bit.
ENGINE_BATCH = 0


def zone_seed(seed, zone) -> int:
    """Seed of zone ``zone``'s random fields: the run seed for zone 0, a hash of ``(seed, zone)`` otherwise.

    Examples
    --------
    >>> zone_seed(7, 0), zone_seed(7, 1) == zone_seed(7, 1), zone_seed(7, 1) != zone_seed(7, 2)
    (7, True, True)
    """
    if int(zone) == 0:
        return int(seed)
    return int(np.random.SeedSequence([int(seed), int(zone)]).generate_state(1, np.uint32)[0] >> 1)


@dataclass(frozen=True, eq=False)
class ZoneProblem:
    """Everything needed to compute one zone's realizations on its simbox.

    Parameters
    ----------
    index : int
        Zone index (0 = top zone).
    name : str
    grid : krigflow.grid.Grid
        The zone's simbox (its ``tvdss`` axis is the stratigraphic depth ``t``).
    data : krigflow.grid.ConditioningData
        Upscaled *residuals* (value minus trend) in simbox coordinates.
    trend : krigflow.trend.Trend
        Trend in ``t`` (kind ``"none"``: no trend).
    variogram : krigflow.variogram.Variogram
        Covariance of the residuals (of their normal scores when ``transform`` is set), well effect excluded.
    kind : {"ordinary", "simple"}
    mean : float or None
        Kriging mean of the simulated variable.
    transform : krigflow.realizations.NormalScore or None
    variogram_fit : dict or None
        The constrained fit's record (``auto``), None for a given variogram.
    n_samples : int
        Log samples in the zone.
    well_effect : float
        Variance of a constant offset per well (variogram units).
    record : dict
        The residual model's account (:attr:`krigflow.residual.ResidualModel.record`).
    value_range : tuple of float
        Range of values the realizations can take (property units).
    """

    index: int
    name: str
    grid: object
    data: object
    trend: object
    variogram: object
    kind: str = "simple"
    mean: float | None = 0.0
    transform: object = None
    variogram_fit: dict | None = None
    n_samples: int = 0
    well_effect: float = 0.0
    record: dict = dataclasses.field(default_factory=dict)
    value_range: tuple = (float("-inf"), float("inf"))

    def trend_of_layers(self) -> np.ndarray:
        """array, shape (n_layers,): the trend at the simbox layer centres (0 without a trend)."""
        return np.asarray(self.trend.evaluate(self.grid.tvdss), dtype=float)

    def restore(self, t, residuals) -> np.ndarray:
        """Property values from residuals at stratigraphic depths ``t`` (the trend added back)."""
        return self.trend.restore(t, residuals)

    def describe(self) -> dict:
        """JSON-ready summary: data count, trend, variogram, well effect, transform, fit (cap, bounds)."""
        v = self.variogram
        fit = self.variogram_fit or {}
        return {"zone": self.name, "shape": list(self.grid.shape), "cell_thickness": self.grid.spacing[2],
                "samples": self.n_samples, "data": int(self.data.n), "trend": self.trend.describe(),
                "variogram": {"model": v.model, "sill": v.sill, "nugget": v.nugget, "range_h": v.range_h,
                              "range_v": v.range_v, "nu": v.nu},
                "variogram_how": fit.get("how"), "range_h_cap": fit.get("range_h_cap"),
                "well_spacing": fit.get("well_spacing"), "at_bound": fit.get("at_bound"),
                "well_effect": self.well_effect,
                "transform": "normal_score" if self.transform is not None else "none",
                "warnings": list(self.record.get("warnings", []))}


def _per_zone(option, n_zones, what):
    if isinstance(option, (list, tuple)):
        if len(option) != n_zones:
            raise KrigflowError(f"zones: {what} has {len(option)} entries for {n_zones} zones")
        return list(option)
    return [option] * n_zones


def _zone_config(method, trend, variogram, transform, kriging):
    """The flat run config that :func:`krigflow.residual.residual_problem` reads, for one zone."""
    method = dict(method)
    if transform is not None:
        method.update(transform if isinstance(transform, dict) else {"transform": transform})
    vg = {"model": "auto"} if variogram in (None, "auto") else dict(variogram)
    return {"method": method, "trend": zone_trend_options(trend), "variogram": vg,
            "kriging": dict(kriging or {"kind": "ordinary", "mean": None})}


def build_zone_problems(sgrid, easting, northing, tvdss, values, well, *, well_names=(), method=None,
                        variograms=None, trends="auto", transforms=None, kriging=None, min_samples=1) -> list:
    """One :class:`ZoneProblem` per zone (see the module docstring).

    Parameters
    ----------
    sgrid : krigflow.zones.StratigraphicGrid
    easting, northing, tvdss, values : array, shape (m,)
        Log samples (NaN values ignored).
    well : array of int, shape (m,)
        Well index of each sample (into ``well_names``).
    well_names : sequence of str
    method : dict, optional
        The run's ``method`` section (default conditional, ``transform: auto``, linear tails).
    variograms : dict or "auto" or list, optional
        Residual variogram per zone (a list) or for all zones: ``"auto"`` / a mapping with ``model: auto`` and
        fit options (``well_effect``, ``range_h_max``, ``candidates``...), or a validated variogram mapping
        (default ``"auto"``).
    trends : str, dict or list, default "auto"
        Trend in stratigraphic depth per zone (a list) or for all zones
        (:func:`krigflow.zones.options.zone_trend_options`).
    transforms : str, dict or list, optional
        Transform per zone: ``auto``, ``normal_score``, ``none`` or ``{transform, tails, zmin, zmax}``;
        None: the method's.
    kriging : dict, optional
        The run's ``kriging`` section (``subsample`` only; default ordinary).
    min_samples : int, default 1
        Minimum samples per upscaled cell.

    Returns
    -------
    list of ZoneProblem

    Raises
    ------
    KrigflowError
        If a zone has no conditioning datum (naming the zone and the wells), its model cannot be fitted
        (naming the zone), or a list option has the wrong length.
    """
    method = dict(method or _DEFAULT_METHOD)
    n_zones = sgrid.n_zones
    vg_cfgs = _per_zone(variograms if variograms is not None else "auto", n_zones, "variogram")
    trend_cfgs = _per_zone(trends, n_zones, "trend")
    transform_cfgs = _per_zone(transforms, n_zones, "transform")
    values = np.asarray(values, dtype=float)
    ok = np.isfinite(values)
    args = [np.asarray(a, dtype=float)[ok] for a in (easting, northing, tvdss)]
    well = np.asarray(well)[ok].astype(np.int64)
    parts = zone_samples(sgrid, *args, values[ok], well)
    data = zone_conditioning(sgrid, *args, values[ok], well, well_names=well_names, min_samples=min_samples)
    problems = []
    for q, (part, d) in enumerate(zip(parts, data)):
        name = sgrid.zones[q].name
        if d.n == 0:
            raise KrigflowError(f"zone {name!r}: no conditioning datum (no well sample between its surfaces "
                                f"inside the grid); wells: {', '.join(well_names) or '(none)'}")
        config = _zone_config(method, trend_cfgs[q], vg_cfgs[q], transform_cfgs[q], kriging)
        problems.append(_zone_problem(q, name, sgrid.simbox(q), d, part, config))
    return problems


def _zone_problem(q, name, grid, data, part, config):
    samples = (part["easting"], part["northing"], part["t"], part["values"], part["well"])
    vg = config["variogram"]
    if vg.get("model") == "auto" and vg.get("range_h_max") is None and data.n:
        # a zone's horizontal range stays within the spacing of its wells, however many wells (a flat run fits
        # it up to the largest lag from 45 well pairs): on the layered synthetic truth with 10 wells the longer
        # fitted ranges (on their upper bound, ~2x the true 700 m) made the zones' P10-P90 too narrow
        config = dict(config, variogram=dict(vg, range_h_max=well_spacing(data.easting, data.northing,
                                                                          data.well)[0]))
    try:
        fields = residual_problem(config, grid, data, samples)
    except (ValueError, RuntimeError, ArithmeticError, KrigflowError) as exc:   # too few or degenerate data
        raise KrigflowError(f"zone {name!r}: its model cannot be fitted to its {np.size(part['values'])} samples "
                            f"from {np.unique(part['well']).size} well(s) ({type(exc).__name__}: {exc}); give this "
                            "zone a trend or a variogram in zones.trend / zones.variogram") from exc
    problem = ZoneProblem(q, name, grid, fields["data"], fields["trend"], fields["variogram"], fields["kind"],
                          fields["mean"], fields["transform"], fields["variogram_fit"], int(np.size(part["values"])),
                          float(fields["well_effect"]), fields["record"], tuple(fields["value_range"]))
    logger.info("zone %r: %d samples -> %d data, trend %s, variogram %s, well effect %.4g", name,
                problem.n_samples, data.n, problem.trend.kind, problem.variogram, problem.well_effect)
    return problem


def zone_realizations(problem, method, seed, indices) -> np.ndarray:
    """Realizations of one zone on its simbox, trend added: array (R, ncol, nrow, n_layers).

    Parameters
    ----------
    problem : ZoneProblem
    method : dict
        ``{"name": "conditional"}`` or ``{"name": "subsample", "fraction", "unit"}``.
    seed : int
        Run seed.
    indices : sequence of int
        Realization indices.
    """
    indices = np.asarray(indices, dtype=np.int64)
    extra = {"well_effect": problem.well_effect} if problem.well_effect else {}
    if method["name"] == "conditional":
        engine = residual_engine(problem.grid.shape, np.asarray(problem.data.cells), ENGINE_BATCH)
        batch = conditional_realizations(problem.grid, problem.variogram, problem.data,
                                         zone_seed(seed, problem.index), indices, mean=problem.mean,
                                         transform=problem.transform, method=engine, **extra)
    else:
        masks = subsample_masks(seed, indices, problem.data.well, fraction=method["fraction"],
                                unit=method.get("unit", "wells"))
        batch = krige_grid(problem.grid, problem.variogram, problem.data, kind=problem.kind, mean=problem.mean,
                           masks=masks, **extra)
    batch += problem.trend_of_layers()
    return batch


def zoned_realizations(sgrid, problems, method, seed, indices, *, structure=None) -> np.ndarray:
    """Realizations of every zone copied back to the corner-point cells: array (R, ncol, nrow, nk), NaN inactive.

    With ``structure`` (:class:`krigflow.zones.structural.SurfaceUncertainty`), realization r is read through
    horizons drawn for r (:meth:`~krigflow.zones.structural.SurfaceUncertainty.resample`); the data cells keep
    their (fixed-horizon) values.
    """
    parts = [zone_realizations(p, method, seed, indices) for p in problems]
    if structure is None:
        return sgrid.from_zone_values(parts)
    keep = np.zeros(sgrid.shape, dtype=bool)       # the data cells keep their data
    for p in problems:
        cells = np.asarray(p.data.cells, dtype=np.int64)
        keep[cells[:, 0], cells[:, 1], sgrid.layer_start[p.index] + cells[:, 2]] = True
    return structure.resample(sgrid, parts, seed, indices, keep=keep)
