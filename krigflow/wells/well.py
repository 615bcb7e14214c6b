"""Wells placed in 3-D: the property log of one LAS file with a position for every sample.

This module ties together LAS reading (:mod:`krigflow.wells.las`), curve selection
(:mod:`krigflow.wells.curves`), well-head location (:mod:`krigflow.wells.headers`) and
deviation surveys (:mod:`krigflow.wells.survey`).

Well-head location, in order of priority (0/0 counts as missing):

1. the well-header table (X/Y; its latitude/longitude only with ``crs``);
2. the well head stated by the matched survey file (Petrel ``.dev``);
3. the LAS header: X/Y pairs in ``~Well``/``~Parameter``, then ``EASTING``/
   ``NORTHING`` in the ``#`` comment block, then latitude/longitude with ``crs``.

Datum (KB/DFE) elevation: header table, then survey file, then LAS header or
comment; when none is known, 0 is used with a warning (TVDSS = TVD).

Trajectory: the matched survey file; else the ``# DEVIATION SURVEY`` table of
the LAS comment block; else vertical (with a warning).
TVDSS = TVD − datum elevation.
"""
from __future__ import annotations

import glob
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from krigflow.exceptions import KrigflowError, SurveyError, WellLocationError, WellOptionError
from krigflow.wells.curves import merge_aliases, select_curve
from krigflow.wells.headers import (
    HeaderTable,
    WellHead,
    las_location,
    match_well_name,
    read_well_headers,
    table_location,
)
from krigflow.wells.las import read_las
from krigflow.wells.survey import Survey, read_survey, survey_from_las_comments, vertical_survey

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
    head_easting, head_northing : float
        Well-head (MD 0) position (m).
    las_name : str
        The ``WELL`` item of the LAS file (may differ from ``name``'s source spelling).
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
    head_easting: float = math.nan
    head_northing: float = math.nan
    las_name: str = ""


#: Well-head positions from the header table and from a survey file further apart than this (m) are reported.
MAX_HEAD_OFFSET = 10.0
#: Datum elevations from the header table and a survey file further apart than this (m) are reported.
MAX_DATUM_OFFSET = 0.5


@dataclass(frozen=True, eq=False)
class WellSources:
    """Everything besides the LAS file needed to place wells; built by :func:`read_well_sources`.

    Parameters
    ----------
    property : str
        Property to model (e.g. ``"GR"``), looked up through ``aliases``.
    aliases : dict of str to tuple of str
        Alias table (defaults merged with the user's entries).
    curve : str or None
        Mnemonic to use whatever the aliases say.
    header_table : HeaderTable or None
        Well-header table.
    surveys : tuple of (str, Survey)
        Survey files read, with their paths.
    name_map : dict of str to str
        Explicit LAS well name -> header-table / survey name pairs.
    crs : str or None
        Projected CRS for converting latitude/longitude.
    las_surveys : bool
        Use the ``# DEVIATION SURVEY`` table of the LAS comment block when no survey file matches.
    warnings : tuple of str
        Problems met while reading the sources (unreadable survey files, empty globs).
    """

    property: str = "GR"
    aliases: dict = field(default_factory=dict)
    curve: str | None = None
    header_table: HeaderTable | None = None
    surveys: tuple = ()
    name_map: dict = field(default_factory=dict)
    crs: str | None = None
    las_surveys: bool = True
    warnings: tuple = ()


def parse_name_map(name_map) -> dict:
    """Name map from a mapping or from ``"LAS_NAME=TABLE_NAME"`` strings.

    Parameters
    ----------
    name_map : mapping, sequence of str, or None

    Returns
    -------
    dict of str to str

    Raises
    ------
    WellOptionError
        If a string has no ``=``.

    Examples
    --------
    >>> parse_name_map(["Kronos 1=Kronons_1"])
    {'Kronos 1': 'Kronons_1'}
    """
    if not name_map:
        return {}
    if isinstance(name_map, dict):
        return {str(k): str(v) for k, v in name_map.items()}
    out = {}
    for item in name_map:
        if "=" not in str(item):
            raise WellOptionError(f"name map entry {item!r}: expected LAS_NAME=TABLE_NAME")
        key, value = str(item).split("=", 1)
        out[key.strip()] = value.strip()
    return out


def _expand_paths(patterns, what="survey") -> tuple[list[str], list[str]]:
    """Expand paths, directories and glob patterns of ``what`` files; return (files, warnings)."""
    if patterns is None:
        return [], []
    if isinstance(patterns, (str, Path)):
        patterns = [patterns]
    files, notes = [], []
    for pattern in patterns:
        p = Path(pattern)
        if p.is_dir():
            matched = sorted(str(f) for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
        elif p.is_file():
            matched = [str(p)]
        else:
            matched = sorted(glob.glob(str(pattern), recursive=True))
        if not matched:
            notes.append(f"{what} pattern {str(pattern)!r} matches no file")
        files.extend(m for m in matched if m not in files)
    return files, notes


def read_well_sources(*, property="GR", well_headers=None, surveys=None, name_map=None, aliases=None,
                      crs=None, curve=None, header_columns=None, las_surveys=True, **more) -> WellSources:
    """Read the header table and survey files once, for many :func:`load_well` calls.

    Parameters
    ----------
    property : str
        Property to model, e.g. ``"GR"`` (see :data:`krigflow.wells.curves.DEFAULT_ALIASES`).
    well_headers : str or Path, optional
        Well-header table (CSV).
    surveys : str, Path or sequence of them, optional
        Survey files, directories or glob patterns.
    name_map : mapping or sequence of ``"LAS_NAME=TABLE_NAME"``, optional
        Explicit well-name pairs.
    aliases : mapping of str to sequence of str, optional
        Extra curve aliases (property -> mnemonics), tried before the defaults.
    crs : str, optional
        Projected CRS (e.g. ``"EPSG:28351"``) to convert latitude/longitude to.
    curve : str, optional
        Mnemonic to use in every file (overrides the aliases).
    header_columns : mapping of str to str, optional
        Explicit header-table columns per role (name, easting, northing, kb, latitude, longitude).
    las_surveys : bool
        Use ``# DEVIATION SURVEY`` tables of LAS comment blocks (default True).
    **more
        Not accepted: any other keyword raises :class:`~krigflow.exceptions.WellOptionError`.

    Returns
    -------
    WellSources

    Raises
    ------
    WellOptionError
        For unknown keywords or a malformed name map.
    WellLocationError
        If the header table cannot be read.
    """
    if more:
        raise WellOptionError(f"read_well_sources: unknown option(s) {', '.join(sorted(more))}")
    table = read_well_headers(well_headers, header_columns) if well_headers else None
    files, notes = _expand_paths(surveys)
    read = []
    for f in files:
        try:
            read.append((f, read_survey(f)))
        except SurveyError as exc:
            notes.append(str(exc))
            logger.warning("%s", exc)
    return WellSources(property=property, aliases=merge_aliases(aliases), curve=curve, header_table=table,
                       surveys=tuple(read), name_map=parse_name_map(name_map), crs=crs,
                       las_surveys=las_surveys, warnings=tuple(notes))


def _match_table(names, sources: WellSources):
    """Header-table row for the first of ``names`` that matches; (row or None, match, notes)."""
    table = sources.header_table
    for name in names:
        match = match_well_name(name, table.names(), sources.name_map)
        if match.name is not None:
            return table.get(match.name), match
    return None, None


def _match_survey(names, sources: WellSources):
    """Survey whose ``# WELL NAME`` or file stem matches one of ``names``; (path, survey, match)."""
    labels: dict[str, tuple[str, Survey]] = {}
    for path, survey in sources.surveys:
        for label in (survey.well_name, Path(path).stem):
            if label:
                labels.setdefault(label, (path, survey))
    for name in names:
        match = match_well_name(name, list(labels), sources.name_map)
        if match.name is not None:
            path, survey = labels[match.name]
            return path, survey, match
    return None, None, None


def _resolve_head(log, names, sources, survey, notes):
    """Well head (easting, northing, kb) and the source descriptions."""
    candidates: list[WellHead] = []
    if sources.header_table is not None:
        row, match = _match_table(names, sources)
        if row is None:
            notes.append(f"well {names[0]!r} not found in the header table {Path(sources.header_table.path).name} "
                         f"(names: {', '.join(sources.header_table.names())})")
        else:
            if match.warning:
                notes.append(match.warning)
            head, why = table_location(row, sources.crs)
            notes.extend(why)
            candidates.append(head if head is not None else WellHead(row.name, None, None, row.kb,
                                                                      source=row.source))
    if survey is not None and survey.head_easting is not None:
        candidates.append(WellHead(survey.well_name, survey.head_easting, survey.head_northing, survey.datum,
                                   source=f"survey file head: {survey.source.split(' ')[0]}"))
    las_head, why = las_location(log, sources.crs)
    if las_head is not None:
        candidates.append(las_head)
    location = next((c for c in candidates if c.has_xy), None)
    if location is None:
        notes.extend(why)
        raise WellLocationError(
            f"LAS file {log.path}: no usable well-head location for {names[0]!r} "
            f"({'; '.join(why) or 'no X/Y in the header table, survey file or LAS header'})"
        )
    kb_from = next((c for c in candidates if c.kb is not None), None)
    if kb_from is None:
        notes.append("datum (KB/DFE) elevation unknown: 0 used, so TVDSS = TVD")
        kb, kb_source = 0.0, "none"
    else:
        kb, kb_source = float(kb_from.kb), kb_from.source
    return location, kb, kb_source


def load_well(las_path, sources: WellSources) -> Well:
    """Read one LAS file and place every sample of its property curve in 3-D.

    Parameters
    ----------
    las_path : str or Path
        LAS file.
    sources : WellSources
        From :func:`read_well_sources`.

    Returns
    -------
    Well

    Raises
    ------
    LASReadError
        If the LAS file is unusable or has no curve for the property.
    WellLocationError
        If no well-head location can be found.
    SurveyError
        If the trajectory cannot be computed.
    """
    log = read_las(las_path)
    choice = select_curve(log, sources.property, sources.aliases, sources.curve)
    notes: list[str] = list(log.warnings) + list(choice.warnings)
    names = [n for n in (log.well_name, Path(las_path).stem) if n]
    name = log.well_name or Path(las_path).stem

    survey_path, survey, smatch = _match_survey(names, sources)
    if smatch is not None and smatch.warning:
        notes.append(smatch.warning)
    location, kb, kb_source = _resolve_head(log, names, sources, survey, notes)
    if survey is not None and survey.head_easting is not None:
        offset = math.hypot(survey.head_easting - location.easting, survey.head_northing - location.northing)
        if offset > MAX_HEAD_OFFSET:
            notes.append(f"survey {Path(survey_path).name} well head is {offset:.1f} m from the location from "
                         f"{location.source}; the survey's absolute X/Y are used for the trajectory")
        if survey.datum is not None and abs(survey.datum - kb) > MAX_DATUM_OFFSET:
            notes.append(f"survey {Path(survey_path).name} datum {survey.datum:g} m differs from {kb:g} m "
                         f"({kb_source})")
    if survey is None and sources.las_surveys:
        survey = survey_from_las_comments(log.comments, Path(las_path).name)
    vertical = survey is None
    if vertical:
        survey = vertical_survey()
        notes.append("no deviation survey: well treated as vertical")

    md = log.index
    de, dn, tvd = survey.position(md)
    if not vertical:  # the vertical stand-in is valid at every depth
        notes.extend(survey.coverage_warnings(md))
    if survey.head_easting is not None:  # absolute trace (Petrel .dev): use its X/Y directly
        easting, northing = survey.head_easting + de, survey.head_northing + dn
    else:
        easting, northing = location.easting + de, location.northing + dn
    head_e, head_n, _ = survey.position([0.0])
    head_e = float(easting[0] - de[0] + head_e[0]) if md.size else location.easting
    head_n = float(northing[0] - dn[0] + head_n[0]) if md.size else location.northing
    notes = list(dict.fromkeys(notes))
    for note in notes:
        logger.debug("%s: %s", las_path, note)
    return Well(
        name=name, path=str(las_path), curve=choice.mnemonic, unit=choice.unit, md=md,
        values=np.asarray(choice.values, dtype=float), easting=easting, northing=northing, tvdss=tvd - kb,
        kb=kb, location_source=location.source, survey_source=survey.source, warnings=tuple(notes),
        head_easting=head_e, head_northing=head_n, las_name=log.well_name,
    )


def _round(value, digits=2):
    """JSON-friendly rounded float (None for NaN/None)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def inspect_well(las_path, sources: WellSources) -> dict:
    """Summary record of one LAS file for ``krigflow inspect``; never raises for bad input.

    Parameters
    ----------
    las_path : str or Path
        LAS file.
    sources : WellSources
        From :func:`read_well_sources`.

    Returns
    -------
    dict
        ``path``, ``well``, ``status`` (``"ok"`` or ``"error"``), ``error``
        (message or None), ``curve``, ``easting``, ``northing`` (well head),
        ``kb``, ``n_samples`` (samples with a valid property value),
        ``warnings`` (list), and for the table view ``unit``, ``md_min``,
        ``md_max``, ``md_step`` (median), ``null_percent``, ``location_source``,
        ``survey_source``.
    """
    record = {"path": str(las_path), "well": None, "status": "error", "error": None, "curve": None,
              "easting": None, "northing": None, "kb": None, "n_samples": 0, "warnings": [],
              "unit": None, "md_min": None, "md_max": None, "md_step": None, "null_percent": None,
              "location_source": None, "survey_source": None}
    try:
        well = load_well(las_path, sources)
    except KrigflowError as exc:
        record["error"] = str(exc)
        return record
    valid = np.isfinite(well.values)
    n_valid = int(valid.sum())
    record.update(
        well=well.name, curve=well.curve, unit=well.unit, easting=_round(well.head_easting),
        northing=_round(well.head_northing), kb=_round(well.kb), n_samples=n_valid,
        warnings=list(well.warnings), md_min=_round(well.md[0]), md_max=_round(well.md[-1]),
        md_step=_round(float(np.median(np.diff(well.md))) if well.md.size > 1 else None, 4),
        null_percent=_round(100.0 * (1 - n_valid / well.md.size), 1),
        location_source=well.location_source, survey_source=well.survey_source,
    )
    if n_valid == 0:
        record["error"] = f"curve {well.curve} has no valid value"
    else:
        record["status"] = "ok"
    return record


def read_wells(las, *, property="GR", well_headers=None, surveys=None, **options) -> list:
    """Read LAS files and place every sample in 3-D: the one-call entry for library use.

    Parameters
    ----------
    las : str, Path or sequence of them
        LAS files, folders of them or glob patterns (``"data/demo/las/*.las"``).
    property : str, default "GR"
        Property to model (see :data:`krigflow.wells.curves.DEFAULT_ALIASES`).
    well_headers : str or Path, optional
        Well-header table (CSV) with coordinates and datum elevations.
    surveys : str, Path or sequence of them, optional
        Survey files, directories or glob patterns.
    **options
        Passed to :func:`read_well_sources` (``name_map``, ``aliases``, ``crs``, ``curve``, ...).

    Returns
    -------
    list of Well
        One per LAS file, in the sorted order of the matched files.

    Raises
    ------
    LASReadError, WellLocationError, SurveyError, WellOptionError
        Naming the file and what is wrong, as :func:`load_well` does.
    WellOptionError
        If the patterns match no file.
    """
    patterns = [las] if isinstance(las, (str, Path)) else list(las)
    files, _ = _expand_paths(patterns, what="LAS")
    if not files:
        raise WellOptionError(f"read_wells: {', '.join(map(str, patterns))} matches no LAS file")
    sources = read_well_sources(property=property, well_headers=well_headers, surveys=surveys, **options)
    return [load_well(path, sources) for path in files]
