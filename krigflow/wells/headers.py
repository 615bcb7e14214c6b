"""Well-head locations: header tables, LAS-header coordinates and well-name matching.

Name matching rule (:func:`match_well_name`), in order:

1. an explicit name map (``{"LAS name": "table name"}``; keys and values are
   compared after normalisation);
2. equal names after :func:`normalize_well_name` (case, spaces, underscores and
   punctuation dropped);
3. equal names once a sidetrack suffix (``ST``, ``ST1``, ``ST2``...) is dropped
   from either side; then equal names when one side has no number and the
   other ends in well number 1 (``Poseidon_North`` = ``Poseidon North 1``);
4. a unique close match: same digits, and a :class:`difflib.SequenceMatcher`
   ratio of at least :data:`CLOSE_MATCH_RATIO` on the normalised names, with no
   other candidate as close. It is accepted with a warning (this is how the
   ``Kronons_1`` typo of the Poseidon header table finds ``Kronos 1``).

Coordinates equal to 0/0 count as missing. Latitude/longitude is only used when
the caller names the projected CRS to convert to (``crs="EPSG:28351"``).
"""
from __future__ import annotations

import csv
import difflib
import io
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

from krigflow.exceptions import WellLocationError

logger = logging.getLogger(__name__)

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SIDETRACK = re.compile(r"(st\d*|sidetrack\d*)$")

#: Minimum similarity for an automatic close match of well names.
CLOSE_MATCH_RATIO = 0.85

#: Column roles of a header table and the (normalised) spellings recognised for each.
HEADER_COLUMNS = {
    "name": ("name", "well", "wellname", "well_name", "uwi", "wellid", "borehole", "hole"),
    "easting": ("x", "easting", "east", "xcoord", "xcoordinate", "surfacex", "wellheadx", "headx", "xloc",
                "utmx", "eastingm"),
    "northing": ("y", "northing", "north", "ycoord", "ycoordinate", "surfacey", "wellheady", "heady", "yloc",
                 "utmy", "northingm"),
    "kb": ("kb", "dfe", "ekb", "edf", "kbelev", "kbelevation", "elevkb", "rt", "ert", "rte", "df", "datum",
           "datumelevation", "elevation", "elev", "kbm", "dfem"),
    "latitude": ("lat", "latitude", "latdd", "latdec", "latitudedd"),
    "longitude": ("lon", "long", "longitude", "londd", "londec", "longitudedd"),
}

#: LAS header mnemonics (``~Well`` or ``~Parameter``) holding projected coordinates, in order of trust.
LAS_XY_MNEMONICS = (("X", "Y"), ("XCOORD", "YCOORD"), ("EASTING", "NORTHING"), ("XWELL", "YWELL"),
                    ("X_COORD", "Y_COORD"), ("SURFX", "SURFY"))
LAS_LATLON_MNEMONICS = (("LATI", "LONG"), ("LAT", "LON"), ("LATITUDE", "LONGITUDE"), ("LAT", "LONG"))
#: LAS header mnemonics for the depth-datum elevation (not EPD/APD: those are the permanent datum).
LAS_KB_MNEMONICS = ("EKB", "KB", "EDF", "DFE", "ERT", "RT", "EREF")


def normalize_well_name(name: str) -> str:
    """Normalise a well name for matching.

    Case, spaces, underscores, hyphens and other punctuation are dropped, so
    ``"Poseidon North-1"``, ``"POSEIDON_NORTH_1"`` and ``"poseidon north 1"``
    all become ``"poseidonnorth1"``.

    Parameters
    ----------
    name : str
        Well name as written in a file.

    Returns
    -------
    str
        Lower-case letters and digits only.

    Examples
    --------
    >>> normalize_well_name("Proteus_1 ST2")
    'proteus1st2'
    """
    return _NON_ALNUM.sub("", str(name).lower())


def _strip_sidetrack(norm: str) -> str:
    """Normalised name without a trailing sidetrack suffix (``st2``), if a well number remains."""
    stripped = _SIDETRACK.sub("", norm)
    return stripped if stripped and stripped != norm and stripped[-1].isdigit() else norm


@dataclass(frozen=True)
class NameMatch:
    """Result of matching a well name against candidates.

    Parameters
    ----------
    name : str or None
        The matched candidate as written, or None.
    rule : str
        ``"name map"``, ``"exact"``, ``"sidetrack"``, ``"close match"`` or ``"none"``.
    warning : str
        Non-empty when the match deserves attention (close match).
    """

    name: str | None
    rule: str
    warning: str = ""


def match_well_name(name: str, candidates, name_map=None) -> NameMatch:
    """Match a well name against candidate names (see the module docstring for the rule).

    Parameters
    ----------
    name : str
        Name to look up (e.g. the LAS ``WELL`` item).
    candidates : iterable of str
        Names to match against (e.g. the header table's names).
    name_map : mapping of str to str, optional
        Explicit ``{name: candidate}`` pairs, tried first.

    Returns
    -------
    NameMatch

    Examples
    --------
    >>> match_well_name("Kronos 1", ["Kronons_1", "Boreas_1"]).name
    'Kronons_1'
    >>> match_well_name("Poseidon 3", ["Poseidon_1", "Poseidon_2"]).name is None
    True
    """
    candidates = list(candidates)
    by_norm: dict[str, str] = {}
    for c in candidates:
        by_norm.setdefault(normalize_well_name(c), c)
    norm = normalize_well_name(name)
    for key, value in (name_map or {}).items():
        if normalize_well_name(key) == norm:
            target = by_norm.get(normalize_well_name(value))
            if target is not None:
                return NameMatch(target, "name map")
    if norm in by_norm:
        return NameMatch(by_norm[norm], "exact")
    base = _strip_sidetrack(norm)
    for cnorm, c in by_norm.items():
        if _strip_sidetrack(cnorm) == base:
            return NameMatch(c, "sidetrack")
    for cnorm, c in by_norm.items():
        cbase = _strip_sidetrack(cnorm)
        # "Poseidon North 1" is often written "Poseidon_North": the first well of a name drops its "1".
        if (base.endswith("1") and not base[-2:-1].isdigit() and base[:-1] == cbase
                and not re.search(r"\d", cbase)) or (
                cbase.endswith("1") and not cbase[-2:-1].isdigit() and cbase[:-1] == base
                and not re.search(r"\d", base)):
            return NameMatch(c, "number 1 omitted")
    digits = re.sub(r"\D", "", base)
    scored = []
    for cnorm, c in by_norm.items():
        cbase = _strip_sidetrack(cnorm)
        if re.sub(r"\D", "", cbase) != digits:
            continue
        scored.append((difflib.SequenceMatcher(None, base, cbase).ratio(), c))
    scored.sort(reverse=True)
    if scored and scored[0][0] >= CLOSE_MATCH_RATIO and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        ratio, c = scored[0]
        warning = (f"well name {name!r} matched to {c!r} by close match (similarity {ratio:.2f}); "
                   "add a name map entry if this is wrong")
        logger.warning(warning)
        return NameMatch(c, "close match", warning)
    return NameMatch(None, "none")


# --------------------------------------------------------------------------- header table
@dataclass(frozen=True)
class WellHead:
    """Surface location and datum of one well.

    Parameters
    ----------
    name : str
        Well name as written in the source.
    easting, northing : float or None
        Projected well-head position (m); None when unknown.
    kb : float or None
        Datum (KB/DFE/RT) elevation above mean sea level (m); None when unknown.
    latitude, longitude : float or None
        Geographic position (decimal degrees) when given.
    source : str
        Where the values came from.
    """

    name: str
    easting: float | None = None
    northing: float | None = None
    kb: float | None = None
    latitude: float | None = None
    longitude: float | None = None
    source: str = ""

    @property
    def has_xy(self) -> bool:
        """True when a projected position other than 0/0 is known."""
        return _usable_pair(self.easting, self.northing)

    @property
    def has_latlon(self) -> bool:
        """True when a geographic position other than 0/0 is known."""
        return _usable_pair(self.latitude, self.longitude)


@dataclass(frozen=True)
class HeaderTable:
    """A well-header table.

    Parameters
    ----------
    path : str
        File read.
    wells : tuple of WellHead
        One entry per row.
    columns : dict of str to str
        Column used for each role (``name``, ``easting``, ``northing``, ``kb``,
        ``latitude``, ``longitude``).
    """

    path: str
    wells: tuple
    columns: dict

    def names(self) -> list[str]:
        """Well names in table order."""
        return [w.name for w in self.wells]

    def get(self, name: str) -> WellHead | None:
        """The row whose name is exactly ``name``, or None."""
        for w in self.wells:
            if w.name == name:
                return w
        return None


def _usable_pair(a, b) -> bool:
    """Both values finite and not both zero (0/0 means missing)."""
    if a is None or b is None:
        return False
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return not (a == 0 and b == 0)


def _number(text) -> float | None:
    """A table cell or header value as float; None when empty or not numeric."""
    if text is None:
        return None
    s = str(text).strip()
    if s.count(",") == 1 and "." not in s:  # decimal comma
        s = s.replace(",", ".")
    s = re.sub(r"\s*(m|ft|meters?|metres?)$", "", s, flags=re.IGNORECASE)
    try:
        value = float(s)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def detect_columns(fieldnames, columns=None, path="") -> dict:
    """Find the header-table column for each role.

    Parameters
    ----------
    fieldnames : sequence of str
        Column names of the table.
    columns : mapping of str to str, optional
        Explicit ``{role: column}`` choices (roles: name, easting, northing,
        kb, latitude, longitude); they override detection.
    path : str
        File name for messages.

    Returns
    -------
    dict of str to str
        Role -> column name for the roles found.

    Raises
    ------
    WellLocationError
        If an explicit column is missing, or there is no name column.
    """
    by_norm = {normalize_well_name(f): f for f in fieldnames}
    found = {}
    for role, spellings in HEADER_COLUMNS.items():
        for s in spellings:
            if s in by_norm:
                found[role] = by_norm[s]
                break
    for role, col in (columns or {}).items():
        if role not in HEADER_COLUMNS:
            raise WellLocationError(f"well-header table {path}: unknown column role {role!r} "
                                    f"(expected one of {', '.join(HEADER_COLUMNS)})")
        if col not in fieldnames:
            raise WellLocationError(f"well-header table {path}: column {col!r} for {role} not found; "
                                    f"columns are {', '.join(fieldnames)}")
        found[role] = col
    if "name" not in found:
        raise WellLocationError(f"well-header table {path}: no well-name column (tried Name, Well, UWI...); "
                                f"columns are {', '.join(fieldnames)}")
    return found


def read_well_headers(path, columns=None) -> HeaderTable:
    """Read a well-header table (CSV; comma, semicolon or tab separated).

    Parameters
    ----------
    path : str or Path
        The table.
    columns : mapping of str to str, optional
        Explicit column names per role (see :func:`detect_columns`).

    Returns
    -------
    HeaderTable

    Raises
    ------
    WellLocationError
        If the file cannot be read, has no name column or no rows.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise WellLocationError(f"well-header table {path}: cannot read ({exc.strerror or exc})") from None
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise WellLocationError(f"well-header table {path}: empty")
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO("\n".join(lines)), dialect=dialect)
    fieldnames = [f.strip() for f in (reader.fieldnames or [])]
    reader.fieldnames = fieldnames
    cols = detect_columns(fieldnames, columns, str(path))
    wells = []
    for row in reader:
        name = (row.get(cols["name"]) or "").strip()
        if not name:
            continue
        values = {role: _number(row.get(col)) for role, col in cols.items() if role != "name"}
        wells.append(WellHead(name, values.get("easting"), values.get("northing"), values.get("kb"),
                              values.get("latitude"), values.get("longitude"),
                              source=f"well_headers: {path.name}"))
    if not wells:
        raise WellLocationError(f"well-header table {path}: no rows with a well name")
    logger.debug("read %d wells from %s (columns %s)", len(wells), path, cols)
    return HeaderTable(str(path), tuple(wells), cols)


# --------------------------------------------------------------------------- coordinates
_DMS = re.compile(
    r"^\s*([NSEW])?\s*([-+]?\d+(?:\.\d+)?)(?:\s*[°º∞o/:\s]\s*(\d+(?:\.\d+)?))?"
    r"(?:\s*['′/:\s]\s*(\d+(?:\.\d+)?))?\s*(?:[\"″]|''|['′])?\s*([NSEW])?\s*$",
    re.IGNORECASE,
)


def parse_angle(text) -> float | None:
    """Parse a latitude or longitude in decimal degrees or DMS.

    Accepts ``-13.62``, ``-13/37/16.79``, ``13° 37' 16.79" S``, ``43 35' 47.74" N``,
    ``45∞ 12' 3" W`` and similar. S and W make the value negative.

    Parameters
    ----------
    text : str or float
        The value.

    Returns
    -------
    float or None
        Decimal degrees, None when not parseable.

    Examples
    --------
    >>> round(parse_angle("-13/37/16.79"), 5)
    -13.62133
    >>> parse_angle("13° 30' 0\\" S")
    -13.5
    """
    if text is None:
        return None
    m = _DMS.match(str(text).replace("deg", "°").replace("DEG", "°"))
    if not m:
        return None
    hemi = (m.group(1) or m.group(5) or "").upper()
    deg_text = m.group(2)
    deg = abs(float(deg_text))
    minutes = float(m.group(3) or 0.0)
    seconds = float(m.group(4) or 0.0)
    if minutes >= 60 or seconds >= 60:
        return None
    value = deg + minutes / 60.0 + seconds / 3600.0
    negative = deg_text.strip().startswith("-") or hemi in ("S", "W")
    return -value if negative else value


def project_latlon(latitude: float, longitude: float, crs: str) -> tuple[float, float]:
    """Project geographic WGS84/GDA coordinates to ``crs`` with pyproj.

    Parameters
    ----------
    latitude, longitude : float
        Decimal degrees.
    crs : str
        Target projected CRS, e.g. ``"EPSG:28351"`` (GDA94 / MGA zone 51).

    Returns
    -------
    easting, northing : float

    Raises
    ------
    WellLocationError
        If pyproj is missing, the CRS is unknown or not projected.
    """
    try:
        from pyproj import CRS, Transformer
    except ImportError:  # pragma: no cover - pyproj is an optional dependency
        raise WellLocationError("converting latitude/longitude needs pyproj (pip install pyproj)") from None
    try:
        target = CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises CRSError
        raise WellLocationError(f"unknown CRS {crs!r} ({exc})") from None
    if not target.is_projected:
        raise WellLocationError(f"CRS {crs!r} is not projected: kriging needs metres (easting/northing)")
    geodetic = target.geodetic_crs or CRS.from_epsg(4326)
    transformer = Transformer.from_crs(geodetic, target, always_xy=True)
    e, n = transformer.transform(longitude, latitude)
    return float(e), float(n)


_COMMENT_EN = re.compile(r"EASTING\s*[:=]?\s*([-+]?\d+(?:\.\d+)?)\s*m?.*?NORTHING\s*[:=]?\s*([-+]?\d+(?:\.\d+)?)",
                         re.IGNORECASE)
_COMMENT_KB = re.compile(r"DATUM\s*(?:KB|DFE|RT)\s*[:=]?\s*([-+]?\d+(?:\.\d+)?)\s*m", re.IGNORECASE)


def las_location(log, crs: str | None = None) -> tuple[WellHead | None, tuple[str, ...]]:
    """Well-head location and datum from a LAS header.

    Tried in order: projected X/Y pairs of :data:`LAS_XY_MNEMONICS` in ``~Well``
    or ``~Parameter``; ``EASTING ... NORTHING`` written in the ``#`` comment
    block; latitude/longitude pairs of :data:`LAS_LATLON_MNEMONICS`, projected
    to ``crs`` (without ``crs`` they are reported, not used). 0/0 is missing.
    The datum comes from :data:`LAS_KB_MNEMONICS` or a ``DATUM KB: 22.1m``
    comment.

    Parameters
    ----------
    log : LogData
        A log read by :func:`krigflow.wells.las.read_las`.
    crs : str, optional
        Projected CRS to convert latitude/longitude to.

    Returns
    -------
    head : WellHead or None
        None when no location at all was found (a datum alone is returned
        with easting/northing None).
    notes : tuple of str
        Why candidate values were not used (e.g. lat/lon without ``crs``).
    """
    notes = []
    kb, kb_src = None, ""
    for mnem in LAS_KB_MNEMONICS:
        value = _number(log.header_value(mnem))
        if value is not None and value != 0:
            kb, kb_src = value, f"LAS {log.header[mnem].section} {mnem}"
            break
    comment_text = "\n".join(log.comments)
    if kb is None:
        m = _COMMENT_KB.search(comment_text)
        if m:
            kb, kb_src = float(m.group(1)), "LAS comment DATUM"
    for xm, ym in LAS_XY_MNEMONICS:
        e, n = _number(log.header_value(xm)), _number(log.header_value(ym))
        if _usable_pair(e, n):
            section = log.header[xm].section
            return WellHead(log.well_name, e, n, kb, source=f"LAS {section} {xm}/{ym}"), tuple(notes)
        if e == 0 and n == 0:
            notes.append(f"LAS {xm}/{ym} are 0/0 (treated as missing)")
    m = _COMMENT_EN.search(comment_text)
    if m and _usable_pair(float(m.group(1)), float(m.group(2))):
        return WellHead(log.well_name, float(m.group(1)), float(m.group(2)), kb,
                        source="LAS comment EASTING/NORTHING"), tuple(notes)
    for lat_m, lon_m in LAS_LATLON_MNEMONICS:
        lat_t, lon_t = log.header_value(lat_m), log.header_value(lon_m)
        if lat_t is None or lon_t is None:
            continue
        lat, lon = parse_angle(lat_t), parse_angle(lon_t)
        if lat is None or lon is None:
            notes.append(f"LAS {lat_m}/{lon_m} ({lat_t!r}, {lon_t!r}) not understood as degrees")
            continue
        if not _usable_pair(lat, lon):
            notes.append(f"LAS {lat_m}/{lon_m} are 0/0 (treated as missing)")
            continue
        if abs(lat) > 90 or abs(lon) > 180:
            notes.append(f"LAS {lat_m}/{lon_m} ({lat_t!r}, {lon_t!r}) out of range for degrees")
            continue
        if crs is None:
            notes.append(f"LAS {lat_m}/{lon_m} give latitude/longitude ({lat:.6f}, {lon:.6f}) but no projected "
                         "CRS was named to convert them (crs / --crs EPSG:xxxx)")
            continue
        e, n = project_latlon(lat, lon, crs)
        return WellHead(log.well_name, e, n, kb, lat, lon,
                        source=f"LAS {log.header[lat_m].section} {lat_m}/{lon_m} -> {crs}"), tuple(notes)
    if kb is not None:
        return WellHead(log.well_name, None, None, kb, source=kb_src), tuple(notes)
    return None, tuple(notes)


def table_location(head: WellHead, crs: str | None = None) -> tuple[WellHead | None, tuple[str, ...]]:
    """Usable projected location from a header-table row.

    Parameters
    ----------
    head : WellHead
        A row of a :class:`HeaderTable`.
    crs : str, optional
        Projected CRS used when the row has only latitude/longitude.

    Returns
    -------
    head : WellHead or None
        The row with easting/northing set, or None when it has no usable position.
    notes : tuple of str

    Raises
    ------
    WellLocationError
        Never for a missing position; only from :func:`project_latlon`.
    """
    if head.has_xy:
        return head, ()
    notes = []
    if head.easting == 0 and head.northing == 0:
        notes.append(f"{head.source}: X/Y of {head.name!r} are 0/0 (treated as missing)")
    if head.has_latlon:
        if crs is None:
            notes.append(f"{head.source}: {head.name!r} has only latitude/longitude; name the projected CRS "
                         "to convert to (crs / --crs EPSG:xxxx)")
            return None, tuple(notes)
        e, n = project_latlon(head.latitude, head.longitude, crs)
        return WellHead(head.name, e, n, head.kb, head.latitude, head.longitude,
                        f"{head.source} lat/lon -> {crs}"), tuple(notes)
    return None, tuple(notes)
