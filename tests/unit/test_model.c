/* Unit tests for ui/model.c: the screen's view model fed synthetic record
 * streams. Its per-tick rates must be summary.c's, its numbers at any
 * past moment those the summary had then, run states must follow the
 * records, and the detail rows must come out grouped and rated; the ratio
 * to the baseline carries stats.c's interval and is worked out once per
 * set of runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model.h"
#include "stats.h"

static void kv(struct model *m, enum trace_rec_type type, uint64_t run, uint64_t t_us, const struct bt_kv *k, size_t n)
{
	struct bt_record r = { .type = type, .run = run, .t_us = t_us, .nkv = n, .kv = k };
	model_feed(m, &r);
}

static void meta(struct model *m)
{
	struct bt_kv k[] = { { "host", "box" }, { "kernel", "6.1.0" }, { "libc", "glibc" }, { "libc_version", "2.36" },
			     { "cgroup_version", "1" }, { "cgroup_mode", "hybrid (v1 controllers, v2 mounted)" },
			     { "cpus_visible", "2" }, { "cpus_effective", "1.5" }, { "mem_total", "1073741824" },
			     { "mem_limit", "0" }, { "clk_tck", "100" }, { "interval_ms", "100" } };
	kv(m, TR_META, 0, 0, k, sizeof k / sizeof k[0]);
}

static void start(struct model *m, uint64_t run, uint64_t t_us, const char *wl, const char *variant, const char *rep)
{
	struct bt_kv k[] = { { "command", "spin --x" }, { "workload", wl }, { "variant", variant }, { "rep", rep },
			     { "limit_cpus", "1" }, { "limit_memory", "268435456" }, { "env", "A=1\nB=2" }, { "pid", "4242" } };
	kv(m, TR_RUN_START, run, t_us, k, sizeof k / sizeof k[0]);
}

static void end(struct model *m, uint64_t run, uint64_t t_us, const char *code, const char *sig, const char *oom,
		const char *wall_us)
{
	struct bt_kv k[] = { { "exit_code", code }, { "signal", sig }, { "oom_killed", oom }, { "reason", "exited" },
			     { "wall_us", wall_us } };
	kv(m, TR_RUN_END, run, t_us, k, sizeof k / sizeof k[0]);
}

/* One frame with a run entity per listed run: cgroup CPU ns, memory,
 * periods and throttled periods, threads. */
struct run_tick {
	uint64_t run, cpu_ns, mem, periods, throttled, threads;
};

static void frame(struct model *m, struct bt_frame *f, uint64_t tick, uint64_t t_us, const struct run_tick *rt, size_t n)
{
	frame_reset(f);
	f->tick = tick;
	f->t_us = t_us;
	for (size_t i = 0; i < n; i++) {
		struct bt_entity *e = frame_add(f, BT_K_RUN, rt[i].run);
		ent_set(e, RUN_CG_CPU_NS, rt[i].cpu_ns);
		ent_set(e, RUN_CG_USER_NS, rt[i].cpu_ns);
		ent_set(e, RUN_CG_SYS_NS, 0);
		ent_set(e, RUN_CG_MEM, rt[i].mem);
		ent_set(e, RUN_CG_PERIODS, rt[i].periods);
		ent_set(e, RUN_CG_THROTTLED, rt[i].throttled);
		ent_set(e, RUN_RSS, rt[i].mem / 2);
		ent_set(e, RUN_NPROCS, 1);
		ent_set(e, RUN_NTHREADS, rt[i].threads);
	}
	struct bt_record r = { .type = TR_FRAME, .frame = f, .t_us = t_us };
	model_feed(m, &r);
}

static void meta_facts(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	assert_false(m.meta.have);
	meta(&m);
	assert_true(m.meta.have);
	assert_string_equal(m.meta.host, "box");
	assert_string_equal(m.meta.libc, "glibc 2.36");
	assert_int_equal(m.meta.cgroup_version, 1);
	assert_true(m.meta.cpus_effective == 1.5 && m.meta.cpus_visible == 2);
	assert_int_equal(m.meta.interval_ms, 100);
	assert_int_equal(m.sum.clk_tck, 100);
	model_free(&m);
}

/* Rates per tick are the summary's; the numbers at a past moment are the
 * summary's at that moment; after the end, its final ones. */
static void rates_and_moments(void **state)
{
	(void)state;
	struct model m;
	struct bt_frame f;
	model_init(&m);
	frame_init(&f);
	meta(&m);
	start(&m, 1, 0, "spin", "musl", "3");
	/* 0.5 CPU, then 1.5, then 1.0; 4 periods of which 1, 3 throttled */
	struct run_tick t0 = { 1, 0, 1000, 0, 0, 1 }, t1 = { 1, 50000000, 3000, 2, 1, 2 },
			t2 = { 1, 200000000, 5000, 4, 3, 3 }, t3 = { 1, 300000000, 2000, 6, 3, 2 };
	frame(&m, &f, 0, 0, &t0, 1);
	frame(&m, &f, 1, 100000, &t1, 1);
	uint64_t gen = m.gen;
	frame(&m, &f, 2, 200000, &t2, 1);
	assert_true(m.gen > gen);
	frame(&m, &f, 3, 300000, &t3, 1);
	const struct model_run *r = model_find_run(&m, 1);
	assert_non_null(r);
	assert_int_equal(r->ns, 4);
	assert_true(isnan(r->s[0].cpu_pct)); /* no rate from one sample */
	assert_true(fabs(r->s[1].cpu_pct - 50) < 1e-9);
	assert_true(fabs(r->s[2].cpu_pct - 150) < 1e-9);
	assert_true(fabs(r->s[3].cpu_pct - 100) < 1e-9);
	double pct;
	assert_true(summary_rate(50000000, 100000, 200000000, 200000, &pct));
	assert_true(pct == r->s[2].cpu_pct);
	/* throttled % per interval: 1 of 2, 2 of 2, 0 of 2 */
	assert_true(fabs(r->s[1].thr_pct - 50) < 1e-9);
	assert_true(fabs(r->s[2].thr_pct - 100) < 1e-9);
	assert_true(fabs(r->s[3].thr_pct - 0) < 1e-9);
	assert_true(r->s[2].cgmem == 5000 && r->s[2].rss == 2500 && r->s[2].threads == 3);

	/* at 0.25 s: the summary as it stood after tick 2 */
	struct model_stats st;
	model_run_stats(&m, r, 250000, &st);
	assert_true(st.valid && st.cpu_valid);
	assert_true(fabs(st.cpu_peak - 150) < 1e-9);
	assert_true(fabs(st.cpu_avg - 100) < 1e-9); /* 0.2 s of CPU over 0.2 s */
	assert_true(st.mem_is_cg && st.mem_peak == 5000);
	assert_true(st.threads_now == 3 && st.threads_peak == 3 && st.threads_now_valid);
	assert_true(st.thr_valid && fabs(st.thr_pct - 75) < 1e-9);
	assert_int_equal(model_run_state(r, 250000), MS_RUNNING);

	end(&m, 1, 320000, "0", "0", "0", "320000");
	r = model_find_run(&m, 1);
	assert_int_equal(model_run_state(r, 310000), MS_RUNNING);
	assert_int_equal(model_run_state(r, 320000), MS_DONE);
	model_run_stats(&m, r, 400000, &st);
	const struct run_summary *rs = model_run_summary(&m, 1);
	assert_non_null(rs);
	assert_true(st.wall_s == rs->wall_s && fabs(st.wall_s - 0.32) < 1e-9);
	assert_true(st.cpu_avg == run_cpu_avg_pct(rs));
	assert_true(st.cpu_peak == rs->cpu_pct_peak);
	assert_true(st.mem_peak == (double)rs->cgmem_peak);
	/* frames after the end of a run add nothing to it */
	frame(&m, &f, 4, 400000, &t3, 1);
	assert_int_equal(model_find_run(&m, 1)->ns, 4);
	frame_free(&f);
	model_free(&m);
}

static void states_and_plans(void **state)
{
	(void)state;
	struct model m;
	struct bt_frame f;
	model_init(&m);
	frame_init(&f);
	meta(&m);
	model_plan_run(&m, 3, "kmeans", "musl", 1);
	model_plan_run(&m, 1, "kmeans", "glibc", 1);
	model_plan_run(&m, 2, "kmeans", "glibc", 2);
	model_plan_run(&m, 2, "other", "x", 9); /* a repeated plan changes nothing */
	assert_int_equal(m.nruns, 3);
	assert_int_equal(m.runs[0].id, 1); /* sorted by id */
	assert_int_equal(m.runs[1].rep, 2);
	assert_string_equal(m.runs[1].workload, "kmeans");
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(model_run_state(&m.runs[i], 0), MS_QUEUED);
		assert_true(model_run_visible(&m.runs[i], 0));
	}
	/* colours follow the order variants first appear in */
	assert_int_equal(model_find_run(&m, 3)->color, 0);
	assert_int_equal(model_find_run(&m, 1)->color, 1);
	assert_string_equal(model_baseline(&m, "kmeans"), "glibc");
	assert_null(model_baseline(&m, "nope"));

	start(&m, 1, 1000, "kmeans", "glibc", "1");
	const struct model_run *r = model_find_run(&m, 1);
	assert_string_equal(r->command, "spin --x");
	assert_string_equal(r->env, "A=1\nB=2");
	assert_true(r->limit_cpus == 1 && r->limit_mem == 268435456 && r->pid == 4242);
	assert_int_equal(model_run_state(r, 500), MS_QUEUED);
	assert_int_equal(model_run_state(r, 1000), MS_RUNNING);
	end(&m, 1, 5000, "1", "0", "0", "4000");
	assert_int_equal(model_run_state(model_find_run(&m, 1), 5000), MS_FAILED);

	start(&m, 2, 6000, "kmeans", "glibc", "2");
	end(&m, 2, 7000, "-1", "9", "1", "1000");
	assert_int_equal(model_run_state(model_find_run(&m, 2), 7000), MS_OOM);
	start(&m, 3, 8000, "kmeans", "musl", "1");
	end(&m, 3, 9000, "-1", "15", "0", "1000");
	assert_int_equal(model_run_state(model_find_run(&m, 3), 9000), MS_FAILED);
	assert_string_equal(model_state_name(MS_OOM), "OOM-killed");

	/* A run nobody planned is not there before it starts. */
	start(&m, 4, 20000, "kmeans", "musl", "2");
	assert_false(model_run_visible(model_find_run(&m, 4), 10000));
	assert_true(model_run_visible(model_find_run(&m, 4), 20000));
	/* A second start of the same run (a damaged trace) is ignored. */
	start(&m, 4, 30000, "other", "x", "7");
	assert_int_equal(model_find_run(&m, 4)->start_us, 20000);
	assert_string_equal(model_find_run(&m, 4)->workload, "kmeans");
	/* Frames and ends of unknown runs are ignored. */
	struct run_tick t = { 99, 1, 1, 1, 1, 1 };
	frame(&m, &f, 0, 1000, &t, 1);
	end(&m, 99, 2000, "0", "0", "0", "1");
	assert_null(model_find_run(&m, 99));
	frame_free(&f);
	model_free(&m);
}

static void run_with_wall(struct model *m, uint64_t id, uint64_t t, const char *variant, const char *wall_us,
			  const char *code)
{
	start(m, id, t, "w", variant, "1");
	end(m, id, t + 10, code, "0", "0", wall_us);
}

static bool fake_ci(const double *base, size_t nbase, const double *var, size_t nvar, struct model_ratio *out)
{
	if (!model_ratio_median(base, nbase, var, nvar, out))
		return false;
	out->have_ci = true;
	out->lo = out->ratio - 0.1;
	out->hi = out->ratio + 0.1;
	return true;
}

static void ratio_to_baseline(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	meta(&m);
	struct model_ratio q;
	run_with_wall(&m, 1, 100, "glibc", "2000000", "0");
	assert_false(model_variant_ratio(&m, "w", "musl", 1000000, &q)); /* no musl run yet */
	run_with_wall(&m, 2, 200, "musl", "3000000", "0");
	run_with_wall(&m, 3, 300, "musl", "3200000", "0");
	run_with_wall(&m, 4, 400, "musl", "9000000", "1"); /* failed: not counted */
	struct bt_kv wu[] = { { "workload", "w" }, { "variant", "musl" }, { "rep", "0" }, { "warmup", "1" } };
	kv(&m, TR_RUN_START, 5, 500, wu, 4); /* a warm-up: not counted either */
	end(&m, 5, 510, "0", "0", "0", "100");
	assert_true(model_find_run(&m, 5)->warmup);
	/* only the runs done by then */
	assert_true(model_variant_ratio(&m, "w", "musl", 250, &q));
	assert_true(fabs(q.ratio - 1.5) < 1e-9);
	assert_true(model_variant_ratio(&m, "w", "musl", 1000000, &q));
	assert_true(fabs(q.ratio - 1.55) < 1e-9); /* median of 3.0 and 3.2 over 2.0 */
	assert_int_equal(q.nbase, 1);
	assert_int_equal(q.nvar, 2);
	assert_false(q.have_ci);
	assert_false(model_variant_ratio(&m, "w", "glibc", 1000000, &q)); /* the baseline itself */
	/* the comparison engine's hook */
	m.ratio = fake_ci;
	assert_true(model_variant_ratio(&m, "w", "musl", 1000000, &q));
	assert_true(q.have_ci && fabs(q.lo - 1.45) < 1e-9);
	model_free(&m);
}


static int calls;
static bool counting_median(const double *base, size_t nbase, const double *var, size_t nvar, struct model_ratio *out)
{
	calls++;
	return model_ratio_median(base, nbase, var, nvar, out);
}

/* The default ratio has stats.c's bootstrap interval once both sides have
 * two runs; a ratio is worked out once per set of runs, not per frame. */
static void ratio_interval_and_memo(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	meta(&m);
	struct model_ratio q;
	run_with_wall(&m, 1, 100, "glibc", "2000000", "0");
	run_with_wall(&m, 2, 200, "musl", "3000000", "0");
	run_with_wall(&m, 3, 300, "glibc", "2200000", "0");
	run_with_wall(&m, 4, 400, "musl", "3300000", "0");
	assert_true(model_variant_ratio(&m, "w", "musl", 1000000, &q));
	assert_true(q.have_ci);
	assert_true(fabs(q.ratio - 3.15 / 2.1) < 1e-9);
	assert_true(q.lo <= q.ratio && q.ratio <= q.hi && q.lo > 1.2 && q.hi < 1.8);
	/* as stats_ratio_ci gives it */
	double a[] = { 2.0, 2.2 }, b[] = { 3.0, 3.3 };
	struct stats_ratio sr;
	assert_int_equal(stats_ratio_ci(a, 2, b, 2, NULL, &sr), 0);
	assert_true(q.lo == sr.ci_low && q.hi == sr.ci_high);
	m.ratio = counting_median;
	calls = 0;
	for (int i = 0; i < 5; i++)
		assert_true(model_variant_ratio(&m, "w", "musl", 1000000, &q));
	assert_int_equal(calls, 1);
	/* at an earlier moment, other runs: worked out again */
	assert_true(model_variant_ratio(&m, "w", "musl", 250, &q));
	assert_int_equal(calls, 2);
	assert_true(fabs(q.ratio - 1.5) < 1e-9);
	run_with_wall(&m, 5, 500, "musl", "3600000", "0");
	assert_true(model_variant_ratio(&m, "w", "musl", 1000000, &q));
	assert_int_equal(calls, 3);
	assert_true(fabs(q.ratio - 3.3 / 2.1) < 1e-9);
	model_free(&m);
}


/* A tick that could not list the run (no thread count in its entity)
 * leaves the count unknown, not 0. */
static void unknown_thread_count(void **state)
{
	(void)state;
	struct model m;
	struct bt_frame f;
	model_init(&m);
	frame_init(&f);
	meta(&m);
	start(&m, 1, 0, "w", "glibc", "1");
	struct run_tick t = { 1, 1000000, 4096, 0, 0, 3 };
	frame(&m, &f, 0, 100000, &t, 1);
	struct model_stats st;
	model_run_stats(&m, model_find_run(&m, 1), 100000, &st);
	assert_true(st.threads_now_valid && st.threads_now == 3);
	frame_reset(&f);
	f.tick = 1;
	f.t_us = 200000;
	struct bt_entity *e = frame_add(&f, BT_K_RUN, 1);
	ent_set(e, RUN_CG_CPU_NS, 2000000);
	struct bt_record r = { .type = TR_FRAME, .frame = &f, .t_us = f.t_us };
	model_feed(&m, &r);
	model_run_stats(&m, model_find_run(&m, 1), 200000, &st);
	assert_true(st.valid);
	assert_false(st.threads_now_valid);
	assert_int_equal(st.threads_peak, 3);
	frame_free(&f);
	model_free(&m);
}

/* Once the session is over, planned runs never started are 'not run'. */
static void not_run_after_the_session(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	meta(&m);
	for (uint64_t id = 1; id <= 3; id++)
		model_plan_run(&m, id, "w", "glibc", (unsigned)id);
	start(&m, 1, 100, "w", "glibc", "1");
	assert_int_equal(model_run_state(model_find_run(&m, 2), 1000), MS_QUEUED);
	model_session_over(&m);
	assert_int_equal(model_run_state(model_find_run(&m, 1), 1000), MS_RUNNING);
	assert_int_equal(model_run_state(model_find_run(&m, 2), 1000), MS_NOT_RUN);
	assert_int_equal(model_run_state(model_find_run(&m, 3), 0), MS_NOT_RUN);
	assert_string_equal(model_state_name(MS_NOT_RUN), "not run");
	model_free(&m);
}

static void event(struct model *m, uint64_t run, uint64_t t, const char *type, const char *name, const char *value)
{
	struct bt_kv k[] = { { "type", type }, { "name", name }, { "text", name }, { "value", value }, { "unit", "s" } };
	kv(m, TR_EVENT, run, t, k, value ? 5 : 3);
}

static void events_and_frames(void **state)
{
	(void)state;
	struct model m;
	struct bt_frame f;
	model_init(&m);
	frame_init(&f);
	meta(&m);
	start(&m, 1, 0, "w", "glibc", "1");
	struct run_tick t = { 1, 0, 1, 0, 0, 1 };
	for (uint64_t i = 0; i < 10; i++) {
		t.cpu_ns = i * 1000000;
		frame(&m, &f, i, i * 100000, &t, 1);
	}
	event(&m, 1, 150000, "phase", "load", NULL);
	event(&m, 1, 450000, "phase", "train", NULL);
	event(&m, 1, 500000, "metric", "latency", "0.5");
	event(&m, 1, 700000, "metric", "latency", "0.7");
	event(&m, 1, 800000, "note", "something odd", NULL);
	struct bt_kv info[] = { { "type", "info" }, { "name", "blas" }, { "text", "OpenBLAS 0.3.21 Haswell" } };
	kv(&m, TR_EVENT, 1, 850000, info, 3);
	event(&m, 1, 800000, "unknown-type", "x", NULL);
	event(&m, 7, 800000, "phase", "of an unknown run", NULL);
	end(&m, 1, 950000, "0", "0", "0", "950000");
	/* start, 2 phases, 2 metrics, note, info, end */
	assert_int_equal(m.nev, 8);
	for (size_t i = 1; i < m.nev; i++)
		assert_true(m.ev[i - 1].t_us <= m.ev[i].t_us);
	long i = model_event_near(&m, 150000, 1);
	assert_true(i >= 0 && m.ev[i].kind == ME_PHASE && strcmp(m.ev[i].name, "train") == 0);
	i = model_event_near(&m, 450000, -1);
	assert_true(i >= 0 && strcmp(m.ev[i].name, "load") == 0);
	assert_int_equal(model_event_near(&m, 0, -1), -1);
	assert_int_equal(model_event_near(&m, 950000, 1), -1);
	assert_int_equal(m.ev[model_event_near(&m, 900000, 1)].kind, ME_END);

	const struct model_event *mets[4];
	assert_int_equal(model_metrics_at(&m, 1, 400000, mets, 4), 0);
	assert_int_equal(model_metrics_at(&m, 1, 600000, mets, 4), 1);
	assert_string_equal(mets[0]->value, "0.5");
	assert_int_equal(model_metrics_at(&m, 1, 900000, mets, 4), 2);
	assert_string_equal(mets[0]->value, "0.7");
	assert_string_equal(mets[0]->unit, "s");
	assert_string_equal(mets[1]->name, "blas"); /* an info: a metric in words */
	assert_string_equal(mets[1]->value, "OpenBLAS 0.3.21 Haswell");

	assert_int_equal(m.nframes, 10);
	assert_int_equal(model_frame_index(&m, 0), 0);
	assert_int_equal(model_frame_index(&m, 450000), 4);
	uint64_t ft;
	assert_true(model_frame_near(&m, 450000, 1, &ft) && ft == 500000);
	assert_true(model_frame_near(&m, 400000, -1, &ft) && ft == 300000);
	assert_false(model_frame_near(&m, 0, -1, &ft));
	assert_false(model_frame_near(&m, 900000, 1, &ft));
	assert_int_equal(m.end_us, 950000);
	assert_int_equal(model_samples_until(model_find_run(&m, 1), 450000), 5);
	frame_free(&f);
	model_free(&m);
}

static void name(struct model *m, const char *kind, const char *id, const char *comm)
{
	struct bt_kv k[] = { { "kind", kind }, { "id", id }, { "comm", comm } };
	kv(m, TR_NAME, 1, 0, k, 3);
}

static void add_proc(struct bt_frame *f, uint64_t pid, uint64_t run, uint64_t ticks, uint64_t rss)
{
	struct bt_entity *p = frame_add(f, BT_K_PROC, pid);
	ent_set(p, PROC_RUN, run);
	ent_set(p, PROC_STATE, 'R');
	ent_set(p, PROC_UTIME, ticks);
	ent_set(p, PROC_STIME, 0);
	ent_set(p, PROC_RSS, rss);
	ent_set(p, PROC_NTHREADS, 2);
}

static void add_thread(struct bt_frame *f, uint64_t tid, uint64_t pid, uint64_t cpu, uint64_t run_us)
{
	struct bt_entity *t = frame_add(f, BT_K_THREAD, tid);
	ent_set(t, THR_PID, pid);
	ent_set(t, THR_STATE, 'S');
	ent_set(t, THR_CPU, cpu);
	ent_set(t, THR_UTIME, run_us / 10000);
	ent_set(t, THR_STIME, 0);
	ent_set(t, THR_RUN_US, run_us);
}

static void detail_rows(void **state)
{
	(void)state;
	struct model m;
	struct bt_frame a, b;
	model_init(&m);
	frame_init(&a);
	frame_init(&b);
	meta(&m);
	start(&m, 1, 0, "w", "glibc", "1");
	name(&m, "process", "200", "worker");
	name(&m, "thread", "201", "helper");
	name(&m, "process", "200", "renamed"); /* the latest name wins */
	name(&m, "bogus", "1", "x");
	assert_string_equal(model_name_of(&m, BT_K_PROC, 200), "renamed");
	assert_string_equal(model_name_of(&m, BT_K_THREAD, 201), "helper");
	assert_null(model_name_of(&m, BT_K_THREAD, 200));
	/* Frame a at 0 s, b at 0.5 s. Process 100 (run 1) with threads 100,
	 * 101; process 200 (run 1) with 200, 201; process 300 of run 2. */
	a.t_us = 0;
	b.t_us = 500000;
	struct bt_frame *fs[2] = { &a, &b };
	for (int k = 0; k < 2; k++) {
		add_proc(fs[k], 100, 1, k ? 30 : 10, 4096);
		add_proc(fs[k], 200, 1, 5, 8192);
		add_proc(fs[k], 300, 2, 0, 1);
		add_thread(fs[k], 100, 100, 0, k ? 200000 : 0);
		add_thread(fs[k], 101, 100, 1, 0);
		add_thread(fs[k], 200, 200, 1, 0);
		add_thread(fs[k], 201, 200, 0, k ? 500000 : 0);
		add_thread(fs[k], 300, 300, 0, 0);
	}
	struct model_task rows[16];
	size_t n = model_tasks(&m, &a, &b, 1, rows, 16);
	assert_int_equal(n, 6);
	assert_false(rows[0].is_thread);
	assert_int_equal(rows[0].id, 100);
	assert_string_equal(rows[0].name, "?"); /* never named */
	assert_true(fabs(rows[0].cpu_pct - 40) < 1e-9); /* 20 ticks of 100 Hz in 0.5 s */
	assert_true(rows[0].rss == 4096 && rows[0].nthreads == 2 && rows[0].state == 'R');
	assert_int_equal(rows[0].cpu, 0); /* its main thread's CPU */
	assert_true(rows[1].is_thread && rows[1].id == 100 && rows[1].pid == 100);
	assert_true(fabs(rows[1].cpu_pct - 40) < 1e-9); /* 0.2 s of schedstat run time in 0.5 s */
	assert_true(rows[2].is_thread && rows[2].id == 101 && rows[2].cpu == 1);
	assert_true(!rows[3].is_thread && rows[3].id == 200);
	assert_string_equal(rows[3].name, "renamed");
	assert_true(rows[5].is_thread && rows[5].id == 201);
	assert_string_equal(rows[5].name, "helper");
	assert_true(fabs(rows[5].cpu_pct - 100) < 1e-9);
	assert_true(isnan(rows[5].rss));
	/* Without a previous frame: no rates; too small a buffer: the count. */
	assert_int_equal(model_tasks(&m, NULL, &b, 1, rows, 2), 6);
	assert_true(isnan(rows[0].cpu_pct));
	assert_int_equal(model_tasks(&m, &a, &b, 2, rows, 16), 2);
	assert_int_equal(model_tasks(&m, &a, &b, 3, rows, 16), 0);
	assert_int_equal(model_tasks(&m, &a, NULL, 1, rows, 16), 0);
	frame_free(&a);
	frame_free(&b);
	model_free(&m);
}

/* A long run stays bounded: old samples merge, times stay in order, the
 * latest sample is the latest tick and still carries the summary. */
static void history_is_bounded(void **state)
{
	(void)state;
	struct model m;
	struct bt_frame f;
	model_init(&m);
	frame_init(&f);
	meta(&m);
	start(&m, 1, 0, "w", "glibc", "1");
	size_t total = MODEL_MAX_SAMPLES + 1000;
	struct run_tick t = { 1, 0, 100, 0, 0, 1 };
	for (size_t i = 0; i < total; i++) {
		t.cpu_ns = i * 50000000; /* half a core */
		frame(&m, &f, i, i * 100000, &t, 1);
	}
	const struct model_run *r = model_find_run(&m, 1);
	assert_true(r->ns <= MODEL_MAX_SAMPLES);
	assert_true(r->ns > MODEL_MAX_SAMPLES / 2);
	for (size_t i = 1; i < r->ns; i++)
		assert_true(r->s[i - 1].t_us < r->s[i].t_us);
	assert_int_equal(r->s[r->ns - 1].t_us, (total - 1) * 100000);
	assert_true(fabs(r->s[r->ns - 1].cpu_pct - 50) < 1e-6);
	assert_true(fabs(r->s[r->ns / 2].cpu_pct - 50) < 1e-6); /* merged pairs keep the rate */
	assert_int_equal(m.nframes, total);
	/* blocks still hold the range of their samples after the merges */
	assert_int_equal(r->nb, r->ns / MODEL_BLOCK);
	for (size_t j = 0; j < r->nb; j++)
		for (size_t i = j * MODEL_BLOCK; i < (j + 1) * MODEL_BLOCK; i++) {
			double v = r->s[i].cpu_pct;
			if (isfinite(v))
				assert_true(v >= r->b[j].lo[MSER_CPU] - 1e-9 && v <= r->b[j].hi[MSER_CPU] + 1e-9);
		}
	frame_free(&f);
	model_free(&m);
}

/* Blocks and the window maximum agree with the samples they summarise. */
static void blocks_and_maxima(void **state)
{
	(void)state;
	struct model m;
	struct bt_frame f;
	model_init(&m);
	frame_init(&f);
	meta(&m);
	start(&m, 1, 0, "w", "glibc", "1");
	struct run_tick t = { 1, 0, 100, 0, 0, 1 };
	uint64_t ns = 0;
	for (uint64_t i = 0; i < 100; i++) {
		ns += (i * 7919) % 97 * 1000000; /* 0..96 % of a core, scrambled */
		t.cpu_ns = ns;
		t.mem = 1000 + (i * 31) % 50;
		t.threads = i == 60 ? 9 : 2;
		frame(&m, &f, i, i * 100000, &t, 1);
	}
	const struct model_run *r = model_find_run(&m, 1);
	assert_int_equal(r->nb, 100 / MODEL_BLOCK);
	for (size_t j = 0; j < r->nb; j++) {
		assert_int_equal(r->b[j].t_first, r->s[j * MODEL_BLOCK].t_us);
		for (int k = 0; k < MSER_N; k++) {
			double lo = NAN, hi = NAN;
			for (size_t i = j * MODEL_BLOCK; i < (j + 1) * MODEL_BLOCK; i++) {
				double v = model_value(&r->s[i], (enum model_series)k);
				if (isfinite(v)) {
					lo = isnan(lo) || v < lo ? v : lo;
					hi = isnan(hi) || v > hi ? v : hi;
				}
			}
			assert_true((isnan(lo) && isnan(r->b[j].lo[k])) || lo == r->b[j].lo[k]);
			assert_true((isnan(hi) && isnan(r->b[j].hi[k])) || hi == r->b[j].hi[k]);
		}
	}
	assert_true(isnan(r->b[0].lo[MSER_CPU]) == false); /* the first sample alone has no rate */
	/* the maximum over windows, against the samples */
	static const uint64_t w[][2] = { { 0, 9900000 }, { 100000, 2000000 }, { 1550000, 8000000 }, { 6000000, 6000000 },
					 { 6000001, 6000002 }, { 0, 0 } };
	for (size_t q = 0; q < sizeof w / sizeof w[0]; q++)
		for (int k = 0; k < MSER_N; k++) {
			double best = NAN;
			for (size_t i = 0; i < r->ns; i++) {
				double v = model_value(&r->s[i], (enum model_series)k);
				if (r->s[i].t_us >= w[q][0] && r->s[i].t_us <= w[q][1] && isfinite(v) && !(v <= best))
					best = v;
			}
			double got = model_series_max(r, (enum model_series)k, w[q][0], w[q][1]);
			assert_true((isnan(best) && isnan(got)) || best == got);
		}
	assert_true(model_series_max(r, MSER_THREADS, 0, 9900000) == 9);
	frame_free(&f);
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(meta_facts),
		cmocka_unit_test(rates_and_moments),
		cmocka_unit_test(states_and_plans),
		cmocka_unit_test(ratio_to_baseline),
		cmocka_unit_test(ratio_interval_and_memo),
		cmocka_unit_test(not_run_after_the_session),
		cmocka_unit_test(unknown_thread_count),
		cmocka_unit_test(events_and_frames),
		cmocka_unit_test(detail_rows),
		cmocka_unit_test(history_is_bounded),
		cmocka_unit_test(blocks_and_maxima),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
