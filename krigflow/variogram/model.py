"""Variogram and covariance models with practical ranges and geometric anisotropy.

Conventions (see ``docs/architecture.md``):

* ``sill`` is the total sill ``C(0)``, nugget included; the partial sill is ``sill - nugget``.
* Ranges are *practical* ranges: the correlation of the structured part is ``exp(-3)`` (about 0.05) at
  the range for the exponential (``exp(-3 h / a)``) and gaussian (``exp(-3 h**2 / a**2)``) models, as in
  GSLIB and PyKrige's exponential model; the spherical range is exact; the Matérn scale is chosen so
  that its correlation is exactly 0.05 at the range (found numerically once per ``nu``).
* Geometric anisotropy: the lag ``(d_easting, d_northing, d_tvdss)`` is rotated so that the first axis
  is the major horizontal axis (``azimuth``, degrees clockwise from north), scaled by
  ``(range_h, range_h2, range_v)`` and its length ``h`` is used with a unit-range model.
* ``covariance(0) == sill`` (nugget included): the nugget is a jump at exactly zero lag, so kriging is
  exact at the data (as PyKrige's ``exact_values=True``).
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from krigflow._validate import check_choice
from krigflow.exceptions import VariogramError

logger = logging.getLogger(__name__)

__all__ = ["MODELS", "Variogram", "matern_scale"]

MODELS = ("spherical", "exponential", "gaussian", "matern")

#: Correlation of the structured part at the practical range for the Matérn model.
_MATERN_AT_RANGE = 0.05


def _matern_unit(t, nu):
    """Matérn correlation ``2**(1-nu)/Gamma(nu) * t**nu * K_nu(t)`` for t >= 0 (1 at t = 0)."""
    t = np.asarray(t, dtype=float)
    out = np.ones_like(t)
    pos = t > 1e-12
    tp = t[pos]
    # kve(nu, t) = kv(nu, t) * exp(t): evaluate in logs to avoid overflow/underflow at both ends
    with np.errstate(divide="ignore", over="ignore", under="ignore"):
        log_val = ((1.0 - nu) * np.log(2.0) - special.gammaln(nu) + nu * np.log(tp)
                   + np.log(special.kve(nu, tp)) - tp)
        out[pos] = np.exp(log_val)
    out[~np.isfinite(out)] = 0.0
    return out


@functools.lru_cache(maxsize=64)
def matern_scale(nu: float) -> float:
    """Return ``c`` such that the Matérn correlation of ``t = c * h / range`` is 0.05 at ``h = range``.

    Parameters
    ----------
    nu : float
        Smoothness (> 0).

    Returns
    -------
    float
        The scale factor ``c`` (``ln 20 = 2.9957`` for ``nu = 0.5``).

    Examples
    --------
    >>> round(matern_scale(0.5), 6) == round(float(np.log(20.0)), 6)
    True
    """
    nu = float(nu)
    return float(optimize.brentq(lambda t: _matern_unit(np.array([t]), nu)[0] - _MATERN_AT_RANGE,
                                 1e-6, 100.0 + 10.0 * nu, xtol=1e-14, rtol=1e-15))


def _unit_correlation(model, h, nu):
    """Correlation of the structured part at normalized lag ``h`` (range 1)."""
    if model == "exponential":
        return np.exp(-3.0 * h)
    if model == "gaussian":
        return np.exp(-3.0 * h * h)
    if model == "spherical":
        hc = np.minimum(h, 1.0)
        return 1.0 - hc * (1.5 - 0.5 * hc * hc)
    return _matern_unit(matern_scale(nu) * h, nu)


@dataclass(frozen=True)
class Variogram:
    """A stationary variogram model with nugget and geometric anisotropy.

    Parameters
    ----------
    model : {"spherical", "exponential", "gaussian", "matern"}
        Model family.
    sill : float
        Total sill ``C(0)`` including the nugget (> nugget).
    range_h : float
        Practical range along the major horizontal axis (m, > 0).
    range_v : float
        Practical range along tvdss (m, > 0).
    nugget : float, default 0
        Nugget (>= 0, < sill).
    range_h2 : float or None, default None
        Practical range along the minor horizontal axis (m, > 0); None means ``range_h`` (isotropic
        horizontally).
    azimuth : float, default 0
        Direction of the major horizontal axis, degrees clockwise from north.
    nu : float, default 1.5
        Matérn smoothness (> 0), used only by the "matern" model.

    Raises
    ------
    krigflow.exceptions.VariogramError
        Naming the bad parameter: unknown model, ``sill <= nugget``, ``nugget < 0``, a range <= 0, ``nu <= 0``.

    Examples
    --------
    >>> v = Variogram("exponential", sill=2.0, range_h=100.0, range_v=10.0, nugget=0.5)
    >>> float(v.covariance(0.0, 0.0, 0.0)), round(float(v.semivariance(0.0, 100.0, 0.0)), 4)
    (2.0, 1.9253)
    """

    model: str
    sill: float
    range_h: float
    range_v: float
    nugget: float = 0.0
    range_h2: float | None = None
    azimuth: float = 0.0
    nu: float = 1.5

    def __post_init__(self):
        check_choice(self.model, "model", MODELS, error=VariogramError, prefix="Variogram ")
        for name in ("sill", "range_h", "range_v", "nugget", "azimuth", "nu"):
            value = getattr(self, name)
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise VariogramError(f"Variogram {name} must be a number, got {getattr(self, name)!r}")
            if not np.isfinite(value):
                raise VariogramError(f"Variogram {name} must be finite, got {value!r}")
            object.__setattr__(self, name, value)
        if self.range_h2 is None:
            object.__setattr__(self, "range_h2", self.range_h)
        try:
            object.__setattr__(self, "range_h2", float(self.range_h2))
        except (TypeError, ValueError):
            raise VariogramError(f"Variogram range_h2 must be a number or None, got {self.range_h2!r}")
        if self.nugget < 0:
            raise VariogramError(f"Variogram nugget must be >= 0, got {self.nugget}")
        if not self.sill > self.nugget:
            raise VariogramError(f"Variogram sill ({self.sill}) must be greater than the nugget ({self.nugget})")
        for name in ("range_h", "range_h2", "range_v"):
            if not (np.isfinite(getattr(self, name)) and getattr(self, name) > 0):
                raise VariogramError(f"Variogram {name} must be > 0, got {getattr(self, name)}")
        if self.nu <= 0:
            raise VariogramError(f"Variogram nu must be > 0, got {self.nu}")
        if self.model == "matern":
            matern_scale(self.nu)   # fail early and warm the cache

    @property
    def psill(self) -> float:
        """float: partial sill ``sill - nugget``."""
        return self.sill - self.nugget

    def normalized_lag(self, d_easting, d_northing, d_tvdss) -> np.ndarray:
        """Anisotropic lag length ``h`` (1 at the range along every axis); arrays broadcast.

        Parameters
        ----------
        d_easting, d_northing, d_tvdss : array_like
            Lag components (m).

        Returns
        -------
        array
            ``sqrt((u/range_h)**2 + (v/range_h2)**2 + (d_tvdss/range_v)**2)`` with ``u`` along the major
            axis (azimuth) and ``v`` along the minor axis.
        """
        return np.sqrt(self._h2_horizontal(d_easting, d_northing)
                       + np.square(np.asarray(d_tvdss, dtype=float) / self.range_v))

    def _h2_horizontal(self, d_easting, d_northing):
        """Squared normalized horizontal lag."""
        de = np.asarray(d_easting, dtype=float)
        dn = np.asarray(d_northing, dtype=float)
        if self.azimuth % 180.0 == 0.0:
            major, minor = dn, de
        elif self.azimuth % 180.0 == 90.0:
            major, minor = de, dn
        else:
            theta = np.deg2rad(self.azimuth)
            s, c = np.sin(theta), np.cos(theta)
            major = de * s + dn * c     # unit vector of the major axis: (sin az, cos az)
            minor = de * c - dn * s     # perpendicular: (cos az, -sin az)
        return np.square(major / self.range_h) + np.square(minor / self.range_h2)

    def correlation_of_lag(self, h) -> np.ndarray:
        """Correlation of the structured part at normalized lag ``h`` (no nugget)."""
        return _unit_correlation(self.model, np.asarray(h, dtype=float), self.nu)

    def covariance_of_lag(self, h) -> np.ndarray:
        """Covariance at normalized lag ``h``: ``psill * rho(h)``, plus the nugget where ``h == 0``."""
        h = np.asarray(h, dtype=float)
        cov = self.psill * self.correlation_of_lag(h)
        if self.nugget:
            cov = cov + np.where(h == 0.0, self.nugget, 0.0)
        return cov

    def covariance(self, d_easting, d_northing, d_tvdss) -> np.ndarray:
        """Covariance ``C(lag)``; ``C(0) = sill`` (nugget included).

        Parameters
        ----------
        d_easting, d_northing, d_tvdss : array_like
            Lag components (m), broadcast together.

        Returns
        -------
        array
            Covariance, the broadcast shape of the inputs.
        """
        return self.covariance_of_lag(self.normalized_lag(d_easting, d_northing, d_tvdss))

    def semivariance(self, d_easting, d_northing, d_tvdss) -> np.ndarray:
        """Semivariance ``gamma(lag) = sill - C(lag)`` (0 at zero lag, nugget + ... elsewhere)."""
        return self.sill - self.covariance(d_easting, d_northing, d_tvdss)
