"""Tests of ``krigflow inspect``."""
import json

from conftest import las_text

from krigflow.cli.app import build_parser, main


def test_parser_has_inspect():
    """The inspect subcommand takes the well-source options of the run config."""
    args = build_parser().parse_args(["inspect", "a.las", "--surveys", "x/*.csv", "--surveys", "y.dev",
                                      "--name-map", "A=B", "--property", "RHOB", "--crs", "EPSG:28351"])
    assert args.surveys == ["x/*.csv", "y.dev"] and args.name_map == ["A=B"] and args.property == "RHOB"


def test_json_records_and_exit_status(write_las, capsys):
    """One JSON object per file with the documented keys; exit 1 when a file is unusable."""
    good = write_las(las_text(well="~W\nWELL. G :\nX.m 1 :\nY.m 2 :\nEKB.m 3 :"), "good.las")
    bad = write_las("not a las file", "bad.las")
    assert main(["inspect", "--json", str(good)]) == 0
    rec = json.loads(capsys.readouterr().out)
    keys = {"path", "well", "status", "error", "curve", "easting", "northing", "kb", "n_samples", "warnings"}
    assert keys <= set(rec) and rec["status"] == "ok" and rec["n_samples"] == 3 and rec["kb"] == 3
    assert main(["inspect", "--json", str(good), str(bad)]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["status"] for r in lines] == ["ok", "error"] and "bad.las" in lines[1]["error"]


def test_table_output_poseidon(poseidon_dir, capsys):
    """Table view over the Poseidon set: 8 usable wells, the Kronons_1 close match reported."""
    code = main(["inspect", str(poseidon_dir / "las"), "--well-headers", str(poseidon_dir / "Well_Headers.csv"),
                 "--surveys", str(poseidon_dir / "deviation" / "*.dev")])
    out = capsys.readouterr().out
    assert code == 0 and out.count("well_headers: Well_Headers.csv") == 8
    assert "Kronons_1" in out and "header-table wells without a LAS file" not in out


def test_name_map_option(poseidon_dir, capsys):
    """--name-map pairs Kronos 1 with the table row explicitly (no close-match warning)."""
    code = main(["inspect", "--json", str(poseidon_dir / "las" / "Kronos1Decim.LAS"), "--well-headers",
                 str(poseidon_dir / "Well_Headers.csv"), "--name-map", "Kronos 1=Kronons_1"])
    rec = json.loads(capsys.readouterr().out)
    assert code == 0 and rec["easting"] == 412599.26
    assert not any("close match" in w for w in rec["warnings"])


def test_tops_per_well_and_order_flag(write_las, tmp_path, capsys):
    """--tops lists the tops found per well (MD converted to TVDSS) and flags tops out of the surface order."""
    las = write_las(las_text(well="~W\nWELL. G-1 :\nX.m 1 :\nY.m 2 :\nEKB.m 3 :"), "g.las")
    tops = tmp_path / "tops.csv"
    tops.write_text("well,surface,md\nG 1,A,100.2\nG 1,B,100.8\nOther 2,A,90\n")
    assert main(["inspect", str(las), "--tops", str(tops)]) == 0
    out = capsys.readouterr().out
    assert "G-1: A 97.2, B 97.8" in out and "match no LAS well and are ignored: Other 2" in out
    assert main(["inspect", str(las), "--tops", str(tops), "--surfaces", "B,A"]) == 1
    assert "'A' (TVDSS 97.2 m) is above 'B' (TVDSS 97.8 m) but listed below it" in capsys.readouterr().out
    assert main(["inspect", "--json", str(las), "--tops", str(tops)]) == 0
    last = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert last["tops"][0]["well"] == "G-1" and [t["surface"] for t in last["tops"][0]["tops"]] == ["A", "B"]
