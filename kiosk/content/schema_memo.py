"""Which pack files already passed the schema check, so a kiosk start does not check them again.

Checking the shipped pack against the JSON schema took 0.4 s of a 1.4 s start on the
reference machine (jsonschema walks every `if` of every step; importing it costs 0.08 s
more), and the files rarely change between starts. A file is skipped only when the
SHA-256 of its exact text, of the schema it was checked against and of MEMO_VERSION are
all the ones recorded after a check that found no problem. Everything else (the
structure rules, building the model) still runs on every start, and `kiosk content
validate` (strict) never uses the memo.

The memo holds digests only, never a pack's text, and is rewritten atomically with the
files seen by the last load, so it does not grow.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from kiosk.files import write_atomic

log = logging.getLogger(__name__)

MEMO_VERSION = 1  # bump when the loader's schema check changes meaning
MEMO_MAX_BYTES = 256 * 1024


def schema_digest(schema: dict) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class SchemaMemo:
    def __init__(self, path: Path):
        self.path = path
        self._known = self._read()
        self._seen: set[str] = set()
        self._schemas: dict[int, str] = {}

    def _read(self) -> set[str]:
        try:
            if self.path.stat().st_size > MEMO_MAX_BYTES:
                return set()
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()  # no memo (first start) or a damaged one: check everything
        if not isinstance(data, dict) or data.get("version") != MEMO_VERSION:
            return set()
        return {d for d in data.get("passed", ()) if isinstance(d, str)}

    def _key(self, schema: dict, text: str) -> str:
        digest = self._schemas.get(id(schema))
        if digest is None:
            digest = self._schemas[id(schema)] = schema_digest(schema)
        return hashlib.sha256(f"{MEMO_VERSION}\n{digest}\n{text}".encode()).hexdigest()

    def passed(self, schema: dict, text: str) -> bool:
        """True if this exact text passed this exact schema before."""
        key = self._key(schema, text)
        if key in self._known:
            self._seen.add(key)
            return True
        return False

    def record(self, schema: dict, text: str) -> None:
        """Record that this text passed this schema with no problem."""
        self._seen.add(self._key(schema, text))

    def save(self) -> None:
        if self._seen == self._known:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps({"version": MEMO_VERSION, "passed": sorted(self._seen)}).encode())
            self._known = set(self._seen)
        except OSError as e:
            # Only the next start is slower: the pack is checked in full again.
            log.warning("schema memo not saved (%s)", type(e).__name__)
