#!/usr/bin/env bash
# Fuzzes the running CryptoViz API from its own OpenAPI document.
# Usage: schemathesis.sh http://127.0.0.1:PORT [extra schemathesis args]
# Needs PyPI schemathesis (Tests/Oracles/requirements.txt). Management POSTs are excluded:
# fuzzing them would compact/vacuum/delete the lake under test; they are covered by
# ServerTests and the browser test. positive_data_acceptance is off: valid-by-schema SQL text
# is still refused (400) by the SQL guard or engine, and ISO times like 9999-12-31T23:59:60Z
# are out of range; everything else (schemas, status codes, 5xx, 405s) is checked.
set -euo pipefail
BASE_URL="${1:?usage: schemathesis.sh BASE_URL}"
shift || true
ST="${CRYPTOVIZ_SCHEMATHESIS:-$(dirname "${CRYPTOVIZ_PYTHON:-python3}")/schemathesis}"
if [ ! -x "$ST" ]; then ST="schemathesis"; fi
# schemathesis leaves a .schemathesis/ cache in its working directory: keep it out of the repo.
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
cd "$workdir"
"$ST" run "$BASE_URL/openapi.json" \
  --url "$BASE_URL" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --exclude-path-regex '^/api/v1/(lake/(compact|vacuum|retention)|live)$' \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-30}" \
  --request-timeout 10 \
  --generation-database none \
  "$@"
