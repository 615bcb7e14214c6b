"""Zones, layering and stratigraphic coordinates: the corner-point layers between horizons and each zone's simbox.

A :class:`StratigraphicGrid` stacks the zones between consecutive surfaces (top to bottom) and layers
each one (DOMAIN.md, "Zones and stratigraphic coordinates"):

* ``proportional``: ``n`` layers of equal fraction of the zone thickness, ``k = floor(s n)`` with
  ``s = (z - top) / (base - top)``;
* ``top_conform``: layers of ``cell_thickness`` parallel to the top, truncated by the base,
  ``k = floor((z - top) / dz)``;
* ``base_conform``: the mirror, parallel to the base.

Layer interfaces are defined at the lattice nodes (the pillars) and are bilinear in between, so a cell is a
corner-point cell with vertical pillars. Each zone is modelled in its own *simbox*: the regular
``krigflow.grid.Grid`` of ``(ncol, nrow, n)`` cells whose vertical coordinate is the stratigraphic position
``t`` in metres (``s * n * dz`` for proportional layering with the zone's nominal cell thickness
``dz = mean thickness / n``, ``z - top`` for top-conform, ``n dz - (base - z)`` for base-conform). Cell
``(i, j, k)`` of the simbox is cell ``(i, j, k0 + k)`` of the corner-point grid, so the simbox values are
copied back by stacking the zones along k (:meth:`StratigraphicGrid.from_zone_values`). Cells thinner
than ``min_thickness`` (pinch-outs, truncated conform layers) are inactive (ACTNUM 0).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from krigflow.conditioning import upscale
from krigflow.exceptions import ConfigError
from krigflow.grid import Grid

logger = logging.getLogger(__name__)

__all__ = [
    "LAYERINGS",
    "StratigraphicGrid",
    "ZoneSpec",
    "box_stratigraphic_grid",
    "build_stratigraphic_grid",
    "layer_interfaces",
    "zone_conditioning",
    "zone_samples",
]

LAYERINGS = ("proportional", "top_conform", "base_conform")
#: Cells thinner than this (m) are inactive.
MIN_THICKNESS = 0.01


@dataclass(frozen=True)
class ZoneSpec:
    """Layering of one zone.

    Parameters
    ----------
    name : str
        Zone name (by default the name of its top surface).
    n_layers : int
        Number of layers (>= 1).
    layering : {"proportional", "top_conform", "base_conform"}, default "proportional"
    cell_thickness : float, optional
        Layer thickness (m) of conform layering; default: the zone's largest thickness / ``n_layers``.
        ``n_layers * cell_thickness`` must reach the zone's largest thickness.

    Examples
    --------
    >>> ZoneSpec("A", 10).layering
    'proportional'
    >>> ZoneSpec("A", 0)
    Traceback (most recent call last):
    ...
    krigflow.exceptions.ConfigError: zone 'A': layers must be an integer >= 1, got 0
    """

    name: str
    n_layers: int
    layering: str = "proportional"
    cell_thickness: float | None = None

    def __post_init__(self):
        try:
            ok = int(self.n_layers) == self.n_layers and int(self.n_layers) >= 1
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ConfigError(f"zone {self.name!r}: layers must be an integer >= 1, got {self.n_layers!r}")
        object.__setattr__(self, "n_layers", int(self.n_layers))
        if self.layering not in LAYERINGS:
            raise ConfigError(f"zone {self.name!r}: layering must be one of {LAYERINGS}, got {self.layering!r}")
        if self.cell_thickness is not None:
            try:
                dz = float(self.cell_thickness)
            except (TypeError, ValueError):
                dz = np.nan
            if not (np.isfinite(dz) and dz > 0):
                raise ConfigError(f"zone {self.name!r}: cell_thickness must be a number > 0, got "
                                  f"{self.cell_thickness!r}")
            object.__setattr__(self, "cell_thickness", dz)


def layer_interfaces(top, base, spec) -> tuple:
    """Depths of the ``n + 1`` layer interfaces of one zone at every node, and the cell thickness used.

    Parameters
    ----------
    top, base : array, shape (...)
        Zone top and base depths (``base >= top``).
    spec : ZoneSpec

    Returns
    -------
    interfaces : array, shape (..., n + 1)
        From ``top`` (index 0) to ``base`` (index n).
    dz : float
        Nominal cell thickness: the mean thickness / n (proportional) or the conform cell thickness.

    Raises
    ------
    ConfigError
        If conform layers do not reach the base where the zone is thickest.

    Examples
    --------
    >>> ifc, dz = layer_interfaces(np.array([0.0, 0.0]), np.array([4.0, 2.0]), ZoneSpec("A", 2))
    >>> ifc.tolist(), dz
    ([[0.0, 2.0, 4.0], [0.0, 1.0, 2.0]], 1.5)
    >>> ifc, dz = layer_interfaces(np.array([0.0, 0.0]), np.array([4.0, 2.0]), ZoneSpec("A", 2, "top_conform"))
    >>> ifc.tolist(), dz
    ([[0.0, 2.0, 4.0], [0.0, 2.0, 2.0]], 2.0)
    """
    top, base = np.asarray(top, dtype=float), np.asarray(base, dtype=float)
    thick = base - top
    n = spec.n_layers
    frac = np.arange(n + 1) / n
    if spec.layering == "proportional":
        return top[..., None] + thick[..., None] * frac, float(max(np.mean(thick), MIN_THICKNESS) / n)
    dz = spec.cell_thickness if spec.cell_thickness is not None else float(max(thick.max(), MIN_THICKNESS) / n)
    if n * dz < thick.max() - 1e-6:
        need = int(np.ceil(thick.max() / dz - 1e-9))
        raise ConfigError(f"zone {spec.name!r}: {n} {spec.layering} layers of {dz:g} m reach {n * dz:g} m but the "
                          f"zone is up to {thick.max():.2f} m thick; use at least {need} layers or a cell_thickness "
                          f">= {thick.max() / n:.3f} m")
    steps = np.arange(n + 1) * dz
    if spec.layering == "top_conform":
        out = np.minimum(top[..., None] + steps, base[..., None])
    else:
        out = np.maximum(base[..., None] - steps[::-1], top[..., None])
    out[..., 0], out[..., -1] = top, base
    return out, float(dz)


@dataclass(frozen=True, eq=False)
class StratigraphicGrid:
    """A corner-point grid between horizons, with one simbox per zone.

    Build it with :func:`build_stratigraphic_grid`.

    Parameters
    ----------
    lattice : krigflow.zones.surfaces.Lattice
        Horizontal lattice (pillars at its nodes).
    surface_names : tuple of str
        Horizon names, top to bottom (n_zones + 1).
    surfaces : array, shape (n_zones + 1, ncol + 1, nrow + 1)
        Horizon depths at the nodes (non-crossing).
    zones : tuple of ZoneSpec
        Layering of each zone.
    interfaces : array, shape (ncol + 1, nrow + 1, nk + 1)
        Layer-interface depths at the nodes, nk = total number of layers.
    layer_start : tuple of int
        First layer of each zone, plus nk at the end.
    cell_thickness : tuple of float
        Nominal cell thickness of each zone's simbox (m).
    """

    lattice: object
    surface_names: tuple
    surfaces: np.ndarray
    zones: tuple
    interfaces: np.ndarray
    layer_start: tuple
    cell_thickness: tuple

    @property
    def shape(self) -> tuple:
        """tuple: ``(ncol, nrow, nk)``."""
        return (*self.lattice.shape, self.interfaces.shape[-1] - 1)

    @property
    def n_zones(self) -> int:
        """int: number of zones."""
        return len(self.zones)

    @property
    def zone_names(self) -> tuple:
        """tuple of str: zone names."""
        return tuple(z.name for z in self.zones)

    @property
    def zone_of_layer(self) -> np.ndarray:
        """array of int, shape (nk,): zone index (0-based) of each layer."""
        return np.repeat(np.arange(self.n_zones), np.diff(self.layer_start))

    def zone_property(self) -> np.ndarray:
        """array of int, shape (ncol, nrow, nk): zone number of every cell, 1-based (the ZONE property)."""
        return np.broadcast_to(self.zone_of_layer + 1, self.shape).astype(np.int32)

    def corner_depths(self) -> np.ndarray:
        """array, shape (ncol, nrow, nk, 2, 2, 2): cell corner depths ``[i, j, k, di, dj, dk]``."""
        ifc = self.interfaces
        out = np.empty((*self.shape, 2, 2, 2))
        for di in (0, 1):
            for dj in (0, 1):
                node = ifc[di:di + self.shape[0], dj:dj + self.shape[1]]
                out[..., di, dj, 0] = node[..., :-1]
                out[..., di, dj, 1] = node[..., 1:]
        return out

    def cell_thickness_map(self) -> np.ndarray:
        """array, shape (ncol, nrow, nk): mean of the four pillar thicknesses of each cell (m)."""
        return self.lattice.cell_average(np.moveaxis(np.diff(self.interfaces, axis=-1), -1, 0)).transpose(1, 2, 0)

    def bulk_volumes(self) -> np.ndarray:
        """array, shape (ncol, nrow, nk): bulk volume of each cell (m3), ``dx * dy *`` the mean of its four
        pillar thicknesses: exact for vertical pillars and bilinear top and base (the integral of a bilinear
        thickness over the rectangle is its corner mean)."""
        return float(self.lattice.spacing[0]) * float(self.lattice.spacing[1]) * self.cell_thickness_map()

    def actnum(self, min_thickness=MIN_THICKNESS) -> np.ndarray:
        """array of bool, shape (ncol, nrow, nk): cells at least ``min_thickness`` thick."""
        return self.cell_thickness_map() >= min_thickness

    def cell_centres(self) -> tuple:
        """Cell-centre ``(easting, northing, tvdss)``, each shape (ncol, nrow, nk): the mean of the 8 corners."""
        mid = 0.5 * (self.interfaces[..., :-1] + self.interfaces[..., 1:])
        tvdss = self.lattice.cell_average(np.moveaxis(mid, -1, 0)).transpose(1, 2, 0)
        e, n = np.meshgrid(self.lattice.centre_easting, self.lattice.centre_northing, indexing="ij")
        return (np.broadcast_to(e[..., None], self.shape).copy(), np.broadcast_to(n[..., None], self.shape).copy(),
                tvdss)

    def simbox(self, zone) -> Grid:
        """The regular grid of zone ``zone`` (index): ``(ncol, nrow, n)`` cells, vertical axis ``t`` (m)."""
        spec = self.zones[zone]
        dz = self.cell_thickness[zone]
        lat = self.lattice
        return Grid((lat.origin[0] + 0.5 * lat.spacing[0], lat.origin[1] + 0.5 * lat.spacing[1], 0.5 * dz),
                    (lat.spacing[0], lat.spacing[1], dz), (lat.shape[0], lat.shape[1], spec.n_layers))

    def locate(self, easting, northing, tvdss) -> dict:
        """Stratigraphic coordinates of points.

        Parameters
        ----------
        easting, northing, tvdss : array, shape (m,)

        Returns
        -------
        dict of arrays, shape (m,)
            ``zone`` (index, -1 outside every zone), ``i``, ``j``, ``k`` (layer in the full grid, -1
            outside), ``k_zone`` (layer in the zone), ``t`` (simbox vertical coordinate, m), ``s`` (relative
            position in the zone, 0 at the top, 1 at the base) and ``inside`` (bool).
        """
        e = np.asarray(easting, dtype=float).ravel()
        n = np.asarray(northing, dtype=float).ravel()
        z = np.asarray(tvdss, dtype=float).ravel()
        i, j, inside_h = self.lattice.cell_of(e, n)
        depth = self.lattice.bilinear(self.surfaces, e, n)          # (n_surfaces, m)
        zone = np.full(e.size, -1, dtype=np.int64)
        for q in range(self.n_zones):
            hit = (z >= depth[q]) & (z < depth[q + 1]) & (zone < 0)
            zone[hit] = q
        last = (z == depth[-1]) & (zone < 0)
        zone[last] = self.n_zones - 1
        zone[~inside_h | ~np.isfinite(z)] = -1
        t = np.full(e.size, np.nan)
        s = np.full(e.size, np.nan)
        k_zone = np.full(e.size, -1, dtype=np.int64)
        for q in range(self.n_zones):
            sel = zone == q
            if not sel.any():
                continue
            spec, dz = self.zones[q], self.cell_thickness[q]
            top, base = depth[q, sel], depth[q + 1, sel]
            thick = np.maximum(base - top, 1e-12)
            s[sel] = np.clip((z[sel] - top) / thick, 0.0, 1.0)
            if spec.layering == "proportional":
                t[sel] = s[sel] * spec.n_layers * dz
            elif spec.layering == "top_conform":
                t[sel] = z[sel] - top
            else:
                t[sel] = spec.n_layers * dz - (base - z[sel])
            k_zone[sel] = np.clip(np.floor(t[sel] / dz), 0, spec.n_layers - 1).astype(np.int64)
        k = np.where(zone >= 0, np.asarray(self.layer_start)[np.maximum(zone, 0)] + k_zone, -1)
        inside = zone >= 0
        return {"zone": zone, "i": np.where(inside, i, -1), "j": np.where(inside, j, -1), "k": k,
                "k_zone": k_zone, "t": t, "s": s, "inside": inside}

    def from_zone_values(self, zone_values, *, fill=np.nan, min_thickness=MIN_THICKNESS) -> np.ndarray:
        """Copy simbox values back to the corner-point cells.

        Parameters
        ----------
        zone_values : sequence of array, shape (ncol, nrow, n_z) or (..., ncol, nrow, n_z)
            One array per zone (leading axes, e.g. realizations, are kept).
        fill : float, default NaN
            Value of inactive cells.

        Returns
        -------
        array, shape (..., ncol, nrow, nk)
        """
        if len(zone_values) != self.n_zones:
            raise ConfigError(f"from_zone_values: expected {self.n_zones} zone arrays, got {len(zone_values)}")
        for q, (v, spec) in enumerate(zip(zone_values, self.zones)):
            if np.shape(v)[-3:] != (*self.lattice.shape, spec.n_layers):
                raise ConfigError(f"from_zone_values: zone {spec.name!r} values have shape {np.shape(v)}, expected "
                                  f"(..., {self.lattice.shape[0]}, {self.lattice.shape[1]}, {spec.n_layers})")
        out = np.concatenate([np.asarray(v, dtype=float) for v in zone_values], axis=-1)
        out[..., ~self.actnum(min_thickness)] = fill
        return out

    def to_arrays(self) -> dict:
        """The geometry as plain arrays (for ``stats.npz``), keys starting with ``cp_``; see :meth:`from_arrays`."""
        return {"cp_origin": np.array(self.lattice.origin), "cp_spacing": np.array(self.lattice.spacing),
                "cp_interfaces": self.interfaces, "cp_surfaces": self.surfaces,
                "cp_surface_names": np.array(self.surface_names), "cp_zone_names": np.array(self.zone_names),
                "cp_layer_start": np.array(self.layer_start), "cp_cell_thickness": np.array(self.cell_thickness),
                "cp_layering": np.array([z.layering for z in self.zones])}

    @classmethod
    def from_arrays(cls, arrays) -> StratigraphicGrid:
        """Rebuild the grid from :meth:`to_arrays` output (e.g. a loaded ``stats.npz``).

        Examples
        --------
        >>> from krigflow.zones.surfaces import Lattice
        >>> g = build_stratigraphic_grid(Lattice((0.0, 0.0), (10.0, 10.0), (2, 1)),
        ...                              [np.zeros((3, 2)), np.full((3, 2), 4.0)], [ZoneSpec("A", 2)])
        >>> h = StratigraphicGrid.from_arrays(g.to_arrays())
        >>> h.shape, h.zone_names, bool(np.array_equal(h.interfaces, g.interfaces))
        ((2, 1, 2), ('A',), True)
        """
        from krigflow.zones.surfaces import Lattice
        interfaces = np.asarray(arrays["cp_interfaces"], dtype=float)
        lattice = Lattice(tuple(np.asarray(arrays["cp_origin"], float)), tuple(np.asarray(arrays["cp_spacing"], float)),
                          (interfaces.shape[0] - 1, interfaces.shape[1] - 1))
        start = tuple(int(v) for v in np.asarray(arrays["cp_layer_start"]))
        names = [str(v) for v in np.asarray(arrays["cp_zone_names"])]
        layering = [str(v) for v in np.asarray(arrays["cp_layering"])]
        dzs = tuple(float(v) for v in np.asarray(arrays["cp_cell_thickness"]))
        zones = tuple(ZoneSpec(name, b - a, kind, dz if kind != "proportional" else None)
                      for name, a, b, kind, dz in zip(names, start[:-1], start[1:], layering, dzs))
        return cls(lattice, tuple(str(v) for v in np.asarray(arrays["cp_surface_names"])),
                   np.asarray(arrays["cp_surfaces"], dtype=float), zones, interfaces, start, dzs)

    def to_zone_values(self, values) -> list:
        """Split a corner-point property ``(..., ncol, nrow, nk)`` into the zones' simbox arrays."""
        values = np.asarray(values)
        return [values[..., a:b] for a, b in zip(self.layer_start[:-1], self.layer_start[1:])]


def build_stratigraphic_grid(lattice, surfaces, zones, *, surface_names=None) -> StratigraphicGrid:
    """Layer the zones between consecutive surfaces.

    Parameters
    ----------
    lattice : krigflow.zones.surfaces.Lattice
    surfaces : array, shape (n_zones + 1, ncol + 1, nrow + 1)
        Node depths, top to bottom, non-crossing (see :func:`krigflow.zones.surfaces.truncate_crossings`).
    zones : sequence of ZoneSpec
        One per zone.
    surface_names : sequence of str, optional

    Returns
    -------
    StratigraphicGrid

    Raises
    ------
    ConfigError
        If the counts do not match, the surfaces have the wrong shape or cross, or conform layers do not
        reach the base.

    Examples
    --------
    >>> from krigflow.zones.surfaces import Lattice
    >>> lat = Lattice((0.0, 0.0), (10.0, 10.0), (2, 1))
    >>> surf = np.stack([np.full((3, 2), 100.0), np.full((3, 2), 110.0), np.full((3, 2), 130.0)])
    >>> g = build_stratigraphic_grid(lat, surf, [ZoneSpec("A", 2), ZoneSpec("B", 4)])
    >>> g.shape, g.layer_start, g.locate([5.0], [5.0], [121.0])["k"].tolist()
    ((2, 1, 6), (0, 2, 6), [4])
    """
    surfaces = np.asarray(surfaces, dtype=float)
    zones = tuple(zones)
    if surfaces.ndim != 3 or surfaces.shape[1:] != lattice.node_shape:
        raise ConfigError(f"surfaces must have shape (n_surfaces, {lattice.node_shape[0]}, {lattice.node_shape[1]}), "
                          f"got {surfaces.shape}")
    if surfaces.shape[0] != len(zones) + 1:
        raise ConfigError(f"{surfaces.shape[0]} surfaces make {surfaces.shape[0] - 1} zones, but {len(zones)} zone "
                          "layerings were given (layers must have one entry per zone)")
    names = tuple(surface_names) if surface_names is not None else tuple(f"S{k}" for k in range(surfaces.shape[0]))
    if not np.all(np.isfinite(surfaces)):
        raise ConfigError("surfaces must be finite at every node")
    if np.any(np.diff(surfaces, axis=0) < -1e-9):
        raise ConfigError("surfaces cross (a surface is above the one listed over it); truncate them first")
    parts, dzs, start = [], [], [0]
    for q, spec in enumerate(zones):
        ifc, dz = layer_interfaces(surfaces[q], surfaces[q + 1], spec)
        parts.append(ifc if q == 0 else ifc[..., 1:])
        dzs.append(dz)
        start.append(start[-1] + spec.n_layers)
    return StratigraphicGrid(lattice, names, surfaces, zones, np.concatenate(parts, axis=-1), tuple(start),
                             tuple(dzs))


def zone_samples(sgrid, easting, northing, tvdss, values, well) -> list:
    """Split well samples by zone and give them simbox coordinates ``(easting, northing, t)``.

    Parameters
    ----------
    sgrid : StratigraphicGrid
    easting, northing, tvdss, values : array, shape (m,)
        Sample positions (m) and values (NaN allowed).
    well : array of int, shape (m,)
        Well index of each sample.

    Returns
    -------
    list of dict
        One per zone: ``easting``, ``northing``, ``t``, ``tvdss``, ``values``, ``well`` arrays of the zone's
        samples (samples outside every zone are dropped).

    Examples
    --------
    >>> from krigflow.zones.surfaces import Lattice
    >>> lat = Lattice((0.0, 0.0), (10.0, 10.0), (1, 1))
    >>> g = build_stratigraphic_grid(lat, [np.full((2, 2), 0.0), np.full((2, 2), 10.0), np.full((2, 2), 30.0)],
    ...                              [ZoneSpec("A", 2), ZoneSpec("B", 4)])
    >>> parts = zone_samples(g, [5, 5, 5], [5, 5, 5], [2.0, 20.0, 40.0], [1.0, 2.0, 3.0], [0, 0, 0])
    >>> parts[0]["t"].tolist(), parts[1]["t"].tolist(), parts[1]["values"].tolist()
    ([2.0], [10.0], [2.0])
    """
    e, n, z, v = (np.asarray(a, dtype=float).ravel() for a in (easting, northing, tvdss, values))
    well = np.asarray(well).ravel()
    loc = sgrid.locate(e, n, z)
    out = []
    for q in range(sgrid.n_zones):
        sel = loc["zone"] == q
        out.append({"easting": e[sel], "northing": n[sel], "t": loc["t"][sel], "tvdss": z[sel], "values": v[sel],
                    "well": well[sel]})
    return out


def zone_conditioning(sgrid, easting, northing, tvdss, values, well, *, well_names=(), min_samples=1) -> list:
    """Upscale well samples into every zone's simbox: one ``ConditioningData`` per zone.

    The data sit at simbox cell centres ``(easting, northing, t)``; their ``cells`` are the simbox
    ``(i, j, k_zone)`` (the corner-point cell is ``(i, j, layer_start[zone] + k_zone)``).

    Returns
    -------
    list of krigflow.grid.ConditioningData
    """
    parts = zone_samples(sgrid, easting, northing, tvdss, values, well)
    return [upscale(sgrid.simbox(q), p["easting"], p["northing"], p["t"], p["values"], p["well"].astype(np.int64),
                    well_names=well_names, min_samples=min_samples) for q, p in enumerate(parts)]


def box_stratigraphic_grid(grid, *, zone_name="box") -> StratigraphicGrid:
    """A regular box ``krigflow.grid.Grid`` as a corner-point grid (flat layers, one proportional zone).

    Lets box-grid runs be exported as EGRID/ROFF/corner-point GRDECL with the same writers.

    Examples
    --------
    >>> g = box_stratigraphic_grid(Grid.from_bounds((0, 100, 0, 50, 1000, 1010), (10, 10, 2)))
    >>> g.shape, g.interfaces[0, 0].tolist()
    ((10, 5, 5), [1000.0, 1002.0, 1004.0, 1006.0, 1008.0, 1010.0])
    """
    from krigflow.zones.surfaces import Lattice
    e0, _, n0, _, z0, z1 = grid.bounds
    lattice = Lattice((e0, n0), grid.spacing[:2], grid.shape[:2])
    surfaces = np.stack([np.full(lattice.node_shape, z0), np.full(lattice.node_shape, z1)])
    return build_stratigraphic_grid(lattice, surfaces, [ZoneSpec(zone_name, grid.shape[2])],
                                    surface_names=("top", "base"))
