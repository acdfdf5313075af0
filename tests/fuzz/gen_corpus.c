/* gen_corpus — writes the seed traces of tests/fuzz/corpus with the real
 * writer (src/trace.c), so the seeds follow the format exactly.
 *
 * Not built by make (the seeds are kept in the tree); regenerate after a
 * format change with, from a configured build directory:
 *
 *   cc -include config.h -I$TOP/src $TOP/tests/fuzz/gen_corpus.c \
 *      libbenchtop.a -lz -o gen_corpus && ./gen_corpus $TOP/tests/fuzz/corpus
 *
 * Keep the seeds small: the whole corpus stays under 20 KB. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "trace.h"
#include "util.h"

static const char *dir;

static struct bt_trace_writer *start(const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int err = 0;
	struct bt_trace_writer *w = trace_writer_open(path, true, &err);
	if (!w) {
		fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(-err));
		exit(1);
	}
	return w;
}

static void check(int e, const char *what)
{
	if (e) {
		fprintf(stderr, "gen_corpus: %s: %s\n", what, strerror(-e));
		exit(1);
	}
}

static void meta(struct bt_trace_writer *w)
{
	const struct bt_kv kv[] = { { "benchtop_version", "0.1" }, { "host", "h" },
				    { "clk_tck", "100" }, { "interval_ms", "100" } };
	check(trace_write_kv(w, TR_META, 0, 0, kv, BT_ARRAY_LEN(kv)), "meta");
}

static void run_start(struct bt_trace_writer *w)
{
	const struct bt_kv kv[] = { { "command", "sleep 1" }, { "argc", "2" },
				    { "argv.0", "sleep" }, { "argv.1", "1" }, { "label", "" } };
	check(trace_write_kv(w, TR_RUN_START, 1, 5, kv, BT_ARRAY_LEN(kv)), "run-start");
}

static void run_end(struct bt_trace_writer *w, uint64_t t_us)
{
	const struct bt_kv kv[] = { { "exit_code", "0" }, { "reason", "exited" },
				    { "wall_us", "1000000" } };
	check(trace_write_kv(w, TR_RUN_END, 1, t_us, kv, BT_ARRAY_LEN(kv)), "run-end");
}

/* A frame with entities of every kind; some fields unknown, entities
 * coming and going with the tick. */
static void full_frame(struct bt_frame *f, uint64_t tick)
{
	frame_reset(f);
	f->tick = tick;
	f->t_us = tick * 100000 + 17;
	f->late_us = tick % 2 ? 250 : 0;
	f->missed = tick == 2;
	f->cost_ns = 40000 + tick;
	struct bt_entity *e = frame_add(f, BT_K_SYS, 0);
	ent_set(e, SYS_MEM_TOTAL, (uint64_t)16 << 30);
	ent_set(e, SYS_MEM_AVAIL, ((uint64_t)8 << 30) - tick * 4096);
	ent_set(e, SYS_CTXT, 1000000 + tick * 333);
	for (uint64_t c = 0; c < 2; c++) {
		e = frame_add(f, BT_K_CPU, c);
		for (unsigned fi = 0; fi < CPU_NF; fi++)
			ent_set(e, fi, 100 * c + tick * fi);
	}
	e = frame_add(f, BT_K_RUN, 1);
	ent_set(e, RUN_CG_CPU_NS, tick * 99000000);
	ent_set(e, RUN_RSS, 4096 * (100 - tick));
	ent_set(e, RUN_NPROCS, 1 + tick % 2);
	e = frame_add(f, BT_K_PROC, 4242);
	ent_set(e, PROC_RUN, 1);
	ent_set(e, PROC_STATE, 'R');
	ent_set(e, PROC_UTIME, tick * 10);
	if (tick % 2) {
		e = frame_add(f, BT_K_PROC, 4243);
		ent_set(e, PROC_PPID, 4242);
	}
	e = frame_add(f, BT_K_THREAD, 4242);
	ent_set(e, THR_PID, 4242);
	ent_set(e, THR_RUN_US, tick * 99000);
	if (tick != 1) {
		e = frame_add(f, BT_K_THREAD, 4250);
		ent_set(e, THR_PID, 4242);
		ent_set(e, THR_CPU, tick % 4);
	}
}

int main(int argc, char **argv)
{
	dir = argc > 1 ? argv[1] : "tests/fuzz/corpus";
	struct bt_frame f;
	frame_init(&f);

	/* A clean trace with nothing in it. */
	check(trace_writer_close(start("empty.seed")), "close");

	/* Only kv records. */
	struct bt_trace_writer *w = start("kv.seed");
	meta(w);
	run_start(w);
	const struct bt_kv name[] = { { "kind", "thread" }, { "id", "4250" }, { "comm", "worker" } };
	check(trace_write_kv(w, TR_NAME, 1, 7, name, BT_ARRAY_LEN(name)), "name");
	const struct bt_kv ev[] = { { "type", "note" }, { "text", "limits were not applied" } };
	check(trace_write_kv(w, TR_EVENT, 1, 9, ev, BT_ARRAY_LEN(ev)), "event");
	run_end(w, 11);
	check(trace_writer_close(w), "close");

	/* A short recording with every kind of entity. */
	w = start("frames.seed");
	meta(w);
	run_start(w);
	for (uint64_t t = 0; t < 4; t++) {
		full_frame(&f, t);
		check(trace_write_frame(w, &f), "frame");
	}
	const struct bt_kv ph[] = { { "type", "phase" }, { "name", "build" } };
	check(trace_write_kv(w, TR_EVENT, 1, 300000, ph, BT_ARRAY_LEN(ph)), "event");
	run_end(w, 400000);
	check(trace_writer_close(w), "close");

	/* The same, cut by a crash: no index, no trailer. */
	w = start("cut.seed");
	meta(w);
	run_start(w);
	for (uint64_t t = 0; t < 3; t++) {
		full_frame(&f, t);
		check(trace_write_frame(w, &f), "frame");
	}
	trace_writer_abandon(w);

	/* Two keyframes and an index of two entries, in tiny frames. */
	w = start("keyframes.seed");
	for (uint64_t t = 0; t < TRACE_KEY_EVERY + 2; t++) {
		frame_reset(&f);
		f.tick = t;
		f.t_us = t * 10;
		ent_set(frame_add(&f, BT_K_SYS, 0), SYS_PROCS_RUNNING, t % 3);
		check(trace_write_frame(w, &f), "frame");
	}
	check(trace_writer_close(w), "close");

	/* Extremes: values at 0 and UINT64_MAX, large keys, masks changing. */
	w = start("extremes.seed");
	for (uint64_t t = 0; t < 3; t++) {
		frame_reset(&f);
		f.tick = t * 1000;
		f.t_us = UINT64_MAX - 3 + t;
		f.cost_ns = UINT64_MAX;
		struct bt_entity *e = frame_add(&f, BT_K_CPU, 0);
		for (unsigned fi = 0; fi < CPU_NF; fi++)
			if ((fi + t) % 3)
				ent_set(e, fi, t % 2 ? UINT64_MAX : 0);
		e = frame_add(&f, BT_K_THREAD, ((uint64_t)1 << 62) + t);
		for (unsigned fi = 0; fi < THR_NF; fi++)
			ent_set(e, fi, UINT64_MAX - fi - t);
		check(trace_write_frame(w, &f), "frame");
	}
	check(trace_writer_close(w), "close");

	frame_free(&f);
	return 0;
}
