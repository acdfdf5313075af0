/* blas_oversub — a small OpenBLAS program for test_advice.sh: repeated
 * single-precision matrix products (sgemm) for a given number of seconds,
 * with as many OpenBLAS threads as OpenBLAS itself picks (one per CPU in the
 * affinity mask, document 004) unless OPENBLAS_NUM_THREADS says otherwise.
 *
 * Run by benchtop, it tells it through the result protocol
 * (docs/protocol.md) which kernels OpenBLAS chose and what the products
 * reached (run by hand, it prints one line instead):
 *   info openblas_core NAME, info openblas_config TEXT,
 *   metric blas_threads N, metric products N, metric gflops X GFLOP/s
 *
 * Usage: blas_oversub [SECONDS [SIZE]]   (defaults 3 and 1000)
 * Built at test time against the system's OpenBLAS: cc blas_oversub.c -lopenblas.
 * The prototypes are declared here so no particular cblas.h is needed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void sgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const float *alpha,
	    const float *a, const int *lda, const float *b, const int *ldb, const float *beta, float *c,
	    const int *ldc);
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);

#define MAX_PRODUCTS 100000 /* a bound on the loop whatever the clock says */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A strictly parsed positive number, or exit with one sentence. */
static double positive(const char *what, const char *text, double max)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || *end || !(v > 0) || v > max) {
		fprintf(stderr, "blas_oversub: %s must be a number above 0 and at most %g, not '%s'.\n", what, max, text);
		exit(2);
	}
	return v;
}

/* The result protocol's fd when benchtop gave one, else NULL. */
static FILE *result_stream(void)
{
	const char *fd = getenv("BENCHTOP_RESULT_FD");
	if (!fd || fd[0] < '0' || fd[0] > '9' || fd[1])
		return NULL;
	return fdopen(fd[0] - '0', "w");
}

int main(int argc, char **argv)
{
	if (argc > 3) {
		fprintf(stderr, "usage: blas_oversub [SECONDS [SIZE]]\n");
		return 2;
	}
	double seconds = argc > 1 ? positive("SECONDS", argv[1], 3600) : 3.0;
	int n = argc > 2 ? (int)positive("SIZE", argv[2], 8192) : 1000;
	size_t cells = (size_t)n * (size_t)n;
	float *a = malloc(cells * sizeof(float)), *b = malloc(cells * sizeof(float)), *c = malloc(cells * sizeof(float));
	if (!a || !b || !c) {
		fprintf(stderr, "blas_oversub: not enough memory for three %dx%d matrices.\n", n, n);
		return 1;
	}
	for (size_t i = 0; i < cells; i++) {
		a[i] = (float)(i % 17) / 17.0f;
		b[i] = (float)(i % 13) / 13.0f;
		c[i] = 0.0f;
	}
	FILE *res = result_stream();
	if (res) {
		/* First, so the core is in the trace even if the run is stopped. */
		fprintf(res, "info openblas_core %s\n", openblas_get_corename());
		fprintf(res, "info openblas_config %s\n", openblas_get_config());
		fprintf(res, "metric blas_threads %d\n", openblas_get_num_threads());
		fprintf(res, "phase sgemm\n");
		fflush(res);
	}
	const float one = 1.0f, zero = 0.0f;
	double t0 = now_s(), t = t0;
	long products = 0;
	while (t - t0 < seconds && products < MAX_PRODUCTS) {
		sgemm_("N", "N", &n, &n, &n, &one, a, &n, b, &n, &zero, c, &n);
		products++;
		t = now_s();
	}
	double gflops = 2.0 * (double)n * n * n * (double)products / (t - t0) / 1e9;
	if (!res) /* run by hand: a line for a person */
		printf("%ld products of %dx%d in %.2f s: %.1f GFLOP/s, core %s, %d threads (c[0] = %g)\n", products, n,
		       n, t - t0, gflops, openblas_get_corename(), openblas_get_num_threads(), (double)c[0]);
	if (res) {
		fprintf(res, "metric products %ld\n", products);
		fprintf(res, "metric gflops %.3f GFLOP/s\n", gflops);
		fclose(res);
	}
	free(a);
	free(b);
	free(c);
	return 0;
}
