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
