#!/usr/bin/env bash
# Set up (idempotent), then the linter and the test suite on both engines:
# the tests that need no Java where no Java can be found, the tests that need
# it with the embedded ImageJ 1.x, then every test that needs Java with the
# Fiji in $IJ_BGCORR_FIJI (default: ../shared/fiji/Fiji.app; its half skips,
# saying so, when there is none). Arguments go to every pytest run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check --no-cache ij_bgcorr tests benchmarks
.venv/bin/sphinx-build -W --keep-going -b html docs docs/_build/html

# Run a command where `java` cannot be found: as root with unshare(1), a private
# mount hides the java on PATH and JAVA_HOME is unset, so that a test that needs
# Java without its `jvm` mark fails here. Elsewhere the command runs as it is.
without_java() {
  local java
  java="$(command -v java || true)"
  if [ -n "$java" ] && [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
    unshare -m bash -c 'mount --bind /dev/null "$0" && exec env -u JAVA_HOME "$@"' \
      "$java" "$@"
  else
    "$@"
  fi
}

status=0
without_java .venv/bin/python -m pytest --engine embedded -m "not jvm" "$@" || status=$?
.venv/bin/python -m pytest --engine embedded -m jvm "$@" || status=$?
.venv/bin/python -m pytest --engine fiji -m jvm "$@" || status=$?
exit "$status"
