"""DuckDB's candles of one asset from the candles table's 1-minute bars, aggregated to a
coarser bucket: the reference for `GET /api/v1/assets/{asset}/candles` over a lake whose
candles table holds the asset.

usage: candles_from_table_duckdb.py TABLE ASSET SOURCE BUCKET_SECONDS FROM_MS TO_MS

The table's read rule first (per source, asset, interval, open time: the final row if any,
else the latest ingested), then per bucket: open of the first bar, max high, min low, close
of the last bar, summed base volume, bar count. Prints JSON
[{"start_ms", "open", "high", "low", "close", "volume", "count"}, ...] ordered by start.
"""
import json
import sys

from duckdb_delta import connect


def main():
    table, asset, source = sys.argv[1], sys.argv[2], sys.argv[3]
    bucket, start, end = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    query = f"""
        WITH bars AS (
            SELECT * FROM delta_scan('{table}')
            WHERE asset = $asset AND source = $source AND interval = '1m'
              AND open_time >= make_timestamptz({start} * 1000) AND open_time < make_timestamptz({end} * 1000)
            QUALIFY row_number() OVER (PARTITION BY source, asset, interval, open_time
                                       ORDER BY "final" DESC, ingest_time DESC) = 1)
        SELECT epoch_ms(time_bucket(INTERVAL '{bucket} seconds', open_time)) AS b,
               arg_min(open, open_time), max(high), min(low), arg_max(close, open_time), sum(base_volume), count(*)
        FROM bars GROUP BY b ORDER BY b"""
    rows = connect().execute(query, {"asset": asset, "source": source}).fetchall()
    json.dump([{"start_ms": r[0], "open": r[1], "high": r[2], "low": r[3], "close": r[4], "volume": r[5], "count": r[6]}
               for r in rows], sys.stdout)


if __name__ == "__main__":
    main()
