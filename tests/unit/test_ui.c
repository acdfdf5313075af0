/* Unit tests for ui/ui.c in live mode, the API a live session drives:
 * curses opened with newterm() on /dev/null, keys written into a pipe, the
 * screen read back from curses' own virtual screen. Queued runs, the
 * pause that freezes the display while records keep coming, q asking
 * while runs are going (no, then yes), q quitting at once when none are,
 * help listing the live keys, the ratio column, refusing to start without
 * a terminal; and the screen's layout: only the parts that changed are
 * rebuilt, graph panes fill a larger terminal, the table's columns at 80
 * and 60 columns, the header with the runs' limits, a limit line, an empty
 * pane saying why, and 'not run' once the session is over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include "model.h"
#include "screen.h"
#include "ui.h"
#include "util.h"

struct fixture {
	struct ui *u;
	FILE *in, *out;
	int keys;
	struct bt_frame f;
	uint64_t cpu;
};

static void feed_kv(struct fixture *x, enum trace_rec_type type, uint64_t run, uint64_t t_us, const struct bt_kv *kv,
		    size_t n)
{
	struct bt_record r = { .type = type, .run = run, .t_us = t_us, .nkv = n, .kv = kv };
	ui_feed(x->u, &r);
}

/* One tick of run 1 burning `pct` % of a core. */
static void tick(struct fixture *x, uint64_t i, uint64_t pct)
{
	frame_reset(&x->f);
	x->f.tick = i;
	x->f.t_us = i * 100000;
	x->cpu += pct * 1000000;
	struct bt_entity *e = frame_add(&x->f, BT_K_RUN, 1);
	ent_set(e, RUN_CG_CPU_NS, x->cpu);
	ent_set(e, RUN_CG_MEM, 64 << 20);
	ent_set(e, RUN_NPROCS, 1);
	ent_set(e, RUN_NTHREADS, 2);
	struct bt_record r = { .type = TR_FRAME, .frame = &x->f, .t_us = x->f.t_us };
	ui_feed(x->u, &r);
}

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	int p[2];
	if (pipe(p) != 0)
		return -1;
	setenv("COLUMNS", "120", 1); /* room for a ratio with its CI */
	setenv("LINES", "30", 1);
	x->in = fdopen(p[0], "r");
	x->keys = p[1];
	x->out = fopen("/dev/null", "w");
	struct ui_config cfg = { .mode = UI_LIVE, .title = "test", .in = x->in, .out = x->out, .term = "xterm-256color" };
	char err[256];
	x->u = ui_open(&cfg, err, sizeof err);
	if (!x->u) {
		fprintf(stderr, "ui_open: %s\n", err);
		return -1;
	}
	frame_init(&x->f);
	struct bt_kv meta[] = { { "host", "testhost" }, { "clk_tck", "100" }, { "interval_ms", "100" },
				{ "cpus_visible", "2" }, { "cpus_effective", "2" } };
	feed_kv(x, TR_META, 0, 0, meta, 5);
	ui_plan_run(x->u, 1, "spin", "glibc", 1);
	ui_plan_run(x->u, 2, "spin", "musl", 1);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	ui_close(x->u);
	frame_free(&x->f);
	fclose(x->in);
	fclose(x->out);
	close(x->keys);
	free(x);
	return 0;
}

/* Row `row` of curses' virtual screen, as text. */
static const char *row_text(int row)
{
	static char buf[512];
	memset(buf, 0, sizeof buf);
	mvinnstr(row, 0, buf, 200);
	return buf;
}

/* Whether any row holds text. */
static bool screen_has(const char *text)
{
	for (int r = 0; r < LINES; r++)
		if (strstr(row_text(r), text))
			return true;
	if (getenv("TEST_UI_DUMP"))
		for (int r = 0; r < LINES; r++)
			fprintf(stderr, "%2d|%s\n", r, row_text(r));
	return false;
}

static enum ui_action press(struct fixture *x, const char *keys)
{
	if (write(x->keys, keys, strlen(keys)) != (ssize_t)strlen(keys))
		return UI_NONE;
	enum ui_action a = ui_handle_input(x->u);
	ui_draw(x->u, bt_now_ns());
	return a;
}

static void queued_then_running(void **state)
{
	struct fixture *x = *state;
	ui_draw(x->u, bt_now_ns());
	assert_true(strstr(row_text(1), "LIVE") != NULL);
	assert_true(strstr(row_text(0), "host testhost") != NULL);
	assert_true(screen_has("runs: 0 running, 0 done, 2 queued"));
	struct bt_kv start[] = { { "workload", "spin" }, { "variant", "glibc" }, { "rep", "1" } };
	feed_kv(x, TR_RUN_START, 1, 0, start, 3);
	for (uint64_t i = 0; i < 10; i++)
		tick(x, i, 150);
	ui_set_live(x->u, true);
	ui_draw(x->u, bt_now_ns());
	assert_true(screen_has("runs: 1 running, 0 done, 1 queued"));
	assert_true(screen_has(" queued ")); /* run 2 still waits, in the table */
	assert_true(screen_has("/150%")); /* the peak: 1.5 cores */
	assert_true(screen_has("CPU % (100% = 1 core)"));
}

static void pause_freezes_the_display(void **state)
{
	struct fixture *x = *state;
	struct bt_kv start[] = { { "workload", "spin" }, { "variant", "glibc" }, { "rep", "1" } };
	feed_kv(x, TR_RUN_START, 1, 0, start, 3);
	for (uint64_t i = 0; i < 10; i++)
		tick(x, i, 100);
	ui_draw(x->u, bt_now_ns());
	assert_true(screen_has("/100%"));
	press(x, "p");
	assert_true(strstr(row_text(1), "PAUSED (sampling goes on)") != NULL);
	/* records keep coming; the screen keeps showing the moment paused */
	for (uint64_t i = 10; i < 20; i++)
		tick(x, i, 200);
	ui_draw(x->u, bt_now_ns());
	assert_true(screen_has("/100%"));
	press(x, " ");
	assert_true(strstr(row_text(1), "LIVE") != NULL);
	assert_true(screen_has("/200%")); /* the ticks fed while paused are all there */
}

static void quit_asks_while_runs_go(void **state)
{
	struct fixture *x = *state;
	ui_set_live(x->u, true);
	ui_draw(x->u, bt_now_ns());
	assert_int_equal(press(x, "q"), UI_NONE);
	assert_true(screen_has("Runs are still going. Stop them and quit? (y/n)"));
	assert_int_equal(press(x, "n"), UI_NONE);
	assert_true(screen_has("not quitting"));
	assert_int_equal(press(x, "q"), UI_NONE);
	assert_int_equal(press(x, "y"), UI_STOP_RUNS);
	/* once they stopped, q quits at once */
	ui_set_live(x->u, false);
	assert_int_equal(press(x, "q"), UI_QUIT);
}

static void help_lists_live_keys(void **state)
{
	struct fixture *x = *state;
	press(x, "?");
	assert_true(screen_has("Keys (live session)"));
	assert_true(screen_has("pause the display (sampling and recording go on)"));
	assert_false(screen_has("Left/Right"));
	assert_false(screen_has("go to a time"));
	press(x, "\033");
	assert_false(screen_has("Keys (live session)"));
	/* a key that does nothing here does no harm */
	assert_int_equal(press(x, "x"), UI_NONE);
}

static void run(struct fixture *x, uint64_t id, uint64_t t, const char *variant, const char *wall_us)
{
	struct bt_kv start[] = { { "workload", "spin" }, { "variant", variant }, { "rep", "1" } };
	feed_kv(x, TR_RUN_START, id, t, start, 3);
	struct bt_kv end[] = { { "exit_code", "0" }, { "signal", "0" }, { "wall_us", wall_us } };
	feed_kv(x, TR_RUN_END, id, t + 1000, end, 3);
}

static bool fake_ci(const double *base, size_t nbase, const double *var, size_t nvar, struct model_ratio *out)
{
	*out = (struct model_ratio){ .ratio = var[0] / base[0], .have_ci = true, .lo = 1.4, .hi = 1.6 };
	return nbase && nvar;
}

/* The ratio column: "base" for the baseline, the median ratio for the
 * other variant once both finished, and the CI from a plugged-in engine. */
static void ratio_column(void **state)
{
	struct fixture *x = *state;
	run(x, 1, 0, "glibc", "2000000");
	ui_draw(x->u, bt_now_ns());
	assert_true(screen_has("vs base"));
	assert_false(screen_has("1.50x"));
	run(x, 2, 10000, "musl", "3000000");
	ui_draw(x->u, bt_now_ns());
	assert_true(screen_has(" base"));
	assert_true(screen_has("1.50x"));
	ui_set_ratio(x->u, fake_ci);
	ui_draw(x->u, bt_now_ns());
	assert_true(screen_has("1.50x [1.40,1.60]"));
	ui_set_ratio(x->u, NULL);
	ui_draw(x->u, bt_now_ns());
	assert_false(screen_has("[1.40,1.60]"));
}


/* Resize curses' virtual terminal (the screen notices on the next draw). */
static void resize(struct fixture *x, int cols, int rows)
{
	resize_term(rows, cols);
	ui_draw(x->u, bt_now_ns());
}

static int count_on_screen(const char *text)
{
	int n = 0;
	for (int r = 0; r < LINES; r++)
		for (const char *p = row_text(r); (p = strstr(p, text)) != NULL; p++)
			n++;
	return n;
}

static void start_run(struct fixture *x, uint64_t id, const char *variant, const char *limit_cpus,
		      const char *limit_mem, const char *eff)
{
	struct bt_kv start[] = { { "workload", "spin" }, { "variant", variant }, { "rep", "1" },
				 { "limit_cpus", limit_cpus }, { "limit_memory", limit_mem }, { "effective_cpus", eff },
				 { "cgroup", "/sys/fs/cgroup/x" }, { "limits_applied", "1" } };
	feed_kv(x, TR_RUN_START, id, 0, start, 8);
}

/* A tick that changes nothing but the clock rebuilds the state line
 * alone; new data rebuilds the graphs and the table, not the host facts;
 * nothing new rebuilds nothing at all. */
static void redraws_only_what_changed(void **state)
{
	struct fixture *x = *state;
	start_run(x, 1, "glibc", "", "", "2");
	for (uint64_t i = 0; i < 10; i++)
		tick(x, i, 100);
	uint64_t now = bt_now_ns();
	ui_draw(x->u, now);
	assert_int_equal(ui_drawn(x->u), ~0u); /* the first frame: everything */
	ui_draw(x->u, now);
	assert_int_equal(ui_drawn(x->u), 0);
	ui_draw(x->u, now + 200000000ull); /* 0.2 s later, nothing new */
	assert_int_equal(ui_drawn(x->u), 1u << SR_STATE);
	tick(x, 10, 150);
	ui_draw(x->u, now + 200000000ull);
	unsigned d = ui_drawn(x->u);
	assert_true(d & (1u << SR_GRAPHS));
	assert_true(d & (1u << SR_TABLE));
	assert_false(d & (1u << SR_FACTS));
	assert_false(d & (1u << SR_FOOTER));
	/* the session ends: the clock stops, the run not started is 'not run' */
	ui_session_over(x->u);
	ui_draw(x->u, now + 300000000ull);
	assert_true(ui_drawn(x->u) & (1u << SR_TABLE));
	assert_true(screen_has("ENDED"));
	assert_true(screen_has(" not run "));
	assert_true(screen_has("1 not run"));
	ui_draw(x->u, now + 900000000ull);
	assert_int_equal(ui_drawn(x->u), 0); /* a stopped clock draws nothing */
}

/* Graph panes: two side by side at 80x24; every kind at 200x60 and at
 * 120x40 (in two rows); a resize rebuilds the whole screen. */
static void graphs_fill_the_terminal(void **state)
{
	struct fixture *x = *state;
	start_run(x, 1, "glibc", "", "", "2");
	for (uint64_t i = 0; i < 10; i++)
		tick(x, i, 100);
	static const char *const titles[] = { "CPU % (100% = 1 core)", "memory (cgroup)", "RSS (all processes)",
					      "throttled % of periods", "threads  " };
	resize(x, 80, 24);
	assert_int_equal(ui_drawn(x->u), ~0u);
	int n = 0;
	for (size_t i = 0; i < 5; i++)
		n += screen_has(titles[i]);
	assert_int_equal(n, 2);
	resize(x, 200, 60);
	for (size_t i = 0; i < 5; i++)
		assert_true(screen_has(titles[i]));
	/* in two rows: the first row's titles are on row 2, the others lower */
	assert_true(strstr(row_text(2), "CPU % (100% = 1 core)") != NULL);
	assert_true(strstr(row_text(2), "threads  ") == NULL);
	resize(x, 120, 40);
	for (size_t i = 0; i < 5; i++)
		assert_true(screen_has(titles[i]));
	/* without a quota, the throttling pane says why it is empty */
	assert_true(screen_has("nothing throttled: no CPU quota"));
	resize(x, 40, 12);
	assert_true(screen_has("Terminal too small (40x12)"));
	resize(x, 80, 24);
	assert_true(screen_has("CPU % (100% = 1 core)"));
}

static void done_run(struct fixture *x, uint64_t id, uint64_t t, const char *variant, unsigned rep,
		     const char *wall_us)
{
	char r[8];
	snprintf(r, sizeof r, "%u", rep);
	struct bt_kv start[] = { { "workload", "kmeans" }, { "variant", variant }, { "rep", r } };
	feed_kv(x, TR_RUN_START, id, t, start, 3);
	struct bt_kv end[] = { { "exit_code", "0" }, { "signal", "0" }, { "wall_us", wall_us } };
	feed_kv(x, TR_RUN_END, id, t + 1000, end, 3);
}

/* The run table at 80 columns keeps rep and elapsed and shows the ratio
 * with its bootstrap interval (the default engine); columns with nothing
 * to say (throttled, without a quota) are left out; at 60 columns the
 * ratio drops its interval instead of being cut. */
static void table_columns_fit(void **state)
{
	struct fixture *x = *state;
	done_run(x, 3, 0, "glibc", 1, "2000000");
	done_run(x, 4, 10000, "musl", 1, "3000000");
	done_run(x, 5, 20000, "glibc", 2, "2100000");
	done_run(x, 6, 30000, "musl", 2, "3100000");
	resize(x, 80, 24);
	const char *hdr = NULL;
	for (int r = 0; r < LINES && !hdr; r++)
		if (strstr(row_text(r), " workload "))
			hdr = row_text(r);
	assert_non_null(hdr);
	assert_true(strstr(hdr, " rep ") && strstr(hdr, " elapsed ") && strstr(hdr, " vs base"));
	assert_null(strstr(hdr, "throttled"));
	assert_true(screen_has("1.49x [")); /* 3.05 / 2.05 */
	assert_true(screen_has("] "));
	assert_false(screen_has("~"));
	resize(x, 60, 16);
	assert_true(screen_has("1.49x"));
	assert_false(screen_has("1.49x ["));
}

/* The header shows the CPUs and memory the runs may use when they share
 * limits tighter than the host's; the memory graph draws the limit as a
 * dashed line with a legend once the data comes near it. */
static void header_and_graphs_show_limits(void **state)
{
	struct fixture *x = *state;
	start_run(x, 1, "glibc", "1", "104857600", "1"); /* 100 MiB; the ticks use 64 MiB */
	for (uint64_t i = 0; i < 10; i++)
		tick(x, i, 100);
	resize(x, 200, 60);
	assert_true(strstr(row_text(0), "CPUs 1 of 2 (runs)") != NULL);
	assert_true(strstr(row_text(0), "memory limit 100M of") != NULL);
	assert_true(screen_has("limit 100M"));
	assert_true(screen_has("\xe2\x94\x84") || count_on_screen("limit 100M") > 0); /* the dash glyph */
	resize(x, 80, 24);
	assert_true(strstr(row_text(0), "CPUs 1/2") != NULL);
	assert_true(strstr(row_text(0), "mem 100M/") != NULL);
}

static void refuses_without_a_terminal(void **state)
{
	(void)state;
	if (isatty(STDOUT_FILENO) && isatty(STDIN_FILENO))
		skip();
	struct ui_config cfg = { .mode = UI_LIVE };
	char err[256] = "";
	assert_null(ui_open(&cfg, err, sizeof err));
	assert_true(strstr(err, "not a terminal") != NULL);
	ui_close(NULL);
}

static void refuses_a_dumb_terminal(void **state)
{
	(void)state;
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	struct ui_config cfg = { .mode = UI_LIVE, .in = in, .out = out, .term = "dumb" };
	char err[256] = "";
	assert_null(ui_open(&cfg, err, sizeof err));
	assert_true(strstr(err, "TERM=dumb") != NULL);
	fclose(out);
	fclose(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(queued_then_running, setup, teardown),
		cmocka_unit_test_setup_teardown(pause_freezes_the_display, setup, teardown),
		cmocka_unit_test_setup_teardown(quit_asks_while_runs_go, setup, teardown),
		cmocka_unit_test_setup_teardown(help_lists_live_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(ratio_column, setup, teardown),
		cmocka_unit_test_setup_teardown(redraws_only_what_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(graphs_fill_the_terminal, setup, teardown),
		cmocka_unit_test_setup_teardown(table_columns_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(header_and_graphs_show_limits, setup, teardown),
		cmocka_unit_test(refuses_without_a_terminal),
		cmocka_unit_test(refuses_a_dumb_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
