"""The accessibility numbers of CONTENT_GUIDE.md, checked on the palette and sizes."""

import pytest

from kiosk import theme


@pytest.mark.parametrize("fg, bg", theme.TEXT_PAIRS)
def test_text_contrast_is_at_least_7_to_1(fg, bg):
    assert theme.contrast_ratio(theme.COLOURS[fg], theme.COLOURS[bg]) >= 7.0


@pytest.mark.parametrize("fg, bg", theme.CONTROL_PAIRS)
def test_control_contrast_is_at_least_3_to_1(fg, bg):
    assert theme.contrast_ratio(theme.COLOURS[fg], theme.COLOURS[bg]) >= 3.0


def test_contrast_formula_matches_wcag_reference_values():
    assert theme.contrast_ratio((0, 0, 0), (1, 1, 1)) == pytest.approx(21.0)
    assert theme.contrast_ratio((0.4627, 0.4627, 0.4627), (1, 1, 1)) == pytest.approx(4.54, abs=0.02)


@pytest.mark.parametrize("size, diagonal",
                         [((1280, 800), 15.6), ((1920, 1080), 15.6), ((1920, 1080), 21.5), ((800, 480), 7)])
def test_targets_and_text_meet_the_millimetre_minimums(size, diagonal):
    m = theme.Metrics.for_screen(*size, diagonal)
    assert m.target_px / m.px_per_mm >= theme.MIN_TARGET_MM
    assert m.gap_px / m.px_per_mm >= theme.MIN_GAP_MM
    assert m.body_px * theme.CAP_HEIGHT_RATIO / m.px_per_mm >= theme.MIN_BODY_CAP_MM
