"""Reading what a run wrote: ``stats.npz``, ``summary.json``, ``wells.npz``, the status record, the variogram fit.

This module is the one reader of a run's output folder; the library (:func:`krigflow.io.open_results`),
the figures, the command line and the run's own resume and combine logic all read through it.
"""

from __future__ import annotations

import json
import logging
import os
import zipfile

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.io.wells_file import WELLS_FILE

logger = logging.getLogger(__name__)

__all__ = [
    "COORDINATES",
    "SUMMARY_FILE",
    "grid_geometry",
    "load_results",
    "property_name_unit",
    "read_status",
    "read_summary",
    "read_variogram_fit",
    "read_wells",
    "statistic_arrays",
    "summary_spacing",
    "tool_attrs",
]

#: Names of the cell-centre vectors in ``stats.npz``, in axis order.
COORDINATES = ("easting", "northing", "tvdss")
#: File holding a run's summary (configuration, wells, fingerprint, status).
SUMMARY_FILE = "summary.json"
#: File an external variogram fit may be given in (see :func:`read_variogram_fit`).
VARIOGRAM_FILE = "variogram.json"


def statistic_arrays(arrays) -> dict:
    """Return the 3-D statistic arrays among ``arrays``, in their order.

    Parameters
    ----------
    arrays : mapping of str to array
        Arrays of a run (``stats.npz``): the cell-centre vectors ``easting``, ``northing``, ``tvdss`` and
        the statistics.

    Returns
    -------
    dict of str to array, each of shape (nx, ny, nz)

    Raises
    ------
    KrigflowError
        If a coordinate vector is missing.

    Examples
    --------
    >>> a = {"easting": np.arange(2.0), "northing": np.arange(3.0), "tvdss": np.arange(4.0),
    ...      "mean": np.zeros((2, 3, 4)), "p10": np.zeros((2, 3, 4)), "hist_edges": np.arange(5.0)}
    >>> list(statistic_arrays(a))
    ['mean', 'p10']
    """
    missing = [c for c in COORDINATES if c not in arrays]
    if missing:
        raise KrigflowError(f"statistics: missing coordinate vector(s) {', '.join(missing)}")
    shape = tuple(np.asarray(arrays[c]).size for c in COORDINATES)
    return {
        name: np.asarray(value)
        for name, value in arrays.items()
        if name not in COORDINATES and np.shape(value) == shape
    }


def grid_geometry(arrays, spacing=None) -> dict:
    """Cell geometry from the cell-centre vectors.

    Parameters
    ----------
    arrays : mapping of str to array
        With ``easting``, ``northing``, ``tvdss`` (regularly spaced cell centres).
    spacing : sequence of 3 float, optional
        Cell size; needed only along an axis with a single cell (e.g. from ``summary.json``).

    Returns
    -------
    dict
        ``shape`` (nx, ny, nz), ``spacing`` (dx, dy, dz) and ``lower`` (the outer cell edges at the
        minimum of each axis: easting, northing, tvdss).

    Raises
    ------
    KrigflowError
        If a vector is not regularly increasing, or an axis has one cell and no ``spacing`` is given.

    Examples
    --------
    >>> g = grid_geometry({"easting": np.array([5.0, 15.0]), "northing": np.array([1.0, 3.0, 5.0]),
    ...                    "tvdss": np.array([1001.0])}, spacing=(10, 2, 2))
    >>> g["shape"], g["spacing"], g["lower"]
    ((2, 3, 1), (10.0, 2.0, 2.0), (0.0, 0.0, 1000.0))
    """
    shape, step, lower = [], [], []
    for axis, name in enumerate(COORDINATES):
        centres = np.asarray(arrays[name], dtype=float).ravel()
        if centres.size == 0:
            raise KrigflowError(f"statistics: coordinate vector {name} is empty")
        if centres.size > 1:
            d = np.diff(centres)
            if not (np.all(d > 0) and np.allclose(d, d[0], rtol=1e-6)):
                raise KrigflowError(f"statistics: {name} cell centres are not regularly increasing")
            dx = float(d[0])
        elif spacing is not None:
            dx = float(spacing[axis])
        else:
            raise KrigflowError(f"statistics: {name} has one cell; its spacing is needed (summary.json)")
        shape.append(centres.size)
        step.append(dx)
        lower.append(float(centres[0] - 0.5 * dx))
    return {"shape": tuple(shape), "spacing": tuple(step), "lower": tuple(lower)}


def read_summary(output_dir):
    """Return the summary (``summary.json``) of a run's output folder, or None.

    None when the file is missing, unreadable or not a JSON object (an unreadable file is logged as a
    warning: the results can still be used without the run's metadata).

    Parameters
    ----------
    output_dir : str
        Output folder of a run.

    Returns
    -------
    dict or None

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> read_summary(folder) is None
    True
    >>> _ = open(os.path.join(folder, "summary.json"), "w").write('{"status": "ok"}')
    >>> read_summary(folder)
    {'status': 'ok'}
    """
    path = os.path.join(output_dir, SUMMARY_FILE)
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            summary = json.load(fh)
    except (OSError, ValueError) as exc:
        logger.warning("%s: cannot be read (%s); using the results without the run's metadata", path, exc)
        return None
    return summary if isinstance(summary, dict) else None


def load_results(output_dir) -> tuple:
    """Read ``stats.npz`` (and ``summary.json`` if there) from a run's output folder.

    Parameters
    ----------
    output_dir : str
        Output folder of a run.

    Returns
    -------
    arrays : dict of str to array
    summary : dict or None
        :func:`read_summary`.

    Raises
    ------
    KrigflowError
        If the folder or its ``stats.npz`` is missing or unreadable.
    """
    path = os.path.join(output_dir, "stats.npz")
    if not os.path.isdir(output_dir):
        raise KrigflowError(f"{output_dir}: no such output directory")
    if not os.path.isfile(path):
        raise KrigflowError(f"{output_dir}: no stats.npz (is this the output directory of a finished run?)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except Exception as exc:
        raise KrigflowError(f"{path}: cannot be read ({exc})") from exc
    return arrays, read_summary(output_dir)


def read_status(path):
    """Return the status record at ``path``, or None if there is none (or it is unreadable).

    Examples
    --------
    >>> read_status("/nonexistent/status.json") is None
    True
    """
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def read_wells(output_dir):
    """Read ``wells.npz`` of a run (None if the run did not write one).

    Raises
    ------
    KrigflowError
        Naming the file, if it is not an ``.npz`` archive of plain arrays (nothing is unpickled) or has no
        ``names`` array.
    """
    path = os.path.join(output_dir, WELLS_FILE)
    if not os.path.isfile(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            wells = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:  # ValueError: pickled (object) data
        raise KrigflowError(f"{path}: cannot be read as the wells of a run ({' '.join(str(exc).split())})") from exc
    if "names" not in wells:
        raise KrigflowError(f"{path}: no 'names' array; not the wells.npz of a krigflow run")
    wells["names"] = [str(n) for n in wells["names"]]
    return wells


def read_variogram_fit(output_dir, summary=None):
    """Return the fitted-variogram record of a run, or None if no variogram was fitted.

    Looked for in ``summary["variogram_fit"]`` (written by a ``variogram: auto`` run: ``chosen``,
    ``candidates``, ``variance``, ``experimental``), then in ``<output>/variogram.json``:
    ``{"experimental": [{"direction": str, "lag": [...], "gamma": [...]}, ...], "model": {variogram keys}
    (optional; default: the run's variogram)}``.

    Parameters
    ----------
    output_dir : str
        Output folder of a run.
    summary : dict, optional
        The run's summary (read with :func:`read_summary` when not given).

    Returns
    -------
    dict or None
        A record with a non-empty ``experimental`` list, or None.

    Examples
    --------
    >>> import tempfile
    >>> read_variogram_fit(tempfile.mkdtemp(), {"variogram_fit": None}) is None
    True
    """
    if summary is None:
        summary = read_summary(output_dir)
    fit = (summary or {}).get("variogram_fit")
    path = os.path.join(output_dir, VARIOGRAM_FILE)
    if fit is None and os.path.isfile(path):
        try:
            with open(path, encoding="utf-8") as fh:
                fit = json.load(fh)
        except (OSError, ValueError) as exc:
            logger.warning("%s: cannot be read (%s)", path, exc)
    if not isinstance(fit, dict) or not fit.get("experimental"):
        return None
    return fit


def property_name_unit(summary) -> tuple:
    """Return ``(property, unit)`` of a run from its summary (``("property", "")`` if unknown).

    The unit is the most common unit of the wells' property curves.

    Examples
    --------
    >>> property_name_unit({"config": {"property": "GR"}, "wells": [{"unit": "gAPI"}, {"unit": "gAPI"}]})
    ('GR', 'gAPI')
    >>> property_name_unit(None)
    ('property', '')
    """
    if not summary:
        return "property", ""
    prop = (summary.get("config") or {}).get("property") or "property"
    units = [w.get("unit") for w in summary.get("wells") or [] if w.get("unit")]
    unit = max(set(units), key=units.count) if units else ""
    return prop, unit


def summary_spacing(summary):
    """Cell size ``(dx, dy, dz)`` recorded in a run summary, or None.

    Examples
    --------
    >>> summary_spacing({"grid": {"spacing": [50.0, 50.0, 2.0]}}), summary_spacing(None)
    ([50.0, 50.0, 2.0], None)
    """
    return ((summary or {}).get("grid") or {}).get("spacing")


def tool_attrs(summary) -> dict:
    """``property_tool``: the tool the model reads as, when the logs of other tools were shifted to it
    (:mod:`krigflow.tool_offsets`); empty otherwise."""
    tools = (((summary or {}).get("residual_model") or {}).get("tool_offsets")) or {}
    if not tools.get("applied"):
        return {}
    return {"property_tool": str(tools["reference"]),
            "property_tool_note": f"logs of other tools shifted to read as {tools['reference']} (tool_offsets)"}
