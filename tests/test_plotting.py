"""Tests of krigflow.plotting.figures: every figure is a real, non-trivial PNG (read back with Pillow)."""

import json
import logging
import os

import numpy as np
import pytest

from krigflow.exceptions import KrigflowError
from krigflow.plotting.figures import default_slices, plot_results, section_path
from krigflow.io.writers import read_wells, write_wells

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

NAMES = ("A-1", "B-2", "C-3")


def make_run_dir(folder, *, quantiles=True, wells=True, histogram=True):
    """Write a small finished run (stats.npz, summary.json, wells.npz) into ``folder``; return its path."""
    folder = str(folder)
    os.makedirs(folder, exist_ok=True)
    nx, ny, nz = 20, 16, 12
    easting = 500000.0 + 50.0 * np.arange(nx) + 25.0
    northing = 7000000.0 + 50.0 * np.arange(ny) + 25.0
    tvdss = 1000.0 + 5.0 * np.arange(nz) + 2.5
    e, n, t = np.meshgrid(easting, northing, tvdss, indexing="ij")
    mean = 70.0 + 15.0 * np.sin((e - 500000.0) / 200.0) * np.cos((n - 7000000.0) / 150.0) + 0.5 * (t - 1000.0)
    std = 2.0 + 6.0 * np.abs(np.sin((e - 500000.0) / 300.0))
    arrays = {
        "mean": mean,
        "std": std,
        "count": np.full(mean.shape, 10),
        "min": mean - 10,
        "max": mean + 10,
        "easting": easting,
        "northing": northing,
        "tvdss": tvdss,
    }
    if quantiles:
        arrays.update(p10=mean - 1.28 * std, p50=mean, p90=mean + 1.28 * std)
    if histogram:
        edges = np.linspace(20.0, 140.0, 61)
        arrays.update(hist_edges=edges, hist_counts=np.histogram(mean, edges)[0] * 10)
    np.savez(os.path.join(folder, "stats.npz"), **arrays)
    summary = {
        "status": "ok",
        "config": {
            "property": "GR",
            "crs": None,
            "variogram": {
                "model": "spherical",
                "sill": 300.0,
                "nugget": 10.0,
                "range_h": 600.0,
                "range_v": 20.0,
                "range_h2": 400.0,
                "azimuth": 30.0,
                "nu": 1.5,
            },
            "outputs": {"formats": ["netcdf"], "figures": True, "slices": None, "section_wells": None},
        },
        "wells": [{"name": name, "unit": "gAPI"} for name in NAMES],
        "grid": {"spacing": [50.0, 50.0, 5.0]},
        "realizations_done": 10,
    }
    with open(os.path.join(folder, "summary.json"), "w") as fh:
        json.dump(summary, fh)
    if wells:
        heads = [(500200.0, 7000150.0), (500500.0, 7000400.0), (500850.0, 7000600.0)]
        te, tn, tt, tw, de, dn, dt, dv, dw = ([] for _ in range(9))
        for i, (he, hn) in enumerate(heads):
            depth = np.linspace(900.0, 1060.0, 50)
            te += list(he + 0.3 * (depth - 900.0))
            tn += [hn] * 50
            tt += list(depth)
            tw += [i] * 50
            de += list(he + 0.3 * (tvdss - 900.0))
            dn += [hn] * nz
            dt += list(tvdss)
            dv += list(60 + 10 * np.sin(tvdss / 7.0 + i))
            dw += [i] * nz

        class Data:  # the ConditioningData fields write_wells reads
            easting, northing, tvdss, values = np.array(de), np.array(dn), np.array(dt), np.array(dv)
            well, well_names = np.array(dw), NAMES

        traces = {
            "names": NAMES,
            "easting": np.array(te),
            "northing": np.array(tn),
            "tvdss": np.array(tt),
            "well": np.array(tw),
        }
        write_wells(os.path.join(folder, "wells.npz"), Data, traces)
    return folder


def assert_real_png(path, min_size=(250, 150)):
    """A PNG that Pillow opens, of a reasonable size, with many colours (not blank)."""
    assert os.path.getsize(path) < 300_000
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size[0] >= min_size[0] and image.size[1] >= min_size[1]
        pixels = np.asarray(image.convert("RGB"), dtype=float)
    assert pixels.std() > 10.0
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50


def test_plot_results_writes_every_figure(tmp_path):
    """Maps of mean/std/P10/P50/P90, a section and a histogram, all real images."""
    folder = make_run_dir(tmp_path / "run")
    written = plot_results(folder, dpi=60)
    names = sorted(os.path.basename(p) for p in written)
    assert names == sorted(
        [
            "map_mean.png",
            "map_std.png",
            "map_p10.png",
            "map_p50.png",
            "map_p90.png",
            "section.png",
            "histogram.png",
        ]
    )
    for path in written:
        assert os.path.dirname(path) == os.path.join(folder, "figures")
        assert_real_png(path)


def test_variogram_figure_when_fitted(tmp_path):
    """With experimental variogram points (variogram.json), variogram.png is drawn too."""
    folder = make_run_dir(tmp_path / "run")
    with open(os.path.join(folder, "variogram.json"), "w") as fh:
        json.dump(
            {
                "experimental": [
                    {"direction": "horizontal", "lag": [100, 200, 400, 800], "gamma": [80, 150, 250, 300]},
                    {"direction": "vertical", "lag": [5, 10, 20, 30], "gamma": [60, 140, 270, 310]},
                ]
            },
            fh,
        )
    written = plot_results(folder, statistics=["mean"], dpi=60)
    path = os.path.join(folder, "figures", "variogram.png")
    assert path in written
    assert_real_png(path)


def test_without_quantiles_wells_or_histogram(tmp_path, caplog):
    """Older runs: no P10/P90 maps, no section without wells.npz, histogram of the means."""
    caplog.set_level(logging.WARNING, logger="krigflow.plotting.figures")
    folder = make_run_dir(tmp_path / "run", quantiles=False, wells=False, histogram=False)
    written = plot_results(folder, dpi=60)
    assert sorted(os.path.basename(p) for p in written) == ["histogram.png", "map_mean.png", "map_std.png"]
    assert "no wells.npz" in caplog.text
    for path in written:
        assert_real_png(path)


def test_bad_slice_and_well_are_named(tmp_path):
    """A slice outside the grid and an unknown section well are errors naming them."""
    folder = make_run_dir(tmp_path / "run")
    with pytest.raises(KrigflowError, match="slice at TVDSS 2000 m is outside the grid"):
        plot_results(folder, slices=[2000.0], statistics=["mean"])
    with pytest.raises(
        KrigflowError, match=r"section well 'Z-9' is not in this run \(wells: A-1, B-2, C-3\)"
    ):
        plot_results(folder, section_wells=["A-1", "Z-9"], statistics=["mean"])
    with pytest.raises(KrigflowError, match="statistic\\(s\\) p95 not in the results"):
        plot_results(folder, statistics=["p95"])


def test_section_path_orders_wells_along_their_trend(tmp_path):
    """By default the section follows the wells' main trend; named wells keep the order given."""
    wells = read_wells(make_run_dir(tmp_path / "run"))
    assert [n for n, _ in section_path(wells)] in (list(NAMES), list(NAMES[::-1]))
    assert [n for n, _ in section_path(wells, ["c 3", "a_1"])] == ["C-3", "A-1"]


def test_default_slices():
    """Three depths at 25/50/75 % of the range, on cell centres, without repeats."""
    assert default_slices(np.array([1002.5])) == [1002.5]
    assert default_slices(np.arange(1002.5, 1200, 5.0)) == [1052.5, 1097.5, 1147.5]


def test_fitted_variogram_record_is_drawn(tmp_path):
    """A `variogram: auto` run's record (summary["variogram_fit"]) gives variogram.png (krigflow.variogram.experimental)."""
    pytest.importorskip("krigflow.variogram.experimental")
    folder = make_run_dir(tmp_path / "run")
    with open(os.path.join(folder, "summary.json")) as fh:
        summary = json.load(fh)
    params = {"sill": 1.0, "nugget": 0.1, "range_h": 600.0, "range_v": 20.0}
    summary["variogram_fit"] = {
        "space": "normal_score",
        "variance": 1.0,
        "chosen": dict(params, model="spherical"),
        "candidates": {
            "spherical": dict(params, model="spherical", error=0.01),
            "exponential": dict(params, model="exponential", error=0.02),
        },
        "experimental": [
            {
                "direction": "horizontal",
                "lag": [100, 300, 600],
                "gamma": [0.3, 0.7, 1.0],
                "pairs": [10, 20, 30],
            },
            {"direction": "vertical", "lag": [5, 10, 20], "gamma": [0.2, 0.6, 1.0], "pairs": [50, 60, 70]},
        ],
    }
    written = plot_results(folder, summary=summary, statistics=["mean"], dpi=60)
    assert os.path.join(folder, "figures", "variogram.png") in written
    assert_real_png(os.path.join(folder, "figures", "variogram.png"))


def test_a_figure_failure_does_not_fail_the_run(tmp_path, caplog):
    """A run whose figures cannot be drawn (unknown section well) keeps its results and logs how to redo them."""
    from test_graph import write_field

    from krigflow.run.config import load_config
    from krigflow.run import run_local

    caplog.set_level(logging.ERROR, logger="krigflow.io.writers")
    config = load_config(write_field(str(tmp_path)))
    config.update(realizations=2)
    config["outputs"].update(formats=[], section_wells=["W0", "Nope"])
    run_local(config)
    assert os.path.isfile(os.path.join(config["output"], "stats.npz"))
    assert "figures not written" in caplog.text and f"krigflow plot {config['output']}" in caplog.text
