"""Tests of krigflow._validate: the shared argument checks of the numerics, and their error classes."""
import numpy as np
import pytest

from krigflow import exceptions
from krigflow._validate import check_choice, check_int, check_triple, is_integer, is_number
from krigflow.exceptions import GridError, KrigflowError, SimulationError


@pytest.mark.parametrize(
    "value, kwargs, expected",
    [
        ([1, 2.5, np.float32(3)], {}, (1.0, 2.5, 3.0)),
        ((-1.0, 0.0, 1.0), {}, (-1.0, 0.0, 1.0)),
        ((0, 0, 4), {"sign": "non-negative", "integer": True}, (0, 0, 4)),
        ((4, 3.0, np.int64(2)), {"sign": "positive", "integer": True}, (4, 3, 2)),
    ],
    ids=["floats", "any-sign", "non-negative-ints", "integral-float"],
)
def test_check_triple_normalises(value, kwargs, expected):
    """Valid triples come back as tuples of floats (or ints), whatever the number types given."""
    out = check_triple(value, "x", **kwargs)
    assert out == expected and all(type(v) is (int if kwargs.get("integer") else float) for v in out)


@pytest.mark.parametrize(
    "value, kwargs, match",
    [
        ((1, 2), {}, r"x must be 3 finite numbers, got \(1, 2\)"),
        ((1, np.nan, 2), {}, "x must be 3 finite numbers"),
        ((1, True, 2), {}, "x must be 3 finite numbers"),
        ("abc", {}, "x must be 3 finite numbers, got 'abc'"),
        (5, {}, "x must be 3 finite numbers, got 5"),
        ((1, 0, 2), {"sign": "positive"}, "x must be 3 positive numbers"),
        ((1, -1, 2), {"sign": "non-negative", "integer": True}, "x must be 3 non-negative integers"),
        ((1, 2.5, 2), {"integer": True}, "x must be 3 finite integers"),
    ],
    ids=["two", "nan", "bool", "string", "scalar", "zero", "negative", "fraction"],
)
def test_check_triple_errors(value, kwargs, match):
    """Bad triples raise the caller's error class, naming the argument, the expected form and the value."""
    with pytest.raises(GridError, match="^f: " + match):
        check_triple(value, "x", error=GridError, prefix="f: ", **kwargs)


def test_check_int_and_choice():
    """check_int rejects bools, floats and values below the minimum; check_choice names the choices."""
    assert check_int(np.int32(4), "n") == 4 and type(check_int(np.int32(4), "n")) is int
    with pytest.raises(ValueError, match="n must be a non-negative integer, got -1"):
        check_int(-1, "n")
    with pytest.raises(SimulationError, match="n must be a positive integer, got True"):
        check_int(True, "n", minimum=1, error=SimulationError)
    with pytest.raises(ValueError, match="n must be an integer >= 3, got 2.0"):
        check_int(2.0, "n", minimum=3)
    assert check_choice("b", "k", ("a", "b")) == "b"
    with pytest.raises(ValueError, match=r"g: k must be one of \('a', 'b'\), got 'c'"):
        check_choice("c", "k", ("a", "b"), prefix="g: ")
    assert is_number(np.float64(1.5)) and not is_number(np.bool_(True)) and not is_number(None)
    assert is_integer(np.uint8(1)) and not is_integer(1.0)


@pytest.mark.parametrize("name", ["GridError", "VariogramError", "KrigingError", "SimulationError",
                                  "TransformError", "StatsError", "WellOptionError"])
def test_numerics_errors_are_value_errors_not_config_errors(name):
    """Every error of the numerics is a KrigflowError (so a ValueError), and not a ConfigError."""
    cls = getattr(exceptions, name)
    assert issubclass(cls, KrigflowError) and issubclass(cls, ValueError)
    assert not issubclass(cls, exceptions.ConfigError)
