"""``krigflow run``: run the stochastic-kriging graph through dispel4py and report how it ended.

The command validates the config and checks that the input files exist (and that the output would not be
overwritten) *before* launching anything, then runs ``graphs/stochastic_kriging.py`` with the ``dispel4py``
script as a subprocess::

    simple:  dispel4py simple GRAPH -f INPUT.json
    multi:   dispel4py multi GRAPH -n N -f INPUT.json
    mpi:     <launcher> -n N dispel4py mpi GRAPH -n N -f INPUT.json      (launcher: mpiexec, or --mpiexec)

dispel4py 2.9.1's exit status is unreliable (0 after some failures under ``multi``), so success is decided
from the status record the graph's StatsAccumulator writes (to a temporary file whose path and run id are
passed in the input item), never from the exit status. On failure one line per error (the PE and the cause)
goes to stderr, and the dispel4py console log is kept.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

from krigflow.distributed.supervise import FAULT_ENV
from krigflow.exceptions import KrigflowError
from krigflow.io import PARTIALS_DIR, read_status
from krigflow.run import (
    ProgressMonitor,
    check_inputs,
    check_resumable,
    load_config,
    parse_range,
    progress_folder,
    wait_with_progress,
)

__all__ = ["add_run_parser", "run_command", "build_command", "GRAPH", "MIN_PROCESSES"]

#: The graph module run by default.
GRAPH = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "graphs", "stochastic_kriging.py"
)
#: Smallest process count of multi/mpi: LogReader, GridPlacer, StatsAccumulator and one SampleKriger.
MIN_PROCESSES = 4
#: Exit status for a config or input problem found before launching (a failed run exits with 1).
EXIT_BAD_INPUT = 2


def add_run_parser(subparsers) -> None:
    """Add the ``run`` subcommand to a ``krigflow`` argument parser.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``parser.add_subparsers()``.
    """
    p = subparsers.add_parser(
        "run",
        help="run a stochastic-kriging job (dispel4py simple, multi or mpi)",
        description="Validate CONFIG, then run the stochastic-kriging graph through dispel4py. Exit status: "
        "0 on success, 1 if the run failed (the error, naming the processing element and the cause, is "
        f"printed on stderr), {EXIT_BAD_INPUT} if the config or the inputs are bad (nothing is launched).",
    )
    p.add_argument("config", metavar="CONFIG", help="run configuration (YAML or JSON; see the README, 'Run configuration')")
    p.add_argument(
        "--mapping",
        choices=("simple", "multi", "mpi"),
        default="simple",
        help="dispel4py mapping (default simple)",
    )
    p.add_argument(
        "-n",
        "--num-processes",
        dest="processes",
        type=int,
        default=None,
        metavar="N",
        help=f"processes for multi/mpi (default {MIN_PROCESSES}, at least {MIN_PROCESSES}): "
        "3 for the reader, placer and accumulator, the others krig",
    )
    p.add_argument(
        "--mpiexec",
        default="mpiexec",
        metavar="LAUNCHER",
        help="MPI launcher command (prefix) for --mapping mpi, e.g. 'srun' or "
        "'mpiexec --hostfile hosts'; '-n N' is appended (default mpiexec)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="recompute from scratch: discard the partial results and replace the results in the output "
        "directory (without it, a run resumes from its partial results)",
    )
    p.add_argument(
        "--realizations",
        default=None,
        metavar="A:B",
        help="compute only realizations A <= r < B (writes partial results; merge the runs with "
        "'krigflow combine')",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop the run (and fail) after this many seconds",
    )
    p.add_argument(
        "--log",
        default=None,
        metavar="FILE",
        help="write dispel4py's console output to FILE (default: a temporary file, kept on failure)",
    )
    p.add_argument(
        "--graph",
        default=GRAPH,
        metavar="MODULE",
        help="graph module to run (default: krigflow's graphs/stochastic_kriging.py)",
    )
    p.set_defaults(func=run_command)


def build_command(
    mapping, graph, input_file, processes=MIN_PROCESSES, *, dispel4py="dispel4py", mpiexec="mpiexec"
) -> list:
    """Return the command line that runs ``graph`` under ``mapping``.

    Parameters
    ----------
    mapping : {"simple", "multi", "mpi"}
    graph : str
        Graph module (file path or dotted name).
    input_file : str
        JSON file of the root inputs (``dispel4py -f``).
    processes : int
        Process count of multi/mpi (the same on both sides of ``mpiexec``).
    dispel4py : str
        The ``dispel4py`` script.
    mpiexec : str
        Launcher prefix for mpi (split like a shell would).

    Returns
    -------
    list of str

    Examples
    --------
    >>> build_command("mpi", "g.py", "in.json", 4, mpiexec="srun --mpi=pmix")
    ['srun', '--mpi=pmix', '-n', '4', 'dispel4py', 'mpi', 'g.py', '-n', '4', '-f', 'in.json']
    >>> build_command("simple", "g.py", "in.json")
    ['dispel4py', 'simple', 'g.py', '-f', 'in.json']
    """
    if mapping == "simple":
        return [dispel4py, "simple", graph, "-f", input_file]
    n = str(int(processes))
    if mapping == "multi":
        return [dispel4py, "multi", graph, "-n", n, "-f", input_file]
    if mapping == "mpi":
        return [*shlex.split(mpiexec), "-n", n, dispel4py, "mpi", graph, "-n", n, "-f", input_file]
    raise KrigflowError(f"--mapping: expected simple, multi or mpi, got {mapping!r}")


def run_command(args) -> int:
    """Run ``krigflow run`` with parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        From the parser of :func:`add_run_parser`.

    Returns
    -------
    int
        0 on success, 1 if the run failed, 2 if the config or inputs are bad.
    """
    try:
        config = load_config(args.config)
        check_inputs(config)
        span = None if args.realizations is None else parse_range(args.realizations, config["realizations"])
        if not args.overwrite:  # resume, or refuse with the reason (--overwrite clears in the run)
            check_resumable(config)
        processes = _processes(args)
        script = _dispel4py_script()
    except KrigflowError as exc:
        _say(f"krigflow run: error: {exc}")
        return EXIT_BAD_INPUT
    work = tempfile.mkdtemp(prefix="krigflow-run-")
    run_id = uuid.uuid4().hex
    status_path = os.path.join(work, "status.json")
    input_path = os.path.join(work, "input.json")
    log_path = os.path.abspath(args.log) if args.log else os.path.join(work, "dispel4py.log")
    with open(input_path, "w", encoding="utf-8") as fh:
        json.dump(
            {
                "LogReader": [
                    {
                        "config": os.path.abspath(args.config),
                        "overwrite": bool(args.overwrite),
                        "status": status_path,
                        "run_id": run_id,
                        "mapping": args.mapping,
                        "realizations": None if span is None else list(span),
                    }
                ]
            },
            fh,
        )
    command = build_command(
        args.mapping, args.graph, input_path, processes, dispel4py=script, mpiexec=args.mpiexec
    )
    if args.mapping == "multi":  # a watchdog in dispel4py's main process: a dead worker stops the run
        command = [sys.executable, "-m", "krigflow.distributed.supervise", *command]
    fault_path = os.path.join(work, "fault.json")
    started = time.perf_counter()
    monitor = ProgressMonitor(  # bar on a terminal, else a log line every 30 s; none with --quiet
        progress_folder(config["output"]),
        run_id,
        config["realizations"] if span is None else span[1] - span[0],
        mode="off" if getattr(args, "quiet", False) else "auto",
    )
    try:
        returncode, timed_out = _launch(
            command, log_path, args.timeout, env={FAULT_ENV: fault_path}, monitor=monitor
        )
    finally:
        monitor.close()
    seconds = time.perf_counter() - started
    status = read_status(status_path)
    if status is not None and status.get("run_id") != run_id:
        status = None
    if status is not None and status.get("status") == "ok" and not timed_out:
        how = f"{args.mapping}{'' if args.mapping == 'simple' else f' -n {processes}'}"
        if status.get("state") == "already complete":
            sys.stdout.write(
                f"krigflow run: already complete: {status.get('realizations_done')} realizations in "
                f"{status.get('output')} (use --overwrite to recompute)\n"
            )
        elif status.get("state") == "range":
            info = status.get("summary") or {}
            sys.stdout.write(
                f"krigflow run: ok: realizations {args.realizations} done with {how} in {seconds:.1f} s; "
                f"partial results in {os.path.join(status.get('output'), PARTIALS_DIR)} (missing for a "
                f"complete run: {info.get('missing')}; merge the runs with 'krigflow combine')\n"
            )
        else:
            sys.stdout.write(
                f"krigflow run: ok: {status.get('realizations_done')} realizations with "
                f"{how} in {seconds:.1f} s; results in {status.get('output')}\n"
            )
        if not args.log:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    fault = read_status(fault_path)
    keep = _partials_note(status_path, config["output"])
    if timed_out:
        _say(f"krigflow run: failed: no result after the --timeout of {args.timeout:g} s (run stopped){keep}")
    elif fault is not None:
        _say(f"krigflow run: failed: worker process {fault.get('process')} {fault.get('cause')}; "
             f"the run was stopped{keep}")
    elif status is None:
        _say(
            f"krigflow run: failed: dispel4py exited with status {returncode} without a status record "
            f"({_dead_rank(log_path) or _launcher_refusal(log_path) or _last_line(log_path)}){keep}"
        )
    else:
        for error in status.get("errors") or [{"pe": "?", "message": status.get("message")}]:
            _say(f"krigflow run: failed: {error.get('pe')}: {error.get('message')}")
    _say(f"krigflow run: dispel4py log: {log_path}")
    return 1


def _processes(args):
    if args.mapping == "simple":
        return 1
    n = MIN_PROCESSES if args.processes is None else args.processes
    if n < MIN_PROCESSES:
        raise KrigflowError(
            f"-n: --mapping {args.mapping} needs at least {MIN_PROCESSES} processes "
            f"(LogReader, GridPlacer, StatsAccumulator and one SampleKriger), got {n}"
        )
    return n


def _dispel4py_script():
    """The ``dispel4py`` script of this Python environment (else the one on PATH)."""
    beside = os.path.join(os.path.dirname(sys.executable), "dispel4py")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("dispel4py")
    if not found:
        raise KrigflowError("the dispel4py command was not found (install stream-d4py)")
    return found


def _partials_note(status_path, output):
    """'; N partial file(s) kept ...' when the output folder holds partial results."""
    folder = os.path.join(output, PARTIALS_DIR)
    try:
        n = len([f for f in os.listdir(folder) if f.startswith("part-") and f.endswith(".npz")])
    except OSError:
        n = 0
    if not n:
        return ""
    return f"; {n} partial file(s) kept in {folder}: run the same command again to resume"


def _dead_rank(log_path):
    """Open MPI's line about a rank that died from a signal, if the log has one."""
    try:
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            text = " ".join(fh.read().split())
    except OSError:
        return None
    import re

    m = re.search(r"(process rank \d+ with PID \d+ on node \S+ exited on signal \d+ \(\w+\))", text)
    return f"MPI {m.group(1)}" if m else None


def _launch(command, log_path, timeout, env=None, monitor=None):
    """Run ``command`` with its output in ``log_path``; return (exit status, timed out)."""
    with open(log_path, "ab") as log:
        log.write(("$ " + shlex.join(command) + "\n").encode())
        log.flush()
        try:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=dict(os.environ, **(env or {})),
            )
        except OSError as exc:
            log.write(f"cannot start {command[0]}: {exc}\n".encode())
            return None, False
        try:
            code = wait_with_progress(process, timeout, monitor)
            if code != 0:  # e.g. killed, or an MPI abort: stop what is left of the run (orphans)
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            return code, False
        except subprocess.TimeoutExpired:
            _kill_group(process)
            return None, True
        except KeyboardInterrupt:
            _kill_group(process)
            raise


def _kill_group(process):
    """Stop the run's process group (dispel4py multi forks children; mpiexec starts ranks)."""
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


#: Open MPI refusals that users hit on laptops, containers and CI, and what to do about them.
_LAUNCHER_REFUSALS = (
    ("attempt to run as root",
     "mpiexec refused to run as root: pass --mpiexec 'mpiexec --allow-run-as-root', or set "
     "OMPI_ALLOW_RUN_AS_ROOT=1 and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"),
    ("not enough slots",
     "mpiexec has fewer slots than -n: pass --mpiexec 'mpiexec --oversubscribe', or set "
     "PRTE_MCA_rmaps_default_mapping_policy=:oversubscribe"),
)


def _launcher_refusal(path):
    """Say what to do when the MPI launcher refused to start (else None)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = " ".join(fh.read().split()).lower()
    except OSError:
        return None
    return next((advice for marker, advice in _LAUNCHER_REFUSALS if marker in text), None)


def _last_line(path):
    """The last line of the log that says something (not a rule of dashes or stars)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = [line.strip() for line in fh if any(c.isalnum() for c in line)]
    except OSError:
        return "no log"
    return lines[-1][:300] if lines else "empty log"


def _say(line):
    sys.stderr.write(line + "\n")
