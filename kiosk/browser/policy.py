"""Chromium's managed policy for the kiosk, generated from the allow-list.

Chromium (Debian's `chromium`) reads every JSON file in /etc/chromium/policies/managed/
at start; a managed policy cannot be changed from inside the browser. What it enforces:
- every URL is blocked (URLBlocklist ["*"]) but the allow-list (URLAllowlist, https only
  for the official domains; subdomains are included by Chromium's URL filter format), and
  one file:// folder: the kiosk's own page that replaces a refused one (guard.py).
- no developer tools, no sign-in, no sync, no password manager, no autofill, no translate
  prompt, no incognito or guest window, no extension, no history kept, no file chooser,
  no printing, and the profile is ephemeral even if the kiosk's wipe failed to run.
- downloads are refused (DownloadRestrictions = 3): an attestation or an avis d'impôt is
  never written to the kiosk's disk; the content tells the visitor to have it sent by
  e-mail or printed at the desk.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from kiosk.browser.allowlist import browser_domains
from kiosk.browser.guard import pages_filter
from kiosk.files import read_regular_text, write_atomic

POLICY_PATH = Path("/etc/chromium/policies/managed/pas-a-pas.json")
POLICY_MAX_BYTES = 256 * 1024

# Values from Chromium's policy templates (chrome://policy lists them as they are read).
FIXED_POLICIES: dict[str, object] = {
    "DeveloperToolsAvailability": 2,       # 2 = not allowed anywhere
    "BrowserSignin": 0,                    # 0 = signing in to the browser disabled
    "SyncDisabled": True,
    "PasswordManagerEnabled": False,
    "PasswordLeakDetectionEnabled": False,
    "AutofillAddressEnabled": False,
    "AutofillCreditCardEnabled": False,
    "TranslateEnabled": False,
    "IncognitoModeAvailability": 1,        # 1 = no incognito window (profiles are per visit)
    "BrowserGuestModeEnabled": False,
    "BrowserAddPersonEnabled": False,
    "ForceEphemeralProfiles": True,        # deleted at browser exit, on top of the kiosk's wipe
    "SavingBrowserHistoryDisabled": True,
    "DownloadRestrictions": 3,             # 3 = block all downloads
    "AllowFileSelectionDialogs": False,
    "PrintingEnabled": False,
    "ExtensionInstallBlocklist": ["*"],
    "DefaultBrowserSettingEnabled": False,
    "MetricsReportingEnabled": False,
    "SearchSuggestEnabled": False,
    "PromotionalTabsEnabled": False,
    "BookmarkBarEnabled": False,
    "DefaultNotificationsSetting": 2,      # 2 = never ask
    "DefaultGeolocationSetting": 2,
    "DefaultSearchProviderEnabled": False,  # typing in the (absent) address bar searches nothing
}


def allow_filters(extra: tuple[str, ...] = ()) -> list[str]:
    """URLAllowlist entries: https://domain for each official domain, extras as written."""
    official = [f"https://{d}" for d in browser_domains() if "://" not in d]
    # The kiosk's own page for a refused address (kiosk/browser/guard.py): one folder of
    # static pages, no visitor data; web pages cannot open file:// addresses themselves.
    return official + [pages_filter()] + [e for e in extra if e not in official]


def build_policy(extra: tuple[str, ...] = ()) -> dict[str, object]:
    return {"URLBlocklist": ["*"], "URLAllowlist": allow_filters(extra), **FIXED_POLICIES}


def render(policy: dict[str, object]) -> bytes:
    """The file's bytes: stable (sorted keys), so "is it current" is a byte comparison."""
    return (json.dumps(policy, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def install(path: Path, policy: dict[str, object]) -> None:
    """Write the policy atomically, readable by all (Chromium runs as the kiosk user)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    write_atomic(path, render(policy), tmp_prefix=".pas-a-pas-")
    os.chmod(path, 0o644)


def installed_state(path: Path, policy: dict[str, object]) -> str:
    """"current", "missing", "stale" (differs from what this kiosk would write) or "unreadable"."""
    try:
        text = read_regular_text(path, POLICY_MAX_BYTES)
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError):
        return "unreadable"
    try:
        return "current" if json.loads(text) == policy else "stale"
    except ValueError:
        return "stale"
