"""krigflow.crossval: leave-one-well-out cross-validation scores and baselines."""

from krigflow.crossval.baselines import VERTICAL_STRETCH, idw, training_mean, trend_idw
from krigflow.crossval.figures import plot_accuracy, plot_pit, write_validation_figures
from krigflow.crossval.lowo import contract_record, cross_validate, fold_config, run_fold, score_folds
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

__all__ = ["DEFAULT_PS", "VERTICAL_STRETCH", "accuracy_points", "bias", "contract_record", "cross_validate",
           "fold_config", "gaussian_pit", "goodness", "idw", "interval_coverage", "offset_share", "pit_histogram",
           "pit_values", "plot_accuracy", "plot_pit", "rmse", "run_fold", "score_folds",
           "training_mean", "trend_idw", "write_validation_figures"]
