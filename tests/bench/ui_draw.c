/* ui_draw — how long the screen takes to draw one frame of a 10-run session.
 *
 * Feeds the UI a synthetic session (META, ten runs of 300 ticks each, two
 * variants, one process and four threads per run, a phase per run), drawing
 * into curses opened with newterm() on /dev/null, so the time is the
 * screen's own work: laying out, rendering the graphs, the table, curses'
 * diff of the virtual screen and the output it writes. Three cases are timed:
 *   new tick   a frame is fed, then ui_draw (what a live session does ten
 *              times a second: the graphs, the table and the state line
 *              are rebuilt and diffed);
 *   clock      ui_draw 0.1 s later with nothing new (the elapsed time in
 *              the state line is all that changed: that line alone);
 *   unchanged  ui_draw with nothing new (must be close to free).
 *
 *   ui_draw [COLS ROWS [main|detail [DRAWS [60s|whole]]]]
 *                        (defaults 80 24 main 2000 60s: the live default
 *                        window; whole: the graphs span the whole session)
 *
 * Prints the median, p90 and max of each in microseconds: wall time, and the
 * thread's CPU time (what the draw cost; on a busy machine the wall time
 * also holds the time other processes had the CPU). */
#include "model.h"
#include "ui.h"
#include "util.h"

#include <math.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NRUNS 10
#define TICKS_PER_RUN 300

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *ns, size_t n)
{
	qsort(ns, n, sizeof(*ns), cmp_u64);
	printf("%-10s median %7.1f us   p90 %7.1f us   max %8.1f us   (%zu draws)\n", what, (double)ns[n / 2] / 1e3,
	       (double)ns[n * 9 / 10] / 1e3, (double)ns[n - 1] / 1e3, n);
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void feed_kv(struct ui *u, enum trace_rec_type type, uint64_t run, uint64_t t_us, const struct bt_kv *kv, size_t n)
{
	struct bt_record r = { .type = type, .run = run, .t_us = t_us, .nkv = n, .kv = kv };
	ui_feed(u, &r);
}

/* One tick of run id at t: a process with four threads, burning ~1.5
 * cores with some wobble, 100-200 MiB. */
static void feed_tick(struct ui *u, struct bt_frame *f, uint64_t id, uint64_t tick, uint64_t t_us)
{
	frame_reset(f);
	f->tick = tick;
	f->t_us = t_us;
	uint64_t k = tick % TICKS_PER_RUN;
	double wob = 1.5 + 0.4 * sin((double)tick / 7.0);
	static uint64_t cpu_ns[NRUNS + 1];
	cpu_ns[id] += (uint64_t)(wob * 1e8);
	struct bt_entity *e = frame_add(f, BT_K_RUN, id);
	ent_set(e, RUN_CG_CPU_NS, cpu_ns[id]);
	ent_set(e, RUN_CG_USER_NS, cpu_ns[id]);
	ent_set(e, RUN_CG_SYS_NS, 0);
	ent_set(e, RUN_CG_PERIODS, k);
	ent_set(e, RUN_CG_THROTTLED, k / 3);
	ent_set(e, RUN_CG_MEM, (100 + k / 3) << 20);
	ent_set(e, RUN_RSS, (90 + k / 3) << 20);
	ent_set(e, RUN_NPROCS, 1);
	ent_set(e, RUN_NTHREADS, 4);
	uint64_t pid = 1000 * id;
	struct bt_entity *p = frame_add(f, BT_K_PROC, pid);
	ent_set(p, PROC_RUN, id);
	ent_set(p, PROC_STATE, 'R');
	ent_set(p, PROC_UTIME, cpu_ns[id] / 10000000);
	ent_set(p, PROC_STIME, 0);
	ent_set(p, PROC_RSS, (90 + k / 3) << 20);
	ent_set(p, PROC_NTHREADS, 4);
	for (uint64_t t = 0; t < 4; t++) {
		struct bt_entity *th = frame_add(f, BT_K_THREAD, pid + t);
		ent_set(th, THR_PID, pid);
		ent_set(th, THR_STATE, 'R');
		ent_set(th, THR_CPU, t % 2);
		ent_set(th, THR_RUN_US, cpu_ns[id] / 4000);
	}
	struct bt_record r = { .type = TR_FRAME, .frame = f, .t_us = t_us };
	ui_feed(u, &r);
}

int main(int argc, char **argv)
{
	const char *cols = argc > 1 ? argv[1] : "80", *rows = argc > 2 ? argv[2] : "24";
	bool detail = argc > 3 && strcmp(argv[3], "detail") == 0;
	size_t draws = argc > 4 ? (size_t)atol(argv[4]) : 2000;
	if (draws < 10 || draws > 1000000)
		draws = 2000;
	bool whole = argc > 5 && strcmp(argv[5], "whole") == 0;
	/* curses takes the size from LINES/COLUMNS when the output is no tty */
	setenv("COLUMNS", cols, 1);
	setenv("LINES", rows, 1);
	FILE *out = fopen("/dev/null", "w");
	int keys[2];
	if (!out || pipe(keys) != 0) {
		perror("ui_draw");
		return 1;
	}
	FILE *in = fdopen(keys[0], "r");
	struct ui_config cfg = { .mode = UI_LIVE, .title = "bench", .in = in, .out = out, .term = "xterm-256color" };
	char err[256];
	struct ui *u = ui_open(&cfg, err, sizeof err);
	if (!u) {
		fprintf(stderr, "ui_draw: %s\n", err);
		return 1;
	}
	struct bt_kv meta[] = { { "host", "bench" }, { "kernel", "6.1.0" }, { "libc", "glibc" }, { "libc_version", "2.36" },
				{ "cgroup_version", "2" }, { "cgroup_mode", "unified (v2)" }, { "cpus_visible", "2" },
				{ "cpus_effective", "2" }, { "mem_total", "25769803776" }, { "mem_limit", "0" },
				{ "clk_tck", "100" }, { "interval_ms", "100" } };
	feed_kv(u, TR_META, 0, 0, meta, sizeof meta / sizeof meta[0]);
	for (uint64_t id = 1; id <= NRUNS; id++)
		ui_plan_run(u, id, "kmeans", id % 2 ? "glibc" : "musl", (unsigned)(id + 1) / 2);
	ui_set_live(u, true);

	/* Nine runs done, the tenth under way: the draws happen during it. */
	struct bt_frame f;
	frame_init(&f);
	uint64_t tick = 0, t_us = 0;
	uint64_t *fresh = xcalloc(draws, sizeof(uint64_t)), *idle = xcalloc(draws, sizeof(uint64_t));
	uint64_t *fresh_cpu = xcalloc(draws, sizeof(uint64_t)), *clock = xcalloc(draws, sizeof(uint64_t));
	size_t nf = 0, ni = 0, nc = 0;
	/* '-' until the graphs span the whole session (60 s -> 2 min -> 5 ->
	 * 10 -> 30 -> 60 min, which is past it: the whole); more say so */
	if (whole && write(keys[1], "--------", 8) != 8)
		return 1;
	for (uint64_t id = 1; id <= NRUNS; id++) {
		char rep[16];
		snprintf(rep, sizeof rep, "%llu", (unsigned long long)(id + 1) / 2);
		struct bt_kv start[] = { { "command", "bt-kmeans --points 100000" }, { "workload", "kmeans" },
					 { "variant", id % 2 ? "glibc" : "musl" }, { "rep", rep }, { "env", "OMP_NUM_THREADS=2" } };
		feed_kv(u, TR_RUN_START, id, t_us, start, sizeof start / sizeof start[0]);
		struct bt_kv phase[] = { { "type", "phase" }, { "name", "train" } };
		uint64_t ticks = id < NRUNS ? TICKS_PER_RUN : TICKS_PER_RUN + draws;
		for (uint64_t k = 0; k < ticks; k++, tick++, t_us += 100000) {
			if (k == 20)
				feed_kv(u, TR_EVENT, id, t_us, phase, 2);
			feed_tick(u, &f, id, tick, t_us);
			if (id < NRUNS || k < TICKS_PER_RUN / 2)
				continue;
			if (k == TICKS_PER_RUN / 2 && detail && write(keys[1], "\r", 1) != 1)
				return 1;
			ui_handle_input(u);
			uint64_t ca = cpu_ns(), a = bt_now_ns();
			ui_draw(u, a);
			uint64_t b = bt_now_ns(), cb = cpu_ns();
			ui_draw(u, a); /* same moment, nothing new */
			uint64_t c = bt_now_ns();
			ui_draw(u, a + 100000000ull); /* the clock moved, nothing else */
			uint64_t d = bt_now_ns();
			if (nf < draws) {
				fresh_cpu[nf] = cb - ca;
				fresh[nf++] = b - a;
			}
			if (ni < draws)
				idle[ni++] = c - b;
			if (nc < draws)
				clock[nc++] = d - c;
			if (nf == draws)
				break;
		}
		if (id < NRUNS) {
			char wall[32];
			snprintf(wall, sizeof wall, "%llu", (unsigned long long)TICKS_PER_RUN * 100000);
			struct bt_kv end[] = { { "exit_code", "0" }, { "signal", "0" }, { "wall_us", wall } };
			feed_kv(u, TR_RUN_END, id, t_us, end, 3);
		}
	}
	ui_close(u);
	fclose(out);
	fclose(in);
	close(keys[1]);
	frame_free(&f);
	printf("screen %sx%s, %s page, window %s, %d runs (%d done, 1 running), %llu ticks in the model\n", cols, rows,
	       detail ? "detail" : "main", whole ? "whole" : "60s", NRUNS, NRUNS - 1, (unsigned long long)tick);
	report("new tick", fresh, nf);
	report("  (CPU)", fresh_cpu, nf);
	report("clock", clock, nc);
	report("unchanged", idle, ni);
	free(clock);
	free(fresh);
	free(fresh_cpu);
	free(idle);
	return 0;
}
