"""The ``zones`` section of a run configuration: validation and building the zoned grid from wells.

::

    zones:
      tops: tops.csv                      # CSV (or a list of CSVs, e.g. one per well); paths relative to the config
      surfaces: [Top_A, Top_B, Top_C, Base_C]     # top to bottom: n surfaces -> n - 1 zones
      layers: [10, 12, 8]                 # one entry per zone
      layering: proportional              # or top_conform / base_conform, or a list with one entry per zone;
                                          # an entry may be {type: top_conform, cell_thickness: 2.0}
      cell_thickness: null                # conform layer thickness (m): one number or one per zone
      files: {Top_A: top_a.gri}           # surface files (IRAP binary/ascii, ZMAP+), tied to the tops
      trend: null                         # null: the run's trend (default auto) in stratigraphic depth, every
                                          # zone; auto | none | linear | constant | {kind, window, degree};
                                          # or a list, or {ZoneName: trend} (krigflow.zones.options)
      variogram: null                     # null: the run's variogram section in every zone (auto: constrained
                                          # fit per zone); auto, a variogram mapping, a list or {ZoneName: ...}
      transform: null                     # null: method.transform; auto | normal_score | none | {transform,
                                          # tails, zmin, zmax}; a list or {ZoneName: ...}
      surface_uncertainty: auto           # auto: horizons drawn per realization around the estimated ones
                                          # (krigflow.zones.structural); none: fixed horizons
      name_map: {}                        # tops well name -> LAS well name
    grid:
      spacing: [dx, dy]                   # horizontal cell size (m)
      bounds: [e_min, e_max, n_min, n_max]   # optional; default: around the wells plus grid.padding

:func:`validate_zones` checks the section (errors name the key, e.g. ``zones.layers``);
:func:`build_zoned_grid` reads and places the tops, checks them, builds the horizons (files tied to the
tops, or kriged from the tops) and layers the zones.
"""
from __future__ import annotations

import logging
import os

import numpy as np

from krigflow.exceptions import ConfigError
from krigflow.zones.options import per_zone_option, zone_transform, zone_trend, zone_variogram
from krigflow.zones.stratigraphic import LAYERINGS, ZoneSpec, build_stratigraphic_grid
from krigflow.zones.surfaces import Lattice, read_surface, surface_from_tops, tie_surface, truncate_crossings
from krigflow.zones.tops import (
    Tops,
    check_surfaces_defined,
    check_tops_order,
    place_tops,
    read_tops,
)

logger = logging.getLogger(__name__)

__all__ = ["ZONE_KEYS", "build_zoned_grid", "lattice_for", "read_all_tops", "validate_zones", "zone_specs"]

ZONE_KEYS = ("tops", "surfaces", "layers", "layering", "cell_thickness", "files", "trend", "variogram", "transform",
             "surface_uncertainty", "name_map")
SURFACE_UNCERTAINTY = ("auto", "none")


def _resolve(path, base_dir):
    path = os.path.expanduser(str(path))
    return path if os.path.isabs(path) or base_dir is None else os.path.normpath(os.path.join(base_dir, path))


def _per_zone(value, n, key, check):
    """A scalar applied to every zone, or a list with one entry per zone; each entry passed to ``check``."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ConfigError(f"{key} has {len(value)} entries but the surfaces make {n} zones")
        return [check(v, f"{key}[{i}]") for i, v in enumerate(value)]
    return [check(value, key)] * n


def _layering_entry(value, key):
    if isinstance(value, dict):
        unknown = set(value) - {"type", "cell_thickness"}
        if unknown:
            raise ConfigError(f"{key}: unknown key(s) {sorted(unknown)} (expected type, cell_thickness)")
        kind, dz = value.get("type", "proportional"), value.get("cell_thickness")
    else:
        kind, dz = value, None
    if kind not in LAYERINGS:
        raise ConfigError(f"{key} must be one of {LAYERINGS}, got {kind!r}")
    return {"type": kind, "cell_thickness": _thickness(dz, key + ".cell_thickness")}


def _thickness(value, key):
    if value is None:
        return None
    try:
        dz = float(value)
    except (TypeError, ValueError):
        dz = float("nan")
    if not (np.isfinite(dz) and dz > 0):
        raise ConfigError(f"{key} must be a number > 0, got {value!r}")
    return dz


def validate_zones(raw, base_dir=None) -> dict | None:
    """Validate the ``zones`` section and fill its defaults.

    Parameters
    ----------
    raw : dict or None
        The section as written (None: no zones).
    base_dir : str, optional
        Folder that relative paths are resolved against (the config file's folder).

    Returns
    -------
    dict or None
        Every key of :data:`ZONE_KEYS`: ``tops`` a list of paths, ``surfaces`` a list of names,
        ``layers`` a list of ints, ``layering`` a list of ``{"type", "cell_thickness"}``, ``files`` a dict
        of paths, ``trend``, ``variogram`` and ``transform`` lists with one entry per zone (None: the run's
        section; see :mod:`krigflow.zones.options`), ``surface_uncertainty``, ``name_map`` a dict.

    Raises
    ------
    ConfigError
        Naming the key: unknown keys, fewer than two surfaces or repeated names, ``layers`` count not
        matching the zones, bad layering, a file for a surface not listed, no tops and no files.

    Examples
    --------
    >>> z = validate_zones({"tops": "t.csv", "surfaces": ["A", "B", "C"], "layers": [4, 6]}, "/data")
    >>> z["tops"], z["layering"][1]
    (['/data/t.csv'], {'type': 'proportional', 'cell_thickness': None})
    >>> validate_zones({"tops": "t.csv", "surfaces": ["A", "B", "C"], "layers": [4]})
    Traceback (most recent call last):
    ...
    krigflow.exceptions.ConfigError: zones.layers has 1 entries but zones.surfaces (A, B, C) make 2 zones
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(f"zones must be a mapping with keys {', '.join(ZONE_KEYS)}, got {raw!r}")
    unknown = sorted(set(raw) - set(ZONE_KEYS))
    if unknown:
        raise ConfigError(f"zones: unknown key(s) {unknown}; allowed: {', '.join(ZONE_KEYS)}")
    surfaces = raw.get("surfaces")
    if not isinstance(surfaces, (list, tuple)) or len(surfaces) < 2 or not all(isinstance(s, str) and s
                                                                               for s in surfaces):
        raise ConfigError(f"zones.surfaces must be a list of at least two surface names (top to bottom), got "
                          f"{surfaces!r}")
    if len(set(surfaces)) != len(surfaces):
        raise ConfigError(f"zones.surfaces lists a surface twice: {surfaces}")
    n = len(surfaces) - 1
    layers = raw.get("layers")
    if isinstance(layers, int) and not isinstance(layers, bool):
        layers = [layers] * n
    if not isinstance(layers, (list, tuple)):
        raise ConfigError(f"zones.layers must be a list with one number of layers per zone, got {layers!r}")
    if len(layers) != n:
        raise ConfigError(f"zones.layers has {len(layers)} entries but zones.surfaces ({', '.join(surfaces)}) "
                          f"make {n} zones")
    for i, k in enumerate(layers):
        if isinstance(k, bool) or not isinstance(k, (int, float)) or int(k) != k or k < 1:
            raise ConfigError(f"zones.layers[{i}] must be an integer >= 1, got {k!r}")
    layering = _per_zone(raw.get("layering", "proportional"), n, "zones.layering", _layering_entry)
    default_dz = _per_zone(raw.get("cell_thickness"), n, "zones.cell_thickness", _thickness)
    layering = [dict(entry, cell_thickness=entry["cell_thickness"] if entry["cell_thickness"] is not None else dz)
                for entry, dz in zip(layering, default_dz)]
    tops = raw.get("tops")
    if tops is None:
        tops = []
    elif isinstance(tops, (str, os.PathLike)):
        tops = [tops]
    if not isinstance(tops, (list, tuple)) or not all(isinstance(t, (str, os.PathLike)) for t in tops):
        raise ConfigError(f"zones.tops must be a path or a list of paths, got {raw.get('tops')!r}")
    files = raw.get("files") or {}
    if not isinstance(files, dict):
        raise ConfigError(f"zones.files must map surface names to files, got {files!r}")
    extra = sorted(set(files) - set(surfaces))
    if extra:
        raise ConfigError(f"zones.files names surface(s) {extra} that are not in zones.surfaces {surfaces}")
    if not tops and not files:
        raise ConfigError("zones: give zones.tops (a tops CSV) and/or zones.files (surface files)")

    name_map = raw.get("name_map") or {}
    if not isinstance(name_map, dict):
        raise ConfigError(f"zones.name_map must map tops well names to LAS well names, got {name_map!r}")
    return {
        "tops": [_resolve(t, base_dir) for t in tops],
        "surfaces": list(surfaces),
        "layers": [int(k) for k in layers],
        "layering": layering,
        "cell_thickness": default_dz,
        "files": {name: _resolve(p, base_dir) for name, p in files.items()},
        **_zone_models(raw, list(surfaces[:-1])),
        "name_map": {str(k): str(v) for k, v in name_map.items()},
    }


def _zone_models(raw, names) -> dict:
    """Per-zone trend, variogram, transform (lists, None = the run's) and ``surface_uncertainty``."""
    uncertainty = raw.get("surface_uncertainty", "auto")
    if uncertainty not in SURFACE_UNCERTAINTY:
        raise ConfigError(f"zones.surface_uncertainty must be one of {SURFACE_UNCERTAINTY}, got {uncertainty!r}")
    return {"trend": per_zone_option(raw.get("trend"), names, "zones.trend", zone_trend, ("kind", "window", "degree")),
            "variogram": per_zone_option(raw.get("variogram"), names, "zones.variogram", zone_variogram,
                                         ("model", "sill", "nugget", "range_h", "range_v", "range_h2", "azimuth",
                                          "nu", "candidates", "estimator", "fit_nugget", "lag_h", "lag_v",
                                          "max_lag_h", "max_lag_v", "well_effect", "range_h_max")),
            "transform": per_zone_option(raw.get("transform"), names, "zones.transform", zone_transform,
                                         ("transform", "tails", "zmin", "zmax")),
            "surface_uncertainty": uncertainty}


def zone_specs(zones) -> list:
    """:class:`ZoneSpec` of every zone (named after its top surface) from a validated section."""
    return [ZoneSpec(zones["surfaces"][q], zones["layers"][q], entry["type"], entry["cell_thickness"])
            for q, entry in enumerate(zones["layering"])]


def lattice_for(grid_cfg, easting=None, northing=None) -> Lattice:
    """The horizontal lattice: ``grid.bounds`` (4 values, or the first 4 of 6) and ``grid.spacing`` (dx, dy).

    Without bounds, the lattice covers the points plus ``grid.padding`` (first two values), snapped outwards
    to whole cells.

    Examples
    --------
    >>> lattice_for({"spacing": [50, 50], "bounds": [0, 1000, 0, 500]}).shape
    (20, 10)
    >>> lattice_for({"spacing": [100, 100], "bounds": None, "padding": [50, 50, 0]}, [120.0, 380.0], [0.0, 10.0]).bounds
    (0.0, 500.0, -100.0, 100.0)
    """
    spacing = list(grid_cfg["spacing"])[:2]
    bounds = grid_cfg.get("bounds")
    if bounds is not None:
        return Lattice.from_bounds(list(bounds)[:4], spacing)
    if easting is None or np.size(easting) == 0:
        raise ConfigError("grid.bounds is not given and there are no well positions to place the grid around")
    pad = list(grid_cfg.get("padding") or [0.0, 0.0])[:2]
    dx, dy = (float(s) for s in spacing)
    e0 = np.floor((np.nanmin(easting) - pad[0]) / dx) * dx
    e1 = np.ceil((np.nanmax(easting) + pad[0]) / dx) * dx
    n0 = np.floor((np.nanmin(northing) - pad[1]) / dy) * dy
    n1 = np.ceil((np.nanmax(northing) + pad[1]) / dy) * dy
    e1, n1 = max(e1, e0 + dx), max(n1, n0 + dy)
    return Lattice.from_bounds((e0, e1, n0, n1), (dx, dy))


def read_all_tops(paths) -> Tops:
    """Read and concatenate tops files (e.g. one per well)."""
    parts = [read_tops(p) for p in paths]
    if not parts:
        return Tops((), (), np.empty(0), np.empty(0))
    if len(parts) == 1:
        return parts[0]
    cat = [np.concatenate([getattr(p, a) for p in parts]) for a in ("md", "tvdss")]
    return Tops(sum((p.well for p in parts), ()), sum((p.surface for p in parts), ()), cat[0], cat[1],
                path=", ".join(paths))


def check_zone_inputs(zones) -> Tops:
    """Check the zones' input files before any work: files exist, tops readable, every surface defined, tops in
    order (by TVDSS where given, else by MD, which increases downwards along a well).

    Parameters
    ----------
    zones : dict
        Validated ``zones`` section.

    Returns
    -------
    Tops
        The tops as read (not yet placed).

    Raises
    ------
    ConfigError
        A tops or surface file that does not exist (naming the key).
    krigflow.zones.TopsError
        Unreadable tops, a surface with no top and no file, tops out of order in a well.
    """
    for path in zones["tops"]:
        if not os.path.isfile(path):
            raise ConfigError(f"zones.tops: file not found: {path}")
    for name, path in zones["files"].items():
        if not os.path.isfile(path):
            raise ConfigError(f"zones.files.{name}: file not found: {path}")
    tops = read_all_tops(zones["tops"])
    check_surfaces_defined(zones["surfaces"], tops if len(tops) else None, zones["files"])
    if len(tops):
        if np.all(np.isfinite(tops.tvdss) | ~np.isfinite(tops.md)):
            check_tops_order(tops, zones["surfaces"])
        else:   # MD increases downwards along a well: the order of MD tops is the order of their depths
            by_md = np.where(np.isfinite(tops.md), tops.md, np.nan)
            check_tops_order(Tops(tops.well, tops.surface, tops.md, by_md, path=tops.path), zones["surfaces"],
                             depth="MD")
    return tops


def build_zoned_grid(wells, zones, grid_cfg) -> tuple:
    """Read and check the tops, build the horizons and layer the zones.

    Parameters
    ----------
    wells : sequence of krigflow.wells.Well
    zones : dict
        Validated ``zones`` section (:func:`validate_zones`).
    grid_cfg : dict
        Validated ``grid`` section (``spacing``, ``bounds``, ``padding``).

    Returns
    -------
    sgrid : krigflow.zones.StratigraphicGrid
    tops : krigflow.zones.Tops
        Placed tops of the modelled surfaces.
    report : dict
        ``{"tops": [...warnings], "crossings": [...], "surfaces": {name: source}, "misfit": {name: m},
        "priors": {name: file horizon before tying}}``.

    Raises
    ------
    krigflow.zones.TopsError, ConfigError
        Bad tops (no matching well, out of order), a surface without tops or file, bad layering.
    """
    surfaces = zones["surfaces"]
    tops = read_all_tops(zones["tops"])
    check_surfaces_defined(surfaces, tops if len(tops) else None, zones["files"])
    report = {"tops": [], "crossings": [], "surfaces": {}, "misfit": {}, "priors": {}}
    if len(tops):
        tops, report["tops"] = place_tops(tops, wells, name_map=zones["name_map"])
        check_tops_order(tops, surfaces)
        check_surfaces_defined(surfaces, tops, zones["files"])   # again: tops of unmatched wells are gone
    e = np.concatenate([np.asarray(w.easting, float) for w in wells]) if wells else np.empty(0)
    n = np.concatenate([np.asarray(w.northing, float) for w in wells]) if wells else np.empty(0)
    lattice = lattice_for(grid_cfg, e, n)
    stack = []
    for name in surfaces:
        sel = tops.select(surface=name) if len(tops) else tops
        if name in zones["files"]:
            surface = read_surface(zones["files"][name], lattice)
            if len(sel):
                report["priors"][name] = surface      # the file's horizon before tying (its misfit: an error)
                surface = tie_surface(lattice, surface, sel.easting, sel.northing, sel.tvdss)
            report["surfaces"][name] = f"file {zones['files'][name]}" + (f", tied to {len(sel)} top(s)"
                                                                         if len(sel) else "")
        else:
            surface = surface_from_tops(lattice, sel.easting, sel.northing, sel.tvdss,
                                        above=stack[-1] if stack else None)
            how = "depth" if not stack else "isochore"
            report["surfaces"][name] = f"{how} from {len(sel)} top(s)" + (" (kriged)" if len(sel) >= 3 else
                                                                           " (plane)" if len(sel) == 2 else
                                                                           " (constant)")
        stack.append(surface)
    stacked, report["crossings"] = truncate_crossings(np.stack(stack), surfaces)
    sgrid = build_stratigraphic_grid(lattice, stacked, zone_specs(zones), surface_names=surfaces)
    for k, name in enumerate(surfaces):
        sel = tops.select(surface=name) if len(tops) else tops
        if len(sel):
            report["misfit"][name] = round(float(np.max(np.abs(lattice.bilinear(stacked[k], sel.easting,
                                                                                 sel.northing) - sel.tvdss))), 4)
    keep = np.array([s in surfaces for s in tops.surface], dtype=bool) if len(tops) else np.zeros(0, bool)
    idx = np.flatnonzero(keep)
    tops = Tops(tuple(tops.well[i] for i in idx), tuple(tops.surface[i] for i in idx), tops.md[idx],
                tops.tvdss[idx], tops.easting[idx], tops.northing[idx], tops.path)
    logger.info("zoned grid %s: %s", sgrid.shape, report["surfaces"])
    return sgrid, tops, report
