"""Figures of a corner-point (zoned) model: a map along a layer or a zone, a section with the true cell geometry.

Each plot function takes ``ax=None`` (a new pyplot figure) and returns the axes; files are written through
:func:`~krigflow.plotting._axes.new_figure` (no pyplot state, backend never switched).
"""
from __future__ import annotations

import logging

import numpy as np

from krigflow.plotting._axes import axes_or_new, new_figure, save_figure

logger = logging.getLogger(__name__)

__all__ = ["plot_cornerpoint_section", "plot_layer_map", "plot_zone_map", "write_cornerpoint_figures"]


def plot_layer_map(sgrid, values, k, *, ax=None, title=None, label="", wells=None, **kwargs):
    """Map of one layer ``k`` of a property ``(ncol, nrow, nk)`` (the layer follows the horizons).

    Parameters
    ----------
    sgrid : krigflow.zones.StratigraphicGrid
    values : array, shape (ncol, nrow, nk)
    k : int
        Layer (0 = top).
    ax : matplotlib axes, optional
    title, label : str
    wells : sequence of (name, easting, northing), optional
        Well positions to mark.
    """
    ax = axes_or_new(ax, (7, 6))
    mesh = ax.pcolormesh(sgrid.lattice.node_easting, sgrid.lattice.node_northing, np.asarray(values)[:, :, k].T,
                         shading="flat", **kwargs)
    ax.figure.colorbar(mesh, ax=ax, label=label)
    zone = sgrid.zone_names[int(sgrid.zone_of_layer[k])]
    ax.set_title(title or f"layer {k + 1} (zone {zone})")
    _finish_map(ax, wells)
    return ax


def plot_zone_map(sgrid, values, zone, *, ax=None, title=None, label="", wells=None, **kwargs):
    """Map of the mean of a property over the layers of one zone (index or name)."""
    q = sgrid.zone_names.index(zone) if isinstance(zone, str) else int(zone)
    part = np.asarray(values, dtype=float)[:, :, sgrid.layer_start[q]:sgrid.layer_start[q + 1]]
    ax = axes_or_new(ax, (7, 6))
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(np.isfinite(part), part, np.nan), axis=2) if part.size else part
    mesh = ax.pcolormesh(sgrid.lattice.node_easting, sgrid.lattice.node_northing, mean.T, shading="flat", **kwargs)
    ax.figure.colorbar(mesh, ax=ax, label=label)
    ax.set_title(title or f"zone {sgrid.zone_names[q]}: mean over its {part.shape[2]} layers")
    _finish_map(ax, wells)
    return ax


def _finish_map(ax, wells):
    from matplotlib.ticker import MaxNLocator
    for name, e, n in wells or ():
        ax.plot(e, n, "k^", ms=5)
        ax.annotate(name, (e, n), textcoords="offset points", xytext=(3, 3), fontsize=7)
    ax.set_xlabel("easting (m)")
    ax.set_ylabel("northing (m)")
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.set_aspect("equal")


def plot_cornerpoint_section(sgrid, values, *, row=None, column=None, ax=None, title=None, label="", tops=None,
                             **kwargs):
    """Vertical section along a grid row (constant j, along easting) or column, cells drawn with their corners.

    Each cell is the quadrilateral between its two pillars at the section (the mean of the pillar pairs on
    either side of the row) and its top and base interfaces; the horizons are drawn as lines.

    Parameters
    ----------
    sgrid : krigflow.zones.StratigraphicGrid
    values : array, shape (ncol, nrow, nk)
    row, column : int
        The row j (section along easting; default the middle row) or the column i (along northing).
    tops : krigflow.zones.Tops, optional
        Placed tops to mark (those within one cell of the section).
    """
    from matplotlib.collections import PolyCollection
    values = np.asarray(values, dtype=float)
    if column is not None:
        ifc = 0.5 * (sgrid.interfaces[column] + sgrid.interfaces[column + 1])           # (nrow+1, nk+1)
        axis, vals, xlabel = sgrid.lattice.node_northing, values[column], "northing (m)"
        cut = (sgrid.lattice.centre_easting[column], 0)
    else:
        row = sgrid.lattice.shape[1] // 2 if row is None else row
        ifc = 0.5 * (sgrid.interfaces[:, row] + sgrid.interfaces[:, row + 1])             # (ncol+1, nk+1)
        axis, vals, xlabel = sgrid.lattice.node_easting, values[:, row], "easting (m)"
        cut = (sgrid.lattice.centre_northing[row], 1)
    n, nk = vals.shape
    polys = []
    for i in range(n):
        for k in range(nk):
            polys.append([(axis[i], ifc[i, k]), (axis[i + 1], ifc[i + 1, k]), (axis[i + 1], ifc[i + 1, k + 1]),
                          (axis[i], ifc[i, k + 1])])
    ax = axes_or_new(ax, (10, 5))
    coll = PolyCollection(polys, array=np.ma.masked_invalid(vals.ravel()), edgecolors="none", **kwargs)
    ax.add_collection(coll)
    ax.figure.colorbar(coll, ax=ax, label=label)
    for s, name in enumerate(sgrid.surface_names):
        depth = sgrid.surfaces[s]
        line = 0.5 * (depth[column] + depth[column + 1]) if column is not None else 0.5 * (depth[:, row]
                                                                                         + depth[:, row + 1])
        ax.plot(axis, line, "k-", lw=0.8)
        ax.annotate(name, (axis[0], line[0]), fontsize=7, va="bottom")
    if tops is not None and len(tops):
        half = sgrid.lattice.spacing[1 - cut[1]]
        coord = tops.northing if cut[1] == 1 else tops.easting
        along = tops.easting if cut[1] == 1 else tops.northing
        near = np.abs(coord - cut[0]) <= half
        ax.plot(along[near], tops.tvdss[near], "wo", mec="k", ms=4, label="tops")
    ax.set_xlim(axis[0], axis[-1])
    ax.set_ylim(float(np.max(ifc)) + 1.0, float(np.min(ifc)) - 1.0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("TVDSS (m)")
    where = f"row {row + 1}" if column is None else f"column {column + 1}"
    ax.set_title(title or f"section along {where} (cells with their corner-point geometry)")
    return ax


def write_cornerpoint_figures(folder, sgrid, stats, *, label="", tops=None, wells=None, dpi=110) -> list:
    """PNG figures of a zoned run: one map per zone (mean), the top layer map, and a section (mean, std).

    Parameters
    ----------
    folder : str
        Output folder (exists).
    sgrid : krigflow.zones.StratigraphicGrid
    stats : mapping of str to array (ncol, nrow, nk)
        Must hold ``mean``; ``std`` is drawn too when present.
    wells : sequence of (name, easting, northing), optional
        Well heads marked on the maps.

    Returns
    -------
    list of str
        Files written.
    """
    import os

    written = []
    for q in range(sgrid.n_zones):
        fig = new_figure(7.0, 6.0)
        plot_zone_map(sgrid, stats["mean"], q, ax=fig.subplots(), label=label, wells=wells)
        written.append(save_figure(fig, os.path.join(folder, f"zone_{q + 1}_mean.png"), dpi))
    for key in ("mean", "std"):
        if key in stats:
            fig = new_figure(10.0, 5.0)
            plot_cornerpoint_section(sgrid, stats[key], ax=fig.subplots(), label=f"{key} {label}".strip(), tops=tops)
            written.append(save_figure(fig, os.path.join(folder, f"section_{key}.png"), dpi))
    logger.info("wrote %d corner-point figures in %s", len(written), folder)
    return written
