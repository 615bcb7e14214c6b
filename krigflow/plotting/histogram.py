"""Histogram of the conditioning data against the realizations."""

from __future__ import annotations

import numpy as np

from krigflow.plotting._axes import as_arrays, axes_or_new, new_figure, property_of, save_figure

__all__ = ["plot_histogram", "write_histogram_figure"]


def plot_histogram(arrays, *, ax=None, wells=None, prop=None, unit=None):
    """Draw the histogram of the conditioning data against the realizations.

    The realizations are the pooled histogram ``hist_counts``/``hist_edges`` when ``arrays`` has one;
    otherwise the histogram of the cell means is drawn and labelled as such (a mean is smoother than a
    realization, so its spread is smaller).

    Parameters
    ----------
    arrays : mapping of str to array, or xarray.Dataset
        The statistics.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new pyplot figure).
    wells : dict, optional
        ``wells.npz`` content (its ``data_value`` are the conditioning data).
    prop, unit : str, optional
        Property name and unit for the labels (default: a Dataset's ``property`` and ``property_unit``
        attributes, else "property" and no unit).

    Returns
    -------
    matplotlib.axes.Axes
    """
    prop, unit = property_of(arrays, prop, unit)
    arrays = as_arrays(arrays)
    ax = axes_or_new(ax, (7.0, 4.2))
    if "hist_counts" in arrays and "hist_edges" in arrays:
        counts = np.asarray(arrays["hist_counts"], dtype=float)
        edges = np.asarray(arrays["hist_edges"], dtype=float)
        density = counts / max(counts.sum(), 1.0) / np.diff(edges)
        ax.stairs(density, edges, fill=True, alpha=0.45, color="C0", label="realizations (all cells, pooled)")
        bins = edges
    else:
        mean = np.asarray(arrays["mean"], dtype=float)
        mean = mean[np.isfinite(mean)]
        bins = np.histogram_bin_edges(mean, bins=40)
        ax.hist(
            mean, bins=bins, density=True, alpha=0.45, color="C0",
            label="cell means over realizations (no pooled histogram in stats.npz)",
        )
    if wells is not None and len(wells.get("data_value", [])):
        data = wells["data_value"]
        lo, hi = min(bins[0], float(np.min(data))), max(bins[-1], float(np.max(data)))
        ax.hist(
            data, bins=np.linspace(lo, hi, 41), density=True, histtype="step", lw=1.8, color="C3",
            label=f"conditioning data (n = {len(data)})",
        )
    ax.set_xlabel(prop + (f" ({unit})" if unit else ""))
    ax.set_ylabel(f"density (1/{unit})" if unit else "density")
    ax.set_title(f"{prop}: data and realizations", fontsize=11)
    ax.legend(fontsize=8)
    return ax


def write_histogram_figure(arrays, path, *, wells=None, prop="property", unit="", dpi=110) -> str:
    """Write a PNG of :func:`plot_histogram`; return ``path``."""
    fig = new_figure(7.0, 4.2)
    plot_histogram(arrays, ax=fig.subplots(), wells=wells, prop=prop, unit=unit)
    return save_figure(fig, path, dpi)
