#!/usr/bin/env bash
# Run the kiosk on its embedded defaults (or: scripts/run.sh --config FILE).
set -euo pipefail
. "$(dirname "$0")/setup.sh"
exec "$VENV/bin/kiosk" run "$@"
