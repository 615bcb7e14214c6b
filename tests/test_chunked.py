"""Tests of the low-memory FFT field generator in krigflow.realizations.chunked."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import KrigflowError
from krigflow.realizations import field_spectrum, realization_rng, unconditional_field
from krigflow.realizations.chunked import compact_spectrum, draw_field
from krigflow.variogram import Variogram

VARIOGRAM = Variogram("exponential", 1.0, 300.0, 12.0, range_h2=200.0, azimuth=30.0, nugget=0.1)


@pytest.mark.parametrize("shape", [(30, 20, 20), (31, 17, 9), (8, 1, 40)])
@pytest.mark.parametrize("chunk_bytes", [5000, 64 * 2**20])
def test_same_field_as_the_double_precision_generator(shape, chunk_bytes):
    """Same spectrum and, from the same generator, the same field as unconditional_field (float32 rounding),
    whatever the slab size."""
    spacing = (20.0, 20.0, 3.0)
    ref = field_spectrum(shape, spacing, VARIOGRAM)
    compact = compact_spectrum(shape, spacing, VARIOGRAM, chunk_bytes=chunk_bytes)
    assert compact.embedding == ref.embedding
    npt.assert_allclose(compact.scale, ref.scale, atol=1e-6 * ref.scale.max())
    assert abs(compact.clipped - ref.clipped) < 1e-8
    a = unconditional_field(ref, realization_rng(3, 5))
    b = draw_field(compact, realization_rng(3, 5), chunk_bytes=chunk_bytes)
    assert b.dtype == np.float32 and b.shape == shape
    npt.assert_allclose(b, a, atol=1e-5)
    c = draw_field(compact, realization_rng(3, 6), out=np.empty(shape))
    assert np.max(np.abs(c - a)) > 0.1                  # another realization differs


def test_out_shape_is_checked():
    """A wrong output array is refused."""
    compact = compact_spectrum((4, 4, 4), (1.0, 1.0, 1.0), VARIOGRAM)
    with pytest.raises(KrigflowError, match="expected"):
        draw_field(compact, realization_rng(0, 0), out=np.empty((4, 4, 3)))
