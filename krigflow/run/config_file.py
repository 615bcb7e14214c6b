"""Reading a run config file: its parsed content, before validation (:mod:`krigflow.run.config` validates)."""

from __future__ import annotations

import json
import os

from krigflow.exceptions import ConfigError

__all__ = ["config_output", "read_config_file"]


def read_config_file(path):
    """The parsed content of a config file (``.json`` with :mod:`json`, anything else ``yaml.safe_load``).

    Raises
    ------
    ConfigError
        If the file cannot be read or parsed (naming it).
    """
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ConfigError(f"config file {path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        if path.lower().endswith(".json"):
            return json.loads(text)
        import yaml  # only needed for YAML configs

        return yaml.safe_load(text)
    except Exception as exc:  # json.JSONDecodeError, yaml.YAMLError
        detail = " ".join(str(exc).split())
        raise ConfigError(f"config file {path}: cannot be parsed: {detail}") from exc


def config_output(path, default="output") -> str | None:
    """The output folder a config file names (``default`` if none), validating nothing else; None if the file
    cannot be read or the value is not a path.

    Used to record the failure of a run whose config is invalid in that folder's status record.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "run.json")
    >>> _ = open(path, "w").write('{"seeed": 1, "output": "out"}')
    >>> config_output(path) == os.path.join(folder, "out")
    True
    """
    try:
        raw = read_config_file(path)
    except ConfigError:
        return None
    value = raw.get("output", default) if isinstance(raw, dict) else None
    if not isinstance(value, str) or not value.strip():
        return None
    base = os.path.dirname(os.path.abspath(path))
    return os.path.normpath(os.path.join(base, os.path.expanduser(value)))
