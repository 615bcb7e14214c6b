"""The problem of a run: from the validated config and the wells to what every worker needs.

:func:`load_inputs` reads and places the wells of a config; :func:`build_problem` turns them into a
:class:`Problem` (grid, upscaled conditioning data, variogram (fitted with ``variogram: auto``),
normal-score transform, histogram bins), the one object every worker receives.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass

import numpy as np

from krigflow.conditioning import ConditioningData, upscale
from krigflow.consistency import curve_warnings
from krigflow.exceptions import KrigflowError, describe_error
from krigflow.grid import Grid
from krigflow.io import well_traces
from krigflow.normalize import normalize_samples
from krigflow.realizations import NormalScore
from krigflow.residual import residual_problem
from krigflow.run.inputs import check_inputs
from krigflow.run.log_space import geometric_histogram, is_log, log_config, log_samples, log_wells
from krigflow.stats import HistogramSpec, SummarySpec, summary_spec, uniform_edges
from krigflow.tool_offsets import apply_tool_offsets
from krigflow.variogram import Variogram
from krigflow.zones import build_zoned_problem, combined_data, nominal_grid

logger = logging.getLogger(__name__)

__all__ = ["Problem", "load_inputs", "build_problem", "histogram_spec", "describe_wells"]


@dataclass(frozen=True)
class Problem:
    """Everything a worker needs to compute realizations (sent once to each worker).

    Parameters
    ----------
    grid : krigflow.grid.Grid
        The model grid.
    data : krigflow.conditioning.ConditioningData
        Upscaled conditioning data (n).
    variogram : krigflow.variogram.model.Variogram
        Covariance model.
    kind : {"ordinary", "simple"}
        Kriging kind.
    mean : float or None
        Mean for simple kriging (None with ordinary kriging).
    method : dict
        Stochastic method and its options (``{"name", "fraction", "unit"}``).
    seed : int
        Base seed: realization ``r`` uses ``default_rng([seed, r])``.
    realizations : int
        Number of realizations of the run.
    batch_size : int
        Realizations per chunk (see :func:`krigflow.run.chunk_indices`).
    traces : dict or None
        Decimated well trajectories (:func:`krigflow.io.wells_file.well_traces`), for ``wells.npz`` and figures.
    transform : krigflow.realizations.transform.NormalScore or None
        Normal-score transform of the ``conditional`` method (``variogram`` is then the normal-score model).
    histogram : krigflow.stats.HistogramSpec or None
        Histogram bins and cutoffs, identical for every worker (see :func:`histogram_spec`).
    quantiles : tuple of float
        Per-cell quantiles (percent) written to ``stats.npz``.
    variogram_fit : dict or None
        Experimental variograms and the fitted model (``variogram: auto``), JSON-ready.
    field_dtype : str
        Precision of the ``conditional`` realization fields: ``"float32"`` from
        :data:`FLOAT32_CELLS` cells on (half the memory per field; statistics stay float64), else
        ``"float64"``.
    summary : krigflow.stats.SummarySpec or None
        Per-realization summaries (``realizations.csv``): cutoffs, zones, volume.
    trend : krigflow.trend.Trend or None
        The trend removed from the data (``data.values`` are residuals); added back to every realization.
    well_effect : float
        Well-effect variance sigma_w**2 (units of ``variogram``, :mod:`krigflow.well_effect`).
    residual : dict or None
        JSON-ready record of the trend, well effect, fit warnings, each well's mean residual, tool
        consistency notes and normalization (``summary.json``).
    zones : krigflow.zones.ZonedProblem or None
        Zones of a run with a ``zones`` section: ``grid`` is then the nominal box of the corner-point grid,
        ``data`` the data of every zone in it, and realizations come from ``zones.realizations``.
    tool_offsets : krigflow.tool_offsets.ToolOffsets or None
        The shift subtracted from each well's log (``tool_offsets``): ``data`` read as the reference tool.
    log : krigflow.realizations.LogTransform or None
        ``method.transform: log10`` (:mod:`krigflow.run.log_space`): ``data``, ``trend``, ``variogram`` and
        ``mean`` are those of log10 of the property, and realizations are ``10 ** (simulated + trend)``.
    """

    grid: Grid
    data: ConditioningData
    variogram: Variogram
    kind: str
    mean: float | None
    method: dict
    seed: int
    realizations: int
    batch_size: int
    traces: dict | None = None
    transform: object = None
    histogram: HistogramSpec | None = None
    quantiles: tuple = ()
    variogram_fit: dict | None = None
    summary: SummarySpec | None = None
    trend: object = None
    well_effect: float = 0.0
    residual: dict | None = None
    field_dtype: str = "float64"
    zones: object = None
    log: object = None
    tool_offsets: object = None

    def property_data(self) -> ConditioningData:
        """The conditioning data in property units (trend added back, then ``10 **`` in a log10 run), for
        ``wells.npz`` and the figures; :attr:`data` holds what is kriged (residuals, log10 residuals)."""
        values = np.asarray(self.data.values, dtype=float)
        if not _no_trend(self.trend):
            values = self.trend.restore(self.data.tvdss, values)
        if self.log is not None:
            values = self.log.back_transform(values)
        return self.data if values is self.data.values else dataclasses.replace(self.data, values=values)


#: Grid size from which ``conditional`` realizations are computed in float32 (see ``Problem.field_dtype``).
FLOAT32_CELLS = 1_000_000


def exact_quantiles(problem) -> bool:
    """True when the run's quantiles and exceedance probabilities come from the exact multi-Gaussian shortcut
    (``conditional`` with ``quantiles_from: exact``, the default) rather than from per-cell histograms.

    ``problem`` is a :class:`Problem` or a validated config. The shortcut covers the depth trend (added
    back), the well effect (in the simple-kriging variance) and the normal-score transform (back-transformed
    quantiles); with zones, each zone's ordinary-kriging moments on its simbox, its transform and trend
    (:mod:`krigflow.zones.exact`).
    """
    if isinstance(problem, Problem):
        method, zones = problem.method, problem.zones
        histograms = zones is not None and (problem.log is not None or getattr(zones, "structure", None) is not None)
    else:
        method = problem["method"]
        histograms = problem.get("zones") is not None and (method.get("transform") == "log10"
                                                           or bool(problem.get("_histograms")))
    # zones in log10 (each zone's moments are in log units behind its own transform) or with drawn horizons (the
    # geometry changes per realization): the per-cell distributions are not Gaussian, so histograms
    return (method["name"] == "conditional" and method.get("quantiles_from", "exact") == "exact"
            and not histograms)


def _no_trend(trend) -> bool:
    """True without a trend (None, or a Trend of kind ``none``)."""
    return trend is None or getattr(trend, "kind", None) == "none"


def load_inputs(config, *, allow_unmatched_headers=False) -> list:
    """Read and place every well of a run.

    Parameters
    ----------
    config : dict
        Validated configuration (:func:`krigflow.run.config.validate_config`).
    allow_unmatched_headers : bool, default False
        A well-header table (``well_headers``) that matches none of the wells is a warning, every well
        then placed from its LAS header; by default it is an error (see :func:`check_header_matches`).

    Returns
    -------
    list of krigflow.wells.well.Well
        One well per LAS file, in the order of ``config["las"]`` (expanded).

    Raises
    ------
    KrigflowError
        If an input file is missing, or if any LAS file cannot be read or
        placed. All files are tried first; the message names every file that
        failed and why.
    """
    from krigflow.wells import load_well, read_well_sources  # wells pulls in lasio: import only when reading

    paths = check_inputs(config)
    sources = read_well_sources(
        property=config["property"],
        well_headers=config["well_headers"],
        surveys=config["surveys"],
        name_map=config["name_map"],
        aliases={config["property"]: config["aliases"]} if config["aliases"] else None,
        crs=config["crs"],
    )
    wells, failures = [], []
    for path in paths:
        try:
            wells.append(load_well(path, sources))
        except Exception as exc:  # noqa: BLE001 - every failure is reported with its file
            failures.append(describe_error(exc, where=os.path.basename(path)))
    if failures:
        raise KrigflowError(f"{len(failures)} of {len(paths)} LAS file(s) failed: " + "; ".join(failures))
    if config["well_headers"]:
        check_header_matches(wells, config["well_headers"], allow_unmatched=allow_unmatched_headers)
    logger.info("loaded %d wells", len(wells))
    return wells


#: What :func:`krigflow.wells.load_well` notes about a well missing from the header table.
_NOT_IN_TABLE = "not found in the header table"


def check_header_matches(wells, table, *, allow_unmatched=False) -> None:
    """Say when a well-header table does not match the wells (their locations then come from elsewhere).

    Parameters
    ----------
    wells : sequence of krigflow.wells.Well
    table : str
        The header table's path.
    allow_unmatched : bool, default False
        A table that matches no well is a warning rather than an error.

    Raises
    ------
    KrigflowError
        If the table matches none of the wells (and ``allow_unmatched`` is False): a wrong table, or names
        that differ, would otherwise place every well by its LAS header silently.
    """
    missing = [w.name for w in wells if any(_NOT_IN_TABLE in note for note in w.warnings)]
    name = os.path.basename(table)
    if wells and len(missing) == len(wells):
        message = (f"well_headers: {name} matches none of the {len(wells)} wells ({', '.join(missing[:10])}"
                   f"{', ...' if len(missing) > 10 else ''})")
        if not allow_unmatched:
            raise KrigflowError(
                f"{message}: every well would be placed by its LAS header instead. Check the table and the "
                "well names (a name_map can map them), or run with --allow-unmatched-headers (input item "
                "key allow_unmatched_headers: true) to use the LAS header locations"
            )
        logger.warning("%s: LAS header locations used", message)
    elif missing:
        logger.warning("well_headers: %d of %d wells not found in %s (%s): placed by their LAS header or survey",
                       len(missing), len(wells), name, ", ".join(missing))


def build_problem(wells, config) -> Problem:
    """Build the grid and the conditioning data of a run from its wells.

    Parameters
    ----------
    wells : sequence of krigflow.wells.well.Well
        The wells (any order: they are sorted by file path, then name, so the
        problem does not depend on the order they arrived in).
    config : dict
        Validated configuration.

    Returns
    -------
    Problem

    Raises
    ------
    KrigflowError
        If there are no wells, no valid sample, or no conditioning datum
        inside the grid.
    """
    if not wells:
        raise KrigflowError("no wells to model")
    wells = sorted(wells, key=lambda w: (w.path, w.name))
    names = tuple(w.name for w in wells)
    parts = [_valid_samples(w) for w in wells]
    parts, normalized = normalize_samples(parts, names, config.get("normalize"))
    log = None
    if is_log(config):        # log10 of every sample first: upscaling, trend and variogram work on log10
        parts, log = log_samples(wells, parts, config["property"])
        config, wells = log_config(config), log_wells(wells, log)
    # tool offsets (krigflow.tool_offsets): logs of different tools shifted to read as the reference tool
    parts, wells, tools = apply_tool_offsets(wells, parts, config)
    easting, northing, tvdss, values = (np.concatenate([p[i] for p in parts]) for i in range(4))
    well = np.concatenate([np.full(p[0].size, i, dtype=np.int64) for i, p in enumerate(parts)])
    if values.size == 0:
        raise KrigflowError(
            f"property {config['property']!r}: no valid sample in any of the {len(wells)} wells"
        )
    if config.get("zones") is not None:
        return _with_tools(_zoned_problem(wells, config, log), tools)
    grid_cfg = config["grid"]
    if grid_cfg["bounds"] is not None:
        grid = Grid.from_bounds(grid_cfg["bounds"], grid_cfg["spacing"])
    else:
        grid = Grid.around_points(easting, northing, tvdss, grid_cfg["spacing"], padding=grid_cfg["padding"])
    data = upscale(
        grid, easting, northing, tvdss, values, well, well_names=names, min_samples=config["min_samples"]
    )
    if data.n == 0:
        raise KrigflowError(
            f"no conditioning datum inside the grid (bounds {grid.bounds}); check grid.bounds"
        )
    unused = [names[i] for i in range(len(names)) if not np.any(data.well == i)]
    if unused:
        logger.warning("wells with no conditioning datum in the grid: %s", ", ".join(unused))
    used = [n for n in names if n not in unused]
    if len(used) == 1:
        logger.warning("only one well (%s) has conditioning data in the grid: the spread between wells cannot "
                       "be estimated (the realizations vary only as much as that well's samples allow; the "
                       "standard deviation away from it is not an uncertainty between wells)", used[0])
    consistency = curve_warnings([{"name": w.name, "curve": w.curve, "unit": w.unit} for w in wells],
                                 config["property"])
    for note in consistency:
        logger.warning("%s", note)
    samples = _samples_in(grid, easting, northing, tvdss, values, well)
    fields = residual_problem(config, grid, data, samples)
    record = dict(fields["record"], consistency=consistency, normalize=normalized,
                  tool_offsets=None if tools is None else tools.record())
    means = record.get("well_mean_residuals", {})
    if means:
        (logger.warning if consistency else logger.info)(
            "mean residual per well (after the trend%s): %s",
            " and the tool offsets" if tools is not None and tools.applied else "", ", ".join(f"{name} {value:+.3g}" for name, value in means.items()))
    hist_config = config if config.get("histogram_range") is not None else dict(
        config, histogram_range=list(fields["value_range"]))
    if log is not None:
        record["space"] = "log10"
    logger.info("grid %s, %d conditioning data from %d wells", grid.shape, data.n, len(wells))
    return Problem(
        grid=grid,
        data=fields["data"],
        variogram=fields["variogram"],
        kind=fields["kind"],
        mean=fields["mean"],
        method=dict(config["method"]),
        seed=config["seed"],
        realizations=config["realizations"],
        batch_size=config["batch_size"],
        traces=well_traces(wells),
        transform=fields["transform"],
        histogram=_in_units(histogram_spec(
            hist_config, fields["data"],
            fields["variogram"], fields["transform"], fields["mean"]), log, config),
        quantiles=tuple(config.get("quantiles", ())),
        variogram_fit=fields["variogram_fit"],
        trend=fields["trend"],
        well_effect=fields["well_effect"],
        residual=record,
        summary=summary_spec(config, grid.spacing),
        field_dtype="float32" if config["method"]["name"] == "conditional" and grid.n_cells >= FLOAT32_CELLS
        else "float64",
        log=log,
        tool_offsets=tools,
    )


def _in_units(spec, log, config):
    """Histogram bins in property units: geometric (``10 ** edges``) in a log10 run whose range was derived
    from the log-space problem; a configured ``histogram_range`` is in property units already."""
    if log is None or config.get("histogram_range") is not None:
        return spec
    return geometric_histogram(spec)


def _zoned_problem(wells, config, log=None) -> Problem:
    """The Problem of a run with zones: corner-point grid and one problem per zone (:mod:`krigflow.zones`).

    Each zone has its own residual model (trend in stratigraphic depth, transform, constrained variogram, well
    effect: ``zones.trend``, ``zones.variogram``, ``zones.transform``, by default the run's sections).
    """
    zoned = build_zoned_problem(wells, config)
    data = combined_data(zoned.sgrid, zoned.problems)
    user_range = config.get("histogram_range")
    if user_range is None:   # bins holding every zone's values (trend + residual range)
        low, high = zoned.value_range()
        config = {**config, "histogram_range": [min(low, float(np.min(data.values))),
                                                max(high, float(np.max(data.values)))]}
    first = zoned.problems[0]
    logger.info("zoned grid %s, %d conditioning data from %d wells", zoned.sgrid.shape, data.n, len(wells))
    grid = nominal_grid(zoned.sgrid)
    # per-zone means in realizations.csv (zone codes 0.., named); volumes use each cell's bulk volume
    summary = summary_spec(config, grid.spacing, zones=np.asarray(zoned.sgrid.zone_property(), dtype=np.int64) - 1,
                           zone_names=dict(enumerate(zoned.sgrid.zone_names)),
                           cell_volumes=zoned.sgrid.bulk_volumes())
    return Problem(grid=grid, data=data, variogram=first.variogram, kind=first.kind,
                   mean=first.mean, method=dict(config["method"]), seed=config["seed"],
                   realizations=config["realizations"], batch_size=config["batch_size"], traces=well_traces(wells),
                   histogram=_in_units(histogram_spec(dict(config, _histograms=log is not None or zoned.structure is not None),
                                                      data, first.variogram, None, first.mean), log,
                                       {"histogram_range": user_range}),
                   quantiles=tuple(config.get("quantiles", ())), zones=zoned, summary=summary, log=log)


def _with_tools(problem, tools):
    """``problem`` with the tool offsets recorded (zoned runs: in ``residual``, which is otherwise empty)."""
    record = dict(problem.residual or {}, tool_offsets=None if tools is None else tools.record())
    return dataclasses.replace(problem, tool_offsets=tools, residual=record)


def _samples_in(grid, easting, northing, tvdss, values, well):
    """The log samples inside the grid box (for variography)."""
    b = grid.bounds
    inside = ((easting >= b[0]) & (easting <= b[1]) & (northing >= b[2]) & (northing <= b[3])
              & (tvdss >= b[4]) & (tvdss <= b[5]))
    return tuple(a[inside] for a in (easting, northing, tvdss, values, well))


def histogram_spec(config, data, variogram, transform, mean) -> HistogramSpec:
    """Histogram bins and cutoffs of a run, derived once from the problem (identical in every worker).

    Edges: ``histogram_range`` if given, else a range that holds (nearly) every realization value:
    the back-transform bounds (``zmin``/``zmax``) for normal scores, ``mean +- 5 sqrt(sill)`` and the data
    range for a Gaussian ``conditional`` run, the data range widened by 5 % for ``subsample`` (kriging
    stays near the data). ``histogram_bins`` uniform bins, plus the under/overflow bins of
    :class:`krigflow.stats.HistogramSpec`. Per-cell histograms only when quantiles are asked for.
    """
    bins = int(config.get("histogram_bins", 100))
    low, high = float(np.min(data.values)), float(np.max(data.values))
    if config.get("histogram_range") is not None:
        low, high = config["histogram_range"]
    else:
        if config["method"]["name"] == "conditional":
            if isinstance(transform, NormalScore):
                t_low, t_high = transform.value_range(5.0)
                low, high = min(low, t_low), max(high, t_high)
            elif transform is not None:  # log10: 5 standard deviations of the simulated log values
                t_low, t_high = transform.value_range(5.0, std=float(np.sqrt(variogram.sill)))
                low, high = min(low, t_low), max(high, t_high)
            else:
                half = 5.0 * np.sqrt(variogram.sill)
                low, high = min(low, mean - half), max(high, mean + half)
        else:
            pad = 0.05 * (high - low)
            low, high = low - pad, high + pad
        if not high > low:
            low, high = low - 1.0, high + 1.0
    exact = exact_quantiles(config)     # quantiles and P(> cutoff) from the shortcut instead
    return HistogramSpec(uniform_edges(low, high, bins),
                         cutoffs=() if exact else tuple(config.get("cutoffs", ())),
                         cell_histograms=bool(config.get("quantiles")) and not exact,
                         max_count=max(int(config["realizations"]), 1))


def describe_wells(wells, data=None) -> list:
    """Return a JSON-ready summary of the wells used (name, file, curve, sources, data count)."""
    out = []
    for i, w in enumerate(sorted(wells, key=lambda w: (w.path, w.name))):
        item = {
            "name": w.name,
            "path": w.path,
            "curve": w.curve,
            "unit": w.unit,
            "location_source": w.location_source,
            "survey_source": w.survey_source,
            "n_samples": int(np.sum(np.isfinite(np.asarray(w.values, dtype=float)))),
            "warnings": list(w.warnings),
        }
        if data is not None:
            item["n_data"] = int(np.sum(data.well == i))
        out.append(item)
    return out


def _valid_samples(well):
    arrays = [np.asarray(a, dtype=float) for a in (well.easting, well.northing, well.tvdss, well.values)]
    ok = np.logical_and.reduce([np.isfinite(a) for a in arrays])
    return [a[ok] for a in arrays]
