"""Modelling per zone: trend, variogram and realizations on each zone's simbox, copied back to the cells.

For every zone q (see :mod:`krigflow.zones.stratigraphic`):

1. the log samples inside the zone get simbox coordinates ``(easting, northing, t)`` and are upscaled to
   the simbox cells (:func:`~krigflow.zones.stratigraphic.zone_conditioning`);
2. a trend in stratigraphic position is fitted to the upscaled data by least squares: ``"linear"``
   (``a + b t``), ``"constant"`` (the mean) or ``"none"`` (0); the residuals ``r = z - m(t)`` are modelled;
3. the residual variogram is the configured one or fitted to the residual *samples* in simbox
   coordinates (``"auto"``: vertical lags are stratigraphic metres, horizontal pairs are taken along the
   layers);
4. realizations are computed on the simbox with the unchanged engines — conditional simulation
   (:func:`krigflow.realizations.conditional_realizations`, optionally of normal scores of the residuals)
   or subsample kriging (:func:`krigflow.kriging.krige_grid` with data masks) — and the trend is added back.

Zones are independent: zone q's realization r uses the generator of ``(zone_seed(seed, q), r)``, with
``zone_seed(seed, 0) == seed``; the subsample method uses the run seed in every zone, so a realization
leaves the same wells out of every zone. Everything depends only on ``(seed, r)``: chunking and mappings do
not change the numbers.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.kriging import krige_grid
from krigflow.realizations import NormalScore, subsample_masks, unconditional_fields
from krigflow.variogram import Variogram, variogram_from_samples
from krigflow.zones.stratigraphic import zone_conditioning, zone_samples

logger = logging.getLogger(__name__)

__all__ = [
    "TRENDS",
    "ZoneProblem",
    "build_zone_problems",
    "fit_trend",
    "zone_realizations",
    "zone_seed",
    "zoned_realizations",
]

TRENDS = ("linear", "constant", "none")


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


def fit_trend(t, values, kind="linear") -> tuple:
    """Least-squares trend ``a + b t`` of values against stratigraphic position ``t``.

    Parameters
    ----------
    t, values : array, shape (n,)
    kind : {"linear", "constant", "none"}
        ``"linear"`` falls back to constant with fewer than 3 distinct positions.

    Returns
    -------
    tuple of float
        ``(a, b)``.

    Examples
    --------
    >>> [round(c, 9) for c in fit_trend([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])]
    [1.0, 2.0]
    >>> fit_trend([0.0, 1.0, 2.0], [1.0, 3.0, 5.0], "constant"), fit_trend([0.0], [4.0], "none")
    ((3.0, 0.0), (0.0, 0.0))
    """
    if kind not in TRENDS:
        raise KrigflowError(f"trend must be one of {TRENDS}, got {kind!r}")
    t, values = np.asarray(t, dtype=float), np.asarray(values, dtype=float)
    if kind == "none" or values.size == 0:
        return (0.0, 0.0)
    if kind == "constant" or np.unique(t).size < 3:
        return (float(np.mean(values)), 0.0)
    b, a = np.polyfit(t, values, 1)
    return (float(a), float(b))


@dataclass(frozen=True, eq=False)
class ZoneProblem:
    """Everything needed to compute one zone's realizations on its simbox.

    Parameters
    ----------
    index : int
        Zone index (0 = top zone).
    name : str
    grid : krigflow.grid.Grid
        The zone's simbox.
    data : krigflow.grid.ConditioningData
        Upscaled *residuals* (value minus trend) in simbox coordinates.
    trend : tuple of float
        ``(a, b)``: trend ``a + b t`` (t: simbox vertical coordinate, m).
    variogram : krigflow.variogram.Variogram
        Covariance of the residuals (of their normal scores when ``transform`` is set).
    kind : {"ordinary", "simple"}
    mean : float or None
        Simple-kriging mean of the simulated variable (0 for residuals and normal scores).
    transform : krigflow.realizations.NormalScore or None
    variogram_fit : dict or None
        Fitted model and experimental variograms (``"auto"``).
    n_samples : int
        Log samples in the zone.
    """

    index: int
    name: str
    grid: object
    data: object
    trend: tuple
    variogram: Variogram
    kind: str = "simple"
    mean: float | None = 0.0
    transform: object = None
    variogram_fit: dict | None = None
    n_samples: int = 0

    def trend_of_layers(self) -> np.ndarray:
        """array, shape (n_layers,): the trend at the simbox layer centres."""
        t = self.grid.origin[2] + self.grid.spacing[2] * np.arange(self.grid.shape[2])
        return self.trend[0] + self.trend[1] * t

    def describe(self) -> dict:
        """JSON-ready summary: data count, trend, variogram."""
        v = self.variogram
        return {"zone": self.name, "shape": list(self.grid.shape), "cell_thickness": self.grid.spacing[2],
                "samples": self.n_samples, "data": int(self.data.n), "trend": {"a": self.trend[0], "b": self.trend[1]},
                "variogram": {"model": v.model, "sill": v.sill, "nugget": v.nugget, "range_h": v.range_h,
                              "range_v": v.range_v, "nu": v.nu},
                "transform": "normal_score" if self.transform is not None else "none"}


def _variogram_from_config(cfg, transform):
    keys = ("model", "sill", "nugget", "range_h", "range_v", "range_h2", "azimuth", "nu")
    v = Variogram(**{k: cfg[k] for k in keys if cfg.get(k) is not None})
    if transform is not None:
        v = Variogram(v.model, 1.0, v.range_h, v.range_v, nugget=v.nugget / v.sill, range_h2=v.range_h2,
                      azimuth=v.azimuth, nu=v.nu)
    return v


def _auto_variogram(grid, part, residual_samples, transform, vg_cfg, name="zone"):
    values = residual_samples
    if transform is not None:
        values = NormalScore.fit(values, tails="extrapolate").transform(values)
    opts = {k: vg_cfg[k] for k in ("candidates", "estimator", "fit_nugget", "nugget", "nu", "lag_h", "lag_v",
                                   "max_lag_h", "max_lag_v") if vg_cfg.get(k) is not None}
    try:
        result = variogram_from_samples(part["easting"], part["northing"], part["t"], values, part["well"],
                                        spacing=grid.spacing, sill=1.0 if transform is not None else None, **opts)
    except (ValueError, RuntimeError, ArithmeticError) as exc:   # too few or degenerate samples in the zone
        raise KrigflowError(f"zone {name!r}: the variogram cannot be fitted to its {np.size(values)} samples "
                            f"from {np.unique(part['well']).size} well(s) ({type(exc).__name__}: {exc}); give "
                            "this zone a variogram in zones.variogram") from exc
    v = result.variogram
    fit = {"space": "normal_score" if transform is not None else "property",
           "model": {"model": v.model, "sill": v.sill, "nugget": v.nugget, "range_h": v.range_h,
                     "range_v": v.range_v, "nu": v.nu},
           "experimental": [{"direction": ev.direction, "lag": ev.lags.tolist(), "gamma": ev.gamma.tolist(),
                             "pairs": ev.pairs.tolist(), "estimator": ev.estimator} for ev in result.experimental],
           **result.describe()}
    return v, fit


def build_zone_problems(sgrid, easting, northing, tvdss, values, well, *, well_names=(), method=None,
                        variograms=None, trends="linear", min_samples=1) -> list:
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
        ``{"name": "conditional" | "subsample", "transform": "normal_score" | "none", "tails", "zmin",
        "zmax"}`` (default conditional with normal scores, linear tails).
    variograms : dict or "auto" or list of (dict or "auto"), optional
        Residual variogram per zone (a list) or for all zones: a mapping of :class:`Variogram` fields, or
        ``"auto"``/a mapping with ``model: auto`` plus fit options (default ``"auto"``).
    trends : str or list of str, default "linear"
        Trend per zone (see :data:`TRENDS`).
    min_samples : int, default 1
        Minimum samples per upscaled cell.

    Returns
    -------
    list of ZoneProblem

    Raises
    ------
    KrigflowError
        If a zone has no conditioning datum (naming the zone and the wells), or a list option has the wrong
        length.
    """
    method = dict(method or {"name": "conditional", "transform": "normal_score", "tails": "linear"})
    n_zones = sgrid.n_zones

    def per_zone(option, what):
        if isinstance(option, (list, tuple)):
            if len(option) != n_zones:
                raise KrigflowError(f"zones: {what} has {len(option)} entries for {n_zones} zones")
            return list(option)
        return [option] * n_zones

    vg_cfgs = per_zone(variograms if variograms is not None else "auto", "variogram")
    trend_kinds = per_zone(trends, "trend")
    values = np.asarray(values, dtype=float)
    ok = np.isfinite(values)
    args = [np.asarray(a, dtype=float)[ok] for a in (easting, northing, tvdss)]
    well = np.asarray(well)[ok].astype(np.int64)
    parts = zone_samples(sgrid, *args, values[ok], well)
    data = zone_conditioning(sgrid, *args, values[ok], well, well_names=well_names, min_samples=min_samples)
    problems = []
    for q, (part, d) in enumerate(zip(parts, data)):
        spec = sgrid.zones[q]
        if d.n == 0:
            raise KrigflowError(f"zone {spec.name!r}: no conditioning datum (no well sample between its surfaces "
                                f"inside the grid); wells: {', '.join(well_names) or '(none)'}")
        grid = sgrid.simbox(q)
        trend = fit_trend(d.tvdss, d.values, trend_kinds[q])
        residual = d.values - (trend[0] + trend[1] * d.tvdss)
        d_res = type(d)(d.easting, d.northing, d.tvdss, residual, d.well, d.cells, d.well_names)
        sample_res = part["values"] - (trend[0] + trend[1] * part["t"])
        transform = None
        if method["name"] == "conditional" and method.get("transform", "none") == "normal_score":
            transform = NormalScore.fit(residual, tails=method.get("tails", "linear"), zmin=method.get("zmin"),
                                        zmax=method.get("zmax"))
        cfg = vg_cfgs[q]
        cfg = {"model": "auto"} if cfg in (None, "auto") else dict(cfg)
        if cfg.get("model") == "auto":
            variogram, fit = _auto_variogram(grid, part, sample_res, transform, cfg, spec.name)
        else:
            variogram, fit = _variogram_from_config(cfg, transform), None
        if method["name"] == "conditional":
            kind, mean = "simple", 0.0
        else:
            kind, mean = "ordinary", None
        problems.append(ZoneProblem(q, spec.name, grid, d_res, trend, variogram, kind, mean, transform, fit,
                                    int(part["values"].size)))
        logger.info("zone %r: %d samples -> %d data, trend %.4g + %.4g t, variogram %s", spec.name,
                    part["values"].size, d.n, trend[0], trend[1], variogram)
    return problems


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
    if method["name"] == "conditional":
        batch = _conditional_ok(problem, zone_seed(seed, problem.index), indices)
    else:
        masks = subsample_masks(seed, indices, problem.data.well, fraction=method["fraction"],
                                unit=method.get("unit", "wells"))
        batch = krige_grid(problem.grid, problem.variogram, problem.data, kind=problem.kind, mean=problem.mean,
                           masks=masks)
    batch += problem.trend_of_layers()
    return batch


def _conditional_ok(problem, seed, indices):
    """Conditioning by *ordinary* kriging: ``s = u + OK(y - u)``.

    As :func:`krigflow.realizations.conditional_realizations` but the residuals of the unconditional
    fields are kriged with ordinary kriging, so the realizations' spread includes the uncertainty of the
    zone's mean (ten wells cannot pin it down; simple kriging around a fitted mean is overconfident far from
    the wells).
    """
    grid, data = problem.grid, problem.data
    cells = np.asarray(data.cells, dtype=np.int64)
    y = np.asarray(data.values, dtype=float)
    if problem.transform is not None:
        y = problem.transform.transform(y)
    fields = unconditional_fields(grid, problem.variogram, seed, indices)
    at_data = fields[:, cells[:, 0], cells[:, 1], cells[:, 2]]
    residuals = y[:, None] - at_data.T
    fields += krige_grid(grid, problem.variogram, data, kind="ordinary", values=residuals)
    if problem.transform is not None:
        for field in fields:
            problem.transform.back_transform(field, out=field)
    return fields


def zoned_realizations(sgrid, problems, method, seed, indices) -> np.ndarray:
    """Realizations of every zone copied back to the corner-point cells: array (R, ncol, nrow, nk), NaN inactive."""
    parts = [zone_realizations(p, method, seed, indices) for p in problems]
    return sgrid.from_zone_values(parts)
