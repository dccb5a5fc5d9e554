"""Independent checks of the processor's live 1-minute rollups in a CryptoViz lake.

Usage: rollup_oracle.py LAKE   (LAKE: the lake root, a local path holding ticks/ and candles/)
Prints {
  "expected": rows computed by DuckDB from <lake>/ticks (OHLC by source time per source, asset
              and minute; market cap of the minute's last tick),
  "deltalake": the 1m bars of <lake>/candles as delta-rs reads them, after the read rule,
  "duckdb":    the same through DuckDB's delta_scan, read rule in SQL,
  "final_rows": {"source|asset|open_time_ms": number of final rows stored},
  "rows": number of 1m rows stored
}
A row is [source, asset, open_time_ms, open, high, low, close, market_cap, final, origin].
The read rule: a final row if any, the latest ingest_time among equals; a tie goes to the
origin ranked backfill > stream > rollup.
"""
import json, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lakehouse"))
from delta_oracle import duck  # noqa: E402

RANK = {"backfill": 3, "stream": 2, "rollup": 1}


def expected(con, lake):
    return [list(r) for r in con.execute(f"""
        SELECT source, asset, (epoch_ms(source_time) // 60000) * 60000 AS minute,
               arg_min(price, source_time), max(price), min(price), arg_max(price, source_time),
               arg_max_null(market_cap, source_time), NULL, NULL
        FROM delta_scan('{lake}/ticks') GROUP BY ALL ORDER BY 1, 2, 3""").fetchall()]


def with_deltalake(lake):
    from deltalake import DeltaTable
    rows = DeltaTable(f"{lake}/candles").to_pyarrow_table().to_pylist()
    chosen, finals = {}, {}
    for r in rows:
        if r["interval"] != "1m":
            continue
        t = int(r["open_time"].timestamp() * 1000)
        key = (r["source"], r["asset"], t)
        if r["final"]:
            finals["|".join(map(str, key))] = finals.get("|".join(map(str, key)), 0) + 1
        rank = (bool(r["final"]), r["ingest_time"], RANK.get(r["origin"], 0))
        if key not in chosen or rank > chosen[key][0]:
            chosen[key] = (rank, [r["source"], r["asset"], t, r["open"], r["high"], r["low"], r["close"],
                                  r["market_cap"], bool(r["final"]), r["origin"]])
    count = sum(1 for r in rows if r["interval"] == "1m")
    return [v[1] for _, v in sorted(chosen.items())], finals, count


def with_duckdb(con, lake):
    return [list(r) for r in con.execute(f"""
        SELECT source, asset, epoch_ms(open_time), open, high, low, close, market_cap, "final", origin FROM (
            SELECT *, row_number() OVER (PARTITION BY source, asset, "interval", open_time
                ORDER BY "final" DESC, ingest_time DESC,
                         CASE origin WHEN 'backfill' THEN 3 WHEN 'stream' THEN 2 WHEN 'rollup' THEN 1 ELSE 0 END DESC) AS n
            FROM delta_scan('{lake}/candles') WHERE "interval" = '1m')
        WHERE n = 1 ORDER BY 1, 2, 3""").fetchall()]


def main():
    lake = sys.argv[1].rstrip("/")
    con = duck()
    delta_rows, finals, count = with_deltalake(lake)
    out = {"expected": expected(con, lake), "deltalake": delta_rows, "duckdb": with_duckdb(con, lake),
           "final_rows": finals, "rows": count}
    json.dump(out, sys.stdout)
    sys.stdout.flush()
    # Skip interpreter teardown (deltalake's native runtime was seen to abort there).
    os._exit(0)


if __name__ == "__main__":
    main()
