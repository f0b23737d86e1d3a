"""The kiosk's own page for an address outside the allow-list, instead of Chromium's.

Chromium's managed policy refuses the address before any request is made and shows its
own error page (ERR_BLOCKED_BY_ADMINISTRATOR). No policy replaces that page, and the
DevTools protocol cannot attach to a page while DeveloperToolsAvailability = 2 (it answers
« Not allowed »). What still works, over --remote-debugging-pipe (two file descriptors the
kiosk holds; no port is opened), is the browser-level Target domain: it reports each
page's address as it changes, opens a page and closes one. So the guard watches the pages;
a page whose address is not browsable is replaced by the kiosk's page
(assets/browse/blocked-<lang>.html, a file:// page the policy allows), and closed. The page
is the one of the visit's language at that moment (asked of the controller each time: the
visitor may switch language with the site open), French when that language has no page.

Addresses are never logged: a query string may hold what the visitor typed on the site.
"""

from __future__ import annotations

import html
import json
import logging
import os
import threading
from pathlib import Path
from typing import BinaryIO, Callable
from urllib.parse import quote, urlsplit

from kiosk.browser.allowlist import is_browsable
from kiosk.config import ASSETS_DIR
from kiosk.languages import CODES, DEFAULT

log = logging.getLogger(__name__)

PAGES_DIR = ASSETS_DIR / "browse"
READY_PAGE = "ready.html"
PAGE_KEYS = ("browse.blocked_title", "browse.blocked_text", "browse.blocked_back")
# The page's one script: the way back is the official site the refused page came from,
# given after "#" (an origin only: no path, no query, nothing the visitor typed).
BACK_SCRIPT = ("const back = decodeURIComponent(location.hash.slice(1));"
               "if (/^https:\\/\\/[a-z0-9.-]+\\/$/.test(back)) { document.getElementById('back').href = back; }"
               "else { document.getElementById('back').style.display = 'none'; }")


def page_url(language: str = "fr", pages_dir: Path = PAGES_DIR) -> str:
    return (pages_dir / f"blocked-{language}.html").as_uri()


def page_for(language: str, pages_dir: Path = PAGES_DIR) -> str:
    """The kiosk's page in language: French's when that language has none (or is unknown)."""
    if language in CODES and (pages_dir / f"blocked-{language}.html").is_file():
        return page_url(language, pages_dir)
    return page_url(DEFAULT, pages_dir)


def ready_url(pages_dir: Path = PAGES_DIR) -> str:
    """The neutral page a browser started ahead of the next visitor shows (no text, no
    script): in the kiosk's pages folder, the one file:// folder the policy allows."""
    return (pages_dir / READY_PAGE).as_uri()


def pages_filter(pages_dir: Path = PAGES_DIR) -> str:
    """The URLAllowlist entry for the kiosk's own pages (that folder only)."""
    return pages_dir.as_uri() + "/"


def render_page(t: Callable[[str], str], language: str = "fr", direction: str = "ltr") -> str:
    """The blocked page, in the visit's words: a title and two lines, large, no script."""
    title, text, back = (html.escape(t(key)) for key in PAGE_KEYS)
    return (f'<!doctype html>\n<html lang="{language}" dir="{direction}"><meta charset="utf-8">\n'
            f"<title>{title}</title>\n"
            '<body style="font-family: Atkinson Hyperlegible, sans-serif; font-size: 28px; margin: 48px; '
            'background: #fff; color: #1a1a1a">\n'
            f"<h1>{title}</h1>\n<p>{text}</p>\n"
            '<p><a id="back" style="display: inline-block; padding: 24px 36px; background: #005a50; color: #fff; '
            f'text-decoration: none; border-radius: 8px">{back}</a></p>\n'
            f"<script>{BACK_SCRIPT}</script>\n</body></html>\n")


class PageGuard:
    """Reads the browser's DevTools pipe on a thread of its own; ends when the pipe closes
    (the browser ended or was killed)."""

    def __init__(self, to_browser: BinaryIO, from_browser: BinaryIO, *, extra: tuple[str, ...] = (),
                 blocked_url: str | None = None, open_page: Callable[[str], None] | None = None,
                 language: Callable[[], str] | None = None):
        self._out, self._in = to_browser, from_browser
        # How the kiosk's page is opened. Target.createTarget from an --app browser opens a
        # normal window, address bar included (seen under sway: app_id "chromium"), so on
        # screen the session hands the page over as --app=… instead; headless has no windows.
        self._open_page = open_page
        self.extra = extra
        self._fixed_url = blocked_url  # one page whatever the language (None: by language)
        self._language = language  # the visit's language now, asked on the guard's thread
        self.ready_url = ready_url()
        self.replaced = 0  # pages replaced by the kiosk's page (a count: no address kept)
        self._origins: dict[str, str] = {}  # page -> origin of its last allowed address
        self._last_origin = ""
        self._next_id = 0
        self._answers: dict[int, dict] = {}
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="browser-guard", daemon=True)

    def start(self) -> None:
        self._send("Target.setDiscoverTargets", {"discover": True})
        self._thread.start()

    def wait_replaced(self, count: int, timeout_s: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.replaced >= count, timeout_s)

    def _send(self, method: str, params: dict) -> int:
        with self._changed:
            self._next_id += 1
            number = self._next_id
            try:
                self._out.write(json.dumps({"id": number, "method": method, "params": params}).encode() + b"\0")
            except (OSError, ValueError):
                pass  # the browser has gone: the watcher reports it
        return number

    def _ask(self, method: str, params: dict, timeout_s: float) -> dict | None:
        """Send a command and wait for its answer (None if the browser does not answer)."""
        number = self._send(method, params)
        with self._changed:
            if not self._changed.wait_for(lambda: number in self._answers, timeout_s):
                return None
            return self._answers.pop(number)

    def _page_infos(self, timeout_s: float) -> list[dict] | None:
        answer = self._ask("Target.getTargets", {}, timeout_s)
        if answer is None:
            return None
        return [info for info in answer.get("result", {}).get("targetInfos", []) if info.get("type") == "page"]

    def pages(self, timeout_s: float = 10.0) -> list[str] | None:
        """The addresses of the browser's pages now (None if it does not answer)."""
        infos = self._page_infos(timeout_s)
        return None if infos is None else [info.get("url", "") for info in infos]

    def close_pages(self, url: str, timeout_s: float = 10.0) -> int:
        """Close the pages showing url (the neutral page once the site is there); how many."""
        infos = self._page_infos(timeout_s) or []
        targets = [info.get("targetId", "") for info in infos if info.get("url", "").split("#")[0] == url]
        for target in targets:
            self._send("Target.closeTarget", {"targetId": target})
        return len(targets)

    def show_instead(self, old_url: str, new_url: str, timeout_s: float = 10.0) -> bool:
        """Headless only (from an --app browser it would open a window with an address bar):
        open new_url as a page of this browser, then close the pages showing old_url."""
        answer = self._ask("Target.createTarget", {"url": new_url}, timeout_s)
        if answer is None or "error" in answer:
            return False
        self.close_pages(old_url, timeout_s)
        return True

    def _messages(self):
        buffer = b""
        while True:
            try:
                chunk = self._in.read(65536)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            buffer += chunk
            *whole, buffer = buffer.split(b"\0")
            for raw in whole:
                try:
                    yield json.loads(raw)
                except ValueError:
                    continue

    def _run(self) -> None:
        for message in self._messages():
            if message.get("method") in ("Target.targetCreated", "Target.targetInfoChanged"):
                self._check(message.get("params", {}).get("targetInfo", {}))
            elif message.get("method") is None and message.get("id") is not None:
                with self._changed:
                    self._answers[message["id"]] = message
                    self._answers.pop(message["id"] - 50, None)  # answers nobody waits for
                    self._changed.notify_all()
        for stream in (self._out, self._in):
            try:
                stream.close()
            except OSError:
                pass

    def page(self) -> str:
        """The kiosk's page for a refused address now, in the visit's language."""
        if self._fixed_url:
            return self._fixed_url
        try:
            code = self._language() if self._language is not None else DEFAULT
        except Exception:  # the visit's language cannot be told: the reference page
            log.exception("browser: the visit's language for the kiosk's page")
            code = DEFAULT
        return page_for(code)

    def _own(self, url: str) -> bool:
        """One of the kiosk's pages (any language: one left open after a language switch)."""
        page = url.split("#")[0]
        return page == self._fixed_url or page.startswith(pages_filter())

    def _refused(self, url: str) -> bool:
        if not url or self._own(url) or url == "about:blank" or url.startswith("chrome-error:"):
            return False
        return not is_browsable(url, self.extra)

    def _check(self, info: dict) -> None:
        url, target = info.get("url", ""), info.get("targetId", "")
        if info.get("type") != "page":
            return
        if not self._refused(url):
            parts = urlsplit(url)
            if parts.scheme == "https" and parts.hostname and is_browsable(url, self.extra):
                self._origins[target] = self._last_origin = f"https://{parts.hostname}/"
            return
        back = self._origins.pop(target, self._last_origin)
        page = self.page() + ("#" + quote(back, safe="") if back else "")
        if self._open_page is not None:
            self._open_page(page)
        else:
            self._send("Target.createTarget", {"url": page})
        self._send("Target.closeTarget", {"targetId": target})
        log.info("browser: a page outside the allow-list was replaced by the kiosk's page")
        with self._changed:
            self.replaced += 1
            self._changed.notify_all()


def open_pipes() -> tuple[tuple[int, int], BinaryIO, BinaryIO]:
    """((fd the browser reads, fd it writes), kiosk's writer, kiosk's reader)."""
    browser_reads, kiosk_writes = os.pipe()
    kiosk_reads, browser_writes = os.pipe()
    return ((browser_reads, browser_writes), os.fdopen(kiosk_writes, "wb", buffering=0),
            os.fdopen(kiosk_reads, "rb", buffering=0))


def write_pages(pages_dir: Path = PAGES_DIR, languages: tuple[str, ...] = CODES) -> list[Path]:
    """assets/browse/blocked-<lang>.html from the catalogs, one per language the kiosk speaks
    (kept in step by tests/browser/test_blocked_page.py): static files, so that the policy
    allows one folder. Each is marked with its language and direction (dir="rtl" in Arabic)."""
    from kiosk.i18n import Catalog
    from kiosk.languages import BY_CODE

    written = []
    for code in languages:
        path = pages_dir / f"blocked-{code}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_page(Catalog(code), code, BY_CODE[code].direction), encoding="utf-8")
        written.append(path)
    return written
