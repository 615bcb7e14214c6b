"""Horizons (depth surfaces) on a horizontal lattice: from well tops, from surface files, tied, never crossing.

Conventions: a :class:`Lattice` is the horizontal part of the model grid: ``ncol x nrow`` cells of
``dx x dy`` metres whose corners are the *nodes* (the pillars of the corner-point grid). A surface is
an array of TVDSS depths (m, positive down) at the nodes, shape ``(ncol + 1, nrow + 1)``, indexed
``[easting, northing]``; between nodes it is bilinear.

Surfaces from tops (:func:`surface_from_tops`): the depth (first surface) or the thickness below the
surface above (an *isochore*, for the others) is interpolated from the tops as a trend plus a residual:
the trend is a least-squares plane (a constant with one well, the minimum-norm plane through two wells),
the residual is simple-kriged with a 2-D variogram (three wells or more), then the node surface is tied
to the tops (a few rounds of kriging the misfit of its bilinear interpolation at the wells) so that it
passes through every top. Surfaces from files (:func:`read_surface`; IRAP binary/ascii, ZMAP+ through
xtgeo) are resampled on the lattice and tied to the tops the same way (residual correction).
:func:`truncate_crossings` makes the stack non-crossing (a surface above its predecessor is moved down to
it) and reports where; thickness is never negative.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np

from krigflow.conditioning import ConditioningData
from krigflow.exceptions import ConfigError
from krigflow.kriging import krige_points
from krigflow.variogram import Variogram

logger = logging.getLogger(__name__)

__all__ = [
    "SURFACE_FORMATS",
    "Lattice",
    "default_surface_variogram",
    "interpolate_surface",
    "read_surface",
    "surface_from_tops",
    "tie_surface",
    "truncate_crossings",
    "write_surface",
]

#: File formats read by :func:`read_surface` (xtgeo names), by extension.
SURFACE_FORMATS = {".gri": "irap_binary", ".irapbin": "irap_binary", ".irap": "irap_ascii",
                   ".fgr": "irap_ascii", ".irapasc": "irap_ascii", ".zmap": "zmap_ascii", ".zmp": "zmap_ascii",
                   ".dat": "zmap_ascii"}
#: Rounds of misfit kriging when tying a node surface to its tops.
TIE_ROUNDS = 6


@dataclass(frozen=True)
class Lattice:
    """Horizontal lattice of the model: ``shape = (ncol, nrow)`` cells, nodes at the cell corners.

    Parameters
    ----------
    origin : tuple of 2 float
        Easting and northing of node ``(0, 0)`` (the grid's south-west corner, m).
    spacing : tuple of 2 float
        Cell size ``(dx, dy)`` (m, > 0).
    shape : tuple of 2 int
        Number of cells ``(ncol, nrow)`` (>= 1).

    Examples
    --------
    >>> lat = Lattice.from_bounds((0, 1000, 0, 500), (100, 50))
    >>> lat.shape, lat.node_shape, float(lat.centre_easting[0])
    ((10, 10), (11, 11), 50.0)
    """

    origin: tuple
    spacing: tuple
    shape: tuple

    def __post_init__(self):
        try:
            origin = tuple(float(v) for v in self.origin)
            spacing = tuple(float(v) for v in self.spacing)
            shape = tuple(int(v) for v in self.shape)
        except (TypeError, ValueError):
            raise ConfigError(f"Lattice: origin, spacing and shape must be pairs of numbers, got {self.origin!r}, "
                              f"{self.spacing!r}, {self.shape!r}")
        if len(origin) != 2 or len(spacing) != 2 or len(shape) != 2 or not all(np.isfinite(origin + spacing)):
            raise ConfigError(f"Lattice: origin, spacing and shape must be pairs of finite numbers, got {origin}, "
                              f"{spacing}, {shape}")
        if min(spacing) <= 0 or min(shape) < 1:
            raise ConfigError(f"Lattice: spacing must be > 0 and shape >= 1, got spacing {spacing}, shape {shape}")
        object.__setattr__(self, "origin", origin)
        object.__setattr__(self, "spacing", spacing)
        object.__setattr__(self, "shape", shape)

    @classmethod
    def from_bounds(cls, bounds, spacing) -> Lattice:
        """Lattice covering ``bounds = (e_min, e_max, n_min, n_max)`` with cells ``spacing = (dx, dy)``.

        The extent must be a whole number of cells (to 1e-6 of a cell).

        Raises
        ------
        ConfigError
            If the bounds are not increasing or not a whole number of cells.
        """
        try:
            e0, e1, n0, n1 = (float(b) for b in bounds)
            dx, dy = (float(s) for s in spacing)
        except (TypeError, ValueError):
            raise ConfigError(f"grid.bounds must be [e_min, e_max, n_min, n_max] and grid.spacing [dx, dy], got "
                              f"{bounds!r} and {spacing!r}")
        if not (e1 > e0 and n1 > n0) or dx <= 0 or dy <= 0:
            raise ConfigError(f"grid.bounds must be increasing ([e_min, e_max, n_min, n_max]) and spacing > 0, got "
                              f"{bounds!r} and {spacing!r}")
        shape = []
        for extent, step, axis in ((e1 - e0, dx, "easting"), (n1 - n0, dy, "northing")):
            count = extent / step
            if abs(count - round(count)) > 1e-6 * max(1.0, count):
                raise ConfigError(f"grid.bounds: the {axis} extent {extent:g} m is not a whole number of cells of "
                                  f"{step:g} m")
            shape.append(round(count))
        return cls((e0, n0), (dx, dy), tuple(shape))

    @property
    def node_shape(self) -> tuple:
        """tuple: ``(ncol + 1, nrow + 1)``."""
        return (self.shape[0] + 1, self.shape[1] + 1)

    @property
    def bounds(self) -> tuple:
        """tuple: ``(e_min, e_max, n_min, n_max)`` (outer edges)."""
        return (self.origin[0], self.origin[0] + self.shape[0] * self.spacing[0],
                self.origin[1], self.origin[1] + self.shape[1] * self.spacing[1])

    @property
    def node_easting(self) -> np.ndarray:
        """array, shape (ncol + 1,): node eastings."""
        return self.origin[0] + self.spacing[0] * np.arange(self.shape[0] + 1)

    @property
    def node_northing(self) -> np.ndarray:
        """array, shape (nrow + 1,): node northings."""
        return self.origin[1] + self.spacing[1] * np.arange(self.shape[1] + 1)

    @property
    def centre_easting(self) -> np.ndarray:
        """array, shape (ncol,): cell-centre eastings."""
        return self.origin[0] + self.spacing[0] * (np.arange(self.shape[0]) + 0.5)

    @property
    def centre_northing(self) -> np.ndarray:
        """array, shape (nrow,): cell-centre northings."""
        return self.origin[1] + self.spacing[1] * (np.arange(self.shape[1]) + 0.5)

    def nodes(self) -> tuple:
        """Node coordinates ``(easting, northing)``, each of shape ``(ncol + 1, nrow + 1)``."""
        return np.meshgrid(self.node_easting, self.node_northing, indexing="ij")

    def cell_of(self, easting, northing) -> tuple:
        """Cell ``(i, j)`` of points and whether they lie inside (cells are half-open; the far edge is in).

        Examples
        --------
        >>> lat = Lattice((0.0, 0.0), (10.0, 10.0), (3, 2))
        >>> i, j, inside = lat.cell_of([5.0, 30.0, 31.0], [19.0, 20.0, 5.0])
        >>> i.tolist(), j.tolist(), inside.tolist()
        ([0, 2, 2], [1, 1, 0], [True, True, False])
        """
        fe = (np.asarray(easting, dtype=float) - self.origin[0]) / self.spacing[0]
        fn = (np.asarray(northing, dtype=float) - self.origin[1]) / self.spacing[1]
        eps = 1e-9
        inside = (fe >= -eps) & (fe <= self.shape[0] + eps) & (fn >= -eps) & (fn <= self.shape[1] + eps)
        i = np.clip(np.floor(fe), 0, self.shape[0] - 1).astype(np.int64)
        j = np.clip(np.floor(fn), 0, self.shape[1] - 1).astype(np.int64)
        return i, j, inside

    def bilinear(self, values, easting, northing) -> np.ndarray:
        """Bilinear interpolation of node values at points (points outside take the nearest edge).

        Parameters
        ----------
        values : array, shape (..., ncol + 1, nrow + 1)
            Node values (leading axes are kept).
        easting, northing : array, shape (m,)

        Returns
        -------
        array, shape (..., m)

        Examples
        --------
        >>> lat = Lattice((0.0, 0.0), (10.0, 10.0), (1, 1))
        >>> lat.bilinear(np.array([[0.0, 10.0], [20.0, 30.0]]), [5.0], [5.0]).tolist()
        [15.0]
        """
        values = np.asarray(values, dtype=float)
        fe = np.clip((np.asarray(easting, dtype=float).ravel() - self.origin[0]) / self.spacing[0], 0, self.shape[0])
        fn = np.clip((np.asarray(northing, dtype=float).ravel() - self.origin[1]) / self.spacing[1], 0,
                     self.shape[1])
        i = np.minimum(np.floor(fe).astype(np.int64), self.shape[0] - 1)
        j = np.minimum(np.floor(fn).astype(np.int64), self.shape[1] - 1)
        u, v = fe - i, fn - j
        return ((1 - u) * (1 - v) * values[..., i, j] + u * (1 - v) * values[..., i + 1, j]
                + (1 - u) * v * values[..., i, j + 1] + u * v * values[..., i + 1, j + 1])

    def cell_average(self, values) -> np.ndarray:
        """Mean of the four corner values of each cell: ``(..., ncol + 1, nrow + 1) -> (..., ncol, nrow)``."""
        values = np.asarray(values, dtype=float)
        return 0.25 * (values[..., :-1, :-1] + values[..., 1:, :-1] + values[..., :-1, 1:] + values[..., 1:, 1:])

    def to_xtgeo(self, values, name="surface"):
        """The node surface as an ``xtgeo.RegularSurface`` (nodes = xtgeo's surface nodes)."""
        import xtgeo
        return xtgeo.RegularSurface(ncol=self.node_shape[0], nrow=self.node_shape[1], xinc=self.spacing[0],
                                    yinc=self.spacing[1], xori=self.origin[0], yori=self.origin[1],
                                    values=np.asarray(values, dtype=float).copy(), name=name)


def default_surface_variogram(lattice, residuals=None) -> Variogram:
    """2-D variogram for surface residuals: Matérn (nu 1.5, smooth), range half the lattice diagonal.

    The sill is the residuals' variance (1 if they are constant); it does not change the kriged surface
    (no nugget), only keeps the numbers in scale.
    """
    e0, e1, n0, n1 = lattice.bounds
    range_h = 0.5 * float(np.hypot(e1 - e0, n1 - n0))
    sill = float(np.var(residuals)) if residuals is not None and np.size(residuals) > 1 else 1.0
    return Variogram("matern", sill=sill if sill > 0 else 1.0, range_h=range_h, range_v=1.0, nu=1.5)


def _points(easting, northing, values, what):
    e, n, v = (np.asarray(a, dtype=float).ravel() for a in (easting, northing, values))
    if not (e.size == n.size == v.size):
        raise ConfigError(f"{what}: easting, northing and values must have one length, got {e.size}, {n.size}, "
                          f"{v.size}")
    ok = np.isfinite(e) & np.isfinite(n) & np.isfinite(v)
    e, n, v = e[ok], n[ok], v[ok]
    # two tops at one location (e.g. two wells from one pad): keep their mean
    key = np.round(np.stack([e, n], 1), 3)
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    if first.size < e.size:
        inverse = inverse.ravel()
        v = np.bincount(inverse, weights=v) / np.bincount(inverse)
        e, n = e[first], n[first]
    return e, n, v


def _trend_plane(e, n, v):
    """Least-squares plane coefficients in centred coordinates (min-norm: constant with one point)."""
    ce, cn = float(np.mean(e)), float(np.mean(n))
    scale = max(float(np.ptp(e)), float(np.ptp(n)), 1.0)
    design = np.stack([np.ones_like(e), (e - ce) / scale, (n - cn) / scale], 1)
    coef = np.linalg.lstsq(design, v, rcond=None)[0]

    def plane(pe, pn):
        return coef[0] + coef[1] * (np.asarray(pe) - ce) / scale + coef[2] * (np.asarray(pn) - cn) / scale
    return plane


def _krige_residuals(variogram, e, n, r, target_e, target_n):
    data = ConditioningData(e, n, np.zeros_like(e), r, np.zeros(e.size, np.int64), np.zeros((e.size, 3), np.int64),
                            ("tops",))
    out = np.empty(np.size(target_e))
    te, tn = np.ravel(target_e), np.ravel(target_n)
    step = 20000
    for start in range(0, te.size, step):
        stop = min(start + step, te.size)
        out[start:stop] = krige_points(variogram, data, te[start:stop], tn[start:stop], np.zeros(stop - start),
                                       kind="simple", mean=0.0).estimate
    return out.reshape(np.shape(target_e))


def interpolate_surface(lattice, easting, northing, values, *, variogram=None) -> np.ndarray:
    """Interpolate point values (depths or thicknesses) to the lattice nodes: plane trend + kriged residual.

    Parameters
    ----------
    lattice : Lattice
    easting, northing, values : array, shape (m,)
        Points (NaN rows ignored; points at one location are averaged).
    variogram : krigflow.variogram.Variogram, optional
        2-D covariance of the residuals (only ``range_h``/``range_h2``/``azimuth``/model matter); default
        :func:`default_surface_variogram`.

    Returns
    -------
    array, shape (ncol + 1, nrow + 1)
        Node values: a constant for one point, the minimum-norm plane for two, a plane plus simple-kriged
        residuals (mean 0) for three or more. Not yet tied (see :func:`tie_surface`).

    Raises
    ------
    ConfigError
        If there is no finite point.

    Examples
    --------
    >>> lat = Lattice((0.0, 0.0), (100.0, 100.0), (4, 4))
    >>> s = interpolate_surface(lat, [50.0, 350.0], [200.0, 200.0], [1000.0, 1030.0])
    >>> round(float(lat.bilinear(s, [50.0], [200.0])[0]), 6), round(float(s[2, 0]), 6)
    (1000.0, 1015.0)
    """
    e, n, v = _points(easting, northing, values, "interpolate_surface")
    if v.size == 0:
        raise ConfigError("interpolate_surface: no point with a finite position and value")
    node_e, node_n = lattice.nodes()
    plane = _trend_plane(e, n, v)
    out = plane(node_e, node_n)
    residual = v - plane(e, n)
    if v.size >= 3 and np.max(np.abs(residual)) > 1e-9 * max(1.0, float(np.max(np.abs(v)))):
        vg = variogram if variogram is not None else default_surface_variogram(lattice, residual)
        out = out + _krige_residuals(vg, e, n, residual, node_e, node_n)
    return out


def tie_surface(lattice, surface, easting, northing, depth, *, variogram=None, rounds=TIE_ROUNDS,
                tolerance=0.01) -> np.ndarray:
    """Correct a node surface so that its bilinear interpolation passes through the tops.

    Each round interpolates the misfit ``depth - bilinear(surface)`` at the tops with
    :func:`interpolate_surface` (constant, plane, or plane + kriging) and adds it. The first round is the
    residual correction of a surface from a file; later rounds remove the small misfit left by sampling the
    correction at the nodes.

    Parameters
    ----------
    lattice : Lattice
    surface : array, shape (ncol + 1, nrow + 1)
        Node depths (m).
    easting, northing, depth : array, shape (m,)
        Tops (m); NaN rows ignored.
    variogram : krigflow.variogram.Variogram, optional
        Covariance of the misfit (default :func:`default_surface_variogram`).
    rounds : int, default 6
        Maximum number of rounds.
    tolerance : float, default 0.01
        Stop when every misfit is below this (m).

    Returns
    -------
    array, shape (ncol + 1, nrow + 1)

    Examples
    --------
    >>> lat = Lattice((0.0, 0.0), (100.0, 100.0), (4, 4))
    >>> tied = tie_surface(lat, np.full((5, 5), 1000.0), [130.0], [270.0], [1012.0])
    >>> round(float(lat.bilinear(tied, [130.0], [270.0])[0]), 6)
    1012.0
    """
    e, n, z = _points(easting, northing, depth, "tie_surface")
    out = np.array(surface, dtype=float, copy=True)
    if z.size == 0:
        return out
    for _ in range(int(rounds)):
        misfit = z - lattice.bilinear(out, e, n)
        if np.max(np.abs(misfit)) <= tolerance:
            break
        out += interpolate_surface(lattice, e, n, misfit, variogram=variogram)
    return out


def surface_from_tops(lattice, easting, northing, depth, *, above=None, variogram=None) -> np.ndarray:
    """A horizon from its well tops: depth (no ``above``) or isochore below ``above``, tied to the tops.

    Parameters
    ----------
    lattice : Lattice
    easting, northing, depth : array, shape (m,)
        The surface's tops (m, TVDSS positive down); NaN rows (missing tops) ignored.
    above : array, shape (ncol + 1, nrow + 1), optional
        The surface above: then the thickness ``depth - above`` at the tops is interpolated (a constant
        thickness with one well, a plane with two), clipped at 0, and added to ``above``.
    variogram : krigflow.variogram.Variogram, optional
        2-D covariance of the residuals.

    Returns
    -------
    array, shape (ncol + 1, nrow + 1)
        Node depths passing through every top (to 1 cm, bilinearly), never above ``above``.

    Examples
    --------
    >>> lat = Lattice((0.0, 0.0), (100.0, 100.0), (4, 4))
    >>> top = surface_from_tops(lat, [50.0, 350.0, 200.0], [50.0, 50.0, 350.0], [1000.0, 1010.0, 1020.0])
    >>> base = surface_from_tops(lat, [50.0], [50.0], [1040.0], above=top)
    >>> float(np.round((base - top).min(), 6)), float(np.round((base - top).max(), 6))
    (40.0, 40.0)
    """
    e, n, z = _points(easting, northing, depth, "surface_from_tops")
    if z.size == 0:
        raise ConfigError("surface_from_tops: no top with a finite position and depth")
    if above is None:
        reference, target = 0.0, z
    else:
        reference = np.asarray(above, dtype=float)
        target = z - lattice.bilinear(reference, e, n)
    q = interpolate_surface(lattice, e, n, target, variogram=variogram)

    def admissible(values):     # thickness below the surface above is never negative
        return values if above is None else np.maximum(values, 0.0)
    # tie: correct the (clipped) node values until their bilinear interpolation honours the tops
    for _ in range(3 * TIE_ROUNDS):
        misfit = target - lattice.bilinear(admissible(q), e, n)
        if np.max(np.abs(misfit)) <= 0.01:
            break
        q = q + interpolate_surface(lattice, e, n, misfit, variogram=variogram)
    return reference + admissible(q)


def surface_format(path, fformat=None) -> str:
    """xtgeo format name of a surface file, from ``fformat`` or the extension (see ``SURFACE_FORMATS``)."""
    if fformat:
        return str(fformat)
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in SURFACE_FORMATS:
        raise ConfigError(f"surface file {path}: unknown extension {ext!r}; use one of "
                          f"{', '.join(sorted(SURFACE_FORMATS))} or give the format (irap_binary, irap_ascii, "
                          "zmap_ascii)")
    return SURFACE_FORMATS[ext]


def read_surface(path, lattice, *, fformat=None, depth_sign=1) -> np.ndarray:
    """Read a surface file with xtgeo (IRAP binary/ascii, ZMAP+) and resample it on the lattice nodes.

    Parameters
    ----------
    path : str or path-like
    lattice : Lattice
    fformat : str, optional
        xtgeo format (default: from the extension).
    depth_sign : {1, -1}, default 1
        -1 for a file of elevations (z up): values are negated to TVDSS.

    Returns
    -------
    array, shape (ncol + 1, nrow + 1)
        Node depths (bilinear sampling); nodes outside the file's area take the nearest defined value.

    Raises
    ------
    ConfigError
        If the file cannot be read, or does not cover any lattice node.
    """
    import xtgeo
    path = os.fspath(path)
    try:
        source = xtgeo.surface_from_file(path, fformat=surface_format(path, fformat))
    except ConfigError:
        raise
    except Exception as exc:   # xtgeo raises many types for a bad file
        raise ConfigError(f"surface file {path}: cannot be read by xtgeo ({type(exc).__name__}: {exc})") from exc
    target = lattice.to_xtgeo(np.zeros(lattice.node_shape), name=os.path.basename(path))
    target.resample(source, mask=True)
    values = np.ma.filled(np.ma.masked_invalid(target.values.astype(float)), np.nan)
    values[np.abs(values) > 1e30] = np.nan
    if not np.any(np.isfinite(values)):
        raise ConfigError(f"surface file {path}: covers no node of the grid (grid bounds {lattice.bounds}, file "
                          f"x {source.xmin:g}..{source.xmax:g}, y {source.ymin:g}..{source.ymax:g})")
    missing = ~np.isfinite(values)
    if missing.any():
        logger.warning("surface file %s: %d of %d grid nodes are outside it; they take the nearest defined value",
                       path, int(missing.sum()), missing.size)
        from scipy import ndimage
        idx = ndimage.distance_transform_edt(missing, return_distances=False, return_indices=True)
        values = values[tuple(idx)]
    return depth_sign * values


def write_surface(path, lattice, surface, *, fformat=None, name="surface") -> str:
    """Write node depths as a surface file through xtgeo (format from ``fformat`` or the extension)."""
    path = os.fspath(path)
    lattice.to_xtgeo(surface, name=name).to_file(path, fformat=surface_format(path, fformat))
    return path


def truncate_crossings(surfaces, names=None) -> tuple:
    """Make a stack of surfaces (top to bottom) non-crossing: a node above the surface over it is moved down.

    Parameters
    ----------
    surfaces : array, shape (n, ncol + 1, nrow + 1)
        Node depths, top surface first.
    names : sequence of str, optional
        Surface names, for the report.

    Returns
    -------
    surfaces : array, shape (n, ncol + 1, nrow + 1)
        With ``surfaces[k] >= surfaces[k - 1]`` everywhere (zero thickness where they crossed).
    report : list of dict
        One entry per truncated surface: ``{"surface", "above", "nodes", "max_overlap"}`` (m). Logged as
        warnings.

    Examples
    --------
    >>> s = np.array([np.full((2, 2), 10.0), [[12.0, 9.0], [11.0, 8.5]]])
    >>> out, report = truncate_crossings(s, ["A", "B"])
    >>> out[1].tolist(), report
    ([[12.0, 10.0], [11.0, 10.0]], [{'surface': 'B', 'above': 'A', 'nodes': 2, 'max_overlap': 1.5}])
    """
    out = np.array(surfaces, dtype=float, copy=True)
    names = list(names) if names is not None else [f"surface {k}" for k in range(out.shape[0])]
    report = []
    for k in range(1, out.shape[0]):
        overlap = out[k - 1] - out[k]
        crossed = overlap > 0
        if crossed.any():
            entry = {"surface": names[k], "above": names[k - 1], "nodes": int(crossed.sum()),
                     "max_overlap": round(float(overlap.max()), 3)}
            report.append(entry)
            logger.warning("surface %r crosses %r above it at %d node(s) (by up to %.2f m); truncated to zero "
                           "thickness there", names[k], names[k - 1], entry["nodes"], entry["max_overlap"])
            out[k] = np.maximum(out[k], out[k - 1])
    return out, report
