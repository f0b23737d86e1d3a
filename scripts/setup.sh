# Sourced by scripts/run.sh and scripts/test.sh: create or reuse .venv/ and install what
# the kiosk needs. As root on Debian it installs the system packages too.
# Usage: . scripts/setup.sh [test]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
EXTRAS="${1:-}"

# Mesa/EGL so Kivy can draw with no screen; socat for serial tests; zbar to read QR codes.
# systemd: systemd-analyze verifies the units; xvfb: a real X display for `kiosk doctor` tests.
# libusb-1.0-0: pyusb's backend for [printer] connection = "usb".
# prometheus: promtool checks the metrics file and tests deploy/prometheus's alert rules;
# prometheus-alertmanager: amtool checks deploy/prometheus/alertmanager.example.yml;
# ansible: the fleet playbook's syntax check and check-mode run (tests/ops/test_fleet_deploy.py).
# libfribidi0: Pillow's raqm lays out Arabic (receipt images, the bidi tests).
# libharfbuzz-bin: hb-view, HarfBuzz's own drawing, the independent check of Arabic on screen.
# gettext: `msgfmt --check` on the interface catalogs (`kiosk content validate --locales`).
# chromium, sway, xwayland, grim: tests/browser (guided browsing: a real browser, a headless compositor, its screenshot);
# chromium-l10n: Chromium's own pages in French (test_layout_sway.py); wvkbd, wtype: the site's on-screen keyboard and keys typed through the same protocol (tests/browser/test_osk_follow.py).
SYSTEM_PACKAGES="espeak-ng libfribidi0 libharfbuzz-bin gettext python3-venv libgl1-mesa-dri libegl1 libgles2 libmtdev1 socat libzbar0 fonts-dejavu-core systemd xvfb libusb-1.0-0 prometheus prometheus-alertmanager ansible chromium chromium-l10n sway xwayland grim wvkbd wtype"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    missing=""
    for pkg in $SYSTEM_PACKAGES; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
    done
    if [ -n "$missing" ]; then
        echo "setup: installing system packages:$missing" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "setup: creating $VENV" >&2
    python3 -m venv "$VENV"
fi

# Reinstall only when pyproject.toml changed since the last install.
stamp="$VENV/.installed-$(sha256sum "$REPO/pyproject.toml" | cut -c1-16)${EXTRAS:+-$EXTRAS}"
if [ ! -f "$stamp" ]; then
    echo "setup: installing Python packages into $VENV" >&2
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e "$REPO${EXTRAS:+[$EXTRAS]}"
    touch "$stamp"
fi

# Byte-compile the program on every call (`git pull` + setup.sh is the update path): the
# kiosk runs as pasapas, who cannot write __pycache__ under /opt/pas-a-pas, and pip's
# editable install compiles none of our files, so each start would compile them all again
# (~0.1 s). Files already compiled are skipped. Only where this user may write the tree.
if [ -w "$REPO/kiosk" ]; then
    "$VENV/bin/python" -m compileall -q -j 0 "$REPO/kiosk" "$REPO/screens" "$REPO/hardware"
fi
