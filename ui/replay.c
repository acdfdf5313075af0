/* replay — see replay.h. */
#include "replay.h"
#include "model.h"
#include "trace.h"
#include "ui.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static const double speeds[] = { 0.25, 0.5, 1, 2, 4, 8, 16 };

struct replay {
	struct bt_trace_reader *rd;
	struct ui *u;
	uint64_t *offs; /* file offset of every frame, in order (as the model's ftime) */
	size_t noffs, offcap;
	struct ui_clock clk;
	double pos_us; /* fractional while playing */
	/* the detail view's frames, read on demand and kept for one index */
	long cached;
	struct bt_frame prev, cur;
	bool have_prev, have_cur;
};

/* ---- The frames at a moment (detail rows) -------------------------------- */

/* Read frames idx-1 and idx: seek to the keyframe at or before idx-1 (the
 * writer makes every TRACE_KEY_EVERY-th frame one) and read forward; if
 * that lands wrong, read from the first frame. */
static void load_frames(struct replay *rp, long idx)
{
	long want_prev = idx - 1;
	size_t start = (size_t)((want_prev >= 0 ? want_prev : idx) / TRACE_KEY_EVERY) * TRACE_KEY_EVERY;
	rp->have_prev = rp->have_cur = false;
	for (int attempt = 0; attempt < 2 && !rp->have_cur; attempt++) {
		if (trace_reader_seek(rp->rd, rp->offs[attempt ? 0 : start]) != 0)
			break;
		struct bt_record rec;
		while (trace_reader_next(rp->rd, &rec) == 1) {
			if (rec.type != TR_FRAME)
				continue;
			if (rec.offset > rp->offs[idx])
				break;
			if (want_prev >= 0 && rec.offset == rp->offs[want_prev]) {
				frame_copy(&rp->prev, rec.frame);
				rp->have_prev = true;
			}
			if (rec.offset == rp->offs[idx]) {
				frame_copy(&rp->cur, rec.frame);
				rp->have_cur = true;
				break;
			}
		}
	}
	rp->cached = idx;
}

static bool frames_at(void *ctx, uint64_t t_us, const struct bt_frame **prev, const struct bt_frame **cur)
{
	struct replay *rp = ctx;
	long idx = model_frame_index(ui_model(rp->u), t_us);
	if (idx < 0 || (size_t)idx >= rp->noffs)
		return false;
	if (idx != rp->cached)
		load_frames(rp, idx);
	*prev = rp->have_prev ? &rp->prev : NULL;
	*cur = rp->have_cur ? &rp->cur : NULL;
	return rp->have_cur;
}

/* ---- Keys ------------------------------------------------------------------ */

static void jump(struct replay *rp, double pos)
{
	double end = (double)rp->clk.end_us;
	rp->pos_us = pos < 0 ? 0 : pos > end ? end : pos;
	rp->clk.pos_us = (uint64_t)rp->pos_us;
	rp->clk.playing = false;
}

static void k_step(struct ui *u, void *ctx, int code)
{
	struct replay *rp = ctx;
	int dir = code == UI_KEY_LEFT ? -1 : 1;
	uint64_t t;
	if (model_frame_near(ui_model(u), rp->clk.pos_us, dir, &t))
		jump(rp, (double)t);
	else
		jump(rp, dir < 0 ? 0 : (double)rp->clk.end_us);
}

static void k_speed(struct ui *u, void *ctx, int code)
{
	struct replay *rp = ctx;
	size_t i = 0;
	while (i + 1 < BT_ARRAY_LEN(speeds) && speeds[i] < rp->clk.speed)
		i++;
	if (code == '[' && i > 0)
		i--;
	else if (code == ']' && i + 1 < BT_ARRAY_LEN(speeds))
		i++;
	rp->clk.speed = speeds[i];
	ui_message(u, "speed x%g%s", rp->clk.speed,
		   i == 0 || i + 1 == BT_ARRAY_LEN(speeds) ? " (the limit)" : "");
}

static void k_ends(struct ui *u, void *ctx, int code)
{
	struct replay *rp = ctx;
	jump(rp, code == UI_KEY_HOME ? 0 : (double)rp->clk.end_us);
}

/* "12.5", "12.5s", "1:30", "1:02:03" into seconds. */
static bool parse_time(const char *s, double *out)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%s", s);
	size_t len = strlen(buf);
	while (len && buf[len - 1] == ' ')
		buf[--len] = '\0';
	if (len && buf[len - 1] == 's')
		buf[--len] = '\0';
	char *p = buf + strspn(buf, " ");
	double total = 0;
	int fields = 0;
	char *save = NULL;
	for (char *tok = strtok_r(p, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		double part;
		if (++fields > 3 || !bt_parse_double(tok, &part) || !(part >= 0))
			return false;
		total = total * 60 + part;
	}
	if (!fields || !isfinite(total))
		return false;
	*out = total;
	return true;
}

static void goto_done(struct ui *u, void *ctx, const char *answer)
{
	struct replay *rp = ctx;
	double s;
	if (!parse_time(answer, &s)) {
		ui_message(u, "'%s' is not a time: give seconds (12.5) or minutes and seconds (1:30)", answer);
		return;
	}
	jump(rp, s * 1e6);
	ui_message(u, "at %.3f s%s", rp->pos_us / 1e6, s * 1e6 > (double)rp->clk.end_us ? " (the end of the trace)" : "");
}

static void k_goto(struct ui *u, void *ctx, int code)
{
	ui_prompt(u, "go to time (seconds, or m:ss): ", goto_done);
}

static void describe_event(struct ui *u, const struct model_event *e)
{
	const struct model_run *r = model_find_run(ui_model(u), e->run);
	char who[160];
	snprintf(who, sizeof who, "run %llu (%s %s #%u)", (unsigned long long)e->run, r ? r->workload : "?",
		 r ? r->variant : "?", r ? r->rep : 0);
	double t = (double)e->t_us / 1e6;
	switch (e->kind) {
	case ME_START: ui_message(u, "%.3f s  %s started", t, who); break;
	case ME_END: ui_message(u, "%.3f s  %s ended: %s", t, who, e->name); break;
	case ME_PHASE: ui_message(u, "%.3f s  %s: phase %s", t, who, e->name); break;
	case ME_METRIC:
		ui_message(u, "%.3f s  %s: metric %s = %s%s%s", t, who, e->name, e->value, e->unit[0] ? " " : "", e->unit);
		break;
	case ME_NOTE: ui_message(u, "%.3f s  %s: note: %s", t, who, e->name); break;
	}
}

static void k_event(struct ui *u, void *ctx, int code)
{
	struct replay *rp = ctx;
	int dir = code == 'n' ? 1 : -1;
	const struct model *m = ui_model(u);
	long i = model_event_near(m, rp->clk.pos_us, dir);
	if (i < 0) {
		ui_message(u, "no %s event", dir > 0 ? "later" : "earlier");
		return;
	}
	jump(rp, (double)m->ev[i].t_us);
	describe_event(u, &m->ev[i]);
}

static void k_play(struct ui *u, void *ctx, int code)
{
	struct replay *rp = ctx;
	if (!rp->clk.playing && rp->clk.pos_us >= rp->clk.end_us)
		rp->pos_us = 0; /* from the top again */
	rp->clk.pos_us = (uint64_t)rp->pos_us;
	rp->clk.playing = !rp->clk.playing;
}

static const struct ui_key replay_keys[] = {
	{ { ' ', 'p' }, "space or p", "play / pause", k_play },
	{ { UI_KEY_LEFT, UI_KEY_RIGHT }, "Left/Right", "step one tick back / forward (pauses)", k_step },
	{ { '[', ']' }, "[ / ]", "slower / faster: x0.25 .. x16", k_speed },
	{ { UI_KEY_HOME, UI_KEY_END }, "Home/End", "the beginning / the end of the trace", k_ends },
	{ { 'g' }, "g", "go to a time (seconds, or m:ss)", k_goto },
	{ { 'n', 'N' }, "n / N", "next / previous event (run start or end, phase, metric, note)", k_event },
};

/* ---- Main -------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: benchtop replay FILE\n\n"
	      "Shows a trace written by 'benchtop record' (or a live session) in the\n"
	      "interactive screen, with time controls: space plays or pauses, Left/Right\n"
	      "step a tick, [ and ] change the speed (x0.25 .. x16), Home/End jump to the\n"
	      "ends, g goes to a time, n/N to the next/previous event, ? lists every key.\n"
	      "A trace cut short by a crash shows what it holds, and says where it was cut.\n"
	      "It needs a terminal; 'benchtop export FILE' reads a trace without one.\n",
	      f);
}

/* Feed the whole trace to the screen's model, remembering where each
 * frame is. */
static void load(struct replay *rp)
{
	struct bt_record rec;
	while (trace_reader_next(rp->rd, &rec) == 1) {
		if (rec.type == TR_FRAME && rp->noffs < MODEL_MAX_FRAMES) {
			bt_grow((void **)&rp->offs, &rp->offcap, rp->noffs + 1, sizeof(*rp->offs));
			rp->offs[rp->noffs++] = rec.offset;
		}
		ui_feed(rp->u, &rec);
	}
	const struct model *m = ui_model(rp->u);
	/* Runs show as queued until the moment they start. */
	for (size_t i = 0; i < m->nruns; i++) {
		const struct model_run *r = &m->runs[i];
		ui_plan_run(rp->u, r->id, r->workload, r->variant, r->rep);
	}
	/* The trace is all there is: planned runs it never started were not
	 * run (a stopped session, a command that could not run, a cut). */
	ui_session_over(rp->u);
	const char *problem = trace_reader_problem(rp->rd);
	if (problem) {
		char buf[512];
		snprintf(buf, sizeof buf, "%s: %s; showing what it holds.",
			 trace_reader_was_cut(rp->rd) ? "Cut trace" : "Damaged trace", problem);
		ui_set_problem(rp->u, buf);
	}
	if (!m->nruns)
		ui_message(rp->u, "the trace holds no runs");
	rp->clk = (struct ui_clock){ .pos_us = 0, .end_us = m->end_us, .speed = 1, .playing = m->end_us > 0 };
	rp->pos_us = 0;
}

static void advance(struct replay *rp, uint64_t dt_ns)
{
	if (!rp->clk.playing)
		return;
	rp->pos_us += (double)dt_ns / 1e3 * rp->clk.speed;
	if (rp->pos_us >= (double)rp->clk.end_us) {
		rp->pos_us = (double)rp->clk.end_us;
		rp->clk.playing = false;
	}
	rp->clk.pos_us = (uint64_t)rp->pos_us;
}

/* Keys, signals and playback until q or a signal; returns the signal. */
static int loop(struct replay *rp, int sfd)
{
	uint64_t last = bt_now_ns();
	ui_set_clock(rp->u, &rp->clk);
	ui_draw(rp->u, last);
	for (;;) {
		struct pollfd p[2] = { { ui_input_fd(rp->u), POLLIN, 0 }, { sfd, POLLIN, 0 } };
		/* ~25 frames a second while playing; a slow wake-up otherwise
		 * also notices a resize whose signal went elsewhere. */
		int n = poll(p, 2, rp->clk.playing ? 40 : 1000);
		if (n < 0 && errno != EINTR)
			return 0;
		if (n > 0 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
				return (int)si.ssi_signo;
		}
		if (n > 0 && (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
			return SIGHUP; /* the terminal went away */
		if (ui_handle_input(rp->u) != UI_NONE)
			return 0;
		uint64_t now = bt_now_ns();
		advance(rp, now - last);
		last = now;
		ui_set_clock(rp->u, &rp->clk);
		ui_draw(rp->u, now);
	}
}

int replay_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		fprintf(stderr, "benchtop replay: option '%s' is unknown; see 'benchtop replay --help'.\n", argv[optind - 1]);
		return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "benchtop replay: give exactly one trace file; see 'benchtop replay --help'.\n");
		return 2;
	}
	const char *path = argv[optind];
	char err[512];
	struct replay rp = { .cached = -1 };
	rp.rd = trace_reader_open(path, err, sizeof err);
	if (!rp.rd) {
		/* The reader names the file in some sentences, not in others. */
		if (strstr(err, path))
			fprintf(stderr, "benchtop replay: %s.\n", err);
		else
			fprintf(stderr, "benchtop replay: %s: %s.\n", path, err);
		return 1;
	}
	const char *base = strrchr(path, '/');
	struct ui_config cfg = {
		.mode = UI_REPLAY, .title = base ? base + 1 : path, .keys = replay_keys,
		.nkeys = BT_ARRAY_LEN(replay_keys), .ctx = &rp, .frames_at = frames_at,
	};
	rp.u = ui_open(&cfg, err, sizeof err);
	if (!rp.u) {
		fprintf(stderr, "benchtop replay: %s; 'benchtop export %s' reads the trace without a screen.\n", err, path);
		trace_reader_free(rp.rd);
		return 1;
	}
	frame_init(&rp.prev);
	frame_init(&rp.cur);
	load(&rp);

	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, &old);
	int sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	int sig = sfd >= 0 ? loop(&rp, sfd) : 0;
	ui_close(rp.u);
	if (sfd < 0)
		fprintf(stderr, "benchtop replay: cannot watch for signals: %s.\n", strerror(errno));
	else
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	frame_free(&rp.prev);
	frame_free(&rp.cur);
	free(rp.offs);
	trace_reader_free(rp.rd);
	return sfd < 0 ? 1 : sig ? 128 + sig : 0;
}
