"""Per-zone model options of a run with zones, validated with the run's own validators at the door.

:func:`krigflow.zones.validate_zones` resolves ``zones.trend``, ``zones.variogram`` and ``zones.transform``
to one entry per zone (by name, list or one value; :mod:`krigflow.zones.options`). Here every entry is
validated like the run's section of the same name (errors name the zone: ``zones.variogram.Top_B.sill``),
and zones without an entry get the run's section (``trend``, ``variogram``; the transform stays None:
``method.transform``).
"""
from __future__ import annotations

from krigflow.exceptions import ConfigError
from krigflow.zones.options import zone_trend_options

__all__ = ["zone_models"]


def _renamed(exc, name):
    """The run validator's message with ``variogram.`` made ``zones.variogram.<zone>.``."""
    text = str(exc)
    if text.startswith("variogram"):
        return f"zones.variogram.{name}{text[len('variogram'):]}"
    return f"zones.variogram.{name}: {text}"


def zone_models(cfg, check_variogram) -> dict | None:
    """The validated ``zones`` section with each zone's trend and variogram complete.

    Parameters
    ----------
    cfg : dict
        The run config being validated, with ``zones`` (or None), ``trend`` and ``variogram`` done.
    check_variogram : callable
        The run's variogram-section validator (``krigflow.run.config._variogram``).

    Returns
    -------
    dict or None
        ``cfg["zones"]`` with ``trend`` a list of :func:`krigflow.trend.trend_options` dicts and
        ``variogram`` a list of validated variogram sections.

    Raises
    ------
    ConfigError
        A zone's variogram that the run's validator refuses, naming the zone.
    """
    zones = cfg.get("zones")
    if zones is None:
        return None
    names = zones["surfaces"][:-1]
    run_vg = cfg["variogram"]
    variograms = []
    for name, entry in zip(names, zones["variogram"]):
        if entry is None or (entry == "auto" and run_vg.get("model") == "auto"):
            variograms.append(dict(run_vg))
            continue
        try:
            variograms.append(check_variogram(entry))
        except ConfigError as exc:
            raise ConfigError(_renamed(exc, name)) from None
    trends = [dict(cfg["trend"]) if entry is None else zone_trend_options(entry) for entry in zones["trend"]]
    return {**zones, "trend": trends, "variogram": variograms}
