"""Tests of krigflow.zones.stratigraphic: layering, sample location, simboxes and copy-back."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import ConfigError
from krigflow.zones import Lattice, ZoneSpec, build_stratigraphic_grid, layer_interfaces
from krigflow.zones.stratigraphic import zone_conditioning


@pytest.fixture
def sgrid():
    lat = Lattice.from_bounds((0.0, 400.0, 0.0, 300.0), (100.0, 100.0))
    ne, nn = lat.nodes()
    top = 1000.0 + 0.05 * ne
    mid = top + 20.0 + 0.02 * nn
    base = mid + 30.0
    return build_stratigraphic_grid(lat, np.stack([top, mid, base]),
                                    [ZoneSpec("A", 4), ZoneSpec("B", 6, "top_conform", 6.0)],
                                    surface_names=["Top_A", "Top_B", "Base_B"])


@pytest.mark.parametrize("layering", ["proportional", "top_conform", "base_conform"])
def test_layers_fill_the_zone(layering):
    """Interfaces run from top to base, never decrease, and conform layers have the cell thickness."""
    top, base = np.array([0.0, 10.0, 5.0]), np.array([30.0, 22.0, 5.0])
    ifc, _dz = layer_interfaces(top, base, ZoneSpec("Z", 5, layering, None if layering == "proportional" else 6.0))
    npt.assert_allclose(ifc[:, 0], top)
    npt.assert_allclose(ifc[:, -1], base)
    assert np.all(np.diff(ifc, axis=1) >= 0)
    if layering == "top_conform":
        npt.assert_allclose(ifc[1, :3], [10.0, 16.0, 22.0])
    elif layering == "base_conform":
        npt.assert_allclose(ifc[1, -3:], [10.0, 16.0, 22.0])


def test_conform_layers_must_reach_base():
    """Too few conform layers for the thickest column: error with the needed count."""
    with pytest.raises(ConfigError, match="zone 'Z': 3 top_conform layers of 5 m reach 15 m .* at least 6 layers"):
        layer_interfaces(np.zeros(2), np.array([10.0, 30.0]), ZoneSpec("Z", 3, "top_conform", 5.0))


def test_layers_count_must_match_zones():
    """Surfaces and zone layerings disagree: clear error."""
    lat = Lattice((0.0, 0.0), (1.0, 1.0), (1, 1))
    with pytest.raises(ConfigError, match="3 surfaces make 2 zones, but 1 zone layerings"):
        build_stratigraphic_grid(lat, np.zeros((3, 2, 2)) + np.arange(3)[:, None, None], [ZoneSpec("A", 1)])


def test_locate_matches_cell_geometry(sgrid):
    """Every cell centre is located in its own (zone, i, j, k); points above/below are outside."""
    e, n, z = sgrid.cell_centres()
    act = sgrid.actnum()
    loc = sgrid.locate(e[act], n[act], z[act])
    ii, jj, kk = np.nonzero(act)
    npt.assert_array_equal(loc["i"], ii)
    npt.assert_array_equal(loc["j"], jj)
    npt.assert_array_equal(loc["k"], kk)
    npt.assert_array_equal(loc["zone"], sgrid.zone_of_layer[kk])
    out = sgrid.locate([50.0, 50.0, 900.0], [50.0, 50.0, 50.0], [900.0, 2000.0, 1010.0])
    assert out["inside"].tolist() == [False, False, False]


def test_simbox_coordinates(sgrid):
    """Proportional: t = s * n * dz; top-conform: t = depth below the zone top."""
    lat = sgrid.lattice
    e, n = np.array([150.0]), np.array([150.0])
    top, mid = (lat.bilinear(sgrid.surfaces[q], e, n)[0] for q in (0, 1))
    loc = sgrid.locate(e, n, [top + 0.25 * (mid - top)])
    assert loc["zone"][0] == 0 and loc["k"][0] == 1
    npt.assert_allclose(loc["t"], 0.25 * 4 * sgrid.cell_thickness[0])
    loc = sgrid.locate(e, n, [mid + 13.0])
    assert loc["zone"][0] == 1 and loc["k_zone"][0] == 2 and loc["k"][0] == 6
    npt.assert_allclose(loc["t"], 13.0)
    box = sgrid.simbox(1)
    assert box.shape == (4, 3, 6) and box.spacing[2] == 6.0


def test_copy_back_and_split_are_inverse(sgrid):
    """Zone arrays stacked into the corner-point grid and split again give the same values; inactive is NaN."""
    rng = np.random.default_rng(0)
    parts = [rng.normal(size=(4, 3, z.n_layers)) for z in sgrid.zones]
    full = sgrid.from_zone_values(parts)
    act = sgrid.actnum()
    for part, back in zip(parts, sgrid.to_zone_values(full)):
        ok = ~np.isnan(back)
        npt.assert_array_equal(back[ok], part[ok])
    assert np.all(np.isnan(full[~act])) and np.all(np.isfinite(full[act]))
    assert (~act).sum() > 0    # top-conform layers of zone B are truncated where it is thinner than 36 m


def test_zone_conditioning_upscales_in_simbox(sgrid):
    """Samples of a vertical well are split by zone and averaged in the simbox cells they fall in."""
    e, n = 150.0, 150.0
    z = np.arange(990.0, 1080.0, 0.25)
    v = np.where(sgrid.locate(np.full(z.size, e), np.full(z.size, n), z)["zone"] == 0, 1.0, 2.0)
    data = zone_conditioning(sgrid, np.full(z.size, e), np.full(z.size, n), z, v, np.zeros(z.size, int),
                             well_names=["W"])
    assert data[0].n == 4 and np.all(data[0].values == 1.0)
    assert data[1].n == 6 and np.all(data[1].values == 2.0)
    npt.assert_array_equal(data[1].cells[:, 2], np.arange(6))
    npt.assert_allclose(data[1].tvdss, 3.0 + 6.0 * np.arange(6))
