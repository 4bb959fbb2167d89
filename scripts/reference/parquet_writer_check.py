#!/usr/bin/env python3
"""Reads the Parquet files MLAudit's own writer wrote (Sources/Demo/ParquetWriter.swift) with
pyarrow, checks them against the Parquet format, and dumps their schema and values as JSON for
ParquetWriterTests (Tests/IngestTests/Fixtures/parquet/writer_expected.json).

Usage: parquet_writer_check.py FIXTURES_DIR   (reads writer_*.parquet there, writes writer_expected.json)

Ran with Python 3.11 and pyarrow 26.0.1 (PyPI). Timestamps are dumped as epoch milliseconds
(int64), floats as strings of their shortest repr (exact when parsed back), nulls as null.
"""
import json
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq


def dump(path: str) -> dict:
    f = pq.ParquetFile(path)
    md = f.metadata
    table = pq.read_table(path)
    columns = {}
    types = {}
    for field in table.schema:
        col = table[field.name]
        if pa.types.is_timestamp(field.type):
            types[field.name] = f"timestamp[{field.type.unit}, tz={field.type.tz}]"
            col = col.cast(pa.int64())
        else:
            types[field.name] = str(field.type)
        values = col.to_pylist()
        if pa.types.is_floating(field.type):
            # Shortest repr text: exact when parsed back (JSON number parsers may round).
            values = [None if v is None else repr(v) for v in values]
        columns[field.name] = values
    return {
        "rows": md.num_rows,
        "row_groups": md.num_row_groups,
        "rows_per_group": [md.row_group(g).num_rows for g in range(md.num_row_groups)],
        "nullable": {field.name: field.nullable for field in table.schema},
        "codec": md.row_group(0).column(0).compression if md.num_row_groups else None,
        "types": types,
        "columns": columns,
        "pyarrow": pa.__version__,
    }


def main() -> None:
    folder = sys.argv[1]
    out = {}
    for name in sorted(os.listdir(folder)):
        if name.startswith("writer_") and name.endswith(".parquet"):
            out[name] = dump(os.path.join(folder, name))
    with open(os.path.join(folder, "writer_expected.json"), "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True, ensure_ascii=False)
        fh.write("\n")
    print(f"{len(out)} files, pyarrow {pa.__version__}")


if __name__ == "__main__":
    main()
