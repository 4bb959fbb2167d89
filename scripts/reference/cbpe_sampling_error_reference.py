#!/usr/bin/env python3
"""Reference values for the sampling error and confidence band of CBPE estimates (issue 11 k).

NannyML estimates a metric's sampling error on a chunk of n rows from components fitted on
the reference (baseline) data (nannyml.sampling_error.binary_classification):
  accuracy   std(y_true == y_pred) / sqrt(n)
  precision  std(TP -> 1, FP -> 0) / sqrt(n * share of positive predictions)
  recall     std(TP -> 1, FN -> 0) / sqrt(n * share of positive labels)
  f1         std((TP -> 1, FN, FP -> 0) * correction) / sqrt(n * share of TP+FN+FP)
  roc_auc    Mann-Whitney components (see NannyML) / sqrt(n * share of positives)
and CBPE's confidence band is estimate +- 3 sampling errors, clipped to [0, 1]
(SAMPLING_ERROR_RANGE = 3). This script calls those NannyML functions directly on generated
reference data and writes the data and the sampling errors for several chunk sizes.

Writes Tests/StatisticsTests/Reference/cbpe_sampling_error.json
Usage:  /work/venvs/issue-11b/bin/python scripts/reference/cbpe_sampling_error_reference.py
Ran with: nannyml 0.13.1, numpy and pandas as installed with it (versions recorded in the output).
"""
import json
import os

import nannyml
import nannyml.sampling_error.binary_classification as bse
from nannyml.sampling_error import SAMPLING_ERROR_RANGE
import numpy as np
import pandas as pd

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "StatisticsTests", "Reference", "cbpe_sampling_error.json")

rng = np.random.default_rng(20261203)
cases = []
for name, n, prevalence, threshold in [("balanced", 1500, 0.5, 0.5), ("rare", 2000, 0.2, 0.5), ("majority", 1200, 0.7, 0.65)]:
    y = (rng.random(n) < prevalence).astype(int)
    # Scores: a noisy logistic of the label, unrounded so that no two tie (NannyML's AUROC
    # component sorts with numpy's unstable quicksort; tied scores would make its order arbitrary).
    score = 1 / (1 + np.exp(-(2.0 * (y - 0.5) * 2 + rng.normal(0, 1.3, n))))
    assert len(np.unique(score)) == n
    pred = (score >= threshold).astype(int)
    yt, yp, sp = pd.Series(y), pd.Series(pred), pd.Series(score)
    comps = {
        "accuracy": bse.accuracy_sampling_error_components(yt, yp),
        "precision": bse.precision_sampling_error_components(yt, yp),
        "recall": bse.recall_sampling_error_components(yt, yp),
        "f1": bse.f1_sampling_error_components(yt, yp),
        "roc_auc": bse.auroc_sampling_error_components(yt, sp),
    }
    fns = {"accuracy": bse.accuracy_sampling_error, "precision": bse.precision_sampling_error,
           "recall": bse.recall_sampling_error, "f1": bse.f1_sampling_error, "roc_auc": bse.auroc_sampling_error}
    errors = {}
    for size in [100, 1000, 25000]:
        chunk = pd.DataFrame({"x": np.zeros(size)})
        errors[str(size)] = {m: float(fns[m](comps[m], chunk)) for m in comps}
    cases.append({
        "name": name, "threshold": threshold, "labels": y.tolist(), "scores": score.tolist(),
        "sampling_errors": errors,
    })

with open(OUT, "w") as f:
    json.dump({
        "generator": "scripts/reference/cbpe_sampling_error_reference.py",
        "versions": {"nannyml": nannyml.__version__, "numpy": np.__version__, "pandas": pd.__version__},
        "sampling_error_range": SAMPLING_ERROR_RANGE,
        "cases": cases,
    }, f, separators=(",", ":"))
    f.write("\n")
print("wrote", OUT)
