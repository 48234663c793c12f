#!/usr/bin/env bash
# Set up (idempotent), then run the linter and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check ij_bgcorr tests benchmarks
exec .venv/bin/python -m pytest "$@"
