"""Per-zone residual model (issue 12 item 3 with the model of issue 11): trend in stratigraphic depth restored
exactly, the horizontal range capped at each zone's well spacing, per-zone overrides validated at the door, and
the horizons' uncertainty drawn exactly through the wells."""
import numpy as np
import numpy.testing as npt
import pytest
from zones_sample import layered_case

from krigflow.exceptions import ConfigError
from krigflow.variogram.constrained import well_spacing
from krigflow.zones import place_tops
from krigflow.zones.model import build_zone_problems, zoned_realizations
from krigflow.zones.structural import surface_uncertainty
from krigflow.zones.synthetic import truth_tops

CONDITIONAL = {"name": "conditional", "transform": "auto", "tails": "linear"}


@pytest.fixture(scope="module")
def setup():
    return layered_case(1000.0, (5, 6, 4), 8)


def test_pure_per_zone_trend_is_restored_exactly(setup):
    """Data that are exactly a + b t in each zone (t: stratigraphic depth of the layer): the linear zone trends
    take all of it, and the realizations give it back in every cell of every zone (residual field of zero variance there)."""
    truth, wells, (e, n, z, _v), well = setup
    loc = truth.sgrid.locate(e, n, z)
    coef = {0: (40.0, 0.8), 1: (100.0, -0.6), 2: (55.0, 0.3)}
    values = np.full(e.size, np.nan)
    for q, (a, b) in coef.items():      # a + b t at the centre of each sample's simbox layer
        sel = loc["zone"] == q
        values[sel] = a + b * truth.sgrid.simbox(q).tvdss[loc["k_zone"][sel]]
    vg = {"model": "exponential", "sill": 1e-9, "range_h": 400.0, "range_v": 5.0, "well_effect": 0.0}
    problems = build_zone_problems(truth.sgrid, e, n, z, values, well, well_names=[w.name for w in wells],
                                   method=CONDITIONAL, variograms=vg, trends="linear")
    reals = zoned_realizations(truth.sgrid, problems, CONDITIONAL, 3, [0, 1])
    for p, part in zip(problems, truth.sgrid.to_zone_values(reals)):
        a, b = coef[p.index]
        assert p.trend.kind == "polynomial" and p.trend.degree == 1 and p.transform is None
        npt.assert_allclose(p.data.values, 0.0, atol=1e-9)                      # nothing left to model
        npt.assert_allclose(p.restore(p.data.tvdss, p.data.values), a + b * p.data.tvdss, atol=1e-9)
        npt.assert_allclose(part, np.broadcast_to(a + b * p.grid.tvdss, part.shape), atol=1e-3)


def test_auto_range_capped_at_each_zones_well_spacing(setup):
    """`variogram: auto` in a zone caps the horizontal range at the spacing of the wells that reach the zone
    (the deepest zone has one well fewer), and a per-zone range_h_max overrides the cap in that zone only."""
    truth, wells, arrays, well = setup
    names = [w.name for w in wells]
    problems = build_zone_problems(truth.sgrid, *arrays, well, well_names=names, method=CONDITIONAL)
    caps = []
    for p in problems:
        spacing, _ = well_spacing(p.data.easting, p.data.northing, p.data.well)
        fit = p.variogram_fit
        assert fit["range_h_cap"] == pytest.approx(spacing) and p.variogram.range_h <= spacing + 1e-9
        caps.append(fit["range_h_cap"])
    assert len(np.unique(problems[2].data.well)) == len(wells) - 1 and min(caps) > 0
    custom = build_zone_problems(truth.sgrid, *arrays, well, well_names=names, method=CONDITIONAL,
                                 variograms=[None, {"model": "auto", "range_h_max": 120.0}, None])
    assert custom[1].variogram.range_h <= 120.0 + 1e-9 and custom[1].variogram_fit["range_h_cap"] == 120.0
    assert custom[0].variogram.range_h == pytest.approx(problems[0].variogram.range_h)


def _run_config(zones_extra):
    from krigflow.run import validate_config
    zones = {"tops": "tops.csv", "surfaces": ["Top_A", "Top_B", "Top_C"], "layers": [4, 6], **zones_extra}
    return validate_config({"las": "*.las", "grid": {"spacing": [50, 50]}, "zones": zones}, base_dir="/d")


def test_per_zone_overrides_accepted():
    """Per-zone values by zone name (zones are named after their top surface); the others get the run's."""
    cfg = _run_config({"trend": {"Top_B": "linear"}, "variogram": {"Top_A": {"model": "spherical", "sill": 50,
                                                                             "range_h": 400, "range_v": 6}},
                       "transform": ["normal_score", None], "surface_uncertainty": "none"})
    zones = cfg["zones"]
    assert zones["trend"][0]["kind"] == "auto" and zones["trend"][1] == {"kind": "polynomial", "window": None,
                                                                         "degree": 1}
    assert zones["variogram"][0]["model"] == "spherical" and zones["variogram"][1]["model"] == "auto"
    assert zones["transform"] == ["normal_score", None] and zones["surface_uncertainty"] == "none"
    one = _run_config({"variogram": {"model": "exponential", "sill": 2, "range_h": 300, "range_v": 4}})
    assert [v["model"] for v in one["zones"]["variogram"]] == ["exponential", "exponential"]


@pytest.mark.parametrize("extra, message", [
    ({"variogram": {"Top_B": {"model": "spherical", "sill": -1, "range_h": 4, "range_v": 1}}},
     "zones.variogram.Top_B.sill"),
    ({"variogram": {"Top_B": {"model": "auto", "range_h_max": 0}}}, "zones.variogram.Top_B.range_h_max"),
    ({"variogram": {"Top_X": "auto"}}, r"zones.variogram: unknown zone\(s\) \['Top_X'\]; the zones are Top_A, Top_B"),
    ({"trend": {"Top_A": "linear", "kind": "none"}}, "zones.trend: mixes zone names"),
    ({"trend": {"Top_B": "cubic"}}, "zones.trend.Top_B"),
    ({"trend": {"Top_A": {"kind": "moving_average", "window": -3}}}, "zones.trend.Top_A"),
    ({"transform": {"Top_A": "log"}}, "zones.transform.Top_A must be one of"),
    ({"transform": {"Top_B": {"transform": "normal_score", "zmin": 5, "zmax": 1}}}, "zones.transform.Top_B.zmin"),
    ({"trend": ["auto"]}, "zones.trend has 1 entries but the surfaces make 2 zones"),
    ({"surface_uncertainty": "yes"}, "zones.surface_uncertainty must be one of"),
])
def test_per_zone_override_errors_name_the_zone(extra, message):
    """Bad per-zone values are refused before any work, the message naming the key and the zone."""
    with pytest.raises(ConfigError, match=message):
        _run_config(extra)


def test_drawn_horizons_exact_at_the_wells_and_reproducible(setup):
    """Drawn horizons equal the estimated ones at the wells' grid columns, differ between the wells by less
    than the error sill (kriging error), never cross, and depend on (seed, r) only."""
    truth, wells, _arrays, _well = setup
    placed, _ = place_tops(truth_tops(truth, wells), wells)
    lattice, surfaces, names = truth.sgrid.lattice, truth.sgrid.surfaces, truth.sgrid.surface_names
    shifted = surfaces + np.sin(np.linspace(0.0, 6.0, surfaces[0].size)).reshape(surfaces[0].shape) * 3.0
    structure = surface_uncertainty(lattice, surfaces, placed, names, priors={"Top_A": shifted[0]})
    assert structure.active and all(v is not None for v in structure.variograms)
    a, b = structure.draw(9, 4), structure.draw(9, 4)
    npt.assert_array_equal(a, b)
    assert not np.allclose(a, structure.draw(9, 5)) and np.all(np.diff(a, axis=0) >= 0.0)
    for k, (e, n) in enumerate(structure.points):
        npt.assert_allclose(lattice.bilinear(a[k], e, n), lattice.bilinear(surfaces[k], e, n), atol=2e-3)
    assert 0.0 < np.std(a[0] - surfaces[0]) < np.sqrt(structure.variograms[0].sill)   # a kriging error: below the sill
    few = surface_uncertainty(lattice, surfaces, placed.select(well=wells[0].name), names)
    assert not few.active                         # one top per surface: nothing to estimate the error from


def test_surface_uncertainty_widens_the_spread_at_zone_boundaries(setup):
    """Reading realizations through drawn horizons mixes the zones near a boundary away from the wells: the spread
    of the cells next to the Top_B boundary (zone means 45 and 95) grows, the data cells keep their data."""
    truth, wells, arrays, well = setup
    placed, _ = place_tops(truth_tops(truth, wells), wells)
    sgrid = truth.sgrid
    problems = build_zone_problems(sgrid, *arrays, well, well_names=[w.name for w in wells], method=CONDITIONAL,
                                   variograms={"model": "auto", "well_effect": 0.0})
    structure = surface_uncertainty(sgrid.lattice, sgrid.surfaces, placed, sgrid.surface_names)
    fixed = zoned_realizations(sgrid, problems, CONDITIONAL, 2, range(12))
    drawn = zoned_realizations(sgrid, problems, CONDITIONAL, 2, range(12), structure=structure)
    k = sgrid.layer_start[1]
    boundary = np.s_[:, :, k - 1:k + 1]            # the layers either side of Top_B
    assert np.nanmean(drawn.std(axis=0)[boundary]) > 1.5 * np.nanmean(fixed.std(axis=0)[boundary])   # ~3x here
    for p in problems:
        c = p.data.cells
        npt.assert_allclose(drawn[:, c[:, 0], c[:, 1], sgrid.layer_start[p.index] + c[:, 2]],
                            fixed[:, c[:, 0], c[:, 1], sgrid.layer_start[p.index] + c[:, 2]])
