"""Partial files of fake realizations, for the tests of partial files, plans and merges."""

import json
import os

import numpy as np

from krigflow.io import write_partial
from krigflow.stats import RunningStats

FP = {"config": json.dumps({"seed": 1, "variogram": {"sill": 2.0}}), "data": "ab" * 32, "numerics": "1"}


SHAPE = (3, 2, 2)


def batch(indices):
    """Deterministic fake realizations for the given indices, shape (R, *SHAPE)."""
    rng = [np.random.default_rng([5, int(r)]) for r in indices]
    return np.stack([g.normal(50.0, 10.0, SHAPE) for g in rng])


def write(folder, indices, fingerprint=FP, name=None):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name or f"part-{os.urandom(16).hex()}.npz")
    write_partial(path, RunningStats.from_batch(batch(indices)), indices, fingerprint, {"realizations": 12})
    return path
