/* wl — what every built-in workload shares: strict option values, a seeded
 * generator that gives the same numbers on every libc, the result protocol
 * (docs/protocol.md) and, run by hand, a human summary.
 *
 * The workloads are built twice from one source (glibc, and musl statically),
 * so this module uses nothing but the C library and POSIX threads. It is
 * compiled with -ffp-contract=off: wl_log() and wl_rng_normal() must round
 * the same way whatever the compiler and libc. */
#ifndef BT_WL_H
#define BT_WL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Start and end ------------------------------------------------------ */

/* Call first: remembers the program name for messages and opens the result
 * channel if BENCHTOP_RESULT_FD names one (otherwise the run is "by hand"). */
void wl_init(const char *prog);
/* True when benchtop launched us (results go to its fd). */
bool wl_under_benchtop(void);
/* Prints "PROG: MESSAGE; see 'PROG --help'." and exits 2 (bad usage). */
void wl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Prints "PROG: MESSAGE." and exits 1 (the workload itself failed). */
void wl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* "glibc 2.36" or "musl 1.2.3": the libc this binary was built against (the
 * same text is in the file behind "benchtop-libc:", for benchtop to read). */
const char *wl_libc(void);
/* Flushes the human summary (by hand) and closes the result channel. */
void wl_finish(void);

/* ---- Parameters ---------------------------------------------------------- */

/* A workload's parameters, each a long option taking a value. The table ends
 * with a NULL name. benchtop reads them through --describe (`benchtop
 * workloads`, sweeps over comma lists), so the table is the one truth. */
struct wl_param {
	const char *name; /* without "--" */
	const char *def;  /* the default, as text */
	const char *help; /* one line */
	bool list;        /* the value is itself a comma list (not a sweep); may be left out */
};
/* --help: usage line, what the workload does, every parameter and default. */
void wl_print_help(const char *about, const struct wl_param *p);
/* --describe, for benchtop: "workload NAME", "about TEXT", "checks
 * BENCHTOP_CHECK" (the workload calls wl_options_done), then one line
 * "param NAME DEFAULT HELP" per parameter (DEFAULT has no spaces); "listparam"
 * for a parameter whose value is itself a comma list, which benchtop then
 * passes whole instead of sweeping over its items. */
void wl_print_describe(const char *name, const char *about, const struct wl_param *p);
/* Call once the options are parsed and every check of them is done, before
 * any work: with BENCHTOP_CHECK=1 in the environment the program exits 0
 * here, having done nothing. benchtop runs each parameter set so before a
 * plan starts, so a bad value is reported at once (at its suite line) and
 * not by every run of the plan. */
#define WL_CHECK_ENV "BENCHTOP_CHECK"
void wl_options_done(void);

/* ---- Option values: one clear sentence and exit 2 when wrong ----------- */

long long wl_opt_ll(const char *opt, const char *arg, long long min, long long max);
double wl_opt_double(const char *opt, const char *arg, double min, double max);
/* --threads: a count from 1 to max, or "auto" (the effective CPUs). */
int wl_opt_threads(const char *opt, const char *arg, int max);
/* A size with an optional K, M or G suffix (powers of 1024). */
uint64_t wl_opt_size(const char *opt, const char *arg, uint64_t min, uint64_t max);

/* CPUs this process may really use: BENCHTOP_CPUS when benchtop set it (the
 * run's quota and cpuset), else the affinity mask. At least 1. */
int wl_effective_cpus(void);

/* ---- Results ------------------------------------------------------------ */

/* A phase begins (the previous one ends). */
void wl_phase(const char *name);
/* A metric: name [a-z0-9_.], value, unit ("" for none). Under benchtop a
 * protocol line; by hand kept for the summary printed by wl_finish(). */
void wl_metric(const char *name, double value, const char *unit);
/* A fact in words (the OpenBLAS core, the libc): "info NAME TEXT" under
 * benchtop, a summary line by hand. TEXT is one line of printable ASCII. */
void wl_info(const char *name, const char *text);

/* ---- Time --------------------------------------------------------------- */

/* Monotonic seconds. */
double wl_now(void);

/* ---- Deterministic random numbers --------------------------------------- */

/* xoshiro256** seeded through splitmix64: same seed, same stream, on every
 * libc and compiler. Never libc's rand(). */
struct wl_rng {
	uint64_t s[4];
};
void wl_rng_seed(struct wl_rng *r, uint64_t seed);
/* An independent stream: seed and a stream number (a thread, a tree). */
void wl_rng_seed2(struct wl_rng *r, uint64_t seed, uint64_t stream);
uint64_t wl_rng_next(struct wl_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double wl_rng_uniform(struct wl_rng *r);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t wl_rng_below(struct wl_rng *r, uint64_t n);
/* Standard normal (Marsaglia's polar method on wl_log and sqrt, both exactly
 * reproducible). */
double wl_rng_normal(struct wl_rng *r);

/* Natural logarithm from + - * / only (no libm), for x > 0: the same bits on
 * every libc, within 4 ulp of the true value. */
double wl_log(double x);

/* ---- Memory ------------------------------------------------------------- */

/* Allocation that ends the workload with a clear message when memory runs
 * out (the caller frees with free()). */
void *wl_malloc(size_t n);
void *wl_calloc(size_t n, size_t size);
/* n * size with an overflow check (exits with a message). */
size_t wl_mul(size_t n, size_t size);

#endif
