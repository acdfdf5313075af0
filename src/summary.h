/* summary — a sink that folds the records of a trace (or of a live
 * recording: the same records) into one summary per run: wall and CPU time,
 * average and peak CPU %, RSS and cgroup memory, threads, context switches,
 * throttling, exit status. `record` prints it at the end; `export --summary`
 * computes it from a trace file with the same code, so both agree.
 *
 * Call order: summary_init, summary_add (every record, in order),
 * summary_print_* / the runs array, summary_free. */
#ifndef BT_SUMMARY_H
#define BT_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"

/* What a run reported through the result protocol (docs/protocol.md). */
struct run_phase {
	char *name;
	uint64_t t_us; /* when it began, trace time */
};
struct run_metric {
	char *name, *value, *unit; /* the last value reported under a name */
	bool text;                 /* an info line: value is words, not a number */
};
#define SUMMARY_MAX_REPORTED 256

struct run_summary {
	uint64_t id;
	char *workload, *variant, *label, *command;
	char *params;      /* a built-in's parameters, "name=value ..." */
	char *binary_libc; /* what the run's binary is linked with */
	char *env;         /* the variables benchtop added, '\n'-separated */
	unsigned rep;      /* 0 for a warm-up run */
	bool warmup;
	double effective_cpus; /* what the run could use (BENCHTOP_CPUS) */
	double limit_cpus;
	uint64_t limit_mem;
	char *cpuset, *cgroup;
	bool limits_applied;
	/* time */
	uint64_t start_us;
	double wall_s;
	/* CPU: from the cgroup when the run had one, else from the tree */
	bool cpu_from_cg;
	bool have_cpu;
	uint64_t cpu_ns, user_ns, sys_ns;
	double cpu_pct_sum, cpu_pct_peak;
	unsigned cpu_pct_n;
	uint64_t prev_cpu_ns, prev_t_us;
	bool have_prev;
	/* memory */
	double rss_sum;
	unsigned rss_n;
	uint64_t rss_peak, hwm_peak;
	bool have_cgmem;
	double cgmem_sum;
	unsigned cgmem_n;
	uint64_t cgmem_peak;
	/* threads, switches, throttling */
	uint64_t threads_peak, procs_peak;
	bool have_cs;
	uint64_t cs_vol, cs_invol;
	bool have_throttle;
	uint64_t periods, throttled, thr_ns;
	/* benchtop's own cgroup while the run ran (a container's): the rise
	 * of its throttling counters, and its memory peak */
	bool have_own_thr, have_own_mem;
	uint64_t own_periods0, own_thr0, own_thr_ns0, own_periods, own_thr, own_thr_ns, own_mem_peak;
	/* ticks */
	uint64_t ticks, late_ticks, missed, late_max_us, cost_ns;
	/* end */
	bool ended;
	int exit_code, signal;
	bool oom_killed;
	char *end_reason;
	double ru_user_s, ru_sys_s;
	uint64_t ru_maxrss;
	bool have_ru;
	char *notes; /* '\n'-separated notes (events of type note) */
	struct run_phase *phases;
	size_t nphases, phasecap;
	struct run_metric *metrics;
	size_t nmetrics, metriccap;
	uint64_t end_us; /* trace time of RUN_END */
};

struct summary {
	struct run_summary *runs;
	size_t nruns, cap;
	long clk_tck;
	uint64_t mem_limit; /* META: the tightest limit over benchtop's own cgroup */
};

void summary_init(struct summary *s);
void summary_free(struct summary *s);
void summary_add(struct summary *s, const struct bt_record *rec);

/* Derived numbers. */
double run_cpu_s(const struct run_summary *r);
double run_user_s(const struct run_summary *r);
double run_sys_s(const struct run_summary *r);
double run_cpu_avg_pct(const struct run_summary *r);
const char *run_exit_text(const struct run_summary *r, char *buf, size_t size);

/* adv (may be NULL): findings computed from the same records, printed under
 * each run (text) or as each run's "findings" array (JSON). */
struct advice;
void summary_print_table(FILE *out, const struct summary *s, struct advice *adv);
void summary_print_json(FILE *out, const struct summary *s, struct advice *adv);
void summary_print_csv(FILE *out, const struct summary *s);

/* One step of a CPU rate: percent of one core between (prev_ns, prev_t_us)
 * and (ns, t_us). Returns false (no rate) on the first sample, when time did
 * not advance, or when the counter went backwards; the caller then keeps its
 * previous base unless this is the first sample. Used by summary and export
 * alike, so both give the same numbers. */
bool summary_rate(uint64_t prev_ns, uint64_t prev_t_us, uint64_t ns, uint64_t t_us, double *pct);

/* CPU of a run entity in ns, from the cgroup when use_cg, else the tree.
 * Returns false when the needed fields are unknown. */
bool summary_run_cpu_ns(const struct bt_entity *e, long clk_tck, bool use_cg, uint64_t *ns);

#endif
