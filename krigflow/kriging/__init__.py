"""krigflow.kriging: ordinary and simple kriging onto grids and points.

Modules: :mod:`~krigflow.kriging.dual` (dual weights, point kriging), :mod:`~krigflow.kriging.grid_engines`
(dense / FFT / columns engines and :func:`krige_grid`), :mod:`~krigflow.kriging.neighbourhood` (moving
neighbourhood).
"""

from krigflow.kriging.dual import DEFAULT_CHUNK_BYTES, KINDS, KrigingResult, dual_weights, krige_points
from krigflow.kriging.grid_engines import DEFAULT_MEMORY_BYTES, METHODS, krige_grid
from krigflow.kriging.neighbourhood import NEIGHBOURHOOD_KEYS

__all__ = [
           "DEFAULT_CHUNK_BYTES",
           "DEFAULT_MEMORY_BYTES",
           "KINDS",
           "METHODS",
           "NEIGHBOURHOOD_KEYS",
           "KrigingResult",
           "dual_weights",
           "krige_grid",
           "krige_points",
]
