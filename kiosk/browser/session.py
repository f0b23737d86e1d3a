"""One Chromium per visit, on a profile folder made for that visit, and its verified wipe.

Each visit gets a fresh folder (mkdtemp, 0700) in profile_root, a tmpfs (/run/pas-a-pas/
browser under systemd): Chromium's --user-data-dir, and also its HOME, TMPDIR and XDG
folders, so that nothing it writes (cache, NSS database, singleton socket, crash
reports) lands anywhere else. --password-store=basic keeps it away from a system keyring.

The browser runs in its own process group (start_new_session). Opening a second page
runs Chromium again with the same --user-data-dir: that second process hands the URL to
the running browser through the profile's singleton socket and exits. No remote debugging
port is ever opened. If the hand-over does not finish within open_timeout_s the browser
is taken as hung: its group is killed and it is started again on the same visit folder
(cookies of this visit kept). Chromium headless cannot take a hand-over; there the
browser is restarted on the same folder.

wipe(): SIGKILL to the group (nothing it would save is wanted) and to any process still
naming the folder, then the folder is deleted. is_empty(): no such process, no folder.

prestart(): right after a verified wipe, a browser for the next visitor on a NEW folder,
so that the visit's first site only has to be handed to it. Under sway it has no window
(--no-startup-window: the guide keeps the whole screen until a site opens); headless, it
shows the kiosk's blank page (assets/browse/ready.html), replaced over the DevTools pipe.
Refused unless the session is empty (is_empty): a folder or a process the wipe left can
never pass as the new visitor's browser.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

from kiosk.browser.guard import PageGuard, open_pipes, ready_url

log = logging.getLogger(__name__)

VISIT_PREFIX = "visit-"
# What Chromium needs from the kiosk's environment; the rest (and any DBus session) stays out.
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "XDG_SESSION_TYPE")
SITE_LANGUAGE = "fr"
KILL_WAIT_S = 2.0
# Chromium puts its singleton socket at $TMPDIR/org.chromium.Chromium.XXXXXX/SingletonSocket
# and aborts when that path exceeds a Unix socket's 107 bytes (seen: "Socket path too long").
SOCKET_PATH_MAX = 107
SOCKET_SUFFIX = len("/org.chromium.Chromium.XXXXXX/SingletonSocket")
NO_WINDOW = ""  # start(NO_WINDOW): the browser runs, ready for a hand-over, without a window


class BrowserError(Exception):
    """The browser cannot be started or reached; str() is one plain line for a log/doctor."""


def base_flags() -> list[str]:
    # The IME flags make Chromium tell sway (text-input-v3) when a field takes or loses
    # focus: that is how the on-screen keyboard knows when to show (kiosk/browser/osk_follow.py).
    # No --lang: Chromium on Linux ignores it (its language is LANGUAGE, see _child_env).
    return ["--ozone-platform=wayland", "--enable-wayland-ime", "--wayland-text-input-version=3",
            "--no-first-run", "--no-default-browser-check",
            "--password-store=basic", "--disable-breakpad", "--noerrdialogs", "--disable-session-crashed-bubble"]


def processes_naming(folder: str | Path) -> list[int]:
    """PIDs of every process whose command line names a path in folder (any group): the
    browser's own (--user-data-dir=…) and helpers such as a crash handler (--database=…)."""
    needle = os.fsencode(str(folder))
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if needle in cmdline:
            found.append(int(entry.name))
    return found


def group_members(pgid: int) -> list[int]:
    """PIDs of the processes of a process group (zombies included)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def process_state(pid: int) -> str | None:
    """The kernel's one-letter state (R, S, T stopped, Z zombie…), None when gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0].decode()
    except (OSError, IndexError):
        return None


def _pipes_at_3_and_4(reads: int, writes: int) -> None:
    """In the child before exec: the DevTools pipe where Chromium looks for it. Both are
    first moved above 9, so that one never overwrites the other on its way to 3 or 4."""
    high_reads, high_writes = fcntl.fcntl(reads, fcntl.F_DUPFD, 10), fcntl.fcntl(writes, fcntl.F_DUPFD, 10)
    os.dup2(high_reads, 3)  # os.dup2 makes the copies inheritable
    os.dup2(high_writes, 4)


class BrowserSession:
    def __init__(self, chromium: str, profile_root: Path, *, open_timeout_s: float = 10.0,
                 headless: bool = False, extra_flags: Sequence[str] = (), environ: dict | None = None,
                 preflight: Callable[[], str | None] | None = None, guard_extra: tuple[str, ...] | None = None,
                 blocked_url: str | None = None, page_language: Callable[[], str] | None = None):
        self.chromium = chromium
        self.profile_root = Path(profile_root)
        self.open_timeout_s = open_timeout_s
        self.headless = headless
        self.extra_flags = list(extra_flags)
        self._environ = dict(os.environ if environ is None else environ)
        # Asked before each start: a line saying why the browser must not start (the
        # managed policy missing or stale would leave every site open), or None.
        self._preflight = preflight
        self._lock = threading.RLock()
        self._proc: subprocess.Popen | None = None
        self._folder: Path | None = None
        self._expected_exit = False
        # What the browser started ahead shows (NO_WINDOW, or a blank page) until a site is.
        self._neutral: str | None = None
        # Started with no window, a browser does not end when its last window closes: the
        # guard tells that its pages are gone (page_closed) once one was seen.
        self._windowless = False
        self._page_seen = False
        # The kiosk's page for addresses outside the allow-list (kiosk/browser/guard.py):
        # on when guard_extra is given (the allow-list's extra filters, () for none).
        self._guard_extra = guard_extra
        self._blocked_url = blocked_url
        # The visit's language, for the kiosk's page in that language (the controller sets
        # it: kiosk/controller.py); asked each time a page is refused.
        self.page_language: Callable[[], str] = page_language or (lambda: "fr")
        self.guard: PageGuard | None = None

    # ----- state -------------------------------------------------------------------------
    @property
    def folder(self) -> Path | None:
        return self._folder

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None else None

    def running(self) -> bool:
        proc = self._proc
        return proc is not None and proc.poll() is None

    def wait_exit(self, timeout_s: float | None = None) -> int | None:
        """Wait for the browser to end; its exit status, or None if none is running / timeout."""
        proc = self._proc
        if proc is None:
            return None
        try:
            return proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def hung(self) -> bool:
        """Stopped (SIGSTOP, a debugger): alive but answering nothing. A zombie is not hung
        but dead (a crash the watcher reports): a SIGKILLed browser is "Z" for a moment
        before poll() sees it end, and was once taken for a hang here."""
        pid = self.pid
        return pid is not None and self.running() and process_state(pid) in ("T", "t")

    # ----- start and open ----------------------------------------------------------------
    def _new_folder(self) -> Path:
        try:
            self.profile_root.mkdir(parents=True, exist_ok=True, mode=0o700)
            folder = Path(tempfile.mkdtemp(prefix=VISIT_PREFIX, dir=self.profile_root))
        except OSError as e:
            raise BrowserError(f"cannot make a visit folder in {self.profile_root}: "
                               f"{e.strerror or type(e).__name__}") from None
        if len(os.fsencode(folder / "tmp")) + SOCKET_SUFFIX > SOCKET_PATH_MAX:
            shutil.rmtree(folder, ignore_errors=True)
            raise BrowserError(f"{self.profile_root} is too long a path for Chromium's socket: "
                               "set [browsing] profile_root to a short one (/run/pas-a-pas/browser)")
        for sub in ("home", "tmp", "cache", "config", "data"):
            (folder / sub).mkdir(mode=0o700)
        return folder

    def _child_env(self, folder: Path) -> dict[str, str]:
        env = {k: self._environ[k] for k in PASSED_ENV if k in self._environ}
        env.update(HOME=str(folder / "home"), TMPDIR=str(folder / "tmp"), XDG_CACHE_HOME=str(folder / "cache"),
                   XDG_CONFIG_HOME=str(folder / "config"), XDG_DATA_HOME=str(folder / "data"))
        # Chromium on Linux takes its own pages' language (« Ce site est inaccessible ») and
        # the one it asks sites for from LANGUAGE, not from --lang; French, as the official
        # sites are. It needs Debian's chromium-l10n, or it is English whatever is asked.
        env["LANGUAGE"] = SITE_LANGUAGE
        return env

    def _argv(self, folder: Path, url: str) -> list[str]:
        argv = [self.chromium, *base_flags(), f"--user-data-dir={folder / 'profile'}", *self.extra_flags]
        if self.headless:
            return [*argv, "--headless=new", url]
        if url == NO_WINDOW:
            return [*argv, "--no-startup-window"]
        return [*argv, f"--app={url}"]

    def _spawn(self, folder: Path, url: str, pipe_fds: tuple[int, int] | None = None) -> subprocess.Popen:
        argv = self._argv(folder, url)
        extra: dict = {}
        if pipe_fds is not None:
            argv.insert(1, "--remote-debugging-pipe")  # fds 3 (commands in) and 4 (events out)
            # subprocess closes the kept fds only after preexec_fn, and pass_fds keeps the
            # parent's numbers: put the pipes at 3 and 4 in the child, with close_fds off (every
            # other fd of the kiosk is non-inheritable, PEP 446, so none leaks).
            extra = {"close_fds": False, "preexec_fn": lambda: _pipes_at_3_and_4(*pipe_fds)}
        try:
            return subprocess.Popen(argv, env=self._child_env(folder), cwd=folder,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True, **extra)
        except OSError as e:
            raise BrowserError(f"cannot start {self.chromium}: {e.strerror or type(e).__name__}") from None

    def _spawn_guarded(self, folder: Path, url: str) -> subprocess.Popen:
        if self._guard_extra is None:
            return self._spawn(folder, url)
        child_fds, to_browser, from_browser = open_pipes()
        try:
            proc = self._spawn(folder, url, child_fds)
        except BrowserError:
            to_browser.close()
            from_browser.close()
            raise
        finally:
            for fd in child_fds:
                os.close(fd)
        self.guard = PageGuard(to_browser, from_browser, extra=self._guard_extra, blocked_url=self._blocked_url,
                               open_page=None if self.headless else lambda page: self._hand_over(folder, page),
                               language=lambda: self.page_language())
        self.guard.start()
        return proc

    def start(self, url: str) -> None:
        """Start the browser on url, on this visit's folder (made now if the visit has none)."""
        problem = self._preflight() if self._preflight is not None else None
        if problem:
            raise BrowserError(problem)
        if not self.headless:
            self._check_display()
        with self._lock:
            if self.running():
                self._kill_group()
            if self._folder is None:
                self._folder = self._new_folder()
            self._expected_exit = False
            self._neutral = None
            self._windowless, self._page_seen = url == NO_WINDOW and not self.headless, False
            self._proc = self._spawn_guarded(self._folder, url)
            log.info("browser started (pid %d)", self._proc.pid)

    def prestart(self, url: str | None = None) -> None:
        """A fresh browser for the next visitor, on a new visit folder: no window under sway,
        the blank page headless (or url). BrowserError when it cannot start, or when anything
        of a visit is still here."""
        with self._lock:
            if not self.is_empty():
                raise BrowserError("a visit's browser or folder is still there: not started ahead")
            neutral = url if url is not None else ready_url() if self.headless else NO_WINDOW
            if neutral == NO_WINDOW and self._guard_extra is None:
                # Seen under sway: with no window and no DevTools pipe, Chromium ends at once.
                raise BrowserError("no DevTools pipe (guard off): a browser with no window would end at once")
            try:
                self.start(neutral)
            except BrowserError:
                self.wipe()  # the folder made for it: the first site makes its own, as before
                raise
            self._neutral = neutral

    def page_closed(self) -> bool:
        """A browser started with no window is running but its site's pages are all closed
        (the visitor or the site closed the window): for the watcher, as if it had ended."""
        guard = self.guard
        if not self._windowless or self._neutral is not None or guard is None or not self.running():
            return False
        pages = guard.pages(self.open_timeout_s)
        if pages is None:
            return False  # not answering: hung() is the watcher's other question
        if pages:
            self._page_seen = True
        return self._page_seen and not pages

    @property
    def prestarted(self) -> bool:
        """A browser started ahead is running, and no site was shown in it yet."""
        return self._neutral is not None and self.running()

    def _check_display(self) -> None:
        """Without sway's socket Chromium would start and die at once, which would read as a
        crash (« Rouvrir la page ») when the truth is that no browser can open here."""
        display, runtime = self._environ.get("WAYLAND_DISPLAY"), self._environ.get("XDG_RUNTIME_DIR")
        socket = Path(display) if display and display.startswith("/") else (
            Path(runtime) / display if display and runtime else None)
        if socket is None or not socket.is_socket():
            raise BrowserError("no Wayland display (WAYLAND_DISPLAY): sway is not running")

    def _hand_over(self, folder: Path, url: str) -> None:
        """The guard's page, as an --app window of the running browser (its own thread)."""
        try:
            helper = self._spawn(folder, url)
            helper.wait(self.open_timeout_s)
        except subprocess.TimeoutExpired:
            helper.kill()
            helper.wait()
        except BrowserError as e:
            log.warning("browser: the kiosk's page could not be opened: %s", e)

    def open(self, url: str) -> str:
        """Show url: in the running browser if there is one, else in a new one.

        Returns what was done: "started", "handed over", "shown in the pre-started browser"
        (headless, with the guard), "restarted" (headless, or the hand-over was refused) or
        "restarted after a hang". A pre-started browser's neutral page is closed once the
        site is there (by the guard, when there is one)."""
        with self._lock:
            neutral, self._neutral = self._neutral, None
            self._page_seen = False  # page_closed() waits for this page to be seen
            if not self.running() or self._folder is None:
                self.start(url)
                return "started"
            if self.hung():
                log.warning("browser stopped answering: killed and started again")
                self.start(url)
                return "restarted after a hang"
            if self.headless:
                guard = self.guard
                if neutral is not None and guard is not None and guard.show_instead(neutral, url, self.open_timeout_s):
                    return "shown in the pre-started browser"
                self.start(url)
                return "restarted"
            helper = self._spawn(self._folder, url)
            guard = self.guard
        try:
            status = helper.wait(self.open_timeout_s)
        except subprocess.TimeoutExpired:
            helper.kill()
            helper.wait()
            log.warning("browser did not take the page within %.0f s: killed and started again",
                        self.open_timeout_s)
            self.start(url)
            return "restarted after a hang"
        if status != 0:
            log.warning("browser refused the hand-over (exit %s): started again", status)
            self.start(url)
            return "restarted"
        if neutral and guard is not None:
            guard.close_pages(neutral, self.open_timeout_s)  # a blank page it was started on
        return "handed over"

    # ----- wipe --------------------------------------------------------------------------
    def _kill_group(self) -> None:
        proc = self._proc
        if proc is None:
            return
        self._expected_exit = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(KILL_WAIT_S)
        except subprocess.TimeoutExpired:
            log.error("browser pid %d did not end after SIGKILL", proc.pid)

    @property
    def exit_expected(self) -> bool:
        """True when the last exit was the kiosk's doing (wipe or restart), not a crash."""
        return self._expected_exit

    def _group_alive(self) -> bool:
        """A live (non-zombie) process is left in the browser's group. Zombies are dead: they
        hold no memory and no file, and after SIGKILL the renderers, reparented to PID 1,
        stay zombies until it reaps them (1.6 s seen in a container; systemd reaps at once)."""
        proc = self._proc
        if proc is None:
            return False
        return any(state not in (None, "Z", "X") for state in map(process_state, group_members(proc.pid)))

    def wipe(self) -> None:
        """End the browser's whole group, anything else using the folder, then delete it."""
        with self._lock:
            self._neutral = None
            self._kill_group()
            deadline = time.monotonic() + KILL_WAIT_S
            while self._group_alive() and time.monotonic() < deadline:
                time.sleep(0.02)  # children reparented to init end just after the leader
            folders = [self._folder] if self._folder is not None else []
            folders += self.leftover_folders()
            for folder in dict.fromkeys(folders):
                for pid in processes_naming(f"{folder}/"):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                shutil.rmtree(folder, ignore_errors=True)
            if self._proc is not None and self._proc.poll() is not None:
                self._proc = None
            if self._folder is not None and not self._folder.exists():
                self._folder = None

    def leftover_folders(self) -> list[Path]:
        """Visit folders in profile_root (a crashed kiosk may have left some)."""
        try:
            return sorted(p for p in self.profile_root.iterdir() if p.name.startswith(VISIT_PREFIX))
        except OSError:
            return []

    def is_empty(self) -> bool:
        """No browser of ours, no visit folder, no process using any folder in profile_root."""
        if self._proc is not None or self._folder is not None or self._group_alive():
            return False
        return not self.leftover_folders() and not processes_naming(f"{self.profile_root}/")
