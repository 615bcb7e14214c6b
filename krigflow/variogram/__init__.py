"""krigflow.variogram."""

from krigflow.variogram.experimental import (
    ExperimentalVariogram,
    VariogramFit,
    fit_variogram,
    horizontal_variogram,
    variogram_from_samples,
    vertical_variogram,
)
from krigflow.variogram.model import Variogram, matern_scale

__all__ = ["ExperimentalVariogram", "Variogram", "VariogramFit", "fit_variogram", "horizontal_variogram", "matern_scale", "variogram_from_samples", "vertical_variogram"]
