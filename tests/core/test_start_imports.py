"""What the kiosk's start imports (issue 11: start-up within 1.5x bare Kivy).

Measured with cProfile on a kiosk start: python-tuf with urllib3, securesystemslib and
cryptography took 0.12 s, imported by the update client though a check runs 30 s later at
the earliest (and never with [updates] off); jsonschema 0.08 s though an unchanged pack
needs no schema check (kiosk/content/schema_memo.py); xml.sax.saxutils, for SSML's three
entities, brought urllib.request, http.client and email with it (0.02-0.03 s; the metrics
writer's prometheus_client still imports urllib.request, a few ms once http.client is in). Then
(-X importtime on `import kiosk.controller`): asyncio 0.018 s for the acknowledgment server, which
most kiosks do not run; rapidfuzz 0.011 s for search, loaded once the first frame is shown;
http.client with ssl and email 0.013 s, imported by the webhook channel though only a sending
thread posts. Not timed: the modules must simply not be there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOT_AT_START = ("tuf", "urllib3", "securesystemslib", "cryptography", "jsonschema", "escpos", "qrcode",
                "xml.sax", "asyncio", "rapidfuzz", "http.client")

START = """
import json, sys
from pathlib import Path
import kiosk.cli
kiosk.cli.build_parser()  # what `kiosk run` imports before running
from kiosk.config import Config, KioskSection, PrinterSection, UpdatesSection
from kiosk.content.loader import load_pack
from kiosk.content.schema_memo import SchemaMemo
from kiosk.services import default_services
import kiosk.controller  # what kiosk.app imports of ours, Kivy aside
data = Path(sys.argv[1])
cfg = Config(kiosk=KioskSection(data_dir=data), printer=PrinterSection(connection="dummy"),
             updates=UpdatesSection(enabled=%s))
load_pack(cfg.kiosk.content_dir, memo=SchemaMemo(data / "content-checked.json"))
services = default_services(cfg)
services.close()
print(json.dumps(sorted(m for m in %r if m in sys.modules)))
"""


def start_imports(data: Path, updates: bool) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", START % (updates, NOT_AT_START), str(data)], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_second_start_imports_no_update_schema_or_printer_library(tmp_path):
    start_imports(tmp_path, updates=False)  # the first start checks the pack: jsonschema
    assert start_imports(tmp_path, updates=False) == []


def test_updates_on_import_python_tuf_with_the_first_check_only(tmp_path):
    start_imports(tmp_path, updates=False)
    assert start_imports(tmp_path, updates=True) == []
