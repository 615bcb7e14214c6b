"""StatsAccumulator: merges the partials, writes the outputs and the status record."""

from __future__ import annotations

import logging
import os
import time

from dispel4py.core import GenericPE

from krigflow.exceptions import WorkflowError
from krigflow.io import STATUS_FILE, write_status
from krigflow.run import clear_progress, complete_run, finish_run

from ._common import error_record, stage

logger = logging.getLogger(__name__)

#: Summary entries copied into the status record (for range runs: what is covered and missing).
_STATUS_KEYS = ("range", "covered", "missing")


class StatsAccumulator(GenericPE):
    """Merge the partials (all-to-one, one instance) and finish the run.

    Inputs: ``partial`` (global) from the SampleKrigers; ``run`` (global) from the GridPlacer. Error records
    may arrive on either.

    At the end it writes ``stats.npz`` and ``summary.json`` (on success) and always a status record
    (``{"status": "ok"|"failed", "errors": [...], "message": ...}``) to the path given by the run request,
    or to ``<output>/status.json``. The status is also emitted on output ``status``. On failure it logs
    the error and raises :class:`~krigflow.exceptions.WorkflowError` so that the simple and mpi mappings
    exit with status 1.
    """

    single = True

    def __init__(self):
        GenericPE.__init__(self)
        self._add_input("partial", grouping="global")
        self._add_input("run", grouping="global")
        self._add_output("status")

    def _preprocess(self):
        self.run_, self.partials_, self.errors_ = None, [], []

    def process(self, inputs):
        for message in inputs.values():
            if "error" in message:
                self.errors_.append(message["error"])
            elif "run" in message:
                self.run_ = message["run"]
            else:
                self.partials_.append(message["partial"])

    def _postprocess(self):
        if self.run_ is None and not self.partials_ and not self.errors_:
            return  # nothing received (an idle instance)
        run, result = self.run_ or {}, None
        if not self.errors_:
            try:
                if run.get("plan") is not None:  # checkpointed run: merge with earlier partials too
                    result = finish_run(
                        run["config"], run["problem"], run["wells"], run["plan"], self.partials_,
                        mapping=run.get("mapping") or "dispel4py", timings=self._timings(run),
                    )
                else:
                    result = complete_run(
                        run["config"],
                        run["problem"],
                        run["wells"],
                        self.partials_,
                        mapping=run.get("mapping") or "dispel4py",
                        timings=self._timings(run),
                        overwrite=run.get("overwrite", False),
                    )
            except Exception as exc:  # noqa: BLE001 - becomes the run's status
                self.errors_.append(error_record(self, exc)["error"])
        status = self._status(run, result)
        if run.get("progress") and not run.get("run_id"):  # krigflow run (run_id) reads them to the end
            clear_progress(run["progress"]["folder"], run["progress"]["run_id"])
        self.write("status", status)
        if self.errors_:
            for error in status["errors"]:
                logger.error("krigflow run failed: %s: %s", error["pe"], error["message"])
            raise WorkflowError(status["message"])

    def _timings(self, run):
        seconds = [p.seconds for p in self.partials_]
        return dict(
            run.get("timings", {}),
            krige_sum=sum(seconds),
            krige_max=max(seconds, default=0.0),
            total=time.time() - run.get("started", time.time()),
        )

    def _status(self, run, result):
        errors = sorted(self.errors_, key=stage)
        status = {
            "status": "failed" if errors else "ok",
            "run_id": run.get("run_id"),
            "output": (run.get("config") or {}).get("output"),
            "errors": errors,
            "message": "; ".join(f"{e['pe']}: {e['message']}" for e in errors) or "ok",
            "realizations_done": result["summary"]["realizations_done"] if result else 0,
            "state": (result or {}).get("state"),
            "summary": {k: v for k, v in (result or {}).get("summary", {}).items() if k in _STATUS_KEYS},
        }
        path = run.get("status") or (status["output"] and os.path.join(status["output"], STATUS_FILE))
        if path:
            try:
                write_status(path, status)
            except OSError as exc:
                logger.error("cannot write the status record %s: %s", path, exc)
        return status
