"""Snappy through pyarrow's codec, to cross-check the Swift implementation.

usage: snappy_oracle.py compress IN OUT | decompress IN OUT SIZE
"""
import sys

import pyarrow as pa


def main():
    mode, src, dst = sys.argv[1:4]
    data = open(src, "rb").read()
    if mode == "compress":
        out = pa.compress(data, codec="snappy", asbytes=True)
    else:
        out = pa.decompress(data, decompressed_size=int(sys.argv[4]), codec="snappy", asbytes=True)
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
