#!/usr/bin/env python3
"""Period ends and starts of the quarterly and yearly cadences, from pandas' calendar arithmetic.

`snapshots.cadence: quarterly` runs a period from its date to the same day three months on,
`yearly` twelve months on, clamped to the month's last day (docs/definition.md, "Cadence"):
pandas' `DateOffset(months=n)` does the same. Writes Tests/PipelineTests/Fixtures/cadence.json:
[{"date", "quarterly_end", "quarterly_previous", "yearly_end", "yearly_previous"}], read by
CadenceTests.

    /work/venvs/integ/bin/python scripts/reference/cadence_reference.py

Ran with: Python 3.11.7, pandas 3.1.1.
"""
import json
import os

import pandas as pd

DATES = ["1995-01-01", "2026-01-31", "2026-11-30", "2026-08-31", "2024-02-29", "2023-12-31",
         "2026-05-31", "2026-04-15", "2000-02-29"]
fmt = lambda t: t.strftime("%Y-%m-%d")
rows = []
for d in DATES:
    t = pd.Timestamp(d)
    rows.append({"date": d,
                 "quarterly_end": fmt(t + pd.DateOffset(months=3)),
                 "quarterly_previous": fmt(t - pd.DateOffset(months=3)),
                 "yearly_end": fmt(t + pd.DateOffset(months=12)),
                 "yearly_previous": fmt(t - pd.DateOffset(months=12))})
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "PipelineTests", "Fixtures", "cadence.json")
with open(out, "w") as f:
    json.dump(rows, f, indent=1)
    f.write("\n")
print(pd.__version__, len(rows))
