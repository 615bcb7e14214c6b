"""krigflow.kriging."""

from krigflow.kriging.engines import dual_weights, krige_grid, krige_points

__all__ = ["dual_weights", "krige_grid", "krige_points"]
