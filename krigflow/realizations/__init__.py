"""krigflow.realizations: the stochastic realizations of a run.

Modules: :mod:`~krigflow.realizations.subsample` (per-realization generators, data subsampling),
:mod:`~krigflow.realizations.fft` (the FFT circulant-embedding field generator),
:mod:`~krigflow.realizations.conditional` (conditional simulation by kriging of residuals),
:mod:`~krigflow.realizations.transform` (normal-score transform),
:mod:`~krigflow.realizations.log_transform` (log10 transform).
"""

from krigflow.realizations.conditional import (
    conditional_realizations,
    residual_engine,
    unconditional_fields,
)
from krigflow.realizations.fft import (
    FieldSpectrum,
    circulant_spectrum,
    embedding_shape,
    field_spectrum,
    gaussian_field,
    simulation_padding,
    unconditional_field,
)
from krigflow.realizations.log_transform import LogTransform, fit_transform
from krigflow.realizations.subsample import UNITS, realization_rng, subsample_mask, subsample_masks
from krigflow.realizations.transform import TAILS, TRANSFORMS, NormalScore

#: Realization methods of a run (``method.name``): kriging of data subsets, or conditional simulation.
METHODS = ("subsample", "conditional")

__all__ = [
    "METHODS",
    "TAILS",
    "TRANSFORMS",
    "UNITS",
    "FieldSpectrum",
    "LogTransform",
    "NormalScore",
    "circulant_spectrum",
    "conditional_realizations",
    "embedding_shape",
    "field_spectrum",
    "fit_transform",
    "gaussian_field",
    "realization_rng",
    "residual_engine",
    "simulation_padding",
    "subsample_mask",
    "subsample_masks",
    "unconditional_field",
    "unconditional_fields",
]
