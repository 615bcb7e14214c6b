"""krigflow.variogram."""

from krigflow.variogram.experimental import (
    ExperimentalVariogram,
    VariogramFit,
    add_variogram_parser,
    fit_variogram,
    horizontal_variogram,
    plot_variograms,
    variogram_from_samples,
    vertical_variogram,
)
from krigflow.variogram.model import Variogram, matern_scale

__all__ = ["ExperimentalVariogram", "Variogram", "VariogramFit", "add_variogram_parser", "fit_variogram", "horizontal_variogram", "matern_scale", "plot_variograms", "variogram_from_samples", "vertical_variogram"]
