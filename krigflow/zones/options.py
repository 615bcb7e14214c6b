"""Per-zone model options of the ``zones`` section: trend, variogram and transform, for all zones or per zone.

Each of ``zones.trend``, ``zones.variogram`` and ``zones.transform`` is one of

* null (the default): the run's own section (``trend``, ``variogram``, ``method.transform``) in every zone;
* one value for every zone (``trend: auto``, ``variogram: {model: spherical, ...}``);
* a list with one value per zone, top to bottom;
* a mapping from zone names to values (``variogram: {Top_B: {model: exponential, ...}}``); zones not named
  keep the default. A zone is named after its top surface (``zones.surfaces``).

A mapping is read as per-zone when its keys are zone names and as one value when they are the option's own
keys (``model``, ``sill``...; ``kind``, ``window``...); a mix is an error naming both. Trends are in
stratigraphic depth inside the zone (:mod:`krigflow.zones.model`): ``auto``, ``none``, ``linear``
(polynomial of degree 1), ``constant`` (degree 0), ``{kind: moving_average, window}`` or
``{kind: polynomial, degree}`` (:func:`krigflow.trend.trend_options`).
"""
from __future__ import annotations

from krigflow.exceptions import ConfigError
from krigflow.trend import trend_options

__all__ = ["TRANSFORMS", "ZONE_TRENDS", "per_zone_option", "zone_transform", "zone_trend", "zone_trend_options",
           "zone_variogram"]

#: Trend names a zone accepts besides krigflow.trend's kinds.
ZONE_TRENDS = {"linear": {"kind": "polynomial", "degree": 1}, "constant": {"kind": "polynomial", "degree": 0}}
TRANSFORMS = ("auto", "normal_score", "none")
_TRANSFORM_KEYS = ("transform", "tails", "zmin", "zmax")
_TAILS = ("linear", "extrapolate", "clip")


def zone_trend_options(value) -> dict:
    """The :mod:`krigflow.trend` options of a zone trend (``linear``/``constant`` become polynomials).

    Examples
    --------
    >>> zone_trend_options("linear")
    {'kind': 'polynomial', 'window': None, 'degree': 1}
    >>> zone_trend_options(None)["kind"]
    'auto'
    """
    if isinstance(value, str) and value in ZONE_TRENDS:
        value = ZONE_TRENDS[value]
    return trend_options(value)


def zone_trend(value, key):
    """Validate one zone's trend (None kept: the run's ``trend``); errors name ``key``."""
    if value is None:
        return None
    try:
        zone_trend_options(value)
    except ConfigError as exc:
        raise ConfigError(f"{key}: {exc} (or linear, constant)") from None
    return value


def zone_variogram(value, key):
    """Structural check of one zone's variogram: None, ``auto`` or a mapping (validated fully by the run config)."""
    if value is None or value == "auto":
        return value
    if not isinstance(value, dict):
        raise ConfigError(f"{key} must be 'auto' or a variogram mapping (model, sill, range_h, range_v...), "
                          f"got {value!r}")
    return dict(value)


def zone_transform(value, key):
    """Validate one zone's transform: None, a name of :data:`TRANSFORMS` or ``{transform, tails, zmin, zmax}``."""
    if value is None:
        return None
    entry = dict(value) if isinstance(value, dict) else {"transform": value}
    unknown = sorted(set(entry) - set(_TRANSFORM_KEYS))
    if unknown:
        raise ConfigError(f"{key}: unknown key(s) {unknown} (expected {', '.join(_TRANSFORM_KEYS)})")
    if entry.get("transform", "auto") not in TRANSFORMS:
        raise ConfigError(f"{key} must be one of {', '.join(TRANSFORMS)}, got {entry.get('transform')!r}")
    if entry.get("tails") is not None and entry["tails"] not in _TAILS:
        raise ConfigError(f"{key}.tails must be one of {', '.join(_TAILS)}, got {entry['tails']!r}")
    for bound in ("zmin", "zmax"):
        b = entry.get(bound)
        if b is not None and (isinstance(b, bool) or not isinstance(b, (int, float))):
            raise ConfigError(f"{key}.{bound} must be a number, got {b!r}")
    if entry.get("zmin") is not None and entry.get("zmax") is not None and not entry["zmin"] < entry["zmax"]:
        raise ConfigError(f"{key}.zmin must be below {key}.zmax, got {entry['zmin']} >= {entry['zmax']}")
    return entry if isinstance(value, dict) else value


def per_zone_option(value, zone_names, key, check, own_keys=()) -> list:
    """One validated entry per zone from a scalar, a list or a mapping by zone name (see the module docstring).

    Parameters
    ----------
    value : object
        As written in the config.
    zone_names : sequence of str
        Zone names, top to bottom.
    key : str
        Config key for error messages (``zones.variogram``).
    check : callable
        ``check(entry, key_of_entry)`` returns the validated entry or raises ConfigError.
    own_keys : sequence of str
        Keys of one value of the option (a mapping with these keys is one value for every zone).

    Returns
    -------
    list
        One entry per zone (None where a zone keeps the default).

    Raises
    ------
    ConfigError
        Wrong list length, unknown zone names (the zones listed), a mapping mixing zone names and the option's
        own keys, or a bad entry (naming the zone).

    Examples
    --------
    >>> per_zone_option({"B": "none"}, ["A", "B"], "zones.trend", zone_trend)
    [None, 'none']
    >>> per_zone_option({"X": "none"}, ["A", "B"], "zones.trend", zone_trend)
    Traceback (most recent call last):
    ...
    krigflow.exceptions.ConfigError: zones.trend: unknown zone(s) ['X']; the zones are A, B (each named after its top surface)
    """
    names = list(zone_names)
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ConfigError(f"{key} has {len(value)} entries but the surfaces make {len(names)} zones "
                              f"({', '.join(names)})")
        return [check(v, f"{key}.{name}") for v, name in zip(value, names)]
    if isinstance(value, dict) and value and not set(value) <= set(own_keys):
        zone_keys = [k for k in value if k in names]
        if not zone_keys or len(zone_keys) != len(value):
            stray = sorted(str(k) for k in value if k not in names)
            if zone_keys:
                raise ConfigError(f"{key}: mixes zone names {zone_keys} with other keys {stray}; give either one "
                                  f"value for every zone or a mapping from zone names ({', '.join(names)}) to values")
            if not set(value) & set(own_keys):
                raise ConfigError(f"{key}: unknown zone(s) {stray}; the zones are {', '.join(names)} (each named "
                                  "after its top surface)")
            return [check(value, key)] * len(names)
        return [check(value[name], f"{key}.{name}") if name in value else None for name in names]
    return [check(value, key)] * len(names)
