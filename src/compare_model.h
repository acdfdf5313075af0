/* compare_model — what `benchtop compare` (compare.c) builds from the
 * traces and its output formats (compare_out.c) print: the traces read, their
 * runs grouped by workload and parameters, per variant, the metrics of each
 * group, and one row of statistics per metric and variant. Private to the
 * two files: nothing else includes it.
 *
 * Ownership: a struct cmp owns its traces, groups, variants, metrics and
 * notes; rows own nothing (fixed-size). */
#ifndef BT_COMPARE_MODEL_H
#define BT_COMPARE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "advice.h"
#include "stats.h"
#include "summary.h"

#define MAX_TRACES 64

enum fmt { FMT_TABLE, FMT_MARKDOWN, FMT_JSON, FMT_CSV };

/* One trace file: what recorded it, and its runs folded by the two sinks. */
struct trace_in {
	const char *path;
	char *host, *kernel, *libc, *libc_version, *cpus_eff, *cpus_vis, *mem_limit, *cpu_model;
	struct summary sum;
	struct advice adv;
	char *problem; /* the trace was cut or damaged: what the reader said */
};

/* One run taken into the statistics. */
struct run_ref {
	struct trace_in *t;
	const struct run_summary *r;
};

/* The runs of one variant within a group. */
struct vgroup {
	char *variant;
	struct run_ref *runs;
	size_t n, cap;
};

/* A metric column: where its values come from and which way is better. */
struct metric {
	char *name;  /* "wall_s", "cpu_s", "rss_peak_bytes", "memory_peak_bytes", or a workload metric */
	char *label; /* as a person reads it */
	char *unit;  /* "s", "B", or the workload's unit */
	int better;  /* -1 lower is better, +1 higher is better, 0 neither (larger / smaller) */
	int source;  /* 0..3: the fixed ones; 4: a workload metric by name */
};

struct group {
	char *workload, *params;
	struct vgroup *v;
	size_t nv, vcap;
	struct metric *m;
	size_t nm, mcap;
	unsigned skipped_warmup, skipped_failed;
	char *notes; /* '\n'-separated */
};

#define MAX_ACROSS 4

struct cmp {
	struct trace_in t[MAX_TRACES];
	size_t nt;
	struct group *g;
	size_t ng, gcap;
	const char *baseline;
	enum fmt fmt;
	const char *across[MAX_ACROSS]; /* --across: parameters that are part of the variant */
	size_t nacross;
	bool across_seen[MAX_ACROSS];   /* some run has that parameter */
};

/* One metric of one variant: its description, outliers and, against the
 * baseline, the comparison and its verdict. */
struct row {
	struct stats_summary d;
	struct stats_outliers o;
	bool have_cmp;
	struct stats_comparison cmp;
	enum stats_verdict_kind kind;
	char verdict[STATS_VERDICT_LEN];
};

/* The baseline's index in g: the one --baseline names, else glibc, else
 * the first; -1 when --baseline names none of g's variants. */
long compare_baseline_of(const struct cmp *c, const struct group *g);

/* The row of metric m for variant v against base (NULL: no baseline here).
 * few_elsewhere: leave "N and M runs cannot reach p < 0.05" out of the
 * verdict (the table says it once, in a note). */
void compare_row(const struct metric *m, const struct vgroup *base, const struct vgroup *v, bool is_base,
		 bool few_elsewhere, struct row *out);

/* A row with where it belongs, as compare_each_row hands it over. */
struct row_at {
	const struct group *g;
	const struct metric *m;
	const struct vgroup *v, *base;
	bool is_base;
	struct row r;
};
typedef void (*row_fn)(void *ctx, const struct row_at *at);

/* fn for every row with data, in output order: groups, metrics, variants. */
void compare_each_row(const struct cmp *c, row_fn fn, void *ctx);

/* v in m's unit, as a person reads it ("1.234 s", "21.5 MiB", "62.27 Mops/s"). */
const char *compare_fmt_value(char *buf, size_t size, const struct metric *m, double v);

/* The formats (docs/compare.md). The table and markdown print g's notes. */
void compare_print_table(const struct cmp *c, FILE *out, bool md);
void compare_print_json(const struct cmp *c, FILE *out);
void compare_print_csv(const struct cmp *c, FILE *out);

#endif
