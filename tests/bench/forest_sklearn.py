#!/usr/bin/python3
"""scikit-learn's side of tests/bench/forest_vs_sklearn.sh: the source
document's random forest on data of bt-forest's shape and kind (randn
features, random binary labels, the last TEST_FRACTION of rows held out),
timed as bt-forest times itself (training; prediction of the held-out rows).

usage: forest_sklearn.py SAMPLES FEATURES TREES THREADS SEED TEST_FRACTION
prints one line: train_time S predict_time S accuracy A nodes N depth_max D

Run with Debian's /usr/bin/python3 (python3-sklearn, python3-numpy).
"""
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier


def main():
    samples, features, trees, threads, seed = (int(a) for a in sys.argv[1:6])
    test_fraction = float(sys.argv[6])
    rng = np.random.RandomState(seed)
    x = rng.randn(samples, features)
    y = rng.randint(0, 2, samples)
    train = samples - int(round(samples * test_fraction))

    forest = RandomForestClassifier(n_estimators=trees, n_jobs=threads, random_state=seed)
    t0 = time.perf_counter()
    forest.fit(x[:train], y[:train])
    t1 = time.perf_counter()
    predicted = forest.predict(x[train:])
    t2 = time.perf_counter()

    accuracy = float((predicted == y[train:]).mean())
    nodes = sum(t.tree_.node_count for t in forest.estimators_)
    depth = max(t.tree_.max_depth for t in forest.estimators_)
    print("train_time %.6f predict_time %.6f accuracy %.6f nodes %d depth_max %d"
          % (t1 - t0, t2 - t1, accuracy, nodes, depth))


if __name__ == "__main__":
    main()
