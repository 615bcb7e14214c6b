"""Tool offsets (krigflow.tool_offsets): estimation, shifts, config, and their use by runs and validate."""
import json
import os
import shutil

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import ConfigError
from krigflow.tool_offsets import (
    apply_tool_offsets,
    choose_reference,
    estimate_family_offsets,
    tool_offsets_options,
    well_mean_residuals,
)

DEMO = os.path.join(os.path.dirname(__file__), "..", "data", "demo")


def test_offsets_recover_known_family_offsets_and_shrink_with_few_wells():
    """Many wells per family: the offsets are the family means (relative to their mean); a family of one
    well is shrunk towards the others more than a family of many, by sigma_f2 / (sigma_f2 + tau2 / n)."""
    rng = np.random.default_rng(4)
    truth = {"A": -12.0, "B": 0.0, "C": 12.0}
    means, family = {}, {}
    for fam, off in truth.items():
        for j in range(40):
            means[f"{fam}{j}"] = off + rng.normal(0.0, 2.0)
            family[f"{fam}{j}"] = fam
    offsets, sigma_f2, tau2 = estimate_family_offsets(means, family)
    npt.assert_allclose([offsets[k] for k in "ABC"], [-12.0, 0.0, 12.0], atol=1.0)
    assert 3.0 < tau2 < 5.5 and 100 < sigma_f2 < 200
    # one well alone in family D, reading +12: its offset is shrunk by sigma_f2 / (sigma_f2 + tau2)
    means["D0"], family["D0"] = 12.0, "D"
    offsets, sigma_f2, tau2 = estimate_family_offsets(means, family)
    centre = np.mean([np.mean([m for n, m in means.items() if family[n] == k]) for k in "ABCD"])
    npt.assert_allclose(offsets["D"], sigma_f2 / (sigma_f2 + tau2) * (12.0 - centre), rtol=1e-12)
    assert abs(offsets["D"]) < abs(12.0 - centre)


def test_no_family_difference_gives_no_offset():
    """Families that do not differ beyond the spread within them get sigma_f2 = 0 and offsets 0."""
    means = {"a": 0.0, "b": 4.0, "c": 1.0, "d": 3.0}
    offsets, sigma_f2, tau2 = estimate_family_offsets(means, {"a": "X", "b": "X", "c": "Y", "d": "Y"})
    assert sigma_f2 == 0.0 and offsets == {"X": 0.0, "Y": 0.0} and tau2 == pytest.approx(5.0)


@pytest.mark.parametrize("family, match", [({"a": "X", "b": "X"}, "fewer than two"),
                                           ({"a": "X", "b": "Y"}, "no tool family has two wells")])
def test_offsets_need_two_families_and_a_family_of_two(family, match):
    with pytest.raises(ValueError, match=match):
        estimate_family_offsets({"a": 0.0, "b": 1.0}, family)


def test_well_means_after_a_shared_depth_trend():
    """Wells covering one depth range, a shared profile plus a constant per well: the mean residuals differ by
    the constants exactly (the moving average smooths the profile alike in every well), and the trend takes
    their mean."""
    t = np.arange(1000.0, 1400.0, 0.5)
    profile = 50 + 20 * np.sin(t / 40.0)
    consts = [-6.0, -2.0, 3.0, 5.0]
    means = well_mean_residuals([t] * 4, [profile + c for c in consts], ["a", "b", "c", "d"],
                                {"kind": "moving_average", "window": 100.0})
    m = np.array([means[k] for k in "abcd"])
    npt.assert_allclose(m - m.mean(), np.array(consts) - np.mean(consts), atol=1e-9)
    assert abs(m.mean()) < 0.5


def test_options():
    assert tool_offsets_options("auto") == "auto" and tool_offsets_options("None") == "none"
    assert tool_offsets_options({}) == {"reference": "auto"}
    with pytest.raises(ConfigError, match="tool_offsets.window: unknown key"):
        tool_offsets_options({"window": 3})
    with pytest.raises(ConfigError, match="tool_offsets: expected"):
        tool_offsets_options(3)
    with pytest.raises(ConfigError, match="tool_offsets.reference"):
        tool_offsets_options({"reference": ""})
    with pytest.raises(ConfigError, match="give one of them"):
        tool_offsets_options({"reference": "GR"}, normalize={"method": "two_point"})


def test_reference_choice():
    fams = {"ECGR": ["a", "b", "c"], "GRD": ["d"], "GRARC": ["e", "f", "g"]}
    sizes = dict.fromkeys("abcdefg", 10)
    sizes["e"] = 11
    assert choose_reference(fams, sizes, "GR") == "GRARC"       # 3 wells each: more samples
    assert choose_reference(dict(fams, GR=["h"]), sizes, "gr") == "GR"   # named like the property


def _wells(consts, curves):
    import dataclasses

    @dataclasses.dataclass
    class W:
        name: str
        curve: str
        values: np.ndarray
        tvdss: np.ndarray

    t = np.arange(1000.0, 1300.0, 0.5)
    wells, parts = [], []
    for i, (c, curve) in enumerate(zip(consts, curves)):
        v = 60 + 10 * np.cos(t / 25.0) + c
        wells.append(W(f"w{i}", curve, v, t))
        parts.append((np.full(t.size, 100.0 * i), np.zeros(t.size), t, v))
    return wells, parts


def test_apply_shifts_samples_and_wells_to_the_reference_tool():
    """ECGR wells reading 30 lower are shifted up to read as GR (named like the property); GR wells stay."""
    wells, parts = _wells([0.0, 1.0, -1.0, -30.0, -29.0, -31.0], ["GR"] * 3 + ["ECGR"] * 3)
    cfg = {"property": "GR", "trend": {"kind": "auto"}, "tool_offsets": "auto"}
    new_parts, new_wells, tools = apply_tool_offsets(wells, parts, cfg)
    assert tools.reference == "GR" and tools.applied
    shifts = np.array([tools.shifts[w.name] for w in wells])
    npt.assert_allclose(shifts[:3], 0.0)
    npt.assert_allclose(shifts[3:], -30.0, atol=0.5)     # 3 wells per family: shrink factor ~ 1
    for p, q, w, v in zip(parts, new_parts, new_wells, wells):
        npt.assert_allclose(q[3], p[3] - tools.shifts[v.name])
        npt.assert_allclose(w.values, q[3])
    rec = tools.record()
    assert json.loads(json.dumps(rec))["reference"] == "GR" and set(rec["families"]) == {"GR", "ECGR"}
    # reference chosen: the GR wells are shifted down instead
    _, _, tools = apply_tool_offsets(wells, parts, dict(cfg, tool_offsets={"reference": "ECGR"}))
    npt.assert_allclose([tools.shifts[w.name] for w in wells[:3]], 30.0, atol=0.5)


def test_apply_off_one_family_normalize_and_unknown_reference():
    wells, parts = _wells([0.0, 1.0, -30.0, -29.0], ["GR", "GR", "ECGR", "ECGR"])
    base = {"property": "GR", "trend": {"kind": "auto"}}
    same_parts, _, tools = apply_tool_offsets(wells, parts, dict(base, tool_offsets="none"))
    assert tools is None and same_parts[2][3] is parts[2][3]
    _, _, tools = apply_tool_offsets(wells, parts, dict(base, normalize={"method": "two_point"},
                                                       tool_offsets="auto"))
    assert not tools.applied and "normalize" in tools.reason
    with pytest.raises(ConfigError, match=r"'GRD' is not the property curve of any well.*ECGR, GR"):
        apply_tool_offsets(wells, parts, dict(base, tool_offsets={"reference": "GRD"}))
    one = [dataclass_curve(w, "GR") for w in wells]
    _, _, tools = apply_tool_offsets(one, parts, dict(base, tool_offsets="auto"))
    assert not tools.applied and tools.reason == "one tool family"
    with pytest.raises(ConfigError, match="cannot estimate tool offsets .one tool family"):
        apply_tool_offsets(one, parts, dict(base, tool_offsets={"reference": "auto"}))


def dataclass_curve(well, curve):
    import dataclasses

    return dataclasses.replace(well, curve=curve)


def _demo_with_ecgr(folder, shift=-25.0, ecgr=("KF-02", "KF-04", "KF-06"), demo=DEMO):
    """The demo's wells, some of them logged with 'ECGR' reading ``shift`` off; returns the LAS glob."""
    os.makedirs(folder / "las", exist_ok=True)
    for name in sorted(os.listdir(os.path.join(demo, "las"))):
        with open(os.path.join(demo, "las", name)) as fh:
            text = fh.read()
        if name[:-4] in ecgr:
            head, data = text.split("~ASCII")
            first, rows = data.split("\n", 1)
            out = []
            for line in rows.splitlines():
                cols = line.split()
                if len(cols) == 2 and float(cols[1]) != -999.25:
                    cols[1] = f"{float(cols[1]) + shift:.4f}"
                out.append(" ".join(cols))
            text = head.replace("GR  .gAPI", "ECGR.gAPI") + "~ASCII" + first + "\n" + "\n".join(out) + "\n"
        (folder / "las" / name).write_text(text)
    return str(folder / "las" / "*.las")


def _config(tmp_path, **changes):
    cfg = {"las": _demo_with_ecgr(tmp_path), "well_headers": os.path.join(DEMO, "well_headers.csv"),
           "surveys": os.path.join(DEMO, "surveys", "*.csv"), "property": "GR",
           "grid": {"spacing": [100.0, 100.0, 10.0], "bounds": [500000.0, 502000.0, 7000000.0, 7002000.0,
                                                               1000.0, 1200.0]},
           "realizations": 6, "seed": 3, "output": str(tmp_path / "out")}
    cfg.update(changes)
    path = tmp_path / f"run{len(changes)}.json"
    path.write_text(json.dumps(cfg))
    return str(path)


def test_run_models_the_reference_tool(tmp_path):
    """build_problem on the demo with three wells logged 25 low as ECGR: the offsets are found (within the
    spread of well means) and the conditioning data read as GR; summary's record names the reference."""
    from krigflow.run.config import load_config
    from krigflow.run.problem import build_problem, load_inputs

    cfg = load_config(_config(tmp_path))
    problem = build_problem(load_inputs(cfg), cfg)
    tools = problem.tool_offsets
    assert tools.reference == "GR" and set(tools.families) == {"GR", "ECGR"}
    for name in ("KF-02", "KF-04", "KF-06"):
        assert tools.shifts[name] == pytest.approx(-25.0, abs=6.0)
    assert problem.residual["tool_offsets"]["applied"]
    off = build_problem(load_inputs(cfg), dict(cfg, tool_offsets="none"))
    assert off.tool_offsets is None and off.well_effect > 3 * problem.well_effect


def test_validate_predicts_each_well_as_read_by_its_tool(tmp_path, capsys):
    """validate with tool offsets beats validate without on wells logged by two tools; the IDW baseline reads
    the logs as recorded (identical in both); a fold whose tool no training well shares runs without."""
    from krigflow.cli import app as cli
    from krigflow.run.crossvalidate import fold_config

    path = _config(tmp_path)
    assert cli.main(["validate", path, "--json", "-q"]) == 0
    auto = json.loads(capsys.readouterr().out)
    assert cli.main(["validate", _config(tmp_path, tool_offsets="none"), "--json", "-q"]) == 0
    none = json.loads(capsys.readouterr().out)
    assert auto["pooled"]["rmse_idw"] == none["pooled"]["rmse_idw"]
    assert auto["pooled"]["rmse"] < 0.85 * none["pooled"]["rmse"]
    assert 0.6 <= auto["pooled"]["coverage_80"] <= 0.97
    cfg = {"grid": {"spacing": [1, 1, 1]}, "tool_offsets": "auto"}

    class G:
        bounds = (0, 1, 0, 1, 0, 1)

    assert fold_config(cfg, G, "ECGR", ["GR", "ECGR"])["tool_offsets"] == {"reference": "ECGR", "required": False}
    required = dict(cfg, tool_offsets={"reference": "GR"})
    assert fold_config(required, G, "ECGR", ["GR", "ECGR"])["tool_offsets"] == {"reference": "ECGR", "required": True}
    assert fold_config(cfg, G, "GRD", ["GR", "ECGR"])["tool_offsets"] == "none"
    assert fold_config(dict(cfg, tool_offsets="none"), G, "GR", ["GR", "ECGR"])["tool_offsets"] == "none"
    shutil.rmtree(tmp_path / "out", ignore_errors=True)


def test_zoned_run_gets_the_shifted_logs(tmp_path):
    """A zoned run reads the wells themselves: they carry the shift too (zoned demo, 4 of 10 wells as ECGR)."""
    pytest.importorskip("xtgeo")
    from krigflow.run.config import load_config
    from krigflow.run.problem import build_problem, load_inputs

    zoned = os.path.join(DEMO, "..", "zoned_demo")
    for name in os.listdir(zoned):
        if name != "las":
            shutil.copy(os.path.join(zoned, name), tmp_path / name)
    _demo_with_ecgr(tmp_path, shift=-20.0, ecgr=("ZD-01", "ZD-03", "ZD-05", "ZD-07"), demo=zoned)
    text = (tmp_path / "run.yaml").read_text().replace("realizations: 50", "realizations: 4")
    (tmp_path / "run.yaml").write_text(text.replace('"../../output/zoned_demo"', '"out"'))
    cfg = load_config(str(tmp_path / "run.yaml"))
    wells = load_inputs(cfg)
    shifted = build_problem(wells, cfg)
    plain = build_problem(wells, dict(cfg, tool_offsets="none"))
    tools = shifted.tool_offsets
    assert tools.applied and tools.reference == "GR" and shifted.residual["tool_offsets"]["applied"]
    for name in ("ZD-01", "ZD-03", "ZD-05", "ZD-07"):
        assert tools.shifts[name] == pytest.approx(-20.0, abs=6.0)
    a, b = shifted.property_data(), plain.property_data()
    for i, name in enumerate(a.well_names):
        diff = np.mean(a.values[a.well == i]) - np.mean(b.values[b.well == i])
        assert diff == pytest.approx(-tools.shifts[name], abs=1e-6), name
