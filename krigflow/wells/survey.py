"""Deviation surveys: minimum curvature, survey files and positions along a well.

Conventions (see ``docs/architecture.md``): offsets are ``d_easting`` and
``d_northing`` (m) from the well head, ``tvd`` is the true vertical depth below
the depth datum (m, positive down). Angles are in degrees: inclination from
vertical, azimuth clockwise from north.

Two kinds of survey are supported:

* stations (MD, inclination, azimuth), integrated by the minimum-curvature
  method (:func:`minimum_curvature`, :func:`survey_from_stations`); positions
  between stations follow the minimum-curvature arc;
* already-integrated traces such as Petrel ``.dev`` exports (MD, X, Y, Z, TVD,
  ...), interpolated linearly in MD.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from krigflow.exceptions import SurveyError
from krigflow.wells.headers import normalize_well_name

logger = logging.getLogger(__name__)

#: Column names accepted for each survey quantity (upper case, units stripped).
MD_COLUMNS = ("MD", "DEPTH", "DEPT", "MEASURED_DEPTH")
INCLINATION_COLUMNS = ("INCL", "INC", "INCLINATION", "DEVI", "DEV", "INCLIN")
#: Grid-north azimuths come first: positions are in a projected CRS.
AZIMUTH_COLUMNS = ("AZIM_GN", "AZIM", "AZI", "AZIMUTH", "AZM", "AZIM_TN", "HAZI")


# --------------------------------------------------------------------------- geometry
def _tangent(inclination: np.ndarray, azimuth: np.ndarray) -> np.ndarray:
    """Unit tangent vectors (east, north, down), shape (n, 3), from angles in degrees."""
    inc = np.radians(inclination)
    azi = np.radians(azimuth)
    return np.column_stack([np.sin(inc) * np.sin(azi), np.sin(inc) * np.cos(azi), np.cos(inc)])


def _ratio_factor(dogleg: np.ndarray) -> np.ndarray:
    """Minimum-curvature ratio factor RF = (2/β)·tan(β/2), with RF → 1 as β → 0."""
    dogleg = np.asarray(dogleg, dtype=float)
    small = dogleg < 1e-6
    safe = np.where(small, 1.0, dogleg)
    # Taylor expansion 1 + β²/12 keeps full precision for tiny doglegs.
    return np.where(small, 1.0 + dogleg**2 / 12.0, 2.0 / safe * np.tan(safe / 2.0))


def _dogleg(t1: np.ndarray, t2: np.ndarray) -> np.ndarray:
    """Angle (radians) between unit vectors, computed stably with arctan2."""
    cross = np.linalg.norm(np.cross(t1, t2), axis=-1)
    dot = np.sum(t1 * t2, axis=-1)
    return np.arctan2(cross, dot)


def _check_stations(md, inclination, azimuth, source: str = ""):
    """Validate survey stations and return them as float arrays."""
    where = f" in {source}" if source else ""
    md = np.asarray(md, dtype=float).ravel()
    inclination = np.asarray(inclination, dtype=float).ravel()
    azimuth = np.asarray(azimuth, dtype=float).ravel()
    if not (md.size == inclination.size == azimuth.size):
        raise SurveyError(
            f"survey stations{where}: md, inclination and azimuth have different lengths "
            f"({md.size}, {inclination.size}, {azimuth.size})"
        )
    if md.size == 0:
        raise SurveyError(f"survey{where} has no stations")
    for label, arr in (("md", md), ("inclination", inclination), ("azimuth", azimuth)):
        if not np.all(np.isfinite(arr)):
            raise SurveyError(f"survey{where}: {label} has missing or non-numeric values")
    if np.any(np.diff(md) <= 0):
        bad = int(np.argmax(np.diff(md) <= 0)) + 1
        raise SurveyError(
            f"survey{where}: MD must increase strictly from station to station "
            f"(station {bad}: {md[bad - 1]} then {md[bad]})"
        )
    if np.any((inclination < 0) | (inclination > 180)):
        raise SurveyError(f"survey{where}: inclination must be within 0-180 degrees")
    return md, inclination, np.mod(azimuth, 360.0)


def minimum_curvature(md, inclination, azimuth) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integrate survey stations by the minimum-curvature method.

    The first station is reached by a vertical hole from the datum: its offsets
    are zero and its TVD equals its MD (a survey usually starts at MD 0).

    Parameters
    ----------
    md : array, shape (n,)
        Measured depth of the stations (m below datum), strictly increasing.
    inclination : array, shape (n,)
        Inclination from vertical (degrees, 0-180).
    azimuth : array, shape (n,)
        Azimuth clockwise from north (degrees).

    Returns
    -------
    d_easting, d_northing, tvd : array, shape (n,)
        Offsets from the well head (m) and true vertical depth below the datum
        (m) at each station.

    Raises
    ------
    SurveyError
        If the arrays differ in length, hold non-finite values, MD does not
        increase strictly or an inclination is outside 0-180 degrees.

    Examples
    --------
    >>> de, dn, tvd = minimum_curvature([0, 100], [0, 0], [0, 0])
    >>> tvd.tolist()
    [0.0, 100.0]
    """
    md, inclination, azimuth = _check_stations(md, inclination, azimuth)
    t = _tangent(inclination, azimuth)
    t1, t2 = t[:-1], t[1:]
    rf = _ratio_factor(_dogleg(t1, t2))
    step = (np.diff(md) / 2.0 * rf)[:, None] * (t1 + t2)
    pos = np.zeros((md.size, 3))
    pos[0, 2] = md[0]
    pos[1:] = pos[0] + np.cumsum(step, axis=0)
    return pos[:, 0], pos[:, 1], pos[:, 2]


def _arc_positions(md, pos, tangents, md_samples) -> np.ndarray:
    """Positions (n, 3) of samples inside the station range, along minimum-curvature arcs."""
    k = np.clip(np.searchsorted(md, md_samples, side="right") - 1, 0, md.size - 2)
    length = md_samples - md[k]
    frac = length / (md[k + 1] - md[k])
    t1, t2 = tangents[k], tangents[k + 1]
    beta = _dogleg(t1, t2)
    small = beta < 1e-9
    sin_beta = np.where(small, 1.0, np.sin(beta))
    # Spherical interpolation of the tangent; linear (then normalised) when the arc is straight.
    w1 = np.where(small, 1.0 - frac, np.sin((1.0 - frac) * beta) / sin_beta)
    w2 = np.where(small, frac, np.sin(frac * beta) / sin_beta)
    t_mid = w1[:, None] * t1 + w2[:, None] * t2
    t_mid /= np.linalg.norm(t_mid, axis=1, keepdims=True)
    rf = _ratio_factor(frac * beta)
    return pos[k] + (length / 2.0 * rf)[:, None] * (t1 + t_mid)


# --------------------------------------------------------------------------- Survey
@dataclass(frozen=True, eq=False)
class Survey:
    """A well trajectory: positions at survey stations and interpolation in MD.

    Parameters
    ----------
    md : array, shape (n,)
        Measured depth of the stations (m below datum), strictly increasing.
    d_easting, d_northing : array, shape (n,)
        Offsets of the stations from the well head (m).
    tvd : array, shape (n,)
        True vertical depth of the stations below the datum (m).
    source : str
        Where the survey came from, e.g. ``"Proteus_1.dev (X/Y/TVD)"``.
    inclination, azimuth : array, shape (n,), optional
        Station angles (degrees). When given, positions between stations follow
        the minimum-curvature arc; otherwise they are interpolated linearly.
    well_name : str
        Well name given by the survey file (``# WELL NAME:``), or ``""``.
    head_easting, head_northing : float, optional
        Absolute well-head position stated by the file (Petrel ``.dev``).
    datum : float, optional
        Datum elevation above mean sea level stated by the file (m).
    """

    md: np.ndarray
    d_easting: np.ndarray
    d_northing: np.ndarray
    tvd: np.ndarray
    source: str = ""
    inclination: np.ndarray | None = None
    azimuth: np.ndarray | None = None
    well_name: str = ""
    head_easting: float | None = None
    head_northing: float | None = None
    datum: float | None = None

    def _last_direction(self) -> np.ndarray:
        """Unit tangent (east, north, down) at the last station."""
        if self.inclination is not None and self.azimuth is not None:
            return _tangent(self.inclination[-1:], self.azimuth[-1:])[0]
        if self.md.size < 2:
            return np.array([0.0, 0.0, 1.0])
        d = np.array(
            [
                self.d_easting[-1] - self.d_easting[-2],
                self.d_northing[-1] - self.d_northing[-2],
                self.tvd[-1] - self.tvd[-2],
            ]
        )
        norm = np.linalg.norm(d)
        return d / norm if norm > 0 else np.array([0.0, 0.0, 1.0])

    def position(self, md_samples) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Offsets and TVD at arbitrary measured depths.

        Between stations: along the minimum-curvature arc when the station
        angles are known, else linear in MD. Above the first station: vertical.
        Below the last station: straight along the last station's direction.
        Use :meth:`coverage_warnings` to report the last two cases.

        Parameters
        ----------
        md_samples : array, shape (m,)
            Measured depths (m below datum).

        Returns
        -------
        d_easting, d_northing, tvd : array, shape (m,)
        """
        s = np.asarray(md_samples, dtype=float).ravel()
        md = self.md
        stations = np.column_stack([self.d_easting, self.d_northing, self.tvd])
        out = np.full((s.size, 3), np.nan)
        inside = (s >= md[0]) & (s <= md[-1])
        if md.size == 1:
            out[inside] = stations[0]
        elif self.inclination is not None and self.azimuth is not None:
            tangents = _tangent(self.inclination, self.azimuth)
            out[inside] = _arc_positions(md, stations, tangents, s[inside])
        else:
            for j in range(3):
                out[inside, j] = np.interp(s[inside], md, stations[:, j])
        above = s < md[0]
        out[above] = stations[0]
        out[above, 2] = self.tvd[0] - (md[0] - s[above])
        below = s > md[-1]
        if np.any(below):
            out[below] = stations[-1] + (s[below] - md[-1])[:, None] * self._last_direction()
        nan = ~np.isfinite(s)
        out[nan] = np.nan
        return out[:, 0], out[:, 1], out[:, 2]

    def coverage_warnings(self, md_samples) -> tuple[str, ...]:
        """Warnings about samples outside the surveyed MD range.

        Parameters
        ----------
        md_samples : array, shape (m,)
            Measured depths (m below datum).

        Returns
        -------
        tuple of str
            One message when samples lie deeper than the last station
            (extrapolated along its direction), one when samples lie above the
            first station (placed vertically above it).
        """
        s = np.asarray(md_samples, dtype=float)
        s = s[np.isfinite(s)]
        msgs = []
        n_below = int(np.sum(s > self.md[-1] + 1e-6))
        if n_below:
            msgs.append(
                f"{n_below} samples below the last survey station (MD {self.md[-1]:.1f} m) of "
                f"{self.source or 'the survey'}, down to MD {s.max():.1f} m: extrapolated along the "
                "last station's direction"
            )
        n_above = int(np.sum(s < self.md[0] - 1e-6))
        if n_above and self.md[0] > 1e-6:
            msgs.append(
                f"{n_above} samples above the first survey station (MD {self.md[0]:.1f} m) of "
                f"{self.source or 'the survey'}: placed vertically above it"
            )
        return tuple(msgs)


def survey_from_stations(md, incl, azim, source: str = "", *, well_name: str = "") -> Survey:
    """Build a :class:`Survey` from (MD, inclination, azimuth) stations.

    Parameters
    ----------
    md : array, shape (n,)
        Measured depth of the stations (m below datum), strictly increasing.
    incl : array, shape (n,)
        Inclination from vertical (degrees).
    azim : array, shape (n,)
        Azimuth clockwise from (grid) north (degrees).
    source : str
        Description of where the stations came from.
    well_name : str
        Well name, if known.

    Returns
    -------
    Survey
        Positions between stations follow the minimum-curvature arc.

    Raises
    ------
    SurveyError
        If the stations are invalid (see :func:`minimum_curvature`).
    """
    md, incl, azim = _check_stations(md, incl, azim, source)
    de, dn, tvd = minimum_curvature(md, incl, azim)
    return Survey(md, de, dn, tvd, source, inclination=incl, azimuth=azim, well_name=well_name)


def vertical_survey(source: str = "vertical (no survey)") -> Survey:
    """A vertical well: zero offsets and TVD equal to MD at every depth.

    Parameters
    ----------
    source : str
        Description to record.

    Returns
    -------
    Survey
    """
    return survey_from_stations([0.0, 1.0], [0.0, 0.0], [0.0, 0.0], source)


# --------------------------------------------------------------------------- files
_WELL_NAME = re.compile(r"^\s*#\s*WELL\s*NAME\s*:\s*(.+?)\s*$", re.IGNORECASE)
_HEAD_X = re.compile(r"WELL\s*HEAD\s*X-?\s*COORDINATE\s*:\s*([-+0-9.eE]+)", re.IGNORECASE)
_HEAD_Y = re.compile(r"WELL\s*HEAD\s*Y-?\s*COORDINATE\s*:\s*([-+0-9.eE]+)", re.IGNORECASE)
_DATUM = re.compile(r"WELL\s*DATUM[^:]*:\s*([-+0-9.eE]+)", re.IGNORECASE)
_UNIT_SUFFIX = re.compile(r"[\(\[].*?[\)\]]")


def _clean_column(name: str) -> str:
    """Upper-case a column name and strip units such as ``(m)`` or ``[deg]``."""
    return _UNIT_SUFFIX.sub("", name).strip().upper().replace(" ", "_")


def _read_text(path: Path) -> str:
    """Read a small text file, tolerating legacy encodings."""
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # pragma: no cover - latin-1 never fails


def _split(line: str) -> list[str]:
    """Split a table line on commas, semicolons, tabs or runs of spaces."""
    return [p for p in re.split(r"[,;\t]\s*|\s+", line.strip()) if p != ""]


def _find(columns: list[str], names: tuple[str, ...]) -> int | None:
    """Index of the first of ``names`` present in ``columns``, or None."""
    for name in names:
        if name in columns:
            return columns.index(name)
    return None


def _parse_table(lines: list[str], path: Path) -> tuple[list[str], np.ndarray]:
    """Find the header line (first non-comment line with a MD column) and parse rows."""
    header_idx = None
    for i, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = [_clean_column(c) for c in _split(line)]
        if _find(cols, MD_COLUMNS) is not None:
            header_idx = i
            break
        raise SurveyError(
            f"survey file {path}: first table line {line.strip()[:60]!r} does not name a MD column "
            f"(expected one of {', '.join(MD_COLUMNS)})"
        )
    if header_idx is None:
        raise SurveyError(f"survey file {path}: no table header with a MD column found")
    columns = [_clean_column(c) for c in _split(lines[header_idx])]
    rows = []
    for n, line in enumerate(lines[header_idx + 1:], start=header_idx + 2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = _split(line)
        if len(parts) < len(columns):
            raise SurveyError(
                f"survey file {path}, line {n}: {len(parts)} values for {len(columns)} columns"
            )
        try:
            rows.append([float(p) for p in parts[: len(columns)]])
        except ValueError as exc:
            raise SurveyError(f"survey file {path}, line {n}: non-numeric value ({exc})") from None
    if not rows:
        raise SurveyError(f"survey file {path}: the table has no rows")
    return columns, np.asarray(rows, dtype=float)


def read_survey(path) -> Survey:
    """Read a deviation-survey file.

    Two layouts are recognised:

    * Petrel well-trace exports (``.dev``): comment lines ``# WELL NAME:``,
      ``# WELL HEAD X-COORDINATE:``, ``# WELL HEAD Y-COORDINATE:``,
      ``# WELL DATUM (KB, ...):`` then columns ``MD X Y Z TVD ...``. The
      absolute X/Y are kept as ``head_* + d_*``; TVD comes from the TVD column
      (or datum − Z).
    * Station tables (CSV or whitespace) with columns MD, INCL (INC,
      INCLINATION, DEVI) and AZIM (AZIM_GN, AZI, AZIMUTH, AZIM_TN), and an
      optional ``# WELL NAME: name`` comment line; integrated by minimum
      curvature.

    Parameters
    ----------
    path : str or Path
        Survey file.

    Returns
    -------
    Survey

    Raises
    ------
    SurveyError
        If the file cannot be read, has no recognisable columns, or its
        stations are not physically possible.
    """
    path = Path(path)
    try:
        text = _read_text(path)
    except OSError as exc:
        raise SurveyError(f"survey file {path}: cannot read ({exc.strerror or exc})") from None
    lines = text.splitlines()
    well_name = ""
    for line in lines:
        m = _WELL_NAME.match(line)
        if m:
            well_name = m.group(1).strip()
            break
    columns, data = _parse_table(lines, path)
    imd = _find(columns, MD_COLUMNS)
    ix, iy = _find(columns, ("X", "EASTING")), _find(columns, ("Y", "NORTHING"))
    itvd, iz = _find(columns, ("TVD",)), _find(columns, ("Z",))
    if ix is not None and iy is not None and (itvd is not None or iz is not None):
        return _trace_survey(path, text, well_name, data, imd, ix, iy, itvd, iz)
    iinc, iazi = _find(columns, INCLINATION_COLUMNS), _find(columns, AZIMUTH_COLUMNS)
    if iinc is None or iazi is None:
        raise SurveyError(
            f"survey file {path}: columns {columns} have neither X/Y/TVD nor inclination "
            f"({'/'.join(INCLINATION_COLUMNS)}) and azimuth ({'/'.join(AZIMUTH_COLUMNS)})"
        )
    survey = survey_from_stations(
        data[:, imd], data[:, iinc], data[:, iazi],
        source=f"minimum curvature: {path.name}", well_name=well_name,
    )
    logger.debug("read %d survey stations from %s", survey.md.size, path)
    return survey


def _trace_survey(path, text, well_name, data, imd, ix, iy, itvd, iz) -> Survey:
    """Build a Survey from an already-integrated X/Y/TVD trace."""
    head_x = _HEAD_X.search(text)
    head_y = _HEAD_Y.search(text)
    datum_m = _DATUM.search(text)
    datum = float(datum_m.group(1)) if datum_m else None
    x, y = data[:, ix], data[:, iy]
    hx = float(head_x.group(1)) if head_x else float(x[0])
    hy = float(head_y.group(1)) if head_y else float(y[0])
    if itvd is not None:
        tvd = data[:, itvd]
    elif datum is not None:
        tvd = datum - data[:, iz]
    else:
        raise SurveyError(f"survey file {path}: Z column without TVD needs the WELL DATUM comment")
    md = data[:, imd]
    if not np.all(np.isfinite(data[:, [imd, ix, iy]])) or not np.all(np.isfinite(tvd)):
        raise SurveyError(f"survey file {path}: missing values in MD/X/Y/TVD")
    if np.any(np.diff(md) <= 0):
        raise SurveyError(f"survey file {path}: MD must increase strictly down the trace")
    logger.debug("read %d trace points from %s", md.size, path)
    return Survey(
        md, x - hx, y - hy, tvd, f"{path.name} (X/Y/TVD)",
        well_name=well_name, head_easting=hx, head_northing=hy, datum=datum,
    )


def survey_names(survey: Survey, path) -> tuple[str, ...]:
    """Normalised names by which a survey file can be matched to a well.

    Parameters
    ----------
    survey : Survey
        The survey read from ``path``.
    path : str or Path
        Its file.

    Returns
    -------
    tuple of str
        The ``# WELL NAME:`` comment (if any) first, then the file stem, both
        normalised with :func:`krigflow.wells.headers.normalize_well_name`.
    """
    names = []
    if survey.well_name:
        names.append(normalize_well_name(survey.well_name))
    names.append(normalize_well_name(Path(path).stem))
    return tuple(dict.fromkeys(names))


_NUM_UNIT = re.compile(r"^([-+]?\d+(?:\.\d+)?)(m|ft|f)?$", re.IGNORECASE)


def survey_from_las_comments(comments, source: str = "") -> Survey | None:
    """Parse a ``# DEVIATION SURVEY`` table from the comment block of a LAS file.

    The block follows a line containing ``DEVIATION SURVEY``; each row holds
    one or more (MD, inclination, azimuth) triplets, e.g.
    ``#  533.8m  0.00  0.00  538.5m  0.54  355.49`` (several triplets per row
    are read left to right). The table ends at the first line without numbers
    once rows have been read. MD with an ``ft`` suffix is converted to metres.

    Parameters
    ----------
    comments : sequence of str
        Comment lines of the LAS header (``LogData.comments``).
    source : str
        Description to record, e.g. the LAS file name.

    Returns
    -------
    Survey or None
        None when there is no such table, it has fewer than 2 stations or the
        stations are not physically possible (logged at debug level).
    """
    start = None
    for i, line in enumerate(comments):
        if "DEVIATION SURVEY" in line.upper():
            start = i + 1
            break
    if start is None:
        return None
    stations: list[tuple[float, float, float]] = []
    for line in comments[start:]:
        tokens = line.strip().lstrip("#").split()
        parsed = []
        for t in tokens:
            m = _NUM_UNIT.match(t.strip().rstrip("#"))
            if m is None:
                parsed = None
                break
            factor = 0.3048 if (m.group(2) or "").lower() in ("ft", "f") else 1.0
            parsed.append((float(m.group(1)), factor))
        if not parsed or len(parsed) % 3:
            if stations:
                break
            continue
        for k in range(0, len(parsed), 3):
            (md, f), (inc, _), (azi, _) = parsed[k:k + 3]
            stations.append((md * f, inc, azi))
    if len(stations) < 2:
        return None
    arr = np.array(sorted(stations), dtype=float)
    keep = np.concatenate([[True], np.diff(arr[:, 0]) > 0])  # a repeated MD keeps its first station
    arr = arr[keep]
    try:
        return survey_from_stations(arr[:, 0], arr[:, 1], arr[:, 2],
                                    source=f"minimum curvature: {source} # DEVIATION SURVEY comment")
    except SurveyError as exc:
        logger.debug("LAS comment survey of %s not used: %s", source, exc)
        return None
