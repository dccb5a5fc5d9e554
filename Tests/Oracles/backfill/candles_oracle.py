"""Reference counts of a CryptoViz candles table, by delta-rs (deltalake) and by DuckDB (delta_scan).

Usage: candles_oracle.py TABLE
Prints {"deltalake": SUMMARY, "duckdb": SUMMARY, "txn": {appId: version}} where SUMMARY is
{"rows": N, "series": {"source|asset|interval": {"rows", "distinct", "first_ms", "last_ms"}}}.
A series has no duplicate when rows == distinct, and no gap when
distinct == (last_ms - first_ms) / width + 1. txn versions are read from the Delta log (JSON
commits and the newest checkpoint) by pyarrow, independently of CryptoViz.
"""
import glob, json, os, sys


def duck():
    import duckdb
    con = duckdb.connect()
    site = os.environ.get("CRYPTOVIZ_DUCKDB_EXTENSIONS")
    if not site:
        import sysconfig
        site = sysconfig.get_paths()["purelib"]
    path = glob.glob(f"{site}/duckdb_extension_delta/extensions/*/delta.duckdb_extension")
    con.execute(f"LOAD '{path[0]}'")
    return con


def by_deltars(table):
    import pyarrow as pa
    import pyarrow.compute as pc
    from deltalake import DeltaTable
    data = DeltaTable(table).to_pyarrow_table(columns=["source", "asset", "interval", "open_time"])
    column = data["open_time"]
    ms = pc.cast(pc.cast(column, pa.timestamp("ms", tz=column.type.tz)), pa.int64())
    data = data.append_column("ms", ms)
    grouped = data.group_by(["source", "asset", "interval"]).aggregate(
        [("ms", "count"), ("ms", "count_distinct"), ("ms", "min"), ("ms", "max")]).to_pylist()
    series = {f"{g['source']}|{g['asset']}|{g['interval']}": {
        "rows": g["ms_count"], "distinct": g["ms_count_distinct"], "first_ms": g["ms_min"], "last_ms": g["ms_max"]}
        for g in grouped}
    return {"rows": data.num_rows, "series": series}


def by_duckdb(table):
    con = duck()
    rows = con.execute(
        f"SELECT source, asset, interval, count(*), count(DISTINCT open_time), epoch_ms(min(open_time)), "
        f"epoch_ms(max(open_time)) FROM delta_scan('{table}') GROUP BY ALL").fetchall()
    series = {f"{s}|{a}|{i}": {"rows": n, "distinct": d, "first_ms": lo, "last_ms": hi} for s, a, i, n, d, lo, hi in rows}
    return {"rows": sum(v["rows"] for v in series.values()), "series": series}


def txn_versions(table):
    import pyarrow.parquet as pq
    log = os.path.join(table, "_delta_log")
    versions, start = {}, -1
    last = os.path.join(log, "_last_checkpoint")
    if os.path.exists(last):
        start = json.load(open(last))["version"]
        for r in pq.read_table(os.path.join(log, f"{start:020d}.checkpoint.parquet")).to_pylist():
            if r.get("txn"):
                versions[r["txn"]["appId"]] = r["txn"]["version"]
    for name in sorted(os.listdir(log)):
        if name.endswith(".json") and int(name[:20]) > start:
            for line in open(os.path.join(log, name)):
                action = json.loads(line)
                if "txn" in action:
                    versions[action["txn"]["appId"]] = action["txn"]["version"]
    return versions


if __name__ == "__main__":
    table = sys.argv[1]
    print(json.dumps({"deltalake": by_deltars(table), "duckdb": by_duckdb(table), "txn": txn_versions(table)}))
