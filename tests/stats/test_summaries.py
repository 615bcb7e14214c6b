"""Per-realization summaries: values against direct numpy, merging, CSV round trip, percentiles, ranking."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import ConfigError, KrigflowError
from krigflow.stats.summaries import (
    SummarySpec,
    SummaryTable,
    VolumeSpec,
    summarize,
    summary_columns,
    volume_spec,
)


@pytest.fixture
def fields():
    rng = np.random.default_rng(11)
    return rng.normal(70.0, 15.0, size=(6, 5, 4, 3))


@pytest.fixture
def zones():
    z = np.zeros((5, 4, 3), dtype=np.int64)
    z[:, :, 1] = 1
    z[:, :, 2] = 2
    z[0, 0, :] = -1     # outside every zone
    return z


def test_summaries_match_direct_numpy(fields, zones):
    """Every column equals its definition computed directly, per realization."""
    spec = SummarySpec(cutoffs=(60.0, 85.0), zones=zones, zone_names={0: "A", 1: "B", 2: "C"},
                       volume=VolumeSpec(cell_volume=2500.0, cutoff=60.0, side="below"))
    cols = summary_columns(spec)
    assert cols == ("mean", "mean_A", "mean_B", "mean_C", "frac_gt_60", "frac_gt_85", "volume")
    out = summarize(fields, spec)
    assert out.shape == (6, 7)
    for r, f in enumerate(fields):
        expected = [f.mean(), f[zones == 0].mean(), f[zones == 1].mean(), f[zones == 2].mean(),
                    np.mean(f > 60.0), np.mean(f > 85.0), np.sum(f < 60.0) * 2500.0]
        npt.assert_allclose(out[r], expected, rtol=1e-13)


def test_nan_cells_ignored(fields):
    """NaN cells (inactive) count neither in means nor in fractions."""
    fields = fields.copy()
    fields[:, 0, 0, 0] = np.nan
    out = summarize(fields, SummarySpec(cutoffs=(70.0,)))
    for r, f in enumerate(fields):
        ok = f[np.isfinite(f)]
        npt.assert_allclose(out[r], [ok.mean(), np.mean(ok > 70.0)], rtol=1e-13)


def test_pore_volume_and_constant_porosity():
    """porosity 'property' sums value * cell volume over counted cells; a number scales the net volume."""
    phi = np.array([[[[0.05], [0.2]], [[0.3], [np.nan]]]])       # (1, 2, 2, 1)
    pore = VolumeSpec(cell_volume=10.0, cutoff=0.1, porosity="property")
    assert pore.of(phi)[0] == pytest.approx((0.2 + 0.3) * 10.0)
    net = VolumeSpec(cell_volume=10.0, cutoff=0.1, porosity=0.25)
    assert net.of(phi)[0] == pytest.approx(2 * 10.0 * 0.25)
    assert VolumeSpec(cell_volume=10.0, porosity="property").of(phi)[0] == pytest.approx(5.5)


def test_volume_spec_defaults_and_errors():
    """cell_volume defaults to the cell size; bad keys and values are named."""
    assert volume_spec(None) is None
    assert volume_spec({}, spacing=(10.0, 20.0, 2.0)).cell_volume == 400.0
    with pytest.raises(ConfigError, match="unknown key"):
        volume_spec({"cutof": 1.0}, spacing=(1, 1, 1))
    with pytest.raises(ConfigError, match="side must be"):
        volume_spec({"side": "up"}, spacing=(1, 1, 1))
    with pytest.raises(ConfigError, match="porosity must be"):
        volume_spec({"porosity": 2.0}, spacing=(1, 1, 1))
    with pytest.raises(ConfigError, match="cell_volume must be"):
        volume_spec({"cell_volume": -1.0})
    with pytest.raises(ConfigError, match="cell_volume is needed"):
        volume_spec({})


def test_merge_in_any_order_equals_whole(fields):
    """Tables of parts merged in any order equal the table of the whole batch."""
    spec = SummarySpec(cutoffs=(65.0,))
    whole = SummaryTable.from_batch(np.arange(6), fields, spec)
    parts = [SummaryTable.from_batch(idx, fields[idx], spec) for idx in ([4, 5], [0, 1], [2, 3])]
    assert parts[0].merge(parts[1], parts[2]) == whole
    assert parts[2].merge(parts[0]).merge(parts[1]) == whole
    assert SummaryTable.empty(whole.columns).merge(whole) == whole


def test_merge_rejects_overlap_and_other_columns(fields):
    """A realization twice, or tables of different columns, are errors."""
    spec = SummarySpec()
    a = SummaryTable.from_batch([0, 1], fields[:2], spec)
    with pytest.raises(KrigflowError, match=r"realization\(s\) \[1\] appear more than once"):
        a.merge(SummaryTable.from_batch([1], fields[1:2], spec))
    with pytest.raises(KrigflowError, match="different columns"):
        a.merge(SummaryTable.from_batch([2], fields[2:3], SummarySpec(cutoffs=(1.0,))))


def test_csv_round_trip_is_exact(tmp_path, fields):
    """write_csv/read_csv keep every float bit for bit."""
    t = SummaryTable.from_batch(np.arange(6) * 3, fields, SummarySpec(cutoffs=(60.0,)))
    path = t.write_csv(tmp_path / "realizations.csv")
    back = SummaryTable.read_csv(path)
    assert back == t
    assert open(path).readline().strip() == "realization,mean,frac_gt_60"


@pytest.mark.parametrize("text, match", [
    ("mean\n1.0\n", "header"),
    ("realization,mean\n1,2.0,3.0\n", "line 2: 3 fields"),
    ("realization,mean\nx,2.0\n", "line 2: expected"),
])
def test_csv_errors(text, match):
    """Malformed tables name the line."""
    with pytest.raises(KrigflowError, match=match):
        SummaryTable.from_csv_text(text)


def test_read_missing_file(tmp_path):
    """A run without the table gets a clear message."""
    with pytest.raises(KrigflowError, match="no realization summaries"):
        SummaryTable.read_csv(tmp_path / "realizations.csv")


def test_percentiles_and_closest_match_numpy():
    """Percentiles are numpy's; the closest realization minimizes |value - percentile|."""
    rng = np.random.default_rng(5)
    vol = rng.lognormal(3.0, 0.4, size=101)
    t = SummaryTable(("volume",), np.arange(101) + 1000, vol[:, None])
    pct = t.percentiles()["volume"]
    npt.assert_allclose([pct["p10"], pct["p50"], pct["p90"]], np.percentile(vol, [10, 50, 90]), rtol=1e-15)
    picks = t.closest("volume", (10, 50, 90))
    for p in picks:
        i = int(np.argmin(np.abs(vol - np.percentile(vol, p["pick"]))))
        assert p["realization"] == 1000 + i and p["value"] == vol[i]
    # 101 values: the median is a realization's own value
    assert picks[1]["value"] == picks[1]["target"]


def test_closest_errors():
    """Unknown column lists the columns; picks outside 0-100 are refused."""
    t = SummaryTable(("mean", "volume"), [0, 1], [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(KrigflowError, match=r"no summary column 'pv'; the columns are \['mean', 'volume'\]"):
        t.closest("pv")
    with pytest.raises(KrigflowError, match="within 0-100"):
        t.closest("mean", (110,))


def test_arrays_round_trip():
    """to_arrays/from_arrays (messages and partial files) keep the table."""
    t = SummaryTable(("mean", "frac_gt_1"), [3, 1], [[1.0, 0.5], [2.0, 0.25]])
    assert SummaryTable.from_arrays(t.to_arrays()) == t
    assert t.row(3) == {"mean": 1.0, "frac_gt_1": 0.5}


def test_config_volume_section():
    """The run config validates volume: (None by default, normalized, bad keys named)."""
    from krigflow.run.config import validate_config

    raw = {"las": "a.las", "grid": {"spacing": [50, 50, 5]},
           "variogram": {"model": "spherical", "sill": 2.0, "range_h": 900, "range_v": 20}}
    assert validate_config(raw)["volume"] is None
    cfg = validate_config(dict(raw, volume={"cutoff": 60, "side": "below"}))
    assert cfg["volume"] == {"cutoff": 60.0, "side": "below", "cell_volume": None, "porosity": None}
    assert volume_spec(cfg["volume"], cfg["grid"]["spacing"]).cell_volume == 12500.0
    with pytest.raises(ConfigError, match="volume: unknown key"):
        validate_config(dict(raw, volume={"cutoff": 60, "sides": "below"}))


def test_summarize_in_chunks_same_rows_whatever_the_batch(monkeypatch):
    """summarize works in fixed chunks of cells (bounded float64 temporaries at field scale): a realization's
    row is the same, bit for bit, alone or in a batch, float32 or float64 input compared in float64, and the
    chunked sums equal the one-shot ones to rounding."""
    import krigflow.stats.summaries as module

    rng = np.random.default_rng(8)
    fields = rng.normal(50.0, 10.0, (3, 10, 9, 7)).astype(np.float32)
    fields[1, 2, 3, 4] = np.nan
    zones = rng.integers(0, 3, (10, 9, 7))
    spec = SummarySpec(cutoffs=(50.0, 60.1), zones=zones, zone_names={0: "a", 1: "b", 2: "c"})
    whole = summarize(fields, spec)
    monkeypatch.setattr(module, "SUMMARY_CHUNK", 37)
    chunked = summarize(fields, spec)
    np.testing.assert_allclose(chunked, whole, rtol=1e-12)
    for r in range(3):
        np.testing.assert_array_equal(summarize(fields[r:r + 1], spec)[0], chunked[r])
    np.testing.assert_array_equal(summarize(fields.astype(np.float64), spec), chunked)
    expected_above = np.mean(fields[0].astype(np.float64) > 60.1)
    assert chunked[0, 5] == expected_above          # columns: mean, 3 zones, the two cutoffs
