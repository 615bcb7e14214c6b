"""Issue 13, item 6: files.

* BOM-less UTF-16 LAS files are detected as documented (today ASCII detection wins, and the message blames
  binary content).
* Directory symlinks inside the output folder (``figures/``, ``partials/``, ``.progress/``) are not written
  through: the run is refused, naming the link, and nothing lands where the link points.
* ``wells.npz`` errors name the file.
* A single well gives a warning that the spread between wells cannot be estimated.
"""

import os

import numpy as np
import numpy.testing as npt
import pytest
from dispel4py.new.simple_process import process_and_return
from hostile_common import krigflow, make_field, read_json

from graphs.stochastic_kriging import build_graph

ASCII_LAS = (
    "~Version\nVERS. 2.0 : CWLS LAS 2.0\nWRAP. NO :\n~Well\nNULL. -999.25 :\nWELL. A-1 :\n"
    "~Curve\nDEPT.M :\nGR.gAPI :\n~A\n100 50\n100.5 -999.25\n101 70\n"
)


# --- BOM-less UTF-16 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_bomless_utf16_ascii_las_is_read(tmp_path, encoding):
    """A pure-ASCII LAS file saved as UTF-16 without BOM reads like its UTF-8 twin."""
    from krigflow.wells import read_las

    (tmp_path / "a.las").write_bytes(ASCII_LAS.encode(encoding))
    (tmp_path / "b.las").write_text(ASCII_LAS, encoding="utf-8")
    log, twin = read_las(tmp_path / "a.las"), read_las(tmp_path / "b.las")
    assert log.encoding == encoding
    assert log.well_name == "A-1"
    npt.assert_array_equal(log.index, twin.index)
    npt.assert_array_equal(log.curves["GR"], twin.curves["GR"])


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_detect_encoding_bomless_utf16(encoding):
    from krigflow.wells.las import detect_encoding

    assert detect_encoding(ASCII_LAS.encode(encoding)) == encoding
    assert detect_encoding(ASCII_LAS.encode("ascii")) == "ascii"


def test_binary_file_still_refused(tmp_path):
    """Random bytes with NULs are not taken for text: a LAS error naming the file, no crash."""
    from krigflow.exceptions import LASReadError
    from krigflow.wells import read_las

    raw = np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    (tmp_path / "bin.las").write_bytes(raw)
    with pytest.raises(LASReadError, match="bin.las"):
        read_las(tmp_path / "bin.las")


# --- symlinks in the output folder ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["figures", "partials", ".progress"])
@pytest.mark.parametrize("how", ["krigflow run", "graph"])
def test_symlinked_folder_not_written_through(tmp_path, name, how):
    """A directory symlink in the output folder: refused naming it; the target stays empty."""
    config = make_field(str(tmp_path), realizations=4, outputs={"formats": [], "figures": name == "figures"})
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "out").mkdir()
    os.symlink(target, tmp_path / "out" / name)
    if how == "krigflow run":
        proc = krigflow("run", config)
        assert proc.returncode == 2, proc.stderr
        message = proc.stderr
    else:
        with pytest.raises(Exception) as info:
            process_and_return(build_graph(), {"LogReader": [{"config": config}]})
        message = str(info.value)
    assert "symbolic link" in message and os.path.join("out", name) in message, message
    assert os.listdir(target) == []


# --- wells.npz -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    folder = tmp_path_factory.mktemp("finished")
    config = make_field(str(folder), realizations=4)
    process_and_return(build_graph(), {"LogReader": [{"config": config}]})
    return folder / "out"


def spoil(path, how):
    if how == "not a zip":
        path.write_bytes(b"garbage, not an npz archive")
    elif how == "pickled object":
        np.savez(path, names=np.array([{"a": 1}], dtype=object))
    else:  # a key missing
        np.savez(path, trace_easting=np.zeros(3))


@pytest.mark.parametrize("how", ["not a zip", "pickled object", "no names"])
def test_wells_npz_errors_name_the_file(finished, tmp_path, how):
    """A damaged wells.npz: read_wells and `krigflow plot` say which file and why (nothing unpickled)."""
    import shutil

    from krigflow.exceptions import KrigflowError
    from krigflow.io import read_wells

    output = tmp_path / "copy"
    shutil.copytree(finished, output)
    spoil(output / "wells.npz", how)
    with pytest.raises(KrigflowError, match=r"wells\.npz"):
        read_wells(str(output))
    proc = krigflow("plot", str(output))
    assert proc.returncode == 1
    assert str(output / "wells.npz") in proc.stderr, proc.stderr


# --- a single well -------------------------------------------------------------------------------------------


def test_single_well_warns(tmp_path):
    """One well: the run works and warns that the spread between wells cannot be estimated."""
    config = make_field(str(tmp_path), heads=[(1300.0, 1300.0)], realizations=4)
    process_and_return(build_graph(), {"LogReader": [{"config": config}]})
    warnings = read_json(tmp_path / "out" / "summary.json").get("warnings") or []
    assert any("between wells cannot be estimated" in w for w in warnings), warnings
    proc = krigflow("run", config, "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert "krigflow run: warning:" in proc.stderr and "between wells cannot be estimated" in proc.stderr
