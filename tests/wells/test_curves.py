"""Tests of krigflow.wells.curves: alias table and the several-matches rule."""
import numpy as np
import pytest

from krigflow.wells.curves import DEFAULT_ALIASES, canonical_property, merge_aliases, select_curve
from krigflow.exceptions import LASReadError
from krigflow.wells.las import LogData


def make_log(**curves):
    """A LogData with the given curves (arrays) on a 4-sample index."""
    return LogData(path="x.las", well_name="X", index=np.arange(4.0),
                   curves={k: np.asarray(v, float) for k, v in curves.items()},
                   units={k: "u" + k for k in curves})


def test_alias_table_covers_issue_mnemonics():
    """The default table holds the mnemonics named in the issue."""
    for prop, names in {"GR": "GR ECGR GRD GR_ARC SGR CGR", "RHOB": "RHOB RHOZ HROM DEN",
                        "NPHI": "NPHI TNPH HTNP TNP", "DT": "DT DTC DTCO AC"}.items():
        assert set(names.split()) <= set(DEFAULT_ALIASES[prop])


def test_selects_alias_and_carries_unit():
    """A vendor mnemonic is found and its unit travels with the values."""
    choice = select_curve(make_log(ECGR=[1, 2, 3, 4], RHOB=[2, 2, 2, 2]), "gamma ray")
    assert (choice.mnemonic, choice.unit, choice.property) == ("ECGR", "uECGR", "GR")


def test_punctuation_in_mnemonic_ignored():
    """GR_ARC in the alias table matches GRARC in a file."""
    assert select_curve(make_log(GRARC=[1, 2, 3, 4]), "GR").mnemonic == "GRARC"


def test_several_matches_alias_order_then_valid_count():
    """Alias order wins; among duplicates the one with most valid samples; a warning lists them."""
    choice = select_curve(make_log(SGR=[1, 2, 3, 4], GR=[1, np.nan, np.nan, 4]), "GR")
    assert choice.mnemonic == "GR" and choice.candidates == ("GR", "SGR") and choice.warnings
    dup = select_curve(make_log(**{"GR:1": [np.nan, np.nan, 1, 2], "GR:2": [1, 2, 3, 4]}), "GR")
    assert dup.mnemonic == "GR:2"


def test_empty_candidate_is_skipped():
    """A matching curve without any valid sample is not chosen."""
    assert select_curve(make_log(GR=[np.nan] * 4, CGR=[1, 2, 3, 4]), "GR").mnemonic == "CGR"


def test_prefer_overrides():
    """Naming the mnemonic overrides the rule; an absent one is an error naming the file."""
    log = make_log(GR=[1, 2, 3, 4], SGR=[1, 2, 3, 4])
    assert select_curve(log, "GR", prefer="sgr").mnemonic == "SGR"
    with pytest.raises(LASReadError, match="x.las.*'CGR' not found"):
        select_curve(log, "GR", prefer="CGR")


def test_user_aliases_extend_table():
    """User aliases add mnemonics (tried first) and new properties."""
    log = make_log(GAMMA_X=[1, 2, 3, 4], PERM=[1, 1, 1, 1])
    assert select_curve(log, "GR", aliases={"GR": ["GAMMA_X"]}).mnemonic == "GAMMA_X"
    assert select_curve(log, "permeability", aliases={"permeability": ["PERM"]}).mnemonic == "PERM"
    assert merge_aliases({"density": ["MYDEN"]})["RHOB"][0] == "MYDEN"
    with pytest.raises(LASReadError, match="list of mnemonics"):
        merge_aliases({"GR": "GAMMA"})


def test_no_match_lists_curves():
    """No matching curve: the error lists the file's curves and the aliases tried."""
    with pytest.raises(LASReadError, match="curves in the file: RHOB"):
        select_curve(make_log(RHOB=[1, 2, 3, 4]), "GR")


def test_canonical_property():
    """Synonyms map to table keys; unknown names pass through upper-cased."""
    assert canonical_property("Bulk density") == "RHOB" and canonical_property("perm") == "PERM"
