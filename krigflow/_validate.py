"""Shared argument checks of the numerics (verde ``base/utils.py`` style).

Each ``check_*`` function returns the value in its normalised form (a tuple of floats, an int, ...) or
raises ``error`` (a :class:`ValueError` subclass chosen by the caller, e.g.
:class:`krigflow.exceptions.GridError`) with a message naming the argument, the value received and the
form expected. ``prefix`` (e.g. ``"gaussian_field: "``) says which function was called.

Numbers are Python or numpy numbers; ``bool`` is never accepted as a number.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["check_choice", "check_int", "check_triple", "is_integer", "is_number"]

#: ``sign`` argument of :func:`check_triple` → (test, word in the message).
_SIGNS = {
    None: (lambda v: True, "finite"),
    "positive": (lambda v: v > 0, "positive"),
    "non-negative": (lambda v: v >= 0, "non-negative"),
}


def is_number(value) -> bool:
    """Whether ``value`` is a real number (Python or numpy), not a ``bool``.

    Examples
    --------
    >>> is_number(2.5), is_number(np.int32(3)), is_number(True), is_number("1")
    (True, True, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def is_integer(value) -> bool:
    """Whether ``value`` is an integer (Python or numpy), not a ``bool``.

    Examples
    --------
    >>> is_integer(3), is_integer(np.int64(3)), is_integer(3.0), is_integer(False)
    (True, True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_triple(value, name, *, integer=False, sign=None, error=ValueError, prefix="") -> tuple:
    """Return ``value`` as a tuple of three finite numbers (one per axis: easting, northing, tvdss).

    Parameters
    ----------
    value : sequence of 3 numbers
        The value to check.
    name : str
        Argument name, for the message.
    integer : bool, default False
        Require integers (integral-valued floats such as ``10.0`` are accepted) and return ints;
        otherwise return floats.
    sign : {None, "positive", "non-negative"}, default None
        Also require every entry ``> 0`` or ``>= 0``.
    error : type, default ValueError
        Exception class raised.
    prefix : str, default ""
        Start of the message (the calling function).

    Returns
    -------
    tuple of 3 int or float

    Raises
    ------
    error
        ``"{prefix}{name} must be 3 {positive|non-negative|finite} {integers|numbers}, got {value!r}"``.

    Examples
    --------
    >>> check_triple([10, 10, 2.5], "spacing", sign="positive")
    (10.0, 10.0, 2.5)
    >>> check_triple((4, 3.0, 2), "shape", integer=True, sign="positive")
    (4, 3, 2)
    >>> check_triple((1, 0, 5), "shape", integer=True, sign="positive", prefix="f: ")
    Traceback (most recent call last):
        ...
    ValueError: f: shape must be 3 positive integers, got (1, 0, 5)
    """
    test, word = _SIGNS[sign]
    try:
        items = tuple(value)
    except TypeError:
        items = ()
    ok = len(items) == 3 and all(is_number(v) and np.isfinite(v) and test(v) for v in items)
    if ok and integer:
        ok = all(int(v) == v for v in items)
    if not ok:
        kind = "integers" if integer else "numbers"
        raise error(f"{prefix}{name} must be 3 {word} {kind}, got {value!r}")
    return tuple(int(v) for v in items) if integer else tuple(float(v) for v in items)


def check_int(value, name, *, minimum=0, error=ValueError, prefix="") -> int:
    """Return ``value`` as an int if it is an integer ``>= minimum`` (not a bool, not a float).

    Parameters
    ----------
    value : int
        The value to check.
    name : str
        Argument name, for the message.
    minimum : int, default 0
        Smallest accepted value.
    error : type, default ValueError
        Exception class raised.
    prefix : str, default ""
        Start of the message.

    Returns
    -------
    int

    Raises
    ------
    error
        ``"{prefix}{name} must be a non-negative integer, got {value!r}"`` (``a positive integer`` for
        ``minimum=1``, ``an integer >= {minimum}`` otherwise).

    Examples
    --------
    >>> check_int(np.int64(3), "seed")
    3
    >>> check_int(0, "n_fields", minimum=1)
    Traceback (most recent call last):
        ...
    ValueError: n_fields must be a positive integer, got 0
    """
    if not is_integer(value) or value < minimum:
        expected = {0: "a non-negative integer", 1: "a positive integer"}.get(minimum,
                                                                            f"an integer >= {minimum}")
        raise error(f"{prefix}{name} must be {expected}, got {value!r}")
    return int(value)


def check_choice(value, name, choices, *, error=ValueError, prefix=""):
    """Return ``value`` if it is one of ``choices``.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        Argument name, for the message.
    choices : tuple
        Allowed values (the module's list, e.g. :data:`krigflow.kriging.KINDS`).
    error : type, default ValueError
        Exception class raised.
    prefix : str, default ""
        Start of the message.

    Raises
    ------
    error
        ``"{prefix}{name} must be one of {choices}, got {value!r}"``.

    Examples
    --------
    >>> check_choice("simple", "kind", ("ordinary", "simple"))
    'simple'
    >>> check_choice("universal", "kriging kind", ("ordinary", "simple"))
    Traceback (most recent call last):
        ...
    ValueError: kriging kind must be one of ('ordinary', 'simple'), got 'universal'
    """
    if value not in choices:
        raise error(f"{prefix}{name} must be one of {choices}, got {value!r}")
    return value
