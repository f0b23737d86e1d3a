"""deploy/: the alert rules pass `promtool test rules`; the Ansible playbook passes its syntax
check, runs in check mode on localhost, and really writes a kiosk's TOML from the inventory
and the vault, refusing a wrong value before it replaces the file in use."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import config as config_mod
from kiosk.pin import hash_pin, verify_pin

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
ANSIBLE = DEPLOY / "ansible"


def _need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (Debian package {package}; scripts/setup.sh installs it as root)")
    return path


def test_the_alert_rules_pass_their_unit_tests():
    promtool = _need("promtool", "prometheus")
    done = subprocess.run([promtool, "test", "rules", "tests/pas_a_pas.rules.test.yml"], cwd=DEPLOY / "prometheus",
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_the_prometheus_configs_are_valid(tmp_path):
    promtool = _need("promtool", "prometheus")
    for name in ("agent.example.yml", "central.example.yml"):
        shutil.copy(DEPLOY / "prometheus" / name, tmp_path)
    shutil.copy(DEPLOY / "prometheus" / "pas_a_pas.rules.yml", tmp_path)
    for args in (["--syntax-only", "agent.example.yml"], ["central.example.yml"]):
        done = subprocess.run([promtool, "check", "config", *args], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_alertmanager_example_is_valid():
    amtool = _need("amtool", "prometheus-alertmanager")
    done = subprocess.run([amtool, "check-config", str(DEPLOY / "prometheus" / "alertmanager.example.yml")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 receivers" in done.stdout


def _ansible_env(tmp_path: Path) -> dict:
    env = dict(os.environ, ANSIBLE_CONFIG=str(ANSIBLE / "ansible.cfg"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "ans-tmp"),
               ANSIBLE_REMOTE_TEMP=str(tmp_path / "ans-tmp"), ANSIBLE_NOCOLOR="1", ANSIBLE_HOME=str(tmp_path / "ans"),
               ANSIBLE_RETRY_FILES_ENABLED="0")
    return env


def test_the_playbook_passes_its_syntax_check(tmp_path):
    playbook = _need("ansible-playbook", "ansible")
    done = subprocess.run([playbook, "--syntax-check", "-i", "inventory/kiosks.yml", "site.yml"], cwd=ANSIBLE,
                          capture_output=True, text=True, timeout=300, env=_ansible_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr


class LocalKiosk:
    """An inventory of one kiosk, localhost, installing into a temp folder, secrets in a vault."""

    def __init__(self, tmp_path: Path, pin: str = "482913"):
        self.tmp = tmp_path
        self.etc, self.data = tmp_path / "etc", tmp_path / "data"
        (tmp_path / "vault-pass").write_text("test-only-vault-password\n")
        self.pin_hash = hash_pin(pin)
        vault = tmp_path / "vault.yml"
        vault.write_text(f"vault_kiosk_pin_hash: {json.dumps(self.pin_hash)}\n"
                         f"vault_webhook_url: https://chat.example.org/hooks/secret-token\n")
        subprocess.run([shutil.which("ansible-vault"), "encrypt", str(vault), "--vault-password-file",
                        str(tmp_path / "vault-pass")], check=True, capture_output=True, timeout=120,
                       env=_ansible_env(tmp_path))
        root = tmp_path / "content-root.json"
        root.write_text("{}")
        command = f"env PYTHONPATH={REPO} {sys.executable} -m kiosk"
        self.host = {"ansible_connection": "local", "ansible_become": False, "ansible_python_interpreter":
                     sys.executable if shutil.which("python3") is None else shutil.which("python3"),
                     "kiosk_manage_packages": False, "kiosk_manage_user": False, "kiosk_manage_code": False,
                     "kiosk_manage_service": False, "kiosk_manage_monitoring": False,
                     "kiosk_config_dir": str(self.etc), "kiosk_data_dir": str(self.data),
                     "kiosk_command": command, "kiosk_name": "Borne de l'accueil", "kiosk_place": "Mairie de Lens",
                     "kiosk_printer": {"connection": "network", "network_host": "192.168.10.40"},
                     "kiosk_helpcall": {"webhook_url": "{{ vault_webhook_url }}", "ticket": True},
                     "kiosk_pin_hash": "{{ vault_kiosk_pin_hash }}",
                     "kiosk_updates_url": "https://contenu.example.org/pas-a-pas",
                     "kiosk_trusted_root_src": str(root)}

    def run(self, *extra: str, **overrides) -> subprocess.CompletedProcess:
        inventory = self.tmp / "inventory.json"
        inventory.write_text(json.dumps({"kiosks": {"hosts": {"localhost": {**self.host, **overrides}}}}))
        return subprocess.run([shutil.which("ansible-playbook"), "-i", str(inventory), "site.yml",
                               "-e", f"@{self.tmp / 'vault.yml'}", "--vault-password-file",
                               str(self.tmp / "vault-pass"), *extra],
                              cwd=ANSIBLE, capture_output=True, text=True, timeout=600, env=_ansible_env(self.tmp))


@pytest.fixture
def local_kiosk(tmp_path):
    _need("ansible-playbook", "ansible")
    return LocalKiosk(tmp_path)


def test_the_playbook_writes_the_kiosk_config_from_inventory_and_vault(local_kiosk):
    done = local_kiosk.run()
    assert done.returncode == 0, done.stdout + done.stderr
    path = local_kiosk.etc / "kiosk.toml"
    cfg = config_mod.load(path)
    assert (cfg.kiosk.name, cfg.kiosk.place) == ("Borne de l'accueil", "Mairie de Lens")
    assert (cfg.printer.connection, cfg.printer.network_host) == ("network", "192.168.10.40")
    assert cfg.helpcall.webhook_url == "https://chat.example.org/hooks/secret-token" and cfg.helpcall.ticket
    assert verify_pin("482913", cfg.conseiller.pin_hash)
    assert cfg.updates.enabled and cfg.updates.trusted_root == local_kiosk.etc / "content-root.json"
    assert (local_kiosk.etc / "content-root.json").is_file()
    assert "secret-token" not in (local_kiosk.tmp / "vault.yml").read_text(), "the vault file stays encrypted"
    again = local_kiosk.run()
    assert again.returncode == 0 and "changed=0" in again.stdout, "a second run changes nothing"


def test_a_wrong_value_is_refused_before_it_replaces_the_config_in_use(local_kiosk):
    assert local_kiosk.run().returncode == 0
    path = local_kiosk.etc / "kiosk.toml"
    before = path.read_bytes()
    done = local_kiosk.run(kiosk_printer={"connection": "fax"})
    assert done.returncode != 0
    assert "[printer] connection = 'fax': must be one of" in done.stdout + done.stderr
    assert path.read_bytes() == before, "the kiosk keeps its checked config"


def test_check_mode_on_localhost_writes_nothing(local_kiosk):
    done = local_kiosk.run("--check", "--diff")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "changed=" in done.stdout
    assert not (local_kiosk.etc / "kiosk.toml").exists()
