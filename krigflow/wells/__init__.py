"""krigflow.wells."""

from krigflow.wells.curves import (
    DEFAULT_ALIASES,
    canonical_property,
    merge_aliases,
    select_curve,
)
from krigflow.wells.headers import (
    las_location,
    match_well_name,
    normalize_well_name,
    parse_angle,
    read_well_headers,
    table_location,
)
from krigflow.wells.las import (
    SENTINELS,
    LogData,
    detect_encoding,
    read_las,
)
from krigflow.wells.survey import (
    minimum_curvature,
    read_survey,
    survey_from_las_comments,
    survey_from_stations,
    vertical_survey,
)
from krigflow.wells.well import (
    Well,
    inspect_well,
    load_well,
    parse_name_map,
    read_well_sources,
    read_wells,
)

__all__ = ["DEFAULT_ALIASES", "SENTINELS", "LogData", "Well", "canonical_property", "detect_encoding", "inspect_well", "las_location", "load_well", "match_well_name", "merge_aliases", "minimum_curvature", "normalize_well_name", "parse_angle", "parse_name_map", "read_las", "read_survey", "read_well_headers", "read_well_sources", "read_wells", "select_curve", "survey_from_las_comments", "survey_from_stations", "table_location", "vertical_survey"]
