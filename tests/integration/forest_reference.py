#!/usr/bin/python3
"""The reference for test_wl_forest.sh: bt-forest's data, drawn again here
bit for bit (wl.c's xoshiro256**, splitmix64 seeding, Marsaglia's polar
method on wl_log), and one scikit-learn DecisionTreeClassifier grown on it
with all features and no bootstrap. bt-forest --trees 1 --bootstrap no
--max-features all must grow the same tree: same nodes, depth and held-out
accuracy.

usage: forest_reference.py SAMPLES FEATURES MIN_LEAF DATA SEED TEST_FRACTION
prints: nodes N depth_max D accuracy A

Pure Python for the data (small sizes only); needs Debian's python3-sklearn.
"""
import math
import sys

M64 = (1 << 64) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return x, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


class Rng:
    """wl_rng: xoshiro256** seeded through splitmix64."""

    def __init__(self, seed, stream=0):
        x = (seed ^ (stream * 0xD1342543DE82EF95)) & M64
        self.s = []
        for _ in range(4):
            x, z = splitmix64(x)
            self.s.append(z)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next() >> 11) * 2.0**-53

    def normal(self):
        while True:
            u = 2 * self.uniform() - 1
            v = 2 * self.uniform() - 1
            s = u * u + v * v
            if 0 < s < 1:
                return u * math.sqrt(-2 * wl_log(s) / s)


def wl_log(x):
    """wl_log: the same operations in the same order, so the same bits."""
    m, k = math.frexp(x)
    if m < 0.70710678118654752440:
        m *= 2
        k -= 1
    z = (m - 1) / (m + 1)
    z2 = z * z
    term = z
    total = 0.0
    for i in range(1, 30, 2):
        total += term / i
        term *= z2
    ln2_hi = 6.93147180369123816490e-01
    ln2_lo = 1.90821492927058770002e-10
    return float(k) * ln2_hi + (float(k) * ln2_lo + 2 * total)


def learnable_label(row):
    return int(row[1] > -0.5) if row[0] > 0 else int(row[2] > 0.5)


def generate(samples, features, data, seed):
    """Rows of doubles and labels, as bt-forest's generate_data draws them."""
    rng = Rng(seed)
    xs, ys = [], []
    for _ in range(samples):
        row = [rng.normal() for _ in range(features)]
        if data == "learnable":
            label = learnable_label(row)
            ys.append(1 - label if rng.uniform() < 0.05 else label)
        else:
            ys.append(rng.next() >> 63)
        xs.append(row)
    return xs, ys


def main():
    samples, features, min_leaf = (int(a) for a in sys.argv[1:4])
    data, seed, test_fraction = sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
    import numpy as np
    from sklearn.tree import DecisionTreeClassifier

    xs, ys = generate(samples, features, data, seed)
    x = np.array(xs, dtype=np.float64).astype(np.float32)
    y = np.array(ys)
    train = samples - int(round(samples * test_fraction))
    tree = DecisionTreeClassifier(min_samples_leaf=min_leaf, max_features=None, random_state=0)
    tree.fit(x[:train], y[:train])
    accuracy = float((tree.predict(x[train:]) == y[train:]).mean())
    print("nodes %d depth_max %d accuracy %.10g" % (tree.tree_.node_count, tree.tree_.max_depth, accuracy))


if __name__ == "__main__":
    main()
