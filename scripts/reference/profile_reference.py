#!/usr/bin/env python3
"""Reference values for the profile stage, computed independently with numpy and scipy.

Writes Tests/ProfileTests/Fixtures/profile_input.csv (the tiny pipeline's columns, seeded
random data with nulls, NaN, infinities, zeros and negatives) and profile_expected.json.
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
with open(os.path.join(OUT, "profile_expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
print("wrote", OUT)
