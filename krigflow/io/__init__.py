"""krigflow.io."""

from krigflow.io.atomic import (
    STATUS_FILE,
    OutputExistsError,
    atomic_path,
    atomic_write,
    check_output,
    jsonable,
    read_status,
    write_outputs,
    write_status,
)
from krigflow.io.partials import (
    PARTIALS_DIR,
    CheckpointError,
    SavedPartial,
    clear_partials,
    partial_paths,
    partials_lock,
    read_partial,
    scan_partials,
    write_partial,
)
from krigflow.io.writers import (
    FILENAMES,
    FORMATS,
    GRDECL_NODATA,
    WELLS_FILE,
    grdecl_keyword,
    grid_geometry,
    load_results,
    property_name_unit,
    read_wells,
    statistic_arrays,
    well_traces,
    write_formats,
    write_grdecl,
    write_netcdf,
    write_run_figures,
    write_run_files,
    write_vti,
    write_wells,
)

__all__ = ["FILENAMES", "FORMATS", "GRDECL_NODATA", "OutputExistsError", "STATUS_FILE", "WELLS_FILE", "atomic_path", "atomic_write", "check_output", "grdecl_keyword", "grid_geometry", "jsonable", "load_results", "property_name_unit", "read_status", "read_wells", "statistic_arrays", "well_traces", "write_formats", "write_grdecl", "write_netcdf", "write_outputs", "write_run_figures", "write_run_files", "write_status", "write_vti", "write_wells"]
__all__ += ["PARTIALS_DIR", "CheckpointError", "SavedPartial", "clear_partials", "partial_paths", "partials_lock", "read_partial", "scan_partials", "write_partial"]
