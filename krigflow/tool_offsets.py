"""Tool offsets: logs of one property read by different tools, brought to one reference tool.

One property is often logged with different tools across wells: on the Poseidon wells the gamma ray is
``ECGR`` in three wells, ``GR`` in three, ``GRARC`` and ``GRD`` in one each, and the ECGR wells read 2-4 x
lower than the others above ~3000 m. That difference is the tool, not the rock, and no spatial model can
predict it from the positions of the wells. This module models it as a random effect per **tool family**
(the mnemonic of the property curve, read from each LAS file)::

    z(x) = m(tvdss) + f[family] + w[well] + e(x),     f ~ N(0, sigma_f**2),  w ~ N(0, tau**2 - noise)

and estimates it from the wells' mean residuals after a depth trend (one-way random-effects analysis of
variance on the well means, by moments):

* ``tau**2``: the spread of the well means *within* families (pooled over the families with two wells or
  more); it holds the per-well offset and the noise of a well mean;
* ``sigma_f**2 = max(0, S_B**2 - mean(tau**2 / n_k))``: the spread of the family means ``S_B**2`` beyond
  what ``tau**2`` explains;
* each family's offset is its best linear unbiased predictor, shrunk towards the mean of the families:
  ``f_k = sigma_f**2 / (sigma_f**2 + tau**2 / n_k) * (mean_k - mean)``.

Every well's log is then shifted by ``f[its family] - f[reference]``: the data read as the **reference
tool** would have read them, and the run models the property as read by that tool. What is left between
wells (the within-family spread) is the well effect (:mod:`krigflow.well_effect`), estimated afterwards on
the shifted data as usual.

``tool_offsets: auto`` (the default) applies this when the property comes from two tool families or more
and at least one family has two wells (else ``tau**2`` cannot be estimated); the reference is the family
named like the property (``GR`` for ``property: GR``) when there is one, else the family with the most wells
(then the most samples). ``tool_offsets: {reference: NAME}`` chooses it, ``tool_offsets: none`` switches
the correction off. ``krigflow validate`` predicts each held-out well *as read by its own tool*: the fold's
reference is the held-out well's family (its mnemonic is metadata; its values are not used), and when no
training well shares it the fold runs without tool offsets (the tool is then unknown: its offset is part
of the well effect, with its whole variance).
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field

import numpy as np

from krigflow.exceptions import ConfigError

logger = logging.getLogger(__name__)

__all__ = [
    "ToolOffsets",
    "apply_tool_offsets",
    "choose_reference",
    "describe",
    "estimate_family_offsets",
    "estimate_tool_offsets",
    "offsets_mode",
    "tool_family",
    "tool_offsets_options",
    "well_mean_residuals",
]

#: Depth bins (m) in which each well's samples are averaged before the trend and the well means.
BIN_HEIGHT = 20.0


def tool_family(curve) -> str:
    """The tool family of a well: the mnemonic of its property curve, upper case (``"?"`` when unknown).

    Examples
    --------
    >>> tool_family("ecgr"), tool_family(None)
    ('ECGR', '?')
    """
    text = str(curve or "").strip().upper()
    return text or "?"


def tool_offsets_options(value, normalize=None) -> dict:
    """Validate the ``tool_offsets`` key of a run configuration.

    Parameters
    ----------
    value : None, str, bool or dict
        ``"auto"`` (or None: the default), ``"none"`` (or False), or ``{reference: NAME | auto}``.
    normalize : dict or None
        The validated ``normalize`` section: an explicit ``tool_offsets`` mapping and ``normalize`` are two
        corrections of the same thing and are refused together; ``auto`` steps aside for ``normalize``.

    Returns
    -------
    str or dict
        ``"auto"``, ``"none"``, or ``{"reference": "auto" | NAME}`` (NAME upper case); see
        :func:`offsets_mode`.

    Raises
    ------
    krigflow.exceptions.ConfigError
        Naming the key and what was expected.

    Examples
    --------
    >>> tool_offsets_options(None), tool_offsets_options(False)
    ('auto', 'none')
    >>> tool_offsets_options({"reference": "gr"})
    {'reference': 'GR'}
    """
    if value is None or value == "auto":
        return "auto"
    if value is False or (isinstance(value, str) and value.strip().lower() in ("none", "off")):
        return "none"
    if not isinstance(value, dict):
        raise ConfigError(f"tool_offsets: expected 'auto', 'none' or {{reference: MNEMONIC}}, got {value!r}")
    for key in value:
        if key != "reference":
            raise ConfigError(f"tool_offsets.{key}: unknown key (expected reference)")
    reference = value.get("reference", "auto")
    if not isinstance(reference, str) or not reference.strip():
        raise ConfigError(f"tool_offsets.reference: expected a curve mnemonic (e.g. GR) or 'auto', got {reference!r}")
    if normalize is not None:
        raise ConfigError("tool_offsets and normalize both correct tool differences: give one of them "
                          "(tool_offsets: none to use normalize)")
    reference = "auto" if reference.strip().lower() == "auto" else tool_family(reference)
    return {"reference": reference}


def offsets_mode(value) -> tuple[str, str | None]:
    """``(mode, reference)`` of a validated ``tool_offsets`` value: mode ``"auto"`` (applied when it can be),
    ``"none"`` or ``"on"`` (required: an error when it cannot be estimated). ``{reference, required: False}``
    (what ``krigflow validate`` gives a fold of an ``auto`` run) is ``auto`` with a chosen reference.

    Examples
    --------
    >>> offsets_mode("auto"), offsets_mode("none"), offsets_mode({"reference": "GR"})
    (('auto', 'auto'), ('none', None), ('on', 'GR'))
    >>> offsets_mode({"reference": "GR", "required": False})
    ('auto', 'GR')
    """
    if value is None or value == "auto":
        return "auto", "auto"
    if value == "none":
        return "none", None
    return ("on" if value.get("required", True) else "auto"), value["reference"]


@dataclass(frozen=True)
class ToolOffsets:
    """What :func:`estimate_family_offsets` found, and the shift applied to each well.

    Parameters
    ----------
    families : dict
        Family -> list of well names.
    means : dict
        Well name -> mean residual after the depth trend (property units).
    offsets : dict
        Family -> shrunk offset ``f_k`` (property units; relative to the mean of the families).
    sigma_f2, tau2 : float
        Variance of the family offsets and of the well means within a family.
    reference : str or None
        The reference family (None: no shift).
    shifts : dict
        Well name -> value subtracted from its log (``f[family] - f[reference]``; 0 without a reference).
    reason : str
        Why the offsets are (not) applied.
    """

    families: dict
    means: dict
    offsets: dict = field(default_factory=dict)
    sigma_f2: float = 0.0
    tau2: float = 0.0
    reference: str | None = None
    shifts: dict = field(default_factory=dict)
    reason: str = ""

    @property
    def applied(self) -> bool:
        """True when some well's log is shifted."""
        return self.reference is not None and any(s != 0.0 for s in self.shifts.values())

    def record(self) -> dict:
        """JSON-ready record for ``summary.json``."""
        return {"applied": self.applied, "reference": self.reference, "reason": self.reason,
                "families": {k: list(v) for k, v in self.families.items()},
                "offsets": {k: float(v) for k, v in self.offsets.items()},
                "sigma_f2": float(self.sigma_f2), "tau2": float(self.tau2),
                "well_means": {k: float(v) for k, v in self.means.items()},
                "shifts": {k: float(v) for k, v in self.shifts.items()}}


def _binned(tvdss, values, height):
    """Mean of one well's samples in depth bins of ``height`` (the trend's input, like upscaled data)."""
    ok = np.isfinite(tvdss) & np.isfinite(values)
    t, v = tvdss[ok], values[ok]
    if t.size == 0:
        return t, v
    key = np.floor(t / height).astype(np.int64)
    _, inverse = np.unique(key, return_inverse=True)
    count = np.bincount(inverse)
    return (np.bincount(inverse, t) / count, np.bincount(inverse, v) / count)


def well_mean_residuals(tvdss, values, names, trend_options=None, height=BIN_HEIGHT) -> dict:
    """Each well's mean residual after a depth trend fitted to every well (binned in ``height`` m).

    Parameters
    ----------
    tvdss, values : sequence of arrays
        One array per well.
    names : sequence of str
        Well names.
    trend_options : dict, optional
        ``{kind, window, degree}`` of :func:`krigflow.trend.fit_trend` (default ``auto``).
    height : float
        Bin height (m).

    Returns
    -------
    dict
        Well name -> mean residual (wells without a valid sample are left out).
    """
    from krigflow.trend import fit_trend

    opts = dict(trend_options or {"kind": "auto"})
    binned = [_binned(np.asarray(t, dtype=float), np.asarray(v, dtype=float), height) for t, v in zip(tvdss, values)]
    t = np.concatenate([b[0] for b in binned])
    v = np.concatenate([b[1] for b in binned])
    well = np.concatenate([np.full(b[0].size, i) for i, b in enumerate(binned)])
    if v.size == 0:
        return {}
    kind = opts.get("kind", "auto")
    trend = fit_trend(t, v, well, kind=kind, window=opts.get("window"), degree=opts.get("degree") or 2,
                      spacing_z=height)
    r = trend.remove(t, v)
    return {names[i]: float(np.mean(r[well == i])) for i in range(len(names)) if np.any(well == i)}


def estimate_family_offsets(means, family_of) -> tuple[dict, float, float]:
    """Shrunk family offsets from the wells' mean residuals (one-way random effects, moments).

    Parameters
    ----------
    means : dict
        Well name -> mean residual.
    family_of : dict
        Well name -> tool family.

    Returns
    -------
    offsets : dict
        Family -> ``f_k`` (best linear unbiased predictor, relative to the mean of the family means).
    sigma_f2, tau2 : float
        Variance of the family offsets; within-family variance of the well means.

    Raises
    ------
    ValueError
        Fewer than two families, or no family with two wells (``tau2`` not estimable).

    Examples
    --------
    Two families 10 apart, wells within a family 1 apart:

    >>> off, sf2, t2 = estimate_family_offsets({"a": 0.0, "b": 1.0, "c": 10.0, "d": 11.0},
    ...                                        {"a": "X", "b": "X", "c": "Y", "d": "Y"})
    >>> round(t2, 3), round(sf2, 3), {k: round(v, 3) for k, v in off.items()}
    (0.5, 49.75, {'X': -4.975, 'Y': 4.975})
    """
    groups = {}
    for name, m in means.items():
        groups.setdefault(family_of[name], []).append(float(m))
    if len(groups) < 2:
        raise ValueError("fewer than two tool families")
    dof = sum(len(g) - 1 for g in groups.values())
    if dof == 0:
        raise ValueError("no tool family has two wells: the spread within a family cannot be estimated")
    tau2 = sum(float(np.sum((np.asarray(g) - np.mean(g)) ** 2)) for g in groups.values()) / dof
    fam = sorted(groups)
    ybar = np.array([np.mean(groups[k]) for k in fam])
    n = np.array([len(groups[k]) for k in fam], dtype=float)
    centre = float(np.mean(ybar))
    s_b2 = float(np.sum((ybar - centre) ** 2) / (len(fam) - 1))
    sigma_f2 = max(0.0, s_b2 - float(np.mean(tau2 / n)))
    shrink = sigma_f2 / (sigma_f2 + tau2 / n) if sigma_f2 + tau2 > 0 else np.zeros_like(n)
    return {k: float(s * (y - centre)) for k, s, y in zip(fam, shrink, ybar)}, sigma_f2, tau2


def choose_reference(families, sizes, property_name=None) -> str:
    """The default reference family: named like the property, else most wells, then most samples, then name.

    Examples
    --------
    >>> choose_reference({"ECGR": ["a", "b"], "GR": ["c"]}, {"a": 5, "b": 5, "c": 9}, "GR")
    'GR'
    >>> choose_reference({"ECGR": ["a", "b"], "GRD": ["c"]}, {"a": 5, "b": 5, "c": 9}, "GR")
    'ECGR'
    """
    prop = tool_family(property_name) if property_name else None
    if prop in families:
        return prop
    return min(families, key=lambda k: (-len(families[k]), -sum(sizes.get(w, 0) for w in families[k]), k))


def _estimate(wells, parts, config, reference):
    names = [w.name for w in wells]
    family_of = {w.name: tool_family(w.curve) for w in wells}
    families = {}
    for w in wells:
        families.setdefault(family_of[w.name], []).append(w.name)
    means = well_mean_residuals([p[2] for p in parts], [p[3] for p in parts], names, config.get("trend"))
    base = ToolOffsets(families=families, means=means)
    if len(families) < 2:
        return dataclasses.replace(base, reason="one tool family")
    try:
        offsets, sigma_f2, tau2 = estimate_family_offsets(means, {n: family_of[n] for n in means})
    except ValueError as exc:
        return dataclasses.replace(base, reason=str(exc))
    sizes = {w.name: int(p[3].size) for w, p in zip(wells, parts)}
    if reference == "auto":       # among the families with data
        with_data = {k: [n for n in v if n in means] for k, v in families.items()}
        reference = choose_reference({k: v for k, v in with_data.items() if v}, sizes, config.get("property"))
    if reference not in offsets:
        raise ConfigError(f"tool_offsets.reference: {reference!r} is not the property curve of any well with data "
                          f"(tool families: {', '.join(sorted(offsets))})")
    shifts = {n: offsets.get(family_of[n], 0.0) - offsets[reference] for n in names}
    reason = (f"{len(families)} tool families; offsets shrunk by sigma_f2 {sigma_f2:.4g} against tau2 {tau2:.4g}; "
              f"logs shifted to read as {reference}")
    return ToolOffsets(families=families, means=means, offsets=offsets, sigma_f2=sigma_f2, tau2=tau2,
                       reference=reference, shifts=shifts, reason=reason)


def describe(offsets) -> str:
    """One line for ``krigflow inspect`` and the run's warning: reference, offsets and their families.

    Examples
    --------
    >>> t = ToolOffsets(families={"ECGR": ["a", "b"], "GR": ["c", "d"]}, means={}, offsets={"ECGR": -9.0, "GR": 9.0},
    ...                 sigma_f2=80.0, tau2=4.0, reference="GR", shifts={})
    >>> describe(t)
    'read as GR: ECGR -18 (a, b); GR +0 (c, d)'
    >>> describe(ToolOffsets(families={}, means={}, reason="one tool family"))
    'none (one tool family)'
    """
    if offsets.reference is None:
        return f"none ({offsets.reason})"
    ref = offsets.offsets[offsets.reference]
    return f"read as {offsets.reference}: " + "; ".join(
        f"{k} {offsets.offsets[k] - ref:+.3g} ({', '.join(offsets.families[k])})" for k in sorted(offsets.offsets))


def estimate_tool_offsets(wells, config, reference="auto") -> ToolOffsets:
    """The tool offsets of wells, without shifting anything (what ``krigflow inspect`` reports).

    Parameters
    ----------
    wells : sequence of krigflow.wells.well.Well
        The wells (``curve``, ``tvdss``, ``values``).
    config : dict
        ``property`` and ``trend`` (options of :func:`krigflow.trend.fit_trend`; default ``auto``).
    reference : str
        ``"auto"`` or a family.

    Returns
    -------
    ToolOffsets
        ``reference`` None (and ``reason``) when the offsets cannot be estimated.
    """
    parts = []
    for w in wells:
        t, v = np.asarray(w.tvdss, dtype=float), np.asarray(w.values, dtype=float)
        ok = np.isfinite(t) & np.isfinite(v)
        parts.append((None, None, t[ok], v[ok]))
    return _estimate(list(wells), parts, config, reference)


def apply_tool_offsets(wells, parts, config) -> tuple[list, list, ToolOffsets | None]:
    """Estimate the tool offsets of a run and shift every well's log to the reference tool.

    Parameters
    ----------
    wells : sequence of krigflow.wells.well.Well
        The wells (their ``curve`` gives the tool family).
    parts : sequence of tuples
        ``(easting, northing, tvdss, values)`` of each well's valid samples (modelling units: log10 in a
        log10 run).
    config : dict
        Validated configuration (``tool_offsets``, ``trend``, ``property``, ``normalize``).

    Returns
    -------
    parts : list
        The samples with each well's shift subtracted.
    wells : list
        The wells with their values shifted alike (zoned runs read the wells).
    offsets : ToolOffsets or None
        None when ``tool_offsets`` is ``none``.

    Raises
    ------
    krigflow.exceptions.ConfigError
        ``tool_offsets: {reference: NAME}`` when NAME is no well's property curve, or when the offsets
        cannot be estimated (one family, or no family with two wells).
    """
    mode, reference = offsets_mode(config.get("tool_offsets"))
    if mode == "none":
        return list(parts), list(wells), None
    if mode == "auto" and config.get("normalize") is not None:
        return list(parts), list(wells), ToolOffsets(families={}, means={}, reason="normalize: given")
    result = _estimate(wells, parts, config, reference)
    if result.reference is None:
        if mode == "on":
            raise ConfigError(f"tool_offsets: cannot estimate tool offsets ({result.reason}); "
                              "use tool_offsets: none")
        return list(parts), list(wells), result
    shifted_parts, shifted_wells = [], []
    for w, p in zip(wells, parts):
        s = result.shifts[w.name]
        shifted_parts.append((p[0], p[1], p[2], np.asarray(p[3], dtype=float) - s))
        shifted_wells.append(dataclasses.replace(w, values=np.asarray(w.values, dtype=float) - s) if s else w)
    logger.warning("%s comes from %d tool families: each log shifted to be %s (tool_offsets: none to switch off)",
                   config.get("property", "the property"), len(result.families), describe(result))
    return shifted_parts, shifted_wells, result
