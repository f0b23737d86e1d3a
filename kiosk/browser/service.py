"""The browser service the controller talks to: submit a page, get a report back.

Like the printer: submit() returns at once, one worker thread does the slow part
(starting Chromium, handing a page over) and reports to listeners on that thread (the
controller posts them to the UI thread). The same thread watches the browser between
requests: a browser that ended without the kiosk asking is reported "crashed" (the guide
offers « Rouvrir la page »); a stopped one is killed and started again on the same page.

wipe() (at reset, from the wipe registry) forgets queued pages and wipes the session;
a page that was being opened while the wipe ran is wiped again when it returns.

prestart() (once the reset's wipe is verified) asks the worker for a fresh browser on a new
visit folder (no window under sway; a blank page headless), so that the next visitor's
first site is only handed to it. Its failure changes nothing a visitor sees: one log line,
and the first site starts the browser as before. Started with no window, the browser
outlives its last window: the watcher also asks whether the site's pages are gone.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Literal

from kiosk.browser.allowlist import is_browsable
from kiosk.browser.session import BrowserError, BrowserSession

if TYPE_CHECKING:
    from kiosk.browser.columns import ColumnWidths

log = logging.getLogger(__name__)

WATCH_INTERVAL_S = 1.0
Status = Literal["open", "crashed", "unavailable"]


@dataclass(frozen=True)
class BrowserReport:
    status: Status
    url: str | None
    detail: str = ""  # one plain line for the log (never shown to a visitor)


class BrowserService:
    def __init__(self, session: BrowserSession, *, extra: tuple[str, ...] = (),
                 watch_interval_s: float = WATCH_INTERVAL_S, columns: ColumnWidths | None = None):
        self.session = session
        self.extra = extra
        self.columns = columns  # under sway: the guide's width follows the text size
        self._watch_interval_s = watch_interval_s
        # (generation, url): a page to show; url None: start a browser ahead (prestart).
        self._jobs: queue.Queue[tuple[int, str | None] | None] = queue.Queue()
        self._listeners: list[Callable[[BrowserReport], None]] = []
        self._lock = threading.Lock()
        self._generation = 0
        self._url: str | None = None  # the page the running browser was asked for
        self._crash_reported = False
        self._worker: threading.Thread | None = None

    def add_listener(self, listener: Callable[[BrowserReport], None]) -> None:
        self._listeners.append(listener)

    def _report(self, report: BrowserReport) -> None:
        if report.detail:
            log.info("browser %s: %s", report.status, report.detail)
        for listener in list(self._listeners):
            try:
                listener(report)
            except Exception:
                log.exception("browser listener failed")

    def start(self) -> None:
        if self._worker is None:
            self.session.wipe()  # visit folders a stopped kiosk left behind
            self._worker = threading.Thread(target=self._run, name="browser", daemon=True)
            self._worker.start()

    def submit(self, url: str) -> bool:
        """Ask for url to be shown; False (nothing done) when it is not an allowed site."""
        if not is_browsable(url, self.extra):
            log.warning("browser: a page outside the allow-list was refused")
            return False
        self.start()
        with self._lock:
            self._jobs.put((self._generation, url))
        return True

    def prestart(self) -> None:
        """A fresh browser for the next visitor, started on the worker (never the UI thread)."""
        self.start()
        with self._lock:
            self._jobs.put((self._generation, None))

    # ----- worker ------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self._watch_interval_s)
            except queue.Empty:
                self._watch()
                continue
            if job is None:
                return
            if job[1] is None:
                self._prestart(job[0])
            else:
                self._open(*job)

    def _prestart(self, generation: int) -> None:
        with self._lock:
            if generation != self._generation or self._url is not None:
                return  # a reset ran since, or a page was asked for first
        try:
            self.session.prestart()
        except BrowserError as e:
            log.warning("browser not started ahead of the next visitor: %s", e)
            return
        with self._lock:
            stale = generation != self._generation
        if stale:
            self.session.wipe()  # a reset ran meanwhile: its own prestart follows

    def _open(self, generation: int, url: str) -> None:
        with self._lock:
            if generation != self._generation:
                return  # asked for by a visitor who has gone
        try:
            how = self.session.open(url)
        except BrowserError as e:
            self._report(BrowserReport("unavailable", url, str(e)))
            return
        with self._lock:
            if generation != self._generation:
                stale = True
            else:
                stale, self._url, self._crash_reported = False, url, False
        if stale:
            self.session.wipe()  # the reset ran meanwhile: this browser belongs to nobody
            return
        self._report(BrowserReport("open", url, how))

    def _watch(self) -> None:
        session = self.session
        with self._lock:
            url, generation = self._url, self._generation
        if url is None:
            return
        if session.hung():
            self._open(generation, url)  # open() kills a stopped browser and starts it again
        elif not session.running() and not session.exit_expected and not self._crash_reported:
            self._crash_reported = True
            self._report(BrowserReport("crashed", url, "the browser ended by itself"))
        elif not self._crash_reported and session.page_closed():
            self._crash_reported = True  # started with no window, it outlives its last one
            self._report(BrowserReport("crashed", url, "the site's window closed"))

    def reopen(self) -> bool:
        """« Rouvrir la page »: the last page again (the visit folder and its cookies kept)."""
        url = self._url
        return url is not None and self.submit(url)

    # ----- wipe and close ------------------------------------------------------------------
    def wipe(self) -> None:
        with self._lock:
            self._generation += 1
            self._url, self._crash_reported = None, False
            while True:
                try:
                    self._jobs.get_nowait()
                except queue.Empty:
                    break
        self.session.wipe()

    def is_empty(self) -> bool:
        return self._url is None and self._jobs.empty() and self.session.is_empty()

    def close(self) -> None:
        self.wipe()
        if self.columns is not None:
            self.columns.close()
        if self._worker is not None:
            self._jobs.put(None)
            self._worker.join(5)
