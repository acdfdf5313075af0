/* stats_drive — runs src/stats on two samples read from stdin and prints
 * every number as key=value lines (%.17g, so nothing is lost), for
 * test_stats_ref.sh, which compares them with numpy/scipy
 * (tests/unit/stats_reference.py check).
 *
 * stdin: "N v1 .. vN" (sample a, the baseline), then "M w1 .. wM" (b).
 * usage: stats_drive [--reps N] [--seed S] [--level L] < samples */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define MAX_VALUES 1000000

/* Read "count v1 .. vcount" into a new array; exits with a message on bad input. */
static double *read_sample(const char *name, size_t *n)
{
	long count;
	if (scanf("%ld", &count) != 1 || count < 0 || count > MAX_VALUES) {
		fprintf(stderr, "stats_drive: sample %s: expected a count 0..%d first\n", name,
			MAX_VALUES);
		exit(2);
	}
	double *x = malloc(((size_t)count + 1) * sizeof(double));
	if (!x) {
		fprintf(stderr, "stats_drive: out of memory\n");
		exit(1);
	}
	for (long i = 0; i < count; i++)
		if (scanf("%lf", &x[i]) != 1) {
			fprintf(stderr, "stats_drive: sample %s: expected %ld numbers, got %ld\n", name,
				count, i);
			exit(2);
		}
	*n = (size_t)count;
	return x;
}

static void fail(const char *what, int rc)
{
	fprintf(stderr, "stats_drive: %s failed: %s\n", what, strerror(-rc));
	exit(1);
}

static void print_side(const char *side, const double *x, size_t n)
{
	struct stats_summary s;
	int rc = stats_describe(x, n, &s);
	if (rc < 0)
		fail("stats_describe", rc);
	printf("%s.n=%zu\n%s.mean=%.17g\n%s.sd=%.17g\n%s.median=%.17g\n%s.mad=%.17g\n", side, s.n,
	       side, s.mean, side, s.sd, side, s.median, side, s.mad);
	printf("%s.min=%.17g\n%s.max=%.17g\n%s.q25=%.17g\n%s.q75=%.17g\n", side, s.min, side, s.max,
	       side, s.q25, side, s.q75);
	struct stats_outliers o;
	if ((rc = stats_outliers(x, n, STATS_OUTLIER_HYPERFINE, NULL, NULL, &o)) < 0)
		fail("stats_outliers", rc);
	printf("%s.outliers=%zu\n%s.first_is_slow=%d\n", side, o.count, side, o.first_is_slow);
}

static const char *method_name(enum stats_mwu_method m)
{
	switch (m) {
	case STATS_MWU_EXACT:
		return "exact";
	case STATS_MWU_ASYMPTOTIC:
		return "asymptotic";
	default:
		return "none";
	}
}

/* The p-value (and smallest p) of a forced method, NaN where that method
 * does not apply. */
static double forced_p(const double *a, size_t na, const double *b, size_t nb,
		       enum stats_mwu_method m, double *p_min)
{
	struct stats_mwu r;
	int rc = stats_mann_whitney(a, na, b, nb, m, &r);
	*p_min = NAN;
	if (rc == -E2BIG)
		return NAN;
	if (rc < 0)
		fail("stats_mann_whitney", rc);
	*p_min = r.p_min;
	return r.p;
}

int main(int argc, char **argv)
{
	struct stats_boot_opts opts = stats_boot_defaults;
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		if (i + 1 < argc && strcmp(argv[i], "--reps") == 0)
			opts.reps = (unsigned)strtoul(argv[++i], &end, 10);
		else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0)
			opts.seed = strtoull(argv[++i], &end, 0);
		else if (i + 1 < argc && strcmp(argv[i], "--level") == 0)
			opts.level = strtod(argv[++i], &end);
		if (!end || *end) {
			fprintf(stderr, "usage: stats_drive [--reps N] [--seed S] [--level L] < samples\n");
			return 2;
		}
	}
	size_t na, nb;
	double *a = read_sample("a", &na);
	double *b = read_sample("b", &nb);
	print_side("a", a, na);
	print_side("b", b, nb);

	struct stats_comparison c;
	int rc = stats_compare(a, na, b, nb, &opts, &c);
	if (rc < 0)
		fail("stats_compare", rc);
	printf("mwu.method=%s\nmwu.ties=%d\nmwu.u_a=%.17g\nmwu.u_b=%.17g\nmwu.p=%.17g\nmwu.z=%.17g\n",
	       method_name(c.mwu.method), c.mwu.ties, c.mwu.u_a, c.mwu.u_b, c.mwu.p, c.mwu.z);
	printf("mwu.p_min=%.17g\nmwu.all_equal=%d\n", c.mwu.p_min, c.mwu.all_equal);
	printf("mwu.prob_b_greater=%.17g\nmwu.rank_biserial=%.17g\n", c.mwu.prob_b_greater,
	       c.mwu.rank_biserial);
	double pm;
	printf("mwu.p_asym=%.17g\n", forced_p(a, na, b, nb, STATS_MWU_ASYMPTOTIC, &pm));
	printf("mwu.p_min_asym=%.17g\n", pm);
	printf("mwu.p_exact=%.17g\n", forced_p(a, na, b, nb, STATS_MWU_EXACT, &pm));
	printf("mwu.p_min_exact=%.17g\n", pm);
	printf("ratio.valid=%d\nratio.ratio=%.17g\nratio.ci_low=%.17g\nratio.ci_high=%.17g\n",
	       c.ratio.valid, c.ratio.ratio, c.ratio.ci_low, c.ratio.ci_high);
	char verdict[STATS_VERDICT_LEN];
	stats_verdict(&c, NULL, verdict, sizeof verdict);
	printf("verdict=%s\n", verdict);
	free(a);
	free(b);
	return 0;
}
