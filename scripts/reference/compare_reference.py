#!/usr/bin/env python3
"""Generate the reference values for the compare stage's drift verdicts and Pearson's r.

Writes
  Tests/CompareTests/Fixtures/drift_reference.json   per-column drift verdicts as Evidently
      (`get_one_column_drift`: inf -> NaN, dropna, the `auto` stattest choice, each stattest's
      drift rule) with scipy's statistics, on many cases: ties, tiny samples (n = 1, 2, 5),
      empty and unseen categories, a single-valued column, NaNs present, 1M-row samples.
  Tests/StatisticsTests/Reference/correlation.json   scipy.stats.pearsonr.

The Evidently functions are transcribed in scripts/reference/statistics_reference.py (imported
here); Evidently itself is not a dependency. Nothing is typed by hand. Large inputs are stored
as generator specs (SplitMix64, mirrored in Swift) instead of values.

Usage:  python3 scripts/reference/compare_reference.py
Requires: numpy, scipy, scikit-learn, pandas (as statistics_reference.py).
"""
import json
import math
import os
import sys

import numpy as np
import scipy
import scipy.stats as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import statistics_reference as ref  # noqa: E402  (Evidently transcriptions, generator, encoders)

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DRIFT_OUT = os.path.join(ROOT, "Tests", "CompareTests", "Fixtures", "drift_reference.json")
CORR_OUT = os.path.join(ROOT, "Tests", "StatisticsTests", "Reference", "correlation.json")

rng = np.random.default_rng(20261205)

DEFAULT_THRESHOLD = {"ks": 0.05, "chi2": 0.05, "z": 0.05, "chi2_contingency": 0.05, "anderson": 0.1,
                     "psi": 0.1, "jensenshannon": 0.1, "wasserstein": 0.1, "hellinger": 0.1}
NUMERIC_ONLY = {"ks", "wasserstein", "anderson"}


def auto_method(r, c, numeric):
    """Evidently `_get_default_stattest` (n_values over both samples, reference size)."""
    n_values = len(set(r) | set(c))
    if len(r) <= 1000:
        if numeric and n_values > 5:
            return "ks"
        return "chi2" if n_values > 2 else "z"
    if numeric and n_values > 5:
        return "wasserstein"
    return "jensenshannon"


def contingency(r, c):
    keys = sorted(set(r) | set(c))
    table = [[r.count(k) for k in keys], [c.count(k) for k in keys]]
    res = st.chi2_contingency(table, correction=True)
    return float(res.statistic), float(res.pvalue)


def verdict(method, r, c, numeric, threshold):
    """(statistic, p-value or None, drifted) as Evidently's stattest `method` (chi2_contingency:
    scipy on the 2 x k table, judged like Evidently's chi-square)."""
    if method == "ks":
        res = st.ks_2samp(r, c)
        return float(res.statistic), float(res.pvalue), bool(res.pvalue <= threshold)
    if method == "chi2":
        s, p, _ = ref.evidently_chi(list(r), list(c))
        return s, p, bool(p < threshold)
    if method == "z":
        z, p = ref.evidently_z(list(r), list(c))
        return z, p, bool(p < threshold)
    if method == "chi2_contingency":
        s, p = contingency(list(r), list(c))
        return s, p, bool(p < threshold)
    if method == "anderson":
        res = st.anderson_ksamp([np.asarray(r), np.asarray(c)])
        return float(res.statistic), float(res.pvalue), bool(res.pvalue < threshold)
    if method == "psi":
        v = ref.evidently_psi(np.asarray(r), np.asarray(c), numeric)
    elif method == "jensenshannon":
        v = ref.evidently_js(np.asarray(r), np.asarray(c), numeric)
    elif method == "wasserstein":
        v = ref.evidently_wasserstein(np.asarray(r), np.asarray(c))
    elif method == "hellinger":
        v = ref.evidently_hellinger_num(np.asarray(r), np.asarray(c)) if numeric \
            else ref.evidently_hellinger_cat(list(r), list(c))
    else:
        raise ValueError(method)
    return v, None, bool(v >= threshold)


def clean(values, numeric):
    """Evidently `get_one_column_drift`: infinities become NaN, then missing values are dropped."""
    if numeric:
        a = np.asarray(values, dtype=float)
        return a[np.isfinite(a)].tolist()
    return [v for v in values if v is not None]


def case(name, reference, current, numeric, method="auto", threshold=None, gen=None):
    r, c = clean(reference, numeric), clean(current, numeric)
    out = {"name": name, "kind": "numeric" if numeric else "categorical", "method": method,
           "threshold": threshold}
    if gen is None and numeric:
        out["reference"] = [ref.enc(v) for v in reference]
        out["current"] = [ref.enc(v) for v in current]
    elif gen is None:
        # Categories as counts (what the compare stage reads from profiles); missing values
        # are counted apart and dropped.
        for side, values in (("reference", reference), ("current", current)):
            counts = {}
            for v in values:
                if v is not None:
                    counts[v] = counts.get(v, 0) + 1
            out[side + "_counts"] = counts
            out[side + "_missing"] = sum(1 for v in values if v is None)
    else:
        out["reference_gen"], out["current_gen"] = gen
    if not r or not c:
        out["expected"] = None
        return out
    resolved = method
    if method == "auto" or (not numeric and method in NUMERIC_ONLY):
        resolved = auto_method(r, c, numeric)
    t = threshold if threshold is not None else DEFAULT_THRESHOLD[resolved]
    s, p, drifted = verdict(resolved, r, c, numeric, t)
    out["expected"] = {"method": resolved, "statistic": s, "p_value": p, "threshold": t, "drifted": drifted}
    if resolved == "chi2" and method != "chi2":
        # MLAudit's documented deviation (docs/statistics.md, "Method choice"): where Evidently's
        # auto picks its goodness-of-fit chi-square, MLAudit's picks chi2_contingency.
        t2 = threshold if threshold is not None else DEFAULT_THRESHOLD["chi2_contingency"]
        s2, p2, d2 = verdict("chi2_contingency", r, c, numeric, t2)
        out["expected_auto_deviation"] = {"method": "chi2_contingency", "statistic": s2, "p_value": p2,
                                          "threshold": t2, "drifted": d2}
    if numeric:
        ks = st.ks_2samp(r, c)
        out["expected"]["extra"] = {
            "ks_statistic": float(ks.statistic),
            "wasserstein_normed": ref.evidently_wasserstein(np.asarray(r), np.asarray(c)),
            "psi": ref.evidently_psi(np.asarray(r), np.asarray(c), True),
            "jensenshannon": ref.evidently_js(np.asarray(r), np.asarray(c), True)}
        # MLAudit keeps the KS p-value beside other methods only where Evidently would test.
        if resolved == "ks" or len(r) <= 1000:
            out["expected"]["extra"]["ks_p_value"] = float(ks.pvalue)
    else:
        s2, p2, _ = ref.evidently_chi(list(r), list(c))
        out["expected"]["extra"] = {
            "chi2_statistic": s2, "chi2_p_value": p2,
            "psi": ref.evidently_psi(np.asarray(r), np.asarray(c), False),
            "jensenshannon": ref.evidently_js(np.asarray(r), np.asarray(c), False)}
    return out


def drift_cases():
    cases = []
    # --- numbers: Evidently's auto choice over its boundaries
    a, b = rng.normal(0, 1, 800), rng.normal(0.3, 1.1, 600)
    cases.append(case("normal_shift_auto_ks", a.tolist(), b.tolist(), True))
    a, b = rng.normal(5, 2, 1000), rng.normal(5, 2, 700)
    cases.append(case("same_distribution_auto_ks", a.tolist(), b.tolist(), True))
    a, b = rng.normal(5, 2, 1001), rng.normal(5.4, 2, 700)
    cases.append(case("reference_1001_rows_auto_wasserstein", a.tolist(), b.tolist(), True))
    a, b = np.floor(rng.uniform(0, 8, 500)), np.floor(rng.uniform(0, 10, 400))
    cases.append(case("ties_auto_ks", a.tolist(), b.tolist(), True))
    a, b = np.floor(rng.uniform(0, 4, 600)), np.floor(rng.uniform(0, 4, 300))
    cases.append(case("four_values_auto_chi2", a.tolist(), b.tolist(), True))
    a, b = np.floor(rng.uniform(0, 4, 3000)), np.floor(rng.uniform(0.3, 4, 900))
    cases.append(case("four_values_large_auto_js", a.tolist(), b.tolist(), True))
    a, b = (rng.uniform(0, 1, 400) < 0.3).astype(float), (rng.uniform(0, 1, 300) < 0.45).astype(float)
    cases.append(case("binary_auto_z", a.tolist(), b.tolist(), True))
    # tiny samples
    cases.append(case("n1_vs_n1_auto_z", [1.5], [2.5], True))
    cases.append(case("n1_vs_n1_ks", [1.5], [2.5], True, method="ks"))
    cases.append(case("n2_vs_n2_ks", [0.1, 0.7], [0.4, 1.9], True, method="ks"))
    cases.append(case("n5_vs_n5_auto_chi2_or_ks", [0.5, 1.5, 2.5, 3.5, 9.0], [1.0, 2.0, 3.0, 4.0, 5.0], True))
    cases.append(case("n5_vs_n5_ks", rng.normal(0, 1, 5).tolist(), rng.normal(1, 1, 5).tolist(), True, method="ks"))
    cases.append(case("n5_vs_200_auto_ks", rng.normal(0, 1, 5).tolist(), rng.normal(0, 1, 200).tolist(), True))
    # single-valued columns
    cases.append(case("single_value_both_same", [3.0] * 50, [3.0] * 40, True))
    cases.append(case("single_value_moved", [3.0] * 50, [4.0] * 40, True))
    cases.append(case("single_value_psi", [3.0] * 50, [3.0] * 30 + [4.0] * 10, True, method="psi"))
    # NaN and infinities present (dropped, as Evidently)
    a = rng.normal(0, 1, 400)
    a[::9] = np.nan
    b = rng.normal(0.2, 1, 300)
    b[::7] = np.nan
    b[5] = np.inf
    cases.append(case("nan_and_inf_present_auto_ks", a.tolist(), b.tolist(), True))
    cases.append(case("all_nan_current_no_result", [1.0, 2.0, 3.0], [float("nan")] * 4, True))
    cases.append(case("empty_current_no_result", [1.0, 2.0, 3.0], [], True))
    # every method on one pair, and threshold overrides
    a, b = rng.normal(10, 3, 700), rng.normal(10.6, 3.3, 500)
    for m in ["ks", "psi", "jensenshannon", "wasserstein", "hellinger", "anderson"]:
        cases.append(case(f"numeric_{m}", a.tolist(), b.tolist(), True, method=m))
    cases.append(case("numeric_ks_threshold_0.01", a.tolist(), b.tolist(), True, method="ks", threshold=0.01))
    cases.append(case("numeric_wasserstein_threshold_0.5", a.tolist(), b.tolist(), True, method="wasserstein",
                      threshold=0.5))
    a, b = np.floor(rng.uniform(0, 5, 800)), np.floor(rng.uniform(0, 6, 500))
    for m in ["chi2", "chi2_contingency", "psi", "jensenshannon"]:
        cases.append(case(f"low_cardinality_{m}", a.tolist(), b.tolist(), True, method=m))
    a, b = (rng.uniform(0, 1, 500) < 0.5).astype(float), (rng.uniform(0, 1, 500) < 0.56).astype(float)
    cases.append(case("binary_chi2_contingency_yates", a.tolist(), b.tolist(), True, method="chi2_contingency"))
    cases.append(case("binary_z", a.tolist(), b.tolist(), True, method="z"))
    # 1M-row samples (generator specs; regenerated bit-identically in Swift)
    g1 = {"seed": 101, "n": 1_000_000, "kind": "uniform", "scale": 10.0, "loc": 0.0}
    g2 = {"seed": 202, "n": 1_000_000, "kind": "uniform", "scale": 10.0, "loc": 0.05}
    x1, x2 = ref.generate(g1), ref.generate(g2)
    # One 1M-row case: the same samples with `ks` would mostly time the debug build (the 1M-row
    # asymptotic KS p-value is checked in Tests/StatisticsTests against ks.json).
    cases.append(case("1M_rows_auto_wasserstein", x1, x2, True, gen=(g1, g2)))

    # --- categories
    def draw(p, n, labels=("a", "b", "c", "d")):
        return [str(x) for x in rng.choice(labels[:len(p)], size=n, p=p)]
    r = draw([0.4, 0.3, 0.2, 0.1], 900)
    cases.append(case("categorical_same_auto_chi2", r, draw([0.4, 0.3, 0.2, 0.1], 600), False))
    cases.append(case("categorical_shift_auto_chi2", r, draw([0.25, 0.25, 0.25, 0.25], 600), False))
    cases.append(case("categorical_unseen_in_current", r, draw([0.4, 0.3, 0.2, 0.1], 500) + ["e"] * 20, False))
    cases.append(case("categorical_missing_in_current", r, draw([0.5, 0.3, 0.2], 500), False))
    cases.append(case("categorical_one_category_each_same", ["a"] * 30, ["a"] * 20, False))
    cases.append(case("categorical_one_category_chi2_nan_p", ["a"] * 30, ["a"] * 20, False, method="chi2"))
    cases.append(case("categorical_two_values_auto_z", ["x"] * 300 + ["y"] * 200, ["x"] * 150 + ["y"] * 150, False))
    cases.append(case("categorical_with_missing_values", r[:400] + [None] * 40, draw([0.4, 0.3, 0.2, 0.1], 300) +
                      [None] * 90, False))
    cases.append(case("categorical_empty_current", r, [None, None], False))
    big = draw([0.4, 0.3, 0.2, 0.1], 5000)
    cases.append(case("categorical_large_auto_js", big, draw([0.35, 0.3, 0.2, 0.15], 2000), False))
    cases.append(case("categorical_rare_category_psi", big + ["rare"], draw([0.4, 0.3, 0.2, 0.1], 2000),
                      False, method="psi"))
    for m in ["psi", "jensenshannon", "hellinger", "chi2", "chi2_contingency", "z"]:
        cases.append(case(f"categorical_{m}", r, draw([0.3, 0.3, 0.3, 0.1], 600), False, method=m))
    cases.append(case("categorical_ks_falls_back_to_auto", r, draw([0.3, 0.3, 0.3, 0.1], 600), False, method="ks"))
    cases.append(case("categorical_tiny_n1", ["a"], ["b"], False))
    cases.append(case("categorical_tiny_n2", ["a", "b"], ["b", "b"], False, method="chi2_contingency"))
    return cases


def correlation_cases():
    cases = []
    x = rng.normal(0, 1, 500)
    for name, y in [("independent", rng.normal(0, 1, 500)), ("strong", 2 * x + rng.normal(0, 0.1, 500)),
                    ("negative", -x + rng.normal(0, 0.5, 500)), ("exact_linear", 3 * x - 1),
                    ("offset_large", x + 1e6 + rng.normal(0, 1e-3, 500))]:
        cases.append({"name": name, "x": x.tolist(), "y": y.tolist(), "r": float(st.pearsonr(x, y).statistic)})
    cases.append({"name": "two_points", "x": [1.0, 2.0], "y": [3.0, 1.0],
                  "r": float(st.pearsonr([1.0, 2.0], [3.0, 1.0]).statistic)})
    cases.append({"name": "ties", "x": [1.0, 1, 2, 2, 3, 3], "y": [2.0, 2, 2, 3, 3, 5],
                  "r": float(st.pearsonr([1.0, 1, 2, 2, 3, 3], [2.0, 2, 2, 3, 3, 5]).statistic)})
    cases.append({"name": "constant_is_undefined", "x": [1.0, 2, 3], "y": [4.0, 4, 4], "r": None})
    return cases


def write(path, payload):
    payload = ref.floats_as_strings(payload)
    payload = {"generator": f"scripts/reference/compare_reference.py (numpy {np.__version__}, "
                            f"scipy {scipy.__version__})", **payload}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(payload, f, separators=(",", ":"), allow_nan=False)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    write(DRIFT_OUT, {"cases": drift_cases()})
    write(CORR_OUT, {"cases": correlation_cases()})
