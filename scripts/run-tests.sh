#!/usr/bin/env bash
# Set up (idempotent), then the linter and the test suite on both engines:
# every test with the embedded ImageJ 1.x, then every test that needs Java
# with the Fiji in $IJ_BGCORR_FIJI (default: ../shared/fiji/Fiji.app; its half
# skips, saying so, when there is none). Arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check ij_bgcorr tests benchmarks
status=0
.venv/bin/python -m pytest --engine embedded "$@" || status=$?
.venv/bin/python -m pytest --engine fiji -m jvm "$@" || status=$?
exit "$status"
