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
A null is JSON null. "refused": {file: pyarrow's error} for the hand-made files pyarrow
refuses to read (a column chunk with two dictionary pages).

Besides pyarrow's files, two are made by hand here (`crafted`): page orders the format allows
but pyarrow does not write (dictionary-encoded data pages again after PLAIN ones in the same
column chunk), and one it does not allow (two dictionary pages in one chunk).
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


# ---------------------------------------------------------------------------------------------
# Hand-made files: page orders pyarrow does not write but the format allows (and one it does
# not allow). The Thrift compact encoding below covers only the fields these files need.

def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _zigzag(n):
    return _varint((n << 1) ^ (n >> 63))


def _struct(fields):
    """fields: [(id, kind, value)] in id order; kind: i32, i64, bin, bool, struct, list_i32, list_bin, list_struct."""
    out = bytearray()
    last = 0
    for fid, kind, value in fields:
        code = {"bool": 1 if value else 2, "i32": 5, "i64": 6, "bin": 8, "struct": 12}.get(kind, 9)
        delta = fid - last
        out += bytes([(delta << 4) | code]) if 0 < delta <= 15 else bytes([code]) + _zigzag(fid)
        last = fid
        if kind in ("i32", "i64"):
            out += _zigzag(value)
        elif kind == "bin":
            b = value.encode() if isinstance(value, str) else value
            out += _varint(len(b)) + b
        elif kind == "struct":
            out += value
        elif kind.startswith("list_"):
            elem = {"list_i32": 5, "list_bin": 8, "list_struct": 12}[kind]
            out += bytes([(len(value) << 4) | elem]) if len(value) < 15 else bytes([0xF0 | elem]) + _varint(len(value))
            for v in value:
                if elem == 5:
                    out += _zigzag(v)
                elif elem == 8:
                    b = v.encode()
                    out += _varint(len(b)) + b
                else:
                    out += v
    return bytes(out + b"\x00")


def _hybrid(values, width):
    """RLE/bit-packed hybrid: one bit-packed run (values padded to a multiple of 8)."""
    padded = list(values) + [0] * (-len(values) % 8)
    acc, bits, packed = 0, 0, bytearray()
    for v in padded:
        acc |= v << bits
        bits += width
        while bits >= 8:
            packed.append(acc & 0xFF)
            acc >>= 8
            bits -= 8
    return _varint(((len(padded) // 8) << 1) | 1) + bytes(packed)


def _plain(values, physical):
    import struct as st
    if physical == "int64":
        return b"".join(st.pack("<q", v) for v in values)
    return b"".join(st.pack("<I", len(v.encode())) + v.encode() for v in values)


def _page(kind, values, physical, optional, dictionary=None, encoding=0, version=1):
    """One page (header + body), uncompressed. kind: 'dict' or 'data'; values may hold None."""
    if kind == "dict":
        body = _plain(values, physical)
        header = _struct([(1, "i32", 2), (2, "i32", len(body)), (3, "i32", len(body)),
                          (7, "struct", _struct([(1, "i32", len(values)), (2, "i32", encoding)]))])
        return header + body
    present = [v for v in values if v is not None]
    if encoding in (2, 8):
        width = max(1, (len(dictionary) - 1).bit_length())
        data = bytes([width]) + _hybrid([dictionary.index(v) for v in present], width)
    else:
        data = _plain(present, physical)
    levels = _hybrid([0 if v is None else 1 for v in values], 1) if optional else b""
    if version == 1:
        body = (len(levels).to_bytes(4, "little") + levels if optional else b"") + data
        dph = _struct([(1, "i32", len(values)), (2, "i32", encoding), (3, "i32", 3), (4, "i32", 3)])
        header = _struct([(1, "i32", 0), (2, "i32", len(body)), (3, "i32", len(body)), (5, "struct", dph)])
    else:
        body = levels + data
        dph = _struct([(1, "i32", len(values)), (2, "i32", len(values) - len(present)), (3, "i32", len(values)),
                       (4, "i32", encoding), (5, "i32", len(levels)), (6, "i32", 0), (7, "bool", False)])
        header = _struct([(1, "i32", 3), (2, "i32", len(body)), (3, "i32", len(body)), (8, "struct", dph)])
    return header + body


def _crafted_file(path, columns, row_groups):
    """columns: [(name, physical, optional)]; row_groups: [(rows, [pages per column])], each
    page made by `_page`. Writes the file; the chunk starts at its first page."""
    out = bytearray(b"PAR1")
    groups = []
    for rows, chunks in row_groups:
        metas = []
        for (name, physical, optional), pages in zip(columns, chunks):
            start = len(out)
            first_data = None
            for kind, blob in pages:
                if kind == "data" and first_data is None:
                    first_data = len(out)
                out += blob
            size = len(out) - start
            fields = [(1, "i32", 2 if physical == "int64" else 6), (2, "list_i32", [0, 3, 8]), (3, "list_bin", [name]),
                      (4, "i32", 0), (5, "i64", rows), (6, "i64", size), (7, "i64", size), (9, "i64", first_data)]
            if pages[0][0] == "dict":
                fields.append((11, "i64", start))
            metas.append(_struct([(2, "i64", start), (3, "struct", _struct(fields))]))
        groups.append(_struct([(1, "list_struct", metas), (2, "i64", 0), (3, "i64", rows)]))
    schema = [_struct([(4, "bin", "schema"), (5, "i32", len(columns))])]
    for name, physical, optional in columns:
        fields = [(1, "i32", 2 if physical == "int64" else 6), (3, "i32", 1 if optional else 0), (4, "bin", name)]
        if physical == "string":
            fields.append((6, "i32", 0))  # UTF8
        schema.append(_struct(fields))
    total = sum(r for r, _ in row_groups)
    footer = _struct([(1, "i32", 1), (2, "list_struct", schema), (3, "i64", total), (4, "list_struct", groups),
                      (6, "bin", "MLAudit scripts/reference/parquet_reference.py (hand-made pages)")])
    out += footer + len(footer).to_bytes(4, "little") + b"PAR1"
    with open(path, "wb") as f:
        f.write(out)


def crafted(out_dir):
    """dict_orders.parquet: dictionary-encoded pages after PLAIN ones in the same chunk (the format
    allows any order of data pages after the one dictionary page), in pages v1 and v2, with nulls,
    and the deprecated PLAIN_DICTIONARY. dict_twice.parquet: a chunk with two dictionary pages,
    which the format does not allow (parquet-mr and Arrow refuse it)."""
    cols = [("n", "int64", False), ("s", "string", True)]
    nd = [100, -7, 1 << 40]
    sd = ["a", "béta", "東京"]

    def P(kind, values, physical, optional, **kw):
        return (kind, _page(kind, values, physical, optional, **kw))

    g1 = (12, [
        [P("dict", nd, "int64", False),
         P("data", [100, 100, -7, 1 << 40], "int64", False, dictionary=nd, encoding=8),
         P("data", [5, 6, 7, 8], "int64", False),
         P("data", [-7, 100, 1 << 40, -7], "int64", False, dictionary=nd, encoding=8),
         ],
        [P("dict", sd, "string", True),
         P("data", ["a", None, "東京", "béta"], "string", True, dictionary=sd, encoding=8),
         P("data", ["plain-1", None, None, "plain-2"], "string", True, version=2),
         P("data", [None, "béta", "a", None], "string", True, dictionary=sd, encoding=8, version=2),
         ]])
    g2 = (9, [
        [P("data", [1, 2, 3], "int64", False),
         P("data", [1 << 40, 100, -7], "int64", False, dictionary=nd, encoding=8),
         P("data", [4, 5, 6], "int64", False, version=2),
         ],
        [P("dict", sd, "string", True, encoding=2),
         P("data", ["東京", None, "a"], "string", True, dictionary=sd, encoding=2),
         P("data", ["p", "q", None], "string", True),
         P("data", [None, None, "béta"], "string", True, dictionary=sd, encoding=2),
         ]])
    # g2's first column has its dictionary page first, as the format requires:
    g2[1][0].insert(0, P("dict", nd, "int64", False))
    # g3: the dictionary page after a PLAIN data page (the format says first; Arrow reads it).
    g3 = (6, [
        [P("data", [1, 2, 3], "int64", False),
         P("dict", nd, "int64", False),
         P("data", [100, -7, 100], "int64", False, dictionary=nd, encoding=8),
         ],
        [P("data", [None, "x", "y"], "string", True),
         P("dict", sd, "string", True),
         P("data", ["a", "東京", None], "string", True, dictionary=sd, encoding=8),
         ]])
    _crafted_file(os.path.join(out_dir, "dict_orders.parquet"), cols, [g1, g2, g3])

    twice = (8, [
        [P("dict", nd, "int64", False),
         P("data", [100, -7, 100, 1 << 40], "int64", False, dictionary=nd, encoding=8),
         P("dict", [9, 8], "int64", False),
         P("data", [9, 8, 8, 9], "int64", False, dictionary=[9, 8], encoding=8),
         ]])
    _crafted_file(os.path.join(out_dir, "dict_twice.parquet"), [("n", "int64", False)], [twice])


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

    # Hand-made page orders: read by pyarrow like the others; the refused file's error is kept.
    crafted(OUT)
    files["dict_orders.parquet"] = os.path.join(OUT, "dict_orders.parquet")
    refused = {}
    try:
        pq.read_table(os.path.join(OUT, "dict_twice.parquet"))
        raise SystemExit("pyarrow read dict_twice.parquet; expected it to refuse a second dictionary page")
    except OSError as e:
        refused["dict_twice.parquet"] = str(e)

    expected = {name: expected_of(path) for name, path in sorted(files.items())}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"pyarrow": pa.__version__, "files": expected, "refused": refused}, f, separators=(",", ":"),
                  ensure_ascii=False, sort_keys=True)
    total = sum(os.path.getsize(os.path.join(OUT, x)) for x in os.listdir(OUT))
    print(f"{len(files)} files, {total} bytes in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
