#!/usr/bin/env bash
# Run the shelfcast vs statsforecast benchmarks with their defaults (see benchmarks/README.md):
# bench_forecast.py (about 40 s), bench_models.py (every shared model, about 12-15 min on a
# busy 2-core machine) and bench_scale.py (M5 size, about 5 min; skipped when the shared
# store-item data is absent). Extra arguments go to bench_forecast.py, e.g.:
#   benchmarks/run_all.sh --memory --json out.json
set -euo pipefail
cd "$(dirname "$0")/.."
"${PYTHON:-python}" benchmarks/bench_forecast.py "$@"
"${PYTHON:-python}" benchmarks/bench_models.py
"${PYTHON:-python}" benchmarks/bench_scale.py
