"""Reads a CryptoViz `alerts` Delta table with delta-rs (deltalake) and with DuckDB's delta_scan.

Usage: alerts_oracle.py TABLE   (a local folder)
Prints {"deltars": [row...], "duckdb": [row...]}, each row in the API's names: {position (the
table's seq), id, alert_id, kind, rule_id, rule_name, type (rule_type), severity, asset, source,
value, threshold, fired_at_ms, at_ms, date}, in seq order. Times are Unix ms, as the API speaks.
"""
import datetime as dt
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "server"))

COLUMNS = ["seq", "id", "alert_id", "kind", "rule_id", "rule_name", "rule_type", "severity", "asset", "source",
           "value", "threshold", "fired_time", "event_time", "date"]


def millis(t):
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return int(round(t.timestamp() * 1000))


def normalize(row):
    out = dict(row)
    out["fired_at_ms"] = millis(out.pop("fired_time"))
    out["at_ms"] = millis(out.pop("event_time"))
    out["position"] = out.pop("seq")
    out["type"] = out.pop("rule_type")
    out["date"] = str(out["date"])
    return out


def with_deltars(table):
    from deltalake import DeltaTable
    rows = DeltaTable(table).to_pyarrow_table().to_pylist()
    return sorted((normalize({c: r[c] for c in COLUMNS}) for r in rows), key=lambda r: r["position"])


def with_duckdb(table):
    from duckdb_delta import connect
    con = connect()
    # Times as epoch ms (a TIMESTAMPTZ fetched into Python would need pytz).
    plain = [c for c in COLUMNS if c not in ("fired_time", "event_time")]
    names = ", ".join(plain) + ", epoch_ms(fired_time) AS fired_at_ms, epoch_ms(event_time) AS at_ms"
    result = con.execute(f"SELECT {names} FROM delta_scan(?) ORDER BY seq", [table])
    rows = []
    for r in result.fetchall():
        row = dict(zip(plain + ["fired_at_ms", "at_ms"], r))
        row["date"] = str(row["date"])
        row["position"] = row.pop("seq")
        row["type"] = row.pop("rule_type")
        rows.append(row)
    return rows


if __name__ == "__main__":
    path = sys.argv[1]
    print(json.dumps({"deltars": with_deltars(path), "duckdb": with_duckdb(path)}))
