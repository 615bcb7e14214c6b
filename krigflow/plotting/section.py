"""A vertical section along a polyline through wells, with the wells and their data projected onto it."""

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
    property_of,
    save_figure,
    stat_label,
)

__all__ = ["MAX_SECTION_WELLS", "plot_section", "section_geometry", "section_path", "write_section_figure"]

#: At most this many wells in a default section.
MAX_SECTION_WELLS = 6
#: Statistics drawn on a section, in this order, when present.
SECTION_STATISTICS = ("mean", "std", "p10", "p50", "p90")


def _well_positions(wells):
    """Map position of each well: the centroid of its conditioning data, else of its trajectory."""
    out = {}
    for i, name in enumerate(wells["names"]):
        for prefix in ("data", "trace"):
            sel = wells.get(f"{prefix}_well", np.zeros(0)) == i
            if np.any(sel):
                out[name] = (
                    float(np.mean(wells[f"{prefix}_easting"][sel])),
                    float(np.mean(wells[f"{prefix}_northing"][sel])),
                )
                break
    return out


def section_path(wells, names=None, max_wells=MAX_SECTION_WELLS) -> list:
    """Choose the wells of a vertical section and their order.

    Parameters
    ----------
    wells : dict
        ``wells.npz`` content.
    names : sequence of str, optional
        Wells in the order wanted (matched ignoring case, spaces and underscores). Default: every well
        with a position, ordered along the main trend of their positions (first principal axis), at most
        ``max_wells`` evenly picked along it.
    max_wells : int, default MAX_SECTION_WELLS

    Returns
    -------
    list of (str, (float, float))
        Well name and map position (centroid of its conditioning data) of each section vertex.

    Raises
    ------
    KrigflowError
        If a named well is not in the run (the message lists the wells), or there is no well.

    Examples
    --------
    >>> wells = {"names": ["A", "B"], "trace_well": np.array([0, 1]), "trace_easting": np.array([0.0, 9.0]),
    ...          "trace_northing": np.array([0.0, 0.0])}
    >>> section_path(wells, ["b", "a"])
    [('B', (9.0, 0.0)), ('A', (0.0, 0.0))]
    """
    positions = _well_positions(wells)
    if not positions:
        raise KrigflowError("section: the run has no well positions")
    if names:
        key = lambda s: "".join(ch for ch in s.lower() if ch.isalnum())
        known = {key(n): n for n in positions}
        chosen = []
        for name in names:
            if key(name) not in known:
                raise KrigflowError(f"section well {name!r} is not in this run (wells: {', '.join(positions)})")
            chosen.append(known[key(name)])
        return [(n, positions[n]) for n in chosen]
    names = list(positions)
    xy = np.array([positions[n] for n in names])
    if len(names) > 1:
        centred = xy - xy.mean(axis=0)
        axis = np.linalg.svd(centred, full_matrices=False)[2][0]
        order = np.argsort(centred @ axis)
        if len(order) > max_wells:
            order = order[np.unique(np.linspace(0, len(order) - 1, max_wells).round().astype(int))]
        names = [names[i] for i in order]
    return [(n, positions[n]) for n in names]


def _project(points, vertices):
    """Distance along a polyline and distance from it of each point (nearest segment)."""
    vertices = np.asarray(vertices, dtype=float)
    seg = np.diff(vertices, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    start = np.concatenate([[0.0], np.cumsum(lengths)])
    best_along = np.zeros(len(points))
    best_off = np.full(len(points), np.inf)
    for s in range(len(seg)):
        if lengths[s] == 0:
            continue
        rel = points - vertices[s]
        t = np.clip(rel @ seg[s] / lengths[s] ** 2, 0.0, 1.0)
        off = np.hypot(*(rel - t[:, None] * seg[s]).T)
        better = off < best_off
        best_off[better] = off[better]
        best_along[better] = start[s] + t[better] * lengths[s]
    return best_along, best_off


def section_geometry(arrays, wells, section_wells=None, spacing=None) -> dict:
    """Where a section runs and which cells it crosses.

    Parameters
    ----------
    arrays : mapping of str to array
        The statistics (for the grid).
    wells : dict
        ``wells.npz`` content.
    section_wells : sequence of str, optional
        Wells to pass through, in order (:func:`section_path`). With one well, the section runs
        west-east through it.
    spacing : sequence of 3 float, optional
        Cell size (for single-cell axes).

    Returns
    -------
    dict
        ``vertices`` (section wells and positions), ``polyline`` (map points, a little beyond the end
        wells), ``i``, ``j`` (cell column of each sample point), ``inside`` (point in the grid),
        ``x_edges`` (distance along), ``z_edges`` (TVDSS), ``length``, ``tolerance`` (how far from the
        section wells and data are drawn) and ``exaggeration`` (vertical, of a 14-inch-wide figure).

    Raises
    ------
    KrigflowError
        If a section well is unknown, or the wells chosen are all at one position.
    """
    geom = grid_geometry(arrays, spacing)
    (nx, ny, nz), (dx, dy, dz), (e0, n0, t0) = geom["shape"], geom["spacing"], geom["lower"]
    vertices = section_path(wells, section_wells)
    xy = np.array([v[1] for v in vertices])
    if len(xy) == 1:
        half = 0.5 * nx * dx
        xy = np.array([[max(e0, xy[0, 0] - half), xy[0, 1]], [min(e0 + nx * dx, xy[0, 0] + half), xy[0, 1]]])
    seg = np.diff(xy, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    if float(lengths.sum()) <= 0:
        raise KrigflowError("section: the chosen wells are at one position; choose wells further apart")
    # run a little beyond the end wells, so that they are not on the frame
    margin = max(2.0 * max(dx, dy), 0.03 * float(lengths.sum()))
    first, last = np.flatnonzero(lengths > 0)[[0, -1]]
    xy = np.vstack([xy[0] - margin * seg[first] / lengths[first], xy, xy[-1] + margin * seg[last] / lengths[last]])
    seg = np.diff(xy, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    total = float(lengths.sum())
    step = 0.5 * min(dx, dy)
    along = np.arange(0.0, total + step, step)
    along[-1] = min(along[-1], total)
    start = np.concatenate([[0.0], np.cumsum(lengths)])
    s_idx = np.clip(np.searchsorted(start, along, side="right") - 1, 0, len(seg) - 1)
    frac = (along - start[s_idx]) / np.where(lengths[s_idx] > 0, lengths[s_idx], 1.0)
    pts = xy[s_idx] + frac[:, None] * seg[s_idx]
    i = np.floor((pts[:, 0] - e0) / dx).astype(int)
    j = np.floor((pts[:, 1] - n0) / dy).astype(int)
    inside = (i >= 0) & (i < nx) & (j >= 0) & (j < ny)
    return {
        "vertices": vertices,
        "polyline": xy,
        "i": np.clip(i, 0, nx - 1),
        "j": np.clip(j, 0, ny - 1),
        "inside": inside,
        "x_edges": np.concatenate([[along[0]], 0.5 * (along[1:] + along[:-1]), [along[-1]]]),
        "z_edges": t0 + dz * np.arange(nz + 1),
        "length": total,
        "tolerance": 2.0 * max(dx, dy),
        "exaggeration": (total / (14.0 * 0.85)) / (nz * dz / (2.4 * 0.8)),  # axes ~85 % wide, ~80 % high
    }


def plot_section(
    arrays,
    stat="mean",
    *,
    wells,
    section_wells=None,
    ax=None,
    prop=None,
    unit=None,
    spacing=None,
    colorbar=True,
    well_names=True,
    geometry=None,
):
    """Draw one statistic on a vertical section through wells, with the wells and data projected onto it.

    Parameters
    ----------
    arrays : mapping of str to array, or xarray.Dataset
        The statistics.
    stat : str, default "mean"
        Statistic to draw.
    wells : dict
        ``wells.npz`` content (:func:`krigflow.io.read_wells`).
    section_wells : sequence of str, optional
        Wells to pass through, in order (:func:`section_path`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new pyplot figure).
    prop, unit : str, optional
        Property name and unit for the labels (default: a Dataset's ``property`` and ``property_unit``
        attributes, else "property" and no unit).
    spacing : sequence of 3 float, optional
        Cell size (for single-cell axes).
    colorbar : bool, default True
        Add a colour bar beside ``ax``.
    well_names : bool, default True
        Write the section wells' names above the axes.
    geometry : dict, optional
        :func:`section_geometry` (computed when not given).

    Returns
    -------
    matplotlib.axes.Axes
    """
    prop, unit = property_of(arrays, prop, unit)
    arrays = as_arrays(arrays)
    if stat not in arrays:
        raise KrigflowError(f"statistic {stat!r} not in the results (have: {', '.join(arrays)})")
    g = geometry if geometry is not None else section_geometry(arrays, wells, section_wells, spacing)
    ax = axes_or_new(ax, (14.0, 3.4))
    xy, tolerance = g["polyline"], g["tolerance"]
    value = np.asarray(arrays[stat], dtype=float)[g["i"], g["j"], :].T  # (nz, n_points)
    value[:, ~g["inside"]] = np.nan
    vmin, vmax = colour_limits(arrays, stat)
    mesh = ax.pcolormesh(
        g["x_edges"], g["z_edges"], value, cmap=colour_map(stat), vmin=vmin, vmax=vmax, shading="flat",
        rasterized=True,
    )
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=stat_label(stat, "", unit).strip() or stat, pad=0.01, aspect=12)
    for w, _ in enumerate(wells["names"]):
        sel = wells["trace_well"] == w
        if np.any(sel):
            a, off = _project(np.stack([wells["trace_easting"][sel], wells["trace_northing"][sel]], 1), xy)
            ax.plot(np.where(off <= tolerance, a, np.nan), wells["trace_tvdss"][sel], color="k", lw=0.9)
    if "data_tvdss" in wells and len(wells["data_tvdss"]):
        a, off = _project(np.stack([wells["data_easting"], wells["data_northing"]], 1), xy)
        near = off <= tolerance
        if stat == "std":
            ax.plot(a[near], wells["data_tvdss"][near], ".", color="w", ms=2)
        else:
            ax.scatter(
                a[near], wells["data_tvdss"][near], c=wells["data_value"][near], cmap=colour_map(stat),
                vmin=vmin, vmax=vmax, s=10, edgecolors="k", linewidths=0.3, zorder=3,
            )
    z_edges = g["z_edges"]
    ax.set_ylim(z_edges[-1], z_edges[0])  # depth down
    ax.set_ylabel("TVDSS (m)")
    ax.set_xlabel("Distance along section (m)")
    ax.set_xlim(g["x_edges"][0], g["x_edges"][-1])
    ax.text(
        0.005, 0.03, stat_label(stat, prop, unit), transform=ax.transAxes, fontsize=9,
        bbox={"facecolor": "w", "alpha": 0.8, "lw": 0},
    )
    for name, position in g["vertices"]:
        a, _ = _project(np.array([position]), xy)
        ax.axvline(a[0], color="w", lw=0.5, ls=":")
        if well_names:
            ax.annotate(
                name, (a[0], 1.0), xycoords=("data", "axes fraction"), xytext=(0, 3), textcoords="offset points",
                ha="center", va="bottom", fontsize=8,
            )
    return ax


def write_section_figure(
    arrays, path, *, wells, section_wells=None, statistics=None, prop="property", unit="", spacing=None, dpi=110
):
    """Write a PNG of a vertical section through wells, one row per statistic.

    Parameters
    ----------
    arrays : mapping of str to array, or xarray.Dataset
        The statistics.
    path : str
        PNG file to write.
    wells : dict
        ``wells.npz`` content.
    section_wells : sequence of str, optional
        Wells to pass through, in order (:func:`section_path`).
    statistics : sequence of str, optional
        Rows (default: mean, std, p10, p50, p90 when present).
    prop, unit, spacing
        As for :func:`plot_section`.
    dpi : int, default 110

    Returns
    -------
    str
        ``path``.
    """
    arrays = as_arrays(arrays)
    stats = [s for s in (statistics or SECTION_STATISTICS) if s in arrays]
    g = section_geometry(arrays, wells, section_wells, spacing)
    fig = new_figure(14.0, 1.0 + 2.4 * len(stats))
    axes = fig.subplots(len(stats), 1, squeeze=False, sharex=True)[:, 0]
    for row, (ax, stat) in enumerate(zip(axes, stats)):
        plot_section(arrays, stat, wells=wells, ax=ax, prop=prop, unit=unit, well_names=row == 0, geometry=g)
        if row < len(stats) - 1:
            ax.set_xlabel("")
    fig.suptitle(
        f"Vertical section through {', '.join(n for n, _ in g['vertices'])} "
        f"(vertical exaggeration about {g['exaggeration']:.0f}x; wells and data within {g['tolerance']:g} m "
        "of the section drawn)",
        fontsize=10,
    )
    return save_figure(fig, path, dpi)
