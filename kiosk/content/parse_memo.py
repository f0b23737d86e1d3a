"""Pack files already parsed at an earlier start, so a kiosk start does not parse them again.

Composing the shipped pack's YAML with line numbers took 0.2 to 0.3 s of each start on the
reference machine (issue 11), and the files rarely change between starts. For each file
the memo keeps the data its YAML gave, as JSON, under the SHA-256 of the file's exact text
and of MEMO_VERSION: a file whose text changed by one byte is parsed again. Line numbers
are not kept: a file that has a problem is parsed again to point at its line
(loader._Located). `kiosk content validate` (strict) never uses the memo.

The memo holds the content pack's own texts (public procedures, never a visitor's data),
is bounded, and is rewritten atomically with the files seen by the last load, so it does
not grow with old versions.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from kiosk.files import read_regular_text, write_atomic

log = logging.getLogger(__name__)

MEMO_VERSION = 1  # bump when the loader's YAML reading changes what data a text gives
MEMO_MAX_BYTES = 16 * 1024 * 1024
MISSING = object()


def text_digest(text: str) -> str:
    return hashlib.sha256(f"{MEMO_VERSION}\n{text}".encode()).hexdigest()


class ParseMemo:
    def __init__(self, path: Path):
        self.path = path
        self._known = self._read()
        self._seen: dict[str, str] = {}  # digest -> the data as JSON text
        self._changed = False

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(read_regular_text(self.path, MEMO_MAX_BYTES))
        except (OSError, ValueError):
            return {}  # no memo (first start), a damaged or oversized one: parse everything
        if not isinstance(data, dict) or data.get("version") != MEMO_VERSION:
            return {}
        files = data.get("files")
        return {k: v for k, v in files.items() if isinstance(v, str)} if isinstance(files, dict) else {}

    def get(self, text: str) -> Any:
        """The data this exact text gave before, a fresh copy; MISSING if it was not seen."""
        key = text_digest(text)
        stored = self._seen.get(key) or self._known.get(key)
        if stored is None:
            return MISSING
        try:
            data = json.loads(stored)
        except ValueError:
            return MISSING
        self._seen[key] = stored
        return data

    def put(self, text: str, data: Any) -> None:
        """Keep what text gave, if JSON gives it back the same (YAML can also give integer
        keys or dates, which JSON would turn into strings: such a file is not kept)."""
        try:
            stored = json.dumps(data, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            return
        if json.loads(stored) != data:
            return
        self._seen[text_digest(text)] = stored
        self._changed = True

    def save(self) -> None:
        if not self._changed and self._seen.keys() == self._known.keys():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            body = json.dumps({"version": MEMO_VERSION, "files": self._seen}, ensure_ascii=False)
            write_atomic(self.path, body.encode())
            self._known, self._changed = dict(self._seen), False
        except OSError as e:
            # Only the next start is slower: the pack is parsed in full again.
            log.warning("parse memo not saved (%s)", type(e).__name__)

    def close(self) -> None:
        """Let go of the texts (a few MiB) once the pack is built: the kiosk does not need them."""
        self._known, self._seen = {}, {}
