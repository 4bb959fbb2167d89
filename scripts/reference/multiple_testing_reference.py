#!/usr/bin/env python3
"""Reference values for Benjamini-Hochberg adjusted p-values (issue 11: a day's drift tests read
together; issue 15: segments).

statsmodels.stats.multitest.multipletests(p, method="fdr_bh") on generated p-value sets: small
and large, ties, values at 0 and 1, and a set where the step-up minimum matters.

Writes Tests/StatisticsTests/Reference/multiple_testing.json
Usage:  /work/venvs/integ/bin/python scripts/reference/multiple_testing_reference.py
Ran with: statsmodels 0.14 or later, numpy (versions recorded in the output).
"""
import json
import os

import numpy as np
import statsmodels
from statsmodels.stats.multitest import multipletests

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "StatisticsTests", "Reference", "multiple_testing.json")

rng = np.random.default_rng(20261203)
sets = {
    "one": [0.03],
    "trial_fair_day": [0.02305, 0.04412, 0.42, 0.12, 0.39, 0.27, 0.6, 0.81, 0.5, 0.33],
    "step_up": [0.01, 0.04, 0.03, 0.045, 0.2],
    "ties_and_edges": [0.0, 1.0, 0.05, 0.05, 0.05, 0.001, 1.0],
    "uniform_40": [float(x) for x in rng.random(40)],
    "mixed_200": [float(x) for x in np.concatenate([rng.random(180), rng.random(20) * 1e-4])],
}
cases = []
for name, p in sets.items():
    reject, adjusted, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
    cases.append({"name": name, "p_values": p, "adjusted": [float(a) for a in adjusted],
                  "reject_at_0_05": [bool(r) for r in reject]})
with open(OUT, "w") as f:
    json.dump({"statsmodels": statsmodels.__version__, "numpy": np.__version__, "cases": cases}, f, indent=1)
print(f"wrote {OUT}: {len(cases)} cases (statsmodels {statsmodels.__version__})")
