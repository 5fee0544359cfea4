"""tests/frontend/pixels.py: the helpers the page audits read colours with."""

import pytest

from scripts.make_icons import png
from tests.frontend.pixels import contrast, png_pixels


def test_a_png_reads_back_as_its_pixels():
    rows = [bytes([10, 20, 30, 255, 200, 100, 0, 128]), bytes([0, 0, 0, 0, 255, 255, 255, 255])]

    assert png_pixels(png(rows)) == (
        2,
        2,
        [bytes([10, 20, 30, 200, 100, 0]), bytes(3) + b"\xff" * 3],
    )


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [((255, 255, 255), (0, 0, 0), 21.0), ((255, 255, 255), (0x76, 0x76, 0x76), 4.54)],
)
def test_contrast_is_wcags_ratio(a, b, ratio):
    assert contrast(a, b) == pytest.approx(ratio, abs=0.01)
    assert contrast(b, a) == contrast(a, b)
