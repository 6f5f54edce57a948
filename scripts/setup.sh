#!/usr/bin/env bash
# Set up sfbcheck on a fresh Debian/Ubuntu machine with Python 3.11.
#   bash scripts/setup.sh         a virtual environment in .venv with the pinned runtime dependencies and
#                                 sfbcheck itself (editable): .venv/bin/sfbcheck, and pytest finds its plugin
#   bash scripts/setup.sh --dev   also the self-test dependencies and the Debian packages they use
#                                 (a DNS server and a browser for the loopback self-tests; needs root), and
#                                 .venv/wheelhouse: the pinned runtime wheels, so the packaging self-test installs
#                                 the built wheel into a fresh environment without the network
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
requirements=requirements.txt
if [ "${1:-}" = "--dev" ]; then
  requirements=requirements-dev.txt
  packages=$(grep -v '^#' scripts/debian-packages.txt | xargs || true)
  missing=""
  for p in $packages; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
if [ "$requirements" = requirements-dev.txt ]; then
  .venv/bin/python -m pip download -q --disable-pip-version-check -d .venv/wheelhouse -r requirements.txt
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
echo "sfbcheck: .venv ready ($requirements, sfbcheck $(.venv/bin/sfbcheck --version | cut -d' ' -f2))"
