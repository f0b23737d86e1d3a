"""The help-call outbox: calls not yet finished, kept on disk so a restart loses none.

One JSON file per call (`<id>.json`) plus `number.json` for the day's queue number.
Every write is atomic (temp file in the same folder, fsync, os.replace), so a crash
leaves either the old or the new version of a file, never half of one. A file that
cannot be read is renamed `<name>.bad` and reported once, so one damaged file never
stops the others from being retried.

What is stored is decided by the caller (kiosk.helpcall.service): ids, titles from the content
pack, times and delivery flags, never anything a visitor typed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import Callable

from kiosk.files import write_atomic

log = logging.getLogger(__name__)

_CALL_FILE = re.compile(r"^[0-9a-f]{32}\.json$")
NUMBER_FILE = "number.json"


class Outbox:
    def __init__(self, folder: Path):
        self.folder = folder
        self._lock = threading.Lock()  # one writer at a time keeps a newer state from being overwritten

    def _ensure(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def _write_json(self, name: str, data: dict) -> None:
        self._ensure()
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        write_atomic(self.folder / name, text.encode("utf-8"), tmp_prefix=f".{name}.")

    def save(self, snapshot: Callable[[], dict]) -> None:
        """Write one call's record. The record is taken by snapshot() under the write lock,
        so that of two threads saving the same call, the later state is the one on disk."""
        with self._lock:
            data = snapshot()
            self._write_json(f"{data['id']}.json", data)

    def remove(self, call_id: str) -> None:
        with self._lock:
            try:
                (self.folder / f"{call_id}.json").unlink()
            except FileNotFoundError:
                pass

    def load_all(self) -> list[dict]:
        """Every stored call, oldest first; damaged files are set aside as .bad."""
        if not self.folder.is_dir():
            return []
        records = []
        for path in sorted(self.folder.iterdir()):
            if not _CALL_FILE.match(path.name):
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(data, dict) or data.get("id") != path.stem:
                    raise ValueError("not a call record")
                records.append(data)
            except (OSError, ValueError) as e:
                log.error("outbox file %s is damaged (%s); set aside as .bad", path.name, type(e).__name__)
                try:
                    os.replace(path, path.with_name(path.name + ".bad"))
                except OSError:
                    log.exception("cannot set aside %s", path.name)
        records.sort(key=lambda r: (r.get("created_at", 0), r["id"]))
        return records

    def read_only_count(self) -> int:
        """How many calls wait on disk, without touching anything (for `kiosk doctor`)."""
        if not self.folder.is_dir():
            return 0
        return sum(1 for p in self.folder.iterdir() if _CALL_FILE.match(p.name))

    def load_number(self) -> dict:
        try:
            data = json.loads((self.folder / NUMBER_FILE).read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("day"), str) and isinstance(data.get("last"), int):
                return data
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as e:
            log.error("outbox %s is damaged (%s); numbers start again at 1", NUMBER_FILE, type(e).__name__)
        return {"day": "", "last": 0}

    def save_number(self, day: str, last: int) -> None:
        with self._lock:
            self._write_json(NUMBER_FILE, {"day": day, "last": last})
