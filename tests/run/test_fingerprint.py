"""Tests of krigflow.run.fingerprint: what is fingerprinted, and differences named by key."""

import json
import os

from fake_partials import FP

from krigflow.run import config_fingerprint, fingerprint_differences, load_config


def test_fingerprint_differences_name_the_key():
    """Config differences name the dotted key and both values; data and numerics are reported too."""
    other = dict(FP, config=json.dumps({"seed": 1, "variogram": {"sill": 3.0}}), data="cd" * 32)
    diffs = fingerprint_differences(FP, other)
    assert diffs[0] == "config: variogram.sill = 3.0 there, 2.0 here"
    assert diffs[1].startswith("conditioning data or grid differ")
    assert fingerprint_differences(FP, dict(FP, numerics="2")) == ["numerics version 2 there, 1 here"]
    assert fingerprint_differences(FP, dict(FP)) == []


def test_config_fingerprint_covers_every_numerics_key():
    """Histogram settings change what a partial holds, so they are fingerprinted; paths and speed knobs are not."""
    base = load_config(os.path.join(os.path.dirname(__file__), "..", "..", "data", "demo", "run.yaml"))
    for key, value in [("cutoffs", [80.0]), ("histogram_bins", 50), ("seed", 1)]:
        assert config_fingerprint(dict(base, **{key: value})) != config_fingerprint(base), key
    for key, value in [("batch_size", 3), ("realizations", 7), ("output", "/elsewhere"),
                       ("config_file", "/elsewhere/run.yaml"), ("quantiles", [5.0, 95.0])]:
        assert config_fingerprint(dict(base, **{key: value})) == config_fingerprint(base), key
