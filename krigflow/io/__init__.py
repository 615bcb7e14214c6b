"""krigflow.io: the files of a run, written atomically and read back through one reader.

Modules: :mod:`~krigflow.io.atomic` (atomic writes), :mod:`~krigflow.io.outputs` (``stats.npz``,
``summary.json``, status record), :mod:`~krigflow.io.results` (the one reader of an output folder),
:mod:`~krigflow.io.dataset` (arrays → :class:`xarray.Dataset`), :mod:`~krigflow.io.netcdf`,
:mod:`~krigflow.io.vtk`, :mod:`~krigflow.io.grdecl`, :mod:`~krigflow.io.wells_file` and
:mod:`~krigflow.io.formats` (the registry of result formats).
"""

from krigflow.io.atomic import atomic_path, atomic_write, json_bytes, jsonable, write_atomically
from krigflow.io.dataset import dataset_arrays, open_results, to_dataset
from krigflow.io.formats import (
    FILENAMES,
    FORMAT_ALIASES,
    FORMAT_CHOICES,
    FORMATS,
    WRITERS,
    canonical_formats,
    write_formats,
    write_run_files,
)
from krigflow.io.grdecl import GRDECL_NODATA, grdecl_keyword, write_grdecl
from krigflow.io.netcdf import write_netcdf
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
from krigflow.io.outputs import (
    RESULT_FILES,
    STATUS_FILE,
    OutputExistsError,
    check_output,
    write_outputs,
    write_status,
)
from krigflow.io.results import (
    COORDINATES,
    SUMMARY_FILE,
    grid_geometry,
    load_results,
    property_name_unit,
    read_status,
    read_summary,
    read_variogram_fit,
    read_wells,
    statistic_arrays,
    summary_spacing,
)
from krigflow.io.vtk import vti_order, write_vti
from krigflow.io.wells_file import WELLS_FILE, well_traces, write_wells

__all__ = [
    "COORDINATES",
    "FILENAMES",
    "FORMATS",
    "FORMAT_ALIASES",
    "FORMAT_CHOICES",
    "GRDECL_NODATA",
    "RESULT_FILES",
    "STATUS_FILE",
    "SUMMARY_FILE",
    "WELLS_FILE",
    "WRITERS",
    "OutputExistsError",
    "atomic_path",
    "atomic_write",
    "canonical_formats",
    "check_output",
    "dataset_arrays",
    "grdecl_keyword",
    "grid_geometry",
    "json_bytes",
    "jsonable",
    "load_results",
    "open_results",
    "property_name_unit",
    "read_status",
    "read_summary",
    "read_variogram_fit",
    "read_wells",
    "statistic_arrays",
    "summary_spacing",
    "to_dataset",
    "vti_order",
    "well_traces",
    "write_atomically",
    "write_formats",
    "write_grdecl",
    "write_netcdf",
    "write_outputs",
    "write_run_files",
    "write_status",
    "write_vti",
    "write_wells",
]
__all__ += ["PARTIALS_DIR", "CheckpointError", "SavedPartial", "clear_partials", "partial_paths", "partials_lock", "read_partial", "scan_partials", "write_partial"]
