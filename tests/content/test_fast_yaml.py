"""The pack is composed by libyaml, not PyYAML's Python composer (issue 11: 1 s of the
kiosk's start-up against 0.06 s), with the same refusals (tests/content/test_bounds.py)."""

from __future__ import annotations

import pytest
import yaml

from kiosk.config import ASSETS_DIR
from kiosk.content import loader


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
def test_the_shipped_pack_is_composed_by_libyaml(monkeypatch):
    def python_composer(*_args, **_kwargs):
        raise AssertionError("the Python composer was used")

    monkeypatch.setattr(loader._ContentComposer, "compose_node", python_composer)
    pack = loader.load_pack(ASSETS_DIR / "content")
    assert len(pack.procedures) > 10
