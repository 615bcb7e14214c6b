"""A zoned run with ``method.transform: log10``: the zones' trends, variograms and simulation work on log10 of
the property, realizations are ``10 **`` of the zoned log10 realizations (positive), regenerated == run."""
import numpy as np
import numpy.testing as npt
import pytest
from test_zones_run import zoned_config

from krigflow.run import build_problem, load_inputs, run_local
from krigflow.run.log_space import log_config, log_wells
from krigflow.run.realize import iter_realizations, realization_values


@pytest.mark.slow
def test_zoned_log10_realizations(tmp_path):
    """Realizations = 10 ** (the zoned realizations of the log10 wells with Gaussian residuals); the run's
    statistics are those of regenerated realizations. (~14 s on the loaded machine: the zoned
    problem is built three times, reading the demo's horizons and fitting 3 zone variograms each time.)"""
    cfg = zoned_config(tmp_path / "out", method={"name": "conditional", "transform": "log10"}, realizations=4,
                       batch_size=2, outputs={"formats": [], "figures": False})
    wells = load_inputs(cfg)
    problem = build_problem(wells, cfg)
    assert problem.zones is not None and problem.log is not None
    fields = realization_values(problem, [0, 1, 2, 3])
    active = np.isfinite(fields)
    assert active.any() and np.all(fields[active] > 0)
    in_log = build_problem(log_wells(wells, problem.log), log_config(cfg))      # the same model, in log10
    assert in_log.log is None
    npt.assert_allclose(np.log10(fields[active]), realization_values(in_log, [0, 1, 2, 3])[active], rtol=0,
                        atol=1e-12)
    arrays = run_local(cfg, wells=wells)["arrays"]
    again = np.stack([da.values for da in iter_realizations(cfg, range(4), wells=wells, run_dir=cfg["output"])])
    npt.assert_allclose(again.max(axis=0), arrays["max"], rtol=1e-12, equal_nan=True)
    npt.assert_allclose(again.mean(axis=0), arrays["mean"], rtol=1e-12, equal_nan=True)
