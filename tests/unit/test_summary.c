/* Unit tests for summary.c: the per-run numbers that record prints and
 * export --summary writes, computed from synthetic record streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "summary.h"

static void feed_kv(struct summary *s, enum trace_rec_type type, uint64_t run, uint64_t t_us,
		    const struct bt_kv *kv, size_t n)
{
	struct bt_record r = { .type = type, .run = run, .t_us = t_us, .nkv = n, .kv = kv };
	summary_add(s, &r);
}

/* One frame with one run entity: cgroup CPU ns (or tree ticks), RSS,
 * cgroup memory, throttling. */
static void feed_frame(struct summary *s, struct bt_frame *f, uint64_t tick, uint64_t t_us, bool cg,
		       uint64_t cpu, uint64_t rss, uint64_t periods, uint64_t throttled)
{
	frame_reset(f);
	f->tick = tick;
	f->t_us = t_us;
	f->late_us = tick == 2 ? 2500 : 100;
	f->cost_ns = 200000;
	struct bt_entity *e = frame_add(f, BT_K_RUN, 1);
	if (cg) {
		ent_set(e, RUN_CG_CPU_NS, cpu);
		ent_set(e, RUN_CG_USER_NS, cpu * 3 / 4);
		ent_set(e, RUN_CG_SYS_NS, cpu / 4);
		ent_set(e, RUN_CG_MEM, rss + 1000);
		ent_set(e, RUN_CG_PERIODS, periods);
		ent_set(e, RUN_CG_THROTTLED, throttled);
	}
	ent_set(e, RUN_TREE_USER_TK, cpu / 10000000);
	ent_set(e, RUN_TREE_SYS_TK, 0);
	ent_set(e, RUN_RSS, rss);
	ent_set(e, RUN_NPROCS, 1);
	ent_set(e, RUN_NTHREADS, tick + 1);
	struct bt_record r = { .type = TR_FRAME, .frame = f, .t_us = t_us };
	summary_add(s, &r);
}

static void start_run(struct summary *s)
{
	struct bt_kv meta[] = { { "clk_tck", "100" }, { "interval_ms", "100" } };
	feed_kv(s, TR_META, 0, 0, meta, 2);
	struct bt_kv start[] = { { "command", "spin --x" }, { "workload", "spin" }, { "variant", "musl" },
				 { "rep", "3" }, { "limit_cpus", "0.5" }, { "limit_memory", "268435456" } };
	feed_kv(s, TR_RUN_START, 1, 0, start, 6);
}

static void cgroup_run(void **state)
{
	(void)state;
	struct summary s;
	struct bt_frame f;
	summary_init(&s);
	frame_init(&f);
	start_run(&s);
	/* 0.5 CPU for 0.1 s, then 1.5 CPUs for 0.1 s, then 1.0 CPU. */
	feed_frame(&s, &f, 0, 0, true, 0, 1000, 0, 0);
	feed_frame(&s, &f, 1, 100000, true, 50000000, 3000, 1, 0);
	feed_frame(&s, &f, 2, 200000, true, 200000000, 5000, 2, 1);
	feed_frame(&s, &f, 3, 300000, true, 300000000, 2000, 3, 3);
	struct bt_kv end[] = { { "exit_code", "0" }, { "signal", "0" }, { "oom_killed", "0" },
			       { "reason", "exited" }, { "wall_us", "300000" }, { "ru_utime_us", "225000" },
			       { "ru_stime_us", "75000" }, { "ru_maxrss_kb", "4" } };
	feed_kv(&s, TR_RUN_END, 1, 300000, end, 8);

	assert_int_equal(s.nruns, 1);
	const struct run_summary *r = &s.runs[0];
	assert_string_equal(r->variant, "musl");
	assert_int_equal(r->rep, 3);
	assert_true(r->cpu_from_cg);
	assert_true(r->limit_cpus > 0.49 && r->limit_cpus < 0.51);
	assert_int_equal(r->limit_mem, 268435456);
	assert_true(run_cpu_s(r) > 0.2999 && run_cpu_s(r) < 0.3001);
	assert_true(run_user_s(r) > 0.2249 && run_user_s(r) < 0.2251);
	assert_true(r->wall_s > 0.2999 && r->wall_s < 0.3001);
	assert_true(run_cpu_avg_pct(r) > 99.9 && run_cpu_avg_pct(r) < 100.1);
	assert_true(r->cpu_pct_peak > 149.9 && r->cpu_pct_peak < 150.1);
	assert_int_equal(r->rss_peak, 5000);
	assert_true(r->rss_sum / r->rss_n > 2749 && r->rss_sum / r->rss_n < 2751);
	assert_true(r->have_cgmem);
	assert_int_equal(r->cgmem_peak, 6000);
	assert_int_equal(r->threads_peak, 4);
	assert_int_equal(r->throttled, 3);
	assert_int_equal(r->periods, 3);
	assert_int_equal(r->ticks, 4);
	assert_int_equal(r->late_ticks, 1);
	assert_int_equal(r->late_max_us, 2500);
	assert_true(r->have_ru);
	assert_false(r->have_cs); /* never given: unknown, not zero */
	char buf[128];
	assert_string_equal(run_exit_text(r, buf, sizeof buf), "exited with code 0");

	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	summary_print_json(m, &s, NULL);
	fclose(m);
	assert_non_null(strstr(out, "\"cs_voluntary\":null"));
	assert_non_null(strstr(out, "\"cpu_source\":\"cgroup\""));
	assert_non_null(strstr(out, "\"oom_killed\":false"));
	free(out);
	frame_free(&f);
	summary_free(&s);
}

static void tree_run_and_oom(void **state)
{
	(void)state;
	struct summary s;
	struct bt_frame f;
	summary_init(&s);
	frame_init(&f);
	start_run(&s);
	/* No cgroup fields: CPU comes from the tree, in clock ticks. */
	feed_frame(&s, &f, 0, 0, false, 0, 1000, 0, 0);
	feed_frame(&s, &f, 1, 100000, false, 100000000, 1000, 0, 0);
	struct bt_kv end[] = { { "exit_code", "-1" }, { "signal", "9" }, { "oom_killed", "1" } };
	feed_kv(&s, TR_RUN_END, 1, 100000, end, 3);
	const struct run_summary *r = &s.runs[0];
	assert_false(r->cpu_from_cg);
	assert_false(r->have_cgmem);
	assert_false(r->have_throttle);
	assert_true(run_cpu_s(r) > 0.0999 && run_cpu_s(r) < 0.1001);
	char buf[128];
	assert_non_null(strstr(run_exit_text(r, buf, sizeof buf), "OOM-killed"));
	frame_free(&f);
	summary_free(&s);
}

static void cut_trace_run(void **state)
{
	(void)state;
	struct summary s;
	struct bt_frame f;
	summary_init(&s);
	frame_init(&f);
	start_run(&s);
	feed_frame(&s, &f, 0, 0, true, 0, 1000, 0, 0);
	feed_frame(&s, &f, 1, 100000, true, 100000000, 1000, 0, 0);
	/* No RUN_END: the trace was cut. */
	const struct run_summary *r = &s.runs[0];
	assert_false(r->ended);
	char buf[128];
	assert_non_null(strstr(run_exit_text(r, buf, sizeof buf), "unknown"));
	/* Frames for an unknown run are ignored, not invented. */
	frame_reset(&f);
	struct bt_entity *e = frame_add(&f, BT_K_RUN, 99);
	ent_set(e, RUN_CG_CPU_NS, 5);
	struct bt_record rec = { .type = TR_FRAME, .frame = &f };
	summary_add(&s, &rec);
	assert_int_equal(s.nruns, 1);
	frame_free(&f);
	summary_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cgroup_run),
		cmocka_unit_test(tree_run_and_oom),
		cmocka_unit_test(cut_trace_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
