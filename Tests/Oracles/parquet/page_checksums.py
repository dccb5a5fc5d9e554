"""Page checksums as pyarrow sees them, and the damage the checksum tests inflict.

usage: page_checksums.py verify FILE
         reads every column with page_checksum_verification=True; prints {"rows": N}, or exits 1
         with pyarrow's error on stderr
       page_checksums.py flip FILE --column NAME [--row-group G] [--bit B]
         flips bit B (default 2) of the last byte of that column chunk, which is always inside
         the body of the chunk's last page (pages are header then body, back to back); the
         chunk is located from the footer by pyarrow, not by the library under test.
         Prints {"offset": O}.
"""
import argparse
import json
import sys

import pyarrow.parquet as pq


def verify(a):
    try:
        table = pq.ParquetFile(a.file, page_checksum_verification=True).read()
    except Exception as e:  # pyarrow raises OSError for a bad CRC; any failure is a rejection
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"rows": table.num_rows}))


def flip(a):
    meta = pq.ParquetFile(a.file).metadata
    group = meta.row_group(a.row_group)
    names = [group.column(i).path_in_schema for i in range(group.num_columns)]
    chunk = group.column(names.index(a.column))
    start = chunk.data_page_offset
    if chunk.has_dictionary_page and chunk.dictionary_page_offset:
        start = min(start, chunk.dictionary_page_offset)
    offset = start + chunk.total_compressed_size - 1
    with open(a.file, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ (1 << a.bit)]))
    print(json.dumps({"offset": offset}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["verify", "flip"])
    p.add_argument("file")
    p.add_argument("--column")
    p.add_argument("--row-group", type=int, default=0)
    p.add_argument("--bit", type=int, default=2)
    a = p.parse_args()
    {"verify": verify, "flip": flip}[a.command](a)


if __name__ == "__main__":
    main()
