#!/usr/bin/env python3
"""Reference values for the profile stage, computed independently with numpy and scipy.

Writes Tests/ProfileTests/Fixtures/profile_input.csv (the tiny pipeline's columns, seeded
random data with nulls, NaN, infinities, zeros and negatives), profile_day.csv (a day profiled
against it), correlation_input.csv (correlated features and a binary target) and
profile_expected.json.
Run from the repository root:  python3 scripts/reference/profile_reference.py
"""
import json
import math
import os

import numpy as np
from scipy import stats

OUT = os.path.join("Tests", "ProfileTests", "Fixtures")
rng = np.random.default_rng(20261129)
N = 2000

x = rng.normal(50, 15, N)
x[rng.random(N) < 0.03] = np.nan            # missing (written as empty)
x_nan_value = rng.random(N) < 0.01           # NaN values (written as NaN)
x[5] = 0.0
x[6] = -3.25
n = rng.integers(-5, 40, N).astype(float)
n[rng.random(N) < 0.05] = np.nan
colors = rng.choice(["red", "green", "blue", "teal"], N, p=[0.5, 0.3, 0.15, 0.05])
colors = np.where(rng.random(N) < 0.02, "", colors)
flag = rng.random(N) < 0.3
score = rng.beta(2, 5, N)
score[10] = np.inf
pred = (score >= 0.5).astype(int)
y = (rng.random(N) < score).astype(int)
latency = rng.lognormal(3.5, 0.4, N)

def fmt(v):
    if isinstance(v, float) and math.isnan(v):
        return ""
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(float(v))

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "profile_input.csv"), "w") as f:
    f.write("id,ts,x,n,color,flag,score,pred,y,latency_ms\n")
    for i in range(N):
        xs = "NaN" if x_nan_value[i] else fmt(x[i])
        ns = "" if math.isnan(n[i]) else str(int(n[i]))
        ts = f"2026-01-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z"
        f.write(f"id{i},{ts},{xs},{ns},{colors[i]},{'true' if flag[i] else 'false'},{fmt(score[i])},{pred[i]},{y[i]},{fmt(latency[i])}\n")

def numeric(values, nan_mask=None):
    v = np.array(values, dtype=float)
    present = v[~np.isnan(v)] if nan_mask is None else v
    nulls = int(np.isnan(v).sum()) if nan_mask is None else 0
    if nan_mask is not None:
        nulls = int((np.isnan(v) & ~nan_mask).sum())
        present = v[~(np.isnan(v) & ~nan_mask)]
    nan_count = int(np.isnan(present).sum())
    inf_count = int(np.isinf(present).sum())
    finite = np.sort(present[np.isfinite(present)])
    qs = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
    keys = ["p01", "p05", "p25", "p50", "p75", "p95", "p99"]
    return {
        "count": int(present.size),
        "nulls": nulls,
        "nan": nan_count,
        "infinite": inf_count,
        "zeros": int((finite == 0).sum()),
        "negatives": int((present[~np.isnan(present)] < 0).sum()),
        "min": float(finite.min()),
        "max": float(finite.max()),
        "mean": float(np.mean(finite)),
        "std": float(np.std(finite, ddof=1)),
        "skewness": float(stats.skew(finite, bias=False)),
        "distinct": int(np.unique(finite).size),
        "quantiles": {k: float(np.quantile(finite, q)) for k, q in zip(keys, qs)},
    }

x_with_nan = x.copy()
x_with_nan[x_nan_value] = np.nan
expected = {
    "rows": N,
    "x": numeric(x_with_nan, nan_mask=x_nan_value),
    "n": numeric(n),
    "score": numeric(score),
    "latency_ms": numeric(latency),
    "color": {
        "nulls": int((colors == "").sum()),
        "counts": {c: int((colors == c).sum()) for c in sorted(set(colors)) if c != ""},
    },
    "flag": {"count": N, "true": int(flag.sum())},
}


# --- Added for issue 4: text, datetime, top-k, histograms on baseline edges, a day, correlations.

QKEYS = ["p01", "p05", "p25", "p50", "p75", "p95", "p99"]
BINS = 20  # ColumnProfiler.baselineHistogramBins


def read_fixture(name):
    """Reads a fixture back as text fields, exactly as written (the Swift side reads the file)."""
    with open(os.path.join(OUT, name)) as f:
        header = f.readline().rstrip("\n").split(",")
        rows = [line.rstrip("\n").split(",") for line in f]
    return {h: [r[i] for r in rows] for i, h in enumerate(header)}


def floats(texts):
    """Numeric column as the ingest reads it: '' is missing (None), NaN/inf are values."""
    return [None if t == "" else float(t) for t in texts]


def finite_values(texts):
    return np.array([v for v in floats(texts) if v is not None and math.isfinite(v)], dtype=float)


def top_k(texts, k=20):
    counts = {}
    for t in texts:
        if t != "":
            counts[t] = counts.get(t, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"value": v, "count": c} for v, c in ordered[:k]]


def lengths(texts):
    ls = np.array([len(t) for t in texts if t != ""], dtype=float)
    return {"count": int(ls.size), "distinct": len(set(t for t in texts if t != "")),
            "min": int(ls.min()), "max": int(ls.max()), "mean": float(np.mean(ls))}


def canonical(ts):
    """The warehouse's canonical UTC form of an ISO timestamp written as YYYY-MM-DDTHH:MM:SSZ."""
    return ts[:-1] + ".000Z"


def histogram(values, edges):
    counts, _ = np.histogram(values, bins=edges)
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts],
            "below": int((values < edges[0]).sum()), "above": int((values > edges[-1]).sum())}


def pearson_pairwise(a, b):
    """Pearson r over rows where both are present and finite (pandas DataFrame.corr semantics)."""
    a = np.array([np.nan if v is None else v for v in a], dtype=float)
    b = np.array([np.nan if v is None else v for v in b], dtype=float)
    mask = np.isfinite(a) & np.isfinite(b)
    n = int(mask.sum())
    if n < 2 or np.ptp(a[mask]) == 0 or np.ptp(b[mask]) == 0:
        return {"r": None, "n": n}
    return {"r": float(np.corrcoef(a[mask], b[mask])[0, 1]), "n": n}


def correlations(cols, features, target):
    """Every pair of numeric features in declared order, then each feature with the target."""
    out = []
    for i, a in enumerate(features):
        for b in features[i + 1:]:
            out.append(dict(a=a, b=b, kind="feature", **pearson_pairwise(cols[a], cols[b])))
    for a in features:
        out.append(dict(a=a, b=target, kind="target", **pearson_pairwise(cols[a], cols[target])))
    return out


def numeric_columns(f):
    """x, n as numbers; flag and y as 0/1 (boolean true, positive class '1')."""
    return {"x": floats(f["x"]), "n": floats(f["n"]),
            "flag": [None if t == "" else (1.0 if t == "true" else 0.0) for t in f["flag"]],
            "y": [None if t == "" else (1.0 if t == "1" else 0.0) for t in f["y"]]}


base = read_fixture("profile_input.csv")
base_x = finite_values(base["x"])
edges = np.linspace(base_x.min(), base_x.max(), BINS + 1)
expected["id_text"] = lengths(base["id"])
expected["ts_range"] = {"min": canonical(min(base["ts"])), "max": canonical(max(base["ts"]))}
expected["color_top"] = top_k(base["color"])
expected["flag"]["true_share"] = float(flag.sum()) / N
expected["x_histogram"] = histogram(base_x, edges)
expected["correlations"] = correlations(numeric_columns(base), ["x", "n", "flag"], "y")

# A day profiled against the baseline: x shifted with values beyond both baseline edges,
# a category the baseline never had, another one gone.
rng_day = np.random.default_rng(20261130)
D = 500
day_x = rng_day.normal(60, 25, D)
day_x[:7] = base_x.max() + 1 + np.arange(7)      # above the last edge
day_x[7:10] = base_x.min() - 5                   # below the first edge
day_x[10] = base_x.max()                         # exactly on the last edge: in the last bin
day_color = rng_day.choice(["red", "green", "blue", "purple"], D, p=[0.5, 0.3, 0.12, 0.08])
with open(os.path.join(OUT, "profile_day.csv"), "w") as f:
    f.write("id,ts,x,n,color,flag,score,pred,y,latency_ms\n")
    for i in range(D):
        ts = f"2026-02-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z"
        f.write(f"d{i},{ts},{repr(float(day_x[i]))},{i % 9},{day_color[i]},{'true' if i % 5 == 0 else 'false'},0.25,0,0,30.0\n")
day = read_fixture("profile_day.csv")
day_xs = finite_values(day["x"])
base_colors = set(c for c in base["color"] if c != "")
day_present = [c for c in day["color"] if c != ""]
expected["day"] = {
    "x_histogram": histogram(day_xs, edges),
    "x_mean": float(np.mean(day_xs)),
    "x_std": float(np.std(day_xs, ddof=1)),
    "x_quantiles": {k: float(np.quantile(day_xs, q)) for k, q in zip(QKEYS, [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])},
    "color_unseen_share": sum(1 for c in day_present if c not in base_colors) / len(day_present),
}

# Correlated features for the baseline correlation table: n follows x, flag marks high x,
# y (binary target) depends on x; n has missing values and x a NaN, so pairs differ in rows used.
rng_c = np.random.default_rng(20261201)
C = 800
cx = rng_c.normal(50, 12, C)
cn = np.round(0.7 * cx + rng_c.normal(0, 4, C))
cflag = (cx + rng_c.normal(0, 8, C)) > 55
cy = (rng_c.random(C) < 1 / (1 + np.exp(-(cx - 50) / 6))).astype(int)
with open(os.path.join(OUT, "correlation_input.csv"), "w") as f:
    f.write("id,ts,x,n,color,flag,score,pred,y,latency_ms\n")
    for i in range(C):
        xs = "NaN" if i == 3 else ("" if i % 41 == 0 else repr(float(cx[i])))
        ns = "" if i % 13 == 0 else str(int(cn[i]))
        ts = f"2026-01-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z"
        f.write(f"c{i},{ts},{xs},{ns},red,{'true' if cflag[i] else 'false'},0.5,1,{cy[i]},20.0\n")
expected["correlation_fixture"] = correlations(numeric_columns(read_fixture("correlation_input.csv")), ["x", "n", "flag"], "y")

with open(os.path.join(OUT, "profile_expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
print("wrote", OUT)
