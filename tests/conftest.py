"""Shared pytest fixtures."""
from pathlib import Path

import pytest

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data folder (``../shared`` from the repository root); skip when absent."""
    if not (SHARED_DIR / "data").is_dir():
        pytest.skip(f"shared data folder not found: {SHARED_DIR}")
    return SHARED_DIR


@pytest.fixture(scope="session")
def poseidon_dir(shared_dir) -> Path:
    """The Poseidon sample well set; skip when absent."""
    path = shared_dir / "data" / "poseidon"
    if not (path / "las").is_dir():
        pytest.skip(f"Poseidon data not found: {path}")
    return path


@pytest.fixture
def write_las(tmp_path):
    """Write LAS text (str, or bytes for encoding tests) to a temporary file and return its path."""
    def _write(text, name="well.las"):
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path
    return _write


def las_text(curves="DEPT.M :\nGR.gAPI :", rows="100 50\n100.5 60\n101 70", well="~W\nNULL. -999.25 :\n"
             "WELL. A-1 :", extra=""):
    """Small LAS 2.0 text for inline tests."""
    return f"~V\nVERS. 2.0 :\nWRAP. NO :\n{well}\n{extra}~C\n{curves}\n~A\n{rows}\n"
