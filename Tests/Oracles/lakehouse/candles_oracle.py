"""Reference reads of CryptoViz Delta tables (candles, and the tick table's log state) with
delta-rs (deltalake) and DuckDB's delta_scan.

Usage:
  candles_oracle.py rows TABLE [--version N]  -> {"deltalake": {...}, "duckdb_delta_scan": {...}}
        each engine: {"types": {column: type}, "rows": [row, ...]} with rows sorted by
        (source, asset, interval, open_time, ingest_time); timestamps as Unix ms, the
        partition column date as YYYY-MM-DD. delta_scan reads the latest version only.
  candles_oracle.py txns TABLE --app ID...    -> delta-rs's transaction version per app id
  candles_oracle.py bars TABLE --asset A --stored 1m --bucket-seconds S --from MS --to MS [--source S]...
        -> DuckDB's aggregation of the stored bars into buckets, after the read rule (one
        row per source/asset/interval/open_time: final first, then the latest ingest):
        [{"open_time", "open", "high", "low", "close", "base_volume", "quote_volume", "n", "final"}]
TABLE is a local path or s3://bucket/prefix (S3 settings from CRYPTOVIZ_S3_ENDPOINT).
"""
import argparse, json, os, sys
from delta_oracle import deltalake_rows, duck, duckdb_rows, opts


def ordered(rows):
    key = lambda r: (r["source"], r["asset"], r["interval"], r["open_time"], r["ingest_time"])
    return sorted(rows, key=key)


def rows(args):
    version, read = deltalake_rows(args.table, args.version)
    out = {"version": version, "deltalake": {"types": read["types"], "rows": ordered(read["rows"])}}
    if args.version is None:
        read = duckdb_rows(args.table)
        out["duckdb_delta_scan"] = {"types": read["types"], "rows": ordered(read["rows"])}
    json.dump(out, sys.stdout, sort_keys=True)


def txns(args):
    from deltalake import DeltaTable
    t = DeltaTable(args.table, storage_options=opts(args.table))
    json.dump({"version": t.version(), "txns": {a: t.transaction_version(a) for a in args.app or []}},
              sys.stdout, sort_keys=True)


def bars(args):
    sources = ""
    if args.source:
        sources = "AND source IN (" + ", ".join("'" + s + "'" for s in args.source) + ")"
    query = f"""
        WITH ruled AS (
            SELECT * FROM delta_scan('{args.table}')
            WHERE asset = $asset AND interval = $stored {sources}
              AND epoch_ms(open_time) >= $from AND epoch_ms(open_time) < $to
            QUALIFY row_number() OVER (PARTITION BY source, asset, interval, open_time
                                       ORDER BY final DESC, ingest_time DESC,
                                                CASE origin WHEN 'backfill' THEN 3 WHEN 'stream' THEN 2
                                                            WHEN 'rollup' THEN 1 ELSE 0 END DESC) = 1)
        SELECT epoch_ms(open_time) // ($bucket * 1000) * ($bucket * 1000) AS b,
               first(open ORDER BY open_time, source), max(high), min(low),
               last(close ORDER BY open_time, source), sum(base_volume), sum(quote_volume), count(*), bool_and(final)
        FROM ruled GROUP BY ALL ORDER BY b"""
    params = {"asset": args.asset, "stored": args.stored, "from": getattr(args, "from"), "to": args.to,
              "bucket": args.bucket_seconds}
    out = [dict(zip(["open_time", "open", "high", "low", "close", "base_volume", "quote_volume", "n", "final"], r))
           for r in duck().execute(query, params).fetchall()]
    json.dump(out, sys.stdout)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["rows", "txns", "bars"])
    p.add_argument("table")
    p.add_argument("--version", type=int)
    p.add_argument("--app", action="append")
    p.add_argument("--asset")
    p.add_argument("--stored")
    p.add_argument("--bucket-seconds", type=int)
    p.add_argument("--from", type=int)
    p.add_argument("--to", type=int)
    p.add_argument("--source", action="append")
    args = p.parse_args()
    {"rows": rows, "txns": txns, "bars": bars}[args.command](args)
    # Skip interpreter teardown: deltalake's native runtime was seen to abort there
    # ("terminate called without an active exception") after the answer was complete.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
