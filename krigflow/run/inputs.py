"""The input files of a run: expand the ``las`` and ``surveys`` patterns and check that every file exists.

:func:`check_inputs` runs before anything is launched (``krigflow run``) and before the wells are read
(:func:`krigflow.run.load_inputs`), so that a missing file is reported with its config key, not as a
failure in the middle of a run.
"""

from __future__ import annotations

import glob
import os

from krigflow.exceptions import ConfigError
from krigflow.zones import check_zone_inputs

__all__ = ["expand_paths", "check_inputs"]


def expand_paths(patterns) -> list:
    """Expand a path, glob or list of them into a sorted, de-duplicated list of files.

    Parameters
    ----------
    patterns : str or list of str
        Absolute paths or glob patterns (as in a validated config).

    Returns
    -------
    list of str
        Matching files, each pattern's matches sorted, in the order of the
        patterns, without duplicates. A plain path that does not exist is kept
        (so that it can be reported as missing).

    Examples
    --------
    >>> expand_paths("/no/such/dir/*.las")
    []
    """
    if patterns is None:
        return []
    if isinstance(patterns, str):
        patterns = [patterns]
    found = []
    for pattern in patterns:
        if glob.has_magic(pattern):
            matches = sorted(p for p in glob.glob(pattern) if os.path.isfile(p))
        else:
            matches = [pattern]
        found.extend(m for m in matches if m not in found)
    return found


def check_inputs(config) -> list:
    """Check that a validated config's input files exist.

    Parameters
    ----------
    config : dict
        Output of :func:`krigflow.run.validate_config`.

    Returns
    -------
    list of str
        The LAS files of the run (``las`` expanded).

    Raises
    ------
    ConfigError
        If ``las`` matches no file, or a file given by ``las``,
        ``well_headers`` or ``surveys`` does not exist; the message names the
        key and the path. With zones: a tops or surface file that does not exist.
    krigflow.zones.TopsError
        With zones: unreadable tops, a surface with no top and no file, tops out of order in a well.
    """
    las = expand_paths(config["las"])
    if not las:
        raise ConfigError(f"las: no file matches {config['las']!r}")
    for path in las:
        if not os.path.isfile(path):
            raise ConfigError(f"las: file not found: {path}")
        if not os.access(path, os.R_OK):
            raise ConfigError(f"las: file not readable (permission denied): {path}")
    if config["well_headers"] is not None and not os.path.isfile(config["well_headers"]):
        raise ConfigError(f"well_headers: file not found: {config['well_headers']}")
    if config["well_headers"] is not None and not os.access(config["well_headers"], os.R_OK):
        raise ConfigError(f"well_headers: file not readable (permission denied): {config['well_headers']}")
    surveys = config["surveys"]
    if surveys is not None:
        pats = [surveys] if isinstance(surveys, str) else surveys
        for pattern in pats:
            if os.path.isdir(pattern):
                continue
            if glob.has_magic(pattern) and not glob.glob(pattern):
                raise ConfigError(f"surveys: no file matches {pattern!r}")
            if not glob.has_magic(pattern) and not os.path.exists(pattern):
                raise ConfigError(f"surveys: file not found: {pattern}")
    if config.get("zones") is not None:   # tops and surface files: exist, define every surface, tops in order
        check_zone_inputs(config["zones"])
    return las
