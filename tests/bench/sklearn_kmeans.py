#!/usr/bin/python3
"""scikit-learn's KMeans on bt-kmeans' own data, for tests/bench/kmeans_vs_sklearn.sh.

usage: sklearn_kmeans.py DUMP CLUSTERS N_INIT MAX_ITER TOL SEED THREADS [float64|float32]

Loads the rows of a bt-kmeans --dump file (float32 values, fed to
scikit-learn as float64 like make_blobs' output unless float32 is asked),
fits KMeans(algorithm="lloyd") with the same parameters and prints one line:
  time SECONDS cpu SECONDS iterations N inertia X blas ARCHITECTURE
where time (wall) and cpu (process CPU time, all threads) cover fit() only,
not python's start, the imports or the load.
The seeds differ (numpy's generator is not ours), so the k-means++ starts
differ too; the best of n_init should still reach the same inertia.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))


def main():
    if len(sys.argv) not in (8, 9):
        raise SystemExit(__doc__.strip().splitlines()[2])
    path = sys.argv[1]
    clusters, n_init, max_iter = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    tol, seed, threads = float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
    dtype = sys.argv[8] if len(sys.argv) == 9 else "float64"
    # scikit-learn sizes its OpenMP pool from this; set before the import.
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import numpy as np
    from kmeans_check import load_dump
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_info, threadpool_limits

    data = np.ascontiguousarray(load_dump(path)[0], dtype=np.dtype(dtype))
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    arch = blas[0].get("architecture", "?") if blas else "?"
    with threadpool_limits(limits=threads):
        km = KMeans(n_clusters=clusters, init="k-means++", n_init=n_init, max_iter=max_iter, tol=tol,
                    random_state=seed, algorithm="lloyd")
        t0, c0 = time.perf_counter(), time.process_time()
        km.fit(data)
        fit_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    print(f"time {fit_s:.6f} cpu {cpu_s:.6f} iterations {km.n_iter_} inertia {km.inertia_!r} blas {arch}")


if __name__ == "__main__":
    main()
