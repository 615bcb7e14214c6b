"""The zoned part of a run's problem: built once from the wells and the config, sent to every worker.

:func:`build_zoned_problem` chains :func:`krigflow.zones.config.build_zoned_grid` (tops, horizons, layering)
and :func:`krigflow.zones.model.build_zone_problems` (per-zone data, trend, variogram);
:meth:`ZonedProblem.realizations` computes realizations of every zone and copies them to the corner-point
cells. :func:`nominal_grid` is the regular ``krigflow.grid.Grid`` of the same shape that code written for
box grids can keep using (its tvdss axis is nominal: the mean depth of each layer); the real geometry is
the :class:`~krigflow.zones.StratigraphicGrid` (``to_arrays`` for ``stats.npz``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from krigflow.conditioning import ConditioningData
from krigflow.exceptions import KrigflowError
from krigflow.grid import Grid
from krigflow.zones.config import build_zoned_grid
from krigflow.zones.model import build_zone_problems, zoned_realizations
from krigflow.zones.structural import surface_uncertainty

logger = logging.getLogger(__name__)

__all__ = ["ZonedProblem", "build_zoned_problem", "combined_data", "nominal_grid"]


@dataclass(frozen=True, eq=False)
class ZonedProblem:
    """Zones of a run: the corner-point grid, one :class:`~krigflow.zones.model.ZoneProblem` per zone, the tops.

    Parameters
    ----------
    sgrid : krigflow.zones.StratigraphicGrid
    problems : tuple of krigflow.zones.model.ZoneProblem
    tops : krigflow.zones.Tops
        Placed tops of the modelled surfaces.
    report : dict
        From :func:`krigflow.zones.config.build_zoned_grid` (tops warnings, crossings, surface sources, misfits).
    structure : krigflow.zones.structural.SurfaceUncertainty or None
        The horizons' error model (``zones.surface_uncertainty: auto``), None: fixed horizons.
    """

    sgrid: object
    problems: tuple
    tops: object
    report: dict
    structure: object = None

    def realizations(self, method, seed, indices) -> np.ndarray:
        """Realizations ``indices`` on the corner-point cells, array (R, ncol, nrow, nk), NaN in inactive cells."""
        return zoned_realizations(self.sgrid, self.problems, method, seed, indices, structure=self.structure)

    def exact_outputs(self, quantiles=(), cutoffs=(), *, dtype=np.float64) -> dict:
        """Exact ``p<q>`` and ``prob_gt_<c>`` of the conditional method on the corner-point cells
        (:func:`krigflow.zones.exact.zoned_exact_outputs`)."""
        from krigflow.zones.exact import zoned_exact_outputs

        return zoned_exact_outputs(self.sgrid, self.problems, quantiles=quantiles, cutoffs=cutoffs, dtype=dtype)

    def value_range(self, y_limit=5.0) -> tuple:
        """Range holding (nearly) every realization value: the union of the zones' ranges (back-transform range
        or residual +- 5 standard deviations, plus the trend's range)."""
        del y_limit   # each zone's range comes from its residual model (krigflow.residual.residual_problem)
        return (float(min(p.value_range[0] for p in self.problems)),
                float(max(p.value_range[1] for p in self.problems)))

    def describe(self) -> dict:
        """JSON-ready summary (``summary.json["zones"]``)."""
        return {"zones": [p.describe() for p in self.problems], "surfaces": dict(self.report["surfaces"]),
                "crossings": list(self.report["crossings"]), "tops_warnings": list(self.report["tops"]),
                "top_misfit_m": dict(self.report["misfit"]), "shape": list(self.sgrid.shape),
                "surface_uncertainty": self.structure.describe() if self.structure is not None else None,
                "active_cells": int(self.sgrid.actnum().sum()), "tops": self.tops.as_rows()}


def nominal_grid(sgrid) -> Grid:
    """A regular Grid of the corner-point grid's shape: true horizontal axes, tvdss at the mean layer depths.

    The vertical spacing is the mean total thickness / nk and the origin the mean top depth plus half of it,
    so that box-grid code (coordinate vectors, bounds) gets sensible numbers; the true cell depths are
    :meth:`StratigraphicGrid.cell_centres`.
    """
    lat = sgrid.lattice
    ncol, nrow, nk = sgrid.shape
    top = float(np.mean(sgrid.surfaces[0]))
    dz = max(float(np.mean(sgrid.surfaces[-1] - sgrid.surfaces[0])) / nk, 1e-3)
    return Grid((lat.origin[0] + 0.5 * lat.spacing[0], lat.origin[1] + 0.5 * lat.spacing[1], top + 0.5 * dz),
                (lat.spacing[0], lat.spacing[1], dz), (ncol, nrow, nk))


def combined_data(sgrid, problems) -> ConditioningData:
    """The conditioning data of every zone in the corner-point grid: real cell-centre positions, full k index,
    property values (trend added back), well indices."""
    e, n, z = sgrid.cell_centres()
    parts = []
    for p in problems:
        d = p.data
        k = sgrid.layer_start[p.index] + d.cells[:, 2]
        i, j = d.cells[:, 0], d.cells[:, 1]
        parts.append((e[i, j, k], n[i, j, k], z[i, j, k], p.restore(d.tvdss, d.values), d.well,
                      np.stack([i, j, k], 1)))
    names = problems[0].data.well_names if problems else ()
    cat = [np.concatenate([part[a] for part in parts]) for a in range(5)]
    cells = np.concatenate([part[5] for part in parts]).reshape(-1, 3).astype(np.int64)
    return ConditioningData(cat[0], cat[1], cat[2], cat[3], cat[4].astype(np.int64), cells, tuple(names))


def _zone_variograms(config):
    """Per-zone variogram settings: ``zones.variogram`` entries; None or "auto" inherit the run's section."""
    run_vg = dict(config.get("variogram") or {"model": "auto"})
    out = []
    for entry in config["zones"]["variogram"]:
        if entry is None:
            entry = run_vg
        elif entry == "auto":
            entry = {**run_vg, "model": "auto"} if run_vg.get("model") == "auto" else {"model": "auto"}
        out.append(dict(entry))
    return out


def _zone_trends(config):
    """Per-zone trends: ``zones.trend`` entries; None inherits the run's ``trend`` section (default auto)."""
    run_trend = config.get("trend", "auto")
    return [run_trend if entry is None else entry for entry in config["zones"]["trend"]]


def build_zoned_problem(wells, config) -> ZonedProblem:
    """Build the zoned problem of a run.

    Parameters
    ----------
    wells : sequence of krigflow.wells.Well
        Sorted as the run sorts them (the well indices of the data refer to this order).
    config : dict
        Validated run configuration with a ``zones`` section (:func:`krigflow.zones.config.validate_zones`),
        ``grid`` (``spacing`` [dx, dy], ``bounds`` [e_min, e_max, n_min, n_max] or None, ``padding``),
        ``method``, ``variogram`` and ``min_samples``.

    Returns
    -------
    ZonedProblem

    Raises
    ------
    KrigflowError
        Bad tops or surfaces (see :func:`~krigflow.zones.config.build_zoned_grid`), a zone without data.
    """
    if not wells:
        raise KrigflowError("no wells to model")
    sgrid, tops, report = build_zoned_grid(wells, config["zones"], config["grid"])
    names = tuple(w.name for w in wells)
    arrays = [np.concatenate([np.asarray(getattr(w, a), dtype=float) for w in wells])
              for a in ("easting", "northing", "tvdss", "values")]
    well = np.concatenate([np.full(np.size(w.values), i, dtype=np.int64) for i, w in enumerate(wells)])
    problems = build_zone_problems(sgrid, *arrays, well, well_names=names, method=config["method"],
                                   variograms=_zone_variograms(config), trends=_zone_trends(config),
                                   transforms=config["zones"].get("transform"), kriging=config.get("kriging"),
                                   min_samples=config.get("min_samples", 1))
    structure = None
    if config["zones"].get("surface_uncertainty", "auto") == "auto" and len(tops):
        structure = surface_uncertainty(sgrid.lattice, sgrid.surfaces, tops, sgrid.surface_names,
                                        priors=report.get("priors"))
        structure = structure if structure.active else None
    logger.info("zoned problem: grid %s, zones %s", sgrid.shape, ", ".join(sgrid.zone_names))
    return ZonedProblem(sgrid, tuple(problems), tops, report, structure)
