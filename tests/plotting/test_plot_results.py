"""Tests of krigflow.plotting.results: every figure of a run is a real, non-trivial PNG (read back with Pillow)."""

import json
import logging
import os

import pytest
from finished_run import assert_real_png, make_run_dir

from krigflow.exceptions import KrigflowError
from krigflow.plotting.results import plot_results


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
    caplog.set_level(logging.WARNING, logger="krigflow.plotting.results")
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


def test_fitted_variogram_record_is_drawn(tmp_path):
    """A `variogram: auto` run's record (summary["variogram_fit"]) gives variogram.png (krigflow.plotting.variogram)."""
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

    caplog.set_level(logging.ERROR, logger="krigflow.plotting.results")
    config = load_config(write_field(str(tmp_path)))
    config.update(realizations=2)
    config["outputs"].update(formats=[], section_wells=["W0", "Nope"])
    run_local(config)
    assert os.path.isfile(os.path.join(config["output"], "stats.npz"))
    assert "figures not written" in caplog.text and f"krigflow plot {config['output']}" in caplog.text


def test_write_run_figures_obeys_outputs_figures(tmp_path):
    """write_run_figures draws nothing when outputs.figures is off, and every figure when it is on."""
    from krigflow.io import load_results
    from krigflow.plotting import write_run_figures

    folder = make_run_dir(tmp_path / "run")
    arrays, summary = load_results(folder)
    assert write_run_figures({"output": folder, "outputs": {"figures": False}}, arrays, summary) == []
    assert not os.path.exists(os.path.join(folder, "figures"))
    written = write_run_figures({"output": folder, "outputs": {"figures": True}}, arrays, summary)
    assert len(written) == 7 and all(os.path.isfile(p) for p in written)
