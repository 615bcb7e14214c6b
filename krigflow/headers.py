"""Well-head locations: header tables, LAS-header coordinates and well-name matching."""
from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


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
