"""Tool consistency across wells: is the property the same measurement in every well?

One property read by different tools (ECGR, GR, GRARC, GRD) or recorded in different units (gAPI vs API)
often differs by a constant or a factor per well: on the Poseidon wells the ECGR wells read 2-4 x lower
than the GR wells above ~3000 m. krigflow does not silently mix them: :func:`curve_warnings` says which
wells use which mnemonic and unit, and the run reports each well's mean residual (after the trend), so
that an offset shows up next to the tool that causes it. ``tool_offsets: auto`` (:mod:`krigflow.tool_offsets`,
the default) estimates one offset per tool family and shifts every log to read as a reference tool; the well
effect (:mod:`krigflow.well_effect`) accounts for what is left between wells in the uncertainty; ``normalize:``
(:mod:`krigflow.normalize`) maps distributions instead, for users who know their logs need it.
"""
from __future__ import annotations

__all__ = ["curve_warnings", "normalise_unit"]


def normalise_unit(unit) -> str:
    """Unit label compared case-insensitively, blanks and dots removed (``"gAPI"`` == ``"GAPI"``).

    Examples
    --------
    >>> normalise_unit(" gAPI."), normalise_unit("API")
    ('gapi', 'api')
    """
    return "".join(str(unit or "").split()).strip(".").lower()


def _groups(items):
    groups = {}
    for name, key in items:
        groups.setdefault(key, []).append(name)
    return groups


def curve_warnings(wells, property_name="the property") -> list:
    """Warnings when the property comes from different mnemonics or units across wells.

    Parameters
    ----------
    wells : sequence of dict
        One per well: ``name``, ``curve`` (mnemonic read), ``unit``.
    property_name : str
        For the message.

    Returns
    -------
    list of str
        Empty when every well uses one mnemonic and one unit.

    Examples
    --------
    >>> curve_warnings([{"name": "A", "curve": "GR", "unit": "gAPI"}, {"name": "B", "curve": "GR", "unit": "GAPI"}])
    []
    >>> for w in curve_warnings([{"name": "A", "curve": "GR", "unit": "gAPI"},
    ...                          {"name": "B", "curve": "ECGR", "unit": "API"}], "GR"):
    ...     print(w)
    GR comes from different curves across wells: ECGR (B); GR (A) - tools may read differently (tool_offsets: auto shifts each tool family to a reference tool; check each well's mean residual)
    GR comes in different units across wells: API (B); gAPI (A) - tools may read differently (tool_offsets: auto shifts each tool family to a reference tool; check each well's mean residual)
    """
    out = []
    curves = _groups((w["name"], str(w.get("curve") or "?").upper()) for w in wells)
    units = {}
    for w in wells:
        units.setdefault(normalise_unit(w.get("unit")), (str(w.get("unit") or "?").strip(), []))[1].append(w["name"])
    advice = " - tools may read differently (tool_offsets: auto shifts each tool family to a reference tool; check each well's mean residual)"
    if len(curves) > 1:
        out.append(f"{property_name} comes from different curves across wells: "
                   + "; ".join(f"{c} ({', '.join(names)})" for c, names in sorted(curves.items())) + advice)
    if len(units) > 1:
        out.append(f"{property_name} comes in different units across wells: "
                   + "; ".join(f"{label} ({', '.join(names)})" for label, names in
                               sorted(units.values(), key=lambda x: x[0].lower())) + advice)
    return out
