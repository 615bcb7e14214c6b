"""krigflow.realizations."""

from krigflow.realizations.conditional import (
    conditional_realizations,
    field_spectrum,
    realization_rng,
    simulation_padding,
    subsample_mask,
    subsample_masks,
    unconditional_field,
    unconditional_fields,
)
from krigflow.realizations.fft import embedding_shape, gaussian_field
from krigflow.realizations.transform import NormalScore

__all__ = ["NormalScore", "conditional_realizations", "embedding_shape", "field_spectrum", "gaussian_field", "realization_rng", "simulation_padding", "subsample_mask", "subsample_masks", "unconditional_field", "unconditional_fields"]
