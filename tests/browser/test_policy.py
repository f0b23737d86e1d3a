"""The managed policy: generated from the one allow-list, and obeyed by a real Chromium."""

from __future__ import annotations

import json

import pytest

from kiosk.browser.allowlist import IDENTITY_PROVIDERS, browser_domains, is_browsable
from kiosk.browser.guard import pages_filter
from kiosk.browser.policy import build_policy, install, installed_state, render
from kiosk.browser.session import BrowserSession
from kiosk.content.domains import ALLOWED_DOMAINS
from tests.browser.conftest import ROOT_FLAGS, managed_test_policy


def test_policy_blocks_everything_but_the_official_sites_and_identity_providers():
    policy = build_policy()
    assert policy["URLBlocklist"] == ["*"]
    allowed = policy["URLAllowlist"]
    for domain in (*ALLOWED_DOMAINS, *IDENTITY_PROVIDERS):
        assert f"https://{domain}" in allowed
    # No http, no chrome://, and file: for the kiosk's own pages only (test_blocked_page.py).
    assert all(entry.startswith("https://") for entry in allowed if entry != pages_filter())
    assert "https://laposte.fr" not in allowed  # the sign-in host only, not La Poste's shop
    assert policy["DeveloperToolsAvailability"] == 2 and policy["DownloadRestrictions"] == 3
    assert policy["BrowserSignin"] == 0 and policy["SyncDisabled"] is True
    assert policy["PasswordManagerEnabled"] is False and policy["TranslateEnabled"] is False
    assert policy["AutofillAddressEnabled"] is False and policy["AutofillCreditCardEnabled"] is False
    assert policy["IncognitoModeAvailability"] == 1


def test_the_kiosk_refuses_before_chromium_what_the_policy_would_block():
    assert is_browsable("https://www.impots.gouv.fr/accueil")
    assert is_browsable("https://lidentitenumerique.laposte.fr/")
    assert not is_browsable("https://www.laposte.fr/boutique")
    assert not is_browsable("http://www.impots.gouv.fr/")  # https only
    assert not is_browsable("https://impots.gouv.fr.example.com/")
    assert not is_browsable("http://127.0.0.1:8000/x")
    assert is_browsable("http://127.0.0.1:8000/x", ("http://127.0.0.1",))
    assert browser_domains() == tuple(sorted(set(browser_domains())))


def test_install_is_atomic_readable_and_checked_as_current(tmp_path):
    path = tmp_path / "managed" / "pas-a-pas.json"
    policy = build_policy()
    assert installed_state(path, policy) == "missing"
    install(path, policy)
    assert json.loads(path.read_text()) == policy and (path.stat().st_mode & 0o777) == 0o644
    assert installed_state(path, policy) == "current"
    assert [p.name for p in path.parent.iterdir()] == ["pas-a-pas.json"]  # no temp file left
    assert installed_state(path, build_policy(("http://127.0.0.1",))) == "stale"
    path.write_text("{not json")
    assert installed_state(path, policy) == "stale"


def test_cli_writes_checks_and_prints_the_policy(tmp_path):
    from kiosk.cli import main
    out = tmp_path / "p.json"
    assert main(["browser", "policy", "--check", "--out", str(out)]) == 1
    assert main(["browser", "policy", "--out", str(out)]) == 0
    assert out.read_bytes() == render(build_policy())
    assert main(["browser", "policy", "--check", "--out", str(out)]) == 0


@pytest.fixture
def installed_test_policy(site_server):
    """The kiosk's own policy plus {base}/ping/ok and {base}/frame (tests/browser/conftest.py)."""
    with managed_test_policy("frame", (f"{site_server.base}/ping/ok", f"{site_server.base}/frame")) as path:
        yield path


def test_a_real_chromium_under_the_policy_refuses_an_address_outside_the_allow_list(
        chromium, site_server, installed_test_policy, profile_root):
    browser = BrowserSession(chromium, profile_root, headless=True, extra_flags=ROOT_FLAGS)
    try:
        browser.start(f"{site_server.base}/ping/ok")
        assert site_server.wait_report() == "ok"  # the policy lets the allowed page in
        # A frame's load event fires once its page, or the error page, is there: by then a
        # request for the blocked page would have reached the server.
        browser.open(f"{site_server.base}/frame")
        assert site_server.wait_report() == "frame-done"
        browser.open(f"{site_server.base}/ping/blocked")  # and as the top page
        browser.open(f"{site_server.base}/ping/ok")
        assert site_server.wait_report() == "ok"
    finally:
        browser.wipe()
    assert "/frame" in site_server.requests
    assert "/ping/blocked" not in site_server.requests
