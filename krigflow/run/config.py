"""Run configuration: loading, validation and defaults.

A run is described by one YAML or JSON file (see the README's "Run configuration" section for every
key and its default). :func:`load_config` reads the file and hands the mapping
to :func:`validate_config`, which rejects unknown keys and bad values with a
:class:`~krigflow.exceptions.ConfigError` naming the key (``variogram.sill``,
``grid.spacing[2]``...), fills in the defaults and resolves relative paths
against the folder of the config file. The result is a plain, JSON-serialisable
``dict`` with every key present, which is what the rest of krigflow uses.

:func:`krigflow.run.check_inputs` (:mod:`krigflow.run.inputs`) then checks that the input files exist, so
that a run can be refused before any work starts.
"""

from __future__ import annotations

import difflib
import logging
import math
import os

from krigflow.exceptions import ConfigError
from krigflow.io import FORMAT_ALIASES, FORMAT_CHOICES, FORMATS, canonical_formats
from krigflow.kriging import KINDS as KRIGING_KINDS
from krigflow.normalize import normalize_options
from krigflow.realizations import METHODS, TAILS, TRANSFORMS, UNITS
from krigflow.run.config_blocks import blocks_option
from krigflow.run.config_file import read_config_file
from krigflow.run.config_transform import LOG_TRANSFORMS, method_keys_to_check
from krigflow.run.config_zones import zone_models
from krigflow.stats import volume_config
from krigflow.tool_offsets import tool_offsets_options
from krigflow.trend import trend_options
from krigflow.variogram import DEFAULT_CANDIDATES, ESTIMATORS
from krigflow.variogram import MODELS as VARIOGRAM_MODELS
from krigflow.zones import validate_zones

logger = logging.getLogger(__name__)

__all__ = ["DEFAULTS", "REQUIRED", "load_config", "validate_config"]

#: Keys that must be given (dotted paths).
REQUIRED = (
    "las",
    "grid.spacing",
)

#: Default of every optional key (dotted paths). The README's "Run configuration" section documents the same values and a test
#: checks that both agree.
DEFAULTS = {
    "well_headers": None,
    "surveys": None,
    "property": "GR",
    "aliases": None,
    "name_map": None,
    "crs": None,
    "min_samples": 1,
    "grid.bounds": None,
    "grid.padding": [500.0, 500.0, 20.0],
    "trend.kind": "auto",
    "trend.window": None,
    "trend.degree": None,
    "normalize": None,
    "tool_offsets": "auto",
    "variogram.model": "auto",
    "variogram.sill": None,
    "variogram.range_h": None,
    "variogram.range_v": None,
    "variogram.well_effect": None,
    "variogram.range_h_max": None,
    "variogram.nugget": 0.0,
    "variogram.range_h2": None,
    "variogram.azimuth": 0.0,
    "variogram.nu": 1.5,
    "variogram.candidates": list(DEFAULT_CANDIDATES),
    "variogram.estimator": "matheron",
    "variogram.fit_nugget": True,
    "variogram.lag_h": None,
    "variogram.lag_v": None,
    "variogram.max_lag_h": None,
    "variogram.max_lag_v": None,
    "method.name": "conditional",
    "method.fraction": 0.75,
    "method.unit": "wells",
    "method.transform": "auto",
    "method.tails": "linear",
    "method.zmin": None,
    "method.zmax": None,
    "method.quantiles_from": "exact",
    "kriging.kind": "ordinary",
    "kriging.mean": None,
    "realizations": 100,
    "seed": 0,
    "batch_size": 16,
    "checkpoint_every": 50,
    "blocks": None,
    "quantiles": [10.0, 50.0, 90.0],
    "cutoffs": [],
    "volume": None,
    "histogram_bins": 100,
    "histogram_range": None,
    "output": "output",
    "outputs.formats": ["netcdf"],
    "outputs.figures": True,
    "outputs.slices": None,
    "outputs.section_wells": None,
}

#: Seeds are in [0, SEED_LIMIT) (stored as int64 in the results).
SEED_LIMIT = 2**63

_TOP_KEYS = (
    "las",
    "well_headers",
    "surveys",
    "property",
    "aliases",
    "name_map",
    "crs",
    "min_samples",
    "grid",
    "trend",
    "normalize",
    "tool_offsets",
    "variogram",
    "method",
    "kriging",
    "realizations",
    "seed",
    "batch_size",
    "checkpoint_every",
    "blocks",
    "quantiles",
    "cutoffs",
    "histogram_bins",
    "histogram_range",
    "output",
    "outputs",
    "volume",
    "zones",
)
_OUTPUTS_KEYS = ("formats", "figures", "slices", "section_wells")
#: Result formats besides stats.npz (always written); see krigflow.io.formats.
OUTPUT_FORMATS = FORMATS
_GRID_KEYS = ("spacing", "bounds", "padding")
_VARIOGRAM_KEYS = ("model", "sill", "nugget", "range_h", "range_v", "range_h2", "azimuth", "nu", "candidates",
                   "estimator", "fit_nugget", "lag_h", "lag_v", "max_lag_h", "max_lag_v", "well_effect",
                   "range_h_max")

#: Variogram keys used only by ``model: auto`` (fitting), and keys that ``auto`` fits (not allowed with it).
_VARIOGRAM_FIT_KEYS = ("candidates", "estimator", "fit_nugget", "lag_h", "lag_v", "max_lag_h", "max_lag_v")
_VARIOGRAM_FITTED = ("range_h2", "azimuth")
_METHOD_KEYS = ("name", "fraction", "unit", "transform", "tails", "zmin", "zmax", "quantiles_from")
_SUBSAMPLE_KEYS = ("fraction", "unit")
_CONDITIONAL_KEYS = ("transform", "tails", "zmin", "zmax", "quantiles_from")
#: Where the conditional method's per-cell quantiles and exceedance probabilities come from: "exact" (the
#: multi-Gaussian shortcut, krigflow.stats.gaussian; no per-cell histograms) or "realizations" (per-cell
#: histograms of the realizations).
QUANTILES_FROM = ("exact", "realizations")
_KRIGING_KEYS = ("kind", "mean")
#: ``method.transform`` values: the transforms of a simulation, and ``auto`` (none when a trend is removed).
METHOD_TRANSFORMS = ("auto",) + TRANSFORMS + LOG_TRANSFORMS


def load_config(path) -> dict:
    """Read a YAML or JSON run configuration and validate it.

    Parameters
    ----------
    path : str or path-like
        Config file. ``.json`` files are read with :mod:`json`, anything else
        with ``yaml.safe_load``. Relative paths inside it resolve against the
        file's folder.

    Returns
    -------
    dict
        The validated configuration (see :func:`validate_config`).

    Raises
    ------
    ConfigError
        If the file cannot be read or parsed, or holds a bad configuration.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "run.json")
    >>> _ = open(path, "w").write('{"las": "*.las", "grid": {"spacing": [50, 50, 5]}, '
    ...     '"variogram": {"model": "spherical", "sill": 1, "range_h": 900, "range_v": 20}}')
    >>> load_config(path)["las"] == os.path.join(folder, "*.las")
    True
    """
    path = os.fspath(path)
    raw = read_config_file(path)
    return validate_config(raw, base_dir=os.path.dirname(os.path.abspath(path)), source=path)


def validate_config(raw, *, base_dir=None, source=None) -> dict:
    """Check a configuration mapping, apply the defaults and resolve paths.

    Parameters
    ----------
    raw : dict
        The configuration as read from YAML/JSON.
    base_dir : str, optional
        Folder that relative paths resolve against (default: the current
        directory).
    source : str, optional
        Path of the config file, recorded as ``config_file`` in the result.

    Returns
    -------
    dict
        A new dict with every key of the README's "Run configuration" section present: defaults
        applied, ``method`` and ``kriging`` in their mapping form, numbers as
        ``float``/``int``, paths absolute. Also ``config_file`` (``source`` or
        None).

    Raises
    ------
    ConfigError
        On an unknown key or a bad value; the message names the key.

    Examples
    --------
    >>> cfg = validate_config({"las": ["/data/a.las"], "grid": {"spacing": [50, 50, 5]},
    ...     "variogram": {"model": "exponential", "sill": 1.0, "range_h": 900, "range_v": 20},
    ...     "method": "subsample"})
    >>> cfg["method"], cfg["kriging"], cfg["batch_size"]
    ({'name': 'subsample', 'fraction': 0.75, 'unit': 'wells', 'transform': 'auto', 'tails': 'linear', 'zmin': None, 'zmax': None, 'quantiles_from': 'exact'}, {'kind': 'ordinary', 'mean': None}, 16)
    >>> validate_config({"las": "a.las", "seeed": 1})
    Traceback (most recent call last):
    ...
    krigflow.exceptions.ConfigError: seeed: unknown key (did you mean 'seed'?)
    """
    base_dir = os.path.abspath(base_dir or os.getcwd())
    if not isinstance(raw, dict):
        raise ConfigError(f"configuration: expected a mapping of keys to values, got {type(raw).__name__}")
    _reject_unknown(raw, _TOP_KEYS, "")
    for key in ("las",):
        if raw.get(key) is None:
            raise ConfigError(f"{key}: required key is missing")
    cfg = {}
    cfg["las"] = _paths(raw["las"], "las", base_dir)
    cfg["well_headers"] = _opt_path(raw.get("well_headers"), "well_headers", base_dir)
    cfg["surveys"] = None if raw.get("surveys") is None else _paths(raw["surveys"], "surveys", base_dir)
    cfg["property"] = _string(raw.get("property", DEFAULTS["property"]), "property")
    cfg["aliases"] = _string_list(raw.get("aliases"), "aliases", "curve mnemonics")
    name_map = raw.get("name_map")
    if name_map is not None:
        if not isinstance(name_map, dict):
            raise ConfigError(
                f"name_map: expected a mapping of LAS well names to header names, got {name_map!r}"
            )
        name_map = {_string(k, "name_map"): _string(v, f"name_map.{k}") for k, v in name_map.items()}
    cfg["name_map"] = name_map
    cfg["crs"] = None if raw.get("crs") is None else _string(raw["crs"], "crs")
    cfg["min_samples"] = _integer(raw.get("min_samples", DEFAULTS["min_samples"]), "min_samples", minimum=1)
    # zones (krigflow.zones.config): layers between horizons; the grid is then horizontal only
    cfg["zones"] = validate_zones(raw.get("zones"), base_dir)
    cfg["grid"] = _grid(raw.get("grid"), zoned=cfg["zones"] is not None)
    cfg["trend"] = trend_options(raw.get("trend"))
    cfg["normalize"] = normalize_options(raw.get("normalize"))
    cfg["tool_offsets"] = tool_offsets_options(raw.get("tool_offsets"), cfg["normalize"])
    cfg["variogram"] = _variogram(raw.get("variogram"))
    cfg["zones"] = zone_models(cfg, _variogram)   # each zone's trend/variogram validated like the run's
    cfg["method"] = _method(raw.get("method", DEFAULTS["method.name"]))
    cfg["kriging"] = _kriging(raw.get("kriging", DEFAULTS["kriging.kind"]))
    cfg["realizations"] = _integer(
        raw.get("realizations", DEFAULTS["realizations"]), "realizations", minimum=1
    )
    cfg["seed"] = _seed(raw.get("seed", DEFAULTS["seed"]))
    cfg["batch_size"] = _integer(raw.get("batch_size", DEFAULTS["batch_size"]), "batch_size", minimum=1)
    cfg["checkpoint_every"] = _integer(
        raw.get("checkpoint_every", DEFAULTS["checkpoint_every"]), "checkpoint_every", minimum=1
    )
    cfg["blocks"] = blocks_option(raw.get("blocks"), cfg)   # the grid in blocks (krigflow.run.blocks)
    cfg.update(_uncertainty(raw))
    cfg["volume"] = volume_config(raw.get("volume"), cfg["grid"]["spacing"])
    output = raw.get("output", DEFAULTS["output"])
    cfg["output"] = _opt_path(output, "output", base_dir)
    cfg["outputs"] = _outputs(raw.get("outputs"))
    cfg["config_file"] = None if source is None else os.path.abspath(source)
    return cfg


# --- helpers ------------------------------------------------------------------------------------------------


def _reject_unknown(mapping, allowed, prefix):
    for key in mapping:
        if key not in allowed:
            name = f"{prefix}{key}"
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = (
                f" (did you mean '{prefix}{close[0]}'?)"
                if close
                else f" (expected one of: {', '.join(allowed)})"
            )
            raise ConfigError(f"{name}: unknown key{hint}")


def _section(value, name, allowed):
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ConfigError(f"{name}: expected a mapping with keys {', '.join(allowed)}, got {value!r}")
    _reject_unknown(value, allowed, f"{name}.")
    return value


def _require(section, key, name):
    if section.get(key) is None:
        raise ConfigError(f"{name}.{key}: required key is missing")
    return section[key]


def _string_list(value, key, what):
    """``None``, or a non-empty list of strings (a single string counts as a list of one)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{key}: expected a list of {what}, got {value!r}")
    return [_string(v, f"{key}[{i}]") for i, v in enumerate(value)]


def _string(value, name):
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{name}: expected a non-empty string, got {value!r}")
    return value


def _number(value, name, *, minimum=None, exclusive=False, maximum=None):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{name}: expected a finite number, got {value!r}")
    value = float(value)
    if minimum is not None and (value < minimum or (exclusive and value == minimum)):
        bound = f"> {minimum:g}" if exclusive else f">= {minimum:g}"
        raise ConfigError(f"{name}: expected a number {bound}, got {value:g}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name}: expected a number <= {maximum:g}, got {value:g}")
    return value


def _integer(value, name, *, minimum=None):
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ConfigError(f"{name}: expected an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}: expected an integer >= {minimum}, got {value}")
    return int(value)


def _seed(value):
    """A seed in [0, 2^63): numpy's SeedSequence takes any int, but the NetCDF writer stores it as int64."""
    seed = _integer(value, "seed")
    if not 0 <= seed < SEED_LIMIT:
        raise ConfigError(f"seed: expected an integer in [0, 2^63), got {seed}")
    return seed


def _choice(value, name, choices):
    if value not in choices:
        raise ConfigError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def _vector(value, name, size, **limits):
    if not isinstance(value, (list, tuple)) or len(value) != size:
        raise ConfigError(f"{name}: expected a list of {size} numbers, got {value!r}")
    return [_number(v, f"{name}[{i}]", **limits) for i, v in enumerate(value)]


def _resolve(path, base_dir):
    return os.path.normpath(os.path.join(base_dir, os.path.expanduser(path)))


def _paths(value, name, base_dir):
    if isinstance(value, str) and value.strip():
        return _resolve(value, base_dir)
    if isinstance(value, list) and value:
        return [_resolve(_string(v, f"{name}[{i}]"), base_dir) for i, v in enumerate(value)]
    raise ConfigError(f"{name}: expected a path, a glob pattern or a non-empty list of them, got {value!r}")


def _opt_path(value, name, base_dir):
    if value is None:
        return None
    return _resolve(_string(value, name), base_dir)


def _grid(value, zoned=False):
    if value is None:
        raise ConfigError("grid.spacing: required key is missing")
    grid = _section(value, "grid", _GRID_KEYS)
    size = 2 if zoned else 3   # with zones: [dx, dy] and [e_min, e_max, n_min, n_max]; layers from zones.layers
    spacing = grid.get("spacing")
    if zoned and isinstance(spacing, (list, tuple)) and len(spacing) != 2:
        raise ConfigError(f"grid.spacing: with zones, give the horizontal cell size [dx, dy] (the layers come "
                          f"from zones.layers), got {spacing!r}")
    spacing = _vector(_require(grid, "spacing", "grid"), "grid.spacing", size, minimum=0.0, exclusive=True)
    bounds = grid.get("bounds")
    if bounds is not None:
        bounds = _vector(bounds, "grid.bounds", 2 * size)
        axes = (("easting", "northing", "tvdss")[:size], (bounds[0:2], bounds[2:4], bounds[4:6])[:size])
        for axis, (lo, hi) in zip(*axes):
            if not lo < hi:
                raise ConfigError(
                    f"grid.bounds: {axis} minimum must be below its maximum, got {lo:g} >= {hi:g}"
                )
    padding = grid.get("padding", DEFAULTS["grid.padding"])
    if isinstance(padding, (int, float)) and not isinstance(padding, bool):
        padding = [padding] * 3
    padding = _vector(padding, "grid.padding", 3, minimum=0.0)
    if bounds is not None and "padding" in grid:
        raise ConfigError("grid.padding: only used without grid.bounds; give one or the other")
    return {"spacing": spacing, "bounds": bounds, "padding": padding}


def _variogram(value):
    if value is None:
        value = {"model": DEFAULTS["variogram.model"]}
    if isinstance(value, str):
        value = {"model": value}
    vg = _section(value, "variogram", _VARIOGRAM_KEYS)
    model = _choice(vg.get("model", DEFAULTS["variogram.model"]), "variogram.model", VARIOGRAM_MODELS + ("auto",))
    fit = _variogram_fit(vg)
    well_effect = vg.get("well_effect", DEFAULTS["variogram.well_effect"])
    if well_effect is not None and well_effect != "auto":
        well_effect = _number(well_effect, "variogram.well_effect", minimum=0.0)
    if model == "auto":
        for key in _VARIOGRAM_FITTED:
            if vg.get(key) is not None:
                raise ConfigError(f"variogram.{key}: not used with model 'auto' (horizontal anisotropy is not "
                                  "fitted: give a full model to use it)")
        out = {"model": "auto", "range_h2": None, "azimuth": DEFAULTS["variogram.azimuth"]}
        # fixed values: the fit keeps them (sill = the variogram's total sill, well effect excluded)
        out["sill"] = None if vg.get("sill") is None else _number(vg["sill"], "variogram.sill", minimum=0.0,
                                                                   exclusive=True)
        for key in ("range_h", "range_v", "range_h_max"):
            out[key] = None if vg.get(key) is None else _number(vg[key], f"variogram.{key}", minimum=0.0,
                                                                 exclusive=True)
        out["nugget"] = _number(vg.get("nugget", DEFAULTS["variogram.nugget"]), "variogram.nugget", minimum=0.0)
        if vg.get("nugget") is not None and vg.get("fit_nugget") is True:
            raise ConfigError("variogram.nugget: with model 'auto' a given nugget is fixed; do not also ask "
                              "fit_nugget: true")
        if vg.get("nugget") is not None:
            fit["fit_nugget"] = False
        if out["sill"] is not None and out["nugget"] >= out["sill"]:
            raise ConfigError(f"variogram.nugget: must be below the total sill ({out['sill']:g}), got "
                              f"{out['nugget']:g}")
        out["nu"] = _number(vg.get("nu", DEFAULTS["variogram.nu"]), "variogram.nu", minimum=0.0, exclusive=True)
        out["well_effect"] = well_effect            # None: auto (resolved by krigflow.residual)
        out.update(fit)
        return out
    for key in _VARIOGRAM_FIT_KEYS + ("range_h_max",):
        if vg.get(key) is not None:
            raise ConfigError(f"variogram.{key}: only used with model 'auto'")
    out = {"model": model}
    out["sill"] = _number(_require(vg, "sill", "variogram"), "variogram.sill", minimum=0.0, exclusive=True)
    out["nugget"] = _number(vg.get("nugget", DEFAULTS["variogram.nugget"]), "variogram.nugget", minimum=0.0)
    if out["nugget"] >= out["sill"]:
        raise ConfigError(
            f"variogram.nugget: must be below the total sill ({out['sill']:g}), got {out['nugget']:g}"
        )
    out["range_h"] = _number(
        _require(vg, "range_h", "variogram"), "variogram.range_h", minimum=0.0, exclusive=True
    )
    out["range_v"] = _number(
        _require(vg, "range_v", "variogram"), "variogram.range_v", minimum=0.0, exclusive=True
    )
    h2 = vg.get("range_h2")
    out["range_h2"] = None if h2 is None else _number(h2, "variogram.range_h2", minimum=0.0, exclusive=True)
    out["azimuth"] = _number(
        vg.get("azimuth", DEFAULTS["variogram.azimuth"]), "variogram.azimuth", minimum=-360.0, maximum=360.0
    )
    out["nu"] = _number(vg.get("nu", DEFAULTS["variogram.nu"]), "variogram.nu", minimum=0.0, exclusive=True)
    out["well_effect"] = well_effect                # None: 0 with a configured model
    out["range_h_max"] = None
    out.update(fit)
    return out


def _variogram_fit(vg):
    """Options of ``model: auto`` (validated whatever the model; defaults applied)."""
    candidates = vg.get("candidates", DEFAULTS["variogram.candidates"])
    if isinstance(candidates, str):
        candidates = [candidates]
    if not isinstance(candidates, list) or not candidates:
        raise ConfigError(f"variogram.candidates: expected a list of models ({', '.join(VARIOGRAM_MODELS)}), "
                          f"got {candidates!r}")
    candidates = [_choice(c, f"variogram.candidates[{i}]", VARIOGRAM_MODELS) for i, c in enumerate(candidates)]
    out = {"candidates": list(dict.fromkeys(candidates))}
    out["estimator"] = _choice(vg.get("estimator", DEFAULTS["variogram.estimator"]), "variogram.estimator",
                               ESTIMATORS)
    fit_nugget = vg.get("fit_nugget", DEFAULTS["variogram.fit_nugget"])
    if not isinstance(fit_nugget, bool):
        raise ConfigError(f"variogram.fit_nugget: expected true or false, got {fit_nugget!r}")
    out["fit_nugget"] = fit_nugget
    for key in ("lag_h", "lag_v", "max_lag_h", "max_lag_v"):
        v = vg.get(key)
        out[key] = None if v is None else _number(v, f"variogram.{key}", minimum=0.0, exclusive=True)
    return out


def _uncertainty(raw):
    """Per-cell quantiles, exceedance cutoffs and the histogram that estimates them."""
    out = {}
    quantiles = raw.get("quantiles", DEFAULTS["quantiles"])
    if not isinstance(quantiles, list):
        raise ConfigError(f"quantiles: expected a list of percentages in (0, 100), got {quantiles!r}")
    quantiles = [_number(q, f"quantiles[{i}]", minimum=0.0, exclusive=True, maximum=100.0)
                 for i, q in enumerate(quantiles)]
    for i, q in enumerate(quantiles):
        if q >= 100.0:
            raise ConfigError(f"quantiles[{i}]: expected a number < 100, got {q:g}")
    out["quantiles"] = sorted(set(quantiles))
    cutoffs = raw.get("cutoffs", DEFAULTS["cutoffs"])
    if isinstance(cutoffs, (int, float)) and not isinstance(cutoffs, bool):
        cutoffs = [cutoffs]
    if not isinstance(cutoffs, list):
        raise ConfigError(f"cutoffs: expected a list of property values, got {cutoffs!r}")
    out["cutoffs"] = sorted(set(_number(c, f"cutoffs[{i}]") for i, c in enumerate(cutoffs)))
    bins = _integer(raw.get("histogram_bins", DEFAULTS["histogram_bins"]), "histogram_bins", minimum=2)
    if bins > 10000:
        raise ConfigError(f"histogram_bins: expected an integer <= 10000, got {bins}")
    out["histogram_bins"] = bins
    hist_range = raw.get("histogram_range")
    if hist_range is not None:
        hist_range = _vector(hist_range, "histogram_range", 2)
        if not hist_range[0] < hist_range[1]:
            raise ConfigError(f"histogram_range: minimum must be below maximum, got {hist_range}")
    out["histogram_range"] = hist_range
    return out


def _method(value):
    if isinstance(value, str):
        value = {"name": value}
    method = _section(value, "method", _METHOD_KEYS)
    name = _choice(method.get("name", DEFAULTS["method.name"]), "method.name", METHODS)
    fraction = _number(
        method.get("fraction", DEFAULTS["method.fraction"]),
        "method.fraction",
        minimum=0.0,
        exclusive=True,
        maximum=1.0,
    )
    unit = _choice(method.get("unit", DEFAULTS["method.unit"]), "method.unit", UNITS)
    transform = _choice(method.get("transform", DEFAULTS["method.transform"]), "method.transform", METHOD_TRANSFORMS)
    tails = _choice(method.get("tails", DEFAULTS["method.tails"]), "method.tails", TAILS)
    bounds = {k: None if method.get(k) is None else _number(method[k], f"method.{k}") for k in ("zmin", "zmax")}
    if bounds["zmin"] is not None and bounds["zmax"] is not None and not bounds["zmin"] < bounds["zmax"]:
        raise ConfigError(f"method.zmin: must be below method.zmax, got {bounds['zmin']:g} >= {bounds['zmax']:g}")
    quantiles_from = _choice(method.get("quantiles_from", DEFAULTS["method.quantiles_from"]),
                             "method.quantiles_from", QUANTILES_FROM)
    for key in _CONDITIONAL_KEYS if name == "subsample" else _SUBSAMPLE_KEYS:
        if method_keys_to_check(name, method).get(key) is not None:
            other = "conditional" if name == "subsample" else "subsample"
            raise ConfigError(f"method.{key}: only used with method '{other}'")
    return {"name": name, "fraction": fraction, "unit": unit, "transform": transform, "tails": tails, **bounds,
            "quantiles_from": quantiles_from}


def _kriging(value):
    if isinstance(value, str):
        value = {"kind": value}
    kriging = _section(value, "kriging", _KRIGING_KEYS)
    kind = _choice(kriging.get("kind", DEFAULTS["kriging.kind"]), "kriging.kind", KRIGING_KINDS)
    mean = kriging.get("mean")
    if mean is not None:
        if kind != "simple":
            raise ConfigError("kriging.mean: only used with kriging.kind 'simple'")
        mean = _number(mean, "kriging.mean")
    return {"kind": kind, "mean": mean}


def _outputs(value):
    out = _section(value, "outputs", _OUTPUTS_KEYS)
    formats = out.get("formats", DEFAULTS["outputs.formats"])
    if isinstance(formats, str):
        formats = [formats]
    if not isinstance(formats, list):
        raise ConfigError(
            f"outputs.formats: expected a list of formats ({', '.join(OUTPUT_FORMATS)}), got {formats!r}"
        )
    for i, fmt in enumerate(formats):
        if fmt not in FORMAT_CHOICES:
            extra = " (stats.npz is always written)" if fmt == "npz" else ""
            aliases = ", ".join(f"{a} = {f}" for a, f in FORMAT_ALIASES.items())
            raise ConfigError(
                f"outputs.formats[{i}]: expected one of {', '.join(OUTPUT_FORMATS)}, all, got {fmt!r}{extra}; "
                f"also accepted: {aliases}"
            )
    formats = canonical_formats(formats)
    figures = out.get("figures", DEFAULTS["outputs.figures"])
    if not isinstance(figures, bool):
        raise ConfigError(f"outputs.figures: expected true or false, got {figures!r}")
    slices = out.get("slices")
    if slices is not None:
        if isinstance(slices, (int, float)) and not isinstance(slices, bool):
            slices = [slices]
        if not isinstance(slices, list) or not slices:
            raise ConfigError(f"outputs.slices: expected a list of TVDSS depths (m), got {slices!r}")
        slices = [_number(v, f"outputs.slices[{i}]") for i, v in enumerate(slices)]
    wells = _string_list(out.get("section_wells"), "outputs.section_wells", "well names")
    return {"formats": formats, "figures": figures, "slices": slices, "section_wells": wells}
