/* wl — see wl.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* sched_getaffinity, also when built outside configure */
#endif
#include "wl.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What this binary is linked with, for `benchtop workloads`, which reads it
 * from the file (the musl version comes from the build: musl has no macro). */
#define WL_STR2(x) #x
#define WL_STR(x) WL_STR2(x)
#if defined(__GLIBC__)
#define WL_LIBC "glibc " WL_STR(__GLIBC__) "." WL_STR(__GLIBC_MINOR__)
#elif defined(WL_MUSL_VERSION)
#define WL_LIBC "musl " WL_MUSL_VERSION
#else
#define WL_LIBC "musl"
#endif
__attribute__((used)) static const char wl_libc_id[] = "benchtop-libc:" WL_LIBC;

static const char *prog_name = "workload";
static FILE *result_out; /* the protocol channel, or NULL by hand */

/* By hand: what the summary prints at the end. */
struct kept {
	char name[64];
	char text[160];
};
static struct kept *kept;
static size_t nkept, capkept;
static double phase_t0;
static char phase_name[64];

void wl_init(const char *prog)
{
	const char *slash = strrchr(prog, '/');
	prog_name = slash ? slash + 1 : prog;
	const char *fd = getenv("BENCHTOP_RESULT_FD");
	/* A single digit, as benchtop gives it; anything else is not ours. */
	if (fd && fd[0] >= '0' && fd[0] <= '9' && fd[1] == '\0') {
		int n = fd[0] - '0';
		if (n > 2)
			result_out = fdopen(n, "w");
		if (result_out)
			setvbuf(result_out, NULL, _IOLBF, 0);
	}
	phase_t0 = wl_now();
}

bool wl_under_benchtop(void)
{
	return result_out != NULL;
}

void wl_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog_name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see '%s --help'.\n", prog_name);
	exit(2);
}

void wl_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog_name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ".\n");
	exit(1);
}

static void keep(const char *name, const char *text)
{
	for (size_t i = 0; i < nkept; i++)
		if (strcmp(kept[i].name, name) == 0) {
			snprintf(kept[i].text, sizeof kept[i].text, "%s", text);
			return;
		}
	if (nkept == capkept) {
		capkept = capkept ? capkept * 2 : 16;
		kept = realloc(kept, capkept * sizeof *kept);
		if (!kept)
			wl_fail("out of memory");
	}
	snprintf(kept[nkept].name, sizeof kept[nkept].name, "%s", name);
	snprintf(kept[nkept].text, sizeof kept[nkept].text, "%s", text);
	nkept++;
}

static void end_phase_by_hand(void)
{
	if (!phase_name[0])
		return;
	char name[80], text[64];
	snprintf(name, sizeof name, "phase %s", phase_name);
	snprintf(text, sizeof text, "%.3f s", wl_now() - phase_t0);
	keep(name, text);
	phase_name[0] = '\0';
}

const char *wl_libc(void)
{
	return wl_libc_id + sizeof "benchtop-libc:" - 1;
}

void wl_finish(void)
{
	if (result_out) {
		fclose(result_out);
		result_out = NULL;
	} else {
		end_phase_by_hand();
		printf("%s\n", prog_name);
		for (size_t i = 0; i < nkept; i++)
			printf("  %-24s %s\n", kept[i].name, kept[i].text);
		fflush(stdout);
	}
	free(kept);
	kept = NULL;
	nkept = capkept = 0;
}

/* ---- Parameters ---------------------------------------------------------- */

void wl_print_help(const char *about, const struct wl_param *p)
{
	printf("usage: %s [--PARAM VALUE]...\n%s\n\n", prog_name, about);
	for (; p->name; p++)
		printf("  --%-14s %s (default %s)\n", p->name, p->help, p->def);
	printf("  --%-14s %s\n", "help", "this help");
	printf("\nRun by hand it prints a summary; run by benchtop it reports phases and\n"
	       "metrics on the fd in BENCHTOP_RESULT_FD.\n");
}

void wl_print_describe(const char *name, const char *about, const struct wl_param *p)
{
	printf("workload %s\nabout %s\nchecks " WL_CHECK_ENV "\n", name, about);
	for (; p->name; p++)
		printf("%s %s %s %s\n", p->list ? "listparam" : "param", p->name, p->def, p->help);
}

void wl_options_done(void)
{
	const char *e = getenv(WL_CHECK_ENV);
	if (e && strcmp(e, "1") == 0)
		exit(0);
}

/* ---- Option values ------------------------------------------------------- */

long long wl_opt_ll(const char *opt, const char *arg, long long min, long long max)
{
	char *end;
	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		wl_usage_error("%s takes a whole number from %lld to %lld, not '%s'", opt, min, max, arg);
	return v;
}

double wl_opt_double(const char *opt, const char *arg, double min, double max)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < min || v > max)
		wl_usage_error("%s takes a number from %g to %g, not '%s'", opt, min, max, arg);
	return v;
}

int wl_opt_threads(const char *opt, const char *arg, int max)
{
	if (strcmp(arg, "auto") == 0)
		return wl_effective_cpus();
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > max)
		wl_usage_error("%s takes a thread count from 1 to %d or 'auto', not '%s'", opt, max, arg);
	return (int)v;
}

uint64_t wl_opt_size(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (errno || end == arg || *end || arg[0] == '-' || (shift && v > (UINT64_MAX >> shift)) ||
	    (v << shift) < min || (v << shift) > max)
		wl_usage_error("%s takes a size such as 64K or 8M from %llu to %llu bytes, not '%s'", opt,
			       (unsigned long long)min, (unsigned long long)max, arg);
	return v << shift;
}

int wl_effective_cpus(void)
{
	const char *e = getenv("BENCHTOP_CPUS");
	if (e) {
		char *end;
		long v = strtol(e, &end, 10);
		if (end != e && !*end && v >= 1 && v <= 4096)
			return (int)v;
	}
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0) {
		int n = CPU_COUNT(&set);
		if (n >= 1)
			return n;
	}
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n >= 1 ? (int)n : 1;
}

/* ---- Results ------------------------------------------------------------- */

void wl_phase(const char *name)
{
	if (result_out) {
		fprintf(result_out, "phase %s\n", name);
		return;
	}
	end_phase_by_hand();
	snprintf(phase_name, sizeof phase_name, "%s", name);
	phase_t0 = wl_now();
}

void wl_metric(const char *name, double value, const char *unit)
{
	if (!isfinite(value))
		return; /* the protocol takes finite numbers only */
	if (result_out) {
		fprintf(result_out, "metric %s %.17g%s%s\n", name, value, unit && *unit ? " " : "",
			unit ? unit : "");
		return;
	}
	char text[96];
	snprintf(text, sizeof text, "%.10g%s%s", value, unit && *unit ? " " : "", unit ? unit : "");
	keep(name, text);
}

void wl_info(const char *name, const char *text)
{
	char clean[160];
	size_t n = 0;
	for (const char *p = text; *p && n + 1 < sizeof clean; p++)
		clean[n++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
	clean[n] = '\0';
	if (result_out)
		fprintf(result_out, "info %s %s\n", name, clean);
	else
		keep(name, clean);
}

/* ---- Time ---------------------------------------------------------------- */

double wl_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- Random numbers ------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void wl_rng_seed(struct wl_rng *r, uint64_t seed)
{
	wl_rng_seed2(r, seed, 0);
}

void wl_rng_seed2(struct wl_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t wl_rng_next(struct wl_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double wl_rng_uniform(struct wl_rng *r)
{
	return (double)(wl_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t wl_rng_below(struct wl_rng *r, uint64_t n)
{
	/* Rejection from the largest multiple of n. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;
	do
		x = wl_rng_next(r);
	while (x >= limit);
	return x % n;
}

double wl_log(double x)
{
	if (!(x > 0) || !isfinite(x))
		return x == 0 ? -HUGE_VAL : NAN;
	/* x = m * 2^k with m in [sqrt(1/2), sqrt(2)); then
	 * log m = 2 atanh(z), z = (m-1)/(m+1), |z| <= 0.1716: the odd series
	 * converges to double precision in 14 terms. frexp and ldexp are exact. */
	int k;
	double m = frexp(x, &k); /* [0.5, 1) */
	if (m < 0.70710678118654752440) {
		m *= 2;
		k--;
	}
	double z = (m - 1) / (m + 1), z2 = z * z, term = z, sum = 0;
	for (int i = 1; i <= 29; i += 2) {
		sum += term / i;
		term *= z2;
	}
	/* ln 2 split in a high part exact in 32 bits and the rest. */
	const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
	return (double)k * ln2_hi + ((double)k * ln2_lo + 2 * sum);
}

double wl_rng_normal(struct wl_rng *r)
{
	/* Marsaglia's polar method; the second value is thrown away so that the
	 * stream position does not depend on call history. */
	for (;;) {
		double u = 2 * wl_rng_uniform(r) - 1, v = 2 * wl_rng_uniform(r) - 1;
		double s = u * u + v * v;
		if (s > 0 && s < 1)
			return u * sqrt(-2 * wl_log(s) / s);
	}
}

/* ---- Memory -------------------------------------------------------------- */

void *wl_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		wl_fail("out of memory (asked for %zu bytes)", n);
	return p;
}

void *wl_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		wl_fail("out of memory (asked for %zu x %zu bytes)", n, size);
	return p;
}

size_t wl_mul(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		wl_fail("the data would not fit in memory (%zu x %zu bytes)", n, size);
	return n * size;
}
