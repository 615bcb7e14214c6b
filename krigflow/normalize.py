"""Optional per-well normalization of a log (``normalize:``), for users who know their tools read differently.

Well-log normalization (as petrophysicists do for gamma ray) maps each well's values so that its
distribution over a reference interval matches a reference:

``two_point``
    Linear: the well's ``quantiles`` (default P5 and P95) over the interval are mapped onto the
    reference's: ``v' = ref_lo + (v - lo) * (ref_hi - ref_lo) / (hi - lo)``.
``quantile``
    Quantile matching: the well's percentiles 1..99 over the interval are mapped onto the reference's,
    linearly between them (and linearly beyond, with the end slopes).

The reference is one well (``reference: NAME``) or every well pooled (``reference: all``, the median of
the wells' quantiles). The interval (``interval: [top, base]``, TVDSS) should be one formation that every
well crosses; by default it is the depth range all wells share.
"""
from __future__ import annotations

import logging

import numpy as np

from krigflow.exceptions import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["NORMALIZE_METHODS", "normalize_options", "normalize_samples", "normalize_wells"]

NORMALIZE_METHODS = ("two_point", "quantile")


def _in_interval(t, v, interval):
    ok = np.isfinite(t) & np.isfinite(v) & (t >= interval[0]) & (t <= interval[1])
    return v[ok]


def normalize_wells(tvdss, values, names, *, method="two_point", reference="all", interval=None,
                    quantiles=(5.0, 95.0)) -> tuple[list, dict]:
    """Normalize each well's values to a reference distribution over an interval.

    Parameters
    ----------
    tvdss, values : sequence of arrays
        One array per well (sample depths and values).
    names : sequence of str
        Well names.
    method : {"two_point", "quantile"}, default "two_point"
    reference : str, default "all"
        A well name, or "all" (median over the wells).
    interval : (float, float), optional
        TVDSS interval (m); default the range every well covers.
    quantiles : (float, float), default (5, 95)
        Percentiles of ``two_point``.

    Returns
    -------
    new_values : list of arrays
        Normalized values, one array per well.
    record : dict
        JSON-ready: method, reference, interval and each well's mapping (``lo``/``hi`` for two_point).

    Raises
    ------
    krigflow.exceptions.ConfigError
        Unknown method or reference well, an empty interval, or a well without data in it.

    Examples
    --------
    >>> t = [np.arange(10.0), np.arange(10.0)]
    >>> v = [np.arange(10.0), 2.0 * np.arange(10.0) + 5.0]
    >>> new, rec = normalize_wells(t, v, ["A", "B"], reference="A", quantiles=(0.0, 100.0))
    >>> new[1].tolist() == v[0].tolist()
    True
    """
    if method not in NORMALIZE_METHODS:
        raise ConfigError(f"normalize.method must be one of {NORMALIZE_METHODS}, got {method!r}")
    names = [str(n) for n in names]
    if reference != "all" and reference not in names:
        raise ConfigError(f"normalize.reference: no well named {reference!r} (wells: {', '.join(names)})")
    tv = [np.asarray(a, float) for a in tvdss]
    vv = [np.asarray(a, float) for a in values]
    if interval is None:
        tops = [np.nanmin(t) for t in tv]
        bases = [np.nanmax(t) for t in tv]
        interval = (max(tops), min(bases))
    interval = (float(interval[0]), float(interval[1]))
    if not interval[0] < interval[1]:
        raise ConfigError(f"normalize.interval: the wells share no depth range (interval {interval}); give "
                          "normalize.interval: [top, base]")
    inside = [_in_interval(t, v, interval) for t, v in zip(tv, vv)]
    for name, x in zip(names, inside):
        if x.size < 10:
            raise ConfigError(f"normalize: well {name!r} has {x.size} samples in the interval {interval}; "
                              "need at least 10")
    probs = np.asarray(quantiles, float) if method == "two_point" else np.arange(1.0, 100.0)
    q = np.array([np.percentile(x, probs) for x in inside])            # (wells, k)
    ref = np.median(q, axis=0) if reference == "all" else q[names.index(reference)]
    out, wells = [], {}
    for name, v, qw in zip(names, vv, q):
        if method == "two_point":
            lo, hi = qw
            if not hi > lo:
                raise ConfigError(f"normalize: well {name!r} is constant over the interval")
            out.append(ref[0] + (v - lo) * (ref[1] - ref[0]) / (hi - lo))
            wells[name] = {"lo": float(lo), "hi": float(hi)}
        else:
            qw_u, keep = np.unique(qw, return_index=True)
            rq = ref[keep]
            mapped = np.interp(v, qw_u, rq)
            low, high = v < qw_u[0], v > qw_u[-1]
            s_lo = (rq[1] - rq[0]) / (qw_u[1] - qw_u[0]) if qw_u.size > 1 else 1.0
            s_hi = (rq[-1] - rq[-2]) / (qw_u[-1] - qw_u[-2]) if qw_u.size > 1 else 1.0
            mapped[low] = rq[0] + (v[low] - qw_u[0]) * s_lo
            mapped[high] = rq[-1] + (v[high] - qw_u[-1]) * s_hi
            out.append(mapped)
            wells[name] = {"p50": float(np.percentile(inside[names.index(name)], 50))}
    record = {"method": method, "reference": reference, "interval": list(interval),
              "quantiles": [float(p) for p in quantiles] if method == "two_point" else None,
              "reference_values": [float(x) for x in (ref if method == "two_point" else ref[[4, 49, 94]])],
              "wells": wells}
    logger.info("normalize: %s to %s over %s", method, reference, interval)
    return out, record


def normalize_samples(parts, names, options) -> tuple[list, dict | None]:
    """Apply the ``normalize`` config section to each well's samples.

    Parameters
    ----------
    parts : sequence of (easting, northing, tvdss, values) arrays
        One tuple per well.
    names : sequence of str
        Well names.
    options : dict or None
        The validated ``normalize`` section (None: nothing to do).

    Returns
    -------
    parts : list
        New tuples with normalized values (the input when ``options`` is None).
    record : dict or None
        :func:`normalize_wells`'s record.
    """
    if not options:
        return list(parts), None
    values, record = normalize_wells([p[2] for p in parts], [p[3] for p in parts], names,
                                     method=options["method"], reference=options.get("reference", "all"),
                                     interval=options.get("interval"),
                                     quantiles=tuple(options.get("quantiles") or (5.0, 95.0)))
    return [(p[0], p[1], p[2], v) for p, v in zip(parts, values)], record


def _pair(value, name):
    if not isinstance(value, (list, tuple)) or len(value) != 2 or any(
            isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) for v in value):
        raise ConfigError(f"{name}: expected a list of 2 numbers, got {value!r}")
    return [float(v) for v in value]


def normalize_options(value) -> dict | None:
    """Validate the ``normalize`` section of a run configuration.

    Parameters
    ----------
    value : None, str or dict
        None (no normalization), a method name, or ``{method, reference, interval, quantiles}``.

    Returns
    -------
    dict or None
        ``{"method", "reference", "interval", "quantiles"}`` with defaults applied.

    Raises
    ------
    krigflow.exceptions.ConfigError
        Naming the key.

    Examples
    --------
    >>> normalize_options("quantile")
    {'method': 'quantile', 'reference': 'all', 'interval': None, 'quantiles': [5.0, 95.0]}
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = {"method": value}
    if not isinstance(value, dict):
        raise ConfigError(f"normalize: expected a method name or a mapping, got {value!r}")
    for key in value:
        if key not in ("method", "reference", "interval", "quantiles"):
            raise ConfigError(f"normalize.{key}: unknown key (expected method, reference, interval, quantiles)")
    method = value.get("method", "two_point")
    if method not in NORMALIZE_METHODS:
        raise ConfigError(f"normalize.method: expected one of {', '.join(NORMALIZE_METHODS)}, got {method!r}")
    reference = value.get("reference", "all")
    if not isinstance(reference, str) or not reference.strip():
        raise ConfigError(f"normalize.reference: expected a well name or 'all', got {reference!r}")
    interval = value.get("interval")
    if interval is not None:
        interval = _pair(interval, "normalize.interval")
        if not interval[0] < interval[1]:
            raise ConfigError(f"normalize.interval: top must be above base (smaller TVDSS), got {interval}")
    quantiles = _pair(value.get("quantiles", [5.0, 95.0]), "normalize.quantiles")
    if not 0.0 <= quantiles[0] < quantiles[1] <= 100.0:
        raise ConfigError(f"normalize.quantiles: expected two increasing percentages, got {quantiles}")
    return {"method": method, "reference": reference, "interval": interval, "quantiles": quantiles}
