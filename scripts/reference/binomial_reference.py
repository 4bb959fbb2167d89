#!/usr/bin/env python3
"""Reference values for Binomial.upperTail: P(X >= k) = scipy.stats.binom.sf(k - 1, n, p).

Writes Tests/StatisticsTests/Reference/binomial.json. Cases cover the constant-column checks'
use (k = n: p ** n; k close to n), tiny tails, k at and below the mean, and the edges.
Usage:  python3 scripts/reference/binomial_reference.py   (numpy, scipy)
"""
import json
import os

import numpy as np
import scipy
import scipy.stats as st

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "StatisticsTests", "Reference", "binomial.json")

grid = [
    (100, 100, 0.98), (100, 100, 0.999), (100, 100, 0.5), (99, 100, 0.98), (100, 100, 1e-3),
    (1, 100, 0.001), (2, 100, 0.001), (3, 100, 0.001), (1, 100, 0.0), (0, 100, 0.3),
    (101, 100, 0.3), (50, 100, 0.5), (51, 100, 0.5), (30, 100, 0.5), (70, 100, 0.5),
    (990, 1000, 0.99), (1000, 1000, 0.9999), (995, 1000, 0.99), (999_000, 1_000_000, 0.99),
    (990_500, 1_000_000, 0.99), (1_000_000, 1_000_000, 0.999999), (1, 1, 0.25), (0, 0, 0.5),
    (5, 10, 1.0), (12, 40, 0.3), (1200, 1_000_000, 0.001), (1000, 1_000_000, 0.001),
    (900, 1_000_000, 0.001), (20, 20, 0.9), (7, 1000, 1e-6),
]
cases = [{"k": k, "n": n, "p": p, "sf": float(st.binom.sf(k - 1, n, p))} for k, n, p in grid]
with open(OUT, "w") as f:
    json.dump({"generator": f"scripts/reference/binomial_reference.py (numpy {np.__version__}, scipy {scipy.__version__})",
               "cases": cases}, f, indent=1)
print(f"wrote {OUT} ({len(cases)} cases)")
