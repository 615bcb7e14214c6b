"""Tests of krigflow.run.ranges: A:B ranges, their text, and chunks of realizations."""

import pytest

from krigflow.exceptions import KrigflowError
from krigflow.run import chunk_indices, format_ranges, parse_range


@pytest.mark.parametrize(
    "text, total, expected",
    [("0:10", 12, (0, 10)), ("4:", 12, (4, 12)), (":3", None, (0, 3)), (" 2 : 5 ", 5, (2, 5))],
)
def test_parse_range(text, total, expected):
    """A:B means A <= r < B."""
    assert parse_range(text, total) == expected


@pytest.mark.parametrize(
    "text, total, message",
    [("5", 12, "expected A:B"), ("5:5", 12, "empty range"), ("0:20", 12, "beyond the 12 realizations"),
     ("a:b", 12, "expected A:B")],
)
def test_parse_range_errors(text, total, message):
    with pytest.raises(KrigflowError, match=message):
        parse_range(text, total)


def test_format_ranges():
    assert format_ranges([]) == "none"
    assert format_ranges([5, 0, 1, 2, 9]) == "0-2, 5, 9"


def test_chunk_indices():
    """Chunks are consecutive and cover every index once."""
    assert chunk_indices(10, 4) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert chunk_indices(3, 16) == [[0, 1, 2]]


def test_chunk_indices_of_given_indices():
    """Chunks of given indices keep their order; a batch size below 1 is refused."""
    assert chunk_indices([0, 1, 2, 5, 6], 2) == [[0, 1], [2, 5], [6]]
    assert chunk_indices([], 4) == []
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        chunk_indices(3, 0)
