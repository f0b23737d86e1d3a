"""The kiosk's side of signed content updates: python-tuf's ngclient Updater, then a safe swap.

Under [kiosk] data_dir/updates/:

    metadata/         TUF's trusted metadata (first trust: [updates] trusted_root, shipped with the install)
    downloads/        verified pack archives (TUF writes a file only once its length and hash match)
    packs/<sha12>/    one extracted pack each: content/ and pack.json (version, sha256, signed_at)
    current           symlink to the pack in use          ─┐ each replaced by os.replace of a new
    previous          symlink to the last good one before  ├ symlink: a reader sees the old or
    pending           symlink to a validated pack waiting  ┘ the new target, never neither
    status.json       the last check (result, one line, when) for `kiosk doctor` and the metrics

A check (`check()`, on a worker thread or `kiosk update check`) never touches `current`: it
downloads, verifies, extracts into a staging folder, validates exactly like `kiosk content
validate` (load_pack(strict=True)), then points `pending` at it. `apply_pending()` is what the
kiosk calls on the attract screen: pending becomes current, current becomes previous. At start
`load_active_pack()` uses current, else previous, else the shipped pack, and says which.
Every refusal is one plain log line and the same line in status.json.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tarfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal
from urllib.parse import urlsplit

from kiosk.config import Config
from kiosk.content.loader import ContentError, load_pack
from kiosk.content.model import ContentPack
from kiosk.files import write_atomic

if TYPE_CHECKING:
    from tuf.ngclient import Updater

    from kiosk.updates.fetch import DeadlineFetcher

log = logging.getLogger(__name__)

Result = Literal["unchanged", "new", "refused", "offline", "error"]
PACK_MAX_BYTES = 64 * 1024 * 1024       # extracted size; today's pack is under 300 kB
PACK_MAX_MEMBERS = 20_000
STATUS_FILE = "status.json"
CLOSE_WAIT_S = 2.0


@dataclass
class CheckOutcome:
    result: Result
    message: str                         # one plain line, the same in the log and in doctor
    at: float                            # wall clock
    duration_s: float = 0.0
    bytes_fetched: int = 0
    offered_version: str | None = None


# ----- files ---------------------------------------------------------------------------------
def updates_dir(cfg: Config) -> Path:
    return cfg.data_dir / "updates"


def _point(link: Path, target: str) -> None:
    """Make link point at target (relative), atomically."""
    tmp = link.with_name(f".{link.name}.new")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def _pack_dir(link: Path) -> Path | None:
    if not link.is_symlink():
        return None
    target = link.parent / os.readlink(link)
    return target if (target / "content").is_dir() else None


def read_pack_info(pack_dir: Path | None) -> dict:
    if pack_dir is None:
        return {}
    try:
        data = json.loads((pack_dir / "pack.json").read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def read_status(cfg: Config) -> dict:
    try:
        data = json.loads((updates_dir(cfg) / STATUS_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def current_pack_info(cfg: Config) -> dict:
    """pack.json of the signed pack in use; {} when the shipped pack is used."""
    return read_pack_info(_pack_dir(updates_dir(cfg) / "current"))


def trusted_expiry(cfg: Config) -> float | None:
    """When the kiosk's trusted targets metadata expires (wall clock), read only; None if unknown."""
    from tuf.api.metadata import Metadata

    try:
        md = Metadata.from_bytes((updates_dir(cfg) / "metadata" / "targets.json").read_bytes())
    except (OSError, ValueError):
        return None
    return md.signed.expires.timestamp()


def _extract(archive: Path, dest: Path) -> None:
    """Extract a pack archive: plain files and folders only, bounded in size and count."""
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        if len(members) > PACK_MAX_MEMBERS:
            raise ValueError(f"{len(members)} files in the archive (at most {PACK_MAX_MEMBERS})")
        if sum(m.size for m in members) > PACK_MAX_BYTES:
            raise ValueError(f"more than {PACK_MAX_BYTES // 2**20} MB once extracted")
        if any(not (m.isfile() or m.isdir()) for m in members):
            raise ValueError("the archive holds something other than files and folders")
        tar.extractall(dest, filter="data")


# ----- the updater ---------------------------------------------------------------------------
class ContentUpdater:
    def __init__(self, cfg: Config, *, now: Callable[[], float] = time.time):
        self.cfg, self.now = cfg, now
        self.root = updates_dir(cfg)
        self._lock = threading.Lock()
        self._ready: tuple[str, ContentPack] | None = None  # (pack folder name, loaded pack) behind `pending`

    # -- paths
    def link(self, name: str) -> Path:
        return self.root / name

    def _status(self, outcome: CheckOutcome, **extra) -> None:
        data = read_status(self.cfg)
        data.update(asdict(outcome), **extra)
        if outcome.result in ("unchanged", "new"):
            data["last_ok_at"] = outcome.at
        try:
            write_atomic(self.root / STATUS_FILE, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        except OSError:
            log.exception("cannot write %s", self.root / STATUS_FILE)

    def _updater(self, fetcher: DeadlineFetcher) -> Updater:
        from tuf.ngclient import Updater

        url = self.cfg.updates.url.rstrip("/")
        metadata = self.root / "metadata"
        metadata.mkdir(parents=True, exist_ok=True)
        # The cached root was reached from the shipped one through signed rotations: it is the
        # newer trust. Without it, the shipped root is the only trust.
        bootstrap = None if (metadata / "root.json").is_file() else self.cfg.updates.trusted_root.read_bytes()
        return Updater(str(metadata), f"{url}/metadata/", str(self.root / "downloads"), f"{url}/targets/",
                       fetcher=fetcher, bootstrap=bootstrap)

    # -- the check (worker thread or CLI)
    def check(self) -> CheckOutcome:
        # python-tuf, urllib3 and cryptography are imported by the first check, not by the
        # kiosk's start (0.12 s of it): a kiosk without updates never needs them.
        from tuf.api import exceptions as tuf_errors

        from kiosk.updates.fetch import DeadlineFetcher, short_reason

        started, at = time.monotonic(), self.now()
        fetcher = DeadlineFetcher(self.cfg.updates.timeout_s)
        offered: str | None = None
        try:
            result, message, offered = self._check(fetcher)
        except tuf_errors.ExpiredMetadataError as e:
            result, message = "refused", f"signed metadata has expired ({e}): the repository is frozen or stale"
        except tuf_errors.BadVersionNumberError as e:
            result, message = "refused", f"rollback refused: the repository offers older metadata than seen ({e})"
        except tuf_errors.LengthOrHashMismatchError as e:
            result, message = "refused", f"the pack does not match its signed hash: tampered or damaged ({e})"
        except tuf_errors.UnsignedMetadataError as e:
            result, message = "refused", f"metadata not signed by the trusted keys ({e})"
        except tuf_errors.RepositoryError as e:
            result, message = "refused", f"metadata refused ({type(e).__name__}: {e})"
        except tuf_errors.DownloadLengthMismatchError as e:
            result, message = "refused", f"a file is longer than signed: tampered or damaged ({e})"
        except tuf_errors.DownloadError as e:
            host = urlsplit(self.cfg.updates.url).hostname or "?"
            result, message = "offline", f"cannot download from {host} ({short_reason(e)})"
        except OSError as e:
            result, message = "error", f"{getattr(e, 'filename', None) or self.root}: {e.strerror or e}"
        current = read_pack_info(_pack_dir(self.link("current")))
        if result in ("refused", "offline", "error"):
            message += f"; keeping pack {current.get('version', 'shipped with the install')}"
        outcome = CheckOutcome(result, message, at, round(time.monotonic() - started, 3), fetcher.bytes_fetched,
                               offered)
        (log.info if result in ("unchanged", "new") else log.warning)("content update %s: %s", result, message)
        self._status(outcome)
        return outcome

    def _check(self, fetcher: DeadlineFetcher) -> tuple[Result, str, str | None]:
        from kiosk.updates.repo import PACK_TARGET

        updater = self._updater(fetcher)
        updater.refresh()
        info = updater.get_targetinfo(PACK_TARGET)
        if info is None:
            return "unchanged", "the repository has no pack yet", None
        sha = info.hashes["sha256"]
        custom = info.custom if isinstance(info.custom, dict) else {}
        version = str(custom.get("version", sha[:12]))
        known = {read_pack_info(_pack_dir(self.link(n))).get("sha256") for n in ("current", "pending")}
        if sha in known:
            return "unchanged", f"pack {version} is the newest", version
        if read_status(self.cfg).get("rejected_sha256") == sha:
            return "refused", f"pack {version} failed validation before; waiting for a newer one", version
        archive = updater.find_cached_target(info) or updater.download_target(info)
        problem = self._stage(Path(archive), sha, version, str(custom.get("signed_at", "")))
        if problem:
            self._remember_rejected(sha)
            return "refused", f"pack {version} fails validation: {problem}", version
        return "new", f"pack {version} verified and validated; used at the next attract screen", version

    def _stage(self, archive: Path, sha: str, version: str, signed_at: str) -> str | None:
        """Extract and validate into packs/<sha12>; point `pending` at it. A problem, or None."""
        packs = self.root / "packs"
        packs.mkdir(parents=True, exist_ok=True)
        name = sha[:12]
        staging = packs / f".staging-{name}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            _extract(archive, staging / "content")
            load_pack(staging / "content", strict=True)  # exactly `kiosk content validate`
        except ContentError as e:
            shutil.rmtree(staging, ignore_errors=True)
            first = e.problems[0] if e.problems else str(e)
            return f"{len(e.problems)} problem(s), first: {first}"
        except (tarfile.TarError, ValueError, EOFError) as e:
            shutil.rmtree(staging, ignore_errors=True)
            return f"the archive cannot be opened ({e})"
        info = {"version": version, "sha256": sha, "signed_at": signed_at, "installed_at": self.now()}
        write_atomic(staging / "pack.json", json.dumps(info).encode("utf-8"))
        final = packs / name
        shutil.rmtree(final, ignore_errors=True)
        os.replace(staging, final)
        loaded = load_pack(final / "content")  # root under its final name: the kiosk reads images there
        with self._lock:
            _point(self.link("pending"), f"packs/{name}")
            self._ready = (name, loaded)
        return None

    def _remember_rejected(self, sha: str) -> None:
        data = read_status(self.cfg)
        data["rejected_sha256"] = sha
        write_atomic(self.root / STATUS_FILE, json.dumps(data).encode("utf-8"))

    # -- the swap (UI thread, on the attract screen)
    def apply_pending(self) -> ContentPack | None:
        """Make the pending pack current; the new ContentPack, or None when nothing waits.

        Only renames symlinks and hands over a pack the worker already loaded, so it is quick
        enough for the UI thread. Call it only when no visit is under way."""
        with self._lock:
            pending = self.link("pending")
            target = _pack_dir(pending)
            if target is None:
                return None
            ready, self._ready = self._ready, None
            old = self.link("current")
            if old.is_symlink():
                _point(self.link("previous"), os.readlink(old))
            _point(old, f"packs/{target.name}")
            pending.unlink()
        pack = ready[1] if ready and ready[0] == target.name else load_pack(target / "content")
        log.info("content pack %s in use", read_pack_info(target).get("version", target.name))
        self._prune()
        return pack

    def _prune(self) -> None:
        keep = {p.name for p in (_pack_dir(self.link(n)) for n in ("current", "previous", "pending")) if p}
        for folder in (self.root / "packs").iterdir():
            if folder.is_dir() and folder.name not in keep and not folder.name.startswith(".staging-"):
                shutil.rmtree(folder, ignore_errors=True)

    # -- at start
    def load_active_pack(self) -> tuple[ContentPack, str]:
        """The pack to start with and a line saying which: current, else previous, else shipped."""
        self.apply_pending()
        for name in ("current", "previous"):
            folder = _pack_dir(self.link(name))
            if folder is None:
                continue
            version = read_pack_info(folder).get("version", folder.name)
            try:
                pack = load_pack(folder / "content")
            except ContentError as e:
                log.warning("content pack %s (%s) does not load (%d problem(s)); trying the one before",
                            version, name, len(e.problems))
                self._remember_rejected(read_pack_info(folder).get("sha256", ""))
                continue
            if name == "previous":
                _point(self.link("current"), f"packs/{folder.name}")
            return pack, f"signed pack {version}"
        shipped = self.cfg.kiosk.content_dir
        return load_pack(shipped), f"pack shipped with the install ({shipped})"


class UpdateService:
    """Checks on a worker thread every [updates] check_every_s; the kiosk calls on_attract()."""

    def __init__(self, cfg: Config, updater: ContentUpdater | None = None, first_delay_s: float = 30.0):
        self.cfg = cfg
        self.updater = updater or ContentUpdater(cfg)
        self._stop = threading.Event()
        self._first_delay_s = first_delay_s
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.cfg.updates.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="content-updates", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        wait = self._first_delay_s
        while not self._stop.wait(wait):
            try:
                self.updater.check()
            except Exception:  # a bug in one check must not end the checks
                log.exception("content update check crashed")
            wait = self.cfg.updates.check_every_s

    def on_attract(self) -> ContentPack | None:
        """On the attract screen (no visit): the new pack if one is ready, else None."""
        if not self.cfg.updates.enabled:
            return None
        try:
            return self.updater.apply_pending()
        except (OSError, ContentError):
            log.exception("cannot switch to the new content pack; keeping the one in use")
            return None

    def close(self) -> None:
        """Stop checking. A check under way is not waited for beyond CLOSE_WAIT_S: it never
        touches the pack in use, and its staging folder is cleaned by the next check."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=CLOSE_WAIT_S)
            self._thread = None
