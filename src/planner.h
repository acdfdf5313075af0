/* planner — turns what the user asked for into a plan of runs: a built-in
 * workload with its parameters (a comma list in a value is a sweep: one run
 * per value, the product over parameters), the variants to compare, the
 * repetitions and warm-up runs, and their order — interleaved (A B A B, so
 * slow drift of the machine falls on every variant alike) or blocked
 * (A A B B) — or a plain command run once per repetition. */
#ifndef BT_PLANNER_H
#define BT_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"

struct plan_request {
	/* Either a built-in workload and its arguments ("--name value" or
	 * "--name=value" pairs)... */
	const char *workload;
	char **wargs;
	size_t nwargs;
	/* ...or a command (NULL-terminated). */
	char **argv;
	const char *const *variants; /* none: the built-in's default, or "default" */
	size_t nvariants;
	unsigned reps;   /* at least 1 */
	unsigned warmup; /* warm-up runs per variant and parameter set */
	bool blocked;    /* order: blocked instead of interleaved */
	double cpus;
	const char *cpuset;
	uint64_t memory;
	char *const *env; /* "K=V" */
	size_t nenv;
	const char *label;
	int blas_threads; /* 0 unset, -1 auto (the run's effective CPUs), or a count */
};

/* Appends the runs to *out. Returns 0, or -1 with one sentence in err (an
 * unknown workload, variant or parameter, a bad value list). */
int planner_build(const struct plan_request *rq, struct plan *out, char *err, size_t errlen);

/* Splits "a,b,c" into values (empty items are an error). Returns the count,
 * 0 on error; free with planner_free_list. */
size_t planner_split_list(const char *text, char ***out);
void planner_free_list(char **items, size_t n);

#endif
