"""VTK XML ImageData (``.vti``) of a run's statistics, for ParaView and pyvista.

Axes: x = easting, y = northing, z = **elevation = -tvdss** (so up is up in ParaView); one Float64 cell
array per 3-D statistic.
"""

from __future__ import annotations

import base64
import logging

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.io.atomic import write_atomically
from krigflow.io.results import grid_geometry, statistic_arrays, summary_spacing

logger = logging.getLogger(__name__)

__all__ = ["vti_order", "write_vti"]


def vti_order(value) -> np.ndarray:
    """Flatten a ``[easting, northing, tvdss]`` array into VTK cell order (x fastest, z = -tvdss upward).

    Examples
    --------
    >>> a = np.arange(8.0).reshape(2, 2, 2)        # a[i, j, k], k = tvdss index (down)
    >>> vti_order(a).tolist()                      # first the deepest layer (k = 1), i fastest
    [1.0, 5.0, 3.0, 7.0, 0.0, 4.0, 2.0, 6.0]
    """
    return np.ascontiguousarray(np.asarray(value, dtype="<f8")[:, :, ::-1].transpose(2, 1, 0)).ravel()


def write_vti(path, arrays, *, summary=None, encoding="binary") -> str:
    """Write the 3-D statistics as VTK XML ImageData (``.vti``) for ParaView.

    Axes: x = easting, y = northing, z = elevation = -tvdss (m), so that up is up. ``Origin`` is the
    lowest corner (easting_min, northing_min, -tvdss_max), ``Spacing`` the cell size, and each statistic is
    a ``Float64`` cell array (NaN kept: ParaView shows it in its NaN colour) in VTK order: easting
    fastest, then northing, then elevation from the deepest layer up.

    Parameters
    ----------
    path : str
        File to write (replaced atomically).
    arrays : mapping of str to array
        ``stats.npz`` content.
    summary : dict, optional
        Run summary (only the grid spacing, for axes with a single cell).
    encoding : {"binary", "ascii"}
        ``binary``: base64 inline data with a UInt64 byte-count header (compact); ``ascii``: text.

    Returns
    -------
    str
        ``path``.
    """
    if encoding not in ("binary", "ascii"):
        raise KrigflowError(f"vti encoding: expected binary or ascii, got {encoding!r}")
    geom = grid_geometry(arrays, summary_spacing(summary))
    (nx, ny, nz), (dx, dy, dz), (e0, n0, t0) = geom["shape"], geom["spacing"], geom["lower"]
    stats = statistic_arrays(arrays)
    extent = f"0 {nx} 0 {ny} 0 {nz}"
    origin = f"{e0!r} {n0!r} {-(t0 + nz * dz)!r}"
    lines = [
        '<?xml version="1.0"?>',
        '<VTKFile type="ImageData" version="1.0" byte_order="LittleEndian" header_type="UInt64">',
        f'  <ImageData WholeExtent="{extent}" Origin="{origin}" Spacing="{dx!r} {dy!r} {dz!r}">',
        f'    <Piece Extent="{extent}">',
        "      <PointData>",
        "      </PointData>",
        f'      <CellData Scalars="{next(iter(stats), "")}">',
    ]
    for name, value in stats.items():
        data = vti_order(value)
        if encoding == "binary":
            raw = np.uint64(data.nbytes).tobytes() + data.tobytes()
            text = base64.b64encode(raw).decode("ascii")
        else:
            text = " ".join(repr(float(v)) if np.isfinite(v) else "nan" for v in data)
        lines.append(
            f'        <DataArray type="Float64" Name="{name}" NumberOfComponents="1" format="{encoding}">'
        )
        lines.append("          " + text)
        lines.append("        </DataArray>")
    lines += ["      </CellData>", "    </Piece>", "  </ImageData>", "</VTKFile>", ""]

    def write(tmp):
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write("\n".join(lines))

    write_atomically(path, write)
    logger.info("wrote %s (%d statistics)", path, len(stats))
    return path
