#!/usr/bin/env python3
"""Reference values for the group fairness metrics (Sources/Statistics/GroupFairness.swift).

Generates binary predictions, labels and a protected attribute (seeded numpy), and writes
the per-group rates of Fairlearn's MetricFrame, Fairlearn's demographic parity
difference/ratio, equalized odds difference (agg="worst_case") and equal opportunity
difference, and statsmodels' Wilson 95 % intervals of every rate, to
Tests/StatisticsTests/Reference/fairness.json. Nothing is typed by hand.

Ran with: fairlearn 0.15.0, statsmodels (version written into the JSON), numpy, pandas,
scikit-learn (versions written into the JSON).

Usage:  /work/venvs/issue-15/bin/python scripts/reference/fairness_reference.py
"""
import json
import os

import fairlearn
import numpy as np
import pandas as pd
import sklearn
import statsmodels
from fairlearn.metrics import (MetricFrame, demographic_parity_difference, demographic_parity_ratio,
                               equal_opportunity_difference, equalized_odds_difference, false_positive_rate,
                               selection_rate, true_positive_rate)
from sklearn.metrics import accuracy_score, precision_score
from statsmodels.stats.proportion import proportion_confint

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "Tests", "StatisticsTests", "Reference", "fairness.json"))


def wilson(k, n):
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    return [float(lo), float(hi)]


def case(seed, n, groups, base_rates, tprs, fprs):
    rng = np.random.default_rng(seed)
    g = rng.choice(groups, size=n, p=np.full(len(groups), 1 / len(groups)))
    y = np.zeros(n, dtype=int)
    p = np.zeros(n, dtype=int)
    for k, name in enumerate(groups):
        m = g == name
        y[m] = (rng.random(m.sum()) < base_rates[k]).astype(int)
        u = rng.random(m.sum())
        p[m] = np.where(y[m] == 1, u < tprs[k], u < fprs[k]).astype(int)
    mf = MetricFrame(
        metrics={"selection_rate": selection_rate, "true_positive_rate": true_positive_rate,
                 "false_positive_rate": false_positive_rate,
                 "precision": lambda a, b: precision_score(a, b, zero_division=0), "accuracy": accuracy_score},
        y_true=y, y_pred=p, sensitive_features=pd.Series(g, name="attr"))
    out_groups = []
    for name in sorted(groups):
        m = g == name
        yt, yp = y[m], p[m]
        tp = int(((yt == 1) & (yp == 1)).sum()); fp = int(((yt == 0) & (yp == 1)).sum())
        fn = int(((yt == 1) & (yp == 0)).sum()); tn = int(((yt == 0) & (yp == 0)).sum())
        row = mf.by_group.loc[name]
        out_groups.append({
            "value": name, "rows": int(m.sum()), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "selection_rate": float(row["selection_rate"]), "selection_rate_ci": wilson(tp + fp, int(m.sum())),
            "true_positive_rate": float(row["true_positive_rate"]), "true_positive_rate_ci": wilson(tp, tp + fn),
            "false_positive_rate": float(row["false_positive_rate"]), "false_positive_rate_ci": wilson(fp, fp + tn),
            "precision": float(row["precision"]), "precision_ci": wilson(tp, tp + fp),
            "accuracy": float(row["accuracy"]), "accuracy_ci": wilson(tp + tn, int(m.sum())),
        })
    return {
        "seed": seed,
        "y_true": y.tolist(), "y_pred": p.tolist(), "group": g.tolist(),
        "groups": out_groups,
        "demographic_parity_difference": float(demographic_parity_difference(y, p, sensitive_features=g)),
        "demographic_parity_ratio": float(demographic_parity_ratio(y, p, sensitive_features=g)),
        "equalized_odds_difference": float(equalized_odds_difference(y, p, sensitive_features=g, agg="worst_case")),
        "equal_opportunity_difference": float(equal_opportunity_difference(y, p, sensitive_features=g)),
    }


def main():
    cases = [
        case(1, 800, ["F", "M"], [0.4, 0.45], [0.8, 0.82], [0.1, 0.12]),
        case(2, 1500, ["a", "b", "c"], [0.3, 0.5, 0.2], [0.9, 0.5, 0.7], [0.05, 0.2, 0.1]),
        case(3, 600, ["0", "1", "2", "3"], [0.5, 0.5, 0.3, 0.6], [0.6, 0.75, 0.4, 0.95], [0.3, 0.1, 0.05, 0.4]),
    ]
    doc = {
        "generator": "scripts/reference/fairness_reference.py",
        "versions": {"fairlearn": fairlearn.__version__, "statsmodels": statsmodels.__version__,
                     "numpy": np.__version__, "pandas": pd.__version__, "scikit-learn": sklearn.__version__},
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
