"""krigflow.zones: formation tops, horizons, zones in stratigraphic coordinates and corner-point grids."""

from krigflow.zones.cornerpoint import CORNERPOINT_FORMATS, to_xtgeo_grid, write_cornerpoint
from krigflow.zones.stratigraphic import (
    LAYERINGS,
    StratigraphicGrid,
    ZoneSpec,
    build_stratigraphic_grid,
    layer_interfaces,
)
from krigflow.zones.surfaces import (
    Lattice,
    interpolate_surface,
    read_surface,
    surface_from_tops,
    tie_surface,
    truncate_crossings,
    write_surface,
)
from krigflow.zones.tops import (
    Tops,
    TopsError,
    check_surfaces_defined,
    check_tops_order,
    describe_tops,
    place_tops,
    read_tops,
    write_tops,
)

__all__ = ["CORNERPOINT_FORMATS", "LAYERINGS", "Lattice", "StratigraphicGrid", "Tops", "TopsError", "ZoneSpec",
           "build_stratigraphic_grid", "check_surfaces_defined", "check_tops_order", "describe_tops", "interpolate_surface",
           "layer_interfaces", "place_tops", "read_surface", "read_tops", "surface_from_tops", "tie_surface",
           "to_xtgeo_grid", "truncate_crossings", "write_cornerpoint", "write_surface", "write_tops"]
