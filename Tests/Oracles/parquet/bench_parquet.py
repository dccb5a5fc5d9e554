"""pyarrow's side of `cryptoviz bench parquet`: the same work on the same rows, in the same run.

Reads the Swift-written tick file into Arrow (single-threaded, then threaded), and writes the
table it read with Snappy (pyarrow's defaults otherwise: dictionary encoding, statistics).
Each step is the best (least process CPU) of REPEAT runs. Prints one JSON object with wall and
process CPU seconds; `file` is pyarrow's output, which the Swift side reads back and checks.

usage: bench_parquet.py FILE OUT_DIR [REPEAT]
"""
import json
import os
import sys
import time

import pyarrow
import pyarrow.parquet as pq


def best(runs, step):
    result = None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        value = step()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if result is None or cpu < result[1]:
            result = (wall, cpu, value)
    return result


def main():
    path, out_dir = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    single_wall, single_cpu, table = best(runs, lambda: pq.read_table(path, use_threads=False))
    threads_wall, threads_cpu, _ = best(runs, lambda: pq.read_table(path))
    out = os.path.join(out_dir, "pyarrow.parquet")
    write_wall, write_cpu, _ = best(runs, lambda: pq.write_table(table, out, compression="snappy"))
    json.dump({
        "rows": table.num_rows,
        "read_single_seconds": single_wall,
        "read_single_cpu_seconds": single_cpu,
        "read_threads_seconds": threads_wall,
        "read_threads_cpu_seconds": threads_cpu,
        "write_seconds": write_wall,
        "write_cpu_seconds": write_cpu,
        "bytes": os.path.getsize(out),
        "file": out,
        "version": pyarrow.__version__,
    }, sys.stdout)


if __name__ == "__main__":
    main()
