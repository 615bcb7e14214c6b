"""The depth trend of a run against the data it was fitted to (``trend.png``)."""
from __future__ import annotations

import numpy as np

from krigflow.plotting._axes import axes_or_new, new_figure, save_figure

__all__ = ["plot_trend", "write_trend_figure"]


def plot_trend(trend, tvdss, values, well=None, well_names=(), *, ax=None, prop="property", unit=""):
    """Draw the trend against TVDSS with the upscaled data, one colour per well (depth down).

    Parameters
    ----------
    trend : krigflow.trend.Trend
        Anything with ``evaluate(tvdss)``, ``kind``, ``window`` and ``degree``.
    tvdss, values : array, shape (n,)
        The data (property units, trend included).
    well : int array, shape (n,), optional
        Well index of each datum (into ``well_names``).
    well_names : sequence of str
    ax : matplotlib Axes, optional
    prop, unit : str
        Axis label.

    Returns
    -------
    matplotlib Axes
    """
    ax = axes_or_new(ax, (5.0, 7.0))
    tvdss, values = np.asarray(tvdss, float), np.asarray(values, float)
    well = np.zeros(tvdss.size, int) if well is None else np.asarray(well)
    for k in np.unique(well):
        sel = well == k
        name = well_names[int(k)] if int(k) < len(well_names) else str(int(k))
        ax.plot(values[sel], tvdss[sel], ".", ms=2.5, alpha=0.6, label=name)
    t = np.linspace(tvdss.min(), tvdss.max(), 400)
    what = {"moving_average": f"moving average, {trend.window:g} m" if trend.window else "moving average",
            "polynomial": f"polynomial, degree {trend.degree}", "none": "none"}[trend.kind]
    ax.plot(trend.evaluate(t), t, color="k", lw=2.2, label=f"trend ({what})")
    ax.invert_yaxis()
    ax.set_xlabel(f"{prop} ({unit})" if unit else prop)
    ax.set_ylabel("TVDSS (m)")
    ax.set_title(f"{prop}: trend vs depth", fontsize=11)
    ax.legend(fontsize=7, markerscale=3)
    return ax


def write_trend_figure(trend, data, path, *, values=None, prop="property", unit="", dpi=110) -> str:
    """Write a PNG of :func:`plot_trend` for conditioning data (``values``: the data in property units,
    default ``data.values``); return ``path``."""
    fig = new_figure(5.0, 7.0)
    plot_trend(trend, data.tvdss, data.values if values is None else values, data.well, data.well_names,
               ax=fig.subplots(), prop=prop, unit=unit)
    return save_figure(fig, path, dpi)
