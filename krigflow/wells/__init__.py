"""krigflow.wells."""
