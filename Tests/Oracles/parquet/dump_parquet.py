"""Reads a Parquet file with pyarrow or DuckDB and prints JSON: column names, types and values
in canonical strings, plus (pyarrow) the footer statistics of every row group.

Canonical values: null -> null; bool -> "true"/"false"; integers, dates (days) and timestamps
(raw units) -> decimal; float/double -> "nan" or the IEEE bit pattern as decimal; strings as
is; binary -> lowercase hex.

usage: dump_parquet.py FILE [--engine pyarrow|duckdb]
"""
import json
import math
import struct
import sys


def canon_float(v, width):
    if v is None:
        return None
    if math.isnan(v):
        return "nan"
    if width == 4:
        return str(struct.unpack("<I", struct.pack("<f", v))[0])
    return str(struct.unpack("<Q", struct.pack("<d", v))[0])


def canon(v, kind):
    if v is None:
        return None
    if kind == "bool":
        return "true" if v else "false"
    if kind == "float":
        return canon_float(v, 4)
    if kind == "double":
        return canon_float(v, 8)
    if kind == "string":
        return v.decode("utf-8") if isinstance(v, bytes) else v
    if kind == "binary":
        return bytes(v).hex()
    return str(int(v))


def kind_of_arrow(t):
    import pyarrow as pa
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_float32(t):
        return "float"
    if pa.types.is_float64(t):
        return "double"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "string"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t) or pa.types.is_binary_view(t):
        return "binary"
    return "int"


def dump_pyarrow(path):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    f = pq.ParquetFile(path)
    table = f.read()
    columns = []
    for field, col in zip(table.schema, table.columns):
        kind = kind_of_arrow(field.type)
        if pa.types.is_timestamp(field.type) or pa.types.is_date(field.type):
            col = pc.cast(col, pa.int64() if pa.types.is_timestamp(field.type) else pa.int32())
        columns.append({"name": field.name, "type": str(field.type),
                        "values": [canon(v, kind) for v in col.to_pylist()]})
    groups = []
    md = f.metadata
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        stats = {}
        for c in range(rg.num_columns):
            cc = rg.column(c)
            s = cc.statistics
            field = table.schema.field(cc.path_in_schema)
            kind = kind_of_arrow(field.type)
            entry = {"encodings": list(cc.encodings), "compression": cc.compression}
            if s is not None:
                entry["null_count"] = s.null_count if s.has_null_count else None
                if s.has_min_max:
                    entry["min"] = canon(s.min_raw, kind)
                    entry["max"] = canon(s.max_raw, kind)
            stats[cc.path_in_schema] = entry
        groups.append({"num_rows": rg.num_rows, "columns": stats})
    kv = {k.decode(): v.decode() for k, v in (md.metadata or {}).items()}
    return {"columns": columns, "row_groups": groups, "num_rows": md.num_rows,
            "key_value_metadata": kv, "created_by": md.created_by}


def dump_duckdb(path):
    import duckdb
    con = duckdb.connect()
    desc = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
    exprs = []
    kinds = []
    for name, typ, *_ in desc:
        q = '"' + name.replace('"', '""') + '"'
        if typ.startswith("TIMESTAMP"):
            exprs.append(f"epoch_us({q})")
            kinds.append("int")
        elif typ == "DATE":
            exprs.append(f"({q} - DATE '1970-01-01')")
            kinds.append("int")
        elif typ == "BLOB":
            exprs.append(q)
            kinds.append("binary")
        elif typ == "BOOLEAN":
            exprs.append(q)
            kinds.append("bool")
        elif typ == "FLOAT":
            exprs.append(q)
            kinds.append("float")
        elif typ == "DOUBLE":
            exprs.append(q)
            kinds.append("double")
        elif typ == "VARCHAR":
            exprs.append(q)
            kinds.append("string")
        else:
            exprs.append(q)
            kinds.append("int")
    rows = con.execute(f"SELECT {', '.join(exprs)} FROM read_parquet(?)", [path]).fetchall()
    columns = []
    for i, (name, typ, *_) in enumerate(desc):
        columns.append({"name": name, "type": typ, "values": [canon(r[i], kinds[i]) for r in rows]})
    return {"columns": columns}


def main():
    path = sys.argv[1]
    engine = "pyarrow"
    if "--engine" in sys.argv:
        engine = sys.argv[sys.argv.index("--engine") + 1]
    result = dump_pyarrow(path) if engine == "pyarrow" else dump_duckdb(path)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
