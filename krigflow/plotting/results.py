"""All the figures of a run, as PNG files in ``<output>/figures/``.

:func:`plot_results` reads what a run wrote (``stats.npz``, ``summary.json``, ``wells.npz``, through
:mod:`krigflow.io.results`) and writes:

* ``map_<stat>.png`` for ``mean``, ``std`` and, when present, ``p10``, ``p50`` and ``p90``
  (:func:`~krigflow.plotting.maps.write_map_figure`);
* ``section.png``: a vertical section through wells, one row per statistic
  (:func:`~krigflow.plotting.section.write_section_figure`);
* ``histogram.png``: conditioning data against the realizations
  (:func:`~krigflow.plotting.histogram.write_histogram_figure`);
* ``variogram.png``: experimental variogram and model, when a variogram was fitted
  (:func:`~krigflow.plotting.variogram.write_variogram_figure`).

:func:`write_run_figures` is what the end of a run calls: it never fails the run.
"""

from __future__ import annotations

import logging
import os

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.io import (
    COORDINATES,
    grid_geometry,
    load_results,
    property_name_unit,
    read_variogram_fit,
    read_wells,
    summary_spacing,
)
from krigflow.plotting.cornerpoint import write_cornerpoint_figures
from krigflow.plotting.histogram import write_histogram_figure
from krigflow.plotting.maps import default_slices, slice_index, write_map_figure
from krigflow.plotting.section import section_path, write_section_figure
from krigflow.plotting.variogram import write_variogram_figure
from krigflow.zones import StratigraphicGrid, Tops

logger = logging.getLogger(__name__)

__all__ = ["FIGURE_DIR", "MAP_STATISTICS", "plot_results", "write_run_figures"]

#: Folder (inside the output folder) the figures are written to.
FIGURE_DIR = "figures"
#: Statistics drawn on maps and sections, in this order, when present.
MAP_STATISTICS = ("mean", "std", "p10", "p50", "p90")


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
        TVDSS depths of the map slices (default :func:`~krigflow.plotting.maps.default_slices`).
    section_wells : sequence of str, optional
        Wells of the section (default :func:`~krigflow.plotting.section.section_path`).
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
    spacing = summary_spacing(summary)
    folder = os.path.join(output_dir, FIGURE_DIR)
    if "cp_interfaces" in arrays:   # a zoned run: maps per zone, sections with the corner-point geometry
        return _plot_zoned(folder, arrays, wells, prop, unit, dpi, summary)
    stats = [s for s in (statistics or MAP_STATISTICS) if s in arrays]
    missing = [s for s in (statistics or ()) if s not in arrays]
    if missing:
        raise KrigflowError(
            f"statistic(s) {', '.join(missing)} not in the results (have: "
            f"{', '.join(k for k in arrays if k not in COORDINATES)})"
        )
    depths = list(slices) if slices else default_slices(arrays["tvdss"])
    dz = grid_geometry(arrays, spacing)["spacing"][2]
    for depth in depths:  # check the requests before drawing anything
        slice_index(arrays["tvdss"], depth, dz)
    if wells is not None and section_wells:
        section_path(wells, section_wells)
    common = {"prop": prop, "unit": unit, "dpi": dpi}
    written = [
        write_map_figure(
            arrays, stat, depths, os.path.join(folder, f"map_{stat}.png"), wells=wells, spacing=spacing, **common
        )
        for stat in stats
    ]
    if wells is not None and len(wells["names"]):
        written.append(
            write_section_figure(
                arrays, os.path.join(folder, "section.png"), wells=wells, section_wells=section_wells,
                statistics=stats, spacing=spacing, **common,
            )
        )
    written.append(write_histogram_figure(arrays, os.path.join(folder, "histogram.png"), wells=wells, **common))
    fit = read_variogram_fit(output_dir, summary)
    if fit is not None:
        path = os.path.join(folder, "variogram.png")
        if "chosen" in fit and "candidates" in fit:  # the record of a variogram: auto fit
            space = str(fit.get("space", "")).replace("_", " ")
            written.append(
                write_variogram_figure(
                    path, fit, title=f"{prop} variogram fitted to the wells ({space} space)", dpi=dpi
                )
            )
        else:
            model = fit.get("model") or ((summary or {}).get("config") or {}).get("variogram")
            if model and model.get("model") != "auto":
                written.append(
                    write_variogram_figure(
                        path, model, experimental=fit["experimental"], prop=prop, unit=unit, dpi=dpi
                    )
                )
    return written


def _plot_zoned(folder, arrays, wells, prop, unit, dpi, summary=None):
    """Figures of a zoned run: one map per zone, sections of mean and std (with the tops), the histogram."""

    os.makedirs(folder, exist_ok=True)
    heads = None
    if wells is not None and len(wells["names"]):
        idx = wells["trace_well"]
        heads = [(str(name), float(wells["trace_easting"][idx == k][0]), float(wells["trace_northing"][idx == k][0]))
                 for k, name in enumerate(wells["names"]) if (idx == k).any()]
    rows = ((summary or {}).get("zones") or {}).get("tops") or []
    tops = None
    if rows:
        cols = {k: np.array([np.nan if r[k] is None else r[k] for r in rows], dtype=float)
                for k in ("md", "tvdss", "easting", "northing")}
        tops = Tops(tuple(r["well"] for r in rows), tuple(r["surface"] for r in rows), **cols)
    written = write_cornerpoint_figures(folder, StratigraphicGrid.from_arrays(arrays), arrays,
                                        label=f"{prop} {unit}".strip(), wells=heads, tops=tops, dpi=dpi)
    written.append(write_histogram_figure(arrays, os.path.join(folder, "histogram.png"), wells=wells, prop=prop,
                                          unit=unit, dpi=dpi))
    return written


def write_run_figures(config, arrays, summary) -> list:
    """Write the figures of a run if ``outputs.figures`` is on; never raises (a failure is logged).

    Called at the end of a run, after ``stats.npz`` and ``summary.json`` are written.

    Parameters
    ----------
    config : dict
        Validated configuration (``output``, ``outputs.figures``, ``outputs.slices``,
        ``outputs.section_wells``).
    arrays : dict
        Final statistics.
    summary : dict
        Run summary.

    Returns
    -------
    list of str
        PNG files written (empty when disabled or on failure).
    """
    outputs = config.get("outputs") or {}
    if not outputs.get("figures", True):
        return []
    try:
        return plot_results(
            config["output"],
            arrays=arrays,
            summary=summary,
            slices=outputs.get("slices"),
            section_wells=outputs.get("section_wells"),
        )
    except Exception as exc:  # noqa: BLE001 - figures must not lose a finished run
        logger.error(
            "figures not written (%s: %s); the results are complete: make them with `krigflow plot %s`",
            type(exc).__name__,
            exc,
            config["output"],
        )
        return []
