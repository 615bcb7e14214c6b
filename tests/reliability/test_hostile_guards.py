"""Issue 13, item 5: up-front guards, before anything is launched or computed.

* A grid that cannot fit in memory (10^10 cells) is refused before launching, with the estimate and the knob
  to turn; today it fails after launch with a raw MemoryError.
* Seeds outside [0, 2^63) are refused at validation; today 2^64 runs every realization and then fails in the
  NetCDF writer (and again on resume).
* ``--overwrite`` still runs the output checks; today it skips them and dies later with a raw OSError.
* Changing ``quantiles`` between a run and its resume (on/off) gives a clear message before any work; today
  the merge fails after every realization was computed.
"""

import os
import resource
import time

import pytest
from dispel4py.new.simple_process import process_and_return
from hostile_common import BASE_CONFIG, krigflow, make_field, partial_files, write_config

from graphs.stochastic_kriging import build_graph

#: 10^4 x 10^4 x 100 cells at 10 m.
HUGE_GRID = {"spacing": [10.0, 10.0, 10.0], "bounds": [0, 1e5, 0, 1e5, 900, 1900]}


def limit_memory():
    """preexec_fn: 4 GB of address space, so that a guard that does not work fails fast and harmlessly."""
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


@pytest.mark.parametrize("mapping", ["simple", "multi"])
def test_huge_grid_refused_before_launch(tmp_path, mapping):
    """krigflow run refuses a 10^10-cell grid with exit status 2, saying how much memory and what to change."""
    config = make_field(str(tmp_path), realizations=4, grid=HUGE_GRID)
    start = time.perf_counter()
    proc = krigflow("run", config, "--mapping", mapping, "-n", "4", preexec_fn=limit_memory, timeout=120)
    seconds = time.perf_counter() - start
    assert proc.returncode == 2, proc.stderr
    assert "memory" in proc.stderr and "10,000,000,000 cells" in proc.stderr, proc.stderr
    assert "grid.spacing" in proc.stderr and "batch_size" in proc.stderr, proc.stderr
    assert "MemoryError" not in proc.stderr and "dispel4py log" not in proc.stderr
    assert seconds < 30


def test_huge_grid_refused_in_graph(tmp_path):
    """A direct graph run refuses it too (in the GridPlacer, before any kriger allocates)."""
    config = make_field(str(tmp_path), realizations=4, grid=HUGE_GRID)
    with pytest.raises(Exception, match="memory") as info:
        process_and_return(build_graph(), {"LogReader": [{"config": config}]})
    assert "MemoryError" not in str(info.value) and "Unable to allocate" not in str(info.value)


@pytest.mark.parametrize("seed", [2**63, 2**64, -1])
def test_seed_out_of_range_refused_at_validation(tmp_path, seed):
    """A seed outside [0, 2^63) is a config error naming the range; krigflow run exits 2 before launching."""
    from krigflow.exceptions import ConfigError
    from krigflow.run import validate_config

    raw = dict(BASE_CONFIG, seed=seed)
    with pytest.raises(ConfigError, match=r"seed: expected an integer in \[0, 2\^63\)"):
        validate_config(raw)
    config = make_field(str(tmp_path), realizations=4, seed=seed)
    proc = krigflow("run", config)
    assert proc.returncode == 2 and "seed: expected an integer in [0, 2^63)" in proc.stderr


def test_largest_seed_accepted():
    """2^63 - 1 is a valid seed."""
    from krigflow.run import validate_config

    assert validate_config(dict(BASE_CONFIG, seed=2**63 - 1))["seed"] == 2**63 - 1


@pytest.mark.parametrize("case", ["parent is a file", "output is a file"])
def test_overwrite_still_checks_the_output(tmp_path, case):
    """--overwrite: an unusable output is refused before launching (exit 2, naming it), like without it."""
    (tmp_path / "file").write_text("x")
    output = str(tmp_path / "file" / "out") if case == "parent is a file" else str(tmp_path / "file")
    config = make_field(str(tmp_path), realizations=4, output=output)
    proc = krigflow("run", config, "--overwrite")
    assert proc.returncode == 2, proc.stderr
    expected = "output: cannot write in" if case == "parent is a file" else "exists and is not a directory"
    assert expected in proc.stderr
    assert "OSError" not in proc.stderr and "dispel4py log" not in proc.stderr
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.parametrize("first, then", [([10.0, 50.0, 90.0], []), ([], [10.0, 50.0, 90.0])])
def test_quantiles_change_on_resume_is_refused_clearly(tmp_path, first, then):
    """quantiles switched on/off between a run and its resume: refused before launching, saying so."""
    config = make_field(str(tmp_path), quantiles=first)
    assert krigflow("run", config, "--realizations", "0:4").returncode == 0
    before = partial_files(str(tmp_path / "out"))
    config = write_config(str(tmp_path), quantiles=then)
    start = time.perf_counter()
    proc = krigflow("run", config)
    assert proc.returncode == 2, proc.stderr
    assert "quantiles" in proc.stderr and "--overwrite" in proc.stderr, proc.stderr
    assert "merge" not in proc.stderr
    assert partial_files(str(tmp_path / "out")) == before
    assert time.perf_counter() - start < 30


def test_quantile_values_may_change_on_resume(tmp_path):
    """Other quantile values (histograms kept either way) resume fine: read off the histograms at the end."""
    config = make_field(str(tmp_path), quantiles=[10.0, 50.0, 90.0])
    assert krigflow("run", config, "--realizations", "0:4").returncode == 0
    config = write_config(str(tmp_path), quantiles=[5.0, 50.0, 95.0])
    proc = krigflow("run", config)
    assert proc.returncode == 0, proc.stderr
    import numpy as np

    with np.load(os.path.join(str(tmp_path), "out", "stats.npz")) as npz:
        assert any("95" in k for k in npz.files), npz.files
