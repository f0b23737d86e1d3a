"""The kiosk's start skips the schema check of pack files that passed it before (issue 11:
0.4 s of a 1.4 s start, plus 0.08 s to import jsonschema), and only of those."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from kiosk.config import ASSETS_DIR
from kiosk.content.loader import ContentError, load_pack
from kiosk.content.schema_memo import SchemaMemo

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_schema_check(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the schema check ran")

    monkeypatch.setattr(jsonschema, "Draft202012Validator", refuse)


def test_an_unchanged_pack_is_not_checked_against_the_schema_again(tmp_path, monkeypatch):
    memo_path = tmp_path / "memo.json"
    first = load_pack(ASSETS_DIR / "content", memo=SchemaMemo(memo_path))
    monkeypatch.setattr(jsonschema, "Draft202012Validator", lambda *_a, **_k: pytest.fail("schema check ran"))
    second = load_pack(ASSETS_DIR / "content", memo=SchemaMemo(memo_path))
    assert second.procedures.keys() == first.procedures.keys()
    assert second.procedures == first.procedures


def test_a_changed_file_is_checked_again(pack, tmp_path):
    memo_path = tmp_path / "memo.json"
    load_pack(pack.root, memo=SchemaMemo(memo_path))
    pack.replace("duration_min: 5", "duration_min: cinq")
    with pytest.raises(ContentError) as e:
        load_pack(pack.root, memo=SchemaMemo(memo_path))
    assert any(p.rule == "schema" and "duration_min" in p.message for p in e.value.problems)


def test_strict_validation_never_uses_the_memo(pack, tmp_path, no_schema_check):
    memo_path = tmp_path / "memo.json"
    memo = SchemaMemo(memo_path)
    memo._known = {memo._key({}, "")}  # any memo at all
    with pytest.raises(AssertionError, match="schema check ran"):
        load_pack(pack.root, strict=True, memo=memo)


def test_a_damaged_or_older_memo_means_a_full_check(pack, tmp_path, monkeypatch):
    memo_path = tmp_path / "memo.json"
    load_pack(pack.root, memo=SchemaMemo(memo_path))
    passed = json.loads(memo_path.read_text())["passed"]
    assert len(passed) == 2  # categories.yaml and essai.yaml, digests only
    assert all(len(d) == 64 and "essai" not in d for d in passed)
    for damaged in ("{not json", json.dumps({"version": 0, "passed": passed})):
        memo_path.write_text(damaged)
        calls = []
        real = jsonschema.Draft202012Validator
        monkeypatch.setattr(jsonschema, "Draft202012Validator", lambda s: calls.append(1) or real(s))
        load_pack(pack.root, memo=SchemaMemo(memo_path))
        assert len(calls) == 2
        monkeypatch.undo()


def test_the_memo_keeps_only_the_files_of_the_last_load(pack, tmp_path):
    memo_path = tmp_path / "memo.json"
    load_pack(pack.root, memo=SchemaMemo(memo_path))
    for n in range(3):
        pack.replace(f"popularity: {10 + n}", f"popularity: {11 + n}")
        load_pack(pack.root, memo=SchemaMemo(memo_path))
    assert len(json.loads(memo_path.read_text())["passed"]) == 2


def test_a_start_with_a_checked_pack_does_not_import_jsonschema(tmp_path):
    code = (
        "import sys; from pathlib import Path\n"
        "import kiosk.cli, kiosk.cli.run\n"
        "kiosk.cli.build_parser()\n"
        "from kiosk.config import ASSETS_DIR\n"
        "from kiosk.content.loader import load_pack\n"
        "from kiosk.content.schema_memo import SchemaMemo\n"
        f"load_pack(ASSETS_DIR / 'content', memo=SchemaMemo(Path({str(tmp_path / 'm.json')!r})))\n"
        "print('jsonschema' in sys.modules)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    runs = [subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True,
                           timeout=120) for _ in range(2)]
    assert [r.stdout.strip() for r in runs] == ["True", "False"], runs[-1].stderr[-2000:]
