"""Figures of ``krigflow validate``: Deutsch's accuracy plot and the PIT histogram."""
from __future__ import annotations

import logging
import os

import numpy as np

from krigflow.plotting._axes import axes_or_new, new_figure, save_figure

logger = logging.getLogger(__name__)

__all__ = ["plot_accuracy", "plot_pit", "write_validation_figures"]


def plot_accuracy(ps, xi, *, goodness=None, ax=None):
    """Deutsch's accuracy plot: fraction of true values inside the symmetric p-intervals against p."""
    ax = axes_or_new(ax, (5.0, 4.2))
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
    ax = axes_or_new(ax, (5.0, 4.2))
    counts = np.asarray(counts, dtype=float)
    edges = np.asarray(edges, dtype=float)
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="C1", edgecolor="k", alpha=0.8)
    ax.axhline(counts.sum() / counts.size, color="grey", ls="--", lw=1, label="flat (calibrated)")
    ax.set_xlabel("rank of the held-out value among the realizations (PIT)")
    ax.set_ylabel("held-out cells")
    ax.set_title("PIT histogram")
    ax.legend(fontsize=8)
    return ax


def write_validation_figures(scores, folder, dpi=110) -> list:
    """Write ``validation_accuracy.png`` and ``validation_pit.png`` into ``folder``; return the paths.

    ``scores`` holds ``accuracy`` (``p``, ``xi``), ``pit`` (``counts``, ``edges``) and ``pooled["goodness"]``
    (:func:`krigflow.run.crossvalidate.score_folds`).
    """
    os.makedirs(folder, exist_ok=True)
    fig = new_figure(5.0, 4.2)
    plot_accuracy(scores["accuracy"]["p"], scores["accuracy"]["xi"], goodness=scores["pooled"]["goodness"],
                  ax=fig.subplots())
    paths = [save_figure(fig, os.path.join(folder, "validation_accuracy.png"), dpi)]
    fig = new_figure(5.0, 4.2)
    plot_pit(scores["pit"]["counts"], scores["pit"]["edges"], ax=fig.subplots())
    paths.append(save_figure(fig, os.path.join(folder, "validation_pit.png"), dpi))
    return paths
