"""GridPlacer: builds the problem from all wells and hands out the realizations."""

from __future__ import annotations

import logging
import time
import uuid

from dispel4py.core import GenericPE

from krigflow.run import (
    build_problem,
    checkpoint_info,
    chunk_indices,
    describe_wells,
    plan_run,
    progress_folder,
    save_run_wells,
)

from ._common import error_record

logger = logging.getLogger(__name__)


class GridPlacer(GenericPE):
    """Collect the wells (all-to-one, one instance); at the end, emit the problem and the tasks.

    Inputs: ``input`` (global): messages of :class:`~pes.log_reader.LogReader`.

    Outputs: ``problem`` (to every SampleKriger): ``{"problem": Problem}``; ``tasks`` (shared among them):
    ``{"indices": [r0, r1, ...]}`` chunks of ``batch_size`` realization indices; ``run`` (to the
    StatsAccumulator): the run record with the problem and wells, and any error records.
    """

    single = True

    def __init__(self):
        GenericPE.__init__(self)
        self._add_input("input", grouping="global")
        self._add_output("problem")
        self._add_output("tasks")
        self._add_output("run")

    def _preprocess(self):
        self.run_, self.wells_, self.errors_ = None, [], []

    def process(self, inputs):
        message = inputs["input"]
        if "run" in message:
            self.run_ = message["run"]
        elif "well" in message:
            self.wells_.append(message["well"])
        else:
            self.errors_.append(message)

    def _postprocess(self):
        if self.run_ is None and not self.errors_:
            return  # nothing received (an idle instance)
        run, problem = dict(self.run_ or {}), None
        if not self.errors_:
            try:
                start = time.time()
                problem = build_problem(self.wells_, run["config"])
                run.update(problem=problem, wells=describe_wells(self.wells_, problem.data))
                # skip the realizations already in OUTPUT/partials (refused if their fingerprint differs)
                run["plan"] = plan_run(
                    run["config"], problem, realizations_range=run.get("realizations"),
                    overwrite=run.get("overwrite", False),
                )
                save_run_wells(run["config"]["output"], problem)  # for krigflow combine's figures
                # progress files of the krigers (krigflow run shows them): realizations of this attempt
                run["progress"] = {
                    "folder": progress_folder(run["config"]["output"]),
                    "run_id": run.get("run_id") or uuid.uuid4().hex,
                    "total": len(run["plan"].todo),
                }
                run["timings"] = dict(run.get("timings", {}), build_problem=time.time() - start)
            except Exception as exc:  # noqa: BLE001 - reported downstream
                self.errors_.append(error_record(self, exc))
        self.write("run", {"run": run})
        for error in self.errors_:
            self.write("run", error)
        if problem is not None and not self.errors_:
            checkpoint = checkpoint_info(
                run["config"], problem, run["plan"], wells=run["wells"], run_id=run.get("run_id")
            )
            # before the tasks: per-sender FIFO
            self.write("problem", {"problem": problem, "checkpoint": checkpoint, "progress": run["progress"]})
            for chunk in chunk_indices(run["plan"].todo, problem.batch_size):
                self.write("tasks", {"indices": chunk})
