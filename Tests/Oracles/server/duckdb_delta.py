"""An in-process DuckDB connection for the server benchmarks' and tests' oracles: the delta
extension loaded from the venv's duckdb_extension_delta package (or CRYPTOVIZ_DUCKDB_EXTENSIONS),
and the session in UTC, as the API speaks."""
import glob
import os

import duckdb


def connect():
    con = duckdb.connect()
    site = os.environ.get("CRYPTOVIZ_DUCKDB_EXTENSIONS")
    if not site:
        import sysconfig
        site = sysconfig.get_paths()["purelib"]
    path = glob.glob(f"{site}/duckdb_extension_delta/extensions/*/delta.duckdb_extension")
    con.execute(f"LOAD '{path[0]}'")
    con.execute("SET TimeZone = 'UTC'")
    return con
