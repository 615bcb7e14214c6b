"""Helpers shared by the PEs: error records and their one-line messages.

A PE never lets an exception escape (dispel4py 2.9.1's ``multi`` mapping hangs
when one does): it turns the exception into an *error record*
``{"error": {"pe": <PE name>, "message": <one line>}}`` and sends it
downstream, where the next PEs forward it and skip their work, until the
:class:`~pes.stats_accumulator.StatsAccumulator` reports it.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def one_line(exc) -> str:
    """Return an exception as one line: its message, with the type if it is not a krigflow error.

    Examples
    --------
    >>> one_line(ValueError("bad\\nvalue"))
    'bad value (ValueError)'
    """
    from krigflow.exceptions import KrigflowError, WorkflowError

    message = " ".join(str(exc).split()) or type(exc).__name__
    if not isinstance(exc, (KrigflowError, WorkflowError)):
        message = f"{message} ({type(exc).__name__})"
    return message


def error_record(pe, exc, context=None) -> dict:
    """Return the error record of ``exc`` raised in PE ``pe`` (and log it).

    Parameters
    ----------
    pe : dispel4py.core.GenericPE
        The PE where the error happened (its ``name`` and, if set, ``rank`` are used).
    exc : BaseException or str
        The error.
    context : str, optional
        What the PE was doing (e.g. ``"realizations 16-31"``), prefixed to the message.

    Returns
    -------
    dict
        ``{"error": {"pe": name, "message": one line}}``.
    """
    message = exc if isinstance(exc, str) else one_line(exc)
    if context:
        message = f"{context}: {message}"
    rank = getattr(pe, "rank", None)
    where = pe.name if rank is None else f"{pe.name} (rank {rank})"
    logger.debug("%s failed: %s", where, message, exc_info=not isinstance(exc, str))
    return {"error": {"pe": pe.name, "rank": rank, "message": message}}


#: Keys a LogReader input item may hold.
REQUEST_KEYS = ("config", "overwrite", "status", "run_id", "mapping", "realizations")

#: Pipeline order of the PEs, to report errors in a stable order.
STAGES = ("LogReader", "GridPlacer", "SampleKriger", "StatsAccumulator")


def parse_request(item, default_config=None) -> dict:
    """Turn one LogReader input item into a run request.

    Parameters
    ----------
    item : dict or str or None
        ``{"config": path, "overwrite": bool, "status": path, "run_id": str, "mapping": str}`` (all keys
        optional), a bare config path, or ``{}``/None for the default config.
    default_config : str, optional
        Config used when the item names none (the bundled demo).

    Returns
    -------
    dict
        The request with every key, paths absolute.

    Raises
    ------
    krigflow.exceptions.ConfigError
        On an unknown key, a bad value, or no config at all.

    Examples
    --------
    >>> parse_request("/runs/a.yaml")["config"]
    '/runs/a.yaml'
    >>> parse_request({"confg": "a.yaml"})
    Traceback (most recent call last):
    ...
    krigflow.exceptions.ConfigError: LogReader input: unknown key 'confg' (expected config, overwrite, status, run_id, mapping, realizations)
    """
    import os

    from krigflow.exceptions import ConfigError

    if item is None:
        item = {}
    if isinstance(item, str):
        item = {"config": item}
    if not isinstance(item, dict):
        raise ConfigError(f"LogReader input: expected {{'config': path}} or a path, got {item!r}")
    for key in item:
        if key not in REQUEST_KEYS:
            raise ConfigError(f"LogReader input: unknown key {key!r} (expected {', '.join(REQUEST_KEYS)})")
    config = item.get("config") or default_config
    if not isinstance(config, str) or not config:
        raise ConfigError(f"LogReader input: 'config' must be the path of a run config, got {config!r}")
    if not isinstance(item.get("overwrite", False), bool):
        raise ConfigError(f"LogReader input: 'overwrite' must be true or false, got {item['overwrite']!r}")
    status = item.get("status")
    span = item.get("realizations")
    if span is not None and (
        not isinstance(span, (list, tuple))
        or len(span) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in span)
        or span[0] >= span[1]
    ):
        raise ConfigError(f"LogReader input: 'realizations' must be [A, B] with 0 <= A < B, got {span!r}")
    return {
        "config": os.path.abspath(config),
        "overwrite": item.get("overwrite", False),
        "status": os.path.abspath(status) if status else None,
        "run_id": item.get("run_id"),
        "mapping": item.get("mapping"),
        "realizations": None if span is None else [int(span[0]), int(span[1])],
    }


def stage(error) -> tuple:
    """Sort key putting error dicts in pipeline order, then by message."""
    name = error.get("pe", "")
    index = next((i for i, s in enumerate(STAGES) if name.endswith(s) or s in name), len(STAGES))
    return index, name, error.get("rank") or 0, error.get("message", "")
