"""pyarrow's side of `cryptoviz bench parquet`: reads the Swift-written tick file, times
reading it into Arrow and into Python lists, and times rewriting the same table with Snappy.
Prints one JSON object.

usage: bench_parquet.py FILE OUT_DIR
"""
import json
import os
import sys
import time

import pyarrow.parquet as pq


def main():
    path, out_dir = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    table = pq.read_table(path)
    read_arrow = time.perf_counter() - t0

    t0 = time.perf_counter()
    table2 = pq.read_table(path)
    lists = [col.to_pylist() for col in table2.columns]
    read_lists = time.perf_counter() - t0
    del lists, table2

    out = os.path.join(out_dir, "pyarrow.parquet")
    t0 = time.perf_counter()
    pq.write_table(table, out, compression="snappy")
    write = time.perf_counter() - t0
    json.dump({
        "rows": table.num_rows,
        "read_arrow_seconds": read_arrow,
        "read_lists_seconds": read_lists,
        "write_seconds": write,
        "bytes": os.path.getsize(out),
        "version": __import__("pyarrow").__version__,
    }, sys.stdout)


if __name__ == "__main__":
    main()
