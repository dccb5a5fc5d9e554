#!/usr/bin/env bash
# The main job on a fresh machine: installs the DuckDB CLI (the SQL explorer's engine) into
# .venv, builds the release binary, and runs `cryptoviz up` with any extra arguments
# (e.g. --demo for the simulated market, --data DIR, --port N).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ ! -x .venv/bin/duckdb ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check duckdb-cli==1.5.5
fi
export CRYPTOVIZ_DUCKDB="${CRYPTOVIZ_DUCKDB:-$root/.venv/bin/duckdb}"
swift build -c release --product cryptoviz
exec "$(swift build -c release --show-bin-path)/cryptoviz" up "$@"
