/* stats — descriptive statistics, hyperfine's outlier rule, a bootstrap
 * interval for the ratio of two medians, the Mann–Whitney U test and a
 * verdict in words. The contract, with every definition and rule, is in
 * stats.h; the comments here say why the code is shaped as it is. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

const struct stats_boot_opts stats_boot_defaults = {
	.reps = STATS_BOOT_REPS_DEFAULT,
	.level = 0.95,
	.seed = STATS_BOOT_SEED_DEFAULT,
};

const struct stats_verdict_opts stats_verdict_defaults = {
	.alpha = 0.05,
	.higher_is_better = false,
	.worse = NULL,
	.better = NULL,
	.ascii = false,
	.few_said_elsewhere = false,
};

/* ---- Sorted copies ----------------------------------------------------------- */

/* -EINVAL for a NULL array with n > 0 or a non-finite value, else 0. */
static int check_sample(const double *x, size_t n)
{
	if (n > 0 && !x)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return -EINVAL;
	return 0;
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
}

/* A new ascending copy of x[0..n) in *out (caller frees; NULL when n = 0). */
static int sorted_copy(const double *x, size_t n, double **out)
{
	*out = NULL;
	if (n == 0)
		return 0;
	if (n > SIZE_MAX / sizeof(double))
		return -ENOMEM;
	double *s = malloc(n * sizeof(double));
	if (!s)
		return -ENOMEM;
	memcpy(s, x, n * sizeof(double));
	qsort(s, n, sizeof(double), cmp_double);
	*out = s;
	return 0;
}

/* Mean of the two middle values for even n, as numpy's median. */
static double mid_mean(double lo, double hi)
{
	double m = (lo + hi) / 2;
	return isfinite(m) ? m : lo / 2 + hi / 2; /* lo + hi overflowed */
}

static double median_sorted(const double *s, size_t n)
{
	if (n == 0)
		return NAN;
	if (n % 2)
		return s[n / 2];
	return mid_mean(s[n / 2 - 1], s[n / 2]);
}

double stats_quantile_sorted(const double *sorted, size_t n, double p)
{
	if (n == 0 || !(p >= 0 && p <= 1))
		return NAN;
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);
	if (lo >= n - 1)
		return sorted[n - 1];
	double t = h - (double)lo, a = sorted[lo], b = sorted[lo + 1];
	/* numpy's lerp: from the nearer end, so t = 1 gives b exactly and the
	 * result is monotonic in p. */
	double d = b - a;
	return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/* Median of |s[i] - med| for ascending s: a sorted copy of the deviations. */
static int mad_sorted(const double *s, size_t n, double med, double *out)
{
	if (n == 0) {
		*out = NAN;
		return 0;
	}
	double *dev = malloc(n * sizeof(double));
	if (!dev)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(s[i] - med);
	qsort(dev, n, sizeof(double), cmp_double);
	*out = median_sorted(dev, n);
	free(dev);
	return 0;
}

/* ---- Descriptive ----------------------------------------------------------- */

int stats_describe(const double *x, size_t n, struct stats_summary *out)
{
	int rc = check_sample(x, n);
	if (rc < 0 || !out)
		return rc < 0 ? rc : -EINVAL;
	struct stats_summary r = {
		.n = n, .mean = NAN, .sd = NAN, .median = NAN, .mad = NAN,
		.min = NAN, .max = NAN, .q25 = NAN, .q75 = NAN,
	};
	if (n == 0) {
		*out = r;
		return 0;
	}
	double *s;
	if ((rc = sorted_copy(x, n, &s)) < 0)
		return rc;
	/* Two passes over the sorted copy: the deviations are small numbers
	 * even when the values are large, so sd does not cancel. */
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += s[i];
	r.mean = sum / (double)n;
	if (n > 1) {
		double ss = 0;
		for (size_t i = 0; i < n; i++)
			ss += (s[i] - r.mean) * (s[i] - r.mean);
		r.sd = sqrt(ss / (double)(n - 1));
	}
	r.min = s[0];
	r.max = s[n - 1];
	r.median = median_sorted(s, n);
	r.q25 = stats_quantile_sorted(s, n, 0.25);
	r.q75 = stats_quantile_sorted(s, n, 0.75);
	rc = mad_sorted(s, n, r.median, &r.mad);
	free(s);
	if (rc < 0)
		return rc;
	*out = r;
	return 0;
}

int stats_quantiles(const double *x, size_t n, const double *probs, size_t nprobs,
		    double *out)
{
	int rc = check_sample(x, n);
	if (rc < 0)
		return rc;
	if (nprobs > 0 && (!probs || !out))
		return -EINVAL;
	for (size_t i = 0; i < nprobs; i++)
		if (!(probs[i] >= 0 && probs[i] <= 1))
			return -EINVAL;
	double *s;
	if ((rc = sorted_copy(x, n, &s)) < 0)
		return rc;
	for (size_t i = 0; i < nprobs; i++)
		out[i] = stats_quantile_sorted(s, n, probs[i]);
	free(s);
	return 0;
}

/* ---- Outliers ------------------------------------------------------------------ */

int stats_outliers(const double *x, size_t n, double threshold, bool *flags, double *scores,
		   struct stats_outliers *out)
{
	int rc = check_sample(x, n);
	if (rc < 0)
		return rc;
	if (!out || !(threshold > 0) || !isfinite(threshold))
		return -EINVAL;
	struct stats_outliers r = { .count = 0, .first_is_slow = false, .median = NAN, .mad = NAN };
	if (n > 0) {
		double *s;
		if ((rc = sorted_copy(x, n, &s)) < 0)
			return rc;
		r.median = median_sorted(s, n);
		rc = mad_sorted(s, n, r.median, &r.mad);
		free(s);
		if (rc < 0)
			return rc;
	}
	/* hyperfine's guard: with MAD = 0 (over half the runs equal) it divides
	 * by machine epsilon, so every value off the median is an outlier. */
	double mad = r.mad > 0 ? r.mad : DBL_EPSILON;
	for (size_t i = 0; i < n; i++) {
		double z = (x[i] - r.median) / mad;
		bool is_out = fabs(z) > threshold;
		r.count += is_out;
		if (flags)
			flags[i] = is_out;
		if (scores)
			scores[i] = z;
		if (i == 0)
			r.first_is_slow = z > threshold;
	}
	*out = r;
	return 0;
}

/* ---- Normal distribution ------------------------------------------------------ */

double stats_normal_cdf(double z)
{
	return 0.5 * erfc(-z / sqrt(2.0));
}

double stats_normal_sf(double z)
{
	return 0.5 * erfc(z / sqrt(2.0));
}

/* ---- Mann–Whitney U ------------------------------------------------------------ */

struct ranked {
	double v;
	bool in_a;
};

static int cmp_ranked(const void *pa, const void *pb)
{
	return cmp_double(&((const struct ranked *)pa)->v, &((const struct ranked *)pb)->v);
}

/* The pooled sample, ranked: the sum of the (average, 1-based) ranks of a's
 * values, the tie term sum(t^3 - t) over groups of equal values, and the
 * size of each group in ascending order of value (sizes[0..*groups), which
 * the caller frees). */
struct pooled {
	double rank_sum_a, tie_term;
	size_t groups;
	size_t *sizes;
};

static int pool_and_rank(const double *a, size_t na, const double *b, size_t nb, struct pooled *out)
{
	size_t n = na + nb;
	struct ranked *all = malloc(n * sizeof(*all));
	size_t *sizes = malloc(n * sizeof(*sizes));
	if (!all || !sizes) {
		free(all);
		free(sizes);
		return -ENOMEM;
	}
	for (size_t i = 0; i < na; i++)
		all[i] = (struct ranked){ a[i], true };
	for (size_t i = 0; i < nb; i++)
		all[na + i] = (struct ranked){ b[i], false };
	qsort(all, n, sizeof(*all), cmp_ranked);
	double rs = 0, tt = 0;
	size_t ng = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && all[j].v == all[i].v)
			j++;
		/* positions i..j-1 (0-based) share the rank (i+1 + j) / 2 */
		double rank = ((double)(i + 1) + (double)j) / 2;
		double t = (double)(j - i);
		for (size_t k = i; k < j; k++)
			if (all[k].in_a)
				rs += rank;
		tt += t * t * t - t;
		sizes[ng++] = j - i;
		i = j;
	}
	free(all);
	*out = (struct pooled){ rs, tt, ng, sizes };
	return 0;
}

/* P(U <= u) and P(U >= u) of a table f[0..width) of counts, and the
 * two-sided p and the smallest p the table allows (the rarer of its two
 * ends, doubled). Sums run from the small ends, smallest terms first. */
static void two_sided_from_counts(const double *f, size_t width, size_t u, double *p, double *p_min)
{
	double lo = 0, hi = 0, total = 0;
	for (size_t k = 0; k < width; k++) {
		if (k <= u)
			lo += f[k];
		total += f[k];
	}
	for (size_t k = width; k-- > u;)
		hi += f[k];
	size_t first = 0, last = width - 1;
	while (first < last && f[first] == 0)
		first++;
	while (last > first && f[last] == 0)
		last--;
	double pv = 2 * (lo < hi ? lo : hi) / total;
	double end = f[first] < f[last] ? f[first] : f[last];
	double pm = 2 * end / total;
	*p = pv > 1 ? 1 : pv;
	*p_min = pm > 1 ? 1 : pm;
}

/* Exact null distribution of U without ties, for samples of m and n
 * values. cnt[i][k] holds f(i, j, k), the number of orderings of i a's and j
 * b's with U = k, for the current j; the recurrence
 * f(i, j, k) = f(i-1, j, k-j) + f(i, j-1, k) adds one b at a time and only
 * ever adds, so doubles keep full relative precision (counts reach about
 * C(1008, 8) ~ 1e19 at the bounds). Rows run over the smaller sample; the
 * distribution is symmetric, so whose U is asked about does not matter. */
static int mwu_exact_p(size_t m, size_t n, double u, double *p, double *p_min)
{
	if (m > n) {
		size_t t = m;
		m = n;
		n = t;
	}
	size_t width = m * n + 1;
	double *cnt = calloc((m + 1) * width, sizeof(double));
	if (!cnt)
		return -ENOMEM;
	for (size_t i = 0; i <= m; i++)
		cnt[i * width] = 1; /* f(i, 0, 0) = 1: no b, so U = 0 */
	for (size_t j = 1; j <= n; j++)
		for (size_t i = 1; i <= m; i++) {
			double *row = cnt + i * width, *prev = cnt + (i - 1) * width;
			for (size_t k = j; k <= i * j; k++)
				row[k] += prev[k - j];
		}
	two_sided_from_counts(cnt + m * width, width, (size_t)u, p, p_min);
	free(cnt);
	return 0;
}

/* The additions mwu_exact_ties_p makes at most. */
static double ties_work(size_t m, size_t n, size_t groups)
{
	if (m > n)
		m = n;
	return (double)groups * (double)(m + 1) * (double)(m + 2) / 2 * (2 * (double)m * (double)n + 1);
}

/* Exact null distribution of U with ties: every way to choose which m of
 * the N pooled values form the smaller sample is equally likely. Walking
 * the groups of equal values in ascending order, choosing k of a group of
 * t after i chosen from the groups below adds k (2 (S - i) + (t - k)) to
 * 2U, where S values lie below the group: each chosen value beats the
 * S - i unchosen ones below it and ties with the t - k unchosen in its
 * group. cnt[i][w] counts the choices of i values so far with 2U = w, each
 * weighted by C(t, k); rows are updated from the top down so one table
 * serves (a row is read before it is written). */
static int mwu_exact_ties_p(size_t m, size_t n, const size_t *sizes, size_t groups, double u_small2,
			    double *p, double *p_min)
{
	size_t width = 2 * m * n + 1;
	double *cnt = calloc((m + 1) * width, sizeof(double));
	if (!cnt)
		return -ENOMEM;
	cnt[0] = 1;
	size_t below = 0;
	for (size_t g = 0; g < groups; g++) {
		size_t t = sizes[g];
		/* Rows above 'below' are empty: no i values can be chosen from fewer. */
		for (size_t i = (below < m ? below : m) + 1; i-- > 0;) {
			const double *src = cnt + i * width;
			double binom = 1; /* C(t, k), built up as k grows */
			for (size_t k = 1; k <= t && i + k <= m; k++) {
				binom = binom * (double)(t - k + 1) / (double)k;
				size_t add = k * (2 * (below - i) + (t - k));
				double *dst = cnt + (i + k) * width;
				for (size_t w = 0; w + add < width; w++)
					if (src[w] != 0)
						dst[w + add] += src[w] * binom;
			}
		}
		below += t;
	}
	two_sided_from_counts(cnt + m * width, width, (size_t)u_small2, p, p_min);
	free(cnt);
	return 0;
}

int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		       enum stats_mwu_method want, struct stats_mwu *out)
{
	int rc = check_sample(a, na);
	if (rc == 0)
		rc = check_sample(b, nb);
	if (rc < 0)
		return rc;
	if (!out || (want != STATS_MWU_AUTO && want != STATS_MWU_EXACT && want != STATS_MWU_ASYMPTOTIC))
		return -EINVAL;
	struct stats_mwu r = {
		.method = STATS_MWU_NONE, .ties = false, .all_equal = false, .u_a = NAN, .u_b = NAN,
		.p = NAN, .p_min = NAN, .z = NAN, .prob_b_greater = NAN, .rank_biserial = NAN,
	};
	if (na == 0 || nb == 0) {
		*out = r;
		return 0;
	}
	const size_t most = SIZE_MAX / sizeof(struct ranked);
	if (na > most || nb > most - na)
		return -E2BIG;
	struct pooled pl;
	if ((rc = pool_and_rank(a, na, b, nb, &pl)) < 0)
		return rc;
	double dna = (double)na, dnb = (double)nb, n = dna + dnb;
	r.ties = pl.groups < na + nb;
	r.all_equal = pl.groups == 1;
	r.u_a = pl.rank_sum_a - dna * (dna + 1) / 2;
	r.u_b = dna * dnb - r.u_a;
	r.prob_b_greater = r.u_b / (dna * dnb);
	r.rank_biserial = 2 * r.prob_b_greater - 1;

	size_t small = na < nb ? na : nb, large = na < nb ? nb : na;
	bool exact_fits = small <= STATS_MWU_EXACT_MAX_SMALL && large <= STATS_MWU_EXACT_MAX_LARGE &&
			  (!r.ties || ties_work(na, nb, pl.groups) <= STATS_MWU_EXACT_TIES_WORK);
	if (want == STATS_MWU_EXACT && !exact_fits) {
		free(pl.sizes);
		return -E2BIG;
	}
	r.method = want == STATS_MWU_ASYMPTOTIC || !exact_fits ? STATS_MWU_ASYMPTOTIC : STATS_MWU_EXACT;

	double u_max = r.u_a > r.u_b ? r.u_a : r.u_b;
	if (r.method == STATS_MWU_EXACT && !r.ties) {
		rc = mwu_exact_p(na, nb, r.u_a, &r.p, &r.p_min);
	} else if (r.method == STATS_MWU_EXACT) {
		/* The smaller sample is the one chosen; its U, doubled, is a whole number. */
		double u_small = na <= nb ? r.u_a : r.u_b;
		rc = mwu_exact_ties_p(small, large, pl.sizes, pl.groups, 2 * u_small, &r.p, &r.p_min);
	} else {
		double var = dna * dnb / 12 * ((n + 1) - pl.tie_term / (n * (n - 1)));
		if (pl.groups == 1 || !(var > 0)) {
			r.p = 1; /* one value throughout: nothing to tell apart */
			r.p_min = 1;
		} else {
			/* Continuity: subtracting 0.5 from the larger U moves it
			 * towards the mean, as scipy does for the upper tail. */
			r.z = (u_max - dna * dnb / 2 - 0.5) / sqrt(var);
			double pv = 2 * stats_normal_sf(r.z);
			r.p = pv > 1 ? 1 : pv;
			double pm = 2 * stats_normal_sf((dna * dnb / 2 - 0.5) / sqrt(var));
			r.p_min = pm > 1 ? 1 : pm;
		}
	}
	free(pl.sizes);
	if (rc < 0)
		return rc;
	*out = r;
	return 0;
}

/* ---- Deterministic PRNG -------------------------------------------------------- */

/* xoshiro256** (Blackman & Vigna 2018), state seeded by splitmix64 as its
 * authors recommend. Written out here so no libc's rand() is involved and
 * glibc and musl builds draw the same numbers. */
struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, n), n > 0, without modulo bias: reject the 2^64 mod n
 * lowest raw values. The chance of even one rejection is below n / 2^64,
 * so the loop ends at once in practice; 64 tries bound it regardless. */
static uint64_t rng_below(struct rng *r, uint64_t n, uint64_t reject_below)
{
	uint64_t x = rng_next(r);
	for (int tries = 0; x < reject_below && tries < 64; tries++)
		x = rng_next(r);
	return x % n;
}

/* ---- Bootstrap --------------------------------------------------------------- */

/* The median of one resample (n draws with replacement) of ascending s,
 * without sorting it: count how often each index is drawn, then walk the
 * counts to the middle order statistics. O(n) per resample, exact. */
static double resample_median(struct rng *r, const double *s, size_t n, uint32_t *hits)
{
	uint64_t reject_below = (0 - (uint64_t)n) % n;
	memset(hits, 0, n * sizeof(*hits));
	for (size_t i = 0; i < n; i++)
		hits[rng_below(r, n, reject_below)]++;
	size_t want_lo = (n - 1) / 2, want_hi = n / 2; /* 0-based order statistics */
	size_t seen = 0, idx = 0;
	double lo = NAN;
	for (; idx < n; idx++) {
		seen += hits[idx];
		if (seen > want_lo) {
			lo = s[idx];
			break;
		}
	}
	if (want_hi == want_lo || seen > want_hi)
		return lo; /* odd n, or both middle draws are the same value */
	for (idx++; idx < n; idx++)
		if (hits[idx])
			return mid_mean(lo, s[idx]);
	return lo; /* not reached: the counts sum to n */
}

static bool all_positive(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0))
			return false;
	return true;
}

int stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
		   const struct stats_boot_opts *opts, struct stats_ratio *out)
{
	if (!opts)
		opts = &stats_boot_defaults;
	int rc = check_sample(a, na);
	if (rc == 0)
		rc = check_sample(b, nb);
	if (rc < 0)
		return rc;
	if (!out || opts->reps < STATS_BOOT_REPS_MIN || opts->reps > STATS_BOOT_REPS_MAX ||
	    !(opts->level > 0 && opts->level < 1))
		return -EINVAL;
	struct stats_ratio r = {
		.valid = false, .median_a = NAN, .median_b = NAN, .ratio = NAN,
		.ci_low = NAN, .ci_high = NAN, .level = opts->level, .reps = opts->reps,
	};
	if (na == 0 || nb == 0 || !all_positive(a, na) || !all_positive(b, nb)) {
		*out = r;
		return 0;
	}
	if (na > UINT32_MAX || nb > UINT32_MAX || (double)opts->reps * ((double)na + (double)nb) >
	    (double)STATS_BOOT_WORK_MAX)
		return -E2BIG;

	double *sa = NULL, *sb = NULL, *ratios = NULL;
	uint32_t *hits = NULL;
	if ((rc = sorted_copy(a, na, &sa)) < 0 || (rc = sorted_copy(b, nb, &sb)) < 0)
		goto out;
	ratios = malloc(opts->reps * sizeof(double));
	hits = malloc((na > nb ? na : nb) * sizeof(*hits));
	if (!ratios || !hits) {
		rc = -ENOMEM;
		goto out;
	}
	r.median_a = median_sorted(sa, na);
	r.median_b = median_sorted(sb, nb);
	r.ratio = r.median_b / r.median_a;

	struct rng rng;
	rng_seed(&rng, opts->seed);
	for (unsigned i = 0; i < opts->reps; i++) {
		double ma = resample_median(&rng, sa, na, hits);
		double mb = resample_median(&rng, sb, nb, hits);
		ratios[i] = mb / ma; /* every value > 0, so ma > 0 */
	}
	qsort(ratios, opts->reps, sizeof(double), cmp_double);
	double tail = (1 - opts->level) / 2;
	r.ci_low = stats_quantile_sorted(ratios, opts->reps, tail);
	r.ci_high = stats_quantile_sorted(ratios, opts->reps, 1 - tail);
	r.valid = true;
	*out = r;
	rc = 0;
out:
	free(sa);
	free(sb);
	free(ratios);
	free(hits);
	return rc;
}

/* ---- Comparison and verdict ----------------------------------------------------- */

int stats_compare(const double *a, size_t na, const double *b, size_t nb,
		  const struct stats_boot_opts *opts, struct stats_comparison *out)
{
	if (!out)
		return -EINVAL;
	struct stats_comparison c = { .n_a = na, .n_b = nb };
	int rc = stats_ratio_ci(a, na, b, nb, opts, &c.ratio);
	if (rc == 0)
		rc = stats_mann_whitney(a, na, b, nb, STATS_MWU_AUTO, &c.mwu);
	if (rc < 0)
		return rc;
	*out = c;
	return 0;
}

char *stats_format_p(double p, char *buf, size_t len)
{
	if (isnan(p))
		snprintf(buf, len, "p = ?");
	else if (p < 0.001)
		snprintf(buf, len, "p < 0.001");
	else if (p < 0.1)
		snprintf(buf, len, "p = %.3f", p);
	else
		snprintf(buf, len, "p = %.2f", p);
	return buf;
}

/* Whether v, printed with 2 decimals, would read 1.00. */
static bool reads_as_one(double v)
{
	return fabs(v - 1) < 0.005;
}

enum stats_verdict_kind stats_verdict(const struct stats_comparison *c,
				      const struct stats_verdict_opts *opts, char *buf, size_t len)
{
	if (!opts)
		opts = &stats_verdict_defaults;
	char p[32];
	stats_format_p(c->mwu.p, p, sizeof p);
	if (c->n_a < 2 || c->n_b < 2) {
		snprintf(buf, len, "too few runs to compare (n = %zu and %zu)", c->n_a, c->n_b);
		return STATS_VERDICT_NONE;
	}
	if (c->mwu.all_equal) {
		snprintf(buf, len, "identical in every run");
		return STATS_VERDICT_IDENTICAL;
	}
	/* The runs could not have shown a difference at alpha, whatever they measured. */
	char few[96] = "";
	if (c->mwu.p_min >= opts->alpha && !opts->few_said_elsewhere)
		snprintf(few, sizeof few, "%zu and %zu runs cannot reach p < %g", c->n_a, c->n_b, opts->alpha);
	const struct stats_ratio *r = &c->ratio;
	if (!r->valid) {
		snprintf(buf, len, "no ratio (a value is not positive), %s%s%s%s", p, few[0] ? " (" : "", few,
			 few[0] ? ")" : "");
		return STATS_VERDICT_NONE;
	}
	bool test_says = c->mwu.p < opts->alpha;
	bool ci_says = r->ci_low > 1 || r->ci_high < 1;
	if (!test_says && !ci_says) {
		snprintf(buf, len, "no significant difference (%s%s%s)", p, few[0] ? "; " : "", few);
		return STATS_VERDICT_NO_DIFFERENCE;
	}
	/* b larger than a: the interval's side when it has one, else the point. */
	bool up = ci_says ? r->ci_low > 1 : r->ratio > 1;
	double f = up ? r->ratio : 1 / r->ratio;
	double lo = up ? r->ci_low : 1 / r->ci_high;
	double hi = up ? r->ci_high : 1 / r->ci_low;
	bool better = up == opts->higher_is_better;
	const char *word = better ? (opts->better ? opts->better : "faster")
				  : (opts->worse ? opts->worse : "slower");
	int dec = reads_as_one(f) || reads_as_one(lo) || reads_as_one(hi) ? 3 : 2;
	const char *times = opts->ascii ? "x" : "\xc3\x97"; /* U+00D7 × */
	bool conclusive = test_says && ci_says;
	snprintf(buf, len, "%s%.*f%s %s [%.*f, %.*f], %s%s%s%s", conclusive ? "" : "inconclusive: ", dec, f, times,
		 word, dec, lo, dec, hi, p, few[0] ? " (" : "", few, few[0] ? ")" : "");
	if (!conclusive)
		return STATS_VERDICT_INCONCLUSIVE;
	return better ? STATS_VERDICT_BETTER : STATS_VERDICT_WORSE;
}
