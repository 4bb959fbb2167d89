#!/usr/bin/env python3
"""Reference decisions for quality.unseen_categories / quality.allowed_values when the baseline
saw no category exactly once (field trial 8, statsmodels' modechoice).

The rule, implemented here independently of the Swift code: the chance that a clean value is a
category the baseline never had is the Good–Turing missing mass N1/n (N1 categories seen once
among n baseline values); when N1 = 0 it is 1/(n + 1). A day's count k of such values among m is
a finding only when its share reaches the warning threshold and
P(X >= k) = scipy.stats.binom.sf(k - 1, m, chance) < 0.001.

Writes Tests/ValidateTests/Fixtures/unseen_categories.json:
- "tiny": the test pipeline's 60-row baseline (colors red, green, blue, 20 each: N1 = 0) and a
  100-row day with k rows of an unseen color, k = 1..25, with P and the expected severity
  (checks.unseen_categories: warning 0.01, critical 0.2);
- "modechoice": the trial's psize counts (294-row baseline, 63-row days), for the record.
Usage:  python3 scripts/reference/unseen_category_reference.py   (numpy, scipy)
"""
import json
import os

import numpy as np
import scipy
import scipy.stats as st

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "ValidateTests", "Fixtures", "unseen_categories.json")
LEVEL = 0.001


def chance(counts):
    n = sum(counts.values())
    singletons = sum(1 for c in counts.values() if c == 1)
    return singletons / n if singletons else 1 / (n + 1)


def severity(k, m, rate, warning, critical):
    share = k / m
    if share < warning or k == 0:
        return None
    if st.binom.sf(k - 1, m, rate) >= LEVEL:
        return None
    return "critical" if share >= critical else "warning"


def cases(counts, m, ks, warning, critical):
    rate = chance(counts)
    return {"baseline_counts": counts, "day_rows": m, "chance": rate,
            "cases": [{"unseen": k, "p": float(st.binom.sf(k - 1, m, rate)),
                       "severity": severity(k, m, rate, warning, critical),
                       "severity_without_chance": (None if k / m < warning else "critical" if k / m >= critical else "warning")}
                      for k in ks]}


tiny = cases({"red": 20, "green": 20, "blue": 20}, 100, range(1, 26), 0.01, 0.2)
# modechoice psize in the trial's baseline (seed 3): 1: 164, 2: 87, 3: 22, 4: 19, 5: 2; days of 63
# rows held one or two rows of household size 6 (allowed_values: warning 0.001, critical 0.2).
mode = cases({"1": 164, "2": 87, "3": 22, "4": 19, "5": 2}, 63, [1, 2, 3, 4], 0.001, 0.2)
with open(OUT, "w") as f:
    json.dump({"generator": f"scripts/reference/unseen_category_reference.py (numpy {np.__version__}, scipy {scipy.__version__})",
               "level": LEVEL, "tiny": tiny, "modechoice": mode}, f, indent=1)
    f.write("\n")
