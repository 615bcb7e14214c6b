"""A layered synthetic truth and wells sampled from it, as the zone tests use them."""
import numpy as np

from krigflow.zones import Lattice
from krigflow.zones.synthetic import default_well_positions, make_layered_truth, sample_wells


def layered_case(extent, layers, n_wells):
    """``(truth, wells, arrays, well)`` over a square of ``extent`` m (50 m cells); well 2 stops above the base.

    ``arrays`` = (easting, northing, tvdss, values) of every sample, ``well`` the sample's well index.
    """
    truth = make_layered_truth(Lattice.from_bounds((0.0, extent, 0.0, extent), (50.0, 50.0)), layers=layers)
    wells = sample_wells(truth, default_well_positions(truth.sgrid.lattice, n_wells), stop_above_base=[2])
    arrays = [np.concatenate([getattr(w, a) for w in wells]) for a in ("easting", "northing", "tvdss", "values")]
    well = np.concatenate([np.full(w.md.size, i) for i, w in enumerate(wells)])
    return truth, wells, arrays, well
