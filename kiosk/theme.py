"""Colours and sizes, computed in millimetres of the real screen.

CONTENT_GUIDE numbers: touch targets at least 15 mm with 3 mm between them, body text
at least 4.8 mm tall (capital height), contrast 7:1 for text and 3:1 for controls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kiosk.config import ASSETS_DIR

FONTS_DIR = ASSETS_DIR / "fonts"
FONT_REGULAR = str(FONTS_DIR / "AtkinsonHyperlegible-Regular.ttf")
FONT_BOLD = str(FONTS_DIR / "AtkinsonHyperlegible-Bold.ttf")


def font_path(file_name: str) -> str:
    """A font of assets/fonts by its file name (kiosk.languages names them so)."""
    return str(FONTS_DIR / file_name)
# Capital height over font size for Atkinson Hyperlegible (sCapHeight 668 / unitsPerEm 1000
# in its OS/2 table); a screen test measures the rendered height to keep this honest.
CAP_HEIGHT_RATIO = 0.67

MIN_TARGET_MM = 15.0
MIN_GAP_MM = 3.0
MIN_BODY_CAP_MM = 4.8
TEXT_SCALES = (1.0, 1.25, 1.5)

# Deliberately not the State's palette (DSFR blue/red are reserved to State services).
COLOURS = {
    "background": (1.0, 1.0, 1.0),
    "text": (0.10, 0.10, 0.10),
    "muted_text": (0.25, 0.25, 0.25),
    "primary": (0.0, 0.35, 0.30),        # deep teal, white text on it
    "on_primary": (1.0, 1.0, 1.0),
    "secondary": (0.90, 0.93, 0.92),     # light button, dark text
    "on_secondary": (0.10, 0.10, 0.10),
    "help": (0.55, 0.16, 0.0),           # the « Appeler un conseiller » button
    "on_help": (1.0, 1.0, 1.0),
    "border": (0.30, 0.30, 0.30),
    "warning_bg": (1.0, 0.95, 0.80),
    "error_text": (0.60, 0.0, 0.0),
    "success_text": (0.0, 0.30, 0.25),
    "bar": (0.93, 0.95, 0.94),
}
TEXT_PAIRS = (("text", "background"), ("muted_text", "background"), ("error_text", "background"),
              ("success_text", "background"), ("on_primary", "primary"),
              ("on_secondary", "secondary"), ("on_help", "help"), ("text", "warning_bg"),
              ("text", "bar"))
CONTROL_PAIRS = (("primary", "background"), ("help", "background"), ("border", "background"),
                 ("border", "secondary"))


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class Metrics:
    """Pixel sizes for a window of width x height pixels on a screen of diagonal_in inches."""

    px_per_mm: float
    text_scale: float = 1.0

    @classmethod
    def for_screen(cls, width_px: int, height_px: int, diagonal_in: float, text_scale: float = 1.0) -> "Metrics":
        return cls(math.hypot(width_px, height_px) / (diagonal_in * 25.4), text_scale)

    def mm(self, value_mm: float) -> float:
        return value_mm * self.px_per_mm

    @property
    def target_px(self) -> float:
        return math.ceil(self.mm(MIN_TARGET_MM * 1.2))

    @property
    def gap_px(self) -> float:
        return math.ceil(self.mm(MIN_GAP_MM * 1.5))

    @property
    def body_px(self) -> float:
        return math.ceil(self.mm(MIN_BODY_CAP_MM) / CAP_HEIGHT_RATIO * 1.05 * self.text_scale)

    @property
    def title_px(self) -> float:
        return math.ceil(self.body_px * 1.45)

    @property
    def small_px(self) -> float:
        # Secondary labels (progress) stay at the body minimum, never below it.
        return self.body_px

    @property
    def big_number_px(self) -> float:
        return math.ceil(self.body_px * 3)
