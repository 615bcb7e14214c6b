"""Formation tops: read a tops table, match its wells to the LAS wells, place every top in 3-D.

A tops table is a CSV file with one row per (well, surface) pick. Columns are found by name, case and
punctuation ignored:

* well: ``well``, ``well_name``, ``wellname``, ``uwi`` — optional: a file without it holds the tops of one
  well, named by the ``well`` argument or by the file name (``Poseidon1_tops.csv`` -> ``Poseidon1``);
* surface: ``surface``, ``horizon``, ``top``, ``formation``, ``formation_name``, ``marker``, ``pick``;
* depth: ``md`` (also ``mdrt``, ``mdkb``, ``md_m``...) and/or ``tvdss`` (also ``z``). At least one of the two
  must be present; an empty cell is a missing top (a well that stops above a surface has no top there).

TVDSS is positive down. A TVDSS column whose values are all <= 0 (as exported by Petrel and by the
Poseidon well-completion reports, where it is an elevation) is negated, and this is logged. A row right
after the header whose depth cells are not numbers (a units row such as ``(m),(m)``) is skipped; any other
non-numeric depth is an error naming the file and the line.

Placing a top (:func:`place_tops`): the tops well is matched to a LAS well with
:func:`krigflow.wells.match_well_name` (the same rules as for header tables); an MD top is converted to
TVDSS, easting and northing by interpolating the well's trajectory (``Well.md``, ``easting``, ``northing``,
``tvdss``) in MD; a TVDSS-only top is placed by interpolating the trajectory in TVDSS. Outside the
logged interval the end segment of the trajectory is extrapolated (with a warning).
"""
from __future__ import annotations

import csv
import itertools
import logging
import os
import re
from dataclasses import dataclass, replace

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.wells import match_well_name, normalize_well_name

logger = logging.getLogger(__name__)

__all__ = [
    "Tops",
    "TopsError",
    "check_surfaces_defined",
    "check_tops_order",
    "describe_tops",
    "place_tops",
    "read_tops",
    "write_tops",
]

_WELL_COLUMNS = ("well", "wellname", "uwi", "wellid", "borehole")
_SURFACE_COLUMNS = ("surface", "horizon", "top", "formation", "formationname", "marker", "pick", "surfacename",
                    "topname", "name")
_MD_COLUMNS = ("md", "mdrt", "mdkb", "mddf", "mdm", "measureddepth", "mdrtm", "mdkbm")
_TVDSS_COLUMNS = ("tvdss", "z", "tvdssm", "depthtvdss", "tvdmsl")
_FILE_SUFFIX = re.compile(r"[_\- ]*(tops?|strat|picks?|markers?|formations?)$", re.IGNORECASE)
#: Depth tolerance (m) for "out of order" between two tops of one well.
ORDER_TOLERANCE = 0.01


class TopsError(KrigflowError):
    """A tops table cannot be read, matches no well, or contradicts itself."""


@dataclass(frozen=True, eq=False)
class Tops:
    """Formation tops, one row per (well, surface) pick.

    Parameters
    ----------
    well : tuple of str, shape (m,)
        Well of each top (as written in the file, or the matched LAS well's name after :func:`place_tops`).
    surface : tuple of str, shape (m,)
        Surface (horizon) name of each top.
    md : array, shape (m,)
        Measured depth (m), NaN where not given.
    tvdss : array, shape (m,)
        Depth below mean sea level (m, positive down), NaN where not given (or not yet placed).
    easting, northing : array, shape (m,)
        Position of the top (m), NaN until placed.
    path : str
        File the tops were read from ("" if built in code).

    Examples
    --------
    >>> t = Tops(("W1", "W1"), ("A", "B"), np.array([1010.0, 1050.0]), np.full(2, np.nan))
    >>> t.surfaces, t.wells, len(t)
    (('A', 'B'), ('W1',), 2)
    """

    well: tuple
    surface: tuple
    md: np.ndarray
    tvdss: np.ndarray
    easting: np.ndarray | None = None
    northing: np.ndarray | None = None
    path: str = ""

    def __post_init__(self):
        m = len(self.well)
        object.__setattr__(self, "well", tuple(str(w) for w in self.well))
        object.__setattr__(self, "surface", tuple(str(s) for s in self.surface))
        for name in ("md", "tvdss", "easting", "northing"):
            value = getattr(self, name)
            value = np.full(m, np.nan) if value is None else np.asarray(value, dtype=float).ravel()
            object.__setattr__(self, name, value)
        sizes = {len(self.surface), *(getattr(self, n).size for n in ("md", "tvdss", "easting", "northing"))}
        if sizes != {m}:
            raise TopsError(f"tops {self.path or '(in memory)'}: well, surface, md, tvdss, easting and northing "
                            f"must have one length, got {m} wells and sizes {sorted(sizes)}")

    def __len__(self) -> int:
        return len(self.well)

    @property
    def surfaces(self) -> tuple:
        """tuple of str: surface names in order of first appearance."""
        return tuple(dict.fromkeys(self.surface))

    @property
    def wells(self) -> tuple:
        """tuple of str: well names in order of first appearance."""
        return tuple(dict.fromkeys(self.well))

    @property
    def placed(self) -> bool:
        """bool: every top with a depth has a position (after :func:`place_tops`)."""
        ok = np.isfinite(self.tvdss)
        return bool(np.all(np.isfinite(self.easting[ok]) & np.isfinite(self.northing[ok])))

    def select(self, surface=None, well=None) -> Tops:
        """Tops of one surface and/or one well (rows with a TVDSS or an MD only).

        Examples
        --------
        >>> t = Tops(("W1", "W2"), ("A", "A"), np.array([10.0, np.nan]), np.array([5.0, 7.0]))
        >>> t.select(surface="A", well="W2").tvdss.tolist()
        [7.0]
        """
        keep = np.ones(len(self), dtype=bool)
        if surface is not None:
            keep &= np.array([s == surface for s in self.surface], dtype=bool)
        if well is not None:
            keep &= np.array([w == well for w in self.well], dtype=bool)
        keep &= np.isfinite(self.md) | np.isfinite(self.tvdss)
        idx = np.flatnonzero(keep)
        return Tops(tuple(self.well[i] for i in idx), tuple(self.surface[i] for i in idx), self.md[idx],
                    self.tvdss[idx], self.easting[idx], self.northing[idx], self.path)

    def as_rows(self) -> list:
        """Rows ``{"well", "surface", "md", "tvdss", "easting", "northing"}`` (NaN as None), for reports."""
        def num(v):
            return None if not np.isfinite(v) else round(float(v), 3)
        return [{"well": w, "surface": s, "md": num(md), "tvdss": num(z), "easting": num(e), "northing": num(n)}
                for w, s, md, z, e, n in zip(self.well, self.surface, self.md, self.tvdss, self.easting,
                                             self.northing)]


def _key(name) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _find_column(header, names, path, what, required=True):
    keys = [_key(h) for h in header]
    for name in names:
        if name in keys:
            return keys.index(name)
    if required:
        raise TopsError(f"tops file {path}: no {what} column (looked for {', '.join(names)}); header is "
                        f"{header}")
    return None


def _number(text):
    """float of a CSV cell; NaN for an empty cell; None if it is not a number."""
    text = str(text).strip()
    if text in ("", "-", "nan", "NaN", "NA", "null"):
        return np.nan
    try:
        return float(text)
    except ValueError:
        return None


def well_name_from_path(path) -> str:
    """Well name of a one-well tops file, from its name without the ``_tops``/``_strat`` suffix.

    Examples
    --------
    >>> well_name_from_path("/data/Poseidon1_tops.csv"), well_name_from_path("kronos_1_strat.csv")
    ('Poseidon1', 'kronos_1')
    """
    stem = os.path.splitext(os.path.basename(str(path)))[0]
    return _FILE_SUFFIX.sub("", stem) or stem


def read_tops(path, *, well=None) -> Tops:
    """Read a tops table (CSV) into :class:`Tops` (see the module docstring for the columns).

    Parameters
    ----------
    path : str or path-like
        CSV file.
    well : str, optional
        Well of every row, for a file without a well column (default: from the file name).

    Returns
    -------
    Tops
        The picks in file order, unplaced (``easting``/``northing`` NaN; ``tvdss`` NaN for MD-only rows).

    Raises
    ------
    TopsError
        If the file cannot be read, has no surface column or no depth column, a depth is not a number,
        or a (well, surface) pair appears twice.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "tops.csv")
    >>> _ = open(p, "w").write("Well,Surface,MD\\nW-1,Top_A,1010\\nW-1,Top_B,\\nW 2,Top_A,1003.5\\n")
    >>> t = read_tops(p)
    >>> t.wells, t.surfaces, t.md.tolist()[0], t.select(surface="Top_B").md.size
    (('W-1', 'W 2'), ('Top_A', 'Top_B'), 1010.0, 0)
    """
    path = os.fspath(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.reader(f) if any(c.strip() for c in r)]
    except (OSError, UnicodeDecodeError) as exc:
        raise TopsError(f"tops file {path}: cannot be read ({exc})") from exc
    if not rows:
        raise TopsError(f"tops file {path}: is empty (expected a header row and one row per top)")
    header = [h.strip() for h in rows[0]]
    i_well = _find_column(header, _WELL_COLUMNS, path, "well", required=False)
    i_surface = _find_column(header, _SURFACE_COLUMNS, path, "surface")
    i_md = _find_column(header, _MD_COLUMNS, path, "MD", required=False)
    i_tvdss = _find_column(header, _TVDSS_COLUMNS, path, "TVDSS", required=False)
    if i_md is None and i_tvdss is None:
        raise TopsError(f"tops file {path}: no depth column (looked for MD: {', '.join(_MD_COLUMNS)}; TVDSS: "
                        f"{', '.join(_TVDSS_COLUMNS)}); header is {header}")
    default_well = well if well is not None else well_name_from_path(path)
    wells, surfaces, md, tvdss = [], [], [], []
    for line, row in enumerate(rows[1:], start=2):
        row = row + [""] * (len(header) - len(row))
        cells = [row[i] if i is not None else "" for i in (i_md, i_tvdss)]
        values = [_number(c) for c in cells]
        if any(v is None for v in values):
            if line == 2 and all(v is None or np.isnan(v) for v in values):
                logger.debug("tops file %s: line 2 (%s) read as a units row and skipped", path, row)
                continue
            raise TopsError(f"tops file {path}, line {line}: depth {cells} is not a number")
        name = row[i_surface].strip()
        if not name:
            raise TopsError(f"tops file {path}, line {line}: empty surface name")
        w = row[i_well].strip() if i_well is not None else default_well
        if not w:
            raise TopsError(f"tops file {path}, line {line}: empty well name")
        wells.append(w)
        surfaces.append(name)
        md.append(values[0])
        tvdss.append(values[1])
    if not wells:
        raise TopsError(f"tops file {path}: no tops (expected one row per well and surface)")
    seen = {}
    for line, (w, s) in enumerate(zip(wells, surfaces), start=2):
        key = (normalize_well_name(w), s)
        if key in seen:
            raise TopsError(f"tops file {path}: surface {s!r} appears twice for well {w!r}")
        seen[key] = line
    tvdss = np.array(tvdss, dtype=float)
    finite = tvdss[np.isfinite(tvdss)]
    if finite.size and np.all(finite <= 0) and np.any(finite < 0):
        logger.info("tops file %s: TVDSS values are all <= 0, read as elevations (z up) and negated to "
                    "TVDSS positive down", path)
        tvdss = -tvdss
    return Tops(tuple(wells), tuple(surfaces), np.array(md, dtype=float), tvdss, path=path)


def write_tops(path, tops) -> str:
    """Write tops as a CSV table ``well,surface,md,tvdss`` (empty cells for missing values).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> t = Tops(("W1",), ("A",), np.array([1010.0]), np.array([985.0]))
    >>> read_tops(write_tops(p, t)).tvdss.tolist()
    [985.0]
    """
    path = os.fspath(path)
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["well", "surface", "md", "tvdss"])
        for w, s, md, z in zip(tops.well, tops.surface, tops.md, tops.tvdss):
            out.writerow([w, s, "" if not np.isfinite(md) else f"{md:.3f}", "" if not np.isfinite(z) else f"{z:.3f}"])
    return path


def _interp_extrapolate(x, xp, fp):
    """np.interp with linear extrapolation from the end segments (xp increasing, >= 2 points)."""
    y = np.interp(x, xp, fp)
    if xp.size >= 2:
        lo, hi = x < xp[0], x > xp[-1]
        y = np.where(lo, fp[0] + (x - xp[0]) * (fp[1] - fp[0]) / (xp[1] - xp[0]), y)
        y = np.where(hi, fp[-1] + (x - xp[-1]) * (fp[-1] - fp[-2]) / (xp[-1] - xp[-2]), y)
    return y


def _trajectory(well):
    """Finite, strictly increasing-MD trajectory arrays of a well."""
    md, e, n, z = (np.asarray(getattr(well, a), dtype=float) for a in ("md", "easting", "northing", "tvdss"))
    ok = np.isfinite(md) & np.isfinite(e) & np.isfinite(n) & np.isfinite(z)
    md, e, n, z = md[ok], e[ok], n[ok], z[ok]
    order = np.argsort(md, kind="stable")
    md, e, n, z = md[order], e[order], n[order], z[order]
    keep = np.r_[True, np.diff(md) > 0]
    return md[keep], e[keep], n[keep], z[keep]


def _place_one(well, md, tvdss, label):
    """(md, tvdss, easting, northing, warning or None) of one top in ``well``."""
    t_md, t_e, t_n, t_z = _trajectory(well)
    if t_md.size == 0:
        raise TopsError(f"{label}: well {well.name!r} has no placed samples to convert the top with")
    if t_md.size == 1:   # one sample: a vertical well through it
        t_md = np.r_[t_md, t_md + 1.0]
        t_e, t_n, t_z = np.r_[t_e, t_e], np.r_[t_n, t_n], np.r_[t_z, t_z + 1.0]
    warning = None
    if np.isfinite(md):
        if md < t_md[0] or md > t_md[-1]:
            warning = (f"{label}: MD {md:g} is outside the well's trajectory [{t_md[0]:g}, {t_md[-1]:g}] m; "
                       "the end segment was extrapolated")
        z = float(_interp_extrapolate(md, t_md, t_z))
        if np.isfinite(tvdss) and abs(z - tvdss) > 1.0:
            warning = (f"{label}: TVDSS {tvdss:g} given and {z:g} from MD {md:g} through the trajectory differ "
                       f"by {abs(z - tvdss):.1f} m; the given TVDSS is used")
        if not np.isfinite(tvdss):
            tvdss = z
        md_for_position = md
    else:
        # TVDSS only: position by interpolating the trajectory in tvdss (the wells descend)
        if not np.all(np.diff(t_z) > 0):
            t_z = np.maximum.accumulate(t_z + np.arange(t_z.size) * 1e-9)
        if tvdss < t_z[0] or tvdss > t_z[-1]:
            warning = (f"{label}: TVDSS {tvdss:g} is outside the well's trajectory [{t_z[0]:g}, {t_z[-1]:g}] "
                       "m; the end segment was extrapolated")
        md_for_position = float(_interp_extrapolate(tvdss, t_z, t_md))
        md = md_for_position
    e = float(_interp_extrapolate(md_for_position, t_md, t_e))
    n = float(_interp_extrapolate(md_for_position, t_md, t_n))
    return md, float(tvdss), e, n, warning


def place_tops(tops, wells, *, name_map=None) -> tuple:
    """Match the tops' wells to LAS wells and place every top (TVDSS, easting, northing).

    Parameters
    ----------
    tops : Tops
        From :func:`read_tops`.
    wells : sequence of krigflow.wells.Well
        The run's wells (``md``, ``easting``, ``northing``, ``tvdss`` arrays: the trajectory).
    name_map : mapping of str to str, optional
        Explicit ``{tops well name: LAS well name}`` pairs, tried first.

    Returns
    -------
    placed : Tops
        Tops of the matched wells, renamed to the LAS well's ``name``, with ``md``, ``tvdss``, ``easting``
        and ``northing`` filled (rows without any depth are dropped).
    report : list of str
        Warnings: tops wells that match no LAS well, tops outside a trajectory, MD/TVDSS disagreements.

    Raises
    ------
    TopsError
        If no well of the tops table matches a LAS well (both name lists are in the message).

    Examples
    --------
    >>> from krigflow.wells import Well
    >>> w = Well("Well 1", "", "GR", "API", np.array([100.0, 200.0]), np.zeros(2), np.array([5.0, 5.0]),
    ...          np.array([7.0, 7.0]), np.array([75.0, 175.0]), 25.0)
    >>> placed, report = place_tops(Tops(("WELL_1",), ("A",), np.array([150.0]), np.array([np.nan])), [w])
    >>> placed.well, placed.tvdss.tolist(), placed.easting.tolist(), report
    (('Well 1',), [125.0], [5.0], [])
    """
    wells = list(wells)
    candidates = {}
    for w in wells:
        for name in (w.name, getattr(w, "las_name", "") or w.name):
            candidates.setdefault(name, w)
    matched = {}
    for name in tops.wells:
        hit = match_well_name(name, list(candidates), name_map)
        if hit.name is not None:
            matched[name] = candidates[hit.name]
    source = tops.path or "tops"
    if not matched:
        raise TopsError(f"{source}: no tops well matches a LAS well; tops wells: {', '.join(tops.wells)}; "
                        f"LAS wells: {', '.join(w.name for w in wells) or '(none)'}")
    report = []
    unmatched = [w for w in tops.wells if w not in matched]
    if unmatched:
        report.append(f"{source}: tops of {len(unmatched)} well(s) match no LAS well and are ignored: "
                      f"{', '.join(unmatched)}")
    rows = []
    for i in range(len(tops)):
        w = matched.get(tops.well[i])
        if w is None or not (np.isfinite(tops.md[i]) or np.isfinite(tops.tvdss[i])):
            continue
        label = f"{source}: top {tops.surface[i]!r} of well {w.name!r}"
        md, z, e, n, warning = _place_one(w, tops.md[i], tops.tvdss[i], label)
        if warning:
            report.append(warning)
        rows.append((w.name, tops.surface[i], md, z, e, n))
    for message in report:
        logger.warning(message)
    if not rows:
        return replace(tops, well=(), surface=(), md=np.empty(0), tvdss=np.empty(0), easting=np.empty(0),
                       northing=np.empty(0)), report
    cols = list(zip(*rows))
    return Tops(cols[0], cols[1], np.array(cols[2]), np.array(cols[3]), np.array(cols[4]), np.array(cols[5]),
                path=tops.path), report


def check_tops_order(tops, surfaces, *, depth="TVDSS") -> None:
    """Raise if, in some well, the tops of ``surfaces`` (listed top to bottom) are not in depth order.

    Parameters
    ----------
    tops : Tops
        Tops with TVDSS (after :func:`place_tops`, or read with a TVDSS column).
    surfaces : sequence of str
        Surface names from top to bottom. Tops of other surfaces are ignored; missing tops are allowed.
    depth : str, default "TVDSS"
        Name of the depth in the messages (``tops.tvdss`` may hold MD when checking before placement).

    Raises
    ------
    TopsError
        Naming the well, the two surfaces and their depths.

    Examples
    --------
    >>> t = Tops(("W", "W"), ("A", "B"), np.full(2, np.nan), np.array([1050.0, 1010.0]))
    >>> check_tops_order(t, ["A", "B"])
    Traceback (most recent call last):
    ...
    krigflow.zones.tops.TopsError: tops: well 'W': top of 'B' (TVDSS 1010 m) is above the top of 'A' (TVDSS 1050 m), but 'B' is listed below 'A' in surfaces
    """
    order = {s: k for k, s in enumerate(surfaces)}
    source = tops.path or "tops"
    for well in tops.wells:
        picks = sorted((order[s], s, z) for w, s, z in zip(tops.well, tops.surface, tops.tvdss)
                       if w == well and s in order and np.isfinite(z))
        for (_, s1, z1), (_, s2, z2) in itertools.pairwise(picks):
            if z2 < z1 - ORDER_TOLERANCE:
                raise TopsError(f"{source}: well {well!r}: top of {s2!r} ({depth} {z2:g} m) is above the top of "
                                f"{s1!r} ({depth} {z1:g} m), but {s2!r} is listed below {s1!r} in surfaces")


def check_surfaces_defined(surfaces, tops=None, files=None) -> None:
    """Raise if a surface has neither a top (in any well) nor a surface file.

    Parameters
    ----------
    surfaces : sequence of str
        Surface names (top to bottom).
    tops : Tops, optional
        Tops table.
    files : mapping of str to path, optional
        Surface files by name.

    Raises
    ------
    TopsError
        Naming every undefined surface and the surfaces the tops do define.

    Examples
    --------
    >>> t = Tops(("W",), ("A",), np.array([np.nan]), np.array([1000.0]))
    >>> check_surfaces_defined(["A", "B"], t)
    Traceback (most recent call last):
    ...
    krigflow.zones.tops.TopsError: surface(s) 'B' have no top in the tops table and no surface file (tops define: A)
    """
    files = files or {}
    have = set() if tops is None else {s for s, md, z in zip(tops.surface, tops.md, tops.tvdss)
                                        if np.isfinite(md) or np.isfinite(z)}
    missing = [s for s in surfaces if s not in have and s not in files]
    if missing:
        raise TopsError(f"surface(s) {', '.join(repr(s) for s in missing)} have no top in the tops table and no "
                        f"surface file (tops define: {', '.join(sorted(have)) or 'nothing'})")


def describe_tops(tops, surfaces=None, *, depth_at=None, tolerance=3.0) -> list:
    """Tops found per well, with flags for tops out of order or off the modelled surfaces (for ``inspect``).

    Parameters
    ----------
    tops : Tops
        Placed tops (or read with TVDSS).
    surfaces : sequence of str, optional
        Surface order, top to bottom (default: order of first appearance in the table).
    depth_at : callable, optional
        ``depth_at(surface, easting, northing) -> tvdss`` of the modelled surface (e.g. from the zoned grid);
        tops further than ``tolerance`` from it are flagged.
    tolerance : float, default 3
        Metres.

    Returns
    -------
    list of dict
        One per well: ``{"well", "tops": [{"surface", "md", "tvdss"}...], "flags": [str...]}``, tops sorted by
        the surface order.

    Examples
    --------
    >>> t = Tops(("W", "W"), ("A", "B"), np.full(2, np.nan), np.array([1050.0, 1010.0]))
    >>> describe_tops(t, ["A", "B"])[0]["flags"]
    ["'B' (TVDSS 1010 m) is above 'A' (TVDSS 1050 m) but listed below it"]
    """
    order = list(surfaces) if surfaces is not None else list(tops.surfaces)
    rank = {s: k for k, s in enumerate(order)}
    out = []
    for well in tops.wells:
        rows = [i for i in range(len(tops)) if tops.well[i] == well]
        rows.sort(key=lambda i: (rank.get(tops.surface[i], len(rank)), tops.tvdss[i]))
        entries, flags = [], []
        for i in rows:
            md = None if not np.isfinite(tops.md[i]) else round(float(tops.md[i]), 2)
            z = None if not np.isfinite(tops.tvdss[i]) else round(float(tops.tvdss[i]), 2)
            entries.append({"surface": tops.surface[i], "md": md, "tvdss": z})
            if depth_at is not None and z is not None and tops.surface[i] in rank \
                    and np.isfinite(tops.easting[i]):
                model = float(depth_at(tops.surface[i], tops.easting[i], tops.northing[i]))
                if abs(model - z) > tolerance:
                    flags.append(f"{tops.surface[i]!r}: top at TVDSS {z:g} m is {model - z:+.1f} m from the "
                                 "modelled surface")
        listed = [(tops.surface[i], tops.tvdss[i]) for i in rows if tops.surface[i] in rank
                  and np.isfinite(tops.tvdss[i])]
        for (s1, z1), (s2, z2) in itertools.pairwise(listed):
            if z2 < z1 - ORDER_TOLERANCE:
                flags.append(f"{s2!r} (TVDSS {z2:g} m) is above {s1!r} (TVDSS {z1:g} m) but listed below it")
        out.append({"well": well, "tops": entries, "flags": flags})
    return out
