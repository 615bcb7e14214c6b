"""krigflow.run."""
