"""Map slices of a statistic at given TVDSS depths, with the wells and the conditioning data of the layer."""

from __future__ import annotations

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.io import grid_geometry
from krigflow.plotting._axes import (
    as_arrays,
    axes_or_new,
    colour_limits,
    colour_map,
    new_figure,
    plain_axes,
    property_of,
    save_figure,
    stat_label,
)

__all__ = ["default_slices", "plot_map", "slice_index", "write_map_figure"]


def default_slices(tvdss) -> list:
    """Three slice depths: cell centres nearest to 25, 50 and 75 % of the depth range.

    Examples
    --------
    >>> default_slices(np.arange(1002.5, 1200, 5.0))
    [1052.5, 1097.5, 1147.5]
    """
    tvdss = np.asarray(tvdss, dtype=float)
    lo, hi = tvdss[0], tvdss[-1]
    picks = [tvdss[np.argmin(np.abs(tvdss - (lo + f * (hi - lo))))] for f in (0.25, 0.5, 0.75)]
    return [float(v) for v in dict.fromkeys(picks)]


def slice_index(tvdss, depth, spacing) -> int:
    """Index of the cell layer holding TVDSS ``depth``.

    Raises
    ------
    KrigflowError
        If ``depth`` is outside the grid (the message gives the grid's depth range).

    Examples
    --------
    >>> slice_index([1001.0, 1003.0, 1005.0], 1003.9, 2.0)
    1
    """
    tvdss = np.asarray(tvdss, dtype=float)
    k = int(np.argmin(np.abs(tvdss - depth)))
    if abs(tvdss[k] - depth) > 0.5 * spacing + 1e-9:
        raise KrigflowError(
            f"slice at TVDSS {depth:g} m is outside the grid (TVDSS {tvdss[0] - spacing / 2:g} to "
            f"{tvdss[-1] + spacing / 2:g} m)"
        )
    return k


def plot_map(
    arrays,
    stat="mean",
    depth=None,
    *,
    ax=None,
    wells=None,
    prop=None,
    unit=None,
    spacing=None,
    vmin=None,
    vmax=None,
    colorbar=True,
):
    """Draw the map slice of one statistic at one TVDSS depth, with the wells.

    Parameters
    ----------
    arrays : mapping of str to array, or xarray.Dataset
        The statistics (``stats.npz`` content, ``run_local(...)["arrays"]`` or :func:`krigflow.io.to_dataset`).
    stat : str, default "mean"
        Statistic to draw (a 3-D array in ``arrays``).
    depth : float, optional
        TVDSS (m) of the slice (the cell layer holding it is drawn). Default: the middle of
        :func:`default_slices`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new pyplot figure).
    wells : dict, optional
        ``wells.npz`` content (:func:`krigflow.io.read_wells`): trajectories (grey), where each well crosses
        the slice (black dot) and the conditioning data of the layer (circles on the same colour scale).
    prop, unit : str, optional
        Property name and unit for the labels (default: a Dataset's ``property`` and ``property_unit``
        attributes, else "property" and no unit).
    spacing : sequence of 3 float, optional
        Cell size (needed only for single-cell axes).
    vmin, vmax : float, optional
        Colour limits (default :func:`krigflow.plotting._axes.colour_limits`).
    colorbar : bool, default True
        Add a colour bar beside ``ax``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KrigflowError
        If ``stat`` is missing or ``depth`` is outside the grid.
    """
    prop, unit = property_of(arrays, prop, unit)
    arrays = as_arrays(arrays)
    if stat not in arrays:
        raise KrigflowError(f"statistic {stat!r} not in the results (have: {', '.join(arrays)})")
    geom = grid_geometry(arrays, spacing)
    (nx, ny, _), (dx, dy, dz), (e0, n0, _) = geom["shape"], geom["spacing"], geom["lower"]
    e_edges, n_edges = e0 + dx * np.arange(nx + 1), n0 + dy * np.arange(ny + 1)
    tvdss = np.asarray(arrays["tvdss"], dtype=float)
    if depth is None:
        slices = default_slices(tvdss)
        depth = slices[len(slices) // 2]
    k = slice_index(tvdss, depth, dz)
    lo, hi = colour_limits(arrays, stat)
    vmin, vmax = (lo if vmin is None else vmin), (hi if vmax is None else vmax)
    ax = axes_or_new(ax, (6.0, 5.0))
    value = np.asarray(arrays[stat], dtype=float)
    mesh = ax.pcolormesh(
        e_edges,
        n_edges,
        value[:, :, k].T,
        cmap=colour_map(stat),
        vmin=vmin,
        vmax=vmax,
        shading="flat",
        rasterized=True,
    )
    if wells is not None:
        _draw_wells(ax, wells, tvdss[k], dz, stat, vmin, vmax)
    ax.set_title(f"TVDSS {tvdss[k]:g} m (layer {k})", fontsize=10)
    ax.set_xlabel("Easting (m)")
    ax.set_ylabel("Northing (m)")
    ax.set_aspect("equal")
    ax.set_xlim(e_edges[0], e_edges[-1])
    ax.set_ylim(n_edges[0], n_edges[-1])
    plain_axes(ax)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    ax.tick_params(axis="y", labelsize=8)
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=stat_label(stat, prop, unit), shrink=0.9)
    return ax


def _draw_wells(ax, wells, depth, dz, stat, vmin, vmax):
    names = wells["names"]
    te, tn, tt, tw = (wells.get(f"trace_{k}", np.zeros(0)) for k in ("easting", "northing", "tvdss", "well"))
    for i, name in enumerate(names):
        sel = tw == i
        if not np.any(sel):
            continue
        ax.plot(te[sel], tn[sel], color="0.35", lw=0.8)
        order = np.argsort(tt[sel])
        ts, es, ns = tt[sel][order], te[sel][order], tn[sel][order]
        if ts[0] <= depth <= ts[-1]:  # where the well crosses the slice
            e, n = np.interp(depth, ts, es), np.interp(depth, ts, ns)
            ax.plot(e, n, "o", ms=3.5, color="k")
        else:
            e, n = es[0], ns[0]
            ax.plot(e, n, "o", ms=3.5, mfc="none", mec="k")
        ax.annotate(name, (e, n), xytext=(3, 3), textcoords="offset points", fontsize=7)
    if "data_tvdss" in wells and stat != "std":
        sel = np.abs(wells["data_tvdss"] - depth) <= 0.5 * dz
        if np.any(sel):
            ax.scatter(
                wells["data_easting"][sel],
                wells["data_northing"][sel],
                c=wells["data_value"][sel],
                cmap=colour_map(stat),
                vmin=vmin,
                vmax=vmax,
                s=30,
                edgecolors="w",
                linewidths=0.8,
                zorder=3,
            )


def write_map_figure(arrays, stat, depths, path, *, wells=None, prop="property", unit="", spacing=None, dpi=110):
    """Write a PNG of the map slices of one statistic at TVDSS ``depths``, side by side, with the wells.

    Parameters
    ----------
    arrays : mapping of str to array, or xarray.Dataset
        The statistics.
    stat : str
        Statistic to draw.
    depths : sequence of float
        TVDSS (m) of the slices.
    path : str
        PNG file to write.
    wells, prop, unit, spacing
        As for :func:`plot_map`.
    dpi : int, default 110

    Returns
    -------
    str
        ``path``.

    Raises
    ------
    KrigflowError
        If ``stat`` is missing or a depth is outside the grid.
    """
    arrays = as_arrays(arrays)
    if stat not in arrays:
        raise KrigflowError(f"statistic {stat!r} not in the results (have: {', '.join(arrays)})")
    geom = grid_geometry(arrays, spacing)
    (nx, ny, _), (dx, dy, dz), _ = geom["shape"], geom["spacing"], geom["lower"]
    for depth in depths:  # all requests checked before drawing
        slice_index(arrays["tvdss"], depth, dz)
    vmin, vmax = colour_limits(arrays, stat)
    aspect = (ny * dy) / (nx * dx)
    width = min(16.0, 1.6 + 4.0 * len(depths))
    panel = (width - 1.6) / len(depths)
    fig = new_figure(width, min(9.0, max(3.0, panel * aspect + 1.5)))
    axes = fig.subplots(1, len(depths), squeeze=False, sharex=True, sharey=True)[0]
    for ax, depth in zip(axes, depths):
        plot_map(
            arrays, stat, depth, ax=ax, wells=wells, prop=prop, unit=unit, spacing=spacing, vmin=vmin, vmax=vmax,
            colorbar=False,
        )
    for ax in axes[1:]:
        ax.set_ylabel("")
    fig.colorbar(axes[0].collections[0], ax=list(axes), label=stat_label(stat, prop, unit), shrink=0.9)
    fig.suptitle(f"{stat_label(stat, prop, unit)}: map slices", fontsize=11)
    return save_figure(fig, path, dpi)
