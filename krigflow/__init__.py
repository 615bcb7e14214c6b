"""krigflow: well logs to 3-D property models with stochastic kriging.

The public API, following the data path LAS → wells → conditioning data → variogram → kriging or
realizations → statistics → :class:`xarray.Dataset` and figures. The core is pure numpy/scipy (lasio only
for reading LAS files, xarray and matplotlib only when a dataset or a figure is asked for) and needs no
dispel4py; ``pes/`` and ``graphs/`` wrap :mod:`krigflow.run` for the distributed runs.

Examples
--------
A whole run from a config file, as ``krigflow run`` does it in one process::

    import krigflow
    result = krigflow.run_local(krigflow.load_config("data/demo/run.yaml"), write=False)
    ds = krigflow.to_dataset(result["arrays"], summary=result["summary"])
    r17 = krigflow.realization("data/demo/run.yaml", 17)    # one realization, exactly as the run made it

Step by step::

    wells = krigflow.read_wells("data/demo/las/*.las", property="GR",
                                well_headers="data/demo/well_headers.csv", surveys="data/demo/surveys/*.csv")
    grid = krigflow.Grid.around_wells(wells, spacing=(40, 40, 5))
    data = krigflow.ConditioningData.from_wells(grid, wells)
    estimate = krigflow.krige_grid(grid, krigflow.Variogram("exponential", 400, 600, 15), data)[0]
"""
import logging

from krigflow.conditioning import ConditioningData, upscale
from krigflow.exceptions import (
    ConfigError,
    GridError,
    KrigflowError,
    KrigingError,
    LASReadError,
    SimulationError,
    StatsError,
    SurveyError,
    TransformError,
    VariogramError,
    WellLocationError,
    WellOptionError,
    WorkflowError,
)
from krigflow.grid import Grid
from krigflow.io import load_results, open_results, to_dataset
from krigflow.kriging import krige_grid, krige_points
from krigflow.plotting import plot_histogram, plot_map, plot_section, plot_variogram
from krigflow.realizations import (
    LogTransform,
    NormalScore,
    conditional_realizations,
    realization_rng,
    subsample_masks,
)
from krigflow.run import load_config, realization, run_local, validate_config
from krigflow.stats import RunningStats
from krigflow.variogram import Variogram, fit_variogram, variogram_from_samples
from krigflow.wells import Well, read_las, read_wells
from krigflow.zones import (
    TopsError,
    ZoneSpec,
    build_stratigraphic_grid,
    read_tops,
    surface_from_tops,
    write_cornerpoint,
)

__version__ = "0.1.0"

__all__ = [
    # wells
    "read_las", "read_wells", "Well",
    # grid and conditioning data; zones and stratigraphic grids
    "Grid", "ConditioningData", "upscale",
    "read_tops", "surface_from_tops", "ZoneSpec", "build_stratigraphic_grid", "write_cornerpoint", "TopsError",
    # variograms
    "Variogram", "fit_variogram", "variogram_from_samples",
    # kriging and realizations
    "krige_grid", "krige_points", "conditional_realizations", "subsample_masks", "realization_rng", "NormalScore",
    "LogTransform",
    # statistics, results and figures
    "RunningStats", "to_dataset", "open_results", "load_results",
    "plot_map", "plot_section", "plot_histogram", "plot_variogram",
    # whole runs
    "load_config", "validate_config", "run_local", "realization",
    # errors
    "KrigflowError", "ConfigError", "LASReadError", "WellLocationError", "SurveyError", "WellOptionError",
    "GridError", "VariogramError", "KrigingError", "SimulationError", "TransformError", "StatsError",
    "WorkflowError",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
