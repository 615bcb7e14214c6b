"""The demo truth at two supports: point values at cell centres, and 5-m column averages (the data's support)."""
import importlib.util
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _make_demo():
    spec = importlib.util.spec_from_file_location("make_demo", os.path.join(ROOT, "data", "make_demo.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_demo"] = module          # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def demo_truths():
    """Return (point truth, cell-support truth) on the demo grid (50, 50, 40).

    The wells' conditioning data are averages of the log samples over each 5-m cell along the well
    (upscaling), so the realizations, which are conditioned on them and treat cells as points, are
    estimates of that cell-support value. The cell-support truth is the truth field averaged the same way
    along the vertical line through the cell centre: samples every 0.5 m (trilinear interpolation of the
    1-m fine lattice, exactly as the demo wells are sampled), averaged per cell.
    """
    demo = _make_demo()
    fine = demo.truth_fine()
    point, easting, northing, tvdss = demo.truth_model(fine)
    fe, fn, fz = demo.fine_axes()
    ie = np.searchsorted(fe, easting)
    in_ = np.searchsorted(fn, northing)
    columns = fine[np.ix_(ie, in_)]                      # (50, 50, 202) fine columns through cell centres
    dz = tvdss[1] - tvdss[0]
    block = np.empty_like(point)
    offsets = np.arange(0.25, dz, 0.5) - dz / 2          # 10 samples per 5-m cell
    for k, centre in enumerate(tvdss):
        t = centre + offsets
        values = np.stack([np.interp(t, fz, columns[i, j]) for i in range(columns.shape[0])
                           for j in range(columns.shape[1])])
        block[:, :, k] = values.mean(axis=1).reshape(columns.shape[:2])
    return point, block
