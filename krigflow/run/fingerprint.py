"""Fingerprints: what makes the statistics of a run, compared before results or partials are reused.

The fingerprint has three components, compared separately so that a refusal says what differs:
``config`` (canonical JSON of every key except :data:`UNFINGERPRINTED_KEYS`), ``data`` (SHA-256 of the grid
and the conditioning data) and ``numerics`` (:data:`NUMERICS_VERSION`). Output paths, ``batch_size``,
``realizations``, ``checkpoint_every`` and the paths of the input files are not part of it: realization
``r`` depends only on ``(seed, r)`` and the data, so a run can be extended or split freely.
"""

from __future__ import annotations

import hashlib
import json
import logging

import numpy as np

logger = logging.getLogger(__name__)

__all__ = [
    "NUMERICS_VERSION",
    "UNFINGERPRINTED_KEYS",
    "config_fingerprint",
    "data_fingerprint",
    "make_fingerprint",
    "fingerprint_differences",
]

#: Version of the numerics (kriging, simulation, statistics). Bump it whenever a change alters the
#: numbers of a realization or the accumulator's arrays: partials of another version are refused.
NUMERICS_VERSION = "4"   # 2: trends added back, well-effect offsets (issue 11); 3: exact quantiles with a
# trend, well effect or zones (no per-cell histograms in their partials), chunked per-realization summaries;
# 4: tool offsets (logs of several tool families shifted to one reference tool, krigflow.tool_offsets)
#: Config keys that do NOT change the statistics; every other key is part of the fingerprint's
#: ``config`` component, so a key added later is fingerprinted unless it is listed here.
UNFINGERPRINTED_KEYS = (
    "config_file",       # where the config was read from
    "las",               # input paths: the data fingerprint covers what they hold
    "well_headers",
    "surveys",
    "output",
    "outputs",           # result formats and figures
    "batch_size",        # speed and memory only
    "checkpoint_every",
    "blocks",            # the same numbers in blocks (krigflow.run.blocks checks the layout of partials)
    "realizations",      # realization r depends only on (seed, r): runs can be extended or split
    "quantiles",         # read off the histograms at the end
)



def config_fingerprint(config) -> str:
    """Return the canonical JSON of the config keys that change the statistics.

    Parameters
    ----------
    config : dict
        Validated configuration.

    Returns
    -------
    str

    Examples
    --------
    >>> config_fingerprint({"seed": 1, "property": "GR", "output": "x"})
    '{"property": "GR", "seed": 1}'
    """
    return json.dumps({k: v for k, v in config.items() if k not in UNFINGERPRINTED_KEYS}, sort_keys=True)


def data_fingerprint(problem) -> str:
    """Return the SHA-256 (hex) of a problem's grid, conditioning data and kriging mean."""
    h = hashlib.sha256()
    grid, data = problem.grid, problem.data
    for values in (grid.origin, grid.spacing):
        h.update(np.asarray(values, dtype="<f8").tobytes())
    h.update(np.asarray(grid.shape, dtype="<i8").tobytes())
    for name in ("easting", "northing", "tvdss", "values"):
        h.update(np.ascontiguousarray(getattr(data, name), dtype="<f8").tobytes())
    h.update(np.ascontiguousarray(data.well, dtype="<i8").tobytes())
    h.update(np.ascontiguousarray(data.cells, dtype="<i8").tobytes())
    h.update(json.dumps([list(data.well_names), problem.mean]).encode())
    return h.hexdigest()


def make_fingerprint(config, problem) -> dict:
    """Return the fingerprint ``{"config", "data", "numerics"}`` of a run."""
    return {
        "config": config_fingerprint(config),
        "data": data_fingerprint(problem),
        "numerics": NUMERICS_VERSION,
    }


def fingerprint_differences(expected, found) -> list:
    """Describe how fingerprint ``found`` differs from ``expected`` (empty list: equal).

    Examples
    --------
    >>> a = {"config": '{"seed": 1}', "data": "ab", "numerics": "1"}
    >>> fingerprint_differences(a, dict(a, config='{"seed": 2}', numerics="2"))
    ['config: seed = 2 there, 1 here', 'numerics version 2 there, 1 here']
    """
    out = []
    if expected.get("config") != found.get("config"):
        try:
            mine, theirs = _flatten(json.loads(expected["config"])), _flatten(json.loads(found["config"]))
            keys = sorted(set(mine) | set(theirs))
            diffs = [
                f"{k} = {json.dumps(theirs.get(k))} there, {json.dumps(mine.get(k))} here"
                for k in keys
                if mine.get(k) != theirs.get(k)
            ]
        except (TypeError, ValueError, KeyError):
            diffs = ["the configuration differs"]
        out.append("config: " + "; ".join(diffs or ["the configuration differs"]))
    if expected.get("data") != found.get("data"):
        out.append(
            "conditioning data or grid differ (wells, LAS values or grid bounds changed; "
            f"data hash {str(found.get('data'))[:12]} there, {str(expected.get('data'))[:12]} here)"
        )
    if expected.get("numerics") != found.get("numerics"):
        out.append(f"numerics version {found.get('numerics')} there, {expected.get('numerics')} here")
    return out


def _flatten(obj, prefix=""):
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            out.update(_flatten(value, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: obj}
