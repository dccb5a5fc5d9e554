"""Nested Parquet oracle for the Swift reader/writer tests (pyarrow).

  nested_parquet.py write FILE --seed N [--rows N] [--legacy-names] [--data-page-version 1.0|2.0]
                                        [--dictionary on|off] [--compression snappy|none]
      writes a file of the test schema (structs with nulls, lists and maps, empty and null,
      non-ASCII keys) from a seeded generator.
  nested_parquet.py dump FILE
      prints {"types": {field: arrow type}, "rows": [...]} with every value canonical:
      null -> null, bool -> "true"/"false", integers -> decimal, floats -> IEEE bits as
      decimal, strings as is, binary -> hex; structs -> objects with every field, lists ->
      arrays, maps -> arrays of [key, value].
"""
import argparse
import json
import random
import struct

import pyarrow as pa
import pyarrow.parquet as pq


def schema():
    return pa.schema([
        pa.field("id", pa.int64(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("point", pa.struct([
            pa.field("x", pa.float64(), nullable=False),
            pa.field("y", pa.int32()),
            pa.field("label", pa.string()),
        ])),
        pa.field("tags", pa.map_(pa.string(), pa.string())),
        pa.field("values", pa.list_(pa.int64())),
        pa.field("items", pa.list_(pa.struct([
            pa.field("k", pa.string(), nullable=False),
            pa.field("v", pa.list_(pa.string())),
        ]))),
        pa.field("flags", pa.list_(pa.field("element", pa.bool_(), nullable=False)), nullable=False),
        pa.field("scores", pa.map_(pa.string(), pa.struct([
            pa.field("a", pa.int32()),
            pa.field("b", pa.list_(pa.bool_())),
        ]))),
    ])


WORDS = ["btc", "eth", "ünïcode", "日本", "ключ", "", "a/b", "x" * 40]


def maybe(rng, p, f):
    return None if rng.random() < p else f()


def gen_row(rng, i):
    def word():
        return rng.choice(WORDS) + str(rng.randrange(5))

    def small_list(f, p_null=0.0):
        return [None if rng.random() < p_null else f() for _ in range(rng.choice([0, 1, 2, 3, 5]))]

    def unique_map(f):
        keys = list(dict.fromkeys(word() for _ in range(rng.choice([0, 1, 2, 4]))))
        return [(k, f()) for k in keys]

    return {
        "id": i,
        "name": maybe(rng, 0.3, word),
        "point": maybe(rng, 0.3, lambda: {
            "x": rng.uniform(-1e6, 1e6), "y": maybe(rng, 0.4, lambda: rng.randrange(-2**31, 2**31)),
            "label": maybe(rng, 0.4, word)}),
        "tags": maybe(rng, 0.3, lambda: unique_map(lambda: maybe(rng, 0.3, word))),
        "values": maybe(rng, 0.3, lambda: small_list(lambda: rng.randrange(-2**63, 2**63), 0.3)),
        "items": maybe(rng, 0.3, lambda: small_list(lambda: {
            "k": word(), "v": maybe(rng, 0.3, lambda: small_list(word, 0.2))}, 0.2)),
        "flags": small_list(lambda: rng.random() < 0.5),
        "scores": maybe(rng, 0.3, lambda: unique_map(lambda: maybe(rng, 0.2, lambda: {
            "a": maybe(rng, 0.3, lambda: rng.randrange(-1000, 1000)),
            "b": maybe(rng, 0.3, lambda: small_list(lambda: rng.random() < 0.5, 0.3))}))),
    }


def canon(v, t):
    if v is None:
        return None
    if pa.types.is_struct(t):
        return {t.field(i).name: canon(v.get(t.field(i).name), t.field(i).type) for i in range(t.num_fields)}
    if pa.types.is_map(t):
        return [[canon(k, t.key_type), canon(x, t.item_type)] for k, x in v]
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return [canon(x, t.value_type) for x in v]
    if pa.types.is_boolean(t):
        return "true" if v else "false"
    if pa.types.is_float32(t):
        return str(struct.unpack("<I", struct.pack("<f", v))[0])
    if pa.types.is_float64(t):
        return str(struct.unpack("<Q", struct.pack("<d", v))[0])
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return v
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return bytes(v).hex()
    return str(int(v))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["write", "dump"])
    ap.add_argument("file")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rows", type=int, default=300)
    ap.add_argument("--legacy-names", action="store_true")
    ap.add_argument("--data-page-version", default="1.0")
    ap.add_argument("--dictionary", default="on")
    ap.add_argument("--compression", default="snappy")
    ap.add_argument("--row-group-size", type=int, default=None)
    a = ap.parse_args()
    if a.mode == "write":
        rng = random.Random(a.seed)
        table = pa.Table.from_pylist([gen_row(rng, i) for i in range(a.rows)], schema=schema())
        pq.write_table(table, a.file, use_compliant_nested_type=not a.legacy_names,
                       data_page_version=a.data_page_version, use_dictionary=a.dictionary == "on",
                       compression=a.compression, row_group_size=a.row_group_size)
        return
    table = pq.read_table(a.file)
    rows = table.to_pylist()
    out = {
        "types": {f.name: str(f.type) for f in table.schema},
        "rows": [{f.name: canon(r[f.name], f.type) for f in table.schema} for r in rows],
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
