#!/usr/bin/env bash
# Run the kiosk on its embedded defaults (or: scripts/run.sh --config FILE).
set -euo pipefail
# "" as setup.sh's one argument (no extras): sourced bare, it would take this script's own
# arguments (--config FILE) for its extras.
. "$(dirname "$0")/setup.sh" ""
# Freed memory overwritten (kiosk/privacy.py WIPING_ALLOCATOR); `kiosk run` would
# otherwise start itself again to set them.
export PYTHONMALLOC=malloc MALLOC_PERTURB_=165 GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
exec "$VENV/bin/kiosk" run "$@"
