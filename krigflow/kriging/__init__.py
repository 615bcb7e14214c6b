"""krigflow.kriging."""
