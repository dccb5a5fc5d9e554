"""Counts rows and distinct event identities of a CryptoViz lake with delta-rs and DuckDB.

Usage: lake_events.py TABLE   (TABLE: local path, or s3://bucket/prefix with CRYPTOVIZ_S3_ENDPOINT)
Prints {"deltalake": {"rows": R, "events": E, "columns": [...]}, "duckdb": {...}}.
"""
import json, os, sys


def storage_options(table):
    if not table.startswith("s3://"):
        return None
    return {"AWS_ENDPOINT_URL": os.environ["CRYPTOVIZ_S3_ENDPOINT"], "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1", "AWS_ALLOW_HTTP": "true"}


def with_deltalake(table):
    from deltalake import DeltaTable
    dt = DeltaTable(table, storage_options=storage_options(table))
    t = dt.to_pyarrow_table(columns=["event_id"])
    ids = t.column("event_id").to_pylist()
    return {"rows": len(ids), "events": len(set(ids)), "columns": [f.name for f in dt.schema().fields]}


def with_duckdb(table):
    import duckdb
    con = duckdb.connect()
    site = os.environ.get("CRYPTOVIZ_DUCKDB_EXTENSIONS")
    if not site:  # the venv's own site-packages, where test-env.sh installs the extensions
        import sysconfig
        site = sysconfig.get_paths()["purelib"]
    con.execute(f"LOAD '{site}/duckdb_extension_delta/extensions/v1.5.5/delta.duckdb_extension'")
    if table.startswith("s3://"):
        con.execute(f"LOAD '{site}/duckdb_extension_httpfs/extensions/v1.5.5/httpfs.duckdb_extension'")
        ep = os.environ["CRYPTOVIZ_S3_ENDPOINT"].replace("http://", "")
        con.execute(f"CREATE SECRET (TYPE s3, KEY_ID 'test', SECRET 'test', REGION 'us-east-1', ENDPOINT '{ep}', URL_STYLE 'path', USE_SSL false)")
    rows, events = con.execute(f"SELECT count(*), count(DISTINCT event_id) FROM delta_scan('{table}')").fetchone()
    return {"rows": rows, "events": events}


if __name__ == "__main__":
    table = sys.argv[1]
    print(json.dumps({"deltalake": with_deltalake(table), "duckdb": with_duckdb(table)}))
