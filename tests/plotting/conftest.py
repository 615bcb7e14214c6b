"""Fixtures of the plotting tests."""

import pytest


@pytest.fixture
def pyplot_figures():
    """matplotlib.pyplot, with every figure opened by the test closed afterwards."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    yield plt
    for num in set(plt.get_fignums()) - before:
        plt.close(num)
