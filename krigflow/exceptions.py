"""Exceptions raised by krigflow.

Every error that comes from bad input is a subclass of :class:`KrigflowError`
and of :class:`ValueError`, and its message names the file or the item that is
wrong and what was expected.
"""


class KrigflowError(ValueError):
    """Base class of all errors about bad input to krigflow."""


class LASReadError(KrigflowError):
    """A LAS file cannot be read or does not hold usable log data."""


class WellLocationError(KrigflowError):
    """A well cannot be placed: no usable well-head location, datum or name match."""


class SurveyError(KrigflowError):
    """A deviation survey cannot be read or is not physically possible."""


class ConfigError(KrigflowError):
    """A run configuration has an unknown key or a bad value."""


class WorkflowError(RuntimeError):
    """A workflow run failed; the message names the processing element and the cause."""


# Errors of the numerics (bad arguments to a function of the core). Each is a KrigflowError, so a
# ValueError: ``except ValueError`` and ``except KrigflowError`` keep catching them.

class WellOptionError(KrigflowError):
    """Reading wells got an unknown option or a malformed name map (``LAS_NAME=TABLE_NAME``)."""


class GridError(KrigflowError):
    """A grid or an upscaling call got a bad value (origin, spacing, shape, bounds, sample arrays)."""


class VariogramError(KrigflowError):
    """A variogram model, an experimental variogram or a variogram fit got a bad value."""


class KrigingError(KrigflowError):
    """Kriging got bad options or data, or a kriging system is singular."""


class SimulationError(KrigflowError):
    """A realization generator (subsampling, FFT fields, conditional simulation) got a bad value."""


class TransformError(KrigflowError):
    """A normal-score transform got bad data or options."""


class StatsError(KrigflowError):
    """Running statistics or histograms got a bad value or incompatible operands."""


def describe_error(exc, *, where=None) -> str:
    """One line describing an exception: its message, with its type unless it is a krigflow error.

    A :class:`KrigflowError` or :class:`WorkflowError` message already says what is wrong (it names the
    file or item and what was expected), so it is shown as it is; any other exception gets its type
    appended, because its message alone ("list index out of range") would not say where it came from.
    Used by the command line, the processing elements and the run's error records.

    Parameters
    ----------
    exc : BaseException
    where : str, optional
        A name (e.g. a file name) put before the message with ``": "``, unless the message already holds it.

    Returns
    -------
    str
        The message on one line (whitespace runs, newlines included, become one space).

    Examples
    --------
    >>> describe_error(ValueError("bad\\nvalue"))
    'bad value (ValueError)'
    >>> describe_error(ConfigError("seed: expected an integer, got 'x'"))
    "seed: expected an integer, got 'x'"
    >>> describe_error(KeyError())
    'KeyError'
    >>> describe_error(KrigflowError("no ~ sections"), where="a.las")
    'a.las: no ~ sections'
    """
    message = " ".join(str(exc).split()) or type(exc).__name__
    if where and where not in message:
        message = f"{where}: {message}"
    if not isinstance(exc, (KrigflowError, WorkflowError)) and message != type(exc).__name__:
        message = f"{message} ({type(exc).__name__})"
    return message
