#!/usr/bin/env python3
"""The snappy Parquet copy of the ingest benchmark's CSV (docs/benchmarks.md, "Parquet").

Usage: csv_to_parquet.py BENCH.csv OUT.parquet

Ran with Python 3.11 and pyarrow 26.0.1 (PyPI). Writes what a pandas/pyarrow user gets by
default (dictionary encoding with its fallback to PLAIN, data pages v1, snappy, row groups of
1 048 576 rows), with the columns typed as the benchmark's definition declares them: id and the
four categorical columns strings, ts a UTC timestamp in milliseconds (the CSV holds epoch
seconds), f1..f16 and score doubles, pred int64.
"""
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def main() -> None:
    src, out = sys.argv[1], sys.argv[2]
    types = {"id": pa.string(), "ts": pa.int64(), "score": pa.float64(), "pred": pa.int64()}
    types.update({f"f{k}": pa.float64() for k in range(1, 17)})
    types.update({f"c{k}": pa.string() for k in range(1, 5)})
    table = pacsv.read_csv(src, convert_options=pacsv.ConvertOptions(column_types=types))
    ts = pc.multiply(table["ts"], 1000).cast(pa.timestamp("ms", tz="UTC"))
    table = table.set_column(table.schema.get_field_index("ts"), "ts", ts)
    pq.write_table(table, out, compression="snappy")
    print(f"{out}: {table.num_rows} rows, pyarrow {pa.__version__}")


if __name__ == "__main__":
    main()
