"""realizations.csv: per-realization summaries streamed by the run, merged like the statistics; rank → realize → xtgeo.

The small field of test_graph (5 wells, 20 x 20 x 10 cells, 12 realizations, batch 2) with cutoffs and a
volume; the reference is one run of all realizations.
"""
import json
import os
import subprocess

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.run import load_config, run_local
from krigflow.run import iter_realizations
from krigflow.stats import REALIZATIONS_FILE, SummaryTable, summarize, summary_spec

from test_graph import ENV, NO_EXTRAS, ROOT, TIMEOUT, write_field

VOLUME = {"cutoff": 60.0, "side": "below"}
METHODS = {
    "subsample": {"name": "subsample", "fraction": 0.6, "unit": "wells"},
    "conditional": {"name": "conditional"},
}


def krigflow(*args):
    return subprocess.run(["krigflow", *args], capture_output=True, text=True, timeout=TIMEOUT, env=ENV, cwd=ROOT)


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("summaries"))
    path = write_field(folder, outputs=NO_EXTRAS)  # realizations.csv and summary.json are always written
    with open(path) as fh:
        raw = json.load(fh)
    raw.update(cutoffs=[55.0, 70.0], volume=VOLUME)
    return {"folder": folder, "raw": raw}


def config_for(field, output, **changes):
    raw = dict(field["raw"], output=output, **changes)
    path = os.path.join(field["folder"], f"{os.path.basename(output)}.json")
    with open(path, "w") as fh:
        json.dump(raw, fh)
    return path


@pytest.fixture(scope="module", params=sorted(METHODS))
def single(request, field, tmp_path_factory):
    """One run_local of all 12 realizations, written."""
    output = str(tmp_path_factory.mktemp(f"single_{request.param}") / "out")
    path = config_for(field, output, method=METHODS[request.param])
    config = load_config(path)
    run_local(config)
    return {"config": config, "path": path, "output": output, "method": request.param}


def test_rows_are_the_summaries_of_the_regenerated_realizations(single):
    """Row r of realizations.csv equals the summaries of realization r regenerated (subsample: exactly)."""
    table = SummaryTable.read_csv(os.path.join(single["output"], REALIZATIONS_FILE))
    assert table.index.tolist() == list(range(12))
    assert table.columns == ("mean", "frac_gt_55", "frac_gt_70", "volume")
    fields = np.stack([da.values for da in iter_realizations(single["config"], range(12))])
    spacing = json.load(open(os.path.join(single["output"], "summary.json")))["grid"]["spacing"]
    expected = summarize(fields, summary_spec(single["config"], spacing))
    if single["method"] == "subsample":
        npt.assert_array_equal(table.values, expected)
    npt.assert_allclose(table.values, expected, rtol=1e-12)
    assert expected[:, 3].min() < expected[:, 3].max()      # the volume varies between realizations


def test_summary_json_has_the_percentiles(single):
    """summary.json: P10/P50/P90 of every column, numpy's percentiles of the table."""
    summary = json.load(open(os.path.join(single["output"], "summary.json")))
    record = summary["realization_summaries"]
    table = SummaryTable.read_csv(os.path.join(single["output"], REALIZATIONS_FILE))
    assert record["file"] == REALIZATIONS_FILE and record["realizations"] == 12
    for j, name in enumerate(table.columns):
        npt.assert_allclose([record["percentiles"][name][k] for k in ("p10", "p50", "p90")],
                            np.percentile(table.values[:, j], [10, 50, 90]), rtol=1e-15)


@pytest.mark.slow
def test_three_ranges_combined_equal_single_run(single, field, tmp_path):
    """--realizations 0:4, 4:9, 9:12 in three folders, combined: realizations.csv equals the single run's."""
    folders = []
    for a, b in ((0, 4), (4, 9), (9, 12)):
        out = str(tmp_path / f"r{a}_{b}")
        proc = krigflow("run", config_for(field, out, method=METHODS[single["method"]]), "--realizations",
                        f"{a}:{b}", "--mapping", "simple")
        assert proc.returncode == 0, proc.stderr
        assert not os.path.exists(os.path.join(out, REALIZATIONS_FILE))   # a range alone is not a run
        folders.append(out)
    merged = str(tmp_path / "merged")
    proc = krigflow("combine", *folders, "-o", merged)
    assert proc.returncode == 0, proc.stderr
    ours = SummaryTable.read_csv(os.path.join(merged, REALIZATIONS_FILE))
    ref = SummaryTable.read_csv(os.path.join(single["output"], REALIZATIONS_FILE))
    assert ours.index.tolist() == ref.index.tolist() and ours.columns == ref.columns
    if single["method"] == "subsample":
        assert open(os.path.join(merged, REALIZATIONS_FILE)).read() == \
            open(os.path.join(single["output"], REALIZATIONS_FILE)).read()
    npt.assert_allclose(ours.values, ref.values, rtol=1e-12)
    ours = json.load(open(os.path.join(merged, "summary.json")))["realization_summaries"]["percentiles"]
    ref = json.load(open(os.path.join(single["output"], "summary.json")))["realization_summaries"]["percentiles"]
    assert ours.keys() == ref.keys()
    for name in ref:
        assert ours[name] == pytest.approx(ref[name], rel=1e-12), name


@pytest.mark.slow
def test_ranges_into_one_folder_then_multi_equal_single_run(single, field, tmp_path):
    """Range 0:5 then the rest resumed with multi in the same folder: the same realizations.csv."""
    out = str(tmp_path / "resumed")
    config = config_for(field, out, method=METHODS[single["method"]])
    assert krigflow("run", config, "--realizations", "0:5", "--mapping", "simple").returncode == 0
    proc = krigflow("run", config, "--mapping", "multi", "-n", "5")
    assert proc.returncode == 0, proc.stderr
    ours = SummaryTable.read_csv(os.path.join(out, REALIZATIONS_FILE))
    ref = SummaryTable.read_csv(os.path.join(single["output"], REALIZATIONS_FILE))
    npt.assert_allclose(ours.values, ref.values, rtol=1e-12)
    assert ours.index.tolist() == ref.index.tolist()


@pytest.mark.slow
def test_rank_realize_xtgeo(single, tmp_path):
    """The P10/P50/P90 realizations of the volume, exported by realize --from-rank, read back by xtgeo."""
    xtgeo = pytest.importorskip("xtgeo")
    proc = krigflow("rank", single["output"], "--by", "volume", "--json")
    assert proc.returncode == 0, proc.stderr
    picks = [json.loads(line) for line in proc.stdout.splitlines()]
    table = SummaryTable.read_csv(os.path.join(single["output"], REALIZATIONS_FILE))
    assert [p["realization"] for p in picks] == [p["realization"] for p in table.closest("volume")]
    out = str(tmp_path / "ensemble")
    proc = krigflow("realize", single["path"], "--from-rank", single["output"], "--by", "volume", "-o", out)
    assert proc.returncode == 0, proc.stderr
    chosen = sorted({p["realization"] for p in picks})
    assert sorted(os.listdir(out)) == sorted(f"realization-{r}" for r in chosen)
    spec = summary_spec(single["config"], json.load(open(os.path.join(single["output"], "summary.json")))["grid"]
                        ["spacing"])
    for r in chosen:
        path = os.path.join(out, f"realization-{r}", "GR.grdecl")
        grid = xtgeo.grid_from_file(path, fformat="grdecl")
        prop = xtgeo.gridproperty_from_file(path, fformat="grdecl", name="GR", grid=grid)
        values = np.ma.filled(prop.values, np.nan)
        assert grid.dimensions == values.shape == (20, 20, 10)
        # the file holds the realization whose summaries the run recorded for r (values written with 8
        # digits: a cell within 1e-6 of the cutoff could switch side, so the volume may differ by one cell)
        got, row = summarize(values[None], spec)[0], table.values[table.index.tolist().index(r)]
        npt.assert_allclose(got[:-1], row[:-1], rtol=1e-6, atol=1e-6)
        assert abs(got[-1] - row[-1]) <= spec.volume.cell_volume
