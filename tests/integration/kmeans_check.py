#!/usr/bin/python3
"""Checks a bt-kmeans --dump file without bt-kmeans' own code: numpy and
scikit-learn recompute what the workload claims. Used by test_wl_kmeans.sh;
tests/bench/sklearn_kmeans.py reads dumps through load_dump().

usage: kmeans_check.py DUMP
Prints one "name value" line each:
  samples features clusters   the shape in the header
  ari            adjusted Rand index of the found labels against the true blobs
  inertia        sum of squared distances of rows to their centres (float64)
  not_nearest    rows whose label is not their nearest centre (exact, float64)
  centre_error   largest |centre - mean of its rows| over non-empty clusters
  centres_finite 1 when no centre has a NaN or infinite coordinate
  blob_sizes_ok  1 when the blobs have make_blobs' sizes (n // c, the first n % c one more)
  blob_std_min blob_std_max   spread of the rows around their blob's mean
  blob_box_ok    1 when every blob's mean lies in (-10.5, 10.5) per feature
"""
import sys

import numpy as np


def load_dump(path):
    """(data, truth, labels, centres) from a dump (format: src/workloads/kmeans.c)."""
    with open(path, "rb") as f:
        head = f.readline().decode("ascii", "replace").split()
        if head[:2] != ["bt-kmeans-dump", "1"] or len(head) % 2:
            raise SystemExit(f"{path}: not a bt-kmeans dump of version 1 (header {head[:2]})")
        kv = dict(zip(head[2::2], head[3::2]))
        n, d, k = int(kv["samples"]), int(kv["features"]), int(kv["clusters"])
        data = np.fromfile(f, np.dtype(kv["dtype"]), n * d)
        truth = np.fromfile(f, np.int32, n)
        labels = np.fromfile(f, np.int32, n)
        centres = np.fromfile(f, np.float64, k * d)
        if centres.size != k * d or f.read(1):
            raise SystemExit(f"{path}: the file is not as long as its header says")
    return data.reshape(n, d), truth, labels, centres.reshape(k, d)


def check(path):
    from sklearn.metrics import adjusted_rand_score

    data, truth, labels, centres = load_dump(path)
    x = data.astype(np.float64)
    n, d = x.shape
    k = centres.shape[0]
    out = {"samples": n, "features": d, "clusters": k}
    out["ari"] = adjusted_rand_score(truth, labels)
    out["inertia"] = float(((x - centres[labels]) ** 2).sum())
    # Squared distances to every centre, in blocks to bound memory.
    wrong = 0
    for lo in range(0, n, 4096):
        xb = x[lo:lo + 4096]
        dist = ((xb[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        own = dist[np.arange(len(xb)), labels[lo:lo + 4096]]
        # A tie may round either way in another summation order.
        wrong += int((own > dist.min(axis=1) * (1 + 1e-12)).sum())
    out["not_nearest"] = wrong
    err = 0.0
    for j in range(k):
        rows = x[labels == j]
        if len(rows):
            err = max(err, float(np.abs(rows.mean(axis=0) - centres[j]).max()))
    out["centre_error"] = err
    out["centres_finite"] = int(bool(np.isfinite(centres).all()))
    c = int(truth.max()) + 1
    sizes = np.bincount(truth, minlength=c)
    want = np.array([n // c + (b < n % c) for b in range(c)])
    out["blob_sizes_ok"] = int(np.array_equal(sizes, want))
    stds, box = [], True
    for b in range(c):
        rows = x[truth == b]
        if len(rows) > 1:
            stds.append(float((rows - rows.mean(axis=0)).std()))
        if len(rows):
            box &= bool(np.all(np.abs(rows.mean(axis=0)) < 10.5))
    out["blob_std_min"] = min(stds) if stds else 0.0
    out["blob_std_max"] = max(stds) if stds else 0.0
    out["blob_box_ok"] = int(box)
    for name, value in out.items():
        print(name, repr(value) if isinstance(value, float) else value)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: kmeans_check.py DUMP")
    check(sys.argv[1])
