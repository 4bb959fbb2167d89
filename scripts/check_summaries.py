#!/usr/bin/env python3
"""Validates summary.json files against docs/summary.schema.json (JSON Schema 2020-12).

Usage: check_summaries.py SCHEMA FILE...   (run by `make check`; needs the jsonschema package)
"""
import json
import sys

import jsonschema


def main() -> int:
    schema_path, files = sys.argv[1], sys.argv[2:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for error in validator.iter_errors(doc):
            bad += 1
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            print(f"{path}: {where}: {error.message}")
    if not files:
        print("check_summaries.py: no summary.json given", file=sys.stderr)
        return 2
    print(f"summary.json schema: {len(files)} files, {bad} errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
