"""The ``krigflow`` command line."""
from krigflow.cli.app import main

__all__ = ["main"]
