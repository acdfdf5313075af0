/* Unit tests for advice.c: every finding fires on a synthetic record stream
 * made to show it, stays silent on a healthy one and near its thresholds
 * on the right side, and never rests on fields whose mask bit is off. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "advice.h"
#include "util.h"

#define AVX512_FLAGS "fpu sse sse2 pni ssse3 sse4_1 sse4_2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl"
#define AVX2_FLAGS "fpu sse sse2 pni ssse3 sse4_1 sse4_2 avx avx2 fma"

/* ---- A synthetic run ------------------------------------------------------ */

/* One run of `ticks` frames 100 ms apart; every value per tick or per
 * second. A negative value (or NULL) leaves the field out of the frames. */
struct scen {
	int visible;           /* META cpus_visible */
	double limit_cpus;     /* RUN_START limit_cpus; 0 none */
	int effective_cpus;    /* RUN_START effective_cpus */
	unsigned ticks;
	unsigned threads;      /* threads of the run */
	int runnable;          /* RUN_NRUNNING; -1 unknown */
	double on, rq;         /* per thread: shares of each tick on a CPU / on the run queue */
	char blocked;          /* the state of a thread when neither ('S', 'D') */
	bool no_sched;         /* schedstat unknown */
	bool no_state;         /* THR_STATE unknown */
	double joiner_on;      /* > 0: one more thread, on a CPU this share and asleep otherwise */
	double meta_effective; /* > 0: META cpus_effective (a container's quota), else visible */
	bool no_run_cgroup;    /* the run had no cgroup: limits_applied 0, no RUN_CG_* fields */
	double own_throttled;  /* > 0: benchtop's own cgroup throttled this share of its periods */
	bool run_no_quota;     /* the run's cgroup counts no CFS periods (no quota of its own) */
	double starved_rq;     /* > 0: one more thread, on a CPU 2 % and waiting for one this share */
	double throttled;      /* share of periods; -1: no CPU quota fields */
	double invol_per_s;    /* -1 unknown */
	double majflt_per_s;   /* -1 unknown */
	double mem, file;      /* cgroup memory and its file part (bytes); -1 unknown */
	uint64_t limit_mem;
	int oom_kills;         /* -1 unknown */
	bool oom_killed;       /* RUN_END */
	const char *core, *config, *flags, *env, *params;
};

static struct scen healthy(void)
{
	/* One thread computing alone on one of two CPUs, no limits, 3 s. */
	return (struct scen){ .visible = 2, .effective_cpus = 2, .ticks = 30, .threads = 1, .runnable = 1,
			      .on = 0.97, .rq = 0.02, .blocked = 'S', .throttled = -1, .invol_per_s = 5,
			      .majflt_per_s = 0, .mem = 50e6, .file = 1e6, .oom_kills = 0 };
}

static void feed_kv(struct advice *a, enum trace_rec_type type, uint64_t run, uint64_t t_us, const struct bt_kv *kv,
		    size_t n)
{
	struct bt_record r = { .type = type, .run = run, .t_us = t_us, .nkv = n, .kv = kv };
	advice_add(a, &r);
}

static void info_event(struct advice *a, uint64_t run, const char *name, const char *text)
{
	struct bt_kv kv[] = { { "type", "info" }, { "name", name }, { "text", text } };
	feed_kv(a, TR_EVENT, run, 1000, kv, 3);
}

static void set_if(struct bt_entity *e, unsigned field, double v)
{
	if (v >= 0)
		ent_set(e, field, (uint64_t)v);
}

/* Feed the run's records (RUN_START, events, frames, RUN_END) with id run;
 * its process is pid 1000*run, its threads 1000*run+1... */
static void feed_run(struct advice *a, uint64_t run, const struct scen *s)
{
	char lim[32] = "", eff[16], mem[32] = "";
	if (s->limit_cpus > 0)
		snprintf(lim, sizeof lim, "%g", s->limit_cpus);
	snprintf(eff, sizeof eff, "%d", s->effective_cpus);
	if (s->limit_mem)
		snprintf(mem, sizeof mem, "%llu", (unsigned long long)s->limit_mem);
	struct bt_kv start[] = { { "command", "synthetic" }, { "workload", "synthetic" }, { "limit_cpus", lim },
				 { "effective_cpus", eff }, { "limit_memory", mem },
				 { "limits_applied", s->no_run_cgroup ? "0" : "1" },
				 { "env", s->env ? s->env : "" }, { "params", s->params ? s->params : "" } };
	feed_kv(a, TR_RUN_START, run, 0, start, BT_ARRAY_LEN(start));
	if (s->core)
		info_event(a, run, "openblas_core", s->core);
	if (s->config)
		info_event(a, run, "openblas_config", s->config);
	struct bt_frame f;
	frame_init(&f);
	uint64_t pid = 1000 * run;
	/* Per-tick increments in whole units, so shares come out exact. */
	uint64_t on_us = (uint64_t)llround(s->on * 100000), rq_us = (uint64_t)llround(s->rq * 100000);
	for (unsigned k = 0; k < s->ticks; k++) {
		double t = 0.1 * k; /* seconds since the start */
		frame_reset(&f);
		f.tick = k;
		f.t_us = (uint64_t)(t * 1e6);
		struct bt_entity *e = frame_add(&f, BT_K_RUN, run);
		ent_set(e, RUN_NPROCS, 1);
		ent_set(e, RUN_NTHREADS, s->threads);
		set_if(e, RUN_NRUNNING, s->runnable);
		ent_set(e, RUN_CG_CPU_NS, (uint64_t)(t * s->on * s->threads * 1e9));
		if (s->own_throttled > 0) { /* a container's counters, long since started */
			struct bt_entity *sys = frame_add(&f, BT_K_SYS, 0);
			ent_set(sys, SYS_OWN_PERIODS, 5000 + 10 * k);
			ent_set(sys, SYS_OWN_THROTTLED, 2000 + (uint64_t)(s->own_throttled * 10 * k + 1e-6));
			ent_set(sys, SYS_OWN_THROTTLED_NS, (uint64_t)(7e9 + s->own_throttled * t * 1e9));
		}
		if (s->run_no_quota) {
			ent_set(e, RUN_CG_PERIODS, 0);
			ent_set(e, RUN_CG_THROTTLED, 0);
		} else if (s->throttled >= 0 && !s->no_run_cgroup) { /* ten 10 ms periods a tick */
			ent_set(e, RUN_CG_PERIODS, 10 * k);
			ent_set(e, RUN_CG_THROTTLED, (uint64_t)(s->throttled * 10 * k + 1e-6));
			ent_set(e, RUN_CG_THROTTLED_NS, (uint64_t)(s->throttled * t * 1e9));
		}
		set_if(e, RUN_CS_INVOL, s->invol_per_s < 0 ? -1 : s->invol_per_s * t);
		set_if(e, RUN_MAJFLT, s->majflt_per_s < 0 ? -1 : s->majflt_per_s * t);
		set_if(e, RUN_CG_MEM, s->mem);
		set_if(e, RUN_CG_FILE, s->file);
		set_if(e, RUN_CG_OOM_KILLS, s->oom_kills);
		ent_set(e, RUN_READ_BYTES, 0);
		ent_set(e, RUN_WRITE_BYTES, 0);
		struct bt_entity *p = frame_add(&f, BT_K_PROC, pid);
		ent_set(p, PROC_RUN, run);
		for (unsigned i = 0; i < s->threads; i++) {
			struct bt_entity *te = frame_add(&f, BT_K_THREAD, pid + 1 + i);
			ent_set(te, THR_PID, pid);
			if (!s->no_sched) {
				ent_set(te, THR_RUN_US, k * on_us);
				ent_set(te, THR_WAIT_US, k * rq_us);
			}
			ent_set(te, THR_UTIME, (uint64_t)(t * s->on * 100));
			ent_set(te, THR_STIME, 0);
			/* A state in proportion: R for on+rq of the ticks. */
			double phase = fmod(k * 0.37 + i * 0.11, 1.0);
			if (!s->no_state)
				ent_set(te, THR_STATE, (uint64_t)(phase < s->on + s->rq ? 'R' : s->blocked));
		}
		if (s->starved_rq > 0) { /* a thread held off a CPU */
			struct bt_entity *te = frame_add(&f, BT_K_THREAD, pid + 500);
			ent_set(te, THR_PID, pid);
			ent_set(te, THR_RUN_US, k * 2000);
			ent_set(te, THR_WAIT_US, k * (uint64_t)llround(s->starved_rq * 100000));
			ent_set(te, THR_UTIME, (uint64_t)(t * 2));
			ent_set(te, THR_STIME, 0);
			ent_set(te, THR_STATE, 'R');
		}
		if (s->joiner_on > 0) { /* a main thread waiting in join */
			struct bt_entity *te = frame_add(&f, BT_K_THREAD, pid);
			ent_set(te, THR_PID, pid);
			ent_set(te, THR_RUN_US, k * (uint64_t)llround(s->joiner_on * 100000));
			ent_set(te, THR_WAIT_US, 0);
			ent_set(te, THR_UTIME, (uint64_t)(t * s->joiner_on * 100));
			ent_set(te, THR_STIME, 0);
			ent_set(te, THR_STATE, 'S');
		}
		struct bt_record r = { .type = TR_FRAME, .frame = &f, .t_us = f.t_us };
		advice_add(a, &r);
	}
	frame_free(&f);
	struct bt_kv end[] = { { "exit_code", s->oom_killed ? "-1" : "0" },
			       { "signal", s->oom_killed ? "9" : "0" },
			       { "oom_killed", s->oom_killed ? "1" : "0" } };
	feed_kv(a, TR_RUN_END, run, (uint64_t)(s->ticks * 100000), end, 3);
}

static void feed_meta(struct advice *a, const struct scen *s)
{
	char vis[16], eff[16];
	snprintf(vis, sizeof vis, "%d", s->visible);
	snprintf(eff, sizeof eff, "%g", s->meta_effective > 0 ? s->meta_effective : (double)s->visible);
	struct bt_kv meta[] = { { "clk_tck", "100" }, { "cpus_visible", vis }, { "cpus_effective", eff },
				{ "cgroup_version", "1" }, { "mem_limit", "0" },
				{ "cpu_flags", s->flags ? s->flags : "" } };
	feed_kv(a, TR_META, 0, 0, meta, BT_ARRAY_LEN(meta));
}

/* The findings of one scenario (run 1). */
struct outcome {
	struct advice a;
	const struct finding *f;
	size_t n;
};

static void run_one(struct outcome *o, const struct scen *s)
{
	advice_init(&o->a);
	feed_meta(&o->a, s);
	feed_run(&o->a, 1, s);
	o->n = advice_findings(&o->a, 1, &o->f);
}

static const struct finding *find_kind(const struct outcome *o, enum advice_kind k)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->f[i].kind == k)
			return &o->f[i];
	return NULL;
}

static bool fires(const struct scen *s, enum advice_kind k)
{
	struct outcome o;
	run_one(&o, s);
	bool yes = find_kind(&o, k) != NULL;
	advice_free(&o.a);
	return yes;
}

static double number(const struct finding *f, const char *name)
{
	for (size_t i = 0; i < f->nnum; i++)
		if (strcmp(f->num[i].name, name) == 0)
			return f->num[i].value;
	fail_msg("finding %s has no number %s", advice_kind_name(f->kind), name);
	return NAN;
}

static size_t warnings(const struct outcome *o)
{
	size_t n = 0;
	for (size_t i = 0; i < o->n; i++)
		n += o->f[i].severity == ADV_WARNING;
	return n;
}

/* The document 004 case: OpenBLAS's two threads under a 0.5 CPU quota. */
static struct scen oversubscribed(void)
{
	struct scen s = healthy();
	s.limit_cpus = 0.5;
	s.effective_cpus = 1;
	s.threads = 2;
	s.runnable = 2;
	s.on = 0.25;
	s.rq = 0.74;
	s.throttled = 0.96;
	s.invol_per_s = 150;
	s.core = "Prescott";
	return s;
}

/* ---- Healthy runs ---------------------------------------------------------- */

static void healthy_run_has_no_warning(void **state)
{
	(void)state;
	struct scen s = healthy();
	s.flags = AVX512_FLAGS;
	s.core = "SkylakeX";
	s.limit_mem = 1 << 30;
	struct outcome o;
	run_one(&o, &s);
	assert_int_equal(warnings(&o), 0);
	/* Only its character, as information. */
	assert_int_equal(o.n, 1);
	assert_int_equal(o.f[0].kind, ADV_CPU_BOUND);
	assert_int_equal(o.f[0].severity, ADV_INFO);
	advice_free(&o.a);
	/* Two threads on two CPUs under a quota of two: fits. */
	s.threads = 2;
	s.runnable = 2;
	s.limit_cpus = 2;
	s.throttled = 0.02;
	run_one(&o, &s);
	assert_int_equal(warnings(&o), 0);
	advice_free(&o.a);
}

static void unknown_run_has_no_findings(void **state)
{
	(void)state;
	struct advice a;
	advice_init(&a);
	const struct finding *f = (const struct finding *)&a;
	assert_int_equal(advice_findings(&a, 7, &f), 0);
	assert_null(f);
	advice_free(&a);
}

/* ---- Oversubscription ------------------------------------------------------ */

static void oversubscription_fires_with_numbers(void **state)
{
	(void)state;
	struct scen s = oversubscribed();
	struct outcome o;
	run_one(&o, &s);
	const struct finding *f = find_kind(&o, ADV_OVERSUBSCRIBED);
	assert_non_null(f);
	assert_int_equal(f->severity, ADV_WARNING);
	assert_ptr_equal(f, &o.f[0]); /* warnings first, this one first */
	assert_non_null(strstr(f->text, "2.0 runnable threads on average"));
	assert_non_null(strstr(f->text, "0.5 CPUs"));
	assert_non_null(strstr(f->text, "throttled in 96 % of 290 periods"));
	assert_non_null(strstr(f->text, "150 involuntary context switches a second"));
	assert_non_null(f->fix);
	assert_string_equal(f->fix, "set OPENBLAS_NUM_THREADS=1 (or OMP_NUM_THREADS=1), the CPUs it may use");
	assert_true(fabs(number(f, "runnable_median") - 2) < 1e-9);
	assert_true(fabs(number(f, "cpus") - 0.5) < 1e-9);
	assert_true(fabs(number(f, "recommended_threads") - 1) < 1e-9);
	assert_true(fabs(number(f, "runqueue_wait_share") - 0.74) < 0.01);
	advice_free(&o.a);
}

/* In a container whose cgroup benchtop could not make run cgroups in (a
 * read-only cgroupfs): the container's quota throttles the run, and its
 * own cgroup's counters (from their first sighting, not from zero) say so. */
static void oversubscription_in_a_container_without_run_cgroups(void **state)
{
	(void)state;
	struct scen s = oversubscribed();
	s.limit_cpus = 0;
	s.meta_effective = 1;
	s.effective_cpus = 1;
	s.no_run_cgroup = true;
	s.own_throttled = 0.9;
	s.invol_per_s = -1;
	s.no_sched = true;
	struct outcome o;
	run_one(&o, &s);
	const struct finding *f = find_kind(&o, ADV_OVERSUBSCRIBED);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "benchtop's own cgroup (its quota holds the run) throttled in 90 % of 290 periods"));
	assert_true(fabs(number(f, "own_cgroup_throttled_share") - 0.9) < 0.01);
	advice_free(&o.a);
	/* Without those counters nothing shows a cost: silent. */
	s.own_throttled = 0;
	assert_false(fires(&s, ADV_OVERSUBSCRIBED));
	/* A run cgroup of its own without a quota (it counts no periods) in a
	 * throttled container: the container's throttling still tells. */
	s.no_run_cgroup = false;
	s.run_no_quota = true;
	s.own_throttled = 0.9;
	run_one(&o, &s);
	f = find_kind(&o, ADV_OVERSUBSCRIBED);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "benchtop's own cgroup (its quota holds the run) throttled in 90 %"));
	advice_free(&o.a);
}

/* A thread held off a CPU keeps its weight in the run's shares: its wait
 * shows (weighting by CPU time alone would all but hide it). */
static void a_starved_thread_counts(void **state)
{
	(void)state;
	struct scen s = healthy();
	s.starved_rq = 0.9;
	struct outcome o;
	run_one(&o, &s);
	const struct finding *f = NULL;
	for (size_t i = 0; i < o.n && !f; i++)
		if (o.f[i].kind == ADV_CPU_BOUND || o.f[i].kind == ADV_MIXED || o.f[i].kind == ADV_WAIT_BOUND)
			f = &o.f[i];
	assert_non_null(f);
	assert_true(number(f, "runqueue_wait_share") > 0.4);
	advice_free(&o.a);
}

static void oversubscription_boundaries(void **state)
{
	(void)state;
	struct scen s = oversubscribed();
	/* One runnable thread for 0.5 CPU: nothing to lower. */
	s.runnable = 1;
	s.threads = 1;
	assert_false(fires(&s, ADV_OVERSUBSCRIBED));
	/* Two for one CPU: 2 >= 1.5 x 1 and 2 >= 1 + 1. */
	s = oversubscribed();
	s.limit_cpus = 1;
	assert_true(fires(&s, ADV_OVERSUBSCRIBED));
	/* Three for two: 3 >= 1.5 x 2 and 3 >= 2 + 1; two for two: no. */
	s.limit_cpus = 2;
	s.effective_cpus = 2;
	s.runnable = 3;
	s.threads = 3;
	assert_true(fires(&s, ADV_OVERSUBSCRIBED));
	s.runnable = 2;
	assert_false(fires(&s, ADV_OVERSUBSCRIBED));
	/* 1.5 CPUs: two threads are what it should run (rounded up). */
	s.limit_cpus = 1.5;
	assert_false(fires(&s, ADV_OVERSUBSCRIBED));
}

static void oversubscription_needs_a_cost(void **state)
{
	(void)state;
	/* Runnable above the CPUs, but nothing says it cost: no quota, no
	 * switch counts, no schedstat. */
	struct scen s = oversubscribed();
	s.throttled = -1;
	s.invol_per_s = -1;
	s.no_sched = true;
	assert_false(fires(&s, ADV_OVERSUBSCRIBED));
	/* Throttling alone, at its threshold and just below. */
	s.throttled = 0.5;
	assert_true(fires(&s, ADV_OVERSUBSCRIBED));
	s.throttled = 0.45;
	assert_false(fires(&s, ADV_OVERSUBSCRIBED));
	/* Involuntary switches alone: 20 a second per runnable thread. */
	s.throttled = -1;
	s.invol_per_s = 40.5;
	assert_true(fires(&s, ADV_OVERSUBSCRIBED));
	s.invol_per_s = 39.5;
	assert_false(fires(&s, ADV_OVERSUBSCRIBED));
	/* The run-queue wait alone: a quarter of the time. */
	s.invol_per_s = -1;
	s.no_sched = false;
	s.on = 0.7, s.rq = 0.26;
	assert_true(fires(&s, ADV_OVERSUBSCRIBED));
	s.rq = 0.2;
	assert_false(fires(&s, ADV_OVERSUBSCRIBED));
}

static void oversubscription_unknown_fields(void **state)
{
	(void)state;
	struct scen s = oversubscribed();
	s.runnable = -1; /* RUN_NRUNNING never known */
	struct outcome o;
	run_one(&o, &s);
	assert_null(find_kind(&o, ADV_OVERSUBSCRIBED));
	/* The working threads are known: the visible CPUs only as information,
	 * with no word on runnable threads. */
	const struct finding *f = find_kind(&o, ADV_VISIBLE_CPUS);
	assert_non_null(f);
	assert_int_equal(f->severity, ADV_INFO);
	assert_null(strstr(f->text, "runnable"));
	advice_free(&o.a);
	/* Too short a run: 0.4 s. */
	s = oversubscribed();
	s.ticks = 5;
	assert_false(fires(&s, ADV_OVERSUBSCRIBED));
	/* No CPU count anywhere. */
	s = oversubscribed();
	s.visible = 0;
	s.limit_cpus = 0;
	s.effective_cpus = 0;
	assert_false(fires(&s, ADV_OVERSUBSCRIBED));
}

static void oversubscription_fix_fits_the_run(void **state)
{
	(void)state;
	struct scen s = oversubscribed();
	struct outcome o;
	/* A built-in with its own thread parameter. */
	s.params = "samples=1000 threads=2 clusters=5";
	run_one(&o, &s);
	assert_string_equal(find_kind(&o, ADV_OVERSUBSCRIBED)->fix,
			    "run it with --threads 1 (it ran with threads=2), the CPUs it may use");
	advice_free(&o.a);
	/* OpenBLAS already held to one thread: the rest are the program's. */
	s.params = NULL;
	s.env = "FOO=1\nOPENBLAS_NUM_THREADS=1";
	run_one(&o, &s);
	assert_non_null(strstr(find_kind(&o, ADV_OVERSUBSCRIBED)->fix, "the program's own: size its pool to 1"));
	advice_free(&o.a);
	/* Not known to be OpenBLAS: both variables and the program's own. */
	s.env = NULL;
	s.core = NULL;
	run_one(&o, &s);
	assert_non_null(strstr(find_kind(&o, ADV_OVERSUBSCRIBED)->fix, "run at most 1 computing thread,"));
	advice_free(&o.a);
}

/* ---- Visible CPUs and contention -------------------------------------------- */

static void visible_cpus(void **state)
{
	(void)state;
	struct scen s = oversubscribed();
	struct outcome o;
	run_one(&o, &s);
	const struct finding *f = find_kind(&o, ADV_VISIBLE_CPUS);
	assert_non_null(f);
	assert_int_equal(f->severity, ADV_WARNING); /* runnable = visible throughout */
	assert_non_null(strstr(f->text, "sees 2 CPUs but may use 0.5 CPUs"));
	assert_non_null(strstr(f->fix, "size pools by the 1 CPU"));
	advice_free(&o.a);
	/* Working threads above the CPUs, but never as many runnable as the
	 * visible CPUs: information. */
	s.visible = 8;
	run_one(&o, &s);
	f = find_kind(&o, ADV_VISIBLE_CPUS);
	assert_non_null(f);
	assert_int_equal(f->severity, ADV_INFO);
	advice_free(&o.a);
	/* One working thread: no pool to size. */
	s = oversubscribed();
	s.threads = 1;
	s.runnable = 1;
	assert_false(fires(&s, ADV_VISIBLE_CPUS));
	/* No limit: visible = effective. */
	s = oversubscribed();
	s.limit_cpus = 0;
	s.effective_cpus = 2;
	assert_false(fires(&s, ADV_VISIBLE_CPUS));
}

static void contended(void **state)
{
	(void)state;
	struct scen s = healthy();
	s.on = 0.55, s.rq = 0.40;
	struct outcome o;
	run_one(&o, &s);
	const struct finding *f = find_kind(&o, ADV_CONTENDED);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "waited for a CPU 40 % of their time with 1 runnable (median) for 2 CPUs"));
	/* Its character is still CPU-bound: the wait is not its own. */
	assert_non_null(find_kind(&o, ADV_CPU_BOUND));
	assert_null(find_kind(&o, ADV_OVERSUBSCRIBED));
	advice_free(&o.a);
	s.rq = 0.2;
	assert_false(fires(&s, ADV_CONTENDED));
	/* A quota throttling it explains the wait. */
	s.rq = 0.4;
	s.limit_cpus = 1;
	s.throttled = 0.3;
	assert_false(fires(&s, ADV_CONTENDED));
	/* Without schedstat nothing is known of the wait. */
	s = healthy();
	s.on = 0.55, s.rq = 0.40;
	s.no_sched = true;
	assert_false(fires(&s, ADV_CONTENDED));
}

/* ---- Character: CPU, IO, waiting ---------------------------------------------- */

static void character(void **state)
{
	(void)state;
	struct scen s = healthy();
	struct outcome o;
	run_one(&o, &s);
	const struct finding *f = find_kind(&o, ADV_CPU_BOUND);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "its 1 working thread was on a CPU 97 % and blocked 1 % of its time"));
	assert_null(f->fix);
	advice_free(&o.a);
	/* Blocked in D 80 %: IO-bound. */
	s.on = 0.2, s.rq = 0, s.blocked = 'D';
	run_one(&o, &s);
	f = find_kind(&o, ADV_IO_BOUND);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "100 % in D"));
	assert_non_null(f->fix);
	advice_free(&o.a);
	/* Sleeping 80 %: waiting, not disk IO. */
	s.blocked = 'S';
	run_one(&o, &s);
	f = find_kind(&o, ADV_WAIT_BOUND);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "100 % sleeping (sockets, pipes, locks, timers)"));
	assert_non_null(f->fix);
	advice_free(&o.a);
	/* The same sleeping with a long wait for a CPU: it may be on its own
	 * starved threads, so no advice to overlap waits. */
	s.rq = 0.3;
	run_one(&o, &s);
	f = find_kind(&o, ADV_WAIT_BOUND);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "held off a CPU"));
	assert_null(f->fix);
	advice_free(&o.a);
	s.rq = 0;
	/* Half and half: mixed. */
	s.on = 0.5;
	assert_true(fires(&s, ADV_MIXED));
	/* Boundaries of its own time: 80 % computing is CPU-bound, 79 % not;
	 * a run-queue wait does not change it. */
	s.on = 0.8, s.rq = 0;
	assert_true(fires(&s, ADV_CPU_BOUND));
	s.on = 0.79;
	assert_false(fires(&s, ADV_CPU_BOUND));
	s.on = 0.45, s.rq = 0.5; /* 0.45 of its own 0.5 */
	assert_true(fires(&s, ADV_CPU_BOUND));
	/* 62 % blocked is waiting, 58 % mixed. */
	s.on = 0.38, s.rq = 0;
	assert_true(fires(&s, ADV_WAIT_BOUND));
	s.on = 0.42;
	assert_true(fires(&s, ADV_MIXED));
	/* Two threads computing (held off a CPU half the time) while the main
	 * thread, past its 1 % of setup, waits in join: CPU-bound, not mixed. */
	s = healthy();
	s.threads = 2, s.on = 0.5, s.rq = 0.45, s.joiner_on = 0.03;
	run_one(&o, &s);
	f = find_kind(&o, ADV_CPU_BOUND);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "its 3 working threads were"));
	advice_free(&o.a);
}

static void character_from_states_or_nothing(void **state)
{
	(void)state;
	/* No schedstat: the sampled states of threads that used CPU. */
	struct scen s = healthy();
	s.no_sched = true;
	s.on = 0.2, s.rq = 0, s.blocked = 'D';
	struct outcome o;
	run_one(&o, &s);
	const struct finding *f = find_kind(&o, ADV_IO_BOUND);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "runnable in"));
	advice_free(&o.a);
	/* Neither schedstat nor states: no character at all. */
	s.no_state = true;
	run_one(&o, &s);
	assert_int_equal(o.n, 0);
	advice_free(&o.a);
	/* A thread that only waited for a CPU says nothing of its own. */
	s = healthy();
	s.on = 0.01, s.rq = 0.99;
	assert_false(fires(&s, ADV_CPU_BOUND));
	assert_false(fires(&s, ADV_MIXED));
}

/* ---- Memory ---------------------------------------------------------------- */

static void memory_near_limit(void **state)
{
	(void)state;
	struct scen s = healthy();
	s.limit_mem = 1000000000;
	s.mem = 960e6;
	s.file = 10e6; /* 950 MB without it: 95 % */
	struct outcome o;
	run_one(&o, &s);
	const struct finding *f = find_kind(&o, ADV_MEMORY_NEAR_LIMIT);
	assert_non_null(f);
	assert_int_equal(f->severity, ADV_WARNING);
	assert_non_null(strstr(f->text, "(95 %)"));
	assert_true(fabs(number(f, "share") - 0.95) < 1e-6);
	advice_free(&o.a);
	/* 89 % without the file cache: silent, though 96 % with it. */
	s.file = 70e6;
	assert_false(fires(&s, ADV_MEMORY_NEAR_LIMIT));
	/* The file part unknown: the whole, as information. */
	s.file = -1;
	run_one(&o, &s);
	f = find_kind(&o, ADV_MEMORY_NEAR_LIMIT);
	assert_non_null(f);
	assert_int_equal(f->severity, ADV_INFO);
	advice_free(&o.a);
	/* No limit, or no memory known: silent. */
	s.limit_mem = 0;
	assert_false(fires(&s, ADV_MEMORY_NEAR_LIMIT));
	s.limit_mem = 1000000000;
	s.mem = -1;
	assert_false(fires(&s, ADV_MEMORY_NEAR_LIMIT));
}

static void oom_kill(void **state)
{
	(void)state;
	struct scen s = healthy();
	s.limit_mem = 128 << 20;
	s.mem = 128 << 20;
	s.oom_kills = 2;
	struct outcome o;
	run_one(&o, &s);
	const struct finding *f = find_kind(&o, ADV_OOM_KILL);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "ended 2 processes of this run"));
	assert_non_null(strstr(f->text, "128.0 MiB of 128.0 MiB"));
	advice_free(&o.a);
	/* Only RUN_END knows: its main process. */
	s.oom_kills = -1;
	s.oom_killed = true;
	run_one(&o, &s);
	f = find_kind(&o, ADV_OOM_KILL);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "ended 1 process of this run, its main process among them"));
	advice_free(&o.a);
	s.oom_killed = false;
	assert_false(fires(&s, ADV_OOM_KILL));
	s.oom_kills = 0;
	assert_false(fires(&s, ADV_OOM_KILL));
}

static void major_faults(void **state)
{
	(void)state;
	struct scen s = healthy();
	s.majflt_per_s = 1000; /* 2900 in 2.9 s */
	struct outcome o;
	run_one(&o, &s);
	const struct finding *f = find_kind(&o, ADV_MAJOR_FAULTS);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "2900 major faults (1000 a second)"));
	assert_null(f->fix); /* no limit that would explain it */
	advice_free(&o.a);
	/* Under a limit the file cache filled: raise it. */
	s.limit_mem = 64 << 20;
	s.mem = 64 << 20;
	s.file = 60 << 20;
	run_one(&o, &s);
	f = find_kind(&o, ADV_MAJOR_FAULTS);
	assert_non_null(f);
	assert_non_null(f->fix);
	assert_non_null(strstr(f->fix, "raise its limit (--memory)"));
	advice_free(&o.a);
	/* Below the count (1900), or below the rate (150 a second over 19.9 s). */
	s = healthy();
	s.ticks = 20;
	s.majflt_per_s = 1000;
	assert_false(fires(&s, ADV_MAJOR_FAULTS));
	s.ticks = 200;
	s.majflt_per_s = 150;
	assert_false(fires(&s, ADV_MAJOR_FAULTS));
	s.majflt_per_s = -1;
	assert_false(fires(&s, ADV_MAJOR_FAULTS));
}

/* ---- BLAS kernels ------------------------------------------------------------ */

static void blas_kernels(void **state)
{
	(void)state;
	struct scen s = healthy();
	s.flags = AVX512_FLAGS;
	s.core = "Prescott";
	s.config = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64";
	struct outcome o;
	run_one(&o, &s);
	const struct finding *f = find_kind(&o, ADV_BLAS_KERNELS);
	assert_non_null(f);
	assert_int_equal(f->severity, ADV_WARNING);
	assert_non_null(strstr(f->text, "OpenBLAS runs its Prescott kernels (SSE3) on a CPU with AVX-512"));
	assert_non_null(strstr(f->text, "on the machine where benchtop was developed"));
	assert_non_null(strstr(f->text, "29.9 GFLOP/s"));
	assert_string_equal(f->fix, "set OPENBLAS_CORETYPE=SkylakeX (this OpenBLAS picks its kernels at run time)");
	advice_free(&o.a);
	/* Built for one target: the variable cannot help. */
	s.config = "OpenBLAS 0.3.26 NO_AFFINITY PRESCOTT MAX_THREADS=64";
	run_one(&o, &s);
	assert_non_null(strstr(find_kind(&o, ADV_BLAS_KERNELS)->fix, "rebuild it with TARGET=SKYLAKEX"));
	advice_free(&o.a);
	/* Haswell kernels on AVX-512: fires, and the measured ratio is theirs. */
	s.config = NULL;
	s.core = "HASWELL";
	run_one(&o, &s);
	f = find_kind(&o, ADV_BLAS_KERNELS);
	assert_non_null(f);
	assert_true(fabs(number(f, "dev_machine_speedup") - 159.9 / 81.8) < 1e-6);
	advice_free(&o.a);
	/* The best the CPU allows, or no better: silent. */
	s.core = "SkylakeX";
	assert_false(fires(&s, ADV_BLAS_KERNELS));
	s.core = "Cooperlake";
	assert_false(fires(&s, ADV_BLAS_KERNELS));
	s.flags = AVX2_FLAGS;
	s.core = "Zen";
	assert_false(fires(&s, ADV_BLAS_KERNELS));
	s.core = "Sandybridge"; /* AVX on an AVX2 CPU: fires, no measured numbers */
	run_one(&o, &s);
	f = find_kind(&o, ADV_BLAS_KERNELS);
	assert_non_null(f);
	assert_null(strstr(f->text, "GFLOP/s"));
	assert_non_null(strstr(f->fix, "OPENBLAS_CORETYPE=Haswell"));
	advice_free(&o.a);
	/* Unknown core, unknown flags: silent. */
	s.core = "Armv8";
	assert_false(fires(&s, ADV_BLAS_KERNELS));
	s.core = "Prescott";
	s.flags = NULL;
	assert_false(fires(&s, ADV_BLAS_KERNELS));
}

static void blas_helpers(void **state)
{
	(void)state;
	const char *isa = NULL;
	assert_string_equal(advice_blas_core_for_flags(AVX512_FLAGS, &isa), "SkylakeX");
	assert_string_equal(isa, "AVX-512");
	assert_string_equal(advice_blas_core_for_flags(AVX2_FLAGS, &isa), "Haswell");
	/* avx512f alone (no bw/vl/dq/cd) is not what SkylakeX kernels need. */
	assert_string_equal(advice_blas_core_for_flags("sse2 pni sse4_2 avx avx2 fma avx512f", NULL), "Haswell");
	/* A flag inside another word does not count. */
	assert_string_equal(advice_blas_core_for_flags("sse2 pni xavx", &isa), "Prescott");
	assert_null(advice_blas_core_for_flags("fp asimd", &isa));
	assert_null(isa);
	assert_null(advice_blas_core_for_flags(NULL, NULL));
	assert_int_equal(advice_blas_core_level("PRESCOTT"), 2);
	assert_int_equal(advice_blas_core_level("skylakex"), 6);
	assert_int_equal(advice_blas_core_level("Skylake"), 0);
	assert_int_equal(advice_blas_core_level(""), 0);
	assert_int_equal(advice_blas_core_level(NULL), 0);
}

static void cpuinfo_flags(void **state)
{
	(void)state;
	char out[256];
	const char *x86 = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu  vme sse2 avx512f \nbugs\t\t: spectre_v1\n"
			  "processor\t: 1\nflags\t\t: other\n";
	assert_true(advice_cpuinfo_flags(x86, out, sizeof out));
	assert_string_equal(out, "fpu vme sse2 avx512f");
	const char *arm = "processor\t: 0\nFeatures\t: fp asimd evtstrm\nCPU implementer\t: 0x41\n";
	assert_true(advice_cpuinfo_flags(arm, out, sizeof out));
	assert_string_equal(out, "fp asimd evtstrm");
	/* "flagsx" is another key; no flags line at all; too small a buffer. */
	assert_false(advice_cpuinfo_flags("flagsx : a b\nmodel : 85\n", out, sizeof out));
	assert_false(advice_cpuinfo_flags("", out, sizeof out));
	assert_false(advice_cpuinfo_flags(x86, out, 8));
}

/* ---- Streams and output ----------------------------------------------------------- */

static void runs_are_kept_apart(void **state)
{
	(void)state;
	struct advice a;
	advice_init(&a);
	struct scen bad = oversubscribed(), good = healthy();
	feed_meta(&a, &bad);
	feed_run(&a, 1, &bad);
	feed_run(&a, 2, &good);
	assert_int_equal(advice_nruns(&a), 2);
	assert_int_equal(advice_run_id(&a, 1), 2);
	const struct finding *f;
	size_t n = advice_findings(&a, 2, &f);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(f[i].severity, ADV_INFO);
	n = advice_findings(&a, 1, &f);
	assert_true(n >= 2);
	assert_int_equal(f[0].kind, ADV_OVERSUBSCRIBED);
	/* Frames after RUN_END do not change a run. */
	struct bt_frame fr;
	frame_init(&fr);
	fr.t_us = 50000000;
	struct bt_entity *e = frame_add(&fr, BT_K_RUN, 2);
	ent_set(e, RUN_NRUNNING, 40);
	struct bt_record r = { .type = TR_FRAME, .frame = &fr };
	advice_add(&a, &r);
	frame_free(&fr);
	assert_null(strstr(advice_findings(&a, 2, &f) ? f[0].text : "", "oversubscribed"));
	advice_free(&a);
}

static void thread_counters_going_back(void **state)
{
	(void)state;
	/* A tid reused by a new thread (counters from zero) adds nothing
	 * negative, and a thread missing from one frame is re-based. */
	struct scen s = healthy();
	struct advice a;
	advice_init(&a);
	feed_meta(&a, &s);
	feed_run(&a, 1, &s);
	struct bt_kv start[] = { { "effective_cpus", "2" } };
	feed_kv(&a, TR_RUN_START, 3, 0, start, 1);
	struct bt_frame f;
	frame_init(&f);
	for (unsigned k = 0; k < 20; k++) {
		frame_reset(&f);
		f.t_us = 100000ull * k;
		struct bt_entity *e = frame_add(&f, BT_K_RUN, 3);
		ent_set(e, RUN_NRUNNING, 1);
		struct bt_entity *p = frame_add(&f, BT_K_PROC, 3000);
		ent_set(p, PROC_RUN, 3);
		if (k != 7) { /* at 7 the frame is fed, the thread not seen */
			struct bt_entity *te = frame_add(&f, BT_K_THREAD, 3001);
			ent_set(te, THR_PID, 3000);
			uint64_t base = k < 10 ? 100000ull * k : 100000ull * (k - 10); /* reused at k = 10 */
			ent_set(te, THR_RUN_US, base);
			ent_set(te, THR_WAIT_US, 0);
			ent_set(te, THR_STATE, 'R');
		}
		struct bt_record r = { .type = TR_FRAME, .frame = &f, .t_us = f.t_us };
		advice_add(&a, &r);
	}
	frame_free(&f);
	const struct finding *out;
	size_t n = advice_findings(&a, 3, &out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].kind, ADV_CPU_BOUND);
	assert_true(fabs(number(&out[0], "on_cpu_share") - 1.0) < 1e-9);
	advice_free(&a);
}

static void text_and_json(void **state)
{
	(void)state;
	struct scen s = oversubscribed();
	s.flags = AVX512_FLAGS;
	struct advice a;
	advice_init(&a);
	feed_meta(&a, &s);
	feed_run(&a, 1, &s);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	advice_print_text(m, &a);
	fclose(m);
	assert_non_null(strstr(buf, "run 1 (synthetic, variant default):\n  warning oversubscribed: "));
	assert_non_null(strstr(buf, "\n          fix: set OPENBLAS_NUM_THREADS=1"));
	free(buf);
	m = open_memstream(&buf, &len);
	advice_print_json(m, &a);
	fclose(m);
	assert_non_null(strstr(buf, "{\"runs\":[\n{\"run\":1,\"findings\":[{\"kind\":\"oversubscribed\",\"severity\":\"warning\",\"text\":\"oversubscribed: "));
	assert_non_null(strstr(buf, "\"kind\":\"blas_kernels\""));
	assert_non_null(strstr(buf, "\"fix\":null")); /* the character has none */
	assert_non_null(strstr(buf, "\"runnable_median\":2,"));
	free(buf);
	advice_free(&a);
	/* No findings at all. */
	advice_init(&a);
	m = open_memstream(&buf, &len);
	advice_print_text(m, &a);
	advice_print_run_json(m, &a, 1);
	fclose(m);
	assert_string_equal(buf, "no findings\n[]");
	free(buf);
	advice_free(&a);
	for (int k = 0; k < ADV_NKINDS; k++)
		assert_string_not_equal(advice_kind_name((enum advice_kind)k), "unknown");
	assert_string_equal(advice_severity_name(ADV_WARNING), "warning");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthy_run_has_no_warning),
		cmocka_unit_test(unknown_run_has_no_findings),
		cmocka_unit_test(oversubscription_fires_with_numbers),
		cmocka_unit_test(oversubscription_boundaries),
		cmocka_unit_test(oversubscription_needs_a_cost),
		cmocka_unit_test(oversubscription_unknown_fields),
		cmocka_unit_test(oversubscription_fix_fits_the_run),
		cmocka_unit_test(visible_cpus),
		cmocka_unit_test(contended),
		cmocka_unit_test(oversubscription_in_a_container_without_run_cgroups),
		cmocka_unit_test(a_starved_thread_counts),
		cmocka_unit_test(character),
		cmocka_unit_test(character_from_states_or_nothing),
		cmocka_unit_test(memory_near_limit),
		cmocka_unit_test(oom_kill),
		cmocka_unit_test(major_faults),
		cmocka_unit_test(blas_kernels),
		cmocka_unit_test(blas_helpers),
		cmocka_unit_test(cpuinfo_flags),
		cmocka_unit_test(runs_are_kept_apart),
		cmocka_unit_test(thread_counters_going_back),
		cmocka_unit_test(text_and_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
