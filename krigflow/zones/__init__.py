"""krigflow.zones: formation tops, horizons, zones in stratigraphic coordinates and corner-point grids."""

from krigflow.zones.config import (
    ZONE_KEYS,
    build_zoned_grid,
    check_zone_inputs,
    read_all_tops,
    validate_zones,
)
from krigflow.zones.cornerpoint import CORNERPOINT_FORMATS, to_xtgeo_grid, write_cornerpoint
from krigflow.zones.export import (
    CORNERPOINT_FILES,
    cornerpoint_dataset,
    write_cornerpoint_formats,
    write_cornerpoint_netcdf,
    write_vts,
)
from krigflow.zones.model import ZoneProblem, build_zone_problems, zoned_realizations
from krigflow.zones.problem import ZonedProblem, build_zoned_problem, combined_data, nominal_grid
from krigflow.zones.stratigraphic import (
    LAYERINGS,
    StratigraphicGrid,
    ZoneSpec,
    box_stratigraphic_grid,
    build_stratigraphic_grid,
    layer_interfaces,
)
from krigflow.zones.structural import SurfaceUncertainty, surface_uncertainty
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

__all__ = [
    "CORNERPOINT_FILES",
    "CORNERPOINT_FORMATS",
    "LAYERINGS",
    "ZONE_KEYS",
    "Lattice",
    "StratigraphicGrid",
    "SurfaceUncertainty",
    "Tops",
    "TopsError",
    "ZoneProblem",
    "ZoneSpec",
    "ZonedProblem",
    "box_stratigraphic_grid",
    "build_stratigraphic_grid",
    "build_zone_problems",
    "build_zoned_grid",
    "build_zoned_problem",
    "check_surfaces_defined",
    "check_tops_order",
    "check_zone_inputs",
    "combined_data",
    "cornerpoint_dataset",
    "describe_tops",
    "interpolate_surface",
    "layer_interfaces",
    "nominal_grid",
    "place_tops",
    "read_all_tops",
    "read_surface",
    "read_tops",
    "surface_from_tops",
    "surface_uncertainty",
    "tie_surface",
    "to_xtgeo_grid",
    "truncate_crossings",
    "validate_zones",
    "write_cornerpoint",
    "write_cornerpoint_formats",
    "write_cornerpoint_netcdf",
    "write_surface",
    "write_tops",
    "write_vts",
    "zoned_realizations",
]
