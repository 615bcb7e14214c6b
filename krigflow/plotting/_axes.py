"""Helpers shared by the plot functions: axes and figures, colour scales, labels, saving PNG files.

No pyplot state is touched when a figure is written to a file (:func:`new_figure` builds a
:class:`~matplotlib.figure.Figure` with its own Agg canvas), and the matplotlib backend is never switched:
a notebook user keeps theirs. matplotlib is imported inside the calls: the core does not need it.
"""

from __future__ import annotations

import logging
import os

import numpy as np

logger = logging.getLogger(__name__)

#: Statistic names and how labels call them.
_STAT_NAMES = {"mean": "mean", "std": "standard deviation", "p10": "P10", "p50": "P50", "p90": "P90"}
#: Statistics in property units that share one colour scale.
_VALUE_STATISTICS = ("mean", "p10", "p50", "p90", "min", "max")


def axes_or_new(ax, figsize):
    """``ax`` itself, or the axes of a new pyplot figure of ``figsize`` inches (GSTools/xarray style).

    A new figure goes through pyplot so that a notebook shows it; pyplot picks its backend as usual.
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def new_figure(width, height):
    """A matplotlib Figure with its own Agg canvas (for files: no pyplot, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig, path, dpi) -> str:
    """Write ``fig`` as PNG to ``path`` (through a temporary file, then rename); return ``path``."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp.png"
    fig.savefig(tmp, dpi=dpi)
    os.replace(tmp, path)
    logger.info("wrote %s", path)
    return path


def as_arrays(data) -> dict:
    """Statistics as a mapping of arrays in ``stats.npz`` layout; an :class:`xarray.Dataset` is converted.

    Examples
    --------
    >>> as_arrays({"mean": 1.0})
    {'mean': 1.0}
    """
    if hasattr(data, "data_vars"):
        from krigflow.io import dataset_arrays

        return dataset_arrays(data)
    return data


def property_of(data, prop=None, unit=None) -> tuple:
    """``(prop, unit)`` for labels: those given, else a Dataset's ``property``/``property_unit`` attributes.

    Examples
    --------
    >>> property_of({"mean": 1.0}), property_of({"mean": 1.0}, "GR", "gAPI")
    (('property', ''), ('GR', 'gAPI'))
    """
    attrs = getattr(data, "attrs", None) or {}
    prop = prop if prop is not None else (attrs.get("property") or "property")
    unit = unit if unit is not None else (attrs.get("property_unit") or "")
    return prop, unit


def stat_label(stat, prop, unit) -> str:
    """Axis or colour-bar label of a statistic.

    Examples
    --------
    >>> stat_label("std", "GR", "gAPI"), stat_label("p95", "PHI", "")
    ('GR standard deviation (gAPI)', 'PHI p95')
    """
    return f"{prop} {_STAT_NAMES.get(stat, stat)}" + (f" ({unit})" if unit else "")


def colour_limits(arrays, stat) -> tuple:
    """Colour limits: value statistics share one scale (1st-99th percentile), others their own.

    Examples
    --------
    >>> colour_limits({"mean": np.arange(101.0)}, "mean")
    (1.0, 99.0)
    """
    group = [s for s in _VALUE_STATISTICS if s in arrays] if stat != "std" else [stat]
    if stat not in group:
        group = [stat]
    values = np.concatenate([np.asarray(arrays[s], dtype=float).ravel() for s in group])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    lo, hi = np.percentile(values, [1, 99])
    return (float(lo), float(hi)) if hi > lo else (float(lo) - 0.5, float(hi) + 0.5)


def colour_map(stat) -> str:
    """Colour map name of a statistic (spread: magma; values: viridis)."""
    return "magma" if stat == "std" else "viridis"


def plain_axes(ax) -> None:
    """Show map coordinates in full (no offset, no scientific notation)."""
    for axis in (ax.xaxis, ax.yaxis):
        fmt = axis.get_major_formatter()
        if hasattr(fmt, "set_useOffset"):
            fmt.set_useOffset(False)
            fmt.set_scientific(False)
