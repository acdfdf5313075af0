#!/usr/bin/python3
"""Independent references for src/stats.c, computed with Debian's numpy and
scipy (python3-numpy, python3-scipy).

usage:
  stats_reference.py emit-c          print the constants block of
                                     tests/unit/test_stats.c (datasets and
                                     what numpy/scipy say about them)
  stats_reference.py check DRIVER    run the C driver (tests/integration/
                                     stats_drive) on the fixed datasets and
                                     on seeded random ones, compare with
                                     numpy/scipy; prints ok / not ok lines,
                                     exits 1 when any check failed

What stands for what:
  describe     numpy mean / std(ddof=1) / median / min / max /
               quantile(method='linear'), scipy.stats.median_abs_deviation
  Mann-Whitney scipy.stats.mannwhitneyu(a, b, alternative='two-sided',
               use_continuity=True, method='auto' | 'asymptotic' | 'exact');
               U and the effect size also by brute-force pair counting
  outliers     hyperfine's rule written out in numpy: |x - median| / MAD
               > 1.4826 * 10, MAD = 0 replaced by machine epsilon
  bootstrap    a numpy percentile bootstrap of median(b*)/median(a*) with
               numpy's own generator and many resamples: stats.c's interval
               (another RNG, fewer resamples) must fall inside the band of
               bootstrap quantiles around (1 -/+ level)/2. A bit-exact check
               re-draws stats.c's own xoshiro256** stream in Python and takes
               the resample medians with numpy.
"""
import subprocess
import sys

import numpy as np
import scipy
import scipy.stats

M64 = (1 << 64) - 1
EPS = np.finfo(float).eps
OUTLIER_THRESHOLD = 1.4826 * 10.0
SEED_DEFAULT = 0x62656E6368746F70  # "benchtop", STATS_BOOT_SEED_DEFAULT


def gen(n, mult, add, mod, div, offset):
    """Deterministic data both C and Python compute bit for bit:
    offset + ((i * mult + add) % mod) / div (one IEEE division, one add)."""
    return [offset + ((i * mult + add) % mod) / div for i in range(n)]


# name, a (the baseline), b. Small ones are literal; large ones use gen()
# with the parameters spelled out so the C test can rebuild them.
DATASETS = [
    ("exact_5_6", [1.02, 0.98, 1.05, 1.01, 0.99], [1.21, 1.18, 1.25, 1.30, 1.19, 1.24]),
    ("exact_overlap_7_8", [2.31, 2.12, 2.45, 2.28, 2.19, 2.52, 2.36],
     [2.41, 2.22, 2.58, 2.33, 2.49, 2.61, 2.29, 2.44]),
    ("ties_small_5_6", [1.0, 1.1, 1.1, 1.2, 1.3], [1.1, 1.2, 1.2, 1.4, 1.5, 1.5]),
    # 3 against 3, one side equal in all runs (a peak RSS in pages): scipy's
    # asymptotic p is 0.064, but no split of 6 values into 3 and 3 is rarer
    # than 2 in 20: the exact p is 0.10.
    ("ties_rss_3_3", [21.5, 21.5, 21.5], [19.5, 19.6, 19.7]),
    ("ties_counts_3_3", [20.0, 20.0, 21.0], [21.0, 21.0, 21.0]),
    ("ties_one_off_5_5", [20.0] * 5, [20.0, 20.0, 20.0, 20.0, 21.0]),
    ("ties_4_4", [1.0, 1.0, 2.0, 2.0], [2.0, 3.0, 3.0, 4.0]),
    ("ties_apart_8_8", [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0], [3.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 4.0]),
    ("ties_2_7", [5.0, 5.0], [5.0, 6.0, 6.0, 7.0, 7.0, 7.0, 8.0]),
    ("n1_1", [1.5], [2.0]),
    ("n1_5", [1.0], [0.5, 1.5, 2.0, 3.0, 4.0]),
    ("n2_2", [1.0, 2.0], [3.0, 4.0]),
    ("identical_6_6", [2.0] * 6, [2.0] * 6),
    ("same_values_5_5", [3.0, 1.0, 4.0, 5.0, 2.0], [2.0, 5.0, 1.0, 3.0, 4.0]),
    ("asym_9_9", [0.91, 1.07, 0.95, 1.12, 1.01, 0.88, 1.04, 0.97, 1.09],
     [1.15, 1.02, 1.21, 0.99, 1.18, 1.11, 1.26, 1.06, 1.13]),
    ("faster_8_30", [1.40, 1.31, 1.52, 1.37, 1.45, 1.33, 1.48, 1.42],
     ("gen", 30, 7, 3, 31, 100.0, 1.05)),
    ("large_200_250", ("gen", 200, 7919, 11, 1009, 1000.0, 1.0),
     ("gen", 250, 613, 5, 1013, 1000.0, 1.04)),
    ("large_ties_300_300", ("gen", 300, 37, 0, 50, 100.0, 2.0),
     ("gen", 300, 41, 3, 50, 100.0, 2.01)),
    ("exact_8_400", [5.013, 5.351, 4.957, 5.649, 5.161, 5.547, 5.239, 5.443],
     ("gen", 400, 7, 1, 401, 40.0, 0.5)),
]

# hyperfine's own outlier test vectors (src/outlier_detection.rs tests) and
# two more; the counts are what numpy says hyperfine's rule gives.
OUTLIER_SETS = [
    ("hf_small", [-0.2, 0.0, 0.2, 4.0]),
    ("hf_single", [0.5, 0.30, 0.29, 0.31, 0.30]),
    ("hf_normal", [2.33269488, 1.42195907, -0.57527698, -0.31293437, 2.2948158,
                   0.75813273, -1.0712388, -0.96394741, -1.15897446, 1.10976285]),
    ("hf_two", [2.33269488, 1.42195907, -0.57527698, -0.31293437, 2.2948158,
                0.75813273, -1.0712388, -0.96394741, -1.15897446, 1.10976285, 20.0, -500.0]),
    ("hf_mad0_one", [10.0] * 7 + [100.0]),
    ("hf_mad0_two", [10.0] * 7 + [100.0, 100.0]),
    ("hf_pair", [1000.0, 0.0]),
    ("mad0_small", [1.0, 1.0, 1.0, 1.0, 1.0, 1.001]),  # MAD 0: any step off the median
    ("slow_first", [3.9, 1.01, 0.99, 1.02, 1.00, 0.98, 1.03]),
    ("single", [50.0]),
]

BOOT_LEVEL = 0.95
BOOT_REPS_REF = 200000   # numpy resamples for the reference band
BAND = 0.01              # C's quantile at 0.025 must lie within numpy's 0.015..0.035


def expand(spec):
    if isinstance(spec, tuple):
        return gen(*spec[1:])
    return list(spec)


# ---- references ----------------------------------------------------------------
def describe(x):
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return None
    return dict(
        n=x.size, mean=np.mean(x), sd=np.std(x, ddof=1) if x.size > 1 else float("nan"),
        median=np.median(x), mad=scipy.stats.median_abs_deviation(x, scale=1.0),
        min=np.min(x), max=np.max(x),
        q25=np.quantile(x, 0.25, method="linear"), q75=np.quantile(x, 0.75, method="linear"))


def has_ties(a, b):
    xy = np.concatenate([a, b])
    return np.unique(xy).size < xy.size


EXACT_TIES_WORK = 50e6  # STATS_MWU_EXACT_TIES_WORK


def auto_exact(a, b):
    """stats.c's AUTO rule: exact when min(n) <= 8 and max(n) <= 1000 (scipy
    1.10's rule without ties, with a bound), and with ties too when counting
    the distribution fits its work bound; asymptotic otherwise."""
    m, n = sorted((len(a), len(b)))
    if m > 8 or n > 1000:
        return False
    if not has_ties(a, b):
        return True
    groups = np.unique(np.concatenate([a, b])).size
    return groups * (m + 1) * (m + 2) / 2 * (2 * m * n + 1) <= EXACT_TIES_WORK


def u_pairs(x, y, axis=-1):
    """U of x against y by counting pairs (x > y, ties 1/2), vectorised over
    leading axes as scipy's permutation_test wants."""
    x = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    y = np.moveaxis(np.asarray(y, dtype=float), axis, -1)
    gt = (x[..., :, None] > y[..., None, :]).sum(axis=(-1, -2))
    eq = (x[..., :, None] == y[..., None, :]).sum(axis=(-1, -2))
    return gt + 0.5 * eq


def exact_by_ranks(a, b):
    """The exact permutation p of U, and the smallest p the distribution
    allows, written from the definition in another way than stats.c: the
    null distribution of the sum of the smaller sample's doubled mid-ranks,
    counted element by element (every m-subset of the N pooled values is
    equally likely); U = rank sum - m (m + 1) / 2. Two-sided as
    scipy.stats.permutation_test: 2 min(P(T <= t), P(T >= t)), clipped."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    small = a if a.size <= b.size else b
    pooled = np.concatenate([a, b])
    ranks2 = np.rint(2 * scipy.stats.rankdata(pooled)).astype(int)  # doubled mid-ranks
    m = small.size
    top = int(ranks2.sum())
    cnt = np.zeros((m + 1, top + 1))
    cnt[0, 0] = 1
    for d in ranks2:
        new = cnt.copy()
        new[1:, d:] += cnt[:-1, :top + 1 - d]
        cnt = new
    f = cnt[m]
    obs = int(np.rint(2 * scipy.stats.rankdata(pooled)[:a.size].sum())) if small is a else \
        int(np.rint(2 * scipy.stats.rankdata(pooled)[a.size:].sum()))
    total = f.sum()
    lo, hi = f[:obs + 1].sum() / total, f[obs:].sum() / total
    nz = np.nonzero(f)[0]
    p = min(1.0, 2 * min(lo, hi))
    p_min = min(1.0, 2 * min(f[nz[0]], f[nz[-1]]) / total)
    return float(p), float(p_min)


def exact_by_scipy_permutation(a, b):
    """scipy.stats.permutation_test on U, exhaustive (n_resamples=inf): every
    split of the pooled values into the two sample sizes. Only for small
    samples (C(N, m) splits are enumerated)."""
    res = scipy.stats.permutation_test(
        (np.asarray(a, dtype=float), np.asarray(b, dtype=float)), u_pairs, vectorized=True,
        permutation_type="independent", alternative="two-sided", n_resamples=np.inf)
    return float(res.pvalue)


def enumerable(a, b, most=100000):
    from math import comb
    return min(len(a), len(b)) >= 2 and comb(len(a) + len(b), min(len(a), len(b))) <= most


def mwu(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    res = scipy.stats.mannwhitneyu(a, b, alternative="two-sided", use_continuity=True,
                                   method="auto")
    asym = scipy.stats.mannwhitneyu(a, b, alternative="two-sided", use_continuity=True,
                                    method="asymptotic")
    ties = has_ties(a, b)
    exact_p = exact_min = None  # where stats.c allows forcing 'exact'
    exact_scipy = None          # scipy's own exact answer, where it has one
    if auto_exact(a, b):
        exact_p, exact_min = exact_by_ranks(a, b)
        if not ties:
            exact_scipy = scipy.stats.mannwhitneyu(a, b, alternative="two-sided",
                                                   method="exact").pvalue
        elif enumerable(a, b):
            exact_scipy = exact_by_scipy_permutation(a, b)
    # The asymptotic p of the most extreme U: the least that method can say.
    n1, n2 = a.size, b.size
    N = n1 + n2
    xy = np.concatenate([a, b])
    _, t = np.unique(xy, return_counts=True)
    var = n1 * n2 / 12 * ((N + 1) - (t ** 3 - t).sum() / (N * (N - 1)))
    asym_min = 1.0 if t.size == 1 or var <= 0 else \
        min(1.0, 2 * scipy.stats.norm.sf((n1 * n2 / 2 - 0.5) / np.sqrt(var)))
    # U of a and the effect size by counting pairs, independent of ranks.
    u_a = float(u_pairs(a, b))
    u_b = a.size * b.size - u_a
    method = "exact" if auto_exact(a, b) else "asymptotic"
    p = exact_p if method == "exact" else asym.pvalue
    p_min = exact_min if method == "exact" else asym_min
    return dict(u_a=float(res.statistic), u_a_pairs=float(u_a), method=method, p=float(p),
                p_min=float(p_min), p_scipy_auto=float(res.pvalue), p_asym=float(asym.pvalue),
                p_min_asym=float(asym_min),
                p_exact=float("nan") if exact_p is None else float(exact_p),
                p_min_exact=float("nan") if exact_min is None else float(exact_min),
                p_exact_scipy=float("nan") if exact_scipy is None else float(exact_scipy),
                ties=ties, all_equal=bool(np.unique(xy).size == 1),
                prob_b_greater=float(u_b / (a.size * b.size)))


def outliers(x):
    x = np.asarray(x, dtype=float)
    med = np.median(x)
    mad = np.median(np.abs(x - med))
    scores = (x - med) / (mad if mad > 0 else EPS)
    flags = np.abs(scores) > OUTLIER_THRESHOLD
    return dict(count=int(flags.sum()), first_is_slow=bool(scores[0] > OUTLIER_THRESHOLD),
                median=float(med), mad=float(mad), flags=[int(f) for f in flags])


def boot_band(a, b, level=BOOT_LEVEL, reps=BOOT_REPS_REF, seed=20240601):
    """Percentile bootstrap of median(b*)/median(a*) with numpy's generator:
    the quantiles of its distribution at the interval's ends and +-BAND."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    ratios = np.empty(reps)
    chunk = 10000
    for i in range(0, reps, chunk):
        k = min(chunk, reps - i)
        ma = np.median(a[rng.integers(0, a.size, size=(k, a.size))], axis=1)
        mb = np.median(b[rng.integers(0, b.size, size=(k, b.size))], axis=1)
        ratios[i:i + k] = mb / ma
    t = (1 - level) / 2
    q = np.quantile(ratios, [t - BAND, t, t + BAND, 1 - t - BAND, 1 - t, 1 - t + BAND])
    return dict(ratio=float(np.median(b) / np.median(a)), lo_min=q[0], lo=q[1], lo_max=q[2],
                hi_min=q[3], hi=q[4], hi_max=q[5])


# ---- stats.c's own generator, for the bit-exact replay ------------------------------
def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return x, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


class Xoshiro:
    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed, z = splitmix64(seed)
            self.s.append(z)

    def next(self):
        s = self.s
        out = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return out

    def below(self, n):
        reject = (1 << 64) % n
        x = self.next()
        tries = 0
        while x < reject and tries < 64:
            x = self.next()
            tries += 1
        return x % n


def boot_replay(a, b, reps, level, seed):
    """stats.c's resampling order (a then b, per resample, indices into the
    ascending copies), the medians taken by numpy."""
    sa = np.sort(np.asarray(a, dtype=float))
    sb = np.sort(np.asarray(b, dtype=float))
    rng = Xoshiro(seed)
    ratios = np.empty(reps)
    for r in range(reps):
        ia = [rng.below(sa.size) for _ in range(sa.size)]
        ib = [rng.below(sb.size) for _ in range(sb.size)]
        ratios[r] = np.median(sb[ib]) / np.median(sa[ia])
    t = (1 - level) / 2
    return float(np.quantile(ratios, t)), float(np.quantile(ratios, 1 - t))


# ---- emit-c -----------------------------------------------------------------
def c_num(v):
    v = float(v)
    if np.isnan(v):
        return "NAN"
    return repr(v)


def c_array(name, xs):
    body = ", ".join(c_num(x) for x in xs)
    return f"static const double {name}[] = {{ {body} }};"


def c_data(name, spec):
    if isinstance(spec, tuple):
        _, n, mult, add, mod, div, off = spec
        return None, f"GEN({n}, {mult}, {add}, {mod}, {c_num(div)}, {c_num(off)})"
    return c_array(name, spec), f"LIT({name})"


def emit_c():
    print("/* ---- BEGIN generated by: /usr/bin/python3 tests/unit/stats_reference.py emit-c")
    print(f" * numpy {np.__version__}, scipy {scipy.__version__} (Debian 12 python3-numpy,"
          " python3-scipy). Do not edit by hand. */")
    arrays = []
    rows = []
    for name, a_spec, b_spec in DATASETS:
        a, b = expand(a_spec), expand(b_spec)
        arr_a, src_a = c_data(f"{name}_a", a_spec)
        arr_b, src_b = c_data(f"{name}_b", b_spec)
        arrays += [x for x in (arr_a, arr_b) if x]
        da, db = describe(a), describe(b)
        m = mwu(a, b)
        bb = boot_band(a, b)

        def desc(d):
            return "{ " + ", ".join(c_num(d[k]) for k in
                                    ("mean", "sd", "median", "mad", "min", "max", "q25", "q75")) + " }"
        method = "STATS_MWU_EXACT" if m["method"] == "exact" else "STATS_MWU_ASYMPTOTIC"
        # Where scipy computes the exact p itself (mannwhitneyu exact without
        # ties, permutation_test with them), the constant must agree with it.
        if not np.isnan(m["p_exact_scipy"]):
            assert abs(m["p_exact"] - m["p_exact_scipy"]) <= 1e-12, name
        assert m["u_a"] == m["u_a_pairs"], name
        rows.append(
            f"\t{{ \"{name}\", {src_a}, {src_b},\n"
            f"\t  {desc(da)},\n\t  {desc(db)},\n"
            f"\t  {c_num(m['u_a'])}, {method}, {'true' if m['ties'] else 'false'}, "
            f"{c_num(m['p'])}, {c_num(m['p_min'])}, {c_num(m['p_asym'])}, {c_num(m['p_exact'])}, "
            f"{c_num(m['prob_b_greater'])},\n"
            f"\t  {c_num(bb['ratio'])}, {{ {c_num(bb['lo_min'])}, {c_num(bb['lo_max'])}, "
            f"{c_num(bb['hi_min'])}, {c_num(bb['hi_max'])} }} }},")
    for a in arrays:
        print(a)
    print("static const struct ref_case ref_cases[] = {")
    for r in rows:
        print(r)
    print("};")
    for name, xs in OUTLIER_SETS:
        print(c_array(f"out_{name}", xs))
    print("static const struct ref_outliers ref_outliers[] = {")
    for name, xs in OUTLIER_SETS:
        o = outliers(xs)
        flags = ", ".join(str(f) for f in o["flags"])
        print(f"\t{{ \"{name}\", out_{name}, {len(xs)}, {o['count']}, "
              f"{'true' if o['first_is_slow'] else 'false'}, {c_num(o['median'])}, "
              f"{c_num(o['mad'])}, {{ {flags} }} }},")
    print("};")
    print("/* ---- END generated */")


def format_p(p):
    if np.isnan(p):
        return "p = ?"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def verdict(na, nb, valid, ratio, lo, hi, p, p_min, all_equal, alpha=0.05):
    """stats.h's verdict rule, written again from the header's words."""
    if na < 2 or nb < 2:
        return f"too few runs to compare (n = {na} and {nb})"
    if all_equal:
        return "identical in every run"
    few = f"{na} and {nb} runs cannot reach p < {alpha:g}" if p_min >= alpha else ""
    if not valid:
        return f"no ratio (a value is not positive), {format_p(p)}" + (f" ({few})" if few else "")
    test_says, ci_says = p < alpha, (lo > 1 or hi < 1)
    if not test_says and not ci_says:
        return f"no significant difference ({format_p(p)}" + (f"; {few})" if few else ")")
    up = lo > 1 if ci_says else ratio > 1
    f, l, h = (ratio, lo, hi) if up else (1 / ratio, 1 / hi, 1 / lo)
    dec = 3 if any(abs(v - 1) < 0.005 for v in (f, l, h)) else 2
    prefix = "" if test_says and ci_says else "inconclusive: "
    word = "slower" if up else "faster"
    return (f"{prefix}{f:.{dec}f}\u00d7 {word} [{l:.{dec}f}, {h:.{dec}f}], {format_p(p)}"
            + (f" ({few})" if few else ""))


# ---- check DRIVER -----------------------------------------------------------
class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.scipy_exact = 0       # exact p's checked against scipy itself
        self.scipy_exact_ties = 0  # of them with ties (permutation_test)

    def ok(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"not ok - {what}")
        return cond


def close(x, y, rel=1e-9, abs_=1e-14):
    x, y = float(x), float(y)
    if np.isnan(x) or np.isnan(y):
        return np.isnan(x) and np.isnan(y)
    return abs(x - y) <= max(abs_, rel * max(abs(x), abs(y)))


def run_driver(driver, a, b, *args):
    text = f"{len(a)} " + " ".join(repr(float(v)) for v in a) + "\n"
    text += f"{len(b)} " + " ".join(repr(float(v)) for v in b) + "\n"
    out = subprocess.run([driver, *args], input=text, capture_output=True, text=True,
                         timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"{driver} exited {out.returncode}: {out.stderr.strip()}")
    res = {}
    for line in out.stdout.splitlines():
        key, _, val = line.partition("=")
        res[key.strip()] = val.strip()
    return res


def check_case(ck, driver, name, a, b, boot=True):
    got = run_driver(driver, a, b)
    n_before = ck.failed
    for side, x in (("a", a), ("b", b)):
        d = describe(x)
        for k in ("mean", "sd", "median", "mad", "min", "max", "q25", "q75"):
            ck.ok(close(got[f"{side}.{k}"], d[k], rel=1e-12),
                  f"{name}: {side}.{k} = {got[f'{side}.{k}']}, numpy says {d[k]!r}")
        o = outliers(x)
        ck.ok(int(got[f"{side}.outliers"]) == o["count"],
              f"{name}: {side}.outliers = {got[f'{side}.outliers']}, numpy says {o['count']}")
    m = mwu(a, b)
    ck.ok(float(got["mwu.u_a"]) == m["u_a"], f"{name}: U = {got['mwu.u_a']}, scipy says {m['u_a']}")
    ck.ok(got["mwu.method"] == m["method"], f"{name}: method {got['mwu.method']}, expected {m['method']}")
    ck.ok(close(got["mwu.p"], m["p"]), f"{name}: p = {got['mwu.p']}, the reference says {m['p']!r}")
    ck.ok(close(got["mwu.p_min"], m["p_min"]),
          f"{name}: smallest p = {got['mwu.p_min']}, the reference says {m['p_min']!r}")
    ck.ok(close(got["mwu.p_asym"], m["p_asym"]),
          f"{name}: asymptotic p = {got['mwu.p_asym']}, scipy says {m['p_asym']!r}")
    ck.ok(close(got["mwu.p_min_asym"], m["p_min_asym"]),
          f"{name}: asymptotic smallest p = {got['mwu.p_min_asym']}, scipy.stats.norm says "
          f"{m['p_min_asym']!r}")
    ck.ok(close(got["mwu.p_exact"], m["p_exact"]),
          f"{name}: exact p = {got['mwu.p_exact']}, counting by ranks says {m['p_exact']!r}")
    ck.ok(close(got["mwu.p_min_exact"], m["p_min_exact"]),
          f"{name}: exact smallest p = {got['mwu.p_min_exact']}, counting by ranks says "
          f"{m['p_min_exact']!r}")
    if not np.isnan(m["p_exact_scipy"]):
        how = "permutation_test" if m["ties"] else "mannwhitneyu exact"
        ck.ok(close(got["mwu.p_exact"], m["p_exact_scipy"]),
              f"{name}: exact p = {got['mwu.p_exact']}, scipy's {how} says {m['p_exact_scipy']!r}")
        ck.scipy_exact += 1
        ck.scipy_exact_ties += m["ties"]
    ck.ok(got["mwu.all_equal"] == str(int(m["all_equal"])),
          f"{name}: all_equal {got['mwu.all_equal']}, numpy says {m['all_equal']}")
    ck.ok(close(got["mwu.prob_b_greater"], m["prob_b_greater"], rel=1e-15),
          f"{name}: P(B>A) = {got['mwu.prob_b_greater']}, pairs say {m['prob_b_greater']!r}")
    want = verdict(len(a), len(b), got["ratio.valid"] == "1", float(got["ratio.ratio"]),
                   float(got["ratio.ci_low"]), float(got["ratio.ci_high"]), float(got["mwu.p"]),
                   float(got["mwu.p_min"]), got["mwu.all_equal"] == "1")
    ck.ok(got["verdict"] == want, f"{name}: verdict '{got['verdict']}', the rule says '{want}'")
    if boot:
        bb = boot_band(a, b, reps=40000)
        lo, hi = float(got["ratio.ci_low"]), float(got["ratio.ci_high"])
        ck.ok(close(got["ratio.ratio"], bb["ratio"], rel=1e-15),
              f"{name}: ratio {got['ratio.ratio']}, numpy says {bb['ratio']!r}")
        ck.ok(bb["lo_min"] <= lo <= bb["lo_max"],
              f"{name}: ci_low {lo} outside numpy's bootstrap band [{bb['lo_min']}, {bb['lo_max']}]")
        ck.ok(bb["hi_min"] <= hi <= bb["hi_max"],
              f"{name}: ci_high {hi} outside numpy's bootstrap band [{bb['hi_min']}, {bb['hi_max']}]")
    return ck.failed == n_before


def random_cases(count=40, seed=7):
    """Seeded random pairs: small and large, with and without ties, shifted
    and not, some right at the exact/asymptotic boundary."""
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(count):
        na = int(rng.choice([1, 2, 3, 5, 8, 9, 12, 20, 60]))
        nb = int(rng.choice([1, 2, 4, 7, 8, 10, 15, 40, 120]))
        shift = float(rng.choice([1.0, 1.0, 1.03, 1.2, 0.8]))
        a = rng.lognormal(0.0, 0.1, na)
        b = rng.lognormal(0.0, 0.1, nb) * shift
        if i % 3 == 0:  # ties: round to a coarse grid
            a, b = np.round(a, 1), np.round(b, 1)
        cases.append((f"random_{i}_{na}_{nb}", list(a), list(b)))
    return cases


def random_tie_cases(count=24, seed=11):
    """Few runs with many ties (counts, sizes in pages, coarse timers): the
    exact distribution given the ties, against scipy's permutation_test
    where the splits can be enumerated."""
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(count):
        na = int(rng.integers(2, 9))
        nb = int(rng.integers(2, 13))
        shift = float(rng.choice([0.0, 0.0, 1.0, 2.0]))
        a = np.round(rng.normal(10.0, 1.0, na))
        b = np.round(rng.normal(10.0 + shift, 1.0, nb))
        cases.append((f"random_ties_{i}_{na}_{nb}", list(a), list(b)))
    return cases


def check(driver):
    ck = Checker()
    cases = ([(n, expand(a), expand(b)) for n, a, b in DATASETS] + random_cases()
             + random_tie_cases())
    for name, a, b in cases:
        if check_case(ck, driver, name, a, b):
            print(f"ok - {name}: n {len(a)}/{len(b)} matches numpy/scipy")
    # Bit-exact replay of stats.c's own resampling on small samples.
    for name, a, b in cases[:6] + cases[-6:]:
        if len(a) > 30 or len(b) > 30:
            continue
        got = run_driver(driver, a, b, "--reps", "1000")
        lo, hi = boot_replay(a, b, 1000, BOOT_LEVEL, SEED_DEFAULT)
        if ck.ok(float(got["ratio.ci_low"]) == lo and float(got["ratio.ci_high"]) == hi,
                 f"{name}: 1000-resample interval [{got['ratio.ci_low']}, {got['ratio.ci_high']}]"
                 f", replay in Python says [{lo!r}, {hi!r}]"):
            print(f"ok - {name}: bootstrap replayed bit for bit")
    print(f"# exact p checked against scipy itself in {ck.scipy_exact} cases, "
          f"{ck.scipy_exact_ties} of them with ties (permutation_test)")
    print(f"# {ck.passed} checks passed, {ck.failed} failed "
          f"(numpy {np.__version__}, scipy {scipy.__version__})")
    return 0 if ck.failed == 0 else 1


def main(argv):
    if len(argv) >= 2 and argv[1] == "emit-c":
        emit_c()
        return 0
    if len(argv) == 3 and argv[1] == "check":
        return check(argv[2])
    print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
