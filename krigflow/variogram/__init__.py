"""krigflow.variogram."""
