#!/usr/bin/env bash
# Install everything ij-bgcorr needs on Debian/Ubuntu, as root; safe to run again.
# System: a Java runtime, ImageJ 1.x (libij-java), Xvfb. Python: a virtual
# environment at .venv in the project root with the package, its tests' and docs' tools.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in default-jre libij-java xvfb xauth evilwm; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test,cluster,docs]"
