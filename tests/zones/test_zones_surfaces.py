"""Tests of krigflow.zones.surfaces: surfaces from tops (exact at wells), from files (tied), crossings."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import ConfigError
from krigflow.zones import (
    Lattice,
    read_surface,
    surface_from_tops,
    tie_surface,
    truncate_crossings,
    write_surface,
)
from krigflow.zones.surfaces import interpolate_surface


@pytest.fixture
def lattice():
    return Lattice.from_bounds((1000.0, 3000.0, 5000.0, 6600.0), (100.0, 100.0))


@pytest.fixture
def wells_xy():
    """Nine wells on a jittered 3 x 3 pattern (at least 300 m apart)."""
    rng = np.random.default_rng(4)
    e, n = np.meshgrid([1350.0, 2000.0, 2650.0], [5300.0, 5800.0, 6300.0], indexing="ij")
    return e.ravel() + rng.uniform(-150, 150, 9), n.ravel() + rng.uniform(-100, 100, 9)


def _folded(e, n):
    return 2000.0 + 0.02 * (e - 1000.0) + 8.0 * np.sin(e / 300.0) * np.cos(n / 400.0)


def test_lattice_from_bounds_checks_whole_cells():
    """Bounds that are not a whole number of cells raise, naming the axis."""
    with pytest.raises(ConfigError, match="northing extent 1550 m is not a whole number of cells of 100 m"):
        Lattice.from_bounds((0, 1000, 0, 1550), (100, 100))


def test_surface_from_tops_exact_at_wells(lattice, wells_xy):
    """Kriged depth (trend + residual) passes through every top to 1 cm, and is close to the truth nearby."""
    e, n = wells_xy
    z = _folded(e, n)
    s = surface_from_tops(lattice, e, n, z)
    npt.assert_allclose(lattice.bilinear(s, e, n), z, atol=0.01)
    ne, nn = lattice.nodes()
    assert np.sqrt(np.mean((s - _folded(ne, nn)) ** 2)) < 8.0


@pytest.mark.parametrize("k", [1, 2], ids=["one-well-constant", "two-wells-plane"])
def test_few_wells_constant_or_plane(lattice, k):
    """One well gives a constant depth, two a plane through both (no kriging)."""
    e, n, z = np.array([1500.0, 2500.0])[:k], np.array([5500.0, 6000.0])[:k], np.array([2000.0, 2050.0])[:k]
    s = surface_from_tops(lattice, e, n, z)
    npt.assert_allclose(lattice.bilinear(s, e, n), z, atol=1e-6)
    second = np.diff(s, 2, axis=0)
    npt.assert_allclose(second, 0.0, atol=1e-6)             # planar along easting
    if k == 1:
        npt.assert_allclose(s, 2000.0)


def test_isochore_constant_thickness_with_one_well(lattice, wells_xy):
    """A lower surface with one top is the surface above plus the thickness at that well."""
    e, n = wells_xy
    top = surface_from_tops(lattice, e, n, _folded(e, n))
    z1 = float(lattice.bilinear(top, e[:1], n[:1])[0]) + 35.0
    base = surface_from_tops(lattice, e[:1], n[:1], [z1], above=top)
    npt.assert_allclose(base - top, 35.0, atol=1e-6)


def test_isochore_never_negative(lattice, wells_xy):
    """Thickness interpolated from tops is clipped at 0: the lower surface never goes above the upper."""
    e, n = wells_xy
    top = surface_from_tops(lattice, e, n, _folded(e, n))
    thick = np.where(np.arange(e.size) % 2 == 0, 0.5, 40.0)       # wildly varying: kriging would undershoot
    base = surface_from_tops(lattice, e, n, lattice.bilinear(top, e, n) + thick, above=top)
    assert np.all(base >= top)
    npt.assert_allclose(lattice.bilinear(base, e, n) - lattice.bilinear(top, e, n), thick, atol=0.02)


def test_truncate_crossings_reports(lattice):
    """Crossing surfaces are truncated to zero thickness and the crossing is reported."""
    ne, _nn = lattice.nodes()
    a = np.full(lattice.node_shape, 2000.0)
    b = 1990.0 + 0.01 * (ne - 1000.0)                           # above a in the west
    out, report = truncate_crossings(np.stack([a, b]), ["A", "B"])
    assert np.all(out[1] >= out[0]) and report[0]["surface"] == "B" and report[0]["max_overlap"] == 10.0
    assert report[0]["nodes"] == int(np.sum(b < a))


@pytest.mark.parametrize("ext", [".gri", ".irap", ".zmap"], ids=["irap-binary", "irap-ascii", "zmap"])
def test_surface_file_roundtrip_and_tie(tmp_path, lattice, wells_xy, ext):
    """A surface written by xtgeo is read back on the lattice, then tied to tops that differ from it."""
    e, n = wells_xy
    ne, nn = lattice.nodes()
    seismic = _folded(ne, nn)
    path = write_surface(tmp_path / f"top{ext}", lattice, seismic)
    read = read_surface(path, lattice)
    npt.assert_allclose(read, seismic, atol=0.01 if ext != ".zmap" else 0.05)
    tops = _folded(e, n) + 6.0 + 0.002 * (e - 1000.0)          # depth-conversion error: shift + tilt
    tied = tie_surface(lattice, read, e, n, tops)
    npt.assert_allclose(lattice.bilinear(tied, e, n), tops, atol=0.01)
    npt.assert_allclose(tied - seismic, 6.0 + 0.002 * (ne - 1000.0), atol=0.3)   # a plane residual is recovered


def test_read_surface_resamples_other_geometry(tmp_path, lattice):
    """A file on another (coarser, larger) lattice is resampled bilinearly onto the grid nodes."""
    coarse = Lattice.from_bounds((0.0, 4000.0, 4000.0, 8000.0), (200.0, 200.0))
    ce, cn = coarse.nodes()
    path = write_surface(tmp_path / "coarse.gri", coarse, 2000.0 + 0.01 * ce - 0.02 * cn)
    ne, nn = lattice.nodes()
    npt.assert_allclose(read_surface(path, lattice), 2000.0 + 0.01 * ne - 0.02 * nn, atol=1e-3)


def test_read_surface_errors(tmp_path, lattice):
    """Unknown extension and unreadable files raise ConfigError naming the file."""
    with pytest.raises(ConfigError, match="unknown extension '.xyz'"):
        read_surface(tmp_path / "a.xyz", lattice)
    bad = tmp_path / "bad.gri"
    bad.write_bytes(b"not a surface")
    with pytest.raises(ConfigError, match="bad.gri: cannot be read"):
        read_surface(bad, lattice)


def test_interpolate_requires_points(lattice):
    """No finite point: a clear error."""
    with pytest.raises(ConfigError, match="no point"):
        interpolate_surface(lattice, [np.nan], [1.0], [1.0])
