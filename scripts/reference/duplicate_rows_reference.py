#!/usr/bin/env python3
"""Reference decisions for quality.duplicate_rows on a day when the baseline itself has
duplicate rows (field trial 8, statsmodels' fair: discrete survey rows without an id).

The rule, implemented here independently of the Swift code: with D duplicate rows among the
baseline's n, a day of m rows has chance p = D (m - 1) / (n (n - 1)) per row of repeating an
earlier one; a count d is a finding only when its share reaches the threshold and
P(X >= d) = scipy.stats.binom.sf(d - 1, m, p) < 0.001. For a baseline whose repeats are pairs,
D m (m - 1) / (n (n - 1)) is the exact expected number of repeats in a random m of its rows:
checked here by simulation, and against the exact hypergeometric expectation
sum over classes of E[max(X - 1, 0)], which it never exceeds for larger classes.

Writes Tests/ValidateTests/Fixtures/duplicate_rows.json: the test's 200-row baseline with 2
pairs and 100-row days with d = 0..8 repeated rows (checks.duplicate_rows: warning 0,
critical 0.01); "heavy": the same with a class of 6 equal rows and 2 pairs (d = 0..12), judged
by the exact expectation; and the trial's fair numbers for the record.
Usage:  python3 scripts/reference/duplicate_rows_reference.py   (numpy, scipy)
"""
import json
import os

import numpy as np
import scipy
import scipy.stats as st

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "ValidateTests", "Fixtures", "duplicate_rows.json")
LEVEL = 0.001


def chance(dups, n, m):
    return dups * (m - 1) / (n * (n - 1))


def exact_expected(class_sizes, n, m):
    """E[repeats] in a random m of n rows: sum over classes of E[max(X - 1, 0)], X hypergeometric."""
    total = 0.0
    for c in class_sizes:
        x = np.arange(0, min(c, m) + 1)
        total += float(np.sum(np.maximum(x - 1, 0) * st.hypergeom.pmf(x, n, c, m)))
    return total


def severity(d, m, p, warning=0.0, critical=0.01):
    share = d / m
    if d == 0 or share < warning:
        return None
    if p > 0 and st.binom.sf(d - 1, m, p) >= LEVEL:
        return None
    return "critical" if share >= critical else "warning"


n, m, dups = 200, 100, 2
p = chance(dups, n, m)
rng = np.random.default_rng(8)
population = np.concatenate([np.arange(n - dups), np.arange(dups)])  # two rows appear twice
sims = [m - len(np.unique(rng.choice(population, m, replace=False))) for _ in range(200_000)]
tiny = {"baseline_rows": n, "baseline_duplicates": dups, "day_rows": m, "chance": p,
        "expected": p * m, "exact_expected": exact_expected([2] * dups + [1] * (n - 2 * dups), n, m),
        "simulated_expected": float(np.mean(sims)),
        "cases": [{"duplicates": d, "p": float(st.binom.sf(d - 1, m, p)) if d else 1.0, "severity": severity(d, m, p),
                   "severity_without_baseline": severity(d, m, 0.0)} for d in range(0, 9)]}
# A baseline with larger classes: rows 1…5 copied over the last 5 rows (a class of 6 equal rows
# when they are copies of one row: here 5 copies of row 1) and 2 more pairs: the exact
# hypergeometric expectation, checked by simulation, is the chance (a day no larger than the baseline).
heavy_sizes = [6, 2, 2]
heavy_n = 200
heavy_pop = np.concatenate([np.arange(heavy_n - 7), np.full(5, 0), np.arange(1, 3)])
heavy_exact = exact_expected(heavy_sizes + [1] * (heavy_n - sum(heavy_sizes)), heavy_n, m)
heavy_sims = [m - len(np.unique(rng.choice(heavy_pop, m, replace=False))) for _ in range(200_000)]
hp = heavy_exact / m
heavy = {"baseline_rows": heavy_n, "class_sizes": heavy_sizes, "baseline_duplicates": sum(c - 1 for c in heavy_sizes), "day_rows": m,
         "exact_expected": heavy_exact, "simulated_expected": float(np.mean(heavy_sims)),
         "pairs_expected": chance(sum(c - 1 for c in heavy_sizes), heavy_n, m) * m, "chance": hp,
         "cases": [{"duplicates": d, "p": float(st.binom.sf(d - 1, m, hp)) if d else 1.0, "severity": severity(d, m, hp)} for d in range(0, 13)]}
# fair (trial 8, seed 8): 191 duplicate rows in the 2 228-row baseline; days of 318-319 rows had 3-9.
fair = {"baseline_rows": 2228, "baseline_duplicates": 191, "day_rows": 318, "chance": chance(191, 2228, 318),
        "cases": [{"duplicates": d, "p": float(st.binom.sf(d - 1, 318, chance(191, 2228, 318))),
                   "severity": severity(d, 318, chance(191, 2228, 318))} for d in (3, 5, 8, 9, 12, 15)]}
with open(OUT, "w") as f:
    json.dump({"generator": f"scripts/reference/duplicate_rows_reference.py (numpy {np.__version__}, scipy {scipy.__version__})",
               "level": LEVEL, "tiny": tiny, "heavy": heavy, "fair": fair}, f, indent=1)
    f.write("\n")
