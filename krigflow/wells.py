"""Wells placed in 3-D: the property log of one LAS file with a position for every sample.

This module ties together LAS reading (:mod:`krigflow.las`), curve selection
(:mod:`krigflow.curves`), well-head location (:mod:`krigflow.headers`) and
deviation surveys (:mod:`krigflow.survey`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Well:
    """One well's property log with every sample placed in 3-D.

    Parameters
    ----------
    name : str
        Well name (as in the LAS file, or the matched header-table name).
    path : str
        LAS file the log was read from.
    curve : str
        Mnemonic of the property curve used.
    unit : str
        Unit of the property values.
    md : array, shape (n,)
        Measured depth of each sample (m), increasing.
    values : array, shape (n,)
        Property values, NaN where the log is null.
    easting, northing : array, shape (n,)
        Projected position of each sample (m).
    tvdss : array, shape (n,)
        True vertical depth below mean sea level of each sample (m, positive down).
    kb : float
        Elevation of the depth datum (KB/DFE/RT) above mean sea level (m).
    location_source : str
        Where the well-head location came from.
    survey_source : str
        Where the trajectory came from (a survey file, or vertical).
    warnings : tuple of str
        Problems found that did not prevent placing the well.
    """

    name: str
    path: str
    curve: str
    unit: str
    md: np.ndarray
    values: np.ndarray
    easting: np.ndarray
    northing: np.ndarray
    tvdss: np.ndarray
    kb: float
    location_source: str = ""
    survey_source: str = ""
    warnings: tuple = ()
