"""Figures for speech mode and magnification, run by hand:
.venv/bin/python bench/speech_bench.py

1. Cap height of a capital H at each text size, in mm on the configured screen (the
   glyph's ink box from the shipped font at the px size theme.Metrics gives), against
   the 0.7° of view asked for at 600 mm (issue 14: 2 × 600 × tan 0.35° = 7.33 mm).
2. How long espeak-ng speaks what plays without being asked (the attract invitation, the
   idle warning's question), and what a full screen takes, at the default voice.
"""

import math
import subprocess
import tempfile
import wave
from pathlib import Path

from PIL import ImageFont

from kiosk import i18n, theme
from kiosk.config import Config
from kiosk.speech import DEFAULT_RATE, DEFAULT_VOLUME
from kiosk.speech_text import normalise


def cap_heights() -> None:
    d = Config().display
    distance_mm = d.viewing_distance_mm
    px_per_mm = math.hypot(d.window_width_px, d.window_height_px) / (d.diagonal_in * 25.4)
    need = 2 * distance_mm * math.tan(math.radians(0.35))
    print(f"screen {d.window_width_px}x{d.window_height_px} {d.diagonal_in} in: {px_per_mm:.3f} px/mm; "
          f"H needed at {distance_mm} mm: {need:.2f} mm")
    for scale in theme.TEXT_SCALES:
        m = theme.Metrics.for_screen(d.window_width_px, d.window_height_px, d.diagonal_in, scale)
        for name, px, font in (("body", m.body_px, theme.FONT_REGULAR), ("title", m.title_px, theme.FONT_BOLD)):
            box = ImageFont.truetype(font, int(px)).getbbox("H")
            cap_mm = (box[3] - box[1]) / px_per_mm
            print(f"  scale {scale}: {name} {px} px, H {box[3] - box[1]} px = {cap_mm:.2f} mm "
                  f"{'OK' if cap_mm >= need else 'SHORT'}")


def spoken_seconds(text: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", "fr", "-a", str(DEFAULT_VOLUME), "-s", str(DEFAULT_RATE),
                        "--stdin", "-w", str(wav)], input=normalise(text).encode(), check=True)
        with wave.open(str(wav)) as w:
            return w.getnframes() / w.getframerate()


def durations() -> None:
    t = i18n.Catalog("fr")
    for key in ("speech.invite", "idle.question", "summary.help_line"):
        print(f"  {key}: {spoken_seconds(t(key)):.2f} s")
    warning = t("idle.question") + " " + t("idle.countdown", count=30, seconds=30)
    print(f"  idle question + countdown: {spoken_seconds(warning):.2f} s")


if __name__ == "__main__":
    cap_heights()
    durations()
