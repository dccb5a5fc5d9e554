"""Reference reads and writes of CryptoViz tick tables with delta-rs (deltalake) and DuckDB.

Usage:
  delta_oracle.py summary TABLE [--version N]...   -> JSON summaries per version ("latest" too)
  delta_oracle.py write TABLE --rows N              -> writes N synthetic ticks with delta-rs
                   [--partition-by c1,c2] [--drop COL]...   (default partitioning: date,source)
  delta_oracle.py append TABLE --commits K --rows N -> K separate delta-rs appends of N rows
  delta_oracle.py checkpoint TABLE                  -> delta-rs create_checkpoint() at the latest version
  delta_oracle.py read-checkpoint FILE              -> pyarrow's view of a checkpoint file: row and
                                                       action counts, active paths, protocol, txns
TABLE is a local path or s3://bucket/prefix (S3 settings from CRYPTOVIZ_S3_ENDPOINT).
A summary is {rows, sum_price{asset}, last_price{"asset|source"}} computed by each engine.
"""
import argparse, glob, json, os, sys
import datetime as dt


def storage_options():
    ep = os.environ.get("CRYPTOVIZ_S3_ENDPOINT")
    if not ep:
        return None
    return {"AWS_ENDPOINT_URL": ep, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": "us-east-1", "AWS_ALLOW_HTTP": "true"}


def opts(table):
    return storage_options() if table.startswith("s3://") else None


def summarize(rows):
    """rows: iterable of (asset, source, source_time, price)."""
    out = {"rows": 0, "sum_price": {}, "last_price": {}}
    last_time = {}
    for asset, source, t, price in rows:
        out["rows"] += 1
        out["sum_price"][asset] = out["sum_price"].get(asset, 0.0) + price
        key = f"{asset}|{source}"
        if key not in last_time or t > last_time[key]:
            last_time[key] = t
            out["last_price"][key] = price
    return out


def millis(t):
    if isinstance(t, dt.datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        return int(t.timestamp() * 1000)
    return int(t)


def plain(v):
    """A value as JSON carries it: timestamps as Unix ms, dates as YYYY-MM-DD."""
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.timezone.utc)
        return int(v.timestamp() * 1000)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def deltalake_rows(table, version=None):
    """(version, {"types", "rows"}): every row of the Delta table as delta-rs reads it, values plain."""
    from deltalake import DeltaTable
    kw = {} if version is None else {"version": version}
    t = DeltaTable(table, storage_options=opts(table), **kw)
    arrow = t.to_pyarrow_table()
    return t.version(), {"types": {f.name: str(f.type) for f in arrow.schema},
                         "rows": [{k: plain(v) for k, v in r.items()} for r in arrow.to_pylist()]}


def duckdb_rows(table):
    """{"types", "rows"}: every row of the latest version as DuckDB's delta_scan reads it."""
    con = duck()
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM delta_scan('{table}')").fetchall()}
    # Timestamps leave DuckDB as epoch ms (its Python conversion of TIMESTAMPTZ needs pytz).
    select = ", ".join(f'epoch_ms("{n}") AS "{n}"' if t.startswith("TIMESTAMP") else f'"{n}"' for n, t in types.items())
    rel = con.execute(f"SELECT {select} FROM delta_scan('{table}')")
    names = [d[0] for d in rel.description]
    return {"types": types, "rows": [{n: plain(v) for n, v in zip(names, r)} for r in rel.fetchall()]}


def duck():
    import duckdb
    con = duckdb.connect()
    site = os.environ.get("CRYPTOVIZ_DUCKDB_EXTENSIONS")
    if not site:
        import sysconfig
        site = sysconfig.get_paths()["purelib"]
    for name in ("delta", "httpfs"):
        path = glob.glob(f"{site}/duckdb_extension_{name}/extensions/*/{name}.duckdb_extension")
        if path:
            con.execute(f"LOAD '{path[0]}'")
    so = storage_options()
    if so:
        host = so["AWS_ENDPOINT_URL"].split("://", 1)[1]
        con.execute(f"CREATE SECRET (TYPE s3, KEY_ID 'test', SECRET 'test', REGION 'us-east-1', "
                    f"ENDPOINT '{host}', URL_STYLE 'path', USE_SSL false)")
    return con


def summary(args):
    from deltalake import DeltaTable
    result = {}
    con = duck()
    for label in args.version or ["latest"]:
        kw = {} if label == "latest" else {"version": int(label)}
        t = DeltaTable(args.table, storage_options=opts(args.table), **kw)
        tbl = t.to_pyarrow_table(columns=["asset", "source", "source_time", "price"])
        d = tbl.to_pydict()
        entry = {"version": t.version(),
                 "deltalake": summarize(zip(d["asset"], d["source"], map(millis, d["source_time"]), d["price"]))}
        files = t.file_uris()
        if files:
            flist = "[" + ",".join("'" + f + "'" for f in files) + "]"
            q = (f"SELECT asset, source, epoch_ms(source_time), price FROM read_parquet({flist}, "
                 f"hive_partitioning=true, hive_types_autocast=false)")
            entry["duckdb_read_parquet"] = summarize(con.execute(q).fetchall())
        else:
            entry["duckdb_read_parquet"] = summarize([])
        if label == "latest":
            q = f"SELECT asset, source, epoch_ms(source_time), price FROM delta_scan('{args.table}')"
            entry["duckdb_delta_scan"] = summarize(con.execute(q).fetchall())
            if args.filter_asset:
                # Exercises delta_scan's file skipping on CryptoViz's min/max statistics.
                q = (f"SELECT count(*) FROM delta_scan('{args.table}') WHERE asset = '{args.filter_asset}' "
                     f"AND source_time >= make_timestamptz({args.filter_from_ms} * 1000)")
                entry["duckdb_delta_scan_filtered_rows"] = con.execute(q).fetchone()[0]
            entry["duckdb_types"] = {r[0]: r[1] for r in con.execute(
                f"DESCRIBE SELECT * FROM delta_scan('{args.table}')").fetchall()}
        result[label] = entry
    json.dump(result, sys.stdout, sort_keys=True)


def synthetic(n, seed, start_ms):
    import pyarrow as pa
    assets = ["bitcoin", "ethereum", "solana", "cardano"]
    sources = ["coingecko", "binance"]
    rows = {k: [] for k in ["event_id", "source", "asset", "symbol", "quote_currency", "price", "market_cap",
                            "volume_24h", "change_1h", "change_24h", "change_7d", "source_time", "collected_time",
                            "ingested_time", "processed_time", "bus_topic", "bus_partition", "bus_offset", "date"]}
    for i in range(n):
        a = assets[(i + seed) % len(assets)]
        s = sources[(i // len(assets) + seed) % len(sources)]
        t = start_ms + (i * 37_000) + seed * 1000
        ts = dt.datetime.fromtimestamp(t / 1000, tz=dt.timezone.utc)
        rows["event_id"].append(f"{s}|{a}|{t}")
        rows["source"].append(s); rows["asset"].append(a); rows["symbol"].append(a[:3].upper())
        rows["quote_currency"].append("USD"); rows["price"].append(100.0 + (i * 7919 % 1000) / 10.0 + seed)
        rows["market_cap"].append(None if i % 5 == 0 else 1e9 + i)
        rows["volume_24h"].append(1e6 + i); rows["change_1h"].append(0.1)
        rows["change_24h"].append(None); rows["change_7d"].append(-1.5)
        for c in ("source_time", "collected_time", "ingested_time", "processed_time"):
            rows[c].append(ts)
        rows["bus_topic"].append("crypto-raw-data"); rows["bus_partition"].append(0)
        rows["bus_offset"].append(i); rows["date"].append(ts.date())
    ts_type = pa.timestamp("us", tz="UTC")
    schema = pa.schema([("event_id", pa.string()), ("source", pa.string()), ("asset", pa.string()),
                        ("symbol", pa.string()), ("quote_currency", pa.string()), ("price", pa.float64()),
                        ("market_cap", pa.float64()), ("volume_24h", pa.float64()), ("change_1h", pa.float64()),
                        ("change_24h", pa.float64()), ("change_7d", pa.float64()), ("source_time", ts_type),
                        ("collected_time", ts_type), ("ingested_time", ts_type), ("processed_time", ts_type),
                        ("bus_topic", pa.string()), ("bus_partition", pa.int32()), ("bus_offset", pa.int64()),
                        ("date", pa.date32())])
    return pa.table(rows, schema=schema)


def write(args):
    from deltalake import write_deltalake
    tbl = synthetic(args.rows, args.seed, args.start_ms)
    tbl = tbl.drop_columns(args.drop or [])
    partition_by = [c for c in args.partition_by.split(",") if c]
    write_deltalake(args.table, tbl, partition_by=partition_by or None, mode="append",
                    storage_options=opts(args.table))
    print(json.dumps({"rows": tbl.num_rows}))


def append(args):
    from deltalake import write_deltalake, DeltaTable
    t = DeltaTable(args.table, storage_options=opts(args.table))
    # Append with the table's own schema (CryptoViz's), dropping columns it does not have.
    names = [f.name for f in t.schema().fields]
    for k in range(args.commits):
        tbl = synthetic(args.rows, args.seed + k, args.start_ms)
        tbl = tbl.select([n for n in names if n in tbl.column_names])
        write_deltalake(args.table, tbl, mode="append", storage_options=opts(args.table))
    print(json.dumps({"commits": args.commits, "rows": args.commits * args.rows}))


def checkpoint(args):
    from deltalake import DeltaTable
    t = DeltaTable(args.table, storage_options=opts(args.table))
    t.create_checkpoint()
    print(json.dumps({"version": t.version()}))


def read_checkpoint(args):
    import pyarrow.parquet as pq
    rows = pq.read_table(args.table).to_pylist()
    out = {"rows": len(rows), "add": [], "remove": [], "txn": {}, "protocol": None, "metaData": None}
    for r in rows:
        if r.get("add"):
            a = r["add"]
            out["add"].append({"path": a["path"], "size": a["size"], "partitionValues": dict(a["partitionValues"]),
                               "stats": a["stats"]})
        if r.get("remove"):
            out["remove"].append(r["remove"]["path"])
        if r.get("txn"):
            out["txn"][r["txn"]["appId"]] = r["txn"]["version"]
        if r.get("protocol"):
            out["protocol"] = [r["protocol"]["minReaderVersion"], r["protocol"]["minWriterVersion"]]
        if r.get("metaData"):
            out["metaData"] = {"id": r["metaData"]["id"], "partitionColumns": r["metaData"]["partitionColumns"]}
    out["add"].sort(key=lambda a: a["path"])
    out["remove"].sort()
    print(json.dumps(out, sort_keys=True))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["summary", "write", "append", "checkpoint", "read-checkpoint"])
    p.add_argument("table")
    p.add_argument("--version", action="append")
    p.add_argument("--filter-asset")
    p.add_argument("--filter-from-ms", type=int, default=0)
    p.add_argument("--rows", type=int, default=100)
    p.add_argument("--commits", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--start-ms", type=int, default=1_764_115_200_000)
    p.add_argument("--partition-by", default="date,source")
    p.add_argument("--drop", action="append")
    args = p.parse_args()
    {"summary": summary, "write": write, "append": append, "checkpoint": checkpoint,
     "read-checkpoint": read_checkpoint}[args.command](args)


if __name__ == "__main__":
    main()
