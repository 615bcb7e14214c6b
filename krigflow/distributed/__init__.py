"""krigflow.distributed."""
