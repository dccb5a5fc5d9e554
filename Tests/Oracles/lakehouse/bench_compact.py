"""The delta-rs side of `cryptoviz bench compact`, and the checks of both compacted tables.

  bench_compact.py compact TABLE TARGET_BYTES -> delta-rs optimize.compact; JSON with the call's
                                                 wall and process CPU seconds (interpreter start
                                                 and imports excluded), peak RSS, files before/after
  bench_compact.py check TABLE VERSION        -> JSON: rows, distinct events, per-asset price sums
                                                 and row counts, by delta-rs and by DuckDB delta_scan,
                                                 latest and as of VERSION (time travel)
"""
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from delta_oracle import duck  # noqa: E402


def compact(table, target):
    from deltalake import DeltaTable
    dt = DeltaTable(table)
    before = len(dt.file_uris())
    t0, c0 = time.perf_counter(), time.process_time()
    metrics = dt.optimize.compact(target_size=target)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    dt = DeltaTable(table)
    return {"wall_seconds": wall, "cpu_seconds": cpu, "files_before": before, "files_after": len(dt.file_uris()),
            "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "metrics": {k: v for k, v in metrics.items() if isinstance(v, (int, float, str))}}


def summary_delta_rs(table, version=None):
    from deltalake import DeltaTable
    t = DeltaTable(table, version=version).to_pyarrow_table(columns=["event_id", "asset", "price"])
    d = t.to_pydict()
    per = {}
    for a, p in zip(d["asset"], d["price"]):
        n, s = per.get(a, (0, 0.0))
        per[a] = (n + 1, s + p)
    return {"rows": t.num_rows, "events": len(set(d["event_id"])),
            "assets": {a: [n, round(s, 6)] for a, (n, s) in sorted(per.items())}}


def summary_duckdb(table, version=None):
    con = duck()
    # delta_scan reads the latest version only; time travel is checked through delta-rs.
    rows, events = con.execute(f"SELECT count(*), count(DISTINCT event_id) FROM delta_scan('{table}')").fetchone()
    per = con.execute(f"SELECT asset, count(*), sum(price) FROM delta_scan('{table}') GROUP BY asset ORDER BY asset").fetchall()
    return {"rows": rows, "events": events, "assets": {a: [n, round(s, 6)] for a, n, s in per}}


def main():
    command = sys.argv[1]
    if command == "compact":
        json.dump(compact(sys.argv[2], int(sys.argv[3])), sys.stdout)
    elif command == "check":
        table, version = sys.argv[2], int(sys.argv[3])
        json.dump({"delta_rs": summary_delta_rs(table), "duckdb": summary_duckdb(table),
                   "delta_rs_at_version": summary_delta_rs(table, version)}, sys.stdout)
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
