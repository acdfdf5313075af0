/* bt-kmeans — k-means on data like scikit-learn's make_blobs, the source
 * documents' first CPU-bound task, with the distances through OpenBLAS.
 *
 * Data: `centers` isotropic Gaussian blobs (standard deviation --cluster-std,
 * 1 by default) around centres drawn uniformly in (-10, 10) per feature; the
 * samples split among the blobs as make_blobs does (n / centers each, the
 * first n % centers one more), rows in shuffled order.
 *
 * Fit, as scikit-learn's KMeans(algorithm="lloyd"): the tolerance scaled by
 * the mean per-feature variance; greedy k-means++ seeding (2 + floor(ln k)
 * candidates per centre, the one that lowers the potential most kept); Lloyd
 * iterations until the labels stop changing or the squared centre shifts sum
 * to at most the tolerance, then the labels of the final centres; an empty
 * cluster takes the row farthest from its centre; the best of n_init runs by
 * inertia. Distances are ‖x‖² − 2x·c + ‖c‖² with the cross term of all rows
 * against all centres one sgemm per iteration (in row blocks only when the
 * k × n result would pass CROSS_BUDGET).
 *
 * Precision: the data and the cross term are float: sgemm on this shape
 * runs about twice as fast as dgemm, and the data takes half the memory. The
 * answer is still double's: a row whose best two float scores are closer
 * than a proven bound on their rounding error (set_margin) is decided by
 * exact distances in double, so every label is the nearest centre; centre
 * sums, norms, variances and the inertia (Σ‖x − c‖², recomputed at the end)
 * are double. The sums of each cluster's rows are kept from one iteration to
 * the next and follow only the rows whose label changed.
 *
 * Determinism: the data comes from wl_rng (one stream for the blob centres
 * and the shuffle, one per row), each k-means++ seeding from its own stream,
 * and every reduction uses a partition that does not depend on --threads:
 * fixed row chunks or stripes whose partial sums are added in order. So the
 * same seed gives the same iterations and inertia on every libc and thread
 * count, given the same OpenBLAS kernels: k-means++ draws its candidates
 * from the sgemm's float distances, which another kernel rounds otherwise. */
#include "wl.h"

#include <cblas.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char about[] =
	"k-means (k-means++ seeding, Lloyd iterations, distances by OpenBLAS sgemm) on make_blobs-like data.";

static const struct wl_param params[] = {
	{ .name = "samples", .def = "100000", .help = "rows of data" },
	{ .name = "features", .def = "128", .help = "features per row" },
	{ .name = "centers", .def = "3", .help = "Gaussian blobs the data is drawn from" },
	{ .name = "cluster-std", .def = "1.0",
	  .help = "standard deviation of each blob (0: every row of a blob is its centre)" },
	{ .name = "clusters", .def = "5", .help = "clusters to find (k)" },
	{ .name = "n-init", .def = "10",
	  .help = "runs from different k-means++ seeds; the one with the lowest inertia is kept" },
	{ .name = "max-iter", .def = "300", .help = "most Lloyd iterations in one run" },
	{ .name = "tol", .def = "1e-4",
	  .help = "stop when the squared centre shifts sum to this times the mean feature variance" },
	{ .name = "seed", .def = "42", .help = "seed of the data and of the k-means++ seeding" },
	{ .name = "threads", .def = "auto",
	  .help = "threads for our loops and for OpenBLAS (a count, or auto: the effective CPUs)" },
	{ .name = "dump", .def = "none",
	  .help = "write the data, true and found labels and centres to this file (src/workloads/kmeans.c)" },
	{ .name = NULL },
};

/* The data and the cross term (see the top comment). */
typedef float real;
#define REAL_NAME "float32"

/* Rows per chunk of the row-parallel loops: partial sums are kept per chunk
 * and combined in chunk order, so they do not depend on the thread count. */
#define CHUNK_ROWS 4096
/* Features per step of the loops over a row: a loop of fixed length, which
 * gcc -O2 vectorises (its cheap cost model refuses loops of unknown length). */
#define FEATURE_UNIT 16
/* Row stripes for sums of vectors (see stripe_rows), and the most memory
 * their partial sums may take. */
#define STRIPES_MAX 32
#define PARTIAL_BUDGET (64u << 20)
/* How many rows ahead assign_chunk fetches the data of rows it must decide
 * exactly (scattered rows, which the hardware prefetcher cannot guess). */
#define PREFETCH_ROWS 4
/* Largest k × n cross-term matrix computed in one gemm; beyond it, row blocks. */
#define CROSS_BUDGET (64u << 20)

/* wl_rng streams of one seed. */
#define STREAM_BLOBS 0
#define STREAM_ROW(i) (((uint64_t)1 << 40) | (uint64_t)(i))
#define STREAM_SEEDING(run) (((uint64_t)2 << 40) | (uint64_t)(run))

/* ---- Configuration ------------------------------------------------------- */

struct config {
	size_t samples, features, centers, clusters;
	int n_init, max_iter, threads;
	double tol, cluster_std;
	uint64_t seed;
	const char *dump; /* NULL: none */
};

enum {
	OPT_SAMPLES = 256,
	OPT_FEATURES,
	OPT_CENTERS,
	OPT_CLUSTER_STD,
	OPT_CLUSTERS,
	OPT_N_INIT,
	OPT_MAX_ITER,
	OPT_TOL,
	OPT_SEED,
	OPT_THREADS,
	OPT_DUMP,
	OPT_HELP,
	OPT_DESCRIBE,
};

static void parse_options(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "samples", required_argument, NULL, OPT_SAMPLES },
		{ "features", required_argument, NULL, OPT_FEATURES },
		{ "centers", required_argument, NULL, OPT_CENTERS },
		{ "cluster-std", required_argument, NULL, OPT_CLUSTER_STD },
		{ "clusters", required_argument, NULL, OPT_CLUSTERS },
		{ "n-init", required_argument, NULL, OPT_N_INIT },
		{ "max-iter", required_argument, NULL, OPT_MAX_ITER },
		{ "tol", required_argument, NULL, OPT_TOL },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "dump", required_argument, NULL, OPT_DUMP },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "describe", no_argument, NULL, OPT_DESCRIBE },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	opterr = 0; /* our own message, in one sentence */
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		/* Row counts and dimensions stay below 2^31: OpenBLAS takes int. */
		case OPT_SAMPLES: cfg->samples = (size_t)wl_opt_ll("--samples", optarg, 1, 1000000000); break;
		case OPT_FEATURES: cfg->features = (size_t)wl_opt_ll("--features", optarg, 1, 1000000); break;
		case OPT_CENTERS: cfg->centers = (size_t)wl_opt_ll("--centers", optarg, 1, 1000000); break;
		case OPT_CLUSTER_STD: cfg->cluster_std = wl_opt_double("--cluster-std", optarg, 0, 1e6); break;
		case OPT_CLUSTERS: cfg->clusters = (size_t)wl_opt_ll("--clusters", optarg, 1, 1000000); break;
		case OPT_N_INIT: cfg->n_init = (int)wl_opt_ll("--n-init", optarg, 1, 10000); break;
		case OPT_MAX_ITER: cfg->max_iter = (int)wl_opt_ll("--max-iter", optarg, 1, 1000000); break;
		case OPT_TOL: cfg->tol = wl_opt_double("--tol", optarg, 0, 1); break;
		case OPT_SEED: cfg->seed = (uint64_t)wl_opt_ll("--seed", optarg, 0, INT64_MAX); break;
		case OPT_THREADS: cfg->threads = wl_opt_threads("--threads", optarg, 1024); break;
		case OPT_DUMP:
			if (!*optarg)
				wl_usage_error("--dump takes a file name, or none");
			cfg->dump = strcmp(optarg, "none") == 0 ? NULL : optarg;
			break;
		case OPT_HELP: wl_print_help(about, params); exit(0);
		case OPT_DESCRIBE: wl_print_describe("kmeans", about, params); exit(0);
		case ':': wl_usage_error("%s needs a value", argv[optind - 1]);
		default: wl_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		wl_usage_error("unexpected argument '%s' (every parameter is --NAME VALUE)", argv[optind]);
	if (cfg->clusters > cfg->samples)
		wl_usage_error("--clusters %zu is more than --samples %zu; k-means needs at least one row per cluster",
			       cfg->clusters, cfg->samples);
}

/* ---- A pool of threads ------------------------------------------------------ */

/* A job: part `part` of `parts` (0 is the calling thread). */
typedef void pool_fn(void *ctx, int part, int parts);

struct pool_worker {
	struct pool *pool;
	int part;
	pthread_t thread;
};

struct pool {
	int parts; /* threads, the caller included */
	struct pool_worker *workers; /* parts - 1 */
	pthread_mutex_t lock;
	pthread_cond_t wake, idle;
	unsigned long round; /* one per job */
	int busy;            /* workers still in the current job */
	bool stop;
	pool_fn *fn;
	void *ctx;
};

static void *pool_main(void *arg)
{
	struct pool_worker *w = arg;
	struct pool *p = w->pool;
	unsigned long seen = 0;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->round == seen && !p->stop)
			pthread_cond_wait(&p->wake, &p->lock);
		if (p->stop)
			break;
		seen = p->round;
		pool_fn *fn = p->fn;
		void *ctx = p->ctx;
		pthread_mutex_unlock(&p->lock);
		fn(ctx, w->part, p->parts);
		pthread_mutex_lock(&p->lock);
		if (--p->busy == 0)
			pthread_cond_signal(&p->idle);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Starts parts - 1 workers; the caller is part 0. Free with pool_free. */
static struct pool *pool_new(int parts)
{
	struct pool *p = wl_calloc(1, sizeof *p);
	p->parts = parts;
	p->workers = wl_calloc((size_t)parts, sizeof *p->workers);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->idle, NULL);
	for (int i = 1; i < parts; i++) {
		p->workers[i - 1].pool = p;
		p->workers[i - 1].part = i;
		int err = pthread_create(&p->workers[i - 1].thread, NULL, pool_main, &p->workers[i - 1]);
		if (err)
			wl_fail("cannot start thread %d of %d: %s", i + 1, parts, strerror(err));
	}
	return p;
}

/* Runs fn(ctx, part, parts) on every part and returns when all are done. */
static void pool_run(struct pool *p, pool_fn *fn, void *ctx)
{
	pthread_mutex_lock(&p->lock);
	p->fn = fn;
	p->ctx = ctx;
	p->busy = p->parts - 1;
	p->round++;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	fn(ctx, 0, p->parts);
	pthread_mutex_lock(&p->lock);
	while (p->busy > 0)
		pthread_cond_wait(&p->idle, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

static void pool_free(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (int i = 1; i < p->parts; i++)
		pthread_join(p->workers[i - 1].thread, NULL);
	pthread_cond_destroy(&p->idle);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p->workers);
	free(p);
}

/* [lo, hi) of part `part` when `total` items are shared in order. */
struct span {
	size_t lo, hi;
};

static struct span share(size_t total, int part, int parts)
{
	struct span s = { total * (size_t)part / (size_t)parts, total * (size_t)(part + 1) / (size_t)parts };
	return s;
}

/* ---- Data like make_blobs ------------------------------------------------- */

struct data {
	size_t n, d;
	real *x;        /* n × d, row-major */
	int32_t *truth; /* n: the blob of each row */
	double *blobs;  /* centers × d: the blob centres */
};

static void generate_rows(void *ctx, int part, int parts);

struct gen_job {
	struct data *ds;
	uint64_t seed;
	double std;
};

static void generate_data(struct data *ds, const struct config *cfg, struct pool *pool)
{
	size_t n = cfg->samples, d = cfg->features, c = cfg->centers;
	ds->n = n;
	ds->d = d;
	ds->x = wl_malloc(wl_mul(wl_mul(n, d), sizeof *ds->x));
	ds->truth = wl_malloc(wl_mul(n, sizeof *ds->truth));
	ds->blobs = wl_malloc(wl_mul(wl_mul(c, d), sizeof *ds->blobs));

	struct wl_rng rng;
	wl_rng_seed2(&rng, cfg->seed, STREAM_BLOBS);
	for (size_t i = 0; i < c * d; i++)
		ds->blobs[i] = -10 + 20 * wl_rng_uniform(&rng);
	/* make_blobs' split: n / c rows per blob, the first n % c one more. */
	size_t row = 0;
	for (size_t b = 0; b < c; b++)
		for (size_t j = 0; j < n / c + (b < n % c); j++)
			ds->truth[row++] = (int32_t)b;
	for (size_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
		size_t j = (size_t)wl_rng_below(&rng, i + 1);
		int32_t t = ds->truth[i];
		ds->truth[i] = ds->truth[j];
		ds->truth[j] = t;
	}
	struct gen_job job = { ds, cfg->seed, cfg->cluster_std };
	pool_run(pool, generate_rows, &job);
}

/* Each row from its own stream: the data does not depend on the threads. */
static void generate_rows(void *ctx, int part, int parts)
{
	struct gen_job *job = ctx;
	struct data *ds = job->ds;
	struct span s = share(ds->n, part, parts);
	for (size_t i = s.lo; i < s.hi; i++) {
		struct wl_rng rng;
		wl_rng_seed2(&rng, job->seed, STREAM_ROW(i));
		const double *centre = ds->blobs + (size_t)ds->truth[i] * ds->d;
		real *x = ds->x + i * ds->d;
		for (size_t f = 0; f < ds->d; f++)
			x[f] = (real)(centre[f] + job->std * wl_rng_normal(&rng));
	}
}

static void free_data(struct data *ds)
{
	free(ds->x);
	free(ds->truth);
	free(ds->blobs);
}

/* ---- The fit's state -------------------------------------------------------- */

/* A part's working space for assign_chunk. */
struct assign_scratch {
	float best_v[CHUNK_ROWS], second_v[CHUNK_ROWS]; /* the two best scores */
	int32_t best[CHUNK_ROWS];   /* the nearest centre by score */
	uint32_t close[CHUNK_ROWS]; /* rows whose best two scores are too close */
	double limit[CHUNK_ROWS];   /* their best score plus the margin */
};

struct fit {
	const struct data *ds;
	struct pool *pool;
	size_t n, d, k, nchunks;
	int max_iter;
	double tol;           /* absolute: tol × mean feature variance */
	double *xnorm;        /* n: ‖x‖² */
	double *xlen;         /* n: ‖x‖ */

	/* One run. */
	double *centres;      /* k × d */
	double *sums;         /* k × d: running sums of each cluster's rows */
	double *next;         /* k × d: the new centres */
	real *centres_r;      /* k × d: the centres as the gemm takes them */
	double *cnorm;        /* k: ‖c‖² of centres_r */
	float *cnorm_r;       /* k: the same rounded to float, for the scores */
	int32_t *labels;      /* n */
	int32_t *prev_labels; /* n: before this iteration's E step */
	size_t *counts;       /* k */
	size_t *part_counts;  /* parts × k */
	size_t *part_changed; /* parts */
	size_t *part_rechecked; /* parts */
	struct assign_scratch *scratch; /* parts */
	double margin_per_norm, margin_fixed; /* see set_margin */
	size_t block_rows;    /* rows per gemm: a multiple of CHUNK_ROWS, or n */
	real *cross;          /* k × rows of the block: −2 c·x */
	size_t block_lo, block_hi;

	/* k-means++ and the relocation of empty clusters. */
	size_t trials;        /* 2 + floor(ln k) */
	size_t *cand;         /* trials: candidate rows */
	size_t ncand;
	double *cand_norm;    /* trials */
	double *cand_margin;  /* trials: see candidate_cross */
	real *cand_r;         /* trials × d */
	real *cand_cross;     /* ncand × n */
	size_t cand_best;
	double *closest;      /* n: squared distance to the nearest chosen centre */
	double *cum;          /* n: running sum of closest */
	double *chunk_sum;    /* nchunks × trials */

	/* Sums of vectors: partial sums per stripe of rows. */
	size_t nstripes;
	double *partial;      /* nstripes × k × d (or × d) */
	size_t width;         /* of one partial: k × d or d */
	const double *mean;   /* d: what stripe_feature_sums subtracts, or NULL */
	double *feature_stat; /* d: means, then variances */

	/* What the benchmark wants to know. */
	double gemm_s, distance_s;
	size_t distance_steps;
	size_t relocations; /* empty clusters reseeded */
	size_t rechecked;   /* labels decided by exact distances */
};

static void fit_init(struct fit *f, const struct data *ds, const struct config *cfg, struct pool *pool)
{
	memset(f, 0, sizeof *f);
	f->ds = ds;
	f->pool = pool;
	f->n = ds->n;
	f->d = ds->d;
	f->k = cfg->clusters;
	f->max_iter = cfg->max_iter;
	f->nchunks = (f->n + CHUNK_ROWS - 1) / CHUNK_ROWS;
	f->trials = 2 + (size_t)wl_log((double)f->k);
	size_t n = f->n, d = f->d, k = f->k;
	f->xnorm = wl_malloc(wl_mul(n, sizeof(double)));
	f->xlen = wl_malloc(wl_mul(n, sizeof(double)));
	f->centres = wl_malloc(wl_mul(wl_mul(k, d), sizeof(double)));
	f->sums = wl_malloc(wl_mul(wl_mul(k, d), sizeof(double)));
	f->next = wl_malloc(wl_mul(wl_mul(k, d), sizeof(double)));
	f->centres_r = wl_malloc(wl_mul(wl_mul(k, d), sizeof(real)));
	f->cnorm = wl_malloc(wl_mul(k, sizeof(double)));
	f->cnorm_r = wl_malloc(wl_mul(k, sizeof(float)));
	f->labels = wl_malloc(wl_mul(n, sizeof(int32_t)));
	f->prev_labels = wl_malloc(wl_mul(n, sizeof(int32_t)));
	f->counts = wl_malloc(wl_mul(k, sizeof(size_t)));
	f->part_counts = wl_malloc(wl_mul(wl_mul((size_t)pool->parts, k), sizeof(size_t)));
	f->part_changed = wl_malloc(wl_mul((size_t)pool->parts, sizeof(size_t)));
	f->part_rechecked = wl_malloc(wl_mul((size_t)pool->parts, sizeof(size_t)));
	f->scratch = wl_malloc(wl_mul((size_t)pool->parts, sizeof *f->scratch));
	size_t rows = CROSS_BUDGET / sizeof(real) / k / CHUNK_ROWS * CHUNK_ROWS;
	f->block_rows = rows < CHUNK_ROWS ? CHUNK_ROWS : rows;
	if (f->block_rows > n)
		f->block_rows = n;
	f->cross = wl_malloc(wl_mul(wl_mul(f->block_rows, k), sizeof(real)));
	f->cand = wl_malloc(wl_mul(f->trials, sizeof(size_t)));
	f->cand_norm = wl_malloc(wl_mul(f->trials, sizeof(double)));
	f->cand_margin = wl_malloc(wl_mul(f->trials, sizeof(double)));
	f->cand_r = wl_malloc(wl_mul(wl_mul(f->trials, d), sizeof(real)));
	f->cand_cross = wl_malloc(wl_mul(wl_mul(n, f->trials), sizeof(real)));
	f->closest = wl_malloc(wl_mul(n, sizeof(double)));
	f->cum = wl_malloc(wl_mul(n, sizeof(double)));
	f->chunk_sum = wl_malloc(wl_mul(wl_mul(f->nchunks, f->trials), sizeof(double)));
	f->feature_stat = wl_malloc(wl_mul(d, sizeof(double)));
	/* Many stripes balance the threads; few keep the partials small. */
	f->nstripes = f->nchunks < STRIPES_MAX ? f->nchunks : STRIPES_MAX;
	while (f->nstripes > 1 && f->nstripes * k * d * sizeof(double) > PARTIAL_BUDGET)
		f->nstripes /= 2;
	f->partial = wl_malloc(wl_mul(wl_mul(f->nstripes, k > 1 ? k : 1), wl_mul(d, sizeof(double))));
}

static void fit_free(struct fit *f)
{
	free(f->xnorm);
	free(f->xlen);
	free(f->centres);
	free(f->sums);
	free(f->next);
	free(f->centres_r);
	free(f->cnorm);
	free(f->cnorm_r);
	free(f->labels);
	free(f->prev_labels);
	free(f->counts);
	free(f->part_counts);
	free(f->part_changed);
	free(f->part_rechecked);
	free(f->scratch);
	free(f->cross);
	free(f->cand);
	free(f->cand_norm);
	free(f->cand_margin);
	free(f->cand_r);
	free(f->cand_cross);
	free(f->closest);
	free(f->cum);
	free(f->chunk_sum);
	free(f->feature_stat);
	free(f->partial);
}

/* The sum of the first `stride`-strided column `col` of chunk_sum, in chunk order. */
static double chunk_total(const struct fit *f, size_t stride, size_t col)
{
	double s = 0;
	for (size_t c = 0; c < f->nchunks; c++)
		s += f->chunk_sum[c * stride + col];
	return s;
}

/* The chunks of a part, within rows [lo, hi) (lo a multiple of CHUNK_ROWS). */
static struct span chunk_share(size_t lo, size_t hi, int part, int parts)
{
	size_t first = lo / CHUNK_ROWS, last = (hi + CHUNK_ROWS - 1) / CHUNK_ROWS;
	struct span s = share(last - first, part, parts);
	s.lo += first;
	s.hi += first;
	return s;
}

static size_t chunk_end(const struct fit *f, size_t chunk)
{
	size_t end = (chunk + 1) * CHUNK_ROWS;
	return end < f->n ? end : f->n;
}

/* Sums of vectors (per cluster and feature) cut the rows into nstripes fixed
 * stripes, each summed into its own partial, and add the partials in stripe
 * order: the result does not depend on the threads, and each thread streams
 * its own rows (splitting the features among threads instead would have
 * every thread pull every row from memory). The rows of one stripe: */
static struct span stripe_rows(const struct fit *f, size_t stripe)
{
	return share(f->n, (int)stripe, (int)f->nstripes);
}

/* The stripes of a part. */
static struct span stripe_share(const struct fit *f, int part, int parts)
{
	return share(f->nstripes, part, parts);
}

/* out[w] (+)= Σ over stripes, in order, of partial[stripe][w], for this
 * part's share of the width. */
static void add_partials(struct fit *f, double *out, bool accumulate, int part, int parts)
{
	struct span s = share(f->width, part, parts);
	for (size_t w = s.lo; w < s.hi; w++) {
		double acc = 0;
		for (size_t b = 0; b < f->nstripes; b++)
			acc += f->partial[b * f->width + w];
		out[w] = accumulate ? out[w] + acc : acc;
	}
}

/* acc[m] += x[m] for m < d. */
static inline void add_row(double *restrict acc, const real *restrict x, size_t d)
{
	size_t m = 0;
	for (; m + FEATURE_UNIT <= d; m += FEATURE_UNIT)
		for (size_t u = 0; u < FEATURE_UNIT; u++)
			acc[m + u] += x[m + u];
	for (; m < d; m++)
		acc[m] += x[m];
}

/* acc[m] −= x[m] for m < d. */
static inline void sub_row(double *restrict acc, const real *restrict x, size_t d)
{
	size_t m = 0;
	for (; m + FEATURE_UNIT <= d; m += FEATURE_UNIT)
		for (size_t u = 0; u < FEATURE_UNIT; u++)
			acc[m + u] -= x[m + u];
	for (; m < d; m++)
		acc[m] -= x[m];
}

/* ‖x − c‖² in double: four partial sums (a fixed order), not one chain. */
static inline double dist_exact(const real *x, const double *c, size_t d)
{
	double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	size_t m = 0;
	for (; m + 4 <= d; m += 4) {
		double e0 = x[m] - c[m], e1 = x[m + 1] - c[m + 1], e2 = x[m + 2] - c[m + 2], e3 = x[m + 3] - c[m + 3];
		a0 += e0 * e0;
		a1 += e1 * e1;
		a2 += e2 * e2;
		a3 += e3 * e3;
	}
	for (; m < d; m++) {
		double e = x[m] - c[m];
		a0 += e * e;
	}
	return (a0 + a1) + (a2 + a3);
}

/* ---- Before the runs: norms and the tolerance -------------------------------- */

static void row_norms(void *ctx, int part, int parts)
{
	struct fit *f = ctx;
	struct span s = share(f->n, part, parts);
	for (size_t i = s.lo; i < s.hi; i++) {
		const real *x = f->ds->x + i * f->d;
		double acc = 0;
		for (size_t j = 0; j < f->d; j++)
			acc += (double)x[j] * x[j];
		f->xnorm[i] = acc;
		f->xlen[i] = sqrt(acc);
	}
}

/* partial[stripe][m] = Σ over the stripe's rows of x[m], or of
 * (x[m] − mean[m])² when f->mean is set. */
static void stripe_feature_sums(void *ctx, int part, int parts)
{
	struct fit *f = ctx;
	struct span s = stripe_share(f, part, parts);
	size_t d = f->d;
	for (size_t b = s.lo; b < s.hi; b++) {
		double *acc = f->partial + b * d;
		memset(acc, 0, d * sizeof *acc);
		struct span r = stripe_rows(f, b);
		for (size_t i = r.lo; i < r.hi; i++) {
			const real *x = f->ds->x + i * d;
			if (!f->mean) {
				add_row(acc, x, d);
				continue;
			}
			for (size_t m = 0; m < d; m++) {
				double e = x[m] - f->mean[m];
				acc[m] += e * e;
			}
		}
	}
}

static void feature_stat_total(void *ctx, int part, int parts)
{
	struct fit *f = ctx;
	add_partials(f, f->feature_stat, false, part, parts);
}

/* scikit-learn's _tolerance: tol × the mean of the per-feature variances
 * (two passes: the means, then the squared deviations). */
static double absolute_tolerance(struct fit *f, double tol)
{
	f->width = f->d;
	f->mean = NULL;
	pool_run(f->pool, stripe_feature_sums, f);
	pool_run(f->pool, feature_stat_total, f);
	for (size_t m = 0; m < f->d; m++)
		f->feature_stat[m] /= (double)f->n;
	double *mean = wl_malloc(wl_mul(f->d, sizeof(double)));
	memcpy(mean, f->feature_stat, f->d * sizeof(double));
	f->mean = mean;
	pool_run(f->pool, stripe_feature_sums, f);
	pool_run(f->pool, feature_stat_total, f);
	f->mean = NULL;
	free(mean);
	double total = 0;
	for (size_t m = 0; m < f->d; m++)
		total += f->feature_stat[m] / (double)f->n;
	return tol * total / (double)f->d;
}

/* ---- k-means++ --------------------------------------------------------------- */

/* cand_cross = −2 cand · Xᵀ (ncand × n): the big matrix on the right runs
 * faster in OpenBLAS than X · candᵀ (n × ncand), most with two threads. */
static void candidate_cross(struct fit *f)
{
	for (size_t t = 0; t < f->ncand; t++) {
		memcpy(f->cand_r + t * f->d, f->ds->x + f->cand[t] * f->d, f->d * sizeof(real));
		f->cand_norm[t] = f->xnorm[f->cand[t]];
		/* As set_margin: within this of 0 the sgemm's rounding could hide
		 * a zero distance (a row already chosen would be drawn again). */
		f->cand_margin[t] = 8 * 0x1p-24 * (double)f->d * f->xlen[f->cand[t]];
	}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)f->ncand, (int)f->n, (int)f->d, -2.0f, f->cand_r,
		    (int)f->d, f->ds->x, (int)f->d, 0.0f, f->cand_cross, (int)f->n);
}

static double row_dist_exact(const struct fit *f, size_t a, size_t b)
{
	const real *x = f->ds->x + a * f->d, *y = f->ds->x + b * f->d;
	double acc = 0;
	for (size_t m = 0; m < f->d; m++) {
		double e = (double)x[m] - y[m];
		acc += e * e;
	}
	return acc;
}

/* Squared distance of row i to candidate t: from the sgemm, or exactly when
 * it is so small that rounding matters. The same wherever it is used. */
static inline double candidate_dist(const struct fit *f, size_t i, size_t t)
{
	double v = f->xnorm[i] + f->cand_norm[t] + (double)f->cand_cross[t * f->n + i];
	if (v <= f->cand_margin[t] * f->xlen[i])
		return row_dist_exact(f, i, f->cand[t]);
	return v;
}

/* chunk_sum[c][t] = Σ over chunk c of min(closest, distance to candidate t). */
static void candidate_potentials(void *ctx, int part, int parts)
{
	struct fit *f = ctx;
	struct span s = chunk_share(0, f->n, part, parts);
	for (size_t c = s.lo; c < s.hi; c++) {
		double *acc = f->chunk_sum + c * f->ncand;
		for (size_t t = 0; t < f->ncand; t++)
			acc[t] = 0;
		for (size_t i = c * CHUNK_ROWS; i < chunk_end(f, c); i++)
			for (size_t t = 0; t < f->ncand; t++) {
				double v = candidate_dist(f, i, t);
				acc[t] += v < f->closest[i] ? v : f->closest[i];
			}
	}
}

static void take_candidate(void *ctx, int part, int parts)
{
	struct fit *f = ctx;
	struct span s = share(f->n, part, parts);
	for (size_t i = s.lo; i < s.hi; i++) {
		double v = candidate_dist(f, i, f->cand_best);
		if (v < f->closest[i])
			f->closest[i] = v;
	}
}

/* Tries the candidates in cand[]; keeps the one giving the lowest potential
 * (the first of equals) as centre c and returns that potential. */
static double choose_candidate(struct fit *f, size_t c)
{
	candidate_cross(f);
	pool_run(f->pool, candidate_potentials, f);
	double best_pot = INFINITY;
	for (size_t t = 0; t < f->ncand; t++) {
		double pot = chunk_total(f, f->ncand, t);
		if (pot < best_pot) {
			best_pot = pot;
			f->cand_best = t;
		}
	}
	pool_run(f->pool, take_candidate, f);
	const real *x = f->ds->x + f->cand[f->cand_best] * f->d;
	for (size_t j = 0; j < f->d; j++)
		f->centres[c * f->d + j] = x[j];
	return best_pot;
}

/* The first row whose running sum reaches r (numpy's searchsorted, left). */
static size_t search_running_sum(const double *cum, size_t n, double r)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cum[mid] < r)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? lo : n - 1;
}

/* Greedy k-means++: the first centre a uniform row; each next one the best
 * of `trials` rows drawn with probability proportional to their squared
 * distance to the nearest centre so far. */
static void seed_centres(struct fit *f, struct wl_rng *rng)
{
	for (size_t i = 0; i < f->n; i++)
		f->closest[i] = INFINITY;
	f->ncand = 1;
	f->cand[0] = (size_t)wl_rng_below(rng, f->n);
	double pot = choose_candidate(f, 0);
	for (size_t c = 1; c < f->k; c++) {
		double run = 0;
		for (size_t i = 0; i < f->n; i++)
			f->cum[i] = run += f->closest[i];
		f->ncand = f->trials;
		for (size_t t = 0; t < f->trials; t++)
			f->cand[t] = search_running_sum(f->cum, f->n, wl_rng_uniform(rng) * pot);
		pot = choose_candidate(f, c);
	}
}

/* ---- Lloyd ------------------------------------------------------------------- */

/* Row i's float score for centre j, ‖c̃‖² − 2x·c̃ (see set_margin); cross
 * points at the row's column of the cross terms. */
static inline float score(const struct fit *f, const real *cross, size_t rows, size_t j)
{
	return cross[j * rows] + f->cnorm_r[j];
}

/* The nearest centre of row i by exact distances in double (the first of
 * equals), among the centres whose score is at most limit: the others are
 * certainly farther. */
static int32_t nearest_exact(const struct fit *f, size_t i, const real *cross, size_t rows, double limit)
{
	const real *x = f->ds->x + i * f->d;
	int32_t best = 0;
	double best_v = INFINITY;
	for (size_t j = 0; j < f->k; j++) {
		if (score(f, cross, rows, j) > limit)
			continue;
		double v = dist_exact(x, f->centres + j * f->d, f->d);
		if (v < best_v) {
			best_v = v;
			best = (int32_t)j;
		}
	}
	return best;
}

/* How far apart the two best float scores of a row must be for the order to
 * be certain; closer, nearest_exact decides among the close ones. A score is
 * fl(−2x·c̃ + ‖c̃‖²) with c̃ the centre rounded to float, x·c̃ from sgemm and
 * ‖c̃‖² rounded to float. With u = 2^-24 and C the largest ‖c‖ it is off the
 * exact ‖x − c‖² − ‖x‖² by at most 2du‖x‖C (the sgemm, any summation order)
 * + 2u(‖x‖ + C)C (the rounding of c) + uC² (of ‖c̃‖²) + u(2‖x‖C + C²) (of
 * the sum) = 2uC((d + 2)‖x‖ + 2C). Twice that for two scores, and twice
 * again for safety: margin = 8uC((d + 2)‖x‖ + 2C). */
static void set_margin(struct fit *f)
{
	double cmax2 = 0;
	for (size_t j = 0; j < f->k; j++)
		cmax2 = f->cnorm[j] > cmax2 ? f->cnorm[j] : cmax2;
	double u = 0x1p-24, c = sqrt(cmax2);
	f->margin_per_norm = 8 * u * c * (double)(f->d + 2);
	f->margin_fixed = 16 * u * c * c;
}

/* Four rows at a time through gcc's vector extension (plain C loops are not
 * vectorised at -O2): a comparison gives a mask and masks choose, without a
 * branch, for which centre wins is a coin toss on a blob that two centres
 * share. Scores are float, four to a 16-byte vector. */
typedef float f32x4 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
_Static_assert(sizeof(real) == sizeof(float), "the vector code takes real to be float");

static inline f32x4 load4(const float *p)
{
	f32x4 v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* mask ? a : b, lane by lane (mask lanes all ones or all zeros). */
static inline f32x4 choose4(i32x4 mask, f32x4 a, f32x4 b)
{
	return (f32x4)(((i32x4)a & mask) | ((i32x4)b & ~mask));
}

/* The best and second-best scores and the best centre (the first of equals)
 * of rows [i, i + 4) of the chunk, into the scratch. */
static inline void best_two4(const struct fit *f, const real *cross, size_t rows, size_t i,
			     struct assign_scratch *sc)
{
	f32x4 best_v = load4(cross + i) + f->cnorm_r[0], second_v = { INFINITY, INFINITY, INFINITY, INFINITY };
	i32x4 best = { 0, 0, 0, 0 };
	for (size_t j = 1; j < f->k; j++) {
		f32x4 v = load4(cross + j * rows + i) + f->cnorm_r[j];
		i32x4 lower = v < best_v;
		f32x4 hi = choose4(lower, best_v, v);
		second_v = choose4(hi < second_v, hi, second_v);
		best = (lower & (int32_t)j) | (~lower & best);
		best_v = choose4(lower, v, best_v);
	}
	memcpy(sc->best_v + i, &best_v, sizeof best_v);
	memcpy(sc->second_v + i, &second_v, sizeof second_v);
	memcpy(sc->best + i, &best, sizeof best);
}

/* The same for one row, in the same float operations. */
static inline void best_two1(const struct fit *f, const real *cross, size_t rows, size_t i,
			     struct assign_scratch *sc)
{
	float best_v = score(f, cross + i, rows, 0), second_v = INFINITY;
	int32_t best = 0;
	for (size_t j = 1; j < f->k; j++) {
		float v = score(f, cross + i, rows, j);
		bool lower = v < best_v;
		float hi = lower ? best_v : v;
		second_v = hi < second_v ? hi : second_v;
		best = lower ? (int32_t)j : best;
		best_v = lower ? v : best_v;
	}
	sc->best_v[i] = best_v;
	sc->second_v[i] = second_v;
	sc->best[i] = best;
}

/* Labels of the rows of one chunk: the nearest centre (the first of equals).
 * Returns how many labels changed; adds to counts. */
static size_t assign_chunk(struct fit *f, size_t chunk, struct assign_scratch *sc, size_t *counts,
			   size_t *rechecked)
{
	size_t lo = chunk * CHUNK_ROWS, len = chunk_end(f, chunk) - lo, rows = f->block_hi - f->block_lo;
	const real *cross = f->cross + (lo - f->block_lo);
	size_t i = 0;
	for (; i + 4 <= len; i += 4)
		best_two4(f, cross, rows, i, sc);
	for (; i < len; i++)
		best_two1(f, cross, rows, i, sc);
	size_t close = 0;
	for (i = 0; i < len; i++) {
		double limit = (double)sc->best_v[i] + f->margin_per_norm * f->xlen[lo + i] + f->margin_fixed;
		if (sc->second_v[i] <= limit) { /* too close to call */
			sc->close[close] = (uint32_t)i;
			sc->limit[close++] = limit;
		}
	}
	/* The close rows decided exactly. Their data is not in cache and they
	 * are scattered, so it is fetched a few rows ahead. */
	for (size_t t = 0; t < close; t++) {
		if (t + PREFETCH_ROWS < close) {
			const char *ahead = (const char *)(f->ds->x + (lo + sc->close[t + PREFETCH_ROWS]) * f->d);
			for (size_t byte = 0; byte < f->d * sizeof(real); byte += 64)
				__builtin_prefetch(ahead + byte);
		}
		i = sc->close[t];
		sc->best[i] = nearest_exact(f, lo + i, cross + i, rows, sc->limit[t]);
	}
	*rechecked += close;
	size_t changed = 0;
	for (i = 0; i < len; i++) {
		changed += f->labels[lo + i] != sc->best[i];
		f->labels[lo + i] = sc->best[i];
		counts[sc->best[i]]++;
	}
	return changed;
}

/* The chunks of the current block that are this part's. */
static void assign_block(void *ctx, int part, int parts)
{
	struct fit *f = ctx;
	struct span s = chunk_share(f->block_lo, f->block_hi, part, parts);
	size_t changed = 0, rechecked = 0;
	for (size_t c = s.lo; c < s.hi; c++)
		changed += assign_chunk(f, c, &f->scratch[part], f->part_counts + (size_t)part * f->k, &rechecked);
	f->part_changed[part] += changed;
	f->part_rechecked[part] += rechecked;
}

/* The E step: every row labelled with its nearest centre; fills counts and
 * returns how many labels changed. */
static size_t assign_labels(struct fit *f)
{
	size_t k = f->k, d = f->d;
	for (size_t j = 0; j < k; j++) {
		double acc = 0;
		for (size_t m = 0; m < d; m++) {
			real v = (real)f->centres[j * d + m];
			f->centres_r[j * d + m] = v;
			acc += (double)v * v;
		}
		f->cnorm[j] = acc;
		f->cnorm_r[j] = (float)acc;
	}
	set_margin(f);
	memset(f->part_counts, 0, (size_t)f->pool->parts * k * sizeof *f->part_counts);
	memset(f->part_changed, 0, (size_t)f->pool->parts * sizeof *f->part_changed);
	memset(f->part_rechecked, 0, (size_t)f->pool->parts * sizeof *f->part_rechecked);
	double t0 = wl_now(), gemm_s = 0;
	for (f->block_lo = 0; f->block_lo < f->n; f->block_lo = f->block_hi) {
		f->block_hi = f->block_lo + f->block_rows < f->n ? f->block_lo + f->block_rows : f->n;
		double g0 = wl_now();
		int rows = (int)(f->block_hi - f->block_lo);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)k, rows, (int)d, -2.0f, f->centres_r, (int)d,
			    f->ds->x + f->block_lo * d, (int)d, 0.0f, f->cross, rows);
		gemm_s += wl_now() - g0;
		pool_run(f->pool, assign_block, f);
	}
	f->gemm_s += gemm_s;
	f->distance_s += wl_now() - t0;
	f->distance_steps++;
	size_t changed = 0;
	for (size_t j = 0; j < k; j++)
		f->counts[j] = 0;
	for (int p = 0; p < f->pool->parts; p++) {
		changed += f->part_changed[p];
		f->rechecked += f->part_rechecked[p];
		for (size_t j = 0; j < k; j++)
			f->counts[j] += f->part_counts[(size_t)p * k + j];
	}
	return changed;
}

/* partial[stripe] = what the clusters' sums gain from the stripe's rows
 * whose label changed: +x at the new label, −x at the old. After the first
 * iterations few labels change, so this reads few rows of the data, where
 * summing every row anew would read them all. */
static void stripe_label_deltas(void *ctx, int part, int parts)
{
	struct fit *f = ctx;
	struct span s = stripe_share(f, part, parts);
	size_t d = f->d;
	for (size_t b = s.lo; b < s.hi; b++) {
		double *acc = f->partial + b * f->width;
		memset(acc, 0, f->width * sizeof *acc);
		struct span r = stripe_rows(f, b);
		for (size_t i = r.lo; i < r.hi; i++) {
			int32_t now = f->labels[i], was = f->prev_labels[i];
			if (now == was)
				continue;
			add_row(acc + (size_t)now * d, f->ds->x + i * d, d);
			if (was >= 0)
				sub_row(acc + (size_t)was * d, f->ds->x + i * d, d);
		}
	}
}

static void label_sums_update(void *ctx, int part, int parts)
{
	struct fit *f = ctx;
	add_partials(f, f->sums, true, part, parts);
}

/* closest[i] = ‖x_i − centres[label_i]‖², exactly. */
static void distance_to_own_centre(void *ctx, int part, int parts)
{
	struct fit *f = ctx;
	struct span s = share(f->n, part, parts);
	for (size_t i = s.lo; i < s.hi; i++) {
		const real *x = f->ds->x + i * f->d;
		f->closest[i] = dist_exact(x, f->centres + (size_t)f->labels[i] * f->d, f->d);
	}
}

/* As scikit-learn: each empty cluster (in order) takes the next of the rows
 * farthest from their centres, which leaves its own cluster. Unlike
 * scikit-learn the row's label follows it, as the running sums need.
 * Returns how many clusters were reseeded. */
static size_t relocate_empty_clusters(struct fit *f)
{
	size_t empty = 0;
	for (size_t j = 0; j < f->k; j++)
		empty += f->counts[j] == 0;
	if (empty == 0)
		return 0;
	f->relocations += empty;
	pool_run(f->pool, distance_to_own_centre, f);
	for (size_t j = 0; j < f->k; j++) {
		if (f->counts[j] != 0)
			continue;
		/* The farthest row not yet moved (the first of equals). */
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < f->n; i++)
			if (f->closest[i] >= 0 && (best == SIZE_MAX || f->closest[i] > f->closest[best]))
				best = i;
		f->closest[best] = -1; /* taken */
		size_t from = (size_t)f->labels[best];
		const real *x = f->ds->x + best * f->d;
		for (size_t m = 0; m < f->d; m++) {
			f->sums[from * f->d + m] -= x[m];
			f->sums[j * f->d + m] = x[m];
		}
		f->counts[from]--;
		f->counts[j] = 1;
		f->labels[best] = (int32_t)j;
	}
	return empty;
}

/* The M step: the running sums follow the labels that changed, centres =
 * sums / counts; returns Σ‖new − old‖² and sets *relocated to the empty
 * clusters reseeded. A cluster left with no row keeps its centre (no
 * division by zero). */
static double update_centres(struct fit *f, size_t *relocated)
{
	f->width = f->k * f->d;
	pool_run(f->pool, stripe_label_deltas, f);
	pool_run(f->pool, label_sums_update, f);
	*relocated = relocate_empty_clusters(f);
	double shift = 0;
	for (size_t j = 0; j < f->k; j++) {
		const double *sum = f->sums + j * f->d, *old = f->centres + j * f->d;
		double *next = f->next + j * f->d;
		for (size_t m = 0; m < f->d; m++) {
			next[m] = f->counts[j] ? sum[m] / (double)f->counts[j] : old[m];
			shift += (next[m] - old[m]) * (next[m] - old[m]);
		}
	}
	double *t = f->centres;
	f->centres = f->next;
	f->next = t;
	return shift;
}

/* chunk_sum[c] = Σ over chunk c of ‖x − centre[label]‖², in double. */
static void chunk_inertia(void *ctx, int part, int parts)
{
	struct fit *f = ctx;
	struct span s = chunk_share(0, f->n, part, parts);
	for (size_t c = s.lo; c < s.hi; c++) {
		double acc = 0;
		for (size_t i = c * CHUNK_ROWS; i < chunk_end(f, c); i++)
			acc += dist_exact(f->ds->x + i * f->d, f->centres + (size_t)f->labels[i] * f->d, f->d);
		f->chunk_sum[c] = acc;
	}
}

static double inertia(struct fit *f)
{
	pool_run(f->pool, chunk_inertia, f);
	return chunk_total(f, 1, 0);
}

/* One run of Lloyd from the seeded centres, as scikit-learn's
 * _kmeans_single_lloyd: stops when no label changed (strict convergence) or
 * when the centres moved by at most the tolerance; in the second case the
 * labels are recomputed for the final centres. Returns the iterations. */
static int lloyd(struct fit *f)
{
	for (size_t i = 0; i < f->n; i++)
		f->labels[i] = -1;
	memset(f->sums, 0, f->k * f->d * sizeof *f->sums);
	int iter;
	bool strict = false;
	for (iter = 1; iter <= f->max_iter; iter++) {
		memcpy(f->prev_labels, f->labels, f->n * sizeof *f->labels);
		size_t changed = assign_labels(f), relocated;
		double shift = update_centres(f, &relocated);
		if (changed + relocated == 0) {
			strict = true;
			break;
		}
		if (shift <= f->tol)
			break;
	}
	if (iter > f->max_iter)
		iter = f->max_iter;
	if (!strict)
		assign_labels(f);
	return iter;
}

/* ---- The fit: the best of n_init runs ------------------------------------- */

struct result {
	double inertia;
	int iterations;       /* of the best run */
	long iterations_total;
	int32_t *labels;      /* n */
	double *centres;      /* k × d */
};

/* Fills res (the caller frees its labels and centres); f comes from fit_init. */
static void fit_kmeans(struct result *res, struct fit *f, const struct config *cfg)
{
	pool_run(f->pool, row_norms, f);
	f->tol = absolute_tolerance(f, cfg->tol);
	res->inertia = INFINITY;
	res->iterations = 0;
	res->iterations_total = 0;
	res->labels = wl_malloc(wl_mul(f->n, sizeof(int32_t)));
	res->centres = wl_malloc(wl_mul(wl_mul(f->k, f->d), sizeof(double)));
	for (int run = 0; run < cfg->n_init; run++) {
		struct wl_rng rng;
		wl_rng_seed2(&rng, cfg->seed, STREAM_SEEDING(run));
		seed_centres(f, &rng);
		int iters = lloyd(f);
		double in = inertia(f);
		res->iterations_total += iters;
		if (in < res->inertia) {
			res->inertia = in;
			res->iterations = iters;
			memcpy(res->labels, f->labels, f->n * sizeof(int32_t));
			memcpy(res->centres, f->centres, f->k * f->d * sizeof(double));
		}
	}
}

/* ---- The dump ------------------------------------------------------------------
 *
 * --dump FILE writes, version 1:
 *   one ASCII line "bt-kmeans-dump 1 samples N features D clusters K dtype float32\n",
 *   then, in the machine's byte order (little-endian on x86-64), unpadded:
 *     data     N × D float32, row-major: exactly the values the fit used
 *     truth    N int32: the blob each row was drawn from
 *     labels   N int32: the cluster found for each row (best run)
 *     centres  K × D float64, row-major: the centres found
 * In numpy: header = f.readline(); then np.fromfile(f, dtype, count) in turn. */
static void write_dump(const char *path, const struct data *ds, const struct result *res, size_t k)
{
	FILE *out = fopen(path, "wb");
	if (!out)
		wl_fail("cannot create the dump file %s: %s", path, strerror(errno));
	fprintf(out, "bt-kmeans-dump 1 samples %zu features %zu clusters %zu dtype %s\n", ds->n, ds->d, k, REAL_NAME);
	size_t nd = ds->n * ds->d;
	bool ok = fwrite(ds->x, sizeof(real), nd, out) == nd && fwrite(ds->truth, 4, ds->n, out) == ds->n &&
		  fwrite(res->labels, 4, ds->n, out) == ds->n &&
		  fwrite(res->centres, sizeof(double), k * ds->d, out) == k * ds->d;
	int err = errno;
	if (fclose(out) != 0 && ok) {
		ok = false;
		err = errno;
	}
	if (!ok)
		wl_fail("cannot write the dump file %s: %s", path, strerror(err));
}

/* ---- Main ---------------------------------------------------------------------- */

/* CPU seconds of the whole process (every thread) so far. */
static double process_cpu_s(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return NAN; /* not reported then */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const struct config *cfg, const struct result *res, const struct fit *f, double fit_s,
		   double fit_cpu_s)
{
	char text[160];
	snprintf(text, sizeof text, "%zu x %zu %s, %zu blobs; k %zu", cfg->samples, cfg->features, REAL_NAME,
		 cfg->centers, cfg->clusters);
	wl_info("data", text);
	wl_info("openblas_core", openblas_get_corename());
	wl_info("openblas_config", openblas_get_config());
	wl_metric("time", fit_s, "s");
	/* CPU time of the fit: with the wall time it shows threads that wait
	 * (or spin, as OpenBLAS's do between calls). */
	wl_metric("cpu_time", fit_cpu_s, "s");
	wl_metric("iterations", res->iterations, "");
	wl_metric("inertia", res->inertia, "");
	wl_metric("n_init", cfg->n_init, "");
	wl_metric("threads", cfg->threads, "");
	wl_metric("iterations_total", (double)res->iterations_total, "");
	wl_metric("empty_clusters", (double)f->relocations, "");
	wl_metric("rows_rechecked", (double)f->rechecked, "");
	/* The distance step (gemm and nearest centre) over all runs, and the
	 * gemm alone, for the benchmark's comparison with bare sgemm. */
	wl_metric("distance_steps", (double)f->distance_steps, "");
	wl_metric("distance_time", f->distance_s, "s");
	wl_metric("gemm_time", f->gemm_s, "s");
}

int main(int argc, char **argv)
{
	wl_init(argv[0]);
	struct config cfg = {
		.samples = 100000,
		.features = 128,
		.centers = 3,
		.cluster_std = 1.0,
		.clusters = 5,
		.n_init = 10,
		.max_iter = 300,
		.tol = 1e-4,
		.seed = 42,
		.threads = wl_effective_cpus(),
		.dump = NULL,
	};
	parse_options(argc, argv, &cfg);
	wl_options_done();
	openblas_set_num_threads(cfg.threads);
	struct pool *pool = pool_new(cfg.threads);

	struct data ds;
	wl_phase("generate");
	generate_data(&ds, &cfg, pool);

	wl_phase("fit");
	struct fit f;
	struct result res;
	double t0 = wl_now(), cpu0 = process_cpu_s();
	fit_init(&f, &ds, &cfg, pool);
	fit_kmeans(&res, &f, &cfg);
	double fit_s = wl_now() - t0, fit_cpu_s = process_cpu_s() - cpu0;

	if (cfg.dump) {
		wl_phase("dump");
		write_dump(cfg.dump, &ds, &res, cfg.clusters);
	}
	report(&cfg, &res, &f, fit_s, fit_cpu_s);
	fit_free(&f);
	free(res.labels);
	free(res.centres);
	free_data(&ds);
	pool_free(pool);
	wl_finish();
	return 0;
}
