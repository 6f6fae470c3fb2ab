#!/usr/bin/env bash
# CI of the Python package and the Spark pipeline, from a fresh Debian machine with only Rust and
# Python 3: installs Java if missing, makes a virtual environment in python/.venv, builds the
# wheel with maturin, installs it as a user would, and runs the pytest suite (which checks the
# Spark job and the bindings against the CLI built here).
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)

echo "-- java (Spark runs on the JVM)"
if ! command -v java >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
java -version 2>&1 | head -1

echo "-- virtual environment and tools"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q "maturin>=1.5,<2" "pyspark>=3.4" pyarrow "pandas<3" numpy pytest

echo "-- format and lint of the bindings"
cargo fmt -- --check
cargo clippy --release --locked --all-targets -- -D warnings

echo "-- the CLI the tests compare with"
# Built as `cargo test --release` builds it (with the test targets' features), so that after the
# root's tests, which .ci/run runs first, this is a no-op instead of a second build.
(cd "$root" && cargo test --release --locked --no-run 2>&1 | tail -1)

echo "-- wheel"
rm -rf target/wheels
.venv/bin/maturin build --release --locked --quiet
.venv/bin/python -m pip install -q --force-reinstall --no-deps target/wheels/reprint-*.whl

echo "-- pytest"
# From tests/, so that `import reprint` is the installed wheel, not the source folder.
cd tests
REPRINT_BIN="$root/target/release/reprint" ../.venv/bin/python -m pytest -q -p no:cacheprovider .
