"""krigflow.distributed."""

from krigflow.distributed.launch import add_run_parser

__all__ = ["add_run_parser"]
