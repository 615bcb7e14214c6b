"""krigflow.plotting."""
