"""Choosing the property curve of a log by property name, through an extendable alias table.

The rule when several curves of a file match a property (documented and
overridable):

1. ``prefer`` (a mnemonic) wins when given: it must be in the file;
2. otherwise the candidates are the file's curves whose mnemonic (case,
   punctuation and lasio's ``:1``/``:2`` duplicate suffixes ignored) is in the
   property's alias list; curves without any valid sample are skipped;
3. the candidate whose mnemonic comes first in the alias list wins;
4. ties (the same mnemonic twice) go to the curve with most valid samples, then
   to the first in the file.

A warning names the other candidates so that users can see the choice and
override it with ``prefer``.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from krigflow.exceptions import LASReadError

logger = logging.getLogger(__name__)

#: Property name -> mnemonics, most usual first. Read-only; extend with ``aliases=`` (see :func:`merge_aliases`).
DEFAULT_ALIASES = MappingProxyType({
    "GR": ("GR", "ECGR", "GRD", "GR_ARC", "GRC", "GR_EDTC", "HGR", "SGR", "CGR", "HSGR", "HCGR", "GRS",
           "GAM", "GAMMA", "GAM(NAT)", "GRGC"),
    "RHOB": ("RHOB", "RHOZ", "HROM", "DEN", "ZDEN", "RHO8", "DENS", "HRHO", "RHOM", "BDEL"),
    "NPHI": ("NPHI", "TNPH", "HTNP", "TNP", "NPOR", "CNC", "CN", "NPHS", "NPHL", "APLC", "NEU", "NEUT"),
    "DT": ("DT", "DTC", "DTCO", "AC", "DT24", "DTLN", "DTL", "DT4P", "SONIC"),
    "DTS": ("DTS", "DTSM", "DTSH", "DT4S", "ACS"),
    "RT": ("RT", "RD", "ILD", "LLD", "AT90", "RLA5", "HDRS", "ATRT", "P34H", "RDEP", "RES_DEEP"),
    "CALI": ("CALI", "CAL", "CAL1", "HCAL", "DCAV", "HDAR", "C1"),
    "PEF": ("PEF", "PE", "PEFZ", "HPEF", "PEFS"),
})

#: Other names accepted for the properties of :data:`DEFAULT_ALIASES` (normalised: lower case, no spaces).
PROPERTY_SYNONYMS = MappingProxyType({
    "gammaray": "GR", "gamma": "GR", "density": "RHOB", "bulkdensity": "RHOB", "neutron": "NPHI",
    "neutronporosity": "NPHI", "sonic": "DT", "compressionalsonic": "DT", "shearsonic": "DTS",
    "resistivity": "RT", "deepresistivity": "RT", "caliper": "CALI", "photoelectric": "PEF",
})


@dataclass(frozen=True, eq=False)
class CurveChoice:
    """The curve chosen for a property.

    Parameters
    ----------
    mnemonic : str
        Mnemonic of the chosen curve as in the file.
    unit : str
        Its unit, as in the file.
    values : array, shape (n,)
        Its values (NaN where null), aligned with the log's index.
    property : str
        The property asked for (canonical name when known, e.g. ``"GR"``).
    candidates : tuple of str
        Every matching curve, in the order of preference.
    rule : str
        Why this curve was chosen.
    warnings : tuple of str
        E.g. other candidates that were not used.
    """

    mnemonic: str
    unit: str
    values: np.ndarray
    property: str
    candidates: tuple = ()
    rule: str = ""
    warnings: tuple = ()


def _base(mnemonic: str) -> str:
    """Mnemonic for matching: lasio's ``:n`` duplicate suffix dropped, upper case, letters and digits only.

    ``GR_ARC`` and ``GRARC`` (both seen in one file's ~A and ~Curve lines) compare equal.
    """
    return re.sub(r"[^0-9A-Z]", "", str(mnemonic).split(":")[0].upper())


def canonical_property(name: str, aliases=None) -> str:
    """Canonical property key for a user-given name.

    Parameters
    ----------
    name : str
        ``"GR"``, ``"gamma ray"``, ``"density"``, a key of ``aliases``, or any
        mnemonic.
    aliases : mapping, optional
        Alias table (default :data:`DEFAULT_ALIASES`).

    Returns
    -------
    str
        The table key when ``name`` is a key or a synonym, else ``name`` upper-cased.

    Examples
    --------
    >>> canonical_property("Gamma Ray")
    'GR'
    """
    table = DEFAULT_ALIASES if aliases is None else aliases
    upper = str(name).strip().upper()
    if upper in table:
        return upper
    key = "".join(ch for ch in str(name).lower() if ch.isalnum())
    return PROPERTY_SYNONYMS.get(key, upper)


def merge_aliases(extra=None, base=DEFAULT_ALIASES) -> dict:
    """Extend an alias table.

    Parameters
    ----------
    extra : mapping of str to sequence of str, optional
        Property -> additional mnemonics. They are tried *before* the base
        entries of the same property (users name their own mnemonics because
        they want them). New properties are added.
    base : mapping, optional
        Table to extend (default :data:`DEFAULT_ALIASES`).

    Returns
    -------
    dict of str to tuple of str

    Raises
    ------
    LASReadError
        If an entry is not a list of strings.

    Examples
    --------
    >>> merge_aliases({"GR": ["GAMMA_RAY"]})["GR"][:2]
    ('GAMMA_RAY', 'GR')
    """
    table = {k.upper(): tuple(v) for k, v in base.items()}
    for prop, names in (extra or {}).items():
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise LASReadError(f"aliases for {prop!r} must be a list of mnemonics, got {names!r}")
        key = canonical_property(prop, table)
        added = tuple(n.strip().upper() for n in names)
        table[key] = tuple(dict.fromkeys(added + table.get(key, ())))
    return table


def select_curve(log, property: str = "GR", aliases=None, prefer: str | None = None) -> CurveChoice:
    """Choose the curve of ``log`` that holds ``property``.

    See the module docstring for the rule when several curves match.

    Parameters
    ----------
    log : LogData
        A log read by :func:`krigflow.wells.las.read_las`.
    property : str
        Property name (``"GR"``, ``"RHOB"``, ``"gamma ray"``...) or a mnemonic.
    aliases : mapping, optional
        Extra aliases merged with :func:`merge_aliases` (property -> mnemonics).
    prefer : str, optional
        Mnemonic to use whatever the aliases say (case-insensitive).

    Returns
    -------
    CurveChoice

    Raises
    ------
    LASReadError
        If ``prefer`` is not a curve of the file, or no curve matches (the
        message lists the file's curves and the aliases tried).
    """
    table = merge_aliases(aliases)
    prop = canonical_property(property, table)
    by_base: dict[str, list[str]] = {}
    for mnem in log.curves:
        by_base.setdefault(_base(mnem), []).append(mnem)

    def n_valid(mnem):
        return int(np.sum(np.isfinite(log.curves[mnem])))

    if prefer:
        want = str(prefer).strip().upper()
        exact = [m for m in log.curves if str(m).upper() == want] or by_base.get(_base(want), [])
        if not exact:
            raise LASReadError(
                f"LAS file {log.path}: preferred curve {prefer!r} not found; curves are "
                f"{', '.join(log.curves)}"
            )
        mnem = max(exact, key=n_valid)
        return CurveChoice(mnem, log.units.get(mnem, ""), log.curves[mnem], prop, (mnem,),
                           f"preferred curve {prefer!r}")

    names = table.get(prop, (prop,))
    candidates: list[str] = []
    empty: list[str] = []
    for alias in names:
        matches = sorted(by_base.get(_base(alias), []), key=lambda m: -n_valid(m))
        for m in matches:
            (candidates if n_valid(m) > 0 else empty).append(m)
    if not candidates:
        what = f"only empty curves ({', '.join(empty)})" if empty else "no curve"
        raise LASReadError(
            f"LAS file {log.path}: {what} for property {prop!r} (aliases tried: {', '.join(names)}); "
            f"curves in the file: {', '.join(log.curves)}. Name the curve (prefer / --curve) or extend "
            "the aliases"
        )
    mnem = candidates[0]
    warnings = []
    if len(candidates) > 1:
        warnings.append(
            f"several {prop} curves ({', '.join(candidates)}): using {mnem} (first in the alias order, "
            "then most valid samples); name another to override"
        )
    if empty:
        warnings.append(f"{prop} curves without any valid sample ignored: {', '.join(empty)}")
    rule = "alias order" if len(candidates) > 1 else "only match"
    logger.debug("%s: property %s -> curve %s (%s)", log.path, prop, mnem, rule)
    return CurveChoice(mnem, log.units.get(mnem, ""), log.curves[mnem], prop, tuple(candidates), rule,
                       tuple(warnings))
