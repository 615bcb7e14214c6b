"""krigflow.stats."""
