"""Collect the warnings of a run: what the core logs at WARNING level reaches the user.

dispel4py sets the root logger to ERROR, so in a graph run the core's warnings (a well with no datum in
the grid, two wells merged in one cell, a well name matched by a close match...) would be dropped before
any handler sees them. :func:`collect_warnings` attaches a handler to the ``krigflow`` logger for the
length of one step of a run, lets WARNING records through the ``krigflow`` logger whatever the root
level, and returns the messages, one line each, in order and without repeats. Each process of a run
collects its own and sends them on with its messages; the end of the run writes them into
``summary.json`` and ``status.json`` (``"warnings"``), and ``krigflow run`` prints them.

Examples
--------
>>> import logging
>>> with collect_warnings() as found:
...     logging.getLogger("krigflow.grid").warning("two wells in one cell")
...     logging.getLogger("krigflow.grid").warning("two wells in one cell")
...     logging.getLogger("krigflow.grid").info("not a warning")
>>> found
['two wells in one cell']
>>> merge_warnings(["a", "b"], ["b", "c"])
['a', 'b', 'c']
"""

from __future__ import annotations

import contextlib
import logging

__all__ = ["LOGGER", "MAX_WARNINGS", "WarningCollector", "collect_warnings", "merge_warnings"]

#: The logger whose records are collected (and its children).
LOGGER = "krigflow"
#: At most this many distinct warnings are kept per run (a last line says how many more there were).
MAX_WARNINGS = 200


class WarningCollector(logging.Handler):
    """A logging handler that keeps the distinct messages of WARNING (and higher) records.

    Attributes
    ----------
    messages : list of str
        One line per distinct message, in the order first seen.
    """

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []
        self._seen = set()
        self.dropped = 0

    def emit(self, record) -> None:
        try:
            message = " ".join(record.getMessage().split())
        except Exception:  # noqa: BLE001 - a bad format string must not break the run
            message = str(record.msg)
        if message in self._seen:
            return
        if len(self.messages) >= MAX_WARNINGS:
            self.dropped += 1
            return
        self._seen.add(message)
        self.messages.append(message)


@contextlib.contextmanager
def collect_warnings(into=None, logger=LOGGER):
    """Collect the WARNING records of ``logger`` (default ``krigflow``) while the block runs.

    Parameters
    ----------
    into : list, optional
        Messages are appended to this list (also yielded); a new list by default.
    logger : str

    Yields
    ------
    list of str
        The messages (filled when the block ends).
    """
    found = [] if into is None else into
    target = logging.getLogger(logger)
    collector = WarningCollector()
    level = target.level
    if target.getEffectiveLevel() > logging.WARNING:  # e.g. dispel4py's root at ERROR
        target.setLevel(logging.WARNING)
    target.addHandler(collector)
    try:
        yield found
    finally:
        target.removeHandler(collector)
        target.setLevel(level)
        extra = [f"... and {collector.dropped} more warnings"] if collector.dropped else []
        found[:] = merge_warnings(found, collector.messages + extra)


def merge_warnings(*lists) -> list:
    """Concatenate lists of warnings, keeping the first occurrence of each."""
    out = []
    for items in lists:
        for item in items or ():
            if item not in out:
                out.append(item)
    return out
