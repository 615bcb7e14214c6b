"""The wells file of a run (``wells.npz``): well trajectories and conditioning data, for figures.

Read it back with :func:`krigflow.io.results.read_wells`.
"""

from __future__ import annotations

import numpy as np

from krigflow.io.atomic import write_atomically

__all__ = ["WELLS_FILE", "well_traces", "write_wells"]

#: File holding the wells (trajectories, names) and conditioning data, for figures.
WELLS_FILE = "wells.npz"


def well_traces(wells, max_points=400) -> dict:
    """Decimated trajectories of wells, sorted like :func:`krigflow.run.problem.build_problem` sorts them.

    Parameters
    ----------
    wells : sequence of krigflow.wells.well.Well
    max_points : int, default 400
        At most this many points per well (evenly spaced samples, first and last kept).

    Returns
    -------
    dict
        ``names`` (tuple of str), ``easting``, ``northing``, ``tvdss`` (all points of all wells,
        concatenated) and ``well`` (index into ``names`` of each point).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> w = SimpleNamespace(path="a.las", name="A", easting=np.zeros(5), northing=np.zeros(5),
    ...                     tvdss=np.arange(5.0))
    >>> t = well_traces([w], max_points=3)
    >>> t["names"], t["tvdss"].tolist(), t["well"].tolist()
    (('A',), [0.0, 2.0, 4.0], [0, 0, 0])
    """
    wells = sorted(wells, key=lambda w: (w.path, w.name))
    e, n, t, idx = [], [], [], []
    for i, w in enumerate(wells):
        pts = np.stack([np.asarray(a, dtype=float) for a in (w.easting, w.northing, w.tvdss)], axis=1)
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        if len(pts) > max_points:
            pts = pts[np.unique(np.linspace(0, len(pts) - 1, max_points).round().astype(int))]
        e.append(pts[:, 0]), n.append(pts[:, 1]), t.append(pts[:, 2]), idx.append(np.full(len(pts), i))
    cat = lambda parts, dtype=float: np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)
    return {
        "names": tuple(w.name for w in wells),
        "easting": cat(e),
        "northing": cat(n),
        "tvdss": cat(t),
        "well": cat(idx, np.int64),
    }


def write_wells(path, data=None, traces=None) -> str:
    """Write the wells and conditioning data a figure needs to ``wells.npz``.

    Parameters
    ----------
    path : str
        File to write (atomically).
    data : krigflow.grid.ConditioningData, optional
        Conditioning data of the run.
    traces : dict, optional
        :func:`well_traces` of the run's wells.

    Returns
    -------
    str
        ``path``. Keys: ``names`` (str), ``trace_easting``, ``trace_northing``, ``trace_tvdss``,
        ``trace_well``, ``data_easting``, ``data_northing``, ``data_tvdss``, ``data_value``, ``data_well``
        (well indices into ``names``).
    """
    names = tuple((traces or {}).get("names") or (data.well_names if data is not None else ()))
    out = {"names": np.asarray(names, dtype=str)}
    for key in ("easting", "northing", "tvdss", "well"):
        out[f"trace_{key}"] = np.asarray((traces or {}).get(key, np.zeros(0)))
    if data is not None:
        out.update(
            data_easting=np.asarray(data.easting, dtype=float),
            data_northing=np.asarray(data.northing, dtype=float),
            data_tvdss=np.asarray(data.tvdss, dtype=float),
            data_value=np.asarray(data.values, dtype=float),
            data_well=np.asarray(data.well, dtype=np.int64),
        )

    def write(tmp):
        with open(tmp, "wb") as fh:
            np.savez(fh, **out)

    return write_atomically(path, write)
