"""The guide's share of the screen beside the site, following the visitor's text size.

sway gives the guide 40 % of the width (systemd/sway/pas-a-pas.conf). At 1.5× that column
(512 px on a 1280×800 screen) has the top bar in two rows of two, and the step kept 85 px of
text: two lines. A visitor who asks for larger text gets a wider guide: 45 % at 1.25×, 50 % at
1.5×; the site keeps the rest. sway is told through its IPC (swaymsg), on a thread of its own
with a deadline, never on the UI thread.

sway's config sizes each new site window (`for_window … resize set width 60 ppt`) when it
maps, which can come after the browser reported the page open: so the worker applies the
width, then reads the tree until it holds (or gives up at the deadline, one log line).
"""

from __future__ import annotations

import json
import logging
import subprocess
import threading
import time

log = logging.getLogger(__name__)

GUIDE_SHARE_PPT = (40, 45, 50)  # of the screen's width, by text size (kiosk.theme.TEXT_SCALES)
SETTLE_S = 5.0  # how long a width is re-applied until the tree shows it
POLL_S = 0.25
COMMAND_TIMEOUT_S = 2.0


class ColumnWidths:
    def __init__(self, socket: str, *, swaymsg: str = "swaymsg", settle_s: float = SETTLE_S):
        self.socket = socket
        self.swaymsg = swaymsg
        self.settle_s = settle_s
        self._wanted = 0  # index into GUIDE_SHARE_PPT
        self._applied: int | None = None
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._complained = False
        self._expect_site = False  # a site window is on its way: wait for it to map

    def follow(self, scale_index: int) -> None:
        """The visit's text size (UI thread: records it, the worker does the rest)."""
        index = min(max(scale_index, 0), len(GUIDE_SHARE_PPT) - 1)
        with self._wake:
            if index == self._wanted and self._applied == index:
                return
            self._wanted = index
            self._wake.notify()
        self._ensure_thread()

    def site_shown(self) -> None:
        """A site's window was (or is about to be) mapped: sway's config sized it at 60 %."""
        with self._wake:
            self._applied, self._expect_site = None, True
            self._wake.notify()
        self._ensure_thread()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(COMMAND_TIMEOUT_S * 2)

    # ----- the worker ----------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sway-columns", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._closed and self._applied == self._wanted:
                    self._wake.wait()
                if self._closed:
                    return
                index = self._wanted
            self._settle(index)
            with self._wake:
                if self._wanted == index:  # else a newer size waits: the loop takes it
                    self._applied = index

    def _settle(self, index: int) -> None:
        """Apply the width until the tree shows it, the size changes again, or the deadline
        passes. No site column: nothing to size (the next site_shown() comes back), unless
        site_shown() said one is coming: then it is waited for, up to the deadline."""
        share = GUIDE_SHARE_PPT[index]
        deadline = time.monotonic() + self.settle_s
        while True:
            width = self._site_share()
            if width is None and not (self._expect_site and time.monotonic() < deadline):
                return
            if width is None:
                with self._wake:
                    if self._closed or self._wanted != index:
                        return
                    self._wake.wait(POLL_S)
                continue
            self._expect_site = False
            if abs(width - (100 - share)) <= 1:
                log.info("guide column at %d %% of the screen", share)
                return
            if time.monotonic() > deadline:
                self._complain(f"the site column stayed at {width:.0f} % of the screen, not {100 - share} %")
                return
            self._command(f'[con_mark="site"] resize set width {100 - share} ppt')
            with self._wake:
                if self._closed or self._wanted != index:
                    return
                self._wake.wait(POLL_S)

    def _site_share(self) -> float | None:
        """The site column's width in % of its output, or None when there is none."""
        out = self._command(None)
        if out is None:
            return None
        try:
            tree = json.loads(out)
        except ValueError:
            return None
        found = _marked(tree, "site", None)
        if found is None:
            return None
        node, output = found
        return 100 * node["rect"]["width"] / max(output["rect"]["width"], 1)

    def _command(self, command: str | None) -> str | None:
        args = [self.swaymsg, "-s", self.socket] + (["-t", "get_tree"] if command is None else [command])
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as e:
            self._complain(f"swaymsg did not answer: {type(e).__name__}")
            return None
        if done.returncode != 0:
            self._complain(f"swaymsg refused {'get_tree' if command is None else 'the resize'} "
                           f"(exit {done.returncode})")
            return None
        return done.stdout

    def _complain(self, line: str) -> None:
        # Once: a sway that refuses would otherwise fill the journal at every text size.
        if not self._complained:
            self._complained = True
            log.warning("guide column width: %s", line)


def _marked(node: dict, mark: str, output: dict | None) -> tuple[dict, dict] | None:
    if node.get("type") == "output":
        output = node
    if mark in node.get("marks", ()) and output is not None:
        return node, output
    for child in node.get("nodes", []) + node.get("floating_nodes", []):
        found = _marked(child, mark, output)
        if found is not None:
            return found
    return None
