"""pyarrow's side of `cryptoviz bench parquet`: reads the Swift-written tick file, times
reading it into Arrow and into Python lists, and times rewriting the same table with Snappy.
Prints one JSON object with wall-clock and process CPU seconds (pyarrow may use
several threads; CPU seconds are the fair figure on a shared machine).

usage: bench_parquet.py FILE OUT_DIR
"""
import json
import os
import sys
import time

import pyarrow.parquet as pq


def main():
    path, out_dir = sys.argv[1], sys.argv[2]
    t0, c0 = time.perf_counter(), time.process_time()
    table = pq.read_table(path)
    read_arrow, read_arrow_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    table2 = pq.read_table(path)
    for col in table2.columns:
        values = col.to_pylist()  # one column at a time: 10M rows of every column as objects would not fit
        del values
    read_lists, read_lists_cpu = time.perf_counter() - t0, time.process_time() - c0
    del table2

    out = os.path.join(out_dir, "pyarrow.parquet")
    t0, c0 = time.perf_counter(), time.process_time()
    pq.write_table(table, out, compression="snappy")
    write, write_cpu = time.perf_counter() - t0, time.process_time() - c0
    json.dump({
        "rows": table.num_rows,
        "read_arrow_seconds": read_arrow,
        "read_arrow_cpu_seconds": read_arrow_cpu,
        "read_lists_seconds": read_lists,
        "read_lists_cpu_seconds": read_lists_cpu,
        "write_seconds": write,
        "write_cpu_seconds": write_cpu,
        "bytes": os.path.getsize(out),
        "version": __import__("pyarrow").__version__,
    }, sys.stdout)


if __name__ == "__main__":
    main()
