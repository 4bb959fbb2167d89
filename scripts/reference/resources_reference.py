#!/usr/bin/env python3
"""Reference values for the serving-resources audit (Sources/Compare/Resources.swift,
docs/compare.md "Serving resources").

Writes a resources file of one day (2026-03-02, samples every 600 s) with three hosts — one
clean, one with gaps, a down interval and a memory peak, one with a hostile name and a disk
peak — plus samples outside the day and rows that must be quarantined, to
Tests/CompareTests/Fixtures/resources_reference.csv; then computes, independently with
pandas, what the audit must report, to Tests/CompareTests/Fixtures/resources_reference.json:
per host the samples inside the day, the up slots and uptime share (slot k = floor((t - start)
/ interval); a slot is up when it holds a sample of the host and none with up = false; slots
without a sample are down), the highest memory share (memory_bytes / memory_total_bytes,
the definition's 16 GiB when the column is empty), the highest disk share, mean and highest
cpu and io_wait; and the file's row counts. Also a clean file (every slot sampled, all
values inside the SLOs) that must produce no finding. Nothing is typed by hand.

Ran with: pandas and numpy versions written into the JSON (pandas 3.1.1, numpy 2.4.6 in /work/venvs/integ).

Usage:  /work/venvs/integ/bin/python scripts/reference/resources_reference.py
"""
import csv
import io
import json
import math
import os

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.normpath(os.path.join(HERE, "..", "..", "Tests", "CompareTests", "Fixtures"))
DAY_START = pd.Timestamp("2026-03-02T00:00:00Z")
DAY_END = pd.Timestamp("2026-03-03T00:00:00Z")
INTERVAL = 600
TOTAL = 16 * 1024**3  # the definition's memory_total_bytes
HEADER = ["ts", "node", "cpu_pct", "mem_used", "mem_total", "disk", "iowait", "is_up"]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_rows(rng, clean):
    rows = []
    slots = 144
    for k in range(slots):
        t = DAY_START + pd.Timedelta(seconds=k * INTERVAL + 5)
        # web-1: every slot, memory total in the file.
        rows.append([iso(t), "web-1", f"{rng.uniform(0.1, 0.6):.6f}", f"{rng.uniform(0.3, 0.7) * 8e9:.0f}", "8000000000",
                     f"{rng.uniform(0.4, 0.6):.6f}", f"{rng.uniform(0, 0.05):.6f}", "true"])
        if clean:
            rows.append([iso(t + pd.Timedelta(seconds=7)), "web-2", f"{rng.uniform(0.1, 0.6):.6f}",
                         f"{rng.uniform(0.3, 0.8) * TOTAL:.0f}", "", f"{rng.uniform(0.2, 0.8):.6f}", "", "1"])
            continue
        # web-2: gaps in slots 10-19, down at 50, two samples in 51, memory total from the definition.
        if not (10 <= k <= 19):
            mem = rng.uniform(0.3, 0.8) * TOTAL
            if k == 77:
                mem = 0.93 * TOTAL + 12345
            up = "0" if k == 50 else "1"
            rows.append([iso(t + pd.Timedelta(seconds=7)), "web-2", f"{rng.uniform(0.1, 0.9):.6f}", f"{mem:.0f}", "",
                         f"{rng.uniform(0.2, 0.3):.6f}", f"{rng.uniform(0, 0.2):.6f}", up])
            if k == 51:
                rows.append([iso(t + pd.Timedelta(seconds=300)), "web-2", "0.5", f"{0.5 * TOTAL:.0f}", "", "0.25", "0.01", "1"])
            if k == 60:  # a down sample and an up sample in one slot: the slot is down
                rows.append([iso(t + pd.Timedelta(seconds=200)), "web-2", "0.5", f"{0.5 * TOTAL:.0f}", "", "0.25", "0.01", "false"])
        # hostile host name: every other slot, `up` missing on some (counts as up), disk peak.
        if k % 2 == 0:
            disk = 0.97 if k == 100 else rng.uniform(0.5, 0.7)
            up = "" if k % 10 == 0 else "yes"
            rows.append([iso(t + pd.Timedelta(seconds=11)), "db <b>&amp;|`x`\u202e", f"{rng.uniform(1, 4):.6f}",
                         f"{rng.uniform(0.2, 0.5) * 32e9:.0f}", "32000000000", f"{disk:.6f}", f"{rng.uniform(0, 0.5):.6f}", up])
    if not clean:
        # Outside the day: stored, counted, not audited.
        rows.append(["2026-03-01T23:59:59Z", "web-1", "0.2", "1000", "8000000000", "0.5", "0.01", "true"])
        rows.append(["2026-03-03T00:00:00Z", "web-1", "0.2", "1000", "8000000000", "0.5", "0.01", "true"])
        rows.append(["2026-03-03T06:00:00Z", "ghost", "0.2", "1000", "8000000000", "0.5", "0.01", "true"])
        # Quarantined: no timestamp, bad timestamp, no host, bad number, impossible values, bad boolean.
        rows.append(["", "web-1", "0.2", "1000", "8000000000", "0.5", "0.01", "true"])
        rows.append(["yesterday-ish", "web-1", "0.2", "1000", "8000000000", "0.5", "0.01", "true"])
        rows.append(["2026-03-02T12:00:30Z", "", "0.2", "1000", "8000000000", "0.5", "0.01", "true"])
        rows.append(["2026-03-02T12:00:31Z", "web-1", "abc", "1000", "8000000000", "0.5", "0.01", "true"])
        rows.append(["2026-03-02T12:00:32Z", "web-1", "0.2", "1000", "8000000000", "1.5", "0.01", "true"])
        rows.append(["2026-03-02T12:00:33Z", "web-1", "0.2", "-5", "8000000000", "0.5", "0.01", "true"])
        rows.append(["2026-03-02T12:00:34Z", "web-1", "0.2", "1000", "0", "0.5", "0.01", "true"])
        rows.append(["2026-03-02T12:00:35Z", "web-1", "0.2", "1000", "8000000000", "0.5", "0.01", "maybe"])
        rows.append(["2026-03-02T12:00:36Z", "web-1", "inf", "1000", "8000000000", "0.5", "0.01", "true"])
    return rows


TRUE = {"true", "1", "yes", "t", "y", "True", "TRUE"}
FALSE = {"false", "0", "no", "f", "n", "False", "FALSE"}


def reference(text):
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    n = len(df)
    ts = pd.to_datetime(df["ts"], utc=True, errors="coerce", format="ISO8601")
    ok = ts.notna() & (df["node"] != "")
    nums = {}
    for c in ["cpu_pct", "mem_used", "mem_total", "disk", "iowait"]:
        v = pd.to_numeric(df[c].replace("", np.nan), errors="coerce")
        bad = (df[c] != "") & (v.isna() | ~np.isfinite(v.fillna(0)))
        ok &= ~bad
        nums[c] = v
    ok &= ~(nums["cpu_pct"] < 0) & ~(nums["mem_used"] < 0) & ~(nums["mem_total"] <= 0) & ~(nums["iowait"] < 0)
    ok &= ~((nums["disk"] < 0) | (nums["disk"] > 1))
    up_text = df["is_up"]
    ok &= (up_text == "") | up_text.isin(TRUE | FALSE)
    good = pd.DataFrame({
        "t": ts, "host": df["node"], "cpu": nums["cpu_pct"], "mem": nums["mem_used"], "total": nums["mem_total"],
        "disk": nums["disk"], "io": nums["iowait"],
        "down": up_text.isin(FALSE),
    })[ok]
    stored = len(good)
    inside = good[(good["t"] >= DAY_START) & (good["t"] < DAY_END)].copy()
    outside = stored - len(inside)
    slots = math.ceil((DAY_END - DAY_START).total_seconds() / INTERVAL)
    inside["slot"] = ((inside["t"] - DAY_START).dt.total_seconds() // INTERVAL).astype(int)
    inside["share"] = inside["mem"] / inside["total"].fillna(TOTAL)
    hosts = []
    for host in sorted(inside["host"].unique(), key=lambda h: h.encode("utf-8")):
        g = inside[inside["host"] == host]
        per_slot = g.groupby("slot")["down"].any()
        up_slots = int((~per_slot).sum())

        def f(x):
            return None if pd.isna(x) else float(x)
        hosts.append({
            "host": host, "samples": int(len(g)), "up_slots": up_slots, "uptime_share": up_slots / slots,
            "max_memory_share": f(g["share"].max()), "max_disk_used_share": f(g["disk"].max()),
            "mean_cpu": f(g["cpu"].mean()), "max_cpu": f(g["cpu"].max()),
            "mean_io_wait": f(g["io"].mean()), "max_io_wait": f(g["io"].max()),
        })
    return {"rows_read": n, "rows_stored": stored, "rows_quarantined": n - stored, "samples_outside_period": outside,
            "expected_samples": slots, "hosts": hosts}


def write(name, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows)
    text = buf.getvalue()
    with open(os.path.join(FIX, name), "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    return text


def main():
    os.makedirs(FIX, exist_ok=True)
    rng = np.random.default_rng(14)
    out = {"pandas": pd.__version__, "numpy": np.__version__, "date": "2026-03-02", "interval_seconds": INTERVAL,
           "memory_total_bytes": TOTAL}
    out["incidents"] = reference(write("resources_reference.csv", make_rows(rng, clean=False)))
    out["clean"] = reference(write("resources_clean.csv", make_rows(rng, clean=True)))
    with open(os.path.join(FIX, "resources_reference.json"), "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=1, sort_keys=True, ensure_ascii=False)
        fh.write("\n")


if __name__ == "__main__":
    main()
