"""krigflow.realizations."""
