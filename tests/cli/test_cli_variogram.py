"""Tests of ``krigflow variogram``: fit the variogram of a run's wells, print it and plot it."""

import json
import os

from finished_run import assert_real_png

from krigflow.cli import app as cli


def test_cli_variogram_on_the_demo(tmp_path, capsys):
    """`krigflow variogram CONFIG` prints the fitted model as a config line and writes the PNG."""
    config = os.path.join(os.path.dirname(__file__), "..", "..", "data", "demo", "run.yaml")
    png = str(tmp_path / "v.png")
    assert cli.main(["variogram", config, "--output", png, "-q"]) == 0
    out = capsys.readouterr().out
    assert "variogram: {model: " in out and "<- chosen" in out and os.path.getsize(png) > 1000
    # the demo truth is exponential, 600 m / 400 m (omnidirectional fit) and 15 m
    line = next(li for li in out.splitlines() if li.startswith("variogram: {"))
    fitted = dict(item.split(": ") for item in line[len("variogram: {"):-1].split(", "))
    assert 300.0 < float(fitted["range_h"]) < 700.0 and 10.0 < float(fitted["range_v"]) < 25.0


def test_cli_variogram_json_record(tmp_path, capsys):
    """--json prints the fit record (chosen model, candidates, experimental points, the PNG written)."""
    config = os.path.join(os.path.dirname(__file__), "..", "..", "data", "demo", "run.yaml")
    png = str(tmp_path / "v.png")
    assert cli.main(["variogram", config, "-o", png, "--json", "-q"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["png"] == png and record["chosen"]["model"] in record["candidates"]
    assert {e["direction"] for e in record["experimental"]} == {"horizontal", "vertical"}
    assert_real_png(png)


def test_cli_variogram_per_zone(tmp_path, capsys):
    """A zoned config: one fit and one PNG per zone, in stratigraphic coordinates."""
    config = os.path.join(os.path.dirname(__file__), "..", "..", "data", "zoned_demo", "run.yaml")
    png = str(tmp_path / "v.png")
    assert cli.main(["variogram", config, "--output", png, "-q"]) == 0
    lines = [li for li in capsys.readouterr().out.splitlines() if li.startswith("zone ")]
    assert [li.split(":")[0] for li in lines] == ["zone Top_A", "zone Top_B", "zone Top_C"]
    for q in (1, 2, 3):
        assert_real_png(str(tmp_path / f"v_zone{q}.png"))
