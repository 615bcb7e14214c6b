"""Progress of a run: realizations done / total, rate and ETA, in every dispel4py mapping.

The SampleKrigers run in other processes (``multi``) or on other machines (``mpi``), so progress travels
through small files: each kriger owns one file ``<output>/.progress/<run_id>.<host>.<pid>.json``, rewritten
atomically (temporary file + rename) after each chunk of realizations, holding
``{"run_id", "done", "total", "started", "updated", "worker"}``. A kriger also logs a line (logger
``krigflow.run.progress``, INFO) at most every ``interval`` seconds, which is what a direct ``dispel4py`` run
shows.

``krigflow run`` polls those files while dispel4py runs (:class:`ProgressMonitor`) and shows a progress bar
on a terminal, or a log line every 30 seconds when stderr is not a terminal (batch jobs, CI);
``--quiet`` shows neither. The files are removed at the end of the run.
"""

from __future__ import annotations

import json
import logging
import math
import os
import socket
import sys
import time

logger = logging.getLogger(__name__)

__all__ = [
    "PROGRESS_DIR",
    "KrigerProgress",
    "ProgressMonitor",
    "clear_progress",
    "format_duration",
    "format_progress",
    "progress_folder",
    "read_progress",
    "wait_with_progress",
]

#: Folder of the progress files, inside the output folder.
PROGRESS_DIR = ".progress"


def progress_folder(output) -> str:
    """The progress folder of an output folder."""
    return os.path.join(output, PROGRESS_DIR)


def format_duration(seconds) -> str:
    """A short human duration.

    Examples
    --------
    >>> format_duration(5.2), format_duration(95), format_duration(3725), format_duration(None)
    ('5 s', '1 min 35 s', '1 h 02 min', '?')
    """
    if seconds is None or not math.isfinite(seconds):
        return "?"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {(seconds % 3600) // 60:02d} min"


def format_progress(done, total, rate, eta) -> str:
    """One line: ``done/total realizations (pct), rate, ETA``.

    Examples
    --------
    >>> format_progress(120, 1000, 3.25, 270.8)
    '120/1000 realizations (12%), 3.2/s, ETA 4 min 31 s'
    >>> format_progress(0, 50, None, None)
    '0/50 realizations (0%), rate ?, ETA ?'
    """
    pct = 100.0 * done / total if total else 0.0
    rate_text = "rate ?" if not rate else (f"{rate:.2g}/s" if rate >= 0.1 else f"{60 * rate:.2g}/min")
    return f"{done}/{total} realizations ({pct:.0f}%), {rate_text}, ETA {format_duration(eta)}"


def _write_json(path, obj):
    """Atomic, cheap (no fsync: a progress file is disposable)."""
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(obj, fh)
    os.replace(tmp, path)


class KrigerProgress:
    """Progress of one SampleKriger: its file and its periodic log line.

    Parameters
    ----------
    folder : str
        Progress folder (:func:`progress_folder`); None disables the file (log lines only).
    run_id : str
        Identifies the run (files of other runs in the folder are ignored by the monitor).
    total : int
        Realizations of the whole run (this attempt), for the log line.
    interval : float, default 10
        Seconds between two log lines.
    worker : str, optional
        Name of this worker in the log line (default ``host:pid``).
    """

    def __init__(self, folder, run_id, total, *, interval=10.0, worker=None):
        self.folder, self.run_id, self.total, self.interval = folder, str(run_id), int(total), float(interval)
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.done = 0
        self.started = time.time()
        self.logged = self.started
        self.path = None
        if folder:
            try:
                os.makedirs(folder, exist_ok=True)
                name = f"{self.run_id}.{socket.gethostname()}.{os.getpid()}.json"
                self.path = os.path.join(folder, name)
                self._write()
            except OSError as exc:  # progress must never fail a run
                logger.warning("progress file in %s not written: %s", folder, exc)
                self.path = None

    def add(self, n) -> None:
        """Count ``n`` more realizations done; update the file, and log at most every ``interval`` s."""
        self.done += int(n)
        now = time.time()
        if self.path:
            try:
                self._write(now)
            except OSError as exc:
                logger.warning("progress file %s not updated: %s", self.path, exc)
                self.path = None
        if now - self.logged >= self.interval:
            self.logged = now
            rate = self.done / max(now - self.started, 1e-9)
            logger.info(
                "%s: %d realizations done here (run total %d), %.2g/s",
                self.worker,
                self.done,
                self.total,
                rate,
            )

    def _write(self, now=None):
        _write_json(
            self.path,
            {
                "run_id": self.run_id,
                "done": self.done,
                "total": self.total,
                "started": self.started,
                "updated": now or time.time(),
                "worker": self.worker,
            },
        )


def read_progress(folder, run_id) -> dict:
    """Sum the progress files of run ``run_id`` in ``folder``.

    Returns
    -------
    dict
        ``done`` (sum over workers), ``total`` (largest announced, 0 if none), ``workers`` (files found),
        ``started`` (earliest start, or None).

    Examples
    --------
    >>> read_progress("/no/such/folder", "x")
    {'done': 0, 'total': 0, 'workers': 0, 'started': None}
    """
    out = {"done": 0, "total": 0, "workers": 0, "started": None}
    try:
        names = os.listdir(folder)
    except OSError:
        return out
    prefix = f"{run_id}."
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".json")):
            continue
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                record = json.load(fh)
        except (OSError, ValueError):
            continue  # being replaced, or gone
        out["done"] += int(record.get("done", 0))
        out["total"] = max(out["total"], int(record.get("total", 0)))
        out["workers"] += 1
        started = record.get("started")
        if started is not None and (out["started"] is None or started < out["started"]):
            out["started"] = float(started)
    return out


def clear_progress(folder, run_id=None) -> None:
    """Remove the progress files of ``run_id`` (all if None), and the folder if it is left empty."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if run_id is None or name.startswith(f"{run_id}."):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass
    try:
        os.rmdir(folder)
    except OSError:
        pass


class ProgressMonitor:
    """Show a run's progress from its progress files (used by ``krigflow run`` while dispel4py runs).

    Parameters
    ----------
    folder : str
        Progress folder.
    run_id : str
        The run.
    total : int
        Realizations expected (replaced by the total the krigers announce, if any).
    mode : {"auto", "bar", "log", "off"}
        ``bar``: a one-line bar redrawn on ``stream``; ``log``: an INFO record of logger
        ``krigflow.run.progress`` every ``interval`` seconds and when the count changes after it; ``auto``:
        ``bar`` if ``stream`` is a terminal, else ``log``.
    stream : file, default sys.stderr
    interval : float, default 30
        Seconds between log lines (``log`` mode).
    """

    def __init__(self, folder, run_id, total, *, mode="auto", stream=None, interval=30.0):
        self.folder, self.run_id, self.total = folder, run_id, int(total)
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "bar" if getattr(self.stream, "isatty", lambda: False)() else "log"
        self.mode, self.interval = mode, float(interval)
        self.started = time.time()
        self.last_log = self.started
        self.logged_done = -1
        self.drawn = False
        self.state = {"done": 0, "total": self.total, "rate": None, "eta": None}

    def poll(self, now=None, *, final=False) -> dict:
        """Read the files, update the display; return ``{"done", "total", "rate", "eta"}``.

        ``final``: log a line if every realization is done and the count changed since the last line,
        whatever the interval (a failed run ends with its error line, not with a progress line).
        """
        if self.mode == "off":
            return self.state
        now = time.time() if now is None else now
        found = read_progress(self.folder, self.run_id)
        total = found["total"] or self.total
        done = min(found["done"], total) if total else found["done"]
        done = max(done, self.state["done"])  # never backwards (files removed at the end)
        rate = eta = None
        if found["started"] is not None and done > 0:
            rate = done / max(now - found["started"], 1e-9)
            eta = (total - done) / rate if rate > 0 else None
        elif done and done == self.state["done"]:  # files already removed: keep the last estimate
            rate, eta = self.state["rate"], self.state["eta"]
        if total and done >= total:
            eta = 0.0
        self.state = {"done": done, "total": total, "rate": rate, "eta": eta}
        if self.mode == "bar":
            self._draw(found["workers"])
        elif (now - self.last_log >= self.interval or (final and done >= total)) and done != self.logged_done:
            self.last_log, self.logged_done = now, done
            logger.info("%s", format_progress(done, total, rate, eta))
        return self.state

    def _draw(self, workers):
        s = self.state
        width = 28
        filled = int(width * s["done"] / s["total"]) if s["total"] else 0
        bar = "#" * filled + "-" * (width - filled)
        text = (
            format_progress(s["done"], s["total"], s["rate"], s["eta"])
            if s["done"] or workers
            else f"0/{s['total']} realizations: reading wells, building the grid"
        )
        self.stream.write(f"\r[{bar}] {text}\033[K")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """Final update, end the bar's line, remove the run's progress files."""
        if self.mode != "off":
            self.poll(final=True)
            if self.drawn:
                self.stream.write("\n")
                self.stream.flush()
        clear_progress(self.folder, self.run_id)


def wait_with_progress(process, timeout=None, monitor=None, poll_seconds=0.5):
    """``process.wait(timeout)``, polling ``monitor`` (a :class:`ProgressMonitor`) every ``poll_seconds``.

    Raises
    ------
    subprocess.TimeoutExpired
        As ``Popen.wait`` does, when ``timeout`` seconds have passed.
    """
    import subprocess

    if monitor is None:
        return process.wait(timeout=timeout)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise subprocess.TimeoutExpired(process.args, timeout)
        try:
            return process.wait(timeout=poll_seconds if remaining is None else min(poll_seconds, remaining))
        except subprocess.TimeoutExpired:
            monitor.poll()
