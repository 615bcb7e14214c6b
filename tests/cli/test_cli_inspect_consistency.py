"""`krigflow inspect` warns when the property comes from different mnemonics or units across wells."""
import glob
import os

import pytest

from krigflow.cli import app as cli

POSEIDON = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "poseidon")
POSEIDON = POSEIDON if os.path.isdir(POSEIDON) else "/work/shared/data/poseidon"
DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "data", "demo")


@pytest.mark.skipif(not os.path.isdir(POSEIDON), reason="shared Poseidon data not available")
def test_poseidon_mnemonics_and_units_are_reported(capsys):
    paths = sorted(glob.glob(os.path.join(POSEIDON, "las", "*.LAS")))
    cli.main(["inspect", "--well-headers", os.path.join(POSEIDON, "Well_Headers.csv"), "--surveys",
              os.path.join(POSEIDON, "deviation", "*.dev"), *paths])
    out = capsys.readouterr().out
    assert "consistency: GR comes from different curves across wells: ECGR (Boreas 1, Kronos 1, Poseidon 1)" in out
    assert "different units across wells: API (Torosa 1)" in out
    # what tool_offsets: auto would do: the ECGR wells read ~18 gAPI lower than the GR wells
    line = next(x for x in out.splitlines() if x.startswith("tool offsets"))
    ecgr = float(line.split("ECGR ")[1].split()[0])
    assert "read as GR" in line and -25 < ecgr < -12
    cli.main(["inspect", "--json", "--well-headers", os.path.join(POSEIDON, "Well_Headers.csv"), *paths])
    captured = capsys.readouterr()
    assert all(line.startswith("{") for line in captured.out.splitlines())   # JSON lines only on stdout
    assert "ECGR" in captured.err and "tool offsets (tool_offsets: auto): read as GR" in captured.err


def test_one_tool_no_warning(capsys):
    """The demo wells all log GR in gAPI: no consistency note."""
    paths = sorted(glob.glob(os.path.join(DEMO, "las", "*.las")))
    cli.main(["inspect", "--well-headers", os.path.join(DEMO, "well_headers.csv"), "--surveys",
              os.path.join(DEMO, "surveys", "*.csv"), *paths])
    out = capsys.readouterr().out
    assert "consistency:" not in out and "tool offsets" not in out
