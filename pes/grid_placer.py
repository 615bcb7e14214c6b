"""GridPlacer: builds the problem from all wells and hands out the realizations."""

from __future__ import annotations

from dispel4py.core import GenericPE

from krigflow.run import RunError, RunState, plan_work, work_chunks, work_order

from ._common import error_of, hold


class GridPlacer(GenericPE):
    """Collect the wells (all-to-one, one instance); at the end, plan the run and hand out the work.

    Outputs: ``problem`` (to every SampleKriger): a :class:`krigflow.run.WorkOrder`; ``tasks`` (shared
    among them): :class:`krigflow.run.Task` chunks of ``batch_size`` realizations, or ``block_tasks`` (grouped
    by block) when the run is split into blocks; ``run`` (to the
    StatsAccumulator): the planned :class:`krigflow.run.RunState` and any :class:`krigflow.run.RunError`.
    """

    single = True
    #: SampleKriger instances (set by the graph): the tasks of block b go to the (b mod krigers)-th.
    krigers = 1

    def __init__(self):
        GenericPE.__init__(self)
        self._add_input("input", grouping="global")
        for name in ("problem", "tasks", "block_tasks", "run"):
            self._add_output(name)

    def _preprocess(self):
        self.state_, self.wells_, self.errors_ = None, [], []

    def process(self, inputs):
        message = inputs["input"]
        if isinstance(message, RunState):
            self.state_ = hold(self, message, self.errors_)  # the folder stays held while LogReader ends
        elif isinstance(message, RunError):
            self.errors_.append(message)
        else:
            self.wells_.append(message)

    def _postprocess(self):
        if self.state_ is None and not self.errors_:
            return  # nothing received (an idle instance)
        state = self.state_
        if not self.errors_:
            try:
                state = plan_work(state, self.wells_)  # skips what OUTPUT/partials holds
            except Exception as exc:  # noqa: BLE001 - reported downstream
                self.errors_.append(error_of(self, exc))
        for message in ([state] if state is not None else []) + self.errors_:
            self.write("run", message)
        if not self.errors_:
            self.write("problem", work_order(state))  # before the tasks: per-sender FIFO
            for task in work_chunks(state, krigers=self.krigers):   # tasks of a block: all to one kriger (group-by block)
                self.write("tasks" if task.block is None else "block_tasks", task)
