.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

install:  ## build and install shelfcast with the test extras (editable)
	pip install -e ".[test]"

test:  ## every test: Rust core, then Python
	cargo test --no-default-features
	python -m pytest -q -n 2

lint:  ## rustfmt, clippy, ruff, stub check
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	ruff check python tests benchmarks datasets
	ruff format --check python tests benchmarks datasets
	python -m mypy.stubtest shelfcast._core

bench:  ## benchmarks against statsforecast and stockpyl
	python benchmarks/bench_forecast.py
	python benchmarks/bench_planner.py
	python benchmarks/bench_models.py
	python benchmarks/bench_scale.py

bench-ml:  ## ML models vs mlforecast + LightGBM / scikit-learn (pip install ".[bench]")
	python benchmarks/bench_ml.py

plan:  ## the main job on the bundled data
	shelfcast plan
