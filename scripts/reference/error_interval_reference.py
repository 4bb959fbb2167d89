#!/usr/bin/env python3
"""Reference values for the regression error intervals of performance.drop (docs/compare.md):
MAE +- 1.96 standard errors of |e|, and RMSE as the square roots of the MSE's interval
(mean of e**2 +- 1.96 * std(e**2, ddof=1) / sqrt(n)); z = scipy.stats.norm.ppf(0.975).

Writes Tests/CompareTests/Fixtures/error_interval.json. Usage: python3 scripts/reference/error_interval_reference.py
(numpy, scipy). Cases: a heavy-tailed count target (statsmodels-randhie-like), a light-tailed one, tiny n.
"""
import json, os
import numpy as np
import scipy
from scipy.stats import norm

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "CompareTests", "Fixtures", "error_interval.json")
rng = np.random.default_rng(20261203)
z = float(norm.ppf(0.975))

def interval(y, p):
    e = np.asarray(p, float) - np.asarray(y, float)
    out = {}
    for name, v in (("mae", np.abs(e)), ("rmse", e * e)):
        m, half = v.mean(), z * v.std(ddof=1) / np.sqrt(len(v))
        lo, hi = max(0.0, m - half), m + half
        out[name] = [float(np.sqrt(lo)), float(np.sqrt(hi))] if name == "rmse" else [float(lo), float(hi)]
    return out

cases = []
y = rng.negative_binomial(1, 0.25, 1000).astype(float); p = np.round(np.full(1000, 3.0) + rng.normal(0, 0.5, 1000), 4)
cases.append({"name": "heavy_tailed_counts", "truth": y.tolist(), "prediction": p.tolist(), **interval(y, p)})
y = np.round(rng.normal(10, 1, 200), 4); p = np.round(y + rng.normal(0, 0.3, 200), 4)
cases.append({"name": "light_tailed", "truth": y.tolist(), "prediction": p.tolist(), **interval(y, p)})
cases.append({"name": "two_rows", "truth": [1.0, 2.0], "prediction": [1.5, 4.0], **interval([1.0, 2.0], [1.5, 4.0])})
with open(OUT, "w") as f:
    json.dump({"generator": f"scripts/reference/error_interval_reference.py (numpy {np.__version__}, scipy {scipy.__version__})", "z": z, "cases": cases}, f)
print(f"wrote {OUT}")
