"""DuckDB's side of `cryptoviz bench candles`: bars of one asset aggregated from the candles
table's 1-minute bars, computed in-process by DuckDB (delta_scan), timing only the query.

usage: bench_candles_table_duckdb.py TABLE BUCKET_SECONDS FROM_MS TO_MS ASSET...

For each asset: a new connection with the delta extension loaded (not timed), then
 - "plain": the aggregation alone (no read rule: right for a table with one row per key,
   as the benchmark's is) - the lower bound of DuckDB's time;
 - "read_rule": the same after CryptoViz's read rule (one row per key: final first, then
   the latest ingest), which the CryptoViz scan always applies;
each once on a new connection ("first") and once repeated on it. Prints JSON
{"plain_first_ms": [...], "plain_repeated_ms": [...], "rule_first_ms": [...], "rows": N, "bars": [...]}
with "bars" the last asset's plain result (open_time ms, open, high, low, close, quote volume, count).
"""
import json
import sys
import time

from duckdb_delta import connect


def main():
    table, bucket, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    where = f"""asset = $asset AND interval = '1m'
                AND open_time >= to_timestamp({start} / 1000) AND open_time < to_timestamp({end} / 1000)"""
    aggregate = f"""SELECT epoch_ms(time_bucket(INTERVAL '{bucket} seconds', open_time)) AS b,
               arg_min(open, open_time), max(high), min(low), arg_max(close, open_time), sum(quote_volume), count(*)"""
    plain = f"{aggregate} FROM delta_scan('{table}') WHERE {where} GROUP BY ALL ORDER BY b"
    rule = f"""{aggregate} FROM (SELECT * FROM delta_scan('{table}') WHERE {where}
               QUALIFY row_number() OVER (PARTITION BY source, asset, interval, open_time
                                          ORDER BY final DESC, ingest_time DESC,
                                                   CASE origin WHEN 'backfill' THEN 3 WHEN 'stream' THEN 2
                                                               WHEN 'rollup' THEN 1 ELSE 0 END DESC) = 1)
               GROUP BY ALL ORDER BY b"""
    out = {"plain_first_ms": [], "plain_repeated_ms": [], "rule_first_ms": [], "rows": 0, "bars": []}
    for asset in sys.argv[5:]:
        con = connect()
        for key in ("plain_first_ms", "plain_repeated_ms"):
            t0 = time.perf_counter()
            rows = con.execute(plain, {"asset": asset}).fetchall()
            out[key].append((time.perf_counter() - t0) * 1000)
        con.close()
        con = connect()
        t0 = time.perf_counter()
        con.execute(rule, {"asset": asset}).fetchall()
        out["rule_first_ms"].append((time.perf_counter() - t0) * 1000)
        con.close()
        out["rows"] = len(rows)
        out["bars"] = [[r[0], r[1], r[2], r[3], r[4], r[5], r[6]] for r in rows]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
