"""Tests of krigflow.plotting.variogram: the one variogram plotter, for fits and for configured models."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import numpy.testing as npt
from finished_run import assert_real_png
from matplotlib.figure import Figure

from krigflow.plotting.variogram import plot_variogram, variogram_from_keys, write_variogram_figure
from krigflow.variogram import ExperimentalVariogram, Variogram, fit_variogram

TRUTH = Variogram("exponential", 4.0, 500.0, 10.0)


def _fit():
    """A fit of two candidate families to exact semivariances of TRUTH."""
    h, v = np.linspace(25.0, 1000.0, 20), np.linspace(1.0, 30.0, 20)
    horizontal = ExperimentalVariogram("horizontal", h, TRUTH.semivariance(0 * h, h, 0 * h), np.full(20, 100), "matheron",
                                       50.0)
    vertical = ExperimentalVariogram("vertical", v, TRUTH.semivariance(0 * v, 0 * v, v), np.arange(200, 220), "matheron",
                                     1.5)
    return fit_variogram(vertical, horizontal, candidates=["exponential", "spherical"], variance=4.0)


def test_plot_writes_a_png(tmp_path):
    """A fit is drawn in both directions: one PNG with the points and every candidate's curve."""
    fit = _fit()
    assert fit.variogram.model == "exponential"
    path = write_variogram_figure(str(tmp_path / "v.png"), fit, configured=Variogram("spherical", 4.0, 600.0, 12.0),
                                  dpi=60)
    with open(path, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    assert_real_png(path)


def test_a_fit_panel_shows_points_candidates_and_the_configured_model():
    """One axes per direction: sized points, the chosen family thick, others dashed, the configured dotted."""
    fit = _fit()
    ax = Figure().subplots()
    out = plot_variogram(fit.variogram, "vertical", experimental=fit.experimental, candidates=fit.fits,
                         configured=Variogram("spherical", 4.0, 600.0, 12.0), variance=fit.variance, ax=ax)
    assert out is ax
    points = ax.collections[0].get_offsets()
    npt.assert_allclose(points[:, 0], fit.experimental[0].lags)  # the vertical variogram only
    sizes = ax.collections[0].get_sizes()
    assert sizes[-1] > sizes[0]  # more pairs, bigger marker
    styles = {line.get_label().split(":")[0]: (line.get_linestyle(), line.get_linewidth()) for line in ax.lines}
    assert styles["exponential (chosen)"] == ("-", 2.2) and styles["spherical"][0] == "--"
    assert styles["configured model"][0] == ":"
    assert ax.get_title() == f"vertical: {int(fit.experimental[0].pairs.sum())} pairs"
    chosen = next(line for line in ax.lines if line.get_label().startswith("exponential"))
    x, y = chosen.get_data()
    npt.assert_allclose(y, fit.variogram.semivariance(0 * x, 0 * x, x))
    npt.assert_allclose(y, TRUTH.semivariance(0 * x, 0 * x, x), atol=0.01)  # the fit found the truth


def test_a_configured_model_with_points_from_variogram_json():
    """A model given as config keys is drawn along its major and minor axes, with points without pair counts."""
    model = {"model": "spherical", "sill": 300.0, "nugget": 10.0, "range_h": 600.0, "range_v": 20.0,
             "range_h2": 400.0, "azimuth": 30.0, "nu": 1.5}
    ax = plot_variogram(model, "horizontal", ax=Figure().subplots(), unit="gAPI",
                        experimental=[{"direction": "horizontal", "lag": [100, 200], "gamma": [80, 150]},
                                      {"direction": "vertical", "lag": [5], "gamma": [60]}])
    labels = [line.get_label() for line in ax.lines]
    assert labels[0] == "experimental (horizontal)" and ax.lines[0].get_xdata().tolist() == [100, 200]
    assert "spherical model, major axis (azimuth 30°)" in labels and "model, minor axis" in labels
    vg = variogram_from_keys(model)
    major = next(line for line in ax.lines if "major" in line.get_label())
    x, y = major.get_data()
    az = np.deg2rad(30.0)
    npt.assert_allclose(y, vg.semivariance(x * np.sin(az), x * np.cos(az), 0 * x))
    npt.assert_allclose(y[np.searchsorted(x, 600.0):], 300.0)  # sill reached at the major range
    assert ax.get_ylabel() == "semivariance (gAPI²)"


def test_plotting_never_switches_the_backend(tmp_path):
    """Drawing and writing figures keeps the user's matplotlib backend, and no krigflow code calls matplotlib.use."""
    code = (
        "import matplotlib; matplotlib.use('svg'); import sys\n"
        "from krigflow.plotting import write_variogram_figure\n"
        "from krigflow.variogram import Variogram\n"
        f"write_variogram_figure({str(tmp_path / 'v.png')!r}, Variogram('spherical', 1.0, 100.0, 5.0), dpi=30)\n"
        "print(matplotlib.get_backend())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "svg"
    root = Path(__file__).resolve().parents[2]
    for folder in ("krigflow", "pes", "graphs"):
        for source in (root / folder).rglob("*.py"):
            assert "matplotlib.use(" not in source.read_text(encoding="utf-8"), source
