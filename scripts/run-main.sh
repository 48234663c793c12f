#!/usr/bin/env bash
# Set up (idempotent), then run the lesson's median workflow with the embedded engine.
# Arguments go to `ij-bgcorr run` (e.g. an image path, --radius 15, --out DIR; default out).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
case " $* " in
  *" --out "*|*" --out="*) exec .venv/bin/ij-bgcorr run "$@" ;;
  *) exec .venv/bin/ij-bgcorr run "$@" --out out ;;
esac
