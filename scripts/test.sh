#!/usr/bin/env bash
# Run the whole test suite. Screen tests draw in a real offscreen Kivy window
# (no DISPLAY needed); extra arguments go to pytest.
set -euo pipefail
. "$(dirname "$0")/setup.sh" test
cd "$REPO"
exec "$VENV/bin/python" -m pytest "$@"
