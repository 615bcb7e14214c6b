"""Issue 13, item 4: the core's warnings reach the user in graph runs.

dispel4py sets the root logger to ERROR, so today the warnings of a graph run (a well with no datum in the
grid, two wells merged in one cell, a well name matched by a close match) are lost. Wanted: every
``krigflow.*`` warning of a run is collected into ``summary.json`` and ``status.json`` (``"warnings"``, a
list of one-line messages) and printed at the end of ``krigflow run``. A header table that matches none of
the wells (so that every well would be placed by its LAS coordinates, silently) is an error unless the
run asks otherwise (``krigflow run --allow-unmatched-headers``, input item key
``allow_unmatched_headers: true``), which turns it into a warning.
"""

import os

import pytest
from dispel4py.new.simple_process import process_and_return
from hostile_common import HEADS, MAPPINGS, krigflow, make_field, read_json, write_config, write_wells

from graphs.stochastic_kriging import build_graph

#: W5 lies outside the grid; W6 shares a grid column with W0; W1 is called "Kronos 1" in its LAS file and
#: "Kronons_1" in the header table (a close match).
EXTRA_HEADS = HEADS + [(5000.0, 5000.0), (1010.0, 1010.0)]
NAMES = ["W0", "Kronos 1", "W2", "W3", "W4", "W5", "W6"]
#: What each warning must say (substrings).
EXPECTED = ("no conditioning datum in the grid: W5", "crossed by more than one well (W0 & W6)",
            "'Kronos 1' matched to 'Kronons_1' by close match")


def write_headers(folder, rows):
    path = os.path.join(folder, "heads.csv")
    with open(path, "w") as fh:
        fh.write("Name,X,Y,DFE\n" + "".join(f"{n},{e},{nn},30.0\n" for n, e, nn in rows))
    return path


@pytest.fixture
def warned_field(tmp_path):
    """A field that provokes the three warnings; return its config path."""
    folder = str(tmp_path)
    write_wells(folder, EXTRA_HEADS, NAMES)
    table = [("Kronons_1" if n == "Kronos 1" else n, e, nn) for n, (e, nn) in zip(NAMES, EXTRA_HEADS)]
    write_headers(folder, table)
    return write_config(folder, realizations=4, well_headers="heads.csv")


def assert_warned(warnings, expected=EXPECTED):
    assert isinstance(warnings, list), warnings
    for text in expected:
        assert any(text in w for w in warnings), (text, warnings)
    assert len(warnings) == len(set(warnings)), "warnings repeated"


def test_warnings_in_summary_and_status_in_process(warned_field, tmp_path):
    """In process (simple mapping): summary.json and status.json list every warning once."""
    process_and_return(build_graph(), {"LogReader": [{"config": warned_field}]})
    assert_warned(read_json(tmp_path / "out" / "summary.json").get("warnings"))
    assert_warned(read_json(tmp_path / "out" / "status.json").get("warnings"))


@pytest.mark.slow
@pytest.mark.parametrize("mapping", MAPPINGS)
def test_warnings_printed_at_the_end_of_krigflow_run(warned_field, tmp_path, mapping):
    """krigflow run, each mapping: warnings in summary.json and status.json, and printed after the run."""
    proc = krigflow("run", warned_field, "--mapping", mapping, "-n", "4")
    assert proc.returncode == 0, proc.stderr
    printed = [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("krigflow run: warning:")]
    assert_warned(printed)
    assert_warned(read_json(tmp_path / "out" / "summary.json").get("warnings"))
    assert_warned(read_json(tmp_path / "out" / "status.json").get("warnings"))


def test_header_table_matching_no_well_is_an_error(tmp_path):
    """A header table that matches no well: the run fails naming the table and the knob; nothing computed."""
    config = make_field(str(tmp_path), realizations=4, well_headers="heads.csv")
    write_headers(str(tmp_path), [("Zeus_9", 0.0, 0.0), ("Hera_8", 10.0, 10.0)])
    with pytest.raises(Exception, match=r"heads\.csv matches none of the 5 wells.*--allow-unmatched-headers"):
        process_and_return(build_graph(), {"LogReader": [{"config": config}]})
    assert not (tmp_path / "out" / "stats.npz").exists()
    status = read_json(tmp_path / "out" / "status.json")
    assert status["status"] == "failed" and "heads.csv" in status["message"]


def test_header_table_matching_no_well_allowed_is_a_warning(tmp_path):
    """Asked to go on (input item / --allow-unmatched-headers), the run works and the warning names the table."""
    config = make_field(str(tmp_path), realizations=4, well_headers="heads.csv")
    write_headers(str(tmp_path), [("Zeus_9", 0.0, 0.0), ("Hera_8", 10.0, 10.0)])
    process_and_return(build_graph(), {"LogReader": [{"config": config, "allow_unmatched_headers": True}]})
    warnings = read_json(tmp_path / "out" / "summary.json").get("warnings")
    assert_warned(warnings, ["heads.csv matches none of the 5 wells"])
    proc = krigflow("run", config, "--allow-unmatched-headers", "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert "krigflow run: warning: well_headers: heads.csv matches none of the 5 wells" in proc.stderr

def test_partial_header_match_is_noted(tmp_path):
    """A table that matches some wells: the others are placed from their LAS header, and each says so
    (summary.json, wells[].warnings): this works today and must keep working."""
    config = make_field(str(tmp_path), realizations=4, well_headers="heads.csv")
    write_headers(str(tmp_path), [(f"W{i}", e, n) for i, (e, n) in enumerate(HEADS[:3])])
    process_and_return(build_graph(), {"LogReader": [{"config": config}]})
    wells = {w["name"]: w for w in read_json(tmp_path / "out" / "summary.json")["wells"]}
    assert any("not found in the header table heads.csv" in note for note in wells["W4"]["warnings"])
    assert wells["W0"]["location_source"].startswith("well_headers")
