"""krigflow.crossval: cross-validation scores and baselines, as pure functions of arrays.

Modules: :mod:`~krigflow.crossval.metrics` (RMSE, bias, coverage, PIT, accuracy plot, goodness, offset share),
:mod:`~krigflow.crossval.baselines` (IDW, trend + IDW, training mean). The leave-one-well-out driver is
:mod:`krigflow.run.crossvalidate`; its figures are in :mod:`krigflow.plotting.validation`.
"""

from krigflow.crossval.baselines import VERTICAL_STRETCH, idw, training_mean, trend_idw
from krigflow.crossval.metrics import (
    DEFAULT_PS,
    accuracy_points,
    bias,
    gaussian_pit,
    goodness,
    interval_coverage,
    offset_share,
    pit_histogram,
    pit_values,
    rmse,
)

__all__ = ["DEFAULT_PS", "VERTICAL_STRETCH", "accuracy_points", "bias", "gaussian_pit", "goodness", "idw",
           "interval_coverage", "offset_share", "pit_histogram", "pit_values", "rmse", "training_mean",
           "trend_idw"]
