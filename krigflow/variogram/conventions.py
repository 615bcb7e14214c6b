"""Anisotropy and range conventions of GSLIB and GSTools, converted to and from krigflow's :class:`Variogram`.

A variogram written for one program means something else in another: the angles turn the other way, start
from another axis, and the "range" is sometimes a practical range and sometimes a length scale. These
converters let a user bring a model from GSLIB (or SGeMS, which follows it) or GSTools, and take krigflow's
fitted model back to them, with the same covariance at every lag (tests compare against GSTools itself and
against a transcription of GSLIB's ``setrot``/``cova3``).

Conventions
-----------
============  ===========================  ==============================  ================================
              krigflow                     GSLIB (2nd ed., SGeMS)          GSTools (``CovModel``)
============  ===========================  ==============================  ================================
direction     ``azimuth``: major axis,     ``ang1``: same (azimuth, deg    ``angles[0]``: radians counter-
              degrees clockwise from       clockwise from north);          clockwise from the x (east) axis
              north                        ``ang2`` dip, ``ang3`` plunge   = ``pi/2 - azimuth``; then
                                           (must be 0 here)                ``angles[1:]`` (must be 0 here)
major range   ``range_h`` practical        ``a_hmax`` practical            ``len_scale`` (a length scale,
                                                                           see below)
minor range   ``range_h2`` practical       ``a_hmin``                      ``anis[0] * len_scale``
vertical      ``range_v`` practical        ``a_vert``                      ``anis[1] * len_scale``
sill          ``sill`` (total), nugget     ``c0`` + ``cc``                 ``var`` (partial) + ``nugget``
models        spherical, exponential,      ``it`` = 1, 2, 3 (no Matérn)    Spherical, Exponential,
              gaussian, matern                                             Gaussian, Matern
============  ===========================  ==============================  ================================

Practical range against length scale: krigflow and GSLIB give the distance at which the structured
correlation falls to 0.05 (exponential ``exp(-3 h / a)``, gaussian ``exp(-3 h**2 / a**2)``; exact range
for the spherical model). GSTools writes ``cor(s * h / len_scale)`` with its own ``cor`` and rescale
factor ``s``: ``exp(-t)`` (``s = 1``) for the exponential, ``exp(-t**2)`` with ``s = sqrt(pi) / 2`` for
the gaussian, ``1 - 1.5 t + 0.5 t**3`` (``s = 1``) for the spherical, and the Matérn with ``sqrt(nu) t``.
So ``len_scale = s * a / c`` with ``c = 3`` (exponential), ``sqrt(3)`` (gaussian; ``len_scale = a /
sqrt(3)`` only with ``rescale=1``), ``1`` (spherical), ``matern_scale(nu) / sqrt(nu)`` (Matérn).
The first edition of GSLIB (1992) used ``exp(-h / a)`` for the exponential: multiply such ranges by 3.

Axes: krigflow's lag is ``(d_easting, d_northing, d_tvdss)``; GSLIB's and GSTools' ``(x, y, z)`` with ``x``
east and ``y`` north. Their ``z`` points up and tvdss down, which matters only for the dip and plunge
angles that krigflow's model does not have (horizontal major and minor axes, vertical third axis).
"""
from __future__ import annotations

import logging

import numpy as np

from krigflow.exceptions import ConfigError
from krigflow.variogram.model import Variogram, matern_scale

logger = logging.getLogger(__name__)

__all__ = ["to_gslib", "from_gslib", "gslib_par_lines", "to_gstools", "from_gstools", "gstools_model",
           "GSLIB_TYPES", "GSTOOLS_NAMES"]

#: GSLIB variogram type codes (``it``) of krigflow's models.
GSLIB_TYPES = {"spherical": 1, "exponential": 2, "gaussian": 3}

#: GSTools class names of krigflow's models.
GSTOOLS_NAMES = {"spherical": "Spherical", "exponential": "Exponential", "gaussian": "Gaussian",
                 "matern": "Matern"}

#: GSTools default rescale factors (``CovModel.default_rescale``) of those classes.
_GSTOOLS_RESCALE = {"Spherical": 1.0, "Exponential": 1.0, "Gaussian": float(np.sqrt(np.pi) / 2.0), "Matern": 1.0}

#: Tolerance on angles that must be zero (degrees or radians) and on GSLIB's nst.
_ANGLE_TOL = 1e-9


def _unit_factor(model, nu):
    """``c`` such that krigflow's correlation at lag ``h`` is GSTools' ``cor(c * h / range)`` (rescale 1)."""
    if model == "exponential":
        return 3.0
    if model == "gaussian":
        return float(np.sqrt(3.0))
    if model == "spherical":
        return 1.0
    return matern_scale(nu) / float(np.sqrt(nu))


def _azimuth(value):
    """Azimuth of an axis folded into [0, 180) degrees (an axis has no sense)."""
    az = float(value) % 180.0
    return 0.0 if np.isclose(az, 180.0, rtol=0.0, atol=1e-12) else az


# --- GSLIB --------------------------------------------------------------------------------------------------


def to_gslib(variogram) -> dict:
    """GSLIB parameters (``vmodel``/``kt3d``/``sgsim`` variogram block) of a krigflow variogram.

    Parameters
    ----------
    variogram : krigflow.variogram.Variogram
        Spherical, exponential or gaussian model (GSLIB has no Matérn).

    Returns
    -------
    dict
        ``nst`` (1), ``c0`` (nugget), ``it`` (1 spherical, 2 exponential, 3 gaussian), ``cc`` (partial
        sill), ``ang1`` (azimuth of the major axis, degrees clockwise from north), ``ang2`` and ``ang3``
        (0), ``a_hmax``, ``a_hmin``, ``a_vert`` (practical ranges).

    Raises
    ------
    krigflow.exceptions.ConfigError
        For the Matérn model.

    Examples
    --------
    >>> v = Variogram("exponential", sill=1.0, range_h=800.0, range_h2=300.0, range_v=20.0, nugget=0.2,
    ...               azimuth=30.0)
    >>> to_gslib(v)
    {'nst': 1, 'c0': 0.2, 'it': 2, 'cc': 0.8, 'ang1': 30.0, 'ang2': 0.0, 'ang3': 0.0, 'a_hmax': 800.0, 'a_hmin': 300.0, 'a_vert': 20.0}
    """
    if variogram.model not in GSLIB_TYPES:
        raise ConfigError(f"GSLIB has no {variogram.model!r} variogram model; it knows {tuple(GSLIB_TYPES)}")
    return {"nst": 1, "c0": variogram.nugget, "it": GSLIB_TYPES[variogram.model], "cc": variogram.psill,
            "ang1": _azimuth(variogram.azimuth), "ang2": 0.0, "ang3": 0.0, "a_hmax": variogram.range_h,
            "a_hmin": variogram.range_h2, "a_vert": variogram.range_v}


def from_gslib(*, c0=0.0, it, cc, ang1=0.0, ang2=0.0, ang3=0.0, a_hmax, a_hmin=None, a_vert, nst=1) -> Variogram:
    """krigflow variogram of a one-structure GSLIB variogram (keyword arguments as in :func:`to_gslib`).

    Parameters
    ----------
    c0 : float, default 0
        Nugget.
    it : {1, 2, 3}
        Structure type: 1 spherical, 2 exponential, 3 gaussian.
    cc : float
        Partial sill (> 0).
    ang1 : float, default 0
        Azimuth of the major axis, degrees clockwise from north.
    ang2, ang3 : float, default 0
        Dip and plunge: must be 0 (krigflow's axes are horizontal, horizontal and vertical).
    a_hmax, a_hmin, a_vert : float
        Practical ranges along the major, minor horizontal and vertical axes (``a_hmin`` defaults to
        ``a_hmax``).
    nst : int, default 1
        Number of nested structures: must be 1.

    Returns
    -------
    krigflow.variogram.Variogram

    Raises
    ------
    krigflow.exceptions.ConfigError
        Naming the parameter: ``nst`` other than 1, unknown ``it``, non-zero ``ang2``/``ang3``.

    Examples
    --------
    >>> from_gslib(c0=0.1, it=1, cc=0.9, ang1=120.0, a_hmax=500.0, a_hmin=200.0, a_vert=10.0)
    Variogram(model='spherical', sill=1.0, range_h=500.0, range_v=10.0, nugget=0.1, range_h2=200.0, azimuth=120.0, nu=1.5)
    """
    if int(nst) != 1 or float(nst) != int(nst):
        raise ConfigError(f"GSLIB variogram: krigflow takes one structure (nst = 1), got nst = {nst}")
    models = {code: name for name, code in GSLIB_TYPES.items()}
    if it not in models:
        raise ConfigError(f"GSLIB variogram: it must be one of {sorted(models)} (1 spherical, 2 exponential, "
                          f"3 gaussian), got {it!r}")
    for name, value in (("ang2", ang2), ("ang3", ang3)):
        if abs(float(value)) > _ANGLE_TOL:
            raise ConfigError(f"GSLIB variogram: {name} must be 0 (krigflow's major and minor axes are "
                              f"horizontal), got {value}")
    return Variogram(models[it], sill=float(c0) + float(cc), range_h=float(a_hmax), range_v=float(a_vert),
                     nugget=float(c0), range_h2=float(a_hmax if a_hmin is None else a_hmin),
                     azimuth=_azimuth(ang1))


def gslib_par_lines(variogram) -> str:
    """The variogram lines of a GSLIB parameter file (``kt3d.par``, ``sgsim.par``) for ``variogram``.

    Examples
    --------
    >>> print(gslib_par_lines(Variogram("spherical", 1.0, 500.0, 10.0, nugget=0.1, range_h2=200.0, azimuth=45.0)))
    1    0.1                          -nst, nugget effect
    1    0.9    45.0    0.0    0.0    -it,cc,ang1,ang2,ang3
         500.0    200.0    10.0       -a_hmax, a_hmin, a_vert
    """
    g = to_gslib(variogram)
    return (f"{g['nst']}    {g['c0']!r:<29}-nst, nugget effect\n"
            f"{g['it']}    {g['cc']!r}    {g['ang1']!r}    {g['ang2']!r}    {g['ang3']!r}    -it,cc,ang1,ang2,ang3\n"
            f"     {g['a_hmax']!r}    {g['a_hmin']!r}    {g['a_vert']!r}       -a_hmax, a_hmin, a_vert")


# --- GSTools ------------------------------------------------------------------------------------------------


def to_gstools(variogram, *, rescale=None) -> dict:
    """Keyword arguments of the GSTools model equal to ``variogram`` (3-D, easting/northing/tvdss axes).

    Parameters
    ----------
    variogram : krigflow.variogram.Variogram
    rescale : float, optional
        GSTools ``rescale`` the length scale is computed for; default the class's own default (so the
        returned arguments work without passing ``rescale``), e.g. ``sqrt(pi) / 2`` for the Gaussian.

    Returns
    -------
    dict
        ``model`` (GSTools class name), ``dim`` (3), ``var`` (partial sill), ``len_scale``, ``nugget``,
        ``anis`` (``[range_h2 / range_h, range_v / range_h]``), ``angles`` (``[pi/2 - azimuth in radians,
        0, 0]``), ``rescale``, and ``nu`` for the Matérn. ``gstools.<model>(**rest)`` builds it (see
        :func:`gstools_model`).

    Examples
    --------
    >>> kw = to_gstools(Variogram("exponential", sill=1.0, range_h=300.0, range_v=30.0, azimuth=90.0))
    >>> kw["model"], kw["len_scale"], kw["anis"], kw["angles"]
    ('Exponential', 100.0, [1.0, 0.1], [0.0, 0.0, 0.0])
    """
    name = GSTOOLS_NAMES[variogram.model]
    rescale = _GSTOOLS_RESCALE[name] if rescale is None else float(rescale)
    length = rescale * variogram.range_h / _unit_factor(variogram.model, variogram.nu)
    alpha = float(np.deg2rad(90.0 - _azimuth(variogram.azimuth)))
    out = {"model": name, "dim": 3, "var": variogram.psill, "len_scale": length, "nugget": variogram.nugget,
           "anis": [variogram.range_h2 / variogram.range_h, variogram.range_v / variogram.range_h],
           "angles": [alpha, 0.0, 0.0], "rescale": rescale}
    if variogram.model == "matern":
        out["nu"] = variogram.nu
    return out


def gstools_model(variogram, *, rescale=None):
    """The ``gstools.CovModel`` equal to ``variogram`` (needs GSTools; see :func:`to_gstools`)."""
    import gstools  # optional dependency: only for this conversion

    kwargs = to_gstools(variogram, rescale=rescale)
    return getattr(gstools, kwargs.pop("model"))(**kwargs)


def from_gstools(model) -> Variogram:
    """krigflow variogram of a 3-D GSTools model (Spherical, Exponential, Gaussian or Matern).

    Parameters
    ----------
    model : gstools.CovModel
        A 3-D model whose first rotation angle only is non-zero (horizontal major axis). Read through its
        attributes ``dim``, ``var``, ``len_scale``, ``nugget``, ``anis``, ``angles``, ``rescale``
        (and ``nu``), so any object with them works.

    Returns
    -------
    krigflow.variogram.Variogram

    Raises
    ------
    krigflow.exceptions.ConfigError
        Naming what cannot be represented: another model class, ``dim`` other than 3, a non-zero second
        or third angle.
    """
    name = type(model).__name__
    models = {v: k for k, v in GSTOOLS_NAMES.items()}
    if name not in models:
        raise ConfigError(f"GSTools model {name!r} has no krigflow equivalent; use one of {tuple(models)}")
    if int(model.dim) != 3:
        raise ConfigError(f"GSTools model: krigflow needs a 3-D model (dim=3), got dim={model.dim}")
    angles = np.atleast_1d(np.asarray(model.angles, dtype=float))
    if np.any(np.abs(angles[1:]) > _ANGLE_TOL):
        raise ConfigError(f"GSTools model: only the first angle (in the horizontal plane) may be non-zero, got "
                          f"angles={angles.tolist()}")
    kind = models[name]
    nu = float(getattr(model, "nu", 1.5)) if kind == "matern" else 1.5
    range_h = float(model.len_scale) * _unit_factor(kind, nu) / float(model.rescale)
    anis = np.atleast_1d(np.asarray(model.anis, dtype=float))
    return Variogram(kind, sill=float(model.var) + float(model.nugget), range_h=range_h,
                     range_v=float(anis[1]) * range_h, nugget=float(model.nugget),
                     range_h2=float(anis[0]) * range_h, azimuth=_azimuth(90.0 - np.rad2deg(angles[0])), nu=nu)
