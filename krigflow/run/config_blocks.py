"""Validation of the ``blocks`` key: the grid split into blocks of cells (:mod:`krigflow.run.blocks`)."""

from __future__ import annotations

from krigflow.exceptions import ConfigError

__all__ = ["blocks_option"]


def blocks_option(value, config) -> int | str | None:
    """The validated ``blocks`` value: None (the whole grid), an integer >= 2, or ``"auto"``.

    ``1`` means the whole grid (None). Only the ``subsample`` method without zones can be split: the
    ``conditional`` method draws one FFT field over the whole grid, and zones have their own grids.

    Parameters
    ----------
    value : None, int or str
        The raw value.
    config : dict
        The config validated so far (``method``, ``zones``).

    Raises
    ------
    krigflow.exceptions.ConfigError
        Naming ``blocks``, the value and what is expected.

    Examples
    --------
    >>> sub = {"method": {"name": "subsample"}, "zones": None}
    >>> blocks_option(4, sub), blocks_option("auto", sub), blocks_option(1, sub), blocks_option(None, sub)
    (4, 'auto', None, None)
    >>> blocks_option(0, sub)
    Traceback (most recent call last):
    ...
    krigflow.exceptions.ConfigError: blocks: expected an integer >= 1, 'auto' or null, got 0
    """
    if value is None:
        return None
    if value != "auto" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ConfigError(f"blocks: expected an integer >= 1, 'auto' or null, got {value!r}")
    if value == 1:
        return None
    method = (config.get("method") or {}).get("name")
    if method != "subsample":
        raise ConfigError(
            f"blocks: {value!r} needs method subsample; the {method} method draws one FFT field over the whole "
            "grid, so its realizations cannot be computed block by block with the same numbers (remove blocks)"
        )
    if config.get("zones") is not None:
        raise ConfigError(f"blocks: {value!r} cannot be used with zones (each zone has its own grid; remove blocks)")
    return value
