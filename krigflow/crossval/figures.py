"""Figures of a validation: Deutsch's accuracy plot and the PIT histogram (the trend figure is
:func:`krigflow.plotting.write_trend_figure`).

Plot functions take ``ax=None`` and return the axes; ``write_*`` functions write PNG files. matplotlib is
imported inside the calls (an optional dependency of the core).
"""
from __future__ import annotations

import logging
import os

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["plot_accuracy", "plot_pit", "write_validation_figures"]


def _axes(ax, figsize=(5.0, 4.2)):
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, constrained_layout=True).add_subplot()


def plot_accuracy(ps, xi, *, goodness=None, ax=None):
    """Deutsch's accuracy plot: fraction of true values inside the symmetric p-intervals against p."""
    ax = _axes(ax)
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--", label="calibrated")
    ax.plot(ps, xi, "o-", color="C0", label="model" + (f" (G = {goodness:.3f})" if goodness is not None else ""))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("probability interval p")
    ax.set_ylabel("fraction of held-out values inside")
    ax.set_title("accuracy plot (leave one well out)")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_pit(counts, edges, *, ax=None):
    """PIT histogram: flat when calibrated, U-shaped when the spread is too narrow, humped when too wide."""
    ax = _axes(ax)
    counts = np.asarray(counts, dtype=float)
    edges = np.asarray(edges, dtype=float)
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="C1", edgecolor="k", alpha=0.8)
    ax.axhline(counts.sum() / counts.size, color="grey", ls="--", lw=1, label="flat (calibrated)")
    ax.set_xlabel("rank of the held-out value among the realizations (PIT)")
    ax.set_ylabel("held-out cells")
    ax.set_title("PIT histogram")
    ax.legend(fontsize=8)
    return ax


def write_validation_figures(scores, folder) -> list:
    """Write ``validation_accuracy.png`` and ``validation_pit.png`` into ``folder``; return the paths."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    ax = plot_accuracy(scores["accuracy"]["p"], scores["accuracy"]["xi"], goodness=scores["pooled"]["goodness"])
    paths.append(os.path.join(folder, "validation_accuracy.png"))
    ax.figure.savefig(paths[-1], dpi=110)
    ax = plot_pit(scores["pit"]["counts"], scores["pit"]["edges"])
    paths.append(os.path.join(folder, "validation_pit.png"))
    ax.figure.savefig(paths[-1], dpi=110)
    return paths
