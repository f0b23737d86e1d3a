"""The kiosk's start takes the data of pack files parsed at an earlier start from a memo
(issue 11: composing the YAML was 0.2 to 0.3 s of each start), and only for files whose
exact text it has seen."""

from __future__ import annotations

import json

import pytest

from kiosk.config import ASSETS_DIR
from kiosk.content import loader
from kiosk.content.loader import load_pack
from kiosk.content.parse_memo import MISSING, ParseMemo


@pytest.fixture
def no_parse_after_first(monkeypatch):
    def refuse(_text):
        raise AssertionError("the YAML was parsed")

    return lambda: monkeypatch.setattr(loader, "_compose", refuse)


def load(root, memo_path, **kwargs):
    parsed = ParseMemo(memo_path)
    try:
        return load_pack(root, parsed=parsed, **kwargs)
    finally:
        parsed.close()


def test_an_unchanged_pack_is_not_parsed_again_and_gives_the_same_procedures(tmp_path, monkeypatch):
    memo_path = tmp_path / "parsed.json"
    first = load(ASSETS_DIR / "content", memo_path)
    monkeypatch.setattr(loader, "_compose", lambda _t: pytest.fail("YAML parsed again"))
    second = load(ASSETS_DIR / "content", memo_path)
    assert second.procedures == first.procedures
    for pack in (first, second):
        while pack.lay_over_next():
            pass
    assert second.translations == first.translations and second.categories == first.categories
    assert sum(map(len, first.translations.values())) > 100  # the pack's translations, all laid over


def test_a_changed_file_is_parsed_again(pack, tmp_path):
    memo_path = tmp_path / "parsed.json"
    load(pack.root, memo_path)
    pack.replace("title: Faire un essai", "title: Faire un autre essai")
    assert load(pack.root, memo_path).procedures["essai"].title == "Faire un autre essai"


def test_the_data_comes_from_the_memo_when_the_text_is_the_same(pack, tmp_path):
    # What proves the memo is read: data put under the file's text is what the pack holds.
    memo_path = tmp_path / "parsed.json"
    load(pack.root, memo_path)
    text = (pack.root / "procedures" / "essai.yaml").read_text(encoding="utf-8")
    memo = ParseMemo(memo_path)
    data = memo.get(text)
    data["title"] = "Titre venu du mémo"
    memo.put(text, data)
    memo.save()
    assert load(pack.root, memo_path).procedures["essai"].title == "Titre venu du mémo"
    assert load_pack(pack.root, strict=True, parsed=ParseMemo(memo_path)).procedures["essai"].title == "Faire un essai"


def test_a_file_from_the_memo_still_names_the_line_of_each_value(pack, tmp_path, monkeypatch):
    # Lines are not kept in the memo: a problem or a warning parses the file again for them.
    memo_path = tmp_path / "parsed.json"
    load(pack.root, memo_path)
    path = pack.root / "procedures" / "essai.yaml"
    fresh = loader._Located(path)
    parses = []
    real_compose = loader._compose
    monkeypatch.setattr(loader, "_compose", lambda text: parses.append(1) or real_compose(text))
    from_memo = loader._Located(path, parsed=ParseMemo(memo_path))
    assert from_memo.data == fresh.data and parses == []
    for at in (("steps", 2, "next"), ("title",), ("steps", 0, "text")):
        assert from_memo.line(at) == fresh.line(at) > 1
    assert from_memo.line_in(("steps", 0, "text"), 30) == fresh.line_in(("steps", 0, "text"), 30)
    assert parses == [1]  # once, on the first line asked


def test_a_damaged_or_older_memo_means_a_full_parse_and_is_rewritten(pack, tmp_path):
    memo_path = tmp_path / "parsed.json"
    for damaged in ("{not json", json.dumps({"version": 0, "files": {}}), json.dumps([1, 2])):
        memo_path.write_text(damaged)
        assert load(pack.root, memo_path).procedures["essai"].title == "Faire un essai"
        saved = json.loads(memo_path.read_text())
        assert saved["version"] == 1 and len(saved["files"]) == 2  # categories.yaml, essai.yaml


def test_the_memo_keeps_only_the_files_of_the_last_load(pack, tmp_path):
    memo_path = tmp_path / "parsed.json"
    for n in range(3):
        pack.replace(f"duration_min: {5 + n}", f"duration_min: {6 + n}")
        load(pack.root, memo_path)
    assert len(json.loads(memo_path.read_text())["files"]) == 2


def test_data_json_cannot_give_back_is_not_kept(tmp_path):
    memo = ParseMemo(tmp_path / "parsed.json")
    memo.put("1: un", {1: "un"})  # YAML's integer key would come back as the string "1"
    memo.put("x: .nan", {"x": float("nan")})
    memo.put("ok: oui", {"ok": "oui"})
    assert memo.get("1: un") is MISSING and memo.get("x: .nan") is MISSING
    assert memo.get("ok: oui") == {"ok": "oui"}


def test_what_a_load_changes_in_the_data_does_not_reach_the_memo(pack, tmp_path):
    # load_pack links the steps in place (_link_steps): the memo must keep the file's data.
    memo_path = tmp_path / "parsed.json"
    load(pack.root, memo_path)
    text = (pack.root / "procedures" / "essai.yaml").read_text(encoding="utf-8")
    assert ParseMemo(memo_path).get(text) == loader._Located(pack.root / "procedures" / "essai.yaml").data


def test_kiosk_run_keeps_its_memo_in_the_data_folder(tmp_path, no_parse_after_first):
    from kiosk.cli import run
    from kiosk.config import Config, KioskSection

    cfg = Config(kiosk=KioskSection(data_dir=tmp_path))
    first = run._load_pack(cfg)
    assert (tmp_path / "content-parsed.json").is_file()
    no_parse_after_first()
    assert run._load_pack(cfg).procedures == first.procedures
