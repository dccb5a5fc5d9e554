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
# The native CLI that `duckdb-cli` ships, not its .venv/bin/duckdb launcher: the launcher is a
# Python script whose child survives a kill of the script, so the SQL timeout could not stop it.
if [ -z "${CRYPTOVIZ_DUCKDB:-}" ]; then
  site="$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  export CRYPTOVIZ_DUCKDB="$site/duckdb_cli/duckdb"
fi
[ -x "$CRYPTOVIZ_DUCKDB" ] || { echo "up.sh: no DuckDB CLI at $CRYPTOVIZ_DUCKDB" >&2; exit 1; }
swift build -c release --product cryptoviz
exec "$(swift build -c release --show-bin-path)/cryptoviz" up "$@"
