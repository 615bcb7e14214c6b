"""Eclipse GRDECL (``.grdecl``) of a run's statistics: a corner-point grid plus one keyword per statistic.

Opened by ResInsight, Petrel and xtgeo. I = easting, J = northing, K = tvdss increasing downward.
"""

from __future__ import annotations

import logging
import re

import numpy as np

from krigflow.io.atomic import write_atomically
from krigflow.io.results import grid_geometry, property_name_unit, statistic_arrays, summary_spacing

logger = logging.getLogger(__name__)

__all__ = ["GRDECL_NODATA", "grdecl_keyword", "write_grdecl"]

#: Value written in GRDECL property keywords where a statistic is NaN (GRDECL has no NaN).
GRDECL_NODATA = -999.0

_GRDECL_RESERVED = {"SPECGRID", "COORD", "ZCORN", "ACTNUM", "GRIDUNIT", "MAPAXES", "COORDSYS", "GRID"}


def grdecl_keyword(name, taken=()) -> str:
    """Eclipse keyword (at most 8 characters, upper case) for a statistic name.

    ``prob_gt_``/``prob_lt_`` become ``PGT``/``PLT``; other characters than A-Z, 0-9 and _ are dropped;
    names still longer than 8 characters lose their underscores, then are cut to 8; a name that is a
    grid keyword or already ``taken`` gets a numeric suffix.

    Examples
    --------
    >>> grdecl_keyword("mean"), grdecl_keyword("p10"), grdecl_keyword("prob_gt_80")
    ('MEAN', 'P10', 'PGT_80')
    >>> grdecl_keyword("prob_gt_80.5"), grdecl_keyword("hist_counts_long"), grdecl_keyword("mean", {"MEAN"})
    ('PGT_805', 'HISTCOUN', 'MEAN1')
    """
    key = name.upper().replace("PROB_GT_", "PGT_").replace("PROB_LT_", "PLT_")
    key = re.sub(r"[^A-Z0-9_]", "", key) or "STAT"
    if len(key) > 8:
        key = key.replace("_", "")[:8]
    base, n = key, 0
    while key in _GRDECL_RESERVED or key in taken:
        n += 1
        suffix = str(n)
        key = base[: 8 - len(suffix)] + suffix
    return key


def _grdecl_values(values, fmt, per_line=6):
    """Keyword body: values with Eclipse repeat counts (``n*value``), a few per line, ending with ``/``."""
    tokens = []
    values = np.asarray(values).ravel()
    if values.size:
        change = np.flatnonzero(values[1:] != values[:-1]) + 1
        starts = np.concatenate([[0], change])
        ends = np.concatenate([change, [values.size]])
        for s, e in zip(starts, ends):
            text = fmt % values[s]
            tokens.append(text if e - s == 1 else f"{e - s}*{text}")
    lines = [" ".join(tokens[i : i + per_line]) for i in range(0, len(tokens), per_line)]
    return "\n".join(lines + ["/"])


def write_grdecl(path, arrays, *, summary=None) -> str:
    """Write an Eclipse corner-point grid with one property keyword per statistic (ResInsight, Petrel).

    Layout (Eclipse conventions): ``SPECGRID nx ny nz 1 F``; ``COORD``: ``(nx+1)(ny+1)`` vertical pillars
    (top x y z, bottom x y z), I (easting) fastest, then J (northing); ``ZCORN``: 8 depths per cell in the
    Eclipse order (``2nx`` along I fastest, then ``2ny`` along J, then ``2nz`` along K: top face then bottom
    face of each layer); K increases downward; x = easting, y = northing, z = TVDSS (m, positive down),
    absolute map coordinates (no MAPAXES). ``ACTNUM`` is 0 for cells no realization reached (``count``
    0, or a NaN ``mean`` when there is no ``count``). Property values run I fastest, then J, then K; NaN
    is written as :data:`GRDECL_NODATA` (-999). Keyword names: :func:`grdecl_keyword`.

    Parameters
    ----------
    path : str
        File to write (replaced atomically).
    arrays : mapping of str to array
        ``stats.npz`` content.
    summary : dict, optional
        Run summary (grid spacing for single-cell axes, property name for the header comment).

    Returns
    -------
    str
        ``path``.
    """
    geom = grid_geometry(arrays, summary_spacing(summary))
    (nx, ny, nz), (dx, dy, dz), (e0, n0, t0) = geom["shape"], geom["spacing"], geom["lower"]
    stats = statistic_arrays(arrays)
    prop, unit = property_name_unit(summary)
    x = e0 + dx * np.arange(nx + 1)
    y = n0 + dy * np.arange(ny + 1)
    z = t0 + dz * np.arange(nz + 1)
    px, py = np.meshgrid(x, y, indexing="xy")  # (ny+1, nx+1): I fastest when raveled
    coord = np.stack(
        [px.ravel(), py.ravel(), np.full(px.size, z[0]), px.ravel(), py.ravel(), np.full(px.size, z[-1])],
        axis=1,
    )
    layer_depth = np.repeat(np.stack([z[:-1], z[1:]], axis=1).ravel(), 4 * nx * ny)  # (2nz) layers of 4nxny
    if "count" in stats:
        active = np.asarray(stats["count"]) > 0
    elif "mean" in stats:
        active = np.isfinite(stats["mean"])
    else:
        active = np.ones((nx, ny, nz), dtype=bool)

    def eclipse(value):  # [i, j, k] -> I fastest
        return np.asarray(value).transpose(2, 1, 0).ravel()

    parts = [
        "-- krigflow stochastic kriging statistics (Eclipse GRDECL, corner point)",
        f"-- property {prop} ({unit or 'unit unknown'}); I = easting, J = northing, K = TVDSS down (m)",
        f"-- NaN written as {GRDECL_NODATA:g}; ACTNUM 0 where no realization has a value",
    ]
    keywords = {}
    for name in stats:
        keywords[name] = grdecl_keyword(name, set(keywords.values()))
        parts.append(f"--   {keywords[name]:<8} = {name}")
    parts += [
        "",
        "GRIDUNIT\n'METRES  ' '  ' /",
        "",
        f"SPECGRID\n{nx} {ny} {nz} 1 F /",
        "",
        "COORD\n" + _grdecl_values(coord, "%.10g"),
        "",
        "ZCORN\n" + _grdecl_values(layer_depth, "%.10g"),
        "",
        "ACTNUM\n" + _grdecl_values(eclipse(active).astype(np.int64), "%d", per_line=12),
    ]
    for name, value in stats.items():
        data = eclipse(np.asarray(value, dtype=float))
        data = np.where(np.isfinite(data), data, GRDECL_NODATA)
        parts += ["", f"{keywords[name]}\n" + _grdecl_values(data, "%.8g")]
    parts.append("")

    def write(tmp):
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write("\n".join(parts))

    write_atomically(path, write)
    logger.info("wrote %s (%d statistics)", path, len(stats))
    return path
