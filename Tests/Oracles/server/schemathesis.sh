#!/usr/bin/env bash
# Fuzzes the running CryptoViz API from its own OpenAPI document.
# Usage: schemathesis.sh http://127.0.0.1:PORT [extra schemathesis args]
# Needs PyPI schemathesis (Tests/Oracles/requirements.txt). Management POSTs are excluded:
# fuzzing them would compact/vacuum/delete the lake under test; they are covered by
# ServerTests and the browser test.
set -euo pipefail
BASE_URL="${1:?usage: schemathesis.sh BASE_URL}"
shift || true
ST="${CRYPTOVIZ_SCHEMATHESIS:-$(dirname "${CRYPTOVIZ_PYTHON:-python3}")/schemathesis}"
if [ ! -x "$ST" ]; then ST="schemathesis"; fi
exec "$ST" run "$BASE_URL/openapi.json" \
  --url "$BASE_URL" \
  --checks all \
  --exclude-path-regex '^/api/v1/(lake/(compact|vacuum|retention)|live)$' \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-30}" \
  --request-timeout 10 \
  "$@"
