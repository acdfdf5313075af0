/* bt-micro — libc micro-benchmarks: the operations where glibc and musl
 * really differ. Small-block malloc/free (from several threads and from one),
 * memcpy/memset/strlen across sizes, qsort, exp/log/pow/sin, thread
 * create+join, and formatting doubles with snprintf (and reading them back
 * with strtod). Built from this one source against glibc and, statically,
 * against musl, so two runs compare the C libraries and nothing else.
 *
 * Every metric is a rate in ops/s (calls per second; for the sized string
 * cases bytes/s = ops/s x the size in the metric's name). Each case runs for
 * about --seconds, split evenly over its metrics; a metric's loop is
 * calibrated (a chunk of operations lasting about 1/32 of its time), then
 * timed over whole chunks, bounded in time and in count. Every result is
 * consumed (a volatile sink or a compiler barrier), so -O2 deletes nothing. */
#include "wl.h"

#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char about[] =
	"libc micro-benchmarks (malloc, memcpy/memset/strlen by size, qsort, libm, "
	"threads, snprintf); every metric in ops/s";

static const struct wl_param params[] = {
	{ "case", "all",
	  "cases to run, comma-separated: malloc1,memcpy,memset,strlen,qsort,math,snprintf,malloc,thread or all",
	  true },
	{ "seconds", "1.0", "about how long each case runs, split evenly over its metrics" },
	{ "threads", "auto", "threads of the malloc case: a count or auto (the effective CPUs)" },
	{ "seed", "42", "seed of the random inputs (sizes, sort keys, math arguments)" },
	{ NULL, NULL, NULL, false },
};

struct config {
	double seconds;
	int threads;
	uint64_t seed;
};

/* Results land here so that no measured call is dead code. */
static volatile uint64_t sink_u;
static volatile double sink_d;

/* Tells the compiler that memory behind p was read and may have changed:
 * every call before it must happen, none after it may be merged with one
 * before it or hoisted out of the loop. */
static inline void barrier(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* ---- Measuring ----------------------------------------------------------- */

/* A benchmark body: performs n operations on ctx. */
typedef void (*ops_fn)(void *ctx, uint64_t n);

#define CHUNK_FRACTION 32     /* a calibrated chunk lasts about budget / 32 */
#define MAX_CHUNK (1ull << 32) /* operations in one chunk */
#define MAX_CHUNKS 4096        /* chunks in one timed run */

struct timed {
	uint64_t ops;
	double secs;
};

/* The number of operations that take about budget / CHUNK_FRACTION (at
 * least 1), found by doubling; the runs double as warm-up. */
static uint64_t calibrate(ops_fn fn, void *ctx, double budget)
{
	uint64_t n = 1;
	for (;;) {
		double t0 = wl_now();
		fn(ctx, n);
		if (wl_now() - t0 >= budget / CHUNK_FRACTION || n >= MAX_CHUNK)
			return n;
		n *= 2;
	}
}

/* Runs whole chunks until budget seconds have passed (at most MAX_CHUNKS). */
static struct timed run_timed(ops_fn fn, void *ctx, uint64_t chunk, double budget)
{
	struct timed r = { 0, 0 };
	double t0 = wl_now();
	for (int i = 0; i < MAX_CHUNKS && r.secs < budget; i++) {
		fn(ctx, chunk);
		r.ops += chunk;
		r.secs = wl_now() - t0;
	}
	if (r.secs <= 0)
		r.secs = 1e-9; /* a clock that did not move: still a finite rate */
	return r;
}

/* Operations per second of fn on this thread, over about budget seconds. */
static double measure(ops_fn fn, void *ctx, double budget)
{
	struct timed r = run_timed(fn, ctx, calibrate(fn, ctx, budget), budget);
	return (double)r.ops / r.secs;
}

struct worker {
	pthread_t tid;
	pthread_barrier_t *start;
	ops_fn fn;
	void *ctx;
	double budget;
	struct timed result;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t chunk = calibrate(w->fn, w->ctx, w->budget);
	pthread_barrier_wait(w->start); /* the timed runs overlap */
	w->result = run_timed(w->fn, w->ctx, chunk, w->budget);
	return NULL;
}

/* Total operations per second of fn run on n threads at once, thread i on
 * ctxs[i]: all operations over the longest thread's time. */
static double measure_parallel(ops_fn fn, void **ctxs, int n, double budget)
{
	struct worker *w = wl_calloc((size_t)n, sizeof *w);
	pthread_barrier_t start;
	if (pthread_barrier_init(&start, NULL, (unsigned)n))
		wl_fail("cannot create a thread barrier");
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ .start = &start, .fn = fn, .ctx = ctxs[i], .budget = budget };
		int err = pthread_create(&w[i].tid, NULL, worker_main, &w[i]);
		if (err)
			wl_fail("cannot start thread %d of %d (%s)", i + 1, n, strerror(err));
	}
	uint64_t ops = 0;
	double secs = 1e-9;
	for (int i = 0; i < n; i++) { /* combined in thread order */
		pthread_join(w[i].tid, NULL);
		ops += w[i].result.ops;
		if (w[i].result.secs > secs)
			secs = w[i].result.secs;
	}
	pthread_barrier_destroy(&start);
	free(w);
	return (double)ops / secs;
}

/* ---- Reporting ----------------------------------------------------------- */

/* "12.3 M" style: value with an SI prefix, 4 significant digits. */
static void si(char *buf, size_t n, double v)
{
	static const char prefix[] = " kMGTP";
	int i = 0;
	while (v >= 1000 && i < 5) {
		v /= 1000;
		i++;
	}
	snprintf(buf, n, "%.4g %c", v, prefix[i]);
}

static void table_header(const struct config *cfg)
{
	if (wl_under_benchtop())
		return;
	printf("bt-micro on %s: %.3g s per case, %d malloc threads, seed %llu\n", wl_libc(),
	       cfg->seconds, cfg->threads, (unsigned long long)cfg->seed);
	printf("%-16s %12s %12s %14s\n", "name", "ops/s", "ns/op", "bytes/s");
	fflush(stdout);
}

/* One metric: a protocol line (or summary entry) and, by hand, a table row.
 * bytes is the size one operation handles, 0 where no size applies. */
static void report(const char *metric, double ops_per_s, size_t bytes)
{
	wl_metric(metric, ops_per_s, "ops/s");
	if (wl_under_benchtop())
		return;
	char rate[32], bw[32] = "";
	si(rate, sizeof rate, ops_per_s);
	if (bytes) {
		si(bw, sizeof bw, ops_per_s * (double)bytes);
		strcat(bw, "B/s");
	}
	printf("%-16s %12s %12.1f %14s\n", metric, rate, 1e9 / ops_per_s, bw);
	fflush(stdout);
}

/* ---- malloc, malloc1 ----------------------------------------------------- */

/* A ring of live blocks; each operation frees a randomly chosen one and
 * allocates a block of a random size in its place, so frees come in no
 * stack or queue order. The plan of slots and sizes is drawn once. */
#define RING 1024 /* live blocks per thread */
#define PLAN 4096 /* steps before the plan repeats (a power of two) */

struct alloc_ctx {
	void *ring[RING];
	uint16_t slot[PLAN];
	uint16_t size[PLAN];
	uint64_t step;
};

static void alloc_ops(void *arg, uint64_t n)
{
	struct alloc_ctx *a = arg;
	uint64_t step = a->step;
	for (uint64_t i = 0; i < n; i++, step++) {
		unsigned k = (unsigned)(step & (PLAN - 1));
		void **b = &a->ring[a->slot[k]];
		free(*b);
		*b = malloc(a->size[k]);
		if (!*b)
			wl_fail("out of memory in the malloc case");
		*(unsigned char *)*b = (unsigned char)step; /* a block that is used */
	}
	a->step = step;
}

/* Sizes from 16 to 1024 bytes, log-uniform (as many below 64 as above 256). */
static uint16_t block_size(struct wl_rng *r)
{
	unsigned lo = 16u << wl_rng_below(r, 6); /* 16 .. 512 */
	return (uint16_t)(lo + wl_rng_below(r, lo + 1));
}

static struct alloc_ctx *alloc_ctx_new(uint64_t seed, uint64_t stream)
{
	struct alloc_ctx *a = wl_calloc(1, sizeof *a);
	struct wl_rng r;
	wl_rng_seed2(&r, seed, stream);
	for (int k = 0; k < PLAN; k++) {
		a->slot[k] = (uint16_t)wl_rng_below(&r, RING);
		a->size[k] = block_size(&r);
	}
	for (int i = 0; i < RING; i++)
		a->ring[i] = wl_malloc(block_size(&r));
	return a;
}

static void alloc_ctx_free(struct alloc_ctx *a)
{
	for (int i = 0; i < RING; i++)
		free(a->ring[i]);
	free(a);
}

static void case_malloc1(const struct config *cfg)
{
	struct alloc_ctx *a = alloc_ctx_new(cfg->seed, 0);
	report("malloc1", measure(alloc_ops, a, cfg->seconds), 0);
	alloc_ctx_free(a);
}

static void case_malloc(const struct config *cfg)
{
	void **ctxs = wl_calloc((size_t)cfg->threads, sizeof *ctxs);
	for (int i = 0; i < cfg->threads; i++)
		ctxs[i] = alloc_ctx_new(cfg->seed, (uint64_t)i);
	report("malloc", measure_parallel(alloc_ops, ctxs, cfg->threads, cfg->seconds), 0);
	for (int i = 0; i < cfg->threads; i++)
		alloc_ctx_free(ctxs[i]);
	free(ctxs);
}

/* ---- memcpy, memset, strlen ---------------------------------------------- */

static const size_t mem_sizes[] = { 16, 256, 4096, 65536, 1048576 };
static const char *const mem_size_names[] = { "16", "256", "4k", "64k", "1m" };
#define NSIZES (sizeof mem_sizes / sizeof mem_sizes[0])
#define MEM_MAX 1048576

struct mem_ctx {
	unsigned char *dst, *src; /* MEM_MAX + 1 bytes each, 64-byte aligned */
	size_t len;               /* read from memory each call: never a constant */
};

static void memcpy_ops(void *arg, uint64_t n)
{
	struct mem_ctx *m = arg;
	for (uint64_t i = 0; i < n; i++) {
		memcpy(m->dst, m->src, m->len);
		barrier(m->dst);
	}
}

static void memset_ops(void *arg, uint64_t n)
{
	struct mem_ctx *m = arg;
	for (uint64_t i = 0; i < n; i++) {
		memset(m->dst, (int)(i & 0x7f), m->len);
		barrier(m->dst);
	}
}

/* src holds a string of m->len non-zero bytes (see case_strlen). */
static void strlen_ops(void *arg, uint64_t n)
{
	struct mem_ctx *m = arg;
	uint64_t total = 0;
	for (uint64_t i = 0; i < n; i++) {
		total += strlen((const char *)m->src);
		barrier(m->src);
	}
	sink_u += total;
}

/* Both buffers aligned alike for both libcs (malloc's own alignment of a
 * 1 MiB block differs), filled with random non-zero bytes. */
static void mem_ctx_init(struct mem_ctx *m, uint64_t seed)
{
	void *d, *s;
	if (posix_memalign(&d, 64, MEM_MAX + 1) || posix_memalign(&s, 64, MEM_MAX + 1))
		wl_fail("out of memory for the string buffers");
	m->dst = d;
	m->src = s;
	struct wl_rng r;
	wl_rng_seed2(&r, seed, 1);
	for (size_t i = 0; i <= MEM_MAX; i++) {
		m->src[i] = (unsigned char)(1 + wl_rng_below(&r, 255));
		m->dst[i] = (unsigned char)i;
	}
}

/* One metric per size, e.g. memcpy_4k, each with an equal share of time. */
static void mem_case(const char *name, ops_fn fn, const struct config *cfg)
{
	struct mem_ctx m;
	mem_ctx_init(&m, cfg->seed);
	for (size_t i = 0; i < NSIZES; i++) {
		m.len = mem_sizes[i];
		unsigned char saved = m.src[m.len];
		m.src[m.len] = '\0'; /* strlen's terminator; memcpy and memset ignore it */
		char metric[32];
		snprintf(metric, sizeof metric, "%s_%s", name, mem_size_names[i]);
		report(metric, measure(fn, &m, cfg->seconds / NSIZES), m.len);
		m.src[m.len] = saved;
	}
	free(m.dst);
	free(m.src);
}

static void case_memcpy(const struct config *cfg)
{
	mem_case("memcpy", memcpy_ops, cfg);
}

static void case_memset(const struct config *cfg)
{
	mem_case("memset", memset_ops, cfg);
}

static void case_strlen(const struct config *cfg)
{
	mem_case("strlen", strlen_ops, cfg);
}

/* ---- qsort --------------------------------------------------------------- */

#define SORT_N 100000

struct sort_ctx {
	const void *keys; /* SORT_N random keys */
	void *work;       /* sorted in place, a fresh copy each time */
	size_t size;
	int (*cmp)(const void *, const void *);
};

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One operation: copy the random keys (under 1 % of the time) and sort them. */
static void sort_ops(void *arg, uint64_t n)
{
	struct sort_ctx *s = arg;
	for (uint64_t i = 0; i < n; i++) {
		memcpy(s->work, s->keys, SORT_N * s->size);
		qsort(s->work, SORT_N, s->size, s->cmp);
		barrier(s->work);
	}
}

static void sort_and_check(const char *metric, struct sort_ctx *s, double budget)
{
	report(metric, measure(sort_ops, s, budget), 0);
	const char *w = s->work;
	for (size_t i = 1; i < SORT_N; i++)
		if (s->cmp(w + (i - 1) * s->size, w + i * s->size) > 0)
			wl_fail("qsort left %s keys out of order at index %zu", metric, i);
}

static void case_qsort(const struct config *cfg)
{
	int *ints = wl_malloc(SORT_N * sizeof *ints);
	double *doubles = wl_malloc(SORT_N * sizeof *doubles);
	void *work = wl_malloc(SORT_N * sizeof(double));
	struct wl_rng r;
	wl_rng_seed2(&r, cfg->seed, 2);
	for (size_t i = 0; i < SORT_N; i++) {
		ints[i] = (int)(uint32_t)wl_rng_next(&r);
		doubles[i] = (wl_rng_uniform(&r) - 0.5) * 2e6;
	}
	struct sort_ctx si = { ints, work, sizeof *ints, cmp_int };
	sort_and_check("qsort_int", &si, cfg->seconds / 2);
	struct sort_ctx sd = { doubles, work, sizeof *doubles, cmp_double };
	sort_and_check("qsort_double", &sd, cfg->seconds / 2);
	free(work);
	free(doubles);
	free(ints);
}

/* ---- math ---------------------------------------------------------------- */

#define MATH_N 1024 /* arguments, a power of two; 16 KiB stays in L1 */

struct math_ctx {
	double x[MATH_N], y[MATH_N];
};

/* The calls are independent of one another (only the sum depends on them),
 * so this is each function's throughput, as in a vector loop. */
static void exp_ops(void *arg, uint64_t n)
{
	const struct math_ctx *m = arg;
	double acc = 0;
	for (uint64_t i = 0; i < n; i++)
		acc += exp(m->x[i & (MATH_N - 1)]);
	sink_d += acc;
}

static void log_ops(void *arg, uint64_t n)
{
	const struct math_ctx *m = arg;
	double acc = 0;
	for (uint64_t i = 0; i < n; i++)
		acc += log(m->x[i & (MATH_N - 1)]);
	sink_d += acc;
}

static void pow_ops(void *arg, uint64_t n)
{
	const struct math_ctx *m = arg;
	double acc = 0;
	for (uint64_t i = 0; i < n; i++)
		acc += pow(m->x[i & (MATH_N - 1)], m->y[i & (MATH_N - 1)]);
	sink_d += acc;
}

static void sin_ops(void *arg, uint64_t n)
{
	const struct math_ctx *m = arg;
	double acc = 0;
	for (uint64_t i = 0; i < n; i++)
		acc += sin(m->x[i & (MATH_N - 1)]);
	sink_d += acc;
}

/* Uniform in [lo, hi). */
static double uniform_in(struct wl_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * wl_rng_uniform(r);
}

static void case_math(const struct config *cfg)
{
	struct math_ctx *m = wl_malloc(sizeof *m);
	struct wl_rng r;
	wl_rng_seed2(&r, cfg->seed, 3);
	/* exp over [-50, 50): results from 2e-22 to 5e21, no overflow. */
	for (int i = 0; i < MATH_N; i++)
		m->x[i] = uniform_in(&r, -50, 50);
	report("math_exp", measure(exp_ops, m, cfg->seconds / 4), 0);
	/* log over 2^-100 .. 2^100 (ldexp is exact: the same inputs on any libc). */
	for (int i = 0; i < MATH_N; i++)
		m->x[i] = ldexp(1 + wl_rng_uniform(&r), (int)wl_rng_below(&r, 201) - 100);
	report("math_log", measure(log_ops, m, cfg->seconds / 4), 0);
	/* pow: bases in [0.01, 100), exponents in [-8, 8): finite results. */
	for (int i = 0; i < MATH_N; i++) {
		m->x[i] = uniform_in(&r, 0.01, 100);
		m->y[i] = uniform_in(&r, -8, 8);
	}
	report("math_pow", measure(pow_ops, m, cfg->seconds / 4), 0);
	/* sin over [-100, 100): a few dozen periods, ordinary range reduction. */
	for (int i = 0; i < MATH_N; i++)
		m->x[i] = uniform_in(&r, -100, 100);
	report("math_sin", measure(sin_ops, m, cfg->seconds / 4), 0);
	free(m);
}

/* ---- snprintf ------------------------------------------------------------ */

#define FMT_N 1024 /* values, a power of two */

struct fmt_ctx {
	double x[FMT_N];
	char text[FMT_N][32]; /* x[i] as "%.17g", for strtod */
};

static void fmt17_ops(void *arg, uint64_t n)
{
	const struct fmt_ctx *f = arg;
	char buf[32];
	uint64_t total = 0;
	for (uint64_t i = 0; i < n; i++)
		total += (uint64_t)snprintf(buf, sizeof buf, "%.17g", f->x[i & (FMT_N - 1)]);
	sink_u += total;
}

static void fmtg_ops(void *arg, uint64_t n)
{
	const struct fmt_ctx *f = arg;
	char buf[32];
	uint64_t total = 0;
	for (uint64_t i = 0; i < n; i++)
		total += (uint64_t)snprintf(buf, sizeof buf, "%g", f->x[i & (FMT_N - 1)]);
	sink_u += total;
}

static void strtod_ops(void *arg, uint64_t n)
{
	const struct fmt_ctx *f = arg;
	double acc = 0;
	for (uint64_t i = 0; i < n; i++)
		acc += strtod(f->text[i & (FMT_N - 1)], NULL);
	sink_d += acc;
}

/* Values of both signs from 2^-40 to 2^40 with all 53 bits random, so that
 * "%.17g" needs every digit; each must read back exactly. */
static void fmt_ctx_init(struct fmt_ctx *f, uint64_t seed)
{
	struct wl_rng r;
	wl_rng_seed2(&r, seed, 4);
	for (int i = 0; i < FMT_N; i++) {
		double v = ldexp(1 + wl_rng_uniform(&r), (int)wl_rng_below(&r, 81) - 40);
		f->x[i] = (wl_rng_next(&r) & 1) ? -v : v;
		snprintf(f->text[i], sizeof f->text[i], "%.17g", f->x[i]);
		if (strtod(f->text[i], NULL) != f->x[i])
			wl_fail("strtod(\"%s\") does not give back the double printed", f->text[i]);
	}
}

static void case_snprintf(const struct config *cfg)
{
	struct fmt_ctx *f = wl_malloc(sizeof *f);
	fmt_ctx_init(f, cfg->seed);
	report("snprintf_17g", measure(fmt17_ops, f, cfg->seconds / 3), 0);
	report("snprintf_g", measure(fmtg_ops, f, cfg->seconds / 3), 0);
	report("snprintf_strtod", measure(strtod_ops, f, cfg->seconds / 3), 0);
	free(f);
}

/* ---- thread -------------------------------------------------------------- */

static void *thread_body(void *arg)
{
	return arg;
}

/* One operation: create a thread that returns at once, and join it. */
static void thread_ops(void *arg, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		pthread_t t;
		void *ret;
		int err = pthread_create(&t, NULL, thread_body, arg);
		if (err)
			wl_fail("cannot create a thread (%s)", strerror(err));
		pthread_join(t, &ret);
		if (ret != arg)
			wl_fail("a joined thread returned the wrong value");
	}
}

static void case_thread(const struct config *cfg)
{
	int token = 0;
	report("thread", measure(thread_ops, &token, cfg->seconds), 0);
}

/* ---- Cases and main ------------------------------------------------------ */

struct micro_case {
	const char *name;
	void (*run)(const struct config *cfg);
	const char *metrics; /* for --help */
};

/* Run in this order, whatever the order on the command line: the
 * single-threaded cases before any thread exists, because glibc drops its
 * single-threaded shortcuts (an unlocked malloc arena, unlocked stdio) for
 * good once a thread has been created, while musl takes them up again when
 * its threads have exited; so both libcs measure them single-threaded. */
static const struct micro_case cases[] = {
	{ "malloc1", case_malloc1, "malloc1: free+malloc pairs of 16-1024 B blocks, one thread" },
	{ "memcpy", case_memcpy, "memcpy_16 memcpy_256 memcpy_4k memcpy_64k memcpy_1m" },
	{ "memset", case_memset, "memset_16 ... memset_1m" },
	{ "strlen", case_strlen, "strlen_16 ... strlen_1m (string length in bytes)" },
	{ "qsort", case_qsort, "qsort_int qsort_double: sorts of 100000 random keys" },
	{ "math", case_math, "math_exp math_log math_pow math_sin: calls" },
	{ "snprintf", case_snprintf, "snprintf_17g snprintf_g snprintf_strtod: calls" },
	{ "malloc", case_malloc, "malloc: free+malloc pairs, all --threads threads together" },
	{ "thread", case_thread, "thread: pthread_create+pthread_join pairs" },
};
#define NCASES (sizeof cases / sizeof cases[0])

static void print_help(void)
{
	wl_print_help(about, params);
	printf("\nCases and their metrics, each in ops/s (calls per second; for the\n"
	       "sized ones bytes/s = ops/s x the size in the name):\n");
	for (size_t i = 0; i < NCASES; i++)
		printf("  %-9s %s\n", cases[i].name, cases[i].metrics);
}

/* "malloc1, memcpy, ..., thread" for messages. */
static void case_names(char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NCASES && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", cases[i].name);
}

/* Marks the cases named in a comma-separated list ("all" for every one). */
static void parse_cases(const char *arg, bool selected[NCASES])
{
	char names[256];
	case_names(names, sizeof names);
	const char *p = arg;
	for (;;) {
		size_t len = strcspn(p, ",");
		if (len == 0)
			wl_usage_error("--case takes case names separated by commas (%s, or all), not '%s'",
				       names, arg);
		bool known = false;
		for (size_t i = 0; i < NCASES; i++)
			if ((strlen(cases[i].name) == len && strncmp(p, cases[i].name, len) == 0) ||
			    (len == 3 && strncmp(p, "all", 3) == 0)) {
				selected[i] = true;
				known = true;
			}
		if (!known)
			wl_usage_error("unknown case '%.*s' in --case; the cases are %s (or all)", (int)len, p,
				       names);
		if (p[len] == '\0')
			return;
		p += len + 1;
	}
}

int main(int argc, char **argv)
{
	wl_init(argv[0]);
	static const struct option opts[] = {
		{ "case", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'S' },
		{ "describe", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg = { .seconds = 1.0, .threads = wl_effective_cpus(), .seed = 42 };
	bool selected[NCASES] = { false };
	const char *case_arg = "all";
	int c;
	opterr = 0; /* our own one-sentence messages */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'c': case_arg = optarg; break;
		case 's': cfg.seconds = wl_opt_double("--seconds", optarg, 0.001, 3600); break;
		case 't': cfg.threads = wl_opt_threads("--threads", optarg, 1024); break;
		case 'S': cfg.seed = (uint64_t)wl_opt_ll("--seed", optarg, 0, INT64_MAX); break;
		case 'D': wl_print_describe("micro", about, params); return 0;
		case 'h': print_help(); return 0;
		case ':': wl_usage_error("%s needs a value", argv[optind - 1]);
		default: wl_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		wl_usage_error("unexpected argument '%s' (every parameter is --NAME VALUE)", argv[optind]);
	parse_cases(case_arg, selected);
	wl_options_done();

	table_header(&cfg);
	for (size_t i = 0; i < NCASES; i++) {
		if (!selected[i])
			continue;
		wl_phase(cases[i].name);
		cases[i].run(&cfg);
	}
	wl_finish();
	return 0;
}
