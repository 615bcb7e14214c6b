"""Figures of a run's results (PNG, matplotlib): map slices, a vertical section, histogram and variogram.

:func:`plot_results` reads what a run wrote (``stats.npz``, ``summary.json``, ``wells.npz``) and writes into
``<output>/figures/``:

* ``map_<stat>.png`` for ``mean``, ``std`` and, when present, ``p10``, ``p50`` and ``p90``: one panel per
  TVDSS slice, with the well trajectories (grey), where each well crosses the slice (black dot) and the
  conditioning data of that layer (circles coloured by their value, on the same colour scale);
* ``section.png``: a vertical section along a polyline through chosen wells, one row per statistic, with
  the wells and their conditioning data projected onto it;
* ``histogram.png``: conditioning data against the realizations (the pooled histogram ``hist_counts`` /
  ``hist_edges`` when the run wrote one; otherwise the cell means, labelled as such);
* ``variogram.png``: the experimental variogram and the model, when a variogram was fitted (the summary or
  ``variogram.json`` holds ``experimental`` points, see :func:`find_variogram_fit`).

Only the object-oriented matplotlib API is used (``Figure`` + Agg canvas), never ``pyplot``: no global state,
no display needed, safe in worker processes.
"""

from __future__ import annotations

import json
import logging
import os

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.io import grid_geometry, load_results, property_name_unit, read_wells

logger = logging.getLogger(__name__)

__all__ = [
    "FIGURE_DIR",
    "default_slices",
    "find_variogram_fit",
    "plot_histogram",
    "plot_maps",
    "plot_results",
    "plot_section",
    "plot_variogram",
    "section_path",
]

#: Folder (inside the output folder) the figures are written to.
FIGURE_DIR = "figures"
#: Statistics drawn on maps and sections, in this order, when present.
MAP_STATISTICS = ("mean", "std", "p10", "p50", "p90")
#: At most this many wells in a default section.
MAX_SECTION_WELLS = 6


def _figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path, dpi):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp.png"
    fig.savefig(tmp, dpi=dpi)
    os.replace(tmp, path)
    logger.info("wrote %s", path)
    return path


def _label(stat, prop, unit):
    names = {"mean": "mean", "std": "standard deviation", "p10": "P10", "p50": "P50", "p90": "P90"}
    return f"{prop} {names.get(stat, stat)}" + (f" ({unit})" if unit else "")


def _limits(arrays, stat):
    """Colour limits: value statistics share one scale (1st-99th percentile), others their own."""
    group = (
        [s for s in ("mean", "p10", "p50", "p90", "min", "max") if s in arrays] if stat != "std" else [stat]
    )
    if stat not in group:
        group = [stat]
    values = np.concatenate([np.asarray(arrays[s], dtype=float).ravel() for s in group])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    lo, hi = np.percentile(values, [1, 99])
    return (float(lo), float(hi)) if hi > lo else (float(lo) - 0.5, float(hi) + 0.5)


def _cmap(stat):
    return "magma" if stat == "std" else "viridis"


def _plain_axes(ax):
    for axis in (ax.xaxis, ax.yaxis):
        fmt = axis.get_major_formatter()
        if hasattr(fmt, "set_useOffset"):
            fmt.set_useOffset(False)
            fmt.set_scientific(False)


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


def _slice_index(tvdss, depth, spacing):
    tvdss = np.asarray(tvdss, dtype=float)
    k = int(np.argmin(np.abs(tvdss - depth)))
    if abs(tvdss[k] - depth) > 0.5 * spacing + 1e-9:
        raise KrigflowError(
            f"slice at TVDSS {depth:g} m is outside the grid (TVDSS {tvdss[0] - spacing / 2:g} to "
            f"{tvdss[-1] + spacing / 2:g} m)"
        )
    return k


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


# --- maps ---------------------------------------------------------------------------------------------------


def plot_maps(arrays, stat, depths, path, *, wells=None, prop="property", unit="", spacing=None, dpi=110):
    """Map slices of one statistic at TVDSS ``depths``, with the wells.

    Parameters
    ----------
    arrays : mapping of str to array
        ``stats.npz`` content.
    stat : str
        Statistic to draw (a 3-D array in ``arrays``).
    depths : sequence of float
        TVDSS (m) of the slices (the cell layer holding each depth is drawn).
    path : str
        PNG file to write.
    wells : dict, optional
        ``wells.npz`` content (:func:`krigflow.io.writers.read_wells`).
    prop, unit : str
        Property name and unit for the labels.
    spacing : sequence of 3 float, optional
        Cell size (needed only for single-cell axes).
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
    if stat not in arrays:
        raise KrigflowError(f"statistic {stat!r} not in the results (have: {', '.join(arrays)})")
    geom = grid_geometry(arrays, spacing)
    (nx, ny, _), (dx, dy, dz), (e0, n0, _) = geom["shape"], geom["spacing"], geom["lower"]
    e_edges, n_edges = e0 + dx * np.arange(nx + 1), n0 + dy * np.arange(ny + 1)
    tvdss = np.asarray(arrays["tvdss"], dtype=float)
    ks = [_slice_index(tvdss, d, dz) for d in depths]
    vmin, vmax = _limits(arrays, stat)
    aspect = (n_edges[-1] - n_edges[0]) / (e_edges[-1] - e_edges[0])
    width = min(16.0, 1.6 + 4.0 * len(ks))
    panel = (width - 1.6) / len(ks)
    fig = _figure(width, min(9.0, max(3.0, panel * aspect + 1.5)))
    axes = fig.subplots(1, len(ks), squeeze=False, sharex=True, sharey=True)[0]
    value = np.asarray(arrays[stat], dtype=float)
    mesh = None
    for ax, k in zip(axes, ks):
        mesh = ax.pcolormesh(
            e_edges,
            n_edges,
            value[:, :, k].T,
            cmap=_cmap(stat),
            vmin=vmin,
            vmax=vmax,
            shading="flat",
            rasterized=True,
        )
        if wells is not None:
            _draw_wells_on_map(ax, wells, tvdss[k], dz, stat, vmin, vmax)
        ax.set_title(f"TVDSS {tvdss[k]:g} m (layer {k})", fontsize=10)
        ax.set_xlabel("Easting (m)")
        ax.set_aspect("equal")
        ax.set_xlim(e_edges[0], e_edges[-1])
        ax.set_ylim(n_edges[0], n_edges[-1])
        _plain_axes(ax)
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
        ax.tick_params(axis="y", labelsize=8)
    axes[0].set_ylabel("Northing (m)")
    fig.colorbar(mesh, ax=list(axes), label=_label(stat, prop, unit), shrink=0.9)
    fig.suptitle(f"{_label(stat, prop, unit)}: map slices", fontsize=11)
    return _save(fig, path, dpi)


def _draw_wells_on_map(ax, wells, depth, dz, stat, vmin, vmax):
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
                cmap=_cmap(stat),
                vmin=vmin,
                vmax=vmax,
                s=30,
                edgecolors="w",
                linewidths=0.8,
                zorder=3,
            )


# --- section ------------------------------------------------------------------------------------------------


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

    Returns
    -------
    list of (str, (float, float))
        Well name and map position (centroid of its conditioning data) of each section vertex.

    Raises
    ------
    KrigflowError
        If a named well is not in the run (the message lists the wells), or there is no well.
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
                raise KrigflowError(
                    f"section well {name!r} is not in this run (wells: {', '.join(positions)})"
                )
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


def plot_section(
    arrays,
    path,
    *,
    wells,
    section_wells=None,
    statistics=None,
    prop="property",
    unit="",
    spacing=None,
    dpi=110,
):
    """Vertical section through wells, one row per statistic, with the wells and data projected onto it.

    Parameters
    ----------
    arrays : mapping of str to array
        ``stats.npz`` content.
    path : str
        PNG file to write.
    wells : dict
        ``wells.npz`` content.
    section_wells : sequence of str, optional
        Wells to pass through, in order (:func:`section_path`). With one well, the section runs west-east
        through it.
    statistics : sequence of str, optional
        Rows (default: those of :data:`MAP_STATISTICS` present).
    prop, unit : str
        Property name and unit for the labels.
    spacing : sequence of 3 float, optional
        Cell size (for single-cell axes).
    dpi : int, default 110

    Returns
    -------
    str
        ``path``.
    """
    geom = grid_geometry(arrays, spacing)
    (nx, ny, nz), (dx, dy, dz), (e0, n0, t0) = geom["shape"], geom["spacing"], geom["lower"]
    stats = [s for s in (statistics or MAP_STATISTICS) if s in arrays]
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
    xy = np.vstack(
        [xy[0] - margin * seg[first] / lengths[first], xy, xy[-1] + margin * seg[last] / lengths[last]]
    )
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
    i, j = np.clip(i, 0, nx - 1), np.clip(j, 0, ny - 1)
    x_edges = np.concatenate([[along[0]], 0.5 * (along[1:] + along[:-1]), [along[-1]]])
    z_edges = t0 + dz * np.arange(nz + 1)
    depth_range = nz * dz
    exaggeration = (total / (14.0 * 0.85)) / (depth_range / (2.4 * 0.8))  # axes ~85 % wide, ~80 % high
    fig = _figure(14.0, 1.0 + 2.4 * len(stats))
    axes = fig.subplots(len(stats), 1, squeeze=False, sharex=True)[:, 0]
    tolerance = 2.0 * max(dx, dy)
    for ax, stat in zip(axes, stats):
        value = np.asarray(arrays[stat], dtype=float)[i, j, :].T  # (nz, n_points)
        value[:, ~inside] = np.nan
        vmin, vmax = _limits(arrays, stat)
        mesh = ax.pcolormesh(
            x_edges, z_edges, value, cmap=_cmap(stat), vmin=vmin, vmax=vmax, shading="flat", rasterized=True
        )
        fig.colorbar(mesh, ax=ax, label=_label(stat, "", unit).strip() or stat, pad=0.01, aspect=12)
        for w, name in enumerate(wells["names"]):
            sel = wells["trace_well"] == w
            if np.any(sel):
                a, off = _project(
                    np.stack([wells["trace_easting"][sel], wells["trace_northing"][sel]], 1), xy
                )
                near = off <= tolerance
                ax.plot(np.where(near, a, np.nan), wells["trace_tvdss"][sel], color="k", lw=0.9)
        if "data_tvdss" in wells and len(wells["data_tvdss"]):
            a, off = _project(np.stack([wells["data_easting"], wells["data_northing"]], 1), xy)
            near = off <= tolerance
            if stat == "std":
                ax.plot(a[near], wells["data_tvdss"][near], ".", color="w", ms=2)
            else:
                ax.scatter(
                    a[near],
                    wells["data_tvdss"][near],
                    c=wells["data_value"][near],
                    cmap=_cmap(stat),
                    vmin=vmin,
                    vmax=vmax,
                    s=10,
                    edgecolors="k",
                    linewidths=0.3,
                    zorder=3,
                )
        ax.set_ylim(z_edges[-1], z_edges[0])  # depth down
        ax.set_ylabel("TVDSS (m)")
        ax.text(
            0.005,
            0.03,
            _label(stat, prop, unit),
            transform=ax.transAxes,
            fontsize=9,
            bbox={"facecolor": "w", "alpha": 0.8, "lw": 0},
        )
    for name, _ in vertices:
        a, _ = _project(np.array([dict(vertices)[name]]), xy)
        for ax in axes:
            ax.axvline(a[0], color="w", lw=0.5, ls=":")
        axes[0].annotate(
            name,
            (a[0], 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
        )
    axes[-1].set_xlabel("Distance along section (m)")
    axes[-1].set_xlim(x_edges[0], x_edges[-1])
    fig.suptitle(
        f"Vertical section through {', '.join(n for n, _ in vertices)} "
        f"(vertical exaggeration about {exaggeration:.0f}x; wells and data within {tolerance:g} m "
        "of the section drawn)",
        fontsize=10,
    )
    return _save(fig, path, dpi)


# --- histogram ----------------------------------------------------------------------------------------------


def plot_histogram(arrays, path, *, wells=None, prop="property", unit="", dpi=110):
    """Histogram of the conditioning data against the realizations.

    The realizations are the pooled histogram ``hist_counts``/``hist_edges`` when ``arrays`` has one;
    otherwise the histogram of the cell means is drawn and labelled as such (a mean is smoother than a
    realization, so its spread is smaller).

    Returns
    -------
    str
        ``path``.
    """
    fig = _figure(7.0, 4.2)
    ax = fig.subplots()
    label_x = prop + (f" ({unit})" if unit else "")
    if "hist_counts" in arrays and "hist_edges" in arrays:
        counts = np.asarray(arrays["hist_counts"], dtype=float)
        edges = np.asarray(arrays["hist_edges"], dtype=float)
        widths = np.diff(edges)
        density = counts / max(counts.sum(), 1.0) / widths
        ax.stairs(density, edges, fill=True, alpha=0.45, color="C0", label="realizations (all cells, pooled)")
        bins = edges
    else:
        mean = np.asarray(arrays["mean"], dtype=float)
        mean = mean[np.isfinite(mean)]
        bins = np.histogram_bin_edges(mean, bins=40)
        ax.hist(
            mean,
            bins=bins,
            density=True,
            alpha=0.45,
            color="C0",
            label="cell means over realizations (no pooled histogram in stats.npz)",
        )
    if wells is not None and len(wells.get("data_value", [])):
        data = wells["data_value"]
        lo, hi = min(bins[0], float(np.min(data))), max(bins[-1], float(np.max(data)))
        ax.hist(
            data,
            bins=np.linspace(lo, hi, 41),
            density=True,
            histtype="step",
            lw=1.8,
            color="C3",
            label=f"conditioning data (n = {len(data)})",
        )
    ax.set_xlabel(label_x)
    ax.set_ylabel(f"density (1/{unit})" if unit else "density")
    ax.set_title(f"{prop}: data and realizations", fontsize=11)
    ax.legend(fontsize=8)
    return _save(fig, path, dpi)


# --- variogram ----------------------------------------------------------------------------------------------


def find_variogram_fit(output_dir, summary):
    """Return the fitted-variogram record of a run, or None if no variogram was fitted.

    Looked for in ``summary["variogram_fit"]`` (written by a ``variogram: auto`` run, drawn with
    :func:`krigflow.variogram.experimental.plot_variograms`), then in ``<output>/variogram.json``:
    ``{"experimental": [{"direction": str, "lag": [...], "gamma": [...]}, ...], "model": {variogram keys}
    (optional; default: the run's variogram)}``.
    """
    fit = (summary or {}).get("variogram_fit")
    path = os.path.join(output_dir, "variogram.json")
    if fit is None and os.path.isfile(path):
        try:
            with open(path, encoding="utf-8") as fh:
                fit = json.load(fh)
        except (OSError, ValueError) as exc:
            logger.warning("%s: cannot be read (%s)", path, exc)
    if not isinstance(fit, dict) or not fit.get("experimental"):
        return None
    return fit


def plot_variogram(model, path, *, experimental=None, prop="property", unit="", dpi=110):
    """Model variogram along the major, minor horizontal and vertical axes, with experimental points.

    Parameters
    ----------
    model : dict
        Variogram keys (``model``, ``sill``, ``nugget``, ``range_h``, ``range_v``, ``range_h2``,
        ``azimuth``, ``nu``) as in the run configuration.
    path : str
        PNG file.
    experimental : list of dict, optional
        ``{"direction": "horizontal"|"major"|"minor"|"vertical"|..., "lag": [...], "gamma": [...]}``.
        Directions whose name contains "vert" go into the vertical panel.

    Returns
    -------
    str
        ``path``.
    """
    from krigflow.variogram import Variogram

    keys = ("model", "sill", "nugget", "range_h", "range_v", "range_h2", "azimuth", "nu")
    vg = Variogram(**{k: model[k] for k in keys if model.get(k) is not None})
    fig = _figure(10.0, 4.0)
    ax_h, ax_v = fig.subplots(1, 2)
    unit2 = f" ({unit}²)" if unit else ""
    az = np.deg2rad(vg.azimuth)
    major = np.array([np.sin(az), np.cos(az)])
    minor = np.array([np.cos(az), -np.sin(az)])
    h_max = 1.5 * max(vg.range_h, vg.range_h2 or vg.range_h)
    for exp in experimental or []:
        lag = np.asarray(exp.get("lag", []), dtype=float)
        gamma = np.asarray(exp.get("gamma", []), dtype=float)
        vertical = "vert" in str(exp.get("direction", "")).lower()
        ax = ax_v if vertical else ax_h
        ax.plot(lag, gamma, "o", ms=4, label=f"experimental ({exp.get('direction', '')})")
        if not vertical and lag.size:
            h_max = max(h_max, float(lag.max()))
    h = np.linspace(0.0, h_max, 200)
    ax_h.plot(
        h,
        vg.semivariance(h * major[0], h * major[1], 0 * h),
        "k-",
        label=f"{vg.model} model, major axis (azimuth {vg.azimuth:g}°)",
    )
    if vg.range_h2 is not None and vg.range_h2 != vg.range_h:
        ax_h.plot(h, vg.semivariance(h * minor[0], h * minor[1], 0 * h), "k--", label="model, minor axis")
    v = np.linspace(0.0, 1.5 * vg.range_v, 200)
    vmax_lag = max(
        [1.5 * vg.range_v]
        + [
            float(np.max(e.get("lag", [0])))
            for e in experimental or []
            if "vert" in str(e.get("direction", "")).lower()
        ]
    )
    v = np.linspace(0.0, vmax_lag, 200)
    ax_v.plot(v, vg.semivariance(0 * v, 0 * v, v), "k-", label=f"{vg.model} model, vertical")
    for ax, xlabel in ((ax_h, "horizontal lag (m)"), (ax_v, "vertical lag (m)")):
        ax.axhline(vg.sill, color="0.6", lw=0.8, ls=":")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"semivariance{unit2}")
        ax.set_ylim(bottom=0)
        ax.set_xlim(left=0)
        ax.legend(fontsize=8)
    fig.suptitle(
        f"{prop} variogram: sill {vg.sill:g}, nugget {vg.nugget:g}, ranges "
        f"{vg.range_h:g}/{vg.range_h2 or vg.range_h:g} m (horizontal), {vg.range_v:g} m (vertical)",
        fontsize=10,
    )
    return _save(fig, path, dpi)


# --- all figures of a run -----------------------------------------------------------------------------------


def plot_results(
    output_dir,
    *,
    arrays=None,
    summary=None,
    wells=None,
    slices=None,
    section_wells=None,
    statistics=None,
    dpi=110,
) -> list:
    """Write every figure of a run into ``<output_dir>/figures/``.

    Parameters
    ----------
    output_dir : str
        Output folder of a run.
    arrays, summary : optional
        ``stats.npz`` content and summary (read from ``output_dir`` when not given).
    wells : dict, optional
        ``wells.npz`` content (read from ``output_dir`` when not given; without it no wells are drawn
        and there is no section).
    slices : sequence of float, optional
        TVDSS depths of the map slices (default :func:`default_slices`).
    section_wells : sequence of str, optional
        Wells of the section (default :func:`section_path`).
    statistics : sequence of str, optional
        Statistics to map (default: those of :data:`MAP_STATISTICS` present).
    dpi : int, default 110

    Returns
    -------
    list of str
        PNG files written.

    Raises
    ------
    KrigflowError
        If the results cannot be read, a slice is outside the grid, or a section well is unknown.
    """
    if arrays is None:
        arrays, read_summary = load_results(output_dir)
        summary = summary if summary is not None else read_summary
    if wells is None:
        wells = read_wells(output_dir)
        if wells is None:
            logger.warning("%s has no wells.npz: figures without wells and no section", output_dir)
    prop, unit = property_name_unit(summary)
    spacing = ((summary or {}).get("grid") or {}).get("spacing")
    folder = os.path.join(output_dir, FIGURE_DIR)
    stats = [s for s in (statistics or MAP_STATISTICS) if s in arrays]
    missing = [s for s in (statistics or ()) if s not in arrays]
    if missing:
        raise KrigflowError(
            f"statistic(s) {', '.join(missing)} not in the results (have: "
            f"{', '.join(k for k in arrays if k not in ('easting', 'northing', 'tvdss'))})"
        )
    depths = list(slices) if slices else default_slices(arrays["tvdss"])
    dz = grid_geometry(arrays, spacing)["spacing"][2]
    for depth in depths:  # check the requests before drawing anything
        _slice_index(arrays["tvdss"], depth, dz)
    if wells is not None and section_wells:
        section_path(wells, section_wells)
    written = []
    for stat in stats:
        written.append(
            plot_maps(
                arrays,
                stat,
                depths,
                os.path.join(folder, f"map_{stat}.png"),
                wells=wells,
                prop=prop,
                unit=unit,
                spacing=spacing,
                dpi=dpi,
            )
        )
    if wells is not None and len(wells["names"]):
        written.append(
            plot_section(
                arrays,
                os.path.join(folder, "section.png"),
                wells=wells,
                section_wells=section_wells,
                statistics=stats,
                prop=prop,
                unit=unit,
                spacing=spacing,
                dpi=dpi,
            )
        )
    written.append(
        plot_histogram(
            arrays, os.path.join(folder, "histogram.png"), wells=wells, prop=prop, unit=unit, dpi=dpi
        )
    )
    fit = find_variogram_fit(output_dir, summary)
    if fit is not None:
        path = os.path.join(folder, "variogram.png")
        if "chosen" in fit and "candidates" in fit:  # a variogram: auto fit (krigflow.variogram.experimental's record)
            from krigflow.variogram import VariogramFit, plot_variograms

            space = str(fit.get("space", "")).replace("_", " ")
            written.append(
                plot_variograms(
                    VariogramFit.from_record(fit),
                    path,
                    title=f"{prop} variogram fitted to the wells ({space} space)",
                )
            )
        else:
            model = fit.get("model") or ((summary or {}).get("config") or {}).get("variogram")
            if model and model.get("model") != "auto":
                written.append(
                    plot_variogram(
                        model, path, experimental=fit["experimental"], prop=prop, unit=unit, dpi=dpi
                    )
                )
    return written
