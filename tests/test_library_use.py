"""The README's "Library use" example runs as written, and the step-by-step API agrees with a whole run."""
import os
import re

import numpy as np
import pytest

import krigflow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def readme_blocks():
    """The Python code blocks of the README's "Library use" section."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("### Library use", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_readme_library_use_runs(tmp_path, monkeypatch):
    """The first block goes from the demo's LAS files to an xarray.Dataset and a PNG in at most 8 lines."""
    import xarray as xr

    code = readme_blocks()[0]
    lines = [line for line in code.splitlines() if line.strip() and not line.startswith(" ")]
    assert len(lines) <= 8, lines
    monkeypatch.chdir(tmp_path)
    os.symlink(os.path.join(ROOT, "data"), tmp_path / "data")
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    ds = namespace["ds"]
    assert isinstance(ds, xr.Dataset)
    assert {"mean", "std", "p10", "p90"} <= set(ds.data_vars)
    assert ds["mean"].dims == ("tvdss", "northing", "easting")
    assert int(ds["count"].max()) == 10
    assert (tmp_path / "mean_1100.png").stat().st_size > 10_000
    assert not (tmp_path / "output").exists(), "write=False must not write results"


def test_readme_step_by_step_is_exact_at_the_data(tmp_path, monkeypatch):
    """The step-by-step block reads 8 wells, and ordinary kriging without nugget honours every datum."""
    monkeypatch.chdir(tmp_path)
    os.symlink(os.path.join(ROOT, "data"), tmp_path / "data")
    namespace = {"krigflow": krigflow}
    exec(compile(readme_blocks()[1], "README.md", "exec"), namespace)
    wells, grid, data, estimate = (namespace[k] for k in ("wells", "grid", "data", "estimate"))
    assert len(wells) == 8
    assert estimate.shape == grid.shape
    i, j, k = data.cells.T
    np.testing.assert_allclose(estimate[i, j, k], data.values, rtol=0, atol=1e-6)


def test_public_api_names_exist():
    """Every name krigflow declares public is importable from the package."""
    missing = [name for name in krigflow.__all__ if not hasattr(krigflow, name)]
    assert not missing


def test_read_wells_names_a_pattern_that_matches_nothing(tmp_path):
    """read_wells refuses a pattern matching no LAS file, naming it."""
    with pytest.raises(krigflow.WellOptionError, match=r"nothing-\*\.las matches no LAS file"):
        krigflow.read_wells(str(tmp_path / "nothing-*.las"))
