"""DuckDB's side of `cryptoviz bench server`: the same candles, computed in-process by DuckDB
(delta_scan over the same table), timing only the query.

usage: bench_candles_duckdb.py TABLE BUCKET_SECONDS FROM_MS TO_MS ASSET...

For each asset: a new connection with the delta extension loaded (not timed), then the query
once ("first", DuckDB has no cache of this table yet) and once more ("repeated"). Prints JSON:
{"first_ms": [...], "repeated_ms": [...], "rows": N (candles of the last asset)}.
"""
import json
import sys
import time

from duckdb_delta import connect


def main():
    table, bucket, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    query = f"""
        SELECT epoch_ms(time_bucket(INTERVAL '{bucket} seconds', source_time)) AS b,
               arg_min(price, source_time), max(price), min(price), arg_max(price, source_time), arg_max(volume_24h, source_time), count(*)
        FROM delta_scan('{table}')
        WHERE asset = $asset AND source_time >= to_timestamp({start} / 1000) AND source_time < to_timestamp({end} / 1000)
        GROUP BY ALL ORDER BY b"""
    first, repeated, rows = [], [], 0
    for asset in sys.argv[5:]:
        con = connect()
        for out in (first, repeated):
            t0 = time.perf_counter()
            rows = len(con.execute(query, {"asset": asset}).fetchall())
            out.append((time.perf_counter() - t0) * 1000)
        con.close()
    json.dump({"first_ms": first, "repeated_ms": repeated, "rows": rows}, sys.stdout)


if __name__ == "__main__":
    main()
