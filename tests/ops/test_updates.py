"""Signed content updates against a real TUF repository served over HTTP on 127.0.0.1.

The content team's side (kiosk.updates.repo) makes and signs the repository, a stdlib HTTP
server in a thread serves the published folder, and the kiosk's side (kiosk.updates.client,
python-tuf's ngclient) checks it. Each refusal must leave the pack in use untouched and say
so in one plain log line and one doctor line.
"""

from __future__ import annotations

import http.server
import logging
import shutil
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk.config import ASSETS_DIR, UpdatesSection
from kiosk.doctor import Environment, check_updates
from kiosk.updates import repo
from kiosk.updates.client import ContentUpdater, UpdateService, read_pack_info
from tests.speech_support import RecordingSpeaker

PROCEDURE = "creer-adresse-email.yaml"


class _Handler(http.server.SimpleHTTPRequestHandler):
    drop_targets = False  # set on the server: send half a pack, then close the connection
    dribble_targets = False  # set on the server: send a pack 1 kB every 0.1 s

    def log_message(self, *args):  # the test output stays readable
        pass

    def do_GET(self):
        if self.server.drop_targets and self.path.startswith("/targets/"):
            data = (Path(self.directory) / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if self.server.dribble_targets and self.path.startswith("/targets/"):
            data = (Path(self.directory) / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                for start in range(0, len(data), 1024):
                    self.wfile.write(data[start:start + 1024])
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:  # the kiosk gave up: that is the point
                pass
            return
        super().do_GET()


@pytest.fixture
def served(tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **kw: _Handler(*a, directory=str(www), **kw))
    server.drop_targets = server.dribble_targets = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, www, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def _content(tmp_path: Path, name: str, title: str | None = None) -> Path:
    root = tmp_path / name
    (root / "procedures").mkdir(parents=True)
    shutil.copy(ASSETS_DIR / "content" / "categories.yaml", root)
    text = (ASSETS_DIR / "content" / "procedures" / PROCEDURE).read_text(encoding="utf-8")
    if title:
        text = text.replace("title: Créer une adresse e-mail", f"title: {title}", 1)
    (root / "procedures" / PROCEDURE).write_text(text, encoding="utf-8")
    return root


class Team:
    """The content team: keys, repository, publishing to the served folder."""

    def __init__(self, tmp_path: Path, www: Path):
        self.tmp, self.repo, self.keys, self.www = tmp_path, tmp_path / "repo", tmp_path / "keys", www
        repo.init(self.repo, self.keys)
        self.root_json = tmp_path / "shipped-root.json"
        repo.copy_root(self.repo, self.root_json)  # what the install ships

    def release(self, version: str, title: str | None = None, **kw) -> repo.SignedPack:
        signed = repo.sign_pack(self.repo, self.keys, _content(self.tmp, f"pack-{version}", title), version, **kw)
        repo.publish(self.repo, self.keys, self.www)
        return signed


@pytest.fixture
def team(tmp_path, served):
    return Team(tmp_path, served[1])


@pytest.fixture
def kiosk_cfg(ops_config, served, team):
    updates = replace(UpdatesSection(), enabled=True, url=served[2], trusted_root=team.root_json, timeout_s=20.0)
    return replace(ops_config, updates=updates)


def _link(cfg, name):
    link = cfg.data_dir / "updates" / name
    return link.parent / link.readlink() if link.is_symlink() else None


def _doctor(cfg) -> list[str]:
    return [r.line() for r in check_updates(cfg, Environment())]


def _refusals(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "kiosk.updates.client" and r.levelno >= logging.WARNING]


def _installed(team, cfg, version="1") -> ContentUpdater:
    team.release(version)
    updater = ContentUpdater(cfg)
    assert updater.check().result == "new"
    assert updater.apply_pending() is not None
    return updater


def test_a_new_pack_arrives_waits_for_the_attract_screen_then_is_used(team, kiosk_cfg):
    team.release("2026.12.1")
    service = UpdateService(kiosk_cfg)
    outcome = service.updater.check()
    assert outcome.result == "new", outcome.message
    assert outcome.offered_version == "2026.12.1" and outcome.bytes_fetched > 0
    assert _link(kiosk_cfg, "current") is None, "a check alone must never change the pack in use"
    pack = service.on_attract()
    assert pack is not None and "creer-adresse-email" in pack.procedures
    assert read_pack_info(_link(kiosk_cfg, "current"))["version"] == "2026.12.1"
    assert service.on_attract() is None  # nothing more waits

    again = service.updater.check()
    assert again.result == "unchanged" and again.bytes_fetched < outcome.bytes_fetched

    team.release("2026.12.2", title="Créer une adresse électronique")
    assert service.updater.check().result == "new"
    newer = service.on_attract()
    assert newer.procedures["creer-adresse-email"].title == "Créer une adresse électronique"
    assert read_pack_info(_link(kiosk_cfg, "previous"))["version"] == "2026.12.1"
    from kiosk.metrics import collect
    sample = collect(kiosk_cfg)
    assert (sample.pack_version, sample.pack_source, sample.update_result) == ("2026.12.2", "signed", "new")
    assert sample.pack_expires_at > sample.now
    lines = _doctor(kiosk_cfg)
    assert any(line.startswith("OK   content pack: signed pack 2026.12.2") for line in lines), lines
    assert any(line.startswith("OK   content update:") and "2026.12.2" in line for line in lines), lines


def test_rollback_to_older_validly_signed_metadata_is_refused(team, kiosk_cfg, served, caplog):
    team.release("1")
    old_www = team.tmp / "www-v1"
    shutil.copytree(served[1], old_www)
    updater = ContentUpdater(kiosk_cfg)
    updater.check()
    team.release("2", title="Version deux")
    assert updater.check().result == "new"
    updater.apply_pending()
    # An attacker (or a stale mirror) serves the older repository, every file validly signed.
    shutil.rmtree(served[1])
    shutil.copytree(old_www, served[1])
    caplog.clear()
    outcome = updater.check()
    assert outcome.result == "refused" and "rollback" in outcome.message, outcome.message
    assert read_pack_info(_link(kiosk_cfg, "current"))["version"] == "2"
    assert updater.apply_pending() is None
    [record] = _refusals(caplog)
    assert record.exc_info is None and "\n" not in record.getMessage()
    assert any(line.startswith("WARN content update:") and "rollback" in line for line in _doctor(kiosk_cfg))


def test_expired_timestamp_a_freeze_is_refused(team, kiosk_cfg, caplog):
    updater = _installed(team, kiosk_cfg)
    # A mirror replaying metadata that was valid three days ago: signed, but expired.
    repo.publish(team.repo, team.keys, team.www, now=datetime.now(timezone.utc) - timedelta(days=3))
    caplog.clear()
    outcome = updater.check()
    assert outcome.result == "refused" and "expired" in outcome.message, outcome.message
    assert read_pack_info(_link(kiosk_cfg, "current"))["version"] == "1"
    [record] = _refusals(caplog)
    assert "keeping pack 1" in record.getMessage()
    assert any(line.startswith("WARN content update:") and "expired" in line for line in _doctor(kiosk_cfg))


def test_a_tampered_pack_is_refused(team, kiosk_cfg, caplog):
    updater = _installed(team, kiosk_cfg)
    signed = team.release("2", title="Version deux")
    served_pack = team.www / "targets" / f"{signed.sha256}.{repo.PACK_TARGET}"
    good = served_pack.read_bytes()
    evil = repo.pack_bytes(_content(team.tmp, "evil", title="Appelez ce numéro surtaxé"))
    served_pack.write_bytes(evil)  # a longer archive under the signed name
    assert updater.check().result == "refused"
    served_pack.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))  # same length, one bit changed
    caplog.clear()
    outcome = updater.check()
    assert outcome.result == "refused" and "hash" in outcome.message, outcome.message
    assert updater.apply_pending() is None
    assert read_pack_info(_link(kiosk_cfg, "current"))["version"] == "1"
    assert len(_refusals(caplog)) == 1
    assert any(line.startswith("WARN content update:") and "tampered" in line for line in _doctor(kiosk_cfg))


def test_a_signed_pack_that_fails_validation_is_refused_and_the_old_kept(team, kiosk_cfg, caplog):
    updater = _installed(team, kiosk_cfg)
    broken = _content(team.tmp, "broken")
    path = broken / "procedures" / PROCEDURE
    path.write_text(path.read_text(encoding="utf-8").replace("category: internet", "category: nulle-part"),
                    encoding="utf-8")
    repo.sign_pack(team.repo, team.keys, broken, "2-broken", validate=False)  # the team skipped the check
    repo.publish(team.repo, team.keys, team.www)
    caplog.clear()
    outcome = updater.check()
    assert outcome.result == "refused" and "fails validation" in outcome.message, outcome.message
    assert "nulle-part" in outcome.message
    assert updater.apply_pending() is None
    assert read_pack_info(_link(kiosk_cfg, "current"))["version"] == "1"
    assert not list((kiosk_cfg.data_dir / "updates" / "packs").glob(".staging-*"))
    assert len(_refusals(caplog)) == 1
    assert any(line.startswith("WARN content update:") and "fails validation" in line
               for line in _doctor(kiosk_cfg))
    # Not downloaded and validated again at every check.
    assert "failed validation before" in updater.check().message


def test_the_network_dropping_mid_download_leaves_the_old_pack(team, kiosk_cfg, served, caplog):
    updater = _installed(team, kiosk_cfg)
    downloads = kiosk_cfg.data_dir / "updates" / "downloads"
    before = sorted(p.name for p in downloads.iterdir())
    team.release("2", title="Version deux")
    served[0].drop_targets = True
    caplog.clear()
    outcome = updater.check()
    assert outcome.result == "offline", outcome.message
    assert "keeping pack 1" in outcome.message and len(outcome.message) < 160, outcome.message
    assert updater.apply_pending() is None
    assert read_pack_info(_link(kiosk_cfg, "current"))["version"] == "1"
    assert sorted(p.name for p in downloads.iterdir()) == before, "no half archive is left behind"
    assert len(_refusals(caplog)) == 1
    assert any(line.startswith("WARN content update:") and "offline" in line for line in _doctor(kiosk_cfg))
    served[0].drop_targets = False
    assert updater.check().result == "new"  # once the network is back


def test_server_gone_is_offline_and_doctor_says_which_pack_is_kept(team, kiosk_cfg, served):
    updater = _installed(team, kiosk_cfg)
    served[0].shutdown()
    served[0].server_close()
    outcome = updater.check()
    assert outcome.result == "offline" and "keeping pack 1" in outcome.message
    assert "(Connection refused)" in outcome.message and len(outcome.message) < 120, outcome.message
    assert any(line.startswith("WARN content update:") and "keeping pack 1" in line for line in _doctor(kiosk_cfg))


def test_keys_rotated_by_the_team_are_followed_from_the_shipped_root(team, kiosk_cfg):
    updater = _installed(team, kiosk_cfg)
    repo.rotate_key(team.repo, team.keys, "targets")
    repo.rotate_key(team.repo, team.keys, "root-1")
    team.release("2", title="Version deux")
    assert updater.check().result == "new"
    # A kiosk installed with the old root.json only also follows the chain.
    fresh = replace(kiosk_cfg, kiosk=replace(kiosk_cfg.kiosk, data_dir=team.tmp / "fresh"))
    assert ContentUpdater(fresh).check().result == "new"


def test_a_pack_that_no_longer_loads_falls_back_to_the_last_good_one(team, kiosk_cfg, caplog):
    updater = _installed(team, kiosk_cfg, "1")
    team.release("2", title="Version deux")
    updater.check()
    updater.apply_pending()
    # The disk damaged the current pack after it was validated.
    (_link(kiosk_cfg, "current") / "content" / "categories.yaml").write_text("- [", encoding="utf-8")
    pack, line = ContentUpdater(kiosk_cfg).load_active_pack()
    assert line == "signed pack 1"
    assert "creer-adresse-email" in pack.procedures
    assert read_pack_info(_link(kiosk_cfg, "current"))["version"] == "1"
    assert any("does not load" in r.getMessage() for r in _refusals(caplog))


def test_with_updates_never_installed_the_shipped_pack_is_used(kiosk_cfg):
    pack, line = ContentUpdater(kiosk_cfg).load_active_pack()
    assert line.startswith("pack shipped with the install")
    assert pack.procedures


def test_the_timestamp_the_team_signs_expires_within_two_days(team):
    with pytest.raises(repo.RepoError, match="within 2 days"):
        repo.publish(team.repo, team.keys, team.www, timestamp_expiry=timedelta(days=3))
    from tuf.api.metadata import Metadata
    timestamp = Metadata.from_file(str(team.repo / "metadata" / "timestamp.json")).signed
    assert timestamp.expires - datetime.now(timezone.utc) <= timedelta(days=2)
    root = Metadata.from_file(str(team.root_json)).signed
    assert root.roles["root"].threshold == 2 and len(root.roles["root"].keyids) == 3


def test_the_pack_archive_is_deterministic(tmp_path):
    a = _content(tmp_path, "a")
    b = _content(tmp_path, "b")
    assert repo.pack_bytes(a) == repo.pack_bytes(b)
    (b / "procedures" / PROCEDURE).write_text("changed", encoding="utf-8")
    assert repo.pack_bytes(a) != repo.pack_bytes(b)


def test_the_team_and_the_kiosk_commands_end_to_end(tmp_path, served, capsys):
    from kiosk.cli import main

    _, www, url = served
    r, k = tmp_path / "r", tmp_path / "k"
    assert main(["content-repo", "init", "--repo", str(r), "--keys", str(k)]) == 0
    assert sorted(p.name for p in k.iterdir()) == [f"{n}.pem" for n in
                                                   ("root-1", "root-2", "root-3", "snapshot", "targets", "timestamp")]
    assert all(p.stat().st_mode & 0o077 == 0 for p in k.iterdir()), "private keys are readable by their owner only"
    content = _content(tmp_path, "c")
    assert main(["content-repo", "sign", "--repo", str(r), "--keys", str(k), str(content), "--version", "7"]) == 0
    assert main(["content-repo", "publish", "--repo", str(r), "--keys", str(k), "--out", str(www)]) == 0
    assert main(["content-repo", "rotate-key", "--repo", str(r), "--keys", str(k), "timestamp"]) == 0
    assert main(["content-repo", "publish", "--repo", str(r), "--keys", str(k), "--out", str(www)]) == 0
    toml = tmp_path / "kiosk.toml"
    toml.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[updates]\nenabled = true\nurl = "{url}"\n'
                    f'trusted_root = "{r / "metadata" / "1.root.json"}"\n', encoding="utf-8")
    capsys.readouterr()
    assert main(["update", "check", "--config", str(toml)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("new: pack 7 verified and validated") and "bytes)" in out
    # A broken content folder is refused by the team command: one line, exit 2, nothing signed.
    (content / "procedures" / PROCEDURE).write_text("id: [", encoding="utf-8")
    assert main(["content-repo", "sign", "--repo", str(r), "--keys", str(k), str(content), "--version", "8"]) == 2
    assert "problem(s)" in capsys.readouterr().err


def test_doctor_says_when_updates_are_off_or_cannot_work(ops_config, tmp_path):
    assert _doctor(ops_config) == ["OK   content update: off ([updates] enabled = false): the pack shipped with "
                                   "the install is used"]
    no_url = replace(ops_config, updates=replace(UpdatesSection(), enabled=True))
    assert _doctor(no_url)[0].startswith("FAIL content update: [updates] enabled but url is empty")
    no_root = replace(ops_config, updates=replace(UpdatesSection(), enabled=True, url="http://127.0.0.1:9",
                                                  trusted_root=tmp_path / "absent.json"))
    lines = _doctor(no_root)
    assert lines[0].startswith("OK   content pack: the pack shipped with the install")
    assert lines[1].startswith("FAIL content update:") and "absent.json not found" in lines[1]


def test_the_controller_switches_packs_on_the_attract_screen_never_mid_visit(team, kiosk_cfg, fake_clock):
    from kiosk.controller import KioskController
    from kiosk.services import Services
    from kiosk.session import State

    updater = _installed(team, kiosk_cfg)
    pack, _ = updater.load_active_pack()
    service = UpdateService(kiosk_cfg, updater)
    c = KioskController(kiosk_cfg, pack, Services(), clock=fake_clock, speaker=RecordingSpeaker())
    c.pack_updates = service.on_attract
    c.start()
    try:
        c.start_session()
        c.open_procedure("creer-adresse-email")
        team.release("2", title="Créer une adresse électronique")
        assert updater.check().result == "new"
        c.tick()
        assert c.pack is pack and c.machine.state is not State.ATTRACT, "never mid-visit"
        c.end_session("visitor finished")
        for _ in range(200):
            fake_clock.advance(1)
            c.tick()
            if c.machine.state is State.ATTRACT and c.pack is not pack:
                break
        assert c.pack.procedures["creer-adresse-email"].title == "Créer une adresse électronique"
        assert c.machine.content is c.pack
        assert [p.id for p in c.search("électronique")] == ["creer-adresse-email"]
        assert read_pack_info(_link(kiosk_cfg, "current"))["version"] == "2"
    finally:
        c.close()


def test_a_server_sending_slowly_is_dropped_at_the_deadline(team, kiosk_cfg, served):
    updater = _installed(team, kiosk_cfg)
    signed = repo.sign_pack(team.repo, team.keys, ASSETS_DIR / "content", "2-full")  # ~40 kB: ~4 s at 10 kB/s
    repo.publish(team.repo, team.keys, team.www)
    served[0].dribble_targets = True
    slow = ContentUpdater(replace(kiosk_cfg, updates=replace(kiosk_cfg.updates, timeout_s=1.5)))
    started = time.monotonic()
    outcome = slow.check()
    elapsed = time.monotonic() - started
    assert outcome.result == "offline" and "deadline" in outcome.message, outcome.message
    assert signed.length / 10_240 > 3 > elapsed, f"dropped mid-body, {elapsed:.1f} s"
    assert updater.apply_pending() is None


def test_update_check_as_another_user_than_the_kiosk_is_refused(tmp_path, capsys):
    import os

    from kiosk.cli import main

    if os.geteuid() != 0:
        pytest.skip("needs root to give the data folder to another user")
    data = tmp_path / "data"
    data.mkdir()
    os.chown(data, 65534, 65534)
    toml = tmp_path / "kiosk.toml"
    toml.write_text(f'[kiosk]\ndata_dir = "{data}"\n[updates]\nenabled = true\nurl = "http://127.0.0.1:9"\n',
                    encoding="utf-8")
    assert main(["update", "check", "--config", str(toml)]) == 2
    assert "run this as that user (sudo -u" in capsys.readouterr().err
    assert not (data / "updates").exists()


def test_the_service_checks_on_its_thread_and_closes_quickly(team, kiosk_cfg):
    team.release("1")
    service = UpdateService(kiosk_cfg, first_delay_s=0.01)
    service.start()
    try:
        for _ in range(400):
            if (kiosk_cfg.data_dir / "updates" / "pending").is_symlink():
                break
            time.sleep(0.025)
        assert service.on_attract() is not None
    finally:
        started = time.monotonic()
        service.close()
    assert time.monotonic() - started < 3
    assert not [t for t in threading.enumerate() if t.name == "content-updates"]
