#!/usr/bin/env bash
# Run the shelfcast vs statsforecast benchmark with its defaults (see benchmarks/README.md).
# Extra arguments are passed through, e.g.:  benchmarks/run_all.sh --memory --json out.json
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-python}" benchmarks/bench_forecast.py "$@"
