"""The committed zoned demo (data/zoned_demo) is what data/make_zoned_demo.py makes, and it is layered as described."""
import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pytest

from krigflow.zones import read_tops

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO = DATA / "zoned_demo"


@pytest.fixture(scope="module")
def make_zoned_demo():
    spec = importlib.util.spec_from_file_location("_krigflow_make_zoned_demo", DATA / "make_zoned_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_what_the_script_makes(make_zoned_demo, tmp_path):
    """Re-running the script reproduces every committed file byte for byte, and nothing else is there."""
    pytest.importorskip("xtgeo")
    written = make_zoned_demo.build(tmp_path)
    made = sorted(str(Path(p).relative_to(tmp_path)) for p in written)
    committed = sorted(str(p.relative_to(DEMO)) for p in DEMO.rglob("*") if p.is_file())
    assert made == committed
    for relative in made:
        assert (tmp_path / relative).read_bytes() == (DEMO / relative).read_bytes(), relative


def test_demo_tops_and_truth():
    """Every well has tops except the one stopping in zone B; the truth's zone means differ as documented."""
    tops = read_tops(DEMO / "tops.csv")
    assert len(tops.wells) == 10
    assert tops.select(well="ZD-04").surface == ("Top_A", "Top_B")
    truth = np.load(DEMO / "truth.npz")
    start = np.cumsum([0, *truth["layers"]])
    means = [float(np.mean(truth["values"][:, :, a:b])) for a, b in itertools.pairwise(start)]
    np.testing.assert_allclose(means, truth["means"], atol=6.0)
    assert means[1] > means[2] > means[0]
