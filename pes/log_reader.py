"""LogReader: the root PE. Reads the run config and the wells, and emits them."""

from __future__ import annotations

import logging
import time

from dispel4py.base import ProducerPE

from krigflow.exceptions import WorkflowError
from krigflow.run import check_resumable, load_config, load_inputs, parse_range

from ._common import error_record, parse_request

logger = logging.getLogger(__name__)


class LogReader(ProducerPE):
    """Read the run config and every well; emit a run record, then one message per well.

    Input items (dispel4py ``-d``/``-f``): ``{"config": path, "overwrite": bool}`` (see
    :func:`pes._common.parse_request`); with no item, ``default_config`` is used. One item per run.

    Output messages: ``{"run": {...request, "config": validated config, "timings": {...}}}`` first, then
    ``{"well": Well}`` per well, or ``{"error": {...}}`` records if anything fails.

    Parameters
    ----------
    default_config : str, optional
        Config to run when the input item names none.
    """

    def __init__(self, default_config=None):
        ProducerPE.__init__(self)
        self.default_config = default_config

    def _preprocess(self):
        self.items_ = 0

    def _process(self, inputs):
        self.items_ += 1
        started = time.time()
        run = {"config": None, "status": None, "started": started}
        try:
            run.update(parse_request(inputs, self.default_config))
            if self.items_ > 1:
                raise WorkflowError("one run per graph execution; got more than one input item")
            run["config"] = load_config(run["config"])
            if run.get("realizations") is not None:  # within the config's realizations
                parse_range("{}:{}".format(*run["realizations"]), run["config"]["realizations"])
            # resume, or refuse with the reason; --overwrite clears the partials (before any work)
            run["resume"] = check_resumable(run["config"], overwrite=run["overwrite"])
        except Exception as exc:  # noqa: BLE001 - reported downstream, never raised (multi would hang)
            run["config"] = run["config"] if isinstance(run["config"], dict) else None
            self.write(self.OUTPUT_NAME, {"run": run})
            self.write(self.OUTPUT_NAME, error_record(self, exc))
            return None
        try:
            wells = load_inputs(run["config"])
        except Exception as exc:  # noqa: BLE001
            self.write(self.OUTPUT_NAME, {"run": run})
            self.write(self.OUTPUT_NAME, error_record(self, exc))
            return None
        run["timings"] = {"load_inputs": time.time() - started}
        self.write(self.OUTPUT_NAME, {"run": run})
        for well in wells:
            self.write(self.OUTPUT_NAME, {"well": well})
        return None
