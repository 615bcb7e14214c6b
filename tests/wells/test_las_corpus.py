"""Robustness of read_las over the 64-file LAS corpus (../shared/data/las-corpus, see its MANIFEST.md).

Every file either becomes a valid log or raises LASReadError naming the file; no
other exception escapes and no file yields silently wrong data.
"""
import numpy as np
import pytest

from krigflow.exceptions import LASReadError
from krigflow.wells.las import SENTINELS, read_las

CORPUS = __import__("conftest").SHARED_DIR / "data" / "las-corpus"
FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() == ".las") if CORPUS.is_dir() else []
SLOW = {"Wellington_KGS-1-32-wDST2_LASv2.las"}  # lasio needs ~7 s before failing on it

#: Files that must be rejected (relative paths), with a fragment of the expected message.
MUST_FAIL = {
    "crafted_lasio/barebones.las": "no data curve",
    "crafted_lasio/data_characters.las": "not numeric",
    "crafted_lasio/header_only.las": "no ~A",
    "crafted_lasio/not_a_las_file.las": "not a LAS file",
    "crafted_petroleum_mcp/empty.las": "empty",
    "crafted_petroleum_mcp/truncated.las": "no ~A",
    "las3_vendor/Curve-Param Error #1 (MS).LAS": "no curves",
    "kgs/Wellington_KGS-1-32-wDST2_LASv3.las": "not strictly monotonic",
    "minnelusa/5069-31-NWSW.las": "not strictly monotonic",
    "las3_vendor/Curve-Param Unknown #1(SS).las": "not strictly monotonic",
    "crafted_liblas/duplicate_well_sections.las": "not strictly monotonic",
    "usgs/260341080252801.19980915.NN.las": "lasio cannot parse",
    "nova_scotia/P-135_cuttings.las": "lasio cannot parse",
}


def _id(path):
    return str(path.relative_to(CORPUS))


@pytest.mark.parametrize("path", [
    pytest.param(p, id=_id(p), marks=[pytest.mark.slow] if p.name in SLOW else []) for p in FILES])
def test_corpus_file_reads_or_fails_clearly(path):
    """A valid log (curves, increasing finite metres, no sentinel as data) or LASReadError naming the file."""
    rel = _id(path)
    try:
        log = read_las(path)
    except LASReadError as exc:
        assert path.name in str(exc)
        if rel in MUST_FAIL:
            assert MUST_FAIL[rel] in str(exc)
        return
    assert rel not in MUST_FAIL, f"{rel} should have been rejected"
    assert len(log.curves) >= 1 and log.index.size >= 2
    assert np.all(np.isfinite(log.index)) and np.all(np.diff(log.index) > 0)
    for mnem, values in log.curves.items():
        assert values.dtype == np.float64 and values.shape == log.index.shape, mnem
        assert not np.isin(values, SENTINELS).any(), mnem
        if log.null_value is not None:
            assert not np.any(values == log.null_value), mnem


def _read(rel):
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"corpus file missing: {path}")
    return read_las(path)


def test_f03_02_sentinel_and_order():
    """F03-02: -9999 (undeclared) is null with a warning; the decreasing file is reversed."""
    log = _read("dgb_f3/F03-02.las")
    assert any("-9999" in w and "probably wrong" in w for w in log.warnings)
    assert log.index[0] < log.index[-1]


@pytest.mark.parametrize("rel", ["crafted_lasio/encodings_utf16le.las", "crafted_lasio/encodings_utf16bebom.las"])
def test_utf16_files_read(rel):
    """UTF-16 with and without BOM reads like the cp1252 sample."""
    log = _read(rel)
    reference = _read("crafted_lasio/encodings_cp1252.las")
    assert log.encoding.startswith("utf-16") and len(log.curves) == len(reference.curves)
    assert "DT" in log.curves and log.well_name == reference.well_name  # some mnemonics are non-ASCII on purpose
    np.testing.assert_allclose(log.index, reference.index)
    np.testing.assert_allclose(log.curves["DT"], reference.curves["DT"])


def test_utf8_degree_sign_decoded():
    """P-135: the UTF-8 '∞' used as degree sign decodes (no cp1252 mojibake)."""
    assert _read("nova_scotia/P-135_out.LAS").header["LATI"].value.startswith("45∞ 39'")


def test_latin1_unit_and_cyrillic_depth_unit():
    """A Latin-1 µ in a unit and a Cyrillic 'метер' depth unit are read correctly."""
    assert "µS/CM" in _read("usgs/1609901672340.las").units.values()
    assert _read("crafted_lasio/sample_cyrillic_depth_unit.las").index_unit == "метер"


def test_unicode_well_name_and_index_null():
    """A UTF-8 well name survives; a depth equal to NULL stays a depth."""
    assert _read("crafted_petroleum_mcp/unicode_well_name.las").well_name == "Pozo-Ñoño"
    assert 999.25 in _read("crafted_lasio/index_null.las").index


def test_header_contradicting_data_is_reported():
    """Pechelbronn: STRT/STOP disagree with the data; the data are used and the mismatch reported."""
    log = _read("misc/Pechelbronn.las")
    assert log.index[0] == 139 and any("disagree" in w for w in log.warnings)
