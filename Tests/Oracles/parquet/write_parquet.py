"""Writes a random table (fixed seed) with pyarrow or DuckDB, for the Swift reader to read.

The table has every type the Swift library maps, required and optional, with nulls, NaN,
infinities, empty and non-ASCII strings and extreme integers.

usage: write_parquet.py OUT --engine pyarrow|duckdb --rows N --seed S
         [--compression snappy|none|zstd] [--dictionary on|off] [--data-page-version 1.0|2.0]
         [--row-group-size N] [--delta] [--page-checksum]
"""
import argparse
import random

import pyarrow as pa
import pyarrow.parquet as pq

STRINGS = ["", "a", "BTC", "ETH", "héllo", "日本語", "🚀 moon", "x" * 40, "Zürich", "e\u0301"]


def make_table(rows, seed):
    rnd = random.Random(seed)

    def maybe(gen, p_null=0.2):
        return [None if rnd.random() < p_null else gen() for _ in range(rows)]

    def dbl():
        r = rnd.random()
        if r < 0.05:
            return float("nan")
        if r < 0.08:
            return float("inf")
        if r < 0.11:
            return float("-inf")
        if r < 0.14:
            return -0.0
        return rnd.uniform(-1e6, 1e6)

    def text():
        if rnd.random() < 0.5:
            return rnd.choice(STRINGS)
        return "".join(rnd.choice("abcdefghij€ß漢") for _ in range(rnd.randint(0, 20)))

    cols = {
        "b": pa.array(maybe(lambda: rnd.random() < 0.5), pa.bool_()),
        "i8": pa.array(maybe(lambda: rnd.randint(-128, 127)), pa.int8()),
        "i16": pa.array(maybe(lambda: rnd.randint(-32768, 32767)), pa.int16()),
        "i32": pa.array([rnd.choice([-2**31, 2**31 - 1, 0, rnd.randint(-1000, 1000)]) for _ in range(rows)], pa.int32()),
        "i64": pa.array(maybe(lambda: rnd.choice([-2**63, 2**63 - 1, rnd.randint(-10**12, 10**12)])), pa.int64()),
        "f32": pa.array(maybe(lambda: dbl()), pa.float32()),
        "f64": pa.array([dbl() for _ in range(rows)], pa.float64()),
        "s": pa.array(maybe(text), pa.string()),
        "sym": pa.array([rnd.choice(["BTC", "ETH", "SOL"]) for _ in range(rows)], pa.string()),
        "bin": pa.array(maybe(lambda: bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 8)))), pa.binary()),
        "d": pa.array(maybe(lambda: rnd.randint(-40000, 60000)), pa.int32()).cast(pa.date32()),
        "ts_ms": pa.array(maybe(lambda: rnd.randint(-2208988800000, 7258118400000)), pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
        "ts_us": pa.array([rnd.randint(-2208988800000000, 7258118400000000) for _ in range(rows)], pa.int64()).cast(pa.timestamp("us", tz="UTC")),
    }
    return pa.table(cols)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--engine", default="pyarrow")
    p.add_argument("--rows", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--compression", default="snappy")
    p.add_argument("--dictionary", default="on")
    p.add_argument("--data-page-version", default="1.0")
    p.add_argument("--row-group-size", type=int, default=None)
    p.add_argument("--delta", action="store_true")
    p.add_argument("--page-checksum", action="store_true", help="pyarrow only: write every page's CRC-32")
    a = p.parse_args()
    table = make_table(a.rows, a.seed)
    if a.engine == "pyarrow":
        kwargs = {}
        if a.delta:
            kwargs["column_encoding"] = {"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED",
                                         "s": "DELTA_LENGTH_BYTE_ARRAY", "bin": "DELTA_BYTE_ARRAY",
                                         "f64": "BYTE_STREAM_SPLIT", "ts_us": "DELTA_BINARY_PACKED"}
            kwargs["use_dictionary"] = False
        else:
            kwargs["use_dictionary"] = a.dictionary == "on"
        if a.page_checksum:
            kwargs["write_page_checksum"] = True
        pq.write_table(table, a.out, compression=a.compression, data_page_version=a.data_page_version,
                       row_group_size=a.row_group_size, **kwargs)
    else:
        import duckdb
        con = duckdb.connect()
        con.register("t", table)
        options = [f"FORMAT parquet", f"COMPRESSION {'uncompressed' if a.compression == 'none' else a.compression}"]
        if a.row_group_size:
            options.append(f"ROW_GROUP_SIZE {a.row_group_size}")
        if a.data_page_version == "2.0":
            options.append("PARQUET_VERSION V2")
        out = a.out.replace("'", "''")
        con.execute(f"COPY (SELECT * FROM t) TO '{out}' ({', '.join(options)})")


if __name__ == "__main__":
    main()
