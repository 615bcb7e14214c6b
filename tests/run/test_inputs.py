"""Tests of krigflow.run.inputs: input patterns expanded, missing input files named with their key."""

import pytest
from test_config import minimal

from krigflow.exceptions import ConfigError
from krigflow.run.config import validate_config
from krigflow.run.inputs import check_inputs, expand_paths


def test_check_inputs(tmp_path):
    """Missing inputs are found before any work, naming the key and the path."""
    (tmp_path / "a.las").write_text("x")
    (tmp_path / "b.las").write_text("x")
    cfg = validate_config(minimal(las="*.las"), base_dir=str(tmp_path))
    assert check_inputs(cfg) == [str(tmp_path / "a.las"), str(tmp_path / "b.las")]
    with pytest.raises(ConfigError, match="las: no file matches"):
        check_inputs(validate_config(minimal(las="*.LAZ"), base_dir=str(tmp_path)))
    with pytest.raises(ConfigError, match="las: file not found: .*c.las"):
        check_inputs(validate_config(minimal(las=["a.las", "c.las"]), base_dir=str(tmp_path)))
    with pytest.raises(ConfigError, match="well_headers: file not found"):
        check_inputs(validate_config(minimal(las="*.las", well_headers="h.csv"), base_dir=str(tmp_path)))
    with pytest.raises(ConfigError, match="surveys: no file matches"):
        check_inputs(validate_config(minimal(las="*.las", surveys="s/*.csv"), base_dir=str(tmp_path)))


def test_expand_paths_dedups_in_order(tmp_path):
    """Lists of globs keep their order and drop duplicates."""
    for name in ("b.las", "a.las"):
        (tmp_path / name).write_text("x")
    got = expand_paths([str(tmp_path / "b.las"), str(tmp_path / "*.las")])
    assert got == [str(tmp_path / "b.las"), str(tmp_path / "a.las")]
