#!/usr/bin/env python3
"""Generate the reference values for the Statistics target's tests.

Every expected number in Tests/StatisticsTests/Reference/*.json is produced here by
numpy / scipy / scikit-learn / pandas (or by a line-for-line transcription of the
Evidently / NannyML function named next to it, since those libraries are not
dependencies). Nothing is typed by hand.

Large inputs are not stored: they are described by a generator spec
{"gen": {"seed", "n", "kind", ...}} and regenerated identically in Swift
(tests/StatisticsTests/ReferenceSupport.swift) from SplitMix64 with only exactly
rounded IEEE operations (no libm), so both sides see bit-identical data.

Usage:  python3 scripts/reference/statistics_reference.py
Requires: numpy, scipy, scikit-learn, pandas.
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
import scipy.special as sc
import scipy.stats as st
from scipy.spatial import distance
import sklearn
from sklearn import metrics as skm
from sklearn.isotonic import IsotonicRegression

warnings.filterwarnings("ignore")

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "Tests", "StatisticsTests", "Reference"))

MASK64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


# ---------------------------------------------------------------- generator
def splitmix64(seed, n):
    """n outputs of SplitMix64 started at `seed` (vectorised; uint64 wraps)."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + np.uint64(GAMMA) * np.arange(1, n + 1, dtype=np.uint64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return z


def uniforms(seed, n):
    return (splitmix64(seed, n) >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)


def generate(spec):
    """Deterministic sample; mirrored by `ReferenceData.generate` in Swift."""
    seed, n, kind = spec["seed"], spec["n"], spec["kind"]
    scale = spec.get("scale", 1.0)
    loc = spec.get("loc", 0.0)
    if kind == "uniform":
        u = uniforms(seed, n)
        return u * scale + loc
    if kind == "triangular":
        u = uniforms(seed, 2 * n)
        return (u[0::2] + u[1::2]) * scale + loc
    if kind == "discrete":
        u = uniforms(seed, n)
        return np.floor(u * spec["levels"]) * scale + loc
    raise ValueError(kind)


# ---------------------------------------------------------------- json helpers
def enc(x):
    """Encode a float for JSON (non-finite as strings, None stays null)."""
    if x is None:
        return None
    if isinstance(x, (list, tuple, np.ndarray)):
        return [enc(v) for v in x]
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def floats_as_strings(obj):
    """Every float becomes its shortest round-trip repr string: the Swift side parses it with
    the correctly rounded `Double(String)` (JSONSerialization's number parsing is not exact)."""
    if isinstance(obj, dict):
        return {k: floats_as_strings(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [floats_as_strings(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    return obj


def write(name, payload):
    payload = floats_as_strings(payload)
    payload = {"generator": f"scripts/reference/statistics_reference.py "
                            f"(numpy {np.__version__}, scipy {scipy.__version__}, "
                            f"scikit-learn {sklearn.__version__})", **payload}
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(payload, f, separators=(",", ":"), allow_nan=False)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def maybe(f):
    try:
        v = f()
    except Exception:
        return None
    return v


rng = np.random.default_rng(20261128)


# ---------------------------------------------------------------- descriptive
def descriptive():
    import pandas as pd
    samples = {
        "n1": np.array([3.5]),
        "n2": np.array([1.0, 4.0]),
        "n5": np.array([2.0, -1.0, 7.5, 3.25, 0.0]),
        "ties": np.array([1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 10.0, 10.0]),
        "constant": np.full(7, 4.2),
        "normal": rng.normal(10.0, 3.0, 1001),
        "lognormal": rng.lognormal(0.0, 1.5, 500),
        "large_offset": 1e9 + rng.normal(0.0, 1.0, 300),
        "negative": -rng.exponential(2.0, 257),
    }
    qs = [0.0, 0.01, 0.05, 0.1, 0.25, 0.3, 0.5, 0.7, 0.75, 0.9, 0.95, 0.99, 1.0, 1 / 3, 0.123456789]
    cases = []
    for name, x in samples.items():
        s = np.sort(x)
        case = {
            "name": name,
            "values": enc(x),
            "mean": enc(np.mean(x)),
            "std": enc(np.std(x, ddof=1)) if len(x) > 1 else None,
            "pstd": enc(np.std(x)),
            "skew": None,
            "min": enc(np.min(x)),
            "max": enc(np.max(x)),
            "qs": qs,
            "quantiles": enc(np.quantile(s, qs)),
            "median": enc(np.median(s)),
            "pandas_skew": enc(pd.Series(x).skew()),
        }
        sk = st.skew(x, bias=False) if len(x) >= 3 else float("nan")
        case["skew"] = None if (isinstance(sk, float) and math.isnan(sk)) or np.isnan(sk) else float(sk)
        cases.append(case)
    # generated case: quantiles must still be bit-exact
    spec = {"seed": 7, "n": 100003, "kind": "triangular", "scale": 3.0, "loc": -1.0}
    x = generate(spec)
    s = np.sort(x)
    cases.append({"name": "generated_100k", "gen": spec, "mean": enc(np.mean(x)),
                  "std": enc(np.std(x, ddof=1)), "pstd": enc(np.std(x)),
                  "skew": float(st.skew(x, bias=False)), "min": enc(x.min()), "max": enc(x.max()),
                  "qs": qs, "quantiles": enc(np.quantile(s, qs)), "median": enc(np.median(s))})
    write("descriptive.json", {"cases": cases})


# ---------------------------------------------------------------- histogram
def histogram():
    cases = []
    data = {
        "normal_200": rng.normal(0, 1, 200),
        "ties_on_edges": np.array([0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 4.0, 4.0]),
        "single_value": np.full(5, 2.5),
        "n1": np.array([7.0]),
        "pow2_1024": rng.uniform(-3, 5, 1024),
        "skewed": rng.exponential(1.0, 333),
    }
    for name, x in data.items():
        edges_st = np.histogram_bin_edges(x, bins="sturges")
        edges_eq = np.histogram_bin_edges(x, bins=10)
        custom = np.array([-1.0, 0.0, 0.5, 2.0, 2.0, 3.0])
        cases.append({
            "name": name, "values": enc(x),
            "sturges_edges": enc(edges_st),
            "sturges_counts": np.histogram(x, bins=edges_st)[0].tolist(),
            "equal10_edges": enc(edges_eq),
            "equal10_counts": np.histogram(x, bins=edges_eq)[0].tolist(),
            "custom_edges": enc(custom),
            "custom_counts": np.histogram(x, bins=custom)[0].tolist(),
            "custom_below": int(np.sum(x < custom[0])),
            "custom_above": int(np.sum(x > custom[-1])),
            "sturges_density": enc(np.histogram(x, bins=edges_st, density=True)[0]),
        })
    write("histogram.json", {"cases": cases})


# ---------------------------------------------------------------- special functions
def special():
    gamma = []
    for a in [0.5, 1.0, 1.5, 2.0, 3.5, 10.0, 49.5, 100.0, 1000.5, 5000.0]:
        for x in [0.0, 1e-6, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 40.0, 100.0, 600.0, 1100.0, 5200.0]:
            gamma.append({"a": a, "x": x, "p": enc(sc.gammainc(a, x)), "q": enc(sc.gammaincc(a, x))})
    chi2 = []
    for k in [1, 2, 3, 5, 10, 30, 99, 500]:
        for x in [0.0, 0.01, 0.5, 1.0, 3.84, 10.0, 50.0, 200.0, 1000.0, 1500.0, 2000.0]:
            chi2.append({"dof": k, "x": x, "sf": enc(st.chi2.sf(x, k)), "cdf": enc(st.chi2.cdf(x, k))})
    normal = [{"x": x, "cdf": enc(st.norm.cdf(x)), "sf": enc(st.norm.sf(x))}
              for x in [-40.0, -10.0, -5.0, -2.0, -1.0, -0.7, -0.3, 0.0, 0.3, 0.70710678, 1.0, 1.96, 3.0, 8.0, 9.0, 38.0]]
    lgam = [{"x": x, "v": enc(sc.gammaln(x))} for x in [0.5, 1.0, 1.5, 2.0, 3.3, 10.0, 100.5, 1e4, 1e6]]
    kolm = [{"x": x, "sf": enc(st.kstwobign.sf(x)), "cdf": enc(st.kstwobign.cdf(x))}
            for x in [0.0, 0.03, 0.05, 0.1, 0.3, 0.5, 0.8, 0.82, 0.83, 1.0, 1.36, 2.0, 3.0, 5.0, 6.0, 20.0, 30.0]]
    smir = []
    for n in [1, 2, 5, 10, 11, 50, 100, 1000, 10000, 500000, 1000000, 1000001]:
        for x in [0.0, 1e-4, 0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 0.9, 0.999, 1.0]:
            smir.append({"n": n, "x": x, "sf": enc(sc.smirnov(n, x)), "cdf": enc(st.ksone.cdf(x, n))})
    kstwo = []
    ns = [1, 2, 3, 5, 10, 20, 50, 100, 140, 141, 200, 1000, 5000, 10000, 100000, 100001, 250000, 500000, 2000000]
    for n in ns:
        ds = set()
        for z in [0.2, 0.4, 0.6, 0.8, 0.87, 0.95, 1.1, 1.3, 1.5, 1.8, 2.2, 3.0, 4.0, 5.0, 12.0, 20.0]:
            ds.add(z / math.sqrt(n))
        for d in [0.3 / n, 0.6 / n, 0.9 / n, 1.0 / n, 1.5 / n, 0.45, 0.5, 0.55, 0.7, 0.9, 0.99, 1.0, 1.0 - 0.5 / n]:
            ds.add(d)
        for d in sorted(ds):
            if 0 <= d <= 1.2:
                kstwo.append({"n": n, "d": d, "sf": enc(st.kstwo.sf(d, n)), "cdf": enc(st.kstwo.cdf(d, n))})
    write("special.json", {"gamma": gamma, "chi2": chi2, "normal": normal, "lgamma": lgam,
                           "kolmogorov": kolm, "smirnov": smir, "kstwo": kstwo})


# ---------------------------------------------------------------- KS two-sample
def ks():
    cases = []

    def add(name, a, b, methods=("auto",), spec_a=None, spec_b=None, store=True):
        for method in methods:
            # NaN policy of the Swift port: NaNs are dropped before the test, so the
            # expected values are scipy's on the NaN-free samples.
            r = st.ks_2samp(a[~np.isnan(a)], b[~np.isnan(b)], method=method)
            used = method
            if method == "auto":
                used = "exact" if max(len(a[~np.isnan(a)]), len(b[~np.isnan(b)])) <= 10000 else "asymp"
            case = {"name": f"{name}/{method}", "method": method, "statistic": enc(r.statistic),
                    "pvalue": enc(r.pvalue), "expected_method": used}
            if store:
                case["a"] = enc(a)
                case["b"] = enc(b)
            else:
                case["gen_a"] = spec_a
                case["gen_b"] = spec_b
            cases.append(case)

    add("n1_vs_n1", np.array([0.5]), np.array([1.5]), ("auto", "exact", "asymp"))
    add("n1_vs_n2", np.array([0.5]), np.array([0.2, 0.9]), ("auto", "asymp"))
    add("n2_vs_n5", np.array([1.0, 2.0]), np.array([0.5, 1.5, 2.5, 3.0, 1.0]), ("auto", "asymp"))
    add("n5_vs_n5", np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([6.0, 7.0, 8.0, 9.0, 10.0]), ("auto", "asymp"))
    x = rng.normal(0, 1, 300)
    add("identical_samples", x, x.copy(), ("auto", "asymp"))
    add("ties_discrete", np.floor(rng.uniform(0, 5, 200)), np.floor(rng.uniform(0, 6, 300)), ("auto", "exact", "asymp"))
    add("ties_across", np.array([1.0, 1.0, 2.0, 2.0, 3.0]), np.array([1.0, 2.0, 2.0, 3.0, 3.0, 3.0]), ("auto",))
    add("unequal_shift", rng.normal(0, 1, 500), rng.normal(0.15, 1, 800), ("auto", "exact", "asymp"))
    add("equal_n_exact", rng.normal(0, 1, 1000), rng.normal(0.1, 1, 1000), ("auto", "asymp"))
    add("equal_n_small_p", rng.normal(0, 1, 1200), rng.normal(0.6, 1, 1200), ("auto", "asymp"))
    add("tiny_p_unequal", rng.normal(0, 1, 2000), rng.normal(1.0, 1, 1500), ("auto", "asymp"))
    add("scale_change", rng.normal(0, 1, 700), rng.normal(0, 1.3, 450), ("auto",))
    a = rng.normal(0, 1, 40)
    a[[3, 17]] = np.nan
    b = rng.normal(0.5, 1, 55)
    b[[0]] = np.nan
    add("nan_present", a, b, ("auto",))
    add("gcd_large", rng.normal(0, 1, 600), rng.normal(0.2, 1, 900), ("auto",))
    add("coprime", rng.normal(0, 1, 997), rng.normal(0.1, 1, 1009), ("auto",))

    # generated cases (regenerated in Swift)
    def gen_case(name, sa, sb, methods=("auto",)):
        add(name, generate(sa), generate(sb), methods, sa, sb, store=False)

    gen_case("boundary_10000_vs_3000",
             {"seed": 11, "n": 10000, "kind": "uniform"},
             {"seed": 12, "n": 3000, "kind": "uniform", "scale": 1.0, "loc": 0.02}, ("auto", "asymp"))
    gen_case("boundary_10001_vs_3000",
             {"seed": 13, "n": 10001, "kind": "uniform"},
             {"seed": 14, "n": 3000, "kind": "uniform", "scale": 1.0, "loc": 0.02}, ("auto", "exact"))
    gen_case("boundary_10000_vs_10000",
             {"seed": 15, "n": 10000, "kind": "triangular"},
             {"seed": 16, "n": 10000, "kind": "triangular", "loc": 0.01}, ("auto",))
    gen_case("asymp_20000_dmtw",
             {"seed": 17, "n": 20000, "kind": "uniform"},
             {"seed": 18, "n": 20000, "kind": "uniform"}, ("auto",))
    gen_case("asymp_ties_30000",
             {"seed": 19, "n": 30000, "kind": "discrete", "levels": 50},
             {"seed": 20, "n": 25000, "kind": "discrete", "levels": 50}, ("auto",))
    # 1M vs 1M on a fine grid (2^20 levels): the Swift test counting-sorts the integer codes,
    # which keeps the debug-build test fast; ties across the samples are frequent.
    grid = {"kind": "discrete", "levels": 1 << 20, "scale": 2.0 ** -20}
    gen_case("million_same",
             {"seed": 21, "n": 1000000, **grid},
             {"seed": 22, "n": 1000000, **grid}, ("auto",))
    gen_case("million_shift_small_p",
             {"seed": 21, "n": 1000000, **grid},
             {"seed": 22, "n": 1000000, **grid, "loc": 0.005}, ("auto",))
    gen_case("million_shift_zero_p",
             {"seed": 21, "n": 1000000, **grid},
             {"seed": 22, "n": 1000000, **grid, "loc": 0.1}, ("auto",))
    write("ks.json", {"cases": cases})


# ---------------------------------------------------------------- chi-square & z
def evidently_chi(ref, cur):
    """Transcription of evidently chisquare_stattest._chi_stat_test (keys: union of values)."""
    keys = sorted(set(ref) | set(cur))
    rc = {k: 0 for k in keys}
    cc = {k: 0 for k in keys}
    for v in ref:
        rc[v] += 1
    for v in cur:
        cc[v] += 1
    k_norm = len(cur) / len(ref)
    f_exp = [rc[k] * k_norm for k in keys]
    f_obs = [cc[k] for k in keys]
    r = st.chisquare(f_obs, f_exp)
    return float(r.statistic), float(r.pvalue), len(keys) - 1


def evidently_z(ref, cur):
    """Transcription of evidently z_stattest._z_stat_test (two-sided)."""
    if len(set(ref)) == 1 and len(set(cur)) == 1 and ref[0] == cur[0]:
        return 0.0, 1.0
    keys = sorted(set(ref) | set(cur))
    r01 = np.array([0 if x == keys[0] else 1 for x in ref])
    c01 = np.array([0 if x == keys[0] else 1 for x in cur])
    n1, n2 = len(r01), len(c01)
    p1 = float(sum(r01)) / n1
    p2 = float(sum(c01)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return float(z), float(2 * (1 - st.norm.cdf(np.abs(z))))


def chisquare():
    gof = []
    for obs, exp in [([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 16, 8]),
                     ([10, 20, 30], [20, 20, 20]),
                     ([5, 3, 2], [5, 0, 5]),
                     ([10], [10]),
                     ([1000, 10, 5], [5, 505, 505]),
                     ([3, 7], [5, 5])]:
        r = st.chisquare(obs, exp)
        gof.append({"observed": [float(v) for v in obs], "expected": [float(v) for v in exp],
                    "statistic": enc(r.statistic), "pvalue": enc(r.pvalue), "dof": len(obs) - 1})
    r = st.chisquare([12.0, 7.0, 9.0, 20.0])
    uniform = {"observed": [12.0, 7.0, 9.0, 20.0], "statistic": enc(r.statistic), "pvalue": enc(r.pvalue)}

    cont = []
    for table in [[[10, 20], [30, 40]],
                  [[12, 5], [3, 9]],
                  [[1, 0], [0, 1]],
                  [[5, 5], [5, 5]],
                  [[10, 20, 30], [6, 9, 17]],
                  [[2, 8, 4], [9, 1, 3], [4, 4, 4]],
                  [[100, 3], [2, 120]],
                  [[7, 3]],
                  [[1000, 2000], [1500, 500]]]:
        for corr in (True, False):
            r = st.chi2_contingency(table, correction=corr)
            cont.append({"table": [[float(v) for v in row] for row in table], "correction": corr,
                         "statistic": enc(r.statistic), "pvalue": enc(r.pvalue), "dof": int(r.dof),
                         "expected": [enc(row) for row in r.expected_freq]})
    cont_bad = [[[0, 0], [1, 2]], [[1, -1], [2, 3]]]

    cats = ["a", "b", "c", "d", "e"]
    evid = []
    def cat_sample(n, p):
        return list(rng.choice(cats, size=n, p=p))
    pairs = [
        ("same_dist", cat_sample(500, [0.2, 0.2, 0.2, 0.2, 0.2]), cat_sample(400, [0.2, 0.2, 0.2, 0.2, 0.2])),
        ("shifted", cat_sample(1000, [0.4, 0.3, 0.1, 0.1, 0.1]), cat_sample(800, [0.2, 0.2, 0.2, 0.2, 0.2])),
        ("unseen_in_current", cat_sample(300, [0.5, 0.5, 0, 0, 0]), cat_sample(200, [0.3, 0.3, 0.4, 0, 0])),
        ("missing_in_current", cat_sample(300, [0.25, 0.25, 0.25, 0.25, 0]), cat_sample(200, [0.5, 0.5, 0, 0, 0])),
        ("single_category", ["a"] * 50, ["a"] * 30),
        ("tiny", ["a", "b"], ["b", "b", "a"]),
        ("huge_shift", cat_sample(5000, [0.9, 0.1, 0, 0, 0]), cat_sample(5000, [0.1, 0.9, 0, 0, 0])),
    ]
    for name, ref, cur in pairs:
        s, p, dof = evidently_chi(ref, cur)
        entry = {"name": name, "reference": ref, "current": cur,
                 "statistic": enc(s), "pvalue": enc(p), "dof": dof}
        evid.append(entry)

    zcases = []
    zpairs = [
        ("balanced", list(rng.choice(["no", "yes"], 400)), list(rng.choice(["no", "yes"], 500))),
        ("shifted", list(rng.choice(["no", "yes"], 400, p=[0.7, 0.3])), list(rng.choice(["no", "yes"], 300, p=[0.5, 0.5]))),
        ("same_single", ["x"] * 20, ["x"] * 10),
        ("different_single", ["x"] * 20, ["y"] * 10),
        ("one_side_single", ["x"] * 20, ["x"] * 5 + ["y"] * 5),
        ("huge", list(rng.choice(["a", "b"], 20000, p=[0.9, 0.1])), list(rng.choice(["a", "b"], 20000, p=[0.1, 0.9]))),
        ("ints", [0, 1, 1, 0, 1, 1, 1], [0, 0, 0, 1]),
    ]
    for name, ref, cur in zpairs:
        z, p = evidently_z(ref, cur)
        zcases.append({"name": name, "reference": [str(v) if isinstance(v, str) else int(v) for v in ref],
                       "current": [str(v) if isinstance(v, str) else int(v) for v in cur],
                       "statistic": enc(z), "pvalue": enc(p)})
    write("chisquare.json", {"goodness_of_fit": gof, "uniform": uniform, "contingency": cont,
                             "contingency_invalid": cont_bad, "evidently_chi": evid, "evidently_z": zcases})


# ---------------------------------------------------------------- binning & distances
def feel_zeroes(ref_p, cur_p):
    """Transcription of the feel_zeroes block of evidently get_binned_data."""
    for arr in (ref_p, cur_p):
        nz = arr[arr != 0]
        np.place(arr, arr == 0, min(nz) / 10 ** 6 if min(nz) <= 0.0001 else 0.0001)
    return ref_p, cur_p


def evidently_binned(ref, cur, numeric, feel):
    """Transcription of evidently.calculations.stattests.utils.get_binned_data (NaN-free input)."""
    ref = np.asarray(ref)
    cur = np.asarray(cur)
    n_vals = len(set(ref.tolist()))
    if numeric and n_vals > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        rp = np.histogram(ref, bins)[0] / len(ref)
        cp = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = sorted(set(ref.tolist()) | set(cur.tolist()))
        rc = {k: 0 for k in keys}
        cc = {k: 0 for k in keys}
        for v in ref.tolist():
            rc[v] += 1
        for v in cur.tolist():
            cc[v] += 1
        rp = np.array([rc[k] / len(ref) for k in keys])
        cp = np.array([cc[k] / len(cur) for k in keys])
        bins = None
    if feel:
        rp, cp = feel_zeroes(rp.astype(float), cp.astype(float))
    return rp, cp, bins


def evidently_psi(ref, cur, numeric=True):
    rp, cp, _ = evidently_binned(ref, cur, numeric, True)
    v = 0
    for i, _ in enumerate(rp):
        v += (rp[i] - cp[i]) * np.log(rp[i] / cp[i])
    return float(v)


def evidently_js(ref, cur, numeric=True):
    rp, cp, _ = evidently_binned(ref, cur, numeric, False)
    return float(distance.jensenshannon(rp, cp))


def evidently_wasserstein(ref, cur):
    norm = max(np.std(ref), 0.001)
    return float(st.wasserstein_distance(ref, cur) / norm)


def evidently_hellinger_num(ref, cur):
    keys = list(set(ref.tolist()) | set(cur.tolist()))
    bins = np.histogram_bin_edges(keys, bins="sturges")
    h1 = np.histogram(ref, bins=bins, density=True)[0]
    h2 = np.histogram(cur, bins=bins, density=True)[0]
    bin_width = (max(bins) - min(bins)) / (len(bins) - 1)
    hd = 0.0
    for i in range(len(h1)):
        hd += math.sqrt(h1[i] * h2[i]) * bin_width
    hd = np.clip(hd, 0, 1)
    return float(math.sqrt(1 - hd))


def evidently_hellinger_cat(ref, cur):
    keys = sorted(set(ref) | set(cur))  # Evidently iterates a set; sorted keeps this file reproducible
    rp = {k: ref.count(k) / len(ref) for k in keys}
    cp = {k: cur.count(k) / len(cur) for k in keys}
    hd = 0.0
    for k in keys:
        hd += math.sqrt(rp[k] * cp[k])
    hd = np.clip(hd, 0, 1)
    return float(math.sqrt(1 - hd))


def drift():
    numeric = []
    pairs = [
        ("normal_shift", rng.normal(0, 1, 800), rng.normal(0.3, 1.1, 600)),
        ("same", rng.normal(5, 2, 1000), rng.normal(5, 2, 1000)),
        ("few_values_ties", np.floor(rng.uniform(0, 8, 500)), np.floor(rng.uniform(0, 10, 400))),
        ("exactly_20_values", np.floor(rng.uniform(0, 20, 300)), np.floor(rng.uniform(0, 20, 300)) + 0.5),
        ("21_values", np.floor(rng.uniform(0, 21, 300)), np.floor(rng.uniform(0, 21, 250))),
        ("single_valued_reference", np.full(50, 3.0), rng.normal(3, 1, 40)),
        ("single_valued_both", np.full(50, 3.0), np.full(20, 3.0)),
        ("empty_bins", np.concatenate([rng.normal(0, 1, 500), rng.normal(10, 1, 500)]), rng.normal(0, 1, 300)),
        ("tiny_n", np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([2.0, 2.5])),
        ("wide_scale", rng.lognormal(0, 2, 700), rng.lognormal(0.5, 2, 700)),
    ]
    for name, ref, cur in pairs:
        entry = {"name": name, "reference": enc(ref), "current": enc(cur)}
        rp, cp, bins = evidently_binned(ref, cur, True, True)
        entry["binned_reference"] = enc(rp)
        entry["binned_current"] = enc(cp)
        entry["bins"] = enc(bins) if bins is not None else None
        entry["psi"] = enc(evidently_psi(ref, cur))
        entry["jensenshannon"] = enc(evidently_js(ref, cur))
        entry["wasserstein"] = enc(st.wasserstein_distance(ref, cur))
        entry["wasserstein_normed"] = enc(evidently_wasserstein(ref, cur))
        entry["hellinger"] = enc(evidently_hellinger_num(ref, cur))
        ad = maybe(lambda: st.anderson_ksamp([ref, cur], midrank=True))
        entry["anderson_statistic"] = enc(ad.statistic) if ad is not None else None
        entry["anderson_pvalue"] = enc(ad.pvalue) if ad is not None else None
        entry["anderson_critical"] = enc(ad.critical_values) if ad is not None else None
        numeric.append(entry)
    # NaN present: Evidently receives NaN-free data (dropna), so the expected values are on dropped data.
    ref = rng.normal(0, 1, 300)
    cur = rng.normal(0.2, 1, 250)
    ref_nan = ref.copy()
    ref_nan[[5, 50, 150]] = np.nan
    cur_nan = cur.copy()
    cur_nan[[0, 10]] = np.nan
    r, c = ref_nan[~np.isnan(ref_nan)], cur_nan[~np.isnan(cur_nan)]
    numeric.append({"name": "nan_present", "reference": enc(ref_nan), "current": enc(cur_nan),
                    "binned_reference": enc(evidently_binned(r, c, True, True)[0]),
                    "binned_current": enc(evidently_binned(r, c, True, True)[1]),
                    "bins": enc(evidently_binned(r, c, True, True)[2]),
                    "psi": enc(evidently_psi(r, c)), "jensenshannon": enc(evidently_js(r, c)),
                    "wasserstein": enc(st.wasserstein_distance(r, c)),
                    "wasserstein_normed": enc(evidently_wasserstein(r, c)),
                    "hellinger": enc(evidently_hellinger_num(r, c)),
                    "anderson_statistic": enc(st.anderson_ksamp([r, c], midrank=True).statistic),
                    "anderson_pvalue": enc(st.anderson_ksamp([r, c], midrank=True).pvalue),
                    "anderson_critical": enc(st.anderson_ksamp([r, c], midrank=True).critical_values)})

    categorical = []
    cats = ["red", "green", "blue", "gray", "pink"]
    cpairs = [
        ("same", list(rng.choice(cats, 600)), list(rng.choice(cats, 500))),
        ("shift", list(rng.choice(cats, 600, p=[0.5, 0.2, 0.1, 0.1, 0.1])), list(rng.choice(cats, 500))),
        ("unseen_category", list(rng.choice(cats[:3], 400)), list(rng.choice(cats, 300))),
        ("missing_category", list(rng.choice(cats, 400)), list(rng.choice(cats[:2], 300))),
        ("single", ["red"] * 10, ["red"] * 4),
        ("rare_category", ["red"] * 9999 + ["blue"], ["red"] * 50 + ["green"] * 50),
    ]
    for name, ref, cur in cpairs:
        categorical.append({
            "name": name, "reference": ref, "current": cur,
            "psi": enc(evidently_psi(np.array(ref, dtype=object), np.array(cur, dtype=object), numeric=False)),
            "jensenshannon": enc(evidently_js(np.array(ref, dtype=object), np.array(cur, dtype=object), numeric=False)),
            "hellinger": enc(evidently_hellinger_cat(ref, cur)),
        })
    # raw scipy functions
    js_raw = []
    for p, q in [([0.1, 0.4, 0.5], [0.3, 0.3, 0.4]), ([1, 0, 0], [0, 1, 0]), ([2, 3, 5], [2, 3, 5]),
                 ([5, 0, 1], [1, 1, 1])]:
        js_raw.append({"p": [float(v) for v in p], "q": [float(v) for v in q],
                       "js": enc(distance.jensenshannon(p, q))})
    aks = []
    for k in [3, 4]:
        samples = [rng.normal(0.1 * i, 1, 50 + 10 * i) for i in range(k)]
        r = st.anderson_ksamp(samples, midrank=True)
        aks.append({"samples": [enc(s) for s in samples], "statistic": enc(r.statistic),
                    "pvalue": enc(r.pvalue), "critical": enc(r.critical_values)})
    write("drift.json", {"numeric": numeric, "categorical": categorical, "jensenshannon_raw": js_raw,
                         "anderson_ksample": aks})


# ---------------------------------------------------------------- classification / regression
def classification():
    cases = []

    def add(name, y, score, threshold=0.5):
        y = np.asarray(y, dtype=int)
        score = np.asarray(score, dtype=float)
        pred = (score >= threshold).astype(int)
        e = {"name": name, "y_true": y.tolist(), "scores": enc(score), "y_pred": pred.tolist()}
        tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
        e["confusion"] = [int(tn), int(fp), int(fn), int(tp)]
        e["accuracy"] = enc(skm.accuracy_score(y, pred))
        e["precision"] = enc(skm.precision_score(y, pred, zero_division=0))
        e["recall"] = enc(skm.recall_score(y, pred, zero_division=0))
        e["f1"] = enc(skm.f1_score(y, pred, zero_division=0))
        auc = skm.roc_auc_score(y, score) if len(np.unique(y)) == 2 else float("nan")
        e["roc_auc"] = None if math.isnan(auc) else float(auc)
        e["average_precision"] = enc(skm.average_precision_score(y, score))
        e["log_loss"] = enc(skm.log_loss(y, score, labels=[0, 1]))
        e["brier"] = enc(skm.brier_score_loss(y, score, pos_label=1))
        cases.append(e)

    n = 2000
    y = (rng.uniform(size=n) < 0.3).astype(int)
    s = np.clip(0.3 + 0.25 * (y - 0.3) + rng.normal(0, 0.2, n), 0, 1)
    add("random", y, s)
    add("tied_scores", y[:500], np.round(s[:500], 1))
    add("constant_scores", y[:100], np.full(100, 0.42))
    add("single_class_negative", np.zeros(50, dtype=int), rng.uniform(size=50))
    add("single_class_positive", np.ones(30, dtype=int), rng.uniform(size=30))
    add("all_correct", [0, 0, 1, 1, 0, 1], [0.1, 0.2, 0.9, 0.8, 0.3, 0.7])
    add("all_wrong_extreme", [1, 0, 1, 0], [0.0, 1.0, 0.0, 1.0])
    add("perfect_probabilities", [0, 1, 0, 1], [0.0, 1.0, 0.0, 1.0])
    add("tiny", [1], [0.8])
    add("no_predicted_positive", [0, 1, 0, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.45])

    multi = []
    for name, yt, yp in [
        ("random", list(rng.choice(["cat", "dog", "fish"], 500)), list(rng.choice(["cat", "dog", "fish"], 500))),
        ("skewed", list(rng.choice(["a", "b", "c", "d"], 300, p=[0.7, 0.2, 0.05, 0.05])),
         list(rng.choice(["a", "b", "c", "d"], 300, p=[0.6, 0.3, 0.1, 0.0]))),
        ("label_only_in_pred", ["a", "a", "b", "b"], ["a", "c", "b", "b"]),
        ("all_correct", ["x", "y", "z", "x"], ["x", "y", "z", "x"]),
        ("single_class", ["a"] * 5, ["a"] * 5),
    ]:
        labels = sorted(set(yt) | set(yp))
        multi.append({
            "name": name, "y_true": yt, "y_pred": yp, "labels": labels,
            "accuracy": enc(skm.accuracy_score(yt, yp)),
            "macro_f1": enc(skm.f1_score(yt, yp, average="macro", zero_division=0)),
            "weighted_f1": enc(skm.f1_score(yt, yp, average="weighted", zero_division=0)),
            "recall": enc(skm.recall_score(yt, yp, average=None, labels=labels, zero_division=0)),
            "precision": enc(skm.precision_score(yt, yp, average=None, labels=labels, zero_division=0)),
            "f1": enc(skm.f1_score(yt, yp, average=None, labels=labels, zero_division=0)),
        })

    reg = []
    for name, yt, yp in [
        ("random", rng.normal(50, 10, 1000), None),
        ("with_zeros", np.array([0.0, 1.0, 2.0, 0.0, -3.0]), np.array([0.5, 1.0, 1.5, 0.0, -2.0])),
        ("perfect", np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])),
        ("constant_true_perfect", np.array([4.0, 4.0, 4.0]), np.array([4.0, 4.0, 4.0])),
        ("constant_true_imperfect", np.array([4.0, 4.0, 4.0]), np.array([4.0, 5.0, 4.0])),
        ("single", np.array([2.0]), np.array([3.0])),
    ]:
        if yp is None:
            yp = yt + rng.normal(0.5, 3, len(yt))
        r2 = skm.r2_score(yt, yp) if len(yt) >= 2 else float("nan")
        reg.append({"name": name, "y_true": enc(yt), "y_pred": enc(yp),
                    "mae": enc(skm.mean_absolute_error(yt, yp)),
                    "rmse": enc(skm.root_mean_squared_error(yt, yp)),
                    "mse": enc(skm.mean_squared_error(yt, yp)),
                    "mape": enc(skm.mean_absolute_percentage_error(yt, yp)),
                    "r2": None if math.isnan(r2) else float(r2),
                    "mean_error": enc(np.mean(yp - yt))})
    write("metrics.json", {"binary": cases, "multiclass": multi, "regression": reg})


# ---------------------------------------------------------------- isotonic & CBPE
def nannyml_estimate_roc_auc(calibrated, uncalibrated):
    """Transcription of nannyml.performance_estimation.confidence_based.metrics.estimate_roc_auc
    (argsort made stable so that ties are reproducible)."""
    sorted_index = np.argsort(uncalibrated, kind="stable")[::-1]
    calibrated = np.asarray(calibrated)[sorted_index]
    tps = np.cumsum(calibrated)
    fps = 1 + np.arange(len(calibrated)) - tps
    tps = np.r_[0, tps]
    fps = np.r_[0, fps]
    tps = np.round(tps, 5)
    fps = np.round(fps, 5)
    with np.errstate(divide="ignore", invalid="ignore"):
        tpr = tps / tps[-1]
        fpr = fps / fps[-1]
    if not (np.all(np.isfinite(tpr)) and np.all(np.isfinite(fpr))):
        return None
    return float(skm.auc(fpr, tpr))


def nannyml_estimates(p, y_pred):
    """Transcription of nannyml estimate_accuracy/precision/recall/f1/specificity."""
    p = np.asarray(p)
    y_pred = np.asarray(y_pred)
    TP = np.sum(np.where(y_pred == 1, p, 0))
    FP = np.sum(np.where(y_pred == 1, 1 - p, 0))
    FN = np.sum(np.where(y_pred == 0, p, 0))
    TN = np.sum(np.where(y_pred == 0, 1 - p, 0))
    prec = TP / (TP + FP) if (TP + FP) != 0 else 0
    rec = TP / (TP + FN) if (TP + FN) != 0 else 0
    f1d = TP + 0.5 * (FP + FN)
    f1 = TP / f1d if f1d != 0 else 0
    spec = TN / (TN + FP) if (TN + FP) != 0 else 0
    acc = (TP + TN) / len(y_pred)
    return {"tp": float(TP), "fp": float(FP), "fn": float(FN), "tn": float(TN), "accuracy": float(acc),
            "precision": float(prec), "recall": float(rec), "f1": float(f1), "specificity": float(spec)}


def isotonic_cbpe():
    iso = []
    for name, x, y, w, tests in [
        ("classic", np.arange(10, dtype=float), np.array([5, 3, 1, 2, 8, 10, 7, 9, 6, 4], dtype=float), None,
         np.array([-1.0, 0.0, 0.5, 3.3, 4.5, 9.0, 12.0])),
        ("ties_in_x", np.array([1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 4.0, 4.0]),
         np.array([1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0]), None, np.array([0.0, 1.0, 1.5, 2.0, 3.7, 5.0])),
        ("weights", np.array([0.1, 0.2, 0.3, 0.4, 0.5]), np.array([1.0, 0.0, 1.0, 0.0, 1.0]),
         np.array([1.0, 2.0, 0.0, 3.0, 1.0]), np.array([0.1, 0.25, 0.45, 0.6])),
        ("single_point", np.array([0.3]), np.array([1.0]), None, np.array([0.0, 0.3, 1.0])),
        ("constant_x", np.full(4, 0.5), np.array([0.0, 1.0, 1.0, 0.0]), None, np.array([0.2, 0.5, 0.9])),
        ("increasing_already", np.linspace(0, 1, 11), np.linspace(0, 1, 11) ** 2, None, np.array([0.05, 0.55, 0.95])),
    ]:
        m = IsotonicRegression(out_of_bounds="clip", increasing=True)
        m.fit(x, y, sample_weight=w)
        iso.append({"name": name, "x": enc(x), "y": enc(y), "w": enc(w) if w is not None else None,
                    "x_thresholds": enc(m.X_thresholds_), "y_thresholds": enc(m.y_thresholds_),
                    "test_x": enc(tests), "predict": enc(m.predict(tests))})
    # calibration on scores with near-duplicates within 1e-15
    n = 3000
    x = np.round(rng.uniform(size=n), 3)
    y = (rng.uniform(size=n) < x ** 1.5).astype(float)
    tests = rng.uniform(-0.1, 1.1, 200)
    m = IsotonicRegression(out_of_bounds="clip", increasing=True).fit(x, y)
    iso.append({"name": "calibration_3000", "x": enc(x), "y": enc(y), "w": None,
                "x_thresholds": enc(m.X_thresholds_), "y_thresholds": enc(m.y_thresholds_),
                "test_x": enc(tests), "predict": enc(m.predict(tests))})

    cbpe = []
    # reference: scores and labels; analysis: scores only
    for name, n_ref, n_an, shift, threshold in [("standard", 2000, 1000, 0.0, 0.5),
                                                 ("shifted", 1500, 800, 0.15, 0.5),
                                                 ("threshold_0.3", 1000, 600, 0.0, 0.3)]:
        ref_scores = rng.uniform(size=n_ref)
        ref_labels = (rng.uniform(size=n_ref) < ref_scores ** 1.3).astype(int)
        an_scores = np.clip(rng.uniform(size=n_an) + shift * rng.uniform(size=n_an), 0, 1)
        cal = IsotonicRegression(out_of_bounds="clip", increasing=True).fit(ref_scores, ref_labels)
        p = cal.predict(an_scores)
        y_pred = (an_scores >= threshold).astype(int)
        entry = {"name": name, "reference_scores": enc(ref_scores), "reference_labels": ref_labels.tolist(),
                 "analysis_scores": enc(an_scores), "threshold": threshold,
                 "calibrated": enc(p), "roc_auc": enc(nannyml_estimate_roc_auc(p, an_scores))}
        entry.update(nannyml_estimates(p, y_pred))
        cbpe.append(entry)
    # degenerate: every calibrated probability 1 (no expected negatives), constant scores
    p = np.ones(10)
    s = np.linspace(0.1, 0.9, 10)
    e = {"name": "all_positive", "calibrated": enc(p), "analysis_scores": enc(s), "threshold": 0.5,
         "roc_auc": None}
    e.update(nannyml_estimates(p, (s >= 0.5).astype(int)))
    cbpe.append(e)
    p = rng.uniform(size=20)
    s = np.round(rng.uniform(size=20), 1)  # ties in the uncalibrated scores
    e = {"name": "tied_scores", "calibrated": enc(p), "analysis_scores": enc(s), "threshold": 0.5,
         "roc_auc": enc(nannyml_estimate_roc_auc(p, s))}
    e.update(nannyml_estimates(p, (s >= 0.5).astype(int)))
    cbpe.append(e)
    write("calibration.json", {"isotonic": iso, "cbpe": cbpe})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    descriptive()
    histogram()
    special()
    ks()
    chisquare()
    drift()
    classification()
    isotonic_cbpe()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT) if f.endswith(".json"))
    print(f"total {total} bytes")
    if total > 3_000_000:
        sys.exit("reference files exceed 3 MB")
