#!/usr/bin/env python3
"""Parquet fixtures for MLAudit's own Parquet reader, written by pyarrow, with pyarrow's values.

Writes Tests/IngestTests/Fixtures/parquet/*.parquet and expected.json (the values pyarrow reads
back from each file, column by column). The files are small (a few KB each, under 200 KB in
all) and committed, so the test suite needs no Python; re-run this script to regenerate them:

    python3 -m venv /tmp/pq && /tmp/pq/bin/pip install pyarrow==26.0.1
    /tmp/pq/bin/python scripts/reference/parquet_reference.py

Ran with: Python 3.11, pyarrow 26.0.1.

expected.json: {file: {"rows": n, "columns": {name: {"kind": k, "values": [...]}}}} where kind
is "text" (the reader's text for the value: integers in decimal, booleans true/false, dates
YYYY-MM-DD, timestamps YYYY-MM-DDTHH:MM:SS.mmmZ floored to the millisecond, decimals in
positional notation with their scale) or "float" (numbers; NaN and infinities as strings).
A null is JSON null.
"""
import datetime as dt
import decimal
import json
import math
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "IngestTests", "Fixtures", "parquet")
N = 80


def base_table(n=N, seed=0):
    """Every flat type the reader supports, with nulls in the optional columns."""
    def maybe(i, v, every=7):
        return None if (i + seed) % every == 3 else v

    words = ["alpha", "béta", "γάμμα", "дельта", "東京", "emoji 🎉", "tab\tquote\"", "", "z"]
    epoch = dt.datetime(1970, 1, 1)
    cols = {
        "b": pa.array([maybe(i, i % 3 == 0) for i in range(n)], pa.bool_()),
        "i8": pa.array([maybe(i, (i * 37) % 256 - 128) for i in range(n)], pa.int8()),
        "i16": pa.array([(i * 977) % 65536 - 32768 for i in range(n)], pa.int16()),
        "i32": pa.array([maybe(i, (i * 7919) * (1 if i % 2 else -1) * 1000) for i in range(n)], pa.int32()),
        "i64": pa.array([maybe(i, (i * 104729) ** 2 * 613 * (1 if i % 2 else -1)) for i in range(n)], pa.int64()),
        "u8": pa.array([(i * 13) % 256 for i in range(n)], pa.uint8()),
        "u16": pa.array([(i * 1013) % 65536 for i in range(n)], pa.uint16()),
        "u32": pa.array([maybe(i, 4294967295 - i * 3) for i in range(n)], pa.uint32()),
        "u64": pa.array([18446744073709551615 - i * 1000003 if i % 2 else i for i in range(n)], pa.uint64()),
        "f32": pa.array([maybe(i, float("nan") if i == 5 else (i - 60) * 0.1) for i in range(n)], pa.float32()),
        "f64": pa.array([maybe(i, float("inf") if i == 8 else (i - 60) / 7.0 * 1e10 ** (i % 5 - 2)) for i in range(n)], pa.float64()),
        "s": pa.array([maybe(i, words[i % len(words)] + str(i % 11)) for i in range(n)], pa.string()),
        "cat": pa.array([["yes", "no", "maybe"][i % 3] for i in range(n)], pa.string()),
        "d": pa.array([maybe(i, dt.date(1969, 12, 25) + dt.timedelta(days=i * 97)) for i in range(n)], pa.date32()),
        "ts_ms": pa.array([maybe(i, (i - 10) * 86_400_123 * 37) for i in range(n)], pa.timestamp("ms")),
        "ts_us": pa.array([maybe(i, (i - 10) * 86_400_123_457 * 41) for i in range(n)], pa.timestamp("us")),
        "ts_ns": pa.array([maybe(i, (i - 10) * 86_400_123_456_789 * 3) for i in range(n)], pa.timestamp("ns")),
        "ts_utc": pa.array([maybe(i, 1_700_000_000_000_000 + i * 3_600_000_001) for i in range(n)], pa.timestamp("us", tz="UTC")),
        "dec9": pa.array([maybe(i, decimal.Decimal(i * 1234 - 70000).scaleb(-2)) for i in range(n)], pa.decimal128(9, 2)),
        "dec18": pa.array([maybe(i, decimal.Decimal((i - 50) * 98765432101).scaleb(-4)) for i in range(n)], pa.decimal128(18, 4)),
        "dec38": pa.array([maybe(i, decimal.Decimal((i - 50) * 12345678901234567890123).scaleb(-6)) for i in range(n)], pa.decimal128(38, 6)),
    }
    del epoch
    return pa.table(cols)


def text_of(v, typ):
    if v is None:
        return None
    if pa.types.is_boolean(typ):
        return "true" if v else "false"
    if pa.types.is_integer(typ):
        return str(v)
    if pa.types.is_date(typ):
        return v.isoformat()
    if pa.types.is_timestamp(typ):
        return None  # handled from the integer value below
    if pa.types.is_decimal(typ):
        return format(v, "f")
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return v
    raise ValueError(typ)


def iso_ms(ms):
    day, rem = divmod(ms, 86_400_000)
    d = dt.date(1970, 1, 1) + dt.timedelta(days=day)
    h, rem = divmod(rem, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, milli = divmod(rem, 1000)
    return f"{d.isoformat()}T{h:02d}:{m:02d}:{s:02d}.{milli:03d}Z"


def expected_of(path):
    t = pq.read_table(path)
    out = {"rows": t.num_rows, "columns": {}}
    for name in t.column_names:
        col = t.column(name)
        typ = col.type
        if pa.types.is_floating(typ):
            vals = []
            for v in col.to_pylist():
                if v is None:
                    vals.append(None)
                elif math.isnan(v):
                    vals.append("nan")
                elif math.isinf(v):
                    vals.append("inf" if v > 0 else "-inf")
                else:
                    vals.append(v)
            out["columns"][name] = {"kind": "float", "values": vals}
        elif pa.types.is_timestamp(typ):
            per = {"s": 1000, "ms": 1, "us": 1000, "ns": 1_000_000}[typ.unit]
            ints = col.cast(pa.int64()).to_pylist()
            vals = [None if v is None else iso_ms(v * 1000 if typ.unit == "s" else v // per) for v in ints]
            out["columns"][name] = {"kind": "text", "values": vals}
        elif pa.types.is_nested(typ):
            continue
        else:
            out["columns"][name] = {"kind": "text", "values": [text_of(v, typ) for v in col.to_pylist()]}
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {}

    def write(name, table, **kw):
        path = os.path.join(OUT, name)
        pq.write_table(table, path, **kw)
        files[name] = path

    t = base_table()
    # Each codec, dictionary encoding (pyarrow's default), data pages v1 and v2, 3 row groups.
    for codec in ["none", "snappy", "gzip", "zstd", "lz4"]:
        write(f"types_{codec}_v1.parquet", t, compression=codec, row_group_size=50, data_page_version="1.0")
        write(f"types_{codec}_v2.parquet", t, compression=codec, row_group_size=50, data_page_version="2.0")
    # PLAIN everywhere (no dictionary).
    write("plain_v1.parquet", t, use_dictionary=False, compression="snappy", data_page_version="1.0")
    write("plain_v2.parquet", t, use_dictionary=False, compression="none", data_page_version="2.0")
    # The other encodings, on the columns each applies to.
    enc = {
        "i8": "DELTA_BINARY_PACKED", "i16": "DELTA_BINARY_PACKED", "i32": "DELTA_BINARY_PACKED",
        "i64": "DELTA_BINARY_PACKED", "u32": "DELTA_BINARY_PACKED", "u64": "DELTA_BINARY_PACKED",
        "s": "DELTA_LENGTH_BYTE_ARRAY", "cat": "DELTA_BYTE_ARRAY",
        "f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT",
        "u8": "BYTE_STREAM_SPLIT", "u16": "BYTE_STREAM_SPLIT",
        "ts_us": "BYTE_STREAM_SPLIT", "dec38": "BYTE_STREAM_SPLIT",
        "b": "RLE",
    }
    for v in ["1.0", "2.0"]:
        write(f"encodings_v{v[0]}.parquet", t, use_dictionary=False, column_encoding=enc, compression="zstd",
              data_page_version=v)
    # DELTA_BYTE_ARRAY on strings with shared prefixes, and on the decimal stored as FLBA.
    shared = pa.table({
        "url": pa.array([None if i % 9 == 4 else f"https://example.com/päth/{i // 10}/item-{i}" for i in range(300)]),
        "dec38": pa.array([decimal.Decimal(i * 7 - 900).scaleb(-6) for i in range(300)], pa.decimal128(38, 6)),
    })
    write("delta_byte_array.parquet", shared, use_dictionary=False,
          column_encoding={"url": "DELTA_BYTE_ARRAY", "dec38": "DELTA_BYTE_ARRAY"}, compression="none")
    # A dictionary that falls back to PLAIN mid-column (small dictionary page limit).
    many = pa.table({"s": pa.array([f"value-{i:05d}-ünïcode" for i in range(3000)]),
                     "k": pa.array([i % 5 for i in range(3000)], pa.int64())})
    write("dict_fallback.parquet", many, dictionary_pagesize_limit=2048, compression="snappy", data_page_size=4096)
    # Many row groups, and a file with an empty row group among others.
    write("many_row_groups.parquet", t, row_group_size=7, compression="snappy")
    path = os.path.join(OUT, "empty_row_group.parquet")
    with pq.ParquetWriter(path, t.schema, compression="snappy") as w:
        w.write_table(t.slice(0, 10))
        w.write_table(t.slice(0, 0))
        w.write_table(t.slice(10, 15))
    files["empty_row_group.parquet"] = path
    # A file with no rows at all.
    write("no_rows.parquet", t.slice(0, 0))
    # INT96 timestamps (Spark, Impala, Hive).
    write("int96.parquet", pa.table({"ts": t.column("ts_ns"), "ts2": t.column("ts_us")}),
          use_deprecated_int96_timestamps=True, compression="none")
    # All nulls.
    write("all_null.parquet", pa.table({"x": pa.array([None] * 40, pa.float64()), "s": pa.array([None] * 40, pa.string())}))
    # A nested column next to flat ones (refused when declared; ignored when not).
    nested = pa.table({"id": pa.array([f"r{i}" for i in range(20)]), "score": pa.array([i / 20 for i in range(20)]),
                       "tags": pa.array([[i, i + 1] for i in range(20)], pa.list_(pa.int64())),
                       "pt": pa.array([{"x": i, "y": -i} for i in range(20)])})
    write("nested.parquet", nested)

    # The tests' "tiny" pipeline day (TinyPipeline.csv(30) in Tests/TestSupport), as Parquet: the
    # ingest of this file must store exactly what the CSV's ingest stores.
    rows = range(30)
    score = [((i * 13) % 100) / 100 for i in rows]
    tiny = pa.table({
        "id": pa.array([f"id{i}" for i in rows]),
        "ts": pa.array([dt.datetime(2026, 2, 1, (i // 3600) % 24, (i // 60) % 60, i % 60, tzinfo=dt.timezone.utc) for i in rows],
                       pa.timestamp("us", tz="UTC")),
        "x": pa.array([float("%.3f" % (10 + (i * 37) % 50)) for i in rows]),
        "n": pa.array([i % 7 for i in rows], pa.int64()),
        "color": pa.array([["red", "green", "blue"][i % 3] for i in rows]),
        "flag": pa.array([i % 4 == 0 for i in rows]),
        "score": pa.array(score),
        "pred": pa.array([1 if s >= 0.5 else 0 for s in score], pa.int64()),
        "y": pa.array([(1 - (1 if s >= 0.5 else 0)) if i % 3 == 0 else (1 if s >= 0.5 else 0) for i, s in zip(rows, score)], pa.int64()),
        "latency_ms": pa.array([20 + i % 10 for i in rows], pa.int32()),
    })
    write("tiny.parquet", tiny, compression="snappy", row_group_size=12)

    # One required dictionary-encoded column, uncompressed: the corrupt-input tests patch its
    # data page (a dictionary index out of range).
    small = pa.table({"color": pa.array([["red", "green", "blue"][i % 3] for i in range(30)])},
                     schema=pa.schema([pa.field("color", pa.string(), nullable=False)]))
    write("dict_required.parquet", small, compression="none", data_page_version="1.0")

    expected = {name: expected_of(path) for name, path in sorted(files.items())}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"pyarrow": pa.__version__, "files": expected}, f, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    total = sum(os.path.getsize(os.path.join(OUT, x)) for x in os.listdir(OUT))
    print(f"{len(files)} files, {total} bytes in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
