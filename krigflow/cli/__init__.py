"""The ``krigflow`` command line."""
from krigflow.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
