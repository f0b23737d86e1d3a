"""Bare Kivy, no app: does resident memory grow when labels are re-rendered every frame?

Ten Labels get a new text every frame for --frames frames; resident memory (after
malloc_trim) is printed every 500 frames. --fresh drops the label's texture before each
render (what screens/widgets.py FreshTexture does), otherwise Kivy uploads into it.
Run it twice, with and without a display, to tell the window's memory from the app's
(bench/soak.py's docstring has the figures):

    .venv/bin/python bench/offscreen_memory.py [--fresh]                  # SDL offscreen
    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python bench/offscreen_memory.py [--fresh]
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os

os.environ.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_USE_DEFAULTCONFIG="1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fresh", action="store_true", help="a new texture for every render")
    parser.add_argument("--frames", type=int, default=3000)
    args = parser.parse_args()
    import psutil
    from kivy.base import EventLoop
    from kivy.uix.label import Label

    EventLoop.ensure_window()
    labels = [Label(text="x", font_size=30, size=(600, 60), pos=(0, i * 60)) for i in range(10)]
    for label in labels:
        EventLoop.window.add_widget(label)
    process = psutil.Process()
    where = "display " + os.environ["DISPLAY"] if os.environ.get("DISPLAY") else "offscreen"
    print(f"window: {where}; {'new texture per render' if args.fresh else 'texture reused'}")
    for frame in range(args.frames + 1):
        for i, label in enumerate(labels):
            if args.fresh and label._label is not None:
                label._label.texture = None
            label.text = f"Bonjour {frame} {i} " + "é" * (frame % 5)
            label.texture_update()
        EventLoop.idle()
        if frame % 500 == 0:
            gc.collect()
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            print(f"frame {frame:5d}: rss {process.memory_info().rss / 2**20:6.1f} MiB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
