/* model — the screen's view model: a sink fed every trace record in order
 * (META, RUN_START, FRAME, EVENT, RUN_END, NAME), live or from a trace file,
 * that can answer "what did the session look like at time t". Live, paused
 * and replay therefore draw through the same code: they only differ in t.
 *
 * It keeps, per run, one sample per tick: the CPU %, memory, throttling and
 * threads of that tick (for graphs) and a copy of the run's running summary
 * at that tick (summary.c's own numbers, for the table), so any past moment
 * is shown exactly as it was. Rates come from summary_rate and
 * summary_run_cpu_ns, as in `export`. It also keeps the events (run start
 * and end, phases, metrics, notes), the times of every frame, the names of
 * processes and threads, the latest two frames (for the detail rows), and
 * the findings of advice.c.
 *
 * No curses and no /proc here. Ownership: the model owns everything it
 * holds; pointers it hands out stay valid until the next model_feed,
 * model_plan_run or model_free. Struct fields are read-only to callers. */
#ifndef BT_UI_MODEL_H
#define BT_UI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "advice.h"
#include "frame.h"
#include "summary.h"
#include "trace.h"

/* Per run: at most this many samples; past it, pairs of old samples are
 * merged (history gets coarser, never lost), so a long session stays
 * within a few MiB per run. */
#define MODEL_MAX_SAMPLES 65536
/* Frame times kept for stepping (32 MiB); later frames are not steppable. */
#define MODEL_MAX_FRAMES (1u << 22)
/* Runs a trace's plan may announce (a suite of thousands is already large). */
#define MODEL_MAX_PLANNED 10000

/* MS_NOT_RUN: planned, but the session ended without starting it (stopped,
 * or a command that could not be executed). */
enum model_state { MS_QUEUED, MS_RUNNING, MS_DONE, MS_FAILED, MS_OOM, MS_NOT_RUN };
#define MS_N (MS_NOT_RUN + 1)

/* A run's numbers up to a moment, as summary.c computes them. A flag
 * false means unknown (shown as '-'), never zero. */
struct model_stats {
	bool valid;       /* at least one tick of the run */
	double wall_s;
	bool cpu_valid, peak_valid; /* a peak needs two ticks */
	double cpu_avg, cpu_peak;   /* % of one core */
	bool mem_valid, mem_is_cg;  /* cgroup memory when known, else RSS */
	double mem_avg, mem_peak;   /* bytes */
	bool thr_valid;
	double thr_pct;             /* throttled periods / periods, % */
	bool threads_now_valid;     /* the latest tick counted them */
	uint64_t threads_now, threads_peak;
};

/* The series of a sample, for graphs. */
enum model_series { MSER_CPU, MSER_THR, MSER_RSS, MSER_CGMEM, MSER_THREADS, MSER_N };

/* One tick of one run. NaN means unknown. */
struct model_sample {
	uint64_t t_us;
	double cpu_pct; /* % of one core during the interval before this tick */
	double thr_pct; /* periods throttled during that interval, % */
	double rss, cgmem, threads;
	struct model_stats stats; /* the run so far */
};

/* Every MODEL_BLOCK samples of a run are also kept as a block: the range
 * of each series over them. Drawing a long window then reads a few values
 * per column instead of every sample. Block j covers samples
 * [j*MODEL_BLOCK, (j+1)*MODEL_BLOCK); only whole blocks exist. */
#define MODEL_BLOCK 16
struct model_block {
	uint64_t t_first;
	double lo[MSER_N], hi[MSER_N]; /* NaN: no known value in the block */
};

enum model_event_kind { ME_START, ME_END, ME_PHASE, ME_METRIC, ME_NOTE };

struct model_event {
	uint64_t t_us, run;
	enum model_event_kind kind;
	char *name;  /* phase or metric name, note text, end: how it ended */
	char *value; /* metric value, or an info's text (NULL otherwise) */
	char *unit;  /* metric unit ("" when none or an info; NULL otherwise) */
};

struct model_run {
	uint64_t id;
	char *workload, *variant; /* from the plan or RUN_START */
	unsigned rep;             /* 0 for a warm-up run */
	bool warmup;              /* not counted in comparisons */
	int color;                /* index of the variant, in order of first appearance */
	bool planned;             /* announced by model_plan_run */
	bool not_run;             /* planned, never started, and the session is over */
	bool started, ended;
	uint64_t start_us, end_us;
	int exit_code, signal;
	bool oom;
	char *command, *label, *env, *cgroup, *cpuset; /* "" when not given */
	char *params;         /* a built-in's parameters, "name=value ..." */
	char *binary_libc;    /* what its binary is linked with */
	double limit_cpus;    /* 0: none */
	uint64_t limit_mem;   /* 0: none */
	double effective_cpus; /* what the run may use (quota, cpuset, host); 0 unknown */
	bool limits_applied;
	long pid;             /* 0: unknown */
	struct model_sample *s;
	size_t ns, scap;
	struct model_block *b;
	size_t nb, bcap;
	/* rate bases between consecutive frames */
	bool have_prev, have_prev_thr;
	uint64_t prev_cpu_ns, prev_t_us, prev_periods, prev_throttled;
};

struct model_meta {
	bool have;
	char *host, *kernel, *libc, *cgroup_mode; /* "" when unknown */
	int cgroup_version;     /* -1 unknown, 0 none */
	double cpus_visible, cpus_effective; /* 0 unknown */
	uint64_t mem_total, mem_limit;       /* 0 unknown / none */
	unsigned interval_ms;   /* 0 unknown */
};

struct model_name {
	uint64_t key; /* kind << 62 | id */
	char comm[24];
};

/* The ratio of a variant to its baseline, from the wall times of their
 * finished runs, with its confidence interval when there is one (have_ci,
 * lo, hi). */
struct model_ratio {
	double ratio;
	bool have_ci;
	double lo, hi;
	size_t nbase, nvar;
};
typedef bool (*model_ratio_fn)(const double *base, size_t nbase, const double *var, size_t nvar,
			       struct model_ratio *out);

/* The last ratio worked out for a (workload, variant): the bootstrap is
 * too dear to repeat on every frame for the same runs. */
struct model_ratio_memo {
	char *workload, *variant;
	size_t nbase, nvar;
	uint64_t key;        /* which runs it came from (a hash of their ids) */
	model_ratio_fn fn;
	bool ok;
	struct model_ratio r;
};

struct model {
	struct summary sum;  /* fed the same records: the final numbers of a run */
	struct advice adv;   /* and the findings (advice.c) */
	struct model_meta meta;
	struct model_run *runs; /* sorted by id */
	size_t nruns, runcap;
	char **variants;        /* in order of first appearance: colour index */
	size_t nvariants, varcap;
	struct model_event *ev; /* in time order */
	size_t nev, evcap;
	uint64_t *ftime;        /* t_us of every frame, in order */
	size_t nframes, fcap;
	struct model_name *names; /* sorted by key */
	size_t nnames, namecap;
	struct bt_frame cur, prev; /* the latest two frames */
	bool have_cur, have_prev;
	uint64_t end_us;        /* time of the latest record */
	uint64_t gen;           /* bumped by every change a screen could show */
	model_ratio_fn ratio;
	struct model_ratio_memo *memo; /* a cache (mutable behind const) */
	size_t nmemo, memocap;
	bool over;              /* model_session_over was called */
};

void model_init(struct model *m);
void model_free(struct model *m);
/* Take one record (any type; unknown ones are ignored). */
void model_feed(struct model *m, const struct bt_record *rec);
/* Announce a run before it starts: it shows as queued. A later RUN_START
 * of the same id fills in the rest. Repeating a plan changes nothing. */
void model_plan_run(struct model *m, uint64_t id, const char *workload, const char *variant, unsigned rep);
/* The live session is over: planned runs that never started are 'not run'
 * from now on (no longer 'queued'). */
void model_session_over(struct model *m);

const struct model_run *model_find_run(const struct model *m, uint64_t id);
/* The run's final summary (summary.c), NULL before its RUN_START. */
const struct run_summary *model_run_summary(const struct model *m, uint64_t id);

/* Whether a run is visible at time t: started by then, or planned. */
bool model_run_visible(const struct model_run *r, uint64_t t_us);
enum model_state model_run_state(const struct model_run *r, uint64_t t_us);
const char *model_state_name(enum model_state s);
/* A sample's value of series k (NaN when unknown). */
double model_value(const struct model_sample *s, enum model_series k);
/* The largest known value of series k among r's samples taken in
 * [t0, t1]; NaN when none. Reads blocks where whole ones fit. */
double model_series_max(const struct model_run *r, enum model_series k, uint64_t t0, uint64_t t1);
/* Samples of r taken at or before t. */
size_t model_samples_until(const struct model_run *r, uint64_t t_us);
/* r's numbers as they stood at t: the summary's final ones once r ended by
 * then, else those of its last sample at or before t. */
void model_run_stats(const struct model *m, const struct model_run *r, uint64_t t_us, struct model_stats *out);

/* The variant every other variant of a workload is compared with: the
 * variant of its lowest-numbered run. NULL when the workload is unknown. */
const char *model_baseline(const struct model *m, const char *workload);
/* The ratio of variant's median wall time to the baseline's, over runs
 * done (exit 0) by t, warm-ups left out; false until both have one. The
 * model's ratio function works it out (model_ratio_ci unless replaced);
 * the answer is remembered until the runs it came from change. */
bool model_variant_ratio(const struct model *m, const char *workload, const char *variant, uint64_t t_us,
			 struct model_ratio *out);
/* Median over median, no confidence interval. */
bool model_ratio_median(const double *base, size_t nbase, const double *var, size_t nvar, struct model_ratio *out);
/* The default: the ratio of medians with its 95 % bootstrap interval once
 * both sides have two runs or more, as `benchtop compare` computes it
 * (stats.c, same seed and resamples). */
bool model_ratio_ci(const double *base, size_t nbase, const double *var, size_t nvar, struct model_ratio *out);

/* Index of the first event after t (dir > 0) or the last before t
 * (dir < 0); -1 when none. */
long model_event_near(const struct model *m, uint64_t t_us, int dir);
/* Time of the first frame after t (dir > 0) or the last before t
 * (dir < 0); false when none. */
bool model_frame_near(const struct model *m, uint64_t t_us, int dir, uint64_t *out);
/* Index in ftime of the last frame at or before t; -1 when none. */
long model_frame_index(const struct model *m, uint64_t t_us);

/* The command name of a process or thread, NULL when never named. */
const char *model_name_of(const struct model *m, enum bt_kind kind, uint64_t id);

/* One row of the detail view: a process, or one of its threads (listed
 * right after it). NaN / -1 mean unknown. */
struct model_task {
	bool is_thread;
	uint64_t id, pid;
	const char *name; /* owned by the model; "?" when never named */
	char state;       /* /proc letter, '?' unknown */
	int cpu;          /* the CPU it last ran on (a process: its main thread's) */
	double cpu_pct;   /* % of one core between the two frames */
	double rss;       /* processes only */
	uint64_t nthreads;
};
/* Rows for run over the frame cur, with rates against prev (may be NULL).
 * Writes at most max rows; returns how many there would be. */
size_t model_tasks(const struct model *m, const struct bt_frame *prev, const struct bt_frame *cur, uint64_t run,
		   struct model_task *rows, size_t max);

/* The findings of a run from every record fed so far (advice.c), warnings
 * first; pointers valid until the next feed. */
size_t model_findings(const struct model *m, uint64_t run, const struct finding **out);

/* The latest value of each metric of run reported by t, in first-report
 * order; returns how many (up to max). Pointers into the events. */
size_t model_metrics_at(const struct model *m, uint64_t run, uint64_t t_us, const struct model_event **out,
			size_t max);

#endif
