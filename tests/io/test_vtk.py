"""Tests of krigflow.io.vtk: the .vti file is read back by an XML parser, by VTK and by pyvista."""

import numpy as np
import numpy.testing as npt
import pytest
import pyvista
import vtk
from io_sample import SHAPE, sample_arrays, sample_summary
from stat_file_parsers import parse_vti

from krigflow.io.results import statistic_arrays
from krigflow.io.vtk import write_vti

arrays = pytest.fixture(sample_arrays, name="arrays")
summary = pytest.fixture(sample_summary, name="summary")


@pytest.mark.parametrize("encoding", ["ascii", "binary"])
def test_vti_parsed_back_equals_npz(arrays, tmp_path, encoding):
    """The VTK XML is parsed (ElementTree + base64) and every cell array equals stats.npz; z = -tvdss."""
    path = write_vti(str(tmp_path / "stats.vti"), arrays, encoding=encoding)
    vti = parse_vti(path)
    assert vti["shape"] == SHAPE == arrays["mean"].shape
    npt.assert_allclose(vti["spacing"], [50.0, 40.0, 5.0])
    # lowest corner: easting/northing minimum edges, elevation of the deepest edge
    npt.assert_allclose(vti["origin"], [400000.0, 8480000.0, -(1000.0 + 5 * 5.0)])
    assert set(vti["arrays"]) == set(statistic_arrays(arrays))
    for name, value in statistic_arrays(arrays).items():
        npt.assert_array_equal(vti["arrays"][name], value.astype(float))


def test_vti_with_the_vtk_reader(arrays, tmp_path):
    """VTK's own XML reader (when installed) finds the cells at the right coordinates."""
    from vtk.util.numpy_support import vtk_to_numpy

    reader = vtk.vtkXMLImageDataReader()
    reader.SetFileName(write_vti(str(tmp_path / "s.vti"), arrays))
    reader.Update()
    image = reader.GetOutput()
    mean = vtk_to_numpy(image.GetCellData().GetArray("mean"))
    for i, j, k in [(1, 2, 3), (3, 0, 4), (2, 1, 0)]:
        point = (arrays["easting"][i], arrays["northing"][j], -arrays["tvdss"][k])
        cell = image.ComputeCellId([i, j, SHAPE[2] - 1 - k])
        assert mean[cell] == arrays["mean"][i, j, k]
        bounds = image.GetCell(cell).GetBounds()
        assert bounds[0] < point[0] < bounds[1] and bounds[4] < point[2] < bounds[5]


def test_vti_with_pyvista(arrays, summary, tmp_path):
    """pyvista reads the image: origin, spacing, bounds (z = -tvdss) and every cell value at its centre."""
    mesh = pyvista.read(write_vti(str(tmp_path / "p.vti"), arrays, summary=summary))
    assert isinstance(mesh, pyvista.ImageData)
    nx, ny, nz = arrays["mean"].shape
    assert tuple(mesh.dimensions) == (nx + 1, ny + 1, nz + 1) and mesh.n_cells == nx * ny * nz
    npt.assert_allclose(mesh.spacing, [50.0, 40.0, 5.0])
    npt.assert_allclose(mesh.origin, [400000.0, 8480000.0, -1025.0])
    npt.assert_allclose(mesh.bounds, [400000.0, 400200.0, 8480000.0, 8480120.0, -1025.0, -1000.0])
    centres = mesh.cell_centers().points
    i = np.abs(centres[:, [0]] - arrays["easting"][None, :]).argmin(axis=1)
    j = np.abs(centres[:, [1]] - arrays["northing"][None, :]).argmin(axis=1)
    k = np.abs(-centres[:, [2]] - arrays["tvdss"][None, :]).argmin(axis=1)
    npt.assert_allclose(centres, np.stack([arrays["easting"][i], arrays["northing"][j], -arrays["tvdss"][k]], 1))
    assert set(mesh.cell_data.keys()) == set(statistic_arrays(arrays))
    for name, value in statistic_arrays(arrays).items():
        npt.assert_array_equal(mesh.cell_data[name], value[i, j, k].astype(float))
    assert np.isnan(mesh.cell_data["mean"][mesh.find_containing_cell([400010.0, 8480010.0, -1001.0])])


def test_vti_bad_encoding(arrays, tmp_path):
    """An unknown encoding is refused by name."""
    from krigflow.exceptions import KrigflowError

    with pytest.raises(KrigflowError, match="vti encoding: expected binary or ascii, got 'hex'"):
        write_vti(str(tmp_path / "x.vti"), arrays, encoding="hex")
