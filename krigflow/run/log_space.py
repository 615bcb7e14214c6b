"""Runs in log space: ``method.transform: log10`` for permeability-like properties.

The property ``k`` is modelled through ``y = log10(k)``, in this order:

1. every log sample is checked to be > 0 (:func:`check_positive`, before any work: the error names the
   well, its file, and the MD/TVDSS of its first value <= 0) and replaced by its log10;
2. the samples are upscaled in log space (a cell's datum is the mean of log10: the geometric mean of k);
3. the trend is fitted to and removed from the log values, the variogram and well effect are those of the
   log residuals, which are simulated as Gaussian (``conditional``) or kriged (``subsample``);
4. the trend is added back, **then** ``k = 10 ** y`` (:func:`krigflow.run.realize.realization_values`).

Every statistic is then computed from back-transformed realizations: the per-cell ``mean`` of the run is
the mean of ``10 ** Y`` over the realizations (it estimates the lognormal mean
``10 ** (m + ln(10) s**2 / 2)``, *not* ``10 ** m``, which is the median), quantiles are those of
``10 ** Y`` (exact ones: ``10 ** (m + s z_p)``, since ``10 ** x`` is increasing), ``P(k > c) = P(y > log10 c)``,
and cutoffs, volumes and ``realizations.csv`` work in property units. Histogram bins are geometric (equal
widths in log10), so histogram quantiles keep their resolution over decades of ``k``.
"""
from __future__ import annotations

import logging
import os

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.realizations import LogTransform
from krigflow.stats import HistogramSpec

logger = logging.getLogger(__name__)

__all__ = ["check_positive", "geometric_histogram", "is_log", "log_config", "log_samples", "log_wells"]


def is_log(config) -> bool:
    """True when the run models log10 of its property (``method.transform: log10``)."""
    return (config.get("method") or {}).get("transform") == "log10"


def _first_bad(well, values):
    """Index (in the well's arrays) of the first finite value <= 0 in MD order, or None."""
    bad = np.flatnonzero(np.isfinite(values) & (values <= 0))
    if bad.size == 0:
        return None
    md = np.asarray(getattr(well, "md", np.arange(values.size)), dtype=float)
    if md.shape == values.shape:
        return int(bad[np.argmin(md[bad])])
    return int(bad[0])


def check_positive(wells, prop, parts=None) -> None:
    """Refuse a log10 run whose data hold a value <= 0, naming the first such value of each well.

    Parameters
    ----------
    wells : sequence of krigflow.wells.well.Well
    prop : str
        Property name (for the message).
    parts : sequence of 4 arrays per well, optional
        ``(easting, northing, tvdss, values)`` of each well's valid samples after normalization (the values
        the run uses); default the wells' own values.

    Raises
    ------
    KrigflowError
        ``method.transform log10: GR must be > 0; well 'W1' (w1.las) has -0.5 at MD 1234.5 m (TVDSS
        1100.2 m), the first of 3 values <= 0 in that well``, and the other wells with such values.
    """
    problems = []
    for i, well in enumerate(wells):
        raw = np.asarray(well.values, dtype=float)
        idx = _first_bad(well, raw)
        if idx is not None:
            md = np.asarray(well.md, dtype=float)
            where = f"MD {md[idx]:.2f} m (TVDSS {float(np.asarray(well.tvdss)[idx]):.2f} m)"
            count, value = int(np.sum(np.isfinite(raw) & (raw <= 0))), raw[idx]
        elif parts is not None and np.any(np.asarray(parts[i][3]) <= 0):   # made <= 0 by normalize
            v = np.asarray(parts[i][3])
            j = int(np.flatnonzero(v <= 0)[0])
            where = f"TVDSS {float(parts[i][2][j]):.2f} m after normalize"
            count, value = int(np.sum(v <= 0)), v[j]
        else:
            continue
        problems.append(f"well {well.name!r} ({os.path.basename(str(well.path))}) has {value:g} at {where}, "
                        f"the first of {count} value(s) <= 0 in that well")
    if problems:
        raise KrigflowError(
            f"method.transform log10: {prop} must be > 0 (a logarithm needs positive values); "
            + "; ".join(problems)
            + ". Remove, clip or shift these values knowingly, or use method.transform none or normal_score")


def log_samples(wells, parts, prop):
    """log10 of each well's valid samples, after :func:`check_positive`; and the fitted transform.

    Returns
    -------
    parts : list of [easting, northing, tvdss, log10(values)]
    transform : krigflow.realizations.LogTransform
        Fitted to every sample (its ``describe()`` goes to ``summary.json``).
    """
    check_positive(wells, prop, parts)
    values = np.concatenate([np.asarray(p[3], dtype=float) for p in parts]) if parts else np.zeros(0)
    transform = LogTransform.fit(values)
    out = [[p[0], p[1], p[2], transform.transform(p[3])] for p in parts]
    logger.info("log10 of %s: %d samples from %.4g to %.4g, log10 mean %.4g, spread %.4g", prop, values.size,
                transform.data_min, transform.data_max, transform.log_mean, transform.log_std)
    return out, transform


def log_wells(wells, transform):
    """The wells with log10 values (for zoned runs, which read the wells themselves)."""
    import dataclasses

    return [dataclasses.replace(w, values=transform.transform(np.asarray(w.values, dtype=float))) for w in wells]


def log_config(config) -> dict:
    """The configuration the log-space problem is built with: the residuals of log10 are simulated as
    Gaussian (``method.transform: none``); cutoffs, volumes and ``histogram_range`` stay in property units."""
    return {**config, "method": {**config["method"], "transform": "none"}}


def geometric_histogram(spec) -> HistogramSpec:
    """A histogram spec whose edges (given in log10 units) become ``10 ** edges`` (cutoffs unchanged).

    Examples
    --------
    >>> from krigflow.stats import uniform_edges
    >>> geometric_histogram(HistogramSpec(uniform_edges(0.0, 2.0, 2))).edges.tolist()
    [1.0, 10.0, 100.0]
    """
    return HistogramSpec(np.power(10.0, spec.edges), cutoffs=spec.cutoffs, cell_histograms=spec.cell_histograms,
                         max_count=spec.max_count)
