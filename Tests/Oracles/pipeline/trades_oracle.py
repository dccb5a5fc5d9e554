"""Reference reads of the CryptoViz trades table with delta-rs (deltalake) and DuckDB's delta_scan.

Usage:
  trades_oracle.py rows TABLE  -> {"deltalake": {"types", "rows"}, "duckdb_delta_scan": {...}}
        every row (timestamps as Unix ms, date as YYYY-MM-DD), sorted by (source, symbol, trade_id)
  trades_oracle.py ids TABLE   -> {"deltalake": {"source|asset|symbol": [trade_id, ...]}, "duckdb_delta_scan": {...}}
        every stored trade id per series, sorted, repeats kept (a repeat is what the caller looks for)
TABLE is a local path or s3://bucket/prefix (S3 settings from CRYPTOVIZ_S3_ENDPOINT).
"""
import json, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lakehouse"))
from delta_oracle import deltalake_rows, duckdb_rows  # noqa: E402


def ordered(read):
    return {"types": read["types"], "rows": sorted(read["rows"], key=lambda r: (r["source"], r["symbol"], r["trade_id"]))}


def ids(rows):
    out = {}
    for r in rows:
        out.setdefault(f'{r["source"]}|{r["asset"]}|{r["symbol"]}', []).append(r["trade_id"])
    return {k: sorted(v) for k, v in out.items()}


def main():
    command, table = sys.argv[1], sys.argv[2]
    engines = {"deltalake": ordered(deltalake_rows(table)[1]), "duckdb_delta_scan": ordered(duckdb_rows(table))}
    if command == "ids":
        engines = {name: ids(read["rows"]) for name, read in engines.items()}
    json.dump(engines, sys.stdout, sort_keys=True)
    # Skip interpreter teardown: deltalake's native runtime was seen to abort there
    # ("terminate called without an active exception") after the answer was complete.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
