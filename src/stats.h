/* stats — the statistics behind `benchtop compare`: descriptive numbers of
 * one sample, outliers flagged the way hyperfine flags them, the ratio of two
 * medians with a deterministic bootstrap confidence interval, the two-sided
 * Mann–Whitney U test, and a verdict in words.
 *
 * Self-contained: C11 and libm, no other benchtop module. Every function
 * takes arrays of doubles it never modifies (it copies and sorts inside),
 * allocates nothing the caller must free, and returns 0 or a negative errno:
 *   -EINVAL  a NULL array with n > 0, a value that is NaN or infinite, or an
 *            option out of its documented range;
 *   -ENOMEM  an internal copy could not be allocated;
 *   -E2BIG   the work asked for is above the documented bound.
 * On error the output parameters are untouched. An empty sample is not an
 * error: what is undefined for it is NaN (n = 0: everything; n = 1: sd).
 *
 * Definitions (the same as numpy/scipy unless said otherwise):
 *   median     middle value; for even n the mean of the two middle ones.
 *   sd         sample standard deviation (divisor n - 1), two passes.
 *   quantile   linear interpolation between order statistics, numpy's
 *              default method 'linear' = R's type 7 = Hyndman & Fan 7:
 *              h = (n - 1) p, Q = x[floor h] + (h - floor h)(x[ceil h] - x[floor h]).
 *   mad        median absolute deviation from the median, raw (not scaled
 *              by 1.4826).
 *   All randomness is this module's own xoshiro256** seeded by splitmix64,
 *   never rand(): the same inputs and seed give the same bits on every run,
 *   machine and libc. */
#ifndef BT_STATS_H
#define BT_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Descriptive ----------------------------------------------------------- */

struct stats_summary {
	size_t n;
	double mean, sd;           /* sd: NaN when n < 2 */
	double median, mad;
	double min, max;
	double q25, q75;           /* type-7 quartiles */
};

/* Describe x[0..n). n = 0 gives n = 0 and NaN everywhere. */
int stats_describe(const double *x, size_t n, struct stats_summary *out);

/* out[i] = type-7 quantile of x[0..n) at probs[i] (each in [0, 1], else
 * -EINVAL). n = 0 gives NaN for each. */
int stats_quantiles(const double *x, size_t n, const double *probs, size_t nprobs,
		    double *out);

/* The type-7 quantile of an already ascending array (no copy, no check);
 * NaN when n = 0. For callers that sort once and ask many times. */
double stats_quantile_sorted(const double *sorted, size_t n, double p);

/* ---- Outliers, as hyperfine flags them ---------------------------------- */

/* hyperfine (src/outlier_detection.rs, Iglewicz & Hoaglin's modified
 * Z-score without their 0.6745 factor) scores each sample as
 *     s_i = (x_i - median) / MAD            (MAD = 0 is replaced by DBL_EPSILON)
 * and calls it an outlier when |s_i| > 1.4826 * 10: more than ten robust
 * standard deviations (1.4826 MAD estimates sigma for normal data) from the
 * median. It warns separately when the FIRST run is such an outlier on the
 * slow side (s_0 > threshold: a cold cache or a first-time setup). */
#define STATS_OUTLIER_HYPERFINE (1.4826 * 10.0)
/* The textbook Iglewicz–Hoaglin rule |0.6745 (x - median) / MAD| > 3.5,
 * expressed on the same scale, for callers that want the stricter rule. */
#define STATS_OUTLIER_IGLEWICZ_HOAGLIN (3.5 / 0.6745)

struct stats_outliers {
	size_t count;          /* samples with |score| > threshold */
	bool first_is_slow;    /* score of x[0] > threshold: hyperfine then warns of a
				* slow first run instead of outliers */
	double median, mad;    /* mad as measured: 0 when more than half are equal */
};

/* Flag the outliers of x[0..n) with threshold (> 0; normally
 * STATS_OUTLIER_HYPERFINE). flags (n entries) and scores (n entries) may
 * each be NULL; flags[i] is true when x[i] is an outlier. n = 0 gives count
 * 0 and NaN median and mad. */
int stats_outliers(const double *x, size_t n, double threshold, bool *flags, double *scores,
		   struct stats_outliers *out);

/* ---- Mann–Whitney U, two-sided ----------------------------------------------- */

enum stats_mwu_method {
	STATS_MWU_AUTO,       /* request only: choose as below */
	STATS_MWU_EXACT,      /* the exact permutation distribution of U, given the ties */
	STATS_MWU_ASYMPTOTIC, /* normal approximation, tie and continuity corrected */
	STATS_MWU_NONE,       /* result only: a sample was empty, nothing computed */
};

/* AUTO picks EXACT when the smaller sample has at most
 * STATS_MWU_EXACT_MAX_SMALL values and the larger at most
 * STATS_MWU_EXACT_MAX_LARGE, and, with ties, when counting the distribution
 * takes at most STATS_MWU_EXACT_TIES_WORK additions (below); ASYMPTOTIC
 * otherwise.
 *
 * Without ties that is scipy's 'auto' rule (scipy 1.10: exact when
 * min(n_a, n_b) <= 8 and no ties) with one extra bound that keeps the table
 * small (at most 9 x 8001 doubles, ~14 M additions). Past it scipy would
 * still go exact; the asymptotic p can then differ from scipy's by about
 * 0.01 (8 against 1000 values: 0.500 against 0.507).
 *
 * With ties benchtop departs from scipy's mannwhitneyu, which falls back to
 * the normal approximation: for few runs that approximation is not honest
 * (3 against 3 runs, one side's peak RSS equal in all three: it gives
 * p = 0.064, where no arrangement of 6 values into 3 and 3 can be rarer
 * than 2 in 20, p = 0.10). EXACT counts every way to split the pooled
 * values (ties and all) into the two sample sizes, as a permutation test
 * does (scipy.stats.permutation_test with the U statistic, exhaustive, gives
 * the same p). The work is at most (number of distinct values) x
 * (small + 1)(small + 2) / 2 x (2 n_a n_b + 1) additions; above
 * STATS_MWU_EXACT_TIES_WORK AUTO takes the asymptotic p (n_a = 8 with ties:
 * up to about 250 values on the other side).
 * Forcing EXACT where it does not fit gives -E2BIG. */
#define STATS_MWU_EXACT_MAX_SMALL 8
#define STATS_MWU_EXACT_MAX_LARGE 1000
#define STATS_MWU_EXACT_TIES_WORK 50000000.0

struct stats_mwu {
	enum stats_mwu_method method; /* EXACT or ASYMPTOTIC as used; NONE if n_a or n_b is 0 */
	bool ties;             /* some value occurs more than once in a ∪ b */
	bool all_equal;        /* every value of a and b is the same one */
	double u_a;            /* U of sample a: pairs with a > b, ties count 1/2 (scipy's statistic for x = a) */
	double u_b;            /* n_a n_b - u_a */
	double p;              /* two-sided p-value, in [0, 1] */
	double p_min;          /* the smallest p this test could give for these sample sizes
				* (and, EXACT, these ties): p can never fall below it, so
				* p_min >= alpha means the runs are too few to show any
				* difference at alpha (3 and 3 runs: 0.10) */
	double z;              /* ASYMPTOTIC: (max(U) - n_a n_b / 2 - 0.5) / sigma_ties, as scipy;
				* NaN for EXACT and when all values are equal */
	double prob_b_greater; /* common-language effect size P(B > A) + P(B = A)/2 = u_b / (n_a n_b) */
	double rank_biserial;  /* 2 prob_b_greater - 1 in [-1, 1]: > 0 when B tends to be larger */
};

/* The Mann–Whitney U test of a against b, two-sided, with continuity
 * correction. ASYMPTOTIC, as scipy.stats.mannwhitneyu(a, b,
 * alternative='two-sided', use_continuity=True, method='asymptotic'): z with
 * the tie-corrected sigma
 *   sigma^2 = n_a n_b / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1))),
 * p = 2 * (1 - Phi(z)), clipped to 1; all values equal (sigma = 0) gives
 * p = 1; p_min is the p of the most extreme U (0 or n_a n_b).
 * EXACT: p = 2 min(P(U <= u_a), P(U >= u_a)) under the null, clipped to 1,
 * where the null is every split of the pooled values into n_a and n_b
 * equally likely. Without ties that is scipy's method='exact' (the
 * distribution counted by Mann & Whitney's recurrence f(m, n, k) =
 * f(m-1, n, k-n) + f(m, n-1, k), 1947); with ties it is scipy's
 * permutation_test(..., permutation_type='independent', n_resamples=inf) on
 * U, counted by distinct value instead of by enumeration. p_min is 2 x the
 * smaller of the probabilities of the two most extreme U, clipped to 1.
 * n_a or n_b = 0: method NONE, the rest NaN. */
int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		       enum stats_mwu_method want, struct stats_mwu *out);

/* Phi(z) and 1 - Phi(z) of the standard normal, from erfc (accurate in the
 * tails, unlike 1 - stats_normal_cdf). */
double stats_normal_cdf(double z);
double stats_normal_sf(double z);

/* ---- Ratio of medians with a bootstrap confidence interval --------------- */

#define STATS_BOOT_REPS_DEFAULT 10000u
#define STATS_BOOT_REPS_MIN 100u
#define STATS_BOOT_REPS_MAX 1000000u
/* reps * (n_a + n_b) above this is -E2BIG (a few seconds of work). */
#define STATS_BOOT_WORK_MAX 500000000ull
#define STATS_BOOT_SEED_DEFAULT UINT64_C(0x62656e6368746f70) /* "benchtop" */

struct stats_boot_opts {
	unsigned reps;  /* resamples, STATS_BOOT_REPS_MIN..MAX */
	double level;   /* confidence level, in (0, 1), e.g. 0.95 */
	uint64_t seed;  /* the PRNG seed: same seed, same interval */
};
/* reps STATS_BOOT_REPS_DEFAULT, level 0.95, seed STATS_BOOT_SEED_DEFAULT. */
extern const struct stats_boot_opts stats_boot_defaults;

struct stats_ratio {
	bool valid;            /* false: a sample is empty or holds a value <= 0; the rest is NaN */
	double median_a, median_b;
	double ratio;          /* median(b) / median(a): "b is ratio x a" */
	double ci_low, ci_high;
	double level;
	unsigned reps;
};

/* The ratio of the medians, b over a, with a percentile bootstrap interval:
 * reps times, resample a (n_a draws with replacement) and then b (n_b draws)
 * independently from one xoshiro256** stream seeded with opts->seed, take
 * median(b*) / median(a*); the interval is the type-7 quantiles at
 * (1 - level)/2 and (1 + level)/2 of those reps ratios (np.percentile of
 * them). Plain percentile, not BCa: BCa's acceleration comes from a
 * jackknife, which is unreliable for a median (a non-smooth statistic), so
 * it could not be verified for the few runs benchtop has. The ratio needs
 * every value > 0 (times, sizes, rates): otherwise valid = false and the
 * return is 0. The interval need not be symmetric; identical samples give
 * exactly [1, 1]. opts NULL means stats_boot_defaults. Cost
 * O(reps (n_a + n_b)): 10 000 resamples of 1000 + 1000 values take ~0.1 s. */
int stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
		   const struct stats_boot_opts *opts, struct stats_ratio *out);

/* ---- One comparison and its verdict --------------------------------------- */

struct stats_comparison {
	size_t n_a, n_b;       /* a is the baseline */
	struct stats_ratio ratio;
	struct stats_mwu mwu;  /* method AUTO */
};

/* stats_ratio_ci and stats_mann_whitney(AUTO) of b against baseline a. */
int stats_compare(const double *a, size_t na, const double *b, size_t nb,
		  const struct stats_boot_opts *opts, struct stats_comparison *out);

enum stats_verdict_kind {
	STATS_VERDICT_WORSE,          /* significant, b worse than a (slower) */
	STATS_VERDICT_BETTER,         /* significant, b better than a (faster) */
	STATS_VERDICT_NO_DIFFERENCE,  /* p >= alpha and the interval holds 1 */
	STATS_VERDICT_INCONCLUSIVE,   /* the test and the interval disagree */
	STATS_VERDICT_NONE,           /* too few runs, or no ratio */
	STATS_VERDICT_IDENTICAL,      /* every run of both gave the same value */
};

struct stats_verdict_opts {
	double alpha;           /* significance level, in (0, 1); 0.05 */
	bool higher_is_better;  /* false for times and sizes, true for ops/s */
	const char *worse;      /* word for worse; NULL = "slower" */
	const char *better;     /* word for better; NULL = "faster" */
	bool ascii;             /* "x" instead of U+00D7 "×" */
	bool few_said_elsewhere; /* leave out "(N and M runs cannot reach p < alpha)":
				  * the caller says it once for many verdicts */
};
/* alpha 0.05, lower is better, "slower"/"faster", "×". */
extern const struct stats_verdict_opts stats_verdict_defaults;

#define STATS_VERDICT_LEN 160

/* A short phrase for the comparison c (opts NULL = defaults) into buf
 * (truncated to len, always terminated); returns its kind.
 *   identical     = every value of both samples is the same one (a count,
 *                   a parameter echoed back): there is nothing to test;
 *   significant   = p < alpha AND the interval excludes 1 (low > 1 or high < 1);
 *   no difference = p >= alpha AND the interval contains 1;
 *   inconclusive  = one says different, the other does not.
 * When the test could not have reached alpha at all with these runs
 * (mwu.p_min >= alpha), the phrase says so, so that "no significant
 * difference" is not read as "the same".
 * Direction: with lower is better, ratio > 1 is worse; with higher is
 * better, ratio > 1 is better. When the interval excludes 1 its side gives
 * the direction, else the point estimate does. The factor printed is always
 * >= 1: the ratio when > 1, else 1/ratio with the interval [1/high, 1/low].
 * Rounding: factor and interval to 2 decimals, or to 3 when any of the
 * three would print as 1.00 (|v - 1| < 0.005), so a small but significant
 * difference never reads "1.00× slower [1.00, 1.01]". p as stats_format_p.
 * c must not be NULL. Examples:
 *   "1.31× slower [1.27, 1.35], p < 0.001"
 *   "1.10× faster [1.04, 1.17], p = 0.012"
 *   "no significant difference (p = 0.41)"
 *   "no significant difference (p = 0.70; 3 and 3 runs cannot reach p < 0.05)"
 *   "inconclusive: 1.05× slower [0.99, 1.12], p = 0.031"
 *   "inconclusive: 1.09× slower [1.09, 1.10], p = 0.10 (3 and 3 runs cannot reach p < 0.05)"
 *   "identical in every run"                           (all_equal)
 *   "too few runs to compare (n = 1 and 5)"            (n_a or n_b < 2)
 *   "no ratio (a value is not positive), p = 0.41"     (ratio not valid) */
enum stats_verdict_kind stats_verdict(const struct stats_comparison *c,
				      const struct stats_verdict_opts *opts, char *buf, size_t len);

/* "p < 0.001" below 0.001; "p = 0.012" (3 decimals) below 0.1; else
 * "p = 0.41" (2 decimals); "p = ?" for NaN. Returns buf. */
char *stats_format_p(double p, char *buf, size_t len);

#endif
