"""Tests of krigflow.run.config: loading, validation, defaults and input checks."""

import json
import os
import re

import pytest
import yaml

from krigflow.exceptions import ConfigError
from krigflow.run.config import DEFAULTS, REQUIRED, load_config, validate_config

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")


def minimal(**changes):
    """Return the smallest valid raw config, with top-level changes applied."""
    raw = {
        "las": "las/*.las",
        "grid": {"spacing": [50, 50, 5]},
        "variogram": {"model": "spherical", "sill": 2.0, "range_h": 900, "range_v": 20},
    }
    raw.update(changes)
    return raw


def get(cfg, dotted):
    for part in dotted.split("."):
        cfg = cfg[part]
    return cfg


def test_defaults_applied():
    """Every optional key gets its documented default."""
    cfg = validate_config(minimal(), base_dir="/base")
    for key, value in DEFAULTS.items():
        if key in ("output", "variogram.model", "variogram.sill", "variogram.range_h", "variogram.range_v"):
            continue   # minimal() gives a model
        assert get(cfg, key) == value, key
    assert cfg["output"] == "/base/output"
    assert cfg["las"] == "/base/las/*.las"
    bare = validate_config({"las": "a.las", "grid": {"spacing": [50, 50, 5]}})
    assert bare["variogram"]["model"] == "auto" and bare["method"]["name"] == "conditional"


def test_docs_document_every_key_with_its_default():
    """The README's configuration table lists every key, and its defaults are the ones applied."""
    rows = {}
    for line in open(DOCS, encoding="utf-8"):
        m = re.match(r"^\| `([\w.]+)` \| [^|]+ \| (required|`([^`]*)`) \|", line)
        if m:
            rows[m.group(1)] = "required" if m.group(2) == "required" else yaml.safe_load(m.group(3))
    assert set(rows) == set(DEFAULTS) | set(REQUIRED)
    for key in REQUIRED:
        assert rows[key] == "required", key
    for key, value in DEFAULTS.items():
        assert rows[key] == value, key


@pytest.mark.parametrize("key", REQUIRED)
def test_required_keys(key):
    """A missing required key is reported by its dotted name."""
    raw = minimal()
    parts = key.split(".")
    section = get(raw, ".".join(parts[:-1])) if len(parts) > 1 else raw
    del section[parts[-1]]
    with pytest.raises(ConfigError, match=re.escape(key) + ": required"):
        validate_config(raw)


@pytest.mark.parametrize(
    "where, key, name",
    [
        ((), "seeed", "seeed: unknown key \\(did you mean 'seed'\\?\\)"),
        (("grid",), "spacin", "grid.spacin: unknown key"),
        (("variogram",), "rnage_h", "variogram.rnage_h: unknown key \\(did you mean 'variogram.range_h'"),
    ],
)
def test_unknown_keys(where, key, name):
    """Unknown keys are rejected at every level, with a suggestion."""
    raw = minimal()
    section = raw
    for w in where:
        section = section[w]
    section[key] = 1
    with pytest.raises(ConfigError, match=name):
        validate_config(raw)


def test_unknown_key_in_method_and_kriging():
    """Sections given as mappings reject unknown keys too."""
    with pytest.raises(ConfigError, match="method.fracton: unknown key"):
        validate_config(minimal(method={"name": "subsample", "fracton": 0.5}))
    with pytest.raises(ConfigError, match="kriging.men: unknown key"):
        validate_config(minimal(kriging={"kind": "simple", "men": 1}))


BAD_VALUES = [
    ("volume", 5, r"volume must be a mapping"),
    ("volume", {"side": "left"}, r"volume.side must be one of"),
    ("las", 3, "las: expected a path"),
    ("las", [], "las: expected a path"),
    ("las", ["a.las", 4], r"las\[1\]: expected a non-empty string"),
    ("well_headers", 5, "well_headers: expected a non-empty string"),
    ("surveys", {}, "surveys: expected a path"),
    ("property", "", "property: expected a non-empty string"),
    ("aliases", [1], r"aliases\[0\]: expected a non-empty string"),
    ("name_map", ["a"], "name_map: expected a mapping"),
    ("crs", 28351, "crs: expected a non-empty string"),
    ("min_samples", 0, "min_samples: expected an integer >= 1"),
    ("grid.spacing", [1, 2], "grid.spacing: expected a list of 3 numbers"),
    ("grid.spacing", [1, 0, 2], r"grid.spacing\[1\]: expected a number > 0"),
    ("grid.spacing", [1, "a", 2], r"grid.spacing\[1\]: expected a finite number"),
    ("grid.bounds", [0, 1, 0, 1, 0], "grid.bounds: expected a list of 6 numbers"),
    ("grid.bounds", [0, 1, 5, 1, 0, 1], "grid.bounds: northing minimum must be below"),
    ("grid.padding", [1, -1, 1], r"grid.padding\[1\]: expected a number >= 0"),
    ("variogram.model", "cubic", "variogram.model: expected one of spherical"),
    ("variogram.sill", -1, "variogram.sill: expected a number > 0"),
    ("variogram.sill", True, "variogram.sill: expected a finite number"),
    ("variogram.sill", float("nan"), "variogram.sill: expected a finite number"),
    ("variogram.nugget", 5, "variogram.nugget: must be below the total sill"),
    ("variogram.nugget", -0.1, "variogram.nugget: expected a number >= 0"),
    ("variogram.range_h", 0, "variogram.range_h: expected a number > 0"),
    ("variogram.range_v", "20", "variogram.range_v: expected a finite number"),
    ("variogram.range_h2", -3, "variogram.range_h2: expected a number > 0"),
    ("variogram.azimuth", 400, "variogram.azimuth: expected a number <= 360"),
    ("variogram.nu", 0, "variogram.nu: expected a number > 0"),
    ("variogram.candidates", ["cubic"], r"variogram.candidates\[0\]: expected one of spherical"),
    ("variogram.estimator", "robust", "variogram.estimator: expected one of matheron, cressie"),
    ("variogram.fit_nugget", "yes", "variogram.fit_nugget: expected true or false"),
    ("variogram.lag_h", -1, "variogram.lag_h: expected a number > 0"),
    ("variogram.lag_v", 0, "variogram.lag_v: expected a number > 0"),
    ("variogram.max_lag_h", "far", "variogram.max_lag_h: expected a finite number"),
    ("variogram.max_lag_v", -5, "variogram.max_lag_v: expected a number > 0"),
    ("method.transform", "log", "method.transform: expected one of auto, normal_score, none"),
    ("trend.kind", "spline", "trend.kind: expected one of auto, none, moving_average, polynomial"),
    ("trend.window", -300, "trend.window: expected a number > 0"),
    ("trend.degree", 1.5, "trend.degree: only used with kind 'polynomial'"),
    ("normalize", {"method": "zscore"}, "normalize.method: expected one of two_point, quantile"),
    ("normalize", {"interval": [3000, 2000]}, "normalize.interval: top must be above base"),
    ("tool_offsets", {"reference": 7}, "tool_offsets.reference: expected a curve mnemonic"),
    ("tool_offsets", "sometimes", "tool_offsets: expected 'auto', 'none' or"),
    ("variogram.well_effect", -1, "variogram.well_effect: expected a number >= 0"),
    ("variogram.well_effect", "big", "variogram.well_effect: expected a finite number"),
    ("variogram.range_h_max", 5000, "variogram.range_h_max: only used with model 'auto'"),
    ("method.tails", "power", "method.tails: expected one of linear, clip, extrapolate"),
    ("method.zmin", "x", "method.zmin: expected a finite number"),
    ("method.zmax", [1], "method.zmax: expected a finite number"),
    ("method.quantiles_from", "histograms", "method.quantiles_from: expected one of exact, realizations"),
    ("quantiles", "10", "quantiles: expected a list"),
    ("quantiles", [0], r"quantiles\[0\]: expected a number > 0"),
    ("quantiles", [50, 100], r"quantiles\[1\]: expected a number < 100"),
    ("cutoffs", ["a"], r"cutoffs\[0\]: expected a finite number"),
    ("histogram_bins", 1, "histogram_bins: expected an integer >= 2"),
    ("histogram_range", [5, 1], "histogram_range: minimum must be below maximum"),
    ("method", "sgs", "method.name: expected one of subsample"),
    ("method", 3, "method: expected a mapping"),
    ("method.fraction", 1.5, "method.fraction: expected a number <= 1"),
    ("method.fraction", 0, "method.fraction: expected a number > 0"),
    ("method.unit", "cells", "method.unit: expected one of wells, samples"),
    ("kriging", "universal", "kriging.kind: expected one of ordinary, simple"),
    ("kriging.mean", "x", "kriging.mean: expected a finite number"),
    ("realizations", 0, "realizations: expected an integer >= 1"),
    ("realizations", 2.5, "realizations: expected an integer"),
    ("seed", -1, r"seed: expected an integer in \[0, 2\^63\), got -1"),
    ("batch_size", "16", "batch_size: expected an integer"),
    ("blocks", 0, "blocks: expected an integer >= 1, .auto. or null"),
    ("blocks", "many", "blocks: expected an integer >= 1"),
    ("checkpoint_every", 0, "checkpoint_every: expected an integer >= 1"),
    ("output", ["a"], "output: expected a non-empty string"),
    ("outputs.formats", ["npz"], r"outputs.formats\[0\]: expected one of netcdf, vti, grdecl, egrid, roff, all, got 'npz' \(stats"),
    ("outputs.formats", {"a": 1}, "outputs.formats: expected a list of formats"),
    ("outputs.figures", "yes", "outputs.figures: expected true or false"),
    ("outputs.slices", ["deep"], r"outputs.slices\[0\]: expected a finite number"),
    ("outputs.slices", [], "outputs.slices: expected a list of TVDSS depths"),
    ("outputs.section_wells", [3], r"outputs.section_wells\[0\]: expected a non-empty string"),
]


@pytest.mark.parametrize("key, value, message", BAD_VALUES, ids=[f"{k}={v!r}" for k, v, _ in BAD_VALUES])
def test_bad_values_name_the_key(key, value, message):
    """Every bad value is rejected with a message that names the key."""
    raw = minimal(method={"name": "subsample"}, kriging={"kind": "simple"})
    parts = key.split(".")
    if len(parts) == 1:
        raw[key] = value
    else:
        raw.setdefault(parts[0], {})[parts[1]] = value
    with pytest.raises(ConfigError, match=message):
        validate_config(raw)


def test_every_key_has_a_bad_value_test():
    """The bad-value table covers every documented key."""
    tested = {k for k, _, _ in BAD_VALUES} | {"method.name", "kriging.kind"}
    keys = set(DEFAULTS) | set(REQUIRED)
    assert keys - tested - {"method.name", "kriging.kind"} == set()


def test_short_forms_and_conversions():
    """Bare strings for method/kriging, scalar padding and integral floats are accepted."""
    cfg = validate_config(
        minimal(
            method="subsample",
            kriging="simple",
            realizations=8.0,
            grid={"spacing": [10, 10, 1], "padding": 5},
        )
    )
    assert cfg["method"] == {"name": "subsample", "fraction": 0.75, "unit": "wells", "transform": "auto",
                             "tails": "linear", "zmin": None, "zmax": None, "quantiles_from": "exact"}
    assert cfg["kriging"] == {"kind": "simple", "mean": None}
    assert cfg["realizations"] == 8 and isinstance(cfg["realizations"], int)
    assert cfg["grid"]["padding"] == [5.0, 5.0, 5.0]


def test_mean_only_with_simple_and_padding_not_with_bounds():
    """Options that do not apply are refused rather than silently ignored."""
    with pytest.raises(ConfigError, match="kriging.mean: only used with"):
        validate_config(minimal(kriging={"kind": "ordinary", "mean": 3}))
    with pytest.raises(ConfigError, match="grid.padding: only used without grid.bounds"):
        validate_config(minimal(grid={"spacing": [1, 1, 1], "bounds": [0, 1, 0, 1, 0, 1], "padding": 3}))


def test_not_a_mapping():
    """A config that is not a mapping is refused."""
    with pytest.raises(ConfigError, match="expected a mapping"):
        validate_config(["las"])


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_load_resolves_paths_against_the_config_folder(tmp_path, suffix):
    """Relative paths in a YAML or JSON file resolve against its folder."""
    raw = minimal(well_headers="h.csv", surveys=["s/*.csv"], output="out")
    path = tmp_path / f"run{suffix}"
    path.write_text(json.dumps(raw) if suffix == ".json" else yaml.safe_dump(raw))
    cfg = load_config(str(path))
    assert cfg["las"] == str(tmp_path / "las" / "*.las")
    assert cfg["well_headers"] == str(tmp_path / "h.csv")
    assert cfg["surveys"] == [str(tmp_path / "s" / "*.csv")]
    assert cfg["output"] == str(tmp_path / "out")
    assert cfg["config_file"] == str(path)


def test_load_errors_name_the_file(tmp_path):
    """Missing and unparsable files are reported with their path."""
    with pytest.raises(ConfigError, match="nothere.yaml: cannot be read"):
        load_config(str(tmp_path / "nothere.yaml"))
    bad = tmp_path / "bad.json"
    bad.write_text("{las: ")
    with pytest.raises(ConfigError, match="bad.json: cannot be parsed"):
        load_config(str(bad))
    bad = tmp_path / "bad.yaml"
    bad.write_text("las: [a\n")
    with pytest.raises(ConfigError, match="bad.yaml: cannot be parsed"):
        load_config(str(bad))


def test_variogram_auto_and_conditional_options():
    """variogram: auto fits what is not given (sill, ranges, nugget are fixed when given; a cap and a well
    effect are options); anisotropy is refused; method options apply to their method only."""
    cfg = validate_config(minimal(variogram="auto", method="conditional"))
    assert cfg["variogram"]["model"] == "auto" and cfg["variogram"]["sill"] is None
    assert cfg["variogram"]["well_effect"] is None and cfg["variogram"]["range_h_max"] is None
    assert cfg["method"]["name"] == "conditional" and cfg["method"]["transform"] == "auto"
    fixed = validate_config(minimal(variogram={"model": "auto", "sill": 3, "range_v": 40, "range_h_max": 5000,
                                               "well_effect": 0.5, "nugget": 0.1}))["variogram"]
    assert (fixed["sill"], fixed["range_v"], fixed["range_h_max"], fixed["well_effect"], fixed["nugget"],
            fixed["fit_nugget"]) == (3.0, 40.0, 5000.0, 0.5, 0.1, False)
    assert validate_config(minimal(variogram={"model": "auto", "well_effect": "auto"}))["variogram"][
        "well_effect"] == "auto"
    with pytest.raises(ConfigError, match="variogram.range_h2: not used with model 'auto'"):
        validate_config(minimal(variogram={"model": "auto", "range_h2": 3}))
    with pytest.raises(ConfigError, match="variogram.nugget: with model 'auto' a given nugget is fixed"):
        validate_config(minimal(variogram={"model": "auto", "nugget": 0.1, "fit_nugget": True}))
    assert validate_config(minimal(trend={"kind": "moving_average", "window": 300}))["trend"] == {
        "kind": "moving_average", "window": 300.0, "degree": None}
    assert validate_config(minimal(trend="polynomial"))["trend"]["degree"] == 2
    assert validate_config(minimal(normalize="quantile"))["normalize"] == {
        "method": "quantile", "reference": "all", "interval": None, "quantiles": [5.0, 95.0]}
    with pytest.raises(ConfigError, match="variogram.estimator: only used with model 'auto'"):
        validate_config(minimal(variogram={"model": "spherical", "sill": 1, "range_h": 9, "range_v": 2,
                                           "estimator": "cressie"}))
    with pytest.raises(ConfigError, match="method.transform: only used with method 'conditional'"):
        validate_config(minimal(method={"name": "subsample", "transform": "none"}))
    with pytest.raises(ConfigError, match="method.fraction: only used with method 'subsample'"):
        validate_config(minimal(method={"name": "conditional", "fraction": 0.5}))
    with pytest.raises(ConfigError, match="method.zmin: must be below method.zmax"):
        validate_config(minimal(method={"name": "conditional", "zmin": 5, "zmax": 1}))
    cfg = validate_config(minimal(quantiles=[90, 10, 10], cutoffs=80))
    assert cfg["quantiles"] == [10.0, 90.0] and cfg["cutoffs"] == [80.0]


def test_vtk_is_an_alias_of_vti():
    """outputs.formats accepts `vtk` for `vti` and writes each format once."""
    from krigflow.run.config import _outputs

    assert _outputs({"formats": ["vtk", "netcdf", "vti"]})["formats"] == ["vti", "netcdf"]
