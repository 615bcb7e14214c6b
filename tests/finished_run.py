"""A small finished run written in code (stats.npz, summary.json, wells.npz), for figure and CLI tests."""

import json
import os

import numpy as np

from krigflow.io import write_wells

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
    from PIL import Image

    assert os.path.getsize(path) < 300_000
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size[0] >= min_size[0] and image.size[1] >= min_size[1]
        pixels = np.asarray(image.convert("RGB"), dtype=float)
    assert pixels.std() > 10.0
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50


def close_new_pyplot_figures():
    """matplotlib.pyplot, with every figure opened by the test closed afterwards."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    yield plt
    for num in set(plt.get_fignums()) - before:
        plt.close(num)
