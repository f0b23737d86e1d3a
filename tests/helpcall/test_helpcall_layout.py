"""The help-call package's dependencies go one way: service → channels, ack, outbox, ticket → model.

Read from the source (every import, also those inside functions), so that a lazy import
cannot hide a cycle again as it did between helpcall, helpcall_channels and helpcall_ack.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kiosk.helpcall

PACKAGE = Path(kiosk.helpcall.__file__).parent


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("module", ["model", "channels", "ack", "outbox", "ticket", "redact"])
def test_the_service_is_imported_by_nobody_in_the_package(module):
    path = PACKAGE / f"{module}.py"
    if not path.exists():
        pytest.skip(f"{module}.py not there yet")
    imports = imported_modules(path)
    assert not imports & {"kiosk.helpcall", "kiosk.helpcall.service", "kiosk.helpcall.HelpCallService"}


def test_the_model_imports_no_other_part_of_the_kiosk():
    assert not {name for name in imported_modules(PACKAGE / "model.py") if name.startswith(("kiosk", "hardware"))}


def test_the_public_names_are_still_where_the_app_imports_them():
    from kiosk.helpcall import CallContext, CallStatus, HelpCall, HelpCallService
    from kiosk.helpcall.model import CallContext as ModelContext
    assert CallContext is ModelContext and HelpCallService.__module__ == "kiosk.helpcall.service"
    assert {CallStatus.WAITING.value, HelpCall.__name__} == {"waiting", "HelpCall"}
