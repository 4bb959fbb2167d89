#!/usr/bin/env python3
"""A JSON Lines baseline and its CSV twin, both written by pandas, for `mlaudit init` on JSON Lines.

Reads the Parquet fixture Tests/IngestTests/Fixtures/parquet/tiny.parquet (30 rows, written by
parquet_reference.py), sets x to null on rows 3 and 7 and color on row 5, and writes
Tests/DraftTests/Fixtures/tiny.jsonl (pandas `to_json(orient="records", lines=True)`, ISO
timestamps; row 5's color key is then removed from its line, as a producer that omits null keys
does, and row 9's keys are written in reverse order) and tiny_twin.csv (`to_csv`, the same
values). `mlaudit init` must draft the same definition from both (DraftTests, "Draft from JSON
Lines").

    /work/venvs/integ/bin/python scripts/reference/jsonl_draft_reference.py

Ran with: Python 3.11.7, pandas 3.1.1, pyarrow 26.0.1.
"""
import json
import os

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..", "Tests", "IngestTests", "Fixtures", "parquet", "tiny.parquet")
OUT = os.path.join(HERE, "..", "..", "Tests", "DraftTests", "Fixtures")

d = pd.read_parquet(SRC)
d["x"] = d["x"].astype("float64")
d.loc[[3, 7], "x"] = np.nan
d["color"] = d["color"].astype(object)
d.loc[5, "color"] = None
os.makedirs(OUT, exist_ok=True)
d.to_csv(os.path.join(OUT, "tiny_twin.csv"), index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
lines = d.to_json(orient="records", lines=True, date_format="iso").splitlines()
row5 = json.loads(lines[5])
assert row5["color"] is None
del row5["color"]
lines[5] = json.dumps(row5, separators=(",", ":"))
row9 = json.loads(lines[9])
lines[9] = json.dumps(dict(reversed(list(row9.items()))), separators=(",", ":"))
with open(os.path.join(OUT, "tiny.jsonl"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(pd.__version__, len(lines), "lines")
