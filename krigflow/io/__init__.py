"""krigflow.io."""
