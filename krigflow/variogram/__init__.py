"""krigflow.variogram: variogram models, experimental variograms from wells, and model fitting.

Modules (GSTools covmodel / variogram / fit style): :mod:`~krigflow.variogram.model` (:class:`Variogram`,
:data:`MODELS`), :mod:`~krigflow.variogram.experimental` (experimental variograms),
:mod:`~krigflow.variogram.fit` (weighted least-squares fits, :func:`variogram_from_samples`),
:mod:`~krigflow.variogram.conventions` (GSLIB and GSTools anisotropy conventions, both ways).
"""

from krigflow.variogram.conventions import (
    from_gslib,
    from_gstools,
    gslib_par_lines,
    gstools_model,
    to_gslib,
    to_gstools,
)
from krigflow.variogram.experimental import (
    ESTIMATORS,
    ExperimentalVariogram,
    horizontal_variogram,
    vertical_variogram,
)
from krigflow.variogram.fit import (
    DEFAULT_CANDIDATES,
    VariogramFit,
    default_lags,
    fit_variogram,
    variogram_from_samples,
)
from krigflow.variogram.model import MODELS, Variogram, matern_scale

__all__ = [
    "DEFAULT_CANDIDATES",
    "ESTIMATORS",
    "MODELS",
    "ExperimentalVariogram",
    "Variogram",
    "VariogramFit",
    "default_lags",
    "fit_variogram",
    "from_gslib",
    "from_gstools",
    "gslib_par_lines",
    "gstools_model",
    "horizontal_variogram",
    "matern_scale",
    "to_gslib",
    "to_gstools",
    "variogram_from_samples",
    "vertical_variogram",
]
